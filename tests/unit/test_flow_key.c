/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of flow_key_extract(): every protocol the parser knows, and the
 * truncation property (a prefix of a frame parses to a subset of the full
 * frame's fields, without reading past the prefix).
 */
#include <arpa/inet.h>
#include <endian.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "flow_key.h"
#include "pktgen.h"
#include "random.h"

static size_t
build(const struct pktgen_spec *s, uint8_t *buf)
{
	size_t len = pktgen_build(s, buf, 2048);

	assert_true(len > 0);
	return len;
}

static void
extract(const struct pktgen_spec *s, struct flow_key *k, struct flow_ofs *ofs)
{
	uint8_t buf[2048];
	size_t len = build(s, buf);

	flow_key_extract(buf, (uint32_t)len, 7, k, ofs);
}

static void
test_udp4(void **state)
{
	struct pktgen_spec s = pktgen_udp4(0x0a000001, 0x0a000002, 1234, 53);
	struct flow_ofs ofs;
	struct flow_key k;

	(void)state;
	s.tos = 0xb9;
	s.ttl = 17;
	extract(&s, &k, &ofs);
	assert_int_equal(k.in_port, 7);
	assert_memory_equal(k.eth_dst, s.eth_dst, 6);
	assert_memory_equal(k.eth_src, s.eth_src, 6);
	assert_int_equal(ntohs(k.eth_type), 0x0800);
	assert_int_equal(k.vlan_tci, 0);
	assert_int_equal(ntohl(k.nw_src.ipv4), 0x0a000001);
	assert_int_equal(ntohl(k.nw_dst.ipv4), 0x0a000002);
	assert_int_equal(k.nw_proto, 17);
	assert_int_equal(k.nw_tos, 0xb9);
	assert_int_equal(k.nw_ttl, 17);
	assert_int_equal(k.nw_frag, 0);
	assert_int_equal(ntohs(k.tp_src), 1234);
	assert_int_equal(ntohs(k.tp_dst), 53);
	assert_int_equal(ofs.l3, 14);
	assert_int_equal(ofs.l4, 34);
}

static void
test_vlan_and_qinq(void **state)
{
	struct pktgen_spec s = pktgen_udp4(1, 2, 3, 4);
	struct flow_ofs ofs;
	struct flow_key k;

	(void)state;
	s.n_vlans = 1;
	s.vlan_tci[0] = 5 << 13 | 0x1000 | 100; /* PCP 5, DEI set, VID 100 */
	extract(&s, &k, &ofs);
	assert_int_equal(ntohs(k.vlan_tci), 5 << 13 | FLOW_VLAN_PRESENT | 100);
	assert_int_equal(k.vlan_inner_tci, 0);
	assert_int_equal(ntohs(k.eth_type), 0x0800);
	assert_int_equal(ntohs(k.tp_dst), 4);
	assert_int_equal(ofs.l3, 18);

	s.n_vlans = 2;
	s.vlan_tpid[0] = 0x88a8;
	s.vlan_tci[0] = 10;
	s.vlan_tci[1] = 3 << 13 | 20;
	extract(&s, &k, &ofs);
	assert_int_equal(ntohs(k.vlan_tci), FLOW_VLAN_PRESENT | 10);
	assert_int_equal(ntohs(k.vlan_inner_tci), 3 << 13 | FLOW_VLAN_PRESENT | 20);
	assert_int_equal(ntohs(k.eth_type), 0x0800);
	assert_int_equal(ofs.l3, 22);
	assert_int_equal(ntohs(k.tp_src), 3);
}

static void
test_three_tags_stop(void **state)
{
	struct pktgen_spec s = pktgen_udp4(1, 2, 3, 4);
	uint8_t buf[256];
	struct flow_key k;
	size_t len;

	(void)state;
	s.n_vlans = 2;
	len = build(&s, buf);
	/* Turn the EtherType after two tags into a third TPID. */
	buf[20] = 0x81;
	buf[21] = 0x00;
	flow_key_extract(buf, (uint32_t)len, 1, &k, NULL);
	assert_int_equal(ntohs(k.eth_type), 0x8100);
	assert_int_equal(k.nw_proto, 0);
	assert_int_equal(k.nw_src.ipv4, 0);
}

static void
test_arp(void **state)
{
	struct pktgen_spec s = {
		.eth_dst = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		.eth_src = {2, 0, 0, 0, 0, 1},
		.l3 = PKTGEN_L3_ARP,
		.arp_op = 1,
		.arp_sha = {2, 0, 0, 0, 0, 1},
		.arp_spa = 0xc0a80001,
		.arp_tpa = 0xc0a80002,
	};
	struct flow_key k;

	(void)state;
	extract(&s, &k, NULL);
	assert_int_equal(ntohs(k.eth_type), 0x0806);
	assert_int_equal(k.nw_proto, 1);
	assert_int_equal(ntohl(k.nw_src.ipv4), 0xc0a80001);
	assert_int_equal(ntohl(k.nw_dst.ipv4), 0xc0a80002);
	assert_memory_equal(k.arp_sha, s.arp_sha, 6);
	assert_memory_equal(k.arp_tha, s.arp_tha, 6);
}

static void
test_tcp6(void **state)
{
	struct pktgen_spec s = {
		.l3 = PKTGEN_L3_IPV6,
		.ip6_src = {0x20, 0x01, 0x0d, 0xb8, [15] = 1},
		.ip6_dst = {0x20, 0x01, 0x0d, 0xb8, [15] = 2},
		.ip6_label = 0xabcde,
		.tos = 0x2e,
		.ttl = 9,
		.proto = 6,
		.sport = 40000,
		.dport = 443,
		.tcp_flags = 0x12, /* SYN|ACK */
	};
	struct flow_ofs ofs;
	struct flow_key k;

	(void)state;
	extract(&s, &k, &ofs);
	assert_int_equal(ntohs(k.eth_type), 0x86dd);
	assert_memory_equal(k.nw_src.ipv6, s.ip6_src, 16);
	assert_memory_equal(k.nw_dst.ipv6, s.ip6_dst, 16);
	assert_int_equal(ntohl(k.ipv6_label), 0xabcde);
	assert_int_equal(k.nw_tos, 0x2e);
	assert_int_equal(k.nw_ttl, 9);
	assert_int_equal(k.nw_proto, 6);
	assert_int_equal(ntohs(k.tp_src), 40000);
	assert_int_equal(ntohs(k.tp_dst), 443);
	assert_int_equal(ntohs(k.tcp_flags), 0x12);
	assert_int_equal(ofs.l4, 54);
}

/* IPv6 with a hop-by-hop header then a fragment header before UDP. */
static size_t
build_ipv6_ext(uint8_t *buf, uint16_t frag_off)
{
	struct pktgen_spec s = {.l3 = PKTGEN_L3_IPV6, .proto = 0, .payload_len = 0};
	size_t n = build(&s, buf);
	uint8_t *ip = buf + 14;
	uint8_t ext[16 + 8] = {
		44,
		1,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0, /* HBH, 16 bytes */
		17,
		0,
		(uint8_t)(frag_off >> 8),
		(uint8_t)frag_off,
		0,
		0,
		0,
		1,
	};
	uint8_t udp[8] = {0x04, 0xd2, 0x00, 0x35, 0, 8, 0, 0};

	memcpy(buf + n, ext, sizeof ext);
	memcpy(buf + n + sizeof ext, udp, sizeof udp);
	ip[4] = 0;
	ip[5] = sizeof ext + sizeof udp;
	return n + sizeof ext + sizeof udp;
}

static void
test_ipv6_ext_headers(void **state)
{
	uint8_t buf[256];
	struct flow_ofs ofs;
	struct flow_key k;
	size_t len;

	(void)state;
	len = build_ipv6_ext(buf, 0x0001); /* first fragment, M set */
	flow_key_extract(buf, (uint32_t)len, 1, &k, &ofs);
	assert_int_equal(k.nw_proto, 17);
	assert_int_equal(k.nw_frag, FLOW_FRAG_ANY);
	assert_int_equal(ntohs(k.tp_src), 1234);
	assert_int_equal(ntohs(k.tp_dst), 53);
	assert_int_equal(ofs.l4, 14 + 40 + 24);

	len = build_ipv6_ext(buf, 0x0100); /* offset 32: a later fragment */
	flow_key_extract(buf, (uint32_t)len, 1, &k, &ofs);
	assert_int_equal(k.nw_proto, 17);
	assert_int_equal(k.nw_frag, FLOW_FRAG_ANY | FLOW_FRAG_LATER);
	assert_int_equal(k.tp_src, 0);
	assert_int_equal(ofs.l4, 0);
}

static void
test_ipv4_fragments(void **state)
{
	struct pktgen_spec s = pktgen_udp4(1, 2, 3, 4);
	struct flow_key k;

	(void)state;
	s.ip4_frag = 0x2000; /* MF, offset 0 */
	extract(&s, &k, NULL);
	assert_int_equal(k.nw_frag, FLOW_FRAG_ANY);
	assert_int_equal(ntohs(k.tp_src), 3);

	s.ip4_frag = 0x0010; /* offset 128 bytes */
	extract(&s, &k, NULL);
	assert_int_equal(k.nw_frag, FLOW_FRAG_ANY | FLOW_FRAG_LATER);
	assert_int_equal(k.tp_src, 0);
	assert_int_equal(k.nw_proto, 17);
}

static void
test_icmp(void **state)
{
	struct pktgen_spec s = pktgen_udp4(1, 2, 0, 0);
	struct flow_key k;

	(void)state;
	s.proto = 1;
	s.icmp_type = 8;
	s.icmp_code = 3;
	extract(&s, &k, NULL);
	assert_int_equal(ntohs(k.tp_src), 8);
	assert_int_equal(ntohs(k.tp_dst), 3);
}

static void
test_nd_solicit(void **state)
{
	struct pktgen_spec s = {
		.l3 = PKTGEN_L3_IPV6, .proto = 58, .icmp_type = 135, .payload_len = 24};
	uint8_t buf[256];
	struct flow_key k;
	size_t len;

	(void)state;
	len = build(&s, buf);
	uint8_t *icmp = buf + 14 + 40;
	memset(icmp + 8, 0xfe, 16);                   /* target */
	uint8_t opt[8] = {1, 1, 2, 0, 0, 0, 0, 0x99}; /* SLL option */
	memcpy(icmp + 24, opt, 8);
	flow_key_extract(buf, (uint32_t)len, 1, &k, NULL);
	assert_int_equal(ntohs(k.tp_src), 135);
	assert_int_equal(k.nd_target[0], 0xfe);
	assert_int_equal(k.nd_target[15], 0xfe);
	assert_int_equal(k.arp_sha[0], 2);
	assert_int_equal(k.arp_sha[5], 0x99);
	assert_int_equal(k.arp_tha[0], 0);

	opt[1] = 0; /* a zero-length option ends the walk */
	memcpy(icmp + 24, opt, 8);
	flow_key_extract(buf, (uint32_t)len, 1, &k, NULL);
	assert_int_equal(k.arp_sha[0], 0);
	assert_int_equal(k.nd_target[0], 0xfe);
}

static void
test_llc_and_runt(void **state)
{
	uint8_t buf[64] = {0};
	struct flow_key k;

	(void)state;
	buf[12] = 0x00;
	buf[13] = 0x2e; /* 802.3 length, no SNAP */
	buf[14] = 0x42;
	flow_key_extract(buf, 60, 1, &k, NULL);
	assert_int_equal(ntohs(k.eth_type), FLOW_ETH_TYPE_NONE);

	memcpy(buf + 14, (uint8_t[]){0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x06}, 8);
	flow_key_extract(buf, 60, 1, &k, NULL);
	assert_int_equal(ntohs(k.eth_type), 0x0806);

	flow_key_extract(buf, 5, 3, &k, NULL);
	assert_int_equal(k.in_port, 3);
	assert_int_equal(k.eth_type, 0);
	flow_key_extract(NULL, 0, 3, &k, NULL);
	assert_int_equal(k.in_port, 3);
}

static void
test_bad_ipv4_header(void **state)
{
	struct pktgen_spec s = pktgen_udp4(1, 2, 3, 4);
	uint8_t buf[256];
	struct flow_key k;
	size_t len;

	(void)state;
	len = build(&s, buf);
	buf[14] = 0x44; /* IHL 4: invalid */
	flow_key_extract(buf, (uint32_t)len, 1, &k, NULL);
	assert_int_equal(ntohs(k.eth_type), 0x0800);
	assert_int_equal(k.nw_src.ipv4, 0);
	assert_int_equal(k.nw_proto, 0);

	buf[14] = 0x4f; /* IHL 15: 60 bytes, more than the IP total length */
	flow_key_extract(buf, (uint32_t)len, 1, &k, NULL);
	assert_int_equal(k.nw_proto, 0);
}

/* Every nonzero byte of 'part' must equal the same byte of 'full'. */
static void
assert_subset(const struct flow_key *part, const struct flow_key *full, size_t cut)
{
	const uint8_t *p = (const uint8_t *)part, *f = (const uint8_t *)full;

	for (size_t i = 0; i < sizeof *part; i++) {
		if (p[i] && p[i] != f[i] && !(i >= 20 && i < 22)) {
			fail_msg("prefix %zu: key byte %zu is %#x, full parse has %#x", cut, i,
				 p[i], f[i]);
		}
	}
}

static void
check_prefixes(const uint8_t *frame, size_t len)
{
	struct flow_key full, part;

	flow_key_extract(frame, (uint32_t)len, 9, &full, NULL);
	for (size_t cut = 0; cut <= len; cut++) {
		/* An exact-size heap copy, so ASan catches any over-read. */
		uint8_t *copy = malloc(cut ? cut : 1);

		memcpy(copy, frame, cut);
		flow_key_extract(copy, (uint32_t)cut, 9, &part, NULL);
		assert_subset(&part, &full, cut);
		free(copy);
	}
}

static void
test_truncation_prefixes(void **state)
{
	struct pktgen_spec specs[] = {
		pktgen_udp4(1, 2, 3, 4),
		{.l3 = PKTGEN_L3_IPV6,
		 .proto = 6,
		 .sport = 1,
		 .dport = 2,
		 .tcp_flags = 2,
		 .ip6_src = {1},
		 .ip6_dst = {2},
		 .ip6_label = 5},
		{.l3 = PKTGEN_L3_ARP, .arp_op = 2, .arp_sha = {1, 2, 3, 4, 5, 6}, .arp_spa = 7},
		{.l3 = PKTGEN_L3_IPV4,
		 .proto = 1,
		 .icmp_type = 8,
		 .n_vlans = 2,
		 .vlan_tci = {5, 6}},
	};
	uint8_t buf[256];

	(void)state;
	for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
		check_prefixes(buf, build(&specs[i], buf));
	}
	check_prefixes(buf, build_ipv6_ext(buf, 1));
}

