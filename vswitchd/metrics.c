/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Metrics in the Prometheus text format, and the small HTTP server that
 * answers them (metrics.h). The server is part of the main loop: a
 * listener and at most METRICS_CLIENTS requests at once, each read without
 * blocking and answered once its header is in; one that has not sent it
 * within a second is closed, and past the limit the oldest makes room.
 */
#include "metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bridge.h"
#include "cfgdb.h"
#include "dp.h"
#include "log.h"
#include "port.h"
#include "vswitchd.h"

enum { METRICS_CLIENTS = METRICS_POLL_MAX - 1, REQUEST_MAX = 4096, REQUEST_MS = 1000 };

struct metrics_client {
	int fd; /* -1: free */
	size_t len;
	uint64_t deadline_ms;
	char req[REQUEST_MAX];
};

struct metrics_server {
	char address[64];
	int fd;
	struct metrics_client clients[METRICS_CLIENTS];
};

/* A label value as the format wants it: \, " and newline escaped. */
static void
put_label(struct ds *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"') {
			ds_put_char(out, '\\');
		}
		if (*v == '\n') {
			ds_put_cstr(out, "\\n");
		} else {
			ds_put_char(out, *v);
		}
	}
}

static void
put_help(struct ds *out, const char *name, const char *type, const char *help)
{
	ds_put_format(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
render_ports(struct vswitchd *vd, struct dp *dp, struct ds *out)
{
	static const struct {
		const char *name, *help;
		size_t ofs;
	} counters[] = {
#define C(f, h) {"vswitch_port_" #f "_total", h, offsetof(struct port_stats, f)}
		C(rx_packets, "Packets received on the port."),
		C(rx_bytes, "Bytes received on the port."),
		C(rx_dropped, "Packets the port dropped on receive."),
		C(rx_errors, "Receive errors."),
		C(tx_packets, "Packets sent on the port."),
		C(tx_bytes, "Bytes sent on the port."),
		C(tx_dropped, "Packets the port could not send."),
		C(tx_errors, "Send errors."),
#undef C
	};

	struct {
		const char *bridge, *port;
		struct port_stats s;
	} *ports = NULL;
	size_t n = 0, alloc = 0;
	const char *bname, *pname;
	json_t *br, *rec;

	/* Each port's counters read once, then printed metric by metric (the
	 * format groups a metric's samples under its HELP and TYPE). */
	json_object_foreach (json_object_get(vd->db.doc, "bridges"), bname, br) {
		json_object_foreach (json_object_get(br, "ports"), pname, rec) {
			struct port *p;
			uint32_t no;

			if (!dp || bridges_port_no(vd->bridges, pname, &no) ||
			    !(p = dp_port_get(dp, no))) {
				continue;
			}
			if (n == alloc) {
				void *grown = realloc(ports, (alloc = alloc ? alloc * 2 : 16) *
								     sizeof *ports);

				if (!grown) {
					break;
				}
				ports = grown;
			}
			ports[n].bridge = bname;
			ports[n].port = pname;
			memset(&ports[n].s, 0, sizeof ports[n].s);
			port_get_stats(p, &ports[n].s);
			n++;
		}
	}
	for (size_t c = 0; c < ARRAY_SIZE(counters); c++) {
		put_help(out, counters[c].name, "counter", counters[c].help);
		for (size_t i = 0; i < n; i++) {
			ds_put_format(out, "%s{bridge=\"", counters[c].name);
			put_label(out, ports[i].bridge);
			ds_put_cstr(out, "\",port=\"");
			put_label(out, ports[i].port);
			ds_put_format(
				out, "\"} %llu\n",
				(unsigned long long)*(
					const uint64_t *)(const void *)((const char *)&ports[i].s +
									counters[c].ofs));
		}
	}
	free(ports);
}

static void
render_datapath(struct dp *dp, struct ds *out)
{
	unsigned int n = dp ? dp_n_pmds(dp) : 0;
	struct dp_stats all;

	put_help(out, "vswitch_pmd_cycles_total", "counter",
		 "TSC cycles of a PMD thread's poll iterations, busy (packets came) or idle.");
	for (unsigned int i = 0; i < n; i++) {
		struct dp_stats s;

		dp_pmd_get_stats(dp, i, &s);
		ds_put_format(out, "vswitch_pmd_cycles_total{pmd=\"%u\",state=\"busy\"} %llu\n", i,
			      (unsigned long long)s.busy_cycles);
		ds_put_format(out, "vswitch_pmd_cycles_total{pmd=\"%u\",state=\"idle\"} %llu\n", i,
			      (unsigned long long)s.idle_cycles);
	}
	if (!dp) {
		return;
	}
	dp_get_stats(dp, &all);
	put_help(out, "vswitch_datapath_rx_packets_total", "counter",
		 "Packets the PMD threads received.");
	ds_put_format(out, "vswitch_datapath_rx_packets_total %llu\n",
		      (unsigned long long)all.rx_packets);
	put_help(out, "vswitch_datapath_lookups_total", "counter",
		 "Received packets by how the datapath found their megaflow.");
	ds_put_format(out, "vswitch_datapath_lookups_total{result=\"emc_hit\"} %llu\n",
		      (unsigned long long)all.emc_hits);
	ds_put_format(out, "vswitch_datapath_lookups_total{result=\"rule_only\"} %llu\n",
		      (unsigned long long)all.simple_hits);
	ds_put_format(out, "vswitch_datapath_lookups_total{result=\"megaflow_hit\"} %llu\n",
		      (unsigned long long)(all.megaflow_hits));
	ds_put_format(out, "vswitch_datapath_lookups_total{result=\"miss\"} %llu\n",
		      (unsigned long long)all.misses);
	put_help(out, "vswitch_datapath_upcalls_total", "counter",
		 "Misses sent to OpenFlow translation, and those that failed.");
	ds_put_format(out, "vswitch_datapath_upcalls_total{result=\"ok\"} %llu\n",
		      (unsigned long long)(all.upcalls - all.upcall_failures));
	ds_put_format(out, "vswitch_datapath_upcalls_total{result=\"failed\"} %llu\n",
		      (unsigned long long)all.upcall_failures);
	put_help(out, "vswitch_datapath_megaflows", "gauge", "Megaflows installed now.");
	ds_put_format(out, "vswitch_datapath_megaflows %u\n", all.n_flows);
	put_help(out, "vswitch_datapath_drops_total", "counter",
		 "Packets the datapath dropped, by reason.");
	for (int r = 0; r < DP_DROP__MAX; r++) {
		ds_put_format(out, "vswitch_datapath_drops_total{reason=\"%s\"} %llu\n",
			      dp_drop_reason_name((enum dp_drop_reason)r),
			      (unsigned long long)all.drops[r]);
	}
}

void
metrics_render(struct vswitchd *vd, struct ds *out)
{
	struct dp *dp = bridges_dp(vd->bridges);

	render_ports(vd, dp, out);
	render_datapath(dp, out);
}

/* ---- HTTP ---- */

static void
client_close(struct metrics_client *c)
{
	if (c->fd >= 0) {
		close(c->fd);
	}
	c->fd = -1;
	c->len = 0;
}

static void
stop(struct metrics_server *s)
{
	for (int i = 0; i < METRICS_CLIENTS; i++) {
		client_close(&s->clients[i]);
	}
	if (s->fd >= 0) {
		close(s->fd);
	}
	s->fd = -1;
	s->address[0] = '\0';
}

int
metrics_server_set(struct metrics_server **sp, const char *address, char *err, size_t size)
{
	struct metrics_server *s = *sp;
	struct sockaddr_in sin = {.sin_family = AF_INET};
	char host[64];
	unsigned int port;
	int n = 0, fd, one = 1;

	address = address && address[0] ? address : "";
	if (s && !strcmp(s->address, address)) {
		return 0;
	}
	if (address[0] && (sscanf(address, "%63[^:]:%u%n", host, &port, &n) != 2 || address[n] ||
			   !port || port > 65535 || inet_pton(AF_INET, host, &sin.sin_addr) != 1)) {
		snprintf(err, size, "metrics_address '%s': expected IP:PORT", address);
		return -EINVAL;
	}
	if (!s) {
		s = calloc(1, sizeof *s);
		if (!s) {
			snprintf(err, size, "metrics: out of memory");
			return -ENOMEM;
		}
		s->fd = -1;
		for (int i = 0; i < METRICS_CLIENTS; i++) {
			s->clients[i].fd = -1;
		}
		*sp = s;
	}
	stop(s);
	if (!address[0]) {
		return 0;
	}
	sin.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof sin) || listen(fd, 16)) {
		int ret = -errno;

		snprintf(err, size, "metrics_address %s: cannot listen: %s", address,
			 strerror(errno));
		if (fd >= 0) {
			close(fd);
		}
		return ret;
	}
	s->fd = fd;
	snprintf(s->address, sizeof s->address, "%s", address);
	if ((ntohl(sin.sin_addr.s_addr) >> 24) != 127) {
		VLOG_WARN("metrics", "metrics on %s: anyone who can reach it can read them",
			  address);
	}
	VLOG_INFO("metrics", "serving metrics on http://%s/metrics", address);
	return 0;
}

