/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the OpenFlow 1.3 decoder: any byte string is a
 * message (its header's length is forced to the input size). Decoding must
 * never read outside it (ASan, exact-size copy) nor leak (LSan); a flow mod
 * that decodes must encode back to a message that decodes to the same
 * match and instructions; group and meter mods likewise. Hello, match,
 * multipart-request and packet-out decoders get the same bytes, and so
 * does the Geneve option map's (a mod that decodes and applies to an
 * empty map must come back as the same mappings).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ofp_msg.h"
#include "ofp_msg10.h"
#include "ofp_tlv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The option map matches and actions are read with: tun_metadata0 (4
 * bytes) and tun_metadata5 (8), the other fields unmapped. */
static const struct ofp_tlv_table fixed_map = {
	.used = 0x21, .m = {[0] = {0x0102, 0x80, 4, 0, 0}, [5] = {0xffff, 0x01, 8, 5, 4}}};

static void
round_trip(const struct ofp_flow_mod *fm)
{
	struct ofp_flow_mod back;
	struct obuf b;
	size_t start;

	obuf_init(&b);
	start = ofp_msg_start(&b, OFPT_FLOW_MOD, 1);
	obuf_put(&b, NULL, 40);
	memset(b.data + start + 8 + 24, 0xff, 12); /* no buffer, any port and group */
	b.data[start + 8 + 17] = (uint8_t)fm->command;
	b.data[start + 8 + 16] = fm->table_id;
	ofp_encode_match(&b, &fm->match);
	ofp_encode_insts(&b, &fm->insts);
	ofp_msg_end(&b, start);
	if (ofp_decode_flow_mod(b.data, b.size, &back) != OFPERR_OK ||
	    !match_equal(&fm->match, &back.match) ||
	    ((fm->command == OFPFC_ADD || fm->command == OFPFC_MODIFY ||
	      fm->command == OFPFC_MODIFY_STRICT) &&
	     !ofp_insts_equal(&fm->insts, &back.insts))) {
		abort(); /* the encoder and the decoder disagree */
	}
	ofp_insts_destroy(&back.insts);
	obuf_free(&b);
}

static void
group_round_trip(const struct ofp_group_mod *gm)
{
	struct ofp_group_mod back;
	struct obuf b;

	obuf_init(&b);
	ofp_encode_group_mod(&b, 1, gm);
	if (ofp_decode_group_mod(b.data, b.size, &back) != OFPERR_OK ||
	    back.command != gm->command || back.group_id != gm->group_id ||
	    (gm->command != OFPGC_DELETE &&
	     (back.type != gm->type || back.n_buckets != gm->n_buckets))) {
		abort();
	}
	for (uint32_t i = 0; i < back.n_buckets; i++) {
		if (back.buckets[i].n_actions != gm->buckets[i].n_actions ||
		    back.buckets[i].watch_port != gm->buckets[i].watch_port) {
			abort();
		}
	}
	ofp_group_mod_destroy(&back);
	obuf_free(&b);
}

static void
meter_round_trip(const struct ofp_meter_mod *mm)
{
	struct ofp_meter_mod back;
	struct obuf b;

	obuf_init(&b);
	ofp_encode_meter_mod(&b, 1, mm);
	if (ofp_decode_meter_mod(b.data, b.size, &back) != OFPERR_OK ||
	    (mm->command != OFPMC_DELETE && memcmp(&back, mm, sizeof back))) {
		abort();
	}
	obuf_free(&b);
}

static void
tlv_round_trip(const uint8_t *msg, size_t len)
{
	struct ofp_tlv_table t = {0}, back = {0};
	struct ofp_tlv_mod mod, again;
	enum ofp_tlv_err te;
	struct obuf b;

	if (ofp_decode_tlv_mod(msg, len, &mod, &te) || te || ofp_tlv_apply(&t, &mod, 0, false)) {
		return;
	}
	ofp_tlv_table_as_mod(&t, &mod);
	obuf_init(&b);
	ofp_encode_tlv_mod(&b, OFP13_VERSION, 0, &mod);
	if (ofp_decode_tlv_mod(b.data, b.size, &again, &te) || te ||
	    ofp_tlv_apply(&back, &again, 0, false) || back.used != t.used) {
		abort();
	}
	for (int i = 0; i < OFP_TLV_FIELDS; i++) {
		const struct ofp_tlv_map *x = &t.m[i], *y = &back.m[i];

		if (t.used >> i & 1 && (x->opt_class != y->opt_class ||
					x->opt_type != y->opt_type || x->len != y->len)) {
			abort();
		}
	}
	obuf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ofp_group_mod gm;
	struct ofp_meter_mod mm;
	struct ofp_flow_mod fm;
	struct match m;
	struct ofp_insts in;
	uint8_t *copy;
	struct ofp_packet_out po;
	struct obuf up, down;
	uint8_t version;
	size_t used;

	if (size < OFP_HEADER_LEN || size > OFP_MSG_MAX) {
		return 0;
	}
	copy = malloc(size);
	if (!copy) {
		return 0;
	}
	memcpy(copy, data, size);
	copy[2] = (uint8_t)(size >> 8);
	copy[3] = (uint8_t)size;
	mf_tlv_bind(&fixed_map); /* tun_metadata0 and 5 mapped */
	if (ofp_decode_flow_mod(copy, size, &fm) == OFPERR_OK) {
		round_trip(&fm);
	}
	ofp_insts_destroy(&fm.insts);
	if (ofp_decode_group_mod(copy, size, &gm) == OFPERR_OK) {
		group_round_trip(&gm);
		ofp_group_mod_destroy(&gm);
	}
	if (ofp_decode_meter_mod(copy, size, &mm) == OFPERR_OK) {
		meter_round_trip(&mm);
	}
	ofp_decode_hello(copy, size, &version);
	tlv_round_trip(copy, size);
	/* As OpenFlow 1.0, 1.4 or 1.5 from a peer, and as a 1.3 message to
	 * such a peer. */
	obuf_init(&up);
	obuf_init(&down);
	if (of10_to_13(copy, size, &up) == OFPERR_OK) {
		of13_to_10(up.data, up.size, &down, NULL, copy, size);
	}
	of13_to_10(copy, size, &down, NULL, NULL, 0);
	up.size = 0;
	if (of14_to_13(copy, size, &up) == OFPERR_OK) {
		of13_to_14(up.data, up.size, &down, copy, size);
	}
	of13_to_14(copy, size, &down, NULL, 0);
	up.size = 0;
	if (of15_to_13(copy, size, &up) == OFPERR_OK) {
		of13_to_15(up.data, up.size, &down, copy, size);
	}
	of13_to_15(copy, size, &down, NULL, 0);
	obuf_free(&up);
	obuf_free(&down);
	ofp_decode_match(copy + OFP_HEADER_LEN, size - OFP_HEADER_LEN, &m, &used);
	if (ofp_decode_insts(copy + OFP_HEADER_LEN, size - OFP_HEADER_LEN, &in) == OFPERR_OK) {
		ofp_insts_destroy(&in);
	}
	if (ofp_decode_flow_stats_request(copy + OFP_HEADER_LEN, size - OFP_HEADER_LEN, &fm) ==
	    OFPERR_OK) {
		ofp_insts_destroy(&fm.insts);
	}
	if (ofp_decode_packet_out(copy, size, &po) == OFPERR_OK) {
		/* The packet lies inside the message. */
		if (po.data + po.len != copy + size) {
			abort();
		}
		free(po.actions);
	}
	free(copy);
	return 0;
}
