/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Translation at the tunnel boundaries (tnl.h):
 *
 *  - output to a tunnel port becomes clone(tnl_push(header), A): the outer
 *    header is built here from the port's options, the route to the remote
 *    and the next hop's MAC; A is what the underlay bridge does with the
 *    encapsulated packet as input on L, the local port the route leaves
 *    by, translated here in the same pass (xlate_cross()), or recirc(L)
 *    when that cannot be decided once for all the megaflow's packets;
 *  - output to a local port of a packet for one of our tunnels (UDP to a
 *    tunnel's port, at its local address, from its remote) becomes
 *    tnl_pop(T): decapsulated, the inner frame is input on tunnel port T;
 *  - ARP reaching a local port teaches the neighbour table.
 *
 * The megaflow matches what each decision read.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <inttypes.h>

#include "tnl.h"
#include "xlate_priv.h"

enum { ETH_TYPE_IP = 0x0800, ETH_TYPE_ARP = 0x0806 };

_Static_assert(sizeof(struct tnl_key_port) == sizeof(struct dp_action_tnl_pair) &&
		       offsetof(struct tnl_key_port, port) ==
			       offsetof(struct dp_action_tnl_pair, port),
	       "the registry's pairs are the action's");

static const char *
ip_str(uint32_t ip, char *buf)
{
	return inet_ntop(AF_INET, &ip, buf, INET_ADDRSTRLEN);
}

/* The Geneve options of the packet's tun_metadataN fields (received, or
 * set by the flows), as the bridge's map places them. */
static void
geneve_opts(struct xctx *c, struct dp_tnl_params *tp)
{
	struct dp_tnl_optmap map;

	c->wc->tun_md_present = UINT16_MAX;
	if (!c->flow.tun_md_present) {
		return;
	}
	ofp_tlv_to_dp(&c->ofp->tlv, &map);
	for (uint8_t i = 0; i < map.n; i++) {
		if (c->flow.tun_md_present >> map.m[i].index & 1) {
			memset(c->wc->tun_md + map.m[i].ofs, 0xff, map.m[i].len);
		}
	}
	tp->opt_len = (uint8_t)dp_tnl_opts_put(&map, c->flow.tun_md_present, c->flow.tun_md,
					       tp->opts, &tp->crit);
}

/* The key of the packet that header template 'hdr' makes, as input on
 * 'lport': what a second pass would extract, but for the UDP source port
 * that each packet's hash sets (left 0). */
static void
outer_key(const uint8_t *hdr, uint32_t lport, struct flow_key *k)
{
	const uint8_t *ip = hdr + 14;

	memset(k, 0, sizeof *k);
	k->in_port = lport;
	memcpy(k->eth_dst, hdr, 6);
	memcpy(k->eth_src, hdr + 6, 6);
	memcpy(&k->eth_type, hdr + 12, 2);
	k->nw_tos = ip[1];
	k->nw_ttl = ip[8];
	k->nw_proto = ip[9];
	memcpy(&k->nw_src.ipv4, ip + 12, 4);
	memcpy(&k->nw_dst.ipv4, ip + 16, 4);
	memcpy(&k->tp_dst, ip + 20 + 2, 2);
}

void
xlate_tnl_push(struct xctx *c, const struct ofport *p, const struct dp_tnl_cfg *cfg)
{
	struct flow_key outer;
	struct dp_tnl_params tp = {.type = cfg->type, .df = cfg->df};
	uint8_t hdr[DP_TNL_HDR_MAX];
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	struct tnl_route r;
	uint32_t remote, lport, nh, at;
	uint16_t len;
	struct dp_action *clone, *push;
	bool ip = c->flow.eth_type == htons(ETH_TYPE_IP) || c->flow.eth_type == htons(0x86dd);

	remote = cfg->remote_ip;
	if (cfg->remote_flow) {
		c->wc->tun_dst = UINT32_MAX;
		remote = c->flow.tun_dst;
	}
	if (!remote) {
		tr(c, "-> %s: remote_ip=flow and no tun_dst set: dropped", p->name);
		return;
	}
	if (!tnl_route_lookup(remote, &r)) {
		tr(c, "-> %s: no route to %s: dropped", p->name, ip_str(remote, a));
		return;
	}
	if (!tnl_local_by_name(r.dev, &lport, tp.eth_src)) {
		tr(c, "-> %s: the route to %s leaves by %s, not a vswitch internal port: dropped",
		   p->name, ip_str(remote, a), r.dev);
		return;
	}
	if (!(tp.eth_src[0] | tp.eth_src[1] | tp.eth_src[2] | tp.eth_src[3] | tp.eth_src[4] |
	      tp.eth_src[5])) {
		tr(c, "-> %s: the MAC of %s is not known yet: dropped", p->name, r.dev);
		return;
	}
	tp.ip_src = cfg->local_ip ? cfg->local_ip : r.src;
	tp.ip_dst = remote;
	if (!tp.ip_src) {
		tr(c, "-> %s: no source address for %s on %s: dropped", p->name, ip_str(remote, a),
		   r.dev);
		return;
	}
	nh = r.gw ? r.gw : remote;
	if (!tnl_neigh_lookup(nh, tp.eth_dst)) {
		if (!c->trace) { /* a trace changes nothing */
			tnl_neigh_want(r.dev, nh, tp.ip_src, tp.eth_src, c->now);
		}
		tr(c, "-> %s: no MAC for %s yet (the switch asks by ARP on %s): dropped", p->name,
		   ip_str(nh, a), r.dev);
		return;
	}
	if (cfg->key_flow) {
		c->wc->tun_id = UINT64_MAX;
		tp.vni = (uint32_t)(be64toh(c->flow.tun_id) & 0xffffff);
	} else {
		tp.vni = cfg->key;
	}
	if (cfg->tos < 0 || cfg->ttl < 0) {
		c->wc->eth_type = 0xffff;
	}
	if (cfg->tos < 0) {
		c->wc->nw_tos = ip ? 0xff : 0;
		tp.tos = ip ? c->flow.nw_tos : 0;
	} else {
		tp.tos = (uint8_t)cfg->tos;
	}
	if (cfg->ttl < 0) {
		c->wc->nw_ttl = ip ? 0xff : 0;
		tp.ttl = ip && c->flow.nw_ttl ? c->flow.nw_ttl : 64;
	} else {
		tp.ttl = (uint8_t)cfg->ttl;
	}
	tp.udp_dst = htons(cfg->dst_port);
	if (cfg->type == DP_TNL_GENEVE) {
		geneve_opts(c, &tp);
	}
	len = dp_tnl_header_build(&tp, hdr);

	xlate_commit(c);
	at = c->res->n_actions;
	clone = emit(c, DP_ACTION_CLONE);
	push = emit(c, DP_ACTION_TNL_PUSH);
	push->mask = len;
	push->flags = cfg->csum ? DP_TNL_F_CSUM : 0;
	push->tnl.port = p->dp_port;
	push->tnl.mtu = r.mtu;
	push->tnl.n_data = (uint8_t)((len + DP_ACTION_DATA_LEN - 1) / DP_ACTION_DATA_LEN);
	for (uint16_t off = 0; off < len; off += DP_ACTION_DATA_LEN) {
		struct dp_action *d = emit(c, DP_ACTION_DATA);
		uint16_t n = len - off < DP_ACTION_DATA_LEN ? len - off : DP_ACTION_DATA_LEN;

		memcpy(d->data, hdr + off, n);
	}
	tr(c, "-> output to %s: %s vni %" PRIu32 "%s %s -> %s, into %s", p->name,
	   cfg->type == DP_TNL_VXLAN ? "vxlan" : "geneve", tp.vni,
	   tp.opt_len ? " with options" : "", ip_str(tp.ip_src, a), ip_str(remote, b), r.dev);
	outer_key(hdr, lport, &outer);
	if (c->err || !xlate_cross(c, lport, &outer, len)) {
		emit(c, DP_ACTION_RECIRC)->port = lport;
	}
	if (!c->err) {
		clone->port = c->res->n_actions - at - 1;
	}
}

/* ARP on its way to local port 'dev': its sender may be a neighbour
 * (tnl_neigh_learn() says which). */
static void
snoop_arp(struct xctx *c, const char *dev)
{
	uint16_t op;

	c->wc->nw_proto = 0xff; /* the opcode */
	c->wc->nw_src.ipv4 = UINT32_MAX;
	c->wc->nw_dst.ipv4 = UINT32_MAX; /* the target */
	memset(c->wc->arp_sha, 0xff, 6);
	op = c->flow.nw_proto;
	if ((op == 1 || op == 2) && c->flow.nw_src.ipv4 && !c->trace) {
		char a[INET_ADDRSTRLEN];

		if (tnl_neigh_learn(dev, c->flow.nw_src.ipv4, c->flow.arp_sha, c->flow.nw_dst.ipv4,
				    c->now)) {
			tr(c, "-> %s: neighbour %s learnt from ARP", dev,
			   ip_str(c->flow.nw_src.ipv4, a));
		}
	}
}

bool
xlate_tnl_local(struct xctx *c, const struct ofport *p, const char *dev)
{
	struct tnl_key_port kp[DP_TNL_PAIRS * 4];
	const struct dp_tnl_cfg *cfg;
	uint32_t any, n, n_data, at;
	struct dp_action *a;

	if (!tnl_any_port()) {
		return false;
	}
	c->wc->eth_type = 0xffff;
	if (c->flow.eth_type == htons(ETH_TYPE_ARP)) {
		snoop_arp(c, dev);
		return false;
	}
	if (c->flow.eth_type != htons(ETH_TYPE_IP)) {
		return false;
	}
	/* A first fragment is decapsulated, to be dropped and counted; later
	 * ones have no UDP port to match and reach the local port. */
	c->wc->nw_proto = 0xff;
	if (c->flow.nw_proto != IPPROTO_UDP) {
		return false;
	}
	c->wc->nw_src.ipv4 = UINT32_MAX;
	c->wc->nw_dst.ipv4 = UINT32_MAX;
	c->wc->tp_dst = 0xffff;
	n = tnl_ports_receiving(dev, c->flow.nw_src.ipv4, c->flow.nw_dst.ipv4,
				ntohs(c->flow.tp_dst), kp, DP_TNL_PAIRS * 4, &any);
	cfg = tnl_port_cfg(n ? kp[0].port : any);
	if (!cfg) {
		return false;
	}
	xlate_commit(c);
	a = emit(c, DP_ACTION_TNL_POP);
	at = c->res->n_actions;
	a->port = any;
	a->tnl.type = (uint8_t)cfg->type;
	n_data = (n + DP_TNL_PAIRS - 1) / DP_TNL_PAIRS;
	for (uint32_t i = 0; i < n_data; i++) {
		struct dp_action *d = emit(c, DP_ACTION_DATA);
		uint32_t k =
			n - i * DP_TNL_PAIRS < DP_TNL_PAIRS ? n - i * DP_TNL_PAIRS : DP_TNL_PAIRS;

		memcpy(d->data, &kp[i * DP_TNL_PAIRS], k * sizeof kp[0]);
	}
	if (!c->err) {
		a->tnl.n_data = (uint8_t)(c->res->n_actions - at);
		a->tnl.key = n;
	}
	tr(c, "-> %s: a %s packet for tunnel port%s %s%" PRIu32 ": decapsulated", p->name,
	   cfg->type == DP_TNL_VXLAN ? "vxlan" : "geneve", n + (any != UINT32_MAX) > 1 ? "s" : "",
	   n ? "" : "(any key) ", n ? kp[0].port : any);
	return true;
}
