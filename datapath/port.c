/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The generic port layer: a registry of port types and thin wrappers over
 * their ops tables (port.h, port_impl.h).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
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
		static const struct port_ops *const builtin[] = {
			&port_pcap_ops,         &port_mem_ops,           &port_tap_ops,
			&port_internal_ops,     &port_system_ops,        &port_patch_ops,
			&port_vhost_ops,        &port_vhost_client_ops,  &port_dpdk_ops,
			&port_tunnel_ops_vxlan, &port_tunnel_ops_geneve,
		};

		for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++) {
			port_register(builtin[i]);
		}
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

static bool
parse_ulong(const char *s, unsigned long lo, unsigned long hi, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return *s && *s != '-' && !*end && !errno && *v >= lo && *v <= hi;
}

int
port_parse_affinity(const char *name, const char *v, int16_t cpus[PORT_MAX_QUEUES], char *err)
{
	const char *p = v;

	memset(cpus, 0xff, PORT_MAX_QUEUES * sizeof cpus[0]);
	do {
		unsigned long q, cpu;
		char *end;

		errno = 0;
		q = isdigit((unsigned char)*p) ? strtoul(p, &end, 10) : ULONG_MAX;
		if (q >= PORT_MAX_QUEUES || *end != ':' || errno) {
			goto bad;
		}
		p = end + 1;
		cpu = isdigit((unsigned char)*p) ? strtoul(p, &end, 10) : ULONG_MAX;
		if (cpu >= CPU_SETSIZE || (*end && (*end != ',' || !end[1])) || errno) {
			goto bad;
		}
		if (cpus[q] >= 0) {
			snprintf(err, PORT_ERR_MAX,
				 "port %s: pmd-rxq-affinity names queue %lu twice", name, q);
			return -EINVAL;
		}
		cpus[q] = (int16_t)cpu;
		p = *end ? end + 1 : end;
	} while (*p);
	return 0;
bad:
	snprintf(err, PORT_ERR_MAX,
		 "port %s: pmd-rxq-affinity '%s' is not QUEUE:CPU[,QUEUE:CPU...] with queues 0 "
		 "to %d",
		 name, v, PORT_MAX_QUEUES - 1);
	return -EINVAL;
}

/* Takes the options every type shares out of 'opts' (into 'rest') and
 * stores them in 'port'. Returns 0 or -EINVAL with 'err' filled. */
static int
common_opts(struct port *port, const struct port_opt *opts, size_t n_opts, struct port_opt *rest,
	    size_t *n_rest, char *err)
{
	const unsigned int caps = port->ops->caps;

	*n_rest = 0;
	for (size_t i = 0; i < n_opts; i++) {
		const char *k = opts[i].key, *v = opts[i].value ? opts[i].value : "";
		unsigned long n;
		unsigned int b[6];
		int len = 0;

		if (!strcmp(k, "mtu_request")) {
			if (!(caps & PORT_CAP_MTU)) {
				goto unsupported;
			}
			if (!parse_ulong(v, 68, 9000, &n)) {
				snprintf(err, PORT_ERR_MAX,
					 "port %s: mtu_request '%s' is not 68 to 9000", port->name,
					 v);
				return -EINVAL;
			}
			port->mtu_request = (uint32_t)n;
		} else if (!strcmp(k, "n_rxq")) {
			if (!(caps & PORT_CAP_RXQS)) {
				goto unsupported;
			}
			if (!parse_ulong(v, 1, PORT_MAX_QUEUES, &n)) {
				snprintf(err, PORT_ERR_MAX, "port %s: n_rxq '%s' is not 1 to %d",
					 port->name, v, PORT_MAX_QUEUES);
				return -EINVAL;
			}
			port->n_rxq_request = (uint16_t)n;
		} else if (!strcmp(k, "pmd-rxq-affinity")) {
			if (port->ops->patch) {
				goto unsupported; /* no queues: its peer's bridge runs it */
			}
			if (port_parse_affinity(port->name, v, port->rxq_cpu, err)) {
				return -EINVAL;
			}
		} else if (!strcmp(k, "mac")) {
			if (!(caps & PORT_CAP_MAC)) {
				goto unsupported;
			}
			if (sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3],
				   &b[4], &b[5], &len) != 6 ||
			    len != 17 || v[len] || (b[0] & 1)) {
				snprintf(err, PORT_ERR_MAX,
					 "port %s: mac '%s' is not a unicast xx:xx:xx:xx:xx:xx",
					 port->name, v);
				return -EINVAL;
			}
			for (int j = 0; j < 6; j++) {
				port->mac[j] = (uint8_t)b[j];
			}
			port->has_mac = true;
		} else {
			rest[(*n_rest)++] = opts[i];
		}
		continue;
	unsupported:
		snprintf(err, PORT_ERR_MAX, "port %s: type %s does not support %s", port->name,
			 port->ops->type, k);
		return -EINVAL;
	}
	return 0;
}

/* Fills the generic part of 'port' and checks 'type', 'name' and every
 * option; 'rest' receives the type's own options. */
