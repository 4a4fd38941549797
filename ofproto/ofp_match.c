/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Matchable fields and OpenFlow matches (ofp_match.h): the field table, value
 * access inside the flow key, prerequisites, and the ovs-ofctl text form.
 */
#include "ofp_match.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ofp_tlv.h"

#define KOFS(f) ((uint8_t)offsetof(struct flow_key, f))
#define KSZ(f) ((uint8_t)sizeof(((struct flow_key *)0)->f))

enum { META_OFS = 0xff };

/* clang-format off */
static const struct mf_field fields[MFF_N_IDS] = {
	[MFF_IN_PORT] = {MFF_IN_PORT, "in_port", NULL, KOFS(in_port), 4, 0, 32, MFF_FMT_DEC, MFP_NONE, false, false, 0},
	[MFF_METADATA] = {MFF_METADATA, "metadata", NULL, META_OFS, 8, 0, 64, MFF_FMT_HEX, MFP_NONE, true, true, 1},
	[MFF_ETH_SRC] = {MFF_ETH_SRC, "dl_src", "eth_src", KOFS(eth_src), 6, 0, 48, MFF_FMT_MAC, MFP_NONE, true, true, 0},
	[MFF_ETH_DST] = {MFF_ETH_DST, "dl_dst", "eth_dst", KOFS(eth_dst), 6, 0, 48, MFF_FMT_MAC, MFP_NONE, true, true, 0},
	[MFF_ETH_TYPE] = {MFF_ETH_TYPE, "dl_type", "eth_type", KOFS(eth_type), 2, 0, 16, MFF_FMT_HEX, MFP_NONE, false, false, 0},
	[MFF_VLAN_TCI] = {MFF_VLAN_TCI, "vlan_tci", NULL, KOFS(vlan_tci), 2, 0, 16, MFF_FMT_HEX, MFP_NONE, true, false, 0},
	[MFF_VLAN_VID] = {MFF_VLAN_VID, "vlan_vid", NULL, KOFS(vlan_tci), 2, 0, 13, MFF_FMT_HEX, MFP_NONE, true, true, 0},
	[MFF_DL_VLAN] = {MFF_DL_VLAN, "dl_vlan", NULL, KOFS(vlan_tci), 2, 0, 12, MFF_FMT_DEC, MFP_NONE, false, true, 0},
	[MFF_VLAN_PCP] = {MFF_VLAN_PCP, "dl_vlan_pcp", "vlan_pcp", KOFS(vlan_tci), 2, 13, 3, MFF_FMT_DEC, MFP_VLAN, false, true, 0},
	[MFF_IPV4_SRC] = {MFF_IPV4_SRC, "nw_src", "ipv4_src", KOFS(nw_src.ipv4), 4, 0, 32, MFF_FMT_IPV4, MFP_IPV4, true, true, 0},
	[MFF_IPV4_DST] = {MFF_IPV4_DST, "nw_dst", "ipv4_dst", KOFS(nw_dst.ipv4), 4, 0, 32, MFF_FMT_IPV4, MFP_IPV4, true, true, 0},
	[MFF_IPV6_SRC] = {MFF_IPV6_SRC, "ipv6_src", NULL, KOFS(nw_src.ipv6), 16, 0, 128, MFF_FMT_IPV6, MFP_IPV6, true, true, 0},
	[MFF_IPV6_DST] = {MFF_IPV6_DST, "ipv6_dst", NULL, KOFS(nw_dst.ipv6), 16, 0, 128, MFF_FMT_IPV6, MFP_IPV6, true, true, 0},
	[MFF_IPV6_LABEL] = {MFF_IPV6_LABEL, "ipv6_label", NULL, KOFS(ipv6_label), 4, 0, 20, MFF_FMT_HEX, MFP_IPV6, true, true, 0},
	[MFF_IP_PROTO] = {MFF_IP_PROTO, "nw_proto", "ip_proto", KOFS(nw_proto), 1, 0, 8, MFF_FMT_DEC, MFP_IP_ANY, false, false, 0},
	[MFF_IP_DSCP] = {MFF_IP_DSCP, "ip_dscp", NULL, KOFS(nw_tos), 1, 2, 6, MFF_FMT_DEC, MFP_IP_ANY, false, true, 0},
	[MFF_NW_TOS] = {MFF_NW_TOS, "nw_tos", NULL, KOFS(nw_tos), 1, 0, 8, MFF_FMT_DEC, MFP_IP_ANY, false, true, 0},
	[MFF_IP_ECN] = {MFF_IP_ECN, "nw_ecn", "ip_ecn", KOFS(nw_tos), 1, 0, 2, MFF_FMT_DEC, MFP_IP_ANY, false, true, 0},
	[MFF_NW_TTL] = {MFF_NW_TTL, "nw_ttl", NULL, KOFS(nw_ttl), 1, 0, 8, MFF_FMT_DEC, MFP_IP_ANY, false, true, 0},
	[MFF_IP_FRAG] = {MFF_IP_FRAG, "nw_frag", "ip_frag", KOFS(nw_frag), 1, 0, 2, MFF_FMT_FRAG, MFP_IP_ANY, true, false, 0},
	[MFF_ARP_OP] = {MFF_ARP_OP, "arp_op", NULL, KOFS(nw_proto), 1, 0, 8, MFF_FMT_DEC, MFP_ARP, false, true, 0},
	[MFF_ARP_SPA] = {MFF_ARP_SPA, "arp_spa", NULL, KOFS(nw_src.ipv4), 4, 0, 32, MFF_FMT_IPV4, MFP_ARP, true, true, 0},
	[MFF_ARP_TPA] = {MFF_ARP_TPA, "arp_tpa", NULL, KOFS(nw_dst.ipv4), 4, 0, 32, MFF_FMT_IPV4, MFP_ARP, true, true, 0},
	[MFF_ARP_SHA] = {MFF_ARP_SHA, "arp_sha", NULL, KOFS(arp_sha), 6, 0, 48, MFF_FMT_MAC, MFP_ARP, true, true, 0},
	[MFF_ARP_THA] = {MFF_ARP_THA, "arp_tha", NULL, KOFS(arp_tha), 6, 0, 48, MFF_FMT_MAC, MFP_ARP, true, true, 0},
	[MFF_TCP_SRC] = {MFF_TCP_SRC, "tcp_src", NULL, KOFS(tp_src), 2, 0, 16, MFF_FMT_DEC, MFP_TCP, true, true, 0},
	[MFF_TCP_DST] = {MFF_TCP_DST, "tcp_dst", NULL, KOFS(tp_dst), 2, 0, 16, MFF_FMT_DEC, MFP_TCP, true, true, 0},
	[MFF_UDP_SRC] = {MFF_UDP_SRC, "udp_src", NULL, KOFS(tp_src), 2, 0, 16, MFF_FMT_DEC, MFP_UDP, true, true, 0},
	[MFF_UDP_DST] = {MFF_UDP_DST, "udp_dst", NULL, KOFS(tp_dst), 2, 0, 16, MFF_FMT_DEC, MFP_UDP, true, true, 0},
	[MFF_SCTP_SRC] = {MFF_SCTP_SRC, "sctp_src", NULL, KOFS(tp_src), 2, 0, 16, MFF_FMT_DEC, MFP_SCTP, true, true, 0},
	[MFF_SCTP_DST] = {MFF_SCTP_DST, "sctp_dst", NULL, KOFS(tp_dst), 2, 0, 16, MFF_FMT_DEC, MFP_SCTP, true, true, 0},
	[MFF_TP_SRC] = {MFF_TP_SRC, "tp_src", NULL, KOFS(tp_src), 2, 0, 16, MFF_FMT_DEC, MFP_L4, true, true, 0},
	[MFF_TP_DST] = {MFF_TP_DST, "tp_dst", NULL, KOFS(tp_dst), 2, 0, 16, MFF_FMT_DEC, MFP_L4, true, true, 0},
	[MFF_TCP_FLAGS] = {MFF_TCP_FLAGS, "tcp_flags", NULL, KOFS(tcp_flags), 2, 0, 12, MFF_FMT_HEX, MFP_TCP, true, false, 0},
	[MFF_ICMPV4_TYPE] = {MFF_ICMPV4_TYPE, "icmp_type", "icmpv4_type", KOFS(tp_src), 2, 0, 8, MFF_FMT_DEC, MFP_ICMPV4, false, true, 0},
	[MFF_ICMPV4_CODE] = {MFF_ICMPV4_CODE, "icmp_code", "icmpv4_code", KOFS(tp_dst), 2, 0, 8, MFF_FMT_DEC, MFP_ICMPV4, false, true, 0},
	[MFF_ICMPV6_TYPE] = {MFF_ICMPV6_TYPE, "icmpv6_type", NULL, KOFS(tp_src), 2, 0, 8, MFF_FMT_DEC, MFP_ICMPV6, false, true, 0},
	[MFF_ICMPV6_CODE] = {MFF_ICMPV6_CODE, "icmpv6_code", NULL, KOFS(tp_dst), 2, 0, 8, MFF_FMT_DEC, MFP_ICMPV6, false, true, 0},
	[MFF_ND_TARGET] = {MFF_ND_TARGET, "nd_target", NULL, KOFS(nd_target), 16, 0, 128, MFF_FMT_IPV6, MFP_ND, true, true, 0},
	[MFF_ND_SLL] = {MFF_ND_SLL, "nd_sll", NULL, KOFS(arp_sha), 6, 0, 48, MFF_FMT_MAC, MFP_ND_SOL, true, true, 0},
	[MFF_ND_TLL] = {MFF_ND_TLL, "nd_tll", NULL, KOFS(arp_tha), 6, 0, 48, MFF_FMT_MAC, MFP_ND_ADV, true, true, 0},
	[MFF_MPLS_LABEL] = {MFF_MPLS_LABEL, "mpls_label", NULL, KOFS(ipv6_label), 4, 12, 20, MFF_FMT_DEC, MFP_MPLS, false, true, 0},
	[MFF_MPLS_TC] = {MFF_MPLS_TC, "mpls_tc", NULL, KOFS(ipv6_label), 4, 9, 3, MFF_FMT_DEC, MFP_MPLS, false, true, 0},
	[MFF_MPLS_BOS] = {MFF_MPLS_BOS, "mpls_bos", NULL, KOFS(ipv6_label), 4, 8, 1, MFF_FMT_DEC, MFP_MPLS, false, true, 0},
	[MFF_MPLS_TTL] = {MFF_MPLS_TTL, "mpls_ttl", NULL, KOFS(ipv6_label), 4, 0, 8, MFF_FMT_DEC, MFP_MPLS, false, true, 0},
	[MFF_PBB_ISID] = {MFF_PBB_ISID, "pbb_isid", NULL, KOFS(ipv6_label), 4, 0, 24, MFF_FMT_DEC, MFP_PBB, true, true, 0},
	[MFF_IPV6_EXTHDR] = {MFF_IPV6_EXTHDR, "ipv6_exthdr", NULL, KOFS(ipv6_label), 4, FLOW_IPV6_EXTHDR_SHIFT, 9, MFF_FMT_HEX, MFP_IPV6, true, false, 0},
	[MFF_TUN_ID] = {MFF_TUN_ID, "tun_id", "tunnel_id", KOFS(tun_id), 8, 0, 64, MFF_FMT_HEX, MFP_NONE, true, true, 0},
	[MFF_TUN_SRC] = {MFF_TUN_SRC, "tun_src", NULL, KOFS(tun_src), 4, 0, 32, MFF_FMT_IPV4, MFP_NONE, true, true, 0},
	[MFF_TUN_DST] = {MFF_TUN_DST, "tun_dst", NULL, KOFS(tun_dst), 4, 0, 32, MFF_FMT_IPV4, MFP_NONE, true, true, 0},
	[MFF_TUN_IPV6_SRC] = {MFF_TUN_IPV6_SRC, "tun_ipv6_src", NULL, KOFS(tun_ipv6_src), 16, 0, 128, MFF_FMT_IPV6, MFP_NONE, true, true, 0},
	[MFF_TUN_IPV6_DST] = {MFF_TUN_IPV6_DST, "tun_ipv6_dst", NULL, KOFS(tun_ipv6_dst), 16, 0, 128, MFF_FMT_IPV6, MFP_NONE, true, true, 0},
	[MFF_REG0 + 0] = {MFF_REG0 + 0, "reg0", NULL, META_OFS, 8, 32, 32, MFF_FMT_HEX, MFP_NONE, true, true, 2},
	[MFF_REG0 + 1] = {MFF_REG0 + 1, "reg1", NULL, META_OFS, 8, 0, 32, MFF_FMT_HEX, MFP_NONE, true, true, 2},
	[MFF_REG0 + 2] = {MFF_REG0 + 2, "reg2", NULL, META_OFS, 8, 32, 32, MFF_FMT_HEX, MFP_NONE, true, true, 3},
	[MFF_REG0 + 3] = {MFF_REG0 + 3, "reg3", NULL, META_OFS, 8, 0, 32, MFF_FMT_HEX, MFP_NONE, true, true, 3},
	[MFF_REG0 + 4] = {MFF_REG0 + 4, "reg4", NULL, META_OFS, 8, 32, 32, MFF_FMT_HEX, MFP_NONE, true, true, 4},
	[MFF_REG0 + 5] = {MFF_REG0 + 5, "reg5", NULL, META_OFS, 8, 0, 32, MFF_FMT_HEX, MFP_NONE, true, true, 4},
	[MFF_REG0 + 6] = {MFF_REG0 + 6, "reg6", NULL, META_OFS, 8, 32, 32, MFF_FMT_HEX, MFP_NONE, true, true, 5},
	[MFF_REG0 + 7] = {MFF_REG0 + 7, "reg7", NULL, META_OFS, 8, 0, 32, MFF_FMT_HEX, MFP_NONE, true, true, 5},
	[MFF_REG0 + 8] = {MFF_REG0 + 8, "reg8", NULL, META_OFS, 8, 32, 32, MFF_FMT_HEX, MFP_NONE, true, true, 6},
	[MFF_REG0 + 9] = {MFF_REG0 + 9, "reg9", NULL, META_OFS, 8, 0, 32, MFF_FMT_HEX, MFP_NONE, true, true, 6},
	[MFF_REG0 + 10] = {MFF_REG0 + 10, "reg10", NULL, META_OFS, 8, 32, 32, MFF_FMT_HEX, MFP_NONE, true, true, 7},
	[MFF_REG0 + 11] = {MFF_REG0 + 11, "reg11", NULL, META_OFS, 8, 0, 32, MFF_FMT_HEX, MFP_NONE, true, true, 7},
	[MFF_REG0 + 12] = {MFF_REG0 + 12, "reg12", NULL, META_OFS, 8, 32, 32, MFF_FMT_HEX, MFP_NONE, true, true, 8},
	[MFF_REG0 + 13] = {MFF_REG0 + 13, "reg13", NULL, META_OFS, 8, 0, 32, MFF_FMT_HEX, MFP_NONE, true, true, 8},
	[MFF_REG0 + 14] = {MFF_REG0 + 14, "reg14", NULL, META_OFS, 8, 32, 32, MFF_FMT_HEX, MFP_NONE, true, true, 9},
	[MFF_REG0 + 15] = {MFF_REG0 + 15, "reg15", NULL, META_OFS, 8, 0, 32, MFF_FMT_HEX, MFP_NONE, true, true, 9},
	[MFF_XREG0 + 0] = {MFF_XREG0 + 0, "xreg0", NULL, META_OFS, 8, 0, 64, MFF_FMT_HEX, MFP_NONE, true, true, 2},
	[MFF_XREG0 + 1] = {MFF_XREG0 + 1, "xreg1", NULL, META_OFS, 8, 0, 64, MFF_FMT_HEX, MFP_NONE, true, true, 3},
	[MFF_XREG0 + 2] = {MFF_XREG0 + 2, "xreg2", NULL, META_OFS, 8, 0, 64, MFF_FMT_HEX, MFP_NONE, true, true, 4},
	[MFF_XREG0 + 3] = {MFF_XREG0 + 3, "xreg3", NULL, META_OFS, 8, 0, 64, MFF_FMT_HEX, MFP_NONE, true, true, 5},
	[MFF_XREG0 + 4] = {MFF_XREG0 + 4, "xreg4", NULL, META_OFS, 8, 0, 64, MFF_FMT_HEX, MFP_NONE, true, true, 6},
	[MFF_XREG0 + 5] = {MFF_XREG0 + 5, "xreg5", NULL, META_OFS, 8, 0, 64, MFF_FMT_HEX, MFP_NONE, true, true, 7},
	[MFF_XREG0 + 6] = {MFF_XREG0 + 6, "xreg6", NULL, META_OFS, 8, 0, 64, MFF_FMT_HEX, MFP_NONE, true, true, 8},
	[MFF_XREG0 + 7] = {MFF_XREG0 + 7, "xreg7", NULL, META_OFS, 8, 0, 64, MFF_FMT_HEX, MFP_NONE, true, true, 9},
};
/* clang-format on */

