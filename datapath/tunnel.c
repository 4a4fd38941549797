/* SPDX-License-Identifier: Apache-2.0 */
/*
 * VXLAN and Geneve encapsulation and decapsulation (tunnel.h).
 */
#include "tunnel.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "actions.h"
#include "csum.h"
#include "hash.h"
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

static inline uint16_t
rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

static inline void
wr16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

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

int
dp_tnl_cfg_parse(enum dp_tnl_type type, const char *(*get)(const void *aux, const char *key),
		 const void *aux, struct dp_tnl_cfg *cfg, char *err)
{
	const char *remote = get(aux, "remote_ip"), *local = get(aux, "local_ip");
	const char *key = get(aux, "key"), *port = get(aux, "dst_port");
	const char *tos = get(aux, "tos"), *ttl = get(aux, "ttl");
	struct in_addr a;
	long long v;

	memset(cfg, 0, sizeof *cfg);
	cfg->type = type;
	if (!remote || !remote[0]) {
		snprintf(err, DP_TNL_ERR_MAX,
			 "a tunnel port needs options:remote_ip (an IPv4 address or flow)");
		return -EINVAL;
	}
	if (!strcmp(remote, "flow")) {
		cfg->remote_flow = true;
	} else if (inet_pton(AF_INET, remote, &a) == 1 && a.s_addr &&
		   a.s_addr != INADDR_BROADCAST && !IN_MULTICAST(ntohl(a.s_addr))) {
		cfg->remote_ip = a.s_addr;
	} else {
		snprintf(err, DP_TNL_ERR_MAX,
			 "remote_ip=%s: expected a unicast IPv4 address or flow", remote);
		return -EINVAL;
	}
	if (local) {
		if (inet_pton(AF_INET, local, &a) != 1 || !a.s_addr ||
		    a.s_addr == INADDR_BROADCAST || IN_MULTICAST(ntohl(a.s_addr))) {
			snprintf(err, DP_TNL_ERR_MAX,
				 "local_ip=%s: expected a unicast IPv4 address", local);
			return -EINVAL;
		}
		cfg->local_ip = a.s_addr;
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
	if (parse_bool(get(aux, "csum"), false, &cfg->csum)) {
		snprintf(err, DP_TNL_ERR_MAX, "csum=%s: expected true or false", get(aux, "csum"));
		return -EINVAL;
	}
	return 0;
}

uint16_t
dp_tnl_header_build(const struct dp_tnl_params *p, uint8_t *hdr)
{
	uint8_t *ip = hdr + 14, *udp = ip + 20, *t = udp + 8;
	uint32_t vni = p->vni & 0xffffff;

	memset(hdr, 0, DP_TNL_HDR_LEN);
	memcpy(hdr, p->eth_dst, 6);
	memcpy(hdr + 6, p->eth_src, 6);
	wr16(hdr + 12, htons(ETH_TYPE_IPV4));
	ip[0] = 0x45;
	ip[1] = p->tos;
	wr16(ip + 6, htons(p->df ? IP_DF : 0));
	ip[8] = p->ttl;
	ip[9] = IPPROTO_UDP;
	memcpy(ip + 12, &p->ip_src, 4);
	memcpy(ip + 16, &p->ip_dst, 4);
	wr16(udp + 2, p->udp_dst);
	if (p->type == DP_TNL_VXLAN) {
		t[0] = VXLAN_FLAG_I;
	} else {
		wr16(t + 2, htons(ETH_TYPE_TEB)); /* version 0, no options */
	}
	t[4] = (uint8_t)(vni >> 16);
	t[5] = (uint8_t)(vni >> 8);
	t[6] = (uint8_t)vni;
	return DP_TNL_HDR_LEN;
}

/* The one's complement sum of 'len' bytes of 'm' from 'off', over its
 * segments (a segment that starts at an odd offset has its sum swapped). */
static uint32_t
csum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len, uint32_t sum)
{
	bool odd = false;

	for (; m && len; m = m->next) {
		uint32_t n, s;

		if (off >= m->data_len) {
			off -= m->data_len;
			continue;
		}
		n = VS_MIN(m->data_len - off, len);
		s = csum_add(0, rte_pktmbuf_mtod_offset(m, const uint8_t *, off), n);
		while (s >> 16) {
			s = (s & 0xffff) + (s >> 16);
		}
		sum += odd ? (s & 0xff) << 8 | s >> 8 : s;
		odd ^= n & 1;
		len -= n;
		off = 0;
	}
	return sum;
}

