/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Geneve option map (ofp_tlv.h): its changes, its messages, and the
 * bridge's own (ofproto.h).
 *
 * On the wire (after the 16-byte Nicira header: OpenFlow header,
 * experimenter id 0x2320, subtype), a table mod holds a command (16 bits)
 * and 6 bytes of padding, a reply the option space (32 bits), the number
 * of fields (16 bits) and 10 bytes of padding; then both hold mappings of
 * 8 bytes: class (16 bits), type, length, index (16 bits), 2 of padding.
 */
#include "ofp_tlv.h"

#include <string.h>

#include "ofp_wire.h"
#include "ofproto_priv.h"
#include "tunnel.h"

enum {
	NXT_HEADER_LEN = 16,
	TLV_BODY_LEN = 8,
	TLV_MAP_LEN = 8,
	OFPET_EXPERIMENTER = 0xffff,
	NXET_VENDOR = 0xb0c2, /* OpenFlow 1.0's vendor error type */
};

bool
ofp_is_nxt(const uint8_t *msg, size_t len, uint32_t subtype)
{
	return len >= NXT_HEADER_LEN && msg[1] == OFPT_EXPERIMENTER &&
	       get32(msg + 8) == NX_EXPERIMENTER && get32(msg + 12) == subtype;
}

enum ofp_err
ofp_decode_tlv_mod(const uint8_t *msg, size_t len, struct ofp_tlv_mod *mod,
		   enum ofp_tlv_err *tlv_err)
{
	size_t ofs = NXT_HEADER_LEN + TLV_BODY_LEN;

	*tlv_err = OFP_TLV_OK;
	if (len < ofs || (len - ofs) % TLV_MAP_LEN) {
		return OFPERR_BAD_LEN;
	}
	mod->command = get16(msg + NXT_HEADER_LEN);
	mod->n = 0;
	mod->overflow = false;
	if (mod->command > NXTTMC_CLEAR) {
		*tlv_err = NXTTMFC_BAD_COMMAND;
		return OFPERR_OK;
	}
	for (; ofs < len; ofs += TLV_MAP_LEN) {
		const uint8_t *p = msg + ofs;
		uint16_t index = get16(p + 4);
		struct ofp_tlv_map m = {get16(p), p[2], p[3], (uint8_t)index, 0};
		bool seen = false;

		if (index >= OFP_TLV_FIELDS) {
			*tlv_err = NXTTMFC_BAD_FIELD_IDX;
			return OFPERR_OK;
		}
		/* A delete names the field; what it maps to does not matter. */
		if (mod->command == NXTTMC_ADD && (!m.len || m.len % 4 || m.len > OFP_TLV_SPACE)) {
			*tlv_err = NXTTMFC_BAD_OPT_LEN;
			return OFPERR_OK;
		}
		for (uint32_t i = 0; i < mod->n && mod->command != NXTTMC_ADD; i++) {
			seen = seen || mod->maps[i].index == index;
		}
		if (mod->n == OFP_TLV_FIELDS && !seen) {
			mod->overflow = true;
		} else if (!seen) {
			mod->maps[mod->n++] = m;
		}
	}
	return OFPERR_OK;
}

/* The first offset where 'len' bytes are free in 't', or -1. */
static int
find_room(const struct ofp_tlv_table *t, uint8_t len)
{
	for (int ofs = 0; ofs + len <= OFP_TLV_SPACE; ofs += 4) {
		bool free = true;

		for (int i = 0; i < OFP_TLV_FIELDS && free; i++) {
			const struct ofp_tlv_map *m = &t->m[i];

			free = !(t->used >> i & 1) || ofs + len <= m->ofs || m->ofs + m->len <= ofs;
		}
		if (free) {
			return ofs;
		}
	}
	return -1;
}

/* Moves the mappings of 't' together, in field order, so that the free
 * space is in one piece at the end. */
static void
pack(struct ofp_tlv_table *t)
{
	uint8_t ofs = 0;

	for (int i = 0; i < OFP_TLV_FIELDS; i++) {
		if (t->used >> i & 1) {
			t->m[i].ofs = ofs;
			ofs = (uint8_t)(ofs + t->m[i].len);
		}
	}
}

