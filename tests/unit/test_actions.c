/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the header-rewriting actions. Each rewrite is checked by
 * comparing the result byte for byte with a frame built directly with the
 * new values, so checksums are verified by an independent computation.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "actions.h"
#include "flow_format.h"
#include "flow_key.h"
#include "pktgen.h"
#include "test_eal.h"

static struct rte_mempool *mp;

static struct rte_mbuf *
mbuf_of(const struct pktgen_spec *s)
{
	uint8_t buf[2048];
	size_t len = pktgen_build(s, buf, sizeof buf);
	struct flow_key k;
	struct flow_ofs ofs;
	struct rte_mbuf *m;

	assert_true(len > 0);
	m = test_mbuf(mp, buf, len);
	assert_non_null(m);
	flow_key_extract(buf, (uint32_t)len, 0, &k, &ofs);
	dp_pkt_set_layers(m, ofs.l3, ofs.l4, k.nw_proto);
	return m;
}

static void
assert_mbuf_equals_spec(struct rte_mbuf *m, const struct pktgen_spec *s)
{
	uint8_t buf[2048];
	size_t len = pktgen_build(s, buf, sizeof buf);

	assert_int_equal(rte_pktmbuf_data_len(m), len);
	assert_memory_equal(rte_pktmbuf_mtod(m, uint8_t *), buf, len);
}

static void
apply_ok(const struct dp_action *a, struct rte_mbuf *m)
{
	assert_int_equal(dp_action_apply(a, m), DP_ACTION_OK);
}

static void
test_push_pop_vlan(void **state)
{
	struct pktgen_spec s = pktgen_udp4(0x0a000001, 0x0a000002, 1, 2);
	struct rte_mbuf *m = mbuf_of(&s);
	struct dp_action push = {.type = DP_ACTION_PUSH_VLAN,
				 .vlan = {htons(0x8100), htons(FLOW_VLAN_PRESENT | 3 << 13 | 10)}};
	struct dp_action pop = {.type = DP_ACTION_POP_VLAN};
	struct dp_action set = {
		.type = DP_ACTION_SET_VLAN, .mask = htons(0x0fff), .vlan = {0, htons(20)}};

	(void)state;
	apply_ok(&push, m);
	s.n_vlans = 1;
	s.vlan_tci[0] = 3 << 13 | 10;
	assert_mbuf_equals_spec(m, &s);
	assert_int_equal(m->l2_len, 18);

	apply_ok(&set, m); /* VID only: the PCP stays */
	s.vlan_tci[0] = 3 << 13 | 20;
	assert_mbuf_equals_spec(m, &s);

	apply_ok(&pop, m);
	s.n_vlans = 0;
	assert_mbuf_equals_spec(m, &s);
	assert_int_equal(m->l2_len, 14);
	apply_ok(&pop, m); /* no tag: unchanged */
	assert_mbuf_equals_spec(m, &s);
	rte_pktmbuf_free(m);
}

static void
test_push_vlan_no_headroom(void **state)
{
	struct pktgen_spec s = pktgen_udp4(1, 2, 3, 4);
	struct rte_mbuf *m = mbuf_of(&s);
	struct dp_action push = {.type = DP_ACTION_PUSH_VLAN, .vlan = {htons(0x8100), 0}};

	(void)state;
	/* Move the data to the very start of the buffer. */
	uint16_t len = rte_pktmbuf_data_len(m);
	memmove((uint8_t *)m->buf_addr, rte_pktmbuf_mtod(m, uint8_t *), len);
	m->data_off = 0;
	assert_int_equal(dp_action_apply(&push, m), DP_ACTION_ERR_NO_HEADROOM);
	rte_pktmbuf_free(m);
}