/* tun_metadataN, as the bound map has it: made afresh at each lookup, in
 * the thread's own slot for N (the map may have changed since). */
static __thread struct ofp_tlv_table tlv_bound; /* a copy: none used: 0 */
static __thread struct mf_field tun_fields[OFP_TLV_FIELDS];
static const char *const tun_names[OFP_TLV_FIELDS] = {
	"tun_metadata0",  "tun_metadata1",  "tun_metadata2",  "tun_metadata3",
	"tun_metadata4",  "tun_metadata5",  "tun_metadata6",  "tun_metadata7",
	"tun_metadata8",  "tun_metadata9",  "tun_metadata10", "tun_metadata11",
	"tun_metadata12", "tun_metadata13", "tun_metadata14", "tun_metadata15",
};

_Static_assert(MFF_TUN_MD15 - MFF_TUN_MD0 + 1 == OFP_TLV_FIELDS &&
		       (int)OFP_TLV_SPACE == (int)FLOW_TUN_MD_LEN,
	       "one field per mapping, the key's room for all");

void
mf_tlv_bind(const struct ofp_tlv_table *t)
{
	if (t) {
		tlv_bound = *t;
	} else {
		memset(&tlv_bound, 0, sizeof tlv_bound);
	}
}

static const struct mf_field *
tun_field(int n)
{
	const struct ofp_tlv_table *t = &tlv_bound;
	bool mapped = t->used >> n & 1 && t->m[n].ofs + t->m[n].len <= FLOW_TUN_MD_LEN;
	struct mf_field *f = &tun_fields[n];

	*f = (struct mf_field){(enum mf_id)(MFF_TUN_MD0 + n),
			       tun_names[n],
			       NULL,
			       (uint8_t)(KOFS(tun_md) + (mapped ? t->m[n].ofs : 0)),
			       mapped ? t->m[n].len : 0,
			       0,
			       (uint8_t)(mapped ? t->m[n].len * 8 : 0),
			       MFF_FMT_BYTES,
			       MFP_NONE,
			       true,
			       true,
			       0};
	return f;
}