static enum ofp_tlv_err
add_one(struct ofp_tlv_table *t, const struct ofp_tlv_map *m, uint16_t in_use, bool replay)
{
	const struct ofp_tlv_map *cur = &t->m[m->index];
	int ofs;

	if (t->used >> m->index & 1) {
		bool same = cur->opt_class == m->opt_class && cur->opt_type == m->opt_type &&
			    cur->len == m->len;

		return replay && same ? OFP_TLV_OK : NXTTMFC_ALREADY_MAPPED;
	}
	for (int i = 0; i < OFP_TLV_FIELDS; i++) {
		if (t->used >> i & 1 && t->m[i].opt_class == m->opt_class &&
		    t->m[i].opt_type == m->opt_type) {
			return NXTTMFC_DUP_ENTRY;
		}
	}
	ofs = find_room(t, m->len);
	if (ofs < 0 && !(t->used & in_use)) {
		pack(t); /* enough room in pieces, none held by a flow: make it one */
		ofs = find_room(t, m->len);
	}
	if (ofs < 0) {
		return NXTTMFC_TABLE_FULL;
	}
	t->m[m->index] = *m;
	t->m[m->index].ofs = (uint8_t)ofs;
	t->used |= (uint16_t)(1u << m->index);
	return OFP_TLV_OK;
}

enum ofp_tlv_err
ofp_tlv_apply(struct ofp_tlv_table *t, const struct ofp_tlv_mod *mod, uint16_t in_use, bool replay)
{
	struct ofp_tlv_table next = *t;

	switch (mod->command) {
	case NXTTMC_ADD:
		for (uint32_t i = 0; i < mod->n; i++) {
			enum ofp_tlv_err e = add_one(&next, &mod->maps[i], in_use, replay);

			if (e) {
				return e;
			}
		}
		if (mod->overflow) {
			return NXTTMFC_ALREADY_MAPPED;
		}
		break;
	case NXTTMC_DELETE:
		for (uint32_t i = 0; i < mod->n; i++) {
			uint16_t bit = (uint16_t)(1u << mod->maps[i].index);

			if (in_use & next.used & bit) {
				return NXTTMFC_INVALID_TLV_DEL;
			}
			next.used &= (uint16_t)~bit; /* not mapped: nothing to do */
		}
		break;
	case NXTTMC_CLEAR:
		if (in_use & next.used) {
			return NXTTMFC_INVALID_TLV_DEL;
		}
		next.used = 0;
		break;
	default:
		return NXTTMFC_BAD_COMMAND;
	}
	for (int i = 0; i < OFP_TLV_FIELDS; i++) {
		if (!(next.used >> i & 1)) {
			memset(&next.m[i], 0, sizeof next.m[i]);
		}
	}
	*t = next;
	return OFP_TLV_OK;
}

/* Starts a Nicira message of 'subtype' in 'version'. */
static size_t
nxt_start(struct obuf *b, uint8_t version, uint32_t xid, uint32_t subtype)
{
	size_t start = ofp_msg_start(b, OFPT_EXPERIMENTER, xid);

	b->data[start] = version;
	put32(b, NX_EXPERIMENTER);
	put32(b, subtype);
	return start;
}

static void
put_map(struct obuf *b, const struct ofp_tlv_map *m)
{
	put16(b, m->opt_class);
	put8(b, m->opt_type);
	put8(b, m->len);
	put16(b, m->index);
	put16(b, 0);
}

void
ofp_encode_tlv_mod(struct obuf *b, uint8_t version, uint32_t xid, const struct ofp_tlv_mod *mod)
{
	size_t start = nxt_start(b, version, xid, NXT_TLV_TABLE_MOD);

	put16(b, mod->command);
	obuf_put(b, NULL, 6);
	for (uint32_t i = 0; i < mod->n; i++) {
		put_map(b, &mod->maps[i]);
	}
	ofp_msg_end(b, start);
}

void
ofp_encode_tlv_reply(struct obuf *b, uint8_t version, uint32_t xid, const struct ofp_tlv_table *t)
{
	size_t start = nxt_start(b, version, xid, NXT_TLV_TABLE_REPLY);

	put32(b, OFP_TLV_SPACE);
	put16(b, OFP_TLV_FIELDS);
	obuf_put(b, NULL, 10);
	for (int i = 0; i < OFP_TLV_FIELDS; i++) {
		if (t->used >> i & 1) {
			put_map(b, &t->m[i]);
		}
	}
	ofp_msg_end(b, start);
}

