/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A batch of up to 32 packets: the unit of work of every datapath stage.
 */
#ifndef VS_PKT_BATCH_H
#define VS_PKT_BATCH_H

#include <stdint.h>

#include <rte_mbuf.h>

enum { PKT_BATCH_MAX = 32 };

struct pkt_batch {
	uint16_t count;
	struct rte_mbuf *pkts[PKT_BATCH_MAX];
};

#define PKT_BATCH_FOREACH(i, b) for (uint16_t i = 0; i < (b)->count; i++)

static inline void
pkt_batch_init(struct pkt_batch *b)
{
	b->count = 0;
}

/* Frees every packet of 'b' and empties it. */
static inline void
pkt_batch_free(struct pkt_batch *b)
{
	if (b->count) {
		rte_pktmbuf_free_bulk(b->pkts, b->count);
	}
	b->count = 0;
}

#endif /* VS_PKT_BATCH_H */
