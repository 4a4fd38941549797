/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenFlow 1.3 wire codec: group and meter messages (ofp_msg.h), their
 * buckets and bands. Every length is checked before it is used.
 */
#include <stdlib.h>
#include <string.h>

#include "ofp_msg.h"
#include "ofp_wire.h"

/* ---- Groups ---- */

enum { GROUP_MOD_LEN = 16, BUCKET_LEN = 16 };

enum ofp_err
ofp_decode_group_mod(const uint8_t *msg, size_t len, struct ofp_group_mod *gm)
{
	const uint8_t *p = msg + OFP_HEADER_LEN;
	enum ofp_err err = OFPERR_OK;
	size_t ofs = GROUP_MOD_LEN - OFP_HEADER_LEN;
	uint16_t cmd;

	memset(gm, 0, sizeof *gm);
	if (len < GROUP_MOD_LEN) {
		return OFPERR_BAD_LEN;
	}
	cmd = get16(p);
	gm->type = p[2];
	gm->group_id = get32(p + 4);
	if (cmd > OFPGC_DELETE) {
		return OFPERR_GROUP_BAD_COMMAND;
	}
	gm->command = (enum ofp_group_cmd)cmd;
	if (cmd == OFPGC_DELETE) {
		return gm->group_id <= OFPG_MAX || gm->group_id == OFPG_ALL
			       ? OFPERR_OK
			       : OFPERR_GROUP_INVALID_GROUP; /* buckets are ignored */
	}
	if (gm->type > OFPGT_FF) {
		return OFPERR_GROUP_BAD_TYPE;
	}
	if (gm->group_id > OFPG_MAX) {
		return OFPERR_GROUP_INVALID_GROUP;
	}
	len -= OFP_HEADER_LEN;
	gm->buckets = calloc(OFP_BUCKET_MAX, sizeof *gm->buckets);
	if (!gm->buckets) {
		return OFPERR_GROUP_OUT_OF_BUCKETS;
	}
	while (!err && ofs < len) {
		struct ofp_bucket *b = &gm->buckets[gm->n_buckets];
		uint16_t blen;

		if (ofs + BUCKET_LEN > len || (blen = get16(p + ofs)) < BUCKET_LEN || blen % 8 ||
		    ofs + blen > len) {
			err = OFPERR_GROUP_BAD_BUCKET;
			break;
		}
		if (gm->n_buckets == OFP_BUCKET_MAX) {
			err = OFPERR_GROUP_OUT_OF_BUCKETS;
			break;
		}
		b->weight = get16(p + ofs + 2);
		b->watch_port = get32(p + ofs + 4);
		b->watch_group = get32(p + ofs + 8);
		err = ofp_decode_actions(p + ofs + BUCKET_LEN, blen - BUCKET_LEN, &b->actions,
					 &b->n_actions, ACTS_BUCKET);
		if (err) {
			break;
		}
		gm->n_buckets++;
		if ((b->watch_port > OFPP_MAX && b->watch_port != OFPP_ANY) ||
		    (b->watch_group > OFPG_MAX && b->watch_group != OFPG_ANY)) {
			err = OFPERR_GROUP_BAD_WATCH;
		} else if (gm->type == OFPGT_FF && b->watch_port == OFPP_ANY &&
			   b->watch_group == OFPG_ANY) {
			err = OFPERR_GROUP_BAD_WATCH; /* fast failover watches something */
		} else if (gm->type != OFPGT_SELECT && b->weight) {
			/* A weight is defined for select groups only: elsewhere
			 * the group is invalid (as OFTest's GroupAddAllWeight
			 * expects), not a weight the switch cannot do. */
			err = OFPERR_GROUP_INVALID_GROUP;
		} else if (gm->type == OFPGT_FF && b->watch_group == gm->group_id) {
			err = OFPERR_GROUP_LOOP;
		}
		ofs += blen;
	}
	if (!err && gm->type == OFPGT_INDIRECT && gm->n_buckets != 1) {
		err = OFPERR_GROUP_INVALID_GROUP; /* indirect: exactly one bucket */
	}
	if (err) {
		ofp_group_mod_destroy(gm);
	}
	return err;
}

