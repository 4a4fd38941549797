/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenFlow 1.0 to 1.3 and back (ofp_msg10.h). The 1.0 layouts are those of
 * the OpenFlow 1.0.0 specification: a fixed 40-byte match with wildcard
 * bits, 16-bit port numbers, actions without instructions, statistics
 * messages where 1.3 has multipart ones.
 */
#include "ofp_msg10.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ofp_match.h"
#include "ofp_wire.h"
#include "ofproto.h"

/* Message types where 1.0 numbers them differently (the others, 0-14,
 * are the same in both). */
enum {
	T10_PORT_MOD = 15,
	T10_STATS_REQUEST = 16,
	T10_STATS_REPLY = 17,
	T10_BARRIER_REQUEST = 18,
	T10_BARRIER_REPLY = 19,
};

/* 1.0 match wildcards. */
enum {
	W_IN_PORT = 1 << 0,
	W_DL_VLAN = 1 << 1,
	W_DL_SRC = 1 << 2,
	W_DL_DST = 1 << 3,
	W_DL_TYPE = 1 << 4,
	W_NW_PROTO = 1 << 5,
	W_TP_SRC = 1 << 6,
	W_TP_DST = 1 << 7,
	W_NW_SRC_SHIFT = 8,
	W_NW_DST_SHIFT = 14,
	W_DL_VLAN_PCP = 1 << 20,
	W_NW_TOS = 1 << 21,
	W_ALL = (1 << 22) - 1,
	MATCH10_LEN = 40,
	PORT10_LEN = 48,
};

/* 1.0 action types. */
enum {
	A10_OUTPUT,
	A10_SET_VLAN_VID,
	A10_SET_VLAN_PCP,
	A10_STRIP_VLAN,
	A10_SET_DL_SRC,
	A10_SET_DL_DST,
	A10_SET_NW_SRC,
	A10_SET_NW_DST,
	A10_SET_NW_TOS,
	A10_SET_TP_SRC,
	A10_SET_TP_DST,
	A10_ENQUEUE,
};

static size_t
start10(struct obuf *b, uint8_t type, uint32_t xid)
{
	size_t start = ofp_msg_start(b, type, xid);

	b->data[start] = OFP10_VERSION;
	return start;
}

/* ---- Matches ---- */

static void
set_u(struct match *m, enum mf_id id, uint64_t v, const uint64_t *mask)
{
	union mf_value val = {.u = v}, mk;

	if (mask) {
		mk.u = *mask;
	}
	match_set(m, mf_from_id(id), &val, mask ? &mk : NULL);
}

static void
set_b(struct match *m, enum mf_id id, const uint8_t *v, size_t n)
{
	union mf_value val;

	memset(&val, 0, sizeof val);
	memcpy(val.b, v, n);
	match_set(m, mf_from_id(id), &val, NULL);
}

/* An IPv4 address field with 1.0's "how many low bits are wildcarded". */
static void
set_cidr(struct match *m, enum mf_id id, uint32_t addr, uint32_t n_wild)
{
	uint64_t mask;

	if (n_wild >= 32) {
		return;
	}
	mask = (uint32_t)(0xffffffffu << n_wild);
	set_u(m, id, addr & mask, &mask);
}

/* 1.0 leaves out fields whose protocol the match does not name: they are
 * wildcarded, never an error. */
