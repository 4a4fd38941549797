/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of VXLAN and Geneve encapsulation and decapsulation
 * (datapath/tunnel.c) and of the tunnel port options, on real mbufs. The
 * outer headers are checked field by field and their checksums by an
 * independent sum; decapsulation must give back the inner frame byte for
 * byte and refuse every damaged frame with its reason.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "actions.h"
#include "csum.h"
#include "flow_key.h"
#include "pktgen.h"
#include "test_eal.h"
#include "tunnel.h"

static struct rte_mempool *mp;

static struct rte_mbuf *
inner_frame(uint16_t sport, uint8_t *copy, size_t *len)
{
	struct pktgen_spec s = pktgen_udp4(0xc0a80001, 0xc0a80002, sport, 53);
	uint8_t buf[2048];
	struct flow_key k;
	struct flow_ofs ofs;
	struct rte_mbuf *m;

	s.payload_len = 100;
	*len = pktgen_build(&s, buf, sizeof buf);
	assert_true(*len > 0);
	memcpy(copy, buf, *len);
	m = test_mbuf(mp, buf, *len);
	assert_non_null(m);
	flow_key_extract(buf, (uint32_t)*len, 0, &k, &ofs);
	dp_pkt_set_layers(m, ofs.l3, ofs.l4, k.nw_proto);
	return m;
}

static const struct dp_tnl_params base_params = {
	.type = DP_TNL_VXLAN,
	.eth_src = {0x02, 0, 0, 0, 0, 1},
	.eth_dst = {0x02, 0, 0, 0, 0, 2},
	.ip_src = {{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1}}},
	.ip_dst = {{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 2}}},
	.tos = 0x10,
	.ttl = 64,
	.df = true,
	.udp_dst = 0xb512, /* htons(4789) */
	.vni = 0x123456,
};

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Checks the outer headers a push wrote over an inner frame of 'inner'
 * bytes. */
static void
check_outer(const uint8_t *p, size_t inner, const struct dp_tnl_params *tp, bool csum)
{
	const uint8_t *ip = p + 14, *udp = ip + 20, *t = udp + 8;
	uint16_t sport = get16(udp);

	assert_memory_equal(p, tp->eth_dst, 6);
	assert_memory_equal(p + 6, tp->eth_src, 6);
	assert_int_equal(get16(p + 12), 0x0800);
	assert_int_equal(ip[0], 0x45);
	assert_int_equal(ip[1], tp->tos);
	assert_int_equal(get16(ip + 2), inner + 36);
	assert_int_equal(get16(ip + 6), tp->df ? 0x4000 : 0);
	assert_int_equal(ip[8], tp->ttl);
	assert_int_equal(ip[9], 17);
	assert_int_equal(csum_finish(csum_add(0, ip, 20)), 0);
	assert_memory_equal(ip + 12, &tp->ip_src.s6_addr[12], 4);
	assert_memory_equal(ip + 16, &tp->ip_dst.s6_addr[12], 4);
	assert_true(sport >= DP_TNL_UDP_SPORT_MIN && sport <= DP_TNL_UDP_SPORT_MAX);
	assert_int_equal(get16(udp + 2), ntohs(tp->udp_dst));
	assert_int_equal(get16(udp + 4), inner + 16);
	if (csum) {
		/* Pseudo-header plus the datagram sums to all ones. */
		uint32_t sum = csum_add(0, ip + 12, 8) + htons(17) + htons((uint16_t)(inner + 16));

		assert_int_not_equal(get16(udp + 6), 0);
		assert_int_equal(csum_finish(csum_add(sum, udp, inner + 16)), 0);
	} else {
		assert_int_equal(get16(udp + 6), 0);
	}
	if (tp->type == DP_TNL_VXLAN) {
		assert_int_equal(t[0], 0x08);
	} else {
		assert_int_equal(t[0], 0);
		assert_int_equal(get16(t + 2), 0x6558);
	}
	assert_int_equal(t[4] << 16 | t[5] << 8 | t[6], tp->vni);
}

static void
round_trip(const struct dp_tnl_params *tp, bool csum)
{
	uint8_t hdr[DP_TNL_HDR_LEN], orig[2048];
	uint16_t ip_id = 7;
	size_t len;
	struct rte_mbuf *m = inner_frame(1234, orig, &len);
	struct dp_tnl_md md;

	assert_int_equal(dp_tnl_header_build(tp, hdr), DP_TNL_HDR_LEN);
	assert_int_equal(
		dp_tnl_push(m, hdr, DP_TNL_HDR_LEN, csum ? DP_TNL_F_CSUM : 0, 1500, &ip_id),
		DP_TNL_OK);
	assert_int_equal(rte_pktmbuf_pkt_len(m), len + DP_TNL_HDR_LEN);
	check_outer(rte_pktmbuf_mtod(m, const uint8_t *), len, tp, csum);
	/* The layers now describe the outer packet. */
	assert_int_equal(m->l2_len, 14);
	assert_int_equal(m->l3_len, 20);
	assert_int_equal(ip_id, tp->df ? 7 : 8);

	assert_int_equal(dp_tnl_pop(m, tp->type, &md), DP_TNL_OK);
	assert_int_equal(md.vni, tp->vni);
	assert_int_equal(md.tun_src, dp_tnl_addr_get4(&tp->ip_src));
	assert_int_equal(md.tun_dst, dp_tnl_addr_get4(&tp->ip_dst));
	assert_int_equal(md.ip6_back, 0);
	assert_int_equal(rte_pktmbuf_pkt_len(m), len);
	assert_memory_equal(rte_pktmbuf_mtod(m, const uint8_t *), orig, len);
	rte_pktmbuf_free(m);
}

