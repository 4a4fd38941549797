/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Nicira's Geneve option map messages (ofproto/ofp_tlv.h) on a connection,
 * in whichever OpenFlow version it speaks: NXT_TLV_TABLE_MOD changes the
 * bridge's map (answered only when refused), NXT_TLV_TABLE_REQUEST is
 * answered with NXT_TLV_TABLE_REPLY.
 */
#include "log.h"
#include "ofconn_priv.h"
#include "ofp_tlv.h"
#include "ofp_wire.h"

/* An error of the connection's version for a request of that version. */
static void
error_in_version(struct conn *k, enum ofp_err err, const uint8_t *msg, size_t len)
{
	size_t at = k->out.size;

	send_error(k, err, msg, len);
	k->out.data[at] = k->version;
}

static void
handle_mod(struct conn *k, const uint8_t *msg, size_t len)
{
	struct ofp_tlv_mod mod;
	enum ofp_tlv_err te;
	enum ofp_err err = ofp_decode_tlv_mod(msg, len, &mod, &te);

	if (err) {
		error_in_version(k, err, msg, len);
		return;
	}
	if (!te) {
		ofproto_lock();
		te = (enum ofp_tlv_err)ofproto_tlv_mod(k->br->ofp, &mod, false);
		ofproto_unlock();
	}
	if (te) {
		VLOG_DBG("ofconn", "%s: Geneve option map change refused (error %u)", k->br->name,
			 (unsigned)te);
		ofp_encode_tlv_error(&k->out, k->version, te, msg, len);
	}
}

bool
ofconn_tlv_handle(struct ofconns *c, struct conn *k, const uint8_t *msg, size_t len)
{
	bool mod = ofp_is_nxt(msg, len, NXT_TLV_TABLE_MOD);

	if (!mod && !ofp_is_nxt(msg, len, NXT_TLV_TABLE_REQUEST)) {
		return false;
	}
	ofconn_downgrade(c, k, NULL, 0); /* what waits for conversion first */
	if (msg[0] != k->version) {
		error_in_version(k, OFPERR_BAD_VERSION, msg, len);
	} else if (mod && k->role == ROLE_SLAVE) {
		error_in_version(k, OFPERR_IS_SLAVE, msg, len);
	} else if (mod) {
		handle_mod(k, msg, len);
	} else if (len != 16) {
		error_in_version(k, OFPERR_BAD_LEN, msg, len);
	} else {
		ofproto_lock();
		ofp_encode_tlv_reply(&k->out, k->version, get32(msg + 4),
				     ofproto_tlv_table(k->br->ofp));
		ofproto_unlock();
	}
	k->out_conv = k->out.size;
	return true;
}