static void
match_from10(const uint8_t *p, struct match *m)
{
	uint32_t w = get32(p);
	uint16_t type = get16(p + 22);
	uint8_t proto = p[25];
	bool ip = !(w & W_DL_TYPE) && type == 0x0800, arp = !(w & W_DL_TYPE) && type == 0x0806;
	bool l4 = ip && !(w & W_NW_PROTO) && (proto == 6 || proto == 17 || proto == 132);
	bool icmp = ip && !(w & W_NW_PROTO) && proto == 1;

	match_init_catchall(m);
	if (!(w & W_IN_PORT)) {
		set_u(m, MFF_IN_PORT, ofp_port_from16(get16(p + 4)), NULL);
	}
	if (!(w & W_DL_SRC)) {
		set_b(m, MFF_ETH_SRC, p + 6, 6);
	}
	if (!(w & W_DL_DST)) {
		set_b(m, MFF_ETH_DST, p + 12, 6);
	}
	if (!(w & W_DL_VLAN)) {
		uint16_t vid = get16(p + 18);

		set_u(m, MFF_DL_VLAN, vid == 0xffff ? 0xffff : vid & FLOW_VLAN_VID_MASK, NULL);
	}
	if (!(w & W_DL_VLAN_PCP) && !(!(w & W_DL_VLAN) && get16(p + 18) == 0xffff)) {
		set_u(m, MFF_VLAN_PCP, p[20] & 7, NULL);
	}
	if (!(w & W_DL_TYPE)) {
		set_u(m, MFF_ETH_TYPE, type, NULL);
	}
	if (ip && !(w & W_NW_TOS)) {
		set_u(m, MFF_IP_DSCP, p[24] >> 2, NULL);
	}
	if ((ip || arp) && !(w & W_NW_PROTO)) {
		set_u(m, arp ? MFF_ARP_OP : MFF_IP_PROTO, proto, NULL);
	}
	if (ip || arp) {
		set_cidr(m, arp ? MFF_ARP_SPA : MFF_IPV4_SRC, get32(p + 28),
			 (w >> W_NW_SRC_SHIFT) & 0x3f);
		set_cidr(m, arp ? MFF_ARP_TPA : MFF_IPV4_DST, get32(p + 32),
			 (w >> W_NW_DST_SHIFT) & 0x3f);
	}
	if ((l4 || icmp) && !(w & W_TP_SRC)) {
		set_u(m, icmp ? MFF_ICMPV4_TYPE : MFF_TP_SRC, get16(p + 36), NULL);
	}
	if ((l4 || icmp) && !(w & W_TP_DST)) {
		set_u(m, icmp ? MFF_ICMPV4_CODE : MFF_TP_DST, get16(p + 38), NULL);
	}
}

/* Field 'id' of 'm' when matched exactly: true and its value. */
static bool
get_exact(const struct match *m, enum mf_id id, union mf_value *v)
{
	const struct mf_field *f = mf_from_id(id);
	union mf_value mk, ones;

	mf_get(f, &m->key, &m->md, v);
	mf_get(f, &m->mask, &m->md_mask, &mk);
	memset(&ones, 0, sizeof ones);
	if (f->size == 6 || f->size == 16) {
		memset(ones.b, 0xff, f->size);
		return !memcmp(mk.b, ones.b, f->size);
	}
	return mk.u == (f->n_bits == 64 ? UINT64_MAX : (1ull << f->n_bits) - 1);
}

/* How many low bits of an IPv4 field's mask are zero (1.0 can say only
 * prefixes: another mask counts as its longest prefix). */
static uint32_t
cidr_wild(const struct match *m, enum mf_id id, uint32_t *addr)
{
	const struct mf_field *f = mf_from_id(id);
	union mf_value v, mk;
	uint32_t n = 0, mask;

	mf_get(f, &m->key, 0, &v);
	mf_get(f, &m->mask, 0, &mk);
	mask = (uint32_t)mk.u;
	while (n < 32 && !(mask & 0x80000000u >> (31 - n))) {
		n++;
	}
	if (n < 32) {
		while (mask != (uint32_t)(0xffffffffu << n)) {
			n++; /* a hole: widen to the prefix that holds */
			if (n == 32) {
				break;
			}
		}
	}
	*addr = (uint32_t)v.u;
	return n >= 32 ? 32 : n;
}

