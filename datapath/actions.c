/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Header rewriting for the datapath actions of actions.h. Each function
 * works on one mbuf whose first segment holds the headers it rewrites.
 */
#include "actions.h"

#include <arpa/inet.h>
#include <nmmintrin.h>
#include <stdio.h>

#include "csum.h"
#include "flow_key.h"
#include "util.h"

enum {
	IP_PROTO_ICMP = 1,
	IP_PROTO_TCP = 6,
	IP_PROTO_UDP = 17,
	IP_PROTO_ICMPV6 = 58,
	IP_PROTO_SCTP = 132,
};

static inline uint8_t *
l3_hdr(struct rte_mbuf *m, uint32_t need)
{
	if (m->l2_len == 0 || m->l2_len + need > rte_pktmbuf_data_len(m)) {
		return NULL;
	}
	return rte_pktmbuf_mtod_offset(m, uint8_t *, m->l2_len);
}

/* The L4 header if the parser found one and 'need' bytes of it are there. */
static inline uint8_t *
l4_hdr(struct rte_mbuf *m, uint32_t need)
{
	uint32_t ofs = (uint32_t)m->l2_len + m->l3_len;

	if (m->l2_len == 0 || m->l3_len == 0 || ofs + need > rte_pktmbuf_data_len(m)) {
		return NULL;
	}
	return rte_pktmbuf_mtod_offset(m, uint8_t *, ofs);
}

static uint16_t
outer_type(struct rte_mbuf *m)
{
	return rte_pktmbuf_data_len(m) >= 14
		       ? ntohs(vs_get16(rte_pktmbuf_mtod_offset(m, uint8_t *, 12)))
		       : 0;
}

static bool
is_tpid(uint16_t t)
{
	return t == 0x8100 || t == 0x88a8 || t == 0x9100;
}

static enum dp_action_err
push_vlan(struct rte_mbuf *m, uint16_t tpid, uint16_t tci)
{
	uint8_t *p;

	if (rte_pktmbuf_data_len(m) < 12 || !rte_pktmbuf_prepend(m, 4)) {
		return DP_ACTION_ERR_NO_HEADROOM;
	}
	p = rte_pktmbuf_mtod(m, uint8_t *);
	memmove(p, p + 4, 12);
	vs_put16(p + 12, tpid);
	vs_put16(p + 14, tci & htons(0xefff)); /* the present bit is not DEI */
	if (m->l2_len) {
		m->l2_len += 4;
	}
	return DP_ACTION_OK;
}

static void
pop_vlan(struct rte_mbuf *m)
{
	uint8_t *p;

	if (rte_pktmbuf_data_len(m) < 18 || !is_tpid(outer_type(m))) {
		return;
	}
	p = rte_pktmbuf_mtod(m, uint8_t *);
	memmove(p + 4, p, 12);
	rte_pktmbuf_adj(m, 4);
	if (m->l2_len >= 4) {
		m->l2_len -= 4;
	}
}

static void
set_vlan(struct rte_mbuf *m, uint16_t tci, uint16_t mask)
{
	uint8_t *p;
	uint16_t old;

	if (rte_pktmbuf_data_len(m) < 18 || !is_tpid(outer_type(m))) {
		return;
	}
	p = rte_pktmbuf_mtod_offset(m, uint8_t *, 14);
	old = vs_get16(p);
	mask &= htons(0xefff);
	vs_put16(p, (uint16_t)((old & ~mask) | (tci & mask)));
}

/* Fixes the L4 checksum after 'size' bytes of pseudo-header changed. */
static void
l4_csum_update(struct rte_mbuf *m, uint8_t proto, const void *old, const void *new, size_t size)
{
	uint8_t *l4;

	if (proto == IP_PROTO_TCP && (l4 = l4_hdr(m, 20))) {
		vs_put16(l4 + 16, csum_update_bytes(vs_get16(l4 + 16), old, new, size));
	} else if (proto == IP_PROTO_UDP && (l4 = l4_hdr(m, 8)) && vs_get16(l4 + 6)) {
		uint16_t c = csum_update_bytes(vs_get16(l4 + 6), old, new, size);
		vs_put16(l4 + 6, c ? c : 0xffff);
	} else if (proto == IP_PROTO_ICMPV6 && (l4 = l4_hdr(m, 4))) {
		vs_put16(l4 + 2, csum_update_bytes(vs_get16(l4 + 2), old, new, size));
	}
}