static void
test_set_ipv4_and_ports(void **state)
{
	for (int proto = 0; proto < 2; proto++) {
		struct pktgen_spec s = pktgen_udp4(0x0a000001, 0x0a000002, 1000, 2000);
		struct dp_action ip = {.type = DP_ACTION_SET_IPV4,
				       .flags = DP_SET_SRC | DP_SET_DST | DP_SET_TOS | DP_SET_TTL,
				       .ipv4 = {htonl(0xc0a80101), htonl(0xac100203), 0x28, 7}};
		struct dp_action l4 = {.type = DP_ACTION_SET_L4,
				       .flags = DP_SET_SRC | DP_SET_DST,
				       .l4 = {htons(4242), htons(80)}};
		struct rte_mbuf *m;

		(void)state;
		s.proto = proto ? 6 : 17;
		s.tcp_flags = 0x18;
		m = mbuf_of(&s);
		apply_ok(&ip, m);
		apply_ok(&l4, m);
		s.ip4_src = 0xc0a80101;
		s.ip4_dst = 0xac100203;
		s.tos = 0x28;
		s.ttl = 7;
		s.sport = 4242;
		s.dport = 80;
		assert_mbuf_equals_spec(m, &s);
		rte_pktmbuf_free(m);
	}
}

static void
test_set_ipv6(void **state)
{
	struct pktgen_spec s = {.l3 = PKTGEN_L3_IPV6,
				.proto = 6,
				.sport = 5,
				.dport = 6,
				.ip6_src = {0x20, 1, [15] = 1},
				.ip6_dst = {0x20, 1, [15] = 2},
				.ip6_label = 0x12345,
				.tos = 0x10,
				.ttl = 64,
				.payload_len = 10};
	struct dp_action a = {.type = DP_ACTION_SET_IPV6,
			      .flags = DP_SET_SRC | DP_SET_DST | DP_SET_TOS | DP_SET_TTL |
				       DP_SET_LABEL,
			      .ipv6 = {.src = {0xfd, [15] = 9},
				       .dst = {0xfd, [15] = 10},
				       .label = htonl(0xabcde),
				       .tc = 0xb8,
				       .hlimit = 3}};
	struct rte_mbuf *m = mbuf_of(&s);

	(void)state;
	apply_ok(&a, m);
	memcpy(s.ip6_src, a.ipv6.src, 16);
	memcpy(s.ip6_dst, a.ipv6.dst, 16);
	s.ip6_label = 0xabcde;
	s.tos = 0xb8;
	s.ttl = 3;
	assert_mbuf_equals_spec(m, &s);
	rte_pktmbuf_free(m);
}

static void
test_set_eth_and_dec_ttl(void **state)
{
	struct pktgen_spec s = pktgen_udp4(1, 2, 3, 4);
	struct dp_action eth = {.type = DP_ACTION_SET_ETH,
				.flags = DP_SET_SRC | DP_SET_DST,
				.eth = {{2, 0, 0, 0, 0, 0xaa}, {2, 0, 0, 0, 0, 0xbb}}};
	struct dp_action dec = {.type = DP_ACTION_DEC_TTL};
	struct rte_mbuf *m;

	(void)state;
	s.ttl = 2;
	m = mbuf_of(&s);
	apply_ok(&eth, m);
	apply_ok(&dec, m);
	memcpy(s.eth_src, eth.eth.src, 6);
	memcpy(s.eth_dst, eth.eth.dst, 6);
	s.ttl = 1;
	assert_mbuf_equals_spec(m, &s);
	assert_int_equal(dp_action_apply(&dec, m), DP_ACTION_ERR_TTL);
	rte_pktmbuf_free(m);

	struct pktgen_spec s6 = {.l3 = PKTGEN_L3_IPV6, .proto = 17, .ttl = 1};
	m = mbuf_of(&s6);
	assert_int_equal(dp_action_apply(&dec, m), DP_ACTION_ERR_TTL);
	rte_pktmbuf_free(m);
}

/* Bitwise CRC32c (Castagnoli, reflected), independent of the SSE4.2 one. */
static uint32_t
crc32c_ref(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffff;

	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int b = 0; b < 8; b++) {
			crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78 : crc >> 1;
		}
	}
	return ~crc;
}

static void
test_set_sctp_ports(void **state)
{
	struct pktgen_spec s = pktgen_udp4(1, 2, 3, 4);
	struct dp_action l4 = {.type = DP_ACTION_SET_L4, .flags = DP_SET_DST, .l4 = {0, htons(9)}};
	struct rte_mbuf *m;
	uint8_t *sctp;
	uint32_t crc;

	(void)state;
	s.proto = 132;
	s.payload_len = 20;
	m = mbuf_of(&s);
	apply_ok(&l4, m);
	sctp = rte_pktmbuf_mtod_offset(m, uint8_t *, 34);
	assert_int_equal(sctp[3], 9);
	crc = (uint32_t)sctp[8] | (uint32_t)sctp[9] << 8 | (uint32_t)sctp[10] << 16 |
	      (uint32_t)sctp[11] << 24;
	memset(sctp + 8, 0, 4);
	assert_int_equal(crc, crc32c_ref(sctp, rte_pktmbuf_data_len(m) - 34));
	rte_pktmbuf_free(m);
}

