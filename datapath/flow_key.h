/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The flow key: every header field the datapath can match on, extracted from
 * a packet into 160 fixed bytes (20 64-bit words). The same layout serves as a
 * mask (a 1 bit means "this bit matters"), so the EMC compares keys word by
 * word and the megaflow classifier ANDs keys with masks word by word.
 *
 * Field conventions (network byte order unless noted):
 *  - in_port: datapath port number, host order.
 *  - vlan_tci: the outermost 802.1Q/802.1ad tag, with FLOW_VLAN_PRESENT set
 *    when a tag is there (the DEI bit of the packet is not kept).
 *    vlan_inner_tci: the second tag of a QinQ packet, same convention.
 *  - eth_type: the EtherType after the tags; FLOW_ETH_TYPE_NONE for 802.3
 *    frames (length field) and for frames too short to carry one.
 *  - nw_proto: IP protocol / IPv6 final next header; ARP: low byte of opcode.
 *  - nw_tos: the whole IPv4 TOS / IPv6 traffic class byte (DSCP and ECN).
 *  - nw_frag: FLOW_FRAG_* flags.
 *  - tp_src/tp_dst: TCP/UDP/SCTP ports; ICMP and ICMPv6 type and code.
 *  - nw_src/nw_dst: IPv4 (first 4 bytes) or IPv6 addresses; ARP SPA/TPA.
 *  - arp_sha/arp_tha: ARP hardware addresses; for IPv6 neighbour discovery
 *    the source/target link-layer address options.
 *  - nd_target: the target address of an IPv6 NS or NA.
 *  - ipv6_label: the IPv6 flow label in its low 20 bits, and above it (from
 *    bit FLOW_IPV6_EXTHDR_SHIFT) the FLOW_IPV6_EXTHDR_* flags of the
 *    extension headers the parser met (OpenFlow's ipv6_exthdr); for MPLS
 *    (0x8847, 0x8848) the first label stack entry, for PBB (0x88e7) the
 *    I-TAG, both as on the wire.
 *  - tun_id, tun_src, tun_dst, tun_ipv6_src, tun_ipv6_dst: the tunnel a
 *    packet came out of (the key of its VXLAN or Geneve header, the outer
 *    source and destination: tun_src/tun_dst over an IPv4 underlay,
 *    tun_ipv6_src/tun_ipv6_dst over an IPv6 one, the other pair zero);
 *    zero for a packet that came from no tunnel. Only decapsulation sets
 *    them; flow_key_extract() leaves them zero. The IPv6 pair is last,
 *    in words 16 to 19, so that the words every packet fills stay in the
 *    first two cache lines.
 *  - tun_md_present, tun_md: the Geneve options of that tunnel that the
 *    tunnel port's option map names (the bridge's tun_metadataN fields):
 *    bit N of tun_md_present (host order) says option N was there, its
 *    bytes are at the map's place in tun_md. Zero without a tunnel.
 */
#ifndef VS_FLOW_KEY_H
#define VS_FLOW_KEY_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "util.h"

enum {
	FLOW_KEY_U64S = 20,
	FLOW_TUN_MD_LEN = 12,       /* bytes of Geneve option data in a key */
	FLOW_TUN_MD_FIELDS = 16,    /* tun_metadata0 to tun_metadata15 */
	FLOW_VLAN_PRESENT = 0x1000, /* host order; stored as big endian */
	FLOW_VLAN_VID_MASK = 0x0fff,
	FLOW_VLAN_PCP_SHIFT = 13,
	FLOW_ETH_TYPE_NONE = 0x05ff, /* host order, as OVS does for 802.3 */
	FLOW_FRAG_ANY = 1 << 0,      /* a fragment of any kind */
	FLOW_FRAG_LATER = 1 << 1,    /* not the first fragment: no L4 header */
	/* ipv6_exthdr, as OpenFlow 1.3 numbers the flags (OFPIEH_*). */
	FLOW_IPV6_EXTHDR_SHIFT = 20,
	FLOW_IPV6_EXTHDR_NONEXT = 1 << 0, /* next header 59: nothing follows */
	FLOW_IPV6_EXTHDR_ESP = 1 << 1,
	FLOW_IPV6_EXTHDR_AUTH = 1 << 2,
	FLOW_IPV6_EXTHDR_DEST = 1 << 3, /* one or two destination options */
	FLOW_IPV6_EXTHDR_FRAG = 1 << 4,
	FLOW_IPV6_EXTHDR_ROUTER = 1 << 5,
	FLOW_IPV6_EXTHDR_HOP = 1 << 6,
	FLOW_IPV6_EXTHDR_UNREP = 1 << 7, /* a header more often than allowed */
	FLOW_IPV6_EXTHDR_UNSEQ = 1 << 8, /* out of RFC 8200's recommended order */
};

