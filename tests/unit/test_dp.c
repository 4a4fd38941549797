/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the datapath pipeline with in-memory ports and a test
 * upcall: counters, EMC and megaflow hits, misses and failures, multiple
 * outputs, drops by reason, flushing, and a real PMD thread.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>

#include <cmocka.h>

#include "dp.h"
#include "emc.h"
#include "flow_format.h"
#include "pktgen.h"
#include "port_mem.h"
#include "random.h"
#include "test_eal.h"

static struct rte_mempool *mp;

/* The test upcall forwards by rule: the action list in 'acts', the mask
 * in_port + eth_type + nw_dst; fails when 'fail' is set. */
struct upcall_state {
	unsigned int calls;
	bool fail;
	uint32_t n_acts;
	struct dp_action acts[4];
};

static int
test_upcall(void *aux, const struct flow_key *key, const struct rte_mbuf *pkt,
	    struct dp_upcall_result *res)
{
	struct upcall_state *u = aux;

	(void)key;
	(void)pkt;
	u->calls++;
	if (u->fail) {
		return -EIO;
	}
	res->mask.in_port = 0xffffffff;
	res->mask.eth_type = 0xffff;
	res->mask.nw_dst.ipv4 = 0xffffffff;
	res->n_actions = u->n_acts;
	memcpy(res->actions, u->acts, u->n_acts * sizeof u->acts[0]);
	return 0;
}

struct fixture {
	struct dp *dp;
	struct port *p[3];
	uint32_t no[3];
	struct upcall_state u;
};

/* A datapath of 'params' with three mem ports and the test upcall. */
static struct fixture *
fixture_with(const struct dp_params *params)
{
	struct fixture *f = calloc(1, sizeof *f);

	f->dp = dp_create(params);
	assert_non_null(f->dp);
	for (int i = 0; i < 3; i++) {
		char name[16];

		snprintf(name, sizeof name, "m%d", i);
		assert_int_equal(port_open("mem", name, NULL, 0, mp, &f->p[i], NULL), 0);
		assert_int_equal(dp_port_add(f->dp, f->p[i], &f->no[i]), 0);
	}
	f->u.n_acts = 1;
	f->u.acts[0] = (struct dp_action){.type = DP_ACTION_OUTPUT, .port = f->no[1]};
	dp_set_upcall(f->dp, test_upcall, &f->u);
	return f;
}

static struct fixture *
fixture_new(uint64_t cpu_mask, uint32_t emc_inv_prob)
{
	struct dp_params params = {
		.pmd_cpu_mask = cpu_mask, .emc_inv_prob = emc_inv_prob, .emc_inv_prob_set = true};

	return fixture_with(&params);
}

static void
fixture_free(struct fixture *f)
{
	dp_destroy(f->dp);
	free(f);
	assert_int_equal(rte_mempool_in_use_count(mp), 0);
}

/* Injects 'n' UDP packets to 'n_dst' destinations on port 'port'. */
static void
inject_on(struct fixture *f, int port, unsigned int n, unsigned int n_dst)
{
	for (unsigned int i = 0; i < n; i++) {
		struct pktgen_spec s = pktgen_udp4(0x0a000001, 0x0a000100 + i % n_dst, 1, 2);
		uint8_t buf[128];
		size_t len = pktgen_build(&s, buf, sizeof buf);
		struct rte_mbuf *m = test_mbuf(mp, buf, len);

		assert_int_equal(port_mem_inject(f->p[port], &m, 1), 1);
	}
}

static void
inject(struct fixture *f, unsigned int n, unsigned int n_dst)
{
	inject_on(f, 0, n, n_dst);
}

static unsigned int
collect(struct port *p, uint8_t *first, size_t first_size)
{
	struct rte_mbuf *pkts[64];
	unsigned int total = 0;
	uint16_t n;

	while ((n = port_mem_collect(p, pkts, 64)) > 0) {
		if (first && total == 0) {
			memcpy(first, rte_pktmbuf_mtod(pkts[0], uint8_t *),
			       VS_MIN(first_size, rte_pktmbuf_data_len(pkts[0])));
		}
		total += n;
		rte_pktmbuf_free_bulk(pkts, n);
	}
	return total;
}

static void
poll_all(struct fixture *f)
{
	while (dp_pmd_poll(dp_pmd_get(f->dp, 0))) {
	}
}

static void
assert_stats_consistent(const struct dp_stats *s)
{
	assert_int_equal(s->rx_packets, s->emc_hits + s->megaflow_hits + s->misses);
}

static void
test_miss_then_hits(void **state)
{
	struct fixture *f = fixture_new(0, 1);
	struct dp_stats s;

	(void)state;
	inject(f, 32, 4);
	poll_all(f);
	assert_int_equal(collect(f->p[1], NULL, 0), 32);
	dp_get_stats(f->dp, &s);
	assert_int_equal(s.rx_packets, 32);
	assert_int_equal(s.misses, 4);
	assert_int_equal(s.upcalls, 4);
	assert_int_equal(f->u.calls, 4);
	assert_int_equal(s.n_flows, 4);
	assert_int_equal(s.tx_packets, 32);
	assert_true(s.cycles > 0);
	/* The upcalls are part of the processing, and took some of it. */
	assert_true(s.upcall_cycles > 0 && s.upcall_cycles <= s.cycles);
	assert_stats_consistent(&s);
	uint64_t up_cycles = s.upcall_cycles;

	/* Same flows again: every packet hits the EMC (insertion prob 1). */
	inject(f, 64, 4);
	poll_all(f);
	assert_int_equal(collect(f->p[1], NULL, 0), 64);
	dp_get_stats(f->dp, &s);
	assert_int_equal(s.emc_hits, 64);
	assert_int_equal(s.misses, 4);
	assert_true(s.upcall_cycles == up_cycles); /* no upcall, no upcall cycles */
	assert_stats_consistent(&s);
	fixture_free(f);
}