static void
test_rewrites_skip_wrong_layers(void **state)
{
	struct pktgen_spec arp = {.l3 = PKTGEN_L3_ARP, .arp_op = 1};
	struct dp_action ip = {
		.type = DP_ACTION_SET_IPV4, .flags = DP_SET_SRC, .ipv4 = {.src = 1, .dst = 2}};
	struct dp_action l4 = {.type = DP_ACTION_SET_L4, .flags = DP_SET_SRC, .l4 = {1, 2}};
	struct rte_mbuf *m = mbuf_of(&arp);

	(void)state;
	apply_ok(&ip, m);
	apply_ok(&l4, m);
	assert_mbuf_equals_spec(m, &arp);
	rte_pktmbuf_free(m);
}

static void
test_format(void **state)
{
	struct dp_action a[2] = {{.type = DP_ACTION_POP_VLAN},
				 {.type = DP_ACTION_OUTPUT, .port = 3}};
	char buf[64];

	(void)state;
	dp_actions_format(buf, sizeof buf, a, 2);
	assert_string_equal(buf, "pop_vlan,3");
	dp_actions_format(buf, sizeof buf, a, 0);
	assert_string_equal(buf, "drop");
}

static void
test_flow_format(void **state)
{
	struct flow_key k = {0}, m = {0};
	struct dp_action push = {.type = DP_ACTION_PUSH_VLAN,
				 .vlan = {.tpid = htons(0x8100), .tci = htons(10)}};
	char buf[512];

	(void)state;
	flow_format(buf, sizeof buf, &k, &m);
	assert_string_equal(buf, "any");
	k.in_port = 1;
	m.in_port = UINT32_MAX;
	k.eth_type = htons(0x0800);
	m.eth_type = 0xffff;
	k.nw_src.ipv4 = htonl(0x0a000001);
	m.nw_src.ipv4 = htonl(0xffffff00);
	k.nw_proto = 17;
	m.nw_proto = 0xff;
	k.tp_dst = htons(53);
	m.tp_dst = 0xffff;
	flow_format(buf, sizeof buf, &k, &m);
	assert_string_equal(buf, "in_port(1),eth_type(0x0800),ipv4(src=10.0.0.0/255.255.255.0,"
				 "proto=17),udp(dst=53)");
	/* A short buffer is cut, still terminated. */
	flow_format(buf, 10, &k, &m);
	assert_int_equal(strlen(buf), 9);
	/* Address bits without the ethertype (a prefix-tracked megaflow). */
	memset(&m, 0, sizeof m);
	k.nw_dst.ipv4 = htonl(0xac108000);
	m.nw_dst.ipv4 = htonl(0xffff8000);
	flow_format(buf, sizeof buf, &k, &m);
	assert_string_equal(buf, "l3(dst=172.16.128.0/255.255.128.0)");
	/* ARP has no TOS, TTL or fragment bits to show, even under a full
	 * mask (a trace's). */
	memset(&k, 0, sizeof k);
	memset(&m, 0xff, sizeof m);
	k.eth_type = htons(0x0806);
	k.nw_proto = 1;
	k.nw_src.ipv4 = htonl(0x0a000001);
	k.nw_dst.ipv4 = htonl(0x0a000002);
	flow_format(buf, sizeof buf, &k, &m);
	assert_non_null(strstr(buf, "arp(sip=10.0.0.1,tip=10.0.0.2,op=1)"));
	assert_null(strstr(buf, "ttl"));
	assert_null(strstr(buf, "tos"));
	assert_null(strstr(buf, "frag"));
	assert_null(strstr(buf, "icmp")); /* op 1 is not ICMP's protocol number */
	dp_actions_format(buf, sizeof buf, &push, 1);
	assert_string_equal(buf, "push_vlan(tpid=0x8100,vid=10,pcp=0)");
}

/* push_mpls puts a label between the tags and the IP header (the key then
 * shows its LSE), set and dec change it, pop_mpls restores the frame
 * byte for byte and the layers, so a later IP rewrite lands right. */
