/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internet checksums (RFC 1071) and their incremental update (RFC 1624), for
 * building test packets and for rewriting headers in the datapath. Values are
 * in network byte order as they sit in the packet.
 */
#ifndef VS_CSUM_H
#define VS_CSUM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Adds 'size' bytes at 'data' to the 32-bit one's complement sum 'sum';
 * the result is at most 0x10000, so that callers may add a few more
 * 16-bit words before csum_finish(). Four bytes at a time into 64 bits
 * (sixteen where the compiler has 128-bit integers), folded at the end:
 * modulo 0xffff, 2^16 and 2^32 are 1, so a 32-bit word counts as its two
 * halves and the fold keeps the sum. */
static inline uint32_t
csum_add(uint32_t sum, const void *data, size_t size)
{
	const uint8_t *p = data;
	uint64_t acc = sum;

#ifdef __SIZEOF_INT128__
	/* Sixteen bytes at a time, as two 64-bit words into two 128-bit
	 * sums (two independent add-with-carry chains); modulo 0xffff, 2^64
	 * is 1 too, so the halves of the total, with the end-around carry,
	 * keep the sum. */
	if (size >= 16) {
		unsigned __int128 wa = 0, wb = 0;
		uint64_t lo, hi;

		do {
			uint64_t a, b;

			memcpy(&a, p, 8);
			memcpy(&b, p + 8, 8);
			wa += a;
			wb += b;
			p += 16;
			size -= 16;
		} while (size >= 16);
		wa += wb;
		lo = (uint64_t)wa;
		hi = (uint64_t)(wa >> 64);
		lo += hi;
		lo += lo < hi;
		acc += (lo & 0xffffffff) + (lo >> 32);
	}
#endif
	while (size >= 4) {
		uint32_t w;

		memcpy(&w, p, 4);
		acc += w;
		p += 4;
		size -= 4;
	}
	if (size >= 2) {
		uint16_t w;

		memcpy(&w, p, 2);
		acc += w;
		p += 2;
		size -= 2;
	}
	if (size) {
		uint16_t w = 0;

		memcpy(&w, p, 1);
		acc += w;
	}
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	return (uint32_t)acc;
}

/* The sum of a short header of 'n' bytes, 'n' a multiple of 4 (an IPv4
 * header: 20 to 60), for csum_finish(): 32-bit words into 64 bits, folded
 * once. Where csum_add() would take its sixteen-byte path for two rounds
 * at most, and keep its wide sums on the stack, this stays in registers. */
static inline uint32_t
csum_add_words(const void *data, size_t n)
{
	const uint8_t *p = data;
	uint64_t acc = 0;

	for (size_t i = 0; i + 4 <= n; i += 4) {
		uint32_t w;

		memcpy(&w, p + i, 4);
		acc += w;
	}
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	return (uint32_t)acc;
}

/* Folds 'sum' and returns its complement: the value to store. */
static inline uint16_t
csum_finish(uint32_t sum)
{
	while (sum >> 16) {
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return (uint16_t)~sum;
}

/* New checksum after a 16-bit word of the covered data went from 'old' to
 * 'new' (RFC 1624, eqn. 3). */
static inline uint16_t
csum_update16(uint16_t csum, uint16_t old, uint16_t new)
{
	uint32_t sum = (uint16_t)~csum + (uint32_t)(uint16_t)~old + new;

	return csum_finish(sum);
}

/* Same for a 32-bit value (e.g. an IPv4 address). */
static inline uint16_t
csum_update32(uint16_t csum, uint32_t old, uint32_t new)
{
	csum = csum_update16(csum, (uint16_t)(old >> 16), (uint16_t)(new >> 16));
	return csum_update16(csum, (uint16_t)old, (uint16_t) new);
}

/* Same for 'size' bytes (a multiple of 2) going from 'old' to 'new'. */
static inline uint16_t
csum_update_bytes(uint16_t csum, const void *old, const void *new, size_t size)
{
	uint32_t sum = (uint16_t)~csum;
	const uint8_t *o = old, *n = new;

	for (size_t i = 0; i + 1 < size; i += 2) {
		uint16_t ow, nw;

		memcpy(&ow, o + i, 2);
		memcpy(&nw, n + i, 2);
		sum += (uint16_t)~ow;
		sum += nw;
	}
	return csum_finish(sum);
}

#endif /* VS_CSUM_H */
