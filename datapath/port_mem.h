/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The "mem" port type: two rings in memory. A test puts packets on the
 * receive ring with port_mem_inject() and takes what the datapath sent from
 * the transmit ring with port_mem_collect(). Option: size=N (ring size,
 * default 1024).
 */
#ifndef VS_PORT_MEM_H
#define VS_PORT_MEM_H

#include "port.h"

/* Queues up to 'n' packets for the datapath to receive; returns how many
 * were queued (the caller keeps the rest). Any thread. */
uint16_t port_mem_inject(struct port *port, struct rte_mbuf **pkts, uint16_t n);

/* Takes up to 'n' packets the datapath transmitted; returns how many. */
uint16_t port_mem_collect(struct port *port, struct rte_mbuf **pkts, uint16_t n);

#endif /* VS_PORT_MEM_H */
