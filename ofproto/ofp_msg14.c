/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenFlow 1.4 to 1.3 and back (ofp_msg10.h). Most 1.4 messages are 1.3's
 * with another version byte (flow mods and flow statistics put the new
 * importance field where 1.3 has padding). What differs is where 1.4 put
 * properties: port descriptions and port status, port statistics, port
 * mods, and the asynchronous configuration.
 */
#include <string.h>

#include "ofp_msg10.h"
#include "ofp_wire.h"

enum {
	PORT13_LEN = 64,
	PORT14_LEN = 72,
	PSTATS13_LEN = 112,
	PSTATS14_LEN = 120,
	PROP_ETHERNET = 0,
};

/* The 1.3 message with another version byte. */
static void
copy_as(const uint8_t *msg, size_t len, struct obuf *out, uint8_t version)
{
	size_t start = out->size;

	obuf_put(out, msg, len);
	out->data[start] = version;
}

/* ---- 1.4 to 1.3 ---- */

/* A 1.4 port mod: the advertised features from its Ethernet property. */
static enum ofp_err
port_mod_from14(const uint8_t *msg, size_t len, struct obuf *out)
{
	uint32_t advertise = 0;
	size_t start;

	if (len < 32) {
		return OFPERR_BAD_LEN;
	}
	for (size_t ofs = 32; ofs + 4 <= len;) {
		uint16_t type = get16(msg + ofs), plen = get16(msg + ofs + 2);

		if (plen < 4 || ofs + plen > len) {
			return OFPERR_BAD_LEN;
		}
		if (type == PROP_ETHERNET && plen >= 8) {
			advertise = get32(msg + ofs + 4);
		}
		ofs += (plen + 7u) / 8 * 8;
	}
	start = ofp_msg_start(out, OFPT_PORT_MOD, get32(msg + 4));
	obuf_put(out, msg + 8, 24); /* port, pad, address, pad, config, mask */
	put32(out, advertise);
	put32(out, 0);
	ofp_msg_end(out, start);
	return OFPERR_OK;
}

enum ofp_err
of14_set_async_to13(const uint8_t *msg, size_t len, const uint32_t now[3][2], struct obuf *out)
{
	uint32_t masks[3][2]; /* [packet-in, port status, flow removed][master, slave] */
	size_t start;

	memcpy(masks, now, sizeof masks);
	for (size_t ofs = 8; ofs + 4 <= len;) {
		uint16_t type = get16(msg + ofs), plen = get16(msg + ofs + 2);

		if (plen < 4 || ofs + plen > len) {
			return OFPERR_BAD_LEN;
		}
		if (type <= 5 && plen >= 8) {
			masks[type / 2][type % 2 ? 0 : 1] = get32(msg + ofs + 4);
		}
		ofs += (plen + 7u) / 8 * 8;
	}
	start = ofp_msg_start(out, msg[1], get32(msg + 4));
	for (int kind = 0; kind < 3; kind++) {
		put32(out, masks[kind][0]);
		put32(out, masks[kind][1]);
	}
	ofp_msg_end(out, start);
	return OFPERR_OK;
}

enum ofp_err
of14_to_13(const uint8_t *msg, size_t len, struct obuf *out)
{
	switch (msg[1]) {
	case OFPT_PORT_MOD:
		return port_mod_from14(msg, len, out);
	case OFPT_SET_ASYNC: {
		/* Without the connection's configuration: the defaults. */
		static const uint32_t defaults[3][2] = {{0x3, 0}, {0x7, 0x7}, {0xf, 0}};

		return of14_set_async_to13(msg, len, defaults, out);
	}
	case OFPT_GET_ASYNC_REQUEST:
		ofp_msg_end(out, ofp_msg_start(out, OFPT_GET_ASYNC_REQUEST, get32(msg + 4)));
		return OFPERR_OK;
	default:
		copy_as(msg, len, out, OFP13_VERSION);
		return OFPERR_OK;
	}
}

/* ---- 1.3 to 1.4 ---- */

static void
port_to14(struct obuf *b, const uint8_t *p)
{
	put32(b, get32(p));
	put16(b, PORT14_LEN);
	put16(b, 0);
	obuf_put(b, p + 8, 6);
	put16(b, 0);
	obuf_put(b, p + 16, 16); /* name */
	obuf_put(b, p + 32, 8);  /* config, state */
	put16(b, PROP_ETHERNET);
	put16(b, 32);
	put32(b, 0);
	obuf_put(b, p + 40, 24); /* curr, advertised, supported, peer, speeds */
}

static void
port_stats_to14(struct obuf *b, const uint8_t *s)
{
	put16(b, PSTATS14_LEN);
	put16(b, 0);
	put32(b, get32(s));
	obuf_put(b, s + 104, 8); /* duration */
	obuf_put(b, s + 8, 64);  /* packets, bytes, drops, errors */
	put16(b, PROP_ETHERNET);
	put16(b, 40);
	put32(b, 0);
	obuf_put(b, s + 72, 32); /* frame, overrun, CRC errors, collisions */
}

static void
multipart_to14(const uint8_t *msg, size_t len, struct obuf *out)
{
	uint16_t type = get16(msg + 8);
	size_t start = out->size, n;

	if (type != OFPMP_PORT_DESC && type != OFPMP_PORT_STATS) {
		copy_as(msg, len, out, OFP14_VERSION);
		return;
	}
	obuf_put(out, msg, 16);
	out->data[start] = OFP14_VERSION;
	n = type == OFPMP_PORT_DESC ? PORT13_LEN : PSTATS13_LEN;
	for (size_t ofs = 16; ofs + n <= len; ofs += n) {
		if (type == OFPMP_PORT_DESC) {
			port_to14(out, msg + ofs);
		} else {
			port_stats_to14(out, msg + ofs);
		}
	}
	ofp_msg_end(out, start);
}

void
of13_to_14(const uint8_t *msg, size_t len, struct obuf *out, const uint8_t *request,
	   size_t request_len)
{
	size_t start;

	switch (msg[1]) {
	case OFPT_HELLO: /* before the versions were agreed: as it was */
		obuf_put(out, msg, len);
		return;
	case OFPT_ERROR:
		if (len < 12) {
			return;
		}
		start = out->size;
		obuf_put(out, msg, 12);
		out->data[start] = OFP14_VERSION;
		if (request && request_len >= 8 && get32(request + 4) == get32(msg + 4)) {
			obuf_put(out, request, request_len < 64 ? request_len : 64);
		} else {
			obuf_put(out, msg + 12, len - 12);
		}
		ofp_msg_end(out, start);
		return;
	case OFPT_PORT_STATUS:
		if (len < 16 + PORT13_LEN) {
			return;
		}
		start = out->size;
		obuf_put(out, msg, 16); /* header, reason, pad */
		out->data[start] = OFP14_VERSION;
		port_to14(out, msg + 16);
		ofp_msg_end(out, start);
		return;
	case OFPT_MULTIPART_REPLY:
		if (len >= 16) {
			multipart_to14(msg, len, out);
		}
		return;
	case OFPT_GET_ASYNC_REPLY:
		if (len < 32) {
			return;
		}
		start = out->size;
		obuf_put(out, msg, 8);
		out->data[start] = OFP14_VERSION;
		for (int type = 0; type < 6; type++) {
			int kind = type / 2, slave = type % 2 == 0;

			put16(out, (uint16_t)type);
			put16(out, 8);
			put32(out, get32(msg + 8 + 8 * kind + 4 * slave));
		}
		ofp_msg_end(out, start);
		return;
	default:
		copy_as(msg, len, out, OFP14_VERSION);
		return;
	}
}
