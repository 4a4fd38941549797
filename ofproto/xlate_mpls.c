/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Translation of the MPLS and PBB actions and of the TTL actions: pushes
 * and pops of labels and backbone headers (a pop of what the packet
 * brought reads its bytes: the slow path), and the TTLs they carry.
 */
#include "xlate_priv.h"

enum { LSE_BOS = 0x100 };

/* The L3 and L4 fields of 'src' into 'dst' (after a pop revealed them). */
static void
copy_l3(struct flow_key *dst, const struct flow_key *src)
{
	size_t from = offsetof(struct flow_key, nw_proto);

	memcpy((uint8_t *)dst + from, (const uint8_t *)src + from, sizeof *dst - from);
}

/* Whether the bytes past the packet's labels can be read. */
static bool
need_packet(struct xctx *c, const char *what)
{
	if (c->pkt) {
		return true;
	}
	tr(c, "%s: what follows needs the packet's bytes: to the slow path", what);
	c->slow = true;
	return false;
}

void
xlate_push_mpls(struct xctx *c, uint16_t ethertype)
{
	struct flow_key *f = &c->flow;
	bool was_mpls = is_mpls_type(f->eth_type);
	uint32_t lse, ttl = 0; /* no IP TTL to copy: 0 */
	struct dp_action *a;

	c->wc->eth_type = 0xffff;
	wc_all(&c->wc->ipv6_label, 4);
	if (was_mpls) {
		lse = ntohl(f->ipv6_label) & ~(uint32_t)LSE_BOS;
	} else {
		if (f->eth_type == htons(0x0800) || f->eth_type == htons(0x86dd)) {
			c->wc->nw_ttl = 0xff;
			ttl = f->nw_ttl;
		}
		lse = LSE_BOS | ttl;
	}
	xlate_commit(c);
	if (!c->pushed_mpls++) {
		c->before_mpls = c->flow;
	}
	a = emit(c, DP_ACTION_PUSH_MPLS);
	a->mpls.ethertype = htons(ethertype);
	a->mpls.lse = htonl(lse);
	f->eth_type = c->base.eth_type = htons(ethertype);
	f->ipv6_label = c->base.ipv6_label = htonl(lse);
	c->changed = true;
}

/* The TTL of what a flow holds: its outermost label's, or its IP header's
 * (-1: neither). */
static int
flow_ttl(const struct flow_key *f)
{
	if (is_mpls_type(f->eth_type)) {
		return (int)(ntohl(f->ipv6_label) & 0xff);
	}
	if (f->eth_type == htons(0x0800) || f->eth_type == htons(0x86dd)) {
		return f->nw_ttl;
	}
	return -1;
}

static void
set_revealed_ttl(struct flow_key *f, uint8_t ttl)
{
	if (is_mpls_type(f->eth_type)) {
		f->ipv6_label = htonl((ntohl(f->ipv6_label) & ~0xffu) | ttl);
	} else if (f->eth_type == htons(0x0800) || f->eth_type == htons(0x86dd)) {
		f->nw_ttl = ttl;
	}
}

/* The TTL of the header under the packet's outermost received label, read
 * from its bytes (-1: none there, or too short). */
static int
received_inner_ttl(const struct xctx *c, uint32_t lse)
{
	uint32_t at = c->tag_ofs + 4u * (uint32_t)(c->popped + 1);
	const uint8_t *p = c->pkt + at;

	if (!(lse & LSE_BOS)) {
		return at + 4 <= c->pkt_len ? p[3] : -1;
	}
	if (at + 20 <= c->pkt_len && (p[0] >> 4) == 4) {
		return p[8];
	}
	if (at + 40 <= c->pkt_len && (p[0] >> 4) == 6) {
		return p[7];
	}
	return -1;
}

