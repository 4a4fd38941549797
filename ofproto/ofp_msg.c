/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenFlow 1.3 wire codec (ofp_msg.h): OXM matches against the field table
 * of ofp_match.c, actions and instructions against ofp_action.h, and the
 * messages around them (group and meter messages: ofp_msg_group.c; packet
 * I/O, port and flow-removed messages: ofp_msg_events.c). Every length is
 * checked before it is used.
 */
#include "ofp_msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofp_nx.h"
#include "ofp_tlv.h"
#include "ofp_wire.h"

/* ---- Buffers and integers ---- */

void
obuf_init(struct obuf *b)
{
	memset(b, 0, sizeof *b);
}

void
obuf_free(struct obuf *b)
{
	free(b->data);
	obuf_init(b);
}

uint8_t *
obuf_put(struct obuf *b, const void *p, size_t n)
{
	uint8_t *at;

	if (b->size + n > b->alloc) {
		size_t alloc = b->alloc ? b->alloc : 256;
		uint8_t *d;

		while (alloc < b->size + n) {
			alloc *= 2;
		}
		d = realloc(b->data, alloc);
		if (!d) {
			abort(); /* a few KB for a reply: nothing sensible to do */
		}
		b->data = d;
		b->alloc = alloc;
	}
	at = b->data + b->size;
	if (p) {
		memcpy(at, p, n);
	} else {
		memset(at, 0, n);
	}
	b->size += n;
	return at;
}

/* ---- Header ---- */

void
ofp_hdr_decode(const uint8_t *buf, struct ofp_hdr *h)
{
	h->version = buf[0];
	h->type = buf[1];
	h->length = get16(buf + 2);
	h->xid = get32(buf + 4);
}

size_t
ofp_msg_start(struct obuf *b, uint8_t type, uint32_t xid)
{
	size_t start = b->size;
	uint8_t *h = obuf_put(b, NULL, OFP_HEADER_LEN);

	h[0] = OFP13_VERSION;
	h[1] = type;
	set32(h + 4, xid);
	return start;
}

void
ofp_msg_end(struct obuf *b, size_t start)
{
	set16(b->data + start + 2, (uint16_t)(b->size - start));
}

void
ofp_encode_error(struct obuf *b, enum ofp_err err, const uint8_t *req, size_t req_len)
{
	size_t start = ofp_msg_start(b, OFPT_ERROR, req_len >= 8 ? get32(req + 4) : 0);

	if ((err >> 16 & 0x3fff) == OFPERR_NX_TYPE) {
		put16(b, 0xffff); /* OFPET_EXPERIMENTER */
		put16(b, (uint16_t)err);
		put32(b, NX_EXPERIMENTER);
	} else {
		put16(b, (uint16_t)(err >> 16 & 0x3fff));
		put16(b, (uint16_t)err);
	}
	obuf_put(b, req, req_len < 64 ? req_len : 64);
	ofp_msg_end(b, start);
}

void
ofp_encode_hello(struct obuf *b, uint32_t xid)
{
	size_t start = ofp_msg_start(b, OFPT_HELLO, xid);

	put16(b, 1); /* OFPHET_VERSIONBITMAP */
	put16(b, 8);
	put32(b, 1u << OFP15_VERSION | 1u << OFP14_VERSION | 1u << OFP13_VERSION |
			 1u << OFP10_VERSION);
	ofp_msg_end(b, start);
}

enum ofp_err
ofp_decode_hello(const uint8_t *msg, size_t len, uint8_t *version)
{
	size_t ofs = OFP_HEADER_LEN;

	while (ofs + 4 <= len) {
		uint16_t type = get16(msg + ofs), elen = get16(msg + ofs + 2);

		if (elen < 4 || ofs + elen > len) {
			return OFPERR_BAD_LEN;
		}
		if (type == 1) { /* the bitmaps decide: the highest in both */
			uint32_t bits = elen >= 8 ? get32(msg + ofs + 4) : 0;

			*version = bits & (1u << OFP15_VERSION)   ? OFP15_VERSION
				   : bits & (1u << OFP14_VERSION) ? OFP14_VERSION
				   : bits & (1u << OFP13_VERSION) ? OFP13_VERSION
				   : bits & (1u << OFP10_VERSION) ? OFP10_VERSION
								  : 0;
			return *version ? OFPERR_OK : OFPERR_HELLO_INCOMPATIBLE;
		}
		ofs += (elen + 7u) / 8 * 8;
	}
	/* No bitmap: the lower of the two versions, if the switch speaks it. */
	*version = msg[0] >= OFP15_VERSION ? OFP15_VERSION : msg[0];
	switch (*version) {
	case OFP10_VERSION:
	case OFP13_VERSION:
	case OFP14_VERSION:
	case OFP15_VERSION:
		return OFPERR_OK;
	default:
		return OFPERR_HELLO_INCOMPATIBLE;
	}
}

/* ---- OXM ---- */

struct oxm_field {
	uint8_t field; /* OFPXMT_OFB_* */
	enum mf_id id;
	uint8_t len; /* value bytes on the wire */
};

/* The OpenFlow-basic fields the switch matches on, in encoding order. */
static const struct oxm_field oxm_fields[] = {
	{0, MFF_IN_PORT, 4},      {2, MFF_METADATA, 8},     {3, MFF_ETH_DST, 6},
	{4, MFF_ETH_SRC, 6},      {5, MFF_ETH_TYPE, 2},     {6, MFF_VLAN_VID, 2},
	{7, MFF_VLAN_PCP, 1},     {8, MFF_IP_DSCP, 1},      {9, MFF_IP_ECN, 1},
	{10, MFF_IP_PROTO, 1},    {11, MFF_IPV4_SRC, 4},    {12, MFF_IPV4_DST, 4},
	{13, MFF_TCP_SRC, 2},     {14, MFF_TCP_DST, 2},     {15, MFF_UDP_SRC, 2},
	{16, MFF_UDP_DST, 2},     {17, MFF_SCTP_SRC, 2},    {18, MFF_SCTP_DST, 2},
	{19, MFF_ICMPV4_TYPE, 1}, {20, MFF_ICMPV4_CODE, 1}, {21, MFF_ARP_OP, 2},
	{22, MFF_ARP_SPA, 4},     {23, MFF_ARP_TPA, 4},     {24, MFF_ARP_SHA, 6},
	{25, MFF_ARP_THA, 6},     {26, MFF_IPV6_SRC, 16},   {27, MFF_IPV6_DST, 16},
	{28, MFF_IPV6_LABEL, 4},  {29, MFF_ICMPV6_TYPE, 1}, {30, MFF_ICMPV6_CODE, 1},
	{31, MFF_ND_TARGET, 16},  {32, MFF_ND_SLL, 6},      {33, MFF_ND_TLL, 6},
	{34, MFF_MPLS_LABEL, 4},  {35, MFF_MPLS_TC, 1},     {36, MFF_MPLS_BOS, 1},
	{37, MFF_PBB_ISID, 3},    {38, MFF_TUN_ID, 8},      {39, MFF_IPV6_EXTHDR, 2},
};