static void
set_ipv4(struct rte_mbuf *m, const struct dp_action *a)
{
	uint8_t *ip = l3_hdr(m, 20);
	uint16_t csum;

	if (!ip || (ip[0] >> 4) != 4) {
		return;
	}
	csum = vs_get16(ip + 10);
	if (a->flags & DP_SET_SRC) {
		csum = csum_update_bytes(csum, ip + 12, &a->ipv4.src, 4);
		l4_csum_update(m, ip[9], ip + 12, &a->ipv4.src, 4);
		memcpy(ip + 12, &a->ipv4.src, 4);
	}
	if (a->flags & DP_SET_DST) {
		csum = csum_update_bytes(csum, ip + 16, &a->ipv4.dst, 4);
		l4_csum_update(m, ip[9], ip + 16, &a->ipv4.dst, 4);
		memcpy(ip + 16, &a->ipv4.dst, 4);
	}
	if (a->flags & (DP_SET_TOS | DP_SET_TTL)) {
		uint8_t nw[2] = {ip[0], (a->flags & DP_SET_TOS) ? a->ipv4.tos : ip[1]};
		uint8_t tp[2] = {(a->flags & DP_SET_TTL) ? a->ipv4.ttl : ip[8], ip[9]};

		csum = csum_update_bytes(csum, ip, nw, 2);
		csum = csum_update_bytes(csum, ip + 8, tp, 2);
		ip[1] = nw[1];
		ip[8] = tp[0];
	}
	vs_put16(ip + 10, csum);
}

/* SCTP's CRC32c over the whole SCTP packet, checksum field zeroed. */
static void
sctp_recompute(struct rte_mbuf *m)
{
	uint8_t *l4 = l4_hdr(m, 12);
	uint32_t crc = 0xffffffff;
	uint8_t *end;

	if (!l4 || m->nb_segs != 1) {
		return;
	}
	memset(l4 + 8, 0, 4);
	end = rte_pktmbuf_mtod_offset(m, uint8_t *, rte_pktmbuf_data_len(m));
	for (uint8_t *p = l4; p < end; p++) {
		crc = _mm_crc32_u8(crc, *p);
	}
	crc = ~crc;
	/* Stored least significant byte first (RFC 4960, appendix B). */
	l4[8] = (uint8_t)crc;
	l4[9] = (uint8_t)(crc >> 8);
	l4[10] = (uint8_t)(crc >> 16);
	l4[11] = (uint8_t)(crc >> 24);
}

static void
set_ipv6(struct rte_mbuf *m, const struct dp_action *a)
{
	uint8_t *ip = l3_hdr(m, 40);
	uint8_t proto;

	if (!ip || (ip[0] >> 4) != 6) {
		return;
	}
	proto = dp_pkt_proto(m);
	if (a->flags & DP_SET_SRC) {
		l4_csum_update(m, proto, ip + 8, a->ipv6.src, 16);
		memcpy(ip + 8, a->ipv6.src, 16);
	}
	if (a->flags & DP_SET_DST) {
		l4_csum_update(m, proto, ip + 24, a->ipv6.dst, 16);
		memcpy(ip + 24, a->ipv6.dst, 16);
	}
	if (a->flags & (DP_SET_TOS | DP_SET_LABEL)) {
		uint32_t w = (uint32_t)ip[0] << 24 | (uint32_t)ip[1] << 16 | (uint32_t)ip[2] << 8 |
			     ip[3];

		if (a->flags & DP_SET_TOS) {
			w = (w & ~0x0ff00000u) | (uint32_t)a->ipv6.tc << 20;
		}
		if (a->flags & DP_SET_LABEL) {
			w = (w & ~0x000fffffu) | (ntohl(a->ipv6.label) & 0x000fffffu);
		}
		ip[0] = (uint8_t)(w >> 24);
		ip[1] = (uint8_t)(w >> 16);
		ip[2] = (uint8_t)(w >> 8);
		ip[3] = (uint8_t)w;
	}
	if (a->flags & DP_SET_TTL) {
		ip[7] = a->ipv6.hlimit;
	}
}