static int
prepare(struct port *port, const char *type, const char *name, const struct port_opt *opts,
	size_t n_opts, struct port_opt *rest, size_t *n_rest, char *err)
{
	static const char *const none[] = {NULL};
	const struct port_ops *ops = find_type(type);
	int ret;

	if (!ops) {
		snprintf(err, PORT_ERR_MAX, "port %s: unknown type '%s'", name, type);
		return -EINVAL;
	}
	if (!name[0] || strlen(name) >= PORT_NAME_MAX) {
		snprintf(err, PORT_ERR_MAX, "port name '%s' must have 1 to %d characters", name,
			 PORT_NAME_MAX - 1);
		return -EINVAL;
	}
	port->ops = ops;
	snprintf(port->name, sizeof port->name, "%s", name);
	port->n_rxq = 1;
	port->n_txq = 1;
	memset(port->rxq_cpu, 0xff, sizeof port->rxq_cpu);
	ret = common_opts(port, opts, n_opts, rest, n_rest, err);
	for (int q = ret ? PORT_MAX_QUEUES : 0; q < PORT_MAX_QUEUES; q++) {
		uint16_t n_rxq = port->n_rxq_request ? port->n_rxq_request : 1;

		if (port->rxq_cpu[q] >= 0 && q >= n_rxq) {
			snprintf(err, PORT_ERR_MAX,
				 "port %s: pmd-rxq-affinity names queue %d, but the port has %u "
				 "receive queue%s (options:n_rxq)",
				 port->name, q, n_rxq, n_rxq == 1 ? "" : "s");
			ret = -EINVAL;
			break;
		}
	}
	if (!ret) {
		ret = port_opts_check(port, rest, *n_rest, ops->options ? ops->options : none, err);
	}
	if (!ret && ops->check) {
		ret = ops->check(port, rest, *n_rest, err);
	}
	return ret;
}

int
port_check(const char *type, const char *name, const struct port_opt *opts, size_t n_opts,
	   char *err)
{
	char dummy[PORT_ERR_MAX];
	struct port_opt *rest = n_opts ? calloc(n_opts, sizeof *rest) : NULL;
	struct port *port = calloc(1, sizeof *port);
	size_t n_rest = 0;
	int ret = -ENOMEM;

	err = err ? err : dummy;
	err[0] = '\0';
	if (port && (rest || !n_opts)) {
		ret = prepare(port, type, name, opts, n_opts, rest, &n_rest, err);
	} else {
		snprintf(err, PORT_ERR_MAX, "port %s: out of memory", name);
	}
	free(rest);
	free(port);
	return ret;
}

int
port_open(const char *type, const char *name, const struct port_opt *opts, size_t n_opts,
	  struct rte_mempool *mp, struct port **portp, char *err)
{
	char dummy[PORT_ERR_MAX];
	const struct port_ops *ops = find_type(type);
	struct port_opt *rest = NULL;
	struct port *port;
	size_t n_rest = 0;
	int ret;

	err = err ? err : dummy;
	err[0] = '\0';
	*portp = NULL;
	port = rte_zmalloc("port", sizeof *port + (ops ? ops->priv_size : 0), 64);
	rest = n_opts ? calloc(n_opts, sizeof *rest) : NULL;
	if (!port || (n_opts && !rest)) {
		snprintf(err, PORT_ERR_MAX, "port %s: out of memory", name);
		ret = -ENOMEM;
		goto out;
	}
	port->mp = mp;
	rte_spinlock_init(&port->tx_lock);
	ret = prepare(port, type, name, opts, n_opts, rest, &n_rest, err);
	if (!ret) {
		ret = port->ops->open(port, rest, n_rest, err);
	}
out:
	free(rest);
	if (ret) {
		rte_free(port);
		return ret;
	}
	/* The MAC it has now, for when it cannot be read any more. */
	struct port_status *st = malloc(sizeof *st);

	if (st) {
		port_get_status(port, st);
		free(st);
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
port_forget_device(struct port *port)
{
	if (port) {
		port->forget_device = true;
	}
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

int
port_get_status(struct port *port, struct port_status *st)
{
	int ret;

	memset(st, 0, sizeof *st);
	st->link = -1;
	ret = port->ops->get_status ? port->ops->get_status(port, st) : 0;
	if (!ret && st->has_mac) {
		memcpy(port->seen_mac, st->mac, 6);
		port->has_seen_mac = true;
	} else if (!ret && port->has_seen_mac) {
		memcpy(st->mac, port->seen_mac, 6);
		st->has_mac = true;
	}
	return ret;
}

void
port_status_add(struct port_status *st, const char *key, const char *fmt, ...)
{
	va_list ap;

	if (st->n_info == PORT_STATUS_MAX) {
		return;
	}
	snprintf(st->info[st->n_info].key, sizeof st->info[0].key, "%s", key);
	va_start(ap, fmt);
	vsnprintf(st->info[st->n_info].value, sizeof st->info[0].value, fmt, ap);
	va_end(ap);
	st->n_info++;
}

bool
port_is_patch(const struct port *port)
{
	return port->ops->patch;
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

int
port_rxq_cpu(const struct port *port, uint16_t qid)
{
	return qid < PORT_MAX_QUEUES ? port->rxq_cpu[qid] : -1;
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