void
metrics_server_destroy(struct metrics_server *s)
{
	if (s) {
		stop(s);
		free(s);
	}
}

size_t
metrics_server_pollfds(const struct metrics_server *s, struct pollfd *fds, size_t max)
{
	size_t n = 0;

	if (!s || s->fd < 0) {
		return 0;
	}
	if (n < max) {
		fds[n++] = (struct pollfd){s->fd, POLLIN, 0};
	}
	for (int i = 0; i < METRICS_CLIENTS && n < max; i++) {
		if (s->clients[i].fd >= 0) {
			fds[n++] = (struct pollfd){s->clients[i].fd, POLLIN, 0};
		}
	}
	return n;
}

/* Answers a client whose request header is in: the metrics for a GET,
 * 405 for anything else. One write of a non-blocking socket: a scraper
 * that does not read is its own loss. */
static void
answer(struct metrics_client *c, struct vswitchd *vd)
{
	struct ds body = DS_INIT, msg = DS_INIT;

	if (!strncmp(c->req, "GET ", 4)) {
		metrics_render(vd, &body);
		ds_put_format(&msg,
			      "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4; "
			      "charset=utf-8\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
			      strlen(ds_cstr(&body)));
		ds_put_cstr(&msg, ds_cstr(&body));
	} else {
		ds_put_cstr(&msg,
			    "HTTP/1.0 405 Method Not Allowed\r\nAllow: GET\r\nContent-Length: "
			    "0\r\nConnection: close\r\n\r\n");
	}
	for (size_t done = 0, len = strlen(ds_cstr(&msg)); done < len;) {
		ssize_t w = send(c->fd, ds_cstr(&msg) + done, len - done, MSG_NOSIGNAL);

		if (w <= 0) {
			break;
		}
		done += (size_t)w;
	}
	ds_destroy(&body);
	ds_destroy(&msg);
	client_close(c);
}

