/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small, fast, seedable pseudo-random generator (xorshift64*), one state per
 * user so that threads never share it. Used for EMC insertion probability,
 * seeded tests and benchmarks. Not for anything that needs secrecy.
 */
#ifndef VS_RANDOM_H
#define VS_RANDOM_H

#include <stdint.h>

struct vs_random {
	uint64_t state;
};

static inline void
vs_random_seed(struct vs_random *r, uint64_t seed)
{
	/* splitmix64 step so that small seeds give well-spread states. */
	uint64_t z = seed + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	r->state = z ? z : 1;
}

static inline uint64_t
vs_random_u64(struct vs_random *r)
{
	uint64_t x = r->state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->state = x;
	return x * 0x2545f4914f6cdd1dull;
}

static inline uint32_t
vs_random_u32(struct vs_random *r)
{
	return (uint32_t)(vs_random_u64(r) >> 32);
}

/* Uniform-enough value in [0, n) for n > 0. */
static inline uint32_t
vs_random_range(struct vs_random *r, uint32_t n)
{
	return (uint32_t)(((uint64_t)vs_random_u32(r) * n) >> 32);
}

#endif /* VS_RANDOM_H */
