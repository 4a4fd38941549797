/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenFlow 1.5 to 1.3 and back (ofp_msg10.h). 1.5 is 1.4 (ofp_msg14.c)
 * with these changes, converted here: a packet-out names its input port
 * in a match; flow entries, flow-removed messages and aggregate replies
 * carry their counters as OXS fields; group buckets have ids and carry
 * weight and watches as properties; a meter is an action (the meter
 * instruction is deprecated). Egress tables, 1.5's bucket insertion and
 * removal and its new messages are refused with the 1.3 errors.
 */
#include <stdbool.h>
#include <string.h>

#include "ofp_match.h"
#include "ofp_msg10.h"
#include "ofp_wire.h"

enum {
	OFPAT_METER = 29, /* 1.5: meter_id */
	OXS_CLASS = 0x8002,
	OXS_DURATION = 0,
	OXS_FLOW_COUNT = 3,
	OXS_PACKET_COUNT = 4,
	OXS_BYTE_COUNT = 5,
	GB_WEIGHT = 0, /* bucket properties */
	GB_WATCH_PORT = 1,
	GB_WATCH_GROUP = 2,
	GC_INSERT_BUCKET = 3,
	GC_REMOVE_BUCKET = 5,
};

static size_t
pad8(size_t n)
{
	return (n + 7) / 8 * 8;
}

/* The whole (padded) length of the OXM match at 'p', 0 if it does not fit
 * in 'len'. */
static size_t
match_len(const uint8_t *p, size_t len)
{
	size_t m = len >= 4 ? get16(p + 2) : 0;

	return m >= 4 && pad8(m) <= len ? pad8(m) : 0;
}

/* Sets the version byte of every message from 'start' on to 'version'. */
static void
set_version(struct obuf *b, size_t start, uint8_t version)
{
	for (size_t o = start; o + 8 <= b->size;) {
		size_t l = get16(b->data + o + 2);

		b->data[o] = version;
		if (l < 8) {
			break;
		}
		o += l;
	}
}

/* ---- 1.5 to 1.3 ---- */

static enum ofp_err
packet_out_from15(const uint8_t *msg, size_t len, struct obuf *out)
{
	struct match m;
	union mf_value in_port;
	size_t used, ml, alen, start;

	if (len < 24) {
		return OFPERR_BAD_LEN;
	}
	alen = get16(msg + 12);
	ml = match_len(msg + 16, len - 16);
	if (!ml || ofp_decode_match(msg + 16, len - 16, &m, &used) != OFPERR_OK ||
	    16 + ml + alen > len) {
		return ml ? OFPERR_BAD_MATCH_LEN : OFPERR_BAD_LEN;
	}
	mf_get(mf_from_id(MFF_IN_PORT), &m.key, 0, &in_port);
	start = ofp_msg_start(out, OFPT_PACKET_OUT, get32(msg + 4));
	obuf_put(out, msg + 8, 4); /* buffer id */
	put32(out, match_has(&m, mf_from_id(MFF_IN_PORT)) ? (uint32_t)in_port.u : OFPP_CONTROLLER);
	put16(out, (uint16_t)alen);
	obuf_put(out, NULL, 6);
	obuf_put(out, msg + 16 + ml, len - 16 - ml); /* actions, data */
	ofp_msg_end(out, start);
	return OFPERR_OK;
}

/* The instructions of a 1.5 flow mod, with a meter action in apply-actions
 * turned back into the meter instruction 1.3 has. */
static enum ofp_err
insts_from15(const uint8_t *p, size_t len, struct obuf *out)
{
	uint32_t meter = 0;
	size_t ofs, mark = out->size;

	put16(out, OFPIT_METER); /* filled or dropped below */
	put16(out, 8);
	put32(out, 0);
	for (ofs = 0; ofs + 4 <= len;) {
		uint16_t type = get16(p + ofs), ilen = get16(p + ofs + 2);

		if (ilen < 8 || ofs + ilen > len) {
			return OFPERR_INST_BAD_LEN;
		}
		if (type != OFPIT_APPLY_ACTIONS) {
			obuf_put(out, p + ofs, ilen);
		} else {
			size_t start = out->size;

			obuf_put(out, p + ofs, 8);
			for (size_t a = ofs + 8; a + 4 <= ofs + ilen;) {
				uint16_t at = get16(p + a), alen = get16(p + a + 2);

				if (alen < 8 || a + alen > ofs + ilen) {
					return OFPERR_BAD_ACTION_LEN;
				}
				if (at == OFPAT_METER) {
					meter = get32(p + a + 4);
				} else {
					obuf_put(out, p + a, alen);
				}
				a += alen;
			}
			set16(out->data + start + 2, (uint16_t)(out->size - start));
		}
		ofs += ilen;
	}
	if (meter) {
		set32(out->data + mark + 4, meter);
	} else {
		memmove(out->data + mark, out->data + mark + 8, out->size - mark - 8);
		out->size -= 8;
	}
	return OFPERR_OK;
}

