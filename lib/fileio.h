/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small file helpers for what must reach the disk whole: writing all of a
 * buffer, and syncing the directory that holds a file (after a rename).
 */
#ifndef VS_FILEIO_H
#define VS_FILEIO_H

#include <stddef.h>

/* Writes all 'n' bytes at 'buf' to 'fd' (retrying short writes and EINTR).
 * Returns 0 or -errno. */
int vs_write_all(int fd, const void *buf, size_t n);

/* fsync()s the directory that holds 'path' (a file's path). Returns 0 or
 * -errno. */
int vs_fsync_parent(const char *path);

#endif /* VS_FILEIO_H */
