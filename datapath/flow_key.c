/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Flow key extraction: walks Ethernet, up to two VLAN tags, LLC/SNAP, then
 * ARP, IPv4 or IPv6 (with extension headers) and TCP/UDP/SCTP/ICMP/ICMPv6,
 * bounds-checking every read against the frame length. See flow_key.h.
 */
#include "flow_key.h"

#include <arpa/inet.h>
#include <endian.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "hash.h"
#include "util.h"

enum {
	ETH_HLEN = 14,
	ETH_TYPE_IPV4 = 0x0800,
	ETH_TYPE_ARP = 0x0806,
	ETH_TYPE_VLAN = 0x8100,
	ETH_TYPE_QINQ = 0x88a8,
	ETH_TYPE_QINQ_OLD = 0x9100,
	ETH_TYPE_IPV6 = 0x86dd,
	ETH_TYPE_MIN = 0x0600,
	ETH_TYPE_MPLS = 0x8847,
	ETH_TYPE_MPLS_MC = 0x8848,
	ETH_TYPE_PBB = 0x88e7,
	IPPROTO_ICMP_ = 1,
	IPPROTO_TCP_ = 6,
	IPPROTO_UDP_ = 17,
	IPPROTO_ICMPV6_ = 58,
	IPPROTO_SCTP_ = 132,
	IPV6_MAX_EXT_HDRS = 16,
	ND_NEIGHBOR_SOLICIT = 135,
	ND_NEIGHBOR_ADVERT = 136,
	ND_OPT_SLL = 1,
	ND_OPT_TLL = 2,
};

/* A bounded view of the rest of the frame. */
struct cursor {
	const uint8_t *p;
	uint32_t left;
};

static inline bool
cursor_pull(struct cursor *c, uint32_t n)
{
	if (c->left < n) {
		return false;
	}
	c->p += n;
	c->left -= n;
	return true;
}

static bool
is_vlan_tpid(uint16_t type)
{
	return type == ETH_TYPE_VLAN || type == ETH_TYPE_QINQ || type == ETH_TYPE_QINQ_OLD;
}

/* Parses tags and the EtherType; leaves the cursor on the L3 header.
 * Returns false when no L3 header can follow. */
static bool
parse_l2(struct cursor *c, struct flow_key *key)
{
	uint16_t type;
	int n_tags = 0;

	if (c->left < 12) {
		return false;
	}
	memcpy(key->eth_dst, c->p, 6);
	memcpy(key->eth_src, c->p + 6, 6);
	cursor_pull(c, 12);
	if (c->left < 2) {
		key->eth_type = htons(FLOW_ETH_TYPE_NONE);
		return false;
	}
	type = ntohs(vs_get16(c->p));
	while (is_vlan_tpid(type)) {
		if (n_tags == 2 || c->left < 6) {
			key->eth_type = htons(type);
			return false;
		}
		uint16_t tci =
			(uint16_t)((ntohs(vs_get16(c->p + 2)) & ~0x1000) | FLOW_VLAN_PRESENT);
		if (n_tags++ == 0) {
			key->vlan_tci = htons(tci);
		} else {
			key->vlan_inner_tci = htons(tci);
		}
		cursor_pull(c, 4);
		type = ntohs(vs_get16(c->p));
	}
	cursor_pull(c, 2);
	if (type >= ETH_TYPE_MIN) {
		key->eth_type = htons(type);
		return true;
	}
	/* 802.3 length field: only LLC/SNAP with a zero OUI carries a type. */
	static const uint8_t snap[6] = {0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00};
	if (c->left >= 8 && !memcmp(c->p, snap, sizeof snap)) {
		key->eth_type = vs_get16(c->p + 6);
		if (ntohs(key->eth_type) >= ETH_TYPE_MIN) {
			cursor_pull(c, 8);
			return true;
		}
	}
	key->eth_type = htons(FLOW_ETH_TYPE_NONE);
	return false;
}

