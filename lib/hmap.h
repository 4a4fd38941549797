/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An intrusive chained hash map: the caller embeds a struct hmap_node in its
 * own struct, computes the hash, and compares keys itself while walking one
 * bucket. The bucket array doubles when the map holds more nodes than
 * buckets, so inserts and removes cost O(1) expected. Control-thread only:
 * nothing here is safe for concurrent readers.
 */
#ifndef VS_HMAP_H
#define VS_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hmap_node {
	struct hmap_node *next;
	uint32_t hash;
};

struct hmap {
	struct hmap_node **buckets;
	uint32_t mask; /* number of buckets - 1 */
	uint32_t n;
};

/* An empty map; allocates nothing until the first insert. */
void hmap_init(struct hmap *map);
/* Frees the bucket array (not the nodes). */
void hmap_destroy(struct hmap *map);
/* Inserts 'node' with 'hash'. Returns 0, or -ENOMEM when the bucket array
 * could not be created (a failed growth is not an error: chains only get
 * longer). */
int hmap_insert(struct hmap *map, struct hmap_node *node, uint32_t hash);
/* Removes 'node', which must be in 'map'. */
void hmap_remove(struct hmap *map, struct hmap_node *node);
/* Puts 'new' where 'old' (in 'map') is, with the same hash. */
void hmap_replace(struct hmap *map, struct hmap_node *old, struct hmap_node *new);

/* The first node of the bucket of 'hash' (check node->hash yourself), or
 * NULL. */
static inline struct hmap_node *
hmap_bucket(const struct hmap *map, uint32_t hash)
{
	return map->buckets ? map->buckets[hash & map->mask] : NULL;
}

/* Every node: 'cb' may not change the map. */
void hmap_for_each(const struct hmap *map, void (*cb)(struct hmap_node *node, void *aux),
		   void *aux);

#endif /* VS_HMAP_H */