static void
test_round_trips(void **state)
{
	struct dp_tnl_params tp = base_params;

	(void)state;
	round_trip(&tp, false);
	round_trip(&tp, true);
	tp.df = false;
	round_trip(&tp, true);
	tp.type = DP_TNL_GENEVE;
	tp.udp_dst = htons(6081);
	round_trip(&tp, false);
	round_trip(&tp, true);
}

/* 1 when seen[i] is none of seen[0..i). */
static int
is_new(const uint16_t *seen, int i)
{
	for (int j = 0; j < i; j++) {
		if (seen[j] == seen[i]) {
			return 0;
		}
	}
	return 1;
}

/* The outer source port of 'm' encapsulated with 'hdr' (freed). */
static uint16_t
push_sport(struct rte_mbuf *m, const uint8_t *hdr)
{
	uint16_t ip_id = 0, sport;

	assert_int_equal(dp_tnl_push(m, hdr, DP_TNL_HDR_LEN, 0, 0, &ip_id), DP_TNL_OK);
	sport = get16(rte_pktmbuf_mtod(m, const uint8_t *) + 34);
	rte_pktmbuf_free(m);
	return sport;
}

/* The source port is the inner flow's: the same for a flow's packets,
 * spread over flows. */
static void
test_source_port_entropy(void **state)
{
	uint8_t hdr[DP_TNL_HDR_LEN], orig[2048];
	uint16_t seen[64];
	int distinct = 0;
	size_t len;

	(void)state;
	dp_tnl_header_build(&base_params, hdr);
	for (int i = 0; i < 64; i++) {
		seen[i] = push_sport(inner_frame((uint16_t)(1000 + i), orig, &len), hdr);
		assert_int_equal(push_sport(inner_frame((uint16_t)(1000 + i), orig, &len), hdr),
				 seen[i]);
		distinct += is_new(seen, i);
	}
	assert_true(distinct >= 56); /* 64 flows over 28,232 ports */
}

/* The source port of frame 'm' with the layer offsets the rule-only path
 * leaves (the IP header's, not its payload's). */
static uint16_t
push_l2_only(struct rte_mbuf *m)
{
	uint8_t hdr[DP_TNL_HDR_LEN];
	uint16_t ip_id = 0, sport;

	dp_tnl_header_build(&base_params, hdr);
	dp_pkt_set_layers(m, 14, 0, 0);
	assert_int_equal(dp_tnl_push(m, hdr, sizeof hdr, 0, 0, &ip_id), DP_TNL_OK);
	sport = get16(rte_pktmbuf_mtod(m, const uint8_t *) + 34);
	rte_pktmbuf_free(m);
	return sport;
}

/* Flows that differ only in their ports spread as well when the rule-only
 * path sent them (it takes no L4 offset), each on the port the full path
 * gives it; the fragments of a packet share one port. */
static void
test_source_port_without_l4(void **state)
{
	uint8_t hdr[DP_TNL_HDR_LEN], orig[2048];
	uint16_t seen[64], v6[8];
	int distinct = 0, d6 = 0;
	size_t len;

	(void)state;
	dp_tnl_header_build(&base_params, hdr);
	for (int i = 0; i < 64; i++) {
		seen[i] = push_sport(inner_frame((uint16_t)(1000 + i), orig, &len), hdr);
		assert_int_equal(push_l2_only(inner_frame((uint16_t)(1000 + i), orig, &len)),
				 seen[i]);
		distinct += is_new(seen, i);
	}
	assert_true(distinct >= 56);
	/* IPv6: flows apart by their ports, each on the same port from both
	 * paths. */
	for (int i = 0; i < 8; i++) {
		struct pktgen_spec s = pktgen_udp4(0, 0, (uint16_t)(2000 + i), 53);
		uint8_t buf[256];
		struct flow_key k;
		struct flow_ofs ofs;
		struct rte_mbuf *m;
		size_t n;

		s.l3 = PKTGEN_L3_IPV6;
		s.ip6_src[15] = 1;
		s.ip6_dst[15] = 2;
		n = pktgen_build(&s, buf, sizeof buf);
		assert_true(n > 0);
		m = test_mbuf(mp, buf, n);
		flow_key_extract(buf, (uint32_t)n, 0, &k, &ofs);
		dp_pkt_set_layers(m, ofs.l3, ofs.l4, k.nw_proto);
		v6[i] = push_sport(m, hdr);
		assert_int_equal(push_l2_only(test_mbuf(mp, buf, n)), v6[i]);
		d6 += is_new(v6, i);
	}
	assert_true(d6 >= 6);
	/* Two fragments: the first with the UDP header, a later one with
	 * other bytes there. */
	{
		struct rte_mbuf *first = inner_frame(1000, orig, &len);
		struct rte_mbuf *later = inner_frame(2000, orig, &len);
		uint8_t *ip1 = rte_pktmbuf_mtod(first, uint8_t *) + 14;
		uint8_t *ip2 = rte_pktmbuf_mtod(later, uint8_t *) + 14;

		ip1[6] |= 0x20; /* more fragments, offset 0 */
		ip2[7] = 0x10;  /* offset 128 bytes */
		assert_int_equal(push_l2_only(first), push_l2_only(later));
	}
}