static void
parse_arp(struct cursor *c, struct flow_key *key)
{
	const uint8_t *a = c->p;

	/* Ethernet/IPv4 ARP only: htype 1, ptype IPv4, hlen 6, plen 4. */
	if (c->left < 28 || vs_get16(a) != htons(1) || vs_get16(a + 2) != htons(ETH_TYPE_IPV4) ||
	    a[4] != 6 || a[5] != 4) {
		return;
	}
	uint16_t op = ntohs(vs_get16(a + 6));
	key->nw_proto = op <= 0xff ? (uint8_t)op : 0;
	memcpy(key->arp_sha, a + 8, 6);
	key->nw_src.ipv4 = vs_get32(a + 14);
	memcpy(key->arp_tha, a + 18, 6);
	key->nw_dst.ipv4 = vs_get32(a + 24);
}

/* Parses an IPv4 header; leaves the cursor on L4, bounded by the IP total
 * length. Returns false when no L4 header follows. */
static bool
parse_ipv4(struct cursor *c, struct flow_key *key)
{
	const uint8_t *ip = c->p;
	uint32_t ihl, tot_len;

	if (c->left < 20 || (ip[0] >> 4) != 4) {
		return false;
	}
	ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	tot_len = ntohs(vs_get16(ip + 2));
	if (ihl < 20 || ihl > c->left || tot_len < ihl) {
		return false;
	}
	key->nw_tos = ip[1];
	key->nw_ttl = ip[8];
	key->nw_proto = ip[9];
	key->nw_src.ipv4 = vs_get32(ip + 12);
	key->nw_dst.ipv4 = vs_get32(ip + 16);

	uint16_t frag = ntohs(vs_get16(ip + 6));
	if (frag & 0x3fff) { /* MF or a non-zero offset */
		key->nw_frag = FLOW_FRAG_ANY;
		if (frag & 0x1fff) {
			key->nw_frag |= FLOW_FRAG_LATER;
		}
	}
	if (tot_len < c->left) {
		c->left = tot_len; /* ignore Ethernet padding */
	}
	cursor_pull(c, ihl);
	return !(key->nw_frag & FLOW_FRAG_LATER);
}

static bool
is_ipv6_ext(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 51 || nh == 60;
}

/* The ipv6_exthdr flags, header by header. */
struct exthdr_walk {
	uint16_t flags;
	int last_rank; /* the place of the last header in the recommended order */
	int n_dest;
};

/* Notes next header 'nh' (an extension header, ESP or "no next header"):
 * its flag, and whether it repeats or comes out of the order RFC 8200
 * (4.1) recommends: hop-by-hop, destination options (for the routing
 * header), routing, fragment, authentication, ESP, destination options. */
static void
exthdr_note(struct exthdr_walk *w, uint8_t nh)
{
	uint16_t bit;
	int rank;

	switch (nh) {
	case 0:
		bit = FLOW_IPV6_EXTHDR_HOP, rank = 1;
		break;
	case 60:
		bit = FLOW_IPV6_EXTHDR_DEST;
		rank = w->n_dest++ == 0 && w->last_rank <= 2 ? 2 : 7;
		break;
	case 43:
		bit = FLOW_IPV6_EXTHDR_ROUTER, rank = 3;
		break;
	case 44:
		bit = FLOW_IPV6_EXTHDR_FRAG, rank = 4;
		break;
	case 51:
		bit = FLOW_IPV6_EXTHDR_AUTH, rank = 5;
		break;
	case 50:
		bit = FLOW_IPV6_EXTHDR_ESP, rank = 6;
		break;
	case 59:
		w->flags |= FLOW_IPV6_EXTHDR_NONEXT;
		return;
	default:
		return;
	}
	if ((w->flags & bit) && (bit != FLOW_IPV6_EXTHDR_DEST || w->n_dest > 2)) {
		w->flags |= FLOW_IPV6_EXTHDR_UNREP;
	}
	/* Hop-by-hop only right after the IPv6 header. */
	if (rank < w->last_rank || (rank == 1 && w->last_rank)) {
		w->flags |= FLOW_IPV6_EXTHDR_UNSEQ;
	}
	w->flags |= bit;
	w->last_rank = rank > w->last_rank ? rank : w->last_rank;
}

/* Parses an IPv6 header and its extension headers; leaves the cursor on L4.
 * Returns false when no L4 header follows. */
