/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Receive-queue placement: which PMD thread polls each receive queue,
 * pinning by a port's pmd-rxq-affinity, and rebalancing by measured load.
 * A thread's list of queues is replaced whole and published with a release
 * store; the old one is freed once no thread can be reading it (RCU). See
 * dp.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dp_priv.h"
#include "log.h"

static struct dp_rxq_list *
list_new(uint32_t cap)
{
	struct dp_rxq_list *l = malloc(sizeof *l + (cap ? cap : 1) * sizeof l->q[0]);

	if (l) {
		l->n = 0;
	}
	return l;
}

/* Copies the counters of queue 'q' as 'pmd' last wrote them. */
static void
counters_load(struct dp_rxq *dst, const struct dp_rxq *q)
{
	dst->polls = __atomic_load_n(&q->polls, __ATOMIC_RELAXED);
	dst->bursts = __atomic_load_n(&q->bursts, __ATOMIC_RELAXED);
	dst->packets = __atomic_load_n(&q->packets, __ATOMIC_RELAXED);
	dst->cycles = __atomic_load_n(&q->cycles, __ATOMIC_RELAXED);
}

/* Publishes a new list for 'pmd': its queues but those of 'del_port', plus
 * 'add' (may be NULL); frees the old one once no thread can read it. */
static int
pmd_rxqs_update(struct dp *dp, struct dp_pmd *pmd, const struct dp_rxq *add, uint32_t del_port)
{
	struct dp_rxq_list *old = pmd->rxqs, *new = list_new(old->n + 1);

	if (!new) {
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < old->n; i++) {
		if (old->q[i].port_no != del_port) {
			new->q[new->n] = old->q[i];
			counters_load(&new->q[new->n++], &old->q[i]);
		}
	}
	if (add) {
		new->q[new->n++] = *add;
	}
	__atomic_store_n(&pmd->rxqs, new, __ATOMIC_RELEASE);
	dp_synchronize(dp);
	free(old);
	return 0;
}

static bool
pmd_has_pinned(const struct dp_pmd *pmd)
{
	for (uint32_t i = 0; i < pmd->rxqs->n; i++) {
		if (pmd->rxqs->q[i].pinned) {
			return true;
		}
	}
	return false;
}

/* Of the threads without pinned queues (all, if each has some), the one
 * with the fewest queues. */
static struct dp_pmd *
least_loaded_pmd(struct dp *dp)
{
	struct dp_pmd *best = NULL;
	bool any_free = false;

	for (unsigned int i = 0; i < dp->n_pmds; i++) {
		any_free |= !pmd_has_pinned(dp->pmds[i]);
	}
	for (unsigned int i = 0; i < dp->n_pmds; i++) {
		struct dp_pmd *pmd = dp->pmds[i];

		if ((!any_free || !pmd_has_pinned(pmd)) &&
		    (!best || pmd->rxqs->n < best->rxqs->n)) {
			best = pmd;
		}
	}
	return best;
}

static struct dp_pmd *
pmd_on_cpu(const struct dp *dp, int cpu)
{
	for (unsigned int i = 0; cpu >= 0 && i < dp->n_pmds; i++) {
		if (dp->pmds[i]->cpu == cpu) {
			return dp->pmds[i];
		}
	}
	return NULL;
}

bool
dp_pmd_on_cpu(const struct dp *dp, int cpu)
{
	return pmd_on_cpu(dp, cpu) != NULL;
}

int
dp_rxqs_place(struct dp *dp, struct port *port, uint32_t port_no)
{
	for (uint16_t q = 0; q < port_n_rxq(port); q++) {
		int cpu = port_rxq_cpu(port, q);
		struct dp_pmd *pin = pmd_on_cpu(dp, cpu);
		struct dp_rxq rxq = {.port = port,
				     .rx = port->ops->rx_burst,
				     .port_no = port_no,
				     .qid = q,
				     .pinned = pin != NULL};
		int err;

		if (cpu >= 0 && !pin && dp->threaded) {
			/* vswitchd refuses such a port; never leave a queue unpolled. */
			VLOG_WARN("dp",
				  "port %s: queue %u is pinned to CPU %d, which runs no PMD thread",
				  port_name(port), q, cpu);
		}
		err = pmd_rxqs_update(dp, pin ? pin : least_loaded_pmd(dp), &rxq, UINT32_MAX);
		if (err) {
			return err;
		}
	}
	return 0;
}

void
dp_rxqs_remove(struct dp *dp, uint32_t port_no)
{
	for (unsigned int i = 0; i < dp->n_pmds; i++) {
		while (pmd_rxqs_update(dp, dp->pmds[i], NULL, port_no)) {
			dp_synchronize(dp); /* out of memory: retry */
		}
	}
}

int
dp_pmd_get_rxqs(struct dp *dp, unsigned int idx, int *cpu, struct dp_rxq_info *rxqs,
		unsigned int max)
{
	const struct dp_rxq_list *l;

	if (idx >= dp->n_pmds) {
		return -ENOENT;
	}
	*cpu = dp->pmds[idx]->cpu;
	l = dp->pmds[idx]->rxqs; /* only the control thread replaces it */
	for (uint32_t i = 0; i < l->n && i < max; i++) {
		const struct dp_rxq *q = &l->q[i];

		rxqs[i].port_no = q->port_no;
		rxqs[i].qid = q->qid;
		rxqs[i].polls = __atomic_load_n(&q->polls, __ATOMIC_RELAXED);
		rxqs[i].bursts = __atomic_load_n(&q->bursts, __ATOMIC_RELAXED);
		rxqs[i].packets = __atomic_load_n(&q->packets, __ATOMIC_RELAXED);
		rxqs[i].cycles = __atomic_load_n(&q->cycles, __ATOMIC_RELAXED);
		rxqs[i].pinned = q->pinned;
	}
	return (int)l->n;
}

