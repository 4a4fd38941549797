/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A growable text buffer for output built piece by piece (flow dumps,
 * traces). Always NUL-terminated once anything was put into it. Out of
 * memory marks the buffer as failed instead of losing text silently.
 */
#ifndef VS_DS_H
#define VS_DS_H

#include <stdbool.h>
#include <stddef.h>

struct ds {
	char *s;
	size_t len, cap;
	bool failed; /* an allocation failed: 's' holds what fit */
};

#define DS_INIT                   \
	{                         \
		NULL, 0, 0, false \
	}

void ds_put_format(struct ds *ds, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ds_put_cstr(struct ds *ds, const char *s);
void ds_put_char(struct ds *ds, char c);

/* The text so far ("" when empty); borrowed. */
const char *ds_cstr(const struct ds *ds);

void ds_clear(struct ds *ds);
void ds_destroy(struct ds *ds);

#endif /* VS_DS_H */
