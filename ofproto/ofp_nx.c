/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Nicira's move and load actions (ofp_nx.h).
 */
#include "ofp_nx.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofp_wire.h"

enum { NXM_TUN_MD = 40 }; /* NXM_NX_TUN_METADATA0's field number (class 1) */

/* The NXM names of the fields the switch has, with their NXM class and
 * field number (an NXM header is class << 16 | field << 9 | length). */
static const struct nxm_name {
	const char *name;
	uint16_t cls;
	uint8_t field, len;
	enum mf_id id;
} nxm_names[] = {
	{"NXM_OF_ETH_DST", 0, 1, 6, MFF_ETH_DST},
	{"NXM_OF_ETH_SRC", 0, 2, 6, MFF_ETH_SRC},
	{"NXM_OF_ETH_TYPE", 0, 3, 2, MFF_ETH_TYPE},
	{"NXM_OF_VLAN_TCI", 0, 4, 2, MFF_VLAN_TCI},
	{"NXM_OF_IP_TOS", 0, 5, 1, MFF_NW_TOS},
	{"NXM_OF_IP_PROTO", 0, 6, 1, MFF_IP_PROTO},
	{"NXM_OF_IP_SRC", 0, 7, 4, MFF_IPV4_SRC},
	{"NXM_OF_IP_DST", 0, 8, 4, MFF_IPV4_DST},
	{"NXM_OF_TCP_SRC", 0, 9, 2, MFF_TCP_SRC},
	{"NXM_OF_TCP_DST", 0, 10, 2, MFF_TCP_DST},
	{"NXM_OF_UDP_SRC", 0, 11, 2, MFF_UDP_SRC},
	{"NXM_OF_UDP_DST", 0, 12, 2, MFF_UDP_DST},
	{"NXM_OF_ICMP_TYPE", 0, 13, 1, MFF_ICMPV4_TYPE},
	{"NXM_OF_ICMP_CODE", 0, 14, 1, MFF_ICMPV4_CODE},
	{"NXM_OF_ARP_OP", 0, 15, 2, MFF_ARP_OP},
	{"NXM_OF_ARP_SPA", 0, 16, 4, MFF_ARP_SPA},
	{"NXM_OF_ARP_TPA", 0, 17, 4, MFF_ARP_TPA},
	{"NXM_NX_ARP_SHA", 1, 17, 6, MFF_ARP_SHA},
	{"NXM_NX_ARP_THA", 1, 18, 6, MFF_ARP_THA},
	{"NXM_NX_IPV6_SRC", 1, 19, 16, MFF_IPV6_SRC},
	{"NXM_NX_IPV6_DST", 1, 20, 16, MFF_IPV6_DST},
	{"NXM_NX_ICMPV6_TYPE", 1, 21, 1, MFF_ICMPV6_TYPE},
	{"NXM_NX_ICMPV6_CODE", 1, 22, 1, MFF_ICMPV6_CODE},
	{"NXM_NX_ND_TARGET", 1, 23, 16, MFF_ND_TARGET},
	{"NXM_NX_ND_SLL", 1, 24, 6, MFF_ND_SLL},
	{"NXM_NX_ND_TLL", 1, 25, 6, MFF_ND_TLL},
	{"NXM_NX_IP_FRAG", 1, 26, 1, MFF_IP_FRAG},
	{"NXM_NX_IPV6_LABEL", 1, 27, 4, MFF_IPV6_LABEL},
	{"NXM_NX_IP_ECN", 1, 28, 1, MFF_IP_ECN},
	{"NXM_NX_IP_TTL", 1, 29, 1, MFF_NW_TTL},
	{"NXM_NX_TCP_FLAGS", 1, 34, 2, MFF_TCP_FLAGS},
	{"NXM_NX_MPLS_TTL", 1, 30, 1, MFF_MPLS_TTL},
	{"OXM_OF_METADATA", 0x8000, 2, 8, MFF_METADATA},
	{"NXM_NX_TUN_ID", 1, 16, 8, MFF_TUN_ID},
	{"OXM_OF_TUNNEL_ID", 0x8000, 38, 8, MFF_TUN_ID},
	{"NXM_NX_TUN_IPV4_SRC", 1, 31, 4, MFF_TUN_SRC},
	{"NXM_NX_TUN_IPV4_DST", 1, 32, 4, MFF_TUN_DST},
	{"NXM_NX_TUN_IPV6_SRC", 1, 109, 16, MFF_TUN_IPV6_SRC},
	{"NXM_NX_TUN_IPV6_DST", 1, 110, 16, MFF_TUN_IPV6_DST},
	{"NXM_NX_REG0", 1, 0, 4, MFF_REG0 + 0},
	{"NXM_NX_REG1", 1, 1, 4, MFF_REG0 + 1},
	{"NXM_NX_REG2", 1, 2, 4, MFF_REG0 + 2},
	{"NXM_NX_REG3", 1, 3, 4, MFF_REG0 + 3},
	{"NXM_NX_REG4", 1, 4, 4, MFF_REG0 + 4},
	{"NXM_NX_REG5", 1, 5, 4, MFF_REG0 + 5},
	{"NXM_NX_REG6", 1, 6, 4, MFF_REG0 + 6},
	{"NXM_NX_REG7", 1, 7, 4, MFF_REG0 + 7},
	{"NXM_NX_REG8", 1, 8, 4, MFF_REG0 + 8},
	{"NXM_NX_REG9", 1, 9, 4, MFF_REG0 + 9},
	{"NXM_NX_REG10", 1, 10, 4, MFF_REG0 + 10},
	{"NXM_NX_REG11", 1, 11, 4, MFF_REG0 + 11},
	{"NXM_NX_REG12", 1, 12, 4, MFF_REG0 + 12},
	{"NXM_NX_REG13", 1, 13, 4, MFF_REG0 + 13},
	{"NXM_NX_REG14", 1, 14, 4, MFF_REG0 + 14},
	{"NXM_NX_REG15", 1, 15, 4, MFF_REG0 + 15},
	{"OXM_OF_PKT_REG0", 0x8001, 0, 8, MFF_XREG0 + 0},
	{"OXM_OF_PKT_REG1", 0x8001, 1, 8, MFF_XREG0 + 1},
	{"OXM_OF_PKT_REG2", 0x8001, 2, 8, MFF_XREG0 + 2},
	{"OXM_OF_PKT_REG3", 0x8001, 3, 8, MFF_XREG0 + 3},
	{"OXM_OF_PKT_REG4", 0x8001, 4, 8, MFF_XREG0 + 4},
	{"OXM_OF_PKT_REG5", 0x8001, 5, 8, MFF_XREG0 + 5},
	{"OXM_OF_PKT_REG6", 0x8001, 6, 8, MFF_XREG0 + 6},
	{"OXM_OF_PKT_REG7", 0x8001, 7, 8, MFF_XREG0 + 7},
};