static void
match_to10(struct obuf *b, const struct match *m)
{
	uint8_t *p = obuf_put(b, NULL, MATCH10_LEN);
	uint32_t w = W_ALL, addr;
	union mf_value v;
	bool arp, icmp;

	if (get_exact(m, MFF_IN_PORT, &v)) {
		w &= ~(uint32_t)W_IN_PORT;
		set16(p + 4, ofp_port_to16((uint32_t)v.u));
	}
	if (get_exact(m, MFF_ETH_SRC, &v)) {
		w &= ~(uint32_t)W_DL_SRC;
		memcpy(p + 6, v.b, 6);
	}
	if (get_exact(m, MFF_ETH_DST, &v)) {
		w &= ~(uint32_t)W_DL_DST;
		memcpy(p + 12, v.b, 6);
	}
	if (m->mask.vlan_tci & htons(FLOW_VLAN_PRESENT)) {
		uint16_t tci = ntohs(m->key.vlan_tci);

		if (!(tci & FLOW_VLAN_PRESENT)) {
			w &= ~(uint32_t)W_DL_VLAN;
			set16(p + 18, 0xffff);
		} else if ((ntohs(m->mask.vlan_tci) & FLOW_VLAN_VID_MASK) == FLOW_VLAN_VID_MASK) {
			w &= ~(uint32_t)W_DL_VLAN;
			set16(p + 18, tci & FLOW_VLAN_VID_MASK);
		}
		if ((tci & FLOW_VLAN_PRESENT) &&
		    (ntohs(m->mask.vlan_tci) >> FLOW_VLAN_PCP_SHIFT) == 7) {
			w &= ~(uint32_t)W_DL_VLAN_PCP;
			p[20] = (uint8_t)(tci >> FLOW_VLAN_PCP_SHIFT);
		}
	}
	if (get_exact(m, MFF_ETH_TYPE, &v)) {
		w &= ~(uint32_t)W_DL_TYPE;
		set16(p + 22, (uint16_t)v.u);
	}
	arp = !(w & W_DL_TYPE) && get16(p + 22) == 0x0806;
	if (get_exact(m, MFF_IP_DSCP, &v)) {
		w &= ~(uint32_t)W_NW_TOS;
		p[24] = (uint8_t)(v.u << 2);
	}
	if (get_exact(m, arp ? MFF_ARP_OP : MFF_IP_PROTO, &v)) {
		w &= ~(uint32_t)W_NW_PROTO;
		p[25] = (uint8_t)v.u;
	}
	w = (w & ~(0x3fu << W_NW_SRC_SHIFT)) | cidr_wild(m, arp ? MFF_ARP_SPA : MFF_IPV4_SRC, &addr)
						       << W_NW_SRC_SHIFT;
	set32(p + 28, addr);
	w = (w & ~(0x3fu << W_NW_DST_SHIFT)) | cidr_wild(m, arp ? MFF_ARP_TPA : MFF_IPV4_DST, &addr)
						       << W_NW_DST_SHIFT;
	set32(p + 32, addr);
	/* ICMP's type and code are 1.0's transport ports. */
	icmp = !arp && !(w & W_NW_PROTO) && p[25] == 1;
	if (get_exact(m, icmp ? MFF_ICMPV4_TYPE : MFF_TP_SRC, &v)) {
		w &= ~(uint32_t)W_TP_SRC;
		set16(p + 36, (uint16_t)v.u);
	}
	if (get_exact(m, icmp ? MFF_ICMPV4_CODE : MFF_TP_DST, &v)) {
		w &= ~(uint32_t)W_TP_DST;
		set16(p + 38, (uint16_t)v.u);
	}
	set32(p, w);
}

/* ---- Actions ---- */

static void
set_field(struct ofpact *a, enum mf_id id, const uint8_t *v, size_t n, uint64_t u)
{
	const struct mf_field *f = mf_from_id(id);

	a->type = OFPACT_SET_FIELD;
	a->field = id;
	memset(&a->value, 0, sizeof a->value);
	memset(&a->mask, 0, sizeof a->mask);
	if (v) {
		memcpy(a->value.b, v, n);
		memset(a->mask.b, 0xff, n);
	} else {
		a->value.u = u;
		a->mask.u = (1ull << f->n_bits) - 1;
	}
}

/* The 1.0 actions at 'p' ('len' bytes) as switch actions. */
static enum ofp_err
actions_from10(const uint8_t *p, size_t len, struct ofpact *acts, uint32_t *n)
{
	size_t ofs = 0;

	*n = 0;
	while (ofs < len) {
		uint16_t type, alen;
		struct ofpact *a;

		if (len - ofs < 8 || (alen = get16(p + ofs + 2)) < 8 || alen % 8 ||
		    alen > len - ofs) {
			return OFPERR_BAD_ACTION_LEN;
		}
		if (*n == OFPACT_MAX) {
			return OFPERR_BAD_ACTION_LEN;
		}
		type = get16(p + ofs);
		a = &acts[(*n)++];
		memset(a, 0, sizeof *a);
		switch (type) {
		case A10_OUTPUT:
		case A10_ENQUEUE: /* no queues: the port alone */
			a->type = OFPACT_OUTPUT;
			a->port = ofp_port_from16(get16(p + ofs + 4));
			a->max_len = type == A10_OUTPUT ? get16(p + ofs + 6) : 0;
			if (a->port == 0 || a->port == OFPP_ANY) {
				return OFPERR_BAD_OUT_PORT;
			}
			break;
		case A10_SET_VLAN_VID:
			a->type = OFPACT_MOD_VLAN_VID;
			a->value.u = get16(p + ofs + 4) & FLOW_VLAN_VID_MASK;
			break;
		case A10_SET_VLAN_PCP:
			a->type = OFPACT_MOD_VLAN_PCP;
			a->value.u = p[ofs + 4] & 7;
			break;
		case A10_STRIP_VLAN:
			a->type = OFPACT_POP_VLAN;
			break;
		case A10_SET_DL_SRC:
		case A10_SET_DL_DST:
			if (alen < 16) {
				return OFPERR_BAD_ACTION_LEN;
			}
			set_field(a, type == A10_SET_DL_SRC ? MFF_ETH_SRC : MFF_ETH_DST,
				  p + ofs + 4, 6, 0);
			break;
		case A10_SET_NW_SRC:
		case A10_SET_NW_DST:
			set_field(a, type == A10_SET_NW_SRC ? MFF_IPV4_SRC : MFF_IPV4_DST, NULL, 0,
				  get32(p + ofs + 4));
			break;
		case A10_SET_NW_TOS:
			set_field(a, MFF_IP_DSCP, NULL, 0, p[ofs + 4] >> 2);
			break;
		case A10_SET_TP_SRC:
		case A10_SET_TP_DST:
			set_field(a, type == A10_SET_TP_SRC ? MFF_TP_SRC : MFF_TP_DST, NULL, 0,
				  get16(p + ofs + 4));
			break;
		case OFPAT_EXPERIMENTER: { /* 1.0's vendor action */
			enum ofp_err err = ofp_decode_nx_action(p + ofs, alen, a);

			if (err) {
				return err;
			}
			break;
		}
		default:
			return OFPERR_BAD_ACTION_TYPE;
		}
		ofs += alen;
	}
	return OFPERR_OK;
}

