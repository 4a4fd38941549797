/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the megaflow classifier: insert, duplicate, remove, ranking,
 * and a differential test against a linear reference classifier on seeded
 * random rules and packets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "dpcls.h"
#include "random.h"

struct test_rule {
	struct dpcls_rule cls;
	struct flow_key key; /* unmasked, as inserted */
	struct flow_key mask;
	bool in;
};

static struct flow_key
mask_of(unsigned int which)
{
	struct flow_key m;

	memset(&m, 0, sizeof m);
	m.in_port = 0xffffffff;
	m.eth_type = 0xffff;
	if (which & 1) {
		m.nw_dst.ipv4 = 0xffffffff;
	}
	if (which & 2) {
		m.nw_src.ipv4 = htonl(0xffffff00);
	}
	if (which & 4) {
		m.tp_dst = 0xffff;
	}
	if (which & 8) {
		memset(m.eth_dst, 0xff, 6);
	}
	if (which & 16) {
		m.vlan_tci = htons(0x1fff);
	}
	return m;
}

static void
test_insert_lookup_remove(void **state)
{
	struct dpcls *cls = dpcls_create();
	struct test_rule r1, r2;
	struct dpcls_rule *dup = NULL;
	struct flow_key k, m = mask_of(1);

	(void)state;
	memset(&k, 0, sizeof k);
	k.in_port = 1;
	k.nw_dst.ipv4 = 5;
	k.tp_dst = 99; /* not in the mask: ignored */
	assert_null(dpcls_lookup(cls, &k));
	assert_int_equal(dpcls_insert(cls, &r1.cls, &k, &m, NULL), 0);
	assert_ptr_equal(dpcls_lookup(cls, &k), &r1.cls);
	k.tp_dst = 100;
	assert_ptr_equal(dpcls_lookup(cls, &k), &r1.cls);
	assert_memory_equal(dpcls_rule_mask(&r1.cls), &m, sizeof m);

	/* Same mask and masked key: refused, the existing rule reported. */
	assert_int_equal(dpcls_insert(cls, &r2.cls, &k, &m, &dup), -EEXIST);
	assert_ptr_equal(dup, &r1.cls);
	assert_int_equal(dpcls_count(cls), 1);

	k.nw_dst.ipv4 = 6;
	assert_null(dpcls_lookup(cls, &k));
	dpcls_remove(cls, &r1.cls);
	k.nw_dst.ipv4 = 5;
	assert_null(dpcls_lookup(cls, &k));
	assert_int_equal(dpcls_count(cls), 0);
	assert_int_equal(dpcls_n_subtables(cls), 0);
	dpcls_destroy(cls);
	dpcls_destroy(NULL);
}

static void
test_ranking(void **state)
{
	struct dpcls *cls = dpcls_create();
	struct test_rule r[2];
	struct flow_key k, m0 = mask_of(1), m1 = mask_of(4);
	struct dpcls_garbage g = {0};
	const struct flow_key *keys[1] = {&k};
	struct dpcls_rule *out[1];
	uint64_t probes = 0;

	(void)state;
	memset(&k, 0, sizeof k);
	k.nw_dst.ipv4 = 1;
	k.tp_dst = 2;
	assert_int_equal(dpcls_insert(cls, &r[0].cls, &k, &m0, NULL), 0);
	k.nw_dst.ipv4 = 3;
	assert_int_equal(dpcls_insert(cls, &r[1].cls, &k, &m1, NULL), 0);
	assert_int_equal(dpcls_n_subtables(cls), 2);
	/* k only matches the second subtable: 2 probes before the sort. */
	assert_int_equal(dpcls_lookup_batch(cls, keys, 1, out, &probes), 1);
	assert_ptr_equal(out[0], &r[1].cls);
	assert_int_equal(probes, 2);
	dpcls_sort(cls);
	probes = 0;
	assert_int_equal(dpcls_lookup_batch(cls, keys, 1, out, &probes), 1);
	assert_int_equal(probes, 1);
	dpcls_garbage_take(cls, &g);
	assert_true(g.n > 0);
	dpcls_garbage_free(&g);
	dpcls_destroy(cls);
}

/* Reference: the first (any) rule whose masked key matches. */
static bool
linear_matches(const struct test_rule *r, const struct flow_key *k)
{
	for (int w = 0; w < FLOW_KEY_U64S; w++) {
		if ((k->u64[w] & r->mask.u64[w]) != (r->key.u64[w] & r->mask.u64[w])) {
			return false;
		}
	}
	return true;
}