const struct mf_field *
mf_from_id(enum mf_id id)
{
	if (mf_is_tun_md(id)) {
		return tun_field(id - MFF_TUN_MD0);
	}
	return (unsigned)id < MFF_N_IDS ? &fields[id] : NULL;
}

const struct mf_field *
mf_from_name(const char *name)
{
	if (!strncasecmp(name, "tun_metadata", 12)) {
		for (int n = 0; n < OFP_TLV_FIELDS; n++) {
			if (!strcasecmp(name, tun_names[n])) {
				return tun_field(n);
			}
		}
		return NULL;
	}
	/* Open vSwitch's names of the IPv4 addresses, beside the OXM ones. */
	if (!strcasecmp(name, "ip_src") || !strcasecmp(name, "ip_dst")) {
		return &fields[name[3] == 's' || name[3] == 'S' ? MFF_IPV4_SRC : MFF_IPV4_DST];
	}
	for (int i = 0; i < MFF_TUN_MD0; i++) {
		if (!strcasecmp(name, fields[i].name) ||
		    (fields[i].alias && !strcasecmp(name, fields[i].alias))) {
			return &fields[i];
		}
	}
	return NULL;
}

void
match_init_catchall(struct match *m)
{
	memset(m, 0, sizeof *m);
}

static uint64_t
field_mask_u(const struct mf_field *f)
{
	return f->n_bits >= 64 ? UINT64_MAX : (1ull << f->n_bits) - 1;
}

static bool
is_int(const struct mf_field *f)
{
	return f->size <= 8 && f->fmt != MFF_FMT_MAC && f->fmt != MFF_FMT_BYTES;
}

static uint64_t
container_get(const struct mf_field *f, const struct flow_key *key)
{
	const uint8_t *p = (const uint8_t *)key + f->ofs;
	uint64_t v = 0;

	if (f->id == MFF_IN_PORT) {
		return key->in_port;
	}
	for (int i = 0; i < f->size; i++) {
		v = v << 8 | p[i];
	}
	return v;
}

