/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tuple-space search classifier; the design is in dpcls.h. Each subtable is
 * an open-addressing hash table (linear probing, load factor at most 1/2,
 * tombstones for removals) of pointers to rules, with each rule's hash
 * alongside so that most probes never touch the rule itself.
 */
#include "dpcls.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "hash.h"

enum { TABLE_MIN_SLOTS = 16, PKT_MAX = 32 };

struct dpcls_slot {
	uint32_t hash;
	struct dpcls_rule *rule; /* NULL: never used; TOMBSTONE: removed */
};

struct dpcls_table {
	uint32_t mask;
	uint32_t n_used; /* live rules + tombstones */
	struct dpcls_slot slots[];
};

struct dpcls_subtable {
	struct flow_key mask;
	uint8_t words[FLOW_KEY_U64S];
	uint8_t n_words;
	uint32_t n_rules;
	uint64_t hits;      /* written by readers only */
	uint64_t last_hits; /* hits at the previous sort; writer only */
	struct dpcls_table *table;
};

struct dpcls_pvec {
	uint32_t n;
	struct dpcls_subtable *st[];
};

struct dpcls {
	struct dpcls_pvec *pvec;
	uint32_t n_rules;
	struct dpcls_garbage garbage;
};

static struct dpcls_rule tombstone_rule;
#define TOMBSTONE (&tombstone_rule)

static void
retire(struct dpcls *cls, void *p)
{
	struct dpcls_garbage *g = &cls->garbage;

	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 16;
		void **ptrs = realloc(g->ptrs, cap * sizeof *ptrs);

		if (!ptrs) {
			/* Freeing now could pull memory from under a reader;
			 * leaking a few bytes is the safe failure. */
			return;
		}
		g->ptrs = ptrs;
		g->cap = cap;
	}
	g->ptrs[g->n++] = p;
}

static inline uint32_t
masked_hash(const struct dpcls_subtable *st, const struct flow_key *key)
{
	uint32_t h = 0;

	for (unsigned int i = 0; i < st->n_words; i++) {
		unsigned int w = st->words[i];

		h = hash_add64(h, key->u64[w] & st->mask.u64[w]);
	}
	return hash_finish(h);
}

static inline bool
rule_matches(const struct dpcls_subtable *st, const struct dpcls_rule *rule,
	     const struct flow_key *key)
{
	uint64_t diff = 0;

	for (unsigned int i = 0; i < st->n_words; i++) {
		unsigned int w = st->words[i];

		diff |= (key->u64[w] & st->mask.u64[w]) ^ rule->key.u64[w];
	}
	return diff == 0;
}

static inline struct dpcls_rule *
table_find(const struct dpcls_subtable *st, const struct dpcls_table *t, const struct flow_key *key,
	   uint32_t hash)
{
	for (uint32_t i = hash;; i++) {
		const struct dpcls_slot *s = &t->slots[i & t->mask];
		struct dpcls_rule *r = __atomic_load_n(&s->rule, __ATOMIC_ACQUIRE);

		if (!r) {
			return NULL;
		}
		if (r != TOMBSTONE && s->hash == hash && rule_matches(st, r, key)) {
			return r;
		}
	}
}

static struct dpcls_table *
table_alloc(uint32_t n_slots)
{
	struct dpcls_table *t = calloc(1, sizeof *t + (size_t)n_slots * sizeof(struct dpcls_slot));

	if (t) {
		t->mask = n_slots - 1;
	}
	return t;
}

/* Puts 'rule' in the first free or removed slot of its probe sequence. */
static void
table_put(struct dpcls_table *t, struct dpcls_rule *rule)
{
	for (uint32_t i = rule->hash;; i++) {
		struct dpcls_slot *s = &t->slots[i & t->mask];

		if (!s->rule || s->rule == TOMBSTONE) {
			if (!s->rule) {
				t->n_used++;
			}
			s->hash = rule->hash;
			__atomic_store_n(&s->rule, rule, __ATOMIC_RELEASE);
			return;
		}
	}
}

/* Replaces the subtable's table by a fresh one sized for 'n_rules' rules,
 * without tombstones. */
static int
table_rebuild(struct dpcls *cls, struct dpcls_subtable *st, uint32_t n_rules)
{
	struct dpcls_table *old = st->table;
	uint32_t n_slots = VS_MAX(vs_pow2_roundup(n_rules * 4), (uint32_t)TABLE_MIN_SLOTS);
	struct dpcls_table *t = table_alloc(n_slots);

	if (!t) {
		return -ENOMEM;
	}
	if (old) {
		for (uint32_t i = 0; i <= old->mask; i++) {
			struct dpcls_rule *r = old->slots[i].rule;

			if (r && r != TOMBSTONE) {
				table_put(t, r);
			}
		}
	}
	__atomic_store_n(&st->table, t, __ATOMIC_RELEASE);
	if (old) {
		retire(cls, old);
	}
	return 0;
}

