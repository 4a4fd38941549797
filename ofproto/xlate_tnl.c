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
 *  - ARP, and IPv6 neighbour solicitations and advertisements, reaching a
 *    local port teach the neighbour table.
 *
 * The megaflow matches what each decision read.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <inttypes.h>

#include "tnl.h"
#include "xlate_priv.h"

enum {
	ETH_TYPE_IP = 0x0800,
	ETH_TYPE_ARP = 0x0806,
	ETH_TYPE_IPV6 = 0x86dd,
	ND_SOLICIT = 135,
	ND_ADVERT = 136,
};

_Static_assert(sizeof(struct tnl_key_port) == sizeof(struct dp_action_tnl_pair) &&
		       offsetof(struct tnl_key_port, port) ==
			       offsetof(struct dp_action_tnl_pair, port),
	       "the registry's pairs are the action's");

static const char *
ip_str(const struct in6_addr *ip, char *buf)
{
	return dp_tnl_addr_str(ip, buf);
}

/* The flow's IP source or destination ('src') as an underlay address. */
static struct in6_addr
flow_addr(const struct flow_key *k, bool src)
{
	struct in6_addr a;

	if (k->eth_type == htons(ETH_TYPE_IPV6)) {
		memcpy(&a, src ? k->nw_src.ipv6 : k->nw_dst.ipv6, 16);
		return a;
	}
	return dp_tnl_addr4(src ? k->nw_src.ipv4 : k->nw_dst.ipv4);
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
	if (k->eth_type == htons(ETH_TYPE_IPV6)) {
		k->nw_tos = (uint8_t)((ip[0] & 0x0f) << 4 | ip[1] >> 4);
		k->nw_ttl = ip[7];
		k->nw_proto = ip[6];
		memcpy(k->nw_src.ipv6, ip + 8, 16);
		memcpy(k->nw_dst.ipv6, ip + 24, 16);
		memcpy(&k->tp_dst, ip + 40 + 2, 2);
		return;
	}
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
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	struct tnl_route r;
	struct in6_addr remote, nh;
	uint32_t lport, at;
	uint16_t len;
	struct dp_action *clone, *push;
	bool ip =
		c->flow.eth_type == htons(ETH_TYPE_IP) || c->flow.eth_type == htons(ETH_TYPE_IPV6);

	remote = cfg->remote_ip;
	if (cfg->remote_flow) {
		/* tun_dst when a flow set it, else tun_ipv6_dst, as Open vSwitch. */
		c->wc->tun_dst = UINT32_MAX;
		if (c->flow.tun_dst) {
			remote = dp_tnl_addr4(c->flow.tun_dst);
		} else {
			memset(c->wc->tun_ipv6_dst, 0xff, sizeof c->wc->tun_ipv6_dst);
			memcpy(&remote, c->flow.tun_ipv6_dst, sizeof remote);
			if (dp_tnl_addr_is4(&remote)) { /* as remote_ip refuses it */
				tr(c, "-> %s: tun_ipv6_dst %s is an IPv4 address: dropped", p->name,
				   ip_str(&remote, a));
				return;
			}
		}
	}
	if (!dp_tnl_addr_set(&remote)) {
		tr(c, "-> %s: remote_ip=flow and neither tun_dst nor tun_ipv6_dst set: dropped",
		   p->name);
		return;
	}
	if (dp_tnl_addr_set(&cfg->local_ip) &&
	    dp_tnl_addr_is4(&cfg->local_ip) != dp_tnl_addr_is4(&remote)) {
		tr(c, "-> %s: remote %s is not of the family of local_ip %s: dropped", p->name,
		   ip_str(&remote, a), ip_str(&cfg->local_ip, b));
		return;
	}
	if (!tnl_route_lookup(&remote, &r)) {
		tr(c, "-> %s: no route to %s: dropped", p->name, ip_str(&remote, a));
		return;
	}
	if (!tnl_local_by_name(r.dev, &lport, tp.eth_src)) {
		tr(c, "-> %s: the route to %s leaves by %s, not a vswitch internal port: dropped",
		   p->name, ip_str(&remote, a), r.dev);
		return;
	}
	if (!(tp.eth_src[0] | tp.eth_src[1] | tp.eth_src[2] | tp.eth_src[3] | tp.eth_src[4] |
	      tp.eth_src[5])) {
		tr(c, "-> %s: the MAC of %s is not known yet: dropped", p->name, r.dev);
		return;
	}
	tp.ip_src = dp_tnl_addr_set(&cfg->local_ip) ? cfg->local_ip : r.src;
	tp.ip_dst = remote;
	if (!dp_tnl_addr_set(&tp.ip_src)) {
		tr(c, "-> %s: no source address for %s on %s: dropped", p->name, ip_str(&remote, a),
		   r.dev);
		return;
	}
	nh = dp_tnl_addr_set(&r.gw) ? r.gw : remote;
	if (!tnl_neigh_lookup(&nh, tp.eth_dst)) {
		if (!c->trace) { /* a trace changes nothing */
			tnl_neigh_want(r.dev, &nh, &tp.ip_src, tp.eth_src, c->now);
		}
		tr(c, "-> %s: no MAC for %s yet (the switch asks by %s on %s): dropped", p->name,
		   ip_str(&nh, a), dp_tnl_addr_is4(&nh) ? "ARP" : "neighbour solicitation", r.dev);
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
	/* remote_ip=flow without csum: the family's default, per packet. */
	if (cfg->remote_flow && !cfg->csum_given) {
		push->flags = dp_tnl_addr_is4(&remote) ? 0 : DP_TNL_F_CSUM;
	} else {
		push->flags = cfg->csum ? DP_TNL_F_CSUM : 0;
	}
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
	   tp.opt_len ? " with options" : "", ip_str(&tp.ip_src, a), ip_str(&remote, b), r.dev);
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
		char a[INET6_ADDRSTRLEN];
		struct in6_addr sender = dp_tnl_addr4(c->flow.nw_src.ipv4);
		struct in6_addr target = dp_tnl_addr4(c->flow.nw_dst.ipv4);

		if (tnl_neigh_learn(dev, &sender, c->flow.arp_sha, &target, c->now)) {
			tr(c, "-> %s: neighbour %s learnt from ARP", dev, ip_str(&sender, a));
		}
	}
}

