/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The flow table as it was before the classifier: a sorted array scanned in
 * priority order, kept as the oracle of the differential test. Its megaflow
 * rule: a rule that does not match un-wildcards the first word where it
 * differs from the packet; the matching rule un-wildcards its whole mask.
 */
#ifndef VS_OFTABLE_LINEAR_H
#define VS_OFTABLE_LINEAR_H

#include <stdint.h>

#include "ofproto_priv.h"

struct linear_table {
	struct rule **rules; /* highest priority first; equal: oldest first */
	uint32_t n, cap;
};

void linear_insert(struct linear_table *t, struct rule *r);
void linear_remove(struct linear_table *t, const struct rule *r);
/* 'new' takes the place of 'old' (same priority and match). */
void linear_replace(struct linear_table *t, const struct rule *old, struct rule *new);
struct rule *linear_lookup(const struct linear_table *t, const struct flow_key *flow,
			   const struct pipe_md *md, struct flow_key *wc);
void linear_destroy(struct linear_table *t);

#endif /* VS_OFTABLE_LINEAR_H */
