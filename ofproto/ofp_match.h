/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenFlow matches over the datapath's flow key: the table of matchable
 * fields (their place in struct flow_key, their text names in ovs-ofctl and
 * OXM spelling, their prerequisites and whether set-field may write them),
 * the match itself (a key and a mask, plus the pipeline metadata, which the
 * datapath never sees), and the text form used by switch-ctl.
 *
 * A match holds values already ANDed with its mask. Its in_port is an
 * OpenFlow port number; translation maps datapath ports to those. Pure.
 */
#ifndef VS_OFP_MATCH_H
#define VS_OFP_MATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "ds.h"
#include "flow_key.h"

enum { OFP_ERR_MAX = 256 };

/* Reserved OpenFlow 1.3 port numbers. */
enum {
	OFPP_MAX = 0xffffff00,
	OFPP_IN_PORT = 0xfffffff8,
	OFPP_TABLE = 0xfffffff9,
	OFPP_NORMAL = 0xfffffffa,
	OFPP_FLOOD = 0xfffffffb,
	OFPP_ALL = 0xfffffffc,
	OFPP_CONTROLLER = 0xfffffffd,
	OFPP_LOCAL = 0xfffffffe,
	OFPP_ANY = 0xffffffff,
};

enum mf_id {
	MFF_IN_PORT,
	MFF_METADATA,
	MFF_ETH_SRC,
	MFF_ETH_DST,
	MFF_ETH_TYPE,
	MFF_VLAN_TCI,
	MFF_VLAN_VID, /* OXM form: 0x1000 | vid, 0 for "no tag" */
	MFF_DL_VLAN,  /* ovs-ofctl form: vid, 0xffff for "no tag" */
	MFF_VLAN_PCP,
	MFF_IPV4_SRC,
	MFF_IPV4_DST,
	MFF_IPV6_SRC,
	MFF_IPV6_DST,
	MFF_IPV6_LABEL,
	MFF_IP_PROTO,
	MFF_IP_DSCP, /* the 6 bits, 0-63 */
	MFF_NW_TOS,  /* the DSCP bits in place, 0-252 */
	MFF_IP_ECN,
	MFF_NW_TTL,
	MFF_IP_FRAG,
	MFF_ARP_OP,
	MFF_ARP_SPA,
	MFF_ARP_TPA,
	MFF_ARP_SHA,
	MFF_ARP_THA,
	MFF_TCP_SRC,
	MFF_TCP_DST,
	MFF_UDP_SRC,
	MFF_UDP_DST,
	MFF_SCTP_SRC,
	MFF_SCTP_DST,
	MFF_TP_SRC, /* any of TCP, UDP, SCTP */
	MFF_TP_DST,
	MFF_TCP_FLAGS,
	MFF_ICMPV4_TYPE,
	MFF_ICMPV4_CODE,
	MFF_ICMPV6_TYPE,
	MFF_ICMPV6_CODE,
	MFF_ND_TARGET,
	MFF_ND_SLL,
	MFF_ND_TLL,
	MFF_MPLS_LABEL, /* the first label stack entry's parts */
	MFF_MPLS_TC,
	MFF_MPLS_BOS,
	MFF_MPLS_TTL,
	MFF_PBB_ISID,
	MFF_IPV6_EXTHDR, /* OFPIEH_* flags, kept above the IPv6 flow label */
	MFF_TUN_ID,      /* the tunnel a packet came from (flow_key.h) */
	MFF_TUN_SRC,
	MFF_TUN_DST,
	MFF_TUN_IPV6_SRC, /* the same over an IPv6 underlay */
	MFF_TUN_IPV6_DST,
	/* The registers: pipeline metadata, like MFF_METADATA. */
	MFF_REG0,
	MFF_REG15 = MFF_REG0 + 15,
	MFF_XREG0, /* 64 bits: reg0 in its high half, reg1 in its low half */
	MFF_XREG7 = MFF_XREG0 + 7,
	/* Geneve options: where the bound option map places them (mf_tlv_bind()). */
	MFF_TUN_MD0,
	MFF_TUN_MD15 = MFF_TUN_MD0 + 15,
	MFF_N_IDS,
};