static void
test_mpls(void **state)
{
	struct pktgen_spec s = pktgen_udp4(0x0a000001, 0x0a000002, 1, 2);
	struct rte_mbuf *m;
	struct dp_action push = {.type = DP_ACTION_PUSH_MPLS,
				 .mpls = {htons(0x8847), htonl(100 << 12 | 0x100 | 64), 0}};
	struct dp_action set = {.type = DP_ACTION_SET_MPLS,
				.mpls = {0, htonl(200 << 12), htonl(0xfffff000)}};
	struct dp_action dec = {.type = DP_ACTION_DEC_MPLS_TTL};
	struct dp_action pop = {.type = DP_ACTION_POP_MPLS, .mpls = {htons(0x0800), 0, 0}};
	struct dp_action ttl = {.type = DP_ACTION_SET_IPV4, .flags = DP_SET_TTL};
	struct flow_key k;
	const uint8_t *p;

	(void)state;
	s.n_vlans = 1;
	s.vlan_tci[0] = 7;
	m = mbuf_of(&s);
	apply_ok(&push, m);
	p = rte_pktmbuf_mtod(m, const uint8_t *);
	assert_int_equal(p[16] << 8 | p[17], 0x8847); /* after the 802.1Q tag */
	apply_ok(&set, m);
	apply_ok(&dec, m);
	flow_key_extract(p, rte_pktmbuf_data_len(m), 0, &k, NULL);
	assert_int_equal(ntohs(k.eth_type), 0x8847);
	assert_int_equal(ntohl(k.ipv6_label), 200 << 12 | 0x100 | 63);
	apply_ok(&pop, m);
	assert_mbuf_equals_spec(m, &s);
	ttl.ipv4.ttl = 9;
	apply_ok(&ttl, m);
	s.ttl = 9;
	assert_mbuf_equals_spec(m, &s);
	rte_pktmbuf_free(m);

	/* A pop that leaves less than 60 bytes pads to 60, as a NIC would. */
	{
		uint8_t raw[50] = {[12] = 0x88, [13] = 0x47, [16] = 0x01, [17] = 64, [18] = 0x45};
		const uint8_t *q;

		m = test_mbuf(mp, raw, sizeof raw);
		assert_non_null(m);
		apply_ok(&pop, m);
		assert_int_equal(rte_pktmbuf_pkt_len(m), 60);
		q = rte_pktmbuf_mtod(m, const uint8_t *);
		assert_int_equal(q[12] << 8 | q[13], 0x0800);
		assert_int_equal(q[14], 0x45);
		for (int i = 46; i < 60; i++) {
			assert_int_equal(q[i], 0);
		}
		rte_pktmbuf_free(m);
	}

	/* TTL 1 cannot be decremented. */
	m = mbuf_of(&s);
	push.mpls.lse = htonl(0x100 | 1);
	apply_ok(&push, m);
	assert_int_equal(dp_action_apply(&dec, m), DP_ACTION_ERR_TTL);
	rte_pktmbuf_free(m);
}

/* ARP: opcode, sender and target addresses, each alone and all at once. */
static void
test_set_arp(void **state)
{
	static const uint8_t sha[6] = {2, 0, 0, 0, 0, 0xaa}, tha[6] = {2, 0, 0, 0, 0, 0xbb};
	struct pktgen_spec s = {.l3 = PKTGEN_L3_ARP,
				.arp_op = 1,
				.arp_spa = 0x0a000001,
				.arp_tpa = 0x0a000002,
				.arp_sha = {2, 0, 0, 0, 0, 1}};
	struct dp_action a = {.type = DP_ACTION_SET_ARP, .flags = DP_SET_OP};
	struct rte_mbuf *m;

	(void)state;
	m = mbuf_of(&s);
	a.arp.op = htons(2);
	apply_ok(&a, m);
	s.arp_op = 2;
	assert_mbuf_equals_spec(m, &s);
	a.flags = DP_SET_SRC | DP_SET_DST | DP_SET_SHA | DP_SET_THA;
	a.arp.spa = htonl(0xc0a80001);
	a.arp.tpa = htonl(0xc0a80002);
	memcpy(a.arp.sha, sha, 6);
	memcpy(a.arp.tha, tha, 6);
	apply_ok(&a, m);
	s.arp_spa = 0xc0a80001;
	s.arp_tpa = 0xc0a80002;
	memcpy(s.arp_sha, sha, 6);
	memcpy(s.arp_tha, tha, 6);
	assert_mbuf_equals_spec(m, &s);
	rte_pktmbuf_free(m);
}

