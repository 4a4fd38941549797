/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bridge's OpenFlow state for persistence (ofproto.h, "Journal"): the
 * change reports, the whole state reported as adds (a snapshot), and the
 * replay of flow, group and meter mods read back, with "set" semantics so
 * that a journal replayed over a snapshot that already holds it changes
 * nothing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofp_msg.h"
#include "ofp_tlv.h"
#include "ofproto_priv.h"

void
ofproto_set_journal(struct ofproto *ofp, const struct ofproto_journal *j)
{
	if (j) {
		ofp->journal = *j;
	} else {
		memset(&ofp->journal, 0, sizeof ofp->journal);
	}
}

void
ofproto_journal_state(const struct ofproto *ofp, const struct ofproto_journal *j)
{
	mf_tlv_bind(&ofp->tlv);
	if (ofp->tlv.used && j->tlv_mod) {
		struct ofp_tlv_mod mod;

		ofp_tlv_table_as_mod(&ofp->tlv, &mod);
		j->tlv_mod(j->aux, &mod);
	}
	for (uint32_t i = 0; i < ofp->n_groups && j->group_mod; i++) {
		const struct group *g = ofp->groups[i];
		struct ofp_group_mod gm = {OFPGC_ADD, g->type, g->id, g->buckets, g->n_buckets};

		j->group_mod(j->aux, &gm);
	}
	for (uint32_t i = 0; i < ofp->n_meters && j->meter_mod; i++) {
		j->meter_mod(j->aux, &ofp->meters[i]->cfg);
	}
	for (unsigned tid = 0; tid < OFP_N_TABLES && j->flow_set; tid++) {
		uint32_t n;
		struct rule **rules = oftable_sorted(&ofp->tables[tid], &n);

		for (uint32_t i = 0; i < n; i++) {
			struct ofproto_flow_info f;

			ofproto_rule_info(rules[i], rules[i]->used_ms, &f);
			j->flow_set(j->aux, &f);
		}
		free(rules);
	}
}

uint64_t
ofproto_state_size(const struct ofproto *ofp)
{
	uint64_t n = (uint64_t)ofp->n_groups + ofp->n_meters;

	for (unsigned tid = 0; tid < OFP_N_TABLES; tid++) {
		n += ofp->tables[tid].n;
	}
	return n;
}

static int
apply_flow_mod(struct ofproto *ofp, const uint8_t *msg, size_t len, uint64_t now_ms, char *err)
{
	struct ofp_flow_mod fm;
	enum ofp_err e = ofp_decode_flow_mod(msg, len, &fm);
	int ret;

	if (e) {
		snprintf(err, OFP_ERR_MAX, "a flow mod that does not decode (error 0x%x)",
			 (unsigned)e);
		ofp_insts_destroy(&fm.insts);
		return -EINVAL;
	}
	ret = ofproto_flow_mod(ofp, &fm, now_ms, err);
	ofp_insts_destroy(&fm.insts);
	return ret;
}

static int
apply_group_mod(struct ofproto *ofp, const uint8_t *msg, size_t len, uint64_t now_ms, char *err)
{
	struct ofp_group_mod gm;
	enum ofp_err e = ofp_decode_group_mod(msg, len, &gm);
	int ret;

	if (e) {
		snprintf(err, OFP_ERR_MAX, "a group mod that does not decode (error 0x%x)",
			 (unsigned)e);
		ofp_group_mod_destroy(&gm);
		return -EINVAL;
	}
	if (gm.command == OFPGC_ADD && ofproto_group_find(ofp, gm.group_id)) {
		gm.command = OFPGC_MODIFY;
	} else if (gm.command == OFPGC_MODIFY && !ofproto_group_find(ofp, gm.group_id)) {
		gm.command = OFPGC_ADD;
	}
	ret = ofproto_group_mod(ofp, &gm, now_ms, err);
	ofp_group_mod_destroy(&gm);
	return ret;
}

static int
apply_meter_mod(struct ofproto *ofp, const uint8_t *msg, size_t len, uint64_t now_ms, char *err)
{
	struct ofp_meter_mod mm;
	enum ofp_err e = ofp_decode_meter_mod(msg, len, &mm);

	if (e) {
		snprintf(err, OFP_ERR_MAX, "a meter mod that does not decode (error 0x%x)",
			 (unsigned)e);
		return -EINVAL;
	}
	if (mm.command == OFPMC_ADD && ofproto_meter_find(ofp, mm.meter_id)) {
		mm.command = OFPMC_MODIFY;
	} else if (mm.command == OFPMC_MODIFY && !ofproto_meter_find(ofp, mm.meter_id)) {
		mm.command = OFPMC_ADD;
	}
	return ofproto_meter_mod(ofp, &mm, now_ms, err);
}

static int
apply_tlv_mod(struct ofproto *ofp, const uint8_t *msg, size_t len, char *err)
{
	struct ofp_tlv_mod mod;
	enum ofp_tlv_err te;
	enum ofp_err e = ofp_decode_tlv_mod(msg, len, &mod, &te);

	if (e || te || (te = (enum ofp_tlv_err)ofproto_tlv_mod(ofp, &mod, true))) {
		snprintf(err, OFP_ERR_MAX, "a Geneve option map change that fails (error 0x%x)",
			 e ? (unsigned)e : (unsigned)te);
		return -EINVAL;
	}
	return 0;
}

int
ofproto_journal_apply(struct ofproto *ofp, const uint8_t *msg, size_t len, uint64_t now_ms,
		      char *err)
{
	struct ofp_hdr h;

	mf_tlv_bind(&ofp->tlv); /* as the map stands at this record */
	if (len < OFP_HEADER_LEN) {
		snprintf(err, OFP_ERR_MAX, "a record of %zu bytes", len);
		return -EINVAL;
	}
	ofp_hdr_decode(msg, &h);
	if (h.length != len) {
		snprintf(err, OFP_ERR_MAX, "a message of %u bytes in a record of %zu", h.length,
			 len);
		return -EINVAL;
	}
	switch (h.type) {
	case OFPT_FLOW_MOD:
		return apply_flow_mod(ofp, msg, len, now_ms, err);
	case OFPT_GROUP_MOD:
		return apply_group_mod(ofp, msg, len, now_ms, err);
	case OFPT_METER_MOD:
		return apply_meter_mod(ofp, msg, len, now_ms, err);
	case OFPT_EXPERIMENTER:
		if (ofp_is_nxt(msg, len, NXT_TLV_TABLE_MOD)) {
			return apply_tlv_mod(ofp, msg, len, err);
		}
		break;
	}
	snprintf(err, OFP_ERR_MAX, "an OpenFlow message of type %u", h.type);
	return -EINVAL;
}
