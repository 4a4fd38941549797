/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Translation: a packet's flow key through a bridge's flow tables (and
 * NORMAL) into datapath actions and a megaflow mask.
 *
 * Two copies of the key travel through: 'flow', the packet as the pipeline
 * sees it after the actions so far, and 'base', the packet as the datapath
 * will have it after the actions emitted so far. Header rewrites only change
 * 'flow'; before each output the difference is committed as datapath set
 * actions. Every field a decision reads is un-wildcarded in the mask: the
 * fields of the rules looked at (for a rule that does not match, just enough
 * of it to prove that), prerequisites, the VLAN and addresses NORMAL uses,
 * and every field an action writes (whether a set action is emitted depends
 * on its old value).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tnl.h"
#include "xlate_priv.h"

/* ---- Committing header changes ---- */

static void
commit_vlan(struct xctx *c)
{
	uint16_t f = c->flow.vlan_tci, b = c->base.vlan_tci;
	bool fp = f & htons(FLOW_VLAN_PRESENT), bp = b & htons(FLOW_VLAN_PRESENT);
	struct dp_action *a;

	if (f == b) {
		return;
	}
	if (fp && !bp) {
		a = emit(c, DP_ACTION_PUSH_VLAN);
		a->vlan.tpid = htons(0x8100);
		a->vlan.tci = f;
	} else if (!fp && bp) {
		emit(c, DP_ACTION_POP_VLAN);
	} else {
		a = emit(c, DP_ACTION_SET_VLAN);
		a->vlan.tci = f;
		a->mask = htons(0xefff);
	}
	c->base.vlan_tci = f;
}

static void
commit_arp(struct xctx *c)
{
	const struct flow_key *f = &c->flow, *b = &c->base;
	uint8_t flags = 0;
	struct dp_action *a;

	flags |= f->nw_proto != b->nw_proto ? DP_SET_OP : 0;
	flags |= f->nw_src.ipv4 != b->nw_src.ipv4 ? DP_SET_SRC : 0;
	flags |= f->nw_dst.ipv4 != b->nw_dst.ipv4 ? DP_SET_DST : 0;
	flags |= memcmp(f->arp_sha, b->arp_sha, 6) ? DP_SET_SHA : 0;
	flags |= memcmp(f->arp_tha, b->arp_tha, 6) ? DP_SET_THA : 0;
	if (!flags) {
		return;
	}
	/* As for IP: only what changes, the rest of the action is zero. */
	a = emit(c, DP_ACTION_SET_ARP);
	a->flags = flags;
	a->arp.op = flags & DP_SET_OP ? htons(f->nw_proto) : 0;
	a->arp.spa = flags & DP_SET_SRC ? f->nw_src.ipv4 : 0;
	a->arp.tpa = flags & DP_SET_DST ? f->nw_dst.ipv4 : 0;
	if (flags & DP_SET_SHA) {
		memcpy(a->arp.sha, f->arp_sha, 6);
	}
	if (flags & DP_SET_THA) {
		memcpy(a->arp.tha, f->arp_tha, 6);
	}
}

/* Neighbour discovery: the target and the link-layer address options. */
static void
commit_nd(struct xctx *c)
{
	const struct flow_key *f = &c->flow, *b = &c->base;
	uint8_t flags = 0;
	struct dp_action *a;

	if (f->nw_proto != 58) {
		return;
	}
	flags |= memcmp(f->nd_target, b->nd_target, 16) ? DP_SET_DST : 0;
	flags |= memcmp(f->arp_sha, b->arp_sha, 6) ? DP_SET_SHA : 0;
	flags |= memcmp(f->arp_tha, b->arp_tha, 6) ? DP_SET_THA : 0;
	if (!flags) {
		return;
	}
	a = emit(c, DP_ACTION_SET_ND);
	a->flags = flags;
	if (flags & DP_SET_DST) {
		memcpy(a->nd.target, f->nd_target, 16);
	}
	if (flags & DP_SET_SHA) {
		memcpy(a->nd.sll, f->arp_sha, 6);
	}
	if (flags & DP_SET_THA) {
		memcpy(a->nd.tll, f->arp_tha, 6);
	}
}

static void
commit_l3(struct xctx *c)
{
	struct flow_key *f = &c->flow, *b = &c->base;
	struct dp_action *a;
	uint8_t flags = 0;

	if (f->eth_type == htons(0x0800)) {
		flags |= f->nw_src.ipv4 != b->nw_src.ipv4 ? DP_SET_SRC : 0;
		flags |= f->nw_dst.ipv4 != b->nw_dst.ipv4 ? DP_SET_DST : 0;
		flags |= f->nw_tos != b->nw_tos ? DP_SET_TOS : 0;
		flags |= f->nw_ttl != b->nw_ttl ? DP_SET_TTL : 0;
		if (flags) {
			a = emit(c, DP_ACTION_SET_IPV4);
			/* Only the fields that change: the others would carry
			 * values of this packet that the mask does not cover. */
			a->flags = flags;
			a->ipv4.src = flags & DP_SET_SRC ? f->nw_src.ipv4 : 0;
			a->ipv4.dst = flags & DP_SET_DST ? f->nw_dst.ipv4 : 0;
			a->ipv4.tos = flags & DP_SET_TOS ? f->nw_tos : 0;
			a->ipv4.ttl = flags & DP_SET_TTL ? f->nw_ttl : 0;
		}
	} else if (f->eth_type == htons(0x86dd)) {
		flags |= memcmp(f->nw_src.ipv6, b->nw_src.ipv6, 16) ? DP_SET_SRC : 0;
		flags |= memcmp(f->nw_dst.ipv6, b->nw_dst.ipv6, 16) ? DP_SET_DST : 0;
		flags |= f->nw_tos != b->nw_tos ? DP_SET_TOS : 0;
		flags |= f->nw_ttl != b->nw_ttl ? DP_SET_TTL : 0;
		flags |= f->ipv6_label != b->ipv6_label ? DP_SET_LABEL : 0;
		if (flags) {
			a = emit(c, DP_ACTION_SET_IPV6);
			a->flags = flags;
			if (flags & DP_SET_SRC) {
				memcpy(a->ipv6.src, f->nw_src.ipv6, 16);
			}
			if (flags & DP_SET_DST) {
				memcpy(a->ipv6.dst, f->nw_dst.ipv6, 16);
			}
			a->ipv6.tc = flags & DP_SET_TOS ? f->nw_tos : 0;
			a->ipv6.hlimit = flags & DP_SET_TTL ? f->nw_ttl : 0;
			a->ipv6.label = flags & DP_SET_LABEL ? f->ipv6_label : 0;
		}
		commit_nd(c);
	} else if (f->eth_type == htons(0x0806)) {
		commit_arp(c);
	}
	if (f->tp_src != b->tp_src || f->tp_dst != b->tp_dst) {
		/* Only ever written for TCP, UDP and SCTP ports and ICMP types
		 * and codes (set_field checks the prerequisites). */
		a = emit(c, DP_ACTION_SET_L4);
		a->flags = (uint8_t)((f->tp_src != b->tp_src ? DP_SET_SRC : 0) |
				     (f->tp_dst != b->tp_dst ? DP_SET_DST : 0));
		a->l4.src = a->flags & DP_SET_SRC ? f->tp_src : 0;
		a->l4.dst = a->flags & DP_SET_DST ? f->tp_dst : 0;
	}
}