static bool
parse_ipv6(struct cursor *c, struct flow_key *key)
{
	const uint8_t *ip = c->p;
	struct exthdr_walk w = {0, 0, 0};
	uint32_t vtcfl, payload;
	uint8_t nh;

	if (c->left < 40 || (ip[0] >> 4) != 6) {
		return false;
	}
	vtcfl = ntohl(vs_get32(ip));
	key->nw_tos = (uint8_t)(vtcfl >> 20);
	key->ipv6_label = htonl(vtcfl & 0x000fffff);
	payload = ntohs(vs_get16(ip + 4));
	nh = ip[6];
	key->nw_ttl = ip[7];
	memcpy(key->nw_src.ipv6, ip + 8, 16);
	memcpy(key->nw_dst.ipv6, ip + 24, 16);
	cursor_pull(c, 40);
	if (payload < c->left) {
		c->left = payload;
	}
	for (int i = 0; i < IPV6_MAX_EXT_HDRS && is_ipv6_ext(nh); i++) {
		uint32_t hlen;

		exthdr_note(&w, nh);
		if (c->left < 8) {
			break;
		}
		if (nh == 44) { /* fragment header */
			uint16_t off = ntohs(vs_get16(c->p + 2));
			key->nw_frag = FLOW_FRAG_ANY;
			if (off & 0xfff8) {
				key->nw_frag |= FLOW_FRAG_LATER;
			}
			hlen = 8;
		} else if (nh == 51) { /* AH counts 4-byte units */
			hlen = ((uint32_t)c->p[1] + 2) * 4;
		} else {
			hlen = ((uint32_t)c->p[1] + 1) * 8;
		}
		nh = c->p[0];
		if (!cursor_pull(c, hlen)) {
			break;
		}
	}
	if (is_ipv6_ext(nh)) {
		/* Truncated or overlong chain: the protocol is unknown, and
		 * which headers it holds too. */
		key->nw_frag = 0;
		return false;
	}
	exthdr_note(&w, nh);
	key->ipv6_label |= htonl((uint32_t)w.flags << FLOW_IPV6_EXTHDR_SHIFT);
	key->nw_proto = nh;
	return !is_ipv6_ext(nh) && !(key->nw_frag & FLOW_FRAG_LATER);
}

static void
parse_nd(struct cursor *c, struct flow_key *key)
{
	const uint8_t *p;
	uint32_t left;

	/* ICMPv6 header (4) + reserved/flags (4) + target (16) */
	if (c->left < 24) {
		return;
	}
	memcpy(key->nd_target, c->p + 8, 16);
	p = c->p + 24;
	left = c->left - 24;
	while (left >= 8) {
		uint32_t olen = (uint32_t)p[1] * 8;

		if (olen == 0 || olen > left) {
			return;
		}
		if (p[0] == ND_OPT_SLL && olen == 8 && key->tp_src == htons(ND_NEIGHBOR_SOLICIT)) {
			memcpy(key->arp_sha, p + 2, 6);
		} else if (p[0] == ND_OPT_TLL && olen == 8 &&
			   key->tp_src == htons(ND_NEIGHBOR_ADVERT)) {
			memcpy(key->arp_tha, p + 2, 6);
		}
		p += olen;
		left -= olen;
	}
}

static void
parse_l4(struct cursor *c, struct flow_key *key)
{
	const uint8_t *l4 = c->p;

	switch (key->nw_proto) {
	case IPPROTO_TCP_:
		if (c->left >= 20 && (l4[12] >> 4) >= 5) {
			key->tp_src = vs_get16(l4);
			key->tp_dst = vs_get16(l4 + 2);
			key->tcp_flags = htons(ntohs(vs_get16(l4 + 12)) & 0x0fff);
		}
		break;
	case IPPROTO_UDP_:
		if (c->left >= 8) {
			key->tp_src = vs_get16(l4);
			key->tp_dst = vs_get16(l4 + 2);
		}
		break;
	case IPPROTO_SCTP_:
		if (c->left >= 12) {
			key->tp_src = vs_get16(l4);
			key->tp_dst = vs_get16(l4 + 2);
		}
		break;
	case IPPROTO_ICMP_:
		if (c->left >= 4) {
			key->tp_src = htons(l4[0]);
			key->tp_dst = htons(l4[1]);
		}
		break;
	case IPPROTO_ICMPV6_:
		if (c->left >= 4) {
			key->tp_src = htons(l4[0]);
			key->tp_dst = htons(l4[1]);
			if ((l4[0] == ND_NEIGHBOR_SOLICIT || l4[0] == ND_NEIGHBOR_ADVERT) &&
			    l4[1] == 0 && ntohs(key->eth_type) == ETH_TYPE_IPV6) {
				parse_nd(c, key);
			}
		}
		break;
	default:
		break;
	}
}

