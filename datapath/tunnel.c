/* SPDX-License-Identifier: Apache-2.0 */
/*
 * VXLAN and Geneve (tunnel.h): the tunnel port options, the header
 * template, and the checks of a received packet's outer headers. Pure:
 * the parts on mbufs are in tunnel_mbuf.c.
 */
#include "tunnel.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "util.h"

enum {
	ETH_TYPE_IPV4 = 0x0800,
	ETH_TYPE_IPV6 = 0x86dd,
	ETH_TYPE_TEB = 0x6558, /* Geneve's protocol type for Ethernet */
	IP_MF = 0x2000,
	IP_DF = 0x4000,
	IP_OFFSET = 0x1fff,
	VXLAN_FLAG_I = 0x08,
	GENEVE_CRIT = 0x40,
};

const char *const dp_tnl_options[] = {"remote_ip", "local_ip",   "key",  "dst_port", "tos",
				      "ttl",       "df_default", "csum", NULL};

enum dp_tnl_type
dp_tnl_type_of(const char *type)
{
	return !strcmp(type, "vxlan") ? DP_TNL_VXLAN : !strcmp(type, "geneve") ? DP_TNL_GENEVE : 0;
}

/* An unsigned decimal (or 0x hex) number of at most 'max'; -1 if not. */
static long long
parse_num(const char *s, long long max)
{
	char *end;
	long long v;

	if (!s[0] || s[0] == '-' || s[0] == '+' || s[0] == ' ') {
		return -1;
	}
	errno = 0;
	v = strtoll(s, &end, 0);
	return errno || *end || v > max ? -1 : v;
}

static int
parse_bool(const char *s, bool dflt, bool *out)
{
	if (!s) {
		*out = dflt;
		return 0;
	}
	if (!strcmp(s, "true") || !strcmp(s, "false")) {
		*out = s[0] == 't';
		return 0;
	}
	return -1;
}