static void
test_megaflow_without_emc(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	struct dp_stats s;

	(void)state;
	/* One megaflow, and a key per packet (its source port): packets
	 * like the one before them would take its result unlooked-up. */
	for (uint16_t i = 0; i < 48; i++) {
		struct pktgen_spec sp = pktgen_udp4(0x0a000001, 0x0a000100, (uint16_t)(100 + i), 2);
		uint8_t buf[128];
		size_t len = pktgen_build(&sp, buf, sizeof buf);
		struct rte_mbuf *m = test_mbuf(mp, buf, len);

		assert_int_equal(port_mem_inject(f->p[0], &m, 1), 1);
		if (i == 7) {
			poll_all(f);
		}
	}
	poll_all(f);
	assert_int_equal(collect(f->p[1], NULL, 0), 48);
	dp_get_stats(f->dp, &s);
	assert_int_equal(s.emc_hits, 0);
	assert_int_equal(s.misses, 1);
	assert_int_equal(s.megaflow_hits, 47);
	assert_true(s.subtable_probes >= 40);
	assert_stats_consistent(&s);
	fixture_free(f);
}

struct flow_count {
	uint32_t dst; /* nw_dst of the flow, host order */
	uint64_t n_packets, n_bytes;
};

static void
count_flow(void *aux, const struct dp_flow_info *info)
{
	struct flow_count *c = aux;

	for (; c->dst; c++) {
		if (ntohl(info->key->nw_dst.ipv4) == c->dst) {
			c->n_packets = info->n_packets;
			c->n_bytes = info->n_bytes;
		}
	}
}

/* One batch of UDP packets: 'dst[i]' the last byte of packet i's
 * destination (10.0.1.x), its payload 'i' bytes (lengths and checksums
 * differ, the key does not). Returns what left port 1. */
static unsigned int
run_batch(struct fixture *f, const uint8_t *dst, uint16_t n)
{
	struct rte_mbuf *pkts[PKT_BATCH_MAX];

	for (uint16_t i = 0; i < n; i++) {
		struct pktgen_spec sp = pktgen_udp4(0x0a000001, 0x0a000100u + dst[i], 1, 2);
		uint8_t buf[256];
		size_t len;

		sp.payload_len = i;
		len = pktgen_build(&sp, buf, sizeof buf);
		pkts[i] = test_mbuf(mp, buf, len);
	}
	dp_pmd_process(dp_pmd_get(f->dp, 0), f->no[0], pkts, n);
	return collect(f->p[1], NULL, 0);
}

/* A packet with the key of the one before it takes that one's result,
 * counted as it was found (EMC, megaflow); after a miss, each looks its
 * flow up itself, and one upcall installs it for all; after a failed
 * upcall each asks again. In a batch of all different flows none takes
 * another's. */
static void
test_runs(void **state)
{
	/* Ten of flow 1, one of flow 2, 21 of flow 1 again. */
	uint8_t dst[PKT_BATCH_MAX];

	(void)state;
	for (int i = 0; i < PKT_BATCH_MAX; i++) {
		dst[i] = i == 10 ? 2 : 1;
	}
	for (uint32_t inv = 0; inv <= 1; inv++) {
		struct fixture *f = fixture_new(0, inv);
		struct flow_count counts[3] = {{.dst = 0x0a000101}, {.dst = 0x0a000102}};
		struct dp_stats s;

		assert_int_equal(run_batch(f, dst, PKT_BATCH_MAX), PKT_BATCH_MAX);
		dp_get_stats(f->dp, &s);
		assert_int_equal(s.misses, 2);
		assert_int_equal(f->u.calls, 2);
		assert_int_equal(s.megaflow_hits, 30);
		assert_stats_consistent(&s);
		/* Again: the first of each run found in the EMC (or the
		 * classifier), the rest counted the same way. */
		assert_int_equal(run_batch(f, dst, PKT_BATCH_MAX), PKT_BATCH_MAX);
		dp_get_stats(f->dp, &s);
		assert_int_equal(f->u.calls, 2);
		assert_int_equal(s.emc_hits, inv ? 32 : 0);
		assert_int_equal(s.megaflow_hits, inv ? 30 : 62);
		/* Without the EMC, the three that begin runs probed the
		 * one subtable; the others did not. */
		assert_int_equal(s.subtable_probes, inv ? 0 : 3);
		assert_stats_consistent(&s);
		dp_flow_dump(f->dp, count_flow, counts);
		assert_int_equal(counts[0].n_packets, 62);
		assert_int_equal(counts[1].n_packets, 2);
		/* Every packet its own flow: none takes another's. */
		for (int i = 0; i < PKT_BATCH_MAX; i++) {
			dst[i] = (uint8_t)(3 + i);
		}
		assert_int_equal(run_batch(f, dst, PKT_BATCH_MAX), PKT_BATCH_MAX);
		dp_get_stats(f->dp, &s);
		assert_int_equal(s.misses, 2 + PKT_BATCH_MAX);
		assert_int_equal(f->u.calls, 2 + PKT_BATCH_MAX);
		assert_stats_consistent(&s);
		/* A failed upcall: each packet of the run asks again. */
		f->u.fail = true;
		memset(dst, 100, sizeof dst);
		assert_int_equal(run_batch(f, dst, 8), 0);
		assert_int_equal(f->u.calls, 2 + PKT_BATCH_MAX + 8);
		dp_get_stats(f->dp, &s);
		assert_int_equal(s.drops[DP_DROP_UPCALL], 8);
		for (int i = 0; i < PKT_BATCH_MAX; i++) {
			dst[i] = i == 10 ? 2 : 1;
		}
		fixture_free(f);
	}
}

/* TCP flags are in the key: a run of one connection's packets is cut
 * where its flags change, so a megaflow on them sees each packet's. */
static void
test_runs_tcp_flags(void **state)
{
	static const uint8_t flags[] = {0x02, 0x10, 0x10, 0x10, 0x02, 0x02, 0x10, 0x18};
	struct fixture *f = fixture_new(0, 1);
	struct rte_mbuf *pkts[8];

	(void)state;
	f->u.fail = true;
	for (int i = 0; i < 2; i++) {
		struct flow_key key = {.in_port = f->no[0],
				       .eth_type = htons(0x0800),
				       .tcp_flags = htons(i ? 0x10 : 0x02)};
		struct flow_key mask = {
			.in_port = UINT32_MAX, .eth_type = 0xffff, .tcp_flags = 0xffff};
		struct dp_action out = {.type = DP_ACTION_OUTPUT, .port = f->no[1 + i]};

		assert_int_equal(dp_flow_put(f->dp, &key, &mask, &out, 1), 0);
	}
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 8; i++) {
			struct pktgen_spec sp = {.l3 = PKTGEN_L3_IPV4,
						 .ip4_src = 0x0a000001,
						 .ip4_dst = 0x0a000002,
						 .proto = 6,
						 .sport = 80,
						 .dport = 4242,
						 .tcp_flags = flags[i]};
			uint8_t buf[128];
			size_t len = pktgen_build(&sp, buf, sizeof buf);

			pkts[i] = test_mbuf(mp, buf, len);
		}
		dp_pmd_process(dp_pmd_get(f->dp, 0), f->no[0], pkts, 8);
		assert_int_equal(collect(f->p[1], NULL, 0), 3);
		assert_int_equal(collect(f->p[2], NULL, 0), 4);
	}
	/* The last packet's flags (PSH|ACK) match neither megaflow. */
	struct dp_stats s;

	dp_get_stats(f->dp, &s);
	assert_int_equal(s.drops[DP_DROP_UPCALL], 2);
	fixture_free(f);
}

