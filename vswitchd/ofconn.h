/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenFlow connections of the bridges: listeners for "ptcp:PORT[:IP]" and
 * "punix:PATH" targets (ovs-ofctl, controllers that connect in) and active
 * connections to "tcp:IP:PORT" and "unix:PATH" controllers, reconnected
 * with exponential back-off. Runs
 * in vswitchd's main thread, from its poll loop: the caller collects the
 * descriptors with ofconns_pollfds(), polls, and hands the results to
 * ofconns_run(). Messages are decoded by ofproto/ofp_msg.c and applied to
 * the bridge's ofproto under ofproto_lock().
 */
#ifndef VS_OFCONN_H
#define VS_OFCONN_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ofproto;
struct ofproto_pin;
struct port;
struct ofconns;
struct rte_mbuf;
struct dp_action;

/* What the connections need from the rest of the daemon. */
struct ofconn_hooks {
	void *aux;
	/* Makes every flow change so far obeyed by the datapath (a barrier);
	 * with 'counters', also brings the megaflows' counters to the flow
	 * entries, groups and tables (statistics requests). */
	void (*sync)(void *aux, bool counters);
	/* The running port behind datapath port 'dp_port', or NULL. */
	struct port *(*port)(void *aux, uint32_t dp_port);
	/* A connection to one of bridge 'name''s controllers (tcp:, unix:) came or
	 * went by itself; 'n_connected' are up now (fail mode depends on it).
	 * Not called from ofconns_set_bridge()/ofconns_del_bridge(), whose
	 * caller sets the fail mode itself (and may hold the ofproto lock). */
	void (*controllers)(void *aux, const char *name, unsigned int n_connected);
	/* Runs datapath 'acts' on a copy of 'data' received on 'dp_in_port'
	 * (a packet-out). Returns 0 or -errno. */
	int (*execute)(void *aux, uint32_t dp_in_port, const uint8_t *data, size_t len,
		       const struct dp_action *acts, uint32_t n_acts);
};

struct ofconns *ofconns_create(const struct ofconn_hooks *hooks);
void ofconns_destroy(struct ofconns *c);

/* Makes bridge 'name' (its flow tables 'ofp') listen and connect as its
 * 'targets' say, with datapath id 'dpid'. Listeners whose target is
 * unchanged keep running, as do their connections. Returns 0, or -errno
 * with a reason in 'err' (a port in use, a bad address). */
int ofconns_set_bridge(struct ofconns *c, const char *name, struct ofproto *ofp, uint64_t dpid,
		       const char *const *targets, size_t n_targets, char *err, size_t err_size);

/* Closes everything of bridge 'name'. */
void ofconns_del_bridge(struct ofconns *c, const char *name);

/* Fills up to 'max' poll entries; returns how many. */
size_t ofconns_pollfds(struct ofconns *c, struct pollfd *fds, size_t max);

/* How many poll entries ofconns_pollfds() may fill at most now. */
size_t ofconns_pollfd_count(const struct ofconns *c);

/* The most connections each listener holds (0: the default, 256). Past it
 * a new connection pushes out the one that waited longest for a hello, or
 * else the one idle longest. Controllers the switch connects to do not
 * count. */
void ofconns_set_listener_limit(struct ofconns *c, uint32_t max_conns);

struct sockperm;

/* TLS for ssl: and pssl: targets: the private key, certificate (chain) and
 * CA certificate files, PEM. All NULL: no TLS (ssl: targets are refused).
 * Returns 0, or -errno with the reason in 'err' (a file missing or
 * unreadable, a key that does not match the certificate). Connections
 * open keep what they were set up with. */
int ofconns_set_tls(struct ofconns *c, const char *key, const char *cert, const char *ca, char *err,
		    size_t err_size);

/* The owner, group and mode of the unix listeners (punix:, BRIDGE.mgmt):
 * applied to those listening now and to the ones to come. */
void ofconns_set_socket_perm(struct ofconns *c, const struct sockperm *sp);

/* Serves what the poll found ('fds' as filled, with revents), and runs the
 * timers (reconnection, echo). */
void ofconns_run(struct ofconns *c, const struct pollfd *fds, size_t n, uint64_t now_ms);

/* Queues a packet-in of bridge 'name' for its connections: 'pin' and
 * 'pkt' (copied, up to pin->max_len bytes). Any thread (a PMD thread's
 * slow path); the main loop sends it. Past a backlog of OFC_PIN_MAX
 * packets they are dropped and counted. */
enum { OFC_PIN_MAX = 512 };
void ofconns_packet_in(struct ofconns *c, const char *name, const struct ofproto_pin *pin,
		       const struct rte_mbuf *pkt);

/* Packet-ins sent and dropped (backlog full) so far. */
void ofconns_pin_stats(struct ofconns *c, uint64_t *sent, uint64_t *dropped);

/* Connections currently open to bridge 'name': all of them, or only those
 * to its controllers (its tcp: and unix: targets). */
unsigned int ofconns_n_connected(const struct ofconns *c, const char *name);
unsigned int ofconns_n_controllers_up(const struct ofconns *c, const char *name);

/* The targets among 'targets' that are controllers the switch connects
 * to (for fail mode); ptcp: and punix: listeners are not. */
unsigned int ofconns_count_controllers(const char *const *targets, size_t n_targets);

#endif /* VS_OFCONN_H */
