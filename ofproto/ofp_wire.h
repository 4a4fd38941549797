/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to the OpenFlow codec files (ofp_msg.c, ofp_msg_group.c):
 * big-endian integers in and out of wire buffers, and the action codec
 * that flow mods, packet-outs and group buckets share.
 */
#ifndef VS_OFP_WIRE_H
#define VS_OFP_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "ofp_msg.h"

static inline uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static inline void
set16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
set32(uint8_t *p, uint32_t v)
{
	set16(p, (uint16_t)(v >> 16));
	set16(p + 2, (uint16_t)v);
}

static inline void
set64(uint8_t *p, uint64_t v)
{
	set32(p, (uint32_t)(v >> 32));
	set32(p + 4, (uint32_t)v);
}

static inline void
put16(struct obuf *b, uint16_t v)
{
	set16(obuf_put(b, NULL, 2), v);
}

static inline void
put32(struct obuf *b, uint32_t v)
{
	set32(obuf_put(b, NULL, 4), v);
}

static inline void
put64(struct obuf *b, uint64_t v)
{
	set64(obuf_put(b, NULL, 8), v);
}

static inline void
put8(struct obuf *b, uint8_t v)
{
	*obuf_put(b, NULL, 1) = v;
}

static inline void
pad_to8(struct obuf *b, size_t start)
{
	size_t len = b->size - start;

	obuf_put(b, NULL, (8 - len % 8) % 8);
}

/* Action and instruction types on the wire. */
enum {
	OFPAT_OUTPUT = 0,
	OFPAT_COPY_TTL_OUT = 11,
	OFPAT_COPY_TTL_IN = 12,
	OFPAT_SET_MPLS_TTL = 15,
	OFPAT_DEC_MPLS_TTL = 16,
	OFPAT_PUSH_VLAN = 17,
	OFPAT_POP_VLAN = 18,
	OFPAT_PUSH_MPLS = 19,
	OFPAT_POP_MPLS = 20,
	OFPAT_SET_NW_TTL = 23,
	OFPAT_PUSH_PBB = 26,
	OFPAT_POP_PBB = 27,
	OFPAT_SET_QUEUE = 21,
	OFPAT_GROUP = 22,
	OFPAT_DEC_NW_TTL = 24,
	OFPAT_SET_FIELD = 25,
	OFPIT_GOTO_TABLE = 1,
	OFPIT_WRITE_METADATA = 2,
	OFPIT_WRITE_ACTIONS = 3,
	OFPIT_APPLY_ACTIONS = 4,
	OFPIT_CLEAR_ACTIONS = 5,
	OFPIT_METER = 6,
};

/* Where an action list appears: each place allows different actions. */
enum { ACTS_FLOW, ACTS_PACKET_OUT, ACTS_BUCKET };

/* Nicira's experimenter actions the switch takes (resubmit). */
enum {
	OFPAT_EXPERIMENTER = 0xffff,
	NX_EXPERIMENTER = 0x00002320,
	NXAST_RESUBMIT = 1,
	NXAST_REG_MOVE = 6,
	NXAST_REG_LOAD = 7,
	NXAST_RESUBMIT_TABLE = 14,
	NXAST_REG_LOAD2 = 33, /* an OXM or NXM field, maybe masked, and its value */
};

/* Decodes the 'len' bytes of actions at 'p' into a new array '*out' of
 * '*n_out' actions (the caller frees it), or returns the error. */
enum ofp_err ofp_decode_actions(const uint8_t *p, size_t len, struct ofpact **out, uint32_t *n_out,
				int where);
/* Appends action 'a' in its wire form. */
void ofp_encode_action(struct obuf *b, const struct ofpact *a);

#endif /* VS_OFP_WIRE_H */
