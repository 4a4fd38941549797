/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Packet capture on a port (dp.h). A capture is a pool of fixed-size
 * records and two rings of pointers to them: 'free' (records the reader
 * gave back) and 'full' (captured packets, oldest first). PMD threads take
 * a free record, copy the packet's head into it and put it on 'full'; the
 * reader does the reverse. When the reader falls behind, 'free' runs dry and
 * the packet is left out of the capture and counted: the datapath never
 * waits for it. With no capture on a port, the packet path pays one load
 * and a branch per burst.
 *
 * A port's captures form a list that PMD threads walk under RCU; only the
 * control thread links and unlinks, and unlinked captures are freed after a
 * grace period (dp_retire()).
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_ring.h>

#include "dp_priv.h"

struct dp_capture {
	struct dp_garbage gc;
	struct dp_capture *next; /* the port's list (RCU) */
	uint32_t port_no;
	bool linked;    /* on its port's list */
	bool port_gone; /* the port was deleted under it: atomic */
	uint32_t snaplen;
	struct bpf_insn *filter; /* NULL: every packet */
	uint32_t filter_len;
	uint64_t captured, dropped; /* atomic */
	struct rte_ring *free, *full;
	struct dp_capture_rec *recs;
	uint32_t n_recs;
};

static struct rte_ring *
ring_new(uint32_t n)
{
	ssize_t size = rte_ring_get_memsize(n);
	struct rte_ring *r;

	if (size < 0 || !(r = aligned_alloc(RTE_CACHE_LINE_SIZE,
					    RTE_ALIGN((size_t)size, RTE_CACHE_LINE_SIZE)))) {
		return NULL;
	}
	/* Several PMD threads may capture at once; one reader. */
	if (rte_ring_init(r, "capture", n, RING_F_SC_DEQ)) {
		free(r);
		return NULL;
	}
	return r;
}

static void
capture_free(void *p)
{
	struct dp_capture *c = p;

	if (c) {
		free(c->free);
		free(c->full);
		free(c->recs);
		free(c->filter);
		free(c);
	}
}

int
dp_capture_start(struct dp *dp, uint32_t port_no, const struct dp_capture_params *p,
		 struct dp_capture **out)
{
	uint32_t n = p->n_records ? p->n_records : DP_CAPTURE_RECORDS;
	struct dp_capture *c;

	if (port_no >= DP_MAX_PORTS || !dp->ports[port_no]) {
		return -ENOENT;
	}
	if (n & (n - 1) || n < 2) {
		return -EINVAL;
	}
	c = calloc(1, sizeof *c);
	if (!c) {
		return -ENOMEM;
	}
	c->port_no = port_no;
	c->snaplen =
		p->snaplen && p->snaplen < DP_CAPTURE_SNAP_MAX ? p->snaplen : DP_CAPTURE_SNAP_MAX;
	c->n_recs = n - 1; /* a ring of n holds n - 1 */
	c->recs = calloc(c->n_recs, sizeof *c->recs);
	c->free = ring_new(n);
	c->full = ring_new(n);
	if (p->filter_len) {
		c->filter = malloc(p->filter_len * sizeof *c->filter);
		if (c->filter) {
			memcpy(c->filter, p->filter, p->filter_len * sizeof *c->filter);
			c->filter_len = p->filter_len;
		}
	}
	if (!c->recs || !c->free || !c->full || (p->filter_len && !c->filter)) {
		capture_free(c);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < c->n_recs; i++) {
		void *r = &c->recs[i];

		rte_ring_enqueue(c->free, r);
	}
	c->next = dp->captures[port_no];
	c->linked = true;
	__atomic_store_n(&dp->captures[port_no], c, __ATOMIC_RELEASE);
	*out = c;
	return 0;
}

static void
unlink_capture(struct dp *dp, struct dp_capture *c)
{
	struct dp_capture **pp = &dp->captures[c->port_no];

	while (*pp && *pp != c) {
		pp = &(*pp)->next;
	}
	if (*pp) {
		__atomic_store_n(pp, c->next, __ATOMIC_RELEASE);
	}
	c->linked = false;
}