const char *
dp_tnl_addr_str(const struct in6_addr *a, char *buf)
{
	uint32_t ip = dp_tnl_addr_get4(a);

	return dp_tnl_addr_is4(a) ? inet_ntop(AF_INET, &ip, buf, INET6_ADDRSTRLEN)
				  : inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

bool
dp_tnl_addr_parse(const char *s, struct in6_addr *a)
{
	struct in_addr a4;

	if (inet_pton(AF_INET, s, &a4) == 1) {
		*a = dp_tnl_addr4(a4.s_addr);
		return true;
	}
	return inet_pton(AF_INET6, s, a) == 1;
}

/* A unicast address a tunnel can use: not none, broadcast, multicast or
 * an IPv4 address written as IPv6. */
static bool
addr_unicast(const char *s, struct in6_addr *a)
{
	uint32_t ip;

	if (!dp_tnl_addr_parse(s, a) || !dp_tnl_addr_set(a)) {
		return false;
	}
	if (dp_tnl_addr_is4(a)) {
		ip = dp_tnl_addr_get4(a);
		return strchr(s, ':') == NULL && ip != INADDR_BROADCAST && !IN_MULTICAST(ntohl(ip));
	}
	return !IN6_IS_ADDR_MULTICAST(a) && !IN6_IS_ADDR_V4COMPAT(a);
}

/* An IPv6 link-local address: one of every link. Without the interface,
 * which the options do not name, neither the route nor the receiving port
 * could be told apart. */
static bool
link_local(const char *s)
{
	struct in6_addr a;

	return inet_pton(AF_INET6, s, &a) == 1 && IN6_IS_ADDR_LINKLOCAL(&a);
}

int
dp_tnl_cfg_parse(enum dp_tnl_type type, const char *(*get)(const void *aux, const char *key),
		 const void *aux, struct dp_tnl_cfg *cfg, char *err)
{
	const char *remote = get(aux, "remote_ip"), *local = get(aux, "local_ip");
	const char *key = get(aux, "key"), *port = get(aux, "dst_port");
	const char *tos = get(aux, "tos"), *ttl = get(aux, "ttl");
	long long v;

	memset(cfg, 0, sizeof *cfg);
	cfg->type = type;
	if (!remote || !remote[0]) {
		snprintf(
			err, DP_TNL_ERR_MAX,
			"a tunnel port needs options:remote_ip (an IPv4 or IPv6 address, or flow)");
		return -EINVAL;
	}
	if (!strcmp(remote, "flow")) {
		cfg->remote_flow = true;
	} else if (link_local(remote)) {
		snprintf(err, DP_TNL_ERR_MAX,
			 "remote_ip=%s: a link-local address is not supported (it names no link)",
			 remote);
		return -EINVAL;
	} else if (!addr_unicast(remote, &cfg->remote_ip)) {
		snprintf(err, DP_TNL_ERR_MAX,
			 "remote_ip=%s: expected a unicast IPv4 or IPv6 address, or flow", remote);
		return -EINVAL;
	}
	if (local) {
		if (link_local(local)) {
			snprintf(err, DP_TNL_ERR_MAX,
				 "local_ip=%s: a link-local address is not supported (it names no "
				 "link)",
				 local);
			return -EINVAL;
		}
		if (!addr_unicast(local, &cfg->local_ip)) {
			snprintf(err, DP_TNL_ERR_MAX,
				 "local_ip=%s: expected a unicast IPv4 or IPv6 address", local);
			return -EINVAL;
		}
		/* With remote_ip=flow, local_ip says the family. */
		if (!cfg->remote_flow &&
		    dp_tnl_addr_is4(&cfg->local_ip) != dp_tnl_addr_is4(&cfg->remote_ip)) {
			snprintf(err, DP_TNL_ERR_MAX,
				 "local_ip=%s: not of the family of remote_ip=%s", local, remote);
			return -EINVAL;
		}
	}
	if (key && !strcmp(key, "flow")) {
		cfg->key_flow = true;
	} else if (key) {
		v = parse_num(key, 0xffffff);
		if (v < 0) {
			snprintf(err, DP_TNL_ERR_MAX,
				 "key=%s: expected flow or a VNI, 0 to 16777215", key);
			return -EINVAL;
		}
		cfg->key = (uint32_t)v;
	}
	cfg->dst_port = type == DP_TNL_VXLAN ? DP_TNL_VXLAN_PORT : DP_TNL_GENEVE_PORT;
	if (port) {
		v = parse_num(port, 65535);
		if (v <= 0) {
			snprintf(err, DP_TNL_ERR_MAX,
				 "dst_port=%s: expected a UDP port, 1 to 65535", port);
			return -EINVAL;
		}
		cfg->dst_port = (uint16_t)v;
	}
	cfg->tos = 0;
	if (tos) {
		v = !strcmp(tos, "inherit") ? -1 : parse_num(tos, 255);
		if (v < 0 && strcmp(tos, "inherit")) {
			snprintf(err, DP_TNL_ERR_MAX,
				 "tos=%s: expected inherit or a number, 0 to 255", tos);
			return -EINVAL;
		}
		cfg->tos = (int16_t)v;
	}
	cfg->ttl = 64;
	if (ttl) {
		v = !strcmp(ttl, "inherit") ? -1 : parse_num(ttl, 255);
		if (v == 0 || (v < 0 && strcmp(ttl, "inherit"))) {
			snprintf(err, DP_TNL_ERR_MAX,
				 "ttl=%s: expected inherit or a number, 1 to 255", ttl);
			return -EINVAL;
		}
		cfg->ttl = (int16_t)v;
	}
	if (parse_bool(get(aux, "df_default"), true, &cfg->df)) {
		snprintf(err, DP_TNL_ERR_MAX, "df_default=%s: expected true or false",
			 get(aux, "df_default"));
		return -EINVAL;
	}
	cfg->csum_given = get(aux, "csum") != NULL;
	if (parse_bool(get(aux, "csum"), !cfg->remote_flow && !dp_tnl_addr_is4(&cfg->remote_ip),
		       &cfg->csum)) {
		snprintf(err, DP_TNL_ERR_MAX, "csum=%s: expected true or false", get(aux, "csum"));
		return -EINVAL;
	}
	return 0;
}

uint16_t
dp_tnl_header_build(const struct dp_tnl_params *p, uint8_t *hdr)
{
	bool v6 = !dp_tnl_addr_is4(&p->ip_dst);
	uint16_t base = v6 ? DP_TNL_HDR6_LEN : DP_TNL_HDR_LEN;
	uint8_t *ip = hdr + 14, *udp = ip + (v6 ? 40 : 20), *t = udp + 8;
	uint32_t vni = p->vni & 0xffffff;

	uint8_t opt_len =
		p->type == DP_TNL_GENEVE && p->opt_len <= DP_TNL_OPTS_MAX ? p->opt_len : 0;

	memset(hdr, 0, base);
	memcpy(hdr, p->eth_dst, 6);
	memcpy(hdr + 6, p->eth_src, 6);
	if (v6) {
		/* Flow label 0; the payload length is each packet's. */
		vs_put16(hdr + 12, htons(ETH_TYPE_IPV6));
		ip[0] = (uint8_t)(0x60 | p->tos >> 4);
		ip[1] = (uint8_t)(p->tos << 4);
		ip[6] = IPPROTO_UDP;
		ip[7] = p->ttl;
		memcpy(ip + 8, &p->ip_src, 16);
		memcpy(ip + 24, &p->ip_dst, 16);
	} else {
		uint32_t src = dp_tnl_addr_get4(&p->ip_src), dst = dp_tnl_addr_get4(&p->ip_dst);

		vs_put16(hdr + 12, htons(ETH_TYPE_IPV4));
		ip[0] = 0x45;
		ip[1] = p->tos;
		vs_put16(ip + 6, htons(p->df ? IP_DF : 0));
		ip[8] = p->ttl;
		ip[9] = IPPROTO_UDP;
		memcpy(ip + 12, &src, 4);
		memcpy(ip + 16, &dst, 4);
	}
	vs_put16(udp + 2, p->udp_dst);
	if (p->type == DP_TNL_VXLAN) {
		t[0] = VXLAN_FLAG_I;
	} else {
		t[0] = (uint8_t)(opt_len / 4); /* version 0 */
		t[1] = p->crit && opt_len ? GENEVE_CRIT : 0;
		vs_put16(t + 2, htons(ETH_TYPE_TEB));
		memcpy(t + 8, p->opts, opt_len);
	}
	t[4] = (uint8_t)(vni >> 16);
	t[5] = (uint8_t)(vni >> 8);
	t[6] = (uint8_t)vni;
	return (uint16_t)(base + opt_len);
}

enum dp_tnl_err
dp_tnl_parse(const uint8_t *p, uint32_t head, uint32_t total, enum dp_tnl_type type,
	     unsigned int checked, struct dp_tnl_md *md, struct dp_tnl_layout *lay)
{
	const uint8_t *ip, *udp, *t;
	uint32_t l3 = 12, ihl, ip_len, udp_len, hdr_len, outer;
	uint16_t eth_type;
	int tags = 0;

	if (head < 14 || total < head) {
		return DP_TNL_ERR_BAD;
	}
	eth_type = ntohs(vs_get16(p + 12));
	while ((eth_type == 0x8100 || eth_type == 0x88a8) && tags < 2 && head >= l3 + 8) {
		l3 += 4;
		tags++;
		eth_type = ntohs(vs_get16(p + l3));
	}
	l3 += 2;
	ip = p + l3;
	if (eth_type == ETH_TYPE_IPV6) {
		/* No extension headers: a tunnel's sender puts none in. */
		if (head < l3 + 40 + 8 || ip[0] >> 4 != 6) {
			return DP_TNL_ERR_BAD;
		}
		if (ip[6] == IPPROTO_FRAGMENT) {
			return DP_TNL_ERR_FRAG;
		}
		ihl = 40;
		ip_len = 40u + ntohs(vs_get16(ip + 4));
		if (ip[6] != IPPROTO_UDP || ip_len < ihl + 8 || l3 + ip_len > total) {
			return DP_TNL_ERR_BAD;
		}
		md->tun_src = md->tun_dst = 0;
	} else {
		if (eth_type != ETH_TYPE_IPV4 || head < l3 + 20) {
			return DP_TNL_ERR_BAD;
		}
		ihl = (ip[0] & 0x0f) * 4u;
		ip_len = ntohs(vs_get16(ip + 2));
		if (ip[0] >> 4 != 4 || ihl < 20 || ip_len < ihl + 8 || l3 + ip_len > total ||
		    head < l3 + ihl + 8 || ip[9] != IPPROTO_UDP) {
			return DP_TNL_ERR_BAD;
		}
		/* Almost always 20 bytes: then a sum of five constant loads. */
		if (!(checked & DP_TNL_IP_CSUM_GOOD) &&
		    csum_finish(ihl == 20 ? csum_add_words(ip, 20) : csum_add_words(ip, ihl))) {
			return DP_TNL_ERR_CSUM;
		}
		if (ntohs(vs_get16(ip + 6)) & (IP_MF | IP_OFFSET)) {
			return DP_TNL_ERR_FRAG;
		}
		memcpy(&md->tun_src, ip + 12, 4);
		memcpy(&md->tun_dst, ip + 16, 4);
	}
	udp = ip + ihl;
	udp_len = ntohs(vs_get16(udp + 4));
	if (udp_len < 8 + 8 || udp_len > ip_len - ihl || head < l3 + ihl + 16) {
		return DP_TNL_ERR_BAD;
	}
	t = udp + 8;
	hdr_len = 8;
	if (type == DP_TNL_VXLAN) {
		if (!(t[0] & VXLAN_FLAG_I)) {
			return DP_TNL_ERR_BAD;
		}
	} else {
		hdr_len += (t[0] & 0x3fu) * 4;
		if (t[0] >> 6 != 0 || ntohs(vs_get16(t + 2)) != ETH_TYPE_TEB ||
		    8 + hdr_len > udp_len || head < l3 + ihl + 8 + hdr_len) {
			return DP_TNL_ERR_BAD;
		}
		/* The options must add up to their length; which are known is
		 * for the tunnel port's map (dp_tnl_opts_take()). */
		for (uint32_t o = 8; o < hdr_len; o += 4 + (t[o + 3] & 0x1fu) * 4) {
			if (o + 4 + (t[o + 3] & 0x1fu) * 4 > hdr_len) {
				return DP_TNL_ERR_BAD;
			}
		}
		md->opt_len = (uint8_t)(hdr_len - 8);
	}
	if (type == DP_TNL_VXLAN) {
		md->opt_len = 0;
	}
	outer = l3 + ihl + 8 + hdr_len;
	if (outer + 14 > l3 + ip_len) {
		return DP_TNL_ERR_BAD; /* no room for an inner Ethernet header */
	}
	md->vni = (uint32_t)t[4] << 16 | (uint32_t)t[5] << 8 | t[6];
	md->ip6_back = eth_type == ETH_TYPE_IPV6 ? (uint16_t)(outer - l3) : 0;
	lay->l3 = l3;
	lay->ipv6 = eth_type == ETH_TYPE_IPV6;
	lay->udp = l3 + ihl;
	lay->udp_len = udp_len;
	lay->udp_csum = vs_get16(udp + 6) != 0;
	lay->outer = outer;
	lay->pad = total - (l3 + ip_len);
	return DP_TNL_OK;
}

uint32_t
dp_tnl_udp_pseudo_sum(const uint8_t *p, const struct dp_tnl_layout *lay)
{
	/* The addresses; then the length and protocol, as 16-bit words of
	 * IPv4's pseudo-header or of IPv6's (whose 32-bit length's high half
	 * is zero here). */
	uint32_t sum =
		lay->ipv6 ? csum_add(0, p + lay->l3 + 8, 32) : csum_add(0, p + lay->l3 + 12, 8);

	return sum + htons(IPPROTO_UDP) + htons((uint16_t)lay->udp_len);
}

static const struct dp_tnl_opt *
map_find(const struct dp_tnl_optmap *map, uint16_t opt_class, uint8_t type)
{
	for (uint8_t i = 0; map && i < map->n && i < DP_TNL_OPT_FIELDS; i++) {
		if (map->m[i].opt_class == opt_class && map->m[i].type == type) {
			return &map->m[i];
		}
	}
	return NULL;
}

bool
dp_tnl_opts_take(const uint8_t *opts, uint32_t len, const struct dp_tnl_optmap *map,
		 uint16_t *present, uint8_t *md)
{
	for (uint32_t o = 0; o + 4 <= len;) {
		uint32_t olen = (opts[o + 3] & 0x1fu) * 4;
		const struct dp_tnl_opt *e = map_find(map, ntohs(vs_get16(opts + o)), opts[o + 2]);

		if (o + 4 + olen > len) {
			break; /* dp_tnl_parse() refuses it: not reached */
		}
		if (e && e->len == olen && e->ofs + olen <= DP_TNL_OPT_SPACE) {
			memcpy(md + e->ofs, opts + o + 4, olen);
			*present |= (uint16_t)(1u << e->index);
		} else if (opts[o + 2] & DP_TNL_OPT_CRIT) {
			return false;
		}
		o += 4 + olen;
	}
	return true;
}

uint32_t
dp_tnl_opts_put(const struct dp_tnl_optmap *map, uint16_t present, const uint8_t *md, uint8_t *out,
		bool *crit)
{
	uint32_t len = 0;

	*crit = false;
	for (int idx = 0; idx < DP_TNL_OPT_FIELDS; idx++) {
		const struct dp_tnl_opt *e = NULL;

		if (!(present >> idx & 1)) {
			continue;
		}
		for (uint8_t i = 0; map && i < map->n && i < DP_TNL_OPT_FIELDS; i++) {
			if (map->m[i].index == idx) {
				e = &map->m[i];
			}
		}
		if (!e || e->ofs + e->len > DP_TNL_OPT_SPACE ||
		    len + 4 + e->len > DP_TNL_OPTS_MAX) {
			continue;
		}
		vs_put16(out + len, htons(e->opt_class));
		out[len + 2] = e->type;
		out[len + 3] = (uint8_t)(e->len / 4);
		memcpy(out + len + 4, md + e->ofs, e->len);
		*crit |= (e->type & DP_TNL_OPT_CRIT) != 0;
		len += 4 + e->len;
	}
	return len;
}
