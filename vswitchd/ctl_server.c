/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control socket's connections (ctl_server.h): accept, read and frame
 * requests, hand them to jsonrpc_handle(), write the answers.
 */
#include "ctl_server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

enum { OUT_MAX = 64 << 20, READ_CHUNK = 65536 };

struct buf {
	char *data;
	size_t len, cap;
};

struct client {
	int fd;
	struct buf in, out;
	struct jsonrpc_framer framer;
	bool closing; /* no more requests: close once 'out' is written */
};

struct ctl_server {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const struct jsonrpc_method *methods;
	size_t n_methods;
	void *aux;
	struct client *clients[CTL_CLIENTS_MAX];
	unsigned int n_clients;
	struct pollfd *fds; /* the poll set, grown to what run needs */
	size_t fds_alloc;
};

static int
buf_append(struct buf *b, const char *data, size_t len, size_t max)
{
	if (b->len + len > max) {
		return -ENOBUFS;
	}
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->len + len) {
			cap *= 2;
		}
		p = realloc(b->data, cap);
		if (!p) {
			return -ENOMEM;
		}
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return 0;
}

static void
buf_consume(struct buf *b, size_t n)
{
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

/* Is something accepting connections on 'path'? */
static bool
socket_alive(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool alive;

	if (fd < 0) {
		return false;
	}
	alive = connect(fd, (const struct sockaddr *)sun, sizeof *sun) == 0;
	close(fd);
	return alive;
}

struct ctl_server *
ctl_server_create(const char *path, const struct jsonrpc_method *methods, size_t n_methods,
		  void *aux, char *err)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct ctl_server *s;
	int e;

	if (strlen(path) >= sizeof sun.sun_path) {
		snprintf(err, CTL_ERR_MAX, "control socket path %s is too long", path);
		errno = ENAMETOOLONG;
		return NULL;
	}
	strcpy(sun.sun_path, path);
	if (socket_alive(&sun)) {
		snprintf(err, CTL_ERR_MAX,
			 "control socket %s is in use: another vswitchd is running on it", path);
		errno = EADDRINUSE;
		return NULL;
	}
	s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, CTL_ERR_MAX, "out of memory");
		return NULL;
	}
	strcpy(s->path, path);
	s->methods = methods;
	s->n_methods = n_methods;
	s->aux = aux;
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	unlink(path); /* stale: nobody answered on it */
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&sun, sizeof sun) || chmod(path, 0660) ||
	    listen(s->fd, 128)) {
		e = errno;
		snprintf(err, CTL_ERR_MAX, "cannot listen on control socket %s: %s", path,
			 strerror(e));
		if (s->fd >= 0) {
			close(s->fd);
		}
		free(s);
		errno = e;
		return NULL;
	}
	return s;
}

static void
client_free(struct ctl_server *s, unsigned int idx)
{
	struct client *c = s->clients[idx];

	close(c->fd);
	free(c->in.data);
	free(c->out.data);
	free(c);
	s->clients[idx] = s->clients[--s->n_clients];
	s->clients[s->n_clients] = NULL;
}

void
ctl_server_destroy(struct ctl_server *s)
{
	if (!s) {
		return;
	}
	while (s->n_clients) {
		client_free(s, 0);
	}
	close(s->fd);
	unlink(s->path);
	free(s->fds);
	free(s);
}

unsigned int
ctl_server_n_clients(const struct ctl_server *s)
{
	return s->n_clients;
}

/* Queues 'resp' (consumed) on 'c', followed by a newline. */
static void
client_send(struct client *c, json_t *resp)
{
	char *text = resp ? json_dumps(resp, JSON_COMPACT) : NULL;

	json_decref(resp);
	if (!text) {
		return;
	}
	if (buf_append(&c->out, text, strlen(text), OUT_MAX) ||
	    buf_append(&c->out, "\n", 1, OUT_MAX)) {
		VLOG_RL(VLOG_WARN, "ctl", "control client not reading its answers: closing it");
		c->out.len = 0;
		c->closing = true;
	}
	free(text);
}

static void
client_error(struct client *c, int code, const char *msg)
{
	client_send(c, jsonrpc_error_response(NULL, code, msg, NULL));
	c->closing = true;
}