struct flow_key {
	union {
		struct {
			uint32_t in_port;
			uint16_t vlan_tci;
			uint16_t vlan_inner_tci;
			uint8_t eth_dst[6];
			uint8_t eth_src[6];
			uint16_t eth_type;
			uint8_t nw_proto;
			uint8_t nw_tos;
			uint8_t nw_ttl;
			uint8_t nw_frag;
			uint16_t tcp_flags;
			uint16_t tp_src;
			uint16_t tp_dst;
			union {
				uint32_t ipv4;
				uint8_t ipv6[16];
			} nw_src;
			union {
				uint32_t ipv4;
				uint8_t ipv6[16];
			} nw_dst;
			uint32_t ipv6_label;
			uint8_t arp_sha[6];
			uint8_t arp_tha[6];
			uint8_t nd_target[16];
			uint64_t tun_id;
			uint32_t tun_src;
			uint32_t tun_dst;
			uint16_t tun_md_present;
			uint16_t tun_md_pad;
			uint8_t tun_md[FLOW_TUN_MD_LEN];
			uint8_t tun_ipv6_src[16];
			uint8_t tun_ipv6_dst[16];
		};
		uint64_t u64[FLOW_KEY_U64S];
	};
};

_Static_assert(sizeof(struct flow_key) == FLOW_KEY_U64S * 8, "flow_key must be 20 words");
_Static_assert(offsetof(struct flow_key, nw_src) == 32, "flow_key layout");
_Static_assert(offsetof(struct flow_key, nd_target) == 80, "flow_key layout");
_Static_assert(offsetof(struct flow_key, tun_id) == 96, "flow_key layout");
_Static_assert(offsetof(struct flow_key, tun_md_present) == 112, "flow_key layout");
_Static_assert(offsetof(struct flow_key, tun_ipv6_src) == 128, "flow_key layout");
/* tun_id; tun_src and tun_dst in the next; the Geneve options in the two
 * after; the IPv6 tunnel addresses in the last four */
enum { FLOW_KEY_TUN_WORD = 12, FLOW_KEY_TUN_MD_WORD = 14, FLOW_KEY_TUN6_WORD = 16 };

/* Where the parser found each layer: byte offsets from the start of the
 * frame, 0 when that layer is absent or could not be parsed. */
struct flow_ofs {
	uint16_t l3;
	uint16_t l4;
};

/* Extracts the key of the 'len'-byte frame at 'pkt' received on 'in_port'.
 * Never reads outside [pkt, pkt + len): a truncated or malformed header ends
 * the parse and leaves the fields of that layer and the following ones zero.
 * 'ofs' may be NULL. Pure; callable from any thread. */
void flow_key_extract(const uint8_t *pkt, uint32_t len, uint32_t in_port, struct flow_key *key,
		      struct flow_ofs *ofs);

/* flow_key_extract() that also returns flow_key_hash('key', 0). */
uint32_t flow_key_extract_hash(const uint8_t *pkt, uint32_t len, uint32_t in_port,
			       struct flow_key *key, struct flow_ofs *ofs);

/* The key's tun_id word and its tun_src/tun_dst word, as they sit in a
 * key ('tun_id' in network order, the addresses as in the packet), into
 * 'w' for flow_key_extract_hash_tun(). */
static inline void
flow_key_tun_words(uint64_t tun_id, uint32_t tun_src, uint32_t tun_dst, uint64_t w[2])
{
	_Static_assert(offsetof(struct flow_key, tun_src) == FLOW_KEY_TUN_WORD * 8 + 8 &&
			       offsetof(struct flow_key, tun_dst) == FLOW_KEY_TUN_WORD * 8 + 12,
		       "tun_src and tun_dst share the word after tun_id");
	w[0] = tun_id;
	memcpy(&w[1], &tun_src, 4);
	memcpy((uint8_t *)&w[1] + 4, &tun_dst, 4);
}