/* ICMP and ICMPv6 type and code, with their checksums. */
static void
test_set_icmp(void **state)
{
	for (int v6 = 0; v6 < 2; v6++) {
		struct pktgen_spec s = {.l3 = v6 ? PKTGEN_L3_IPV6 : PKTGEN_L3_IPV4,
					.proto = v6 ? 58 : 1,
					.ip4_src = 0x0a000001,
					.ip4_dst = 0x0a000002,
					.ip6_src = {0xfe, 0x80, [15] = 1},
					.ip6_dst = {0xfe, 0x80, [15] = 2},
					.icmp_type = 8,
					.payload_len = 24};
		struct dp_action a = {
			.type = DP_ACTION_SET_L4, .flags = DP_SET_SRC, .l4 = {htons(0), htons(0)}};
		struct rte_mbuf *m = mbuf_of(&s);

		(void)state;
		apply_ok(&a, m);
		s.icmp_type = 0;
		assert_mbuf_equals_spec(m, &s);
		a.flags = DP_SET_SRC | DP_SET_DST;
		a.l4.src = htons(3);
		a.l4.dst = htons(13);
		apply_ok(&a, m);
		s.icmp_type = 3;
		s.icmp_code = 13;
		assert_mbuf_equals_spec(m, &s);
		rte_pktmbuf_free(m);
	}
}

/* Neighbour discovery: the target and the link-layer address option of a
 * solicitation and an advertisement; the other option is left alone. */
static void
test_set_nd(void **state)
{
	static const uint8_t target[16] = {0x20, 1, 0xd, 0xb8, [15] = 9};
	static const uint8_t lla[6] = {2, 0, 0, 0, 0, 0x77};

	for (int adv = 0; adv < 2; adv++) {
		struct pktgen_spec s = {.l3 = PKTGEN_L3_IPV6,
					.proto = 58,
					.ip6_src = {0xfe, 0x80, [15] = 1},
					.ip6_dst = {0xff, 0x02, [11] = 1, [12] = 0xff, [15] = 2},
					.icmp_type = adv ? 136 : 135,
					.nd_target = {0xfe, 0x80, [15] = 2},
					.nd_lla = {2, 0, 0, 0, 0, 1}};
		struct dp_action a = {.type = DP_ACTION_SET_ND, .flags = DP_SET_DST};
		struct rte_mbuf *m = mbuf_of(&s);

		(void)state;
		memcpy(a.nd.target, target, 16);
		apply_ok(&a, m);
		memcpy(s.nd_target, target, 16);
		assert_mbuf_equals_spec(m, &s);
		/* The option of the other kind: not in this packet, no change. */
		a.flags = adv ? DP_SET_SHA : DP_SET_THA;
		memcpy(a.nd.sll, lla, 6);
		memcpy(a.nd.tll, lla, 6);
		apply_ok(&a, m);
		assert_mbuf_equals_spec(m, &s);
		a.flags = adv ? DP_SET_THA : DP_SET_SHA;
		apply_ok(&a, m);
		memcpy(s.nd_lla, lla, 6);
		assert_mbuf_equals_spec(m, &s);
		rte_pktmbuf_free(m);
	}
}

/* copy_ttl_out and copy_ttl_in between a label and IPv4 (whose checksum
 * follows), IPv6, and the next label of a stack. */
