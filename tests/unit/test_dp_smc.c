/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The signature-match cache (smc.h): on its own (ways, signatures,
 * replacement), and in the datapath, where it serves a table past
 * DP_SMC_MIN_FLOWS. Its ways are never swept, so the datapath test deletes
 * every megaflow after the cache has learnt them and installs others in
 * their memory, of another mask and with the outputs swapped, some keys
 * left without one: every packet must still go where the current table
 * sends it, or nowhere; and again with a real PMD thread while megaflows
 * are deleted and put back under it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>

#include <cmocka.h>

#include "dp.h"
#include "pktgen.h"
#include "port_mem.h"
#include "smc.h"
#include "test_eal.h"

static struct rte_mempool *mp;

static void
test_cache(void **state)
{
	struct smc *smc;
	int flows[SMC_WAYS + 2];
	/* One bucket (low bits 0), signatures 1..8 (high 16 bits). */
	uint32_t h[SMC_WAYS + 2];

	(void)state;
	assert_null(smc_create(3));
	assert_int_equal(errno, EINVAL);
	smc = smc_create(4);
	assert_non_null(smc);
	for (int i = 0; i < SMC_WAYS + 2; i++) {
		h[i] = (uint32_t)(i + 1) << 16;
	}
	assert_null(smc_find(smc, h[0]));
	smc_insert(smc, h[0], &flows[0]);
	assert_ptr_equal(smc_find(smc, h[0]), &flows[0]);
	assert_null(smc_find(smc, h[1]));                 /* another signature */
	assert_null(smc_find(smc, h[0] | 1));             /* another bucket */
	smc_insert(smc, h[0], &flows[1]);                 /* the same key again: */
	assert_ptr_equal(smc_find(smc, h[0]), &flows[1]); /* its way, updated */
	for (int i = 1; i < SMC_WAYS; i++) {
		smc_insert(smc, h[i], &flows[i]);
	}
	for (int i = 1; i < SMC_WAYS; i++) {
		assert_ptr_equal(smc_find(smc, h[i]), &flows[i]);
	}
	/* A full bucket: the next two take ways in turn, the first two. */
	smc_insert(smc, h[SMC_WAYS], &flows[SMC_WAYS]);
	smc_insert(smc, h[SMC_WAYS + 1], &flows[SMC_WAYS + 1]);
	assert_null(smc_find(smc, h[0]));
	assert_null(smc_find(smc, h[1]));
	assert_ptr_equal(smc_find(smc, h[SMC_WAYS]), &flows[SMC_WAYS]);
	assert_ptr_equal(smc_find(smc, h[SMC_WAYS + 1]), &flows[SMC_WAYS + 1]);
	assert_ptr_equal(smc_find(smc, h[2]), &flows[2]);
	smc_destroy(smc);
	smc_destroy(NULL);
}

enum { N_KEYS = DP_SMC_MIN_FLOWS + 2000, BATCH = 32 };

static uint32_t
key_addr(uint32_t i)
{
	return 0x0a000000u + i;
}

/* Phase 1: every key has a megaflow on (in_port, eth_type, nw_dst), odd
 * keys to port A, even ones to B. Phase 2: another mask (nw_proto too),
 * the outputs swapped, and keys with i % 4 == 3 without one. */
static int
expected(int phase, uint32_t i)
{
	if (phase == 1) {
		return i % 2 ? 0 : 1;
	}
	return i % 4 == 3 ? -1 : i % 2 ? 1 : 0;
}

/* Key i's megaflow of 'phase' (which must give it one). */
static void
put_key(struct dp *dp, int phase, uint32_t i, uint32_t in_no, const uint32_t out_no[2])
{
	struct flow_key key = {0}, mask = {0};
	struct dp_action a = {.type = DP_ACTION_OUTPUT, .port = out_no[expected(phase, i)]};

	key.in_port = in_no;
	key.eth_type = htons(0x0800);
	key.nw_dst.ipv4 = htonl(key_addr(i));
	mask.in_port = UINT32_MAX;
	mask.eth_type = 0xffff;
	mask.nw_dst.ipv4 = UINT32_MAX;
	if (phase == 2) {
		key.nw_proto = 17;
		mask.nw_proto = 0xff;
	}
	assert_int_equal(dp_flow_put(dp, &key, &mask, &a, 1), 0);
}

static void
install(struct dp *dp, int phase, uint32_t in_no, const uint32_t out_no[2])
{
	for (uint32_t i = 0; i < N_KEYS; i++) {
		if (expected(phase, i) >= 0) {
			put_key(dp, phase, i, in_no, out_no);
		}
	}
}

