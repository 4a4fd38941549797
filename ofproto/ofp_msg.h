/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenFlow 1.3 on the wire: the message header, OXM matches, actions and
 * instructions, and the messages the switch decodes and encodes. Pure code
 * (no sockets, no locks): ofconn.c moves the bytes, and the fuzz target
 * feeds this decoder directly.
 *
 * Decoders return an enum ofp_err, 0 when the input is acceptable; any other
 * value is the OpenFlow error (OFPERR(type, code)) to answer with, and what
 * was decoded so far is released. Integers on the wire are big endian.
 */
#ifndef VS_OFP_MSG_H
#define VS_OFP_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "ofp_action.h"
#include "ofproto.h"
#include "port.h"

enum {
	OFP10_VERSION = 1,
	OFP13_VERSION = 4,
	OFP14_VERSION = 5,
	OFP15_VERSION = 6,
	OFP_HEADER_LEN = 8,
	OFP_MSG_MAX = 65535
};

enum ofp_type {
	OFPT_HELLO = 0,
	OFPT_ERROR = 1,
	OFPT_ECHO_REQUEST = 2,
	OFPT_ECHO_REPLY = 3,
	OFPT_EXPERIMENTER = 4,
	OFPT_FEATURES_REQUEST = 5,
	OFPT_FEATURES_REPLY = 6,
	OFPT_GET_CONFIG_REQUEST = 7,
	OFPT_GET_CONFIG_REPLY = 8,
	OFPT_SET_CONFIG = 9,
	OFPT_PACKET_IN = 10,
	OFPT_FLOW_REMOVED = 11,
	OFPT_PORT_STATUS = 12,
	OFPT_PACKET_OUT = 13,
	OFPT_FLOW_MOD = 14,
	OFPT_GROUP_MOD = 15,
	OFPT_PORT_MOD = 16,
	OFPT_TABLE_MOD = 17,
	OFPT_MULTIPART_REQUEST = 18,
	OFPT_MULTIPART_REPLY = 19,
	OFPT_BARRIER_REQUEST = 20,
	OFPT_BARRIER_REPLY = 21,
	OFPT_ROLE_REQUEST = 24,
	OFPT_ROLE_REPLY = 25,
	OFPT_GET_ASYNC_REQUEST = 26,
	OFPT_GET_ASYNC_REPLY = 27,
	OFPT_SET_ASYNC = 28,
	OFPT_METER_MOD = 29,
};

enum ofp_mp_type {
	OFPMP_DESC = 0,
	OFPMP_FLOW = 1,
	OFPMP_AGGREGATE = 2,
	OFPMP_TABLE = 3,
	OFPMP_PORT_STATS = 4,
	OFPMP_QUEUE = 5,
	OFPMP_GROUP = 6,
	OFPMP_GROUP_DESC = 7,
	OFPMP_GROUP_FEATURES = 8,
	OFPMP_METER = 9,
	OFPMP_METER_CONFIG = 10,
	OFPMP_METER_FEATURES = 11,
	OFPMP_TABLE_FEATURES = 12,
	OFPMP_PORT_DESC = 13,
};

/* OpenFlow errors: a flag (so that HELLO_FAILED/INCOMPATIBLE, type 0 code
 * 0, is not OK), the type and the code. */
