/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One OpenFlow flow table: a classifier of flow entries (struct rule) by
 * tuple-space search, built for a million entries.
 *
 * Rules that share a mask (and pipeline metadata mask) live in one subtable, a hash
 * table of their masked keys. A lookup visits the subtables in order of the
 * highest priority they hold and stops as soon as the best match found so
 * far beats every subtable left, so a miss costs a few hash probes per
 * subtable whatever the number of rules.
 *
 * Megaflows stay wide through staged lookup. A subtable's key is cut into
 * stages, one per 64-bit word its mask touches (the metadata and registers first), and
 * every prefix of stages that some rule has is a node in a tree of stages
 * that counts the rules below it. A lookup walks the tree word by word and
 * stops at the first word no rule shares; it un-wildcards a word only when
 * some rule agreed with the packet up to that word and differed there. That
 * is exactly what a linear scan proves rule by rule ("this rule differs in
 * that word"), so a subtable costs the megaflow no more bits than the rules
 * a linear scan would have looked at. (It may cost more when a subtable also
 * holds rules of lower priority than the winner, which a linear scan would
 * never have reached.)
 *
 * Strict operations (add, modify and delete strict, the same-rule check of
 * an add) find the subtable by its mask and the rule by its key: O(1)
 * expected. Rules of equal priority that overlap are chosen oldest first,
 * as in insertion order; a rule that replaces another keeps its age.
 *
 * Control thread only, under ofproto_lock() (translation runs there too).
 */
#ifndef VS_OFTABLE_H
#define VS_OFTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "flow_key.h"
#include "hmap.h"
#include "ofp_match.h"

struct rule;
struct subtable;

struct oftable {
	struct hmap subtables_by_mask;
	struct subtable **subtables; /* by decreasing highest priority */
	uint32_t n_subtables, cap_subtables;
	struct rule *first; /* every rule, newest first */
	uint32_t n;         /* rules */
	uint64_t next_seq;
	uint64_t lookups, matches;
};

/* What a rule carries for the classifier; embedded in struct rule. */
struct oftable_node {
	struct hmap_node hnode;    /* in its subtable, when it heads its key */
	struct rule *dup_next;     /* same key, lower precedence */
	struct rule *prev, *next;  /* the table's list of every rule */
	struct subtable *subtable; /* NULL: not in a table */
	struct stage_node *parent; /* the stage node its key ends in */
	uint64_t seq;              /* age: lower is older */
};

/* The order in which a lookup examines the words of a flow key (L2, L3,
 * then the transport ports); the linear test oracle follows it too. */
extern const int8_t oftable_stage_order[FLOW_KEY_U64S];

void oftable_init(struct oftable *t);
/* Forgets every rule (the caller frees them) and frees the classifier. */
void oftable_destroy(struct oftable *t);

/* Inserts 'r' (its match and priority set, not in any table). The caller
 * has checked that no rule of the same match and priority is there.
 * Returns 0 or -ENOMEM (nothing changed). */
int oftable_insert(struct oftable *t, struct rule *r);
/* Removes 'r' from 't'. */
void oftable_remove(struct oftable *t, struct rule *r);
/* Puts 'new' (same match and priority, not in a table) where 'old' is;
 * 'new' keeps the age of 'old', which leaves the table. */
void oftable_replace(struct oftable *t, struct rule *old, struct rule *new);

/* The rule with exactly match 'm' and 'priority', or NULL. */
struct rule *oftable_find_strict(const struct oftable *t, const struct match *m, uint16_t priority);

/* The highest-priority rule (oldest among equals) that a packet with 'flow'
 * and pipeline metadata 'md' matches, or NULL. ORs into 'wc' (unless NULL)
 * the bits of 'flow' the answer depends on ('md' is known to the
 * translation: it has no wildcards). */
struct rule *oftable_lookup(const struct oftable *t, const struct flow_key *flow,
			    const struct pipe_md *md, struct flow_key *wc);

/* True if a rule of 'priority' other than an identical one could match a
 * packet that 'm' matches (the check_overlap test). */
bool oftable_overlaps(const struct oftable *t, const struct match *m, uint16_t priority);

/* Iteration: oftable_first(), then oftable_next() (safe to take before
 * removing the current rule). */
struct rule *oftable_first(const struct oftable *t);
struct rule *oftable_next(const struct rule *r);

/* Every rule in lookup order (priority, then age): a new array of t->n
 * pointers (NULL with t->n == 0 or on ENOMEM: check '*n'). */
struct rule **oftable_sorted(const struct oftable *t, uint32_t *n);

/* The number of subtables (for statistics and tests). */
uint32_t oftable_n_subtables(const struct oftable *t);

#endif /* VS_OFTABLE_H */
