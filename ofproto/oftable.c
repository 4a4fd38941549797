/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The flow table classifier of oftable.h: subtables by mask, each a tree of
 * stage nodes (counted prefixes of the masked key, one word per level) whose
 * last level holds the rules, plus the order of the subtables by priority.
 * The stages go from L2 to L3 to L4 (oftable_stage_order), and a subtable
 * that matches an IP address on a prefix keeps its rules' addresses in a
 * prefix index (oftable_prefix.h), so that a packet no address of it
 * matches un-wildcards only the address bits that prove it.
 */
#include "oftable.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "ofproto_priv.h"
#include "oftable_prefix.h"

enum { MAX_STAGES = FLOW_KEY_U64S + PIPE_MD_U64S };

/* The tunnel words (12 to 19) come with in_port, as Open vSwitch's
 * metadata stage. Word 3 holds the transport ports (with TTL, fragment
 * bits and TCP flags): it comes last, so that a packet that no rule's
 * addresses match does not un-wildcard its ports, as Open vSwitch's L4
 * stage comes last. */
const int8_t oftable_stage_order[FLOW_KEY_U64S] = {0, 12, 13, 14, 15, 16, 17, 18, 19, 1,
						   2, 4,  5,  6,  7,  8,  9,  10, 11, 3};

/* The address fields with prefix indexes: nw_src (words 4-5) and nw_dst
 * (words 6-7). */
enum { N_PFX = 2 };
static const int8_t pfx_word[N_PFX] = {4, 6};

static struct pfx_value
pfx_value_of(const struct flow_key *k, int word)
{
	return (struct pfx_value){be64toh(k->u64[word]), be64toh(k->u64[word + 1])};
}

/* A prefix of stages that at least one rule of the subtable has. */
struct stage_node {
	struct hmap_node hnode;
	struct stage_node *parent; /* the prefix one stage shorter, NULL at level 0 */
	uint64_t value;            /* the masked word of this stage */
	uint32_t count;            /* rules with this prefix */
	uint8_t level;
	uint16_t max_priority; /* no rule with this prefix has a higher one */
	uint64_t min_seq;      /* nor one of max_priority that is older */
};

struct prio_count {
	uint16_t priority;
	uint32_t count;
};

struct subtable {
	struct hmap_node hnode; /* in the table's subtables_by_mask */
	struct flow_key mask;
	struct pipe_md md_mask;
	uint8_t n_stages;
	int8_t stage_word[MAX_STAGES]; /* a flow key word, or -1 - a pipe_md word */
	struct hmap stages;            /* stage nodes of every level but the last */
	struct hmap heads;             /* per key, its rule of highest precedence */
	uint32_t n_rules;
	uint32_t index; /* in the table's array */
	struct prio_count *prios;
	uint32_t n_prios, cap_prios; /* by decreasing priority */
	uint16_t max_priority;
	uint64_t min_seq; /* no rule of max_priority is older (a bound) */
	/* Per address field, when the mask is a prefix of 1 to 128 bits:
	 * its length and the index of the rules' values. */
	int pfx_len[N_PFX];
	struct pfx_index *pfx[N_PFX];
};

/* ---- Subtables ---- */

static inline int
leading_ones(uint64_t x)
{
	return ~x ? __builtin_clzll(~x) : 64;
}

/* The first 'n' bits of 128 set. */
static struct pfx_value
prefix_mask(int n)
{
	return (struct pfx_value){n >= 64 ? UINT64_MAX
				  : n     ? UINT64_MAX << (64 - n)
					  : 0,
				  n >= 128 ? UINT64_MAX
				  : n > 64 ? UINT64_MAX << (128 - n)
					   : 0};
}

static void
pfx_free(struct subtable *s)
{
	for (int f = 0; f < N_PFX; f++) {
		if (s->pfx[f]) {
			pfx_destroy(s->pfx[f]);
			free(s->pfx[f]);
			s->pfx[f] = NULL;
		}
	}
}