/* Batches mixing several megaflows, two of them to the same port, and
 * packets of no flow: each flow's packets leave in arrival order, its
 * counters count exactly them, and the others are dropped as failed
 * upcalls. Random interleavings, EMC on and off. */
static void
test_batch_grouping(void **state)
{
	enum { N_DST = 5, N_BATCHES = 200 };
	/* Destinations 1-3 have flows (to ports 1, 2, 1); 4 and 5 none. */
	static const int out_port[N_DST] = {1, 2, 1, -1, -1};

	(void)state;
	for (uint32_t inv = 0; inv <= 1; inv++) {
		struct fixture *f = fixture_new(0, inv);
		struct flow_count counts[N_DST + 1] = {{0}};
		uint64_t sent[N_DST] = {0}, bytes[N_DST] = {0}, n_dropped = 0;
		uint16_t next_seq[N_DST] = {0}, seen_seq[N_DST] = {0};
		struct vs_random rnd;
		struct dp_stats s;

		vs_random_seed(&rnd, 77 + inv);
		f->u.fail = true;
		for (int d = 0; d < N_DST; d++) {
			struct flow_key key = {.in_port = f->no[0], .eth_type = htons(0x0800)};
			struct flow_key mask = {.in_port = UINT32_MAX, .eth_type = 0xffff};
			struct dp_action out = {.type = DP_ACTION_OUTPUT};

			counts[d].dst = 0x0a000101 + (uint32_t)d;
			if (out_port[d] < 0) {
				continue;
			}
			key.nw_dst.ipv4 = htonl(counts[d].dst);
			mask.nw_dst.ipv4 = UINT32_MAX;
			out.port = f->no[out_port[d]];
			assert_int_equal(dp_flow_put(f->dp, &key, &mask, &out, 1), 0);
		}
		for (int b = 0; b < N_BATCHES; b++) {
			struct rte_mbuf *pkts[32];
			uint16_t n = (uint16_t)(1 + vs_random_range(&rnd, 32));
			/* Some batches draw from fewer destinations: one group. */
			uint32_t span = 1 + vs_random_range(&rnd, N_DST);

			for (uint16_t i = 0; i < n; i++) {
				uint32_t d = vs_random_range(&rnd, span);
				struct pktgen_spec sp =
					pktgen_udp4(0x0a000001, counts[d].dst, next_seq[d]++, 7);
				uint8_t buf[256];
				size_t len;

				sp.payload_len = (uint16_t)vs_random_range(&rnd, 100);
				len = pktgen_build(&sp, buf, sizeof buf);
				pkts[i] = test_mbuf(mp, buf, len);
				sent[d]++;
				bytes[d] += len;
				n_dropped += out_port[d] < 0;
			}
			dp_pmd_process(dp_pmd_get(f->dp, 0), f->no[0], pkts, n);
			/* What left each port, in order: per destination, the
			 * sequence numbers must follow one another. */
			for (int p = 1; p <= 2; p++) {
				struct rte_mbuf *got[64];
				uint16_t k;

				while ((k = port_mem_collect(f->p[p], got, 64)) > 0) {
					for (uint16_t j = 0; j < k; j++) {
						struct flow_key key;

						flow_key_extract(
							rte_pktmbuf_mtod(got[j], uint8_t *),
							rte_pktmbuf_data_len(got[j]), 0, &key,
							NULL);
						uint32_t d = ntohl(key.nw_dst.ipv4) - 0x0a000101;

						assert_true(d < N_DST);
						assert_int_equal(out_port[d], p);
						assert_int_equal(ntohs(key.tp_src), seen_seq[d]);
						seen_seq[d]++;
					}
					rte_pktmbuf_free_bulk(got, k);
				}
			}
		}
		for (int d = 0; d < N_DST; d++) {
			assert_int_equal(seen_seq[d], out_port[d] < 0 ? 0 : sent[d]);
		}
		dp_flow_dump(f->dp, count_flow, counts);
		for (int d = 0; d < N_DST; d++) {
			if (out_port[d] >= 0) {
				assert_int_equal(counts[d].n_packets, sent[d]);
				assert_int_equal(counts[d].n_bytes, bytes[d]);
			}
		}
		dp_get_stats(f->dp, &s);
		assert_int_equal(s.drops[DP_DROP_UPCALL], n_dropped);
		assert_true(n_dropped > 0);
		fixture_free(f);
	}
}

static void
test_upcall_failure_and_drops(void **state)
{
	struct fixture *f = fixture_new(0, 1);
	struct dp_stats s;

	(void)state;
	f->u.fail = true;
	inject(f, 5, 1);
	poll_all(f);
	dp_get_stats(f->dp, &s);
	assert_int_equal(s.upcall_failures, 5);
	assert_int_equal(s.drops[DP_DROP_UPCALL], 5);
	assert_int_equal(s.n_flows, 0);

	/* An empty action list drops and says why. */
	f->u.fail = false;
	f->u.n_acts = 0;
	inject(f, 3, 1);
	poll_all(f);
	dp_get_stats(f->dp, &s);
	assert_int_equal(s.drops[DP_DROP_ACTION], 3);
	assert_string_equal(dp_drop_reason_name(DP_DROP_ACTION), "drop_action");

	/* Output to a port number nobody holds. */
	dp_flow_flush(f->dp);
	f->u.n_acts = 1;
	f->u.acts[0].port = 200;
	inject(f, 2, 1);
	poll_all(f);
	dp_get_stats(f->dp, &s);
	assert_int_equal(s.drops[DP_DROP_NO_PORT], 2);

	/* Bad actions from the upcall are refused, not installed. */
	dp_flow_flush(f->dp);
	f->u.acts[0].port = DP_MAX_PORTS + 1;
	inject(f, 1, 1);
	poll_all(f);
	dp_get_stats(f->dp, &s);
	assert_int_equal(s.upcall_failures, 6);
	assert_int_equal(s.n_flows, 0);
	assert_int_equal(collect(f->p[1], NULL, 0), 0);
	fixture_free(f);
}