/* A zero key on 'in_port'. Ten 16-byte stores clear it: for memset() here
 * compilers may emit "rep stos", whose start-up cost was three quarters of
 * flow_key_extract() on the PMD thread (perf, 64-byte frames). */
static inline void
key_start(struct flow_key *key, uint32_t in_port)
{
	typedef uint64_t zero128 __attribute__((vector_size(16), aligned(8), may_alias));

	_Static_assert(FLOW_KEY_U64S % 2 == 0, "whole 16-byte stores");
	for (int i = 0; i < FLOW_KEY_U64S; i += 2) {
		*(zero128 *)&key->u64[i] = (zero128){0, 0};
	}
	key->in_port = in_port;
}

uint16_t
flow_key_extract_l2(const uint8_t *pkt, uint32_t len, uint32_t in_port, struct flow_key *key)
{
	struct cursor c = {pkt, len};

	key_start(key, in_port);
	return parse_l2(&c, key) ? (uint16_t)(c.p - pkt) : 0;
}

void
flow_key_extract_generic(const uint8_t *pkt, uint32_t len, uint32_t in_port, struct flow_key *key,
			 struct flow_ofs *ofs)
{
	struct cursor c = {pkt, len};
	bool l4 = false;
	uint16_t type;

	key_start(key, in_port);
	if (ofs) {
		ofs->l3 = 0;
		ofs->l4 = 0;
	}
	if (!parse_l2(&c, key)) {
		return;
	}
	if (ofs) {
		ofs->l3 = (uint16_t)(c.p - pkt);
	}
	type = ntohs(key->eth_type);
	if (type == ETH_TYPE_IPV4) {
		l4 = parse_ipv4(&c, key);
	} else if (type == ETH_TYPE_IPV6) {
		l4 = parse_ipv6(&c, key);
	} else if (type == ETH_TYPE_ARP) {
		parse_arp(&c, key);
	} else if ((type == ETH_TYPE_MPLS || type == ETH_TYPE_MPLS_MC || type == ETH_TYPE_PBB) &&
		   c.left >= 4) {
		/* The first label stack entry, or the I-TAG: nothing further
		 * is parsed (ofproto re-parses after a pop). */
		memcpy(&key->ipv6_label, c.p, 4);
	}
	if (l4) {
		if (ofs) {
			ofs->l4 = (uint16_t)(c.p - pkt);
		}
		parse_l4(&c, key);
	}
}

/* The commonest frame on a hypervisor, untagged IPv4 without options or
 * fragmentation carrying UDP or TCP, read in a few loads and stored as whole
 * words: the generic parser's byte and half-word stores, and its branches
 * per layer, took a third of an exact-match hit (perf, dp-bench). Returns
 * false, having written nothing, for any other frame. The key it builds is
 * the generic parser's, byte for byte (a unit test and the fuzzer compare
 * the two). */