/* ICMP and ICMPv6: the type (src) and code (dst) share the first word,
 * which both checksums cover (ICMPv6's pseudo-header does not change). */
static void
set_icmp(struct rte_mbuf *m, const struct dp_action *a)
{
	uint8_t *l4 = l4_hdr(m, 4);
	uint8_t now[2];

	if (!l4) {
		return;
	}
	now[0] = a->flags & DP_SET_SRC ? (uint8_t)ntohs(a->l4.src) : l4[0];
	now[1] = a->flags & DP_SET_DST ? (uint8_t)ntohs(a->l4.dst) : l4[1];
	vs_put16(l4 + 2, csum_update_bytes(vs_get16(l4 + 2), l4, now, 2));
	l4[0] = now[0];
	l4[1] = now[1];
}

static void
set_l4(struct rte_mbuf *m, const struct dp_action *a, uint8_t proto)
{
	uint8_t *l4 = l4_hdr(m, proto == IP_PROTO_TCP ? 20 : proto == IP_PROTO_UDP ? 8 : 12);
	uint16_t *csum = NULL;
	uint16_t c;

	if (proto == IP_PROTO_ICMP || proto == IP_PROTO_ICMPV6) {
		set_icmp(m, a);
		return;
	}
	if (!l4 || (proto != IP_PROTO_TCP && proto != IP_PROTO_UDP && proto != IP_PROTO_SCTP)) {
		return;
	}
	if (proto == IP_PROTO_TCP) {
		csum = (uint16_t *)(void *)(l4 + 16);
	} else if (proto == IP_PROTO_UDP && vs_get16(l4 + 6)) {
		csum = (uint16_t *)(void *)(l4 + 6);
	}
	for (int i = 0; i < 2; i++) {
		uint16_t v = i == 0 ? a->l4.src : a->l4.dst;

		if (!(a->flags & (i == 0 ? DP_SET_SRC : DP_SET_DST))) {
			continue;
		}
		if (csum) {
			memcpy(&c, csum, 2);
			c = csum_update16(c, vs_get16(l4 + 2 * i), v);
			if (proto == IP_PROTO_UDP && c == 0) {
				c = 0xffff;
			}
			memcpy(csum, &c, 2);
		}
		vs_put16(l4 + 2 * i, v);
	}
	if (proto == IP_PROTO_SCTP) {
		sctp_recompute(m);
	}
}

/* ARP for IPv4 over Ethernet (the only kind whose fields are matched):
 * opcode, sender and target addresses. ARP has no checksum. */
static void
set_arp(struct rte_mbuf *m, const struct dp_action *a)
{
	uint8_t *arp = l3_hdr(m, 28);

	if (!arp || vs_get16(arp) != htons(1) || vs_get16(arp + 2) != htons(0x0800) ||
	    arp[4] != 6 || arp[5] != 4) {
		return;
	}
	if (a->flags & DP_SET_OP) {
		vs_put16(arp + 6, a->arp.op);
	}
	if (a->flags & DP_SET_SHA) {
		memcpy(arp + 8, a->arp.sha, 6);
	}
	if (a->flags & DP_SET_SRC) {
		memcpy(arp + 14, &a->arp.spa, 4);
	}
	if (a->flags & DP_SET_THA) {
		memcpy(arp + 18, a->arp.tha, 6);
	}
	if (a->flags & DP_SET_DST) {
		memcpy(arp + 24, &a->arp.tpa, 4);
	}
}

/* Writes 'size' bytes at 'at' inside ICMPv6 message 'l4', keeping its
 * checksum (at an even offset from 'l4', as every ND field is). */
static void
icmp6_write(uint8_t *l4, uint8_t *at, const void *v, size_t size)
{
	vs_put16(l4 + 2, csum_update_bytes(vs_get16(l4 + 2), at, v, size));
	memcpy(at, v, size);
}

