/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of lib/csum.h's csum_add() against RFC 1071 written out the
 * plain way (16-bit words in network order, a last odd byte padded with a
 * zero): random data of every length from 0 to 300 bytes at every
 * alignment, sums carried from one call into the next, all-ones data
 * (the sum that folds to "negative zero"), and the RFC's own example; and
 * csum_add_words() on header-sized data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "csum.h"
#include "random.h"

/* The checksum of 'n' bytes at 'p' after 'pre' more, by the book. */
static uint16_t
reference(uint32_t pre, const uint8_t *p, size_t n)
{
	uint64_t sum = pre;

	for (size_t i = 0; i < n; i += 2) {
		sum += (uint32_t)p[i] << 8 | (i + 1 < n ? p[i + 1] : 0);
	}
	while (sum >> 16) {
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return (uint16_t)~sum;
}

/* csum_add()'s checksum, in network order, as a number. */
static uint16_t
ours(uint32_t pre_be, const uint8_t *p, size_t n)
{
	uint16_t c = csum_finish(csum_add(pre_be, p, n));

	return (uint16_t)(c >> 8 | c << 8); /* the tests run little-endian */
}

static uint32_t
swap16(uint32_t v)
{
	return (v & 0xff) << 8 | (v >> 8 & 0xff);
}

static void
test_random(void **state)
{
	static uint8_t buf[320];
	struct vs_random r;

	(void)state;
	vs_random_seed(&r, 7);
	for (size_t i = 0; i < sizeof buf; i++) {
		buf[i] = (uint8_t)vs_random_u32(&r);
	}
	for (size_t off = 0; off < 8; off++) {
		for (size_t n = 0; n <= 300; n++) {
			uint32_t pre = vs_random_u32(&r) & 0xffff;

			assert_int_equal(ours(swap16(pre), buf + off, n),
					 reference(pre, buf + off, n));
		}
	}
}

/* csum_add_words() on what it is for: 4 to 60 bytes, a multiple of 4,
 * random words and all-ones ones, at every alignment. */
static void
test_words(void **state)
{
	static uint8_t buf[72];
	struct vs_random r;

	(void)state;
	vs_random_seed(&r, 11);
	for (int round = 0; round < 2000; round++) {
		for (size_t i = 0; i < sizeof buf; i++) {
			buf[i] = round % 5 == 0 ? 0xff : (uint8_t)vs_random_u32(&r);
		}
		for (size_t off = 0; off < 4; off++) {
			for (size_t n = 4; n <= 60; n += 4) {
				uint16_t c = csum_finish(csum_add_words(buf + off, n));

				assert_int_equal((uint16_t)(c >> 8 | c << 8),
						 reference(0, buf + off, n));
			}
		}
	}
}

static void
test_chained(void **state)
{
	static uint8_t buf[1600];
	struct vs_random r;

	(void)state;
	vs_random_seed(&r, 11);
	for (int round = 0; round < 200; round++) {
		size_t n = 2 + vs_random_u32(&r) % (sizeof buf - 2), cut;
		uint32_t sum;

		for (size_t i = 0; i < n; i++) {
			buf[i] = (uint8_t)vs_random_u32(&r);
		}
		cut = (vs_random_u32(&r) % (n / 2)) * 2; /* an even split */
		sum = csum_add(0, buf, cut);
		assert_true(sum <= 0x10000);
		sum = csum_add(sum, buf + cut, n - cut);
		/* What callers add afterwards (a pseudo-header's words). */
		sum += 0x1100 + 0xffff;
		assert_int_equal(csum_finish(sum), csum_finish(csum_add(0x1100 + 0xffff, buf, n)));
	}
}

static void
test_edges(void **state)
{
	/* RFC 1071's example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2. */
	static const uint8_t rfc[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	static uint8_t ones[64], zeros[64];

	(void)state;
	assert_int_equal(ours(0, rfc, sizeof rfc), (uint16_t)~0xddf2);
	for (size_t i = 0; i < sizeof ones; i++) {
		ones[i] = 0xff;
	}
	for (size_t n = 2; n <= sizeof ones; n += 2) {
		assert_int_equal(ours(0, ones, n), 0);
		assert_int_equal(ours(0, zeros, n), 0xffff);
	}
	/* A large carried sum folds the same. */
	assert_int_equal(ours(swap16(0xffff), ones, 40), reference(0xffff, ones, 40));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_chained),
		cmocka_unit_test(test_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