static void
put_action10(struct obuf *b, uint16_t type, uint16_t len)
{
	put16(b, type);
	put16(b, len);
}

/* One switch action in 1.0 (what 1.0 has no action for is left out). */
static void
action_to10(struct obuf *b, const struct ofpact *a)
{
	union mf_value v = a->value;
	uint8_t *p;

	switch (a->type) {
	case OFPACT_OUTPUT:
		put_action10(b, A10_OUTPUT, 8);
		put16(b, ofp_port_to16(a->port));
		put16(b, a->max_len);
		return;
	case OFPACT_MOD_VLAN_VID:
	case OFPACT_MOD_VLAN_PCP:
		put_action10(
			b, a->type == OFPACT_MOD_VLAN_VID ? A10_SET_VLAN_VID : A10_SET_VLAN_PCP, 8);
		if (a->type == OFPACT_MOD_VLAN_VID) {
			put16(b, (uint16_t)v.u);
			put16(b, 0);
		} else {
			put8(b, (uint8_t)v.u);
			obuf_put(b, NULL, 3);
		}
		return;
	case OFPACT_POP_VLAN:
		put_action10(b, A10_STRIP_VLAN, 8);
		put32(b, 0);
		return;
	case OFPACT_RESUBMIT:
	case OFPACT_MOVE:
	case OFPACT_LOAD:
		ofp_encode_nx_action(b, a);
		return;
	case OFPACT_SET_FIELD:
		if (!ofp_set_field_is_whole(a)) {
			ofp_encode_load2(b, a); /* 1.0 has no masked rewrite */
			return;
		}
		break;
	default:
		return;
	}
	switch (a->field) {
	case MFF_ETH_SRC:
	case MFF_ETH_DST:
		put_action10(b, a->field == MFF_ETH_SRC ? A10_SET_DL_SRC : A10_SET_DL_DST, 16);
		p = obuf_put(b, NULL, 12);
		memcpy(p, v.b, 6);
		return;
	case MFF_IPV4_SRC:
	case MFF_IPV4_DST:
		put_action10(b, a->field == MFF_IPV4_SRC ? A10_SET_NW_SRC : A10_SET_NW_DST, 8);
		put32(b, (uint32_t)v.u);
		return;
	case MFF_IP_DSCP:
	case MFF_NW_TOS:
		put_action10(b, A10_SET_NW_TOS, 8);
		put8(b, (uint8_t)(a->field == MFF_IP_DSCP ? v.u << 2 : v.u));
		obuf_put(b, NULL, 3);
		return;
	case MFF_TP_SRC:
	case MFF_TCP_SRC:
	case MFF_UDP_SRC:
	case MFF_TP_DST:
	case MFF_TCP_DST:
	case MFF_UDP_DST: {
		bool src = a->field == MFF_TP_SRC || a->field == MFF_TCP_SRC ||
			   a->field == MFF_UDP_SRC;

		put_action10(b, src ? A10_SET_TP_SRC : A10_SET_TP_DST, 8);
		put16(b, (uint16_t)v.u);
		put16(b, 0);
		return;
	}
	case MFF_DL_VLAN:
	case MFF_VLAN_VID:
		put_action10(b, A10_SET_VLAN_VID, 8);
		put16(b, (uint16_t)(v.u & FLOW_VLAN_VID_MASK));
		put16(b, 0);
		return;
	case MFF_VLAN_PCP:
		put_action10(b, A10_SET_VLAN_PCP, 8);
		put8(b, (uint8_t)v.u);
		obuf_put(b, NULL, 3);
		return;
	default:
		/* No 1.0 action writes it: Nicira's load2, as Open vSwitch
		 * writes it in 1.0. */
		ofp_encode_load2(b, a);
		return;
	}
}