/* Fields of other OXM classes that Open vSwitch's tools send in OpenFlow
 * 1.3 flow mods: nw_frag, the tunnel addresses and the registers as
 * Nicira (NXM_1) fields (tun_id too, on input),
 * tcp_flags as the ONF experimenter field OpenFlow 1.5 made basic (and as
 * a Nicira field on input), the 64-bit registers as OpenFlow 1.5's
 * packet-register class. The switch writes the forms not marked 'in_only'
 * (a 64-bit register as its two 32-bit halves, as Open vSwitch does). */
struct ext_oxm {
	uint16_t cls;
	uint32_t experimenter; /* class 0xffff: the experimenter id */
	struct oxm_field f;
	bool in_only;
};

enum {
	NXM_TUN_MD_FIELD = 40, /* tun_metadata0's NXM field number */
	OXM_CLASS_NXM1 = 0x0001,
	OXM_CLASS_PKT_REGS = 0x8001,
	OXM_CLASS_EXP = 0xffff,
	ONF_EXPERIMENTER = 0x4f4e4600
};

#define NXM_REG(n)                                               \
	{                                                        \
		OXM_CLASS_NXM1, 0, {n, MFF_REG0 + (n), 4}, false \
	}
#define PKT_XREG(n)                                                  \
	{                                                            \
		OXM_CLASS_PKT_REGS, 0, {n, MFF_XREG0 + (n), 8}, true \
	}

static const struct ext_oxm ext_oxms[] = {
	{OXM_CLASS_NXM1, 0, {26, MFF_IP_FRAG, 1}, false},
	{OXM_CLASS_EXP, ONF_EXPERIMENTER, {42, MFF_TCP_FLAGS, 2}, false},
	{OXM_CLASS_NXM1, 0, {34, MFF_TCP_FLAGS, 2}, true},
	{0x8000, 0, {42, MFF_TCP_FLAGS, 2}, true}, /* OpenFlow 1.5 made it basic */
	{OXM_CLASS_NXM1, 0, {16, MFF_TUN_ID, 8}, true},
	{OXM_CLASS_NXM1, 0, {31, MFF_TUN_SRC, 4}, false},
	{OXM_CLASS_NXM1, 0, {32, MFF_TUN_DST, 4}, false},
	{OXM_CLASS_NXM1, 0, {109, MFF_TUN_IPV6_SRC, 16}, false},
	{OXM_CLASS_NXM1, 0, {110, MFF_TUN_IPV6_DST, 16}, false},
	NXM_REG(0),
	NXM_REG(1),
	NXM_REG(2),
	NXM_REG(3),
	NXM_REG(4),
	NXM_REG(5),
	NXM_REG(6),
	NXM_REG(7),
	NXM_REG(8),
	NXM_REG(9),
	NXM_REG(10),
	NXM_REG(11),
	NXM_REG(12),
	NXM_REG(13),
	NXM_REG(14),
	NXM_REG(15),
	PKT_XREG(0),
	PKT_XREG(1),
	PKT_XREG(2),
	PKT_XREG(3),
	PKT_XREG(4),
	PKT_XREG(5),
	PKT_XREG(6),
	PKT_XREG(7),
};

static const struct ext_oxm *
ext_oxm_find(uint16_t cls, uint32_t experimenter, uint8_t field)
{
	for (size_t i = 0; i < sizeof ext_oxms / sizeof ext_oxms[0]; i++) {
		const struct ext_oxm *e = &ext_oxms[i];

		if (e->cls == cls && e->f.field == field &&
		    (cls != OXM_CLASS_EXP || e->experimenter == experimenter)) {
			return e;
		}
	}
	return NULL;
}

static const struct oxm_field *
oxm_by_field(uint8_t field)
{
	for (size_t i = 0; i < sizeof oxm_fields / sizeof oxm_fields[0]; i++) {
		if (oxm_fields[i].field == field) {
			return &oxm_fields[i];
		}
	}
	return NULL;
}

static bool
bytes_field(const struct mf_field *f)
{
	return mf_is_bytes(f);
}

static void
value_get(const struct oxm_field *o, const uint8_t *p, union mf_value *v)
{
	memset(v, 0, sizeof *v);
	if (bytes_field(mf_from_id(o->id))) {
		memcpy(v->b, p, o->len);
		return;
	}
	for (int i = 0; i < o->len; i++) {
		v->u = v->u << 8 | p[i];
	}
}

static void
value_put(struct obuf *b, const struct oxm_field *o, const union mf_value *v)
{
	uint8_t *p = obuf_put(b, NULL, o->len);

	if (bytes_field(mf_from_id(o->id))) {
		memcpy(p, v->b, o->len);
		return;
	}
	for (int i = o->len - 1, s = 0; i >= 0; i--, s += 8) {
		p[i] = (uint8_t)(v->u >> s);
	}
}

/* The mask of an exact match on (or a full write of) 'f'. */
static void
exact_mask(const struct mf_field *f, union mf_value *m)
{
	/* As the text parser leaves it, so that both compare equal. */
	memset(m, 0xff, sizeof *m);
	if (!bytes_field(f)) {
		m->u = f->n_bits >= 64 ? UINT64_MAX : (1ull << f->n_bits) - 1;
	}
}

/* True when 'm' covers the whole field (a set-field, not a masked one). */
static bool
mask_is_exact(const struct mf_field *f, const union mf_value *m)
{
	uint64_t all = f->n_bits >= 64 ? UINT64_MAX : (1ull << f->n_bits) - 1;

	if (bytes_field(f)) {
		for (int i = 0; i < f->size; i++) {
			if (m->b[i] != 0xff) {
				return false;
			}
		}
		return true;
	}
	return (m->u & all) == all;
}

/* True when 'v' has no bit outside the field's width. */
static bool
value_fits(const struct mf_field *f, const union mf_value *v)
{
	return bytes_field(f) || f->n_bits >= 64 || !(v->u >> f->n_bits);
}

static bool
value_is_ones(const struct mf_field *f, const struct oxm_field *o, const union mf_value *m)
{
	if (bytes_field(f)) {
		for (int i = 0; i < o->len; i++) {
			if (m->b[i] != 0xff) {
				return false;
			}
		}
		return true;
	}
	return f->n_bits >= 64 ? m->u == UINT64_MAX : m->u == (1ull << f->n_bits) - 1;
}

static bool
value_is_zero(const struct mf_field *f, const struct oxm_field *o, const union mf_value *m)
{
	if (bytes_field(f)) {
		for (int i = 0; i < o->len; i++) {
			if (m->b[i]) {
				return false;
			}
		}
		return true;
	}
	return m->u == 0;
}