void
metrics_server_run(struct metrics_server *s, struct vswitchd *vd, const struct pollfd *fds,
		   size_t n, uint64_t now_ms)
{
	if (!s || s->fd < 0) {
		return;
	}
	for (size_t f = 0; f < n; f++) {
		if (!fds[f].revents) {
			continue;
		}
		if (fds[f].fd == s->fd) {
			int fd;

			while ((fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >=
			       0) {
				struct metrics_client *c = NULL;

				for (int i = 0; i < METRICS_CLIENTS && !c; i++) {
					c = s->clients[i].fd < 0 ? &s->clients[i] : NULL;
				}
				if (!c) {
					/* All taken, by requests that do not end: the
					 * oldest makes room (a scraper sends its
					 * request at once). */
					c = &s->clients[0];
					for (int j = 1; j < METRICS_CLIENTS; j++) {
						if (s->clients[j].deadline_ms < c->deadline_ms) {
							c = &s->clients[j];
						}
					}
					client_close(c);
				}
				c->fd = fd;
				c->len = 0;
				c->deadline_ms = now_ms + REQUEST_MS;
			}
			continue;
		}
		for (int i = 0; i < METRICS_CLIENTS; i++) {
			struct metrics_client *c = &s->clients[i];
			ssize_t r;

			if (c->fd != fds[f].fd) {
				continue;
			}
			r = recv(c->fd, c->req + c->len, sizeof c->req - 1 - c->len, 0);
			if (r <= 0) {
				if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
					client_close(c);
				}
				continue;
			}
			c->len += (size_t)r;
			c->req[c->len] = '\0';
			if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n")) {
				answer(c, vd);
			} else if (c->len == sizeof c->req - 1) {
				client_close(c); /* a header past 4 KiB: not a scraper */
			}
		}
	}
	for (int i = 0; i < METRICS_CLIENTS; i++) {
		if (s->clients[i].fd >= 0 && now_ms >= s->clients[i].deadline_ms) {
			client_close(&s->clients[i]);
		}
	}
}
