/* SPDX-License-Identifier: Apache-2.0 */
/*
 * VXLAN (RFC 7348) and Geneve (RFC 8926) over UDP on IPv4 or IPv6, on
 * mbufs.
 *
 * Encapsulation prepends a header template (outer Ethernet, IPv4 or IPv6,
 * UDP and the tunnel header) that the slow path builds once per megaflow
 * with dp_tnl_header_build(); per packet only the lengths, the IPv4 id and
 * checksum, the UDP source port (a hash of the inner flow, for ECMP in the
 * underlay) and, when asked, the UDP checksum are filled in.
 *
 * Decapsulation checks the outer headers, strips them and returns what the
 * flow key's tunnel fields need (flow_key.h). A frame it cannot trust is
 * refused with the reason, for a named drop counter.
 */
#ifndef VS_TUNNEL_H
#define VS_TUNNEL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct rte_mbuf;

/* An underlay address: IPv6, or IPv4 mapped into it (::ffff:a.b.c.d), so
 * that one type serves both families; all zero: none. */
static inline struct in6_addr
dp_tnl_addr4(uint32_t ip) /* network order */
{
	struct in6_addr a = {{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}}};

	memcpy(&a.s6_addr[12], &ip, 4);
	return a;
}

static inline bool
dp_tnl_addr_is4(const struct in6_addr *a)
{
	return IN6_IS_ADDR_V4MAPPED(a);
}

/* The IPv4 address of 'a' (network order), 0 if it is IPv6. */
static inline uint32_t
dp_tnl_addr_get4(const struct in6_addr *a)
{
	uint32_t ip = 0;

	if (dp_tnl_addr_is4(a)) {
		memcpy(&ip, &a->s6_addr[12], 4);
	}
	return ip;
}

/* False for none: all zero, or IPv4 0.0.0.0. */
static inline bool
dp_tnl_addr_set(const struct in6_addr *a)
{
	return dp_tnl_addr_is4(a) ? dp_tnl_addr_get4(a) != 0 : !IN6_IS_ADDR_UNSPECIFIED(a);
}

static inline bool
dp_tnl_addr_eq(const struct in6_addr *a, const struct in6_addr *b)
{
	return !memcmp(a, b, sizeof *a);
}

/* 'a' as text, in 'buf' (INET6_ADDRSTRLEN bytes): dotted for IPv4. */
const char *dp_tnl_addr_str(const struct in6_addr *a, char *buf);
/* Reads an address of either family; false if 's' is not one. */
bool dp_tnl_addr_parse(const char *s, struct in6_addr *a);

enum dp_tnl_type {
	DP_TNL_VXLAN = 1,
	DP_TNL_GENEVE = 2,
};

enum {
	DP_TNL_VXLAN_PORT = 4789,
	DP_TNL_GENEVE_PORT = 6081,
	DP_TNL_OUTER_LEN = 14 + 20 + 8,        /* Ethernet, IPv4, UDP */
	DP_TNL_HDR_LEN = DP_TNL_OUTER_LEN + 8, /* with VXLAN or Geneve without options */
	DP_TNL_HDR6_LEN = DP_TNL_HDR_LEN + 20, /* the same over IPv6 */
	DP_TNL_UDP_SPORT_MIN = 32768,          /* the source port range, as Linux's */
	DP_TNL_UDP_SPORT_MAX = 60999,
	DP_TNL_ERR_MAX = 160,
	/* Geneve options as the flow key holds them (struct dp_tnl_optmap) */
	DP_TNL_OPT_FIELDS = 16,
	DP_TNL_OPT_SPACE = 12,
	DP_TNL_OPT_CRIT = 0x80,                     /* in an option's type */
	DP_TNL_OPTS_MAX = DP_TNL_OPT_SPACE + 4 * 3, /* with their headers */
	DP_TNL_HDR_MAX = DP_TNL_HDR6_LEN + DP_TNL_OPTS_MAX,
};

/* A tunnel port's options, as Open vSwitch's: remote_ip (an IPv4 or IPv6
 * address, or "flow": the tun_dst a flow sets, else its tun_ipv6_dst),
 * local_ip (of the remote's family, with remote_ip=flow the family the
 * port takes; default: the address the route to the remote gives), key
 * ("flow": the tun_id a flow sets; absent: 0), dst_port, tos and ttl (a
 * number or "inherit": the inner packet's), df_default and csum (true or
 * false; csum defaults to true over IPv6, where UDP without a checksum is
 * the exception (RFC 6935), to false over IPv4: with remote_ip=flow and
 * no csum, each packet's remote decides). */
