/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the megaflow arena: blocks are aligned, zeroed and
 * disjoint, freed blocks come back for the same size only, chunks are taken
 * as needed, and big blocks bypass the chunks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flow_arena.h"
#include "random.h"
#include "util.h"

static bool
all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i]) {
			return false;
		}
	}
	return true;
}

static void
test_reuse_by_size(void **state)
{
	struct flow_arena *a = flow_arena_create();
	uint8_t *p, *q, *r;

	(void)state;
	assert_non_null(a);
	assert_int_equal(flow_arena_bytes(a), 0);
	p = flow_arena_alloc(a, 300);
	assert_non_null(p);
	assert_int_equal(flow_arena_bytes(a), FLOW_ARENA_CHUNK);
	assert_int_equal((uintptr_t)p % 64, 0);
	assert_true(all_zero(p, 320));
	memset(p, 0xee, 320);
	flow_arena_free(a, p, 300);
	/* Another size class does not get it; the same class does, zeroed. */
	q = flow_arena_alloc(a, 100);
	assert_ptr_not_equal(q, p);
	r = flow_arena_alloc(a, 320);
	assert_ptr_equal(r, p);
	assert_true(all_zero(r, 320));
	flow_arena_free(a, q, 100);
	flow_arena_free(a, r, 320);
	flow_arena_free(a, NULL, 320);
	/* A block too big for the arena comes from the C library. */
	p = flow_arena_alloc(a, FLOW_ARENA_MAX + 1);
	assert_non_null(p);
	assert_true(all_zero(p, FLOW_ARENA_MAX + 1));
	assert_int_equal(flow_arena_bytes(a), FLOW_ARENA_CHUNK);
	flow_arena_free(a, p, FLOW_ARENA_MAX + 1);
	flow_arena_destroy(a);
	flow_arena_destroy(NULL);
}

/* Random sizes allocated and freed at random, past several chunks: every
 * live block keeps the pattern written into it (no two overlap), and the
 * chunks are what the live bytes need. */
static void
test_random_blocks_disjoint(void **state)
{
	enum { N = 30000 };
	struct flow_arena *a = flow_arena_create();
	uint8_t **blk = calloc(N, sizeof *blk);
	size_t *size = calloc(N, sizeof *size);
	size_t live = 0, peak = 0;
	struct vs_random rnd;

	(void)state;
	vs_random_seed(&rnd, 99);
	for (int round = 0; round < 4 * N; round++) {
		uint32_t i = vs_random_range(&rnd, N);

		if (blk[i]) {
			for (size_t k = 0; k < size[i]; k++) {
				if (blk[i][k] != (uint8_t)i) {
					fail_msg("block %u byte %zu overwritten", i, k);
				}
			}
			flow_arena_free(a, blk[i], size[i]);
			live -= (size[i] + 63) / 64 * 64;
			blk[i] = NULL;
		} else {
			size[i] = 200 + vs_random_range(&rnd, 600);
			blk[i] = flow_arena_alloc(a, size[i]);
			assert_non_null(blk[i]);
			assert_int_equal((uintptr_t)blk[i] % 64, 0);
			assert_true(all_zero(blk[i], size[i]));
			memset(blk[i], (int)(uint8_t)i, size[i]);
			live += (size[i] + 63) / 64 * 64;
			peak = VS_MAX(peak, live);
		}
	}
	assert_true(flow_arena_bytes(a) >= peak);
	assert_true(flow_arena_bytes(a) > FLOW_ARENA_CHUNK);
	/* Reuse keeps the arena within a small factor of the peak: the free
	 * lists are per size, so some blocks wait for their own size. */
	assert_true(flow_arena_bytes(a) < 3 * peak + FLOW_ARENA_CHUNK);
	flow_arena_destroy(a);
	free(blk);
	free(size);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reuse_by_size),
		cmocka_unit_test(test_random_blocks_disjoint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
