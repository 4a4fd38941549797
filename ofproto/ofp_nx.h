/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Open vSwitch's (Nicira's) field actions: move (NXAST_REG_MOVE) copies
 * bits of one header field into another, load (NXAST_REG_LOAD) writes a
 * value into bits of a field. Fields are named as ovs-ofctl names them
 * (NXM_OF_ETH_SRC, NXM_NX_ARP_SHA...) or by the switch's own field names,
 * with an optional bit range: FIELD[], FIELD[START..END], FIELD[BIT].
 * The registers and the metadata are fields too (NXM_NX_REG0...,
 * OXM_OF_PKT_REG0..., OXM_OF_METADATA).
 */
#ifndef VS_OFP_NX_H
#define VS_OFP_NX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofp_action.h"
#include "ofp_match.h"
#include "ofp_msg.h"

/* A field's width in bits. */
unsigned int nx_field_width(const struct mf_field *f);

/* The bits [ofs, ofs + n) of value 'v' of field 'f' (n <= 64), and 'v'
 * with those bits set to 'bits'. Bits count from the field's least
 * significant one. */
uint64_t nx_bits_get(const struct mf_field *f, const union mf_value *v, unsigned int ofs,
		     unsigned int n);
void nx_bits_set(const struct mf_field *f, union mf_value *v, union mf_value *mask,
		 unsigned int ofs, unsigned int n, uint64_t bits);

/* Text: "move:SRC->DST" (arg is "SRC->DST") and "load:VALUE->DST". 0, or
 * -EINVAL with the reason in 'err'. */
int nx_parse_move(const char *arg, struct ofpact *a, char *err);
int nx_parse_load(const char *arg, struct ofpact *a, char *err);
void nx_format(const struct ofpact *a, struct ds *out);

/* Wire: NXAST_REG_MOVE or NXAST_REG_LOAD at 'p' ('alen' bytes, the vendor
 * id checked); the encoding of a MOVE or LOAD action. */
enum ofp_err nx_decode_field_action(const uint8_t *p, uint16_t alen, struct ofpact *a);
void nx_encode_field_action(struct obuf *b, const struct ofpact *a);

/* The NXM (or OXM) header of field 'id' with its length and no mask bit,
 * or 0 when it has none; the field of header 'h' (mask bit and length
 * ignored) and its length on the wire, or false. */
uint32_t nx_field_header(enum mf_id id);
bool nx_header_field(uint32_t h, enum mf_id *id, uint8_t *len);

#endif /* VS_OFP_NX_H */
