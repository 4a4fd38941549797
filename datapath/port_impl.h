/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a port type implements: one static const struct port_ops, registered
 * with port_register(). Only port type files include this header.
 */
#ifndef VS_PORT_IMPL_H
#define VS_PORT_IMPL_H

#include <sys/uio.h>

#include <rte_spinlock.h>

#include "port.h"

typedef uint16_t (*port_burst_fn)(struct port *port, uint16_t qid, struct rte_mbuf **pkts,
				  uint16_t n);

/* Which common options (port.h) a type supports. */
enum {
	PORT_CAP_MTU = 1 << 0,
	PORT_CAP_MAC = 1 << 1,
	PORT_CAP_RXQS = 1 << 2,
};

struct port_ops {
	const char *type;
	size_t priv_size;  /* bytes of port->priv for the type's state */
	unsigned int caps; /* PORT_CAP_* */
	bool patch;        /* the datapath delivers its output to the peer */
	/* The type's own option keys (NULL-terminated); others are refused
	 * before check and open are called. */
	const char *const *options;

	/* Checks option values without acquiring anything (port_check()),
	 * filling 'err'; NULL: nothing to check. Control thread. */
	int (*check)(const struct port *port, const struct port_opt *opts, size_t n_opts,
		     char *err);

	/* Applies options, acquires resources. On error fills
	 * 'err' (PORT_ERR_MAX bytes) and returns -errno; close is not called
	 * then, so open undoes its own work. Control thread. */
	int (*open)(struct port *port, const struct port_opt *opts, size_t n_opts, char *err);
	int (*start)(struct port *port);
	int (*stop)(struct port *port);
	/* Releases everything open acquired. Control thread. */
	void (*close)(struct port *port);
	/* Adds the type's counters to 'stats'. Any thread. */
	int (*get_stats)(const struct port *port, struct port_stats *stats);
	/* True when a finite input is exhausted. */
	bool (*rx_done)(const struct port *port);
	/* Fills the type's part of 'st' (link, mtu, mac, info). Control
	 * thread. */
	int (*get_status)(struct port *port, struct port_status *st);

	/* Packet path: see port_rx_burst() / port_tx_burst(). */
	port_burst_fn rx_burst;
	port_burst_fn tx_burst;
};

struct port {
	const struct port_ops *ops;
	char name[PORT_NAME_MAX];
	struct rte_mempool *mp;
	uint16_t n_rxq;
	uint16_t n_txq;
	bool started;
	/* Common options as requested (0 / false: the type's default). */
	uint32_t mtu_request;
	uint16_t n_rxq_request;
	int16_t rxq_cpu[PORT_MAX_QUEUES]; /* pmd-rxq-affinity: CPU per queue, -1: any */
	bool has_mac;
	uint8_t mac[6];
	/* The last MAC the port's status showed: a TAP moved into another
	 * network namespace hides its own (port_get_status() fills it in). */
	bool has_seen_mac;
	uint8_t seen_mac[6];
	rte_spinlock_t tx_lock; /* for the datapath when threads > n_txq */
	bool forget_device;     /* close deletes the kernel device it made */
	uint8_t priv[] __attribute__((aligned(64)));
};

/* Helpers for option parsing in port types. */
const char *port_opt_get(const struct port_opt *opts, size_t n_opts, const char *key);

/* Fails with a message naming the first option not in 'known' (NULL ends
 * it). Returns 0 or -EINVAL. */
int port_opts_check(const struct port *port, const struct port_opt *opts, size_t n_opts,
		    const char *const *known, char *err);

/* Packet buffers for types that copy frames through the kernel. */

/* A packet of 'size' bytes from 'data', chained over several mbufs when it
 * does not fit one; NULL when the pool is empty. */
struct rte_mbuf *port_mbuf_from_buf(struct rte_mempool *mp, const void *data, uint32_t size);

/* Fills 'iov' with the segments of 'm'; returns their number, or 0 when 'm'
 * has more than 'max'. */
int port_mbuf_iov(struct rte_mbuf *m, struct iovec *iov, int max);

/* Completes the TCP or UDP checksum of an IPv4/IPv6 frame whose kernel
 * sender left it partial (offloaded: the field holds the pseudo-header
 * sum); in a VXLAN or Geneve packet on its standard UDP port, the inner
 * frame's, which is the one a kernel tunnel leaves partial. Returns false
 * for other frames, which it leaves alone. */
bool port_csum_fix(uint8_t *frame, uint32_t size);

/* Segments a TCP frame of 'size' bytes that a kernel sender handed over as
 * one large (GSO) frame into frames whose IP packets have at most 'mtu'
 * bytes, with their checksums computed. Returns the number of mbufs written to
 * 'out' (at most 'max'), or -errno: -EINVAL for a frame that is not TCP
 * over IPv4/IPv6, -EMSGSIZE when 'max' is too few, -ENOMEM for an empty
 * pool. */
int port_tcp_segment(struct rte_mempool *mp, const uint8_t *frame, uint32_t size, uint32_t mtu,
		     struct rte_mbuf **out, int max);

/* The link state of kernel interface 'ifname' in this network namespace: 1
 * up and running, 0 down, -1 unknown. Fills '*mtu' and 'mac' when known. */
int port_kernel_status(const char *ifname, struct port_status *st);

/* Applies mtu_request and mac to kernel interface 'ifname'; fills 'err'. */
int port_kernel_configure(struct port *port, const char *ifname, char *err);

/* Reads counters that PMD threads update atomically ('s') into 'stats':
 * the packets and bytes each way and the transmit drops. */
void port_stats_load(const struct port_stats *s, struct port_stats *stats);

/* Counts 'n' packets crossing from patch port 'tx' to its peer 'rx' (NULL:
 * there is none, they were dropped). Any PMD thread. */
void port_patch_account(struct port *tx, struct port *rx, uint32_t n, uint64_t bytes);

/* Whether patch port 'port' is linked to its peer (its link is up); for
 * other types a no-op. The datapath sets it as peers come and go. */
void port_patch_set_linked(struct port *port, bool linked);

extern const struct port_ops port_pcap_ops;
extern const struct port_ops port_mem_ops;
extern const struct port_ops port_tap_ops;
extern const struct port_ops port_internal_ops;
extern const struct port_ops port_system_ops;
extern const struct port_ops port_patch_ops;
extern const struct port_ops port_vhost_ops;
extern const struct port_ops port_vhost_client_ops;
extern const struct port_ops port_dpdk_ops;
extern const struct port_ops port_tunnel_ops_vxlan;
extern const struct port_ops port_tunnel_ops_geneve;

#endif /* VS_PORT_IMPL_H */
