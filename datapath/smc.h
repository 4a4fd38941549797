/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signature-match cache: one per PMD thread, owned and touched only by it,
 * for tables too large for the EMC. Where the EMC keeps 8,192 whole keys,
 * a bucket here is one cache line of six ways, each a 16-bit signature of
 * a key's hash and the megaflow that key hit: 1.5 million ways in 16 MiB.
 * A hit costs that line and the megaflow's own lines (its key, and its
 * counters, which a hit writes anyway), where the classifier probes the
 * subtables one by one until one matches, each probe a cache miss when
 * there are a million megaflows.
 *
 * The cache holds no references and is never swept. What a way names is
 * checked by its owner before use (dp_pmd.c: the megaflow still published
 * and not dead, and its mask and key matching the packet's), so a stale
 * way is only a miss; the memory it names must stay mapped, as the flow
 * arena's chunks do until the datapath goes.
 */
#ifndef VS_SMC_H
#define VS_SMC_H

#include <stdint.h>

#include "util.h"

enum {
	SMC_WAYS = 6,
	SMC_DEFAULT_BUCKETS = 1 << 18,
};

struct smc_bucket {
	uint16_t sig[SMC_WAYS];
	uint16_t next; /* the way the next insertion without a free one takes */
	uint16_t pad;
	void *flow[SMC_WAYS]; /* NULL: free */
} VS_CACHE_ALIGNED;

_Static_assert(sizeof(struct smc_bucket) == 64, "a bucket is one cache line");

struct smc {
	uint32_t mask; /* n_buckets - 1 */
	struct smc_bucket *buckets;
};

/* A cache of 'n_buckets' (a power of two); NULL with errno set on failure. */
struct smc *smc_create(uint32_t n_buckets);

/* Frees 'smc'; NULL is a no-op. */
void smc_destroy(struct smc *smc);

static inline struct smc_bucket *
smc_bucket(const struct smc *smc, uint32_t hash)
{
	return &smc->buckets[hash & smc->mask];
}

static inline uint16_t
smc_sig(uint32_t hash)
{
	return (uint16_t)(hash >> 16);
}

static inline void
smc_prefetch(const struct smc *smc, uint32_t hash)
{
	__builtin_prefetch(smc_bucket(smc, hash));
}

/* The megaflow of the first way of 'hash's bucket whose signature is
 * 'hash's, else NULL. Unchecked: see above. */
static inline void *
smc_find(const struct smc *smc, uint32_t hash)
{
	const struct smc_bucket *b = smc_bucket(smc, hash);
	uint16_t sig = smc_sig(hash);

	for (int i = 0; i < SMC_WAYS; i++) {
		if (b->sig[i] == sig && b->flow[i]) {
			return b->flow[i];
		}
	}
	return NULL;
}

/* Records that a key of 'hash' hit megaflow 'flow': in the way of the same
 * signature, else a free one, else in turn. */
static inline void
smc_insert(struct smc *smc, uint32_t hash, void *flow)
{
	struct smc_bucket *b = smc_bucket(smc, hash);
	uint16_t sig = smc_sig(hash);
	int at = -1;

	for (int i = 0; i < SMC_WAYS; i++) {
		if (b->sig[i] == sig && b->flow[i]) {
			at = i;
			break;
		}
		if (at < 0 && !b->flow[i]) {
			at = i;
		}
	}
	if (at < 0) {
		at = b->next;
		b->next = (uint16_t)((b->next + 1) % SMC_WAYS);
	}
	b->sig[at] = sig;
	b->flow[at] = flow;
}

#endif /* VS_SMC_H */