static inline bool
extract_ipv4_fast(const uint8_t *pkt, uint32_t len, uint32_t in_port, const uint64_t *tun,
		  struct flow_key *key, struct flow_ofs *ofs, uint32_t *hash)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	typedef uint64_t w128 __attribute__((vector_size(16), aligned(8), may_alias));
	const uint64_t t0 = tun ? tun[0] : 0, t1 = tun ? tun[1] : 0;
	const uint8_t *ip, *l4;
	uint64_t w2, w3;
	uint32_t avail;
	uint8_t proto;

	if (len < ETH_HLEN + 20 + 8) {
		return false;
	}
	ip = pkt + ETH_HLEN;
	l4 = ip + 20;
	if (vs_get16(pkt + 12) != htons(ETH_TYPE_IPV4) || ip[0] != 0x45 ||
	    (vs_get16(ip + 6) & htons(0x3fff))) {
		return false;
	}
	avail = ntohs(vs_get16(ip + 2));
	if (avail > len - ETH_HLEN) {
		avail = len - ETH_HLEN;
	}
	proto = ip[9];
	w3 = (uint64_t)vs_get32(l4) << 32 | ip[8]; /* ports, nw_ttl; nw_frag 0 */
	if (proto == IPPROTO_UDP_) {
		if (avail < 20 + 8) {
			return false;
		}
	} else if (proto == IPPROTO_TCP_) {
		if (avail < 20 + 20 || (l4[12] >> 4) < 5) {
			return false;
		}
		w3 |= (uint64_t)(vs_get16(l4 + 12) & htons(0x0fff)) << 16;
	} else {
		return false;
	}
	/* Source MAC bytes 2-5, EtherType, then nw_proto and nw_tos where the
	 * frame has the IP version and TOS. */
	memcpy(&w2, pkt + 8, 8);
	w2 = (w2 & ~(0xffull << 48)) | (uint64_t)proto << 48;

	w128 *k = (w128 *)key->u64;
	uint64_t w1;

	memcpy(&w1, pkt, 8);
	k[0] = (w128){in_port, w1};
	k[1] = (w128){w2, w3};
	k[2] = (w128){vs_get32(ip + 12), 0};
	k[3] = (w128){vs_get32(ip + 16), 0};
	k[4] = (w128){0, 0};
	k[5] = (w128){0, 0};
	k[6] = (w128){t0, t1};
	k[7] = (w128){0, 0};
	k[8] = (w128){0, 0};
	k[9] = (w128){0, 0};
	_Static_assert(FLOW_KEY_U64S == 20, "ten 16-byte stores");
	if (hash) {
		/* flow_key_hash() of the key, from the words in registers */
		uint64_t f[6] = {in_port,
				 w1,
				 w2,
				 w3,
				 vs_get32(ip + 12) ^ (t0 << 16 | t0 >> 48),
				 vs_get32(ip + 16) ^ (t1 << 16 | t1 >> 48)};

		*hash = hash_words64(f, 6, 0);
	}
	_Static_assert(offsetof(struct flow_key, eth_type) == 20 &&
			       offsetof(struct flow_key, nw_tos) == 23 &&
			       offsetof(struct flow_key, nw_ttl) == 24 &&
			       offsetof(struct flow_key, tcp_flags) == 26 &&
			       offsetof(struct flow_key, tp_src) == 28 &&
			       offsetof(struct flow_key, nw_dst) == 48,
		       "the words extract_ipv4_fast() builds");
	if (ofs) {
		ofs->l3 = ETH_HLEN;
		ofs->l4 = ETH_HLEN + 20;
	}
	return true;
#else
	(void)pkt, (void)len, (void)in_port, (void)tun, (void)key, (void)ofs, (void)hash;
	return false;
#endif
}

/* The same for untagged IPv6 whose next header is UDP or TCP, with no
 * extension headers (so no fragment): an IPv6 underlay's tunnel packets,
 * and VMs' IPv6 traffic. */