void
xlate_commit(struct xctx *c)
{
	struct flow_key *f = &c->flow, *b = &c->base;
	uint8_t flags = 0;

	commit_vlan(c);
	flags |= memcmp(f->eth_src, b->eth_src, 6) ? DP_SET_SRC : 0;
	flags |= memcmp(f->eth_dst, b->eth_dst, 6) ? DP_SET_DST : 0;
	if (flags) {
		struct dp_action *a = emit(c, DP_ACTION_SET_ETH);

		a->flags = flags;
		if (flags & DP_SET_SRC) {
			memcpy(a->eth.src, f->eth_src, 6);
		}
		if (flags & DP_SET_DST) {
			memcpy(a->eth.dst, f->eth_dst, 6);
		}
	}
	if (f->eth_type == b->eth_type && f->ipv6_label != b->ipv6_label &&
	    (is_mpls_type(f->eth_type) || f->eth_type == htons(0x88e7))) {
		struct dp_action *a =
			emit(c, is_mpls_type(f->eth_type) ? DP_ACTION_SET_MPLS : DP_ACTION_SET_PBB);

		a->mpls.lse = f->ipv6_label;
		a->mpls.mask = UINT32_MAX;
	}
	commit_l3(c);
	uint32_t in_port = b->in_port;
	*b = *f;
	b->in_port = in_port;
}

/* ---- Outputs ---- */

static void
output_to(struct xctx *c, const struct ofport *p)
{
	const struct dp_tnl_cfg *tc;
	const char *dev;

	if (p->config & (OFPPC_PORT_DOWN | OFPPC_NO_FWD)) {
		tr(c, "-> %s does not forward (port-mod): skipped", p->name);
		return;
	}
	if ((tc = tnl_port_cfg(p->dp_port))) {
		xlate_tnl_push(c, p, tc);
		return;
	}
	if ((dev = tnl_local_name(p->dp_port)) && xlate_tnl_local(c, p, dev)) {
		return;
	}
	xlate_commit(c);
	emit(c, DP_ACTION_OUTPUT)->port = p->dp_port;
	if (p->ofp_port == OFPP_LOCAL) {
		tr(c, "-> output to %s (port LOCAL)", p->name);
	} else {
		tr(c, "-> output to %s (port %" PRIu32 ")", p->name, p->ofp_port);
	}
}

static void xlate_normal(struct xctx *c);
static void run_pipeline(struct xctx *c);
static void resubmit(struct xctx *c, uint32_t port, uint8_t table);

static bool
is_table_miss(const struct rule *r)
{
	static const struct match catchall;

	return r->priority == 0 && !memcmp(&r->mask->mask, &catchall.mask, sizeof catchall.mask) &&
	       !memcmp(&r->mask->md_mask, &catchall.md_mask, sizeof catchall.md_mask);
}

/* The cookie of a DP_ACTION_USERSPACE to the controller: what its packet-in
 * will say (see ofproto_packet_in()). */
static uint64_t
controller_cookie(struct xctx *c, uint8_t table_id, uint8_t reason, uint16_t max_len)
{
	const struct rule *r = c->rule;
	uint32_t ctx = ofproto_pin_ctx(c->ofp, r ? r->cookie : UINT64_MAX, &c->md, &c->flow,
				       c->in_dp < DP_MAX_PORTS ? 0 : c->in_ofp);

	/* The packet-in tells the tunnel fields: the megaflow matches those
	 * of a decapsulated packet (those of any other are zero, or what a
	 * set-field wrote and matched already). */
	if (c->from_tunnel) {
		c->wc->tun_id = UINT64_MAX;
		c->wc->tun_src = UINT32_MAX;
		c->wc->tun_dst = UINT32_MAX;
		memset(c->wc->tun_ipv6_src, 0xff, 16);
		memset(c->wc->tun_ipv6_dst, 0xff, 16);
		c->wc->tun_md_present = UINT16_MAX;
		memset(c->wc->tun_md, 0xff, sizeof c->wc->tun_md);
	}

	return CONTROLLER_COOKIE | (uint64_t)ctx << 32 | (uint64_t)table_id << 24 |
	       (uint64_t)reason << 16 | max_len;
}

static void
send_to_controller(struct xctx *c, uint8_t table_id, uint8_t reason, uint16_t max_len)
{
	struct ofport *p = c->in_dp < DP_MAX_PORTS ? c->ofp->by_dp[c->in_dp] : NULL;

	if (p && (p->config & OFPPC_NO_PACKET_IN)) {
		tr(c, "-> no packet-in from %s (port-mod): skipped", p->name);
		return;
	}
	xlate_commit(c);
	emit(c, DP_ACTION_USERSPACE)->cookie = controller_cookie(c, table_id, reason, max_len);
	tr(c, "-> to the controller (max_len %u)", max_len);
}

static void
do_output(struct xctx *c, uint32_t port, uint16_t max_len)
{
	struct ofport *p;

	switch (port) {
	case OFPP_IN_PORT:
		p = ofproto_port_by_ofp(c->ofp, c->in_ofp);
		if (p) {
			output_to(c, p);
		}
		return;
	case OFPP_NORMAL:
		xlate_normal(c);
		return;
	case OFPP_FLOOD:
	case OFPP_ALL:
		for (int i = 0; i < MAX_PORTS; i++) {
			p = c->ofp->ports[i];
			if (p && p->ofp_port != c->in_ofp) {
				output_to(c, p);
			}
		}
		return;
	case OFPP_CONTROLLER:
		send_to_controller(c, c->rule ? c->rule->table_id : 0xff,
				   c->rule && is_table_miss(c->rule) ? OFPR_NO_MATCH : OFPR_ACTION,
				   max_len);
		return;
	case OFPP_TABLE:
		if (c->packet_out) {
			c->packet_out = false;
			tr(c, "-> the flow tables");
			run_pipeline(c);
		}
		return;
	case OFPP_LOCAL:
		p = ofproto_port_by_ofp(c->ofp, OFPP_LOCAL);
		if (!p) {
			tr(c, "-> LOCAL: this bridge has no local port: dropped");
		} else if (c->in_ofp != OFPP_LOCAL) {
			output_to(c, p);
		}
		return;
	default:
		break;
	}
	if (port == c->in_ofp) {
		tr(c, "-> output:%" PRIu32 " is the input port: skipped (use IN_PORT)", port);
		return;
	}
	p = ofproto_port_by_ofp(c->ofp, port);
	if (!p) {
		tr(c, "-> output:%" PRIu32 ": no such port: dropped", port);
		return;
	}
	output_to(c, p);
}