/* A datapath of 'params' with a port 'in' and two outputs, a and b, and
 * the megaflows of phase 1. */
static struct dp *
make_dp(const struct dp_params *params, struct port **in, uint32_t *in_no, struct port *out[2],
	uint32_t out_no[2])
{
	struct dp *dp = dp_create(params);

	assert_non_null(dp);
	assert_int_equal(port_open("mem", "in", NULL, 0, mp, in, NULL), 0);
	assert_int_equal(dp_port_add(dp, *in, in_no), 0);
	for (int p = 0; p < 2; p++) {
		assert_int_equal(port_open("mem", p ? "b" : "a", NULL, 0, mp, &out[p], NULL), 0);
		assert_int_equal(dp_port_add(dp, out[p], &out_no[p]), 0);
	}
	install(dp, 1, *in_no, out_no);
	return dp;
}

/* Sends every key once, in an order that spreads the buckets, and checks
 * where each packet went. */
static void
send_all(struct dp *dp, uint32_t in_no, struct port *const out[2], int phase)
{
	struct dp_pmd *pmd = dp_pmd_get(dp, 0);
	unsigned int arrived = 0, dropped = 0;

	for (uint32_t k = 0; k < N_KEYS; k += BATCH) {
		struct rte_mbuf *pkts[BATCH];
		uint16_t n = 0;

		for (uint32_t j = k; j < k + BATCH && j < N_KEYS; j++) {
			uint32_t i = (j * 7919u) % N_KEYS;
			struct pktgen_spec s = pktgen_udp4(0x0b000001, key_addr(i), 1000, 53);
			uint8_t buf[128];
			size_t len = pktgen_build(&s, buf, sizeof buf);

			pkts[n] = test_mbuf(mp, buf, len);
			assert_non_null(pkts[n]);
			n++;
			dropped += expected(phase, i) < 0;
		}
		dp_pmd_process(pmd, in_no, pkts, n);
		for (int p = 0; p < 2; p++) {
			struct rte_mbuf *got[BATCH];
			uint16_t g = port_mem_collect(out[p], got, BATCH);

			for (uint16_t x = 0; x < g; x++) {
				struct flow_key fk;

				flow_key_extract(rte_pktmbuf_mtod(got[x], const uint8_t *),
						 rte_pktmbuf_data_len(got[x]), 0, &fk, NULL);
				assert_int_equal(
					expected(phase, ntohl(fk.nw_dst.ipv4) - key_addr(0)), p);
				arrived++;
			}
			rte_pktmbuf_free_bulk(got, g);
		}
	}
	assert_int_equal(arrived + dropped, N_KEYS);
}

static void
test_stale_ways(void **state)
{
	/* The EMC off: every lookup goes to the SMC, then the classifier. */
	struct dp_params params = {.emc_inv_prob = 0, .emc_inv_prob_set = true};
	struct port *in, *out[2];
	uint32_t in_no, out_no[2];
	struct dp *dp = make_dp(&params, &in, &in_no, out, out_no);
	struct dp_stats s0, s1, s2;

	(void)state;
	send_all(dp, in_no, out, 1); /* the cache learns every key */
	dp_get_stats(dp, &s0);
	send_all(dp, in_no, out, 1);
	dp_get_stats(dp, &s1);
	print_message("phase 1: %llu of %u found by the cache\n",
		      (unsigned long long)(s1.smc_hits - s0.smc_hits), N_KEYS);
	assert_true(s1.smc_hits - s0.smc_hits > N_KEYS * 3 / 4);
	assert_int_equal(s1.misses, 0);

	/* Every megaflow gone and freed; the new ones take their memory. */
	dp_flow_flush(dp);
	install(dp, 2, in_no, out_no);
	send_all(dp, in_no, out, 2);
	send_all(dp, in_no, out, 2);
	dp_get_stats(dp, &s2);
	assert_int_equal(s2.misses, 2 * (N_KEYS / 4));
	assert_true(s2.smc_hits - s1.smc_hits > N_KEYS / 2);
	assert_int_equal(s2.rx_packets,
			 s2.emc_hits + s2.simple_hits + s2.megaflow_hits + s2.misses);
	dp_destroy(dp); /* closes its ports */
	assert_int_equal(rte_mempool_in_use_count(mp), 0);
}

/* One round of test_churn: the keys 'first' to 'first + n' (mod N_KEYS)
 * into 'in', where a PMD thread polls. */