/* The 'n'-byte value at 'p' (and its mask after it when 'hm'; else all
 * ones) right-aligned in the 'size' bytes of a tun_metadataN field: false
 * if a byte before those is not zero. */
static bool
tun_md_value(const uint8_t *p, unsigned int n, bool hm, unsigned int size, union mf_value *v,
	     union mf_value *mask)
{
	memset(v, 0, sizeof *v);
	memset(mask, hm ? 0 : 0xff, sizeof *mask);
	for (unsigned int i = 0; i < n; i++) {
		uint8_t b = p[i], mb = hm ? p[n + i] : 0xff;

		if (i + size < n) { /* before the mapped bytes: must be zero */
			if (b & mb) {
				return false;
			}
			continue;
		}
		v->b[size - n + i] = b & mb;
		if (hm) {
			mask->b[size - n + i] = mb;
		}
	}
	return true;
}

/* tun_metadataN (NXM class 1, field 40 + N): a value of any length up to
 * Open vSwitch's 124 bytes, right-aligned in the mapped length (longer
 * ones must have leading zeros there); a shorter mask leaves the leading
 * bytes wildcarded. The field must be mapped (the bound map, ofp_match.h). */
static enum ofp_err
decode_tun_md(const uint8_t *p, uint8_t olen, bool hm, enum mf_id id, uint64_t *seen,
	      struct match *m)
{
	const struct mf_field *f = mf_from_id(id);
	unsigned int n = hm ? olen / 2u : olen, size = f->size;
	union mf_value v, mask;

	if (mf_unmapped(f)) {
		return OFPERR_NXFMFC_INVALID_TLV_FIELD;
	}
	if (!n || n > 124 || (hm && olen % 2)) {
		return OFPERR_BAD_MATCH_LEN;
	}
	if (seen[id / 64] & (1ull << id % 64)) {
		return OFPERR_DUP_FIELD;
	}
	seen[id / 64] |= 1ull << id % 64;
	if (!tun_md_value(p, n, hm, size, &v, &mask)) {
		return OFPERR_BAD_VALUE;
	}
	match_set(m, f, &v, &mask);
	return OFPERR_OK;
}

enum ofp_err
ofp_decode_match(const uint8_t *p, size_t len, struct match *m, size_t *used)
{
	uint16_t type, mlen;
	uint64_t seen[(MFF_N_IDS + 63) / 64] = {0};
	size_t ofs = 4;
	char err[OFP_ERR_MAX];

	match_init_catchall(m);
	if (len < 4) {
		return OFPERR_BAD_MATCH_LEN;
	}
	type = get16(p);
	mlen = get16(p + 2);
	if (type != 1) {
		return OFPERR_BAD_MATCH_TYPE;
	}
	if (mlen < 4 || (mlen + 7u) / 8 * 8 > len) {
		return OFPERR_BAD_MATCH_LEN;
	}
	const struct mf_field *got[MFF_N_IDS]; /* each at most once (seen) */
	size_t n_got = 0;

	while (ofs < mlen) {
		const struct oxm_field *o;
		const struct mf_field *f;
		union mf_value v, mask;
		uint16_t cls;
		uint8_t field, olen, exp_len = 0;
		bool hm;

		if (ofs + 4 > mlen) {
			return OFPERR_BAD_MATCH_LEN;
		}
		cls = get16(p + ofs);
		field = p[ofs + 2] >> 1;
		hm = p[ofs + 2] & 1;
		olen = p[ofs + 3];
		if (ofs + 4 + olen > mlen) {
			return OFPERR_BAD_MATCH_LEN;
		}
		if (cls == OXM_CLASS_NXM1 && field >= NXM_TUN_MD_FIELD &&
		    field < NXM_TUN_MD_FIELD + OFP_TLV_FIELDS) {
			enum ofp_err e = decode_tun_md(
				p + ofs + 4, olen, hm,
				(enum mf_id)(MFF_TUN_MD0 + field - NXM_TUN_MD_FIELD), seen, m);

			if (e) {
				return e;
			}
			ofs += 4u + olen;
			continue;
		}
		if (cls == 0x8000 && (o = oxm_by_field(field)) != NULL) {
			/* a field OpenFlow 1.3 names */
		} else {
			const struct ext_oxm *e;

			if (cls == OXM_CLASS_EXP) {
				if (olen < 4) {
					return OFPERR_BAD_MATCH_LEN;
				}
				exp_len = 4;
			}
			e = ext_oxm_find(cls, exp_len ? get32(p + ofs + 4) : 0, field);
			o = e ? &e->f : NULL;
		}
		if (!o) {
			return OFPERR_BAD_FIELD;
		}
		f = mf_from_id(o->id);
		if (olen != exp_len + (hm ? 2 * o->len : o->len)) {
			return OFPERR_BAD_MATCH_LEN;
		}
		if (seen[f->id / 64] & (1ull << f->id % 64)) {
			return OFPERR_DUP_FIELD;
		}
		seen[f->id / 64] |= 1ull << f->id % 64;
		if (hm && !f->maskable) {
			return OFPERR_BAD_MASK;
		}
		value_get(o, p + ofs + 4 + exp_len, &v);
		if (hm) {
			value_get(o, p + ofs + 4 + exp_len + o->len, &mask);
		} else {
			exact_mask(f, &mask);
		}
		if (!value_fits(f, &v) || !value_fits(f, &mask)) {
			return OFPERR_BAD_VALUE;
		}
		match_set(m, f, &v, &mask);
		got[n_got++] = f;
		ofs += 4u + olen;
	}
	/* Each field's own prerequisites: a TCP port with ip_proto 1 is not an
	 * ICMP code, though both live in the same part of the key. */
	for (size_t i = 0; i < n_got; i++) {
		if (!mf_prereqs_hold(got[i], &m->key)) {
			return OFPERR_BAD_PREREQ;
		}
	}
	if (match_check_prereqs(m, err)) {
		return OFPERR_BAD_PREREQ;
	}
	*used = (mlen + 7u) / 8 * 8;
	return OFPERR_OK;
}