/* Neighbour solicitation and advertisement: the target address and the
 * link-layer address options the parser reads (the first of each kind; an
 * option the packet lacks is not added). */
static void
set_nd(struct rte_mbuf *m, const struct dp_action *a)
{
	uint8_t *l4 = l4_hdr(m, 24), *opt, *end;

	if (!l4 || dp_pkt_proto(m) != IP_PROTO_ICMPV6 || (l4[0] != 135 && l4[0] != 136) || l4[1]) {
		return;
	}
	if (a->flags & DP_SET_DST) {
		icmp6_write(l4, l4 + 8, a->nd.target, 16);
	}
	end = rte_pktmbuf_mtod_offset(m, uint8_t *, rte_pktmbuf_data_len(m));
	for (opt = l4 + 24; opt + 8 <= end && opt[1] && opt + opt[1] * 8 <= end;
	     opt += opt[1] * 8) {
		if (opt[0] == 1 && opt[1] == 1 && l4[0] == 135 && (a->flags & DP_SET_SHA)) {
			icmp6_write(l4, opt + 2, a->nd.sll, 6);
		} else if (opt[0] == 2 && opt[1] == 1 && l4[0] == 136 && (a->flags & DP_SET_THA)) {
			icmp6_write(l4, opt + 2, a->nd.tll, 6);
		}
	}
}

/* The offset of the EtherType after the VLAN tags, or 0 if the first
 * segment ends before it. */
static uint32_t
type_ofs(struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), ofs = 12;

	while (ofs + 2 <= len && is_tpid(ntohs(vs_get16(p + ofs))) && ofs < 12 + 8) {
		ofs += 4;
	}
	return ofs + 2 <= len ? ofs : 0;
}

/* A frame a pop left shorter than Ethernet's minimum gets the padding a
 * NIC would add on the wire. */
static void
pad_min(struct rte_mbuf *m)
{
	uint32_t len = rte_pktmbuf_pkt_len(m);
	char *tail;

	if (len < 60 && m->nb_segs == 1 && (tail = rte_pktmbuf_append(m, (uint16_t)(60 - len)))) {
		memset(tail, 0, 60 - len);
	}
}

/* After a header was inserted or removed: where L3 and L4 are now. */
static void
relayer(struct rte_mbuf *m)
{
	struct flow_key key;
	struct flow_ofs ofs;

	flow_key_extract(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), 0, &key,
			 &ofs);
	dp_pkt_set_layers(m, ofs.l3, ofs.l4, key.nw_proto);
}

static bool
is_mpls(uint16_t t)
{
	return t == 0x8847 || t == 0x8848;
}

static enum dp_action_err
push_mpls(struct rte_mbuf *m, uint16_t ethertype, uint32_t lse)
{
	uint32_t t = type_ofs(m);
	uint8_t *p;

	if (!t || !rte_pktmbuf_prepend(m, 4)) {
		return t ? DP_ACTION_ERR_NO_HEADROOM : DP_ACTION_OK;
	}
	p = rte_pktmbuf_mtod(m, uint8_t *);
	memmove(p, p + 4, t);
	vs_put16(p + t, ethertype);
	memcpy(p + t + 2, &lse, 4);
	relayer(m);
	return DP_ACTION_OK;
}

static void
pop_mpls(struct rte_mbuf *m, uint16_t ethertype)
{
	uint32_t t = type_ofs(m);
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);

	if (!t || t + 6 > rte_pktmbuf_data_len(m) || !is_mpls(ntohs(vs_get16(p + t)))) {
		return;
	}
	vs_put16(p + t, ethertype);
	memmove(p + 4, p, t + 2);
	rte_pktmbuf_adj(m, 4);
	pad_min(m);
	relayer(m);
}

/* The 32 bits after the EtherType of type 'want' (MPLS or PBB), or NULL. */
static uint8_t *
tag_after_type(struct rte_mbuf *m, bool mpls)
{
	uint32_t t = type_ofs(m);
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint16_t type;

	if (!t || t + 6 > rte_pktmbuf_data_len(m)) {
		return NULL;
	}
	type = ntohs(vs_get16(p + t));
	return (mpls ? is_mpls(type) : type == 0x88e7) ? p + t + 2 : NULL;
}

