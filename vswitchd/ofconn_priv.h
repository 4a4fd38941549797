/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What ofconn.c (connections, targets, the message loop and asynchronous
 * messages) and ofconn_stats.c (multipart requests: descriptions and
 * statistics, the streamed flow dump) share. Nothing else includes it.
 */
#ifndef VS_OFCONN_PRIV_H
#define VS_OFCONN_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "bridge.h"
#include "ofconn.h"
#include "ofp_msg.h"
#include "ofp_msg10.h"
#include "ofproto.h"
#include "sockperm.h"

enum {
	OFC_BRIDGES = 64,
	OFC_TARGETS = 8,
	OFC_LISTENER_CONNS = 256, /* default listener_max_conns */
	OUT_MAX = 8 << 20,        /* a peer that reads nothing is dropped past this */
	BACKOFF_MAX_MS = 8000,
	ECHO_IDLE_MS = 5000,     /* an idle connection is probed this often */
	HELLO_TIMEOUT_MS = 5000, /* a connection must say hello within this */
	STALL_MS = 30000,        /* output that does not move for this closes */
	LISTEN_BACKLOG = 1024,
	PORT_SCAN_MS = 500, /* port changes are looked for this often */
	OFC_PORTS = 256,
};

/* A port as the connections last saw it, for port-status messages. */
struct seen_port {
	struct ofp_port_desc d;
	uint32_t dp_port;
	uint64_t since_ms;
};

/* Roles (OFPCR_ROLE_*). */
enum { ROLE_NOCHANGE = 0, ROLE_EQUAL = 1, ROLE_MASTER = 2, ROLE_SLAVE = 3 };

/* Asynchronous message kinds, for the masks of set-async. */
enum { ASYNC_PIN, ASYNC_PORT_STATUS, ASYNC_FLOW_REMOVED, ASYNC_N };

/* A packet-in waiting for the main loop. */
struct pin_rec {
	struct pin_rec *next;
	char bridge[PORT_NAME_MAX];
	struct ofproto_pin pin;
	uint32_t len, total_len;
	uint8_t data[];
};

struct target {
	char spec[128];
	bool passive;
	bool tls;                     /* ssl:, pssl: */
	struct sockaddr_storage addr; /* sockaddr_in or, for unix:, sockaddr_un */
	socklen_t addr_len;
	int fd;          /* listening, or connecting; -1 */
	bool connecting; /* fd is a connect in progress */
	uint64_t next_try_ms, backoff_ms;
	/* A listener's connections, and those it closed since the last
	 * summary in the log (ofconn_admit.c). */
	uint32_t n_conns;
	uint64_t closed_evicted, closed_hello, closed_idle, closed_tls;
	char last_tls_err[160]; /* the reason of the last TLS failure */
	uint64_t next_log_ms, next_fd_warn_ms;
	uint64_t rest_until_ms; /* not polled before (out of descriptors) */
};

struct obr {
	char name[PORT_NAME_MAX];
	struct ofproto *ofp; /* NULL: slot free */
	uint64_t dpid;
	struct target targets[OFC_TARGETS];
	size_t n_targets;
	bool gen_set; /* a master/slave role request gave a generation id */
	uint64_t gen_id;
	struct seen_port *ports; /* OFC_PORTS, once scanned */
	uint32_t n_ports;
};

