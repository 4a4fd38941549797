/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A rule's match is its key and metadata values and a mask; the masks are
 * shared. A table of a million rules has a handful of shapes, and a mask
 * (flow key and metadata mask, 232 bytes) held once per shape instead of
 * once per rule is most of what a rule would otherwise weigh beyond its
 * key. Every distinct mask is interned here, counted by the rules that
 * hold it, and freed with the last. Rules are made and freed under
 * ofproto_lock(); so is this table.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "ofproto_priv.h"
#include "util.h"

static struct hmap masks; /* struct rule_mask, by mask_hash() */
static bool masks_ready;

static uint32_t
mask_hash(const struct flow_key *mask, const struct pipe_md *md_mask)
{
	return hash_words64(mask->u64, FLOW_KEY_U64S,
			    hash_words64(md_mask->u64, PIPE_MD_U64S, 0x2545f491u));
}

static struct rule_mask *
mask_find(const struct match *m, uint32_t hash)
{
	for (struct hmap_node *n = hmap_bucket(&masks, hash); n; n = n->next) {
		struct rule_mask *rm = CONTAINER_OF(n, struct rule_mask, hnode);

		if (n->hash == hash && flow_key_equal(&rm->mask, &m->mask) &&
		    !memcmp(&rm->md_mask, &m->md_mask, sizeof rm->md_mask)) {
			return rm;
		}
	}
	return NULL;
}

int
rule_set_match(struct rule *r, const struct match *m)
{
	uint32_t hash = mask_hash(&m->mask, &m->md_mask);
	struct rule_mask *rm;

	if (!masks_ready) {
		hmap_init(&masks);
		masks_ready = true;
	}
	rm = mask_find(m, hash);
	if (!rm) {
		rm = calloc(1, sizeof *rm);
		if (!rm) {
			return -ENOMEM;
		}
		rm->mask = m->mask;
		rm->md_mask = m->md_mask;
		if (hmap_insert(&masks, &rm->hnode, hash)) {
			free(rm);
			return -ENOMEM;
		}
	}
	rm->refcnt++;
	rule_clear_match(r);
	r->key = m->key;
	r->md = m->md;
	r->mask = rm;
	return 0;
}

void
rule_clear_match(struct rule *r)
{
	struct rule_mask *rm = (struct rule_mask *)r->mask;

	r->mask = NULL;
	if (rm && !--rm->refcnt) {
		hmap_remove(&masks, &rm->hnode);
		free(rm);
	}
}

void
rule_get_match(const struct rule *r, struct match *m)
{
	m->key = r->key;
	m->md = r->md;
	m->mask = r->mask->mask;
	m->md_mask = r->mask->md_mask;
}

bool
rule_match_equal(const struct rule *r, const struct match *m)
{
	return flow_key_equal(&r->key, &m->key) && flow_key_equal(&r->mask->mask, &m->mask) &&
	       !memcmp(&r->md, &m->md, sizeof r->md) &&
	       !memcmp(&r->mask->md_mask, &m->md_mask, sizeof m->md_mask);
}

uint32_t
rule_mask_count(void)
{
	return masks_ready ? masks.n : 0;
}