static void
set_tag(struct rte_mbuf *m, bool mpls, uint32_t v, uint32_t mask)
{
	uint8_t *q = tag_after_type(m, mpls);
	uint32_t old;

	if (q) {
		memcpy(&old, q, 4);
		old = (old & ~mask) | (v & mask);
		memcpy(q, &old, 4);
	}
}

/* copy_ttl_in (inward): the outermost label's TTL into what follows it,
 * the next label or the IP header; copy_ttl_out the other way. */
static void
copy_ttl(struct rte_mbuf *m, bool inward)
{
	uint8_t *q = tag_after_type(m, true), *ip, *ttl;
	uint32_t room;

	if (!q) {
		return;
	}
	ip = q + 4;
	room = (uint32_t)(rte_pktmbuf_mtod_offset(m, uint8_t *, rte_pktmbuf_data_len(m)) - ip);
	if (!(q[2] & 1)) { /* not the bottom of the stack: another label */
		ttl = room >= 4 ? ip + 3 : NULL;
	} else if (room >= 20 && (ip[0] >> 4) == 4) {
		ttl = ip + 8;
	} else if (room >= 40 && (ip[0] >> 4) == 6) {
		ttl = ip + 7;
	} else {
		return;
	}
	if (!ttl) {
		return;
	}
	if (!inward) {
		q[3] = *ttl;
	} else if (ttl == ip + 8) {
		uint8_t old[2] = {ip[8], ip[9]}, new[2] = {q[3], ip[9]};

		vs_put16(ip + 10, csum_update_bytes(vs_get16(ip + 10), old, new, 2));
		ip[8] = q[3];
	} else {
		*ttl = q[3];
	}
}

static enum dp_action_err
dec_mpls_ttl(struct rte_mbuf *m)
{
	uint8_t *q = tag_after_type(m, true);

	if (q) {
		if (q[3] <= 1) {
			return DP_ACTION_ERR_TTL;
		}
		q[3]--;
	}
	return DP_ACTION_OK;
}

/* A backbone header: B-DA and B-SA copied from the frame's addresses,
 * EtherType 0x88e7 and the I-TAG, in front of the whole frame. */
static enum dp_action_err
push_pbb(struct rte_mbuf *m, uint32_t itag)
{
	uint8_t *p;

	if (rte_pktmbuf_data_len(m) < 12 || !rte_pktmbuf_prepend(m, 18)) {
		return DP_ACTION_ERR_NO_HEADROOM;
	}
	p = rte_pktmbuf_mtod(m, uint8_t *);
	memcpy(p, p + 18, 12);
	vs_put16(p + 12, htons(0x88e7));
	memcpy(p + 14, &itag, 4);
	relayer(m);
	return DP_ACTION_OK;
}

static void
pop_pbb(struct rte_mbuf *m)
{
	uint8_t *q = tag_after_type(m, false);

	if (q && q + 4 + 14 <= rte_pktmbuf_mtod(m, uint8_t *) + rte_pktmbuf_data_len(m)) {
		rte_pktmbuf_adj(m, (uint16_t)(q + 4 - rte_pktmbuf_mtod(m, uint8_t *)));
		pad_min(m);
		relayer(m);
	}
}

static enum dp_action_err
dec_ttl(struct rte_mbuf *m)
{
	uint8_t *ip = l3_hdr(m, 20);

	if (!ip) {
		return DP_ACTION_OK;
	}
	if ((ip[0] >> 4) == 4) {
		if (ip[8] <= 1) {
			return DP_ACTION_ERR_TTL;
		}
		uint8_t old[2] = {ip[8], ip[9]}, new[2] = {(uint8_t)(ip[8] - 1), ip[9]};
		vs_put16(ip + 10, csum_update_bytes(vs_get16(ip + 10), old, new, 2));
		ip[8]--;
	} else if ((ip[0] >> 4) == 6 && l3_hdr(m, 40)) {
		if (ip[7] <= 1) {
			return DP_ACTION_ERR_TTL;
		}
		ip[7]--;
	}
	return DP_ACTION_OK;
}