/* copy_ttl_out (the TTL under the outermost label into it) and copy_ttl_in
 * (the label's TTL into the next label or the IP header). The translation
 * keeps both TTLs exact: under a received label it reads the packet (the
 * slow path); under a label it pushed, it knows the flow before the push.
 * Returns false when translation must stop here. */
bool
xlate_copy_ttl(struct xctx *c, bool inward)
{
	struct flow_key *f = &c->flow;
	uint32_t lse = ntohl(f->ipv6_label);
	int inner;

	c->wc->eth_type = 0xffff;
	if (!is_mpls_type(f->eth_type)) {
		tr(c, "copy_ttl_%s: not MPLS: nothing done", inward ? "in" : "out");
		return true;
	}
	wc_all(&c->wc->ipv6_label, 4);
	if (c->pushed_mpls > 1) {
		/* As for pop_mpls: a label this pipeline pushed under another
		 * is not kept. */
		tr(c, "copy_ttl: the label below was pushed by this pipeline: the actions stop");
		return false;
	}
	if (c->pushed_mpls == 1) {
		inner = flow_ttl(&c->before_mpls);
	} else if (inward) {
		inner = 0; /* written, not read */
	} else if (c->inner_ttl_set) {
		inner = c->inner_ttl;
	} else if (!need_packet(c, "copy_ttl_out")) {
		return false;
	} else {
		inner = received_inner_ttl(c, lse);
		c->credit = true;
	}
	if (inner < 0) {
		tr(c, "copy_ttl: no TTL under the label: nothing done");
		return true;
	}
	if (!inward) {
		f->ipv6_label = htonl((lse & ~0xffu) | (uint8_t)inner);
		c->changed = true;
		return true;
	}
	xlate_commit(c);
	emit(c, DP_ACTION_COPY_TTL)->flags = DP_SET_SRC;
	if (c->pushed_mpls == 1) {
		set_revealed_ttl(&c->before_mpls, (uint8_t)lse);
	} else {
		c->inner_ttl_set = true;
		c->inner_ttl = (uint8_t)lse;
	}
	c->changed = true;
	return true;
}

/* Returns false when translation must stop here (the slow path goes on). */
bool
xlate_pop_mpls(struct xctx *c, uint16_t ethertype)
{
	struct flow_key *f = &c->flow;
	uint32_t lse = ntohl(f->ipv6_label);

	c->wc->eth_type = 0xffff;
	if (!is_mpls_type(f->eth_type)) {
		tr(c, "pop_mpls: not MPLS: nothing done");
		return true;
	}
	wc_all(&c->wc->ipv6_label, 4);
	if (c->pushed_mpls) {
		if (!(lse & LSE_BOS) || c->pushed_mpls > 1) {
			/* The label below is one this pipeline pushed: its
			 * value is not kept. */
			return need_packet(c, "pop_mpls") && false;
		}
	} else if (!need_packet(c, "pop_mpls")) {
		return false;
	}
	xlate_commit(c);
	emit(c, DP_ACTION_POP_MPLS)->mpls.ethertype = htons(ethertype);
	c->changed = true;
	if (c->pushed_mpls) {
		c->pushed_mpls--;
		copy_l3(f, &c->before_mpls);
		f->eth_type = htons(ethertype);
	} else {
		uint32_t at = c->tag_ofs + 4u * (uint32_t)++c->popped;

		if (!(lse & LSE_BOS)) {
			uint32_t next = 0;

			if (at + 4 <= c->pkt_len) {
				memcpy(&next, c->pkt + at, 4);
			}
			f->ipv6_label = next;
		} else {
			uint8_t frame[14 + 512] = {0};
			uint32_t n = at < c->pkt_len ? VS_MIN(c->pkt_len - at, 512u) : 0;
			struct flow_key inner;

			frame[12] = (uint8_t)(ethertype >> 8);
			frame[13] = (uint8_t)ethertype;
			memcpy(frame + 14, c->pkt + at, n);
			flow_key_extract(frame, 14 + n, f->in_port, &inner, NULL);
			copy_l3(f, &inner);
			f->eth_type = inner.eth_type;
			c->credit = true;
		}
		if (c->inner_ttl_set) {
			set_revealed_ttl(f, c->inner_ttl);
			c->inner_ttl_set = false;
		}
	}
	uint32_t in_port = c->base.in_port;
	c->base = *f;
	c->base.in_port = in_port;
	return true;
}

