/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a port type implements: one static const struct port_ops, registered
 * with port_register(). Only port type files include this header.
 */
#ifndef VS_PORT_IMPL_H
#define VS_PORT_IMPL_H

#include <rte_spinlock.h>

#include "port.h"

typedef uint16_t (*port_burst_fn)(struct port *port, uint16_t qid, struct rte_mbuf **pkts,
				  uint16_t n);

struct port_ops {
	const char *type;
	size_t priv_size; /* bytes of port->priv for the type's state */

	/* Validates and applies options, acquires resources. On error fills
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
	rte_spinlock_t tx_lock; /* for the datapath when threads > n_txq */
	uint8_t priv[] __attribute__((aligned(64)));
};

/* Helpers for option parsing in port types. */
const char *port_opt_get(const struct port_opt *opts, size_t n_opts, const char *key);

/* Fails with a message naming the first option not in 'known' (NULL ends
 * it). Returns 0 or -EINVAL. */
int port_opts_check(const struct port *port, const struct port_opt *opts, size_t n_opts,
		    const char *const *known, char *err);

extern const struct port_ops port_pcap_ops;
extern const struct port_ops port_mem_ops;

#endif /* VS_PORT_IMPL_H */
