/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Prefix indexes for the flow table classifier (oftable.c): the distinct
 * values, with counts, that the rules of one subtable have in one address
 * field (nw_src or nw_dst, 128 bits; IPv4 in the first 32), kept in a
 * crit-bit tree. For a packet's address it answers how many leading bits
 * the closest value shares with it: when that is less than the subtable's
 * prefix length, no rule there can match, and the megaflow need only hold
 * that many bits plus one of the address, instead of the whole word.
 */
#ifndef VS_OFTABLE_PREFIX_H
#define VS_OFTABLE_PREFIX_H

#include <stdbool.h>
#include <stdint.h>

/* A 128-bit address as a number: 'hi' holds its first 8 bytes. */
struct pfx_value {
	uint64_t hi, lo;
};

struct pfx_index {
	void *root; /* a tagged node pointer, NULL when empty */
	uint32_t n_values;
};

void pfx_init(struct pfx_index *x);
/* Frees every node. */
void pfx_destroy(struct pfx_index *x);

/* Counts one more rule with value 'v'. 0, or -ENOMEM (nothing changed). */
int pfx_add(struct pfx_index *x, struct pfx_value v);
/* Counts one rule with value 'v' less ('v' must have been added). */
void pfx_remove(struct pfx_index *x, struct pfx_value v);

/* The number of leading bits 'v' shares with the value of the index closest
 * to it (128: 'v' is there); -1 when the index is empty. */
int pfx_common_bits(const struct pfx_index *x, struct pfx_value v);

#endif /* VS_OFTABLE_PREFIX_H */