/* The length of the prefix that mask 'v' is, or -1 when it is not one. */
static int
prefix_len(struct pfx_value v)
{
	int n = v.hi == UINT64_MAX ? 64 + leading_ones(v.lo) : leading_ones(v.hi);
	struct pfx_value m = prefix_mask(n);

	return m.hi == v.hi && m.lo == v.lo ? n : -1;
}

static uint32_t
mask_hash(const struct flow_key *mask, const struct pipe_md *md_mask)
{
	return hash_words64(mask->u64, FLOW_KEY_U64S,
			    hash_words64(md_mask->u64, PIPE_MD_U64S, 0x5bd1e995u));
}

/* The subtable of 'mask' and 'md_mask', or NULL. */
static struct subtable *
subtable_find(const struct oftable *t, const struct flow_key *mask, const struct pipe_md *md_mask)
{
	uint32_t hash = mask_hash(mask, md_mask);

	for (struct hmap_node *n = hmap_bucket(&t->subtables_by_mask, hash); n; n = n->next) {
		struct subtable *s = CONTAINER_OF(n, struct subtable, hnode);

		if (n->hash == hash && !memcmp(&s->md_mask, md_mask, sizeof s->md_mask) &&
		    flow_key_equal(&s->mask, mask)) {
			return s;
		}
	}
	return NULL;
}

/* Moves 's' to its place in the array after its highest priority changed. */
static void
subtable_reorder(struct oftable *t, struct subtable *s)
{
	uint32_t i = s->index;

	while (i > 0 && t->subtables[i - 1]->max_priority < s->max_priority) {
		t->subtables[i] = t->subtables[i - 1];
		t->subtables[i]->index = i;
		i--;
	}
	while (i + 1 < t->n_subtables && t->subtables[i + 1]->max_priority > s->max_priority) {
		t->subtables[i] = t->subtables[i + 1];
		t->subtables[i]->index = i;
		i++;
	}
	t->subtables[i] = s;
	s->index = i;
}

static struct subtable *
subtable_create(struct oftable *t, const struct rule_mask *m)
{
	struct subtable *s;

	if (t->n_subtables == t->cap_subtables) {
		uint32_t cap = t->cap_subtables ? t->cap_subtables * 2 : 8;
		struct subtable **a = realloc(t->subtables, cap * sizeof *a);

		if (!a) {
			return NULL;
		}
		t->subtables = a;
		t->cap_subtables = cap;
	}
	s = calloc(1, sizeof *s);
	if (!s) {
		return NULL;
	}
	s->mask = m->mask;
	s->md_mask = m->md_mask;
	for (int i = 0; i < PIPE_MD_U64S; i++) {
		if (s->md_mask.u64[i]) {
			s->stage_word[s->n_stages++] = (int8_t)(-1 - i);
		}
	}
	for (int i = 0; i < FLOW_KEY_U64S; i++) {
		int w = oftable_stage_order[i];

		if (s->mask.u64[w]) {
			s->stage_word[s->n_stages++] = (int8_t)w;
		}
	}
	for (int f = 0; f < N_PFX; f++) {
		int len = prefix_len(pfx_value_of(&s->mask, pfx_word[f]));

		if (len > 0) {
			s->pfx[f] = malloc(sizeof *s->pfx[f]);
			if (!s->pfx[f]) {
				pfx_free(s);
				free(s);
				return NULL;
			}
			pfx_init(s->pfx[f]);
			s->pfx_len[f] = len;
		}
	}
	hmap_init(&s->stages);
	hmap_init(&s->heads);
	if (hmap_insert(&t->subtables_by_mask, &s->hnode, mask_hash(&m->mask, &m->md_mask))) {
		pfx_free(s);
		free(s);
		return NULL;
	}
	s->index = t->n_subtables;
	t->subtables[t->n_subtables++] = s;
	return s;
}