/* ---- Actions ---- */

static void
push_vlan(struct xctx *c, uint16_t tpid)
{
	uint16_t tci = c->flow.vlan_tci & htons(FLOW_VLAN_PRESENT) ? c->flow.vlan_tci
								   : htons(FLOW_VLAN_PRESENT);
	struct dp_action *a;

	commit_vlan(c);
	a = emit(c, DP_ACTION_PUSH_VLAN);
	a->vlan.tpid = htons(tpid);
	a->vlan.tci = tci;
	c->flow.vlan_inner_tci = c->flow.vlan_tci;
	c->flow.vlan_tci = tci;
	c->base.vlan_inner_tci = c->base.vlan_tci;
	c->base.vlan_tci = tci;
}

static void
pop_vlan(struct xctx *c)
{
	if (!(c->flow.vlan_tci & htons(FLOW_VLAN_PRESENT))) {
		return;
	}
	emit(c, DP_ACTION_POP_VLAN);
	c->flow.vlan_tci = c->flow.vlan_inner_tci;
	c->flow.vlan_inner_tci = 0;
	c->base.vlan_tci = c->flow.vlan_tci;
	c->base.vlan_inner_tci = 0;
}

/* Un-wildcards what the prerequisites of 'f' read and tells whether they
 * hold for the packet. */
static bool
prereqs_hold(struct xctx *c, const struct mf_field *f)
{
	c->wc->eth_type = 0xffff;
	if (f->prereq >= MFP_TCP) {
		c->wc->nw_proto = 0xff;
		c->wc->nw_frag = 0xff;
	}
	if (f->prereq >= MFP_ND) {
		c->wc->tp_src = 0xffff;
	}
	return mf_prereqs_hold(f, &c->flow) &&
	       (f->prereq < MFP_TCP || f->prereq > MFP_L4 || !(c->flow.nw_frag & FLOW_FRAG_LATER));
}

static void
set_field(struct xctx *c, const struct ofpact *a)
{
	const struct mf_field *f = mf_from_id(a->field);

	if (f->md) {
		mf_set(f, &c->flow, &c->md, &a->value, &a->mask);
		return;
	}
	if (mf_unmapped(f)) {
		tr(c, "set_field on %s: no Geneve option is mapped to it: nothing done", f->name);
		return;
	}
	if (f->id == MFF_DL_VLAN || f->id == MFF_VLAN_PCP) {
		wc_all(&c->wc->vlan_tci, 2);
		if (!(c->flow.vlan_tci & htons(FLOW_VLAN_PRESENT))) {
			tr(c, "set_field on %s: the packet has no VLAN tag: nothing done", f->name);
			return;
		}
	} else if (!prereqs_hold(c, f)) {
		tr(c, "set_field on %s: the packet lacks its prerequisites: nothing done", f->name);
		return;
	}
	/* Whether a set action follows depends on the old value. */
	memset((uint8_t *)c->wc + f->ofs, 0xff, f->size);
	mf_set(f, &c->flow, NULL, &a->value, &a->mask);
	c->changed = true;
}

/* Nicira's move and load: bits of a field, or a value, into bits of
 * another field. The source is read, so it is matched exactly; a field
 * the packet does not have (its prerequisites do not hold) makes it a
 * no-op, as a set-field is. */
static void
move_load(struct xctx *c, const struct ofpact *a)
{
	const struct mf_field *dst = mf_from_id(a->field);
	const struct mf_field *src = a->type == OFPACT_MOVE ? mf_from_id(a->src_field) : NULL;
	union mf_value sv, v, mask;

	if ((src && !prereqs_hold(c, src)) || !prereqs_hold(c, dst)) {
		tr(c, "%s: the packet lacks a field: nothing done",
		   a->type == OFPACT_MOVE ? "move" : "load");
		return;
	}
	memset(&v, 0, sizeof v);
	memset(&mask, 0, sizeof mask);
	if (src) {
		mf_get(src, &c->flow, &c->md, &sv);
		if (!src->md) {
			memset((uint8_t *)c->wc + src->ofs, 0xff, src->size);
		}
	}
	for (unsigned int done = 0; done < a->n_bits; done += 64) {
		unsigned int n = a->n_bits - done < 64 ? a->n_bits - done : 64;
		uint64_t bits = src ? nx_bits_get(src, &sv, a->src_ofs + done, n) : a->value.u;

		nx_bits_set(dst, &v, &mask, a->dst_ofs + done, n, bits);
	}
	if (dst->md) {
		/* Only the pipeline sees it: no datapath action, no match. */
		mf_set(dst, &c->flow, &c->md, &v, &mask);
		return;
	}
	memset((uint8_t *)c->wc + dst->ofs, 0xff, dst->size);
	mf_set(dst, &c->flow, &c->md, &v, &mask);
	c->changed = true;
}

static void
mod_vlan(struct xctx *c, const struct ofpact *a)
{
	uint16_t tci;

	wc_all(&c->wc->vlan_tci, 2);
	if (!(c->flow.vlan_tci & htons(FLOW_VLAN_PRESENT))) {
		push_vlan(c, 0x8100);
	}
	tci = ntohs(c->flow.vlan_tci);
	if (a->type == OFPACT_MOD_VLAN_VID) {
		tci = (uint16_t)((tci & ~FLOW_VLAN_VID_MASK) | a->value.u);
	} else {
		tci = (uint16_t)((tci & 0x1fff) | a->value.u << FLOW_VLAN_PCP_SHIFT);
	}
	c->flow.vlan_tci = htons(tci);
	c->changed = true;
}

/* Returns false when the packet must go no further (TTL expired). */
static bool
dec_ttl(struct xctx *c)
{
	c->wc->eth_type = 0xffff;
	if (c->flow.eth_type != htons(0x0800) && c->flow.eth_type != htons(0x86dd)) {
		tr(c, "dec_ttl: not IP: nothing done");
		return true;
	}
	c->wc->nw_ttl = 0xff;
	if (c->flow.nw_ttl <= 1) {
		tr(c, "dec_ttl: TTL %u: the packet is dropped", c->flow.nw_ttl);
		return false;
	}
	emit(c, DP_ACTION_DEC_TTL);
	c->flow.nw_ttl--;
	c->base.nw_ttl--;
	c->changed = true;
	return true;
}