void
ofp_encode_match(struct obuf *b, const struct match *m)
{
	size_t start = b->size;

	put16(b, 1); /* OFPMT_OXM */
	put16(b, 0);
	for (size_t i = 0; i < sizeof oxm_fields / sizeof oxm_fields[0]; i++) {
		const struct oxm_field *o = &oxm_fields[i];
		const struct mf_field *f = mf_from_id(o->id);
		union mf_value v, mask;
		bool exact;

		mf_get(f, &m->key, &m->md, &v);
		mf_get(f, &m->mask, &m->md_mask, &mask);
		if (value_is_zero(f, o, &mask) ||
		    (f->prereq != MFP_NONE && !mf_prereqs_hold(f, &m->key))) {
			continue;
		}
		exact = value_is_ones(f, o, &mask) || !f->maskable;
		put16(b, 0x8000);
		put8(b, (uint8_t)(o->field << 1 | !exact));
		put8(b, (uint8_t)(exact ? o->len : 2 * o->len));
		value_put(b, o, &v);
		if (!exact) {
			value_put(b, o, &mask);
		}
	}
	for (size_t i = 0; i < sizeof ext_oxms / sizeof ext_oxms[0]; i++) {
		const struct ext_oxm *e = &ext_oxms[i];
		const struct mf_field *f = mf_from_id(e->f.id);
		bool exp = e->cls == OXM_CLASS_EXP, exact;
		union mf_value v, mask;

		mf_get(f, &m->key, &m->md, &v);
		mf_get(f, &m->mask, &m->md_mask, &mask);
		if (e->in_only || value_is_zero(f, &e->f, &mask) || !mf_prereqs_hold(f, &m->key)) {
			continue;
		}
		exact = value_is_ones(f, &e->f, &mask);
		put16(b, e->cls);
		put8(b, (uint8_t)(e->f.field << 1 | !exact));
		put8(b, (uint8_t)((exp ? 4 : 0) + (exact ? e->f.len : 2 * e->f.len)));
		if (exp) {
			put32(b, e->experimenter);
		}
		value_put(b, &e->f, &v);
		if (!exact) {
			value_put(b, &e->f, &mask);
		}
	}
	for (int n = 0; n < OFP_TLV_FIELDS; n++) {
		const struct mf_field *f = mf_from_id((enum mf_id)(MFF_TUN_MD0 + n));
		union mf_value v, mask;
		bool exact = true;

		if (!(m->mask.tun_md_present >> n & 1) || mf_unmapped(f)) {
			continue;
		}
		mf_get(f, &m->key, NULL, &v);
		mf_get(f, &m->mask, NULL, &mask);
		for (int i = 0; i < f->size; i++) {
			exact &= mask.b[i] == 0xff;
		}
		put16(b, OXM_CLASS_NXM1);
		put8(b, (uint8_t)((NXM_TUN_MD_FIELD + n) << 1 | !exact));
		put8(b, (uint8_t)(exact ? f->size : 2 * f->size));
		obuf_put(b, v.b, f->size);
		if (!exact) {
			obuf_put(b, mask.b, f->size);
		}
	}
	set16(b->data + start + 2, (uint16_t)(b->size - start));
	pad_to8(b, start);
}

/* ---- Actions and instructions ---- */

/* A write of tun_metadataN, of decode_tun_md()'s lengths and values. */
static enum ofp_err
decode_tun_md_write(const uint8_t *p, size_t room, bool maskable, struct ofpact *a)
{
	enum mf_id id = (enum mf_id)(MFF_TUN_MD0 + (p[2] >> 1) - NXM_TUN_MD_FIELD);
	const struct mf_field *f = mf_from_id(id);
	bool hm = p[2] & 1;
	unsigned int olen = p[3], n = hm ? olen / 2 : olen, size = f->size;

	if (hm && !maskable) {
		return OFPERR_BAD_SET_TYPE;
	}
	if (!n || n > 124 || (hm && olen % 2) || 4u + olen > room) {
		return OFPERR_BAD_SET_LEN;
	}
	if (mf_unmapped(f)) {
		return OFPERR_NXFMFC_INVALID_TLV_FIELD;
	}
	if (!tun_md_value(p + 4, n, hm, size, &a->value, &a->mask)) {
		return OFPERR_BAD_SET_ARGUMENT;
	}
	a->type = OFPACT_SET_FIELD;
	a->field = id;
	return OFPERR_OK;
}

/* The field an OXM TLV at 'p' writes, with its value (and mask, when
 * 'maskable' allows one): a set-field's, or a Nicira load2's. 'room' bytes
 * are there. An OpenFlow basic field, one of ext_oxms, or a Nicira NXM
 * field. */
static enum ofp_err
decode_oxm_write(const uint8_t *p, size_t room, bool maskable, struct ofpact *a)
{
	struct oxm_field o;
	const struct mf_field *f;
	uint16_t cls;
	uint8_t olen, exp_len = 0;
	bool hm;

	if (room < 4) {
		return OFPERR_BAD_SET_LEN;
	}
	cls = get16(p);
	hm = p[2] & 1;
	olen = p[3];
	if (cls == OXM_CLASS_NXM1 && p[2] >> 1 >= NXM_TUN_MD_FIELD &&
	    p[2] >> 1 < NXM_TUN_MD_FIELD + OFP_TLV_FIELDS) {
		return decode_tun_md_write(p, room, maskable, a);
	}
	if (cls == 0x8000 && oxm_by_field(p[2] >> 1)) {
		o = *oxm_by_field(p[2] >> 1);
	} else {
		const struct ext_oxm *e;

		if (cls == OXM_CLASS_EXP) {
			if (room < 8 || olen < 4) {
				return OFPERR_BAD_SET_LEN;
			}
			exp_len = 4;
		}
		e = ext_oxm_find(cls, exp_len ? get32(p + 4) : 0, p[2] >> 1);
		if (e) {
			o = e->f;
		} else if (exp_len || !nx_header_field(get32(p), &o.id, &o.len)) {
			return OFPERR_BAD_SET_TYPE;
		}
	}
	f = mf_from_id(o.id);
	if ((hm && (!maskable || o.id == MFF_VLAN_VID)) || !f->settable) {
		return OFPERR_BAD_SET_TYPE;
	}
	if (olen != exp_len + (hm ? 2 : 1) * o.len || 4u + olen > room) {
		return OFPERR_BAD_SET_LEN;
	}
	a->type = OFPACT_SET_FIELD;
	a->field = o.id;
	value_get(&o, p + 4 + exp_len, &a->value);
	if (hm) {
		value_get(&o, p + 4 + exp_len + o.len, &a->mask);
	} else {
		exact_mask(f, &a->mask);
	}
	if (!value_fits(f, &a->value) || !value_fits(f, &a->mask)) {
		return OFPERR_BAD_SET_ARGUMENT;
	}
	if (hm) {
		/* Only the bits under the mask are written: keep just those,
		 * as the text form does. */
		for (size_t i = 0; i < sizeof a->value.b; i++) {
			a->value.b[i] &= a->mask.b[i];
		}
	}
	if (o.id == MFF_VLAN_VID) {
		/* With or without OFPVID_PRESENT, the VID is what is written:
		 * the text form's field. */
		a->field = MFF_DL_VLAN;
		a->value.u &= FLOW_VLAN_VID_MASK;
		a->mask.u = FLOW_VLAN_VID_MASK;
	}
	return OFPERR_OK;
}

static enum ofp_err
decode_set_field(const uint8_t *p, uint16_t alen, struct ofpact *a)
{
	return alen < 8 + 4 ? OFPERR_BAD_ACTION_LEN : decode_oxm_write(p + 4, alen - 4u, false, a);
}

