/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exact-match cache: one per PMD thread, owned and touched only by it.
 *
 * A power-of-two array of entries, each holding a full flow key, its hash and
 * an opaque pointer to the megaflow the key hit. A key may live in one of two
 * slots (two index functions of its hash), so two hot flows that collide on
 * one slot can both stay. Lookups compare the hash, then the whole key. The
 * hashes and pointers are an array of their own, four to a cache line, the
 * keys' first sixteen words another, two lines each, and their IPv6 tunnel
 * addresses (the last four) a third, read only for a key that has them (a
 * slot says so): a slot whose hash differs costs one line, a hit two more,
 * and an entry 176 bytes.
 *
 * Insertion is probabilistic: emc_maybe_insert() inserts with probability
 * 1/N, so that a burst of short flows does not evict the long-lived ones
 * (with many flows the cache thrashes and the classifier takes over). N = 0
 * disables the cache: lookups miss at once and nothing is inserted.
 *
 * The cache holds no references. Its owner must remove entries whose
 * megaflow is going away before that megaflow is freed (emc_sweep()).
 */
#ifndef VS_EMC_H
#define VS_EMC_H

#include <stdbool.h>
#include <stdint.h>

#include "flow_key.h"
#include "random.h"

enum { EMC_DEFAULT_ENTRIES = 8192, EMC_DEFAULT_INV_PROB = 100 };

struct emc_slot {
	uint32_t hash;
	uint32_t tun6; /* the key has IPv6 tunnel addresses (in 'tun6') */
	void *flow;    /* NULL: empty */
};

/* The words of a cached key up to its IPv6 tunnel addresses. */
struct emc_head {
	uint64_t u64[FLOW_KEY_TUN6_WORD];
};

/* Its IPv6 tunnel addresses. */
struct emc_tun6 {
	uint64_t u64[FLOW_KEY_U64S - FLOW_KEY_TUN6_WORD];
};

struct emc {
	uint32_t mask; /* n_entries - 1 */
	uint32_t inv_prob;
	struct vs_random rng;
	uint64_t n_inserts;
	uint64_t n_evictions;   /* inserts that pushed out another live key */
	struct emc_slot *slots; /* n_entries of each, in the same allocation */
	struct emc_head *keys;  /* cache-line aligned */
	struct emc_tun6 *tun6;
};

/* Creates a cache of 'n_entries' (rounded up to a power of two, at least 2)
 * inserting with probability 1/'inv_prob' (0 disables it). Returns NULL with
 * errno set on failure. */
struct emc *emc_create(uint32_t n_entries, uint32_t inv_prob, uint64_t seed);

/* Frees 'emc'; NULL is a no-op. */
void emc_destroy(struct emc *emc);

/* Changes the insertion probability (0 disables and empties the cache). */
void emc_set_inv_prob(struct emc *emc, uint32_t inv_prob);

static inline bool
emc_enabled(const struct emc *emc)
{
	return emc->inv_prob != 0;
}

static inline uint32_t
emc_index2(const struct emc *emc, uint32_t hash)
{
	return (hash >> 16 | hash << 16) & emc->mask;
}

/* Prefetches the two entries a key with 'hash' may occupy. */
static inline void
emc_prefetch(const struct emc *emc, uint32_t hash)
{
	uint32_t a = hash & emc->mask, b = emc_index2(emc, hash);

	__builtin_prefetch(&emc->slots[a]);
	__builtin_prefetch(&emc->keys[a]);
	__builtin_prefetch(&emc->slots[b]);
	__builtin_prefetch(&emc->keys[b]);
}

/* True when entry 'i' holds 'key'. */
static inline bool
emc_key_equal(const struct emc *emc, uint32_t i, const struct flow_key *key)
{
	if (!flow_key_equal_head(emc->keys[i].u64, key)) {
		return false;
	}
	return emc->slots[i].tun6 ? !memcmp(emc->tun6[i].u64, &key->u64[FLOW_KEY_TUN6_WORD],
					    sizeof emc->tun6[i])
				  : !flow_key_tun6(key);
}

/* Returns the megaflow cached for 'key' (whose flow_key_hash is 'hash'), or
 * NULL. */
static inline void *
emc_lookup(const struct emc *emc, const struct flow_key *key, uint32_t hash)
{
	uint32_t i = hash & emc->mask;

	if (emc->slots[i].hash == hash && emc->slots[i].flow && emc_key_equal(emc, i, key)) {
		return emc->slots[i].flow;
	}
	i = emc_index2(emc, hash);
	if (emc->slots[i].hash == hash && emc->slots[i].flow && emc_key_equal(emc, i, key)) {
		return emc->slots[i].flow;
	}
	return NULL;
}

/* Caches 'key' -> 'flow' unconditionally, replacing an entry if needed. */
void emc_insert(struct emc *emc, const struct flow_key *key, uint32_t hash, void *flow);

/* Caches 'key' -> 'flow' with the configured probability. */
static inline void
emc_maybe_insert(struct emc *emc, const struct flow_key *key, uint32_t hash, void *flow)
{
	if (emc->inv_prob == 0) {
		return;
	}
	if (emc->inv_prob == 1 || vs_random_range(&emc->rng, emc->inv_prob) == 0) {
		emc_insert(emc, key, hash, flow);
	}
}

/* Empties every entry for which 'is_dead'(flow, 'aux') is true (all of them
 * when 'is_dead' is NULL). Returns how many were emptied. */
uint32_t emc_sweep(struct emc *emc, bool (*is_dead)(const void *flow, void *aux), void *aux);

/* Number of occupied entries (for statistics and tests). */
uint32_t emc_count(const struct emc *emc);

#endif /* VS_EMC_H */