static void
encode_bucket(struct obuf *b, const struct ofp_bucket *k)
{
	size_t start = b->size;

	put16(b, 0);
	put16(b, k->weight);
	put32(b, k->watch_port);
	put32(b, k->watch_group);
	put32(b, 0);
	for (uint32_t i = 0; i < k->n_actions; i++) {
		ofp_encode_action(b, &k->actions[i]);
	}
	set16(b->data + start, (uint16_t)(b->size - start));
}

void
ofp_encode_group_mod(struct obuf *b, uint32_t xid, const struct ofp_group_mod *gm)
{
	size_t start = ofp_msg_start(b, OFPT_GROUP_MOD, xid);

	put16(b, (uint16_t)gm->command);
	put8(b, gm->type);
	put8(b, 0);
	put32(b, gm->group_id);
	for (uint32_t i = 0; i < gm->n_buckets; i++) {
		encode_bucket(b, &gm->buckets[i]);
	}
	ofp_msg_end(b, start);
}

void
ofp_encode_group_stats(struct obuf *b, const struct ofproto_group_info *g)
{
	size_t start = b->size;

	put16(b, 0);
	put16(b, 0);
	put32(b, g->group_id);
	put32(b, g->ref_count);
	put32(b, 0);
	put64(b, g->n_packets);
	put64(b, g->n_bytes);
	put32(b, (uint32_t)(g->duration_ms / 1000));
	put32(b, (uint32_t)(g->duration_ms % 1000 * 1000000));
	for (uint32_t i = 0; i < g->n_buckets; i++) {
		put64(b, g->bucket_packets[i]);
		put64(b, g->bucket_bytes[i]);
	}
	set16(b->data + start, (uint16_t)(b->size - start));
}

void
ofp_encode_group_desc(struct obuf *b, const struct ofproto_group_info *g)
{
	size_t start = b->size;

	put16(b, 0);
	put8(b, g->type);
	put8(b, 0);
	put32(b, g->group_id);
	for (uint32_t i = 0; i < g->n_buckets; i++) {
		encode_bucket(b, &g->buckets[i]);
	}
	set16(b->data + start, (uint16_t)(b->size - start));
}

void
ofp_encode_group_features(struct obuf *b)
{
	static const uint16_t acts[] = {OFPAT_OUTPUT,    OFPAT_SET_MPLS_TTL, OFPAT_DEC_MPLS_TTL,
					OFPAT_PUSH_VLAN, OFPAT_POP_VLAN,     OFPAT_PUSH_MPLS,
					OFPAT_POP_MPLS,  OFPAT_SET_NW_TTL,   OFPAT_DEC_NW_TTL,
					OFPAT_SET_FIELD, OFPAT_PUSH_PBB,     OFPAT_POP_PBB};
	uint32_t bits = 0;

	for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) {
		bits |= 1u << acts[i];
	}
	put32(b, 1u << OFPGT_ALL | 1u << OFPGT_SELECT | 1u << OFPGT_INDIRECT | 1u << OFPGT_FF);
	put32(b, 1 | 2); /* capabilities: select weight, select liveness */
	for (int i = 0; i < 4; i++) {
		put32(b, OFP_GROUP_MAX);
	}
	for (int i = 0; i < 4; i++) {
		put32(b, bits); /* group actions are not chained */
	}
}

/* ---- Meters ---- */

enum { METER_MOD_LEN = 16, BAND_LEN = 16 };

