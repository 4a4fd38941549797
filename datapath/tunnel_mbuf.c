/* SPDX-License-Identifier: Apache-2.0 */
/*
 * VXLAN and Geneve on mbufs (tunnel.h): the per-packet part of
 * encapsulation, and decapsulation around dp_tnl_parse().
 */
#include <arpa/inet.h>
#include <string.h>

#include <rte_mbuf.h>

#include "actions.h"
#include "csum.h"
#include "hash.h"
#include "tunnel.h"
#include "util.h"

enum {
	ETH_TYPE_IPV4 = 0x0800,
	ETH_TYPE_IPV6 = 0x86dd,
	IP_DF = 0x4000,
	IP_MF = 0x2000,
	IP_OFFSET = 0x1fff,
};

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

/* The one's complement sum of the UDP datagram of 'udp_len' bytes at
 * offset 'udp' of 'm' with its pseudo-header (the IP addresses, then the
 * protocol and length as 16-bit words, IPv6's 32-bit length's high half
 * being zero), under the IP header at 'l3'. Without IPv4 options or IPv6
 * extension headers the UDP header follows the addresses, so when the
 * datagram is in the first segment addresses and datagram are one run;
 * else the addresses apart and the segments one by one. */
static uint32_t
udp_sum(const struct rte_mbuf *m, uint32_t l3, uint32_t udp, uint16_t udp_len, bool v6)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint32_t addr = l3 + (v6 ? 8u : 12u), addr_len = v6 ? 32u : 8u;
	const uint32_t rest = htons(IPPROTO_UDP) + htons(udp_len);

	if (udp == addr + addr_len && udp + udp_len <= rte_pktmbuf_data_len(m)) {
		return csum_add(rest, p + addr, addr_len + udp_len);
	}
	return csum_mbuf(m, udp, udp_len, csum_add(rest, p + addr, addr_len));
}

/* A hash of the inner flow: its addresses, protocol and ports when it is
 * IP, else its MAC addresses. The layer offsets tell where the IP header
 * is, not always where its payload is (the rule-only path leaves that
 * unset), so the ports are found from the header: after an IPv4 header's
 * length, right after an IPv6 header whose next header is the transport
 * one. Fragments hash without ports, so that all the pieces of a packet
 * take the same path. */
static uint32_t
inner_flow_hash(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), l3 = m->l2_len, l4 = 0, ports = 0;
	uint16_t type = l3 >= 14 && l3 <= len ? ntohs(vs_get16(p + l3 - 2)) : 0;
	uint64_t addr[4] = {0};
	uint8_t proto = 0;

	if (type == ETH_TYPE_IPV4 && l3 + 20 <= len) {
		proto = p[l3 + 9];
		l4 = l3 + (p[l3] & 0x0fu) * 4;
		if (l4 + 4 <= len && !(vs_get16(p + l3 + 6) & htons(IP_MF | IP_OFFSET)) &&
		    (proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP)) {
			memcpy(&ports, p + l4, 4);
		}
		memcpy(addr, p + l3 + 12, 8);
		/* Two independent CRCs, not a chain. */
		return hash_finish(hash_add64(0, addr[0]) ^
				   hash_add64(0x9e3779b9u, (uint64_t)ports << 8 | proto));
	} else if (type == ETH_TYPE_IPV6 && l3 + 40 <= len) {
		/* Ports only right after the fixed header, whatever the path:
		 * behind extension headers (a fragment's among them) they are
		 * left out, so that each path and each piece hash alike. */
		memcpy(addr, p + l3 + 8, 32);
		proto = p[l3 + 6];
		l4 = l3 + 40;
	} else if (len >= 12) {
		memcpy(addr, p, 12);
		type = 0;
	}
	if (type && l4 > l3 && l4 + 4 <= len &&
	    (proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP)) {
		memcpy(&ports, p + l4, 4);
	}
	return hash_finish(hash_add64(hash_add64(0, addr[0]), addr[2]) ^
			   hash_add64(hash_add64(0x9e3779b9u, (uint64_t)ports << 8 | proto),
				      addr[1] ^ addr[3]));
}

/* The IPv4 header of a pushed packet: its length, its id unless DF says
 * it never needs one, and the checksum. */