static const struct nxm_name *
nxm_by_id(enum mf_id id)
{
	for (size_t i = 0; i < sizeof nxm_names / sizeof nxm_names[0]; i++) {
		if (nxm_names[i].id == id) {
			return &nxm_names[i];
		}
	}
	return NULL;
}

static const struct nxm_name *
nxm_by_header(uint32_t h)
{
	for (size_t i = 0; i < sizeof nxm_names / sizeof nxm_names[0]; i++) {
		const struct nxm_name *n = &nxm_names[i];

		if ((h >> 16) == n->cls && ((h >> 9) & 0x7f) == n->field && !(h & 0x100)) {
			return n;
		}
	}
	return NULL;
}

static const struct nxm_name *
nxm_by_name(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof nxm_names / sizeof nxm_names[0]; i++) {
		if (strlen(nxm_names[i].name) == len && !strncasecmp(nxm_names[i].name, s, len)) {
			return &nxm_names[i];
		}
	}
	return NULL;
}

unsigned int
nx_field_width(const struct mf_field *f)
{
	return mf_is_bytes(f) ? f->size * 8u : f->n_bits;
}

/* Bit i of a field (from its least significant bit) in a 16-byte big-endian
 * picture of its value. */
static void
picture(const struct mf_field *f, const union mf_value *v, uint8_t p[16])
{
	memset(p, 0, 16);
	if (mf_is_bytes(f)) {
		memcpy(p + 16 - f->size, v->b, f->size);
	} else {
		for (int i = 0; i < 8; i++) {
			p[15 - i] = (uint8_t)(v->u >> (8 * i));
		}
	}
}