void
ofp_encode_tlv_error(struct obuf *b, uint8_t version, enum ofp_tlv_err e, const uint8_t *req,
		     size_t req_len)
{
	size_t start = ofp_msg_start(b, OFPT_ERROR, req_len >= 8 ? get32(req + 4) : 0);

	b->data[start] = version;
	if (version == OFP10_VERSION) {
		/* 1.0 has no experimenter errors: Nicira's vendor error
		 * carries the vendor, a type (bad request) and a code. */
		put16(b, NXET_VENDOR);
		put16(b, 0);
		put32(b, NX_EXPERIMENTER);
		put16(b, 1);
		put16(b, (uint16_t)(e == NXTTMFC_INVALID_TLV_DEL ? 537 : 511 + e));
	} else {
		put16(b, OFPET_EXPERIMENTER);
		put16(b, (uint16_t)e);
		put32(b, NX_EXPERIMENTER);
	}
	obuf_put(b, req, req_len < 64 ? req_len : 64);
	ofp_msg_end(b, start);
}

void
ofp_tlv_table_as_mod(const struct ofp_tlv_table *t, struct ofp_tlv_mod *mod)
{
	mod->command = NXTTMC_ADD;
	mod->overflow = false;
	mod->n = 0;
	for (int i = 0; i < OFP_TLV_FIELDS; i++) {
		if (t->used >> i & 1) {
			mod->maps[mod->n++] = t->m[i];
		}
	}
}

/* The tun_metadataN fields that 'n' actions write or read. */
static uint16_t
acts_use(const struct ofpact *a, uint32_t n)
{
	uint16_t used = 0;

	for (uint32_t i = 0; i < n; i++) {
		if ((a[i].type == OFPACT_SET_FIELD || a[i].type == OFPACT_MOVE ||
		     a[i].type == OFPACT_LOAD) &&
		    mf_is_tun_md(a[i].field)) {
			used |= (uint16_t)(1u << (a[i].field - MFF_TUN_MD0));
		}
		if (a[i].type == OFPACT_MOVE && mf_is_tun_md(a[i].src_field)) {
			used |= (uint16_t)(1u << (a[i].src_field - MFF_TUN_MD0));
		}
	}
	return used;
}

/* The tun_metadataN fields that the bridge's flow entries and groups
 * match, write or read: their mappings may not go (INVALID_TLV_DEL), nor
 * move (a flow entry holds their bytes where the map put them). */
static uint16_t
tlv_in_use(const struct ofproto *ofp)
{
	uint16_t used = 0;

	for (unsigned int tid = 0; tid < OFP_N_TABLES; tid++) {
		for (const struct rule *r = oftable_first(&ofp->tables[tid]); r;
		     r = oftable_next(r)) {
			used |= r->mask->mask.tun_md_present;
			used |= acts_use(r->insts.apply, r->insts.n_apply);
			used |= acts_use(r->insts.write, r->insts.n_write);
		}
	}
	for (uint32_t i = 0; i < ofp->n_groups; i++) {
		const struct group *g = ofp->groups[i];

		for (uint32_t b = 0; b < g->n_buckets; b++) {
			used |= acts_use(g->buckets[b].actions, g->buckets[b].n_actions);
		}
	}
	return used;
}

int
ofproto_tlv_mod(struct ofproto *ofp, const struct ofp_tlv_mod *mod, bool replay)
{
	/* A field that flows use keeps its mapping and its place (an add
	 * may not pack() it away); with nothing mapped nothing is used. */
	uint16_t in_use = mod->command == NXTTMC_ADD && !ofp->tlv.used ? 0 : tlv_in_use(ofp);
	enum ofp_tlv_err e = ofp_tlv_apply(&ofp->tlv, mod, in_use, replay);

	if (!e && ofp->journal.tlv_mod) {
		ofp->journal.tlv_mod(ofp->journal.aux, mod);
	}
	return (int)e;
}

const struct ofp_tlv_table *
ofproto_tlv_table(const struct ofproto *ofp)
{
	return &ofp->tlv;
}

_Static_assert((int)OFP_TLV_FIELDS == (int)DP_TNL_OPT_FIELDS &&
		       (int)OFP_TLV_SPACE == (int)DP_TNL_OPT_SPACE,
	       "the map is the datapath's");

void
ofp_tlv_to_dp(const struct ofp_tlv_table *t, struct dp_tnl_optmap *map)
{
	memset(map, 0, sizeof *map);
	for (int i = 0; i < OFP_TLV_FIELDS; i++) {
		if (t->used >> i & 1) {
			map->m[map->n++] =
				(struct dp_tnl_opt){t->m[i].opt_class, t->m[i].opt_type,
						    t->m[i].len, (uint8_t)i, t->m[i].ofs};
		}
	}
}