static void
container_put(const struct mf_field *f, struct flow_key *key, uint64_t v)
{
	uint8_t *p = (uint8_t *)key + f->ofs;

	if (f->id == MFF_IN_PORT) {
		key->in_port = (uint32_t)v;
		return;
	}
	for (int i = f->size - 1; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

void
mf_get(const struct mf_field *f, const struct flow_key *key, const struct pipe_md *md,
       union mf_value *v)
{
	memset(v, 0, sizeof *v);
	if (f->md) {
		v->u = md ? md->u64[f->md - 1] >> f->shift & field_mask_u(f) : 0;
	} else if (f->id == MFF_DL_VLAN) {
		uint16_t tci = ntohs(key->vlan_tci);

		v->u = tci & FLOW_VLAN_PRESENT ? tci & FLOW_VLAN_VID_MASK : 0xffff;
	} else if (is_int(f)) {
		v->u = container_get(f, key) >> f->shift & field_mask_u(f);
	} else {
		memcpy(v->b, (const uint8_t *)key + f->ofs, f->size);
	}
}

void
mf_set(const struct mf_field *f, struct flow_key *key, struct pipe_md *md, const union mf_value *v,
       const union mf_value *mask)
{
	if (f->md) {
		uint64_t mk = field_mask_u(f) & (mask ? mask->u : UINT64_MAX);
		uint64_t *w = &md->u64[f->md - 1];

		*w = (*w & ~(mk << f->shift)) | ((v->u & mk) << f->shift);
	} else if (f->id == MFF_DL_VLAN) {
		/* Writing a VID: the tag must be there (the caller pushes one). */
		uint16_t tci = ntohs(key->vlan_tci);

		tci = (uint16_t)((tci & ~FLOW_VLAN_VID_MASK) | (v->u & FLOW_VLAN_VID_MASK));
		key->vlan_tci = htons(tci);
	} else if (is_int(f)) {
		uint64_t fm = field_mask_u(f) & (mask ? mask->u : UINT64_MAX);
		uint64_t c = container_get(f, key);

		if (f->id == MFF_NW_TOS) {
			fm &= 0xfc;
		}
		c = (c & ~(fm << f->shift)) | ((v->u & fm) << f->shift);
		container_put(f, key, c);
	} else {
		uint8_t *p = (uint8_t *)key + f->ofs;

		for (int i = 0; i < f->size; i++) {
			uint8_t mk = mask ? mask->b[i] : 0xff;

			p[i] = (uint8_t)((p[i] & ~mk) | (v->b[i] & mk));
		}
		if (mf_is_tun_md(f->id) && f->size) {
			/* The option is there once written (a mask: matched). */
			key->tun_md_present |= (uint16_t)(1u << (f->id - MFF_TUN_MD0));
		}
	}
}

void
match_set(struct match *m, const struct mf_field *f, const union mf_value *v,
	  const union mf_value *mask)
{
	union mf_value ones, val;

	memset(&ones, 0xff, sizeof ones);
	if (!mask) {
		mask = &ones;
	}
	if (f->md) {
		uint64_t mk = field_mask_u(f) & mask->u;

		m->md_mask.u64[f->md - 1] |= mk << f->shift;
		mf_set(f, &m->key, &m->md, v, &(union mf_value){.u = mk});
		return;
	}
	if (f->id == MFF_DL_VLAN) {
		/* dl_vlan=N: a tag with VID N; 0xffff: no tag. */
		uint16_t want = v->u == 0xffff ? 0 : (uint16_t)(FLOW_VLAN_PRESENT | v->u);

		m->mask.vlan_tci |= htons(FLOW_VLAN_PRESENT | FLOW_VLAN_VID_MASK);
		m->key.vlan_tci = (uint16_t)((m->key.vlan_tci & ~htons(0x1fff)) | htons(want));
		return;
	}
	if (f->id == MFF_VLAN_PCP) {
		/* A PCP is only there with a tag. */
		m->mask.vlan_tci |= htons(FLOW_VLAN_PRESENT);
		m->key.vlan_tci |= htons(FLOW_VLAN_PRESENT);
	}
	mf_set(f, &m->mask, NULL, mask, NULL);
	val = *v;
	mf_set(f, &m->key, NULL, &val, mask);
	flow_key_and(&m->key, &m->key, &m->mask);
}

bool
match_has(const struct match *m, const struct mf_field *f)
{
	union mf_value v;

	if (f->md) {
		return (m->md_mask.u64[f->md - 1] >> f->shift & field_mask_u(f)) != 0;
	}
	if (f->id == MFF_DL_VLAN) {
		return (ntohs(m->mask.vlan_tci) & 0x1fff) != 0;
	}
	if (mf_is_tun_md(f->id)) {
		return m->mask.tun_md_present >> (f->id - MFF_TUN_MD0) & 1;
	}
	/* Most fields of most matches are wildcarded: a mask whose bytes
	 * are all zero answers without decoding the field. */
	const uint8_t *p = (const uint8_t *)&m->mask + f->ofs;
	int n = 0;

	while (n < f->size && !p[n]) {
		n++;
	}
	if (n == f->size) {
		return false;
	}
	mf_get(f, &m->mask, 0, &v);
	if (is_int(f)) {
		return v.u != 0;
	}
	for (int i = 0; i < f->size; i++) {
		if (v.b[i]) {
			return true;
		}
	}
	return false;
}

bool
match_equal(const struct match *a, const struct match *b)
{
	return flow_key_equal(&a->key, &b->key) && flow_key_equal(&a->mask, &b->mask) &&
	       !memcmp(&a->md, &b->md, sizeof a->md) &&
	       !memcmp(&a->md_mask, &b->md_mask, sizeof a->md_mask);
}

bool
match_covers(const struct match *super, const struct match *sub)
{
	for (int i = 0; i < PIPE_MD_U64S; i++) {
		if ((super->md_mask.u64[i] & ~sub->md_mask.u64[i]) ||
		    ((sub->md.u64[i] ^ super->md.u64[i]) & super->md_mask.u64[i])) {
			return false;
		}
	}
	for (int i = 0; i < FLOW_KEY_U64S; i++) {
		if ((super->mask.u64[i] & ~sub->mask.u64[i]) ||
		    ((sub->key.u64[i] ^ super->key.u64[i]) & super->mask.u64[i])) {
			return false;
		}
	}
	return true;
}

/* Exact value of an integer field in 'm', or -1 when not matched exactly. */
static int64_t
exact_u(const struct match *m, enum mf_id id)
{
	const struct mf_field *f = &fields[id];
	union mf_value v, mk;

	mf_get(f, &m->mask, 0, &mk);
	if (mk.u != field_mask_u(f)) {
		return -1;
	}
	mf_get(f, &m->key, 0, &v);
	return (int64_t)v.u;
}

static int64_t
key_u(const struct flow_key *k, enum mf_id id)
{
	union mf_value v;

	mf_get(&fields[id], k, 0, &v);
	return (int64_t)v.u;
}

/* The values prerequisites are made of, read once (exact values of a match,
 * or a packet's), -1 for one that is not known. */
struct prereq_vals {
	int64_t type, proto, vid, icmp6_type;
};

static void
prereq_vals(struct prereq_vals *pv, int64_t (*get)(const void *src, enum mf_id id), const void *src)
{
	pv->type = get(src, MFF_ETH_TYPE);
	pv->proto = get(src, MFF_IP_PROTO);
	pv->vid = get(src, MFF_VLAN_VID);
	pv->icmp6_type = get(src, MFF_ICMPV6_TYPE);
}

/* Whether prerequisite 'p' holds for the values 'pv'. */
static bool
prereq_ok(enum mf_prereq p, const struct prereq_vals *pv)
{
	int64_t type = pv->type, proto = pv->proto;
	bool v4 = type == 0x0800, v6 = type == 0x86dd, ip = v4 || v6;

	switch (p) {
	case MFP_NONE:
		return true;
	case MFP_VLAN:
		return (pv->vid & FLOW_VLAN_PRESENT) != 0;
	case MFP_IPV4:
		return v4;
	case MFP_IPV6:
		return v6;
	case MFP_IP_ANY:
		return ip;
	case MFP_ARP:
		return type == 0x0806;
	case MFP_TCP:
		return ip && proto == 6;
	case MFP_UDP:
		return ip && proto == 17;
	case MFP_SCTP:
		return ip && proto == 132;
	case MFP_L4:
		return ip && (proto == 6 || proto == 17 || proto == 132);
	case MFP_ICMPV4:
		return v4 && proto == 1;
	case MFP_ICMPV6:
		return v6 && proto == 58;
	case MFP_ND:
	case MFP_ND_SOL:
	case MFP_ND_ADV: {
		int64_t t = pv->icmp6_type;

		if (!v6 || proto != 58) {
			return false;
		}
		return p == MFP_ND ? t == 135 || t == 136 : t == (p == MFP_ND_SOL ? 135 : 136);
	}
	case MFP_MPLS:
		return type == 0x8847 || type == 0x8848;
	case MFP_PBB:
		return type == 0x88e7;
	}
	return false;
}

static int64_t
get_match(const void *src, enum mf_id id)
{
	const struct match *m = src;

	if (id == MFF_VLAN_VID) {
		/* The tag's presence alone matters here. */
		uint16_t mk = ntohs(m->mask.vlan_tci), v = ntohs(m->key.vlan_tci);

		return mk & FLOW_VLAN_PRESENT ? v & FLOW_VLAN_PRESENT : 0;
	}
	return exact_u(m, id);
}

static int64_t
get_key(const void *src, enum mf_id id)
{
	return key_u(src, id);
}

static const char *
prereq_name(enum mf_prereq p)
{
	static const char *const names[] = {
		[MFP_NONE] = "nothing",
		[MFP_VLAN] = "a VLAN tag (vlan_tci=0x1000/0x1000 or dl_vlan)",
		[MFP_IPV4] = "ip (dl_type=0x0800)",
		[MFP_IPV6] = "ipv6 (dl_type=0x86dd)",
		[MFP_IP_ANY] = "ip or ipv6",
		[MFP_ARP] = "arp (dl_type=0x0806)",
		[MFP_TCP] = "tcp or tcp6 (nw_proto=6)",
		[MFP_UDP] = "udp or udp6 (nw_proto=17)",
		[MFP_SCTP] = "sctp or sctp6 (nw_proto=132)",
		[MFP_L4] = "tcp, udp or sctp",
		[MFP_ICMPV4] = "icmp (ip,nw_proto=1)",
		[MFP_ICMPV6] = "icmp6 (ipv6,nw_proto=58)",
		[MFP_ND] = "icmp6 with icmpv6_type=135 or 136",
		[MFP_ND_SOL] = "icmp6 with icmpv6_type=135",
		[MFP_ND_ADV] = "icmp6 with icmpv6_type=136",
		[MFP_MPLS] = "mpls (dl_type=0x8847 or 0x8848)",
		[MFP_PBB] = "dl_type=0x88e7",
	};
	return names[p];
}

int
match_check_prereqs(const struct match *m, char *err)
{
	_Static_assert(MFF_REG0 <= 64, "one bit per field with prerequisites");
	struct prereq_vals pv;
	uint64_t present = 0;

	uint32_t words = 0;

	/* The fields with prerequisites that the match has, found once; a
	 * field in mask words that are all zero is not even looked at. */
	for (int w = 0; w < FLOW_KEY_U64S; w++) {
		words |= (uint32_t)(m->mask.u64[w] != 0) << w;
	}
	for (int i = 0; i < MFF_REG0; i++) {
		const struct mf_field *f = &fields[i];
		uint32_t span;

		if (f->prereq == MFP_NONE) {
			continue; /* the metadata fields are among them: not in the key */
		}
		span = (2u << ((f->ofs + f->size - 1) / 8)) - (1u << (f->ofs / 8));
		if ((words & span) && match_has(m, f)) {
			present |= 1ull << i;
		}
	}
	if (!present) {
		return 0;
	}
	prereq_vals(&pv, get_match, m);
	for (int i = 0; i < MFF_REG0; i++) {
		const struct mf_field *f = &fields[i];

		if (!(present >> i & 1)) {
			continue;
		}
		/* Fields sharing a container (nw_src and arp_spa, icmp_type and
		 * tp_src) are fine when either one's prerequisites hold. */
		bool ok = prereq_ok(f->prereq, &pv);

		for (int j = 0; !ok && j < MFF_REG0; j++) {
			const struct mf_field *g = &fields[j];

			if ((present >> j & 1) && g->ofs == f->ofs && g->prereq != f->prereq) {
				ok = prereq_ok(g->prereq, &pv);
			}
		}
		if (!ok) {
			snprintf(err, OFP_ERR_MAX, "%s requires %s in the match", f->name,
				 prereq_name(f->prereq));
			return -EINVAL;
		}
	}
	return 0;
}

bool
mf_prereqs_hold(const struct mf_field *f, const struct flow_key *key)
{
	struct prereq_vals pv;

	if (f->prereq == MFP_NONE) {
		return true;
	}
	prereq_vals(&pv, get_key, key);
	return prereq_ok(f->prereq, &pv);
}

/* ---- Text ---- */

static int
parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char end;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &end) != 6) {
		return -EINVAL;
	}
	for (int i = 0; i < 6; i++) {
		if (b[i] > 0xff) {
			return -EINVAL;
		}
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

static int
parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-') {
		return -EINVAL;
	}
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || *end || *v > max ? -EINVAL : 0;
}

