/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The datapath's control side: creation, ports (their receive queues are
 * placed by dp_rxq.c), proactive flows, flushing and memory reclamation through RCU, counters.
 * The packet path is in dp_pmd.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "dp_priv.h"
#include "log.h"

static const char *const drop_names[DP_DROP__MAX] = {
	[DP_DROP_ACTION] = "drop_action",
	[DP_DROP_UPCALL] = "drop_upcall_error",
	[DP_DROP_INSTALL] = "drop_flow_install",
	[DP_DROP_NO_PORT] = "drop_no_port",
	[DP_DROP_TTL] = "drop_ttl_expired",
	[DP_DROP_NO_HEADROOM] = "drop_no_headroom",
	[DP_DROP_NO_MBUF] = "drop_no_mbuf",
	[DP_DROP_PATCH_LOOP] = "drop_patch_loop",
	[DP_DROP_METER] = "drop_meter",
	[DP_DROP_UPCALL_LIMIT] = "drop_upcall_limit",
	[DP_DROP_TNL_MTU] = "drop_tunnel_mtu",
	[DP_DROP_TNL_BAD] = "drop_tunnel_malformed",
	[DP_DROP_TNL_FRAG] = "drop_tunnel_fragment",
	[DP_DROP_TNL_CSUM] = "drop_tunnel_checksum",
	[DP_DROP_TNL_OPT] = "drop_tunnel_critical_option",
	[DP_DROP_TNL_KEY] = "drop_tunnel_key",
};

const char *
dp_drop_reason_name(enum dp_drop_reason reason)
{
	return reason < DP_DROP__MAX ? drop_names[reason] : "drop_unknown";
}

void
dp_synchronize(struct dp *dp)
{
	rte_rcu_qsbr_synchronize(dp->qsbr, dp->threaded ? RTE_QSBR_THRID_INVALID : 0);
}

static void
pmd_destroy(struct dp_pmd *pmd)
{
	if (!pmd) {
		return;
	}
	emc_destroy(pmd->emc);
	smc_destroy(pmd->smc);
	dpcls_destroy(pmd->cls);
	for (struct dp_flow *f = pmd->flows, *next; f; f = next) {
		next = f->next;
		dp_flow_free(pmd, f);
	}
	for (struct dp_flow *f = pmd->dead, *next; f; f = next) {
		next = f->next;
		dp_flow_free(pmd, f);
	}
	flow_arena_destroy(pmd->arena);
	free(pmd->rxqs);
	pthread_mutex_destroy(&pmd->flow_mutex);
	rte_free(pmd);
}

static struct dp_pmd *
pmd_create(struct dp *dp, unsigned int id, int cpu, const struct dp_params *p)
{
	struct dp_pmd *pmd = rte_zmalloc("dp_pmd", sizeof *pmd, 64);
	uint32_t inv = p->emc_inv_prob_set ? p->emc_inv_prob : EMC_DEFAULT_INV_PROB;

	if (!pmd) {
		return NULL;
	}
	pmd->dp = dp;
	pmd->id = id;
	pmd->cpu = cpu;
	pthread_mutex_init(&pmd->flow_mutex, NULL);
	pmd->emc =
		emc_create(p->emc_entries ? p->emc_entries : EMC_DEFAULT_ENTRIES, inv, 0x5eed + id);
	pmd->cls = dpcls_create();
	pmd->arena = flow_arena_create();
	pmd->rxqs = calloc(1, sizeof *pmd->rxqs);
	if (!pmd->emc || !pmd->cls || !pmd->arena || !pmd->rxqs) {
		pmd_destroy(pmd);
		return NULL;
	}
	return pmd;
}