enum ofp_err
ofp_decode_actions(const uint8_t *p, size_t len, struct ofpact **out, uint32_t *n_out, int where)
{
	bool packet_out = where == ACTS_PACKET_OUT;
	struct ofpact *acts = calloc(OFPACT_MAX, sizeof *acts);
	enum ofp_err err = OFPERR_OK;
	uint32_t n = 0;
	size_t ofs = 0;

	if (!acts) {
		return OFPERR_FLOW_MOD_UNKNOWN;
	}
	while (!err && ofs < len) {
		uint16_t type, alen;
		struct ofpact *a = &acts[n];

		if (ofs + 4 > len || (alen = get16(p + ofs + 2)) < 8 || alen % 8 ||
		    ofs + alen > len) {
			err = OFPERR_BAD_ACTION_LEN;
			break;
		}
		if (n == OFPACT_MAX) {
			err = OFPERR_BAD_ACTION_LEN;
			break;
		}
		type = get16(p + ofs);
		switch (type) {
		case OFPAT_OUTPUT:
			if (alen != 16) {
				err = OFPERR_BAD_ACTION_LEN;
				break;
			}
			a->type = OFPACT_OUTPUT;
			a->port = get32(p + ofs + 4);
			a->max_len = get16(p + ofs + 8);
			if (a->port == 0 || (a->port >= OFPP_MAX && a->port < OFPP_IN_PORT) ||
			    a->port == OFPP_ANY || (a->port == OFPP_TABLE && !packet_out)) {
				err = OFPERR_BAD_OUT_PORT;
			}
			break;
		case OFPAT_PUSH_VLAN:
			a->type = OFPACT_PUSH_VLAN;
			a->ethertype = get16(p + ofs + 4);
			if (a->ethertype != 0x8100 && a->ethertype != 0x88a8) {
				err = OFPERR_BAD_ACTION_ARGUMENT;
			}
			break;
		case OFPAT_POP_VLAN:
			a->type = OFPACT_POP_VLAN;
			break;
		case OFPAT_DEC_NW_TTL:
			a->type = OFPACT_DEC_TTL;
			break;
		case OFPAT_DEC_MPLS_TTL:
			a->type = OFPACT_DEC_MPLS_TTL;
			break;
		case OFPAT_COPY_TTL_OUT:
			a->type = OFPACT_COPY_TTL_OUT;
			break;
		case OFPAT_COPY_TTL_IN:
			a->type = OFPACT_COPY_TTL_IN;
			break;
		case OFPAT_POP_PBB:
			a->type = OFPACT_POP_PBB;
			break;
		case OFPAT_SET_NW_TTL:
		case OFPAT_SET_MPLS_TTL:
			a->type =
				type == OFPAT_SET_NW_TTL ? OFPACT_SET_NW_TTL : OFPACT_SET_MPLS_TTL;
			a->value.u = p[ofs + 4];
			break;
		case OFPAT_PUSH_MPLS:
		case OFPAT_POP_MPLS:
		case OFPAT_PUSH_PBB:
			a->type = type == OFPAT_PUSH_MPLS  ? OFPACT_PUSH_MPLS
				  : type == OFPAT_POP_MPLS ? OFPACT_POP_MPLS
							   : OFPACT_PUSH_PBB;
			a->ethertype = get16(p + ofs + 4);
			if ((type == OFPAT_PUSH_MPLS && a->ethertype != 0x8847 &&
			     a->ethertype != 0x8848) ||
			    (type == OFPAT_PUSH_PBB && a->ethertype != 0x88e7)) {
				err = OFPERR_BAD_ACTION_ARGUMENT;
			}
			break;
		case OFPAT_SET_FIELD:
			err = decode_set_field(p + ofs, alen, a);
			break;
		case OFPAT_EXPERIMENTER:
			err = ofp_decode_nx_action(p + ofs, alen, a);
			break;
		case OFPAT_SET_QUEUE:
			a->type = OFPACT_SET_QUEUE;
			a->port = get32(p + ofs + 4);
			err = alen != 8 ? OFPERR_BAD_ACTION_LEN : OFPERR_OK;
			break;
		case OFPAT_GROUP:
			a->type = OFPACT_GROUP;
			a->port = get32(p + ofs + 4);
			if (where == ACTS_BUCKET) {
				err = OFPERR_GROUP_CHAINING_UNSUPPORTED;
			} else if (alen != 8 || a->port > OFPG_MAX) {
				err = alen != 8 ? OFPERR_BAD_ACTION_LEN : OFPERR_BAD_OUT_GROUP;
			}
			break;
		default:
			err = OFPERR_BAD_ACTION_TYPE;
			break;
		}
		n++;
		ofs += alen;
	}
	if (err) {
		free(acts);
		return err;
	}
	*out = acts;
	*n_out = n;
	return OFPERR_OK;
}

enum ofp_err
ofp_decode_nx_action(const uint8_t *p, uint16_t alen, struct ofpact *a)
{
	uint16_t subtype;

	if (alen < 16) {
		return OFPERR_BAD_ACTION_LEN;
	}
	if (get32(p + 4) != NX_EXPERIMENTER) {
		return OFPERR_BAD_ACTION_EXPERIMENTER;
	}
	subtype = get16(p + 8);
	if (subtype == NXAST_REG_MOVE || subtype == NXAST_REG_LOAD) {
		return nx_decode_field_action(p, alen, a);
	}
	if (subtype == NXAST_REG_LOAD2) {
		/* The OXM TLV, then zeros to a multiple of 8 bytes. */
		enum ofp_err e = decode_oxm_write(p + 10, alen - 10u, true, a);

		if (!e && (10u + 4 + p[13] + 7) / 8 * 8 != alen) {
			e = OFPERR_BAD_ACTION_LEN;
		}
		return e;
	}
	if (subtype != NXAST_RESUBMIT && subtype != NXAST_RESUBMIT_TABLE) {
		return OFPERR_BAD_ACTION_EXP_TYPE;
	}
	a->type = OFPACT_RESUBMIT;
	a->port = ofp_port_from16(get16(p + 10));
	a->table = subtype == NXAST_RESUBMIT_TABLE ? p[12] : 0xff;
	return a->port == OFPP_ANY || a->port == 0 ? OFPERR_BAD_OUT_PORT : OFPERR_OK;
}

void
ofp_encode_nx_action(struct obuf *b, const struct ofpact *a)
{
	if (a->type == OFPACT_MOVE || a->type == OFPACT_LOAD) {
		nx_encode_field_action(b, a);
		return;
	}
	put16(b, OFPAT_EXPERIMENTER);
	put16(b, 16);
	put32(b, NX_EXPERIMENTER);
	put16(b, NXAST_RESUBMIT_TABLE);
	put16(b, ofp_port_to16(a->port));
	put8(b, a->table);
	obuf_put(b, NULL, 3);
}