static void
unpicture(const struct mf_field *f, const uint8_t p[16], union mf_value *v)
{
	if (mf_is_bytes(f)) {
		memcpy(v->b, p + 16 - f->size, f->size);
	} else {
		v->u = 0;
		for (int i = 0; i < 8; i++) {
			v->u |= (uint64_t)p[15 - i] << (8 * i);
		}
	}
}

uint64_t
nx_bits_get(const struct mf_field *f, const union mf_value *v, unsigned int ofs, unsigned int n)
{
	uint8_t p[16];
	uint64_t bits = 0;

	picture(f, v, p);
	for (unsigned int i = 0; i < n; i++) {
		unsigned int b = ofs + i;

		bits |= (uint64_t)(p[15 - b / 8] >> (b % 8) & 1) << i;
	}
	return bits;
}

void
nx_bits_set(const struct mf_field *f, union mf_value *v, union mf_value *mask, unsigned int ofs,
	    unsigned int n, uint64_t bits)
{
	uint8_t p[16], m[16];

	picture(f, v, p);
	picture(f, mask, m);
	for (unsigned int i = 0; i < n; i++) {
		unsigned int b = ofs + i;
		uint8_t bit = (uint8_t)(1u << (b % 8));

		p[15 - b / 8] = (uint8_t)((p[15 - b / 8] & ~bit) | ((bits >> i & 1) ? bit : 0));
		m[15 - b / 8] |= bit;
	}
	unpicture(f, p, v);
	unpicture(f, m, mask);
}

/* "FIELD[]", "FIELD[A..B]", "FIELD[A]" or "FIELD": the field and its bit
 * range, checked against the field's width. */
static int
parse_subfield(const char *s, const struct mf_field **f, uint16_t *ofs, uint16_t *n, char *err)
{
	const char *br = strchr(s, '[');
	size_t len = br ? (size_t)(br - s) : strlen(s);
	const struct nxm_name *nx = nxm_by_name(s, len);
	char name[64];
	unsigned int w, a = 0, b;

	snprintf(name, sizeof name, "%.*s", (int)(len < 63 ? len : 63), s);
	*f = nx ? mf_from_id(nx->id) : mf_from_name(name);
	if (!*f || (*f)->id == MFF_IN_PORT || (*f)->ofs == offsetof(struct flow_key, vlan_tci)) {
		snprintf(err, OFP_ERR_MAX, "%s: not a field move and load know", name);
		return -EINVAL;
	}
	w = nx_field_width(*f);
	b = w - 1;
	if (br && strcmp(br, "[]")) {
		char *end;

		a = (unsigned int)strtoul(br + 1, &end, 10);
		b = a;
		if (end[0] == '.' && end[1] == '.') {
			b = (unsigned int)strtoul(end + 2, &end, 10);
		}
		if (*end != ']' || end[1] || b < a) {
			snprintf(err, OFP_ERR_MAX, "%s: a bit range is [START..END]", s);
			return -EINVAL;
		}
	}
	if (b >= w) {
		snprintf(err, OFP_ERR_MAX, "%s: %s has %u bits", s, name, w);
		return -EINVAL;
	}
	*ofs = (uint16_t)a;
	*n = (uint16_t)(b - a + 1);
	return 0;
}

