/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of what kernel-facing ports do to frames a kernel sender
 * offloaded: finishing a partial TCP/UDP checksum (compared with pktgen's
 * independently computed one) and cutting a large TCP frame into segments
 * (each checked for lengths, sequence numbers, flags and checksums, and the
 * payload reassembled).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "csum.h"
#include "pktgen.h"
#include "port_impl.h"
#include "test_eal.h"

enum { BIG = 9000 };

static struct rte_mempool *mp;

static struct pktgen_spec
spec(enum pktgen_l3 l3, uint8_t proto, uint16_t payload)
{
	struct pktgen_spec s = pktgen_udp4(0x0a000001, 0x0a000002, 40000, 5201);

	s.l3 = l3;
	s.proto = proto;
	s.payload_len = payload;
	s.ip6_src[15] = 1;
	s.ip6_dst[15] = 2;
	s.tcp_flags = 0x18; /* PSH ACK */
	return s;
}

/* Offsets of the L3 header and the L4 checksum of a frame without VLANs. */
static size_t
csum_ofs(const uint8_t *f, uint8_t proto)
{
	size_t l4 = (f[14] >> 4) == 4 ? 14 + (size_t)(f[14] & 0xf) * 4 : 54;

	return l4 + (proto == 6 ? 16 : 6);
}

/* The folded pseudo-header sum a kernel leaves in the field. */
static uint16_t
partial(const uint8_t *f, size_t len)
{
	bool v4 = (f[14] >> 4) == 4;
	size_t l4 = v4 ? 14 + (size_t)(f[14] & 0xf) * 4 : 54;
	uint32_t sum = v4 ? csum_add(0, f + 26, 8) : csum_add(0, f + 22, 32);

	sum += htons((uint16_t)(len - l4));
	sum += htons(v4 ? f[23] : f[20]);
	return (uint16_t)~csum_finish(sum);
}

static void
test_csum_fix(void **state)
{
	static const struct {
		enum pktgen_l3 l3;
		uint8_t proto;
	} cases[] = {
		{PKTGEN_L3_IPV4, 6},
		{PKTGEN_L3_IPV4, 17},
		{PKTGEN_L3_IPV6, 6},
		{PKTGEN_L3_IPV6, 17},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct pktgen_spec s = spec(cases[i].l3, cases[i].proto, 333);
		uint8_t f[2048];
		size_t len = pktgen_build(&s, f, sizeof f);
		size_t ofs = csum_ofs(f, cases[i].proto);
		uint16_t want, p;

		memcpy(&want, f + ofs, 2);
		p = partial(f, len);
		memcpy(f + ofs, &p, 2);
		assert_true(port_csum_fix(f, (uint32_t)len));
		assert_memory_equal(f + ofs, &want, 2);
	}
	/* Every payload size from 0 to 64 bytes, unpadded and padded to the
	 * 60-byte Ethernet minimum with junk: the checksum covers the IP
	 * payload only (issue 17: IPv4 UDP with 1-11 bytes was left
	 * unfinished). */
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		for (uint16_t payload = 0; payload <= 64; payload++) {
			for (int pad = 0; pad < 2; pad++) {
				struct pktgen_spec s = spec(cases[i].l3, cases[i].proto, payload);
				uint8_t f[256];
				size_t len = pktgen_build(&s, f, sizeof f);
				size_t ofs = csum_ofs(f, cases[i].proto);
				uint16_t want, p;

				memcpy(&want, f + ofs, 2);
				p = partial(f, len);
				memcpy(f + ofs, &p, 2);
				for (; pad && len < 60; len++) {
					f[len] = 0xa5;
				}
				if (!port_csum_fix(f, (uint32_t)len)) {
					fail_msg("case %zu, %u bytes, pad %d: not fixed", i,
						 payload, pad);
				}
				if (memcmp(f + ofs, &want, 2)) {
					fail_msg("case %zu, %u bytes, pad %d: wrong checksum", i,
						 payload, pad);
				}
			}
		}
	}
	/* Not IP, or too short: left alone. */
	{
		struct pktgen_spec s = spec(PKTGEN_L3_ARP, 0, 0);
		uint8_t f[128], copy[128];
		size_t len = pktgen_build(&s, f, sizeof f);

		memcpy(copy, f, len);
		assert_false(port_csum_fix(f, (uint32_t)len));
		assert_memory_equal(f, copy, len);
		assert_false(port_csum_fix(f, 20));
	}
}

