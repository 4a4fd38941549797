/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exact-match cache: creation, replacement policy and sweeping. The lookup
 * is inline in emc.h because it sits on the per-packet path.
 */
#include "emc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
	/* The header, the slots, then the keys on a cache line boundary, then
	 * their IPv6 tunnel addresses. */
	size_t keys_at = (sizeof *emc + (size_t)n * sizeof(struct emc_slot) + VS_CACHE_LINE - 1) /
			 VS_CACHE_LINE * VS_CACHE_LINE;
	size_t tun6_at = keys_at + (size_t)n * sizeof(struct emc_head);

	emc = aligned_alloc(VS_CACHE_LINE, tun6_at + (size_t)n * sizeof(struct emc_tun6));
	if (!emc) {
		errno = ENOMEM;
		return NULL;
	}
	emc->mask = n - 1;
	emc->inv_prob = inv_prob;
	emc->n_inserts = 0;
	emc->n_evictions = 0;
	vs_random_seed(&emc->rng, seed);
	emc->slots = (struct emc_slot *)(void *)(emc + 1);
	emc->keys = (struct emc_head *)(void *)((char *)emc + keys_at);
	emc->tun6 = (struct emc_tun6 *)(void *)((char *)emc + tun6_at);
	memset(emc->slots, 0, (size_t)n * sizeof(struct emc_slot));
	memset(emc->keys, 0, (size_t)n * sizeof(struct emc_head));
	memset(emc->tun6, 0, (size_t)n * sizeof(struct emc_tun6));
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
	uint32_t a = hash & emc->mask, b = emc_index2(emc, hash), victim;
	const struct emc_slot *sa = &emc->slots[a], *sb = &emc->slots[b];

	if (sa->flow && sa->hash == hash && emc_key_equal(emc, a, key)) {
		victim = a;
	} else if (sb->flow && sb->hash == hash && emc_key_equal(emc, b, key)) {
		victim = b;
	} else if (!sa->flow) {
		victim = a;
	} else if (!sb->flow) {
		victim = b;
	} else {
		/* Both taken: an arbitrary but hash-spread choice, so that
		 * neither slot is always the one evicted. */
		victim = sa->hash < sb->hash ? a : b;
		emc->n_evictions++;
	}
	memcpy(emc->keys[victim].u64, key->u64, sizeof emc->keys[victim]);
	emc->slots[victim].tun6 = flow_key_tun6(key);
	if (emc->slots[victim].tun6) {
		memcpy(emc->tun6[victim].u64, &key->u64[FLOW_KEY_TUN6_WORD],
		       sizeof emc->tun6[victim]);
	}
	emc->slots[victim].hash = hash;
	emc->slots[victim].flow = flow;
	emc->n_inserts++;
}

uint32_t
emc_sweep(struct emc *emc, bool (*is_dead)(const void *flow, void *aux), void *aux)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i <= emc->mask; i++) {
		struct emc_slot *e = &emc->slots[i];

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
		n += emc->slots[i].flow != NULL;
	}
	return n;
}