struct dp *
dp_create(const struct dp_params *params)
{
	struct dp *dp;
	size_t qsbr_size;
	unsigned int id = 0;

	if (params->emc_entries > (1u << 24)) {
		errno = EINVAL;
		return NULL;
	}
	dp = rte_zmalloc("dp", sizeof *dp, 64);
	if (!dp) {
		errno = ENOMEM;
		return NULL;
	}
	dp->threaded = params->pmd_cpu_mask != 0;
	dp->pmd_max_sleep_us = DP_PMD_MAX_SLEEP_US;
	memset(dp->patch_peer, 0xff, sizeof dp->patch_peer);
	dp->sort_interval_tsc = rte_get_tsc_hz();
	for (int cpu = 0; cpu < 64 && dp->threaded; cpu++) {
		if (params->pmd_cpu_mask & (1ull << cpu)) {
			dp->pmds[id] = pmd_create(dp, id, cpu, params);
			if (!dp->pmds[id++]) {
				goto out_free;
			}
		}
	}
	if (!dp->threaded) {
		dp->pmds[id] = pmd_create(dp, 0, -1, params);
		if (!dp->pmds[id++]) {
			goto out_free;
		}
	}
	dp->n_pmds = id;
	qsbr_size = rte_rcu_qsbr_get_memsize(dp->n_pmds);
	dp->qsbr = rte_zmalloc("dp_qsbr", qsbr_size, RTE_CACHE_LINE_SIZE);
	if (!dp->qsbr || rte_rcu_qsbr_init(dp->qsbr, dp->n_pmds)) {
		goto out_free;
	}
	{
		static unsigned int serial;
		char name[RTE_RING_NAMESIZE];

		snprintf(name, sizeof name, "dp_inject%u",
			 __atomic_fetch_add(&serial, 1, __ATOMIC_RELAXED));
		dp->inject = rte_ring_create(name, DP_INJECT_RING, SOCKET_ID_ANY, RING_F_SC_DEQ);
		if (!dp->inject) {
			goto out_free;
		}
	}
	if (!dp->threaded) {
		rte_rcu_qsbr_thread_register(dp->qsbr, 0);
		rte_rcu_qsbr_thread_online(dp->qsbr, 0);
	}
	return dp;

out_free:
	for (unsigned int i = 0; i < DP_MAX_PMDS; i++) {
		pmd_destroy(dp->pmds[i]);
	}
	rte_free(dp->qsbr);
	rte_free(dp);
	errno = ENOMEM;
	return NULL;
}

static void
inject_drain(struct dp *dp)
{
	void *e = NULL; /* GCC -Os cannot see rte_ring_dequeue() set it */

	while (dp->inject && rte_ring_dequeue(dp->inject, &e) == 0) {
		struct dp_inject *in = e;

		rte_pktmbuf_free(in->m);
		free(in);
	}
}

int
dp_execute(struct dp *dp, uint32_t in_port, struct rte_mbuf *m, const struct dp_action *actions,
	   uint32_t n_actions)
{
	struct dp_inject *in;

	if (n_actions > DP_MAX_ACTIONS) {
		rte_pktmbuf_free(m);
		return -EINVAL;
	}
	for (uint32_t i = 0; i < n_actions; i++) {
		if (actions[i].type >= DP_ACTION__MAX ||
		    (actions[i].type == DP_ACTION_OUTPUT && actions[i].port >= DP_MAX_PORTS)) {
			rte_pktmbuf_free(m);
			return -EINVAL;
		}
	}
	in = malloc(sizeof *in + n_actions * sizeof in->actions[0]);
	if (!in) {
		rte_pktmbuf_free(m);
		return -ENOMEM;
	}
	in->m = m;
	in->in_port = in_port;
	in->n_actions = n_actions;
	memcpy(in->actions, actions, n_actions * sizeof in->actions[0]);
	if (rte_ring_enqueue(dp->inject, in)) {
		rte_pktmbuf_free(m);
		free(in);
		return -ENOBUFS;
	}
	return 0;
}

static void
dp_stop_threads(struct dp *dp)
{
	for (unsigned int i = 0; i < dp->n_pmds; i++) {
		struct dp_pmd *pmd = dp->pmds[i];

		if (pmd->thread_running) {
			pmd->stop = true;
			pthread_join(pmd->thread, NULL);
			pmd->thread_running = false;
		}
	}
}