/* flow_key_extract_hash() of a frame out of a tunnel whose tun_id,
 * tun_src and tun_dst are in 'tun' (flow_key_tun_words()): stored in the
 * key and hashed with the rest in the same pass; the other tunnel fields
 * zero (a caller that sets them hashes again). */
uint32_t flow_key_extract_hash_tun(const uint8_t *pkt, uint32_t len, uint32_t in_port,
				   const uint64_t tun[2], struct flow_key *key,
				   struct flow_ofs *ofs);

/* flow_key_extract() without its shortcut for untagged IPv4 UDP and TCP:
 * the same key, the slow way. For tests that compare the two. */
void flow_key_extract_generic(const uint8_t *pkt, uint32_t len, uint32_t in_port,
			      struct flow_key *key, struct flow_ofs *ofs);

/* As flow_key_extract(), but only up to the EtherType: in_port, the VLAN
 * tags, the Ethernet addresses and eth_type are what flow_key_extract()
 * would give, every later field is zero. Returns the offset of the L3
 * header, 0 when none can follow. */
uint16_t flow_key_extract_l2(const uint8_t *pkt, uint32_t len, uint32_t in_port,
			     struct flow_key *key);

/* The bits that differ between the 8 bytes at 'a' and at 'b'. */
static inline uint64_t
flow_key_xor8(const uint8_t *a, const uint8_t *b)
{
	uint64_t x, y;

	memcpy(&x, a, 8);
	memcpy(&y, b, 8);
	return x ^ y;
}

/* True when the frames at 'a' and 'b' ('alen' and 'blen' bytes) are both
 * of the shapes flow_key_extract()'s shortcuts take (untagged IPv4 with a
 * 20-byte header and no fragment, or untagged IPv6 with no extension
 * header, carrying UDP or TCP), long enough for them, and agree on every
 * header byte their keys come from: then, received on one port, they have
 * the same key, and a packet like the one before it in a batch needs no
 * extraction and no lookup of its own. The IP identification, lengths and
 * checksums, which a run of one flow's packets changes, are not in a key. */
static inline bool
flow_key_same_frame(const uint8_t *a, uint32_t alen, const uint8_t *b, uint32_t blen)
{
	uint32_t l4, ip_len_a, ip_len_b, ip_hdr, need;
	uint64_t d;
	uint8_t proto;

	if (alen < 14 + 20 + 8 || blen < 14 + 20 + 8) {
		return false;
	}
	/* The Ethernet header, then IPv4's version, IHL and TOS or IPv6's
	 * version, traffic class and the first half of the flow label. */
	d = flow_key_xor8(a, b) | flow_key_xor8(a + 8, b + 8);
	if (vs_get16(b + 12) == htons(0x0800)) {
		/* First the destination address and the ports, where one
		 * flow's packets most often differ from another's. */
		if ((vs_get32(a + 30) ^ vs_get32(b + 30)) || b[14] != 0x45 ||
		    (vs_get16(b + 20) & htons(0x3fff))) {
			return false;
		}
		/* Fragment bits, TTL, protocol; addresses and ports. */
		d |= (uint64_t)(vs_get32(a + 20) ^ vs_get32(b + 20)) |
		     (vs_get32(a + 26) ^ vs_get32(b + 26)) | (vs_get32(a + 34) ^ vs_get32(b + 34));
		proto = b[23];
		l4 = 14 + 20;
		ip_hdr = 20; /* the total length counts it */
		ip_len_a = ntohs(vs_get16(a + 16));
		ip_len_b = ntohs(vs_get16(b + 16));
	} else if (vs_get16(b + 12) == htons(0x86dd)) {
		/* First the end of the destination address and the ports. */
		if (alen < 14 + 40 + 8 || blen < 14 + 40 + 8 || flow_key_xor8(a + 50, b + 50) ||
		    b[14] >> 4 != 6) {
			return false;
		}
		/* The rest of the flow label; next header, hop limit,
		 * addresses (bytes 20 to 53; the ports are done). */
		d |= (uint64_t)(vs_get16(a + 16) ^ vs_get16(b + 16)) |
		     flow_key_xor8(a + 20, b + 20) | flow_key_xor8(a + 28, b + 28) |
		     flow_key_xor8(a + 36, b + 36) | flow_key_xor8(a + 44, b + 44);
		proto = b[20];
		l4 = 14 + 40;
		ip_hdr = 0; /* the payload length does not */
		ip_len_a = ntohs(vs_get16(a + 18));
		ip_len_b = ntohs(vs_get16(b + 18));
	} else {
		return false;
	}
	if (d) {
		return false;
	}
	if (proto == 17) {
		need = 8;
	} else if (proto == 6) {
		need = 20;
	} else {
		return false;
	}
	/* The L4 header within the IP packet and the frame, as the
	 * shortcuts want it; a TCP header's flags are in the key. */
	if (ip_len_a < ip_hdr + need || ip_len_b < ip_hdr + need || alen < l4 + need ||
	    blen < l4 + need) {
		return false;
	}
	return proto == 17 ||
	       (b[l4 + 12] >> 4 >= 5 && vs_get16(a + l4 + 12) == vs_get16(b + l4 + 12));
}