enum ofp_err
ofp_decode_insts(const uint8_t *p, size_t len, struct ofp_insts *in)
{
	enum ofp_err err = OFPERR_OK;
	unsigned int seen = 0;
	size_t ofs = 0;

	ofp_insts_init(in);
	while (!err && ofs < len) {
		uint16_t type, ilen;

		if (ofs + 4 > len || (ilen = get16(p + ofs + 2)) < 8 || ilen % 8 ||
		    ofs + ilen > len) {
			err = OFPERR_INST_BAD_LEN;
			break;
		}
		type = get16(p + ofs);
		if (type >= 1 && type <= 6 && (seen & (1u << type))) {
			err = OFPERR_UNSUP_INST; /* each instruction at most once */
			break;
		}
		seen |= type <= 6 ? 1u << type : 0;
		switch (type) {
		case OFPIT_GOTO_TABLE:
			in->goto_table = p[ofs + 4];
			if (ilen != 8 || p[ofs + 4] >= OFP_N_TABLES) {
				err = ilen != 8 ? OFPERR_INST_BAD_LEN : OFPERR_INST_BAD_TABLE_ID;
			}
			break;
		case OFPIT_WRITE_METADATA:
			if (ilen != 24) {
				err = OFPERR_INST_BAD_LEN;
				break;
			}
			in->has_meta = true;
			in->metadata = get64(p + ofs + 8);
			in->metadata_mask = get64(p + ofs + 16);
			break;
		case OFPIT_WRITE_ACTIONS:
			in->has_write = true;
			err = ofp_decode_actions(p + ofs + 8, ilen - 8u, &in->write, &in->n_write,
						 ACTS_FLOW);
			for (uint32_t i = 0; !err && i < in->n_write; i++) {
				/* The action set has no place for them. */
				enum ofpact_type t = in->write[i].type;

				err = t == OFPACT_RESUBMIT || t == OFPACT_MOVE || t == OFPACT_LOAD
					      ? OFPERR_BAD_ACTION_TYPE
					      : OFPERR_OK;
			}
			break;
		case OFPIT_APPLY_ACTIONS:
			err = ofp_decode_actions(p + ofs + 8, ilen - 8u, &in->apply, &in->n_apply,
						 ACTS_FLOW);
			break;
		case OFPIT_CLEAR_ACTIONS:
			in->clear_actions = true;
			break;
		case OFPIT_METER:
			in->meter_id = get32(p + ofs + 4);
			if (ilen != 8) {
				err = OFPERR_INST_BAD_LEN;
			} else if (!in->meter_id || in->meter_id > OFPM_MAX) {
				err = OFPERR_METER_INVALID_METER;
			}
			break;
		default:
			err = OFPERR_UNKNOWN_INST;
			break;
		}
		ofs += ilen;
	}
	if (err) {
		ofp_insts_destroy(in);
	}
	return err;
}

/* A set-field (or mod_vlan_vid/pcp) as OpenFlow 1.3's set-field, or as
 * Open vSwitch's load2 when masked, when the field has no OXM form, or when
 * 'load2' asks for it (OpenFlow 1.0 has no set-field). */
static void
encode_set_field(struct obuf *b, const struct ofpact *a, bool load2)
{
	size_t start = b->size;
	const struct oxm_field *o = NULL;
	enum mf_id want = a->type == OFPACT_MOD_VLAN_VID || a->field == MFF_DL_VLAN ? MFF_VLAN_VID
			  : a->type == OFPACT_MOD_VLAN_PCP                          ? MFF_VLAN_PCP
										    : a->field;
	const struct mf_field *f = mf_from_id(want);
	uint16_t cls = 0x8000;
	struct oxm_field nx = {0, want, 0};
	union mf_value v = a->value;
	bool masked;

	for (size_t i = 0; i < sizeof oxm_fields / sizeof oxm_fields[0] && !o; i++) {
		o = oxm_fields[i].id == want ? &oxm_fields[i] : NULL;
	}
	for (size_t i = 0; i < sizeof ext_oxms / sizeof ext_oxms[0] && !o; i++) {
		if (ext_oxms[i].f.id == want && ext_oxms[i].cls != OXM_CLASS_EXP) {
			o = &ext_oxms[i].f;
			cls = ext_oxms[i].cls;
		}
	}
	if (!o && mf_is_tun_md(want)) {
		/* NXM_NX_TUN_METADATA<N> is an OXM too (class 1), as Open
		 * vSwitch writes it, of the mapped length. */
		uint32_t h = nx_field_header(want);

		cls = OXM_CLASS_NXM1;
		nx.field = (uint8_t)(h >> 9 & 0x7f);
		nx.len = (uint8_t)h;
		o = &nx;
	}
	masked = a->type == OFPACT_SET_FIELD && want != MFF_VLAN_VID && !mask_is_exact(f, &a->mask);
	if (!masked && o && !load2) {
		put16(b, OFPAT_SET_FIELD);
		put16(b, 0);
	} else {
		/* A masked write, or a field without an OXM form (nw_tos,
		 * nw_ttl, mpls_ttl): Open vSwitch's load2 with the field's
		 * OXM or NXM header. A field with neither (a transport port
		 * of no known protocol: a 1.0 packet-out's) gets header 0,
		 * which no decoder takes. */
		if (!o) {
			uint32_t h = nx_field_header(want);

			cls = (uint16_t)(h >> 16);
			nx.field = (uint8_t)(h >> 9 & 0x7f);
			nx.len = (uint8_t)h;
			o = &nx;
		}
		put16(b, OFPAT_EXPERIMENTER);
		put16(b, 0);
		put32(b, NX_EXPERIMENTER);
		put16(b, NXAST_REG_LOAD2);
	}
	put16(b, cls);
	put8(b, (uint8_t)(o->field << 1 | masked));
	put8(b, (uint8_t)(masked ? 2 * o->len : o->len));
	if (want == MFF_VLAN_VID) {
		v.u = 0x1000 | (a->value.u & 0xfff);
	}
	if (masked) {
		for (size_t i = 0; i < sizeof v.b; i++) {
			v.b[i] &= a->mask.b[i];
		}
	}
	value_put(b, o, &v);
	if (masked) {
		value_put(b, o, &a->mask);
	}
	pad_to8(b, start);
	set16(b->data + start + 2, (uint16_t)(b->size - start));
}

void
ofp_encode_load2(struct obuf *b, const struct ofpact *a)
{
	encode_set_field(b, a, true);
}

bool
ofp_set_field_is_whole(const struct ofpact *a)
{
	return a->type != OFPACT_SET_FIELD || a->field == MFF_DL_VLAN ||
	       mask_is_exact(mf_from_id(a->field), &a->mask);
}

