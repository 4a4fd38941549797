/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The running switch from a configuration document (bridge.h).
 */
#include "bridge.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgdb.h"
#include "log.h"

enum { MAX_OPTS = 32 };

/* A running interface. */
struct bport {
	char name[PORT_NAME_MAX];
	char bridge[PORT_NAME_MAX];
	json_t *iface; /* the interface record it was opened with (own copy) */
	uint32_t port_no;
};

struct bridges {
	struct rte_mempool *mp;
	cpu_set_t cpus;
	struct dp *dp;
	struct dp_params params;
	struct bport *ports[DP_MAX_PORTS]; /* indexed by datapath port number */
};

/* No forwarding logic yet: drop, with one megaflow per input port. */
static int
bridge_upcall(void *aux, const struct flow_key *key, const struct rte_mbuf *pkt,
	      struct dp_upcall_result *res)
{
	(void)aux;
	(void)key;
	(void)pkt;
	res->mask.in_port = UINT32_MAX;
	res->n_actions = 0;
	return 0;
}

uint64_t
bridges_default_pmd_mask(const cpu_set_t *cpus)
{
	int highest = -1;

	for (int cpu = 0; cpu < 64; cpu++) {
		if (CPU_ISSET(cpu, cpus)) {
			highest = cpu;
		}
	}
	return highest >= 0 ? 1ull << highest : 1;
}

struct bridges *
bridges_create(struct rte_mempool *mp, const cpu_set_t *cpus)
{
	struct bridges *b = calloc(1, sizeof *b);

	if (!b) {
		return NULL;
	}
	b->mp = mp;
	b->cpus = *cpus;
	return b;
}

static void
bport_free(struct bport *bp)
{
	if (bp) {
		json_decref(bp->iface);
		free(bp);
	}
}

/* Destroys the datapath, which closes every port. */
static void
stop_datapath(struct bridges *b)
{
	dp_destroy(b->dp);
	b->dp = NULL;
	for (uint32_t i = 0; i < DP_MAX_PORTS; i++) {
		bport_free(b->ports[i]);
		b->ports[i] = NULL;
	}
}

void
bridges_destroy(struct bridges *b)
{
	if (b) {
		stop_datapath(b);
		free(b);
	}
}

static int
params_from_doc(const struct bridges *b, const json_t *doc, struct dp_params *p, char *err)
{
	const json_t *g = json_object_get(doc, "global");
	const char *mask = cfgdb_get_str(g, "pmd_cpu_mask", NULL);
	long long inv = cfgdb_get_int(g, "emc_insert_inv_prob", -1);

	memset(p, 0, sizeof *p);
	p->pmd_cpu_mask = mask ? strtoull(mask, NULL, 16) : bridges_default_pmd_mask(&b->cpus);
	for (int cpu = 0; cpu < 64; cpu++) {
		if ((p->pmd_cpu_mask & (1ull << cpu)) && !CPU_ISSET(cpu, &b->cpus)) {
			snprintf(err, BRIDGE_ERR_MAX,
				 "pmd_cpu_mask %s: CPU %d is not available to this process", mask,
				 cpu);
			return -EINVAL;
		}
	}
	p->emc_entries = (uint32_t)cfgdb_get_int(g, "emc_entries", 0);
	p->emc_inv_prob_set = inv >= 0;
	p->emc_inv_prob = inv >= 0 ? (uint32_t)inv : 0;
	return 0;
}

static bool
params_equal(const struct dp_params *a, const struct dp_params *b)
{
	return a->pmd_cpu_mask == b->pmd_cpu_mask && a->emc_entries == b->emc_entries &&
	       a->emc_inv_prob == b->emc_inv_prob && a->emc_inv_prob_set == b->emc_inv_prob_set;
}

static int
start_datapath(struct bridges *b, const struct dp_params *p, char *err)
{
	int ret;

	b->dp = dp_create(p);
	if (!b->dp) {
		ret = -errno;
		snprintf(err, BRIDGE_ERR_MAX, "cannot create the datapath: %s", strerror(errno));
		return ret;
	}
	dp_set_upcall(b->dp, bridge_upcall, b);
	ret = dp_start(b->dp);
	if (ret) {
		snprintf(err, BRIDGE_ERR_MAX, "cannot start the PMD threads: %s", strerror(-ret));
		stop_datapath(b);
		return ret;
	}
	b->params = *p;
	VLOG_INFO("bridge", "datapath started: pmd_cpu_mask=0x%llx, %u PMD context(s)",
		  (unsigned long long)p->pmd_cpu_mask, dp_n_pmds(b->dp));
	return 0;
}

/* The interface record of the port named 'name' in 'doc' and its bridge. */
static const json_t *
desired_iface(const json_t *doc, const char *name, const char **bridge)
{
	const json_t *port = cfgdb_port(doc, name, bridge);

	return port ? cfgdb_port_iface(port) : NULL;
}