/* ---- Groups ---- */

static bool do_actions(struct xctx *c, const struct ofpact *acts, uint32_t n);

enum { GROUP_DEPTH_MAX = 8 };

static bool group_live(struct xctx *c, const struct group *g, int depth);

/* A port is live when it exists, is not down by port-mod and has a link. */
static bool
port_live(struct xctx *c, uint32_t ofp_port)
{
	const struct ofport *p = ofproto_port_by_ofp(c->ofp, ofp_port);

	return p && !(p->config & OFPPC_PORT_DOWN) && !p->link_down;
}

static bool
bucket_live(struct xctx *c, const struct ofp_bucket *b, int depth)
{
	const struct group *w;

	if (b->watch_port != OFPP_ANY && !port_live(c, b->watch_port)) {
		return false;
	}
	if (b->watch_group != OFPG_ANY) {
		w = ofproto_group_find(c->ofp, b->watch_group);
		return w && depth < GROUP_DEPTH_MAX && group_live(c, w, depth + 1);
	}
	return true;
}

static bool
group_live(struct xctx *c, const struct group *g, int depth)
{
	for (uint32_t i = 0; i < g->n_buckets; i++) {
		if (bucket_live(c, &g->buckets[i], depth)) {
			return true;
		}
	}
	return false;
}

/* Whether a bucket's actions change the packet (not only send it). */
static bool
bucket_modifies(const struct ofp_bucket *b)
{
	for (uint32_t i = 0; i < b->n_actions; i++) {
		if (b->actions[i].type != OFPACT_OUTPUT) {
			return true;
		}
	}
	return false;
}

/* Runs bucket 'k' of 'g'. A bucket that changes the packet runs on a
 * clone (DP_ACTION_CLONE), so that the packet after it, and the next
 * bucket, see it as it was. */
static void
run_bucket(struct xctx *c, struct group *g, uint32_t k)
{
	const struct ofp_bucket *b = &g->buckets[k];
	bool isolate = bucket_modifies(b);
	struct flow_key flow = c->flow, base = c->base, before_mpls = c->before_mpls,
			before_pbb = c->before_pbb;
	int popped = c->popped, pushed_mpls = c->pushed_mpls, pushed_pbb = c->pushed_pbb;
	bool changed = c->changed, inner_ttl_set = c->inner_ttl_set;
	uint8_t inner_ttl = c->inner_ttl;
	uint32_t at = c->res->n_actions;

	if (c->xi->n_buckets < MAX_UKEY_BUCKETS) {
		c->xi->buckets[c->xi->n_buckets].group = g;
		c->xi->buckets[c->xi->n_buckets++].bucket = k;
	} else {
		c->xi->rules_overflow = true;
	}
	if (c->credit) {
		g->bucket_packets[k]++;
		g->bucket_bytes[k] += c->total_len;
	}
	tr(c, "bucket %" PRIu32 ":", k);
	c->indent++;
	if (isolate) {
		emit(c, DP_ACTION_CLONE);
	}
	do_actions(c, b->actions, b->n_actions);
	c->indent--;
	if (!isolate || c->err) {
		return;
	}
	if (c->res->n_actions == at + 1) {
		c->res->n_actions = at; /* nothing came of it */
	} else {
		c->res->actions[at].port = c->res->n_actions - at - 1;
	}
	c->flow = flow;
	c->base = base;
	c->before_mpls = before_mpls;
	c->before_pbb = before_pbb;
	c->popped = popped;
	c->pushed_mpls = pushed_mpls;
	c->pushed_pbb = pushed_pbb;
	c->changed = changed;
	c->inner_ttl_set = inner_ttl_set;
	c->inner_ttl = inner_ttl;
}

/* The bucket of a select group for this packet: a hash of its addresses
 * (for ARP, the sender and target protocol addresses too) and ports,
 * weighted, among the live buckets. */
static int
select_bucket(struct xctx *c, const struct group *g)
{
	struct flow_key m, k;
	uint64_t total = 0, pick;
	uint16_t type = ntohs(c->flow.eth_type);

	memset(&m, 0, sizeof m);
	wc_all(m.eth_src, 6);
	wc_all(m.eth_dst, 6);
	m.eth_type = 0xffff;
	if (type == 0x0800 || type == 0x86dd) {
		wc_all(&m.nw_src, type == 0x0800 ? 4 : 16);
		wc_all(&m.nw_dst, type == 0x0800 ? 4 : 16);
		m.nw_proto = 0xff;
		m.nw_frag = 0xff;
		if ((c->flow.nw_proto == 6 || c->flow.nw_proto == 17 || c->flow.nw_proto == 132) &&
		    !(c->flow.nw_frag & FLOW_FRAG_LATER)) {
			m.tp_src = m.tp_dst = 0xffff;
		}
	} else if (type == 0x0806) {
		/* ARP flows differ in their IP addresses, not only MACs. */
		wc_all(&m.nw_src, 4);
		wc_all(&m.nw_dst, 4);
	}
	for (int w = 0; w < FLOW_KEY_U64S; w++) {
		c->wc->u64[w] |= m.u64[w];
	}
	flow_key_and(&k, &c->flow, &m);
	for (uint32_t i = 0; i < g->n_buckets; i++) {
		if (g->buckets[i].weight && bucket_live(c, &g->buckets[i], 0)) {
			total += g->buckets[i].weight;
		}
	}
	if (!total) {
		return -1;
	}
	pick = flow_key_hash(&k, g->id) % total;
	for (uint32_t i = 0; i < g->n_buckets; i++) {
		if (g->buckets[i].weight && bucket_live(c, &g->buckets[i], 0)) {
			if (pick < g->buckets[i].weight) {
				return (int)i;
			}
			pick -= g->buckets[i].weight;
		}
	}
	return -1;
}

static void
xlate_group(struct xctx *c, uint32_t id)
{
	struct group *g = ofproto_group_find(c->ofp, id);
	int k = -1;

	if (!g) {
		tr(c, "-> group %" PRIu32 " does not exist: dropped", id);
		return;
	}
	if (c->group_depth >= GROUP_DEPTH_MAX) {
		tr(c, "-> group %" PRIu32 ": groups nested too deep: dropped", id);
		return;
	}
	c->group_depth++;
	if (c->credit) {
		g->n_packets++;
		g->n_bytes += c->total_len;
	}
	switch (g->type) {
	case OFPGT_ALL:
		for (uint32_t i = 0; i < g->n_buckets && !c->err; i++) {
			run_bucket(c, g, i);
		}
		break;
	case OFPGT_INDIRECT:
		k = g->n_buckets ? 0 : -1;
		break;
	case OFPGT_SELECT:
		k = select_bucket(c, g);
		break;
	case OFPGT_FF:
		/* Liveness is part of the decision: a link change revalidates. */
		for (uint32_t i = 0; i < g->n_buckets && k < 0; i++) {
			k = bucket_live(c, &g->buckets[i], 0) ? (int)i : -1;
		}
		break;
	}
	if (g->type != OFPGT_ALL) {
		if (k < 0) {
			tr(c, "-> group %" PRIu32 ": no live bucket: dropped", id);
		} else {
			run_bucket(c, g, (uint32_t)k);
		}
	}
	c->group_depth--;
}

