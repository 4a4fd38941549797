/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The megaflows of a PMD thread: their validation, kind (for the rule-only
 * path) and insertion, and the miss path that asks the upcall for one under
 * the input port's rate limit. Insertions hold the thread's flow mutex;
 * the lookups that find the flows (dp_pmd.c) take no lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "dp_priv.h"

size_t
dp_flow_size(uint32_t n_actions)
{
	return sizeof(struct dp_flow) + n_actions * sizeof(struct dp_action);
}

void
dp_flow_free(struct dp_pmd *pmd, struct dp_flow *f)
{
	if (f) {
		flow_arena_free(pmd->arena, f, dp_flow_size(f->n_actions));
	}
}

static bool
actions_valid(const struct dp_action *actions, uint32_t n)
{
	if (n > DP_MAX_ACTIONS) {
		return false;
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct dp_action *a = &actions[i];

		if (a->type >= DP_ACTION__MAX ||
		    (a->type == DP_ACTION_OUTPUT && a->port >= DP_MAX_PORTS) ||
		    (a->type == DP_ACTION_CLONE && a->port > n - i - 1) ||
		    ((a->type == DP_ACTION_TNL_PUSH || a->type == DP_ACTION_TNL_POP) &&
		     a->tnl.n_data > n - i - 1) ||
		    (a->type == DP_ACTION_TNL_POP &&
		     (a->tnl.key > a->tnl.n_data * DP_TNL_PAIRS ||
		      (a->port >= DP_MAX_PORTS && a->port != UINT32_MAX))) ||
		    (a->type == DP_ACTION_RECIRC && a->port >= DP_MAX_PORTS) ||
		    (a->type == DP_ACTION_METER && a->port >= DP_MAX_METERS)) {
			return false;
		}
	}
	return true;
}

/* The kind of a megaflow with 'mask' and 'actions'. A simple one needs of a
 * packet only what flow_key_extract_l2() gives, and its actions need no
 * layer offsets (the rule-only path leaves them unset). */
static enum dp_flow_kind
flow_kind(const struct flow_key *mask, const struct dp_action *actions, uint32_t n_actions)
{
	static const struct flow_key l2 = {
		.in_port = UINT32_MAX,
		.vlan_tci = 0xffff,
		.vlan_inner_tci = 0xffff,
		.eth_dst = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		.eth_src = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		.eth_type = 0xffff,
	};

	if (mask->in_port != UINT32_MAX) {
		return DP_FLOW_WILD;
	}
	for (int i = 0; i < FLOW_KEY_U64S; i++) {
		if (mask->u64[i] & ~l2.u64[i]) {
			return DP_FLOW_OTHER;
		}
	}
	for (uint32_t i = 0; i < n_actions; i++) {
		switch (actions[i].type) {
		case DP_ACTION_OUTPUT:
		case DP_ACTION_PUSH_VLAN:
		case DP_ACTION_POP_VLAN:
		case DP_ACTION_SET_VLAN:
		case DP_ACTION_SET_ETH:
		case DP_ACTION_USERSPACE:
		case DP_ACTION_CLONE:
		/* An encapsulation finds the inner headers it hashes from the
		 * L2 length (dp_tnl_push()); its header template follows. */
		case DP_ACTION_TNL_PUSH:
		case DP_ACTION_DATA:
			break;
		default:
			return DP_FLOW_OTHER;
		}
	}
	return DP_FLOW_SIMPLE;
}

void
dp_flow_account(struct dp_pmd *pmd, const struct dp_flow *f, int delta)
{
	uint32_t port = f->cls.key.in_port, *count;

	if (f->kind == DP_FLOW_WILD) {
		count = &pmd->wild_flows;
	} else if (port >= DP_MAX_PORTS) {
		return; /* no packet arrives there */
	} else if (f->kind == DP_FLOW_SIMPLE) {
		count = &pmd->simple_flows[port];
	} else {
		count = &pmd->other_flows[port];
	}
	/* Before a new flow can be found, after an old one is gone: a reader
	 * may see a simple port that is no longer, and checks every flow. */
	__atomic_store_n(count, *count + (uint32_t)delta, __ATOMIC_SEQ_CST);
}

struct dp_flow *
dp_flow_insert_locked(struct dp_pmd *pmd, const struct flow_key *key, const struct flow_key *mask,
		      const struct dp_action *actions, uint32_t n_actions, uint64_t ufid,
		      struct dp_flow **existing, int *err)
{
	struct dp_flow *f;
	struct dpcls_rule *dup;

