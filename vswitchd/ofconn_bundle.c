/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenFlow bundles: OpenFlow 1.4 and 1.5's BUNDLE_CONTROL and
 * BUNDLE_ADD_MESSAGE, and the same in 1.3 as ONF's extension 230
 * (experimenter messages 2300 and 2301), which `ovs-ofctl --bundle` and
 * os-ken send. A bundle gathers flow mods per connection and bundle id;
 * each is decoded when added (a bad one gets its error then and the
 * bundle stays open), and a commit applies them all or none
 * (ofproto_flow_mods_atomic()). Replies and errors go out in the
 * connection's version; on 1.3, bundle errors are ONF's experimenter
 * errors. A connection's bundles go with it.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "ofconn_priv.h"
#include "ofp_msg10.h"
#include "ofp_wire.h"

enum {
	OFPT_BUNDLE_CONTROL = 33,
	OFPT_BUNDLE_ADD_MESSAGE = 34,
	ONFT_BUNDLE_CONTROL = 2300,
	ONFT_BUNDLE_ADD_MESSAGE = 2301,
	ONF_EXPERIMENTER_ID = 0x4f4e4600,
	/* Bundle control types. */
	BCT_OPEN_REQUEST = 0,
	BCT_CLOSE_REQUEST = 2,
	BCT_COMMIT_REQUEST = 4,
	BCT_DISCARD_REQUEST = 6,
	BF_ATOMIC = 1,
	BF_ORDERED = 2,
	/* OFPET_BUNDLE_FAILED codes (ONF's experimenter codes are 2300 +). */
	BFC_UNKNOWN = 0,
	BFC_EPERM = 1,
	BFC_BAD_ID = 2,
	BFC_BUNDLE_EXIST = 3,
	BFC_BUNDLE_CLOSED = 4,
	BFC_OUT_OF_BUNDLES = 5,
	BFC_BAD_TYPE = 6,
	BFC_BAD_FLAGS = 7,
	BFC_MSG_BAD_LEN = 8,
	BFC_MSG_BAD_XID = 9,
	BFC_MSG_UNSUP = 10,
	BFC_MSG_TOO_MANY = 12,
	BFC_MSG_FAILED = 13,
	/* Per connection: open bundles, and the bytes of messages they hold. */
	BUNDLES_MAX = 16,
	BUNDLE_BYTES_MAX = 64 << 20,
};

struct bundle {
	uint32_t id;
	uint16_t flags;
	bool closed;
	struct ofp_flow_mod *fms;
	uint8_t **msgs; /* each flow mod as the peer sent it, for its error */
	size_t n, cap;
};

struct ofconn_bundles {
	struct bundle b[BUNDLES_MAX];
	size_t n;
	size_t bytes;
};

static void
bundle_free(struct ofconn_bundles *bs, struct bundle *b)
{
	for (size_t i = 0; i < b->n; i++) {
		ofp_insts_destroy(&b->fms[i].insts);
		bs->bytes -= get16(b->msgs[i] + 2);
		free(b->msgs[i]);
	}
	free(b->fms);
	free(b->msgs);
	*b = bs->b[--bs->n];
}

void
ofconn_bundles_free(struct conn *k)
{
	struct ofconn_bundles *bs = k->bundles;

	if (bs) {
		while (bs->n) {
			bundle_free(bs, &bs->b[0]);
		}
		free(bs);
		k->bundles = NULL;
	}
}

static struct bundle *
bundle_find(struct ofconn_bundles *bs, uint32_t id)
{
	for (size_t i = 0; bs && i < bs->n; i++) {
		if (bs->b[i].id == id) {
			return &bs->b[i];
		}
	}
	return NULL;
}

static struct bundle *
bundle_open(struct conn *k, uint32_t id, uint16_t flags)
{
	struct ofconn_bundles *bs = k->bundles;
	struct bundle *b;

	if (!bs) {
		bs = k->bundles = calloc(1, sizeof *bs);
		if (!bs) {
			return NULL;
		}
	}
	if (bs->n == BUNDLES_MAX) {
		return NULL;
	}
	b = &bs->b[bs->n++];
	memset(b, 0, sizeof *b);
	b->id = id;
	b->flags = flags;
	return b;
}

/* A bundle error: OFPET_BUNDLE_FAILED in 1.4 and 1.5, ONF's experimenter
 * error in 1.3; the data is 'msg' (of the connection's version). */
static void
bundle_error(struct conn *k, unsigned int code, const uint8_t *msg, size_t len)
{
	size_t start = k->out.size;

	if (len > 64) {
		len = 64;
	}
	if (k->version == OFP13_VERSION) {
		start = ofp_msg_start(&k->out, OFPT_ERROR, get32(msg + 4));
		put16(&k->out, 0xffff); /* OFPET_EXPERIMENTER */
		put16(&k->out, (uint16_t)(2300 + code));
		put32(&k->out, ONF_EXPERIMENTER_ID);
		obuf_put(&k->out, msg, len);
		ofp_msg_end(&k->out, start);
		return;
	}
	ofp_encode_error(&k->out, OFPERR(17, code), msg, len);
	k->out.data[start] = k->version;
}