struct dp_tnl_cfg {
	enum dp_tnl_type type;
	struct in6_addr remote_ip, local_ip; /* dp_tnl_addr: zero: none */
	bool remote_flow, key_flow;
	uint32_t key;      /* the VNI, host order */
	uint16_t dst_port; /* host order */
	int16_t tos, ttl;  /* -1: inherit */
	bool df, csum;
	bool csum_given; /* csum was in the options */
};

/* The type of port type name 'type' ("vxlan", "geneve"), 0 for others. */
enum dp_tnl_type dp_tnl_type_of(const char *type);

/* Fills 'cfg' from the options of a port of type 'type' ('get' returns the
 * value of a key, or NULL). Returns 0, or -EINVAL with 'err'
 * (DP_TNL_ERR_MAX bytes) naming the bad option and what it takes. */
int dp_tnl_cfg_parse(enum dp_tnl_type type, const char *(*get)(const void *aux, const char *key),
		     const void *aux, struct dp_tnl_cfg *cfg, char *err);

/* The option keys of a tunnel port, NULL-terminated. */
extern const char *const dp_tnl_options[];

/* What a header template says. Addresses and ports in network byte order. */
struct dp_tnl_params {
	enum dp_tnl_type type;
	uint8_t eth_src[6], eth_dst[6];
	struct in6_addr ip_src, ip_dst; /* both IPv4 (mapped) or both IPv6 */
	uint8_t tos, ttl;               /* IPv6: traffic class, hop limit */
	bool df;
	uint16_t udp_dst;
	uint32_t vni; /* host order, 24 bits */
	/* Geneve: options (from dp_tnl_opts_put()), 'crit' if one is critical */
	uint8_t opt_len;
	bool crit;
	uint8_t opts[DP_TNL_OPTS_MAX];
};

/* Writes the template of 'p' to 'hdr' (DP_TNL_HDR_MAX bytes); returns its
 * length (DP_TNL_HDR_LEN, or DP_TNL_HDR6_LEN over IPv6, and the options). */
uint16_t dp_tnl_header_build(const struct dp_tnl_params *p, uint8_t *hdr);

enum dp_tnl_err {
	DP_TNL_OK,
	DP_TNL_ERR_HEADROOM, /* no room to prepend the header */
	DP_TNL_ERR_MTU,      /* the outer packet would exceed the underlay MTU */
	DP_TNL_ERR_BAD,      /* truncated or malformed outer headers */
	DP_TNL_ERR_FRAG,     /* an outer IPv4 fragment, or IPv6 with a fragment header */
	DP_TNL_ERR_CSUM,     /* a wrong outer IPv4 or UDP checksum */
	DP_TNL_ERR_OPT,      /* a Geneve option marked critical that no map names */
};

enum {
	DP_TNL_F_CSUM = 1 << 0, /* push: compute the outer UDP checksum */
};

/* Prepends 'hdr' ('len' bytes, from dp_tnl_header_build()) to 'm' and
 * completes it. 'mtu' is the largest outer IP packet (0: no limit);
 * 'ip_id' counts the ids of packets sent without DF. On success the layer
 * offsets of 'm' (actions.h) describe the outer headers. */
enum dp_tnl_err dp_tnl_push(struct rte_mbuf *m, const uint8_t *hdr, uint16_t len, uint8_t flags,
			    uint16_t mtu, uint16_t *ip_id);

/* What decapsulation found: the flow key's tunnel fields, and where those
 * that do not fit here are. The outer headers stay in the mbuf's headroom
 * once stripped, until something is prepended: the Geneve options are the
 * 'opt_len' bytes just before the inner frame, for the tunnel port's map
 * to take into the key (dp_tnl_opts_take()), and an IPv6 underlay's outer
 * header starts 'ip6_back' bytes before it (dp_tnl_md_addr6()). Sixteen
 * bytes: the datapath copies it per packet. */
struct dp_tnl_md {
	uint32_t vni;              /* host order, 24 bits: the key's tun_id */
	uint32_t tun_src, tun_dst; /* an IPv4 underlay's; zero over IPv6 */
	uint8_t opt_len;           /* Geneve: bytes of options, well formed */
	uint8_t pad;
	uint16_t ip6_back; /* an IPv6 underlay's; zero over IPv4 */
};