static void
test_copy_ttl(void **state)
{
	struct dp_action push = {.type = DP_ACTION_PUSH_MPLS,
				 .mpls = {htons(0x8847), htonl(100 << 12 | 0x100 | 64), 0}};
	struct dp_action out = {.type = DP_ACTION_COPY_TTL};
	struct dp_action in = {.type = DP_ACTION_COPY_TTL, .flags = DP_SET_SRC};
	struct dp_action pop = {.type = DP_ACTION_POP_MPLS, .mpls = {0, 0, 0}};
	struct flow_key k;
	const uint8_t *p;

	(void)state;
	for (int v6 = 0; v6 < 2; v6++) {
		struct pktgen_spec s = pktgen_udp4(0x0a000001, 0x0a000002, 1, 2);
		struct rte_mbuf *m;

		if (v6) {
			s.l3 = PKTGEN_L3_IPV6;
			s.ip6_src[15] = 1;
			s.ip6_dst[15] = 2;
		}
		s.ttl = 32;
		m = mbuf_of(&s);
		apply_ok(&push, m); /* label TTL 64 over IP TTL 32 */
		apply_ok(&out, m);
		p = rte_pktmbuf_mtod(m, const uint8_t *);
		flow_key_extract(p, rte_pktmbuf_data_len(m), 0, &k, NULL);
		assert_int_equal(ntohl(k.ipv6_label) & 0xff, 32);
		p = rte_pktmbuf_mtod(m, uint8_t *);
		((uint8_t *)p)[17] = 50; /* the label's TTL */
		apply_ok(&in, m);
		pop.mpls.ethertype = htons(v6 ? 0x86dd : 0x0800);
		apply_ok(&pop, m);
		s.ttl = 50;
		assert_mbuf_equals_spec(m, &s);
		rte_pktmbuf_free(m);
	}

	/* Two labels: the TTLs of the outer and the next. */
	{
		struct pktgen_spec s = pktgen_udp4(0x0a000001, 0x0a000002, 1, 2);
		struct dp_action push2 = push;
		struct rte_mbuf *m = mbuf_of(&s);

		push2.mpls.lse = htonl(200 << 12 | 9); /* not bottom of stack */
		apply_ok(&push, m);
		apply_ok(&push2, m);
		apply_ok(&out, m);
		p = rte_pktmbuf_mtod(m, const uint8_t *);
		assert_int_equal(p[17], 64); /* the inner label's */
		((uint8_t *)p)[17] = 5;
		apply_ok(&in, m);
		assert_int_equal(p[21], 5);
		rte_pktmbuf_free(m);
	}
}

/* push_pbb wraps the frame in a backbone header with the same addresses
 * and the I-TAG; pop_pbb gives the frame back. */
static void
test_pbb(void **state)
{
	struct pktgen_spec s = pktgen_udp4(0x0a000001, 0x0a000002, 1, 2);
	struct rte_mbuf *m = mbuf_of(&s);
	struct dp_action push = {.type = DP_ACTION_PUSH_PBB, .mpls = {0, htonl(0x00abcdef), 0}};
	struct dp_action set = {.type = DP_ACTION_SET_PBB,
				.mpls = {0, htonl(0x123456), htonl(0x00ffffff)}};
	struct dp_action pop = {.type = DP_ACTION_POP_PBB};
	uint8_t inner[2048];
	size_t len = pktgen_build(&s, inner, sizeof inner);
	struct flow_key k;
	const uint8_t *p;

	(void)state;
	apply_ok(&push, m);
	apply_ok(&set, m);
	p = rte_pktmbuf_mtod(m, const uint8_t *);
	assert_int_equal(rte_pktmbuf_data_len(m), len + 18);
	assert_memory_equal(p, inner, 12);
	assert_memory_equal(p + 18, inner, len);
	flow_key_extract(p, rte_pktmbuf_data_len(m), 0, &k, NULL);
	assert_int_equal(ntohs(k.eth_type), 0x88e7);
	assert_int_equal(ntohl(k.ipv6_label) & 0xffffff, 0x123456);
	apply_ok(&pop, m);
	assert_mbuf_equals_spec(m, &s);
	rte_pktmbuf_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_pop_vlan),
		cmocka_unit_test(test_push_vlan_no_headroom),
		cmocka_unit_test(test_set_ipv4_and_ports),
		cmocka_unit_test(test_set_ipv6),
		cmocka_unit_test(test_set_eth_and_dec_ttl),
		cmocka_unit_test(test_set_sctp_ports),
		cmocka_unit_test(test_rewrites_skip_wrong_layers),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_mpls),
		cmocka_unit_test(test_pbb),
		cmocka_unit_test(test_set_arp),
		cmocka_unit_test(test_set_icmp),
		cmocka_unit_test(test_set_nd),
		cmocka_unit_test(test_copy_ttl),
		cmocka_unit_test(test_flow_format),
	};

	mp = test_eal_init("0");
	int ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return ret;
}