#define OFPERR(type, code) (1 << 30 | (type) << 16 | (code))
enum ofp_err {
	OFPERR_OK = 0,
	OFPERR_HELLO_INCOMPATIBLE = OFPERR(0, 0),
	OFPERR_BAD_VERSION = OFPERR(1, 0),
	OFPERR_BAD_TYPE = OFPERR(1, 1),
	OFPERR_BAD_MULTIPART = OFPERR(1, 2),
	OFPERR_BAD_EXPERIMENTER = OFPERR(1, 3),
	OFPERR_BAD_LEN = OFPERR(1, 6),
	OFPERR_BUFFER_UNKNOWN = OFPERR(1, 8),
	OFPERR_BAD_TABLE_ID = OFPERR(1, 9),
	OFPERR_IS_SLAVE = OFPERR(1, 10),
	OFPERR_BAD_PORT = OFPERR(1, 11),
	OFPERR_BAD_PACKET = OFPERR(1, 12),
	OFPERR_MULTIPART_BUFFER_OVERFLOW = OFPERR(1, 13),
	OFPERR_BAD_ACTION_TYPE = OFPERR(2, 0),
	OFPERR_BAD_ACTION_EXPERIMENTER = OFPERR(2, 2),
	OFPERR_BAD_ACTION_EXP_TYPE = OFPERR(2, 3),
	OFPERR_BAD_ACTION_LEN = OFPERR(2, 1),
	OFPERR_BAD_OUT_PORT = OFPERR(2, 4),
	OFPERR_BAD_ACTION_ARGUMENT = OFPERR(2, 5),
	OFPERR_BAD_OUT_GROUP = OFPERR(2, 9),
	OFPERR_BAD_SET_TYPE = OFPERR(2, 13),
	OFPERR_BAD_SET_LEN = OFPERR(2, 14),
	OFPERR_BAD_SET_ARGUMENT = OFPERR(2, 15),
	OFPERR_UNKNOWN_INST = OFPERR(3, 0),
	OFPERR_UNSUP_INST = OFPERR(3, 1),
	OFPERR_INST_BAD_TABLE_ID = OFPERR(3, 2),
	OFPERR_INST_BAD_LEN = OFPERR(3, 7),
	OFPERR_BAD_MATCH_TYPE = OFPERR(4, 0),
	OFPERR_BAD_MATCH_LEN = OFPERR(4, 1),
	OFPERR_BAD_FIELD = OFPERR(4, 6),
	OFPERR_BAD_VALUE = OFPERR(4, 7),
	OFPERR_BAD_MASK = OFPERR(4, 8),
	OFPERR_BAD_PREREQ = OFPERR(4, 9),
	OFPERR_DUP_FIELD = OFPERR(4, 10),
	OFPERR_FLOW_MOD_UNKNOWN = OFPERR(5, 0),
	OFPERR_FLOW_MOD_TABLE_FULL = OFPERR(5, 1),
	OFPERR_FLOW_MOD_BAD_TABLE_ID = OFPERR(5, 2),
	OFPERR_FLOW_MOD_OVERLAP = OFPERR(5, 3),
	OFPERR_FLOW_MOD_BAD_COMMAND = OFPERR(5, 6),
	OFPERR_FLOW_MOD_BAD_FLAGS = OFPERR(5, 7),
	OFPERR_GROUP_EXISTS = OFPERR(6, 0),
	OFPERR_GROUP_INVALID_GROUP = OFPERR(6, 1),
	OFPERR_GROUP_WEIGHT_UNSUPPORTED = OFPERR(6, 2),
	OFPERR_GROUP_OUT_OF_GROUPS = OFPERR(6, 3),
	OFPERR_GROUP_OUT_OF_BUCKETS = OFPERR(6, 4),
	OFPERR_GROUP_CHAINING_UNSUPPORTED = OFPERR(6, 5),
	OFPERR_GROUP_LOOP = OFPERR(6, 7),
	OFPERR_GROUP_UNKNOWN_GROUP = OFPERR(6, 8),
	OFPERR_GROUP_BAD_TYPE = OFPERR(6, 10),
	OFPERR_GROUP_BAD_COMMAND = OFPERR(6, 11),
	OFPERR_GROUP_BAD_BUCKET = OFPERR(6, 12),
	OFPERR_GROUP_BAD_WATCH = OFPERR(6, 13),
	OFPERR_GROUP_EPERM = OFPERR(6, 14),
	OFPERR_PORT_MOD_BAD_PORT = OFPERR(7, 0),
	OFPERR_PORT_MOD_BAD_HW_ADDR = OFPERR(7, 1),
	OFPERR_PORT_MOD_BAD_CONFIG = OFPERR(7, 2),
	OFPERR_BAD_CONFIG_FLAGS = OFPERR(10, 0),
	OFPERR_ROLE_STALE = OFPERR(11, 0),
	OFPERR_ROLE_BAD_ROLE = OFPERR(11, 2),
	OFPERR_METER_UNKNOWN = OFPERR(12, 0),
	OFPERR_METER_EXISTS = OFPERR(12, 1),
	OFPERR_METER_INVALID_METER = OFPERR(12, 2),
	OFPERR_METER_UNKNOWN_METER = OFPERR(12, 3),
	OFPERR_METER_BAD_COMMAND = OFPERR(12, 4),
	OFPERR_METER_BAD_FLAGS = OFPERR(12, 5),
	OFPERR_METER_BAD_RATE = OFPERR(12, 6),
	OFPERR_METER_BAD_BAND = OFPERR(12, 8),
	OFPERR_METER_BAD_BAND_VALUE = OFPERR(12, 9),
	OFPERR_METER_OUT_OF_METERS = OFPERR(12, 10),
	OFPERR_METER_OUT_OF_BANDS = OFPERR(12, 11),
	OFPERR_TABLE_FEATURES_EPERM = OFPERR(13, 5),
	/* Nicira's experimenter errors (type OFPERR_NX_TYPE on the wire: an
	 * experimenter error of Nicira's, with this code as its type). */
	OFPERR_NXFMFC_INVALID_TLV_FIELD = OFPERR(0x3fff, 37), /* tun_metadataN not mapped */
};
enum { OFPERR_NX_TYPE = 0x3fff };