/* A flood of new flows from one port is cut at its upcall rate; its
 * established flows and the other ports' misses go on. */
static void
test_upcall_limit(void **state)
{
	struct fixture *f = fixture_new(0, 1);
	struct dp_stats s;

	(void)state;
	dp_set_upcall_limit(f->dp, 1, 5); /* 1 per second, bursts of 5 */
	inject(f, 20, 20);
	poll_all(f);
	dp_get_stats(f->dp, &s);
	assert_int_equal(s.upcalls, 5);
	assert_int_equal(s.misses, 20);
	assert_int_equal(s.drops[DP_DROP_UPCALL_LIMIT], 15);
	assert_int_equal(s.drops[DP_DROP_UPCALL], 0);
	assert_string_equal(dp_drop_reason_name(DP_DROP_UPCALL_LIMIT), "drop_upcall_limit");
	assert_int_equal(collect(f->p[1], NULL, 0), 5);
	/* The flows installed in the burst keep forwarding. */
	inject(f, 10, 5);
	poll_all(f);
	assert_int_equal(collect(f->p[1], NULL, 0), 10);
	/* Another port has a bucket of its own. */
	inject_on(f, 2, 3, 3);
	poll_all(f);
	dp_get_stats(f->dp, &s);
	assert_int_equal(s.upcalls, 8);
	assert_int_equal(collect(f->p[1], NULL, 0), 3);
	/* 0 lifts the limit. */
	dp_set_upcall_limit(f->dp, 0, 0);
	inject(f, 10, 20);
	poll_all(f);
	dp_get_stats(f->dp, &s);
	assert_int_equal(s.drops[DP_DROP_UPCALL_LIMIT], 15);
	assert_int_equal(collect(f->p[1], NULL, 0), 10);
	assert_stats_consistent(&s);
	fixture_free(f);
}

static void
test_two_outputs_with_rewrite(void **state)
{
	struct fixture *f = fixture_new(0, 1);
	uint8_t a[64], b[64];

	(void)state;
	f->u.n_acts = 3;
	f->u.acts[0] = (struct dp_action){.type = DP_ACTION_OUTPUT, .port = f->no[1]};
	f->u.acts[1] = (struct dp_action){.type = DP_ACTION_PUSH_VLAN,
					  .vlan = {htons(0x8100), htons(0x1000 | 7)}};
	f->u.acts[2] = (struct dp_action){.type = DP_ACTION_OUTPUT, .port = f->no[2]};
	inject(f, 10, 2);
	poll_all(f);
	assert_int_equal(collect(f->p[1], a, sizeof a), 10);
	assert_int_equal(collect(f->p[2], b, sizeof b), 10);
	assert_int_equal(a[12], 0x08); /* untagged copy */
	assert_int_equal(b[12], 0x81); /* tagged copy */
	assert_int_equal(b[15], 7);
	assert_memory_equal(a + 12, b + 16, 32);
	fixture_free(f);
}

/* A clone runs its actions on a copy: the packet after it is unchanged. */
static void
test_clone(void **state)
{
	struct fixture *f = fixture_new(0, 1);
	uint8_t a[64], b[64];

	(void)state;
	f->u.n_acts = 4;
	f->u.acts[0] = (struct dp_action){.type = DP_ACTION_CLONE, .port = 2};
	f->u.acts[1] = (struct dp_action){.type = DP_ACTION_PUSH_VLAN,
					  .vlan = {htons(0x8100), htons(0x1000 | 9)}};
	f->u.acts[2] = (struct dp_action){.type = DP_ACTION_OUTPUT, .port = f->no[1]};
	f->u.acts[3] = (struct dp_action){.type = DP_ACTION_OUTPUT, .port = f->no[2]};
	inject(f, 10, 2);
	poll_all(f);
	assert_int_equal(collect(f->p[1], a, sizeof a), 10);
	assert_int_equal(collect(f->p[2], b, sizeof b), 10);
	assert_int_equal(a[12], 0x81); /* the clone's copy is tagged */
	assert_int_equal(a[15], 9);
	assert_int_equal(b[12], 0x08); /* the packet itself is not */
	char text[256];
	dp_actions_format(text, sizeof text, f->u.acts, 4);
	assert_string_equal(text, "clone(push_vlan(tpid=0x8100,vid=9,pcp=0),1),2");
	fixture_free(f);
}

/* Counts the packets at 'p' whose IPv4 TOS is 'tos' (and checks every
 * IPv4 header checksum); returns how many there were in all. */
static unsigned int
collect_tos(struct port *p, uint8_t tos, unsigned int *with_tos)
{
	struct rte_mbuf *pkts[64];
	unsigned int total = 0;
	uint16_t n;

	*with_tos = 0;
	while ((n = port_mem_collect(p, pkts, 64)) > 0) {
		for (uint16_t i = 0; i < n; i++) {
			const uint8_t *ip = rte_pktmbuf_mtod_offset(pkts[i], uint8_t *, 14);
			uint32_t sum = 0;

			for (int k = 0; k < 20; k += 2) {
				sum += (uint32_t)ip[k] << 8 | ip[k + 1];
			}
			while (sum >> 16) {
				sum = (sum & 0xffff) + (sum >> 16);
			}
			assert_int_equal(sum, 0xffff);
			*with_tos += ip[1] == tos;
		}
		total += n;
		rte_pktmbuf_free_bulk(pkts, n);
	}
	return total;
}