static void
subtable_destroy(struct oftable *t, struct subtable *s)
{
	for (uint32_t i = s->index; i + 1 < t->n_subtables; i++) {
		t->subtables[i] = t->subtables[i + 1];
		t->subtables[i]->index = i;
	}
	t->n_subtables--;
	hmap_remove(&t->subtables_by_mask, &s->hnode);
	hmap_destroy(&s->stages);
	hmap_destroy(&s->heads);
	pfx_free(s);
	free(s->prios);
	free(s);
}

/* ---- Priorities of a subtable (a sorted multiset) ---- */

static uint32_t
prio_pos(const struct subtable *s, uint16_t priority)
{
	uint32_t lo = 0, hi = s->n_prios;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (s->prios[mid].priority > priority) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

/* Notes that a rule of 'priority' and age 'seq' is below a point whose
 * bounds are 'max' and 'min_seq' ('fresh': no rule was there). */
static void
bound_add(uint16_t *max, uint64_t *min_seq, bool fresh, uint16_t priority, uint64_t seq)
{
	if (fresh || priority > *max) {
		*max = priority;
		*min_seq = seq;
	} else if (priority == *max) {
		*min_seq = VS_MIN(*min_seq, seq);
	}
}

/* Whether a rule under bounds 'max' and 'min_seq' could precede 'bound'
 * (NULL: anything can). */
static inline bool
may_beat(uint16_t max, uint64_t min_seq, const struct rule *bound)
{
	return !bound || max > bound->priority ||
	       (max == bound->priority && min_seq < bound->cls.seq);
}

static int
prio_add(struct subtable *s, const struct rule *r)
{
	uint16_t priority = r->priority;
	uint32_t i = prio_pos(s, priority);

	if (i < s->n_prios && s->prios[i].priority == priority) {
		s->prios[i].count++;
		bound_add(&s->max_priority, &s->min_seq, false, priority, r->cls.seq);
		return 0;
	}
	if (s->n_prios == s->cap_prios) {
		uint32_t cap = s->cap_prios ? s->cap_prios * 2 : 2;
		struct prio_count *p = realloc(s->prios, cap * sizeof *p);

		if (!p) {
			return -ENOMEM;
		}
		s->prios = p;
		s->cap_prios = cap;
	}
	memmove(&s->prios[i + 1], &s->prios[i], (s->n_prios - i) * sizeof *s->prios);
	s->prios[i] = (struct prio_count){priority, 1};
	s->n_prios++;
	bound_add(&s->max_priority, &s->min_seq, s->n_prios == 1, priority, r->cls.seq);
	return 0;
}

static void
prio_del(struct subtable *s, uint16_t priority)
{
	uint32_t i = prio_pos(s, priority);

	if (--s->prios[i].count) {
		return;
	}
	memmove(&s->prios[i], &s->prios[i + 1], (s->n_prios - i - 1) * sizeof *s->prios);
	s->n_prios--;
	if (s->n_prios && s->prios[0].priority != s->max_priority) {
		s->max_priority = s->prios[0].priority;
		s->min_seq = 0; /* unknown: the lowest bound */
	}
}

/* ---- Stage nodes and keys ---- */

static inline uint64_t
stage_value(const struct subtable *s, unsigned level, const struct flow_key *k,
	    const struct pipe_md *md)
{
	int w = s->stage_word[level];

	return w < 0 ? md->u64[-1 - w] & s->md_mask.u64[-1 - w] : k->u64[w] & s->mask.u64[w];
}

static inline uint32_t
node_hash(unsigned level, const struct stage_node *parent, uint64_t value)
{
	return hash_finish(hash_add64(hash_add64(level, (uintptr_t)parent), value));
}

static struct stage_node *
stage_find(const struct subtable *s, unsigned level, const struct stage_node *parent,
	   uint64_t value, uint32_t hash)
{
	for (struct hmap_node *n = hmap_bucket(&s->stages, hash); n; n = n->next) {
		struct stage_node *x = CONTAINER_OF(n, struct stage_node, hnode);

		if (n->hash == hash && x->parent == parent && x->value == value &&
		    x->level == level) {
			return x;
		}
	}
	return NULL;
}

/* The level of a subtable's heads: its last stage (0 with no stage). */
static inline unsigned
last_level(const struct subtable *s)
{
	return s->n_stages ? s->n_stages - 1u : 0;
}

static inline uint64_t
head_value(const struct subtable *s, const struct flow_key *k, const struct pipe_md *md)
{
	return s->n_stages ? stage_value(s, last_level(s), k, md) : 0;
}

static struct rule *
head_find(const struct subtable *s, const struct stage_node *parent, uint64_t value, uint32_t hash)
{
	for (struct hmap_node *n = hmap_bucket(&s->heads, hash); n; n = n->next) {
		struct rule *r = CONTAINER_OF(n, struct rule, cls.hnode);

		if (n->hash == hash && r->cls.parent == parent &&
		    head_value(s, &r->key, &r->md) == value) {
			return r;
		}
	}
	return NULL;
}

/* The head of the key of 'm' in 's', or NULL. */
static struct rule *
key_find(const struct subtable *s, const struct match *m)
{
	struct stage_node *parent = NULL;
	unsigned last = last_level(s);
	uint64_t v;

	for (unsigned level = 0; level < last; level++) {
		v = stage_value(s, level, &m->key, &m->md);
		parent = stage_find(s, level, parent, v, node_hash(level, parent, v));
		if (!parent) {
			return NULL;
		}
	}
	v = head_value(s, &m->key, &m->md);
	return head_find(s, parent, v, node_hash(last, parent, v));
}

static bool
precedes(const struct rule *a, const struct rule *b)
{
	return a->priority > b->priority || (a->priority == b->priority && a->cls.seq < b->cls.seq);
}

/* Drops one count from the stage nodes above 'node', freeing those left
 * empty. */
static void
path_release(struct subtable *s, struct stage_node *node)
{
	while (node) {
		struct stage_node *parent = node->parent;

		if (!--node->count) {
			hmap_remove(&s->stages, &node->hnode);
			free(node);
		}
		node = parent;
	}
}

/* The stage nodes of 'r''s key, created where missing. Returns the last
 * one (NULL with fewer than two stages) counted once more, or NULL with
 * '*err' set on ENOMEM (nothing changed). */
static struct stage_node *
path_acquire(struct subtable *s, const struct rule *r, int *err)
{
	struct stage_node *parent = NULL;
	unsigned last = last_level(s);

	*err = 0;
	for (unsigned level = 0; level < last; level++) {
		uint64_t v = stage_value(s, level, &r->key, &r->md);
		uint32_t hash = node_hash(level, parent, v);
		struct stage_node *node = stage_find(s, level, parent, v, hash);

		if (!node) {
			node = calloc(1, sizeof *node);
			if (!node || hmap_insert(&s->stages, &node->hnode, hash)) {
				free(node);
				path_release(s, parent);
				*err = -ENOMEM;
				return NULL;
			}
			node->parent = parent;
			node->value = v;
			node->level = (uint8_t)level;
		}
		/* Bounds: a removal leaves them as they are. */
		bound_add(&node->max_priority, &node->min_seq, !node->count, r->priority,
			  r->cls.seq);
		node->count++;
		parent = node;
	}
	return parent;
}

/* Counts 'r''s addresses in the prefix indexes (or, 'add' false, no
 * longer). 0, or -ENOMEM with nothing changed. */
static int
pfx_update(struct subtable *s, const struct rule *r, bool add)
{
	for (int f = 0; f < N_PFX; f++) {
		struct pfx_value v;

		if (!s->pfx[f]) {
			continue;
		}
		v = pfx_value_of(&r->key, pfx_word[f]);
		if (!add) {
			pfx_remove(s->pfx[f], v);
		} else if (pfx_add(s->pfx[f], v)) {
			if (f && s->pfx[0]) {
				pfx_remove(s->pfx[0], pfx_value_of(&r->key, pfx_word[0]));
			}
			return -ENOMEM;
		}
	}
	return 0;
}

static int
subtable_add_rule(struct subtable *s, struct rule *r)
{
	struct rule *head, **pp;
	uint64_t v;
	int err;

	if (pfx_update(s, r, true)) {
		return -ENOMEM;
	}
	r->cls.parent = path_acquire(s, r, &err);
	if (err) {
		pfx_update(s, r, false);
		return err;
	}
	v = head_value(s, &r->key, &r->md);
	head = head_find(s, r->cls.parent, v, node_hash(last_level(s), r->cls.parent, v));
	r->cls.subtable = s;
	r->cls.dup_next = NULL;
	if (!head) {
		if (hmap_insert(&s->heads, &r->cls.hnode,
				node_hash(last_level(s), r->cls.parent, v))) {
			path_release(s, r->cls.parent);
			pfx_update(s, r, false);
			r->cls.subtable = NULL;
			return -ENOMEM;
		}
	} else if (precedes(r, head)) {
		hmap_replace(&s->heads, &head->cls.hnode, &r->cls.hnode);
		r->cls.dup_next = head;
	} else {
		for (pp = &head->cls.dup_next; *pp && precedes(*pp, r); pp = &(*pp)->cls.dup_next) {
		}
		r->cls.dup_next = *pp;
		*pp = r;
	}
	s->n_rules++;
	return 0;
}

/* The pointer that points at 'r' in its key's list (the head's hnode
 * stands for the head itself: NULL). */
static struct rule **
dup_link(const struct subtable *s, struct rule *r, struct rule **head_out)
{
	uint64_t v = head_value(s, &r->key, &r->md);
	struct rule *head =
		head_find(s, r->cls.parent, v, node_hash(last_level(s), r->cls.parent, v));
	struct rule **pp;

	*head_out = head;
	if (head == r) {
		return NULL;
	}
	for (pp = &head->cls.dup_next; *pp != r; pp = &(*pp)->cls.dup_next) {
	}
	return pp;
}

static void
subtable_del_rule(struct subtable *s, struct rule *r)
{
	struct rule *head;
	struct rule **pp = dup_link(s, r, &head);

	if (pp) {
		*pp = r->cls.dup_next;
	} else if (r->cls.dup_next) {
		hmap_replace(&s->heads, &r->cls.hnode, &r->cls.dup_next->cls.hnode);
	} else {
		hmap_remove(&s->heads, &r->cls.hnode);
	}
	path_release(s, r->cls.parent);
	pfx_update(s, r, false);
	s->n_rules--;
	r->cls.subtable = NULL;
}

/* ---- The table ---- */

void
oftable_init(struct oftable *t)
{
	memset(t, 0, sizeof *t);
	hmap_init(&t->subtables_by_mask);
}

static void
free_stage_node(struct hmap_node *n, void *aux)
{
	(void)aux;
	free(CONTAINER_OF(n, struct stage_node, hnode));
}

void
oftable_destroy(struct oftable *t)
{
	for (uint32_t i = 0; i < t->n_subtables; i++) {
		struct subtable *s = t->subtables[i];

		hmap_for_each(&s->stages, free_stage_node, NULL);
		hmap_destroy(&s->stages);
		hmap_destroy(&s->heads);
		pfx_free(s);
		free(s->prios);
		free(s);
	}
	hmap_destroy(&t->subtables_by_mask);
	free(t->subtables);
	oftable_init(t);
}

int
oftable_insert(struct oftable *t, struct rule *r)
{
	struct subtable *s = subtable_find(t, &r->mask->mask, &r->mask->md_mask);
	bool created = false;
	int err;

	if (!s) {
		s = subtable_create(t, r->mask);
		if (!s) {
			return -ENOMEM;
		}
		created = true;
	}
	r->cls.seq = t->next_seq++;
	err = prio_add(s, r);
	if (!err) {
		err = subtable_add_rule(s, r);
		if (err) {
			prio_del(s, r->priority);
		}
	}
	if (err) {
		if (created) {
			subtable_destroy(t, s);
		}
		return err;
	}
	subtable_reorder(t, s);
	r->cls.prev = NULL;
	r->cls.next = t->first;
	if (t->first) {
		t->first->cls.prev = r;
	}
	t->first = r;
	t->n++;
	return 0;
}

void
oftable_remove(struct oftable *t, struct rule *r)
{
	struct subtable *s = r->cls.subtable;

	subtable_del_rule(s, r);
	prio_del(s, r->priority);
	if (!s->n_rules) {
		subtable_destroy(t, s);
	} else {
		subtable_reorder(t, s);
	}
	if (r->cls.prev) {
		r->cls.prev->cls.next = r->cls.next;
	} else {
		t->first = r->cls.next;
	}
	if (r->cls.next) {
		r->cls.next->cls.prev = r->cls.prev;
	}
	r->cls.prev = r->cls.next = NULL;
	t->n--;
}

void
oftable_replace(struct oftable *t, struct rule *old, struct rule *new)
{
	struct subtable *s = old->cls.subtable;
	struct rule *head;
	struct rule **pp = dup_link(s, old, &head);

	new->cls = old->cls;
	if (pp) {
		*pp = new;
	} else {
		hmap_replace(&s->heads, &old->cls.hnode, &new->cls.hnode);
	}
	if (new->cls.prev) {
		new->cls.prev->cls.next = new;
	} else {
		t->first = new;
	}
	if (new->cls.next) {
		new->cls.next->cls.prev = new;
	}
	old->cls.subtable = NULL;
	old->cls.prev = old->cls.next = old->cls.dup_next = NULL;
}

struct rule *
oftable_find_strict(const struct oftable *t, const struct match *m, uint16_t priority)
{
	const struct subtable *s = subtable_find(t, &m->mask, &m->md_mask);
	struct rule *r = s ? key_find(s, m) : NULL;

	while (r && r->priority > priority) {
		r = r->cls.dup_next;
	}
	return r && r->priority == priority ? r : NULL;
}

/* At the stage of word 'w', where no rule of the stages so far has the
 * packet's value: if 'w' starts an address with a prefix index and no
 * rule of the subtable has the packet's address prefix, un-wildcards only
 * the address bits that show it (the bits the closest address shares with
 * the packet, and the next one) and returns true; else false (the caller
 * un-wildcards the word). */
static bool
pfx_refine(const struct subtable *s, int w, const struct flow_key *flow, struct flow_key *wc)
{
	for (int f = 0; f < N_PFX; f++) {
		if (pfx_word[f] == w && s->pfx[f]) {
			int here = s->pfx_len[f] < 64 ? s->pfx_len[f] : 64;
			int common = pfx_common_bits(s->pfx[f], pfx_value_of(flow, w));

			if (common < 0 || common >= here) {
				return false;
			}
			wc->u64[w] |= htobe64(prefix_mask(common + 1).hi);
			return true;
		}
	}
	return false;
}

/* The rule of highest precedence in 's' that the packet matches, or NULL.
 * With 'wc', un-wildcards the words where some rule agreed with the packet
 * so far and differed there, leaving out the rules that cannot beat
 * 'bound' (NULL: none). */
static struct rule *
subtable_lookup(const struct subtable *s, const struct flow_key *flow, const struct pipe_md *md,
		const struct rule *bound, struct flow_key *wc)
{
	const struct stage_node *parent = NULL;
	unsigned last = last_level(s);
	uint32_t before = s->n_rules;
	bool before_may = may_beat(s->max_priority, s->min_seq, bound);

	for (unsigned level = 0; level < last; level++) {
		uint64_t v = stage_value(s, level, flow, md);
		const struct stage_node *node =
			stage_find(s, level, parent, v, node_hash(level, parent, v));
		uint32_t count = node ? node->count : 0;
		int w = s->stage_word[level];

		if (count < before && before_may && w >= 0 && wc &&
		    !(!node && pfx_refine(s, w, flow, wc))) {
			wc->u64[w] |= s->mask.u64[w];
		}
		if (!node || !may_beat(node->max_priority, node->min_seq, bound)) {
			/* Nothing left here can win: nothing more to prove. */
			return NULL;
		}
		parent = node;
		before = count;
		before_may = true;
	}
	uint64_t v = head_value(s, flow, md);
	struct rule *head = head_find(s, parent, v, node_hash(last, parent, v));
	uint32_t count = 0;

	for (const struct rule *r = head; r && count < before; r = r->cls.dup_next) {
		count++;
	}
	if (count < before && before_may && s->n_stages && s->stage_word[last] >= 0 && wc &&
	    !(!head && pfx_refine(s, s->stage_word[last], flow, wc))) {
		wc->u64[s->stage_word[last]] |= s->mask.u64[s->stage_word[last]];
	}
	return head;
}

/* The best rule, with the subtables visited by decreasing priority until
 * none left can beat it; the un-wildcarding as subtable_lookup() says. */
static struct rule *
table_lookup(const struct oftable *t, const struct flow_key *flow, const struct pipe_md *md,
	     const struct rule *bound, struct flow_key *wc)
{
	struct rule *best = NULL;

	for (uint32_t i = 0; i < t->n_subtables; i++) {
		const struct subtable *s = t->subtables[i];
		struct rule *r;

		if (best && s->max_priority < best->priority) {
			break;
		}
		if (bound && s->max_priority < bound->priority) {
			break;
		}
		if (!may_beat(s->max_priority, s->min_seq, bound)) {
			continue;
		}
		r = subtable_lookup(s, flow, md, bound, wc);
		if (r && (!best || precedes(r, best))) {
			best = r;
		}
	}
	return best;
}

struct rule *
oftable_lookup(const struct oftable *t, const struct flow_key *flow, const struct pipe_md *md,
	       struct flow_key *wc)
{
	struct rule *best = table_lookup(t, flow, md, NULL, NULL);

	if (!wc) {
		return best;
	}
	/* Knowing the winner, the megaflow need only rule out the rules that
	 * could have beaten it: a second walk un-wildcards just for those. */
	table_lookup(t, flow, md, best, wc);
	if (best) {
		for (int w = 0; w < FLOW_KEY_U64S; w++) {
			wc->u64[w] |= best->mask->mask.u64[w];
		}
	}
	return best;
}

static bool
overlap(const struct rule *a, const struct match *b)
{
	uint64_t diff = 0;

	for (int i = 0; i < PIPE_MD_U64S; i++) {
		diff |= (a->md.u64[i] ^ b->md.u64[i]) & a->mask->md_mask.u64[i] & b->md_mask.u64[i];
	}

	for (int i = 0; i < FLOW_KEY_U64S; i++) {
		diff |= (a->key.u64[i] ^ b->key.u64[i]) & a->mask->mask.u64[i] & b->mask.u64[i];
	}
	return diff == 0;
}

bool
oftable_overlaps(const struct oftable *t, const struct match *m, uint16_t priority)
{
	for (const struct rule *r = t->first; r; r = r->cls.next) {
		if (r->priority == priority && !rule_match_equal(r, m) && overlap(r, m)) {
			return true;
		}
	}
	return false;
}

struct rule *
oftable_first(const struct oftable *t)
{
	return t->first;
}

struct rule *
oftable_next(const struct rule *r)
{
	return r->cls.next;
}

static int
cmp_precedence(const void *a_, const void *b_)
{
	const struct rule *a = *(const struct rule *const *)a_;
	const struct rule *b = *(const struct rule *const *)b_;

	return precedes(a, b) ? -1 : precedes(b, a) ? 1 : 0;
}

struct rule **
oftable_sorted(const struct oftable *t, uint32_t *n)
{
	struct rule **a = t->n ? malloc(t->n * sizeof *a) : NULL;
	uint32_t i = 0;

	*n = 0;
	if (!a) {
		return NULL;
	}
	for (struct rule *r = t->first; r; r = r->cls.next) {
		a[i++] = r;
	}
	qsort(a, i, sizeof *a, cmp_precedence);
	*n = i;
	return a;
}

uint32_t
oftable_n_subtables(const struct oftable *t)
{
	return t->n_subtables;
}
