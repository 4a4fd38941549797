/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The generic port layer: a registry of port types and thin wrappers over
 * their ops tables (port.h, port_impl.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "port_impl.h"

enum { PORT_TYPES_MAX = 16 };

static const struct port_ops *port_types[PORT_TYPES_MAX];
static size_t n_port_types;

int
port_register(const struct port_ops *ops)
{
	if (!ops || !ops->type || !ops->rx_burst || !ops->tx_burst) {
		return -EINVAL;
	}
	for (size_t i = 0; i < n_port_types; i++) {
		if (!strcmp(port_types[i]->type, ops->type)) {
			return port_types[i] == ops ? 0 : -EEXIST;
		}
	}
	if (n_port_types == PORT_TYPES_MAX) {
		return -ENOSPC;
	}
	port_types[n_port_types++] = ops;
	return 0;
}

static const struct port_ops *
find_type(const char *type)
{
	if (n_port_types == 0) {
		port_register(&port_pcap_ops);
		port_register(&port_mem_ops);
	}
	for (size_t i = 0; i < n_port_types; i++) {
		if (!strcmp(port_types[i]->type, type)) {
			return port_types[i];
		}
	}
	return NULL;
}

const char *
port_opt_get(const struct port_opt *opts, size_t n_opts, const char *key)
{
	for (size_t i = 0; i < n_opts; i++) {
		if (!strcmp(opts[i].key, key)) {
			return opts[i].value;
		}
	}
	return NULL;
}

int
port_opts_check(const struct port *port, const struct port_opt *opts, size_t n_opts,
		const char *const *known, char *err)
{
	for (size_t i = 0; i < n_opts; i++) {
		bool ok = false;

		for (const char *const *k = known; *k && !ok; k++) {
			ok = !strcmp(*k, opts[i].key);
		}
		if (!ok) {
			snprintf(err, PORT_ERR_MAX, "port %s: type %s has no option '%s'",
				 port->name, port->ops->type, opts[i].key);
			return -EINVAL;
		}
	}
	return 0;
}

int
port_open(const char *type, const char *name, const struct port_opt *opts, size_t n_opts,
	  struct rte_mempool *mp, struct port **portp, char *err)
{
	char dummy[PORT_ERR_MAX];
	const struct port_ops *ops;
	struct port *port;
	int ret;

	err = err ? err : dummy;
	err[0] = '\0';
	*portp = NULL;
	ops = find_type(type);
	if (!ops) {
		snprintf(err, PORT_ERR_MAX, "port %s: unknown type '%s'", name, type);
		return -EINVAL;
	}
	if (!name[0] || strlen(name) >= PORT_NAME_MAX) {
		snprintf(err, PORT_ERR_MAX, "port name '%s' must have 1 to %d characters", name,
			 PORT_NAME_MAX - 1);
		return -EINVAL;
	}
	port = rte_zmalloc("port", sizeof *port + ops->priv_size, 64);
	if (!port) {
		snprintf(err, PORT_ERR_MAX, "port %s: out of memory", name);
		return -ENOMEM;
	}
	port->ops = ops;
	snprintf(port->name, sizeof port->name, "%s", name);
	port->mp = mp;
	port->n_rxq = 1;
	port->n_txq = 1;
	rte_spinlock_init(&port->tx_lock);
	ret = ops->open(port, opts, n_opts, err);
	if (ret) {
		rte_free(port);
		return ret;
	}
	*portp = port;
	return 0;
}

int
port_start(struct port *port)
{
	int ret = port->ops->start ? port->ops->start(port) : 0;

	if (!ret) {
		port->started = true;
	}
	return ret;
}

int
port_stop(struct port *port)
{
	int ret = port->ops->stop ? port->ops->stop(port) : 0;

	port->started = false;
	return ret;
}

void
port_close(struct port *port)
{
	if (!port) {
		return;
	}
	if (port->started) {
		port_stop(port);
	}
	if (port->ops->close) {
		port->ops->close(port);
	}
	rte_free(port);
}

int
port_get_stats(struct port *port, struct port_stats *stats)
{
	memset(stats, 0, sizeof *stats);
	return port->ops->get_stats ? port->ops->get_stats(port, stats) : -EOPNOTSUPP;
}

const char *
port_name(const struct port *port)
{
	return port->name;
}

const char *
port_type(const struct port *port)
{
	return port->ops->type;
}

uint16_t
port_n_rxq(const struct port *port)
{
	return port->n_rxq;
}

uint16_t
port_n_txq(const struct port *port)
{
	return port->n_txq;
}

bool
port_rx_done(const struct port *port)
{
	return port->ops->rx_done ? port->ops->rx_done(port) : false;
}

uint16_t
port_rx_burst(struct port *port, uint16_t qid, struct rte_mbuf **pkts, uint16_t n)
{
	return port->ops->rx_burst(port, qid, pkts, n);
}

uint16_t
port_tx_burst(struct port *port, uint16_t qid, struct rte_mbuf **pkts, uint16_t n)
{
	return port->ops->tx_burst(port, qid, pkts, n);
}