void
dp_destroy(struct dp *dp)
{
	if (!dp) {
		return;
	}
	dp_stop_threads(dp);
	/* No reader is left: tx buffers still hold packets only if a caller
	 * stopped mid-batch, which dp_pmd_process() never does. */
	dp->threaded = false;
	for (uint32_t i = 0; i < DP_MAX_PORTS; i++) {
		port_close(dp->ports[i]);
	}
	for (unsigned int i = 0; i < dp->n_pmds; i++) {
		pmd_destroy(dp->pmds[i]);
	}
	inject_drain(dp);
	dp_meters_free(dp);
	dp_captures_free(dp);
	dp_garbage_free(dp->garbage);
	rte_ring_free(dp->inject);
	rte_free(dp->qsbr);
	rte_free(dp);
}

void
dp_set_upcall(struct dp *dp, dp_upcall_fn fn, void *aux)
{
	dp->upcall_aux = aux;
	dp->upcall = fn;
}

void
dp_set_upcall_limit(struct dp *dp, uint32_t rate, uint32_t burst)
{
	__atomic_store_n(&dp->upcall_burst, burst ? burst : 1, __ATOMIC_RELAXED);
	__atomic_store_n(&dp->upcall_rate, rate, __ATOMIC_RELAXED);
}

void
dp_set_pmd_max_sleep(struct dp *dp, uint32_t us)
{
	__atomic_store_n(&dp->pmd_max_sleep_us, us, __ATOMIC_RELAXED);
}

void
dp_set_tx_flush_interval(struct dp *dp, uint32_t us)
{
	uint64_t tsc =
		(uint64_t)VS_MIN(us, (uint32_t)DP_TX_FLUSH_MAX_US) * rte_get_tsc_hz() / 1000000;

	__atomic_store_n(&dp->tx_flush_tsc, tsc, __ATOMIC_RELAXED);
}

void
dp_set_slow_path(struct dp *dp, dp_slow_path_fn fn, void *aux)
{
	dp->slow_path_aux = aux;
	dp->slow_path = fn;
}

int
dp_start(struct dp *dp)
{
	for (unsigned int i = 0; i < dp->n_pmds && dp->threaded; i++) {
		struct dp_pmd *pmd = dp->pmds[i];
		int err;

		if (pmd->thread_running) {
			continue;
		}
		pmd->stop = false;
		err = pthread_create(&pmd->thread, NULL, dp_pmd_main, pmd);
		if (err) {
			dp_stop_threads(dp);
			return -err;
		}
		pmd->thread_running = true;
	}
	return 0;
}

int
dp_port_next_no(const struct dp *dp)
{
	for (int no = 0; no < DP_MAX_PORTS; no++) {
		if (!dp->ports[no]) {
			return no;
		}
	}
	return -ENOSPC;
}

static void relink_patches(struct dp *dp);

int
dp_port_add(struct dp *dp, struct port *port, uint32_t *port_no)
{
	uint32_t no = 0;
	int err;

	while (no < DP_MAX_PORTS && dp->ports[no]) {
		no++;
	}
	if (no == DP_MAX_PORTS) {
		port_close(port);
		return -ENOSPC;
	}
	err = port_start(port);
	if (err) {
		port_close(port);
		return err;
	}
	__atomic_store_n(&dp->ports[no], port, __ATOMIC_RELEASE);
	relink_patches(dp);
	err = dp_rxqs_place(dp, port, no);
	if (err) {
		dp_port_del(dp, no);
		return err;
	}
	*port_no = no;
	return 0;
}

/* Links every patch port whose peer is there and names it back. */
static void
relink_patches(struct dp *dp)
{
	for (uint32_t i = 0; i < DP_MAX_PORTS; i++) {
		struct port *p = dp->ports[i];
		uint32_t peer = UINT32_MAX;

		for (uint32_t j = 0; p && port_is_patch(p) && j < DP_MAX_PORTS; j++) {
			struct port *q = dp->ports[j];

			if (q && port_is_patch(q) && !strcmp(port_patch_peer(p), port_name(q)) &&
			    !strcmp(port_patch_peer(q), port_name(p))) {
				peer = j;
				break;
			}
		}
		__atomic_store_n(&dp->patch_peer[i], peer, __ATOMIC_RELEASE);
		if (p) {
			port_patch_set_linked(p, peer != UINT32_MAX);
		}
	}
}

