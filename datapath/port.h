/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ports: where packets enter and leave the datapath. Each port type provides
 * one ops table (port_impl.h); this header is the generic layer every caller
 * uses. Control operations return 0 or -errno; an op a type leaves NULL gives
 * -EOPNOTSUPP. rx/tx are burst calls on the packet path.
 *
 * Types: "tap" and "internal" (kernel TAP devices), "system" (an existing
 * kernel interface through an AF_PACKET ring), "patch" (to another bridge,
 * inside the datapath), "vhost-user" and "vhost-user-client" (VMs), "dpdk"
 * (DPDK's own drivers), "pcap" (rx_pcap=FILE, tx_pcap=FILE) and "mem"
 * (in-memory rings for tests and benchmarks; see port_mem.h). docs/ports.md
 * lists their options.
 *
 * Options every type may take, where it supports them (else an error):
 * "mtu_request" (68 to 9000), "mac" (xx:xx:xx:xx:xx:xx) and "n_rxq" (1 to
 * PORT_MAX_QUEUES receive queues).
 */
#ifndef VS_PORT_H
#define VS_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

struct port;
struct port_ops;
struct dp_tnl_cfg;
struct dp_tnl_optmap;

struct port_opt {
	const char *key;
	const char *value;
};

struct port_stats {
	uint64_t rx_packets, rx_bytes, rx_dropped, rx_errors;
	uint64_t tx_packets, tx_bytes, tx_dropped, tx_errors;
	uint64_t tx_retries; /* sends repeated on a full ring (vhost-user) */
};

enum { PORT_NAME_MAX = 32, PORT_ERR_MAX = 256, PORT_MAX_QUEUES = 16, PORT_STATUS_MAX = 8 };

/* What a port shows about itself besides counters. */
struct port_status {
	int link;     /* 1 up, 0 down, -1 unknown */
	uint32_t mtu; /* 0: unknown */
	bool has_mac;
	uint8_t mac[6];
	uint32_t n_info; /* type-specific facts, e.g. vhost "features" */
	struct {
		char key[24];
		char value[160];
	} info[PORT_STATUS_MAX];
};

/* Appends a fact to 'st' (dropped when full). */
void port_status_add(struct port_status *st, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Registers a port type; returns 0, -EEXIST or -EINVAL. Call before any
 * port_open(), from one thread. The built-in types register themselves on
 * the first port_open(). */
int port_register(const struct port_ops *ops);

/* Opens a port of 'type' named 'name' with the given options, allocating
 * packets from 'mp'. On failure returns -errno and, when 'err' is not NULL,
 * writes a reason for humans into it (PORT_ERR_MAX bytes): an unknown type or
 * option, a missing file. Control thread. */
int port_open(const char *type, const char *name, const struct port_opt *opts, size_t n_opts,
	      struct rte_mempool *mp, struct port **portp, char *err);

/* Checks what port_open() would check of 'type', 'name' and the options,
 * without acquiring anything: 0, or -errno with a reason in 'err'. Lets a
 * caller refuse a bad change before it closes the port it would replace.
 * Control thread. */
int port_check(const char *type, const char *name, const struct port_opt *opts, size_t n_opts,
	       char *err);

/* Starts / stops packet flow. Control thread. */
int port_start(struct port *port);
int port_stop(struct port *port);

/* Stops and frees 'port'; NULL is a no-op. No PMD may still poll it.
 * Kernel devices the port made (TAP, internal) outlive it, so that a
 * restarted switch finds them where they were (a namespace, addresses),
 * unless port_forget_device() was called first. */
void port_close(struct port *port);
/* The port is being removed for good: its close deletes the kernel device
 * it made. Control thread. */
void port_forget_device(struct port *port);

/* Fills 'stats' (counters of the port type plus drops counted here). */
int port_get_stats(struct port *port, struct port_stats *stats);

/* Fills 'st' with the link state, MTU, MAC and type-specific facts. Control
 * thread. */
int port_get_status(struct port *port, struct port_status *st);

/* For patch ports: true, and the name of the peer port. */
bool port_is_patch(const struct port *port);

/* Counts 'n' packets of 'bytes' decapsulated from ('rx') or encapsulated
 * into tunnel port 'port' (vxlan, geneve). Any PMD thread. */
void port_tunnel_account(struct port *port, bool rx, uint32_t n, uint64_t bytes);

/* The options of tunnel port 'port' (tunnel.h); NULL for other types. */
const struct dp_tnl_cfg *port_tunnel_cfg(const struct port *port);

/* The Geneve option map of tunnel port 'port'; NULL for none or another
 * type. Any PMD thread, within a quiescent period. */
const struct dp_tnl_optmap *port_tunnel_optmap(const struct port *port);
/* Gives Geneve port 'port' the map 'map' (malloc'd, NULL for none; the
 * port frees it on close) and returns the one it replaces, which PMD
 * threads may still read (dp_port_set_optmap() retires it). A port of
 * another type takes nothing: 'map' comes back. Control thread. */
struct dp_tnl_optmap *port_tunnel_optmap_swap(struct port *port, struct dp_tnl_optmap *map);
const char *port_patch_peer(const struct port *port);

const char *port_name(const struct port *port);
const char *port_type(const struct port *port);
uint16_t port_n_rxq(const struct port *port);

/* The CPU whose PMD thread must poll receive queue 'qid' (options:
 * pmd-rxq-affinity), or -1 when any may. */
int port_rxq_cpu(const struct port *port, uint16_t qid);

/* Parses a pmd-rxq-affinity value, "QUEUE:CPU[,QUEUE:CPU...]", of port
 * 'name' into 'cpus' (-1: not pinned). Returns 0, or -EINVAL with 'err'
 * (PORT_ERR_MAX bytes) filled. */
int port_parse_affinity(const char *name, const char *value, int16_t cpus[PORT_MAX_QUEUES],
			char *err);
uint16_t port_n_txq(const struct port *port);

/* True once an input that can end (a pcap file) has delivered everything. */
bool port_rx_done(const struct port *port);

/* Receives up to 'n' packets from queue 'qid' into 'pkts'; returns how many.
 * The caller owns them. One PMD thread per queue. */
uint16_t port_rx_burst(struct port *port, uint16_t qid, struct rte_mbuf **pkts, uint16_t n);

/* Sends 'n' packets on queue 'qid'. Takes ownership of all of them: what it
 * cannot send it frees and counts as tx_dropped. Returns how many were sent.
 * Concurrent calls need distinct queues (the datapath serialises callers when
 * a port has fewer tx queues than threads). */
uint16_t port_tx_burst(struct port *port, uint16_t qid, struct rte_mbuf **pkts, uint16_t n);

#endif /* VS_PORT_H */