/* The outer IPv6 source and destination of the inner frame at 'inner'
 * that 'md' describes (md->ip6_back not zero), into 'src' and 'dst'. */
static inline void
dp_tnl_md_addr6(const struct dp_tnl_md *md, const uint8_t *inner, uint8_t src[16], uint8_t dst[16])
{
	const uint8_t *ip6 = inner - md->ip6_back;

	memcpy(src, ip6 + 8, 16);
	memcpy(dst, ip6 + 24, 16);
}

/* A Geneve tunnel port's option map (its bridge's, ofp_tlv.h): which
 * options become which tun_metadataN field of the flow key, and where
 * their bytes go in its tun_md. */
struct dp_tnl_optmap {
	uint8_t n;
	struct dp_tnl_opt {
		uint16_t opt_class; /* host order */
		uint8_t type;
		uint8_t len;   /* bytes of data: 4 to 12, a multiple of 4 */
		uint8_t index; /* N of tun_metadataN */
		uint8_t ofs;   /* its place in tun_md */
	} m[DP_TNL_OPT_FIELDS];
};

/* Takes the options of a received packet ('len' bytes at 'opts', as
 * dp_tnl_parse() accepted them) that 'map' (may be NULL: none) names into
 * '*present' (bit N: tun_metadataN) and 'md' (DP_TNL_OPT_SPACE bytes; both
 * zero on entry). An option of the map's class and type but another length
 * is not taken. Returns false if an option marked critical is not taken:
 * the packet must be dropped (DP_TNL_ERR_OPT). Pure. */
bool dp_tnl_opts_take(const uint8_t *opts, uint32_t len, const struct dp_tnl_optmap *map,
		      uint16_t *present, uint8_t *md);

/* Writes the options of 'present' (bit N: tun_metadataN, with its bytes in
 * 'md' at the map's place) as Geneve options to 'out' (room for
 * DP_TNL_OPTS_MAX bytes), in field order. Returns their length, and sets
 * '*crit' if one is marked critical. Fields the map does not name are
 * left out. Pure. */
uint32_t dp_tnl_opts_put(const struct dp_tnl_optmap *map, uint16_t present, const uint8_t *md,
			 uint8_t *out, bool *crit);

/* Where a received tunnel packet's parts are (byte offsets). */
struct dp_tnl_layout {
	uint32_t l3, udp, udp_len;
	bool ipv6;
	bool udp_csum;  /* the UDP checksum is not zero: to be checked */
	uint32_t outer; /* bytes of outer headers, up to the inner frame */
	uint32_t pad;   /* bytes after the IP packet (Ethernet padding) */
};

/* What the receiving device checked already (dp_tnl_pop(), from the
 * mbuf's flags): then dp_tnl_parse() does not sum the IPv4 header. */
enum { DP_TNL_IP_CSUM_GOOD = 1 << 0 };

/* Checks the outer headers of a frame of 'total' bytes whose first 'head'
 * are at 'p' (Ethernet with up to two VLAN tags, IPv4 or IPv6 without
 * extension headers, UDP, then a 'type' header, all within 'head'), except
 * the UDP checksum and what 'checked' (DP_TNL_IP_CSUM_GOOD) says was; fills
 * 'md' and 'lay'. Never reads outside [p, p + head). Pure. */
enum dp_tnl_err dp_tnl_parse(const uint8_t *p, uint32_t head, uint32_t total, enum dp_tnl_type type,
			     unsigned int checked, struct dp_tnl_md *md, struct dp_tnl_layout *lay);

/* The UDP pseudo-header sum of the packet at 'p' that 'lay' describes. */
uint32_t dp_tnl_udp_pseudo_sum(const uint8_t *p, const struct dp_tnl_layout *lay);

/* dp_tnl_parse() of 'm', then the UDP checksum (when not zero); strips
 * the outer headers, leaving the inner frame. A checksum that the
 * receiving device checked is taken as its flags say (the IPv4 header's:
 * RTE_MBUF_F_RX_IP_CKSUM_GOOD or _BAD; UDP's: RTE_MBUF_F_RX_L4_CKSUM_GOOD,
 * _NONE or _BAD), one it did not is summed; the inner frame leaves without
 * those flags, which were the outer headers'. On error 'm' is unchanged. */
enum dp_tnl_err dp_tnl_pop(struct rte_mbuf *m, enum dp_tnl_type type, struct dp_tnl_md *md);

#endif /* VS_TUNNEL_H */