static void
prefix_mask(uint8_t *mask, int size, unsigned int plen)
{
	for (int i = 0; i < size; i++) {
		unsigned int bits = plen > 8u * (unsigned)i ? plen - 8u * (unsigned)i : 0;

		mask[i] = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);
	}
}

static int
parse_addr(const struct mf_field *f, const char *val, const char *msk, union mf_value *v,
	   union mf_value *mask)
{
	int family = f->fmt == MFF_FMT_IPV4 ? AF_INET : AF_INET6;
	int size = f->fmt == MFF_FMT_IPV4 ? 4 : 16;
	uint8_t buf[16];
	uint64_t plen;

	if (inet_pton(family, val, buf) != 1) {
		return -EINVAL;
	}
	if (msk && !parse_u64(msk, (uint64_t)size * 8, &plen)) {
		prefix_mask(mask->b, size, (unsigned int)plen);
	} else if (msk && inet_pton(family, msk, mask->b) != 1) {
		return -EINVAL;
	}
	if (size == 4) {
		v->u = (uint64_t)buf[0] << 24 | buf[1] << 16 | buf[2] << 8 | buf[3];
		mask->u = msk ? (uint64_t)mask->b[0] << 24 | mask->b[1] << 16 | mask->b[2] << 8 |
					  mask->b[3]
			      : 0xffffffff;
		memset(mask->b + 8, 0, 8);
	} else {
		memcpy(v->b, buf, 16);
	}
	return 0;
}

static int
parse_frag(const char *s, union mf_value *v, union mf_value *mask)
{
	static const struct {
		const char *name;
		uint8_t value, mask;
	} names[] = {
		{"no", 0, FLOW_FRAG_ANY},
		{"yes", FLOW_FRAG_ANY, FLOW_FRAG_ANY},
		{"first", FLOW_FRAG_ANY, FLOW_FRAG_ANY | FLOW_FRAG_LATER},
		{"later", FLOW_FRAG_ANY | FLOW_FRAG_LATER, FLOW_FRAG_ANY | FLOW_FRAG_LATER},
		{"not_later", 0, FLOW_FRAG_LATER},
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(s, names[i].name)) {
			v->u = names[i].value;
			mask->u = names[i].mask;
			return 0;
		}
	}
	return -EINVAL;
}