int
nx_parse_move(const char *arg, struct ofpact *a, char *err)
{
	const char *arrow = arg ? strstr(arg, "->") : NULL;
	const struct mf_field *src, *dst;
	uint16_t n_src, n_dst;
	char left[128];

	if (!arrow) {
		snprintf(err, OFP_ERR_MAX, "move:%s: expected SRC->DST", arg ? arg : "");
		return -EINVAL;
	}
	snprintf(left, sizeof left, "%.*s", (int)(arrow - arg), arg);
	if (parse_subfield(left, &src, &a->src_ofs, &n_src, err) ||
	    parse_subfield(arrow + 2, &dst, &a->dst_ofs, &n_dst, err)) {
		return -EINVAL;
	}
	if (n_src != n_dst) {
		snprintf(err, OFP_ERR_MAX, "move:%s: %u bits into %u", arg, n_src, n_dst);
		return -EINVAL;
	}
	if (!dst->settable) {
		snprintf(err, OFP_ERR_MAX, "move:%s: %s cannot be written", arg, dst->name);
		return -EINVAL;
	}
	a->type = OFPACT_MOVE;
	a->src_field = src->id;
	a->field = dst->id;
	a->n_bits = n_src;
	return 0;
}

int
nx_parse_load(const char *arg, struct ofpact *a, char *err)
{
	const char *arrow = arg ? strstr(arg, "->") : NULL;
	const struct mf_field *dst;
	unsigned long long v;
	char *end;

	if (!arrow) {
		snprintf(err, OFP_ERR_MAX, "load:%s: expected VALUE->DST", arg ? arg : "");
		return -EINVAL;
	}
	v = strtoull(arg, &end, 0);
	if (end != arrow) {
		snprintf(err, OFP_ERR_MAX, "load:%s: the value is a number", arg);
		return -EINVAL;
	}
	if (parse_subfield(arrow + 2, &dst, &a->dst_ofs, &a->n_bits, err)) {
		return -EINVAL;
	}
	if (!dst->settable) {
		snprintf(err, OFP_ERR_MAX, "load:%s: %s cannot be written", arg, dst->name);
		return -EINVAL;
	}
	if (a->n_bits > 64 || (a->n_bits < 64 && v >> a->n_bits)) {
		snprintf(err, OFP_ERR_MAX, "load:%s: the value does not fit %u bits", arg,
			 a->n_bits);
		return -EINVAL;
	}
	a->type = OFPACT_LOAD;
	a->field = dst->id;
	memset(&a->value, 0, sizeof a->value);
	a->value.u = v;
	return 0;
}

static void
format_subfield(enum mf_id id, uint16_t ofs, uint16_t n, struct ds *out)
{
	const struct mf_field *f = mf_from_id(id);
	const struct nxm_name *nx = nxm_by_id(id);

	ds_put_cstr(out, nx ? nx->name : f->name);
	if (ofs == 0 && (n == nx_field_width(f) || (nx && n == nx->len * 8u))) {
		ds_put_cstr(out, "[]");
	} else if (n == 1) {
		ds_put_format(out, "[%u]", ofs);
	} else {
		ds_put_format(out, "[%u..%u]", ofs, ofs + n - 1u);
	}
}

void
nx_format(const struct ofpact *a, struct ds *out)
{
	if (a->type == OFPACT_MOVE) {
		ds_put_cstr(out, "move:");
		format_subfield(a->src_field, a->src_ofs, a->n_bits, out);
		ds_put_cstr(out, "->");
	} else {
		ds_put_format(out, "load:%#" PRIx64 "->", a->value.u);
	}
	format_subfield(a->field, a->dst_ofs, a->n_bits, out);
}

/* The field of an NXM header, if bits [ofs, ofs + n) fit in it as NXM
 * counts them (ARP_OP has 16 bits there, 8 in the switch's key: the bits
 * past the switch's are zero, and dropped when written). */
static const struct mf_field *
header_field(uint32_t h, unsigned int ofs, unsigned int n)
{
	const struct nxm_name *nx = nxm_by_header(h);
	const struct mf_field *f = nx ? mf_from_id(nx->id) : NULL;
	unsigned int w = f ? nx_field_width(f) : 0;
	enum mf_id id;
	uint8_t len;

	if (!nx && nx_header_field(h, &id, &len)) {
		/* tun_metadataN: its mapped width, whatever length the header
		 * gives (0 bits when it is not mapped) */
		f = mf_from_id(id);
		w = nx_field_width(f);
	} else if (f && nx->len * 8u > w) {
		w = nx->len * 8u;
	}
	return f && n && ofs + n <= w ? f : NULL;
}

