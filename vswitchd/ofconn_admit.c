/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenFlow connections come and go (ofconn_priv.h): opening and closing
 * them, admission on listeners, and the timers that close the ones that
 * do not behave. Anyone who can reach a listener can open connections, so
 * none of that may lock out the others:
 *
 *  - each listener holds at most 'listener_max_conns' connections; a new
 *    one past the limit pushes out the listener's connection that has not
 *    said hello for longest (read first: one whose hello waits unread is
 *    spared), else the one idle longest. The switch's own
 *    connections to its controllers belong to no listener and count
 *    nowhere;
 *  - a connection that has not completed the hello within HELLO_TIMEOUT_MS
 *    is closed (idle and slowloris peers);
 *  - an idle connection, active or passive, is probed with an echo request
 *    after ECHO_IDLE_MS and closed if it does not answer within as long
 *    again (an active one is then reconnected); one whose output has not
 *    moved for STALL_MS (a peer that asks and never reads) is closed;
 *  - a listener that cannot accept for lack of descriptors rests a while
 *    instead of waking the loop at once.
 *
 * What these close is summed up in the log once per LOG_EVERY_MS per
 * listener, not line by line: a flood of connections must not flood the
 * log.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "ofconn_priv.h"

enum {
	ACCEPT_BATCH = 64,      /* connections accepted per wake-up */
	LISTENER_REST_MS = 100, /* after accept() ran out of descriptors */
	LOG_EVERY_MS = 10000,
};

struct conn *
conn_by_fd(const struct ofconns *c, int fd)
{
	return fd >= 0 && (size_t)fd < c->by_fd_alloc ? c->by_fd[fd] : NULL;
}

static bool
by_fd_set(struct ofconns *c, int fd, struct conn *k)
{
	if ((size_t)fd >= c->by_fd_alloc) {
		size_t alloc = VS_MAX((size_t)fd + 1, c->by_fd_alloc * 2);
		struct conn **by_fd = realloc(c->by_fd, alloc * sizeof *by_fd);

		if (!by_fd) {
			return false;
		}
		memset(by_fd + c->by_fd_alloc, 0, (alloc - c->by_fd_alloc) * sizeof *by_fd);
		c->by_fd = by_fd;
		c->by_fd_alloc = alloc;
	}
	c->by_fd[fd] = k;
	return true;
}