static void
test_format(void **state)
{
	struct pktgen_spec s = pktgen_udp4(0x0a000001, 0x0a000002, 1234, 53);
	struct flow_key k, m;
	char buf[512];

	(void)state;
	extract(&s, &k, NULL);
	flow_key_format(&k, NULL, buf, sizeof buf);
	assert_non_null(strstr(buf, "nw_src=10.0.0.1"));
	assert_non_null(strstr(buf, "tp_dst=0x35"));
	memset(&m, 0, sizeof m);
	m.nw_dst.ipv4 = 0xffffffff;
	flow_key_format(&k, &m, buf, sizeof buf);
	assert_null(strstr(buf, "nw_src"));
	assert_non_null(strstr(buf, "nw_dst=10.0.0.2"));
	flow_key_format(&k, NULL, buf, 8); /* truncates, stays terminated */
	assert_true(strlen(buf) < 8);
}

/* The tunnel fields are part of the key: a packet out of a tunnel is
 * another key (and, for the EMC, another hash) than the same packet from
 * elsewhere; extraction leaves them zero; formats show them. */
static void
test_tunnel_fields(void **state)
{
	struct pktgen_spec s = pktgen_udp4(0x0a000001, 0x0a000002, 1234, 53);
	struct flow_key k, t, m;
	char buf[512];

	(void)state;
	memset(&k, 0xa5, sizeof k);
	extract(&s, &k, NULL);
	assert_true(k.tun_id == 0 && k.tun_src == 0 && k.tun_dst == 0);
	t = k;
	t.tun_id = htobe64(5000);
	assert_false(flow_key_equal(&k, &t));
	assert_int_not_equal(flow_key_hash(&k, 0), flow_key_hash(&t, 0));
	t = k;
	t.tun_dst = htonl(0xc0a80002);
	assert_false(flow_key_equal(&k, &t));
	assert_int_not_equal(flow_key_hash(&k, 0), flow_key_hash(&t, 0));
	t.tun_src = htonl(0xc0a80001);
	t.tun_id = htobe64(0x1388);
	flow_key_format(&t, NULL, buf, sizeof buf);
	assert_non_null(strstr(buf, "tun_id=0x1388,tun_src=192.168.0.1,tun_dst=192.168.0.2"));
	flow_key_format(&k, NULL, buf, sizeof buf);
	assert_null(strstr(buf, "tun_"));
	memset(&m, 0, sizeof m);
	m.tun_id = UINT64_MAX;
	flow_key_format(&k, &m, buf, sizeof buf); /* matched, even at zero */
	assert_non_null(strstr(buf, "tun_id=0"));
	assert_null(strstr(buf, "tun_src"));
	/* Over an IPv6 underlay: the last four words, each bit counted. */
	assert_false(flow_key_tun6(&k));
	for (int i = 0; i < 32; i++) {
		t = k;
		(i < 16 ? t.tun_ipv6_src : t.tun_ipv6_dst)[i % 16] ^= (uint8_t)(1 << (i % 8));
		assert_true(flow_key_tun6(&t));
		assert_false(flow_key_equal(&k, &t));
		assert_int_not_equal(flow_key_hash(&k, 0), flow_key_hash(&t, 0));
	}
	/* Without them, the hash that does not read them is the same. */
	assert_int_equal(flow_key_hash_head(&k, 7), flow_key_hash(&k, 7));
	t = k;
	t.tun_id = htobe64(5000);
	t.tun_md_present = 1;
	assert_int_equal(flow_key_hash_head(&t, 0), flow_key_hash(&t, 0));
	t = k;
	t.tun_ipv6_src[0] = 0x20;
	t.tun_ipv6_src[15] = 1;
	t.tun_ipv6_dst[0] = 0x20;
	t.tun_ipv6_dst[15] = 2;
	/* Source and destination swapped is another tunnel. */
	m = t;
	memcpy(m.tun_ipv6_src, t.tun_ipv6_dst, 16);
	memcpy(m.tun_ipv6_dst, t.tun_ipv6_src, 16);
	assert_int_not_equal(flow_key_hash(&m, 0), flow_key_hash(&t, 0));
	flow_key_format(&t, NULL, buf, sizeof buf);
	assert_non_null(strstr(buf, "tun_ipv6_src=2000::1,tun_ipv6_dst=2000::2"));
	assert_null(strstr(buf, "tun_src"));
}