/* tcp_flags: a number[/mask] or flags as +syn-ack... */
static int
parse_tcp_flags(const char *s, union mf_value *v, union mf_value *mask, bool *has_mask)
{
	static const char *const names[] = {"fin", "syn", "rst", "psh", "ack",
					    "urg", "ece", "cwr", "ns"};

	if (*s != '+' && *s != '-') {
		return -ENOENT;
	}
	v->u = 0;
	mask->u = 0;
	while (*s) {
		bool on = *s == '+';
		size_t i;

		if (*s != '+' && *s != '-') {
			return -EINVAL;
		}
		s++;
		for (i = 0; i < ARRAY_SIZE(names); i++) {
			size_t n = strlen(names[i]);

			if (!strncmp(s, names[i], n) &&
			    (s[n] == '\0' || s[n] == '+' || s[n] == '-')) {
				mask->u |= 1u << i;
				v->u |= on ? 1u << i : 0;
				s += n;
				break;
			}
		}
		if (i == ARRAY_SIZE(names)) {
			return -EINVAL;
		}
	}
	*has_mask = true;
	return 0;
}

/* A number of up to 'size' bytes, big endian in 'b': 0x and hex digits
 * (leading zeros beyond 'size' allowed), or a decimal. */
static int
parse_bytes(const char *s, int size, uint8_t *b)
{
	size_t n;

	memset(b, 0, (size_t)size);
	if (strncasecmp(s, "0x", 2)) {
		uint64_t u;

		if (parse_u64(s, size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1, &u)) {
			return -EINVAL;
		}
		for (int i = size - 1; i >= 0 && u; i--, u >>= 8) {
			b[i] = (uint8_t)u;
		}
		return 0;
	}
	s += 2;
	n = strlen(s);
	if (!n || strspn(s, "0123456789abcdefABCDEF") != n) {
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		size_t pos = n - 1 - i; /* the i-th digit from the right */
		int d = s[pos] <= '9' ? s[pos] - '0' : (s[pos] | 0x20) - 'a' + 10;

		if (i / 2 >= (size_t)size) {
			if (d) {
				return -EINVAL;
			}
			continue;
		}
		b[size - 1 - i / 2] |= (uint8_t)(i % 2 ? d << 4 : d);
	}
	return 0;
}

static int
parse_one(const struct mf_field *f, const char *val, const char *msk, union mf_value *v,
	  union mf_value *mask)
{
	uint64_t max = field_mask_u(f);

	switch (f->fmt) {
	case MFF_FMT_BYTES:
		return parse_bytes(val, f->size, v->b) ||
				       (msk && parse_bytes(msk, f->size, mask->b))
			       ? -EINVAL
			       : 0;
	case MFF_FMT_MAC:
		if (parse_mac(val, v->b) || (msk && parse_mac(msk, mask->b))) {
			return -EINVAL;
		}
		return 0;
	case MFF_FMT_IPV4:
	case MFF_FMT_IPV6:
		return parse_addr(f, val, msk, v, mask);
	case MFF_FMT_FRAG:
		return msk ? -EINVAL : parse_frag(val, v, mask);
	case MFF_FMT_DEC:
	case MFF_FMT_HEX:
		if (f->id == MFF_DL_VLAN && !strcmp(val, "0xffff")) {
			v->u = 0xffff;
			return msk ? -EINVAL : 0;
		}
		if (parse_u64(val, max, &v->u) || (msk && parse_u64(msk, max, &mask->u))) {
			return -EINVAL;
		}
		return 0;
	}
	return -EINVAL;
}

int
mf_parse_value(const struct mf_field *f, const char *s, union mf_value *v, union mf_value *mask,
	       bool *has_mask, char *err)
{
	char buf[128];
	char *slash;
	int ret;

	memset(v, 0, sizeof *v);
	memset(mask, 0xff, sizeof *mask);
	if (is_int(f)) {
		mask->u = field_mask_u(f);
	}
	*has_mask = false;
	if (snprintf(buf, sizeof buf, "%s", s) >= (int)sizeof buf) {
		snprintf(err, OFP_ERR_MAX, "%s: value too long", f->name);
		return -EINVAL;
	}
	if (f->id == MFF_TCP_FLAGS) {
		ret = parse_tcp_flags(buf, v, mask, has_mask);
		if (ret != -ENOENT) {
			if (ret) {
				snprintf(err, OFP_ERR_MAX,
					 "tcp_flags=%.60s: expected +flag-flag... "
					 "(fin syn rst psh ack urg ece cwr ns) or a number[/mask]",
					 s);
			}
			return ret;
		}
	}
	slash = strchr(buf, '/');
	if (slash) {
		*slash++ = '\0';
		*has_mask = true;
		if (!f->maskable && f->fmt != MFF_FMT_FRAG) {
			snprintf(err, OFP_ERR_MAX, "%s cannot be masked", f->name);
			return -EINVAL;
		}
	}
	if (parse_one(f, buf, slash, v, mask)) {
		snprintf(err, OFP_ERR_MAX, "%s=%.80s: not a valid %s", f->name, s,
			 f->fmt == MFF_FMT_MAC    ? "Ethernet address (xx:xx:xx:xx:xx:xx[/mask])"
			 : f->fmt == MFF_FMT_IPV4 ? "IPv4 address (a.b.c.d[/prefix|/mask])"
			 : f->fmt == MFF_FMT_IPV6 ? "IPv6 address (addr[/prefix|/mask])"
			 : f->fmt == MFF_FMT_FRAG
				 ? "fragment type (no, yes, first, later, not_later)"
				 : "value for this field (out of range?)");
		return -EINVAL;
	}
	if (f->fmt == MFF_FMT_FRAG) {
		*has_mask = true;
	}
	if (f->id == MFF_NW_TOS && (v->u & 3)) {
		snprintf(err, OFP_ERR_MAX, "nw_tos=%s: the low 2 bits (ECN) must be 0; use nw_ecn",
			 s);
		return -EINVAL;
	}
	return 0;
}

static bool
all_ones(const struct mf_field *f, const union mf_value *mask)
{
	if (is_int(f)) {
		return (mask->u & field_mask_u(f)) == field_mask_u(f);
	}
	for (int i = 0; i < f->size; i++) {
		if (mask->b[i] != 0xff) {
			return false;
		}
	}
	return true;
}

/* Prefix length of an address mask, or -1 if it is not a prefix. */
static int
mask_plen(const uint8_t *b, int size)
{
	int plen = 0;

	for (int i = 0; i < size; i++) {
		for (int bit = 7; bit >= 0; bit--) {
			if (b[i] & (1 << bit)) {
				if (plen != i * 8 + 7 - bit) {
					return -1;
				}
				plen++;
			}
		}
	}
	return plen;
}

static void
format_addr(const struct mf_field *f, const union mf_value *v, const union mf_value *mask,
	    struct ds *out)
{
	char txt[INET6_ADDRSTRLEN];
	uint8_t b[16], mb[16];
	int size = f->fmt == MFF_FMT_IPV4 ? 4 : 16;
	int plen;

	if (size == 4) {
		for (int i = 0; i < 4; i++) {
			b[i] = (uint8_t)(v->u >> (24 - 8 * i));
			mb[i] = mask ? (uint8_t)(mask->u >> (24 - 8 * i)) : 0xff;
		}
	} else {
		memcpy(b, v->b, 16);
		memcpy(mb,
		       mask ? mask->b
			    : (const uint8_t *)"\xff\xff\xff\xff\xff\xff\xff\xff"
					       "\xff\xff\xff\xff\xff\xff\xff\xff",
		       16);
	}
	inet_ntop(size == 4 ? AF_INET : AF_INET6, b, txt, sizeof txt);
	ds_put_cstr(out, txt);
	plen = mask_plen(mb, size);
	if (plen == size * 8) {
		return;
	}
	if (plen >= 0) {
		ds_put_format(out, "/%d", plen);
	} else {
		inet_ntop(size == 4 ? AF_INET : AF_INET6, mb, txt, sizeof txt);
		ds_put_format(out, "/%s", txt);
	}
}

