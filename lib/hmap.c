/* SPDX-License-Identifier: Apache-2.0 */
/* The intrusive chained hash map of hmap.h. */
#include "hmap.h"

#include <errno.h>
#include <stdlib.h>

enum { HMAP_MIN_BUCKETS = 8 };

void
hmap_init(struct hmap *map)
{
	map->buckets = NULL;
	map->mask = 0;
	map->n = 0;
}

void
hmap_destroy(struct hmap *map)
{
	free(map->buckets);
	hmap_init(map);
}

static void
resize(struct hmap *map, uint32_t n_buckets)
{
	struct hmap_node **b = calloc(n_buckets, sizeof *b);

	if (!b) {
		return;
	}
	for (uint32_t i = 0; map->buckets && i <= map->mask; i++) {
		struct hmap_node *node = map->buckets[i];

		while (node) {
			struct hmap_node *next = node->next;
			struct hmap_node **slot = &b[node->hash & (n_buckets - 1)];

			node->next = *slot;
			*slot = node;
			node = next;
		}
	}
	free(map->buckets);
	map->buckets = b;
	map->mask = n_buckets - 1;
}

int
hmap_insert(struct hmap *map, struct hmap_node *node, uint32_t hash)
{
	struct hmap_node **slot;

	if (!map->buckets) {
		resize(map, HMAP_MIN_BUCKETS);
		if (!map->buckets) {
			return -ENOMEM;
		}
	} else if (map->n > map->mask && map->mask < UINT32_MAX / 4) {
		resize(map, (map->mask + 1) * 2);
	}
	node->hash = hash;
	slot = &map->buckets[hash & map->mask];
	node->next = *slot;
	*slot = node;
	map->n++;
	return 0;
}

void
hmap_remove(struct hmap *map, struct hmap_node *node)
{
	struct hmap_node **pp = &map->buckets[node->hash & map->mask];

	while (*pp != node) {
		pp = &(*pp)->next;
	}
	*pp = node->next;
	map->n--;
	if (!map->n) {
		hmap_destroy(map);
	}
}

void
hmap_replace(struct hmap *map, struct hmap_node *old, struct hmap_node *new)
{
	struct hmap_node **pp = &map->buckets[old->hash & map->mask];

	while (*pp != old) {
		pp = &(*pp)->next;
	}
	new->hash = old->hash;
	new->next = old->next;
	*pp = new;
}

void
hmap_for_each(const struct hmap *map, void (*cb)(struct hmap_node *node, void *aux), void *aux)
{
	for (uint32_t i = 0; map->buckets && i <= map->mask; i++) {
		for (struct hmap_node *node = map->buckets[i]; node;) {
			struct hmap_node *next = node->next;

			cb(node, aux);
			node = next;
		}
	}
}