/* flow_key_extract() takes shortcuts for untagged IPv4 and IPv6 UDP and
 * TCP; it must give what the generic parser gives, key and offsets, for
 * every frame: valid ones, and ones with a header byte or the length
 * changed where a shortcut decides (EtherType, version and IHL or traffic
 * class and flow label, total or payload length, fragment bits, protocol
 * or next header, TCP data offset). flow_key_extract_hash(), which hashes the
 * shortcut's key from registers, must give the same key and its hash. */
static void
test_shortcuts_match_generic(void **state)
{
	static const uint8_t spots[] = {12, 13, 14, 16, 17, 20, 21, 23, 46, 47,
					0,  6,  15, 22, 18, 19, 66, 16, 61};
	struct pktgen_spec specs[] = {
		pktgen_udp4(0x0a000001, 0xc0a80102, 1234, 53),
		{.l3 = PKTGEN_L3_IPV4, .proto = 6, .sport = 80, .dport = 4242, .tcp_flags = 0x12},
		{.l3 = PKTGEN_L3_IPV4, .proto = 1, .icmp_type = 8},
		{.l3 = PKTGEN_L3_IPV4, .proto = 17, .n_vlans = 1, .vlan_tci = {7}},
		{.l3 = PKTGEN_L3_IPV6, .proto = 17, .sport = 1, .dport = 2},
		{.l3 = PKTGEN_L3_IPV6, .proto = 6, .sport = 443, .dport = 5, .tcp_flags = 0x18},
	};
	struct vs_random rnd;
	unsigned int shortcut = 0, shortcut6 = 0, other = 0;

	(void)state;
	vs_random_seed(&rnd, 20261205);
	for (int iter = 0; iter < 50000; iter++) {
		const struct pktgen_spec *s = &specs[vs_random_range(&rnd, 6)];
		uint8_t buf[256];
		size_t len = build(s, buf);
		struct flow_key a, b, h;
		struct flow_ofs oa, ob, oh;

		for (uint32_t n = vs_random_range(&rnd, 3); n; n--) {
			uint8_t at = spots[vs_random_range(&rnd, sizeof spots)];

			buf[at] = vs_random_range(&rnd, 4) ? (uint8_t)vs_random_u32(&rnd)
							   : (uint8_t)(buf[at] ^ 1);
		}
		if (vs_random_range(&rnd, 3) == 0) {
			len = vs_random_range(&rnd, (uint32_t)len + 1);
		}
		/* Exact-size copies, so ASan catches a read past the frame. */
		uint8_t *c1 = malloc(len ? len : 1), *c2 = malloc(len ? len : 1);

		memcpy(c1, buf, len);
		memcpy(c2, buf, len);
		memset(&a, 0xa5, sizeof a);
		memset(&b, 0x5a, sizeof b);
		flow_key_extract(c1, (uint32_t)len, 3, &a, &oa);
		flow_key_extract_generic(c2, (uint32_t)len, 3, &b, &ob);
		memset(&h, 0x3c, sizeof h);
		uint32_t hash = flow_key_extract_hash(c1, (uint32_t)len, 3, &h, &oh);

		if (memcmp(&h, &b, sizeof h) || hash != flow_key_hash(&b, 0) || oh.l3 != ob.l3 ||
		    oh.l4 != ob.l4) {
			fail_msg("frame %d: flow_key_extract_hash() disagrees", iter);
		}
		/* Out of a tunnel: the generic key with the tunnel's fields
		 * set, and its hash. */
		uint64_t tun[2];

		flow_key_tun_words(htobe64(vs_random_u32(&rnd) & 0xffffff), vs_random_u32(&rnd),
				   vs_random_u32(&rnd), tun);
		memset(&h, 0x3c, sizeof h);
		hash = flow_key_extract_hash_tun(c1, (uint32_t)len, 3, tun, &h, &oh);
		b.tun_id = tun[0];
		memcpy(&b.tun_src, &tun[1], 4);
		memcpy(&b.tun_dst, (const uint8_t *)&tun[1] + 4, 4);
		if (memcmp(&h, &b, sizeof h) || hash != flow_key_hash(&b, 0) || oh.l3 != ob.l3 ||
		    oh.l4 != ob.l4) {
			fail_msg("frame %d: flow_key_extract_hash_tun() disagrees", iter);
		}
		b.tun_id = 0;
		b.tun_src = b.tun_dst = 0;
		if (memcmp(&a, &b, sizeof a) || oa.l3 != ob.l3 || oa.l4 != ob.l4) {
			char fa[512], fb[512];

			fail_msg("frame %d (%zu bytes): shortcut %s l3=%u l4=%u, generic %s "
				 "l3=%u l4=%u",
				 iter, len, flow_key_format(&a, NULL, fa, sizeof fa), oa.l3, oa.l4,
				 flow_key_format(&b, NULL, fb, sizeof fb), ob.l3, ob.l4);
		}
		if (ob.l3 == 14 && (ob.l4 == 34 || ob.l4 == 54) && !b.vlan_tci &&
		    (b.nw_proto == 6 || b.nw_proto == 17)) {
			shortcut6 += ob.l4 == 54;
			shortcut++;
		} else {
			other++;
		}
		free(c1);
		free(c2);
	}
	/* Both sides of the shortcut's decision were exercised. */
	assert_true(shortcut > 5000);
	assert_true(shortcut6 > 2000);
	assert_true(other > 5000);
}