void
ofp_encode_action(struct obuf *b, const struct ofpact *a)
{
	switch (a->type) {
	case OFPACT_OUTPUT:
		put16(b, OFPAT_OUTPUT);
		put16(b, 16);
		put32(b, a->port);
		put16(b, a->max_len);
		obuf_put(b, NULL, 6);
		return;
	case OFPACT_PUSH_VLAN:
		put16(b, OFPAT_PUSH_VLAN);
		put16(b, 8);
		put16(b, a->ethertype);
		put16(b, 0);
		return;
	case OFPACT_PUSH_MPLS:
	case OFPACT_POP_MPLS:
	case OFPACT_PUSH_PBB:
		put16(b, a->type == OFPACT_PUSH_MPLS  ? OFPAT_PUSH_MPLS
			 : a->type == OFPACT_POP_MPLS ? OFPAT_POP_MPLS
						      : OFPAT_PUSH_PBB);
		put16(b, 8);
		put16(b, a->ethertype);
		put16(b, 0);
		return;
	case OFPACT_SET_NW_TTL:
	case OFPACT_SET_MPLS_TTL:
		put16(b, a->type == OFPACT_SET_NW_TTL ? OFPAT_SET_NW_TTL : OFPAT_SET_MPLS_TTL);
		put16(b, 8);
		put8(b, (uint8_t)a->value.u);
		obuf_put(b, NULL, 3);
		return;
	case OFPACT_GROUP:
		put16(b, OFPAT_GROUP);
		put16(b, 8);
		put32(b, a->port);
		return;
	case OFPACT_POP_VLAN:
	case OFPACT_DEC_TTL:
	case OFPACT_DEC_MPLS_TTL:
	case OFPACT_POP_PBB:
	case OFPACT_COPY_TTL_OUT:
	case OFPACT_COPY_TTL_IN:
		put16(b, a->type == OFPACT_POP_VLAN       ? OFPAT_POP_VLAN
			 : a->type == OFPACT_DEC_TTL      ? OFPAT_DEC_NW_TTL
			 : a->type == OFPACT_DEC_MPLS_TTL ? OFPAT_DEC_MPLS_TTL
			 : a->type == OFPACT_COPY_TTL_OUT ? OFPAT_COPY_TTL_OUT
			 : a->type == OFPACT_COPY_TTL_IN  ? OFPAT_COPY_TTL_IN
							  : OFPAT_POP_PBB);
		put16(b, 8);
		put32(b, 0);
		return;
	case OFPACT_RESUBMIT:
	case OFPACT_MOVE:
	case OFPACT_LOAD:
		ofp_encode_nx_action(b, a);
		return;
	case OFPACT_SET_QUEUE:
		put16(b, OFPAT_SET_QUEUE);
		put16(b, 8);
		put32(b, a->port);
		return;
	case OFPACT_MOD_VLAN_VID:
	case OFPACT_MOD_VLAN_PCP:
	case OFPACT_SET_FIELD:
		break;
	}
	encode_set_field(b, a, false);
}

static void
encode_action_list(struct obuf *b, uint16_t type, const struct ofpact *acts, uint32_t n)
{
	size_t start = b->size;

	put16(b, type);
	put16(b, 0);
	put32(b, 0);
	for (uint32_t i = 0; i < n; i++) {
		ofp_encode_action(b, &acts[i]);
	}
	set16(b->data + start + 2, (uint16_t)(b->size - start));
}

void
ofp_encode_insts(struct obuf *b, const struct ofp_insts *in)
{
	if (in->meter_id) {
		put16(b, OFPIT_METER);
		put16(b, 8);
		put32(b, in->meter_id);
	}
	if (in->n_apply) {
		encode_action_list(b, OFPIT_APPLY_ACTIONS, in->apply, in->n_apply);
	}
	if (in->clear_actions) {
		put16(b, OFPIT_CLEAR_ACTIONS);
		put16(b, 8);
		put32(b, 0);
	}
	if (in->has_write) {
		encode_action_list(b, OFPIT_WRITE_ACTIONS, in->write, in->n_write);
	}
	if (in->has_meta) {
		put16(b, OFPIT_WRITE_METADATA);
		put16(b, 24);
		put32(b, 0);
		put64(b, in->metadata);
		put64(b, in->metadata_mask);
	}
	if (in->goto_table >= 0) {
		put16(b, OFPIT_GOTO_TABLE);
		put16(b, 8);
		put8(b, (uint8_t)in->goto_table);
		obuf_put(b, NULL, 3);
	}
}

/* ---- Flow mods and flow stats ---- */

enum { FLOW_MOD_LEN = 56 - 8 /* without the match */ };

enum ofp_err
ofp_decode_flow_mod(const uint8_t *msg, size_t len, struct ofp_flow_mod *fm)
{
	const uint8_t *p = msg + OFP_HEADER_LEN;
	size_t used;
	enum ofp_err err;
	uint8_t cmd;

	memset(fm, 0, sizeof *fm);
	ofp_insts_init(&fm->insts);
	if (len < FLOW_MOD_LEN + 8) {
		return OFPERR_BAD_LEN;
	}
	fm->cookie = get64(p);
	fm->cookie_mask = get64(p + 8);
	fm->table_id = p[16];
	cmd = p[17];
	fm->idle_timeout = get16(p + 18);
	fm->hard_timeout = get16(p + 20);
	fm->priority = get16(p + 22);
	fm->out_port = get32(p + 28);
	fm->out_group = get32(p + 32);
	fm->has_out_group = fm->out_group != OFPG_ANY;
	fm->flags = get16(p + 36);
	if (cmd > OFPFC_DELETE_STRICT) {
		return OFPERR_FLOW_MOD_BAD_COMMAND;
	}
	if (get32(p + 24) != 0xffffffff && cmd <= OFPFC_MODIFY_STRICT) {
		return OFPERR_BUFFER_UNKNOWN; /* the switch buffers no packets */
	}
	fm->command = (enum ofp_flow_mod_cmd)cmd;
	if (fm->flags & ~0x1fu) {
		return OFPERR_FLOW_MOD_BAD_FLAGS;
	}
	if (fm->table_id == OFPTT_ALL && (cmd == OFPFC_ADD)) {
		return OFPERR_FLOW_MOD_BAD_TABLE_ID;
	}
	err = ofp_decode_match(p + 40, len - OFP_HEADER_LEN - 40, &fm->match, &used);
	if (err) {
		return err;
	}
	if (cmd == OFPFC_DELETE || cmd == OFPFC_DELETE_STRICT) {
		return OFPERR_OK; /* instructions are ignored */
	}
	fm->out_port = OFPP_ANY;
	fm->has_out_group = false; /* filters of deletes only */
	return ofp_decode_insts(p + 40 + used, len - OFP_HEADER_LEN - 40 - used, &fm->insts);
}

void
ofp_encode_flow_mod(struct obuf *b, uint32_t xid, const struct ofp_flow_mod *fm)
{
	size_t start = ofp_msg_start(b, OFPT_FLOW_MOD, xid);

	put64(b, fm->cookie);
	put64(b, fm->cookie_mask);
	put8(b, fm->table_id);
	put8(b, (uint8_t)fm->command);
	put16(b, fm->idle_timeout);
	put16(b, fm->hard_timeout);
	put16(b, fm->priority);
	put32(b, 0xffffffff); /* no buffer */
	put32(b, fm->out_port);
	put32(b, fm->has_out_group ? fm->out_group : OFPG_ANY);
	put16(b, fm->flags);
	put16(b, 0);
	ofp_encode_match(b, &fm->match);
	if (fm->command != OFPFC_DELETE && fm->command != OFPFC_DELETE_STRICT) {
		ofp_encode_insts(b, &fm->insts);
	}
	ofp_msg_end(b, start);
}