/* ---- 1.0 to 1.3 ---- */

static enum ofp_err
flow_mod_from10(const uint8_t *msg, size_t len, struct obuf *out)
{
	struct ofpact acts[OFPACT_MAX];
	struct ofp_flow_mod fm;
	const uint8_t *body = msg + 8;
	enum ofp_err err;
	uint16_t cmd;
	uint32_t n;

	if (len < 8 + MATCH10_LEN + 24) {
		return OFPERR_BAD_LEN;
	}
	memset(&fm, 0, sizeof fm);
	match_from10(body, &fm.match);
	cmd = get16(body + 48);
	if (cmd > OFPFC_DELETE_STRICT) {
		return OFPERR_FLOW_MOD_BAD_COMMAND;
	}
	fm.command = (enum ofp_flow_mod_cmd)cmd;
	/* 1.0 has one table for the controller: changes go to table 0,
	 * deletes (and modifies) reach every table as 1.3's OFPTT_ALL. */
	fm.table_id = cmd == OFPFC_ADD ? 0 : OFPTT_ALL;
	fm.cookie = get64(body + 40); /* 1.0 deletes and modifies filter on no cookie */
	fm.idle_timeout = get16(body + 50);
	fm.hard_timeout = get16(body + 52);
	fm.priority = get16(body + 54);
	fm.out_port = ofp_port_from16(get16(body + 60));
	fm.flags = get16(body + 62) & 0x3; /* SEND_FLOW_REM, CHECK_OVERLAP */
	fm.out_group = OFPG_ANY;
	err = actions_from10(body + 64, len - 8 - 64, acts, &n);
	if (err) {
		return err;
	}
	ofp_insts_init(&fm.insts);
	fm.insts.apply = acts;
	fm.insts.n_apply = n;
	/* 1.0's SET_TP_SRC/DST become the port of the protocol matched
	 * (1.3 has no other). */
	char why[OFP_ERR_MAX];

	if (cmd != OFPFC_DELETE && cmd != OFPFC_DELETE_STRICT &&
	    ofp_insts_resolve_l4(&fm.insts, &fm.match, why)) {
		return OFPERR_BAD_ACTION_ARGUMENT;
	}
	ofp_encode_flow_mod(out, get32(msg + 4), &fm);
	return OFPERR_OK;
}

static enum ofp_err
packet_out_from10(const uint8_t *msg, size_t len, struct obuf *out)
{
	struct ofpact acts[OFPACT_MAX];
	uint16_t alen;
	enum ofp_err err;
	uint32_t n;
	size_t start, astart;

	if (len < 16 || (alen = get16(msg + 14)) > len - 16) {
		return OFPERR_BAD_LEN;
	}
	err = actions_from10(msg + 16, alen, acts, &n);
	if (err) {
		return err;
	}
	start = ofp_msg_start(out, OFPT_PACKET_OUT, get32(msg + 4));
	put32(out, get32(msg + 8));
	/* 1.0's "no port" (OFPP_NONE) is 1.3's controller. */
	put32(out, get16(msg + 12) == 0xffff ? OFPP_CONTROLLER : ofp_port_from16(get16(msg + 12)));
	astart = out->size;
	put16(out, 0);
	obuf_put(out, NULL, 6);
	for (uint32_t i = 0; i < n; i++) {
		ofp_encode_action(out, &acts[i]);
	}
	set16(out->data + astart, (uint16_t)(out->size - astart - 8));
	obuf_put(out, msg + 16 + alen, len - 16 - alen);
	ofp_msg_end(out, start);
	return OFPERR_OK;
}