	*existing = NULL;
	if (!actions_valid(actions, n_actions)) {
		*err = -EINVAL;
		return NULL;
	}
	f = flow_arena_alloc(pmd->arena, dp_flow_size(n_actions));
	if (!f) {
		*err = -ENOMEM;
		return NULL;
	}
	f->ufid = ufid;
	f->n_actions = (uint16_t)n_actions;
	memcpy(f->actions, actions, n_actions * sizeof f->actions[0]);
	f->out1 = n_actions == 1 && actions[0].type == DP_ACTION_OUTPUT ? actions[0].port
									: UINT32_MAX;
	f->kind = (uint8_t)flow_kind(mask, actions, n_actions);
	f->cls.key.in_port = key->in_port & mask->in_port;
	/* Counted before it can be found: a port stops being simple before
	 * one of its packets can meet a flow that is not. */
	dp_flow_account(pmd, f, 1);
	*err = dpcls_insert(pmd->cls, &f->cls, key, mask, &dup);
	if (*err) {
		dp_flow_account(pmd, f, -1);
		if (*err == -EEXIST) {
			*existing = CONTAINER_OF(dup, struct dp_flow, cls);
		}
		dp_flow_free(pmd, f);
		return NULL;
	}
	/* A cache way may name it from now on; one from the C library (over
	 * FLOW_ARENA_MAX) never, as its memory may leave the process. */
	__atomic_store_n(&f->smc_ok, dp_flow_size(n_actions) <= FLOW_ARENA_MAX, __ATOMIC_RELEASE);
	f->next = pmd->flows;
	if (f->next) {
		f->next->prev = f;
	}
	pmd->flows = f;
	pmd->n_flows++;
	if (!pmd->smc && !pmd->smc_failed && pmd->n_flows >= DP_SMC_MIN_FLOWS) {
		/* Published once, freed with the thread. A failure leaves the
		 * classifier to do without (and is not tried at every insert). */
		struct smc *smc = smc_create(SMC_DEFAULT_BUCKETS);

		pmd->smc_failed = !smc;
		__atomic_store_n(&pmd->smc, smc, __ATOMIC_RELEASE);
	}
	return f;
}

/* Takes a token of the upcall bucket of input port 'port'; false when it
 * is empty. */
static bool
upcall_allowed(struct dp_pmd *pmd, uint32_t port)
{
	uint64_t rate = __atomic_load_n(&pmd->dp->upcall_rate, __ATOMIC_RELAXED);
	uint64_t hz = rte_get_tsc_hz(), now, cap, elapsed;

	if (!rate || port >= DP_MAX_PORTS) {
		return true;
	}
	now = rte_rdtsc();
	cap = __atomic_load_n(&pmd->dp->upcall_burst, __ATOMIC_RELAXED) * hz;
	elapsed = now - pmd->upcall_tb[port].last_tsc;
	pmd->upcall_tb[port].last_tsc = now;
	/* Idle for a second or more: full (and no overflow below). */
	pmd->upcall_tb[port].tokens =
		elapsed >= hz ? cap : VS_MIN(cap, pmd->upcall_tb[port].tokens + elapsed * rate);
	if (pmd->upcall_tb[port].tokens < hz) {
		return false;
	}
	pmd->upcall_tb[port].tokens -= hz;
	return true;
}

/* dp_priv.h. The flow mutex is taken only to insert. */
struct dp_flow *
dp_flow_miss(struct dp_pmd *pmd, const struct flow_key *key, struct rte_mbuf *m, bool *limited)
{
	struct dp *dp = pmd->dp;
	struct dp_upcall_result res;
	struct dpcls_rule *rule = dpcls_lookup(pmd->cls, key);
	struct dp_flow *flow, *existing;
	int err;

	if (rule) {
		dp_stat_add(pmd, DP_STAT_MEGAFLOW_HIT, 1);
		return CONTAINER_OF(rule, struct dp_flow, cls);
	}
	dp_stat_add(pmd, DP_STAT_MISS, 1);
	if (!dp->upcall) {
		dp_stat_add(pmd, DP_STAT_UPCALL_FAIL, 1);
		return NULL;
	}
	if (!upcall_allowed(pmd, key->in_port)) {
		*limited = true;
		return NULL;
	}
	dp_stat_add(pmd, DP_STAT_UPCALL, 1);
	uint64_t start = rte_rdtsc();

	/* A revalidation that starts while the upcall translates may have missed
	 * this flow: then translate again under the new rules. */
	for (int attempt = 0;; attempt++) {
		uint64_t gen = __atomic_load_n(&dp->rules_gen, __ATOMIC_ACQUIRE);

		memset(&res.mask, 0, sizeof res.mask);
		res.n_actions = 0;
		res.ufid = 0;
		if (attempt == 8 || dp->upcall(dp->upcall_aux, key, m, &res) ||
		    !actions_valid(res.actions, res.n_actions)) {
			dp_stat_add(pmd, DP_STAT_UPCALL_FAIL, 1);
			dp_stat_add(pmd, DP_STAT_UPCALL_CYCLES, rte_rdtsc() - start);
			return NULL;
		}
		pthread_mutex_lock(&pmd->flow_mutex);
		if (__atomic_load_n(&dp->rules_gen, __ATOMIC_ACQUIRE) == gen) {
			break;
		}
		pthread_mutex_unlock(&pmd->flow_mutex);
	}
	flow = dp_flow_insert_locked(pmd, key, &res.mask, res.actions, res.n_actions, res.ufid,
				     &existing, &err);
	pthread_mutex_unlock(&pmd->flow_mutex);
	dp_stat_add(pmd, DP_STAT_UPCALL_CYCLES, rte_rdtsc() - start);
	return flow ? flow : existing;
}