/* 0x and the hex digits of a big-endian number, without leading zeros. */
static void
put_bytes(const uint8_t *b, int size, struct ds *out)
{
	int i = 0;

	while (i < size - 1 && !b[i]) {
		i++;
	}
	ds_put_format(out, "0x%x", size ? b[i] : 0);
	while (++i < size) {
		ds_put_format(out, "%02x", b[i]);
	}
}

void
mf_format_value(const struct mf_field *f, const union mf_value *v, const union mf_value *mask,
		struct ds *out)
{
	bool partial = mask && !all_ones(f, mask);

	switch (f->fmt) {
	case MFF_FMT_MAC:
		ds_put_format(out, "%02x:%02x:%02x:%02x:%02x:%02x", v->b[0], v->b[1], v->b[2],
			      v->b[3], v->b[4], v->b[5]);
		if (partial) {
			ds_put_format(out, "/%02x:%02x:%02x:%02x:%02x:%02x", mask->b[0], mask->b[1],
				      mask->b[2], mask->b[3], mask->b[4], mask->b[5]);
		}
		return;
	case MFF_FMT_IPV4:
	case MFF_FMT_IPV6:
		format_addr(f, v, mask, out);
		return;
	case MFF_FMT_FRAG: {
		uint64_t mk = mask ? mask->u : 3;

		ds_put_cstr(out, mk == 3   ? (v->u == 1   ? "first"
					      : v->u == 3 ? "later"
							  : "no")
				 : mk == 1 ? (v->u ? "yes" : "no")
					   : "not_later");
		return;
	}
	case MFF_FMT_BYTES:
		put_bytes(v->b, f->size, out);
		if (partial) {
			ds_put_char(out, '/');
			put_bytes(mask->b, f->size, out);
		}
		return;
	case MFF_FMT_DEC:
		ds_put_format(out, "%" PRIu64, v->u);
		break;
	case MFF_FMT_HEX:
		/* The metadata and registers print 0 as ovs-ofctl does. */
		ds_put_format(out, f->md ? "%#" PRIx64 : "0x%" PRIx64, v->u);
		break;
	}
	if (partial) {
		ds_put_format(out, "/0x%" PRIx64, mask->u & field_mask_u(f));
	}
}

static const struct {
	const char *name;
	uint32_t port;
} reserved_ports[] = {
	{"IN_PORT", OFPP_IN_PORT}, {"TABLE", OFPP_TABLE}, {"NORMAL", OFPP_NORMAL},
	{"FLOOD", OFPP_FLOOD},     {"ALL", OFPP_ALL},     {"CONTROLLER", OFPP_CONTROLLER},
	{"LOCAL", OFPP_LOCAL},     {"ANY", OFPP_ANY},     {"NONE", OFPP_ANY},
};

int
ofp_port_parse(const char *s, const struct ofp_port_names *names, uint32_t *port, char *err)
{
	uint64_t v;

	if (!parse_u64(s, UINT32_MAX, &v)) {
		*port = (uint32_t)v;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(reserved_ports); i++) {
		if (!strcasecmp(s, reserved_ports[i].name)) {
			*port = reserved_ports[i].port;
			return 0;
		}
	}
	if (names && names->name_to_port && !names->name_to_port(names->aux, s, port)) {
		return 0;
	}
	snprintf(err, OFP_ERR_MAX,
		 "%.40s: no such port (a number, a port name, or one of "
		 "IN_PORT NORMAL FLOOD ALL CONTROLLER LOCAL)",
		 s);
	return -EINVAL;
}

void
ofp_port_format(uint32_t port, struct ds *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(reserved_ports); i++) {
		if (port == reserved_ports[i].port) {
			ds_put_cstr(out, reserved_ports[i].name);
			return;
		}
	}
	ds_put_format(out, "%" PRIu32, port);
}

static const struct {
	const char *name;
	uint16_t eth_type;
	int proto; /* -1: none */
} shorthands[] = {
	{"ip", 0x0800, -1},    {"ipv6", 0x86dd, -1},  {"arp", 0x0806, -1},  {"tcp", 0x0800, 6},
	{"mpls", 0x8847, -1},  {"mplsm", 0x8848, -1}, {"udp", 0x0800, 17},  {"sctp", 0x0800, 132},
	{"icmp", 0x0800, 1},   {"tcp6", 0x86dd, 6},   {"udp6", 0x86dd, 17}, {"sctp6", 0x86dd, 132},
	{"icmp6", 0x86dd, 58}, {"ip4", 0x0800, -1},   {"ipv4", 0x0800, -1},
};

int
match_parse_field(struct match *m, const char *name, const char *value,
		  const struct ofp_port_names *names, char *err)
{
	const struct mf_field *f;
	union mf_value v, mask;
	bool has_mask;
	int ret;

	if (!value) {
		for (size_t i = 0; i < ARRAY_SIZE(shorthands); i++) {
			if (!strcmp(name, shorthands[i].name)) {
				v.u = shorthands[i].eth_type;
				match_set(m, &fields[MFF_ETH_TYPE], &v, NULL);
				if (shorthands[i].proto >= 0) {
					v.u = (uint64_t)shorthands[i].proto;
					match_set(m, &fields[MFF_IP_PROTO], &v, NULL);
				}
				return 0;
			}
		}
		return mf_from_name(name)
			       ? (snprintf(err, OFP_ERR_MAX, "%s needs a value", name), -EINVAL)
			       : -ENOENT;
	}
	f = mf_from_name(name);
	if (!f) {
		return -ENOENT;
	}
	if (mf_unmapped(f)) {
		snprintf(err, OFP_ERR_MAX, "%s: no Geneve option is mapped to it (add-tlv-map)",
			 f->name);
		return -EINVAL;
	}
	/* As in ovs-ofctl, nw_src/nw_dst/nw_proto of an ARP match mean its
	 * addresses and opcode. */
	if (exact_u(m, MFF_ETH_TYPE) == 0x0806) {
		f = f->id == MFF_IPV4_SRC   ? &fields[MFF_ARP_SPA]
		    : f->id == MFF_IPV4_DST ? &fields[MFF_ARP_TPA]
		    : f->id == MFF_IP_PROTO ? &fields[MFF_ARP_OP]
					    : f;
	}
	if (f->id == MFF_IN_PORT) {
		uint32_t port;

		ret = ofp_port_parse(value, names, &port, err);
		if (ret) {
			return ret;
		}
		v.u = port;
		match_set(m, f, &v, NULL);
		return 0;
	}
	ret = mf_parse_value(f, value, &v, &mask, &has_mask, err);
	if (ret) {
		return ret;
	}
	if (f->id == MFF_DL_VLAN && v.u != 0xffff && v.u > FLOW_VLAN_VID_MASK) {
		snprintf(err, OFP_ERR_MAX, "dl_vlan=%s: a VLAN id is 0-4095", value);
		return -EINVAL;
	}
	match_set(m, f, &v, has_mask ? &mask : NULL);
	return 0;
}

