/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Builds well-formed test frames (Ethernet, VLAN tags, ARP, IPv4/IPv6,
 * TCP/UDP/SCTP/ICMP/ICMPv6) with correct checksums, for unit tests,
 * benchmarks and the few frames the daemon writes itself (the tunnels'
 * ARP requests and neighbour solicitations). Pure; no DPDK.
 */
#ifndef VS_PKTGEN_H
#define VS_PKTGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pktgen_l3 { PKTGEN_L3_NONE, PKTGEN_L3_IPV4, PKTGEN_L3_IPV6, PKTGEN_L3_ARP };

/* Every multi-byte value is in host order. */
struct pktgen_spec {
	uint8_t eth_dst[6];
	uint8_t eth_src[6];
	unsigned int n_vlans;  /* 0, 1 or 2 */
	uint16_t vlan_tpid[2]; /* 0 means 0x8100 */
	uint16_t vlan_tci[2];  /* outermost first */
	uint16_t eth_type;     /* used when l3 is PKTGEN_L3_NONE */
	enum pktgen_l3 l3;
	uint32_t ip4_src, ip4_dst;
	uint8_t ip6_src[16], ip6_dst[16];
	uint32_t ip6_label;
	uint8_t proto; /* 6, 17, 132, 1, 58 get a header; others just payload */
	uint8_t tos, ttl;
	uint16_t ip4_frag; /* flags and offset field, raw */
	uint16_t sport, dport;
	uint8_t tcp_flags;
	uint8_t icmp_type, icmp_code;
	/* ICMPv6 type 135 (solicitation) or 136 (advertisement): the target,
	 * and a source (135) or target (136) link-layer address option. */
	uint8_t nd_target[16], nd_lla[6];
	uint16_t arp_op;
	uint8_t arp_sha[6], arp_tha[6];
	uint32_t arp_spa, arp_tpa;
	uint16_t payload_len;
};

/* Writes the frame described by 'spec' into 'buf' (of 'size' bytes).
 * Returns its length, or 0 if it does not fit. */
size_t pktgen_build(const struct pktgen_spec *spec, uint8_t *buf, size_t size);

/* A spec for a UDP/IPv4 frame between two addresses and ports. */
struct pktgen_spec pktgen_udp4(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport);

/* A spec for what asks a neighbour's MAC, from 'mac': without 'v6' an ARP
 * request from 'src' for 'target' (4 bytes each, network order); with it a
 * neighbour solicitation (16 bytes each) to the target's solicited-node
 * address, hop limit 255, 'mac' as its source link-layer option (RFC 4861). */
struct pktgen_spec pktgen_neigh_request(bool v6, const uint8_t mac[6], const uint8_t *src,
					const uint8_t *target);

#endif /* VS_PKTGEN_H */