/* A growable byte buffer for encoding. */
struct obuf {
	uint8_t *data;
	size_t size, alloc;
};

void obuf_init(struct obuf *b);
void obuf_free(struct obuf *b);
/* Appends 'n' bytes (zeros when 'p' is NULL); returns where they went. */
uint8_t *obuf_put(struct obuf *b, const void *p, size_t n);

/* The header of the message at 'buf'. */
struct ofp_hdr {
	uint8_t version, type;
	uint16_t length;
	uint32_t xid;
};
void ofp_hdr_decode(const uint8_t *buf, struct ofp_hdr *h);

/* Starts a message of 'type' in 'b' (its length is fixed by ofp_msg_end). */
size_t ofp_msg_start(struct obuf *b, uint8_t type, uint32_t xid);
void ofp_msg_end(struct obuf *b, size_t start);

/* An error message for the message 'req' of 'req_len' bytes (at most 64 of
 * them are echoed). */
void ofp_encode_error(struct obuf *b, enum ofp_err err, const uint8_t *req, size_t req_len);

/* Hello with a version bitmap of OpenFlow 1.5, 1.4, 1.3 and 1.0. */
void ofp_encode_hello(struct obuf *b, uint32_t xid);
/* The version a peer's hello agrees on: the highest of 1.5, 1.4, 1.3 and
 * 1.0 in its bitmap, else the lower of its version and 1.5, if that is one
 * of them; otherwise OFPERR_HELLO_INCOMPATIBLE. */
enum ofp_err ofp_decode_hello(const uint8_t *msg, size_t len, uint8_t *version);

/* OXM matches. */
enum ofp_err ofp_decode_match(const uint8_t *p, size_t len, struct match *m, size_t *used);
void ofp_encode_match(struct obuf *b, const struct match *m);

/* Instructions and actions. */
enum ofp_err ofp_decode_insts(const uint8_t *p, size_t len, struct ofp_insts *in);
void ofp_encode_insts(struct obuf *b, const struct ofp_insts *in);
/* 16-bit port numbers (OpenFlow 1.0, Nicira actions): the reserved ports
 * 0xff00-0xffff are 1.3's 0xffffff00-0xffffffff; a number 16 bits cannot
 * hold becomes 0xff00 (OFPP_MAX). */
static inline uint32_t
ofp_port_from16(uint16_t p)
{
	return p >= 0xff00 ? 0xffff0000u | p : p;
}

static inline uint16_t
ofp_port_to16(uint32_t p)
{
	return p >= 0xffffff00u ? (uint16_t)(0xff00 | (p & 0xff))
	       : p > 0xfeff     ? 0xff00
				: (uint16_t)p;
}

/* Nicira's resubmit action (experimenter 0x2320, NXAST_RESUBMIT or
 * NXAST_RESUBMIT_TABLE; the same bytes in OpenFlow 1.0 and 1.3): 'alen'
 * bytes at 'p' into 'a', and 'a' onto 'b'. */
