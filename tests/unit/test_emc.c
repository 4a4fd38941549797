/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the exact-match cache: hits, misses, both ways of a slot,
 * insertion probability, disabling, and sweeping dead megaflows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "emc.h"

#define FLOW(n) ((void *)(uintptr_t)(0x1000 * (n)))

static struct flow_key
key_n(uint32_t n)
{
	struct flow_key k;

	memset(&k, 0, sizeof k);
	k.in_port = 1;
	k.nw_src.ipv4 = n;
	k.eth_type = 0x0008;
	return k;
}

static void
test_hit_after_insert(void **state)
{
	struct emc *emc = emc_create(1024, 1, 1);
	struct flow_key k = key_n(7);
	uint32_t h = flow_key_hash(&k, 0);

	(void)state;
	assert_non_null(emc);
	assert_null(emc_lookup(emc, &k, h));
	emc_maybe_insert(emc, &k, h, FLOW(7));
	assert_ptr_equal(emc_lookup(emc, &k, h), FLOW(7));
	/* A different key with the same hash must not hit. */
	struct flow_key k2 = key_n(8);
	assert_null(emc_lookup(emc, &k2, h));
	/* Reinserting updates in place. */
	emc_insert(emc, &k, h, FLOW(9));
	assert_ptr_equal(emc_lookup(emc, &k, h), FLOW(9));
	assert_int_equal(emc_count(emc), 1);
	emc_destroy(emc);
	emc_destroy(NULL);
}

static void
test_two_ways(void **state)
{
	struct emc *emc = emc_create(16, 1, 1);
	struct flow_key a = key_n(1), b = key_n(2), c = key_n(3);

	(void)state;
	/* Force three keys onto the same pair of slots with a fake hash. */
	emc_insert(emc, &a, 0x00030005, FLOW(1));
	emc_insert(emc, &b, 0x00030005, FLOW(2));
	assert_ptr_equal(emc_lookup(emc, &a, 0x00030005), FLOW(1));
	assert_ptr_equal(emc_lookup(emc, &b, 0x00030005), FLOW(2));
	emc_insert(emc, &c, 0x00030005, FLOW(3));
	assert_ptr_equal(emc_lookup(emc, &c, 0x00030005), FLOW(3));
	assert_int_equal(emc_count(emc), 2);
	emc_destroy(emc);
}

static void
test_probability(void **state)
{
	struct emc *emc = emc_create(1 << 16, 100, 42);
	uint32_t n = 20000;

	(void)state;
	for (uint32_t i = 0; i < n; i++) {
		struct flow_key k = key_n(i);

		emc_maybe_insert(emc, &k, flow_key_hash(&k, 0), FLOW(1));
	}
	/* Expect about n/100 = 200 inserts; binomial sd ~14. */
	assert_in_range(emc->n_inserts, 140, 260);
	emc_destroy(emc);
}

static void
test_disabled(void **state)
{
	struct emc *emc = emc_create(64, 1, 1);
	struct flow_key k = key_n(1);
	uint32_t h = flow_key_hash(&k, 0);

	(void)state;
	emc_maybe_insert(emc, &k, h, FLOW(1));
	assert_true(emc_enabled(emc));
	emc_set_inv_prob(emc, 0);
	assert_false(emc_enabled(emc));
	assert_null(emc_lookup(emc, &k, h));
	emc_maybe_insert(emc, &k, h, FLOW(1));
	assert_int_equal(emc_count(emc), 0);
	emc_destroy(emc);
}

static bool
is_flow2(const void *flow, void *aux)
{
	(void)aux;
	return flow == FLOW(2);
}

static void
test_sweep(void **state)
{
	struct emc *emc = emc_create(4096, 1, 1);

	(void)state;
	for (uint32_t i = 0; i < 100; i++) {
		struct flow_key k = key_n(i);

		emc_insert(emc, &k, flow_key_hash(&k, 0), FLOW(1 + i % 2));
	}
	uint32_t before = emc_count(emc);
	uint32_t swept = emc_sweep(emc, is_flow2, NULL);
	assert_true(swept > 0);
	assert_int_equal(emc_count(emc), before - swept);
	for (uint32_t i = 0; i < 100; i++) {
		struct flow_key k = key_n(i);
		void *f = emc_lookup(emc, &k, flow_key_hash(&k, 0));

		assert_true(f == NULL || f == FLOW(1));
	}
	emc_sweep(emc, NULL, NULL);
	assert_int_equal(emc_count(emc), 0);
	emc_destroy(emc);
}

/* The IPv6 tunnel addresses live apart from the rest of a cached key: keys
 * that differ only there, or have them or not, are each their own entry. */
static void
test_tun6_words(void **state)
{
	struct emc *emc = emc_create(16, 1, 1);
	struct flow_key plain = key_n(1), a = plain, b = plain;
	const uint32_t h = 0x00030005; /* all three on one pair of slots */

	(void)state;
	a.tun_ipv6_src[15] = 1;
	a.tun_ipv6_dst[0] = 0x20;
	b = a;
	b.tun_ipv6_dst[15] = 2;
	emc_insert(emc, &a, h, FLOW(1));
	assert_ptr_equal(emc_lookup(emc, &a, h), FLOW(1));
	assert_null(emc_lookup(emc, &b, h));
	assert_null(emc_lookup(emc, &plain, h));
	emc_insert(emc, &plain, h, FLOW(2));
	assert_ptr_equal(emc_lookup(emc, &plain, h), FLOW(2));
	assert_ptr_equal(emc_lookup(emc, &a, h), FLOW(1));
	assert_null(emc_lookup(emc, &b, h));
	/* b takes a slot: which one it evicts, the other still answers. */
	emc_insert(emc, &b, h, FLOW(3));
	assert_ptr_equal(emc_lookup(emc, &b, h), FLOW(3));
	assert_int_equal(emc_count(emc), 2);
	assert_true((emc_lookup(emc, &a, h) == FLOW(1)) != (emc_lookup(emc, &plain, h) == FLOW(2)));
	/* A slot that held a key with addresses takes one without. */
	emc_sweep(emc, NULL, NULL);
	emc_insert(emc, &b, h, FLOW(3));
	emc_sweep(emc, NULL, NULL);
	emc_insert(emc, &plain, h, FLOW(2));
	assert_ptr_equal(emc_lookup(emc, &plain, h), FLOW(2));
	assert_null(emc_lookup(emc, &b, h));
	emc_destroy(emc);
}

static void
test_bad_size(void **state)
{
	(void)state;
	assert_null(emc_create(1u << 30, 1, 1));
	struct emc *emc = emc_create(0, 1, 1);
	assert_non_null(emc);
	assert_int_equal(emc->mask, 1);
	emc_destroy(emc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hit_after_insert),
		cmocka_unit_test(test_two_ways),
		cmocka_unit_test(test_probability),
		cmocka_unit_test(test_disabled),
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_tun6_words),
		cmocka_unit_test(test_bad_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
