/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test frame builder; see pktgen.h. Writes headers front to back, then fills
 * in lengths and checksums once the payload size is known.
 */
#include "pktgen.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>

#include "csum.h"

static void
put16(uint8_t *p, uint16_t v)
{
	v = htons(v);
	memcpy(p, &v, 2);
}

static void
put32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

static size_t
l4_header_len(uint8_t proto)
{
	switch (proto) {
	case 6:
		return 20;
	case 17:
		return 8;
	case 132:
		return 12;
	case 1:
	case 58:
		return 8;
	default:
		return 0;
	}
}

/* Pseudo-header sum for the L4 checksum. */
static uint32_t
pseudo_sum(const struct pktgen_spec *s, const uint8_t *l3, size_t l4_len)
{
	uint8_t tail[4] = {0, 0, 0, s->proto};
	uint32_t sum;

	if (s->l3 == PKTGEN_L3_IPV4) {
		sum = csum_add(0, l3 + 12, 8);
		uint8_t len[4] = {0, s->proto, (uint8_t)(l4_len >> 8), (uint8_t)l4_len};
		return csum_add(sum, len, 4);
	}
	sum = csum_add(0, l3 + 8, 32);
	uint8_t len[4] = {0, 0, (uint8_t)(l4_len >> 8), (uint8_t)l4_len};
	sum = csum_add(sum, len, 4);
	return csum_add(sum, tail, 4);
}

static bool
is_nd(const struct pktgen_spec *s)
{
	return s->proto == 58 && (s->icmp_type == 135 || s->icmp_type == 136);
}

/* The L4 header before the payload: for ND, with the target and one
 * link-layer address option. */
static size_t
spec_header_len(const struct pktgen_spec *s)
{
	return is_nd(s) ? 32 : l4_header_len(s->proto);
}

static void
build_l4(const struct pktgen_spec *s, const uint8_t *l3, uint8_t *l4, size_t l4_len)
{
	size_t hl = spec_header_len(s);
	uint16_t csum;

	for (size_t i = hl; i < l4_len; i++) {
		l4[i] = (uint8_t)i;
	}
	switch (s->proto) {
	case 6:
		put16(l4, s->sport);
		put16(l4 + 2, s->dport);
		put32(l4 + 4, 1000);
		l4[12] = 5 << 4;
		l4[13] = s->tcp_flags;
		put16(l4 + 14, 8192);
		csum = csum_finish(csum_add(pseudo_sum(s, l3, l4_len), l4, l4_len));
		memcpy(l4 + 16, &csum, 2);
		break;
	case 17:
		put16(l4, s->sport);
		put16(l4 + 2, s->dport);
		put16(l4 + 4, (uint16_t)l4_len);
		csum = csum_finish(csum_add(pseudo_sum(s, l3, l4_len), l4, l4_len));
		if (csum == 0) {
			csum = 0xffff;
		}
		memcpy(l4 + 6, &csum, 2);
		break;
	case 132:
		/* SCTP uses CRC32c; tests never check it, so it stays 0. */
		put16(l4, s->sport);
		put16(l4 + 2, s->dport);
		break;
	case 1:
	case 58:
		l4[0] = s->icmp_type;
		l4[1] = s->icmp_code;
		if (is_nd(s)) {
			memset(l4 + 4, 0, 4);
			memcpy(l4 + 8, s->nd_target, 16);
			l4[24] = s->icmp_type == 135 ? 1 : 2;
			l4[25] = 1;
			memcpy(l4 + 26, s->nd_lla, 6);
		}
		csum = csum_finish(
			csum_add(s->proto == 58 ? pseudo_sum(s, l3, l4_len) : 0, l4, l4_len));
		memcpy(l4 + 2, &csum, 2);
		break;
	default:
		break;
	}
}

static size_t
build_l2(const struct pktgen_spec *s, uint8_t *p, uint16_t type)
{
	size_t n = 12;

	memcpy(p, s->eth_dst, 6);
	memcpy(p + 6, s->eth_src, 6);
	for (unsigned int i = 0; i < s->n_vlans && i < 2; i++) {
		put16(p + n, s->vlan_tpid[i] ? s->vlan_tpid[i] : 0x8100);
		put16(p + n + 2, s->vlan_tci[i]);
		n += 4;
	}
	put16(p + n, type);
	return n + 2;
}