enum ofp_err
ofp_decode_meter_mod(const uint8_t *msg, size_t len, struct ofp_meter_mod *mm)
{
	const uint8_t *p = msg + OFP_HEADER_LEN;
	uint16_t cmd;

	memset(mm, 0, sizeof *mm);
	if (len < METER_MOD_LEN) {
		return OFPERR_BAD_LEN;
	}
	cmd = get16(p);
	mm->flags = get16(p + 2);
	mm->meter_id = get32(p + 4);
	if (cmd > OFPMC_DELETE) {
		return OFPERR_METER_BAD_COMMAND;
	}
	mm->command = (enum ofp_meter_cmd)cmd;
	if (cmd == OFPMC_DELETE) {
		return (mm->meter_id && mm->meter_id <= OFPM_MAX) || mm->meter_id == OFPM_ALL
			       ? OFPERR_OK
			       : OFPERR_METER_INVALID_METER;
	}
	if (!mm->meter_id || mm->meter_id > OFPM_MAX) {
		return OFPERR_METER_INVALID_METER;
	}
	if ((mm->flags & ~0xfu) ||
	    (mm->flags & (OFPMF_KBPS | OFPMF_PKTPS)) == (OFPMF_KBPS | OFPMF_PKTPS)) {
		return OFPERR_METER_BAD_FLAGS;
	}
	for (size_t ofs = METER_MOD_LEN; ofs < len;) {
		struct ofp_meter_band *band = &mm->bands[mm->n_bands];
		uint16_t blen;

		if (ofs + 4 > len || (blen = get16(msg + ofs + 2)) != BAND_LEN ||
		    ofs + blen > len) {
			return OFPERR_BAD_LEN;
		}
		if (mm->n_bands == OFP_METER_BANDS) {
			return OFPERR_METER_OUT_OF_BANDS;
		}
		band->type = get16(msg + ofs);
		band->rate = get32(msg + ofs + 4);
		band->burst = get32(msg + ofs + 8);
		if (band->type != OFPMBT_DROP && band->type != OFPMBT_DSCP_REMARK) {
			return OFPERR_METER_BAD_BAND;
		}
		if (!band->rate) {
			return OFPERR_METER_BAD_RATE;
		}
		if (band->type == OFPMBT_DSCP_REMARK) {
			/* Drop precedence is two bits: more saturates. */
			band->prec_level = msg[ofs + 12];
		}
		if (!(mm->flags & OFPMF_BURST)) {
			band->burst = 0; /* only with the burst flag */
		}
		mm->n_bands++;
		ofs += blen;
	}
	return OFPERR_OK;
}

static void
encode_bands(struct obuf *b, const struct ofp_meter_mod *mm)
{
	for (uint32_t i = 0; i < mm->n_bands; i++) {
		const struct ofp_meter_band *band = &mm->bands[i];

		put16(b, band->type);
		put16(b, BAND_LEN);
		put32(b, band->rate);
		put32(b, band->burst);
		put8(b, band->type == OFPMBT_DSCP_REMARK ? band->prec_level : 0);
		obuf_put(b, NULL, 3);
	}
}

void
ofp_encode_meter_mod(struct obuf *b, uint32_t xid, const struct ofp_meter_mod *mm)
{
	size_t start = ofp_msg_start(b, OFPT_METER_MOD, xid);

	put16(b, (uint16_t)mm->command);
	put16(b, mm->flags);
	put32(b, mm->meter_id);
	encode_bands(b, mm);
	ofp_msg_end(b, start);
}

void
ofp_encode_meter_stats(struct obuf *b, const struct ofproto_meter_info *m)
{
	size_t start = b->size;

	put32(b, m->meter_id);
	put16(b, 0);
	obuf_put(b, NULL, 6);
	put32(b, m->flow_count);
	put64(b, m->stats.packets);
	put64(b, m->stats.bytes);
	put32(b, (uint32_t)(m->duration_ms / 1000));
	put32(b, (uint32_t)(m->duration_ms % 1000 * 1000000));
	for (uint32_t i = 0; i < m->cfg->n_bands; i++) {
		put64(b, m->stats.band_packets[i]);
		put64(b, m->stats.band_bytes[i]);
	}
	set16(b->data + start + 4, (uint16_t)(b->size - start));
}

void
ofp_encode_meter_config(struct obuf *b, const struct ofproto_meter_info *m)
{
	size_t start = b->size;

	put16(b, 0);
	put16(b, m->cfg->flags);
	put32(b, m->meter_id);
	encode_bands(b, m->cfg);
	set16(b->data + start, (uint16_t)(b->size - start));
}

void
ofp_encode_meter_features(struct obuf *b)
{
	put32(b, OFP_METER_MAX);
	put32(b, 1u << OFPMBT_DROP | 1u << OFPMBT_DSCP_REMARK);
	put32(b, OFPMF_KBPS | OFPMF_PKTPS | OFPMF_BURST | OFPMF_STATS);
	put8(b, OFP_METER_BANDS);
	put8(b, 0); /* max_color */
	put16(b, 0);
}