/* The generic parser's key of the 'len' bytes at 'buf', read from an
 * exact-size copy (ASan catches a read past it). */
static void
generic_key(const uint8_t *buf, size_t len, struct flow_key *k)
{
	uint8_t *c = malloc(len ? len : 1);

	memcpy(c, buf, len);
	flow_key_extract_generic(c, (uint32_t)len, 3, k, NULL);
	free(c);
}

/* flow_key_same_frame() on exact-size copies. */
static bool
same_frame(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	uint8_t *ca = malloc(alen ? alen : 1), *cb = malloc(blen ? blen : 1);
	bool same;

	memcpy(ca, a, alen);
	memcpy(cb, b, blen);
	same = flow_key_same_frame(ca, (uint32_t)alen, cb, (uint32_t)blen);
	free(ca);
	free(cb);
	return same;
}

/* flow_key_same_frame() says two frames have one key only when they do:
 * for frames of one flow with other lengths, payloads, IP identification
 * and checksums (true), and for a second frame with any one byte changed,
 * a few changed, or cut short (true only when the generic parser gives
 * both the same key). The shapes the shortcuts do not take are never the
 * same, even as exact copies. */
static void
test_same_frame(void **state)
{
	struct pktgen_spec specs[] = {
		pktgen_udp4(0x0a000001, 0xc0a80102, 1234, 53),
		{.l3 = PKTGEN_L3_IPV4, .proto = 6, .sport = 80, .dport = 4242, .tcp_flags = 0x10},
		{.l3 = PKTGEN_L3_IPV6, .proto = 17, .sport = 1, .dport = 2, .ip6_label = 0x12345},
		{.l3 = PKTGEN_L3_IPV6, .proto = 6, .sport = 443, .dport = 5, .tcp_flags = 0x18},
		{.l3 = PKTGEN_L3_IPV4, .proto = 1, .icmp_type = 8},
		{.l3 = PKTGEN_L3_IPV4, .proto = 17, .n_vlans = 1, .vlan_tci = {7}},
		{.l3 = PKTGEN_L3_IPV4, .proto = 17, .ip4_frag = 0x2000},
		{.l3 = PKTGEN_L3_IPV6, .proto = 58, .icmp_type = 128},
	};
	struct vs_random rnd;
	unsigned int same = 0, differ = 0;

	(void)state;
	vs_random_seed(&rnd, 20261207);
	for (size_t t = 0; t < sizeof specs / sizeof specs[0]; t++) {
		bool shortcut = t < 4;
		uint8_t a[256], b[256];
		struct pktgen_spec sb = specs[t];
		size_t alen, blen;
		struct flow_key ka, kb;

		specs[t].payload_len = 10;
		sb.payload_len = 40;
		alen = build(&specs[t], a);
		blen = build(&sb, b);
		if (specs[t].l3 == PKTGEN_L3_IPV4 && !specs[t].n_vlans) {
			b[18] ^= 0x5a; /* identification */
			b[24] ^= 0xa5; /* header checksum */
		}
		assert_int_equal(same_frame(a, alen, b, blen), shortcut);
		assert_int_equal(same_frame(a, alen, a, alen), shortcut);
		if (!shortcut) {
			continue;
		}
		generic_key(a, alen, &ka);
		generic_key(b, blen, &kb);
		assert_true(flow_key_equal(&ka, &kb));
		/* Each byte of the second frame changed, and its length cut. */
		for (size_t at = 0; at < blen; at++) {
			for (int v = 0; v < 3; v++) {
				uint8_t c[256];

				memcpy(c, b, blen);
				c[at] = v == 0   ? (uint8_t)(c[at] ^ 0x01)
					: v == 1 ? (uint8_t)(c[at] ^ 0x80)
						 : (uint8_t)vs_random_u32(&rnd);
				/* Either way round: the changed frame first, too. */
				if (same_frame(a, alen, c, blen) || same_frame(c, blen, a, alen)) {
					generic_key(c, blen, &kb);
					if (!flow_key_equal(&ka, &kb)) {
						fail_msg("spec %zu: byte %zu changed, another key",
							 t, at);
					}
					same++;
				} else {
					differ++;
				}
			}
			bool cut = same_frame(a, alen, b, at);

			generic_key(b, at, &kb);
			if (cut && !flow_key_equal(&ka, &kb)) {
				fail_msg("spec %zu: cut to %zu bytes, another key", t, at);
			}
			/* The other way round too: the first frame cut. */
			if (same_frame(b, at, a, alen) && !flow_key_equal(&ka, &kb)) {
				fail_msg("spec %zu: first cut to %zu bytes, another key", t, at);
			}
		}
		/* A few bytes of the headers changed at once. */
		for (int iter = 0; iter < 20000; iter++) {
			uint8_t c[256];
			size_t clen = blen;

			memcpy(c, b, blen);
			for (uint32_t n = 1 + vs_random_range(&rnd, 3); n; n--) {
				c[vs_random_range(&rnd, 70)] ^=
					(uint8_t)(1u << vs_random_range(&rnd, 8));
			}
			if (vs_random_range(&rnd, 4) == 0) {
				clen = vs_random_range(&rnd, (uint32_t)blen + 1);
			}
			if (same_frame(a, alen, c, clen) || same_frame(c, clen, a, alen)) {
				generic_key(c, clen, &kb);
				if (!flow_key_equal(&ka, &kb)) {
					fail_msg("spec %zu: frame %d, another key", t, iter);
				}
				same++;
			} else {
				differ++;
			}
		}
	}
	/* Both answers were given often. */
	assert_true(same > 1000);
	assert_true(differ > 10000);
}

