/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Metrics for a monitoring system, in the Prometheus text format
 * (version 0.0.4, which OpenMetrics scrapers read too): per port,
 * received and sent packets, bytes, drops and errors; per PMD thread, busy
 * and idle cycles; the datapath's lookups by result, upcalls, megaflows
 * and drops by reason. Served by "switch-ctl metrics" (for node_exporter's
 * textfile collector) and over HTTP on the global metrics_address, a local
 * address ("127.0.0.1:9475"): GET of any path answers the metrics.
 */
#ifndef VS_METRICS_H
#define VS_METRICS_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "ds.h"

struct vswitchd;
struct metrics_server;

/* Appends the metrics of the switch to 'out'. */
void metrics_render(struct vswitchd *vd, struct ds *out);

/* Listens on 'address' ("IP:PORT"; NULL or "": not at all), replacing
 * what it listened on. Returns 0, or -errno with the reason in 'err'. */
int metrics_server_set(struct metrics_server **s, const char *address, char *err, size_t size);

void metrics_server_destroy(struct metrics_server *s);

/* Poll entries (at most METRICS_POLL_MAX), and what the poll found. */
enum { METRICS_POLL_MAX = 17 };
size_t metrics_server_pollfds(const struct metrics_server *s, struct pollfd *fds, size_t max);
void metrics_server_run(struct metrics_server *s, struct vswitchd *vd, const struct pollfd *fds,
			size_t n, uint64_t now_ms);

#endif /* VS_METRICS_H */