/* What a match must also say before it may match a field. */
enum mf_prereq {
	MFP_NONE,
	MFP_VLAN, /* a tag is present */
	MFP_IPV4,
	MFP_IPV6,
	MFP_IP_ANY,
	MFP_ARP,
	MFP_TCP,
	MFP_UDP,
	MFP_SCTP,
	MFP_L4, /* TCP, UDP or SCTP */
	MFP_ICMPV4,
	MFP_ICMPV6,
	MFP_ND,     /* ICMPv6 type 135 or 136 */
	MFP_ND_SOL, /* ICMPv6 type 135 */
	MFP_ND_ADV, /* ICMPv6 type 136 */
	MFP_MPLS,   /* eth_type 0x8847 or 0x8848 */
	MFP_PBB,    /* eth_type 0x88e7 */
};

enum mf_fmt {
	MFF_FMT_DEC,
	MFF_FMT_HEX,
	MFF_FMT_MAC,
	MFF_FMT_IPV4,
	MFF_FMT_IPV6,
	MFF_FMT_FRAG,
	MFF_FMT_BYTES, /* tun_metadataN: 'size' bytes in 'b', printed in hex */
};

struct mf_field {
	enum mf_id id;
	const char *name;  /* as ovs-ofctl prints it */
	const char *alias; /* the other accepted spelling, or NULL */
	uint8_t ofs;       /* byte offset of the container in struct flow_key */
	uint8_t size;      /* container size: 1, 2, 4 (big endian integers), 6, 16 */
	uint8_t shift;     /* integer containers: the field's lowest bit */
	uint8_t n_bits;    /* the field's width */
	enum mf_fmt fmt;
	enum mf_prereq prereq;
	bool maskable;
	bool settable; /* set_field may write it (the datapath can rewrite it) */
	uint8_t md;    /* pipeline metadata: 1 + its word in struct pipe_md; 0: in the key */
};

/* A field's value: integers up to 64 bits in 'u', addresses in 'b'. */
union mf_value {
	uint64_t u;
	uint8_t b[16];
};

const struct mf_field *mf_from_id(enum mf_id id);
/* By either spelling; NULL if unknown. */
const struct mf_field *mf_from_name(const char *name);

/* tun_metadataN (MFF_TUN_MD0 + N) is a Geneve option that a bridge's map
 * (ofp_tlv.h) names, with the map's length and place in the key's tun_md;
 * matching or setting it also sets bit N of tun_md_present. Which map: the
 * one the calling thread bound last (a copy of it), for the bridge whose
 * messages, flows or packets it handles: each way into a bridge's flows
 * binds its map first (OpenFlow messages and dumps, switch-ctl, its timers,
 * its journal, translation). mf_from_id() and mf_from_name() give such a
 * field with 'size' 0 when the bound map (or none, NULL) does not name it:
 * the callers refuse it (mf_unmapped()). */
struct ofp_tlv_table;
void mf_tlv_bind(const struct ofp_tlv_table *t);
static inline bool
mf_unmapped(const struct mf_field *f)
{
	return f->size == 0;
}
static inline bool
mf_is_tun_md(enum mf_id id)
{
	return id >= MFF_TUN_MD0 && id <= MFF_TUN_MD15;
}
/* Whether values of 'f' are bytes in union mf_value's 'b' (addresses,
 * tun_metadataN), not an integer in 'u'. */
static inline bool
mf_is_bytes(const struct mf_field *f)
{
	return f->size == 6 || f->size == 16 || f->fmt == MFF_FMT_BYTES;
}

/* The pipeline's own fields, which exist only while a packet goes through
 * the flow tables and never reach the datapath: OpenFlow's metadata (word
 * 0) and the sixteen 32-bit registers, xreg N in word 1 + N (reg 2N its
 * high half, reg 2N+1 its low half, as Open vSwitch pairs them). Every
 * packet starts with all of them zero. */
enum { PIPE_MD_U64S = 9, PIPE_MD_XREG0 = 1 };

struct pipe_md {
	uint64_t u64[PIPE_MD_U64S];
};