size_t
pktgen_build(const struct pktgen_spec *s, uint8_t *buf, size_t size)
{
	static const uint16_t types[] = {0, 0x0800, 0x86dd, 0x0806};
	size_t l3_len = s->l3 == PKTGEN_L3_IPV4   ? 20
			: s->l3 == PKTGEN_L3_IPV6 ? 40
			: s->l3 == PKTGEN_L3_ARP  ? 28
						  : 0;
	size_t l4_len = s->l3 == PKTGEN_L3_IPV4 || s->l3 == PKTGEN_L3_IPV6
				? spec_header_len(s) + s->payload_len
				: 0;
	size_t total = 12 + 4 * s->n_vlans + 2 + l3_len + l4_len;
	uint8_t *l3;
	size_t n;

	if (s->l3 == PKTGEN_L3_NONE) {
		total += s->payload_len;
	}
	if (total > size || s->n_vlans > 2) {
		return 0;
	}
	memset(buf, 0, total);
	n = build_l2(s, buf, s->l3 == PKTGEN_L3_NONE ? s->eth_type : types[s->l3]);
	l3 = buf + n;
	switch (s->l3) {
	case PKTGEN_L3_IPV4:
		l3[0] = 0x45;
		l3[1] = s->tos;
		put16(l3 + 2, (uint16_t)(20 + l4_len));
		put16(l3 + 4, 1);
		put16(l3 + 6, s->ip4_frag);
		l3[8] = s->ttl ? s->ttl : 64;
		l3[9] = s->proto;
		put32(l3 + 12, s->ip4_src);
		put32(l3 + 16, s->ip4_dst);
		uint16_t c = csum_finish(csum_add(0, l3, 20));
		memcpy(l3 + 10, &c, 2);
		build_l4(s, l3, l3 + 20, l4_len);
		break;
	case PKTGEN_L3_IPV6:
		put32(l3, 6u << 28 | (uint32_t)s->tos << 20 | (s->ip6_label & 0xfffff));
		put16(l3 + 4, (uint16_t)l4_len);
		l3[6] = s->proto;
		l3[7] = s->ttl ? s->ttl : 64;
		memcpy(l3 + 8, s->ip6_src, 16);
		memcpy(l3 + 24, s->ip6_dst, 16);
		build_l4(s, l3, l3 + 40, l4_len);
		break;
	case PKTGEN_L3_ARP:
		put16(l3, 1);
		put16(l3 + 2, 0x0800);
		l3[4] = 6;
		l3[5] = 4;
		put16(l3 + 6, s->arp_op);
		memcpy(l3 + 8, s->arp_sha, 6);
		put32(l3 + 14, s->arp_spa);
		memcpy(l3 + 18, s->arp_tha, 6);
		put32(l3 + 24, s->arp_tpa);
		break;
	case PKTGEN_L3_NONE:
		for (size_t i = 0; i < s->payload_len; i++) {
			l3[i] = (uint8_t)i;
		}
		break;
	}
	return total;
}

struct pktgen_spec
pktgen_udp4(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
	struct pktgen_spec s = {
		.eth_dst = {0x02, 0, 0, 0, 0, 0x02},
		.eth_src = {0x02, 0, 0, 0, 0, 0x01},
		.l3 = PKTGEN_L3_IPV4,
		.ip4_src = src,
		.ip4_dst = dst,
		.proto = 17,
		.ttl = 64,
		.sport = sport,
		.dport = dport,
		.payload_len = 18, /* 64-byte frame with the FCS */
	};
	return s;
}

struct pktgen_spec
pktgen_neigh_request(bool v6, const uint8_t mac[6], const uint8_t *src, const uint8_t *target)
{
	struct pktgen_spec s = {.eth_dst = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	uint32_t spa, tpa;

	memcpy(s.eth_src, mac, 6);
	if (!v6) {
		memcpy(&spa, src, 4);
		memcpy(&tpa, target, 4);
		s.l3 = PKTGEN_L3_ARP;
		s.arp_op = 1;
		memcpy(s.arp_sha, mac, 6);
		s.arp_spa = ntohl(spa);
		s.arp_tpa = ntohl(tpa);
		return s;
	}
	memcpy(s.eth_dst, (const uint8_t[]){0x33, 0x33, 0xff}, 3);
	memcpy(s.eth_dst + 3, target + 13, 3);
	s.l3 = PKTGEN_L3_IPV6;
	s.proto = 58;
	s.icmp_type = 135;
	s.ttl = 255;
	memcpy(s.ip6_src, src, 16);
	memcpy(s.ip6_dst, (const uint8_t[]){0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff}, 13);
	memcpy(s.ip6_dst + 13, target + 13, 3);
	memcpy(s.nd_target, target, 16);
	memcpy(s.nd_lla, mac, 6);
	return s;
}