/* IPv6 neighbour discovery on its way to local port 'dev', as ARP: a
 * solicitation's sender (with its link-layer address option) for one of
 * our addresses, an advertisement's target (with its option) sent to one
 * of ours; either for a neighbour known or asked for. Only with a hop
 * limit of 255, as RFC 4861 asks: nothing from beyond the link. */
static void
snoop_nd(struct xctx *c, const char *dev)
{
	static const uint8_t zero[6];
	const struct flow_key *k = &c->flow;
	bool ns = k->tp_src == htons(ND_SOLICIT), na = k->tp_src == htons(ND_ADVERT);
	struct in6_addr who, target;
	const uint8_t *mac;
	char a[INET6_ADDRSTRLEN];

	c->wc->tp_src = 0xffff; /* the ICMPv6 type */
	if (!ns && !na) {
		return;
	}
	c->wc->tp_dst = 0xffff;
	c->wc->nw_ttl = 0xff;
	memset(c->wc->nw_src.ipv6, 0xff, 16);
	memset(c->wc->nw_dst.ipv6, 0xff, 16);
	memset(c->wc->nd_target, 0xff, 16);
	memset(ns ? c->wc->arp_sha : c->wc->arp_tha, 0xff, 6);
	mac = ns ? k->arp_sha : k->arp_tha;
	if (k->tp_dst || k->nw_ttl != 255 || !memcmp(mac, zero, 6) || c->trace) {
		return;
	}
	memcpy(ns ? &target : &who, k->nd_target, 16);
	if (ns) {
		who = flow_addr(k, true);
	} else {
		target = flow_addr(k, false);
	}
	if (tnl_neigh_learn(dev, &who, mac, &target, c->now)) {
		tr(c, "-> %s: neighbour %s learnt from a neighbour %s", dev, ip_str(&who, a),
		   ns ? "solicitation" : "advertisement");
	}
}

bool
xlate_tnl_local(struct xctx *c, const struct ofport *p, const char *dev)
{
	struct tnl_key_port kp[DP_TNL_PAIRS * 4];
	const struct dp_tnl_cfg *cfg;
	uint32_t any, n, n_data, at;
	struct in6_addr src, dst;
	struct dp_action *a;
	bool v6;

	if (!tnl_any_port()) {
		return false;
	}
	c->wc->eth_type = 0xffff;
	if (c->flow.eth_type == htons(ETH_TYPE_ARP)) {
		snoop_arp(c, dev);
		return false;
	}
	v6 = c->flow.eth_type == htons(ETH_TYPE_IPV6);
	if (!v6 && c->flow.eth_type != htons(ETH_TYPE_IP)) {
		return false;
	}
	/* A first fragment is decapsulated, to be dropped and counted; later
	 * ones have no UDP port to match and reach the local port. */
	c->wc->nw_proto = 0xff;
	if (v6 && c->flow.nw_proto == IPPROTO_ICMPV6) {
		snoop_nd(c, dev);
		return false;
	}
	if (c->flow.nw_proto != IPPROTO_UDP) {
		return false;
	}
	if (v6) {
		memset(c->wc->nw_src.ipv6, 0xff, 16);
		memset(c->wc->nw_dst.ipv6, 0xff, 16);
	} else {
		c->wc->nw_src.ipv4 = UINT32_MAX;
		c->wc->nw_dst.ipv4 = UINT32_MAX;
	}
	c->wc->tp_dst = 0xffff;
	src = flow_addr(&c->flow, true);
	dst = flow_addr(&c->flow, false);
	n = tnl_ports_receiving(dev, &src, &dst, ntohs(c->flow.tp_dst), kp, DP_TNL_PAIRS * 4, &any);
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