/* The ipv6_exthdr flags of an IPv6 frame whose headers after the fixed
 * one are 'chain' (next-header values, ending with the upper layer), each
 * extension header of the minimum size, and 'cut' bytes off its end. */
static uint16_t
exthdr_of(const uint8_t *chain, size_t n, size_t cut)
{
	uint8_t buf[256] = {0};
	size_t len = 14 + 40, payload;
	struct flow_key k;

	buf[12] = 0x86;
	buf[13] = 0xdd;
	buf[14] = 0x60;
	buf[14 + 6] = chain[0];
	buf[14 + 7] = 64;
	for (size_t i = 0; i + 1 < n; i++) {
		uint8_t *h = buf + len;

		h[0] = chain[i + 1];
		if (chain[i] == 51) {
			h[1] = 1; /* 12 bytes */
			len += 12;
		} else if (chain[i] == 50 || chain[i] == 59) {
			break; /* nothing readable follows */
		} else {
			len += 8;
		}
	}
	len += 20; /* the upper layer, or ESP's bytes */
	payload = len - 54;
	buf[14 + 4] = (uint8_t)(payload >> 8);
	buf[14 + 5] = (uint8_t)payload;
	flow_key_extract(buf, (uint32_t)(len - cut), 1, &k, NULL);
	return (uint16_t)(ntohl(k.ipv6_label) >> FLOW_IPV6_EXTHDR_SHIFT);
}