static void
test_push_mtu(void **state)
{
	uint8_t hdr[DP_TNL_HDR_LEN], orig[2048];
	uint16_t ip_id = 0;
	size_t len;
	struct rte_mbuf *m = inner_frame(1, orig, &len);

	(void)state;
	dp_tnl_header_build(&base_params, hdr);
	/* The outer IP packet is the frame plus 36 bytes. */
	assert_int_equal(dp_tnl_push(m, hdr, sizeof hdr, 0, (uint16_t)(len + 35), &ip_id),
			 DP_TNL_ERR_MTU);
	assert_int_equal(rte_pktmbuf_pkt_len(m), len);
	assert_int_equal(dp_tnl_push(m, hdr, sizeof hdr, 0, (uint16_t)(len + 36), &ip_id),
			 DP_TNL_OK);
	rte_pktmbuf_free(m);
}

/* An encapsulated frame in 'buf' (returns its length). */
static size_t
encapsulated(const struct dp_tnl_params *tp, bool csum, uint8_t *buf)
{
	uint8_t hdr[DP_TNL_HDR_MAX], orig[2048];
	uint16_t ip_id = 0, hlen;
	size_t len;
	struct rte_mbuf *m = inner_frame(99, orig, &len);

	hlen = dp_tnl_header_build(tp, hdr);
	assert_int_equal(dp_tnl_push(m, hdr, hlen, csum ? DP_TNL_F_CSUM : 0, 0, &ip_id), DP_TNL_OK);
	len = rte_pktmbuf_pkt_len(m);
	memcpy(buf, rte_pktmbuf_mtod(m, const uint8_t *), len);
	rte_pktmbuf_free(m);
	return len;
}

static enum dp_tnl_err
pop_bytes(const uint8_t *buf, size_t len, enum dp_tnl_type type)
{
	struct rte_mbuf *m = test_mbuf(mp, buf, len);
	struct dp_tnl_md md;
	enum dp_tnl_err err;

	assert_non_null(m);
	err = dp_tnl_pop(m, type, &md);
	if (err != DP_TNL_OK) {
		/* Refused: the frame is as it was. */
		assert_int_equal(rte_pktmbuf_pkt_len(m), len);
		assert_memory_equal(rte_pktmbuf_mtod(m, const uint8_t *), buf, len);
	}
	rte_pktmbuf_free(m);
	return err;
}

static void
test_pop_refuses_damage(void **state)
{
	struct dp_tnl_params g = base_params;
	uint8_t buf[2048], bad[2048];
	size_t len = encapsulated(&base_params, true, buf);

	(void)state;
	/* Every truncation before the inner Ethernet header ends. */
	for (size_t n = 0; n < DP_TNL_HDR_LEN + 14; n++) {
		assert_int_equal(pop_bytes(buf, n, DP_TNL_VXLAN), DP_TNL_ERR_BAD);
	}
	/* Cut short of what the IP header says. */
	assert_int_equal(pop_bytes(buf, len - 1, DP_TNL_VXLAN), DP_TNL_ERR_BAD);
	/* Padding after the IP packet is dropped with the headers. */
	memcpy(bad, buf, len);
	memset(bad + len, 0, 4);
	assert_int_equal(pop_bytes(bad, len + 4, DP_TNL_VXLAN), DP_TNL_OK);

	memcpy(bad, buf, len);
	bad[42] = 0;           /* VXLAN without its I flag */
	bad[40] = bad[41] = 0; /* (and no UDP checksum, which would catch it) */
	assert_int_equal(pop_bytes(bad, len, DP_TNL_VXLAN), DP_TNL_ERR_BAD);
	memcpy(bad, buf, len);
	bad[14 + 9] = 6; /* not UDP (the IP checksum is not looked at first) */
	assert_int_equal(pop_bytes(bad, len, DP_TNL_VXLAN), DP_TNL_ERR_BAD);
	memcpy(bad, buf, len);
	bad[14] = 0x65; /* IPv6 version in an IPv4 EtherType */
	assert_int_equal(pop_bytes(bad, len, DP_TNL_VXLAN), DP_TNL_ERR_BAD);
	memcpy(bad, buf, len);
	bad[14 + 8] = 1; /* TTL changed under the IP checksum */
	assert_int_equal(pop_bytes(bad, len, DP_TNL_VXLAN), DP_TNL_ERR_CSUM);
	memcpy(bad, buf, len);
	bad[14 + 6] |= 0x20; /* more fragments (the checksum made right) */
	bad[14 + 10] = bad[14 + 11] = 0;
	uint16_t c = csum_finish(csum_add(0, bad + 14, 20));

	memcpy(bad + 14 + 10, &c, 2);
	assert_int_equal(pop_bytes(bad, len, DP_TNL_VXLAN), DP_TNL_ERR_FRAG);
	memcpy(bad, buf, len);
	bad[len - 1] ^= 0xff; /* payload changed under the UDP checksum */
	assert_int_equal(pop_bytes(bad, len, DP_TNL_VXLAN), DP_TNL_ERR_CSUM);
	memcpy(bad, buf, len);
	bad[34 + 4] = 0x01; /* UDP length past the IP packet */
	assert_int_equal(pop_bytes(bad, len, DP_TNL_VXLAN), DP_TNL_ERR_BAD);

	g.type = DP_TNL_GENEVE;
	len = encapsulated(&g, false, buf);
	assert_int_equal(pop_bytes(buf, len, DP_TNL_GENEVE), DP_TNL_OK);
	memcpy(bad, buf, len);
	bad[43] |= 0x40; /* "critical options present", with none: the map judges */
	assert_int_equal(pop_bytes(bad, len, DP_TNL_GENEVE), DP_TNL_OK);
	memcpy(bad, buf, len);
	bad[42] = 0x40; /* version 1 */
	assert_int_equal(pop_bytes(bad, len, DP_TNL_GENEVE), DP_TNL_ERR_BAD);
	memcpy(bad, buf, len);
	bad[45] = 0x00; /* protocol 0x6500: not Ethernet */
	assert_int_equal(pop_bytes(bad, len, DP_TNL_GENEVE), DP_TNL_ERR_BAD);
	memcpy(bad, buf, len);
	bad[42] = 0x3f; /* 252 bytes of options the packet does not have */
	assert_int_equal(pop_bytes(bad, len, DP_TNL_GENEVE), DP_TNL_ERR_BAD);
}

