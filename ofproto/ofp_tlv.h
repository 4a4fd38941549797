/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Geneve option map of a bridge, as Open vSwitch keeps it: which
 * option (class, type, length) a flow sees as field tun_metadataN. A
 * controller sets it with Nicira's NXT_TLV_TABLE_MOD (ovs-ofctl
 * add-tlv-map / del-tlv-map) and reads it with NXT_TLV_TABLE_REQUEST
 * (dump-tlv-map); OVN maps its one option this way.
 *
 * The map is held to what a packet's flow key can carry: OFP_TLV_FIELDS
 * fields of at most OFP_TLV_SPACE bytes of option data in all (Open
 * vSwitch: 64 fields, 256 bytes). Each mapped option gets its place in
 * that space when it is added (the others may move to make room in one
 * piece). Pure code, and each bridge's map (ofproto.h).
 */
#ifndef VS_OFP_TLV_H
#define VS_OFP_TLV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofp_msg.h"

enum {
	OFP_TLV_FIELDS = 16, /* tun_metadata0 to tun_metadata15 */
	OFP_TLV_SPACE = 12,  /* bytes of option data in all */
	NXT_TLV_TABLE_MOD = 24,
	NXT_TLV_TABLE_REQUEST = 25,
	NXT_TLV_TABLE_REPLY = 26,
	NXTTMC_ADD = 0,
	NXTTMC_DELETE = 1,
	NXTTMC_CLEAR = 2,
};

/* Why a TLV table mod was refused: Nicira's error codes as OpenFlow 1.2+
 * numbers them (1.0 adds 511 to the first six and 499 to the last). */
enum ofp_tlv_err {
	OFP_TLV_OK = 0,
	NXTTMFC_BAD_COMMAND = 16,
	NXTTMFC_BAD_OPT_LEN = 17,     /* not a multiple of 4 in 4..space */
	NXTTMFC_BAD_FIELD_IDX = 18,   /* no tun_metadataN of that N */
	NXTTMFC_TABLE_FULL = 19,      /* the options would not fit */
	NXTTMFC_ALREADY_MAPPED = 20,  /* the field is mapped already */
	NXTTMFC_DUP_ENTRY = 21,       /* the option is mapped to another field */
	NXTTMFC_INVALID_TLV_DEL = 38, /* a flow entry uses the field */
};

/* One mapping: option (class, type) of 'len' bytes is tun_metadata'index',
 * at byte 'ofs' of the option space. */
struct ofp_tlv_map {
	uint16_t opt_class;
	uint8_t opt_type;
	uint8_t len;
	uint8_t index;
	uint8_t ofs; /* set by ofp_tlv_apply() */
};

struct ofp_tlv_table {
	uint16_t used; /* bit N: tun_metadataN is mapped */
	struct ofp_tlv_map m[OFP_TLV_FIELDS];
};

/* A table mod. More mappings than fields can only fail to be added (two
 * name the same field): the decoder keeps the first OFP_TLV_FIELDS and
 * sets 'overflow'; a delete keeps each field once. */
struct ofp_tlv_mod {
	uint16_t command;
	bool overflow;
	uint32_t n;
	struct ofp_tlv_map maps[OFP_TLV_FIELDS];
};

struct dp_tnl_optmap;

/* The datapath's form of 't' (tunnel.h), for its Geneve ports. */
void ofp_tlv_to_dp(const struct ofp_tlv_table *t, struct dp_tnl_optmap *map);

/* Applies 'mod' to 't', all of it or nothing. 'in_use' has bit N set when
 * a flow entry matches or sets tun_metadataN: such a mapping may not be
 * deleted, nor moved to make room for another. With 'replay' (a journal
 * read back), adding a mapping that is there already changes nothing
 * instead of failing. */
enum ofp_tlv_err ofp_tlv_apply(struct ofp_tlv_table *t, const struct ofp_tlv_mod *mod,
			       uint16_t in_use, bool replay);

/* The message at 'msg' ('len' bytes, any OpenFlow version) is Nicira's
 * message of 'subtype'. */
bool ofp_is_nxt(const uint8_t *msg, size_t len, uint32_t subtype);

/* Decodes NXT_TLV_TABLE_MOD into 'mod'. On error returns OFPERR_BAD_LEN
 * (the message does not hold whole mappings) with '*tlv_err' 0, or 0
 * with '*tlv_err' set (a bad command, index or length). */
enum ofp_err ofp_decode_tlv_mod(const uint8_t *msg, size_t len, struct ofp_tlv_mod *mod,
				enum ofp_tlv_err *tlv_err);
/* Messages in OpenFlow 'version': a table mod holding 'mod' (for the
 * journal), the reply to a table request, and the error 'e' answering
 * 'req' ('req_len' bytes, 64 of them echoed). */
void ofp_encode_tlv_mod(struct obuf *b, uint8_t version, uint32_t xid,
			const struct ofp_tlv_mod *mod);
void ofp_encode_tlv_reply(struct obuf *b, uint8_t version, uint32_t xid,
			  const struct ofp_tlv_table *t);
void ofp_encode_tlv_error(struct obuf *b, uint8_t version, enum ofp_tlv_err e, const uint8_t *req,
			  size_t req_len);

/* The mod that adds every mapping of 't' (a snapshot's record). */
void ofp_tlv_table_as_mod(const struct ofp_tlv_table *t, struct ofp_tlv_mod *mod);

#endif /* VS_OFP_TLV_H */
