/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Megaflow classifier: tuple-space search.
 *
 * A megaflow is a (mask, masked key) pair: it matches every packet whose key,
 * ANDed with the mask, equals the masked key. Megaflows sharing a mask live in
 * one subtable, a hash table keyed by the masked key; only the words of the
 * key that the mask touches are hashed and compared. A lookup probes the
 * subtables one after another until one holds a match. Megaflows do not
 * overlap when the layer above computes masks correctly, so there are no
 * priorities: any match is the match.
 *
 * Subtables are kept in a vector ranked by hits: dpcls_sort() reorders it by
 * the hits seen since the previous sort, so the subtable most packets hit is
 * probed first.
 *
 * Concurrency: one writer at a time (the caller serialises insert, remove and
 * sort, e.g. with a mutex), any number of concurrent lock-free readers.
 * Writers never modify memory a reader may be looking at in place: a changed
 * vector or a grown hash table is a new copy published with a release store,
 * and removed slots become tombstones. Memory the writer replaced is kept on
 * a garbage list; the owner takes it with dpcls_garbage_take() and frees it
 * with dpcls_garbage_free() once every reader has been through a quiescent
 * state (RCU). Rules belong to the caller, who must likewise keep a removed
 * rule alive until readers are quiescent.
 */
#ifndef VS_DPCLS_H
#define VS_DPCLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow_key.h"

struct dpcls;
struct dpcls_subtable;

/* One megaflow's classifier part, embedded in the caller's flow struct. */
struct dpcls_rule {
	struct dpcls_subtable *subtable;
	uint32_t hash;
	uint32_t pad;
	struct flow_key key; /* masked key */
};

struct dpcls_garbage {
	size_t n;
	size_t cap;
	void **ptrs;
};

/* Creates an empty classifier; NULL with errno set on failure. */
struct dpcls *dpcls_create(void);

/* Frees 'cls' and its garbage (no reader may be active); NULL is a no-op.
 * The rules are the caller's. */
void dpcls_destroy(struct dpcls *cls);

/* Inserts 'rule', matching 'key' under 'mask'. Writer side.
 * Returns 0, -EEXIST if a rule with the same mask and masked key is present
 * (it is stored in '*existing' when that is not NULL), or -ENOMEM. */
int dpcls_insert(struct dpcls *cls, struct dpcls_rule *rule, const struct flow_key *key,
		 const struct flow_key *mask, struct dpcls_rule **existing);

/* Removes 'rule', which must be in 'cls'. Writer side. */
void dpcls_remove(struct dpcls *cls, struct dpcls_rule *rule);

/* Returns the mask of 'rule' (which must be in a classifier). */
const struct flow_key *dpcls_rule_mask(const struct dpcls_rule *rule);

/* True when 'key' matches 'rule', which must be in a classifier. Reader
 * side: for a rule found by other means (a cache of earlier lookups). */
bool dpcls_rule_matches(const struct dpcls_rule *rule, const struct flow_key *key);

/* Reorders the subtables by hits since the previous call. Writer side. */
void dpcls_sort(struct dpcls *cls);

/* Looks up the keys[i] whose bit is set in 'map' (n <= 32). For each match
 * sets rules[i] and the bit i of the returned map. Adds to '*n_probes' the
 * number of subtables probed for the keys that matched. Reader side. */
uint32_t dpcls_lookup_batch(struct dpcls *cls, const struct flow_key *const keys[], uint32_t map,
			    struct dpcls_rule *rules[], uint64_t *n_probes);

/* Looks up one key; returns the matching rule or NULL. Reader side. */
struct dpcls_rule *dpcls_lookup(struct dpcls *cls, const struct flow_key *key);

/* Number of rules and of subtables. */
uint32_t dpcls_count(const struct dpcls *cls);
uint32_t dpcls_n_subtables(const struct dpcls *cls);

/* Moves the garbage accumulated by writers into 'g' (which must be empty or
 * zeroed). Writer side. */
void dpcls_garbage_take(struct dpcls *cls, struct dpcls_garbage *g);

/* Frees what 'g' holds and empties it. Call only once no reader can still
 * see it. */
void dpcls_garbage_free(struct dpcls_garbage *g);

#endif /* VS_DPCLS_H */