/* True when the L4 checksum of 'f' verifies (IPv4 header too). */
static bool
valid(const uint8_t *f, size_t len)
{
	bool v4 = (f[14] >> 4) == 4;
	size_t l4 = v4 ? 14 + (size_t)(f[14] & 0xf) * 4 : 54;
	uint32_t sum = v4 ? csum_add(0, f + 26, 8) : csum_add(0, f + 22, 32);

	if (v4 && csum_finish(csum_add(0, f + 14, 20)) != 0) {
		return false;
	}
	sum += htons((uint16_t)(len - l4));
	sum += htons(6);
	return csum_finish(csum_add(sum, f + l4, len - l4)) == 0;
}

static void
segment_case(enum pktgen_l3 l3, uint16_t payload, uint32_t mtu)
{
	struct pktgen_spec s = spec(l3, 6, payload);
	static uint8_t f[BIG + 200], joined[BIG];
	size_t len = pktgen_build(&s, f, sizeof f);
	size_t hdr = len - payload, l3_len = hdr - 14 - 20, got = 0;
	struct rte_mbuf *out[16];
	uint32_t seq0;
	int n;

	for (size_t i = hdr; i < len; i++) {
		f[i] = (uint8_t)(i * 7);
	}
	{
		size_t ofs = csum_ofs(f, 6);
		uint16_t p = partial(f, len);

		memcpy(f + ofs, &p, 2);
		assert_true(port_csum_fix(f, (uint32_t)len));
	}
	f[hdr - 20 + 13] |= 0x01; /* FIN: only the last segment keeps it */
	memcpy(&seq0, f + hdr - 20 + 4, 4);
	n = port_tcp_segment(mp, f, (uint32_t)len, mtu, out, 16);
	assert_int_equal(n, (payload + (mtu - l3_len - 20) - 1) / (mtu - l3_len - 20));
	for (int i = 0; i < n; i++) {
		uint8_t seg[BIG + 200];
		uint32_t seg_len = rte_pktmbuf_pkt_len(out[i]), seq;
		const uint8_t *tcp = seg + hdr - 20;

		assert_true(seg_len <= mtu + 14);
		const uint8_t *d = rte_pktmbuf_read(out[i], 0, seg_len, seg);

		if (d != seg) {
			memcpy(seg, d, seg_len);
		}
		assert_true(valid(seg, seg_len));
		memcpy(&seq, tcp + 4, 4);
		assert_int_equal(ntohl(seq) - ntohl(seq0), got);
		assert_int_equal(tcp[13] & 0x09, i == n - 1 ? 0x09 : 0); /* FIN, PSH */
		memcpy(joined + got, seg + hdr, seg_len - hdr);
		got += seg_len - hdr;
		rte_pktmbuf_free(out[i]);
	}
	assert_int_equal(got, payload);
	assert_memory_equal(joined, f + hdr, payload);
}

static void
test_tcp_segment(void **state)
{
	(void)state;
	segment_case(PKTGEN_L3_IPV4, 5000, 1500);
	segment_case(PKTGEN_L3_IPV6, 5000, 1500);
	segment_case(PKTGEN_L3_IPV4, 8000, 9000); /* one segment: just checksums */
	segment_case(PKTGEN_L3_IPV4, 1461, 1500); /* 1460 + 1 */
}

static void
test_tcp_segment_refuses(void **state)
{
	struct pktgen_spec s = spec(PKTGEN_L3_IPV4, 17, 5000);
	static uint8_t f[6000];
	size_t len = pktgen_build(&s, f, sizeof f);
	struct rte_mbuf *out[2];

	(void)state;
	assert_int_equal(port_tcp_segment(mp, f, (uint32_t)len, 1500, out, 2), -EINVAL); /* UDP */
	s = spec(PKTGEN_L3_IPV4, 6, 5000);
	len = pktgen_build(&s, f, sizeof f);
	assert_int_equal(port_tcp_segment(mp, f, (uint32_t)len, 1500, out, 2), -EMSGSIZE);
	assert_int_equal(port_tcp_segment(mp, f, (uint32_t)len, 40, out, 2), -EINVAL);
	assert_int_equal(port_tcp_segment(mp, f, 30, 1500, out, 2), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum_fix),
		cmocka_unit_test(test_tcp_segment),
		cmocka_unit_test(test_tcp_segment_refuses),
	};
	int ret;

	mp = test_eal_init("0");
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return ret;
}