static void
test_meters(void **state)
{
	struct fixture *f = fixture_new(0, 1);
	struct dp_meter_cfg drop = {true, 1, {{DP_METER_DROP, 0, 1, 5}}};
	struct dp_meter_cfg remark = {true, 1, {{DP_METER_DSCP, 1, 1, 2}}};
	struct dp_meter_stats ms;
	struct dp_stats st;
	unsigned int got, tos8;

	(void)state;
	assert_int_equal(dp_meter_set(f->dp, DP_MAX_METERS, &drop), -EINVAL);
	drop.bands[0].rate = 0;
	assert_int_equal(dp_meter_set(f->dp, 3, &drop), -EINVAL);
	drop.bands[0].rate = 1;
	assert_int_equal(dp_meter_get_stats(f->dp, 3, &ms), -ENOENT);

	/* 1 packet/s with a burst of 5: of 20 at once, 5 pass (6 if a
	 * second went by). */
	assert_int_equal(dp_meter_set(f->dp, 3, &drop), 0);
	f->u.n_acts = 2;
	f->u.acts[0] = (struct dp_action){.type = DP_ACTION_METER, .port = 3};
	f->u.acts[1] = (struct dp_action){.type = DP_ACTION_OUTPUT, .port = f->no[1]};
	inject(f, 20, 1);
	poll_all(f);
	got = collect(f->p[1], NULL, 0);
	assert_in_range(got, 5, 6);
	assert_int_equal(dp_meter_get_stats(f->dp, 3, &ms), 0);
	assert_int_equal(ms.packets, 20);
	assert_int_equal(ms.band_packets[0], 20 - got);
	dp_get_stats(f->dp, &st);
	assert_int_equal(st.drops[DP_DROP_METER], 20 - got);

	/* A changed meter starts with a full bucket and keeps its counters. */
	drop.bands[0].burst = 10;
	assert_int_equal(dp_meter_set(f->dp, 3, &drop), 0);
	inject(f, 20, 1);
	poll_all(f);
	got = collect(f->p[1], NULL, 0);
	assert_in_range(got, 10, 11);
	assert_int_equal(dp_meter_get_stats(f->dp, 3, &ms), 0);
	assert_int_equal(ms.packets, 40);

	/* Deleted: its megaflows pass packets unmetered until they go. */
	dp_meter_del(f->dp, 3);
	dp_run(f->dp);
	inject(f, 20, 1);
	poll_all(f);
	assert_int_equal(collect(f->p[1], NULL, 0), 20);

	/* A DSCP remark band raises the drop precedence past the burst. */
	assert_int_equal(dp_meter_set(f->dp, 4, &remark), 0);
	dp_flow_flush(f->dp);
	f->u.acts[0].port = 4;
	inject(f, 10, 1);
	poll_all(f);
	assert_int_equal(collect_tos(f->p[1], 0x08, &tos8), 10);
	assert_in_range(tos8, 7, 8);
	fixture_free(f);
}

/* Captures: what a port receives and sends, filtered, with drops counted
 * when the reader does not keep up, ended by the port's deletion. */
static void
test_capture(void **state)
{
	struct fixture *f = fixture_new(0, 1);
	struct dp_capture *all, *small, *filtered;
	struct dp_capture_rec *recs[64];
	struct dp_capture_stats st;
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	struct dp_capture_params p = {0};
	struct bpf_program udp3;
	unsigned int n;

	(void)state;
	assert_non_null(dead);
	assert_int_equal(pcap_compile(dead, &udp3, "udp dst port 3", 1, PCAP_NETMASK_UNKNOWN), 0);
	pcap_close(dead);
	assert_int_equal(dp_capture_start(f->dp, 99, &p, &all), -ENOENT);
	p.n_records = 3;
	assert_int_equal(dp_capture_start(f->dp, f->no[0], &p, &all), -EINVAL);
	p.n_records = 0;
	assert_int_equal(dp_capture_start(f->dp, f->no[0], &p, &all), 0);
	p.n_records = 4; /* 3 records */
	assert_int_equal(dp_capture_start(f->dp, f->no[1], &p, &small), 0);
	p.n_records = 0;
	p.filter = udp3.bf_insns;
	p.filter_len = udp3.bf_len;
	p.snaplen = 20;
	assert_int_equal(dp_capture_start(f->dp, f->no[1], &p, &filtered), 0);
	pcap_freecode(&udp3); /* the capture keeps its own copy */

	inject(f, 10, 2); /* UDP to port 2: the filter takes none */
	poll_all(f);
	assert_int_equal(collect(f->p[1], NULL, 0), 10);
	n = dp_capture_read(all, recs, 64);
	assert_int_equal(n, 10);
	assert_false(recs[0]->tx);
	assert_int_equal(recs[0]->len, recs[0]->caplen);
	assert_int_equal(recs[0]->data[12], 0x08);
	dp_capture_release(all, recs, n);
	dp_capture_get_stats(small, &st);
	assert_int_equal(st.captured, 3); /* the reader read nothing: */
	assert_int_equal(st.dropped, 7);  /* the rest was left out */
	n = dp_capture_read(small, recs, 64);
	assert_int_equal(n, 3);
	assert_true(recs[0]->tx);
	dp_capture_release(small, recs, n);
	assert_int_equal(dp_capture_read(filtered, recs, 64), 0);

	/* UDP to port 3 passes the filter, cut to the snaplen. */
	for (int i = 0; i < 2; i++) {
		struct pktgen_spec sp = pktgen_udp4(0x0a000001, 0x0a000100, 1, 3);
		uint8_t buf[128];
		struct rte_mbuf *m = test_mbuf(mp, buf, pktgen_build(&sp, buf, sizeof buf));

		assert_int_equal(port_mem_inject(f->p[0], &m, 1), 1);
	}
	poll_all(f);
	assert_int_equal(collect(f->p[1], NULL, 0), 2);
	n = dp_capture_read(filtered, recs, 64);
	assert_int_equal(n, 2);
	assert_int_equal(recs[0]->caplen, 20);
	assert_true(recs[0]->len > 20);
	dp_capture_release(filtered, recs, n);

	/* Deleting the port ends its captures. */
	assert_int_equal(dp_port_del(f->dp, f->no[1]), 0);
	dp_capture_get_stats(small, &st);
	assert_true(st.port_gone);
	dp_capture_stop(f->dp, small);
	dp_capture_stop(f->dp, filtered);
	dp_capture_stop(f->dp, all);
	dp_run(f->dp);
	fixture_free(f);
}

static void
test_flush_and_proactive_flows(void **state)
{
	struct fixture *f = fixture_new(0, 1);
	struct flow_key key, mask;
	struct dp_action out = {.type = DP_ACTION_OUTPUT, .port = 2};
	struct dp_stats s;

	(void)state;
	inject(f, 4, 4);
	poll_all(f);
	collect(f->p[1], NULL, 0);
	dp_flow_flush(f->dp);
	dp_get_stats(f->dp, &s);
	assert_int_equal(s.n_flows, 0);

	/* A flow put by the control thread: everything on port 0 to port 2. */
	memset(&key, 0, sizeof key);
	memset(&mask, 0, sizeof mask);
	key.in_port = f->no[0];
	mask.in_port = 0xffffffff;
	assert_int_equal(dp_flow_put(f->dp, &key, &mask, &out, 1), 0);
	assert_int_equal(dp_flow_put(f->dp, &key, &mask, &out, 1), -EEXIST);
	inject(f, 4, 4);
	poll_all(f);
	assert_int_equal(collect(f->p[2], NULL, 0), 4);
	assert_int_equal(f->u.calls, 4); /* no new upcall */
	fixture_free(f);
}