/* The fields in the order ovs-ofctl prints them. */
static const enum mf_id print_order[] = {
	MFF_REG0,         MFF_REG0 + 1,    MFF_REG0 + 2,    MFF_REG0 + 3,    MFF_REG0 + 4,
	MFF_REG0 + 5,     MFF_REG0 + 6,    MFF_REG0 + 7,    MFF_REG0 + 8,    MFF_REG0 + 9,
	MFF_REG0 + 10,    MFF_REG0 + 11,   MFF_REG0 + 12,   MFF_REG0 + 13,   MFF_REG0 + 14,
	MFF_REG15,        MFF_TUN_ID,      MFF_TUN_SRC,     MFF_TUN_DST,     MFF_TUN_IPV6_SRC,
	MFF_TUN_IPV6_DST, MFF_METADATA,    MFF_IN_PORT,     MFF_ETH_SRC,     MFF_ETH_DST,
	MFF_ETH_TYPE,     MFF_IPV4_SRC,    MFF_IPV4_DST,    MFF_ARP_SPA,     MFF_ARP_TPA,
	MFF_ARP_SHA,      MFF_ARP_THA,     MFF_IPV6_SRC,    MFF_IPV6_DST,    MFF_IPV6_LABEL,
	MFF_IPV6_EXTHDR,  MFF_ND_TARGET,   MFF_ND_SLL,      MFF_ND_TLL,      MFF_IP_PROTO,
	MFF_ARP_OP,       MFF_NW_TOS,      MFF_IP_ECN,      MFF_NW_TTL,      MFF_IP_FRAG,
	MFF_ICMPV4_TYPE,  MFF_ICMPV4_CODE, MFF_ICMPV6_TYPE, MFF_ICMPV6_CODE, MFF_TP_SRC,
	MFF_TP_DST,       MFF_TCP_FLAGS,   MFF_MPLS_LABEL,  MFF_MPLS_TC,     MFF_MPLS_BOS,
	MFF_MPLS_TTL,     MFF_PBB_ISID,
};

static void
put_field(const struct match *m, const struct mf_field *f, bool *first, struct ds *out)
{
	union mf_value v, mk;

	mf_get(f, &m->key, &m->md, &v);
	mf_get(f, &m->mask, &m->md_mask, &mk);
	ds_put_format(out, "%s%s=", *first ? "" : ",", f->name);
	*first = false;
	/* nw_tos covers the DSCP bits only. */
	mf_format_value(f, &v, f->id == MFF_NW_TOS ? NULL : &mk, out);
}

static void
format_vlan(const struct match *m, bool *first, struct ds *out)
{
	uint16_t mk = ntohs(m->mask.vlan_tci), v = ntohs(m->key.vlan_tci);
	const char *sep = *first ? "" : ",";

	if (!mk) {
		return;
	}
	*first = false;
	if ((mk & 0x1fff) == 0x1fff && (mk & 0xe000) == 0 && (v & FLOW_VLAN_PRESENT)) {
		ds_put_format(out, "%sdl_vlan=%u", sep, v & FLOW_VLAN_VID_MASK);
	} else if ((mk & 0x1fff) == 0x1fff && (mk & 0xe000) == 0xe000 && (v & FLOW_VLAN_PRESENT)) {
		ds_put_format(out, "%sdl_vlan=%u,dl_vlan_pcp=%u", sep, v & FLOW_VLAN_VID_MASK,
			      v >> FLOW_VLAN_PCP_SHIFT);
	} else if (mk == (FLOW_VLAN_PRESENT | 0xe000) && (v & FLOW_VLAN_PRESENT)) {
		ds_put_format(out, "%sdl_vlan_pcp=%u", sep, v >> FLOW_VLAN_PCP_SHIFT);
	} else if (mk == 0xffff || mk == 0x1fff) {
		ds_put_format(out, "%svlan_tci=0x%04x%s", sep, v, mk == 0x1fff ? "/0x1fff" : "");
	} else {
		ds_put_format(out, "%svlan_tci=0x%04x/0x%04x", sep, v, mk);
	}
}

/* The tun_metadataN fields 'm' matches, after the tunnel's addresses as
 * ovs-ofctl prints them; one the bound map no longer names prints as the
 * presence it still requires. */
static void
format_tun_md(const struct match *m, bool *first, struct ds *out)
{
	for (int n = 0; n < OFP_TLV_FIELDS; n++) {
		const struct mf_field *f = tun_field(n);

		if (!(m->mask.tun_md_present >> n & 1)) {
			continue;
		}
		if (mf_unmapped(f)) {
			ds_put_format(out, "%s%s=(unmapped)", *first ? "" : ",", f->name);
			*first = false;
			continue;
		}
		put_field(m, f, first, out);
	}
}

void
match_format(const struct match *m, struct ds *out)
{
	int64_t type = exact_u(m, MFF_ETH_TYPE), proto = exact_u(m, MFF_IP_PROTO);
	bool first = true, type_done = false, proto_done = false;
	struct prereq_vals pv;
	/* The Geneve options follow the last tunnel address there is. */
	enum mf_id md_after = MFF_N_IDS;

	for (enum mf_id id = MFF_TUN_DST; id <= MFF_TUN_IPV6_DST; id++) {
		md_after = match_has(m, &fields[id]) ? id : md_after;
	}
	prereq_vals(&pv, get_match, m);
	for (size_t i = 0; i < ARRAY_SIZE(shorthands); i++) {
		if (type == shorthands[i].eth_type &&
		    (shorthands[i].proto < 0 || proto == shorthands[i].proto)) {
			/* Prefer the most specific one (tcp over ip). */
			size_t best = i;

			for (size_t j = i + 1; j < ARRAY_SIZE(shorthands); j++) {
				if (type == shorthands[j].eth_type && shorthands[j].proto >= 0 &&
				    proto == shorthands[j].proto) {
					best = j;
				}
			}
			ds_put_cstr(out, shorthands[best].name);
			first = false;
			type_done = true;
			proto_done = shorthands[best].proto >= 0;
			break;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(print_order); i++) {
		const struct mf_field *f = &fields[print_order[i]];

		if (f->id == MFF_ETH_SRC) {
			format_vlan(m, &first, out);
		}
		if (!match_has(m, f) || (f->id == MFF_ETH_TYPE && type_done) ||
		    (f->id == MFF_IP_PROTO && proto_done)) {
			continue;
		}
		/* Fields sharing a container print under the name that fits. */
		if (f->prereq != MFP_NONE && !prereq_ok(f->prereq, &pv)) {
			bool other = false;

			for (size_t j = 0; j < ARRAY_SIZE(print_order); j++) {
				const struct mf_field *g = &fields[print_order[j]];

				other |= g != f && g->ofs == f->ofs && prereq_ok(g->prereq, &pv);
			}
			if (other) {
				continue;
			}
		}
		if (f->id == MFF_NW_TOS || f->id == MFF_IP_ECN) {
			union mf_value mk;

			mf_get(f, &m->mask, 0, &mk);
			if (f->id == MFF_NW_TOS && !(mk.u & 0xfc)) {
				continue;
			}
		}
		if (f->id == MFF_IN_PORT) {
			ds_put_format(out, "%sin_port=", first ? "" : ",");
			first = false;
			ofp_port_format(m->key.in_port, out);
			continue;
		}
		put_field(m, f, &first, out);
		if (f->id == md_after) {
			format_tun_md(m, &first, out);
		}
	}
	if (md_after == MFF_N_IDS) {
		format_tun_md(m, &first, out);
	}
}