static void
finish_ipv4(uint8_t *ip, const uint8_t *tip, uint16_t tot, uint16_t *ip_id)
{
	uint16_t id = vs_get16(tip + 4);
	uint32_t sum;

	vs_put16(ip + 2, tot);
	if (!(tip[6] & (IP_DF >> 8))) {
		id = htons((*ip_id)++);
		vs_put16(ip + 4, id);
	}
	/* The checksum from the template's fixed words and the two new ones,
	 * not read back from the packet: a wide load of bytes just written
	 * in 16-bit stores waits for them (no store forwarding). */
	sum = csum_add(0, tip, 2) + csum_add(0, tip + 6, 4) + csum_add(0, tip + 12, 8);
	vs_put16(ip + 10, csum_finish(sum + tot + id));
}

enum dp_tnl_err
dp_tnl_push(struct rte_mbuf *m, const uint8_t *hdr, uint16_t len, uint8_t flags, uint16_t mtu,
	    uint16_t *ip_id)
{
	uint32_t inner = rte_pktmbuf_pkt_len(m), outer = inner + len;
	const bool v6 = hdr[12] == ETH_TYPE_IPV6 >> 8; /* the template's EtherType */
	const uint32_t l4 = v6 ? 14 + 40 : 14 + 20;
	uint16_t sport, udp_len;
	uint8_t *p, *ip, *udp;

	if (mtu && outer - 14 > mtu) {
		return DP_TNL_ERR_MTU;
	}
	if (outer - 14 > UINT16_MAX) {
		return DP_TNL_ERR_MTU;
	}
	/* The hash scaled to the range: a multiply, not a division. */
	sport = (uint16_t)(DP_TNL_UDP_SPORT_MIN +
			   ((uint64_t)inner_flow_hash(m) *
				    (DP_TNL_UDP_SPORT_MAX - DP_TNL_UDP_SPORT_MIN + 1) >>
			    32));
	p = (uint8_t *)rte_pktmbuf_prepend(m, len);
	if (!p) {
		return DP_TNL_ERR_HEADROOM;
	}
	memcpy(p, hdr, len);
	ip = p + 14;
	udp = p + l4;
	udp_len = (uint16_t)(outer - l4);
	if (v6) {
		vs_put16(ip + 4, htons(udp_len)); /* the payload: UDP, all of it */
	} else {
		finish_ipv4(ip, hdr + 14, htons((uint16_t)(outer - 14)), ip_id);
	}
	vs_put16(udp, htons(sport));
	vs_put16(udp + 4, htons(udp_len));
	if (flags & DP_TNL_F_CSUM) {
		uint16_t c = csum_finish(udp_sum(m, 14, l4, udp_len, v6));

		vs_put16(udp + 6, c ? c : 0xffff); /* 0 would mean "none" */
	}
	dp_pkt_set_layers(m, 14, (uint16_t)l4, IPPROTO_UDP);
	return DP_TNL_OK;
}

enum dp_tnl_err
dp_tnl_pop(struct rte_mbuf *m, enum dp_tnl_type type, struct dp_tnl_md *md)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint64_t ip_ol = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	const uint64_t l4_ol = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	struct dp_tnl_layout lay;
	enum dp_tnl_err err = dp_tnl_parse(
		p, rte_pktmbuf_data_len(m), rte_pktmbuf_pkt_len(m), type,
		ip_ol == RTE_MBUF_F_RX_IP_CKSUM_GOOD ? DP_TNL_IP_CSUM_GOOD : 0, md, &lay);

	if (err != DP_TNL_OK) {
		return err;
	}
	if (!lay.ipv6 && ip_ol == RTE_MBUF_F_RX_IP_CKSUM_BAD) {
		return DP_TNL_ERR_CSUM;
	}
	/* A zero UDP checksum is none, whatever a device made of it. */
	if (lay.udp_csum &&
	    (l4_ol == RTE_MBUF_F_RX_L4_CKSUM_BAD ||
	     (l4_ol != RTE_MBUF_F_RX_L4_CKSUM_GOOD && l4_ol != RTE_MBUF_F_RX_L4_CKSUM_NONE &&
	      csum_finish(udp_sum(m, lay.l3, lay.udp, (uint16_t)lay.udp_len, lay.ipv6))))) {
		return DP_TNL_ERR_CSUM;
	}
	/* Ethernet padding after the IP packet is not the inner frame's. */
	if (lay.pad && rte_pktmbuf_trim(m, (uint16_t)lay.pad)) {
		return DP_TNL_ERR_BAD;
	}
	m->ol_flags &= ~(RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK);
	rte_pktmbuf_adj(m, (uint16_t)lay.outer);
	return DP_TNL_OK;
}
