/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Meters (dp.h): token buckets per band, filled by whichever PMD thread
 * runs a packet through the meter first after time has passed, and emptied
 * by every packet. All of it is atomics, so that several PMD threads may
 * share a meter without a lock; a band's bucket may briefly read one
 * packet's worth off under contention, never more.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "dp_priv.h"

static struct dp_meter_bands *
bands_create(const struct dp_meter_cfg *cfg)
{
	struct dp_meter_bands *b = calloc(1, sizeof *b);
	double hz = (double)rte_get_tsc_hz();

	if (!b) {
		return NULL;
	}
	b->cfg = *cfg;
	b->last_tsc = rte_get_tsc_cycles();
	for (uint32_t i = 0; i < cfg->n_bands; i++) {
		/* Bits for kbit/s, thousandths of a packet for packets/s. */
		double per_s = (double)cfg->bands[i].rate * 1000.0;
		uint64_t burst = cfg->bands[i].burst ? cfg->bands[i].burst : cfg->bands[i].rate;

		b->per_tsc[i] = per_s / hz;
		b->capacity[i] = (int64_t)(burst * 1000ull);
		b->tokens[i] = b->capacity[i];
		b->order[i] = (uint8_t)i;
	}
	/* Highest rate first: the first band a packet exceeds acts on it. */
	for (uint32_t i = 1; i < cfg->n_bands; i++) {
		for (uint32_t j = i;
		     j > 0 && cfg->bands[b->order[j]].rate > cfg->bands[b->order[j - 1]].rate;
		     j--) {
			uint8_t t = b->order[j];

			b->order[j] = b->order[j - 1];
			b->order[j - 1] = t;
		}
	}
	return b;
}

int
dp_meter_set(struct dp *dp, uint32_t id, const struct dp_meter_cfg *cfg)
{
	struct dp_meter *m;
	struct dp_meter_bands *nb, *old;

	if (id >= DP_MAX_METERS || cfg->n_bands > DP_METER_BANDS) {
		return -EINVAL;
	}
	for (uint32_t i = 0; i < cfg->n_bands; i++) {
		if ((cfg->bands[i].type != DP_METER_DROP && cfg->bands[i].type != DP_METER_DSCP) ||
		    !cfg->bands[i].rate) {
			return -EINVAL;
		}
	}
	if (!(nb = bands_create(cfg))) {
		return -ENOMEM;
	}
	m = dp->meters[id];
	if (!m) {
		if (!(m = calloc(1, sizeof *m))) {
			free(nb);
			return -ENOMEM;
		}
		m->bands = nb;
		__atomic_store_n(&dp->meters[id], m, __ATOMIC_RELEASE);
		return 0;
	}
	old = m->bands;
	__atomic_store_n(&m->bands, nb, __ATOMIC_RELEASE);
	dp_retire(dp, &old->gc, old, NULL);
	return 0;
}

void
dp_meter_del(struct dp *dp, uint32_t id)
{
	struct dp_meter *m = id < DP_MAX_METERS ? dp->meters[id] : NULL;

	if (!m) {
		return;
	}
	__atomic_store_n(&dp->meters[id], NULL, __ATOMIC_RELEASE);
	dp_retire(dp, &m->bands->gc, m->bands, NULL);
	dp_retire(dp, &m->gc, m, NULL);
}

void
dp_meters_free(struct dp *dp)
{
	for (uint32_t i = 0; i < DP_MAX_METERS; i++) {
		if (dp->meters[i]) {
			free(dp->meters[i]->bands);
			free(dp->meters[i]);
			dp->meters[i] = NULL;
		}
	}
}