enum ofp_err
ofp_decode_flow_stats_request(const uint8_t *body, size_t len, struct ofp_flow_mod *filter)
{
	size_t used;

	memset(filter, 0, sizeof *filter);
	ofp_insts_init(&filter->insts);
	if (len < 32 + 8) {
		return OFPERR_BAD_LEN;
	}
	filter->command = OFPFC_DELETE;
	filter->table_id = body[0];
	filter->out_port = get32(body + 4);
	filter->out_group = get32(body + 8);
	filter->has_out_group = filter->out_group != OFPG_ANY;
	filter->cookie = get64(body + 16);
	filter->cookie_mask = get64(body + 24);
	return ofp_decode_match(body + 32, len - 32, &filter->match, &used);
}

void
ofp_encode_flow_stats(struct obuf *b, const struct ofproto_flow_info *f)
{
	size_t start = b->size;

	put16(b, 0);
	put8(b, f->table_id);
	put8(b, 0);
	put32(b, (uint32_t)(f->duration_ms / 1000));
	put32(b, (uint32_t)(f->duration_ms % 1000 * 1000000));
	put16(b, f->priority);
	put16(b, f->idle_timeout);
	put16(b, f->hard_timeout);
	put16(b, f->flags);
	put32(b, 0);
	put64(b, f->cookie);
	put64(b, f->n_packets);
	put64(b, f->n_bytes);
	ofp_encode_match(b, f->match);
	ofp_encode_insts(b, f->insts);
	set16(b->data + start, (uint16_t)(b->size - start));
}

void
ofp_encode_port(struct obuf *b, const struct ofp_port_desc *p)
{
	put32(b, p->port_no);
	put32(b, 0);
	obuf_put(b, p->mac, 6);
	put16(b, 0);
	obuf_put(b, p->name, 16);
	put32(b, p->config);
	put32(b, p->link_down ? 1 : 4); /* state: LINK_DOWN or LIVE */
	put32(b, 0x40 | 0x800);         /* curr: 10 Gb full duplex, copper */
	put32(b, 0);                    /* advertised */
	put32(b, 0);                    /* supported */
	put32(b, 0);                    /* peer */
	put32(b, 10000000);             /* curr_speed, kbps */
	put32(b, 10000000);             /* max_speed */
}

/* ---- Table features ---- */

enum {
	TFPT_INSTRUCTIONS = 0,
	TFPT_NEXT_TABLES = 2,
	TFPT_WRITE_ACTIONS = 4,
	TFPT_APPLY_ACTIONS = 6,
	TFPT_MATCH = 8,
	TFPT_WILDCARDS = 10,
	TFPT_WRITE_SETFIELD = 12,
	TFPT_APPLY_SETFIELD = 14,
};

static size_t
prop_begin(struct obuf *b, uint16_t type)
{
	size_t start = b->size;

	put16(b, type);
	put16(b, 0);
	return start;
}

static void
prop_end(struct obuf *b, size_t start)
{
	set16(b->data + start + 2, (uint16_t)(b->size - start));
	pad_to8(b, start);
}

/* The OXM headers of the fields: all, the maskable ones, or the settable. */
static void
prop_oxms(struct obuf *b, uint16_t type, int which)
{
	size_t start = prop_begin(b, type);

	for (size_t i = 0; i < sizeof oxm_fields / sizeof oxm_fields[0]; i++) {
		const struct oxm_field *o = &oxm_fields[i];
		const struct mf_field *f = mf_from_id(o->id);

		if ((which == 1 && !f->maskable) || (which == 2 && !f->settable)) {
			continue;
		}
		put16(b, 0x8000);
		put8(b, (uint8_t)(o->field << 1));
		put8(b, o->len);
	}
	prop_end(b, start);
}

static void
prop_actions(struct obuf *b, uint16_t type)
{
	static const uint16_t acts[] = {OFPAT_OUTPUT,     OFPAT_SET_MPLS_TTL, OFPAT_DEC_MPLS_TTL,
					OFPAT_PUSH_VLAN,  OFPAT_POP_VLAN,     OFPAT_PUSH_MPLS,
					OFPAT_POP_MPLS,   OFPAT_GROUP,        OFPAT_SET_NW_TTL,
					OFPAT_DEC_NW_TTL, OFPAT_SET_FIELD,    OFPAT_PUSH_PBB,
					OFPAT_POP_PBB};
	size_t start = prop_begin(b, type);

	for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) {
		put16(b, acts[i]);
		put16(b, 4);
	}
	prop_end(b, start);
}

void
ofp_encode_table_features(struct obuf *b, uint8_t table_id)
{
	static const uint16_t insts[] = {OFPIT_GOTO_TABLE,    OFPIT_WRITE_METADATA,
					 OFPIT_WRITE_ACTIONS, OFPIT_APPLY_ACTIONS,
					 OFPIT_CLEAR_ACTIONS, OFPIT_METER};
	size_t start = b->size, p;
	char name[32];

	put16(b, 0);
	put8(b, table_id);
	obuf_put(b, NULL, 5);
	snprintf(name, sizeof name, "table%u", table_id);
	obuf_put(b, NULL, 32);
	memcpy(b->data + b->size - 32, name, strlen(name));
	put64(b, UINT64_MAX); /* metadata_match */
	put64(b, UINT64_MAX); /* metadata_write */
	put32(b, 0);          /* config */
	put32(b, 1000000);    /* max_entries */
	p = prop_begin(b, TFPT_INSTRUCTIONS);
	for (size_t i = 0; i < sizeof insts / sizeof insts[0]; i++) {
		if (insts[i] != OFPIT_GOTO_TABLE || table_id + 1 < OFP_N_TABLES) {
			put16(b, insts[i]);
			put16(b, 4);
		}
	}
	prop_end(b, p);
	p = prop_begin(b, TFPT_NEXT_TABLES);
	for (unsigned int t = table_id + 1u; t < OFP_N_TABLES - 1; t++) {
		put8(b, (uint8_t)t);
	}
	prop_end(b, p);
	prop_actions(b, TFPT_WRITE_ACTIONS);
	prop_actions(b, TFPT_APPLY_ACTIONS);
	prop_oxms(b, TFPT_MATCH, 0);
	prop_oxms(b, TFPT_WILDCARDS, 1);
	prop_oxms(b, TFPT_WRITE_SETFIELD, 2);
	prop_oxms(b, TFPT_APPLY_SETFIELD, 2);
	set16(b->data + start, (uint16_t)(b->size - start));
}