struct conn *
conn_new(struct ofconns *c, int fd, struct obr *br, struct target *active, struct target *listener)
{
	struct conn *k = NULL;
	int one = 1;

	if (c->n_conns == c->conns_alloc) {
		size_t alloc = c->conns_alloc ? c->conns_alloc * 2 : 64;
		struct conn **conns = realloc(c->conns, alloc * sizeof *conns);

		if (conns) {
			c->conns = conns;
			c->conns_alloc = alloc;
		}
	}
	if (c->n_conns == c->conns_alloc || !(k = calloc(1, sizeof *k)) || !by_fd_set(c, fd, k)) {
		free(k);
		close(fd);
		return NULL;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	k->fd = fd;
	k->br = br;
	k->active = active;
	k->listener = listener;
	k->miss_send_len = 128;
	k->opened_ms = k->last_rx_ms = k->last_progress_ms = c->now_ms;
	k->role = ROLE_EQUAL;
	/* The specification's defaults: packet-ins for table misses and
	 * actions, every port status, every flow removed; slaves get only
	 * port status. */
	k->async[ASYNC_PIN][0] = 1u << OFPR_NO_MATCH | 1u << OFPR_ACTION;
	k->async[ASYNC_PORT_STATUS][0] = k->async[ASYNC_PORT_STATUS][1] = 0x7;
	k->async[ASYNC_FLOW_REMOVED][0] = 0xf;
	if ((active ? active->tls : listener->tls) && !tls_start(c, k, listener != NULL)) {
		const char *why = c->tls ? "out of memory" : "no TLS set up (switch-ctl set-ssl)";

		if (listener) {
			note_tls_failure(c, listener, why);
		} else if (c->now_ms >= active->next_fd_warn_ms) {
			VLOG_WARN("ofconn", "%s: %s: %s", br->name, active->spec, why);
			active->next_fd_warn_ms = c->now_ms + LOG_EVERY_MS;
		}
		c->by_fd[fd] = NULL;
		free(k);
		close(fd);
		return NULL;
	}
	obuf_init(&k->out);
	ofp_encode_hello(&k->out, 0);
	k->idx = c->n_conns;
	c->conns[c->n_conns++] = k;
	if (listener) {
		listener->n_conns++;
	} else {
		VLOG_INFO("ofconn", "%s: OpenFlow connection %s", br->name,
			  active ? active->spec : "accepted");
	}
	if (active) {
		controllers_changed(c, br);
	}
	return k;
}

void
conn_close(struct ofconns *c, struct conn *k)
{
	size_t i = k->idx;
	struct obr *br = k->br;
	bool active = k->active != NULL;
	bool of10 = active && k->hello_done && k->version == OFP10_VERSION;

	if (k->active) {
		/* Reconnect soon: the controller may be restarting. */
		k->active->next_try_ms = c->now_ms + k->active->backoff_ms;
		VLOG_INFO("ofconn", "%s: connection to %s closed", br->name, k->active->spec);
	}
	if (k->listener) {
		k->listener->n_conns--;
	}
	if (k->dump) {
		/* During a reconfiguration the caller holds the lock. */
		if (!c->configuring) {
			ofproto_lock();
		}
		ofproto_flow_cursor_destroy(k->dump);
		if (!c->configuring) {
			ofproto_unlock();
		}
	}
	if (conn_by_fd(c, k->fd) == k) {
		c->by_fd[k->fd] = NULL;
	}
	tls_free(k);
	ofconn_bundles_free(k);
	ofconn_monitors_free(k);
	close(k->fd);
	free(k->in);
	obuf_free(&k->out);
	free(k);
	c->conns[i] = c->conns[--c->n_conns];
	if (i < c->n_conns) {
		c->conns[i]->idx = i;
	}
	if (active) {
		controllers_changed(c, br);
	}
	if (of10) {
		ofconn_of10_changed(c, br);
	}
}

void
close_where(struct ofconns *c, bool (*pred)(const struct conn *k, const void *arg), const void *arg)
{
	for (size_t i = c->n_conns; i-- > 0;) {
		if (pred(c->conns[i], arg)) {
			conn_close(c, c->conns[i]);
		}
	}
}

/* Counts a connection closed on listener 't' for the next summary. */
static void
note_closed(struct ofconns *c, struct target *t, uint64_t *counter)
{
	if (!t->closed_evicted && !t->closed_hello && !t->closed_idle && !t->closed_tls) {
		/* The first of a series is told at once, the rest summed. */
		t->next_log_ms = VS_MAX(t->next_log_ms, c->now_ms);
	}
	(*counter)++;
}

void
note_tls_failure(struct ofconns *c, struct target *t, const char *why)
{
	note_closed(c, t, &t->closed_tls);
	snprintf(t->last_tls_err, sizeof t->last_tls_err, "%s", why);
}

/* The connection of listener 't' that has waited longest for a hello,
 * else the one idle longest; NULL: none. */
static struct conn *
pick_victim(const struct ofconns *c, const struct target *t)
{
	size_t victim = SIZE_MAX;

	for (size_t i = 0; i < c->n_conns; i++) {
		const struct conn *k = c->conns[i], *v;

		if (k->listener != t) {
			continue;
		}
		if (victim == SIZE_MAX) {
			victim = i;
			continue;
		}
		v = c->conns[victim];
		if (k->hello_done != v->hello_done ? !k->hello_done
		    : k->hello_done                ? k->last_rx_ms < v->last_rx_ms
						   : k->opened_ms < v->opened_ms) {
			victim = i;
		}
	}
	return victim != SIZE_MAX ? c->conns[victim] : NULL;
}

/* Makes room on listener 't': closes the connection that has waited
 * longest for a hello, else the one idle longest. That one may have said
 * hello since it was accepted, unread yet while the main loop was busy
 * (under a flood, a client's hello can sit in its socket for the time
 * a hundred more connections take): it is read first, and spared if it
 * has; a few times at most per connection made room for. */
static void
evict_one(struct ofconns *c, struct target *t)
{
	for (int round = 0; round < 4; round++) {
		struct conn *v = pick_victim(c, t);

		if (!v) {
			return;
		}
		if (round < 3 && !v->hello_done && !v->ssl) {
			if (!conn_read(c, v)) {
				conn_close(c, v); /* gone or broken: room made */
				return;
			}
			if (v->hello_done) {
				continue;
			}
		}
		note_closed(c, t, &t->closed_evicted);
		conn_close(c, v);
		return;
	}
}

void
accept_conns(struct ofconns *c, struct obr *br, struct target *t)
{
	for (int n = 0; n < ACCEPT_BATCH; n++) {
		int fd = accept4(t->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				/* The pending connection stays queued; polling the
				 * listener now would only wake the loop again. */
				t->rest_until_ms = c->now_ms + LISTENER_REST_MS;
				if (c->now_ms >= t->next_fd_warn_ms) {
					VLOG_WARN("ofconn",
						  "%s: %s: cannot accept: %s (%zu connections "
						  "open); resting %d ms",
						  br->name, t->spec, strerror(errno), c->n_conns,
						  LISTENER_REST_MS);
					t->next_fd_warn_ms = c->now_ms + LOG_EVERY_MS;
				}
			}
			return;
		}
		if (t->n_conns >= c->listener_max_conns) {
			evict_one(c, t);
		}
		struct conn *k = conn_new(c, fd, br, NULL, t);

		/* A client that spoke at once (ovs-ofctl sends its hello with
		 * the handshake) is heard at once: under a flood of connections
		 * that never say hello, the next accepts would otherwise push it
		 * out, hello unread, as the one that waited longest. */
		if (k && !k->ssl && !conn_read(c, k)) {
			conn_close(c, k);
		}
	}
}