static bool
do_actions(struct xctx *c, const struct ofpact *acts, uint32_t n)
{
	for (uint32_t i = 0; i < n && !c->err; i++) {
		const struct ofpact *a = &acts[i];

		if (c->trace) {
			struct ds d = DS_INIT;

			ofpact_format(a, &d);
			tr(c, "%s", ds_cstr(&d));
			ds_destroy(&d);
		}
		switch (a->type) {
		case OFPACT_OUTPUT:
			c->indent++;
			do_output(c, a->port, a->max_len);
			c->indent--;
			break;
		case OFPACT_PUSH_VLAN:
			wc_all(&c->wc->vlan_tci, 2);
			push_vlan(c, a->ethertype);
			c->changed = true;
			break;
		case OFPACT_POP_VLAN:
			wc_all(&c->wc->vlan_tci, 2);
			wc_all(&c->wc->vlan_inner_tci, 2);
			pop_vlan(c);
			c->changed = true;
			break;
		case OFPACT_MOD_VLAN_VID:
		case OFPACT_MOD_VLAN_PCP:
			mod_vlan(c, a);
			break;
		case OFPACT_SET_FIELD:
			set_field(c, a);
			break;
		case OFPACT_DEC_TTL:
			if (!dec_ttl(c)) {
				return false;
			}
			break;
		case OFPACT_SET_NW_TTL:
		case OFPACT_SET_MPLS_TTL:
			xlate_set_ttl(c, a);
			break;
		case OFPACT_DEC_MPLS_TTL:
			if (!xlate_dec_mpls_ttl(c)) {
				return false;
			}
			break;
		case OFPACT_COPY_TTL_OUT:
		case OFPACT_COPY_TTL_IN:
			if (!xlate_copy_ttl(c, a->type == OFPACT_COPY_TTL_IN)) {
				return false;
			}
			break;
		case OFPACT_RESUBMIT:
			resubmit(c, a->port, a->table);
			break;
		case OFPACT_MOVE:
		case OFPACT_LOAD:
			move_load(c, a);
			break;
		case OFPACT_SET_QUEUE:
			/* As Open vSwitch on a port without QoS queues. */
			tr(c, "set_queue:%" PRIu32 ": no port has queues: no effect", a->port);
			break;
		case OFPACT_PUSH_MPLS:
			xlate_push_mpls(c, a->ethertype);
			break;
		case OFPACT_POP_MPLS:
			if (!xlate_pop_mpls(c, a->ethertype)) {
				return false;
			}
			break;
		case OFPACT_PUSH_PBB:
			xlate_push_pbb(c);
			break;
		case OFPACT_POP_PBB:
			if (!xlate_pop_pbb(c)) {
				return false;
			}
			break;
		case OFPACT_GROUP:
			c->indent++;
			xlate_group(c, a->port);
			c->indent--;
			break;
		}
	}
	return true;
}

/* The action set keeps one action of each kind (one per field for
 * set-field); a later write replaces an earlier one. */
static bool
same_slot(const struct ofpact *a, const struct ofpact *b)
{
	bool set_a = a->type == OFPACT_SET_FIELD || a->type == OFPACT_MOD_VLAN_VID ||
		     a->type == OFPACT_MOD_VLAN_PCP;
	bool set_b = b->type == OFPACT_SET_FIELD || b->type == OFPACT_MOD_VLAN_VID ||
		     b->type == OFPACT_MOD_VLAN_PCP;

	if (set_a && set_b) {
		return a->type == b->type && a->field == b->field;
	}
	return a->type == b->type;
}

static void
write_actions(struct xctx *c, const struct ofpact *acts, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t j;

		for (j = 0; j < c->n_aset && !same_slot(&c->aset[j], &acts[i]); j++) {
		}
		if (j < c->n_aset) {
			c->aset[j] = acts[i];
		} else if (c->n_aset < ARRAY_SIZE(c->aset)) {
			c->aset[c->n_aset++] = acts[i];
		}
	}
}

/* Runs the action set in the order OpenFlow 1.3 defines. */
static void
run_action_set(struct xctx *c)
{
	static const enum ofpact_type order[] = {
		OFPACT_COPY_TTL_IN, OFPACT_POP_VLAN,     OFPACT_POP_MPLS,   OFPACT_POP_PBB,
		OFPACT_PUSH_MPLS,   OFPACT_PUSH_PBB,     OFPACT_PUSH_VLAN,  OFPACT_COPY_TTL_OUT,
		OFPACT_DEC_TTL,     OFPACT_DEC_MPLS_TTL, OFPACT_SET_NW_TTL, OFPACT_SET_MPLS_TTL,
		OFPACT_SET_FIELD,   OFPACT_SET_QUEUE,    OFPACT_GROUP,      OFPACT_OUTPUT};
	bool has_group = false;

	if (!c->n_aset) {
		return;
	}
	for (uint32_t i = 0; i < c->n_aset; i++) {
		has_group |= c->aset[i].type == OFPACT_GROUP;
	}
	tr(c, "action set:");
	c->indent++;
	for (size_t k = 0; k < ARRAY_SIZE(order); k++) {
		for (uint32_t i = 0; i < c->n_aset; i++) {
			enum ofpact_type t = c->aset[i].type;

			if (t == OFPACT_MOD_VLAN_VID || t == OFPACT_MOD_VLAN_PCP) {
				t = OFPACT_SET_FIELD;
			}
			if (t == OFPACT_OUTPUT && has_group) {
				continue; /* a group in the action set wins over output */
			}
			if (t == order[k] && !do_actions(c, &c->aset[i], 1)) {
				c->indent--;
				return;
			}
		}
	}
	c->indent--;
}

/* ---- Tables ---- */

static struct rule *
lookup(struct xctx *c, uint8_t table_id)
{
	struct oftable *t = &c->ofp->tables[table_id];
	struct rule *r;

	c->xi->tables[table_id / 8] |= (uint8_t)(1 << (table_id % 8));
	if (table_id && c->changed) {
		c->xi->modified = true;
	}
	if (c->credit) {
		t->lookups++;
	}
	r = oftable_lookup(t, &c->flow, &c->md, c->wc);
	if (r && c->credit) {
		t->matches++;
		r->n_packets++;
		r->n_bytes += c->total_len;
		r->used_ms = c->now;
	}
	return r;
}