static enum ofp_err
flow_mod_from15(const uint8_t *msg, size_t len, struct obuf *out)
{
	size_t ml, start = out->size;
	enum ofp_err err;

	if (len < 56 || !(ml = match_len(msg + 48, len - 48))) {
		return OFPERR_BAD_LEN;
	}
	obuf_put(out, msg, 48 + ml);
	out->data[start] = OFP13_VERSION;
	err = insts_from15(msg + 48 + ml, len - 48 - ml, out);
	if (err) {
		out->size = start;
		return err;
	}
	ofp_msg_end(out, start);
	return OFPERR_OK;
}

/* A 1.5 group mod: buckets with ids and properties become 1.3's. */
static enum ofp_err
group_mod_from15(const uint8_t *msg, size_t len, struct obuf *out)
{
	size_t blen, start, end;
	uint16_t cmd;

	if (len < 24) {
		return OFPERR_BAD_LEN;
	}
	cmd = get16(msg + 8);
	if (cmd == GC_INSERT_BUCKET || cmd == GC_REMOVE_BUCKET) {
		return OFPERR_GROUP_BAD_COMMAND;
	}
	blen = get16(msg + 16);
	if (24 + blen > len) {
		return OFPERR_BAD_LEN;
	}
	start = ofp_msg_start(out, OFPT_GROUP_MOD, get32(msg + 4));
	obuf_put(out, msg + 8, 8); /* command, type, pad, group id */
	end = 24 + blen;
	for (size_t o = 24; o + 8 <= end;) {
		uint16_t l = get16(msg + o), alen = get16(msg + o + 2);
		uint16_t weight = 0;
		uint32_t port = OFPP_ANY, group = OFPG_ANY;
		size_t b = out->size;

		if (l < 8 || o + l > end || 8u + alen > l) {
			out->size = start;
			return OFPERR_GROUP_BAD_BUCKET;
		}
		for (size_t q = o + 8 + pad8(alen); q + 4 <= o + l;) {
			uint16_t pt = get16(msg + q), pl = get16(msg + q + 2);

			if (pl < 8 || q + pl > o + l) {
				out->size = start;
				return OFPERR_GROUP_BAD_BUCKET;
			}
			if (pt == GB_WEIGHT) {
				weight = get16(msg + q + 4);
			} else if (pt == GB_WATCH_PORT) {
				port = get32(msg + q + 4);
			} else if (pt == GB_WATCH_GROUP) {
				group = get32(msg + q + 4);
			}
			q += pad8(pl);
		}
		put16(out, 0);
		put16(out, weight);
		put32(out, port);
		put32(out, group);
		put32(out, 0);
		obuf_put(out, msg + o + 8, alen);
		set16(out->data + b, (uint16_t)(out->size - b));
		o += l;
	}
	ofp_msg_end(out, start);
	return OFPERR_OK;
}

enum ofp_err
of15_to_13(const uint8_t *msg, size_t len, struct obuf *out)
{
	switch (msg[1]) {
	case OFPT_PACKET_OUT:
		return packet_out_from15(msg, len, out);
	case OFPT_FLOW_MOD:
		return flow_mod_from15(msg, len, out);
	case OFPT_GROUP_MOD:
		return group_mod_from15(msg, len, out);
	case OFPT_MULTIPART_REQUEST:
		if (len == 24 && get16(msg + 8) == OFPMP_GROUP_DESC) {
			/* 1.5 names a group: 1.3 describes all, and the reply
			 * keeps the one asked for (multipart_to15()). */
			size_t start = out->size;

			obuf_put(out, msg, 16);
			out->data[start] = OFP13_VERSION;
			ofp_msg_end(out, start);
			return OFPERR_OK;
		}
		return of14_to_13(msg, len, out);
	default:
		return of14_to_13(msg, len, out);
	}
}