/* Another error (an added message's own) in the connection's version. */
static void
version_error(struct conn *k, enum ofp_err err, const uint8_t *msg, size_t len)
{
	size_t start = k->out.size;

	ofp_encode_error(&k->out, err, msg, len);
	k->out.data[start] = k->version;
}

/* A control reply: the request's bundle id, type + 1 and flags. */
static void
control_reply(struct conn *k, const uint8_t *req, uint32_t id, uint16_t type, uint16_t flags)
{
	size_t start;

	if (k->version == OFP13_VERSION) {
		start = ofp_msg_start(&k->out, OFPT_EXPERIMENTER, get32(req + 4));
		put32(&k->out, ONF_EXPERIMENTER_ID);
		put32(&k->out, ONFT_BUNDLE_CONTROL);
	} else {
		start = k->out.size;
		put8(&k->out, k->version);
		put8(&k->out, OFPT_BUNDLE_CONTROL);
		put16(&k->out, 0);
		put32(&k->out, get32(req + 4));
	}
	put32(&k->out, id);
	put16(&k->out, (uint16_t)(type + 1));
	put16(&k->out, flags);
	set16(k->out.data + start + 2, (uint16_t)(k->out.size - start));
}

/* The inner message of an add, as a 1.3 flow mod in 'fm'. */
static enum ofp_err
decode_inner(const struct conn *k, const uint8_t *inner, size_t len, struct ofp_flow_mod *fm)
{
	struct obuf up;
	enum ofp_err err;

	if (k->version == OFP13_VERSION) {
		return ofp_decode_flow_mod(inner, len, fm);
	}
	obuf_init(&up);
	err = k->version == OFP14_VERSION ? of14_to_13(inner, len, &up)
					  : of15_to_13(inner, len, &up);
	if (!err) {
		err = ofp_decode_flow_mod(up.data, up.size, fm);
	}
	obuf_free(&up);
	return err;
}

static void
handle_add(struct ofconns *c, struct conn *k, const uint8_t *msg, size_t len, size_t body)
{
	struct ofconn_bundles *bs;
	const uint8_t *inner = msg + body + 8;
	uint32_t id = get32(msg + body);
	uint16_t flags = get16(msg + body + 6), ilen;
	struct bundle *b;
	struct ofp_flow_mod fm;
	enum ofp_err err;
	uint8_t *copy;

	(void)c;
	if (len < body + 8 + OFP_HEADER_LEN || (ilen = get16(inner + 2)) < OFP_HEADER_LEN ||
	    ilen > len - body - 8) {
		bundle_error(k, BFC_MSG_BAD_LEN, msg, len);
		return;
	}
	if (inner[0] != k->version) {
		version_error(k, OFPERR_BAD_VERSION, inner, ilen);
		return;
	}
	if (get32(inner + 4) != get32(msg + 4)) {
		bundle_error(k, BFC_MSG_BAD_XID, msg, len);
		return;
	}
	if (inner[1] != OFPT_FLOW_MOD) {
		bundle_error(k, BFC_MSG_UNSUP, msg, len);
		return;
	}
	if (k->role == ROLE_SLAVE) {
		bundle_error(k, BFC_EPERM, msg, len);
		return;
	}
	b = bundle_find(k->bundles, id);
	if (b && b->closed) {
		bundle_error(k, BFC_BUNDLE_CLOSED, msg, len);
		return;
	}
	if (b && b->flags != flags) {
		bundle_error(k, BFC_BAD_FLAGS, msg, len);
		return;
	}
	bs = k->bundles;
	if (bs && bs->bytes + ilen > BUNDLE_BYTES_MAX) {
		bundle_error(k, BFC_MSG_TOO_MANY, msg, len);
		return;
	}
	err = decode_inner(k, inner, ilen, &fm);
	if (err) {
		version_error(k, err, inner, ilen);
		return;
	}
	if (!b && !(b = bundle_open(k, id, flags))) { /* an add opens it */
		ofp_insts_destroy(&fm.insts);
		bundle_error(k, BFC_OUT_OF_BUNDLES, msg, len);
		return;
	}
	bs = k->bundles;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		struct ofp_flow_mod *fms = realloc(b->fms, cap * sizeof *fms);
		uint8_t **msgs = fms ? realloc(b->msgs, cap * sizeof *msgs) : NULL;

		if (fms) {
			b->fms = fms;
		}
		if (!msgs) {
			ofp_insts_destroy(&fm.insts);
			bundle_error(k, BFC_MSG_TOO_MANY, msg, len);
			return;
		}
		b->msgs = msgs;
		b->cap = cap;
	}
	copy = malloc(ilen);
	if (!copy) {
		ofp_insts_destroy(&fm.insts);
		bundle_error(k, BFC_MSG_TOO_MANY, msg, len);
		return;
	}
	memcpy(copy, inner, ilen);
	b->fms[b->n] = fm;
	b->msgs[b->n++] = copy;
	bs->bytes += ilen;
}