static void
trace_rule(struct xctx *c, const struct rule *r)
{
	struct ds d = DS_INIT;
	struct match m;

	rule_get_match(r, &m);
	match_format(&m, &d);
	tr(c, "%u. priority %u, cookie 0x%" PRIx64 "%s%s", r->table_id, r->priority, r->cookie,
	   d.len ? ": " : "", ds_cstr(&d));
	ds_clear(&d);
	ofp_insts_format(&r->insts, &d);
	c->indent++;
	tr(c, "instructions: %s", ds_cstr(&d));
	c->indent--;
	ds_destroy(&d);
}

/* The tables from 'table_id' on, as goto-table leads; false when the
 * actions stopped the packet. */
static bool
run_tables(struct xctx *c, int table_id)
{
	while (table_id >= 0 && !c->err) {
		struct rule *r = lookup(c, (uint8_t)table_id);

		if (!r && c->ofp->miss_to_controller) {
			/* OpenFlow 1.0's table miss, for its controllers. */
			tr(c, "%d. no flow matches: table miss: to the controller (OpenFlow 1.0)",
			   table_id);
			c->rule = NULL;
			send_to_controller(c, (uint8_t)table_id, OFPR_NO_MATCH,
					   0xffff); /* all of it */
			return false;
		}
		if (!r) {
			tr(c, "%d. no flow matches: table miss: dropped", table_id);
			return false;
		}
		trace_rule(c, r);
		c->rule = r;
		if (c->xi->n_rules < MAX_UKEY_RULES) {
			c->xi->rules[c->xi->n_rules++] = r;
		} else {
			c->xi->rules_overflow = true;
		}
		c->indent++;
		if (r->insts.meter_id) {
			const struct meter *m = ofproto_meter_find(c->ofp, r->insts.meter_id);

			if (m) {
				emit(c, DP_ACTION_METER)->port = m->dp_id;
				tr(c, "meter:%" PRIu32, r->insts.meter_id);
			}
		}
		if (!do_actions(c, r->insts.apply, r->insts.n_apply)) {
			c->indent--;
			return false;
		}
		if (r->insts.clear_actions) {
			c->n_aset = 0;
		}
		if (r->insts.has_write) {
			write_actions(c, r->insts.write, r->insts.n_write);
		}
		if (r->insts.has_meta) {
			c->md.u64[0] = (c->md.u64[0] & ~r->insts.metadata_mask) |
				       (r->insts.metadata & r->insts.metadata_mask);
		}
		c->indent--;
		table_id = r->insts.goto_table;
	}
	return !c->err;
}

static void
run_pipeline(struct xctx *c)
{
	if (run_tables(c, 0)) {
		run_action_set(c);
	}
}

enum { RESUBMIT_MAX = 256, RESUBMIT_DEPTH_MAX = 64 };

/* Nicira's resubmit: the lookup in 'table' (0xff: the current rule's)
 * with the input port 'port' (OFPP_IN_PORT: the packet's), the actions
 * of what matches (and the tables it goes to), then back to the next
 * action here. Tables may be visited again: loops are cut by a limit on
 * the nesting and on the total, as Open vSwitch does. */
static void
resubmit(struct xctx *c, uint32_t port, uint8_t table)
{
	const struct rule *rule = c->rule;
	uint32_t in_port = c->flow.in_port;
	uint8_t t = table != 0xff ? table : rule ? rule->table_id : 0;

	if (c->resubmits >= RESUBMIT_MAX || c->resubmit_depth >= RESUBMIT_DEPTH_MAX) {
		tr(c, "resubmit: more than %d resubmits (or %d nested): a loop? skipped",
		   RESUBMIT_MAX, RESUBMIT_DEPTH_MAX);
		return;
	}
	if (t >= OFP_N_TABLES - 1) {
		tr(c, "resubmit: table %u does not exist: skipped", t);
		return;
	}
	c->resubmits++;
	c->resubmit_depth++;
	if (port != OFPP_IN_PORT) {
		c->flow.in_port = port;
	}
	tr(c, "resubmit to table %u%s", t, port != OFPP_IN_PORT ? " with another in_port" : "");
	c->indent++;
	run_tables(c, t);
	c->indent--;
	c->flow.in_port = in_port;
	c->rule = rule;
	c->resubmit_depth--;
}

/* ---- NORMAL ---- */

static bool
tagged_on(const struct ofport *p, uint16_t vlan)
{
	switch (p->vlan_mode) {
	case OFPORT_VLAN_ACCESS:
		return false;
	case OFPORT_VLAN_TRUNK:
		return vlan != 0;
	case OFPORT_VLAN_NATIVE_TAGGED:
		return true;
	case OFPORT_VLAN_NATIVE_UNTAGGED:
		return vlan != p->tag;
	}
	return false;
}

static void
normal_output(struct xctx *c, const struct ofport *p, uint16_t vlan)
{
	uint16_t saved = c->flow.vlan_tci;
	uint16_t pcp = saved & htons(FLOW_VLAN_PRESENT) ? saved & htons(0xe000) : 0;

	c->flow.vlan_tci =
		tagged_on(p, vlan) ? (uint16_t)(htons(FLOW_VLAN_PRESENT | vlan) | pcp) : 0;
	output_to(c, p);
	c->flow.vlan_tci = saved;
}

/* The VLAN a frame received on 'in' belongs to, or -1 to drop it. */
static int
input_vlan(struct xctx *c, const struct ofport *in)
{
	uint16_t tci = ntohs(c->flow.vlan_tci);
	bool tagged = (tci & FLOW_VLAN_PRESENT) && (tci & FLOW_VLAN_VID_MASK);
	uint16_t vid = tci & FLOW_VLAN_VID_MASK;

	switch (in->vlan_mode) {
	case OFPORT_VLAN_ACCESS:
		if (tagged) {
			tr(c, "dropped: VLAN %u tagged frame on access port %s (VLAN %d)", vid,
			   in->name, in->tag);
			return -1;
		}
		return in->tag;
	case OFPORT_VLAN_TRUNK:
		if (!ofport_carries(in, tagged ? vid : 0)) {
			tr(c, "dropped: VLAN %u is not allowed on trunk port %s", tagged ? vid : 0,
			   in->name);
			return -1;
		}
		return tagged ? vid : 0;
	case OFPORT_VLAN_NATIVE_TAGGED:
	case OFPORT_VLAN_NATIVE_UNTAGGED:
		if (!tagged) {
			return in->tag;
		}
		if (!ofport_carries(in, vid)) {
			tr(c, "dropped: VLAN %u is not allowed on port %s", vid, in->name);
			return -1;
		}
		return vid;
	}
	return -1;
}

