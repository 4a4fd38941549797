/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for flow_key_extract(): any byte string is a frame. The
 * parser must never read outside it (ASan checks, the input is an exact-size
 * copy), re-parsing must give the same key (no hidden state), and the
 * shortcut for untagged IPv4 (and the hash it computes) must agree with the
 * generic parser; a frame that flow_key_same_frame() calls like it must
 * have its key.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flow_key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct flow_key a, b, g;
	struct flow_ofs ofs, gofs;
	uint8_t *copy;

	if (size > 65535) {
		return 0;
	}
	copy = malloc(size ? size : 1);
	if (!copy) {
		return 0;
	}
	memcpy(copy, data, size);
	flow_key_extract(copy, (uint32_t)size, 1, &a, &ofs);
	flow_key_extract(copy, (uint32_t)size, 1, &b, NULL);
	flow_key_extract_generic(copy, (uint32_t)size, 1, &g, &gofs);
	if (flow_key_extract_hash(copy, (uint32_t)size, 1, &b, NULL) != flow_key_hash(&g, 0) ||
	    !flow_key_equal(&a, &b) || !flow_key_equal(&a, &g) || ofs.l3 != gofs.l3 ||
	    ofs.l4 != gofs.l4 || ofs.l3 > size || ofs.l4 > size || (ofs.l4 && ofs.l4 < ofs.l3)) {
		abort();
	}
	/* Out of a tunnel: the same key with tun_id, tun_src and tun_dst. */
	if (size >= 16) {
		uint64_t tun[2];

		memcpy(tun, data, 16);
		g.tun_id = tun[0];
		memcpy(&g.tun_src, &tun[1], 4);
		memcpy(&g.tun_dst, (const uint8_t *)&tun[1] + 4, 4);
		if (flow_key_extract_hash_tun(copy, (uint32_t)size, 1, tun, &b, NULL) !=
			    flow_key_hash(&g, 0) ||
		    !flow_key_equal(&b, &g)) {
			abort();
		}
	}
	/* A second frame like it, one byte changed (the input's last byte
	 * says which and how) or cut short: if flow_key_same_frame() calls
	 * the two alike, their keys are the same. */
	if (size >= 2) {
		size_t at = data[size - 1] % (size - 1), blen = size;
		uint8_t *other = malloc(size);

		if (!other) {
			free(copy);
			return 0;
		}
		memcpy(other, copy, size);
		if (data[size - 1] & 0x80) {
			blen = at;
		} else {
			other[at] ^= (uint8_t)(1u << (data[size - 1] % 7));
		}
		flow_key_extract_generic(other, (uint32_t)blen, 1, &b, NULL);
		if ((flow_key_same_frame(copy, (uint32_t)size, other, (uint32_t)blen) ||
		     flow_key_same_frame(other, (uint32_t)blen, copy, (uint32_t)size)) &&
		    !flow_key_equal(&b, &a)) {
			abort();
		}
		free(other);
	}
	(void)flow_key_hash(&a, 0);
	free(copy);
	return 0;
}