enum dp_action_err
dp_action_apply(const struct dp_action *a, struct rte_mbuf *m)
{
	uint8_t *p;

	switch ((enum dp_action_type)a->type) {
	case DP_ACTION_PUSH_VLAN:
		return push_vlan(m, a->vlan.tpid, a->vlan.tci);
	case DP_ACTION_POP_VLAN:
		pop_vlan(m);
		break;
	case DP_ACTION_SET_VLAN:
		set_vlan(m, a->vlan.tci, a->mask);
		break;
	case DP_ACTION_SET_ETH:
		if (rte_pktmbuf_data_len(m) >= 12) {
			p = rte_pktmbuf_mtod(m, uint8_t *);
			if (a->flags & DP_SET_DST) {
				memcpy(p, a->eth.dst, 6);
			}
			if (a->flags & DP_SET_SRC) {
				memcpy(p + 6, a->eth.src, 6);
			}
		}
		break;
	case DP_ACTION_SET_IPV4:
		set_ipv4(m, a);
		break;
	case DP_ACTION_SET_IPV6:
		set_ipv6(m, a);
		break;
	case DP_ACTION_SET_L4:
		set_l4(m, a, dp_pkt_proto(m));
		break;
	case DP_ACTION_DEC_TTL:
		return dec_ttl(m);
	case DP_ACTION_PUSH_MPLS:
		return push_mpls(m, a->mpls.ethertype, a->mpls.lse);
	case DP_ACTION_POP_MPLS:
		pop_mpls(m, a->mpls.ethertype);
		break;
	case DP_ACTION_SET_MPLS:
		set_tag(m, true, a->mpls.lse, a->mpls.mask);
		break;
	case DP_ACTION_DEC_MPLS_TTL:
		return dec_mpls_ttl(m);
	case DP_ACTION_PUSH_PBB:
		return push_pbb(m, a->mpls.lse);
	case DP_ACTION_POP_PBB:
		pop_pbb(m);
		break;
	case DP_ACTION_SET_PBB:
		set_tag(m, false, a->mpls.lse, a->mpls.mask);
		break;
	case DP_ACTION_SET_ARP:
		set_arp(m, a);
		break;
	case DP_ACTION_SET_ND:
		set_nd(m, a);
		break;
	case DP_ACTION_COPY_TTL:
		copy_ttl(m, a->flags & DP_SET_SRC);
		break;
	case DP_ACTION_OUTPUT:
	case DP_ACTION_USERSPACE:
	case DP_ACTION_CLONE:
	case DP_ACTION_METER:
	case DP_ACTION_TNL_PUSH: /* the datapath runs these itself */
	case DP_ACTION_DATA:
	case DP_ACTION_TNL_POP:
	case DP_ACTION_RECIRC:
	case DP_ACTION__MAX:
		break;
	}
	return DP_ACTION_OK;
}

void
dp_pkt_remark_dscp(struct rte_mbuf *m, uint8_t prec_level)
{
	uint8_t *ip = l3_hdr(m, 20);
	struct dp_action a;
	uint8_t tos, prec;

	if (!ip) {
		return;
	}
	memset(&a, 0, sizeof a);
	a.flags = DP_SET_TOS;
	if ((ip[0] >> 4) == 4) {
		tos = ip[1];
	} else if ((ip[0] >> 4) == 6 && l3_hdr(m, 40)) {
		tos = (uint8_t)((ip[0] & 0x0f) << 4 | ip[1] >> 4);
	} else {
		return;
	}
	prec = (uint8_t)((tos >> 3) & 3);
	prec = (uint8_t)(prec + prec_level > 3 ? 3 : prec + prec_level);
	tos = (uint8_t)((tos & ~0x18) | prec << 3);
	if ((ip[0] >> 4) == 4) {
		a.ipv4.tos = tos;
		set_ipv4(m, &a);
	} else {
		a.ipv6.tc = tos;
		set_ipv6(m, &a);
	}
}