static void
learn_source(struct xctx *c, const struct ofport *in, uint16_t vlan)
{
	const uint8_t *src = c->flow.eth_src;
	uint8_t evicted[6];

	if (eth_addr_is_multicast(src)) {
		return;
	}
	c->xi->learned = true;
	memcpy(c->xi->mac, src, 6);
	c->xi->vlan = vlan;
	c->xi->learn_port = in->ofp_port;
	if (!c->learn) {
		if (mac_lookup(c->ofp->macs, src, vlan, c->now) != in->ofp_port) {
			c->res->stale = true;
			tr(c, "source %02x:%02x:%02x:%02x:%02x:%02x is not learned on %s yet",
			   src[0], src[1], src[2], src[3], src[4], src[5], in->name);
		}
		return;
	}
	switch (mac_learn(c->ofp->macs, src, vlan, in->ofp_port, c->now, evicted)) {
	case MAC_NEW:
	case MAC_MOVED:
		ofproto_note_mac_change(c->ofp, src);
		tr(c, "learned %02x:%02x:%02x:%02x:%02x:%02x on port %s VLAN %u", src[0], src[1],
		   src[2], src[3], src[4], src[5], in->name, vlan);
		break;
	case MAC_UNCHANGED:
	case MAC_NOMEM:
		break;
	}
	if (memcmp(evicted, "\0\0\0\0\0\0", 6)) {
		ofproto_note_mac_change(c->ofp, evicted);
	}
}

static void
flood(struct xctx *c, const struct ofport *in, uint16_t vlan)
{
	tr(c, "flooding in VLAN %u", vlan);
	for (int i = 0; i < MAX_PORTS; i++) {
		const struct ofport *p = c->ofp->ports[i];

		if (p && p != in && ofport_carries(p, vlan)) {
			normal_output(c, p, vlan);
		}
	}
}

static void
xlate_normal(struct xctx *c)
{
	const struct ofport *in = c->in_dp < DP_MAX_PORTS ? c->ofp->by_dp[c->in_dp] : NULL, *out;
	const uint8_t *dst = c->flow.eth_dst;
	int vlan;
	int64_t port;

	c->xi->used_normal = true;
	wc_all(&c->wc->vlan_tci, 2);
	wc_all(c->wc->eth_src, 6);
	wc_all(c->wc->eth_dst, 6);
	if (!in) {
		return;
	}
	vlan = input_vlan(c, in);
	if (vlan < 0) {
		c->xi->vlan_drop_port = in->ofp_port;
		return;
	}
	learn_source(c, in, (uint16_t)vlan);
	if (eth_addr_is_multicast(dst)) {
		flood(c, in, (uint16_t)vlan);
		return;
	}
	port = mac_lookup(c->ofp->macs, dst, (uint16_t)vlan, c->now);
	if (port < 0) {
		tr(c, "destination unknown in VLAN %d", vlan);
		flood(c, in, (uint16_t)vlan);
		return;
	}
	if (port == in->ofp_port) {
		tr(c, "destination was learned on the input port: dropped");
		return;
	}
	out = ofproto_port_by_ofp(c->ofp, (uint32_t)port);
	if (!out || !ofport_carries(out, (uint16_t)vlan)) {
		flood(c, in, (uint16_t)vlan);
		return;
	}
	tr(c, "destination learned on %s", out->name);
	normal_output(c, out, (uint16_t)vlan);
}

/* A packet's way through its bridge: NORMAL when the bridge is failing
 * open, else its tables. */
static void
run_bridge(struct xctx *c)
{
	if (c->ofp->fail_open) {
		tr(c, "fail-open (no controller connected): NORMAL");
		c->xi->tables[0] |= 1;
		xlate_normal(c);
	} else {
		run_pipeline(c);
	}
}

/* ---- One-pass encapsulation ---- */

/* Whether the underlay's actions from 'a' on can follow a tunnel push in
 * the encapsulating megaflow: outputs, with at most layer-2 rewrites. */
static bool
foldable(const struct dp_action *a, uint32_t n)
{
	bool out = false;

	for (uint32_t i = 0; i < n; i++) {
		switch (a[i].type) {
		case DP_ACTION_OUTPUT:
			out = true;
			break;
		case DP_ACTION_PUSH_VLAN:
		case DP_ACTION_POP_VLAN:
		case DP_ACTION_SET_VLAN:
		case DP_ACTION_SET_ETH:
			break;
		default:
			return false;
		}
	}
	return out;
}

/* Adds what a crossing went through ('xi', for a header of 'hdr_len'
 * bytes) to 'x'; with 'dry', only says whether it fits. */
static bool
cross_add(struct xlate_cross *x, const struct xlate_info *xi, uint16_t hdr_len, bool dry)
{
	uint32_t n = x->n_rules;

	for (uint32_t i = 0; i < xi->n_rules; i++) {
		uint32_t k = 0;

		while (k < n && x->rules[k] != xi->rules[i]) {
			k++;
		}
		if (k == n) {
			if (n == MAX_CROSS_RULES) {
				return false;
			}
			n++;
			if (!dry) {
				x->rules[k] = xi->rules[i];
				x->copies[k] = 0;
				x->hdr_bytes[k] = 0;
			}
		}
		if (!dry) {
			x->copies[k]++;
			x->hdr_bytes[k] += hdr_len;
		}
	}
	if (!dry) {
		x->n_rules = n;
		x->n_copies++;
		for (size_t t = 0; t < sizeof x->tables; t++) {
			x->tables[t] |= xi->tables[t];
		}
		if (xi->learned) {
			x->learned = true;
			memcpy(x->mac, xi->mac, 6);
			x->vlan = xi->vlan;
			x->learn_port = xi->learn_port;
		}
	}
	return true;
}