/* ---- Rebalancing ---- */

struct rxq_move {
	struct dp_rxq q;
	uint64_t load;     /* cycles since the previous rebalance */
	unsigned int from; /* the thread that polls it now */
};

static int
cmp_load(const void *a, const void *b)
{
	const struct rxq_move *x = a, *y = b;

	if (x->load != y->load) {
		return x->load > y->load ? -1 : 1;
	}
	if (x->q.port_no != y->q.port_no) {
		return x->q.port_no < y->q.port_no ? -1 : 1;
	}
	return x->q.qid < y->q.qid ? -1 : x->q.qid > y->q.qid;
}

/* The counters of the queue like 'q' in 'l', if it is there. */
static void
counters_refresh(struct dp_rxq *q, const struct dp_rxq_list *l)
{
	for (uint32_t i = 0; i < l->n; i++) {
		if (l->q[i].port_no == q->port_no && l->q[i].qid == q->qid) {
			counters_load(q, &l->q[i]);
			return;
		}
	}
}

int
dp_rxqs_rebalance(struct dp *dp)
{
	struct dp_rxq_list *next[DP_MAX_PMDS] = {NULL}, *stay[DP_MAX_PMDS] = {NULL};
	struct dp_rxq_list *old[DP_MAX_PMDS];
	uint64_t load[DP_MAX_PMDS] = {0};
	bool pinned[DP_MAX_PMDS] = {false}, any_free = false;
	unsigned int n = dp->n_pmds, total = 0, n_mv = 0;
	struct rxq_move *mv;
	int moved = 0;

	for (unsigned int i = 0; i < n; i++) {
		old[i] = dp->pmds[i]->rxqs;
		total += old[i]->n;
	}
	mv = calloc(total ? total : 1, sizeof *mv);
	for (unsigned int i = 0; i < n; i++) {
		next[i] = list_new(total);
		stay[i] = list_new(total);
		if (!mv || !next[i] || !stay[i]) {
			moved = -ENOMEM;
			goto out;
		}
	}
	/* Pinned queues stay and count on their thread; the others are
	 * placed again, busiest first. */
	for (unsigned int i = 0; i < n; i++) {
		for (uint32_t k = 0; k < old[i]->n; k++) {
			struct dp_rxq q = old[i]->q[k];

			counters_load(&q, &old[i]->q[k]);
			if (q.pinned) {
				load[i] += q.cycles - q.load_base;
				pinned[i] = true;
				next[i]->q[next[i]->n++] = q;
				stay[i]->q[stay[i]->n++] = q;
			} else {
				mv[n_mv++] = (struct rxq_move){q, q.cycles - q.load_base, i};
			}
		}
	}
	for (unsigned int i = 0; i < n; i++) {
		any_free |= !pinned[i];
	}
	qsort(mv, n_mv, sizeof *mv, cmp_load);
	for (unsigned int m = 0; m < n_mv; m++) {
		unsigned int best = n;

		for (unsigned int i = 0; i < n; i++) {
			if ((any_free && pinned[i]) ||
			    (best < n && (load[i] > load[best] || (load[i] == load[best] &&
								   next[i]->n >= next[best]->n)))) {
				continue;
			}
			best = i;
		}
		load[best] += mv[m].load;
		next[best]->q[next[best]->n++] = mv[m].q;
		if (best == mv[m].from) {
			stay[best]->q[stay[best]->n++] = mv[m].q;
		} else {
			moved++;
		}
	}
	if (!moved) {
		/* Nothing moves: only a new baseline, which no PMD thread reads. */
		for (unsigned int i = 0; i < n; i++) {
			for (uint32_t k = 0; k < old[i]->n; k++) {
				old[i]->q[k].load_base =
					__atomic_load_n(&old[i]->q[k].cycles, __ATOMIC_RELAXED);
			}
		}
		goto out;
	}
	/* Two steps, so that no queue is ever polled by two threads: first
	 * every thread drops the queues it gives away, then the new lists. */
	for (unsigned int i = 0; i < n; i++) {
		__atomic_store_n(&dp->pmds[i]->rxqs, stay[i], __ATOMIC_RELEASE);
	}
	dp_synchronize(dp);
	for (unsigned int i = 0; i < n; i++) {
		for (uint32_t k = 0; k < next[i]->n; k++) {
			struct dp_rxq *q = &next[i]->q[k];

			counters_refresh(q, stay[i]);
			for (unsigned int j = 0; j < n; j++) {
				if (j != i) {
					counters_refresh(q, old[j]); /* given away: final */
				}
			}
			q->load_base = q->cycles;
		}
		__atomic_store_n(&dp->pmds[i]->rxqs, next[i], __ATOMIC_RELEASE);
		next[i] = old[i]; /* freed below */
	}
	dp_synchronize(dp);
	VLOG_INFO("dp", "rebalanced receive queues: %d of %u moved", moved, n_mv);
out:
	for (unsigned int i = 0; i < n; i++) {
		free(next[i]);
		free(stay[i]);
	}
	free(mv);
	return moved;
}