int
dp_port_patch_peer(const struct dp *dp, uint32_t port_no)
{
	uint32_t peer = port_no < DP_MAX_PORTS ? dp->patch_peer[port_no] : UINT32_MAX;

	return peer == UINT32_MAX ? -ENOENT : (int)peer;
}

int
dp_port_del(struct dp *dp, uint32_t port_no)
{
	struct port *port;

	if (port_no >= DP_MAX_PORTS || !dp->ports[port_no]) {
		return -ENOENT;
	}
	port = dp->ports[port_no];
	dp_rxqs_remove(dp, port_no);
	__atomic_store_n(&dp->ports[port_no], NULL, __ATOMIC_RELEASE);
	dp_captures_port_gone(dp, port_no);
	relink_patches(dp);
	dp_synchronize(dp);
	port_close(port);
	return 0;
}

/* A port's option map with what retires it; the map comes first, so
 * that the port frees the whole with free(). */
struct optmap_box {
	struct dp_tnl_optmap map;
	struct dp_garbage gc;
};

int
dp_port_set_optmap(struct dp *dp, uint32_t port_no, const struct dp_tnl_optmap *map)
{
	struct optmap_box *box = NULL;
	struct dp_tnl_optmap *old;

	if (port_no >= DP_MAX_PORTS || !dp->ports[port_no]) {
		return -ENOENT;
	}
	if (map && map->n) {
		if (!(box = calloc(1, sizeof *box))) {
			return -ENOMEM;
		}
		box->map = *map;
	}
	old = port_tunnel_optmap_swap(dp->ports[port_no], box ? &box->map : NULL);
	if (old) {
		struct optmap_box *ob = (struct optmap_box *)(void *)old;

		dp_retire(dp, &ob->gc, ob, NULL);
	}
	return 0;
}

struct port *
dp_port_get(struct dp *dp, uint32_t port_no)
{
	return port_no < DP_MAX_PORTS ? dp->ports[port_no] : NULL;
}

int
dp_flow_put(struct dp *dp, const struct flow_key *key, const struct flow_key *mask,
	    const struct dp_action *actions, uint32_t n_actions)
{
	int ret = 0;

	for (unsigned int i = 0; i < dp->n_pmds && !ret; i++) {
		struct dp_pmd *pmd = dp->pmds[i];
		struct dp_flow *existing;

		pthread_mutex_lock(&pmd->flow_mutex);
		dp_flow_insert_locked(pmd, key, mask, actions, n_actions, 0, &existing, &ret);
		pthread_mutex_unlock(&pmd->flow_mutex);
	}
	return ret;
}

/* Frees dead flows and retired classifier memory of every PMD thread. Two
 * grace periods: after the first every thread will sweep its EMC before its
 * next batch; after the second it has. */
static bool
dp_reclaim(struct dp *dp)
{
	struct dpcls_garbage garbage[DP_MAX_PMDS];
	struct dp_flow *dead[DP_MAX_PMDS];
	struct dp_garbage *retired = dp->garbage;
	bool any = retired != NULL;

	dp->garbage = NULL;
	for (unsigned int i = 0; i < dp->n_pmds; i++) {
		struct dp_pmd *pmd = dp->pmds[i];

		pthread_mutex_lock(&pmd->flow_mutex);
		dpcls_garbage_take(pmd->cls, &garbage[i]);
		dead[i] = pmd->dead;
		pmd->dead = NULL;
		pthread_mutex_unlock(&pmd->flow_mutex);
		if (dead[i]) {
			__atomic_add_fetch(&pmd->emc_flush_gen, 1, __ATOMIC_SEQ_CST);
		}
		any |= dead[i] || garbage[i].n;
	}
	if (!any) {
		return false;
	}
	dp_synchronize(dp);
	dp_synchronize(dp);
	if (!dp->threaded) {
		dp_pmd_sweep_emc(dp->pmds[0]); /* the caller's thread is the PMD */
	}
	dp_garbage_free(retired);
	for (unsigned int i = 0; i < dp->n_pmds; i++) {
		dpcls_garbage_free(&garbage[i]);
		for (struct dp_flow *f = dead[i], *next; f; f = next) {
			next = f->next;
			dp_flow_free(dp->pmds[i], f);
		}
	}
	return true;
}