bool
xlate_cross(struct xctx *c, uint32_t lport, const struct flow_key *outer, uint16_t hdr_len)
{
	struct ofproto *b = ofproto_of_dp_port(lport);
	struct xlate_cross *x = &c->res->cross;
	uint32_t at = c->res->n_actions;
	const struct ofport *in;
	struct xlate_info xi;
	struct flow_key wc;
	struct xctx n;
	const char *why = NULL;

	if (!b || b == c->ofp || c->crossing || (x->ofp && x->ofp != b)) {
		return false; /* into one bridge per translation, one level deep */
	}
	in = b->by_dp[lport];
	if (in->config & (OFPPC_PORT_DOWN | OFPPC_NO_RECV)) {
		return false;
	}
	memset(&xi, 0, sizeof xi);
	memset(&wc, 0, sizeof wc);
	memset(&n, 0, sizeof n);
	n.ofp = b;
	n.flow = *outer;
	n.base = *outer;
	n.wc = &wc;
	n.res = c->res;
	n.xi = &xi;
	n.trace = c->trace;
	n.learn = c->learn;
	n.now = c->now;
	n.in_dp = lport;
	n.in_ofp = in->ofp_port;
	n.flow.in_port = in->ofp_port;
	n.crossing = true;
	n.indent = c->indent + 1;
	mf_tlv_bind(&b->tlv);
	tr(&n, "bridge(\"%s\"), the encapsulated packet in on port %" PRIu32 " (one pass)", b->name,
	   n.in_ofp);
	run_bridge(&n);
	mf_tlv_bind(&c->ofp->tlv);
	if (n.err || n.slow) {
		why = "too many actions, or the slow path";
	} else if (wc.tp_src) {
		why = "it reads the UDP source port, which each packet's hash sets";
	} else if (xi.n_buckets || xi.rules_overflow || !cross_add(x, &xi, hdr_len, true)) {
		why = "it goes through groups or too many rules";
	} else if (!foldable(c->res->actions + at, c->res->n_actions - at)) {
		why = "its actions are not outputs alone";
	}
	if (why) {
		c->res->n_actions = at;
		tr(c, "the underlay's translation is not folded in (%s): the packet recirculates",
		   why);
		return false;
	}
	x->ofp = b;
	cross_add(x, &xi, hdr_len, false);
	c->xi->cross = x;
	return true;
}

/* ---- Entry point ---- */

static int xlate_run(struct ofproto *ofp, const struct flow_key *key, bool learn, uint64_t now_ms,
		     struct xlate_result *res, struct xlate_info *xi, struct ds *trace,
		     const uint8_t *pkt, uint32_t pkt_len, uint32_t total_len);

int
xlate_packet(struct ofproto *ofp, const struct flow_key *key, bool learn, uint64_t now_ms,
	     struct xlate_result *res, struct xlate_info *xi, struct ds *trace)
{
	return xlate_run(ofp, key, learn, now_ms, res, xi, trace, NULL, 0, 0);
}

/* Where the packet's first MPLS label or I-TAG is (after the tags). */
static uint32_t
tag_offset(const uint8_t *p, uint32_t len)
{
	uint32_t ofs = 12;

	while (ofs + 2 <= len && ofs < 12 + 8 &&
	       (p[ofs] == 0x81 || p[ofs] == 0x88 || p[ofs] == 0x91) &&
	       ((p[ofs] << 8 | p[ofs + 1]) == 0x8100 || (p[ofs] << 8 | p[ofs + 1]) == 0x88a8 ||
		(p[ofs] << 8 | p[ofs + 1]) == 0x9100)) {
		ofs += 4;
	}
	return ofs + 2;
}

static int
xlate_run(struct ofproto *ofp, const struct flow_key *key, bool learn, uint64_t now_ms,
	  struct xlate_result *res, struct xlate_info *xi, struct ds *trace, const uint8_t *pkt,
	  uint32_t pkt_len, uint32_t total_len)
{
	struct xctx c;

	mf_tlv_bind(&ofp->tlv); /* tun_metadataN as this bridge maps them */
	memset(res, 0, sizeof *res);
	memset(xi, 0, sizeof *xi);
	memset(&c, 0, sizeof c);
	c.ofp = ofp;
	c.flow = *key;
	c.base = *key;
	c.from_tunnel = key->tun_src || key->tun_dst || key->tun_id || flow_key_tun6(key);
	c.wc = &res->mask;
	c.res = res;
	c.xi = xi;
	c.trace = trace;
	c.learn = learn;
	c.now = now_ms;
	c.in_dp = key->in_port;
	c.in_ofp = ofproto_port_of_dp(ofp, key->in_port);
	c.flow.in_port = c.in_ofp;
	if (pkt) {
		c.pkt = pkt;
		c.pkt_len = pkt_len;
		c.total_len = total_len;
		c.tag_ofs = tag_offset(pkt, pkt_len);
	}
	res->mask.in_port = UINT32_MAX;
	tr(&c, "bridge(\"%s\"), packet in on port %" PRIu32, ofp->name, c.in_ofp);
	if (!c.in_ofp) {
		tr(&c, "the input port is not on this bridge: dropped");
		return 0;
	}
	if (ofp->by_dp[key->in_port]->config & (OFPPC_PORT_DOWN | OFPPC_NO_RECV)) {
		tr(&c, "the input port receives nothing (port-mod): dropped");
		return 0;
	}
	run_bridge(&c);
	if (c.slow) {
		/* Every packet of this megaflow goes to the slow path, which
		 * translates it with its bytes (xlate_slow_path()). */
		res->n_actions = 0;
		c.err = 0;
		emit(&c, DP_ACTION_USERSPACE)->cookie = SLOW_PATH_COOKIE;
	}
	if (c.err) {
		tr(&c, "translation failed: more than %d datapath actions", DP_MAX_ACTIONS);
	}
	return c.err;
}

int
xlate_slow_path(struct ofproto *ofp, uint32_t dp_in_port, const uint8_t *pkt, uint32_t len,
		uint32_t total_len, uint64_t now_ms, struct xlate_result *res)
{
	struct xlate_info xi;
	struct flow_key key;

	flow_key_extract(pkt, len, dp_in_port, &key, NULL);
	return xlate_run(ofp, &key, true, now_ms, res, &xi, NULL, pkt, len, total_len);
}

int
xlate_packet_out(struct ofproto *ofp, uint32_t in_ofp, const struct flow_key *key,
		 const struct ofpact *acts, uint32_t n_acts, uint64_t now_ms,
		 struct xlate_result *res, uint32_t *dp_in_port)
{
	struct xlate_info xi;
	struct xctx c;
	const struct ofport *in =
		in_ofp == OFPP_CONTROLLER ? NULL : ofproto_port_by_ofp(ofp, in_ofp);

	if (!in && in_ofp != OFPP_CONTROLLER) {
		return -ENOENT;
	}
	mf_tlv_bind(&ofp->tlv);
	memset(res, 0, sizeof *res);
	memset(&xi, 0, sizeof xi);
	memset(&c, 0, sizeof c);
	c.ofp = ofp;
	c.flow = *key;
	c.wc = &res->mask;
	c.res = res;
	c.xi = &xi;
	c.learn = true;
	c.now = now_ms;
	c.packet_out = true;
	c.in_ofp = in_ofp;
	c.in_dp = in ? in->dp_port : DP_MAX_PORTS;
	c.flow.in_port = in_ofp;
	c.base = c.flow;
	do_actions(&c, acts, n_acts);
	if (!in) {
		/* The bridge's own port stands in, so that what the actions
		 * send to the controller finds the bridge (its packet-in
		 * context says CONTROLLER). */
		in = ofproto_port_by_ofp(ofp, OFPP_LOCAL);
	}
	*dp_in_port = in ? in->dp_port : DP_MAX_PORTS;
	return c.err;
}