static void
close_stale_ports(struct bridges *b, const json_t *doc)
{
	for (uint32_t i = 0; i < DP_MAX_PORTS; i++) {
		struct bport *bp = b->ports[i];
		const char *bridge = NULL;
		const json_t *want;

		if (!bp) {
			continue;
		}
		want = desired_iface(doc, bp->name, &bridge);
		if (want && json_equal(want, bp->iface) && !strcmp(bridge, bp->bridge)) {
			continue;
		}
		VLOG_INFO("bridge", "removing port %s (datapath port %u) from %s", bp->name, i,
			  bp->bridge);
		dp_port_del(b->dp, i);
		bport_free(bp);
		b->ports[i] = NULL;
	}
}

static int
open_port(struct bridges *b, const char *bridge, const char *name, const json_t *iface, char *err)
{
	struct port_opt opts[MAX_OPTS];
	const char *key;
	struct port *port;
	struct bport *bp;
	size_t n = 0;
	json_t *v;
	uint32_t port_no;
	int ret;

	json_object_foreach (json_object_get(iface, "options"), key, v) {
		if (n == MAX_OPTS) {
			snprintf(err, BRIDGE_ERR_MAX, "port %s: more than %d options", name,
				 MAX_OPTS);
			return -EINVAL;
		}
		opts[n++] = (struct port_opt){key, json_string_value(v)};
	}
	ret = port_open(cfgdb_get_str(iface, "type", ""), name, opts, n, b->mp, &port, err);
	if (ret) {
		return ret;
	}
	bp = calloc(1, sizeof *bp);
	if (!bp || !(bp->iface = json_deep_copy(iface))) {
		free(bp);
		port_close(port);
		snprintf(err, BRIDGE_ERR_MAX, "port %s: out of memory", name);
		return -ENOMEM;
	}
	ret = dp_port_add(b->dp, port, &port_no);
	if (ret) {
		snprintf(err, BRIDGE_ERR_MAX, "port %s: cannot add it to the datapath: %s", name,
			 strerror(-ret));
		bport_free(bp);
		return ret;
	}
	snprintf(bp->name, sizeof bp->name, "%s", name);
	snprintf(bp->bridge, sizeof bp->bridge, "%s", bridge);
	bp->port_no = port_no;
	b->ports[port_no] = bp;
	VLOG_INFO("bridge", "added port %s (type %s) to %s as datapath port %u", name,
		  port_type(port), bridge, port_no);
	return 0;
}

static int
open_new_ports(struct bridges *b, const json_t *doc, char *err)
{
	const char *bname, *pname;
	char reason[BRIDGE_ERR_MAX];
	json_t *br, *port;
	uint32_t no;
	int ret = 0;

	/* Tries every port, so that at start one bad port does not keep the
	 * others down; reports the first failure. */
	json_object_foreach (json_object_get(doc, "bridges"), bname, br) {
		json_object_foreach (json_object_get(br, "ports"), pname, port) {
			if (!bridges_port_no(b, pname, &no)) {
				continue;
			}
			int r = open_port(b, bname, pname, cfgdb_port_iface(port), reason);

			if (r && !ret) {
				ret = r;
				snprintf(err, BRIDGE_ERR_MAX, "%s", reason);
			}
		}
	}
	return ret;
}

int
bridges_reconfigure(struct bridges *b, const json_t *doc, char *err)
{
	struct dp_params p;
	int ret = params_from_doc(b, doc, &p, err);

	if (ret) {
		return ret;
	}
	if (b->dp && !params_equal(&p, &b->params)) {
		VLOG_INFO("bridge", "datapath tuning changed: restarting the datapath");
		stop_datapath(b);
	}
	if (!b->dp && (ret = start_datapath(b, &p, err))) {
		return ret;
	}
	close_stale_ports(b, doc);
	/* The forwarding behind every megaflow may have changed; new ports
	 * learn theirs under the new configuration. */
	dp_flow_flush(b->dp);
	return open_new_ports(b, doc, err);
}

struct dp *
bridges_dp(struct bridges *b)
{
	return b->dp;
}

int
bridges_port_no(const struct bridges *b, const char *name, uint32_t *port_no)
{
	for (uint32_t i = 0; i < DP_MAX_PORTS; i++) {
		if (b->ports[i] && !strcmp(b->ports[i]->name, name)) {
			*port_no = i;
			return 0;
		}
	}
	return -ENOENT;
}

const char *
bridges_port_name(const struct bridges *b, uint32_t port_no)
{
	return port_no < DP_MAX_PORTS && b->ports[port_no] ? b->ports[port_no]->name : NULL;
}