/* Runs every complete request in the input buffer. */
static void
client_process(struct ctl_server *s, struct client *c)
{
	while (!c->closing && c->in.len) {
		ssize_t n = jsonrpc_frame(&c->framer, c->in.data, c->in.len);

		if (n < 0) {
			client_error(c, JSONRPC_PARSE_ERROR,
				     "parse error: a request is a JSON object or array "
				     "(nested at most 64 deep); closing the connection");
			return;
		}
		if (n == 0) {
			if (c->in.len > CTL_REQUEST_MAX) {
				client_error(c, JSONRPC_INVALID_REQUEST,
					     "request larger than 1048576 bytes; closing the "
					     "connection");
			}
			return;
		}
		client_send(
			c, jsonrpc_handle(s->methods, s->n_methods, s->aux, c->in.data, (size_t)n));
		buf_consume(&c->in, (size_t)n);
	}
}

/* Returns false when the client is gone. */
static bool
client_read(struct ctl_server *s, struct client *c)
{
	char chunk[READ_CHUNK];
	ssize_t n = read(c->fd, chunk, sizeof chunk);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		return false;
	}
	if (n > 0) {
		/* client_process() rejects a request over CTL_REQUEST_MAX as soon
		 * as it sees one, so the buffer only fails to grow when memory
		 * runs out. */
		if (buf_append(&c->in, chunk, (size_t)n, CTL_REQUEST_MAX + READ_CHUNK * 2)) {
			client_error(c, JSONRPC_INTERNAL_ERROR,
				     "out of memory for this request; closing the connection");
			return true;
		}
		client_process(s, c);
	}
	return true;
}

static bool
client_write(struct client *c)
{
	while (c->out.len) {
		ssize_t n = send(c->fd, c->out.data, c->out.len, MSG_NOSIGNAL);

		if (n < 0) {
			return errno == EAGAIN || errno == EINTR;
		}
		buf_consume(&c->out, (size_t)n);
	}
	return !c->closing;
}

static void
accept_clients(struct ctl_server *s)
{
	for (;;) {
		int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct client *c;

		if (fd < 0) {
			return;
		}
		c = s->n_clients < CTL_CLIENTS_MAX ? calloc(1, sizeof *c) : NULL;
		if (!c) {
			VLOG_RL(VLOG_WARN, "ctl", "too many control clients: refusing one");
			close(fd);
			continue;
		}
		c->fd = fd;
		s->clients[s->n_clients++] = c;
	}
}

void
ctl_server_run(struct ctl_server *s, int timeout_ms, struct pollfd *extra, size_t n_extra)
{
	unsigned int n = s->n_clients;
	struct pollfd *fds;

	if (s->fds_alloc < CTL_CLIENTS_MAX + 1 + n_extra) {
		size_t alloc = CTL_CLIENTS_MAX + 1 + n_extra + n_extra / 2;

		fds = realloc(s->fds, alloc * sizeof *fds);
		if (fds) {
			s->fds = fds;
			s->fds_alloc = alloc;
		} else if (s->fds_alloc <= CTL_CLIENTS_MAX + 1) {
			return; /* out of memory: nothing to poll with */
		} else {
			n_extra = s->fds_alloc - (CTL_CLIENTS_MAX + 1);
		}
	}
	fds = s->fds;
	for (unsigned int i = 0; i < n; i++) {
		struct client *c = s->clients[i];

		fds[i].fd = c->fd;
		/* Read more only once the answers so far are out. */
		fds[i].events = c->out.len ? POLLOUT : c->closing ? 0 : POLLIN;
		fds[i].revents = 0;
	}
	fds[n] = (struct pollfd){.fd = s->fd, .events = POLLIN};
	memcpy(fds + n + 1, extra, n_extra * sizeof *extra);
	if (poll(fds, n + 1 + n_extra, timeout_ms) <= 0) {
		for (size_t i = 0; i < n_extra; i++) {
			extra[i].revents = 0;
		}
		return;
	}
	for (size_t i = 0; i < n_extra; i++) {
		extra[i].revents = fds[n + 1 + i].revents;
	}
	/* Backwards, so that freeing client i moves an already-served one. */
	for (unsigned int i = n; i-- > 0;) {
		struct client *c = s->clients[i];
		bool alive = true;

		if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
			alive = client_read(s, c);
		}
		if (alive && (c->out.len || c->closing)) {
			alive = client_write(c);
		}
		if (!alive) {
			client_free(s, i);
		}
	}
	if (fds[n].revents & POLLIN) {
		accept_clients(s);
	}
}
