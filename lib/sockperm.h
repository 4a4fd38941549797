/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Owner, group and mode of the unix sockets the daemon serves for others
 * (vhost-user sockets for QEMU, OpenFlow punix: listeners): parsed from
 * configuration text, applied once the socket exists.
 */
#ifndef VS_SOCKPERM_H
#define VS_SOCKPERM_H

#include <stddef.h>
#include <sys/types.h>

enum { SOCKPERM_DEFAULT_MODE = 0660 };

struct sockperm {
	uid_t uid; /* (uid_t)-1: the daemon's */
	gid_t gid; /* (gid_t)-1: the daemon's */
	mode_t mode;
};

/* Fills 'sp' from 'owner' (a user name or number), 'group' (a group name
 * or number) and 'mode' (octal, at most 0777); NULL leaves the default:
 * the daemon's user and group, mode 0660. Returns 0, or -EINVAL with the
 * reason in 'err' ("owner 'x' is not a user on this host"). */
int sockperm_parse(struct sockperm *sp, const char *owner, const char *group, const char *mode,
		   char *err, size_t err_size);

/* Gives socket file 'path' the owner, group and mode of 'sp'. Returns 0 or
 * -errno. */
int sockperm_apply(const struct sockperm *sp, const char *path);

#endif /* VS_SOCKPERM_H */