static enum ofp_err
stats_from10(const uint8_t *msg, size_t len, struct obuf *out)
{
	uint16_t type = len >= 12 ? get16(msg + 8) : 0;
	const uint8_t *body = msg + 12;
	size_t start;

	if (len < 12) {
		return OFPERR_BAD_LEN;
	}
	start = ofp_msg_start(out, OFPT_MULTIPART_REQUEST, get32(msg + 4));
	put16(out, type == 0xffff ? 0xffff : type);
	put16(out, get16(msg + 10));
	put32(out, 0);
	switch (type) {
	case OFPMP_DESC:
	case OFPMP_TABLE:
	case OFPMP_PORT_DESC: /* Open vSwitch's 1.0 extension */
		break;
	case OFPMP_FLOW:
	case OFPMP_AGGREGATE: {
		struct match m;

		if (len < 12 + MATCH10_LEN + 4) {
			out->size = start;
			return OFPERR_BAD_LEN;
		}
		match_from10(body, &m);
		put8(out, body[40] == 0xff ? 0xff : body[40]);
		obuf_put(out, NULL, 3);
		put32(out, ofp_port_from16(get16(body + 42)));
		put32(out, OFPG_ANY);
		put32(out, 0);
		put64(out, 0);
		put64(out, 0);
		ofp_encode_match(out, &m);
		break;
	}
	case OFPMP_PORT_STATS:
	case OFPMP_QUEUE:
		if (len < 12 + 8) {
			out->size = start;
			return OFPERR_BAD_LEN;
		}
		put32(out, ofp_port_from16(get16(body)));
		put32(out, type == OFPMP_QUEUE ? get32(body + 4) : 0);
		break;
	default:
		/* 1.0 has no other statistics; vendor ones are not known. */
		out->size = start;
		return type == 0xffff ? OFPERR_BAD_EXPERIMENTER : OFPERR_BAD_MULTIPART;
	}
	ofp_msg_end(out, start);
	return OFPERR_OK;
}

enum ofp_err
of10_to_13(const uint8_t *msg, size_t len, struct obuf *out)
{
	uint8_t type = msg[1];
	size_t start;

	switch (type) {
	case OFPT_HELLO:
	case OFPT_ERROR:
	case OFPT_ECHO_REQUEST:
	case OFPT_ECHO_REPLY:
	case OFPT_EXPERIMENTER: /* 1.0's vendor message: answered "unknown" */
	case OFPT_FEATURES_REQUEST:
	case OFPT_GET_CONFIG_REQUEST:
	case OFPT_SET_CONFIG:
		start = out->size;
		obuf_put(out, msg, len);
		out->data[start] = OFP13_VERSION;
		return OFPERR_OK;
	case OFPT_FLOW_MOD:
		return flow_mod_from10(msg, len, out);
	case OFPT_PACKET_OUT:
		return packet_out_from10(msg, len, out);
	case T10_PORT_MOD:
		if (len < 32) {
			return OFPERR_BAD_LEN;
		}
		start = ofp_msg_start(out, OFPT_PORT_MOD, get32(msg + 4));
		put32(out, ofp_port_from16(get16(msg + 8)));
		put32(out, 0);
		obuf_put(out, msg + 10, 6);
		put16(out, 0);
		obuf_put(out, msg + 16, 12); /* config, mask, advertise */
		put32(out, 0);
		ofp_msg_end(out, start);
		return OFPERR_OK;
	case T10_STATS_REQUEST:
		return stats_from10(msg, len, out);
	case T10_BARRIER_REQUEST:
		ofp_msg_end(out, ofp_msg_start(out, OFPT_BARRIER_REQUEST, get32(msg + 4)));
		return OFPERR_OK;
	default:
		return OFPERR_BAD_TYPE;
	}
}

/* ---- 1.3 to 1.0 ---- */

/* 1.3 port features: the speeds are the same bits, the medium and
 * negotiation bits four places higher. */
static uint32_t
features_down(uint32_t f)
{
	return (f & 0x7f) | ((f >> 11 & 0x1f) << 7);
}

static void
port_to10(struct obuf *b, const uint8_t *p)
{
	uint8_t *q = obuf_put(b, NULL, PORT10_LEN);

	set16(q, ofp_port_to16(get32(p)));
	memcpy(q + 2, p + 8, 6);
	memcpy(q + 8, p + 16, 16);
	set32(q + 24, get32(p + 32) & 0x7f);
	set32(q + 28, get32(p + 36) & 1); /* LINK_DOWN; no STP states */
	for (int i = 0; i < 4; i++) {
		set32(q + 32 + 4 * i, features_down(get32(p + 40 + 4 * i)));
	}
}

