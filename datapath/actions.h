/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Datapath actions: what a megaflow does to the packets that hit it. A
 * megaflow holds a short array of fixed-size actions executed in order on a
 * whole batch of packets at once. An empty list drops.
 *
 * Header rewrites keep checksums valid by incremental update (IPv4 header,
 * TCP/UDP/ICMPv6 pseudo-header) or recomputation (SCTP CRC32c). They need
 * to know where the headers are: dp_pkt_set_layers() records what flow key
 * extraction found in fields of the mbuf that nothing else uses on this
 * path: l2_len holds the offset of L3, l3_len the length from L3 to L4 (0
 * when either is absent), and the low byte of packet_type the IP protocol.
 */
#ifndef VS_ACTIONS_H
#define VS_ACTIONS_H

#include <stdint.h>

#include "pkt_batch.h"

enum dp_action_type {
	DP_ACTION_OUTPUT,    /* port */
	DP_ACTION_PUSH_VLAN, /* vlan.tpid, vlan.tci */
	DP_ACTION_POP_VLAN,  /* removes the outermost tag, if any */
	DP_ACTION_SET_VLAN,  /* outermost tag: tci = (tci & ~mask) | (vlan.tci & mask) */
	DP_ACTION_SET_ETH,   /* flags: DP_SET_SRC, DP_SET_DST */
	DP_ACTION_SET_IPV4,  /* flags: DP_SET_SRC, DP_SET_DST, DP_SET_TOS, DP_SET_TTL */
	DP_ACTION_SET_IPV6,  /* flags: DP_SET_SRC, DP_SET_DST, DP_SET_TOS, DP_SET_TTL, DP_SET_LABEL
			      */
	DP_ACTION_SET_L4,    /* flags: DP_SET_SRC, DP_SET_DST; TCP, UDP or SCTP ports,
			      * ICMP and ICMPv6 type (src) and code (dst) */
	DP_ACTION_DEC_TTL,   /* IPv4 TTL or IPv6 hop limit; drops at 0 or 1 */
	DP_ACTION_USERSPACE, /* hands a copy to the slow path, with 'cookie' */
	DP_ACTION_PUSH_MPLS, /* mpls.ethertype, mpls.lse: a label after the L2 header */
	DP_ACTION_POP_MPLS,  /* mpls.ethertype: the new EtherType */
	DP_ACTION_SET_MPLS,  /* first label: lse = (lse & ~mpls.mask) | (mpls.lse & mpls.mask) */
	DP_ACTION_DEC_MPLS_TTL, /* drops at 0 or 1 */
	DP_ACTION_PUSH_PBB,     /* mpls.lse: the I-TAG; B-DA/B-SA copied from the frame */
	DP_ACTION_POP_PBB,      /* removes B-DA, B-SA, B-tags and the I-TAG */
	DP_ACTION_SET_PBB,      /* I-TAG, as SET_MPLS */
	DP_ACTION_CLONE,        /* port: the next 'port' actions run on a copy */
	DP_ACTION_METER,        /* port: the meter (dp_meter_set()); may drop or remark */
	DP_ACTION_SET_ARP,      /* flags: DP_SET_SRC (SPA), DP_SET_DST (TPA), DP_SET_SHA,
				 * DP_SET_THA, DP_SET_OP; Ethernet/IPv4 ARP only */
	DP_ACTION_SET_ND,       /* flags: DP_SET_DST (target), DP_SET_SHA (source link-layer
				 * option), DP_SET_THA (target link-layer option) */
	DP_ACTION_COPY_TTL,     /* flags: DP_SET_SRC copies inward (copy_ttl_in), else
				 * outward; between the MPLS label and the IP header */
	DP_ACTION_TNL_PUSH,     /* tnl: prepends the header template held by the tnl.n_data
				 * DATA actions that follow (mask: its length; flags:
				 * DP_TNL_F_* of tunnel.h; tnl.mtu; tnl.port counts it) */
	DP_ACTION_DATA,         /* data: bytes for the action before it; does nothing */
	DP_ACTION_TNL_POP,      /* decapsulates (tnl.type) and processes the inner frame
				 * as input on the tunnel port of its VNI: one of the
				 * tnl.key (VNI, port) pairs in the tnl.n_data DATA
				 * actions that follow, else 'port' (UINT32_MAX: none) */
	DP_ACTION_RECIRC,       /* port: processes the packets as input on 'port' */
	DP_ACTION__MAX,
};

enum {
	DP_ACTION_DATA_LEN = 40, /* bytes one DP_ACTION_DATA holds */
	DP_SET_SRC = 1 << 0,
	DP_SET_DST = 1 << 1,
	DP_SET_TOS = 1 << 2,
	DP_SET_TTL = 1 << 3,
	DP_SET_LABEL = 1 << 4,
	DP_SET_SHA = 1 << 5,
	DP_SET_THA = 1 << 6,
	DP_SET_OP = 1 << 7,
};