/* Puts "in_port=IN -> output:OUT" into the datapath. */
static void
put_forward(struct fixture *f, uint32_t in, uint32_t out)
{
	struct flow_key key, mask;
	struct dp_action a = {.type = DP_ACTION_OUTPUT, .port = out};

	memset(&key, 0, sizeof key);
	memset(&mask, 0, sizeof mask);
	key.in_port = in;
	mask.in_port = 0xffffffff;
	assert_int_equal(dp_flow_put(f->dp, &key, &mask, &a, 1), 0);
}

static struct port *
open_patch(const char *name, const char *peer)
{
	struct port_opt o = {"peer", peer};
	struct port *p;

	assert_int_equal(port_open("patch", name, &o, 1, mp, &p, NULL), 0);
	return p;
}

/* m0 -> patch pa ~ pb -> m2, inside one poll; a patch port without its peer
 * drops; a loop of patch ports ends at the depth limit, counted. */
static void
test_patch_ports(void **state)
{
	struct fixture *f = fixture_new(0, 1);
	struct port_stats ps;
	struct dp_stats s;
	uint32_t pa, pb, pc;

	(void)state;
	assert_int_equal(dp_port_add(f->dp, open_patch("pa", "pb"), &pa), 0);
	assert_int_equal(dp_port_patch_peer(f->dp, pa), -ENOENT); /* pb not there yet */
	put_forward(f, f->no[0], pa);
	inject(f, 3, 3);
	poll_all(f);
	port_get_stats(dp_port_get(f->dp, pa), &ps);
	assert_int_equal(ps.tx_dropped, 3);

	assert_int_equal(dp_port_add(f->dp, open_patch("pb", "pa"), &pb), 0);
	assert_int_equal(dp_port_patch_peer(f->dp, pa), (int)pb);
	assert_int_equal(dp_port_patch_peer(f->dp, pb), (int)pa);
	assert_int_equal(dp_port_patch_peer(f->dp, f->no[0]), -ENOENT);
	put_forward(f, pb, f->no[2]);
	inject(f, 5, 5);
	poll_all(f);
	assert_int_equal(collect(f->p[2], NULL, 0), 5);
	port_get_stats(dp_port_get(f->dp, pb), &ps);
	assert_int_equal(ps.rx_packets, 5);

	/* A third port naming pa is not linked: pa and pb name each other. */
	assert_int_equal(dp_port_add(f->dp, open_patch("pc", "pa"), &pc), 0);
	assert_int_equal(dp_port_patch_peer(f->dp, pc), -ENOENT);

	/* A loop: what enters on pa goes back out of pb, whose peer is pa. */
	dp_flow_flush(f->dp);
	put_forward(f, f->no[0], pa);
	put_forward(f, pb, pb);
	put_forward(f, pa, pa);
	inject(f, 2, 2);
	poll_all(f);
	dp_get_stats(f->dp, &s);
	assert_int_equal(s.drops[DP_DROP_PATCH_LOOP], 2);

	/* Deleting pb unlinks pa before pb goes. */
	assert_int_equal(dp_port_del(f->dp, pb), 0);
	assert_int_equal(dp_port_patch_peer(f->dp, pa), -ENOENT);
	fixture_free(f);
}

/* tx flush interval: output waits for later bursts (up to a full batch)
 * until the interval has passed; a port deleted meanwhile gets nothing and
 * the packets are counted and freed; 0 sends after every burst again. */
static void
test_tx_flush_interval(void **state)
{
	struct fixture *f = fixture_new(0, 1);
	struct dp_pmd *pmd = dp_pmd_get(f->dp, 0);
	struct dp_stats s;

	(void)state;
	dp_set_tx_flush_interval(f->dp, 1000000); /* 1 s: nothing comes due here */
	inject(f, 8, 4);
	assert_int_equal(dp_pmd_poll(pmd), 8);
	assert_int_equal(collect(f->p[1], NULL, 0), 0);
	inject(f, 8, 4);
	assert_int_equal(dp_pmd_poll(pmd), 8);
	assert_int_equal(collect(f->p[1], NULL, 0), 0);
	/* A full batch goes at once; the rest waits. */
	inject(f, 24, 4);
	assert_int_equal(dp_pmd_poll(pmd), 24);
	assert_int_equal(collect(f->p[1], NULL, 0), 32);
	dp_get_stats(f->dp, &s);
	assert_int_equal(s.tx_packets, 32);
	/* A short interval: the next poll, even an empty one, sends them. */
	dp_set_tx_flush_interval(f->dp, 1);
	assert_int_equal(dp_pmd_poll(pmd), 0);
	assert_int_equal(collect(f->p[1], NULL, 0), 8);
	/* Back to 0: every burst leaves at once. */
	dp_set_tx_flush_interval(f->dp, 0);
	inject(f, 3, 1);
	assert_int_equal(dp_pmd_poll(pmd), 3);
	assert_int_equal(collect(f->p[1], NULL, 0), 3);
	/* Held for a port that goes away: dropped, not sent elsewhere. */
	dp_set_tx_flush_interval(f->dp, 1000000);
	inject(f, 4, 1);
	assert_int_equal(dp_pmd_poll(pmd), 4);
	assert_int_equal(dp_port_del(f->dp, f->no[1]), 0);
	dp_set_tx_flush_interval(f->dp, 1);
	assert_int_equal(dp_pmd_poll(pmd), 0);
	dp_get_stats(f->dp, &s);
	assert_int_equal(s.drops[DP_DROP_NO_PORT], 4);
	assert_int_equal(s.tx_packets, 32 + 8 + 3);
	dp_run(f->dp);
	fixture_free(f); /* every mbuf back in the pool */
}