void
dp_flow_flush(struct dp *dp)
{
	for (unsigned int i = 0; i < dp->n_pmds; i++) {
		struct dp_pmd *pmd = dp->pmds[i];

		pthread_mutex_lock(&pmd->flow_mutex);
		while (pmd->flows) {
			struct dp_flow *f = pmd->flows;

			pmd->flows = f->next;
			__atomic_store_n(&f->smc_ok, false, __ATOMIC_RELEASE);
			__atomic_store_n(&f->dead, true, __ATOMIC_RELEASE);
			dpcls_remove(pmd->cls, &f->cls);
			dp_flow_account(pmd, f, -1);
			f->next = pmd->dead;
			pmd->dead = f;
		}
		pmd->n_flows = 0;
		pthread_mutex_unlock(&pmd->flow_mutex);
	}
	dp_reclaim(dp);
}

/* What dp_flow_dump() and dp_flow_revalidate() show of a flow. */
static void
flow_info_of(const struct dp_flow *f, unsigned int pmd, uint64_t now, uint64_t hz,
	     struct dp_flow_info *info)
{
	uint64_t used = __atomic_load_n(&f->used_tsc, __ATOMIC_RELAXED);

	*info = (struct dp_flow_info){
		.pmd = pmd,
		.key = &f->cls.key,
		.mask = dpcls_rule_mask(&f->cls),
		.actions = f->actions,
		.n_actions = f->n_actions,
		.n_packets = __atomic_load_n(&f->n_packets, __ATOMIC_RELAXED),
		.n_bytes = __atomic_load_n(&f->n_bytes, __ATOMIC_RELAXED),
		.idle_ms = now > used ? (now - used) * 1000 / hz : 0,
		.ufid = f->ufid,
	};
}

unsigned int
dp_flow_revalidate(struct dp *dp, bool (*keep)(void *aux, const struct dp_flow_info *info),
		   void *aux)
{
	uint64_t now = rte_get_tsc_cycles(), hz = rte_get_tsc_hz();
	unsigned int n_deleted = 0;

	/* Upcalls that read the rules before this point will not install. */
	__atomic_add_fetch(&dp->rules_gen, 1, __ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < dp->n_pmds; i++) {
		struct dp_pmd *pmd = dp->pmds[i];

		pthread_mutex_lock(&pmd->flow_mutex);
		for (struct dp_flow *f = pmd->flows, *next; f; f = next) {
			struct dp_flow_info info;

			flow_info_of(f, i, now, hz, &info);

			next = f->next;
			if (keep(aux, &info)) {
				continue;
			}
			if (f->prev) {
				f->prev->next = f->next;
			} else {
				pmd->flows = f->next;
			}
			if (f->next) {
				f->next->prev = f->prev;
			}
			__atomic_store_n(&f->smc_ok, false, __ATOMIC_RELEASE);
			__atomic_store_n(&f->dead, true, __ATOMIC_RELEASE);
			dpcls_remove(pmd->cls, &f->cls);
			dp_flow_account(pmd, f, -1);
			f->next = pmd->dead;
			pmd->dead = f;
			pmd->n_flows--;
			n_deleted++;
		}
		pthread_mutex_unlock(&pmd->flow_mutex);
	}
	return n_deleted;
}

void
dp_flow_sync(struct dp *dp)
{
	if (!dp_reclaim(dp)) {
		dp_synchronize(dp);
	}
}

void
dp_flow_dump(struct dp *dp, void (*cb)(void *aux, const struct dp_flow_info *info), void *aux)
{
	uint64_t now = rte_get_tsc_cycles(), hz = rte_get_tsc_hz();

	for (unsigned int i = 0; i < dp->n_pmds; i++) {
		struct dp_pmd *pmd = dp->pmds[i];

		pthread_mutex_lock(&pmd->flow_mutex);
		for (struct dp_flow *f = pmd->flows; f; f = f->next) {
			struct dp_flow_info info;

			flow_info_of(f, i, now, hz, &info);

			cb(aux, &info);
		}
		pthread_mutex_unlock(&pmd->flow_mutex);
	}
}