/* A Geneve frame with a (non-critical) option: skipped, not refused. */
static void
test_geneve_options_skipped(void **state)
{
	struct dp_tnl_params g = base_params;
	uint8_t buf[2048], opt[2048];
	size_t len;

	(void)state;
	g.type = DP_TNL_GENEVE;
	len = encapsulated(&g, false, buf);
	/* Insert an 8-byte option (class 0x0102, type 0x03, one word). */
	memcpy(opt, buf, 50);
	memcpy(opt + 50, (const uint8_t[]){0x01, 0x02, 0x03, 0x01, 0xaa, 0xbb, 0xcc, 0xdd}, 8);
	memcpy(opt + 58, buf + 50, len - 50);
	opt[42] = 2; /* opt_len in 4-byte words */
	opt[14 + 3] = (uint8_t)(opt[14 + 3] + 8);
	opt[38 + 1] = (uint8_t)(opt[38 + 1] + 8);
	opt[14 + 10] = opt[14 + 11] = 0;
	uint16_t c = csum_finish(csum_add(0, opt + 14, 20));

	memcpy(opt + 14 + 10, &c, 2);
	struct rte_mbuf *m = test_mbuf(mp, opt, len + 8);
	struct dp_tnl_md md;

	assert_int_equal(dp_tnl_pop(m, DP_TNL_GENEVE, &md), DP_TNL_OK);
	assert_int_equal(rte_pktmbuf_pkt_len(m), len - DP_TNL_HDR_LEN);
	assert_memory_equal(rte_pktmbuf_mtod(m, const uint8_t *), buf + 50, len - 50);
	/* The options are still just before the inner frame. */
	assert_int_equal(md.opt_len, 8);
	assert_memory_equal(rte_pktmbuf_mtod(m, const uint8_t *) - 8, opt + 50, 8);
	rte_pktmbuf_free(m);
}

/* Options that a map names: written into the header, found again on
 * decapsulation and taken into the key's bytes; critical ones that the
 * map does not name refuse the packet. */
static void
test_geneve_options(void **state)
{
	const struct dp_tnl_optmap map = {
		2, {{0x0102, 0x80, 4, 0, 0}, {0x0102, 0x01, 8, 3, 4}}}; /* 0x80: critical */
	struct dp_tnl_params g = base_params;
	uint8_t md[DP_TNL_OPT_SPACE], got[DP_TNL_OPT_SPACE] = {0}, buf[2048];
	uint16_t present = 0;
	struct dp_tnl_md tmd;
	struct dp_tnl_optmap other;
	size_t len;

	(void)state;
	for (int i = 0; i < DP_TNL_OPT_SPACE; i++) {
		md[i] = (uint8_t)(0xa0 + i);
	}
	g.type = DP_TNL_GENEVE;
	g.opt_len = (uint8_t)dp_tnl_opts_put(&map, 0x9, md, g.opts, &g.crit);
	assert_int_equal(g.opt_len, 4 + 4 + 4 + 8);
	assert_true(g.crit);
	/* In field order: tun_metadata0, then 3. */
	assert_memory_equal(g.opts,
			    ((const uint8_t[]){0x01, 0x02, 0x80, 1, 0xa0, 0xa1, 0xa2, 0xa3, 0x01,
					       0x02, 0x01, 2}),
			    12);
	assert_memory_equal(g.opts + 12, md + 4, 8);
	/* A field the map does not name is left out. */
	uint8_t none[DP_TNL_OPTS_MAX];

	assert_int_equal(dp_tnl_opts_put(&map, 0x2, md, none, &(bool){false}), 0);

	len = encapsulated(&g, false, buf);
	assert_int_equal(buf[42], 20 / 4);
	assert_int_equal(buf[43], 0x40); /* the C bit */
	struct rte_mbuf *m = test_mbuf(mp, buf, len);

	assert_int_equal(dp_tnl_pop(m, DP_TNL_GENEVE, &tmd), DP_TNL_OK);
	assert_int_equal(tmd.opt_len, 20);
	assert_true(dp_tnl_opts_take(rte_pktmbuf_mtod(m, const uint8_t *) - 20, 20, &map, &present,
				     got));
	assert_int_equal(present, 0x9);
	assert_memory_equal(got, md, DP_TNL_OPT_SPACE);
	/* No map, or one without the critical option: refused. */
	present = 0;
	assert_false(dp_tnl_opts_take(g.opts, 20, NULL, &present, got));
	other = map;
	other.m[0].type = 0x81;
	assert_false(dp_tnl_opts_take(g.opts, 20, &other, &present, got));
	/* The critical option mapped with another length is not it. */
	other = map;
	other.m[0].len = 8;
	assert_false(dp_tnl_opts_take(g.opts, 20, &other, &present, got));
	/* Only the critical one mapped: the other is skipped. */
	other = map;
	other.n = 1;
	present = 0;
	memset(got, 0, sizeof got);
	assert_true(dp_tnl_opts_take(g.opts, 20, &other, &present, got));
	assert_int_equal(present, 0x1);
	assert_memory_equal(got, md, 4);
	rte_pktmbuf_free(m);

	/* Options whose lengths do not add up: malformed. */
	buf[50 + 3] = 2; /* the first claims 8 bytes: the rest does not add up */
	assert_int_equal(pop_bytes(buf, len, DP_TNL_GENEVE), DP_TNL_ERR_BAD);
	buf[50 + 3] = 0x1f; /* 124 bytes: past the options */
	assert_int_equal(pop_bytes(buf, len, DP_TNL_GENEVE), DP_TNL_ERR_BAD);
}

