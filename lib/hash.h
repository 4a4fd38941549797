/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hashing of fixed-size keys made of 64-bit words, with the SSE4.2 CRC32C
 * instruction (always present on the corei7 baseline DPDK is built for).
 * Used by the EMC (whole flow key) and the megaflow classifier (masked words).
 */
#ifndef VS_HASH_H
#define VS_HASH_H

#include <nmmintrin.h>
#include <stdint.h>

/* Adds one 64-bit word to a running hash. */
static inline uint32_t
hash_add64(uint32_t hash, uint64_t word)
{
	return (uint32_t)_mm_crc32_u64(hash, word);
}

/* Final avalanche so that the low bits (used as table indices) depend on
 * every input bit. */
static inline uint32_t
hash_finish(uint32_t hash)
{
	hash ^= hash >> 16;
	hash *= 0x85ebca6bu;
	hash ^= hash >> 13;
	hash *= 0xc2b2ae35u;
	hash ^= hash >> 16;
	return hash;
}

/* Hash of 'n' words at 'w', seeded by 'basis'. Three independent CRC chains
 * hide the instruction's latency; they are folded together at the end. */
static inline uint32_t
hash_words64(const uint64_t *w, unsigned int n, uint32_t basis)
{
	uint32_t a = basis, b = basis ^ 0x9e3779b9u, c = basis ^ 0x7f4a7c15u;
	unsigned int i = 0;

	for (; i + 3 <= n; i += 3) {
		a = hash_add64(a, w[i]);
		b = hash_add64(b, w[i + 1]);
		c = hash_add64(c, w[i + 2]);
	}
	for (; i < n; i++) {
		a = hash_add64(a, w[i]);
	}
	return hash_finish(a ^ (b << 7 | b >> 25) ^ (c << 13 | c >> 19));
}

#endif /* VS_HASH_H */