/* A 1.3 error's type and code in 1.0 (1.0 has fewer of each). */
static void
error_down(uint16_t type, uint16_t code, uint16_t *t10, uint16_t *c10)
{
	switch (type) {
	case 0: /* HELLO_FAILED */
		*t10 = 0, *c10 = code;
		return;
	case 1: /* BAD_REQUEST: 0-8 are the same */
		*t10 = 1, *c10 = code <= 8 ? code : 5;
		return;
	case 2: /* BAD_ACTION: 0-8 the same; out group and set-field kinds */
		*t10 = 2;
		*c10 = code <= 8 ? code : code == 9 ? 4 : code == 13 ? 0 : 5;
		return;
	case 3: /* BAD_INSTRUCTION: 1.0 has actions only */
		*t10 = 2, *c10 = 0;
		return;
	case 4: /* BAD_MATCH */
		*t10 = 3, *c10 = 5;
		return;
	case 5: { /* FLOW_MOD_FAILED */
		static const uint16_t map[] = {5, 0, 5, 1, 2, 3, 4, 5};

		*t10 = 3, *c10 = code < 8 ? map[code] : 5;
		return;
	}
	case 7: /* PORT_MOD_FAILED */
		*t10 = 4, *c10 = code <= 1 ? code : 0;
		return;
	case 9: /* QUEUE_OP_FAILED */
		*t10 = 5, *c10 = code;
		return;
	default:
		*t10 = 1, *c10 = 5; /* BAD_REQUEST/EPERM */
		return;
	}
}

/* One flow entry of a 1.3 flow stats reply ('elen' bytes at 'e') in 1.0. */
static void
flow_entry_to10(struct obuf *b, const uint8_t *e, uint16_t elen)
{
	struct ofp_insts in;
	struct match m;
	size_t used, start = b->size;

	if (elen < 48 || ofp_decode_match(e + 48, elen - 48, &m, &used) ||
	    ofp_decode_insts(e + 48 + used, elen - 48 - used, &in)) {
		return; /* the switch's own encoding: does not happen */
	}
	put16(b, 0);
	put8(b, e[2]);
	put8(b, 0);
	match_to10(b, &m);
	obuf_put(b, e + 4, 8);  /* duration */
	obuf_put(b, e + 12, 6); /* priority, idle and hard timeouts */
	obuf_put(b, NULL, 6);
	obuf_put(b, e + 24, 24); /* cookie, packets, bytes */
	for (uint32_t i = 0; i < in.n_apply; i++) {
		action_to10(b, &in.apply[i]);
	}
	ofp_insts_destroy(&in);
	set16(b->data + start, (uint16_t)(b->size - start));
}

static void
multipart_to10(const uint8_t *msg, size_t len, struct obuf *out)
{
	uint16_t type = get16(msg + 8), flags = get16(msg + 10);
	const uint8_t *body = msg + 16, *end = msg + len;
	size_t start = start10(out, T10_STATS_REPLY, get32(msg + 4));

	put16(out, type);
	put16(out, flags);
	switch (type) {
	case OFPMP_DESC:
	case OFPMP_AGGREGATE:
		obuf_put(out, body, (size_t)(end - body));
		break;
	case OFPMP_FLOW:
		while (end - body >= 48 && get16(body) >= 48 && get16(body) <= end - body) {
			uint16_t elen = get16(body);

			if (out->size - start > 65535 - 4096) {
				/* Past 1.0's message size: go on in another. */
				set16(out->data + start + 10, flags | 1);
				ofp_msg_end(out, start);
				start = start10(out, T10_STATS_REPLY, get32(msg + 4));
				put16(out, type);
				put16(out, flags);
			}
			flow_entry_to10(out, body, elen);
			body += elen;
		}
		break;
	case OFPMP_TABLE:
		for (; end - body >= 24; body += 24) {
			uint8_t *t = obuf_put(out, NULL, 64);
			char name[32];

			t[0] = body[0];
			snprintf(name, sizeof name, "table%u", body[0]);
			memcpy(t + 4, name, strlen(name));
			set32(t + 36, W_ALL);
			set32(t + 40, 1000000);
			memcpy(t + 44, body + 4, 4);  /* active */
			memcpy(t + 48, body + 8, 16); /* lookups, matches */
		}
		break;
	case OFPMP_PORT_STATS:
		for (; end - body >= 112; body += 112) {
			uint8_t *s = obuf_put(out, NULL, 104);

			set16(s, ofp_port_to16(get32(body)));
			memcpy(s + 8, body + 8, 96);
		}
		break;
	case OFPMP_PORT_DESC:
		for (; end - body >= 64; body += 64) {
			port_to10(out, body);
		}
		break;
	default:
		out->size = start; /* nothing 1.0 could have asked for */
		return;
	}
	ofp_msg_end(out, start);
}