static void
commit(struct ofconns *c, struct conn *k, struct bundle *b, const uint8_t *msg, size_t len)
{
	char reason[OFP_ERR_MAX] = "";
	size_t failed = 0;
	int ret;

	ofproto_lock();
	ret = ofproto_flow_mods_atomic(k->br->ofp, b->fms, b->n, c->now_ms, reason, &failed);
	ofproto_unlock();
	if (ret) {
		const uint8_t *m = b->msgs[failed];

		VLOG_DBG("ofconn", "%s: bundle %u not committed: flow mod %zu: %s", k->br->name,
			 b->id, failed + 1, reason);
		version_error(k, errno_to_ofp(ret, reason), m, get16(m + 2));
		bundle_error(k, BFC_MSG_FAILED, msg, len);
		return;
	}
	/* Acknowledged only once written down (as a barrier is). */
	c->hooks.sync(c->hooks.aux, false);
	control_reply(k, msg, b->id, BCT_COMMIT_REQUEST, b->flags);
}

static void
handle_control(struct ofconns *c, struct conn *k, const uint8_t *msg, size_t len, size_t body)
{
	uint32_t id;
	uint16_t type, flags;
	struct bundle *b;

	if (len < body + 8) {
		bundle_error(k, BFC_MSG_BAD_LEN, msg, len);
		return;
	}
	id = get32(msg + body);
	type = get16(msg + body + 4);
	flags = get16(msg + body + 6);
	b = bundle_find(k->bundles, id);
	if (type != BCT_OPEN_REQUEST && type != BCT_CLOSE_REQUEST && type != BCT_COMMIT_REQUEST &&
	    type != BCT_DISCARD_REQUEST) {
		bundle_error(k, BFC_BAD_TYPE, msg, len);
		return;
	}
	if (flags & ~(BF_ATOMIC | BF_ORDERED)) {
		bundle_error(k, BFC_BAD_FLAGS, msg, len);
		return;
	}
	if (type == BCT_OPEN_REQUEST) {
		if (b) {
			bundle_error(k, BFC_BUNDLE_EXIST, msg, len);
		} else if (k->role == ROLE_SLAVE) {
			bundle_error(k, BFC_EPERM, msg, len);
		} else if (!bundle_open(k, id, flags)) {
			bundle_error(k, BFC_OUT_OF_BUNDLES, msg, len);
		} else {
			control_reply(k, msg, id, type, flags);
		}
		return;
	}
	if (!b) {
		bundle_error(k, BFC_BAD_ID, msg, len);
		return;
	}
	if (flags != b->flags) {
		bundle_error(k, BFC_BAD_FLAGS, msg, len);
		return;
	}
	if (type == BCT_CLOSE_REQUEST) {
		if (b->closed) {
			bundle_error(k, BFC_BUNDLE_CLOSED, msg, len);
		} else {
			b->closed = true;
			control_reply(k, msg, id, type, flags);
		}
		return;
	}
	if (type == BCT_COMMIT_REQUEST) {
		if (k->role == ROLE_SLAVE) {
			bundle_error(k, BFC_EPERM, msg, len);
		} else {
			commit(c, k, b, msg, len);
		}
	} else {
		control_reply(k, msg, id, type, flags);
	}
	bundle_free(k->bundles, b); /* committed, failed or discarded */
}

bool
ofconn_bundle_handle(struct ofconns *c, struct conn *k, const uint8_t *msg, size_t len)
{
	size_t body = OFP_HEADER_LEN;
	bool control;

	if (k->version == OFP13_VERSION) {
		/* ONF's extension: experimenter id and type, then as 1.4. */
		if (msg[1] != OFPT_EXPERIMENTER || len < 16 ||
		    get32(msg + 8) != ONF_EXPERIMENTER_ID ||
		    (get32(msg + 12) != ONFT_BUNDLE_CONTROL &&
		     get32(msg + 12) != ONFT_BUNDLE_ADD_MESSAGE)) {
			return false;
		}
		control = get32(msg + 12) == ONFT_BUNDLE_CONTROL;
		body = 16;
	} else if (k->version >= OFP14_VERSION &&
		   (msg[1] == OFPT_BUNDLE_CONTROL || msg[1] == OFPT_BUNDLE_ADD_MESSAGE)) {
		control = msg[1] == OFPT_BUNDLE_CONTROL;
		/* What 1.3 answers are still waiting to be converted go first. */
		ofconn_downgrade(c, k, NULL, 0);
	} else {
		return false;
	}
	if (msg[0] != k->version) {
		version_error(k, OFPERR_BAD_VERSION, msg, len);
	} else if (control) {
		handle_control(c, k, msg, len, body);
	} else {
		handle_add(c, k, msg, len, body);
	}
	/* Written in the connection's version: nothing to convert. */
	k->out_conv = k->out.size;
	return true;
}
