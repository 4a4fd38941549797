/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control socket: JSON-RPC 2.0 over a unix stream socket (mode 0660).
 * Requests arrive back to back on a connection and are answered in order,
 * each answer followed by a newline. Every client is served from the main
 * thread's poll loop without blocking: a slow or stalled client holds only
 * its own buffers. Garbage (a text that is not a JSON object or array) gets
 * a parse error and the connection is closed, since the stream cannot be
 * resynchronised; a request over CTL_REQUEST_MAX bytes gets an error too.
 */
#ifndef VS_CTL_SERVER_H
#define VS_CTL_SERVER_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "jsonrpc.h"

enum {
	CTL_REQUEST_MAX = 1 << 20, /* bytes of one request */
	CTL_CLIENTS_MAX = 256,     /* connections at once */
	CTL_ERR_MAX = 512,
};

struct ctl_server;

/* Listens on 'path'. A stale socket file (nobody accepting on it) is
 * replaced; a live one is an error (-EADDRINUSE: another daemon serves it).
 * Returns NULL with errno set and a reason in 'err' (CTL_ERR_MAX bytes). */
struct ctl_server *ctl_server_create(const char *path, const struct jsonrpc_method *methods,
				     size_t n_methods, void *aux, char *err);

/* Closes every connection and removes the socket file; NULL is a no-op. */
void ctl_server_destroy(struct ctl_server *s);

/* Waits up to 'timeout_ms' for activity on the socket, its clients and the
 * 'n_extra' descriptors of 'extra' (whose revents it fills for the caller
 * to serve), and serves its own. */
void ctl_server_run(struct ctl_server *s, int timeout_ms, struct pollfd *extra, size_t n_extra);

/* Number of connected clients. */
unsigned int ctl_server_n_clients(const struct ctl_server *s);

#endif /* VS_CTL_SERVER_H */
