/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The "vxlan" and "geneve" port types: a bridge's end of a tunnel. They
 * have no queues. What a bridge sends to one, the datapath encapsulates
 * (DP_ACTION_TNL_PUSH) and processes as input on the underlay bridge's
 * port that owns the source address; what arrives for it on the underlay,
 * the datapath decapsulates (DP_ACTION_TNL_POP) and processes as input on
 * this port. The port counts both; the options are checked here and read
 * by the slow path, which builds the headers (tunnel.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "port_impl.h"
#include "tunnel.h"

struct tunnel_priv {
	struct dp_tnl_cfg cfg;
	struct port_stats stats;      /* updated atomically by any PMD thread */
	struct dp_tnl_optmap *optmap; /* Geneve: RCU, NULL for none */
};

static struct tunnel_priv *
priv_of(const struct port *port)
{
	return (struct tunnel_priv *)(void *)port->priv;
}

struct opt_list {
	const struct port_opt *opts;
	size_t n;
};

static const char *
opt_get(const void *aux, const char *key)
{
	const struct opt_list *l = aux;

	return port_opt_get(l->opts, l->n, key);
}

static int
tunnel_check(const struct port *port, const struct port_opt *opts, size_t n_opts, char *err)
{
	struct opt_list l = {opts, n_opts};
	struct dp_tnl_cfg cfg;
	char why[DP_TNL_ERR_MAX];

	if (dp_tnl_cfg_parse(dp_tnl_type_of(port->ops->type), opt_get, &l, &cfg, why)) {
		snprintf(err, PORT_ERR_MAX, "port %s: %s", port->name, why);
		return -EINVAL;
	}
	return 0;
}

static int
tunnel_open(struct port *port, const struct port_opt *opts, size_t n_opts, char *err)
{
	struct opt_list l = {opts, n_opts};
	char why[DP_TNL_ERR_MAX];

	if (dp_tnl_cfg_parse(dp_tnl_type_of(port->ops->type), opt_get, &l, &priv_of(port)->cfg,
			     why)) {
		snprintf(err, PORT_ERR_MAX, "port %s: %s", port->name, why);
		return -EINVAL;
	}
	port->n_rxq = 0;
	return 0;
}

static int
tunnel_stats(const struct port *port, struct port_stats *stats)
{
	port_stats_load(&priv_of(port)->stats, stats);
	return 0;
}

static int
tunnel_status(struct port *port, struct port_status *st)
{
	const struct dp_tnl_cfg *c = &priv_of(port)->cfg;
	char a[INET6_ADDRSTRLEN];

	if (c->remote_flow) {
		port_status_add(st, "remote_ip", "flow");
	} else {
		port_status_add(st, "remote_ip", "%s", dp_tnl_addr_str(&c->remote_ip, a));
	}
	if (dp_tnl_addr_set(&c->local_ip)) {
		port_status_add(st, "local_ip", "%s", dp_tnl_addr_str(&c->local_ip, a));
	}
	if (c->key_flow) {
		port_status_add(st, "key", "flow");
	} else {
		port_status_add(st, "key", "%u", c->key);
	}
	port_status_add(st, "dst_port", "%u", c->dst_port);
	st->link = 1;
	return 0;
}

void
port_tunnel_account(struct port *port, bool rx, uint32_t n, uint64_t bytes)
{
	struct port_stats *s = &priv_of(port)->stats;

	if (port->ops->tx_burst != port_tunnel_ops_vxlan.tx_burst) {
		return; /* the number was reused for a port of another type */
	}
	__atomic_fetch_add(rx ? &s->rx_packets : &s->tx_packets, n, __ATOMIC_RELAXED);
	__atomic_fetch_add(rx ? &s->rx_bytes : &s->tx_bytes, bytes, __ATOMIC_RELAXED);
}

const struct dp_tnl_cfg *
port_tunnel_cfg(const struct port *port)
{
	return port->ops->tx_burst == port_tunnel_ops_vxlan.tx_burst ? &priv_of(port)->cfg : NULL;
}

const struct dp_tnl_optmap *
port_tunnel_optmap(const struct port *port)
{
	return port->ops->tx_burst == port_tunnel_ops_vxlan.tx_burst
		       ? __atomic_load_n(&priv_of(port)->optmap, __ATOMIC_ACQUIRE)
		       : NULL;
}

struct dp_tnl_optmap *
port_tunnel_optmap_swap(struct port *port, struct dp_tnl_optmap *map)
{
	if (port->ops != &port_tunnel_ops_geneve) {
		return map; /* VXLAN has no options: nothing to map */
	}
	return __atomic_exchange_n(&priv_of(port)->optmap, map, __ATOMIC_ACQ_REL);
}

static void
tunnel_close(struct port *port)
{
	free(priv_of(port)->optmap);
	priv_of(port)->optmap = NULL;
}

static uint16_t
tunnel_burst(struct port *port, uint16_t qid, struct rte_mbuf **pkts, uint16_t n)
{
	/* The datapath encapsulates rather than calling this; an output
	 * that reaches it anyway is dropped and counted. */
	(void)qid;
	__atomic_fetch_add(&priv_of(port)->stats.tx_dropped, n, __ATOMIC_RELAXED);
	rte_pktmbuf_free_bulk(pkts, n);
	return 0;
}

static uint16_t
tunnel_rx(struct port *port, uint16_t qid, struct rte_mbuf **pkts, uint16_t n)
{
	(void)port, (void)qid, (void)pkts, (void)n;
	return 0;
}

/* The two types differ only in their name, which the functions read. */
#define TUNNEL_OPS(name)                                                                          \
	{                                                                                         \
		.type = name, .priv_size = sizeof(struct tunnel_priv), .options = dp_tnl_options, \
		.check = tunnel_check, .open = tunnel_open, .close = tunnel_close,                \
		.get_stats = tunnel_stats, .get_status = tunnel_status, .rx_burst = tunnel_rx,    \
		.tx_burst = tunnel_burst,                                                         \
	}

const struct port_ops port_tunnel_ops_vxlan = TUNNEL_OPS("vxlan");
const struct port_ops port_tunnel_ops_geneve = TUNNEL_OPS("geneve");
