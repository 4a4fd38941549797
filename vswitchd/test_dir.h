/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The test-only port types ("pcap", which reads and writes files, and
 * "mem", in-memory rings) and the "inject" request that reads a pcap file
 * exist for tests. Requests reach them through the control socket, as
 * root: unconfined, "tx_pcap=/etc/shadow" would truncate that file. They
 * work only when vswitchd was started with --test-dir DIR, and only on
 * files under DIR.
 */
#ifndef VS_TEST_DIR_H
#define VS_TEST_DIR_H

#include <stdbool.h>
#include <stddef.h>

/* Allows the test-only types, on files under 'dir' (which must exist).
 * Returns 0, or -errno with a reason in 'err'. */
int test_dir_set(const char *dir, char *err, size_t err_size);

/* 0 when port 'name' of 'type' may be opened; else -EPERM with the reason
 * in 'err'. */
int test_dir_check_type(const char *type, const char *name, char *err, size_t err_size);

/* 0 when 'path' (named 'what' in messages) is a file under the test
 * directory, not a symbolic link, in a directory that exists; else
 * -EPERM, -EINVAL or -errno with the reason in 'err'. */
int test_dir_check_path(const char *what, const char *path, char *err, size_t err_size);

#endif /* VS_TEST_DIR_H */
