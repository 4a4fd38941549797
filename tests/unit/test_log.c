/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the log's levels: the global one, a module's own, back to
 * the global with -1, bad names, and the room for modules.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

static char path[] = "/tmp/vs-test-log.XXXXXX";

/* The log file's text so far. */
static char *
slurp(void)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;

	if (f) {
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static void
test_module_levels(void **state)
{
	struct vlog_module_info mods[VLOG_MODULES_MAX];
	enum vlog_level global;
	size_t n;

	(void)state;
	vlog_set_level(VLOG_INFO);
	vlog(VLOG_DBG, "alpha", "hidden-1");
	vlog(VLOG_INFO, "alpha", "shown-1");
	assert_int_equal(vlog_set_module_level("alpha", VLOG_DBG), 0);
	assert_int_equal(vlog_set_module_level("beta", VLOG_ERR), 0);
	vlog(VLOG_DBG, "alpha", "shown-2");
	vlog(VLOG_WARN, "beta", "hidden-2");
	vlog(VLOG_ERR, "beta", "shown-3");
	vlog(VLOG_DBG, "gamma", "hidden-3");
	assert_int_equal(vlog_set_module_level("alpha", -1), 0);
	vlog(VLOG_DBG, "alpha", "hidden-4");
	char *text = slurp();

	for (int i = 1; i <= 3; i++) {
		char s[16], h[16];

		snprintf(s, sizeof s, "shown-%d", i);
		snprintf(h, sizeof h, "hidden-%d", i);
		assert_non_null(strstr(text, s));
		assert_null(strstr(text, h));
	}
	assert_null(strstr(text, "hidden-4"));
	assert_non_null(strstr(text, "|dbg|alpha|shown-2"));
	n = vlog_list(mods, VLOG_MODULES_MAX, &global);
	assert_int_equal(global, VLOG_INFO);
	assert_int_equal(n, 3); /* alpha, beta, gamma: sorted */
	assert_string_equal(mods[0].name, "alpha");
	assert_int_equal(mods[0].level, -1);
	assert_string_equal(mods[1].name, "beta");
	assert_int_equal(mods[1].level, VLOG_ERR);
	assert_string_equal(mods[2].name, "gamma");
}

static void
test_bad_names_and_room(void **state)
{
	char name[32];
	int ret = 0;

	(void)state;
	assert_int_equal(vlog_set_module_level("", VLOG_DBG), -EINVAL);
	assert_int_equal(vlog_set_module_level("a b", VLOG_DBG), -EINVAL);
	assert_int_equal(vlog_set_module_level("a:b", VLOG_DBG), -EINVAL);
	assert_int_equal(vlog_set_module_level("abcdefghijklmnopqrstuvwxyz", VLOG_DBG), -EINVAL);
	for (int i = 0; i < VLOG_MODULES_MAX && !ret; i++) {
		snprintf(name, sizeof name, "m%d", i);
		ret = vlog_set_module_level(name, VLOG_WARN);
	}
	assert_int_equal(ret, -ENOSPC); /* three were there already */
	/* A module past the room still logs, at the global level. */
	vlog(VLOG_INFO, "overflow", "still-logged");
	assert_non_null(strstr(slurp(), "|info|overflow|still-logged"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_module_levels),
		cmocka_unit_test(test_bad_names_and_room),
	};
	int fd = mkstemp(path), ret;

	if (fd < 0 || vlog_set_file(path)) {
		return 1;
	}
	close(fd);
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	vlog_set_file(NULL);
	unlink(path);
	return ret;
}