void
of13_to_10(const uint8_t *msg, size_t len, struct obuf *out, const struct of10_ports *ports,
	   const uint8_t *request, size_t request_len)
{
	uint32_t xid = get32(msg + 4);
	size_t start;

	switch (msg[1]) {
	case OFPT_HELLO: /* before the versions were agreed: as it was */
		obuf_put(out, msg, len);
		return;
	case OFPT_ECHO_REQUEST:
	case OFPT_ECHO_REPLY:
	case OFPT_GET_CONFIG_REPLY:
		start = out->size;
		obuf_put(out, msg, len);
		out->data[start] = OFP10_VERSION;
		return;
	case OFPT_ERROR: {
		uint16_t t10, c10;

		if (len < 12) {
			return;
		}
		error_down(get16(msg + 8), get16(msg + 10), &t10, &c10);
		start = start10(out, OFPT_ERROR, xid);
		put16(out, t10);
		put16(out, c10);
		if (request && request_len >= 8 && get32(request + 4) == xid) {
			obuf_put(out, request, request_len < 64 ? request_len : 64);
		} else {
			obuf_put(out, msg + 12, len - 12);
		}
		ofp_msg_end(out, start);
		return;
	}
	case OFPT_FEATURES_REPLY: {
		struct obuf p13;

		if (len < 32) {
			return;
		}
		start = start10(out, OFPT_FEATURES_REPLY, xid);
		obuf_put(out, msg + 8, 13); /* datapath id, buffers, tables */
		obuf_put(out, NULL, 3);
		/* Flow, table and port statistics, IP reassembly and queue
		 * statistics as in 1.3; ARP addresses are matched. */
		put32(out, (get32(msg + 24) & 0x67) | 0x80);
		put32(out, (1u << A10_ENQUEUE) - 1); /* every action but enqueue */
		obuf_init(&p13);
		if (ports) {
			ports->fn(ports->aux, &p13);
		}
		for (size_t o = 0; o + 64 <= p13.size; o += 64) {
			port_to10(out, p13.data + o);
		}
		obuf_free(&p13);
		ofp_msg_end(out, start);
		return;
	}
	case OFPT_PACKET_IN: {
		struct match m;
		size_t used;
		union mf_value in_port;

		if (len < 32 || ofp_decode_match(msg + 24, len - 24, &m, &used) ||
		    len < 24 + used + 2) {
			return;
		}
		mf_get(mf_from_id(MFF_IN_PORT), &m.key, 0, &in_port);
		start = start10(out, OFPT_PACKET_IN, xid);
		obuf_put(out, msg + 8, 6); /* buffer id, total length */
		put16(out, ofp_port_to16((uint32_t)in_port.u));
		put8(out, msg[14] == 0 ? 0 : 1); /* no match, or an action */
		put8(out, 0);
		obuf_put(out, msg + 24 + used + 2, len - 24 - used - 2);
		ofp_msg_end(out, start);
		return;
	}
	case OFPT_FLOW_REMOVED: {
		struct match m;
		size_t used;

		if (len < 56 || ofp_decode_match(msg + 48, len - 48, &m, &used)) {
			return;
		}
		start = start10(out, OFPT_FLOW_REMOVED, xid);
		match_to10(out, &m);
		obuf_put(out, msg + 8, 8);  /* cookie */
		obuf_put(out, msg + 16, 2); /* priority */
		put8(out, msg[18]);         /* reason: the first three are 1.0's */
		put8(out, 0);
		obuf_put(out, msg + 20, 8); /* duration */
		obuf_put(out, msg + 28, 2); /* idle timeout */
		put16(out, 0);
		obuf_put(out, msg + 32, 16); /* packets, bytes */
		ofp_msg_end(out, start);
		return;
	}
	case OFPT_PORT_STATUS:
		if (len < 80) {
			return;
		}
		start = start10(out, OFPT_PORT_STATUS, xid);
		obuf_put(out, msg + 8, 8); /* reason, pad */
		port_to10(out, msg + 16);
		ofp_msg_end(out, start);
		return;
	case OFPT_MULTIPART_REPLY:
		if (len >= 16) {
			multipart_to10(msg, len, out);
		}
		return;
	case OFPT_BARRIER_REPLY:
		ofp_msg_end(out, start10(out, T10_BARRIER_REPLY, xid));
		return;
	default:
		return; /* role, async, group and meter replies: not asked in 1.0 */
	}
}