void
dp_capture_stop(struct dp *dp, struct dp_capture *c)
{
	if (!c) {
		return;
	}
	if (c->linked) {
		unlink_capture(dp, c);
	}
	/* PMD threads may still be writing a record: free after a grace
	 * period (dp_run()). The records go with it. */
	dp_retire(dp, &c->gc, c, capture_free);
}

/* dp_destroy(): captures nobody stopped. */
void
dp_captures_free(struct dp *dp)
{
	for (uint32_t i = 0; i < DP_MAX_PORTS; i++) {
		for (struct dp_capture *c = dp->captures[i], *next; c; c = next) {
			next = c->next;
			capture_free(c);
		}
		dp->captures[i] = NULL;
	}
}

/* The captures of a port that goes away end: the reader sees port_gone. */
void
dp_captures_port_gone(struct dp *dp, uint32_t port_no)
{
	struct dp_capture *c = dp->captures[port_no];

	__atomic_store_n(&dp->captures[port_no], NULL, __ATOMIC_RELEASE);
	for (; c; c = c->next) {
		c->linked = false;
		__atomic_store_n(&c->port_gone, true, __ATOMIC_RELEASE);
	}
}

unsigned int
dp_capture_read(struct dp_capture *c, struct dp_capture_rec **recs, unsigned int max)
{
	return rte_ring_dequeue_burst(c->full, (void **)recs, max, NULL);
}

void
dp_capture_release(struct dp_capture *c, struct dp_capture_rec **recs, unsigned int n)
{
	rte_ring_enqueue_bulk(c->free, (void **)recs, n, NULL);
}

void
dp_capture_get_stats(const struct dp_capture *c, struct dp_capture_stats *s)
{
	s->captured = __atomic_load_n(&c->captured, __ATOMIC_RELAXED);
	s->dropped = __atomic_load_n(&c->dropped, __ATOMIC_RELAXED);
	s->port_gone = __atomic_load_n(&c->port_gone, __ATOMIC_ACQUIRE);
}

/* Copies the packets that pass the filter into free records. */
static void
capture_one(struct dp_capture *c, struct rte_mbuf **pkts, uint16_t n, bool tx,
	    const struct timespec *ts)
{
	uint8_t lin[DP_CAPTURE_SNAP_MAX];

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint32_t len = rte_pktmbuf_pkt_len(m), caplen = VS_MIN(len, c->snaplen);
		/* The filter sees more than the snaplen keeps. */
		uint32_t avail = VS_MIN(len, (uint32_t)DP_CAPTURE_SNAP_MAX);
		const uint8_t *data = rte_pktmbuf_read(m, 0, c->filter ? avail : caplen, lin);
		struct dp_capture_rec *r = NULL; /* for GCC -Os: the dequeue sets it */

		if (!data || (c->filter && !bpf_filter(c->filter, data, len, avail))) {
			continue;
		}
		if (rte_ring_dequeue(c->free, (void **)&r)) {
			__atomic_fetch_add(&c->dropped, 1, __ATOMIC_RELAXED);
			continue;
		}
		r->sec = (uint64_t)ts->tv_sec;
		r->nsec = (uint32_t)ts->tv_nsec;
		r->len = len;
		r->caplen = caplen;
		r->tx = tx;
		memcpy(r->data, data, caplen);
		rte_ring_enqueue(c->full, r);
		__atomic_fetch_add(&c->captured, 1, __ATOMIC_RELAXED);
	}
}

void
dp_capture_burst(struct dp_capture *list, struct rte_mbuf **pkts, uint16_t n, bool tx)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	for (struct dp_capture *c = list; c; c = __atomic_load_n(&c->next, __ATOMIC_ACQUIRE)) {
		capture_one(c, pkts, n, tx, &ts);
	}
}
