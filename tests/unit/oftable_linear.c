/* SPDX-License-Identifier: Apache-2.0 */
/* The linear flow table of oftable_linear.h (the test oracle). */
#include "oftable_linear.h"

#include <stdlib.h>
#include <string.h>

void
linear_insert(struct linear_table *t, struct rule *r)
{
	uint32_t lo = 0, hi = t->n;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 8;
		t->rules = realloc(t->rules, t->cap * sizeof *t->rules);
		if (!t->rules) {
			abort();
		}
	}
	/* After every rule of the same or a higher priority. */
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (t->rules[mid]->priority >= r->priority) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	memmove(&t->rules[lo + 1], &t->rules[lo], (t->n - lo) * sizeof *t->rules);
	t->rules[lo] = r;
	t->n++;
}

static uint32_t
index_of(const struct linear_table *t, const struct rule *r)
{
	uint32_t i = 0;

	while (t->rules[i] != r) {
		i++;
	}
	return i;
}

void
linear_remove(struct linear_table *t, const struct rule *r)
{
	uint32_t i = index_of(t, r);

	memmove(&t->rules[i], &t->rules[i + 1], (t->n - i - 1) * sizeof *t->rules);
	t->n--;
}

void
linear_replace(struct linear_table *t, const struct rule *old, struct rule *new)
{
	t->rules[index_of(t, old)] = new;
}

struct rule *
linear_lookup(const struct linear_table *t, const struct flow_key *flow, const struct pipe_md *md,
	      struct flow_key *wc)
{
	for (uint32_t i = 0; i < t->n; i++) {
		struct rule *r = t->rules[i];
		int differ = -1;

		/* Metadata and registers follow from fields already
		 * un-wildcarded. */
		bool md_differs = false;

		for (int j = 0; j < PIPE_MD_U64S; j++) {
			md_differs |= (md->u64[j] & r->mask->md_mask.u64[j]) != r->md.u64[j];
		}
		if (md_differs) {
			continue;
		}
		/* The first word that differs, in the order in which the
		 * classifier's stages look at them. */
		for (int j = 0; j < FLOW_KEY_U64S && differ < 0; j++) {
			int w = oftable_stage_order[j];

			if ((flow->u64[w] & r->mask->mask.u64[w]) != r->key.u64[w]) {
				differ = w;
			}
		}
		if (differ >= 0) {
			wc->u64[differ] |= r->mask->mask.u64[differ];
			continue;
		}
		for (int w = 0; w < FLOW_KEY_U64S; w++) {
			wc->u64[w] |= r->mask->mask.u64[w];
		}
		return r;
	}
	return NULL;
}

void
linear_destroy(struct linear_table *t)
{
	free(t->rules);
	memset(t, 0, sizeof *t);
}