/* The pseudo-header of a UDP datagram of 'len' bytes under IPv4 'ip'. */
static uint32_t
udp_pseudo_sum(const uint8_t *ip, uint16_t len)
{
	uint32_t sum = csum_add(0, ip + 12, 8);

	return sum + htons(IPPROTO_UDP) + htons(len);
}

/* A hash of the inner flow: its addresses and ports when it is IP (the
 * layer offsets tell where they are), else its MAC addresses. */
static uint32_t
inner_flow_hash(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), l3 = m->l2_len, h = 0;
	uint64_t w[5] = {0};
	uint16_t type = l3 >= 14 && l3 <= len ? ntohs(rd16(p + l3 - 2)) : 0;

	if (type == ETH_TYPE_IPV4 && l3 + 20 <= len) {
		memcpy(w, p + l3 + 12, 8);
		w[1] = p[l3 + 9];
	} else if (type == ETH_TYPE_IPV6 && l3 + 40 <= len) {
		memcpy(w, p + l3 + 8, 32);
		w[4] = p[l3 + 6];
	} else if (len >= 12) {
		memcpy(w, p, 12);
		type = 0;
	}
	if (type && m->l3_len && l3 + m->l3_len + 4 <= len) {
		uint8_t proto = dp_pkt_proto(m);

		if (proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP) {
			uint32_t ports;

			memcpy(&ports, p + l3 + m->l3_len, 4);
			w[2] ^= ports;
		}
	}
	for (int i = 0; i < 5; i++) {
		h = hash_add64(h, w[i]);
	}
	return hash_finish(h);
}

enum dp_tnl_err
dp_tnl_push(struct rte_mbuf *m, const uint8_t *hdr, uint16_t len, uint8_t flags, uint16_t mtu,
	    uint16_t *ip_id)
{
	uint32_t inner = rte_pktmbuf_pkt_len(m), outer = inner + len;
	uint16_t sport;
	uint8_t *p, *ip, *udp;

	if (mtu && outer - 14 > mtu) {
		return DP_TNL_ERR_MTU;
	}
	if (outer - 14 > UINT16_MAX) {
		return DP_TNL_ERR_MTU;
	}
	sport = (uint16_t)(DP_TNL_UDP_SPORT_MIN +
			   inner_flow_hash(m) % (DP_TNL_UDP_SPORT_MAX - DP_TNL_UDP_SPORT_MIN + 1));
	p = (uint8_t *)rte_pktmbuf_prepend(m, len);
	if (!p) {
		return DP_TNL_ERR_HEADROOM;
	}
	memcpy(p, hdr, len);
	ip = p + 14;
	udp = ip + 20;
	wr16(ip + 2, htons((uint16_t)(outer - 14)));
	if (!(ip[6] & (IP_DF >> 8))) {
		wr16(ip + 4, htons((*ip_id)++));
	}
	wr16(ip + 10, 0);
	wr16(ip + 10, csum_finish(csum_add(0, ip, 20)));
	wr16(udp, htons(sport));
	wr16(udp + 4, htons((uint16_t)(outer - 34)));
	if (flags & DP_TNL_F_CSUM) {
		uint32_t sum = udp_pseudo_sum(ip, (uint16_t)(outer - 34));
		uint16_t c = csum_finish(csum_mbuf(m, 34, outer - 34, sum));

		wr16(udp + 6, c ? c : 0xffff); /* 0 would mean "none" */
	}
	dp_pkt_set_layers(m, 14, 34, IPPROTO_UDP);
	return DP_TNL_OK;
}

