/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Confinement of the test-only port types (test_dir.h).
 */
#include "test_dir.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char test_dir[PATH_MAX]; /* canonical; empty: none */

int
test_dir_set(const char *dir, char *err, size_t err_size)
{
	struct stat st;

	if (!realpath(dir, test_dir) || stat(test_dir, &st) || !S_ISDIR(st.st_mode)) {
		int ret = errno ? -errno : -ENOTDIR;

		snprintf(err, err_size, "--test-dir %s: %s", dir,
			 errno ? strerror(errno) : "not a directory");
		test_dir[0] = '\0';
		return ret;
	}
	return 0;
}

/* True for the types that need --test-dir. */
static bool
type_is_test_only(const char *type)
{
	return !strcmp(type, "pcap") || !strcmp(type, "mem");
}

int
test_dir_check_type(const char *type, const char *name, char *err, size_t err_size)
{
	if (type_is_test_only(type) && !test_dir[0]) {
		snprintf(err, err_size,
			 "port %s: type %s is for tests: start vswitchd with --test-dir DIR to "
			 "use it (its files then live under DIR)",
			 name, type);
		return -EPERM;
	}
	return 0;
}

int
test_dir_check_path(const char *what, const char *path, char *err, size_t err_size)
{
	char copy[PATH_MAX], parent[PATH_MAX], *base;
	size_t n = strlen(test_dir);
	struct stat st;

	if (!test_dir[0]) {
		snprintf(err, err_size,
			 "%s: files are for tests: start vswitchd with --test-dir DIR", what);
		return -EPERM;
	}
	if (path[0] != '/' || strlen(path) >= sizeof copy) {
		snprintf(err, err_size, "%s %s: an absolute path under %s is needed", what, path,
			 test_dir);
		return -EINVAL;
	}
	snprintf(copy, sizeof copy, "%s", path);
	base = basename(copy);
	if (!strcmp(base, ".") || !strcmp(base, "..") || !strcmp(base, "/")) {
		snprintf(err, err_size, "%s %s: not a file name", what, path);
		return -EINVAL;
	}
	snprintf(copy, sizeof copy, "%s", path);
	if (!realpath(dirname(copy), parent)) {
		int ret = -errno;

		snprintf(err, err_size, "%s %s: %s", what, path, strerror(errno));
		return ret;
	}
	if (strncmp(parent, test_dir, n) || (parent[n] != '/' && parent[n] != '\0')) {
		snprintf(err, err_size,
			 "%s %s is outside the test directory %s (vswitchd --test-dir)", what, path,
			 test_dir);
		return -EPERM;
	}
	if (!lstat(path, &st) && S_ISLNK(st.st_mode)) {
		snprintf(err, err_size, "%s %s is a symbolic link: name the file itself", what,
			 path);
		return -EPERM;
	}
	return 0;
}