static void
test_port_errors(void **state)
{
	struct port *p;
	char err[PORT_ERR_MAX];

	(void)state;
	assert_int_equal(port_open("nope", "x", NULL, 0, mp, &p, err), -EINVAL);
	assert_non_null(strstr(err, "unknown type"));
	struct port_opt bad = {"colour", "blue"};
	assert_int_equal(port_open("mem", "x", &bad, 1, mp, &p, err), -EINVAL);
	assert_non_null(strstr(err, "colour"));
	struct port_opt size = {"size", "1x"};
	assert_int_equal(port_open("mem", "x", &size, 1, mp, &p, err), -EINVAL);
	assert_int_equal(port_open("pcap", "x", NULL, 0, mp, &p, err), -EINVAL);
	struct port_opt missing = {"rx_pcap", "/nonexistent/file.pcap"};
	assert_int_equal(port_open("pcap", "x", &missing, 1, mp, &p, err), -ENOENT);
	assert_non_null(strstr(err, "rx_pcap"));
	assert_int_equal(port_open("mem", "", NULL, 0, mp, &p, err), -EINVAL);
	struct port_opt self = {"peer", "x"};
	assert_int_equal(port_open("patch", "x", &self, 1, mp, &p, err), -EINVAL);
	assert_non_null(strstr(err, "its own peer"));
	assert_int_equal(port_check("patch", "x", NULL, 0, err), -EINVAL);
	assert_non_null(strstr(err, "needs options:peer"));
	struct port_opt mtu = {"mtu_request", "9000"};
	assert_int_equal(port_check("mem", "x", &mtu, 1, err), -EINVAL);
	assert_non_null(strstr(err, "does not support mtu_request"));
	struct port_opt rel = {"path", "vm.sock"};
	assert_int_equal(port_check("vhost-user", "x", &rel, 1, err), -EINVAL);
	assert_non_null(strstr(err, "absolute"));
	assert_int_equal(port_check("mem", "x", NULL, 0, err), 0);
}

/* A real PMD thread on CPU 1 forwards while the test thread injects. */
static void
test_pmd_thread(void **state)
{
	struct fixture *f = fixture_new(1ull << 1, 100);
	struct dp_stats s;
	unsigned int got = 0;

	(void)state;
	assert_int_equal(dp_start(f->dp), 0);
	for (int round = 0; round < 20; round++) {
		inject(f, 50, 8);
		usleep(2000);
		got += collect(f->p[1], NULL, 0);
	}
	for (int i = 0; i < 500 && got < 1000; i++) {
		usleep(1000);
		got += collect(f->p[1], NULL, 0);
	}
	assert_int_equal(got, 1000);
	/* Remove a port and flush flows under a live thread. */
	assert_int_equal(dp_port_del(f->dp, f->no[2]), 0);
	assert_int_equal(dp_port_del(f->dp, f->no[2]), -ENOENT);
	dp_flow_flush(f->dp);
	inject(f, 10, 8);
	for (int i = 0; i < 500 && got < 1010; i++) {
		usleep(1000);
		got += collect(f->p[1], NULL, 0);
	}
	assert_int_equal(got, 1010);
	dp_get_stats(f->dp, &s);
	assert_int_equal(s.rx_packets, 1010);
	assert_int_equal(s.misses, 16);
	assert_stats_consistent(&s);
	fixture_free(f);
}

/* Sends 'n' packets over 'n_dst' flows through a datapath without threads,
 * 500 at a time (the rings hold 1024). */
static void
pump(struct fixture *f, unsigned int n, unsigned int n_dst)
{
	for (unsigned int done = 0; done < n; done += 500) {
		for (unsigned int i = done; i < done + 500; i++) {
			struct pktgen_spec s =
				pktgen_udp4(0x0a000001, 0x0a010000 + i % n_dst, 1, 2);
			uint8_t buf[128];
			size_t len = pktgen_build(&s, buf, sizeof buf);
			struct rte_mbuf *m = test_mbuf(mp, buf, len);

			assert_int_equal(port_mem_inject(f->p[0], &m, 1), 1);
		}
		poll_all(f);
		assert_int_equal(collect(f->p[1], NULL, 0), 500);
	}
}

/* An EMC that many more flows than it holds only thrash is left alone for
 * a while, and used again once the traffic fits. */
static void
test_emc_rest(void **state)
{
	struct dp_params params = {
		.emc_entries = 1024, .emc_inv_prob = 1, .emc_inv_prob_set = true};
	struct fixture *f = fixture_with(&params);
	struct dp_stats s0, s1;

	(void)state;
	/* A few flows (fewer than entries): the EMC fills and is never left. */
	pump(f, 20000, 16);
	dp_get_stats(f->dp, &s0);
	assert_int_equal(s0.emc_bypassed, 0);
	assert_true(s0.emc_hits > 19000);

	/* 8,000 flows through 1,024 entries: it is skipped. */
	pump(f, 20000, 8000);
	dp_get_stats(f->dp, &s1);
	assert_true(s1.emc_bypassed > 5000);
	assert_true(s1.emc_hits - s0.emc_hits < 2000);
	assert_int_equal(s1.rx_packets,
			 s1.emc_hits + s1.simple_hits + s1.megaflow_hits + s1.misses);

	/* Back to a few flows: after its rest, the EMC serves them again. */
	pump(f, 150000, 16);
	dp_get_stats(f->dp, &s0);
	pump(f, 20000, 16);
	dp_get_stats(f->dp, &s1);
	assert_int_equal(s1.emc_bypassed, s0.emc_bypassed);
	/* (Not every one: stale entries leave the 16 flows no free slot,
	 * and two that share both of theirs evict each other.) */
	assert_true(s1.emc_hits - s0.emc_hits > 18000);
	fixture_free(f);
}

/* Which PMD polls port 'no' (-1: none); fails if two do. */
static int
pmd_of(struct dp *dp, uint32_t no, bool *pinned, uint64_t *packets)
{
	int found = -1;

	for (unsigned int i = 0; i < dp_n_pmds(dp); i++) {
		struct dp_rxq_info q[16];
		int cpu, n = dp_pmd_get_rxqs(dp, i, &cpu, q, 16);

		for (int k = 0; k < n; k++) {
			if (q[k].port_no == no) {
				assert_int_equal(found, -1);
				found = (int)i;
				*pinned = q[k].pinned;
				*packets = q[k].packets;
			}
		}
	}
	return found;
}

static int
n_queues(struct dp *dp, unsigned int pmd)
{
	int cpu;

	return dp_pmd_get_rxqs(dp, pmd, &cpu, NULL, 0);
}