static void
stats_from_sum(struct dp_stats *s, const uint64_t *sum)
{
	s->rx_packets = sum[DP_STAT_RX];
	s->emc_hits = sum[DP_STAT_EMC_HIT];
	s->megaflow_hits = sum[DP_STAT_MEGAFLOW_HIT];
	s->emc_bypassed = sum[DP_STAT_EMC_BYPASS];
	s->simple_hits = sum[DP_STAT_SIMPLE_HIT];
	s->smc_hits = sum[DP_STAT_SMC_HIT];
	s->subtable_probes = sum[DP_STAT_SUBTABLE_PROBES];
	s->misses = sum[DP_STAT_MISS];
	s->upcalls = sum[DP_STAT_UPCALL];
	s->upcall_failures = sum[DP_STAT_UPCALL_FAIL];
	s->tx_packets = sum[DP_STAT_TX];
	s->cycles = sum[DP_STAT_CYCLES];
	s->upcall_cycles = sum[DP_STAT_UPCALL_CYCLES];
	s->busy_cycles = sum[DP_STAT_BUSY_CYCLES];
	s->rx_cycles = sum[DP_STAT_RX_CYCLES];
	s->tx_cycles = sum[DP_STAT_TX_CYCLES];
	s->idle_cycles = sum[DP_STAT_IDLE_CYCLES];
	s->busy_iterations = sum[DP_STAT_BUSY_ITERS];
	s->idle_iterations = sum[DP_STAT_IDLE_ITERS];
	s->sleeps = sum[DP_STAT_SLEEPS];
	s->sleep_us = sum[DP_STAT_SLEEP_US];
	for (int b = 0; b < DP_BATCH_SIZES; b++) {
		s->batches[b] = sum[DP_STAT_BATCH0 + b];
	}
	for (int r = 0; r < DP_DROP__MAX; r++) {
		s->drops[r] = sum[DP_STAT_DROP0 + r];
	}
}

static void
pmd_add_stats(const struct dp_pmd *pmd, uint64_t *sum, uint32_t *n_flows)
{
	for (int k = 0; k < DP_STAT__MAX; k++) {
		sum[k] += __atomic_load_n(&pmd->stats[k], __ATOMIC_RELAXED);
	}
	*n_flows += __atomic_load_n(&pmd->n_flows, __ATOMIC_RELAXED);
}

void
dp_get_stats(struct dp *dp, struct dp_stats *s)
{
	uint64_t sum[DP_STAT__MAX] = {0};

	memset(s, 0, sizeof *s);
	for (unsigned int i = 0; i < dp->n_pmds; i++) {
		pmd_add_stats(dp->pmds[i], sum, &s->n_flows);
	}
	stats_from_sum(s, sum);
}

int
dp_pmd_get_stats(struct dp *dp, unsigned int idx, struct dp_stats *s)
{
	uint64_t sum[DP_STAT__MAX] = {0};

	if (idx >= dp->n_pmds) {
		return -ENOENT;
	}
	memset(s, 0, sizeof *s);
	pmd_add_stats(dp->pmds[idx], sum, &s->n_flows);
	stats_from_sum(s, sum);
	return 0;
}

void
dp_retire(struct dp *dp, struct dp_garbage *g, void *p, void (*free_fn)(void *))
{
	g->p = p;
	g->free_fn = free_fn;
	g->next = dp->garbage;
	dp->garbage = g;
}

void
dp_garbage_free(struct dp_garbage *list)
{
	for (struct dp_garbage *g = list, *next; g; g = next) {
		next = g->next;
		if (g->free_fn) {
			g->free_fn(g->p);
		} else {
			free(g->p);
		}
	}
}

void
dp_run(struct dp *dp)
{
	dp_reclaim(dp);
}

unsigned int
dp_n_pmds(const struct dp *dp)
{
	return dp->n_pmds;
}

struct dp_pmd *
dp_pmd_get(struct dp *dp, unsigned int idx)
{
	return idx < dp->n_pmds ? dp->pmds[idx] : NULL;
}