static int
pvec_publish(struct dpcls *cls, struct dpcls_subtable *add, const struct dpcls_subtable *del)
{
	struct dpcls_pvec *old = cls->pvec;
	uint32_t n_old = old ? old->n : 0;
	struct dpcls_pvec *p = malloc(sizeof *p + (n_old + 1) * sizeof(p->st[0]));

	if (!p) {
		return -ENOMEM;
	}
	p->n = 0;
	for (uint32_t i = 0; i < n_old; i++) {
		if (old->st[i] != del) {
			p->st[p->n++] = old->st[i];
		}
	}
	if (add) {
		p->st[p->n++] = add;
	}
	__atomic_store_n(&cls->pvec, p, __ATOMIC_RELEASE);
	if (old) {
		retire(cls, old);
	}
	return 0;
}

struct dpcls *
dpcls_create(void)
{
	struct dpcls *cls = calloc(1, sizeof *cls);

	if (!cls) {
		errno = ENOMEM;
	}
	return cls;
}

void
dpcls_destroy(struct dpcls *cls)
{
	if (!cls) {
		return;
	}
	if (cls->pvec) {
		for (uint32_t i = 0; i < cls->pvec->n; i++) {
			free(cls->pvec->st[i]->table);
			free(cls->pvec->st[i]);
		}
		free(cls->pvec);
	}
	dpcls_garbage_free(&cls->garbage);
	free(cls);
}

static struct dpcls_subtable *
find_subtable(const struct dpcls *cls, const struct flow_key *mask)
{
	if (!cls->pvec) {
		return NULL;
	}
	for (uint32_t i = 0; i < cls->pvec->n; i++) {
		if (flow_key_equal(&cls->pvec->st[i]->mask, mask)) {
			return cls->pvec->st[i];
		}
	}
	return NULL;
}

static struct dpcls_subtable *
subtable_create(struct dpcls *cls, const struct flow_key *mask)
{
	struct dpcls_subtable *st = calloc(1, sizeof *st);

	if (!st) {
		return NULL;
	}
	st->mask = *mask;
	for (unsigned int w = 0; w < FLOW_KEY_U64S; w++) {
		if (mask->u64[w]) {
			st->words[st->n_words++] = (uint8_t)w;
		}
	}
	if (table_rebuild(cls, st, 0) || pvec_publish(cls, st, NULL)) {
		free(st->table);
		free(st);
		return NULL;
	}
	return st;
}

static void
subtable_destroy(struct dpcls *cls, struct dpcls_subtable *st)
{
	if (pvec_publish(cls, NULL, st)) {
		return; /* keep the empty subtable rather than risk a reader */
	}
	retire(cls, st->table);
	retire(cls, st);
}

int
dpcls_insert(struct dpcls *cls, struct dpcls_rule *rule, const struct flow_key *key,
	     const struct flow_key *mask, struct dpcls_rule **existing)
{
	struct dpcls_subtable *st = find_subtable(cls, mask);
	struct dpcls_rule *dup;
	bool created = false;

	if (!st) {
		st = subtable_create(cls, mask);
		if (!st) {
			return -ENOMEM;
		}
		created = true;
	}
	flow_key_and(&rule->key, key, mask);
	rule->subtable = st;
	rule->hash = masked_hash(st, key);
	dup = table_find(st, st->table, key, rule->hash);
	if (dup) {
		if (existing) {
			*existing = dup;
		}
		return -EEXIST;
	}
	if ((st->table->n_used + 1) * 2 > st->table->mask + 1 &&
	    table_rebuild(cls, st, st->n_rules + 1)) {
		if (created) {
			subtable_destroy(cls, st);
		}
		return -ENOMEM;
	}
	table_put(st->table, rule);
	st->n_rules++;
	cls->n_rules++;
	return 0;
}

void
dpcls_remove(struct dpcls *cls, struct dpcls_rule *rule)
{
	struct dpcls_subtable *st = rule->subtable;
	struct dpcls_table *t = st->table;

	for (uint32_t i = rule->hash;; i++) {
		struct dpcls_slot *s = &t->slots[i & t->mask];

		if (s->rule == rule) {
			__atomic_store_n(&s->rule, TOMBSTONE, __ATOMIC_RELEASE);
			break;
		}
		if (!s->rule) {
			return; /* not in the table: nothing to do */
		}
	}
	st->n_rules--;
	cls->n_rules--;
	if (st->n_rules == 0) {
		subtable_destroy(cls, st);
	}
}

const struct flow_key *
dpcls_rule_mask(const struct dpcls_rule *rule)
{
	return &rule->subtable->mask;
}

struct ranked {
	uint64_t recent;
	struct dpcls_subtable *st;
};

bool
dpcls_rule_matches(const struct dpcls_rule *rule, const struct flow_key *key)
{
	return rule_matches(__atomic_load_n(&rule->subtable, __ATOMIC_ACQUIRE), rule, key);
}

