/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small helpers shared by every module: array sizes, container_of, branch
 * hints, min/max. Nothing here depends on DPDK, so pure modules and their
 * unit tests can use it without the EAL.
 */
#ifndef VS_UTIL_H
#define VS_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define CONTAINER_OF(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

#define VS_LIKELY(x) __builtin_expect(!!(x), 1)
#define VS_UNLIKELY(x) __builtin_expect(!!(x), 0)

#define VS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define VS_MAX(a, b) ((a) > (b) ? (a) : (b))

#define VS_CACHE_LINE 64
#define VS_CACHE_ALIGNED __attribute__((aligned(VS_CACHE_LINE)))

/* Rounds 'x' up to the next power of two ('x' = 0 gives 1). */
static inline uint32_t
vs_pow2_roundup(uint32_t x)
{
	if (x <= 1) {
		return 1;
	}
	return 1u << (32 - __builtin_clz(x - 1));
}

/* Unaligned reads and writes of packet bytes, in the order they sit in
 * memory (header fields stay in network order): one load or store each. */
static inline uint16_t
vs_get16(const void *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

static inline uint32_t
vs_get32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

static inline void
vs_put16(void *p, uint16_t v)
{
	memcpy(p, &v, sizeof v);
}

#endif /* VS_UTIL_H */