/* Waits until port 1 has sent 'want' packets in all; returns them. */
static unsigned int
collect_n(struct fixture *f, unsigned int want)
{
	unsigned int got = 0;

	for (int i = 0; i < 2000 && got < want; i++) {
		usleep(1000);
		got += collect(f->p[1], NULL, 0);
	}
	return got;
}

/* pmd-rxq-affinity values: what is taken, and every malformed one. */
static void
test_rxq_affinity_parse(void **state)
{
	static const char *const bad[] = {
		"",     "x",    "0",        "0:",      ":1",      "-1:0",    "0:-1",
		"16:0", "0:1,", "0:1,,1:0", "0:1;1:0", "0:99999", "0:1,0:2", " 0:1",
	};
	char err[PORT_ERR_MAX];
	int16_t cpus[PORT_MAX_QUEUES];

	(void)state;
	assert_int_equal(port_parse_affinity("p", "0:1", cpus, err), 0);
	assert_int_equal(cpus[0], 1);
	assert_int_equal(cpus[1], -1);
	assert_int_equal(port_parse_affinity("p", "3:0,15:7", cpus, err), 0);
	assert_int_equal(cpus[3], 0);
	assert_int_equal(cpus[15], 7);
	assert_int_equal(cpus[0], -1);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		if (port_parse_affinity("p", bad[i], cpus, err) != -EINVAL) {
			fail_msg("'%s' was taken", bad[i]);
		}
		assert_non_null(strstr(err, "port p: pmd-rxq-affinity"));
	}
}

/* Two PMD threads: queues by count, pinning and isolation, and a
 * rebalance by measured load that loses no packet. */
static void
test_rxq_placement(void **state)
{
	struct fixture *f = fixture_new(0x3, 100);
	const struct port_opt pin = {"pmd-rxq-affinity", "0:1"}, bad = {"pmd-rxq-affinity", "1:1"};
	struct port *pinned_port, *extra;
	uint32_t pinned_no, extra_no;
	char err[PORT_ERR_MAX];
	uint64_t pkts_before, pkts_after;
	bool pinned;

	(void)state;
	assert_int_equal(dp_n_pmds(f->dp), 2);
	assert_true(dp_pmd_on_cpu(f->dp, 0) && dp_pmd_on_cpu(f->dp, 1));
	assert_false(dp_pmd_on_cpu(f->dp, 2));
	assert_int_equal(dp_start(f->dp), 0);
	/* Three queues by count: 2 and 1. */
	assert_int_equal(n_queues(f->dp, 0) + n_queues(f->dp, 1), 3);
	assert_true(abs(n_queues(f->dp, 0) - n_queues(f->dp, 1)) == 1);

	/* A mem port has one queue: queue 1 cannot be pinned. */
	assert_int_equal(port_open("mem", "mbad", &bad, 1, mp, &extra, err), -EINVAL);
	assert_non_null(strstr(err, "names queue 1, but the port has 1 receive queue"));

	/* Pinned to CPU 1: that thread polls it, and no longer takes others. */
	assert_int_equal(port_open("mem", "mpin", &pin, 1, mp, &pinned_port, err), 0);
	assert_int_equal(dp_port_add(f->dp, pinned_port, &pinned_no), 0);
	assert_int_equal(pmd_of(f->dp, pinned_no, &pinned, &pkts_before), 1);
	assert_true(pinned);
	assert_int_equal(port_open("mem", "mext", NULL, 0, mp, &extra, err), 0);
	assert_int_equal(dp_port_add(f->dp, extra, &extra_no), 0);
	assert_int_equal(pmd_of(f->dp, extra_no, &pinned, &pkts_before), 0);
	assert_false(pinned);

	/* Isolation on rebalance: every unpinned queue ends on thread 0. */
	assert_true(dp_rxqs_rebalance(f->dp) >= 0);
	assert_int_equal(n_queues(f->dp, 1), 1);
	assert_int_equal(n_queues(f->dp, 0), 4);
	assert_int_equal(dp_rxqs_rebalance(f->dp), 0); /* nothing left to move */
	assert_int_equal(dp_port_del(f->dp, pinned_no), 0);
	assert_int_equal(dp_port_del(f->dp, extra_no), 0);

	/* By load: port 0 busy, port 2 a little, port 1 idle. The busy
	 * queue gets a thread to itself. */
	for (int i = 0; i < 6; i++) {
		inject_on(f, 0, 500, 8);
		assert_int_equal(collect_n(f, 500), 500);
	}
	inject_on(f, 2, 50, 8);
	assert_int_equal(collect_n(f, 50), 50);
	pmd_of(f->dp, f->no[0], &pinned, &pkts_before);
	assert_int_equal(pkts_before, 3000);
	assert_true(dp_rxqs_rebalance(f->dp) >= 0);
	int busy = pmd_of(f->dp, f->no[0], &pinned, &pkts_after);

	assert_int_equal(n_queues(f->dp, (unsigned int)busy), 1);
	assert_int_equal(n_queues(f->dp, 1 - (unsigned int)busy), 2);
	assert_int_equal(pkts_after, 3000); /* counters go with the queue */
	/* Traffic after the move: nothing lost. */
	inject_on(f, 0, 500, 8);
	assert_int_equal(collect_n(f, 500), 500);
	inject_on(f, 2, 500, 8);
	assert_int_equal(collect_n(f, 500), 500);
	fixture_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_miss_then_hits),
		cmocka_unit_test(test_megaflow_without_emc),
		cmocka_unit_test(test_batch_grouping),
		cmocka_unit_test(test_runs),
		cmocka_unit_test(test_runs_tcp_flags),
		cmocka_unit_test(test_upcall_failure_and_drops),
		cmocka_unit_test(test_upcall_limit),
		cmocka_unit_test(test_two_outputs_with_rewrite),
		cmocka_unit_test(test_clone),
		cmocka_unit_test(test_meters),
		cmocka_unit_test(test_capture),
		cmocka_unit_test(test_flush_and_proactive_flows),
		cmocka_unit_test(test_tx_flush_interval),
		cmocka_unit_test(test_port_errors),
		cmocka_unit_test(test_patch_ports),
		cmocka_unit_test(test_pmd_thread),
		cmocka_unit_test(test_rxq_affinity_parse),
		cmocka_unit_test(test_rxq_placement),
		cmocka_unit_test(test_emc_rest),
	};

	mp = test_eal_init("0");
	int ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return ret;
}