enum dp_tnl_err
dp_tnl_pop(struct rte_mbuf *m, enum dp_tnl_type type, struct dp_tnl_md *md)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *), *ip, *udp, *t;
	uint32_t head = rte_pktmbuf_data_len(m), total = rte_pktmbuf_pkt_len(m);
	uint32_t l3 = 12, ihl, ip_len, udp_len, hdr_len, outer;
	uint16_t eth_type;
	int tags = 0;

	if (head < 14) {
		return DP_TNL_ERR_BAD;
	}
	eth_type = ntohs(rd16(p + 12));
	while ((eth_type == 0x8100 || eth_type == 0x88a8) && tags < 2 && head >= l3 + 8) {
		l3 += 4;
		tags++;
		eth_type = ntohs(rd16(p + l3));
	}
	l3 += 2;
	if (eth_type != ETH_TYPE_IPV4 || head < l3 + 20) {
		return DP_TNL_ERR_BAD;
	}
	ip = p + l3;
	ihl = (ip[0] & 0x0f) * 4u;
	ip_len = ntohs(rd16(ip + 2));
	if (ip[0] >> 4 != 4 || ihl < 20 || ip_len < ihl + 8 || l3 + ip_len > total ||
	    head < l3 + ihl + 8 || ip[9] != IPPROTO_UDP) {
		return DP_TNL_ERR_BAD;
	}
	if (csum_finish(csum_add(0, ip, ihl))) {
		return DP_TNL_ERR_CSUM;
	}
	if (ntohs(rd16(ip + 6)) & (IP_MF | IP_OFFSET)) {
		return DP_TNL_ERR_FRAG;
	}
	udp = ip + ihl;
	udp_len = ntohs(rd16(udp + 4));
	if (udp_len < 8 + 8 || udp_len > ip_len - ihl || head < l3 + ihl + 16) {
		return DP_TNL_ERR_BAD;
	}
	if (rd16(udp + 6) != 0 &&
	    csum_finish(csum_mbuf(m, l3 + ihl, udp_len, udp_pseudo_sum(ip, (uint16_t)udp_len)))) {
		return DP_TNL_ERR_CSUM;
	}
	t = udp + 8;
	hdr_len = 8;
	if (type == DP_TNL_VXLAN) {
		if (!(t[0] & VXLAN_FLAG_I)) {
			return DP_TNL_ERR_BAD;
		}
	} else {
		hdr_len += (t[0] & 0x3fu) * 4;
		if (t[0] >> 6 != 0 || ntohs(rd16(t + 2)) != ETH_TYPE_TEB || 8 + hdr_len > udp_len ||
		    head < l3 + ihl + 8 + hdr_len) {
			return DP_TNL_ERR_BAD;
		}
		if (t[1] & GENEVE_CRIT) {
			return DP_TNL_ERR_OPT;
		}
	}
	outer = l3 + ihl + 8 + hdr_len;
	if (outer + 14 > l3 + ip_len) {
		return DP_TNL_ERR_BAD; /* no room for an inner Ethernet header */
	}
	md->tun_id = htobe64((uint64_t)t[4] << 16 | (uint64_t)t[5] << 8 | t[6]);
	memcpy(&md->tun_src, ip + 12, 4);
	memcpy(&md->tun_dst, ip + 16, 4);
	/* Ethernet padding after the IP packet is not the inner frame's. */
	if (total > l3 + ip_len && rte_pktmbuf_trim(m, (uint16_t)(total - l3 - ip_len))) {
		return DP_TNL_ERR_BAD;
	}
	rte_pktmbuf_adj(m, (uint16_t)outer);
	return DP_TNL_OK;
}