static const struct dp_tnl_params v6_params = {
	.type = DP_TNL_VXLAN,
	.eth_src = {0x02, 0, 0, 0, 0, 1},
	.eth_dst = {0x02, 0, 0, 0, 0, 2},
	.ip_src = {{{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}}},
	.ip_dst = {{{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}}},
	.tos = 0xb8,
	.ttl = 33,
	.udp_dst = 0xb512, /* htons(4789) */
	.vni = 0xabcdef,
};

/* Over IPv6: the outer header field by field, the UDP checksum over
 * IPv6's pseudo-header, and back; no IPv4 addresses in the metadata. */
static void
round_trip6(const struct dp_tnl_params *tp, bool csum)
{
	uint8_t hdr[DP_TNL_HDR_MAX], orig[2048];
	uint16_t ip_id = 7, hlen = dp_tnl_header_build(tp, hdr);
	size_t len;
	struct rte_mbuf *m = inner_frame(4321, orig, &len);
	const uint8_t *p, *ip, *udp;
	struct dp_tnl_md md;

	assert_int_equal(hlen, DP_TNL_HDR6_LEN + tp->opt_len);
	assert_int_equal(dp_tnl_push(m, hdr, hlen, csum ? DP_TNL_F_CSUM : 0, 1500, &ip_id),
			 DP_TNL_OK);
	assert_int_equal(ip_id, 7); /* IPv6 has no id to count */
	p = rte_pktmbuf_mtod(m, const uint8_t *);
	ip = p + 14;
	udp = ip + 40;
	assert_int_equal(rte_pktmbuf_pkt_len(m), len + hlen);
	assert_int_equal(get16(p + 12), 0x86dd);
	assert_int_equal(ip[0] >> 4, 6);
	assert_int_equal((ip[0] & 0x0f) << 4 | ip[1] >> 4, tp->tos);
	assert_int_equal(get16(ip + 4), len + hlen - 54);
	assert_int_equal(ip[6], 17);
	assert_int_equal(ip[7], tp->ttl);
	assert_memory_equal(ip + 8, &tp->ip_src, 16);
	assert_memory_equal(ip + 24, &tp->ip_dst, 16);
	assert_int_equal(get16(udp + 2), ntohs(tp->udp_dst));
	assert_int_equal(get16(udp + 4), len + hlen - 54);
	if (csum) {
		uint16_t ulen = (uint16_t)(len + hlen - 54);
		uint32_t sum = csum_add(0, ip + 8, 32) + htons(17) + htons(ulen);

		assert_int_not_equal(get16(udp + 6), 0);
		assert_int_equal(csum_finish(csum_add(sum, udp, ulen)), 0);
	} else {
		assert_int_equal(get16(udp + 6), 0); /* RFC 6935's zero checksum */
	}
	assert_int_equal(m->l2_len, 14);
	assert_int_equal(m->l3_len, 40);

	memset(&md, 0xa5, sizeof md);
	assert_int_equal(dp_tnl_pop(m, tp->type, &md), DP_TNL_OK);
	assert_int_equal(md.vni, tp->vni);
	assert_int_equal(md.tun_src, 0);
	assert_int_equal(md.tun_dst, 0);
	assert_int_equal(md.opt_len, tp->opt_len);
	/* The outer addresses, still in the headroom before the inner frame. */
	uint8_t src[16], dst[16];

	assert_int_equal(md.ip6_back, hlen - 14);
	dp_tnl_md_addr6(&md, rte_pktmbuf_mtod(m, const uint8_t *), src, dst);
	assert_memory_equal(src, &tp->ip_src, 16);
	assert_memory_equal(dst, &tp->ip_dst, 16);
	assert_int_equal(rte_pktmbuf_pkt_len(m), len);
	assert_memory_equal(rte_pktmbuf_mtod(m, const uint8_t *), orig, len);
	rte_pktmbuf_free(m);
}

static void
test_ipv6_round_trips(void **state)
{
	struct dp_tnl_params tp = v6_params;

	(void)state;
	round_trip6(&tp, true);
	round_trip6(&tp, false);
	tp.type = DP_TNL_GENEVE;
	tp.udp_dst = htons(6081);
	tp.opt_len = 8;
	memcpy(tp.opts, (const uint8_t[]){0x01, 0x02, 0x03, 0x01, 1, 2, 3, 4}, 8);
	round_trip6(&tp, true);
}

/* dp_tnl_pop() of the 'len' bytes at 'buf' received with 'ol_flags';
 * on success the inner frame must have left without the receive checksum
 * flags, which were the outer headers'. */