/* ---- 1.3 to 1.5 ---- */

static void
put_oxs(struct obuf *b, uint8_t field, const uint8_t *v, uint8_t n)
{
	put16(b, OXS_CLASS);
	put8(b, (uint8_t)(field << 1));
	put8(b, n);
	obuf_put(b, v, n);
}

/* An ofp_stats: the duration (when 'duration' is not NULL), the flow count
 * (when 'flows' is not NULL), packets and bytes, padded to 8. */
static void
put_stats(struct obuf *b, const uint8_t *duration, const uint8_t *flows, const uint8_t *packets,
	  const uint8_t *bytes)
{
	size_t start = b->size;

	put16(b, 0);
	put16(b, 0);
	if (duration) {
		put_oxs(b, OXS_DURATION, duration, 8);
	}
	if (flows) {
		put_oxs(b, OXS_FLOW_COUNT, flows, 4);
	}
	put_oxs(b, OXS_PACKET_COUNT, packets, 8);
	put_oxs(b, OXS_BYTE_COUNT, bytes, 8);
	set16(b->data + start + 2, (uint16_t)(b->size - start));
	obuf_put(b, NULL, pad8(b->size - start) - (b->size - start));
}

/* Whether an instruction of at least 8 bytes starts at 'o' and ends
 * within 'len'. */
static bool
inst_fits(const uint8_t *p, size_t o, size_t len)
{
	return o + 8 <= len && get16(p + o + 2) >= 8 && o + get16(p + o + 2) <= len;
}

/* 1.3 instructions with 1.5's meter action in place of the meter
 * instruction (first in apply-actions, which it creates if need be). */
static void
insts_to15(struct obuf *b, const uint8_t *p, size_t len)
{
	uint32_t meter = 0;
	bool applied = false;

	for (size_t o = 0; inst_fits(p, o, len); o += get16(p + o + 2)) {
		if (get16(p + o) == OFPIT_METER) {
			meter = get32(p + o + 4);
		}
	}
	for (size_t o = 0; inst_fits(p, o, len); o += get16(p + o + 2)) {
		uint16_t type = get16(p + o), ilen = get16(p + o + 2);

		if (type == OFPIT_METER) {
			continue;
		}
		if (type == OFPIT_APPLY_ACTIONS && meter) {
			size_t start = b->size;

			obuf_put(b, p + o, 8);
			put16(b, OFPAT_METER);
			put16(b, 8);
			put32(b, meter);
			obuf_put(b, p + o + 8, ilen - 8u);
			set16(b->data + start + 2, (uint16_t)(b->size - start));
			applied = true;
			continue;
		}
		obuf_put(b, p + o, ilen);
	}
	if (meter && !applied) {
		put16(b, OFPIT_APPLY_ACTIONS);
		put16(b, 16);
		put32(b, 0);
		put16(b, OFPAT_METER);
		put16(b, 8);
		put32(b, meter);
	}
}

/* One flow entry of a 1.3 flow statistics reply, in 1.5. */
static void
flow_entry_to15(struct obuf *b, const uint8_t *e, size_t elen)
{
	size_t start = b->size, ml = elen > 48 ? match_len(e + 48, elen - 48) : 0;

	if (!ml) {
		return;
	}
	put16(b, 0);
	put16(b, 0);
	put8(b, e[2]);          /* table */
	put8(b, 0);             /* reason: a statistics request */
	obuf_put(b, e + 12, 8); /* priority, idle and hard timeouts, flags */
	put16(b, 0);            /* importance */
	obuf_put(b, e + 24, 8); /* cookie */
	obuf_put(b, e + 48, ml);
	put_stats(b, e + 4, NULL, e + 32, e + 40);
	insts_to15(b, e + 48 + ml, elen - 48 - ml);
	set16(b->data + start, (uint16_t)(b->size - start));
}

/* One group description of a 1.3 reply, in 1.5: buckets numbered from 0,
 * their weight and watches as properties. */