static inline bool
extract_ipv6_fast(const uint8_t *pkt, uint32_t len, uint32_t in_port, const uint64_t *tun,
		  struct flow_key *key, struct flow_ofs *ofs, uint32_t *hash)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	typedef uint64_t w128 __attribute__((vector_size(16), aligned(8), may_alias));
	const uint64_t t0 = tun ? tun[0] : 0, t1 = tun ? tun[1] : 0;
	const uint8_t *ip, *l4;
	uint64_t w1, w2, w3, w8, a[4];
	uint32_t avail, vtcfl;
	uint8_t proto;

	if (len < ETH_HLEN + 40 + 8) {
		return false;
	}
	ip = pkt + ETH_HLEN;
	l4 = ip + 40;
	if (vs_get16(pkt + 12) != htons(ETH_TYPE_IPV6) || ip[0] >> 4 != 6) {
		return false;
	}
	avail = ntohs(vs_get16(ip + 4));
	if (avail > len - ETH_HLEN - 40) {
		avail = len - ETH_HLEN - 40;
	}
	proto = ip[6];
	w3 = (uint64_t)vs_get32(l4) << 32 | ip[7]; /* ports, nw_ttl (the hop limit) */
	if (proto == IPPROTO_UDP_) {
		if (avail < 8) {
			return false;
		}
	} else if (proto == IPPROTO_TCP_) {
		if (avail < 20 || (l4[12] >> 4) < 5) {
			return false;
		}
		w3 |= (uint64_t)(vs_get16(l4 + 12) & htons(0x0fff)) << 16;
	} else {
		return false;
	}
	vtcfl = ntohl(vs_get32(ip));
	/* Source MAC bytes 2-5 and the EtherType; nw_proto; nw_tos, the
	 * traffic class, across the frame's bytes 14 and 15. */
	memcpy(&w2, pkt + 8, 8);
	w2 = (w2 & 0xffffffffffffull) | (uint64_t)proto << 48 |
	     (uint64_t)(uint8_t)(vtcfl >> 20) << 56;
	w8 = htonl(vtcfl & 0x000fffff); /* ipv6_label; no extension header flags */
	memcpy(&w1, pkt, 8);
	memcpy(a, ip + 8, 32);

	w128 *k = (w128 *)key->u64;

	k[0] = (w128){in_port, w1};
	k[1] = (w128){w2, w3};
	k[2] = (w128){a[0], a[1]};
	k[3] = (w128){a[2], a[3]};
	k[4] = (w128){w8, 0};
	k[5] = (w128){0, 0};
	k[6] = (w128){t0, t1};
	k[7] = (w128){0, 0};
	k[8] = (w128){0, 0};
	k[9] = (w128){0, 0};
	if (hash) {
		/* flow_key_hash()'s six folded words, from registers */
		uint64_t f[6] = {in_port ^ w8,
				 w1,
				 w2,
				 w3,
				 a[0] ^ (a[1] << 32 | a[1] >> 32) ^ (t0 << 16 | t0 >> 48),
				 a[2] ^ (a[3] << 32 | a[3] >> 32) ^ (t1 << 16 | t1 >> 48)};

		*hash = hash_words64(f, 6, 0);
	}
	_Static_assert(offsetof(struct flow_key, ipv6_label) == 64 &&
			       offsetof(struct flow_key, nw_src) == 32,
		       "the words extract_ipv6_fast() builds");
	if (ofs) {
		ofs->l3 = ETH_HLEN;
		ofs->l4 = ETH_HLEN + 40;
	}
	return true;
#else
	(void)pkt, (void)len, (void)in_port, (void)tun, (void)key, (void)ofs, (void)hash;
	return false;
#endif
}

void
flow_key_extract(const uint8_t *pkt, uint32_t len, uint32_t in_port, struct flow_key *key,
		 struct flow_ofs *ofs)
{
	if (!extract_ipv4_fast(pkt, len, in_port, NULL, key, ofs, NULL) &&
	    !extract_ipv6_fast(pkt, len, in_port, NULL, key, ofs, NULL)) {
		flow_key_extract_generic(pkt, len, in_port, key, ofs);
	}
}

uint32_t
flow_key_extract_hash(const uint8_t *pkt, uint32_t len, uint32_t in_port, struct flow_key *key,
		      struct flow_ofs *ofs)
{
	uint32_t hash;

	if (!extract_ipv4_fast(pkt, len, in_port, NULL, key, ofs, &hash) &&
	    !extract_ipv6_fast(pkt, len, in_port, NULL, key, ofs, &hash)) {
		flow_key_extract_generic(pkt, len, in_port, key, ofs);
		hash = flow_key_hash_head(key, 0); /* no tunnel fields yet */
	}
	return hash;
}

uint32_t
flow_key_extract_hash_tun(const uint8_t *pkt, uint32_t len, uint32_t in_port, const uint64_t tun[2],
			  struct flow_key *key, struct flow_ofs *ofs)
{
	uint32_t hash;

	if (!extract_ipv4_fast(pkt, len, in_port, tun, key, ofs, &hash) &&
	    !extract_ipv6_fast(pkt, len, in_port, tun, key, ofs, &hash)) {
		flow_key_extract_generic(pkt, len, in_port, key, ofs);
		key->u64[FLOW_KEY_TUN_WORD] = tun[0];
		key->u64[FLOW_KEY_TUN_WORD + 1] = tun[1];
		hash = flow_key_hash_head(key, 0);
	}
	return hash;
}