static enum dp_tnl_err
pop_flagged(const uint8_t *buf, size_t len, uint64_t ol_flags)
{
	struct rte_mbuf *m = test_mbuf(mp, buf, len);
	struct dp_tnl_md md;
	enum dp_tnl_err err;

	assert_non_null(m);
	m->ol_flags = ol_flags;
	err = dp_tnl_pop(m, DP_TNL_VXLAN, &md);
	if (err == DP_TNL_OK) {
		assert_int_equal(
			m->ol_flags & (RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK),
			0);
	} else {
		assert_int_equal(m->ol_flags, ol_flags);
	}
	rte_pktmbuf_free(m);
	return err;
}

/* A checksum the receiving device checked is taken as its flags say, in
 * both directions; one it did not check (no flags, UNKNOWN) is summed. */
static void
test_pop_device_checked(void **state)
{
	const uint64_t ip_good = RTE_MBUF_F_RX_IP_CKSUM_GOOD, ip_bad = RTE_MBUF_F_RX_IP_CKSUM_BAD;
	const uint64_t l4_good = RTE_MBUF_F_RX_L4_CKSUM_GOOD, l4_bad = RTE_MBUF_F_RX_L4_CKSUM_BAD;
	uint8_t buf[2048], bad_ip[2048], bad_udp[2048];
	size_t len = encapsulated(&base_params, true, buf);

	(void)state;
	memcpy(bad_ip, buf, len);
	bad_ip[24] ^= 0x01; /* the IPv4 header checksum */
	memcpy(bad_udp, buf, len);
	bad_udp[len - 1] ^= 0x01; /* the inner frame's last byte, under the UDP checksum */
	/* Sound, as the device says or not at all. */
	assert_int_equal(pop_flagged(buf, len, 0), DP_TNL_OK);
	assert_int_equal(pop_flagged(buf, len, ip_good | l4_good), DP_TNL_OK);
	assert_int_equal(
		pop_flagged(buf, len,
			    RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN | RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN),
		DP_TNL_OK);
	/* Damaged: refused when summed, taken when the device vouched. */
	assert_int_equal(pop_flagged(bad_ip, len, 0), DP_TNL_ERR_CSUM);
	assert_int_equal(pop_flagged(bad_ip, len, l4_good), DP_TNL_ERR_CSUM);
	assert_int_equal(pop_flagged(bad_ip, len, ip_good), DP_TNL_OK);
	assert_int_equal(pop_flagged(bad_udp, len, ip_good), DP_TNL_ERR_CSUM);
	assert_int_equal(pop_flagged(bad_udp, len, l4_good), DP_TNL_OK);
	assert_int_equal(pop_flagged(bad_udp, len, RTE_MBUF_F_RX_L4_CKSUM_NONE), DP_TNL_OK);
	/* Sound bytes the device found bad: refused. */
	assert_int_equal(pop_flagged(buf, len, ip_bad), DP_TNL_ERR_CSUM);
	assert_int_equal(pop_flagged(buf, len, ip_good | l4_bad), DP_TNL_ERR_CSUM);
	/* Without a UDP checksum (zero: none) a device's verdict on it is moot. */
	len = encapsulated(&base_params, false, buf);
	assert_int_equal(pop_flagged(buf, len, l4_bad), DP_TNL_OK);
	/* IPv6 has no header checksum to be bad; its UDP one counts. */
	len = encapsulated(&v6_params, true, buf);
	memcpy(bad_udp, buf, len);
	bad_udp[len - 1] ^= 0x01;
	assert_int_equal(pop_flagged(buf, len, ip_bad), DP_TNL_OK);
	assert_int_equal(pop_flagged(bad_udp, len, 0), DP_TNL_ERR_CSUM);
	assert_int_equal(pop_flagged(bad_udp, len, l4_good), DP_TNL_OK);
	assert_int_equal(pop_flagged(buf, len, l4_bad), DP_TNL_ERR_CSUM);
}

/* The 'len' bytes at 'buf' as two segments, the second from 'cut'. */
static struct rte_mbuf *
two_segments(const uint8_t *buf, size_t len, size_t cut)
{
	struct rte_mbuf *m = test_mbuf(mp, buf, cut), *tail = test_mbuf(mp, buf + cut, len - cut);

	assert_non_null(m);
	assert_non_null(tail);
	assert_int_equal(rte_pktmbuf_chain(m, tail), 0);
	return m;
}

/* dp_tnl_pop() of 'buf' in two segments cut at 'cut' (0: one); on
 * success the inner frame must be the bytes after the 'outer' ones. */
static enum dp_tnl_err
pop_cut(const uint8_t *buf, size_t len, size_t cut, size_t outer)
{
	struct rte_mbuf *m = cut ? two_segments(buf, len, cut) : test_mbuf(mp, buf, len);
	uint8_t flat[2048];
	struct dp_tnl_md md;
	enum dp_tnl_err err;

	assert_non_null(m);
	err = dp_tnl_pop(m, DP_TNL_VXLAN, &md);
	if (err == DP_TNL_OK) {
		assert_int_equal(rte_pktmbuf_pkt_len(m), len - outer);
		assert_memory_equal(rte_pktmbuf_read(m, 0, (uint32_t)(len - outer), flat),
				    buf + outer, len - outer);
	}
	rte_pktmbuf_free(m);
	return err;
}

/* The UDP checksum is summed in one run where the datagram follows the
 * addresses in the first segment, else the pseudo-header apart and the
 * segments one by one (IPv4 options, a chained mbuf): every way must come
 * to the same verdict, on sound frames and on damaged ones. */