static void
inject_keys(struct port *in, uint32_t first, uint32_t n)
{
	for (uint32_t j = first; j < first + n; j++) {
		uint32_t i = (j * 7919u) % N_KEYS;
		struct pktgen_spec s = pktgen_udp4(0x0b000001, key_addr(i), 1000, 53);
		uint8_t buf[128];
		size_t len = pktgen_build(&s, buf, sizeof buf);
		struct rte_mbuf *m = test_mbuf(mp, buf, len);

		assert_non_null(m);
		assert_int_equal(port_mem_inject(in, &m, 1), 1);
	}
}

/* Waits until the datapath has received 'n' packets in all, then checks
 * every packet that came out against phase 1; returns how many did. */
static unsigned int
drain_check(struct dp *dp, struct port *const out[2], uint64_t n)
{
	unsigned int arrived = 0;
	struct dp_stats s;

	for (int wait = 0; wait < 5000; wait++) {
		dp_get_stats(dp, &s);
		if (s.rx_packets >= n) {
			break;
		}
		usleep(1000);
	}
	assert_int_equal(s.rx_packets, n);
	for (int p = 0; p < 2; p++) {
		struct rte_mbuf *got[64];
		uint16_t g;

		while ((g = port_mem_collect(out[p], got, 64)) > 0) {
			for (uint16_t x = 0; x < g; x++) {
				struct flow_key fk;

				flow_key_extract(rte_pktmbuf_mtod(got[x], const uint8_t *),
						 rte_pktmbuf_data_len(got[x]), 0, &fk, NULL);
				assert_int_equal(expected(1, ntohl(fk.nw_dst.ipv4) - key_addr(0)),
						 p);
			}
			arrived += g;
			rte_pktmbuf_free_bulk(got, g);
		}
	}
	return arrived;
}

static unsigned int churn_round;

/* Deletes a third of the megaflows, another third each round. */
static bool
churn_keep(void *aux, const struct dp_flow_info *info)
{
	(void)aux;
	return (ntohl(info->key->nw_dst.ipv4) - key_addr(0) + churn_round) % 3 != 0;
}

/* With a real PMD thread: a third of the megaflows deleted and put back
 * while packets are in flight, round after round, so that their memory
 * is freed and taken again (for other keys, of the other output) while
 * the cache names it. A packet may be dropped (its megaflow was away),
 * never sent to the other port. */
static void
test_churn(void **state)
{
	enum { ROUNDS = 40, PER_ROUND = 512 };
	struct dp_params params = {
		.pmd_cpu_mask = 1ull << 1, .emc_inv_prob = 0, .emc_inv_prob_set = true};
	struct port *in, *out[2];
	uint32_t in_no, out_no[2];
	struct dp *dp = make_dp(&params, &in, &in_no, out, out_no);
	uint64_t sent = 0, arrived = 0;
	struct dp_stats s0, s1;

	(void)state;
	assert_int_equal(dp_start(dp), 0);
	/* Every key once, so that the cache knows them. */
	for (uint32_t k = 0; k < N_KEYS; k += PER_ROUND) {
		uint32_t n = VS_MIN((uint32_t)PER_ROUND, N_KEYS - k);

		inject_keys(in, k, n);
		sent += n;
		arrived += drain_check(dp, out, sent);
	}
	assert_int_equal(arrived, sent);
	dp_get_stats(dp, &s0);
	for (churn_round = 0; churn_round < ROUNDS; churn_round++) {
		inject_keys(in, churn_round * PER_ROUND, PER_ROUND);
		sent += PER_ROUND;
		dp_flow_revalidate(dp, churn_keep, NULL);
		dp_flow_sync(dp);
		/* The same megaflows again, in other memory or in the same. */
		for (uint32_t i = 0; i < N_KEYS; i++) {
			if ((i + churn_round) % 3 == 0) {
				put_key(dp, 1, i, in_no, out_no);
			}
		}
		arrived += drain_check(dp, out, sent);
	}
	dp_get_stats(dp, &s1);
	print_message("churn: %llu of %llu packets through, %llu found by the cache\n",
		      (unsigned long long)(arrived - (s0.rx_packets)),
		      (unsigned long long)(ROUNDS * PER_ROUND),
		      (unsigned long long)(s1.smc_hits - s0.smc_hits));
	assert_int_equal(arrived + s1.misses, sent);
	assert_true(s1.smc_hits - s0.smc_hits > ROUNDS * PER_ROUND / 4);
	dp_destroy(dp); /* closes its ports */
	assert_int_equal(rte_mempool_in_use_count(mp), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_stale_ways),
		cmocka_unit_test(test_churn),
	};

	mp = test_eal_init("0");
	int ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return ret;
}