struct match {
	struct flow_key key, mask;
	struct pipe_md md, md_mask;
};

/* The all-wildcard match. */
void match_init_catchall(struct match *m);

/* Reads field 'f' of 'key' (a metadata field: of 'md', which may be NULL
 * for zeros). */
void mf_get(const struct mf_field *f, const struct flow_key *key, const struct pipe_md *md,
	    union mf_value *v);
/* Writes field 'f' of 'key' (a metadata field: of 'md', which must then
 * not be NULL): the bits of 'mask' take 'v'. A NULL mask means all bits. */
void mf_set(const struct mf_field *f, struct flow_key *key, struct pipe_md *md,
	    const union mf_value *v, const union mf_value *mask);
/* Adds "f = v/mask" to 'm' (mask NULL: exact). */
void match_set(struct match *m, const struct mf_field *f, const union mf_value *v,
	       const union mf_value *mask);
/* True when 'f' is at least partly matched by 'm'. */
bool match_has(const struct match *m, const struct mf_field *f);

/* True if a packet with 'key' and pipeline metadata 'md' matches 'm'. */
static inline bool
match_hits(const struct match *m, const struct flow_key *key, const struct pipe_md *md)
{
	uint64_t diff = 0;

	for (int i = 0; i < PIPE_MD_U64S; i++) {
		diff |= (md->u64[i] & m->md_mask.u64[i]) ^ m->md.u64[i];
	}
	for (int i = 0; i < FLOW_KEY_U64S; i++) {
		diff |= (key->u64[i] & m->mask.u64[i]) ^ m->key.u64[i];
	}
	return diff == 0;
}

/* True if 'a' and 'b' are the same match. */
bool match_equal(const struct match *a, const struct match *b);

/* True if every packet 'sub' matches also matches 'super' (OpenFlow's
 * non-strict comparison). */
bool match_covers(const struct match *super, const struct match *sub);

/* Checks that every field 'm' matches has its prerequisites in 'm'.
 * Returns 0 or -EINVAL with a reason in 'err' (OFP_ERR_MAX bytes). */
int match_check_prereqs(const struct match *m, char *err);

/* Whether the prerequisites of 'f' hold for 'key' (used by set_field:
 * rewriting a TCP port of a UDP packet does nothing). */
bool mf_prereqs_hold(const struct mf_field *f, const struct flow_key *key);

/* Parses a field value "V" or "V/M" in the field's text form. Returns 0 or
 * -EINVAL with a reason. 'mask' is all ones when none is given. */
int mf_parse_value(const struct mf_field *f, const char *s, union mf_value *v, union mf_value *mask,
		   bool *has_mask, char *err);
/* Formats a value (and, unless NULL, a mask) of 'f'. */
void mf_format_value(const struct mf_field *f, const union mf_value *v, const union mf_value *mask,
		     struct ds *out);

/* Port names in text input: 'name_to_port' (may be NULL) returns 0 and
 * the number, or -ENOENT. */
struct ofp_port_names {
	int (*name_to_port)(void *aux, const char *name, uint32_t *port);
	void *aux;
};

/* Parses a port: a number, a reserved name (IN_PORT, NORMAL, FLOOD, ALL,
 * CONTROLLER, LOCAL, ANY, any case) or a port name. */
int ofp_port_parse(const char *s, const struct ofp_port_names *names, uint32_t *port, char *err);
/* Dumps show port numbers, as ovs-ofctl does; names are for input. */
void ofp_port_format(uint32_t port, struct ds *out);

/* Parses one "name=value" or shorthand ("ip", "tcp6", "arp", ...) word of
 * a match into 'm'. Returns 0, -ENOENT if 'name' is not a match field (the
 * caller may know it), or -EINVAL with a reason. */
int match_parse_field(struct match *m, const char *name, const char *value,
		      const struct ofp_port_names *names, char *err);

/* Formats 'm' the way ovs-ofctl prints it ("ip,in_port=1,nw_dst=10.0.0.0/24");
 * the catch-all match prints nothing. */
void match_format(const struct match *m, struct ds *out);

#endif /* VS_OFP_MATCH_H */