enum ofp_err ofp_decode_nx_action(const uint8_t *p, uint16_t alen, struct ofpact *a);
void ofp_encode_nx_action(struct obuf *b, const struct ofpact *a);
/* One action, in the 1.3 encoding. */
void ofp_encode_action(struct obuf *b, const struct ofpact *a);
/* A set-field always as Open vSwitch's load2 (a vendor action OpenFlow
 * 1.0 takes too), and whether a set-field writes its whole field. */
void ofp_encode_load2(struct obuf *b, const struct ofpact *a);
bool ofp_set_field_is_whole(const struct ofpact *a);

/* Flow mods; on success the caller owns fm->insts. */
enum ofp_err ofp_decode_flow_mod(const uint8_t *msg, size_t len, struct ofp_flow_mod *fm);
/* The flow mod 'fm' as an OpenFlow 1.3 message (what ofp_decode_flow_mod()
 * reads back; deletes carry no instructions). */
void ofp_encode_flow_mod(struct obuf *b, uint32_t xid, const struct ofp_flow_mod *fm);

/* A flow stats or aggregate request body into a delete-style filter. */
enum ofp_err ofp_decode_flow_stats_request(const uint8_t *body, size_t len,
					   struct ofp_flow_mod *filter);

/* Appends one flow stats entry. */
void ofp_encode_flow_stats(struct obuf *b, const struct ofproto_flow_info *f);

/* The features of table 'table_id' (what it matches, its instructions,
 * actions and the tables it may go to), for a table-features reply. */
void ofp_encode_table_features(struct obuf *b, uint8_t table_id);

/* One port of a port description reply. */
struct ofp_port_desc {
	uint32_t port_no;
	uint8_t mac[6];
	char name[16];
	bool link_down;
	uint32_t config; /* OFPPC_* */
};
void ofp_encode_port(struct obuf *b, const struct ofp_port_desc *p);

/* A packet-in (never buffered) carrying 'len' of the packet's 'total_len'
 * bytes; its match holds in_port and, when not zero, metadata. */
void ofp_encode_packet_in(struct obuf *b, const struct ofproto_pin *pin, const uint8_t *data,
			  size_t len, size_t total_len);

/* A packet-out: the packet ('data', 'len': it must carry one, no buffer
 * ids) and its actions (the caller frees 'actions'). */
struct ofp_packet_out {
	uint32_t in_port;
	struct ofpact *actions;
	uint32_t n_actions;
	const uint8_t *data;
	size_t len;
};
enum ofp_err ofp_decode_packet_out(const uint8_t *msg, size_t len, struct ofp_packet_out *po);

/* One port of a port stats reply. */
void ofp_encode_port_stats(struct obuf *b, uint32_t port_no, const struct port_stats *s,
			   uint64_t duration_ms);

/* Port status (reason: 0 add, 1 delete, 2 modify) and flow removed. */
enum { OFPPR_ADD = 0, OFPPR_DELETE = 1, OFPPR_MODIFY = 2 };
void ofp_encode_port_status(struct obuf *b, uint8_t reason, const struct ofp_port_desc *d);
void ofp_encode_flow_removed(struct obuf *b, const struct ofproto_flow_info *f);

/* Group mods (on success the caller destroys 'gm'), and the group
 * multipart replies: one entry of group stats or group desc, and the
 * group-features body. */
enum ofp_err ofp_decode_group_mod(const uint8_t *msg, size_t len, struct ofp_group_mod *gm);
void ofp_encode_group_mod(struct obuf *b, uint32_t xid, const struct ofp_group_mod *gm);
void ofp_encode_group_stats(struct obuf *b, const struct ofproto_group_info *g);
void ofp_encode_group_desc(struct obuf *b, const struct ofproto_group_info *g);
void ofp_encode_group_features(struct obuf *b);

/* Meter mods, and the meter multipart replies: one entry of meter stats
 * or meter config, and the meter-features body. */
enum ofp_err ofp_decode_meter_mod(const uint8_t *msg, size_t len, struct ofp_meter_mod *mm);
void ofp_encode_meter_mod(struct obuf *b, uint32_t xid, const struct ofp_meter_mod *mm);
void ofp_encode_meter_stats(struct obuf *b, const struct ofproto_meter_info *m);
void ofp_encode_meter_config(struct obuf *b, const struct ofproto_meter_info *m);
void ofp_encode_meter_features(struct obuf *b);

#endif /* VS_OFP_MSG_H */