static struct flow_key
random_key(struct vs_random *rng)
{
	struct flow_key k;

	memset(&k, 0, sizeof k);
	/* Small value ranges so that random rules and packets collide. */
	k.in_port = vs_random_range(rng, 3);
	k.eth_type = vs_random_range(rng, 2) ? htons(0x0800) : htons(0x86dd);
	k.nw_dst.ipv4 = htonl(vs_random_range(rng, 16));
	k.nw_src.ipv4 = htonl(vs_random_range(rng, 4) << 8 | vs_random_range(rng, 3));
	k.tp_dst = htons((uint16_t)vs_random_range(rng, 4));
	k.eth_dst[5] = (uint8_t)vs_random_range(rng, 4);
	k.vlan_tci = htons((uint16_t)(0x1000 | vs_random_range(rng, 3)));
	return k;
}

static void
differential_round(uint64_t seed, unsigned int n_rules, unsigned int n_pkts)
{
	struct test_rule *rules = calloc(n_rules, sizeof *rules);
	struct dpcls *cls = dpcls_create();
	struct vs_random rng;
	/* Eight masks of three or more fields: narrow enough that packets
	 * both hit and miss, overlapping enough that subtables compete. */
	static const unsigned int masks[] = {0x07, 0x0b, 0x13, 0x1d, 0x1e, 0x1f, 0x0f, 0x17};
	unsigned int n_in = 0, n_hit = 0, n_miss = 0;

	vs_random_seed(&rng, seed);
	for (unsigned int i = 0; i < n_rules; i++) {
		struct dpcls_rule *dup;
		int err;

		rules[i].key = random_key(&rng);
		rules[i].mask = mask_of(masks[vs_random_range(&rng, ARRAY_SIZE(masks))]);
		err = dpcls_insert(cls, &rules[i].cls, &rules[i].key, &rules[i].mask, &dup);
		assert_true(err == 0 || err == -EEXIST);
		rules[i].in = err == 0;
		n_in += err == 0;
	}
	/* Remove a third of them, then check the lookups. */
	for (unsigned int i = 0; i < n_rules; i += 3) {
		if (rules[i].in) {
			dpcls_remove(cls, &rules[i].cls);
			rules[i].in = false;
			n_in--;
		}
	}
	assert_int_equal(dpcls_count(cls), n_in);
	for (unsigned int p = 0; p < n_pkts; p += 32) {
		struct flow_key keys[32];
		const struct flow_key *kp[32];
		struct dpcls_rule *out[32];
		uint64_t probes = 0;
		uint32_t found;

		for (int i = 0; i < 32; i++) {
			keys[i] = random_key(&rng);
			kp[i] = &keys[i];
		}
		found = dpcls_lookup_batch(cls, kp, 0xffffffff, out, &probes);
		for (int i = 0; i < 32; i++) {
			bool any = false;

			for (unsigned int r = 0; r < n_rules && !any; r++) {
				any = rules[r].in && linear_matches(&rules[r], &keys[i]);
			}
			assert_int_equal(any, !!(found & (1u << i)));
			n_hit += any;
			n_miss += !any;
			if (any) {
				struct test_rule *tr = CONTAINER_OF(out[i], struct test_rule, cls);

				assert_true(tr->in);
				assert_true(linear_matches(tr, &keys[i]));
			}
		}
		if (p % 256 == 0) {
			dpcls_sort(cls);
		}
	}
	print_message("seed %lu: %u rules in, %u hits, %u misses\n", (unsigned long)seed, n_in,
		      n_hit, n_miss);
	/* The seeds must exercise both outcomes to prove anything. */
	assert_true(n_hit > n_pkts / 10);
	assert_true(n_miss > n_pkts / 10);
	dpcls_destroy(cls);
	free(rules);
}

static void
test_differential(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 10; seed++) {
		differential_round(seed, 1000, 2048);
	}
}

/* Many rules in one subtable: forces table growth with readers' view intact. */
static void
test_growth(void **state)
{
	enum { N = 50000 };
	struct test_rule *rules = calloc(N, sizeof *rules);
	struct dpcls *cls = dpcls_create();
	struct flow_key m = mask_of(1);

	(void)state;
	for (uint32_t i = 0; i < N; i++) {
		memset(&rules[i].key, 0, sizeof rules[i].key);
		rules[i].key.nw_dst.ipv4 = i;
		assert_int_equal(dpcls_insert(cls, &rules[i].cls, &rules[i].key, &m, NULL), 0);
	}
	for (uint32_t i = 0; i < N; i += 2) {
		dpcls_remove(cls, &rules[i].cls);
	}
	for (uint32_t i = 0; i < N; i++) {
		struct dpcls_rule *r = dpcls_lookup(cls, &rules[i].key);

		assert_ptr_equal(r, i % 2 ? &rules[i].cls : NULL);
	}
	dpcls_destroy(cls);
	free(rules);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_lookup_remove),
		cmocka_unit_test(test_ranking),
		cmocka_unit_test(test_differential),
		cmocka_unit_test(test_growth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
