/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The "mem" port type (port_mem.h): multi-producer/multi-consumer rte_rings
 * for receive and transmit, so tests can drive the datapath from any thread.
 */
#include "port_mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_errno.h>
#include <rte_ring.h>

#include "port_impl.h"

static const char *const mem_options[] = {"size", NULL};

struct mem_priv {
	struct rte_ring *rx;
	struct rte_ring *tx;
	struct port_stats stats;
};

static struct mem_priv *
priv_of(const struct port *port)
{
	return (struct mem_priv *)(void *)port->priv;
}

static int
mem_open(struct port *port, const struct port_opt *opts, size_t n_opts, char *err)
{
	static unsigned int serial;
	struct mem_priv *p = priv_of(port);
	const char *size_s = port_opt_get(opts, n_opts, "size");
	unsigned long size = 1024;
	char name[RTE_RING_NAMESIZE];

	if (size_s) {
		char *end;

		errno = 0;
		size = strtoul(size_s, &end, 10);
		if (errno || *end || size < 2 || size > (1u << 20)) {
			snprintf(err, PORT_ERR_MAX, "port %s: size '%s' is not 2 to 1048576",
				 port->name, size_s);
			return -EINVAL;
		}
	}
	unsigned int id = __atomic_fetch_add(&serial, 1, __ATOMIC_RELAXED);
	snprintf(name, sizeof name, "pm%u_rx", id);
	p->rx = rte_ring_create(name, (unsigned int)size, SOCKET_ID_ANY, RING_F_EXACT_SZ);
	snprintf(name, sizeof name, "pm%u_tx", id);
	p->tx = rte_ring_create(name, (unsigned int)size, SOCKET_ID_ANY, RING_F_EXACT_SZ);
	if (!p->rx || !p->tx) {
		rte_ring_free(p->rx);
		rte_ring_free(p->tx);
		snprintf(err, PORT_ERR_MAX, "port %s: cannot create rings: %s", port->name,
			 rte_strerror(rte_errno));
		return -ENOMEM;
	}
	return 0;
}

static void
drain_free(struct rte_ring *r)
{
	void *objs[64];
	unsigned int n;

	while ((n = rte_ring_dequeue_burst(r, objs, 64, NULL)) > 0) {
		rte_pktmbuf_free_bulk((struct rte_mbuf **)objs, n);
	}
}

static void
mem_close(struct port *port)
{
	struct mem_priv *p = priv_of(port);

	drain_free(p->rx);
	drain_free(p->tx);
	rte_ring_free(p->rx);
	rte_ring_free(p->tx);
}

static int
mem_stats(const struct port *port, struct port_stats *stats)
{
	*stats = priv_of(port)->stats;
	return 0;
}

static uint16_t
mem_rx(struct port *port, uint16_t qid, struct rte_mbuf **pkts, uint16_t n)
{
	struct mem_priv *p = priv_of(port);
	uint16_t got = (uint16_t)rte_ring_dequeue_burst(p->rx, (void **)pkts, n, NULL);

	(void)qid;
	p->stats.rx_packets += got;
	for (uint16_t i = 0; i < got; i++) {
		p->stats.rx_bytes += rte_pktmbuf_pkt_len(pkts[i]);
	}
	return got;
}

static uint16_t
mem_tx(struct port *port, uint16_t qid, struct rte_mbuf **pkts, uint16_t n)
{
	struct mem_priv *p = priv_of(port);
	uint16_t sent = (uint16_t)rte_ring_enqueue_burst(p->tx, (void **)pkts, n, NULL);

	(void)qid;
	for (uint16_t i = 0; i < sent; i++) {
		p->stats.tx_bytes += rte_pktmbuf_pkt_len(pkts[i]);
	}
	p->stats.tx_packets += sent;
	if (sent < n) {
		p->stats.tx_dropped += n - sent;
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	}
	return sent;
}

uint16_t
port_mem_inject(struct port *port, struct rte_mbuf **pkts, uint16_t n)
{
	return (uint16_t)rte_ring_enqueue_burst(priv_of(port)->rx, (void **)pkts, n, NULL);
}

uint16_t
port_mem_collect(struct port *port, struct rte_mbuf **pkts, uint16_t n)
{
	return (uint16_t)rte_ring_dequeue_burst(priv_of(port)->tx, (void **)pkts, n, NULL);
}

const struct port_ops port_mem_ops = {
	.type = "mem",
	.priv_size = sizeof(struct mem_priv),
	.options = mem_options,
	.open = mem_open,
	.close = mem_close,
	.get_stats = mem_stats,
	.rx_burst = mem_rx,
	.tx_burst = mem_tx,
};