/* Every value in network byte order, except port and cookie. */
struct dp_action {
	uint8_t type;
	uint8_t flags;
	uint16_t mask; /* SET_VLAN: TCI bits to change */
	uint32_t port; /* OUTPUT */
	union {
		struct {
			uint16_t tpid;
			uint16_t tci;
		} vlan;
		struct {
			uint8_t src[6];
			uint8_t dst[6];
		} eth;
		struct {
			uint32_t src;
			uint32_t dst;
			uint8_t tos;
			uint8_t ttl;
		} ipv4;
		struct {
			uint8_t src[16];
			uint8_t dst[16];
			uint32_t label;
			uint8_t tc;
			uint8_t hlimit;
		} ipv6;
		struct {
			uint16_t src;
			uint16_t dst;
		} l4;
		struct {
			uint8_t sha[6];
			uint8_t tha[6];
			uint32_t spa;
			uint32_t tpa;
			uint16_t op;
		} arp;
		struct {
			uint8_t target[16];
			uint8_t sll[6];
			uint8_t tll[6];
		} nd;
		struct {
			uint16_t ethertype;
			uint32_t lse, mask;
		} mpls;
		struct {
			uint32_t port; /* TNL_PUSH: the tunnel port, for its counters */
			uint32_t key;  /* TNL_POP: how many (VNI, port) pairs */
			uint16_t mtu;  /* TNL_PUSH: the underlay's (IP packet), 0: none */
			uint8_t n_data;
			uint8_t type; /* enum dp_tnl_type */
		} tnl;
		uint8_t data[DP_ACTION_DATA_LEN];
		uint64_t cookie;
	};
};
_Static_assert(sizeof(struct dp_action) == 8 + DP_ACTION_DATA_LEN, "data fills the union");

/* A TNL_POP's (VNI, port) pair, DP_TNL_PAIRS to a DATA action. */
struct dp_action_tnl_pair {
	uint32_t key, port;
};
enum { DP_TNL_PAIRS = DP_ACTION_DATA_LEN / sizeof(struct dp_action_tnl_pair) };

/* Why an action could not be applied to a packet (the packet is dropped). */
enum dp_action_err {
	DP_ACTION_OK,
	DP_ACTION_ERR_NO_HEADROOM, /* push_vlan without room in the mbuf */
	DP_ACTION_ERR_TTL,         /* dec_ttl on TTL 0 or 1 */
};

/* Records the layer offsets and IP protocol of 'm' for the actions. An L4
 * header more than 511 bytes after L3 (long IPv6 extension chains) is
 * recorded as absent: its ports can be matched but not rewritten. */
static inline void
dp_pkt_set_layers(struct rte_mbuf *m, uint16_t l3_ofs, uint16_t l4_ofs, uint8_t proto)
{
	uint64_t l2 = l3_ofs <= 127 ? l3_ofs : 0;
	uint64_t l3 = l4_ofs && l2 && l4_ofs - l3_ofs <= 511 ? (uint64_t)(l4_ofs - l3_ofs) : 0;
	uint64_t both = ((1ull << (RTE_MBUF_L2_LEN_BITS + RTE_MBUF_L3_LEN_BITS)) - 1)
			<< RTE_MBUF_L2_LEN_OFS;

	/* Both bit-fields in one store: writing them one after the other made
	 * the second's read of the shared bytes wait for the first's narrower
	 * store (no forwarding): in the tunnel layout perf put two thirds of
	 * process_batch()'s samples on that load. */
	m->tx_offload =
		(m->tx_offload & ~both) | l2 << RTE_MBUF_L2_LEN_OFS | l3 << RTE_MBUF_L3_LEN_OFS;
	m->packet_type = proto;
}

static inline uint8_t
dp_pkt_proto(const struct rte_mbuf *m)
{
	return (uint8_t)m->packet_type;
}

/* Applies one header-rewriting action (not OUTPUT or USERSPACE) to 'm'.
 * Returns DP_ACTION_OK or why the packet must be dropped. Any thread. */
enum dp_action_err dp_action_apply(const struct dp_action *a, struct rte_mbuf *m);

/* True when 'a' changes packet contents (a clone does not: its actions,
 * which follow it, may). */
static inline int
dp_action_modifies(const struct dp_action *a)
{
	return a->type != DP_ACTION_OUTPUT && a->type != DP_ACTION_USERSPACE &&
	       a->type != DP_ACTION_CLONE && a->type != DP_ACTION_DATA;
}

/* Raises the drop precedence of an IP packet's DSCP (bits 1-2) by
 * 'prec_level', up to 3, keeping the IPv4 checksum valid. */
void dp_pkt_remark_dscp(struct rte_mbuf *m, uint8_t prec_level);

#endif /* VS_ACTIONS_H */