static void
test_csum_layouts(void **state)
{
	uint8_t buf[2048], bad[2048], opt[2048], orig[2048], hdr[DP_TNL_HDR_MAX];
	const size_t cuts[] = {0, 50, 51, 57, 90};
	size_t len = encapsulated(&base_params, true, buf), ilen;
	uint16_t ip_id = 0, hlen;
	struct rte_mbuf *m;
	uint32_t sum;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cuts); i++) {
		assert_int_equal(pop_cut(buf, len, cuts[i], 50), DP_TNL_OK);
		for (size_t at = 55; at < len; at += len - 56) {
			memcpy(bad, buf, len);
			bad[at] ^= 0x20;
			assert_int_equal(pop_cut(bad, len, cuts[i], 50), DP_TNL_ERR_CSUM);
		}
	}
	/* Over IPv6: the same, 70 bytes of outer headers. */
	len = encapsulated(&v6_params, true, buf);
	for (size_t cut = 0; cut < len; cut = cut ? cut + 21 : 70) {
		assert_int_equal(pop_cut(buf, len, cut, 70), DP_TNL_OK);
		memcpy(bad, buf, len);
		bad[len - 1] ^= 0x01;
		assert_int_equal(pop_cut(bad, len, cut, 70), DP_TNL_ERR_CSUM);
	}
	/* Four bytes of IPv4 options (no-ops) between the addresses and the
	 * UDP header: the pseudo-header does not cover them. */
	len = encapsulated(&base_params, true, buf);
	memcpy(opt, buf, 34);
	memcpy(opt + 34, (const uint8_t[]){1, 1, 1, 0}, 4);
	memcpy(opt + 38, buf + 34, len - 34);
	opt[14] = 0x46;
	vs_put16(opt + 16, htons((uint16_t)(len - 14 + 4)));
	vs_put16(opt + 24, 0);
	vs_put16(opt + 24, csum_finish(csum_add(0, opt + 14, 24)));
	assert_int_equal(pop_cut(opt, len + 4, 0, 54), DP_TNL_OK);
	opt[len + 3] ^= 0x01;
	assert_int_equal(pop_cut(opt, len + 4, 0, 54), DP_TNL_ERR_CSUM);
	/* Pushed onto an inner frame in two segments: the checksum over the
	 * pieces is the one over the whole. */
	m = inner_frame(99, orig, &ilen);
	rte_pktmbuf_free(m);
	m = two_segments(orig, ilen, 33);
	hlen = dp_tnl_header_build(&v6_params, hdr);
	assert_int_equal(dp_tnl_push(m, hdr, hlen, DP_TNL_F_CSUM, 0, &ip_id), DP_TNL_OK);
	len = rte_pktmbuf_pkt_len(m);
	assert_int_equal(len, ilen + 70);
	memcpy(buf, rte_pktmbuf_read(m, 0, (uint32_t)len, bad), len);
	rte_pktmbuf_free(m);
	sum = csum_add(0, buf + 14 + 8, 32) + htons(17) + htons((uint16_t)(len - 54));
	assert_int_not_equal(get16(buf + 54 + 6), 0);
	assert_int_equal(csum_finish(csum_add(sum, buf + 54, len - 54)), 0);
}

/* What an IPv6 underlay may carry that is not a tunnel packet for us:
 * refused with its reason, the frame untouched (pop_bytes()). */
static void
test_ipv6_pop_refuses(void **state)
{
	uint8_t buf[2048], bad[2048];
	size_t len = encapsulated(&v6_params, true, buf);
	uint8_t *ip = bad + 14;

	(void)state;
	assert_int_equal(pop_bytes(buf, len, DP_TNL_VXLAN), DP_TNL_OK);
	for (size_t n = 0; n < DP_TNL_HDR6_LEN + 14; n++) {
		assert_int_equal(pop_bytes(buf, n, DP_TNL_VXLAN), DP_TNL_ERR_BAD);
	}
	assert_int_equal(pop_bytes(buf, len - 1, DP_TNL_VXLAN), DP_TNL_ERR_BAD);
	/* A checksum that does not add up; none at all is taken (RFC 6935). */
	memcpy(bad, buf, len);
	bad[len - 1] ^= 1;
	assert_int_equal(pop_bytes(bad, len, DP_TNL_VXLAN), DP_TNL_ERR_CSUM);
	bad[14 + 40 + 6] = bad[14 + 40 + 7] = 0;
	assert_int_equal(pop_bytes(bad, len, DP_TNL_VXLAN), DP_TNL_OK);
	/* A fragment header; any other extension header; not IPv6 inside. */
	memcpy(bad, buf, len);
	ip[6] = 44;
	assert_int_equal(pop_bytes(bad, len, DP_TNL_VXLAN), DP_TNL_ERR_FRAG);
	ip[6] = 0;
	assert_int_equal(pop_bytes(bad, len, DP_TNL_VXLAN), DP_TNL_ERR_BAD);
	memcpy(bad, buf, len);
	ip[0] = 0x40;
	assert_int_equal(pop_bytes(bad, len, DP_TNL_VXLAN), DP_TNL_ERR_BAD);
	/* A payload length past the frame's end. */
	memcpy(bad, buf, len);
	ip[4] = 0xff;
	assert_int_equal(pop_bytes(bad, len, DP_TNL_VXLAN), DP_TNL_ERR_BAD);
}

struct kv {
	const char *k[8], *v[8];
};

static const char *
kv_get(const void *aux, const char *key)
{
	const struct kv *kv = aux;

	for (int i = 0; i < 8 && kv->k[i]; i++) {
		if (!strcmp(kv->k[i], key)) {
			return kv->v[i];
		}
	}
	return NULL;
}