struct conn {
	int fd;
	size_t idx; /* in ofconns.conns */
	struct obr *br;
	struct target *active;   /* the target it was connected for, or NULL */
	struct target *listener; /* the listener that accepted it, or NULL */
	uint64_t opened_ms;
	uint64_t last_progress_ms; /* when it last read or wrote anything */
	struct ssl_st *ssl;        /* TLS (an OpenSSL SSL), or NULL */
	bool tls_write_wants_read; /* the last write waits for the peer */
	bool tls_read_wants_write; /* the last read waits to send */
	uint8_t *in;
	size_t in_len, in_alloc;
	struct obuf out;
	size_t out_ofs;
	/* OpenFlow 1.0, 1.3 or 1.4, from the hellos. On a 1.0 or 1.4
	 * connection 'out' holds that version up to 'out_conv', and after it
	 * the 1.3 messages the switch wrote, until ofconn_downgrade() converts
	 * them. */
	uint8_t version;
	size_t out_conv;
	bool hello_done;
	bool closing; /* close once the output is out */
	uint16_t miss_send_len;
	uint64_t last_rx_ms;
	bool echo_sent;
	uint8_t role;
	uint32_t async[ASYNC_N][2]; /* [kind][0: master/equal, 1: slave] */
	/* A flow dump sent as the socket drains; the requests after it wait
	 * in 'in' until it is done. */
	struct ofproto_flow_cursor *dump;
	uint32_t dump_xid;
	bool dump_monitor; /* the dump is a flow monitor's initial listing */
	uint16_t dump_monitor_flags;
	struct ofconn_bundles *bundles;   /* open bundles (ofconn_bundle.c), or NULL */
	struct ofconn_monitors *monitors; /* flow monitors (ofconn_monitor.c), or NULL */
};

struct ofconns {
	struct ofconn_hooks hooks;
	struct obr brs[OFC_BRIDGES];
	struct conn **conns;
	size_t n_conns, conns_alloc;
	struct conn **by_fd; /* by descriptor, for the poll results */
	size_t by_fd_alloc;
	uint32_t listener_max_conns;
	struct ssl_ctx_st *tls;   /* key, certificate and CA (an SSL_CTX), or NULL */
	struct sockperm sockperm; /* of the unix listeners */
	uint64_t now_ms;
	/* Inside ofconns_set_bridge/del_bridge: the caller reconfigures the
	 * bridge (and holds the ofproto lock), so the hook is not called. */
	bool configuring;
	uint64_t next_port_scan_ms;
	/* The connection whose message is being served, and its xid (flow
	 * monitors abbreviate a connection's own changes). */
	struct conn *acting;
	uint32_t acting_xid;

	/* Packet-ins from PMD threads. */
	pthread_mutex_t pin_mutex;
	struct pin_rec *pin_head, **pin_tail;
	unsigned int n_pin;
	uint64_t pin_sent, pin_dropped;
	int pin_fd; /* eventfd: the main loop wakes up for packet-ins */
};

/* ofconn.c */
/* Tells the daemon the number of controllers of 'br' connected changed. */
void controllers_changed(struct ofconns *c, const struct obr *br);
/* Queues an error message for the request 'msg' of 'len' bytes. */
void send_error(struct conn *k, enum ofp_err err, const uint8_t *msg, size_t len);
/* The OpenFlow error for a flow mod ofproto refused with -errno 'ret' and
 * 'reason'. */
enum ofp_err errno_to_ofp(int ret, const char *reason);
/* The OpenFlow description of a port of a bridge. */
void fill_desc(struct ofconns *c, const struct ofproto_port_info *pi, struct ofp_port_desc *d);
/* On an OpenFlow 1.0 or 1.4 connection, converts what the switch wrote to
 * 'k' since the last call into its version (ofconn_of10.c). 'req' (may be NULL) is the
 * 1.0 request being answered, for the data of an error. Nothing on 1.3. */
void ofconn_downgrade(struct ofconns *c, struct conn *k, const uint8_t *req, size_t req_len);
/* A controller connection that speaks OpenFlow 1.0 came or went: while
 * one is up, the bridge's table misses go to the controllers, as 1.0 says
 * (connections to the switch's listeners, ovs-ofctl's, do not count, as in
 * Open vSwitch). */
void ofconn_of10_changed(struct ofconns *c, const struct obr *br);
/* When the connections first saw port 'ofp_port' of 'br' (0: not yet). */
uint64_t port_since(const struct obr *br, uint32_t ofp_port);