static void
test_ipv6_exthdr(void **state)
{
	enum {
		NONEXT = FLOW_IPV6_EXTHDR_NONEXT,
		ESP = FLOW_IPV6_EXTHDR_ESP,
		AUTH = FLOW_IPV6_EXTHDR_AUTH,
		DEST = FLOW_IPV6_EXTHDR_DEST,
		FRAG = FLOW_IPV6_EXTHDR_FRAG,
		ROUTER = FLOW_IPV6_EXTHDR_ROUTER,
		HOP = FLOW_IPV6_EXTHDR_HOP,
		UNREP = FLOW_IPV6_EXTHDR_UNREP,
		UNSEQ = FLOW_IPV6_EXTHDR_UNSEQ,
	};
	static const struct {
		uint8_t chain[8];
		size_t n;
		uint16_t flags;
	} cases[] = {
		{{6}, 1, 0},
		{{0, 51, 6}, 3, HOP | AUTH}, /* OpenFlow's example: 68 */
		{{0, 60, 43, 44, 51, 50}, 6, HOP | DEST | ROUTER | FRAG | AUTH | ESP},
		{{60, 43, 60, 17}, 4, DEST | ROUTER},             /* both places of DEST */
		{{51, 60, 6}, 3, AUTH | DEST},                    /* the final DEST */
		{{51, 0, 6}, 3, AUTH | HOP | UNSEQ},              /* hop-by-hop not first */
		{{0, 44, 43, 6}, 4, HOP | FRAG | ROUTER | UNSEQ}, /* routing after fragment */
		{{43, 43, 6}, 3, ROUTER | UNREP},
		{{60, 60, 60, 6}, 4, DEST | UNREP}, /* at most twice */
		{{59}, 1, NONEXT},
		{{0, 59}, 2, HOP | NONEXT},
		{{50}, 1, ESP},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint16_t got = exthdr_of(cases[i].chain, cases[i].n, 0);

		if (got != cases[i].flags) {
			fail_msg("case %zu: flags %#x, expected %#x", i, got, cases[i].flags);
		}
	}
	/* A chain cut short says nothing about its headers. */
	assert_int_equal(exthdr_of(cases[1].chain, cases[1].n, 20 + 12 + 4), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp4),
		cmocka_unit_test(test_vlan_and_qinq),
		cmocka_unit_test(test_three_tags_stop),
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_tcp6),
		cmocka_unit_test(test_ipv6_ext_headers),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_icmp),
		cmocka_unit_test(test_nd_solicit),
		cmocka_unit_test(test_llc_and_runt),
		cmocka_unit_test(test_bad_ipv4_header),
		cmocka_unit_test(test_truncation_prefixes),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_tunnel_fields),
		cmocka_unit_test(test_shortcuts_match_generic),
		cmocka_unit_test(test_same_frame),
		cmocka_unit_test(test_ipv6_exthdr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