static void
test_options(void **state)
{
	struct dp_tnl_cfg c;
	char err[DP_TNL_ERR_MAX];

	(void)state;
	struct kv ok = {{"remote_ip", "key", "ttl", "tos", "csum"},
			{"192.0.2.7", "5000", "inherit", "0x20", "true"}};
	assert_int_equal(dp_tnl_cfg_parse(DP_TNL_VXLAN, kv_get, &ok, &c, err), 0);
	assert_int_equal(dp_tnl_addr_get4(&c.remote_ip), htonl(0xc0000207));
	assert_int_equal(c.key, 5000);
	assert_int_equal(c.ttl, -1);
	assert_int_equal(c.tos, 0x20);
	assert_true(c.csum && c.df && !c.key_flow && !c.remote_flow);
	assert_int_equal(c.dst_port, 4789);

	struct kv fl = {{"remote_ip", "key", "dst_port", "df_default"},
			{"flow", "flow", "8472", "false"}};
	assert_int_equal(dp_tnl_cfg_parse(DP_TNL_GENEVE, kv_get, &fl, &c, err), 0);
	assert_true(c.remote_flow && c.key_flow && !c.df);
	assert_int_equal(c.dst_port, 8472);
	assert_int_equal(c.ttl, 64);

	static const char *const bad[][2] = {
		{"remote_ip", "10.0.0.256"},
		{"remote_ip", "224.0.0.1"},
		{"remote_ip", "0.0.0.0"},
		{"key", "16777216"},
		{"key", "-1"},
		{"key", "abc"},
		{"dst_port", "0"},
		{"dst_port", "65536"},
		{"ttl", "0"},
		{"ttl", "256"},
		{"tos", "x"},
		{"csum", "yes"},
		{"df_default", "1"},
		{"local_ip", "flow"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct kv b = {{"remote_ip", bad[i][0]}, {"10.0.0.1", bad[i][1]}};

		if (!strcmp(bad[i][0], "remote_ip")) {
			b.k[1] = NULL;
			b.v[0] = bad[i][1];
		}
		err[0] = '\0';
		assert_int_equal(dp_tnl_cfg_parse(DP_TNL_VXLAN, kv_get, &b, &c, err), -EINVAL);
		assert_non_null(strstr(err, bad[i][0]));
	}
	/* IPv6: checksums unless told not to; local_ip of the same family. */
	struct kv v6 = {{"remote_ip", "local_ip"}, {"2001:db8::2", "2001:db8::1"}};
	assert_int_equal(dp_tnl_cfg_parse(DP_TNL_GENEVE, kv_get, &v6, &c, err), 0);
	assert_false(dp_tnl_addr_is4(&c.remote_ip));
	assert_int_equal(c.remote_ip.s6_addr[15], 2);
	assert_int_equal(c.local_ip.s6_addr[15], 1);
	assert_true(c.csum);
	assert_false(c.csum_given);
	v6.k[1] = "csum";
	v6.v[1] = "false";
	assert_int_equal(dp_tnl_cfg_parse(DP_TNL_GENEVE, kv_get, &v6, &c, err), 0);
	assert_false(c.csum);
	assert_true(c.csum_given);
	/* remote_ip=flow: local_ip of either family says the port's. */
	struct kv fl6 = {{"remote_ip", "local_ip"}, {"flow", "2001:db8::1"}};
	assert_int_equal(dp_tnl_cfg_parse(DP_TNL_VXLAN, kv_get, &fl6, &c, err), 0);
	assert_true(c.remote_flow);
	assert_false(dp_tnl_addr_is4(&c.local_ip));
	assert_false(c.csum_given); /* each packet's remote decides */
	static const char *const bad6[][2] = {
		{"ff02::1", NULL},         /* multicast */
		{"::", NULL},              /* none */
		{"::ffff:10.0.0.1", NULL}, /* IPv4 written as IPv6 */
		{"fe80::1", NULL},         /* link-local: which link? */
		{"2001:db8::2", "fe80::1"},
		{"2001:db8::2", "10.0.0.1"},       /* families apart */
		{"10.0.0.2", "2001:db8::1"},       /* the other way */
		{"2001:db8::2", "2001:db8::1/64"}, /* not an address */
	};
	for (size_t i = 0; i < sizeof bad6 / sizeof bad6[0]; i++) {
		struct kv b = {{"remote_ip", bad6[i][1] ? "local_ip" : NULL},
			       {bad6[i][0], bad6[i][1]}};

		err[0] = '\0';
		assert_int_equal(dp_tnl_cfg_parse(DP_TNL_VXLAN, kv_get, &b, &c, err), -EINVAL);
		assert_non_null(strstr(err, bad6[i][1] ? "local_ip" : "remote_ip"));
	}
	struct kv none = {{NULL}, {NULL}};
	assert_int_equal(dp_tnl_cfg_parse(DP_TNL_VXLAN, kv_get, &none, &c, err), -EINVAL);
	assert_non_null(strstr(err, "remote_ip"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_source_port_entropy),
		cmocka_unit_test(test_source_port_without_l4),
		cmocka_unit_test(test_push_mtu),
		cmocka_unit_test(test_pop_refuses_damage),
		cmocka_unit_test(test_pop_device_checked),
		cmocka_unit_test(test_ipv6_round_trips),
		cmocka_unit_test(test_ipv6_pop_refuses),
		cmocka_unit_test(test_geneve_options_skipped),
		cmocka_unit_test(test_geneve_options),
		cmocka_unit_test(test_csum_layouts),
		cmocka_unit_test(test_options),
	};

	mp = test_eal_init("0");
	int ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return ret;
}