int
dp_meter_get_stats(struct dp *dp, uint32_t id, struct dp_meter_stats *s)
{
	struct dp_meter *m;
	struct dp_meter_bands *b;

	memset(s, 0, sizeof *s);
	/* Control thread: the meter cannot go away under us. */
	m = id < DP_MAX_METERS ? __atomic_load_n(&dp->meters[id], __ATOMIC_ACQUIRE) : NULL;
	if (!m) {
		return -ENOENT;
	}
	b = __atomic_load_n(&m->bands, __ATOMIC_ACQUIRE);
	s->packets = __atomic_load_n(&m->packets, __ATOMIC_RELAXED);
	s->bytes = __atomic_load_n(&m->bytes, __ATOMIC_RELAXED);
	for (uint32_t i = 0; i < b->cfg.n_bands; i++) {
		s->band_packets[i] = __atomic_load_n(&b->band_packets[i], __ATOMIC_RELAXED);
		s->band_bytes[i] = __atomic_load_n(&b->band_bytes[i], __ATOMIC_RELAXED);
	}
	return 0;
}

/* Adds the tokens earned since the last fill; one thread wins the fill. */
static void
fill(struct dp_meter_bands *b, uint64_t now)
{
	uint64_t last = __atomic_load_n(&b->last_tsc, __ATOMIC_RELAXED);
	uint64_t elapsed;

	if (now <= last || !__atomic_compare_exchange_n(&b->last_tsc, &last, now, false,
							__ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
		return;
	}
	elapsed = now - last;
	for (uint32_t i = 0; i < b->cfg.n_bands; i++) {
		double add = (double)elapsed * b->per_tsc[i];
		int64_t inc = add > (double)b->capacity[i] ? b->capacity[i] : (int64_t)add;
		int64_t t = __atomic_add_fetch(&b->tokens[i], inc, __ATOMIC_RELAXED);

		if (t > b->capacity[i]) {
			__atomic_fetch_sub(&b->tokens[i], t - b->capacity[i], __ATOMIC_RELAXED);
		}
	}
}

/* Takes 'cost' tokens from band 'i'; false (and nothing taken) if it has
 * not enough. */
static bool
take(struct dp_meter_bands *b, uint32_t i, int64_t cost)
{
	if (__atomic_sub_fetch(&b->tokens[i], cost, __ATOMIC_RELAXED) >= 0) {
		return true;
	}
	__atomic_fetch_add(&b->tokens[i], cost, __ATOMIC_RELAXED);
	return false;
}

uint16_t
dp_meter_run(struct dp_pmd *pmd, uint32_t id, struct rte_mbuf **pkts, uint16_t n)
{
	struct dp_meter *m =
		id < DP_MAX_METERS ? __atomic_load_n(&pmd->dp->meters[id], __ATOMIC_ACQUIRE) : NULL;
	struct dp_meter_bands *b;
	uint16_t kept = 0;

	if (!m) {
		return n; /* deleted while its megaflows go: unmetered */
	}
	b = __atomic_load_n(&m->bands, __ATOMIC_ACQUIRE);
	fill(b, rte_get_tsc_cycles());
	for (uint16_t k = 0; k < n; k++) {
		struct rte_mbuf *p = pkts[k];
		uint32_t len = rte_pktmbuf_pkt_len(p);
		int64_t cost_bits = (int64_t)len * 8, cost_pkts = 1000;
		int act = -1;

		__atomic_fetch_add(&m->packets, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&m->bytes, len, __ATOMIC_RELAXED);
		for (uint32_t j = 0; j < b->cfg.n_bands; j++) {
			uint32_t i = b->order[j];

			if (!take(b, i, b->cfg.pktps ? cost_pkts : cost_bits) && act < 0) {
				act = (int)i;
			}
		}
		if (act >= 0) {
			__atomic_fetch_add(&b->band_packets[act], 1, __ATOMIC_RELAXED);
			__atomic_fetch_add(&b->band_bytes[act], len, __ATOMIC_RELAXED);
			if (b->cfg.bands[act].type == DP_METER_DROP) {
				dp_pmd_drop(pmd, p, DP_DROP_METER);
				continue;
			}
			dp_pkt_remark_dscp(p, b->cfg.bands[act].prec_level);
		}
		pkts[kept++] = p;
	}
	return kept;
}
