/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Megaflows and datapath actions as text (flow_format.h).
 */
#include "flow_format.h"

#include <arpa/inet.h>
#include <endian.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tunnel.h"

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len + 1 >= o->size) {
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n > 0) {
		o->len += (size_t)n < o->size - o->len ? (size_t)n : o->size - o->len - 1;
	}
}

static bool
nonzero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		if (b[i]) {
			return true;
		}
	}
	return false;
}

static bool
all_ones(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		if (b[i] != 0xff) {
			return false;
		}
	}
	return true;
}

static void
put_mac(struct out *o, const char *name, const uint8_t *v, const uint8_t *m)
{
	put(o, "%s=%02x:%02x:%02x:%02x:%02x:%02x", name, v[0] & m[0], v[1] & m[1], v[2] & m[2],
	    v[3] & m[3], v[4] & m[4], v[5] & m[5]);
	if (!all_ones(m, 6)) {
		put(o, "/%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	}
}

/* "name=value[/mask]," for a masked integer field shown in decimal or hex. */
static void
put_int(struct out *o, const char *name, uint32_t v, uint32_t m, uint32_t full, bool hex)
{
	if (!m) {
		return;
	}
	put(o, hex ? "%s=0x%x" : "%s=%u", name, v & m);
	if (m != full) {
		put(o, "/0x%x", m);
	}
	put(o, ",");
}

static void
put_ip(struct out *o, const char *name, int af, const void *v, const void *m)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	size_t n = af == AF_INET ? 4 : 16;
	uint8_t masked[16];

	if (!nonzero(m, n)) {
		return;
	}
	/* The 'sizeof masked' bound is for GCC 12 at -O3, which otherwise
	 * believes the loop may write past the array. */
	for (size_t i = 0; i < n && i < sizeof masked; i++) {
		masked[i] = ((const uint8_t *)v)[i] & ((const uint8_t *)m)[i];
	}
	inet_ntop(af, masked, a, sizeof a);
	put(o, "%s=%s", name, a);
	if (!all_ones(m, n)) {
		inet_ntop(af, m, b, sizeof b);
		put(o, "/%s", b);
	}
	put(o, ",");
}

static void
end_group(struct out *o)
{
	if (o->len && o->buf[o->len - 1] == ',') {
		o->buf[--o->len] = '\0';
	}
	put(o, "),");
}

/* tunnel(tun_id=...,src=...,dst=...) for a megaflow of decapsulated
 * packets, as Open vSwitch writes it. */
static void
format_tunnel(struct out *o, const struct flow_key *k, const struct flow_key *m)
{
	bool md = m->tun_md_present || nonzero(m->tun_md, FLOW_TUN_MD_LEN);
	bool v6 = nonzero(m->tun_ipv6_src, 16) || nonzero(m->tun_ipv6_dst, 16);

	if (!m->tun_id && !m->tun_src && !m->tun_dst && !md && !v6) {
		return;
	}
	put(o, "tunnel(");
	if (m->tun_id) {
		uint64_t v = be64toh(k->tun_id & m->tun_id), mk = be64toh(m->tun_id);

		put(o, "tun_id=%#" PRIx64, v);
		if (mk != UINT64_MAX) {
			put(o, "/%#" PRIx64, mk);
		}
		put(o, ",");
	}
	put_ip(o, "src", AF_INET, &k->tun_src, &m->tun_src);
	put_ip(o, "dst", AF_INET, &k->tun_dst, &m->tun_dst);
	put_ip(o, "ipv6_src", AF_INET6, k->tun_ipv6_src, m->tun_ipv6_src);
	put_ip(o, "ipv6_dst", AF_INET6, k->tun_ipv6_dst, m->tun_ipv6_dst);
	if (md) {
		/* The Geneve options the port's map took: which ones, and their
		 * bytes in the map's places. */
		put(o, "md(present=%#x/%#x,0x", k->tun_md_present & m->tun_md_present,
		    m->tun_md_present);
		for (int i = 0; i < FLOW_TUN_MD_LEN; i++) {
			put(o, "%02x", k->tun_md[i] & m->tun_md[i]);
		}
		put(o, "/0x");
		for (int i = 0; i < FLOW_TUN_MD_LEN; i++) {
			put(o, "%02x", m->tun_md[i]);
		}
		put(o, "),");
	}
	end_group(o);
}

static void
format_l2(struct out *o, const struct flow_key *k, const struct flow_key *m)
{
	uint16_t tci = ntohs(k->vlan_tci), tmask = ntohs(m->vlan_tci);

	if (m->in_port) {
		put(o, "in_port(%u),", k->in_port);
	}
	if (tmask) {
		if (!(tci & FLOW_VLAN_PRESENT) && (tmask & FLOW_VLAN_PRESENT)) {
			put(o, "vlan(none),");
		} else {
			put(o, "vlan(");
			put_int(o, "vid", tci & FLOW_VLAN_VID_MASK, tmask & FLOW_VLAN_VID_MASK,
				FLOW_VLAN_VID_MASK, false);
			put_int(o, "pcp", tci >> FLOW_VLAN_PCP_SHIFT, tmask >> FLOW_VLAN_PCP_SHIFT,
				7, false);
			end_group(o);
		}
	}
	if (nonzero(m->eth_src, 6) || nonzero(m->eth_dst, 6)) {
		put(o, "eth(");
		if (nonzero(m->eth_src, 6)) {
			put_mac(o, "src", k->eth_src, m->eth_src);
			put(o, ",");
		}
		if (nonzero(m->eth_dst, 6)) {
			put_mac(o, "dst", k->eth_dst, m->eth_dst);
			put(o, ",");
		}
		end_group(o);
	}
	if (m->eth_type) {
		put(o, "eth_type(0x%04x),", ntohs(k->eth_type));
	}
}

static void
format_l3(struct out *o, const struct flow_key *k, const struct flow_key *m)
{
	uint16_t et = ntohs(k->eth_type);
	int af = et == 0x86dd ? AF_INET6 : AF_INET;
	bool l3;

	if (!m->eth_type) {
		/* L3 bits without the ethertype (all the rules that could
		 * have matched agreed on it): shown as addresses of the width
		 * the mask has. */
		et = 0;
		af = nonzero((const uint8_t *)&m->nw_src + 4, 12) ||
				     nonzero((const uint8_t *)&m->nw_dst + 4, 12)
			     ? AF_INET6
			     : AF_INET;
	}
	l3 = m->nw_proto || m->nw_tos || m->nw_ttl || m->nw_frag ||
	     nonzero(&m->nw_src, af == AF_INET ? 4 : 16) ||
	     nonzero(&m->nw_dst, af == AF_INET ? 4 : 16);
	if (!l3) {
		return;
	}
	put(o, !m->eth_type ? "l3(" : et == 0x0806 ? "arp(" : af == AF_INET6 ? "ipv6(" : "ipv4(");
	put_ip(o, et == 0x0806 ? "sip" : "src", af, &k->nw_src, &m->nw_src);
	put_ip(o, et == 0x0806 ? "tip" : "dst", af, &k->nw_dst, &m->nw_dst);
	put_int(o, et == 0x0806 ? "op" : "proto", k->nw_proto, m->nw_proto, 0xff, false);
	if (et == 0x0806) {
		/* ARP has no TOS, TTL or fragments. */
		end_group(o);
		return;
	}
	put_int(o, "tos", k->nw_tos, m->nw_tos, 0xff, true);
	put_int(o, "ttl", k->nw_ttl, m->nw_ttl, 0xff, false);
	if (m->nw_frag) {
		put(o, "frag=%s,",
		    !(k->nw_frag & FLOW_FRAG_ANY)    ? "no"
		    : (k->nw_frag & FLOW_FRAG_LATER) ? "later"
						     : "first");
	}
	end_group(o);
}

static void
format_l4(struct out *o, const struct flow_key *k, const struct flow_key *m)
{
	const char *name;
	uint16_t et = ntohs(k->eth_type);

	if ((!m->tp_src && !m->tp_dst && !m->tcp_flags) ||
	    (m->eth_type && et != 0x0800 && et != 0x86dd)) {
		return; /* only IP has ports (ARP's op is not a protocol) */
	}
	switch (k->nw_proto) {
	case 6:
		name = "tcp";
		break;
	case 17:
		name = "udp";
		break;
	case 132:
		name = "sctp";
		break;
	case 1:
		name = "icmp";
		break;
	case 58:
		name = "icmpv6";
		break;
	default:
		name = "l4";
		break;
	}
	put(o, "%s(", name);
	if (k->nw_proto == 1 || k->nw_proto == 58) {
		put_int(o, "type", ntohs(k->tp_src), ntohs(m->tp_src), 0xffff, false);
		put_int(o, "code", ntohs(k->tp_dst), ntohs(m->tp_dst), 0xffff, false);
	} else {
		put_int(o, "src", ntohs(k->tp_src), ntohs(m->tp_src), 0xffff, false);
		put_int(o, "dst", ntohs(k->tp_dst), ntohs(m->tp_dst), 0xffff, false);
		put_int(o, "flags", ntohs(k->tcp_flags), ntohs(m->tcp_flags), 0xffff, true);
	}
	end_group(o);
}

void
flow_format(char *buf, size_t size, const struct flow_key *key, const struct flow_key *mask)
{
	struct out o = {buf, size, 0};

	if (!size) {
		return;
	}
	buf[0] = '\0';
	format_tunnel(&o, key, mask);
	format_l2(&o, key, mask);
	format_l3(&o, key, mask);
	format_l4(&o, key, mask);
	if (o.len && buf[o.len - 1] == ',') {
		buf[--o.len] = '\0';
	}
	if (!o.len) {
		put(&o, "any");
	}
}

/* tnl_push(...) of the header template in the DATA actions after 'a'. */
static void
format_tnl_push(struct out *o, const struct dp_action *a, uint32_t n_after)
{
	uint8_t h[DP_ACTION_DATA_LEN * 8];
	uint16_t len = a->mask;
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

	if (len < DP_TNL_HDR_LEN || len > sizeof h || a->tnl.n_data > n_after ||
	    len > a->tnl.n_data * DP_ACTION_DATA_LEN) {
		put(o, "tnl_push(bad)");
		return;
	}
	for (uint16_t i = 0, at = 0; at < len; i++, at += DP_ACTION_DATA_LEN) {
		memcpy(h + at, a[1 + i].data,
		       len - at < DP_ACTION_DATA_LEN ? len - at : DP_ACTION_DATA_LEN);
	}
	const bool v6 = h[12] == 0x86; /* the template's EtherType */
	const uint16_t base = v6 ? DP_TNL_HDR6_LEN : DP_TNL_HDR_LEN;
	const uint8_t *ip = h + 14, *udp = ip + (v6 ? 40 : 20), *t = udp + 8;

	if (len < base) {
		put(o, "tnl_push(bad)");
		return;
	}
	inet_ntop(v6 ? AF_INET6 : AF_INET, ip + (v6 ? 8 : 12), s, sizeof s);
	inet_ntop(v6 ? AF_INET6 : AF_INET, ip + (v6 ? 24 : 16), d, sizeof d);
	put(o, "tnl_push(tnl_port(%u),header(size=%u,", a->tnl.port, len);
	put_mac(o, "eth(dst", h, (const uint8_t[6]){0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
	put_mac(o, ",src", h + 6, (const uint8_t[6]){0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
	if (v6) {
		put(o, "),ipv6(src=%s,dst=%s,tclass=%#x,hlimit=%u)", s, d,
		    (unsigned)((ip[0] & 0x0f) << 4 | ip[1] >> 4), ip[7]);
	} else {
		put(o, "),ipv4(src=%s,dst=%s,tos=%#x,ttl=%u%s)", s, d, ip[1], ip[8],
		    ip[6] & 0x40 ? ",df" : "");
	}
	put(o, ",udp(dst=%u%s),%s(vni=%u", (unsigned)(udp[2] << 8 | udp[3]),
	    a->flags & DP_TNL_F_CSUM ? ",csum" : "", t[0] & 0x08 ? "vxlan" : "geneve",
	    (unsigned)(t[4] << 16 | t[5] << 8 | t[6]));
	if (len > base) { /* Geneve options, as on the wire */
		put(o, ",%sopts=0x", t[1] & 0x40 ? "crit," : "");
		for (uint16_t i = base; i < len; i++) {
			put(o, "%02x", h[i]);
		}
	}
	put(o, ")),mtu=%u)", a->tnl.mtu);
}

/* tnl_pop(type,vni:KEY=PORT,...,any=PORT) of 'a' and its DATA actions. */
static void
format_tnl_pop(struct out *o, const struct dp_action *a, uint32_t n_after)
{
	uint32_t n = a->tnl.key;

	put(o, "tnl_pop(%s", a->tnl.type == DP_TNL_VXLAN ? "vxlan" : "geneve");
	if (a->tnl.n_data > n_after || n > a->tnl.n_data * DP_TNL_PAIRS) {
		n = 0;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct dp_action_tnl_pair kp;

		memcpy(&kp, a[1 + i / DP_TNL_PAIRS].data + (i % DP_TNL_PAIRS) * sizeof kp,
		       sizeof kp);
		put(o, ",vni:%u=%u", kp.key, kp.port);
	}
	if (a->port != UINT32_MAX) {
		put(o, ",any=%u", a->port);
	}
	put(o, ")");
}

/* set(arp(...)) and set(nd(...)) with the fields they write. */
static void
format_set_arp_nd(struct out *o, const struct dp_action *a)
{
	static const uint8_t ones[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	bool arp = a->type == DP_ACTION_SET_ARP;
	char x[INET6_ADDRSTRLEN];
	const char *sep = "";

	put(o, "set(%s(", arp ? "arp" : "nd");
	if (arp && (a->flags & DP_SET_OP)) {
		put(o, "op=%u", ntohs(a->arp.op));
		sep = ",";
	}
	if (a->flags & DP_SET_SRC) {
		inet_ntop(AF_INET, &a->arp.spa, x, sizeof x);
		put(o, "%ssip=%s", sep, x);
		sep = ",";
	}
	if (a->flags & DP_SET_DST) {
		if (arp) {
			inet_ntop(AF_INET, &a->arp.tpa, x, sizeof x);
		} else {
			inet_ntop(AF_INET6, a->nd.target, x, sizeof x);
		}
		put(o, "%s%s=%s", sep, arp ? "tip" : "target", x);
		sep = ",";
	}
	if (a->flags & DP_SET_SHA) {
		put(o, "%s", sep);
		put_mac(o, arp ? "sha" : "sll", arp ? a->arp.sha : a->nd.sll, ones);
		sep = ",";
	}
	if (a->flags & DP_SET_THA) {
		put(o, "%s", sep);
		put_mac(o, arp ? "tha" : "tll", arp ? a->arp.tha : a->nd.tll, ones);
	}
	put(o, "))");
}

static void
format_action(struct out *o, const struct dp_action *a)
{
	char x[INET6_ADDRSTRLEN], y[INET6_ADDRSTRLEN];

	switch (a->type) {
	case DP_ACTION_OUTPUT:
		put(o, "%u", a->port);
		break;
	case DP_ACTION_PUSH_VLAN:
		put(o, "push_vlan(tpid=0x%04x,vid=%u,pcp=%u)", ntohs(a->vlan.tpid),
		    ntohs(a->vlan.tci) & FLOW_VLAN_VID_MASK,
		    ntohs(a->vlan.tci) >> FLOW_VLAN_PCP_SHIFT);
		break;
	case DP_ACTION_POP_VLAN:
		put(o, "pop_vlan");
		break;
	case DP_ACTION_SET_VLAN:
		put(o, "set_vlan(tci=0x%04x/0x%04x)", ntohs(a->vlan.tci), ntohs(a->mask));
		break;
	case DP_ACTION_SET_ETH:
		put(o,
		    "set(eth(src=%02x:%02x:%02x:%02x:%02x:%02x,dst=%02x:%02x:%02x:%02x:%02x:%02x))",
		    a->eth.src[0], a->eth.src[1], a->eth.src[2], a->eth.src[3], a->eth.src[4],
		    a->eth.src[5], a->eth.dst[0], a->eth.dst[1], a->eth.dst[2], a->eth.dst[3],
		    a->eth.dst[4], a->eth.dst[5]);
		break;
	case DP_ACTION_SET_IPV4:
		inet_ntop(AF_INET, &a->ipv4.src, x, sizeof x);
		inet_ntop(AF_INET, &a->ipv4.dst, y, sizeof y);
		put(o, "set(ipv4(src=%s,dst=%s,tos=0x%x,ttl=%u))", x, y, a->ipv4.tos, a->ipv4.ttl);
		break;
	case DP_ACTION_SET_IPV6:
		inet_ntop(AF_INET6, a->ipv6.src, x, sizeof x);
		inet_ntop(AF_INET6, a->ipv6.dst, y, sizeof y);
		put(o, "set(ipv6(src=%s,dst=%s))", x, y);
		break;
	case DP_ACTION_SET_L4:
		put(o, "set(l4(src=%u,dst=%u))", ntohs(a->l4.src), ntohs(a->l4.dst));
		break;
	case DP_ACTION_DEC_TTL:
		put(o, "dec_ttl");
		break;
	case DP_ACTION_PUSH_MPLS:
		put(o, "push_mpls(eth_type=0x%x,lse=0x%08x)", ntohs(a->mpls.ethertype),
		    ntohl(a->mpls.lse));
		break;
	case DP_ACTION_POP_MPLS:
		put(o, "pop_mpls(eth_type=0x%x)", ntohs(a->mpls.ethertype));
		break;
	case DP_ACTION_SET_MPLS:
	case DP_ACTION_SET_PBB:
		put(o, "set(%s(0x%08x/0x%08x))", a->type == DP_ACTION_SET_MPLS ? "mpls" : "itag",
		    ntohl(a->mpls.lse), ntohl(a->mpls.mask));
		break;
	case DP_ACTION_DEC_MPLS_TTL:
		put(o, "dec_mpls_ttl");
		break;
	case DP_ACTION_PUSH_PBB:
		put(o, "push_pbb(itag=0x%08x)", ntohl(a->mpls.lse));
		break;
	case DP_ACTION_POP_PBB:
		put(o, "pop_pbb");
		break;
	case DP_ACTION_USERSPACE:
		put(o, "userspace(cookie=0x%llx)", (unsigned long long)a->cookie);
		break;
	case DP_ACTION_METER:
		put(o, "meter(%u)", a->port);
		break;
	case DP_ACTION_SET_ARP:
	case DP_ACTION_SET_ND:
		format_set_arp_nd(o, a);
		break;
	case DP_ACTION_COPY_TTL:
		put(o, "%s", a->flags & DP_SET_SRC ? "copy_ttl_in" : "copy_ttl_out");
		break;
	case DP_ACTION_TNL_POP: /* dp_actions_format() writes it */
		break;
	case DP_ACTION_RECIRC:
		put(o, "recirc(in_port=%u)", a->port);
		break;
	default:
		put(o, "unknown(%u)", a->type);
		break;
	}
}

void
dp_actions_format(char *buf, size_t size, const struct dp_action *actions, uint32_t n_actions)
{
	struct out o = {buf, size, 0};

	if (!size) {
		return;
	}
	uint32_t ends[64];
	uint32_t depth = 0;
	bool first = true;

	buf[0] = '\0';
	for (uint32_t i = 0; i < n_actions; i++) {
		const struct dp_action *a = &actions[i];

		if (!first) {
			put(&o, ",");
		}
		first = false;
		if (a->type == DP_ACTION_CLONE && depth < 64) {
			/* clone(...) around the actions it runs on the copy. */
			put(&o, "clone(");
			ends[depth++] = i + a->port;
			first = true;
			if (a->port) {
				continue;
			}
		} else if (a->type == DP_ACTION_TNL_PUSH) {
			format_tnl_push(&o, a, n_actions - i - 1);
			i += a->tnl.n_data < n_actions - i ? a->tnl.n_data : n_actions - i - 1;
		} else if (a->type == DP_ACTION_TNL_POP) {
			format_tnl_pop(&o, a, n_actions - i - 1);
			i += a->tnl.n_data < n_actions - i ? a->tnl.n_data : n_actions - i - 1;
		} else {
			format_action(&o, a);
		}
		while (depth && ends[depth - 1] <= i) {
			put(&o, ")");
			depth--;
			first = false;
		}
	}
	while (depth--) {
		put(&o, ")");
	}
	if (!n_actions) {
		put(&o, "drop");
	}
}