static bool
conn_of_target(const struct conn *k, const void *arg)
{
	return k->active == arg;
}

/* Tells what was closed on listener 't' since the last summary. */
static void
log_closed(struct ofconns *c, struct obr *br, struct target *t)
{
	uint64_t n = t->closed_evicted + t->closed_hello + t->closed_idle + t->closed_tls;
	char tls[220] = "";

	if (!n || c->now_ms < t->next_log_ms) {
		return;
	}
	if (t->closed_tls) {
		snprintf(tls, sizeof tls, ", %" PRIu64 " failed TLS (the last: %s)", t->closed_tls,
			 t->last_tls_err);
	}
	VLOG_INFO("ofconn",
		  "%s: %s: closed %" PRIu64 " connection(s): %" PRIu64
		  " at the limit of %u, %" PRIu64 " without a hello in %d ms, %" PRIu64
		  " idle or stalled%s; %u open",
		  br->name, t->spec, n, t->closed_evicted, c->listener_max_conns, t->closed_hello,
		  HELLO_TIMEOUT_MS, t->closed_idle, tls, t->n_conns);
	t->closed_evicted = t->closed_hello = t->closed_idle = t->closed_tls = 0;
	t->next_log_ms = c->now_ms + LOG_EVERY_MS;
}

void
conns_timers(struct ofconns *c)
{
	uint64_t now = c->now_ms;

	for (size_t i = c->n_conns; i-- > 0;) {
		struct conn *k = c->conns[i];
		bool busy = k->dump || k->out.size > k->out_ofs;

		if (!k->hello_done && now - k->opened_ms >= HELLO_TIMEOUT_MS) {
			if (k->listener) {
				note_closed(c, k->listener, &k->listener->closed_hello);
			} else {
				VLOG_INFO("ofconn", "%s: %s: no hello in %d ms", k->br->name,
					  k->active->spec, HELLO_TIMEOUT_MS);
			}
			conn_close(c, k);
			continue;
		}
		if (busy) {
			/* Waiting for the peer to read: alive while it does. */
			if (now - k->last_progress_ms >= STALL_MS) {
				if (k->listener) {
					note_closed(c, k->listener, &k->listener->closed_idle);
				} else {
					VLOG_INFO("ofconn", "%s: %s reads nothing: reconnecting",
						  k->br->name, k->active->spec);
				}
				conn_close(c, k);
			}
			continue;
		}
		if (now - k->last_rx_ms < ECHO_IDLE_MS) {
			continue;
		}
		if (k->echo_sent) {
			if (k->active) {
				VLOG_INFO("ofconn", "%s: %s does not answer echo: reconnecting",
					  k->br->name, k->active->spec);
				close_where(c, conn_of_target, k->active);
			} else {
				note_closed(c, k->listener, &k->listener->closed_idle);
				conn_close(c, k);
			}
			continue;
		}
		ofp_msg_end(&k->out, ofp_msg_start(&k->out, OFPT_ECHO_REQUEST, 0));
		k->echo_sent = true;
		k->last_rx_ms = now;
		k->last_progress_ms = now;
	}
	for (int b = 0; b < OFC_BRIDGES; b++) {
		for (size_t j = 0; c->brs[b].ofp && j < c->brs[b].n_targets; j++) {
			log_closed(c, &c->brs[b], &c->brs[b].targets[j]);
		}
	}
}

size_t
ofconns_pollfd_count(const struct ofconns *c)
{
	return 1 + (size_t)OFC_BRIDGES * OFC_TARGETS + c->n_conns;
}

void
ofconns_set_socket_perm(struct ofconns *c, const struct sockperm *sp)
{
	if (!memcmp(sp, &c->sockperm, sizeof *sp)) {
		return;
	}
	c->sockperm = *sp;
	for (int b = 0; b < OFC_BRIDGES; b++) {
		for (size_t j = 0; c->brs[b].ofp && j < c->brs[b].n_targets; j++) {
			struct target *t = &c->brs[b].targets[j];
			int ret;

			if (!t->passive || t->fd < 0 || t->addr.ss_family != AF_UNIX) {
				continue;
			}
			ret = sockperm_apply(sp, ((struct sockaddr_un *)&t->addr)->sun_path);
			if (ret) {
				VLOG_WARN(
					"ofconn",
					"%s: %s: cannot set the socket's owner, group or mode: %s",
					c->brs[b].name, t->spec, strerror(-ret));
			}
		}
	}
}

void
ofconns_set_listener_limit(struct ofconns *c, uint32_t max_conns)
{
	c->listener_max_conns = max_conns ? max_conns : OFC_LISTENER_CONNS;
}