static int
cmp_recent_hits(const void *a_, const void *b_)
{
	const struct ranked *a = a_, *b = b_;

	return a->recent < b->recent ? 1 : a->recent > b->recent ? -1 : 0;
}

void
dpcls_sort(struct dpcls *cls)
{
	struct dpcls_pvec *old = cls->pvec, *p;
	struct ranked *r;

	if (!old || old->n < 2) {
		return;
	}
	p = malloc(sizeof *p + old->n * sizeof(p->st[0]));
	r = malloc(old->n * sizeof *r);
	if (!p || !r) {
		free(p);
		free(r);
		return;
	}
	for (uint32_t i = 0; i < old->n; i++) {
		uint64_t hits = __atomic_load_n(&old->st[i]->hits, __ATOMIC_RELAXED);

		r[i].recent = hits - old->st[i]->last_hits;
		r[i].st = old->st[i];
		r[i].st->last_hits = hits;
	}
	qsort(r, old->n, sizeof *r, cmp_recent_hits);
	p->n = old->n;
	for (uint32_t i = 0; i < p->n; i++) {
		p->st[i] = r[i].st;
	}
	free(r);
	__atomic_store_n(&cls->pvec, p, __ATOMIC_RELEASE);
	retire(cls, old);
}

uint32_t
dpcls_lookup_batch(struct dpcls *cls, const struct flow_key *const keys[], uint32_t map,
		   struct dpcls_rule *rules[], uint64_t *n_probes)
{
	const struct dpcls_pvec *p = __atomic_load_n(&cls->pvec, __ATOMIC_ACQUIRE);
	uint32_t hashes[PKT_MAX];
	uint32_t found = 0;

	if (!p) {
		return 0;
	}
	for (uint32_t s = 0; s < p->n && map; s++) {
		struct dpcls_subtable *st = p->st[s];
		const struct dpcls_table *t = __atomic_load_n(&st->table, __ATOMIC_ACQUIRE);
		uint32_t hit = 0;

		/* First hash every key and prefetch its slot, then probe, so
		 * that the cache misses of the batch overlap. */
		for (uint32_t m = map; m; m &= m - 1) {
			int i = __builtin_ctz(m);

			hashes[i] = masked_hash(st, keys[i]);
			__builtin_prefetch(&t->slots[hashes[i] & t->mask]);
		}
		/* Then look at each key's home slot: empty means absent, a
		 * matching hash names a candidate whose rule is prefetched;
		 * anything else (collision, tombstone) takes the slow probe. */
		uint32_t cand = 0, slow = 0;
		for (uint32_t m = map; m; m &= m - 1) {
			int i = __builtin_ctz(m);
			const struct dpcls_slot *sl = &t->slots[hashes[i] & t->mask];
			struct dpcls_rule *r = __atomic_load_n(&sl->rule, __ATOMIC_ACQUIRE);

			if (!r) {
				continue;
			}
			if (r != TOMBSTONE && sl->hash == hashes[i]) {
				rules[i] = r;
				__builtin_prefetch(&r->key);
				cand |= 1u << i;
			} else {
				slow |= 1u << i;
			}
		}
		for (uint32_t m = cand; m; m &= m - 1) {
			int i = __builtin_ctz(m);

			if (rule_matches(st, rules[i], keys[i])) {
				hit |= 1u << i;
			} else {
				slow |= 1u << i;
			}
		}
		for (uint32_t m = slow; m; m &= m - 1) {
			int i = __builtin_ctz(m);
			struct dpcls_rule *r = table_find(st, t, keys[i], hashes[i]);

			if (r) {
				rules[i] = r;
				hit |= 1u << i;
			}
		}
		if (hit) {
			uint32_t n = (uint32_t)__builtin_popcount(hit);

			__atomic_store_n(&st->hits, st->hits + n, __ATOMIC_RELAXED);
			*n_probes += (uint64_t)n * (s + 1);
			found |= hit;
			map &= ~hit;
		}
	}
	return found;
}

struct dpcls_rule *
dpcls_lookup(struct dpcls *cls, const struct flow_key *key)
{
	const struct flow_key *keys[1] = {key};
	struct dpcls_rule *rules[1] = {NULL};
	uint64_t n_probes = 0;

	return dpcls_lookup_batch(cls, keys, 1, rules, &n_probes) ? rules[0] : NULL;
}

uint32_t
dpcls_count(const struct dpcls *cls)
{
	return cls->n_rules;
}

uint32_t
dpcls_n_subtables(const struct dpcls *cls)
{
	return cls->pvec ? cls->pvec->n : 0;
}

void
dpcls_garbage_take(struct dpcls *cls, struct dpcls_garbage *g)
{
	*g = cls->garbage;
	cls->garbage = (struct dpcls_garbage){0};
}

void
dpcls_garbage_free(struct dpcls_garbage *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->ptrs[i]);
	}
	free(g->ptrs);
	*g = (struct dpcls_garbage){0};
}
