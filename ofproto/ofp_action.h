/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenFlow actions and instructions as the flow tables hold them, and their
 * ovs-ofctl text form ("mod_vlan_vid:10,output:2", "set_field:10.0.0.1->nw_dst",
 * "write_actions(output:3),goto_table:1"). Translation (xlate.c) turns them
 * into datapath actions. Pure.
 */
#ifndef VS_OFP_ACTION_H
#define VS_OFP_ACTION_H

#include <stdbool.h>
#include <stdint.h>

#include "ds.h"
#include "ofp_match.h"

enum { OFP_N_TABLES = 255, OFPACT_MAX = 128 };

/* Group and meter numbers: the highest a user may give, and the reserved
 * ones. */
enum {
	OFPG_MAX = 0xffffff00,
	OFPG_ALL = 0xfffffffc,
	OFPG_ANY = 0xffffffff,
	OFPM_MAX = 0xffff0000,
	OFPM_SLOWPATH = 0xfffffffd,
	OFPM_CONTROLLER = 0xfffffffe,
	OFPM_ALL = 0xffffffff,
};

enum ofpact_type {
	OFPACT_OUTPUT,       /* port (a number or OFPP_*), max_len for CONTROLLER */
	OFPACT_PUSH_VLAN,    /* ethertype */
	OFPACT_POP_VLAN,     /* also "strip_vlan" */
	OFPACT_SET_FIELD,    /* field, value, mask */
	OFPACT_MOD_VLAN_VID, /* OpenFlow 1.0 style: pushes a tag when there is none */
	OFPACT_MOD_VLAN_PCP, /* likewise */
	OFPACT_DEC_TTL,
	OFPACT_SET_NW_TTL,   /* value.u */
	OFPACT_PUSH_MPLS,    /* ethertype */
	OFPACT_POP_MPLS,     /* ethertype: what follows the popped label */
	OFPACT_SET_MPLS_TTL, /* value.u */
	OFPACT_DEC_MPLS_TTL,
	OFPACT_PUSH_PBB, /* ethertype (0x88e7) */
	OFPACT_POP_PBB,
	OFPACT_GROUP,        /* port: the group id */
	OFPACT_COPY_TTL_OUT, /* the TTL under the outermost MPLS label into it */
	OFPACT_COPY_TTL_IN,  /* the outermost MPLS label's TTL into what it carries */
	OFPACT_SET_QUEUE,    /* port: the queue id (no port has queues: no effect) */
	OFPACT_MOVE,         /* bits src_ofs.. of src_field into dst_ofs.. of field */
	OFPACT_LOAD,         /* value.u into bits dst_ofs.. of field (ofp_nx.h) */
	OFPACT_RESUBMIT,     /* port (OFPP_IN_PORT: the packet's), table (0xff: this one):
			      * the lookup there, its actions, then the next action here */
};

struct ofpact {
	enum ofpact_type type;
	uint16_t ethertype;        /* PUSH_VLAN, PUSH_MPLS, POP_MPLS, PUSH_PBB */
	uint16_t max_len;          /* OUTPUT to CONTROLLER */
	uint32_t port;             /* OUTPUT; GROUP: the group id */
	uint8_t table;             /* RESUBMIT */
	enum mf_id src_field;      /* MOVE */
	uint16_t src_ofs, dst_ofs; /* MOVE, LOAD: the first bit */
	uint16_t n_bits;           /* MOVE, LOAD */
	enum mf_id field;          /* SET_FIELD (also MOD_VLAN_* use value.u) */
	union mf_value value, mask;
};

/* The instructions of a flow entry. Each list is owned by the struct. */
struct ofp_insts {
	struct ofpact *apply; /* Apply-Actions */
	uint32_t n_apply;
	bool clear_actions;
	bool has_write;
	struct ofpact *write; /* Write-Actions (the action set) */
	uint32_t n_write;
	bool has_meta;
	uint64_t metadata, metadata_mask;
	int goto_table;    /* -1: none */
	uint32_t meter_id; /* the Meter instruction; 0: none */
};

void ofp_insts_init(struct ofp_insts *in);
void ofp_insts_destroy(struct ofp_insts *in);
/* Deep copy; returns 0 or -ENOMEM. */
int ofp_insts_clone(struct ofp_insts *dst, const struct ofp_insts *src);
bool ofp_insts_equal(const struct ofp_insts *a, const struct ofp_insts *b);

/* True if any action outputs to 'port' (OFPP_ANY: always true). */
bool ofp_insts_output_to(const struct ofp_insts *in, uint32_t port);

/* True if any action sends to group 'group_id' (OFPG_ANY: always true). */
bool ofp_insts_uses_group(const struct ofp_insts *in, uint32_t group_id);

/* Parses the text after "actions=" into 'in' (initialised by the caller).
 * 'table_id' is the table the flow goes into (a goto must go forward).
 * Returns 0 or -EINVAL with a reason in 'err'. */
int ofp_insts_parse(struct ofp_insts *in, const char *s, uint8_t table_id,
		    const struct ofp_port_names *names, char *err);

/* Makes every generic transport port rewrite (mod_tp_src, mod_tp_dst) one
 * of the TCP, UDP or SCTP port of the protocol 'm' matches, as OpenFlow
 * 1.3 names them. Returns 0, or -EINVAL with a reason in 'err' when 'm'
 * matches no such protocol. */
int ofp_insts_resolve_l4(struct ofp_insts *in, const struct match *m, char *err);

/* Formats 'in' the way ovs-ofctl prints actions ("drop" when empty). */
void ofp_insts_format(const struct ofp_insts *in, struct ds *out);
void ofpact_format(const struct ofpact *a, struct ds *out);

#endif /* VS_OFP_ACTION_H */