/* The first sixteen words folded to six (in an IPv4 key from no tunnel
 * the other ten are zero). */
static inline void
fold_head(const uint64_t *w, uint64_t f[6])
{
	f[0] = w[0] ^ w[8] ^ (w[14] << 24 | w[14] >> 40);
	f[1] = w[1] ^ w[9] ^ (w[15] << 24 | w[15] >> 40);
	f[2] = w[2] ^ w[10];
	f[3] = w[3] ^ w[11];
	f[4] = w[4] ^ (w[5] << 32 | w[5] >> 32) ^ (w[12] << 16 | w[12] >> 48);
	f[5] = w[6] ^ (w[7] << 32 | w[7] >> 32) ^ (w[13] << 16 | w[13] >> 48);
}

/* The twenty words are folded to six first (the IPv6 tunnel addresses,
 * zero but over an IPv6 underlay, into the third and fourth), then hashed
 * in three CRC chains. */
uint32_t
flow_key_hash(const struct flow_key *key, uint32_t basis)
{
	const uint64_t *w = key->u64;
	uint64_t f[6];

	_Static_assert(FLOW_KEY_U64S == 20, "twenty words fold to six");
	fold_head(w, f);
	f[2] ^= (w[16] << 8 | w[16] >> 56) ^ (w[18] << 40 | w[18] >> 24);
	f[3] ^= (w[17] << 8 | w[17] >> 56) ^ (w[19] << 40 | w[19] >> 24);
	return hash_words64(f, 6, basis);
}

uint32_t
flow_key_hash_head(const struct flow_key *key, uint32_t basis)
{
	uint64_t f[6];

	fold_head(key->u64, f);
	return hash_words64(f, 6, basis);
}

static bool
bytes_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i]) {
			return false;
		}
	}
	return true;
}

struct fmt_buf {
	char *buf;
	size_t size;
	size_t len;
};