void
xlate_push_pbb(struct xctx *c)
{
	uint32_t itag = 0;
	struct dp_action *a;

	c->wc->eth_type = 0xffff;
	if (c->flow.eth_type == htons(0x88e7)) {
		wc_all(&c->wc->ipv6_label, 4);
		itag = c->flow.ipv6_label;
	}
	xlate_commit(c);
	if (!c->pushed_pbb++) {
		c->before_pbb = c->flow;
	}
	a = emit(c, DP_ACTION_PUSH_PBB);
	a->mpls.lse = itag;
	/* The backbone header: the same addresses, no tags, the I-TAG. */
	c->flow.vlan_tci = c->flow.vlan_inner_tci = 0;
	c->flow.eth_type = htons(0x88e7);
	c->flow.ipv6_label = itag;
	c->base = c->flow;
	c->base.in_port = c->in_dp;
	c->changed = true;
}

bool
xlate_pop_pbb(struct xctx *c)
{
	struct flow_key inner;
	uint32_t in_port = c->flow.in_port;

	c->wc->eth_type = 0xffff;
	if (c->flow.eth_type != htons(0x88e7)) {
		tr(c, "pop_pbb: not PBB: nothing done");
		return true;
	}
	if (!c->pushed_pbb && !need_packet(c, "pop_pbb")) {
		return false;
	}
	xlate_commit(c);
	emit(c, DP_ACTION_POP_PBB);
	c->changed = true;
	if (c->pushed_pbb) {
		c->pushed_pbb--;
		inner = c->before_pbb;
	} else {
		uint32_t at = c->tag_ofs + 4;

		flow_key_extract(c->pkt + VS_MIN(at, c->pkt_len),
				 c->pkt_len - VS_MIN(at, c->pkt_len), in_port, &inner, NULL);
		c->credit = true;
	}
	inner.in_port = in_port;
	c->flow = inner;
	c->base = inner;
	c->base.in_port = c->in_dp;
	return true;
}

void
xlate_set_ttl(struct xctx *c, const struct ofpact *a)
{
	c->wc->eth_type = 0xffff;
	if (a->type == OFPACT_SET_NW_TTL) {
		if (c->flow.eth_type == htons(0x0800) || c->flow.eth_type == htons(0x86dd)) {
			c->wc->nw_ttl = 0xff;
			c->flow.nw_ttl = (uint8_t)a->value.u;
			c->changed = true;
		}
	} else if (is_mpls_type(c->flow.eth_type)) {
		uint32_t lse = ntohl(c->flow.ipv6_label);

		wc_all(&c->wc->ipv6_label, 4);
		c->flow.ipv6_label = htonl((lse & ~0xffu) | (uint8_t)a->value.u);
		c->changed = true;
	}
}

/* Returns false when the TTL ran out. */
bool
xlate_dec_mpls_ttl(struct xctx *c)
{
	uint32_t lse = ntohl(c->flow.ipv6_label);

	c->wc->eth_type = 0xffff;
	if (!is_mpls_type(c->flow.eth_type)) {
		return true;
	}
	wc_all(&c->wc->ipv6_label, 4);
	if ((lse & 0xff) <= 1) {
		tr(c, "dec_mpls_ttl: TTL %u: the packet is dropped", lse & 0xff);
		return false;
	}
	xlate_commit(c);
	emit(c, DP_ACTION_DEC_MPLS_TTL);
	c->flow.ipv6_label = c->base.ipv6_label = htonl(lse - 1);
	c->changed = true;
	return true;
}
