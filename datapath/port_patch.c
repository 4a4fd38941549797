/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The "patch" port type: one end of a link between two bridges inside the
 * datapath (options:peer names the other end). It has no queues: the
 * datapath hands what a bridge outputs to it straight to the peer's bridge
 * as input, and counts here what crosses.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "port_impl.h"

static const char *const patch_options[] = {"peer", NULL};

struct patch_priv {
	char peer[PORT_NAME_MAX];
	bool linked;             /* the peer is there (port_patch_set_linked()) */
	struct port_stats stats; /* updated atomically by any PMD thread */
};

static struct patch_priv *
priv_of(const struct port *port)
{
	return (struct patch_priv *)(void *)port->priv;
}

static int
patch_check(const struct port *port, const struct port_opt *opts, size_t n_opts, char *err)
{
	const char *peer = port_opt_get(opts, n_opts, "peer");

	if (!peer || !peer[0] || strlen(peer) >= PORT_NAME_MAX) {
		snprintf(err, PORT_ERR_MAX, "port %s: a patch port needs options:peer=PORT",
			 port->name);
		return -EINVAL;
	}
	if (!strcmp(peer, port->name)) {
		snprintf(err, PORT_ERR_MAX, "port %s: a patch port cannot be its own peer",
			 port->name);
		return -EINVAL;
	}
	return 0;
}

static int
patch_open(struct port *port, const struct port_opt *opts, size_t n_opts, char *err)
{
	(void)err;
	snprintf(priv_of(port)->peer, PORT_NAME_MAX, "%s", port_opt_get(opts, n_opts, "peer"));
	port->n_rxq = 0;
	return 0;
}

void
port_stats_load(const struct port_stats *s, struct port_stats *stats)
{
	stats->rx_packets = __atomic_load_n(&s->rx_packets, __ATOMIC_RELAXED);
	stats->rx_bytes = __atomic_load_n(&s->rx_bytes, __ATOMIC_RELAXED);
	stats->tx_packets = __atomic_load_n(&s->tx_packets, __ATOMIC_RELAXED);
	stats->tx_bytes = __atomic_load_n(&s->tx_bytes, __ATOMIC_RELAXED);
	stats->tx_dropped = __atomic_load_n(&s->tx_dropped, __ATOMIC_RELAXED);
}

static int
patch_stats(const struct port *port, struct port_stats *stats)
{
	port_stats_load(&priv_of(port)->stats, stats);
	return 0;
}

static int
patch_status(struct port *port, struct port_status *st)
{
	bool linked = __atomic_load_n(&priv_of(port)->linked, __ATOMIC_RELAXED);

	port_status_add(st, "peer", "%s", priv_of(port)->peer);
	if (!linked) {
		port_status_add(st, "state", "waiting for its peer");
	}
	st->link = linked;
	return 0;
}

void
port_patch_set_linked(struct port *port, bool linked)
{
	if (port->ops->patch) {
		__atomic_store_n(&priv_of(port)->linked, linked, __ATOMIC_RELAXED);
	}
}

void
port_patch_account(struct port *tx, struct port *rx, uint32_t n, uint64_t bytes)
{
	struct port_stats *t = &priv_of(tx)->stats;

	if (!rx) {
		__atomic_fetch_add(&t->tx_dropped, n, __ATOMIC_RELAXED);
		return;
	}
	__atomic_fetch_add(&t->tx_packets, n, __ATOMIC_RELAXED);
	__atomic_fetch_add(&t->tx_bytes, bytes, __ATOMIC_RELAXED);
	__atomic_fetch_add(&priv_of(rx)->stats.rx_packets, n, __ATOMIC_RELAXED);
	__atomic_fetch_add(&priv_of(rx)->stats.rx_bytes, bytes, __ATOMIC_RELAXED);
}

const char *
port_patch_peer(const struct port *port)
{
	return port->ops->patch ? priv_of(port)->peer : NULL;
}

static uint16_t
patch_burst(struct port *port, uint16_t qid, struct rte_mbuf **pkts, uint16_t n)
{
	/* The datapath never calls these; freeing keeps the contract. */
	(void)qid;
	port_patch_account(port, NULL, n, 0);
	rte_pktmbuf_free_bulk(pkts, n);
	return 0;
}

const struct port_ops port_patch_ops = {
	.type = "patch",
	.priv_size = sizeof(struct patch_priv),
	.options = patch_options,
	.patch = true,
	.check = patch_check,
	.open = patch_open,
	.get_stats = patch_stats,
	.get_status = patch_status,
	.rx_burst = patch_burst,
	.tx_burst = patch_burst,
};