static void __attribute__((format(printf, 2, 3))) fmt_add(struct fmt_buf *f, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (f->len >= f->size) {
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(f->buf + f->len, f->size - f->len, fmt, ap);
	va_end(ap);
	if (n > 0) {
		f->len += (size_t)n;
	}
}

static void
fmt_mac(struct fmt_buf *f, const char *name, const uint8_t *v, const uint8_t *m)
{
	if (m && bytes_zero(m, 6)) {
		return;
	}
	fmt_add(f, "%s=%02x:%02x:%02x:%02x:%02x:%02x,", name, v[0], v[1], v[2], v[3], v[4], v[5]);
}

static void
fmt_ip(struct fmt_buf *f, const char *name, const uint8_t *v, const uint8_t *m, bool v6)
{
	char s[INET6_ADDRSTRLEN];

	if (m && bytes_zero(m, v6 ? 16 : 4)) {
		return;
	}
	inet_ntop(v6 ? AF_INET6 : AF_INET, v, s, sizeof s);
	fmt_add(f, "%s=%s,", name, s);
}

#define FMT_INT(f, name, field, conv)                                             \
	do {                                                                      \
		if (!mask || mask->field) {                                       \
			fmt_add(f, name "=%#x,", (unsigned int)conv(key->field)); \
		}                                                                 \
	} while (0)

#define NOCONV(x) (x)

/* "tun_md(present=P[/M],0xBYTES[/0xMASK])": the Geneve options a key
 * carries, as the datapath holds them (the tun_metadataN fields of the
 * bridge's option map, in its places). */
static void
fmt_tun_md(struct fmt_buf *f, const struct flow_key *key, const struct flow_key *mask)
{
	fmt_add(f, "tun_md(present=%#x", key->tun_md_present);
	if (mask) {
		fmt_add(f, "/%#x", mask->tun_md_present);
	}
	fmt_add(f, ",0x");
	for (int i = 0; i < FLOW_TUN_MD_LEN; i++) {
		fmt_add(f, "%02x", key->tun_md[i]);
	}
	if (mask) {
		fmt_add(f, "/0x");
		for (int i = 0; i < FLOW_TUN_MD_LEN; i++) {
			fmt_add(f, "%02x", mask->tun_md[i]);
		}
	}
	fmt_add(f, "),");
}

char *
flow_key_format(const struct flow_key *key, const struct flow_key *mask, char *buf, size_t size)
{
	struct fmt_buf f = {buf, size, 0};
	uint16_t type = ntohs(key->eth_type);
	bool v6 = type == ETH_TYPE_IPV6;

	buf[0] = '\0';
	fmt_add(&f, "in_port=%u,", key->in_port);
	/* Tunnel fields: those of a megaflow's mask, or a key's nonzero ones. */
	if (mask ? mask->tun_id != 0 : key->tun_id != 0) {
		fmt_add(&f, "tun_id=%#" PRIx64 ",", be64toh(key->tun_id));
	}
	if (mask ? mask->tun_src != 0 : key->tun_src != 0) {
		fmt_ip(&f, "tun_src", (const uint8_t *)&key->tun_src, NULL, false);
	}
	if (mask ? mask->tun_dst != 0 : key->tun_dst != 0) {
		fmt_ip(&f, "tun_dst", (const uint8_t *)&key->tun_dst, NULL, false);
	}
	if (!bytes_zero(mask ? mask->tun_ipv6_src : key->tun_ipv6_src, 16)) {
		fmt_ip(&f, "tun_ipv6_src", key->tun_ipv6_src, NULL, true);
	}
	if (!bytes_zero(mask ? mask->tun_ipv6_dst : key->tun_ipv6_dst, 16)) {
		fmt_ip(&f, "tun_ipv6_dst", key->tun_ipv6_dst, NULL, true);
	}
	if (mask ? mask->tun_md_present || !bytes_zero(mask->tun_md, FLOW_TUN_MD_LEN)
		 : key->tun_md_present) {
		fmt_tun_md(&f, key, mask);
	}
	FMT_INT(&f, "vlan_tci", vlan_tci, ntohs);
	FMT_INT(&f, "vlan_inner_tci", vlan_inner_tci, ntohs);
	fmt_mac(&f, "eth_src", key->eth_src, mask ? mask->eth_src : NULL);
	fmt_mac(&f, "eth_dst", key->eth_dst, mask ? mask->eth_dst : NULL);
	FMT_INT(&f, "eth_type", eth_type, ntohs);
	if (type == ETH_TYPE_IPV4 || type == ETH_TYPE_ARP || v6) {
		fmt_ip(&f, "nw_src", key->nw_src.ipv6, mask ? mask->nw_src.ipv6 : NULL, v6);
		fmt_ip(&f, "nw_dst", key->nw_dst.ipv6, mask ? mask->nw_dst.ipv6 : NULL, v6);
		FMT_INT(&f, "nw_proto", nw_proto, NOCONV);
		FMT_INT(&f, "nw_tos", nw_tos, NOCONV);
		FMT_INT(&f, "nw_ttl", nw_ttl, NOCONV);
		FMT_INT(&f, "nw_frag", nw_frag, NOCONV);
		FMT_INT(&f, "tp_src", tp_src, ntohs);
		FMT_INT(&f, "tp_dst", tp_dst, ntohs);
		FMT_INT(&f, "tcp_flags", tcp_flags, ntohs);
	}
	if (v6) {
		if (!mask || mask->ipv6_label) {
			uint32_t label = ntohl(key->ipv6_label);

			fmt_add(&f, "ipv6_label=%#x,", label & 0xfffff);
			if (label >> FLOW_IPV6_EXTHDR_SHIFT) {
				fmt_add(&f, "ipv6_exthdr=%#x,", label >> FLOW_IPV6_EXTHDR_SHIFT);
			}
		}
		fmt_ip(&f, "nd_target", key->nd_target, mask ? mask->nd_target : NULL, true);
	}
	if (type == ETH_TYPE_ARP || v6) {
		fmt_mac(&f, "arp_sha", key->arp_sha, mask ? mask->arp_sha : NULL);
		fmt_mac(&f, "arp_tha", key->arp_tha, mask ? mask->arp_tha : NULL);
	}
	if (f.len > 0 && f.len <= size && buf[f.len - 1] == ',') {
		buf[f.len - 1] = '\0';
	}
	return buf;
}
