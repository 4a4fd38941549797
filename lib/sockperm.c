/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Owner, group and mode of served unix sockets (sockperm.h).
 */
#include "sockperm.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* A whole decimal number in 'text', below 2^31. */
static bool
number(const char *text, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(text, &end, 10);
	return *text >= '0' && *text <= '9' && !*end && !errno && *v < (1ul << 31);
}

int
sockperm_parse(struct sockperm *sp, const char *owner, const char *group, const char *mode,
	       char *err, size_t err_size)
{
	char buf[4096], *end;
	unsigned long v;

	sp->uid = (uid_t)-1;
	sp->gid = (gid_t)-1;
	sp->mode = SOCKPERM_DEFAULT_MODE;
	if (owner) {
		struct passwd pw, *res = NULL;

		if (number(owner, &v)) {
			sp->uid = (uid_t)v;
		} else if (!getpwnam_r(owner, &pw, buf, sizeof buf, &res) && res) {
			sp->uid = pw.pw_uid;
		} else {
			snprintf(err, err_size, "owner '%s' is not a user on this host", owner);
			return -EINVAL;
		}
	}
	if (group) {
		struct group gr, *res = NULL;

		if (number(group, &v)) {
			sp->gid = (gid_t)v;
		} else if (!getgrnam_r(group, &gr, buf, sizeof buf, &res) && res) {
			sp->gid = gr.gr_gid;
		} else {
			snprintf(err, err_size, "group '%s' is not a group on this host", group);
			return -EINVAL;
		}
	}
	if (mode) {
		v = strtoul(mode, &end, 8);
		if (*mode < '0' || *mode > '7' || *end || v > 0777) {
			snprintf(err, err_size, "mode '%s' is not an octal permission such as 0660",
				 mode);
			return -EINVAL;
		}
		sp->mode = (mode_t)v;
	}
	return 0;
}

int
sockperm_apply(const struct sockperm *sp, const char *path)
{
	if ((sp->uid != (uid_t)-1 || sp->gid != (gid_t)-1) && chown(path, sp->uid, sp->gid)) {
		return -errno;
	}
	return chmod(path, sp->mode) ? -errno : 0;
}