/* Hash of the whole key. */
uint32_t flow_key_hash(const struct flow_key *key, uint32_t basis);

/* flow_key_hash() of a key whose IPv6 tunnel addresses are zero (every
 * key but those of an IPv6 tunnel's packets), without reading them. */
uint32_t flow_key_hash_head(const struct flow_key *key, uint32_t basis);

/* True when 'key' came out of a tunnel over an IPv6 underlay (or, for a
 * mask, matches an IPv6 tunnel address). */
static inline bool
flow_key_tun6(const struct flow_key *key)
{
	const uint64_t *w = &key->u64[FLOW_KEY_TUN6_WORD];

	return (w[0] | w[1] | w[2] | w[3]) != 0;
}

/* Sixteen bytes of a key at a time (SSE2 on x86-64, NEON on arm64). */
typedef uint64_t flow_key_v2 __attribute__((vector_size(16), aligned(8), may_alias));

static inline bool
flow_key_equal(const struct flow_key *a, const struct flow_key *b)
{
	const flow_key_v2 *va = (const flow_key_v2 *)a->u64, *vb = (const flow_key_v2 *)b->u64;
	flow_key_v2 diff = (va[0] ^ vb[0]) | (va[1] ^ vb[1]) | (va[2] ^ vb[2]) | (va[3] ^ vb[3]) |
			   (va[4] ^ vb[4]) | (va[5] ^ vb[5]) | (va[6] ^ vb[6]) | (va[7] ^ vb[7]) |
			   (va[8] ^ vb[8]) | (va[9] ^ vb[9]);

	_Static_assert(FLOW_KEY_U64S == 20, "ten 16-byte pieces");
	return (diff[0] | diff[1]) == 0;
}

/* flow_key_equal() of the first FLOW_KEY_TUN6_WORD words only, at 'a'
 * (a key's, or a copy of them) and 'b'. */
static inline bool
flow_key_equal_head(const uint64_t *a, const struct flow_key *b)
{
	const flow_key_v2 *va = (const flow_key_v2 *)a, *vb = (const flow_key_v2 *)b->u64;
	flow_key_v2 diff = (va[0] ^ vb[0]) | (va[1] ^ vb[1]) | (va[2] ^ vb[2]) | (va[3] ^ vb[3]) |
			   (va[4] ^ vb[4]) | (va[5] ^ vb[5]) | (va[6] ^ vb[6]) | (va[7] ^ vb[7]);

	_Static_assert(FLOW_KEY_TUN6_WORD == 16, "eight 16-byte pieces");
	return (diff[0] | diff[1]) == 0;
}

/* dst = key & mask, word by word. */
static inline void
flow_key_and(struct flow_key *dst, const struct flow_key *key, const struct flow_key *mask)
{
	for (int i = 0; i < FLOW_KEY_U64S; i++) {
		dst->u64[i] = key->u64[i] & mask->u64[i];
	}
}

/* Formats 'key' (or, with 'mask', only its unwildcarded fields) as
 * "field=value,..." into 'buf' of 'size' bytes. Returns 'buf'. */
char *flow_key_format(const struct flow_key *key, const struct flow_key *mask, char *buf,
		      size_t size);

#endif /* VS_FLOW_KEY_H */