/* ofconn_bundle.c */
/* Serves 'msg' when it is a bundle message (1.4 and 1.5's, or ONF's 1.3
 * extension): true; false for any other message. */
bool ofconn_bundle_handle(struct ofconns *c, struct conn *k, const uint8_t *msg, size_t len);
/* Frees the bundles of 'k' (when it closes). */
void ofconn_bundles_free(struct conn *k);

/* ofconn_monitor.c */
/* Serves 'msg' when it is a 1.4 or 1.5 flow monitor request: true. */
bool ofconn_monitor_handle(struct ofconns *c, struct conn *k, const uint8_t *msg, size_t len);
/* Sends the change 'ev' of flow entry 'f' of 'br' to the monitors that
 * select it. */
void ofconn_monitor_report(struct ofconns *c, const struct obr *br, enum ofproto_flow_event ev,
			   const struct ofproto_flow_info *f);
void ofconn_monitors_free(struct conn *k);
/* dump_run() of a flow monitor's initial listing. */
void ofconn_monitor_dump_run(struct ofconns *c, struct conn *k);

/* ofconn_tlv.c */
/* Serves 'msg' when it is a Geneve option map message (Nicira's TLV table
 * mod or request, any version): true. */
bool ofconn_tlv_handle(struct ofconns *c, struct conn *k, const uint8_t *msg, size_t len);

/* ofconn_admit.c */
/* Opens a connection on socket 'fd' of bridge 'br': to its controller
 * target 'active', or accepted by its listener 'listener' (one of the two
 * is NULL). Closes 'fd' and returns NULL when out of memory. */
struct conn *conn_new(struct ofconns *c, int fd, struct obr *br, struct target *active,
		      struct target *listener);
/* Closes connection 'k'. */
void conn_close(struct ofconns *c, struct conn *k);
/* ofconn.c: reads what 'k' has received and serves every complete
 * message; false when it must be closed. */
bool conn_read(struct ofconns *c, struct conn *k);
/* Closes every connection for which 'pred' is true. */
void close_where(struct ofconns *c, bool (*pred)(const struct conn *k, const void *arg),
		 const void *arg);
/* The connection on descriptor 'fd', or NULL. */
struct conn *conn_by_fd(const struct ofconns *c, int fd);
/* Accepts what waits on listener 't' of 'br', within its limit. */
void accept_conns(struct ofconns *c, struct obr *br, struct target *t);
/* Closes the connections that missed the hello or echo, or stalled, and
 * probes the idle ones; sums up on the log what listeners closed. */
void conns_timers(struct ofconns *c);

/* Counts a TLS failure on listener 't' for the next summary, with 'why'. */
void note_tls_failure(struct ofconns *c, struct target *t, const char *why);

/* ofconn_tls.c */
/* Puts connection 'k' under TLS, as the server or the client. False: no
 * TLS set up, or out of memory. */
bool tls_start(struct ofconns *c, struct conn *k, bool server);
/* Frees the TLS state of 'k' (none: a no-op). */
void tls_free(struct conn *k);
/* read() and write() through TLS: bytes, 0 at the peer's close, or -1 with
 * errno EAGAIN (wait; see the tls_* flags of 'k') or EPROTO (logged). */
ssize_t tls_read(struct ofconns *c, struct conn *k, void *buf, size_t len);
ssize_t tls_write(struct ofconns *c, struct conn *k, const void *buf, size_t len);
/* True when TLS holds received data not read yet. */
bool tls_pending(const struct conn *k);
void ofconns_tls_destroy(struct ofconns *c);

/* ofconn_stats.c */
/* Serves a multipart request (its header 'h'). */
void handle_multipart(struct ofconns *c, struct conn *k, const struct ofp_hdr *h,
		      const uint8_t *msg);
/* Sends more of the flow dump of 'k' (k->dump) while its output is short;
 * ends the dump when nothing is left. */
void dump_run(struct ofconns *c, struct conn *k);

#endif /* VS_OFCONN_PRIV_H */
