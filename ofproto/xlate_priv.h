/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the translation's files share (xlate.c, xlate_mpls.c): the context
 * a packet's translation carries, and the helpers every part uses.
 */
#ifndef VS_XLATE_PRIV_H
#define VS_XLATE_PRIV_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ofp_nx.h"
#include "ofproto_priv.h"

struct xctx {
	struct ofproto *ofp;
	struct flow_key flow, base;
	struct pipe_md md; /* the metadata and registers */
	struct flow_key *wc;
	struct xlate_result *res;
	struct xlate_info *xi;
	struct ds *trace;
	bool learn;
	uint64_t now;
	int err;
	uint32_t in_ofp, in_dp;
	bool changed;     /* an action wrote a field */
	bool packet_out;  /* output:TABLE runs the pipeline */
	bool from_tunnel; /* the packet came out of a tunnel: its key has tunnel fields */
	bool crossing;    /* translating an encapsulated packet on its underlay bridge */
	/* MPLS and PBB pops need the packet: without it ('pkt' NULL) the
	 * translation stops and the megaflow sends packets to the slow
	 * path ('slow'), which translates each with its bytes. */
	const uint8_t *pkt;
	uint32_t pkt_len;   /* bytes at 'pkt' (the head of the packet) */
	uint32_t total_len; /* the packet's length */
	uint32_t tag_ofs;   /* of the packet's first MPLS label or I-TAG */
	int popped;         /* labels of the packet popped so far */
	int pushed_mpls, pushed_pbb;
	struct flow_key before_mpls, before_pbb; /* the flow before the first push */
	/* copy_ttl_in wrote this TTL under the packet's outermost label: the
	 * pop that reveals that header finds it there, not in 'pkt'. */
	bool inner_ttl_set;
	uint8_t inner_ttl;
	bool slow;
	bool credit;             /* counts tables and rules per packet (the slow path) */
	const struct rule *rule; /* the rule whose actions run, or NULL */
	int indent;
	int group_depth;
	int resubmits, resubmit_depth; /* in all, and nested now */
	struct ofpact aset[16];        /* the action set */
	uint32_t n_aset;
};

static inline void tr(struct xctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline void
tr(struct xctx *c, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!c->trace) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	ds_put_format(c->trace, "%*s%s\n", c->indent * 4, "", line);
}

static inline struct dp_action *
emit(struct xctx *c, enum dp_action_type type)
{
	static __thread struct dp_action scratch;

	if (c->res->n_actions == DP_MAX_ACTIONS) {
		c->err = -E2BIG;
		return &scratch;
	}
	struct dp_action *a = &c->res->actions[c->res->n_actions++];
	memset(a, 0, sizeof *a);
	a->type = (uint8_t)type;
	return a;
}

static inline void
wc_all(void *field, size_t size)
{
	memset(field, 0xff, size);
}

static inline bool
is_mpls_type(uint16_t be_type)
{
	return be_type == htons(0x8847) || be_type == htons(0x8848);
}

/* Emits the set actions that make the packet what 'flow' says ('base'
 * becomes 'flow'). */
void xlate_commit(struct xctx *c);

/* Tunnels (xlate_tnl.c): output to tunnel port 'p' with options 'cfg';
 * output to local port 'p' (kernel interface 'dev'), true when it became
 * a decapsulation. */
struct dp_tnl_cfg;
void xlate_tnl_push(struct xctx *c, const struct ofport *p, const struct dp_tnl_cfg *cfg);
bool xlate_tnl_local(struct xctx *c, const struct ofport *p, const char *dev);

/* One-pass encapsulation: translates 'outer', the packet a tunnel push of
 * 'hdr_len' bytes makes, as input on local port 'lport' of its (underlay)
 * bridge, and appends that bridge's actions to c's. False, with nothing
 * appended, when they cannot be (the packet must then recirculate): that
 * translation reads what differs packet by packet (the UDP source port),
 * or does more than output; or this translation crossed already. */
bool xlate_cross(struct xctx *c, uint32_t lport, const struct flow_key *outer, uint16_t hdr_len);

/* MPLS, PBB and TTLs (xlate_mpls.c). Those returning bool return false
 * when translation must stop (the slow path, or a TTL that ran out). */
void xlate_push_mpls(struct xctx *c, uint16_t ethertype);
bool xlate_pop_mpls(struct xctx *c, uint16_t ethertype);
void xlate_push_pbb(struct xctx *c);
bool xlate_pop_pbb(struct xctx *c);
void xlate_set_ttl(struct xctx *c, const struct ofpact *a);
bool xlate_dec_mpls_ttl(struct xctx *c);
bool xlate_copy_ttl(struct xctx *c, bool inward);

#endif /* VS_XLATE_PRIV_H */
