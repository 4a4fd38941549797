/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exact-match cache: creation, replacement policy and sweeping. The lookup
 * is inline in emc.h because it sits on the per-packet path.
 */
#include "emc.h"

#include <errno.h>
#include <stdlib.h>

struct emc *
emc_create(uint32_t n_entries, uint32_t inv_prob, uint64_t seed)
{
	struct emc *emc;
	uint32_t n;

	if (n_entries > (1u << 24)) {
		errno = EINVAL;
		return NULL;
	}
	n = vs_pow2_roundup(VS_MAX(n_entries, 2u));
	emc = aligned_alloc(VS_CACHE_LINE, sizeof *emc + (size_t)n * sizeof(struct emc_entry));
	if (!emc) {
		errno = ENOMEM;
		return NULL;
	}
	emc->mask = n - 1;
	emc->inv_prob = inv_prob;
	emc->n_inserts = 0;
	emc->n_evictions = 0;
	vs_random_seed(&emc->rng, seed);
	memset(emc->entries, 0, (size_t)n * sizeof(struct emc_entry));
	return emc;
}

void
emc_destroy(struct emc *emc)
{
	free(emc);
}

void
emc_set_inv_prob(struct emc *emc, uint32_t inv_prob)
{
	emc->inv_prob = inv_prob;
	if (inv_prob == 0) {
		emc_sweep(emc, NULL, NULL);
	}
}

void
emc_insert(struct emc *emc, const struct flow_key *key, uint32_t hash, void *flow)
{
	struct emc_entry *a = &emc->entries[hash & emc->mask];
	struct emc_entry *b = &emc->entries[emc_index2(emc, hash)];
	struct emc_entry *victim;

	if (a->flow && a->hash == hash && flow_key_equal(&a->key, key)) {
		victim = a;
	} else if (b->flow && b->hash == hash && flow_key_equal(&b->key, key)) {
		victim = b;
	} else if (!a->flow) {
		victim = a;
	} else if (!b->flow) {
		victim = b;
	} else {
		/* Both taken: an arbitrary but hash-spread choice, so that
		 * neither slot is always the one evicted. */
		victim = a->hash < b->hash ? a : b;
		emc->n_evictions++;
	}
	victim->key = *key;
	victim->hash = hash;
	victim->flow = flow;
	emc->n_inserts++;
}

uint32_t
emc_sweep(struct emc *emc, bool (*is_dead)(const void *flow, void *aux), void *aux)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i <= emc->mask; i++) {
		struct emc_entry *e = &emc->entries[i];

		if (e->flow && (!is_dead || is_dead(e->flow, aux))) {
			e->flow = NULL;
			e->hash = 0;
			n++;
		}
	}
	return n;
}

uint32_t
emc_count(const struct emc *emc)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i <= emc->mask; i++) {
		n += emc->entries[i].flow != NULL;
	}
	return n;
}