static void
group_desc_to15(struct obuf *b, const uint8_t *g, size_t glen)
{
	size_t start = b->size, barr;
	uint32_t id = 0;

	obuf_put(b, g, 8); /* length, type, pad, group id */
	barr = b->size;
	put16(b, 0);
	obuf_put(b, NULL, 6);
	for (size_t o = 8; o + 16 <= glen && get16(g + o) >= 16 && o + get16(g + o) <= glen;
	     o += get16(g + o)) {
		const uint8_t *k = g + o;
		size_t bs = b->size, alen = get16(k) - 16u;

		put16(b, 0);
		put16(b, (uint16_t)alen);
		put32(b, id++);
		obuf_put(b, k + 16, alen);
		put16(b, GB_WEIGHT);
		put16(b, 8);
		obuf_put(b, k + 2, 2);
		put16(b, 0);
		put16(b, GB_WATCH_PORT);
		put16(b, 8);
		obuf_put(b, k + 4, 4);
		put16(b, GB_WATCH_GROUP);
		put16(b, 8);
		obuf_put(b, k + 8, 4);
		set16(b->data + bs, (uint16_t)(b->size - bs));
	}
	set16(b->data + barr, (uint16_t)(b->size - barr - 8));
	set16(b->data + start, (uint16_t)(b->size - start));
}

static void
multipart_to15(const uint8_t *msg, size_t len, struct obuf *out, const uint8_t *request,
	       size_t request_len)
{
	uint16_t type = get16(msg + 8);
	/* A 1.5 group description request names its group (OFPG_ALL: all). */
	uint32_t group = type == OFPMP_GROUP_DESC && request && request_len >= 24 &&
					 get16(request + 8) == OFPMP_GROUP_DESC
				 ? get32(request + 16)
				 : OFPG_ALL;
	const uint8_t *body = msg + 16, *end = msg + len;
	size_t start = out->size;

	switch (type) {
	case OFPMP_FLOW:
	case OFPMP_AGGREGATE:
	case OFPMP_GROUP_DESC:
		break;
	default: {
		size_t mark = out->size;

		of13_to_14(msg, len, out, NULL, 0);
		set_version(out, mark, OFP15_VERSION);
		return;
	}
	}
	obuf_put(out, msg, 16);
	out->data[start] = OFP15_VERSION;
	if (type == OFPMP_AGGREGATE) {
		if (end - body >= 24) {
			put_stats(out, NULL, body + 16, body, body + 8);
		}
	} else {
		while (end - body >= 8 && get16(body) >= 8 && get16(body) <= end - body) {
			if (out->size - start > OFP_MSG_MAX - 8192) {
				/* 1.5's entries are longer: go on in another message. */
				out->data[start + 11] |= 1; /* OFPMPF_REPLY_MORE */
				ofp_msg_end(out, start);
				start = out->size;
				obuf_put(out, msg, 16);
				out->data[start] = OFP15_VERSION;
			}
			if (type == OFPMP_FLOW) {
				flow_entry_to15(out, body, get16(body));
			} else if (group == OFPG_ALL ||
				   (get16(body) >= 8 && get32(body + 4) == group)) {
				group_desc_to15(out, body, get16(body));
			}
			body += get16(body);
		}
	}
	ofp_msg_end(out, start);
}

void
of13_to_15(const uint8_t *msg, size_t len, struct obuf *out, const uint8_t *request,
	   size_t request_len)
{
	size_t start = out->size, ml;

	switch (msg[1]) {
	case OFPT_HELLO:
		obuf_put(out, msg, len);
		return;
	case OFPT_FLOW_REMOVED:
		if (len < 56 || !(ml = match_len(msg + 48, len - 48))) {
			return;
		}
		obuf_put(out, msg, 8);
		out->data[start] = OFP15_VERSION;
		put8(out, msg[19]);         /* table */
		put8(out, msg[18]);         /* reason */
		obuf_put(out, msg + 16, 2); /* priority */
		obuf_put(out, msg + 28, 4); /* idle and hard timeouts */
		obuf_put(out, msg + 8, 8);  /* cookie */
		obuf_put(out, msg + 48, ml);
		put_stats(out, msg + 20, NULL, msg + 32, msg + 40);
		ofp_msg_end(out, start);
		return;
	case OFPT_MULTIPART_REPLY:
		if (len >= 16) {
			multipart_to15(msg, len, out, request, request_len);
		}
		return;
	default:
		of13_to_14(msg, len, out, request, request_len);
		set_version(out, start, OFP15_VERSION);
		return;
	}
}
