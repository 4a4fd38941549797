/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Growable text buffer (ds.h).
 */
#include "ds.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
reserve(struct ds *ds, size_t extra)
{
	size_t need = ds->len + extra + 1;
	char *s;

	if (ds->failed) {
		return false;
	}
	if (need <= ds->cap) {
		return true;
	}
	size_t cap = ds->cap ? ds->cap : 64;
	while (cap < need) {
		cap *= 2;
	}
	s = realloc(ds->s, cap);
	if (!s) {
		ds->failed = true;
		return false;
	}
	ds->s = s;
	ds->cap = cap;
	return true;
}

void
ds_put_format(struct ds *ds, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(ds, (size_t)n)) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(ds->s + ds->len, ds->cap - ds->len, fmt, ap);
	va_end(ap);
	ds->len += (size_t)n;
}

void
ds_put_cstr(struct ds *ds, const char *s)
{
	size_t n = strlen(s);

	if (reserve(ds, n)) {
		memcpy(ds->s + ds->len, s, n + 1);
		ds->len += n;
	}
}

void
ds_put_char(struct ds *ds, char c)
{
	if (reserve(ds, 1)) {
		ds->s[ds->len++] = c;
		ds->s[ds->len] = '\0';
	}
}

const char *
ds_cstr(const struct ds *ds)
{
	return ds->s ? ds->s : "";
}

void
ds_clear(struct ds *ds)
{
	ds->len = 0;
	if (ds->s) {
		ds->s[0] = '\0';
	}
}

void
ds_destroy(struct ds *ds)
{
	free(ds->s);
	*ds = (struct ds)DS_INIT;
}
