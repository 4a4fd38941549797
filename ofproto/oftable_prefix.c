/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The prefix indexes of oftable_prefix.h: a crit-bit tree. An inner node
 * holds the first bit at which the values below it differ and its two
 * subtrees; a leaf holds a value and how many rules have it. Walking from
 * the root by a value's bits at each inner node's bit ends at the leaf
 * that shares the longest prefix with it.
 */
#include "oftable_prefix.h"

#include <errno.h>
#include <stdlib.h>

struct pfx_leaf {
	struct pfx_value v;
	uint32_t count;
};

struct pfx_inner {
	void *child[2];
	uint8_t bit; /* 0: the first (most significant) bit of 'hi' */
};

/* Leaves are tagged with the low bit of their pointer. */
static inline bool
is_leaf(const void *p)
{
	return (uintptr_t)p & 1;
}

static inline struct pfx_leaf *
leaf_of(void *p)
{
	return (struct pfx_leaf *)((uintptr_t)p & ~(uintptr_t)1);
}

static inline void *
tag_leaf(struct pfx_leaf *l)
{
	return (void *)((uintptr_t)l | 1);
}

static inline unsigned
bit_of(struct pfx_value v, unsigned b)
{
	return b < 64 ? (unsigned)(v.hi >> (63 - b)) & 1 : (unsigned)(v.lo >> (127 - b)) & 1;
}

static inline int
common_bits(struct pfx_value a, struct pfx_value b)
{
	uint64_t x = a.hi ^ b.hi;

	if (x) {
		return __builtin_clzll(x);
	}
	x = a.lo ^ b.lo;
	return x ? 64 + __builtin_clzll(x) : 128;
}

static struct pfx_leaf *
closest(const struct pfx_index *x, struct pfx_value v)
{
	void *p = x->root;

	while (p && !is_leaf(p)) {
		const struct pfx_inner *in = p;

		p = in->child[bit_of(v, in->bit)];
	}
	return p ? leaf_of(p) : NULL;
}

void
pfx_init(struct pfx_index *x)
{
	x->root = NULL;
	x->n_values = 0;
}

static void
free_node(void *p)
{
	if (!p) {
		return;
	}
	if (is_leaf(p)) {
		free(leaf_of(p));
		return;
	}
	free_node(((struct pfx_inner *)p)->child[0]);
	free_node(((struct pfx_inner *)p)->child[1]);
	free(p);
}

void
pfx_destroy(struct pfx_index *x)
{
	free_node(x->root);
	pfx_init(x);
}

int
pfx_add(struct pfx_index *x, struct pfx_value v)
{
	struct pfx_leaf *best = closest(x, v), *leaf;
	struct pfx_inner *in;
	void **pp = &x->root;
	int crit;

	if (best && (crit = common_bits(best->v, v)) == 128) {
		best->count++;
		return 0;
	}
	leaf = malloc(sizeof *leaf);
	in = best ? malloc(sizeof *in) : NULL;
	if (!leaf || (best && !in)) {
		free(leaf);
		free(in);
		return -ENOMEM;
	}
	leaf->v = v;
	leaf->count = 1;
	x->n_values++;
	if (!best) {
		x->root = tag_leaf(leaf);
		return 0;
	}
	crit = common_bits(best->v, v);
	/* The new inner node goes above the first node that tests a later
	 * bit (the values below it all share the first 'crit' bits). */
	while (!is_leaf(*pp) && ((struct pfx_inner *)*pp)->bit < crit) {
		struct pfx_inner *p = *pp;

		pp = &p->child[bit_of(v, p->bit)];
	}
	in->bit = (uint8_t)crit;
	in->child[bit_of(v, (unsigned)crit)] = tag_leaf(leaf);
	in->child[!bit_of(v, (unsigned)crit)] = *pp;
	*pp = in;
	return 0;
}

void
pfx_remove(struct pfx_index *x, struct pfx_value v)
{
	void **pp = &x->root, **parent = NULL;
	struct pfx_leaf *leaf;

	while (*pp && !is_leaf(*pp)) {
		struct pfx_inner *in = *pp;

		parent = pp;
		pp = &in->child[bit_of(v, in->bit)];
	}
	if (!*pp) {
		return;
	}
	leaf = leaf_of(*pp);
	if (common_bits(leaf->v, v) != 128) {
		return; /* not there: nothing to count down */
	}
	if (--leaf->count) {
		return;
	}
	free(leaf);
	x->n_values--;
	if (!parent) {
		x->root = NULL;
		return;
	}
	/* The leaf's inner node gives way to the leaf's sibling. */
	struct pfx_inner *in = *parent;

	*parent = in->child[in->child[0] == *pp ? 1 : 0];
	free(in);
}

int
pfx_common_bits(const struct pfx_index *x, struct pfx_value v)
{
	const struct pfx_leaf *best = closest(x, v);

	return best ? common_bits(best->v, v) : -1;
}