enum ofp_err
nx_decode_field_action(const uint8_t *p, uint16_t alen, struct ofpact *a)
{
	uint16_t subtype = get16(p + 8);
	const struct mf_field *src, *dst;

	if (alen != 24) {
		return OFPERR_BAD_ACTION_LEN;
	}
	if (subtype == NXAST_REG_MOVE) {
		a->n_bits = get16(p + 10);
		a->src_ofs = get16(p + 12);
		a->dst_ofs = get16(p + 14);
		src = header_field(get32(p + 16), a->src_ofs, a->n_bits);
		dst = header_field(get32(p + 20), a->dst_ofs, a->n_bits);
		if (!src || !dst || !dst->settable) {
			return OFPERR_BAD_ACTION_ARGUMENT;
		}
		a->type = OFPACT_MOVE;
		a->src_field = src->id;
		a->field = dst->id;
		return OFPERR_OK;
	}
	a->dst_ofs = get16(p + 10) >> 6;
	a->n_bits = (uint16_t)((get16(p + 10) & 0x3f) + 1);
	dst = header_field(get32(p + 12), a->dst_ofs, a->n_bits);
	memset(&a->value, 0, sizeof a->value);
	a->value.u = get64(p + 16);
	if (!dst || !dst->settable || (a->n_bits < 64 && a->value.u >> a->n_bits) ||
	    (a->dst_ofs >= nx_field_width(dst) && a->value.u) ||
	    (a->dst_ofs < nx_field_width(dst) && nx_field_width(dst) - a->dst_ofs < 64 &&
	     a->value.u >> (nx_field_width(dst) - a->dst_ofs))) {
		return OFPERR_BAD_ACTION_ARGUMENT; /* a value the field cannot hold */
	}
	a->type = OFPACT_LOAD;
	a->field = dst->id;
	return OFPERR_OK;
}

uint32_t
nx_field_header(enum mf_id id)
{
	const struct nxm_name *nx = nxm_by_id(id);

	if (mf_is_tun_md(id)) { /* NXM_NX_TUN_METADATA<N>, of the mapped length */
		return 1u << 16 | (uint32_t)(NXM_TUN_MD + id - MFF_TUN_MD0) << 9 |
		       mf_from_id(id)->size;
	}
	return nx ? (uint32_t)nx->cls << 16 | (uint32_t)nx->field << 9 | nx->len : 0;
}

bool
nx_header_field(uint32_t h, enum mf_id *id, uint8_t *len)
{
	const struct nxm_name *nx = nxm_by_header(h & ~0x1ffu);
	unsigned int field = h >> 9 & 0x7f;

	if (h >> 16 == 1 && field >= NXM_TUN_MD && field < NXM_TUN_MD + 16 && !(h & 0x100)) {
		*id = (enum mf_id)(MFF_TUN_MD0 + field - NXM_TUN_MD);
		*len = (uint8_t)h;
		return true;
	}

	if (nx) {
		*id = nx->id;
		*len = nx->len;
	}
	return nx != NULL;
}

void
nx_encode_field_action(struct obuf *b, const struct ofpact *a)
{
	put16(b, OFPAT_EXPERIMENTER);
	put16(b, 24);
	put32(b, NX_EXPERIMENTER);
	if (a->type == OFPACT_MOVE) {
		put16(b, NXAST_REG_MOVE);
		put16(b, a->n_bits);
		put16(b, a->src_ofs);
		put16(b, a->dst_ofs);
		put32(b, nx_field_header(a->src_field));
		put32(b, nx_field_header(a->field));
	} else {
		put16(b, NXAST_REG_LOAD);
		put16(b, (uint16_t)(a->dst_ofs << 6 | (a->n_bits - 1)));
		put32(b, nx_field_header(a->field));
		put64(b, a->value.u);
	}
}
