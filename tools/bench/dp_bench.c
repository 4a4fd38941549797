/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dp-bench: drives the real datapath pipeline (flow key extraction, EMC,
 * megaflow classifier, grouped execution, buffered output) on synthetic
 * UDP packets with no I/O, and prints cycles per packet and Mpps for a set
 * of cases, the median of several runs.
 *
 * The packets are 32 mbufs reused batch after batch: before each batch the
 * bench writes the flow's addresses into them, and after it takes them back
 * from the output port's ring. cycles/packet is the datapath's own counter
 * (TSC cycles inside dp_pmd_process() per packet); Mpps is wall-clock and
 * includes the bench's rewriting of the packets.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include "csum.h"
#include "dp.h"
#include "emc.h"
#include "pktgen.h"
#include "port_mem.h"
#include "random.h"
#include "tunnel.h"

/* The megaflows a case installs: one per traffic flow, over n_masks
 * subtables; or one that matches only in_port (a rule-only table), which
 * the rule-only path serves; or the same with that path kept off by a
 * megaflow that wildcards in_port (on an EtherType no packet has).
 * TABLE_VXLAN_ENCAP: the per-flow megaflows send to a VXLAN port, as the
 * translation makes them when it folds the underlay bridge in: the packet
 * is encapsulated and sent out in one pass; TABLE_VXLAN_ENCAP_RECIRC: as
 * when it cannot, the encapsulated packet enters the underlay bridge on
 * its local port, whose rule-only megaflow sends it out; TABLE_VXLAN_DECAP:
 * the traffic arrives encapsulated, one megaflow decapsulates it onto the
 * VXLAN port, whose per-flow megaflows send it out; TABLE_VXLAN_ENCAP_L2:
 * one megaflow on in_port encapsulates every frame, as NORMAL's do (the
 * rule-only path serves it); TABLE_VXLAN_DECAP_L2:
 * the same, but one megaflow on in_port sends every inner frame out, as
 * NORMAL's do (the rule-only path serves the tunnel port). The vxlan6_
 * cases are the same over IPv6, with UDP checksums both ways (a port's
 * default there); a _rxcsum case's packets arrive with a NIC's verdict on
 * it (good), as a dpdk port's NIC gives one, so it is not summed. The
 * geneve_opt_ cases are TABLE_VXLAN_DECAP over Geneve whose packets carry
 * one 4-byte option (class 0x0102, as OVN's), which the inner megaflows
 * match too. */
enum bench_table {
	TABLE_PER_FLOW,
	TABLE_IN_PORT,
	TABLE_IN_PORT_NO_SIMPLE,
	TABLE_VXLAN_ENCAP_RECIRC,
	TABLE_VXLAN_ENCAP,
	TABLE_VXLAN_ENCAP_L2,
	TABLE_VXLAN_DECAP,
	TABLE_VXLAN_DECAP_L2,
};

static inline bool
encap_table(enum bench_table t)
{
	return t == TABLE_VXLAN_ENCAP || t == TABLE_VXLAN_ENCAP_L2 || t == TABLE_VXLAN_ENCAP_RECIRC;
}

static inline bool
decap_table(enum bench_table t)
{
	return t == TABLE_VXLAN_DECAP || t == TABLE_VXLAN_DECAP_L2;
}

struct bench_case {
	const char *name;
	uint32_t n_masks;
	uint32_t n_flows; /* distinct packets in the traffic */
	bool emc;
	enum bench_table table;
	bool ipv6;          /* the tunnel cases' underlay */
	unsigned int flags; /* BENCH_* */
};

enum {
	BENCH_RX_CSUM = 1 << 0,    /* decapsulation: the outer checksum checked by the NIC */
	BENCH_GENEVE_OPT = 1 << 1, /* Geneve with an option the inner megaflows match */
};

static const struct bench_case cases[] = {
	{"emc_hit_1flow", 1, 1, true, TABLE_PER_FLOW, false, 0},
	{"megaflow_1subtable", 1, 16, false, TABLE_PER_FLOW, false, 0},
	{"megaflow_8subtables", 8, 8 * 16, false, TABLE_PER_FLOW, false, 0},
	{"megaflow_32subtables", 32, 32 * 16, false, TABLE_PER_FLOW, false, 0},
	{"flows_1k", 4, 1000, true, TABLE_PER_FLOW, false, 0},
	{"flows_100k", 4, 100000, true, TABLE_PER_FLOW, false, 0},
	{"flows_1m", 4, 1000000, true, TABLE_PER_FLOW, false, 0},
	{"in_port_1m", 1, 1000000, true, TABLE_IN_PORT, false, 0},
	{"in_port_1m_no_simple", 1, 1000000, true, TABLE_IN_PORT_NO_SIMPLE, false, 0},
	{"vxlan_encap_1flow", 1, 1, true, TABLE_VXLAN_ENCAP, false, 0},
	{"vxlan_decap_1flow", 1, 1, true, TABLE_VXLAN_DECAP, false, 0},
	{"vxlan_encap_1k", 4, 1000, true, TABLE_VXLAN_ENCAP, false, 0},
	{"vxlan_encap_l2_1flow", 1, 1, true, TABLE_VXLAN_ENCAP_L2, false, 0},
	{"vxlan_encap_l2_1k", 4, 1000, true, TABLE_VXLAN_ENCAP_L2, false, 0},
	{"vxlan_encap_recirc_1flow", 1, 1, true, TABLE_VXLAN_ENCAP_RECIRC, false, 0},
	{"vxlan_encap_recirc_1k", 4, 1000, true, TABLE_VXLAN_ENCAP_RECIRC, false, 0},
	{"vxlan_decap_1k", 4, 1000, true, TABLE_VXLAN_DECAP, false, 0},
	{"vxlan_decap_l2_1flow", 1, 1, true, TABLE_VXLAN_DECAP_L2, false, 0},
	{"vxlan_decap_l2_1k", 4, 1000, true, TABLE_VXLAN_DECAP_L2, false, 0},
	{"vxlan6_encap_1flow", 1, 1, true, TABLE_VXLAN_ENCAP, true, 0},
	{"vxlan6_decap_1flow", 1, 1, true, TABLE_VXLAN_DECAP, true, 0},
	{"vxlan6_decap_1k", 4, 1000, true, TABLE_VXLAN_DECAP, true, 0},
	{"vxlan6_decap_l2_1flow", 1, 1, true, TABLE_VXLAN_DECAP_L2, true, 0},
	{"vxlan6_decap_l2_1flow_rxcsum", 1, 1, true, TABLE_VXLAN_DECAP_L2, true, BENCH_RX_CSUM},
	{"geneve_opt_decap_1flow", 1, 1, true, TABLE_VXLAN_DECAP, false, BENCH_GENEVE_OPT},
	{"geneve_opt_decap_1k", 4, 1000, true, TABLE_VXLAN_DECAP, false, BENCH_GENEVE_OPT},
};

/* The outer header of the tunnel cases: 10.9.0.1 -> 10.9.0.2, VNI 100. */
static const struct dp_tnl_params bench_tnl = {
	.type = DP_TNL_VXLAN,
	.eth_src = {0x02, 0, 0, 0, 0x09, 1},
	.eth_dst = {0x02, 0, 0, 0, 0x09, 2},
	.ip_src = {{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 9, 0, 1}}},
	.ip_dst = {{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 9, 0, 2}}},
	.ttl = 64,
	.df = true,
	.udp_dst = 0xb512,
	.vni = 100,
};

/* The geneve_opt_ cases' option, tun_metadata0 in the key, and its value. */
static const struct dp_tnl_optmap bench_optmap = {1, {{0x0102, 0x80, 4, 0, 0}}};
static const uint8_t bench_opt_value[4] = {0, 0, 0x12, 0x34};

/* The same over IPv6: fd00:9::1 -> fd00:9::2. */
static const struct dp_tnl_params bench_tnl6 = {
	.type = DP_TNL_VXLAN,
	.eth_src = {0x02, 0, 0, 0, 0x09, 1},
	.eth_dst = {0x02, 0, 0, 0, 0x09, 2},
	.ip_src = {{{0xfd, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}}},
	.ip_dst = {{{0xfd, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}}},
	.ttl = 64,
	.udp_dst = 0xb512,
	.vni = 100,
};

struct result {
	double cycles_per_pkt;
	double mpps;
	double probes_per_hit;
	double emc_hit_rate;
	double simple_hit_rate; /* served by the rule-only path */
	double smc_hit_rate;    /* megaflow hits the signature-match cache found */
};

struct bench {
	struct rte_mempool *mp;
	struct rte_mbuf *pkts[PKT_BATCH_MAX];
	enum bench_table table;
	const struct dp_tnl_params *tnl; /* bench_tnl, bench_tnl6 or 'geneve' */
	struct dp_tnl_params geneve;     /* bench_tnl over Geneve with the option */
	bool rx_csum;                    /* bench_case's BENCH_RX_CSUM */
	uint16_t hlen;                   /* of its header */
	uint8_t outer[DP_TNL_HDR_MAX];   /* TABLE_VXLAN_DECAP: the received header */
	uint32_t *src, *dst;             /* per flow, network order */
	uint32_t *seq;                   /* flow index of each packet */
	uint32_t seq_mask;
};

/* Flow i of a case lives in subtable i % n_masks. Subtable s matches nw_dst
 * exactly and nw_src on a /(32 - s) prefix; flows of different subtables
 * differ in bits 16-20 of nw_dst, so no packet matches two subtables. */
static void
flow_addrs(uint32_t i, uint32_t n_masks, uint32_t *src, uint32_t *dst)
{
	uint32_t s = i % n_masks, j = i / n_masks;

	*dst = htonl(0x0a000000 | (j >> 16) << 21 | s << 16 | (j & 0xffff));
	*src = htonl(0xc0a80000u | (j & 0xff) << 8);
}

static void
install(struct dp *dp, uint32_t in_port, uint32_t out_port, const struct bench_case *c,
	struct bench *b)
{
	struct dp_action out = {.type = DP_ACTION_OUTPUT, .port = out_port};
	struct flow_key key = {.in_port = in_port}, mask = {.in_port = UINT32_MAX};

	if (c->table != TABLE_PER_FLOW) {
		for (uint32_t i = 0; i < c->n_flows; i++) {
			flow_addrs(i, c->n_masks, &b->src[i], &b->dst[i]);
		}
		if (dp_flow_put(dp, &key, &mask, &out, 1) ||
		    (c->table == TABLE_IN_PORT_NO_SIMPLE &&
		     dp_flow_put(dp, &(struct flow_key){.eth_type = htons(0x88b5)},
				 &(struct flow_key){.eth_type = 0xffff}, &out, 1))) {
			fprintf(stderr, "dp-bench: cannot install the in_port flow\n");
			exit(1);
		}
		return;
	}
	for (uint32_t i = 0; i < c->n_flows; i++) {
		uint32_t s = i % c->n_masks;

		memset(&key, 0, sizeof key);
		memset(&mask, 0, sizeof mask);
		flow_addrs(i, c->n_masks, &b->src[i], &b->dst[i]);
		key.in_port = in_port;
		key.eth_type = htons(0x0800);
		key.nw_src.ipv4 = b->src[i];
		key.nw_dst.ipv4 = b->dst[i];
		mask.in_port = 0xffffffff;
		mask.eth_type = 0xffff;
		mask.nw_dst.ipv4 = 0xffffffff;
		mask.nw_src.ipv4 = htonl(s == 0 ? 0xffffffffu : ~((1u << s) - 1));
		if (dp_flow_put(dp, &key, &mask, &out, 1)) {
			fprintf(stderr, "dp-bench: cannot install flow %u\n", i);
			exit(1);
		}
	}
}

/* The megaflows of the tunnel cases: the traffic's own (on the input
 * port, or the VXLAN port's after decapsulation), and the underlay's. */
static void
install_tunnel(struct dp *dp, const uint32_t no[4], const struct bench_case *c, struct bench *b)
{
	enum { IN, OUT, UND, VX };
	bool one_pass = c->table == TABLE_VXLAN_ENCAP || c->table == TABLE_VXLAN_ENCAP_L2;
	bool encap = encap_table(c->table);
	struct dp_action acts[5] = {{.type = DP_ACTION_CLONE, .port = 4},
				    {.type = DP_ACTION_TNL_PUSH},
				    {.type = DP_ACTION_DATA},
				    {.type = DP_ACTION_DATA},
				    {.type = DP_ACTION_RECIRC, .port = no[UND]}};
	struct dp_action out = {.type = DP_ACTION_OUTPUT, .port = no[OUT]};
	struct dp_action_tnl_pair pair = {b->tnl->vni, no[VX]};
	uint8_t hdr[DP_TNL_HDR_MAX];
	uint16_t len = dp_tnl_header_build(b->tnl, hdr);
	struct flow_key key, mask;
	int bad = 0;

	acts[1].mask = len;
	acts[1].flags = c->ipv6 ? DP_TNL_F_CSUM : 0;
	acts[1].tnl.port = no[VX];
	acts[1].tnl.mtu = 1500;
	acts[1].tnl.n_data = 2;
	memcpy(acts[2].data, hdr, DP_ACTION_DATA_LEN);
	memcpy(acts[3].data, hdr + DP_ACTION_DATA_LEN,
	       VS_MIN(len - DP_ACTION_DATA_LEN, DP_ACTION_DATA_LEN));
	if (one_pass) {
		acts[4] = out;
	}
	if (c->table == TABLE_VXLAN_DECAP_L2) {
		bad |= dp_flow_put(dp, &(struct flow_key){.in_port = no[VX]},
				   &(struct flow_key){.in_port = UINT32_MAX}, &out, 1);
	} else if (c->table == TABLE_VXLAN_ENCAP_L2) {
		bad |= dp_flow_put(dp, &(struct flow_key){.in_port = no[IN]},
				   &(struct flow_key){.in_port = UINT32_MAX}, acts, 5);
	}
	for (uint32_t i = 0; i < c->n_flows; i++) {
		uint32_t s = i % c->n_masks;

		flow_addrs(i, c->n_masks, &b->src[i], &b->dst[i]);
		if (c->table == TABLE_VXLAN_DECAP_L2 || c->table == TABLE_VXLAN_ENCAP_L2) {
			continue;
		}
		memset(&key, 0, sizeof key);
		memset(&mask, 0, sizeof mask);
		key.in_port = encap ? no[IN] : no[VX];
		key.eth_type = htons(0x0800);
		key.nw_src.ipv4 = b->src[i];
		key.nw_dst.ipv4 = b->dst[i];
		mask.in_port = 0xffffffff;
		mask.eth_type = 0xffff;
		mask.nw_dst.ipv4 = 0xffffffff;
		mask.nw_src.ipv4 = htonl(s == 0 ? 0xffffffffu : ~((1u << s) - 1));
		if (!encap) {
			key.tun_id = htobe64(b->tnl->vni);
			mask.tun_id = UINT64_MAX;
		}
		if (c->flags & BENCH_GENEVE_OPT) {
			key.tun_md_present = 1;
			memcpy(key.tun_md, bench_opt_value, 4);
			mask.tun_md_present = UINT16_MAX;
			memset(mask.tun_md, 0xff, 4);
		}
		bad |= encap ? dp_flow_put(dp, &key, &mask, acts, 5)
			     : dp_flow_put(dp, &key, &mask, &out, 1);
	}
	if (encap && !one_pass) {
		/* The underlay bridge: what its local port sends goes out. */
		bad |= dp_flow_put(dp, &(struct flow_key){.in_port = no[UND]},
				   &(struct flow_key){.in_port = UINT32_MAX}, &out, 1);
	} else if (!encap) {
		struct dp_action pop[2] = {{.type = DP_ACTION_TNL_POP, .port = UINT32_MAX},
					   {.type = DP_ACTION_DATA}};

		pop[0].tnl.type = b->tnl->type;
		pop[0].tnl.key = 1;
		pop[0].tnl.n_data = 1;
		memcpy(pop[1].data, &pair, sizeof pair);
		memset(&key, 0, sizeof key);
		memset(&mask, 0, sizeof mask);
		key.in_port = no[IN];
		key.eth_type = htons(c->ipv6 ? 0x86dd : 0x0800);
		key.nw_proto = 17;
		if (c->ipv6) {
			memcpy(key.nw_src.ipv6, &b->tnl->ip_src, 16);
			memcpy(key.nw_dst.ipv6, &b->tnl->ip_dst, 16);
			memset(mask.nw_src.ipv6, 0xff, 16);
			memset(mask.nw_dst.ipv6, 0xff, 16);
		} else {
			key.nw_src.ipv4 = dp_tnl_addr_get4(&b->tnl->ip_src);
			key.nw_dst.ipv4 = dp_tnl_addr_get4(&b->tnl->ip_dst);
			mask.nw_src.ipv4 = mask.nw_dst.ipv4 = UINT32_MAX;
		}
		key.tp_dst = b->tnl->udp_dst;
		mask.in_port = UINT32_MAX;
		mask.eth_type = mask.tp_dst = 0xffff;
		mask.nw_proto = 0xff;
		bad |= dp_flow_put(dp, &key, &mask, pop, 2);
	}
	if (bad) {
		fprintf(stderr, "dp-bench: cannot install the tunnel flows\n");
		exit(1);
	}
}

/* TABLE_VXLAN_DECAP: puts the outer header back in front of 'm'. */
static void
encapsulate(struct bench *b, struct rte_mbuf *m)
{
	uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(m, b->hlen);

	memcpy(p, b->outer, b->hlen);
}

/* The UDP checksum of received IPv6 tunnel packet 'm' (outside the
 * datapath's cycle count, as a sender's is). */
static void
udp6_checksum(struct rte_mbuf *m)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint16_t ulen = (uint16_t)(rte_pktmbuf_pkt_len(m) - 54), c = 0;

	memcpy(p + 60, &c, 2);
	c = csum_finish(csum_add(csum_add(0, p + 22, 32) + htons(17) + htons(ulen), p + 54, ulen));
	c = c ? c : 0xffff;
	memcpy(p + 60, &c, 2);
}

/* The received outer header of the decapsulation cases: the template
 * completed for the bench's frames (lengths, IPv4 checksum). */
static void
outer_header(struct bench *b)
{
	uint32_t inner = rte_pktmbuf_pkt_len(b->pkts[0]);
	uint8_t *ip = b->outer + 14, *udp = ip + (b->tnl == &bench_tnl6 ? 40 : 20);
	uint16_t v;

	b->hlen = dp_tnl_header_build(b->tnl, b->outer);
	v = htons((uint16_t)(inner + b->hlen - (udp - b->outer)));
	memcpy(udp + 4, &v, 2);
	if (b->tnl == &bench_tnl6) {
		memcpy(ip + 4, &v, 2);
	} else {
		v = htons((uint16_t)(inner + b->hlen - 14));
		memcpy(ip + 2, &v, 2);
		v = csum_finish(csum_add(0, ip, 20));
		memcpy(ip + 10, &v, 2);
	}
	v = htons(40000);
	memcpy(udp, &v, 2);
}

static void
run_batches(struct dp_pmd *pmd, struct port *out, uint32_t in_port, struct bench *b,
	    uint64_t n_batches, uint64_t *pos)
{
	struct rte_mbuf *back[PKT_BATCH_MAX];
	uint32_t ip_ofs = decap_table(b->table) ? b->hlen + 14u : 14u;

	for (uint64_t k = 0; k < n_batches; k++) {
		for (int i = 0; i < PKT_BATCH_MAX; i++) {
			uint32_t f = b->seq[(*pos)++ & b->seq_mask];
			uint8_t *ip = rte_pktmbuf_mtod_offset(b->pkts[i], uint8_t *, ip_ofs);

			memcpy(ip + 12, &b->src[f], 4);
			memcpy(ip + 16, &b->dst[f], 4);
			if (decap_table(b->table) && b->tnl == &bench_tnl6) {
				udp6_checksum(b->pkts[i]);
			}
			if (b->rx_csum) {
				b->pkts[i]->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
			}
		}
		dp_pmd_process(pmd, in_port, b->pkts, PKT_BATCH_MAX);
		if (port_mem_collect(out, back, PKT_BATCH_MAX) != PKT_BATCH_MAX) {
			fprintf(stderr, "dp-bench: packets went missing\n");
			exit(1);
		}
		for (int i = 0; encap_table(b->table) && i < PKT_BATCH_MAX; i++) {
			rte_pktmbuf_adj(back[i], b->hlen); /* the inner frame again */
		}
		for (int i = 0; decap_table(b->table) && i < PKT_BATCH_MAX; i++) {
			encapsulate(b, back[i]);
		}
		memcpy(b->pkts, back, sizeof back);
	}
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static struct result
run_case(const struct bench_case *c, struct bench *b, uint64_t n_pkts)
{
	struct dp_params params = {.emc_inv_prob = c->emc ? EMC_DEFAULT_INV_PROB : 0,
				   .emc_inv_prob_set = true};
	struct dp *dp = dp_create(&params);
	struct port *in, *out, *und, *vx;
	uint32_t in_no, out_no, no[4];
	bool tnl = encap_table(c->table) || decap_table(c->table);
	struct dp_stats s0, s1;
	struct vs_random rng;
	uint64_t pos = 0, n_batches = n_pkts / PKT_BATCH_MAX;
	struct result r;
	double t0, t1;

	if (!dp || port_open("mem", "in", NULL, 0, b->mp, &in, NULL) ||
	    dp_port_add(dp, in, &in_no) || port_open("mem", "out", NULL, 0, b->mp, &out, NULL) ||
	    dp_port_add(dp, out, &out_no)) {
		fprintf(stderr, "dp-bench: cannot set up the datapath\n");
		exit(1);
	}
	b->table = c->table;
	b->tnl = c->ipv6 ? &bench_tnl6 : &bench_tnl;
	if (c->flags & BENCH_GENEVE_OPT) {
		uint8_t md[DP_TNL_OPT_SPACE] = {0};

		memcpy(md, bench_opt_value, 4);
		b->geneve = bench_tnl;
		b->geneve.type = DP_TNL_GENEVE;
		b->geneve.udp_dst = htons(6081);
		b->geneve.opt_len = (uint8_t)dp_tnl_opts_put(&bench_optmap, 1, md, b->geneve.opts,
							     &b->geneve.crit);
		b->tnl = &b->geneve;
	}
	b->rx_csum = (c->flags & BENCH_RX_CSUM) != 0;
	outer_header(b);
	if (tnl) {
		const struct port_opt vx_opts[] = {
			{"remote_ip", c->ipv6 ? "fd00:9::2" : "10.9.0.2"}, {"key", "100"}};

		if (port_open("mem", "und", NULL, 0, b->mp, &und, NULL) ||
		    dp_port_add(dp, und, &no[2]) ||
		    port_open(b->tnl->type == DP_TNL_GENEVE ? "geneve" : "vxlan", "vx", vx_opts, 2,
			      b->mp, &vx, NULL) ||
		    dp_port_add(dp, vx, &no[3]) ||
		    (b->tnl->type == DP_TNL_GENEVE &&
		     dp_port_set_optmap(dp, no[3], &bench_optmap))) {
			fprintf(stderr, "dp-bench: cannot add the tunnel ports\n");
			exit(1);
		}
		no[0] = in_no;
		no[1] = out_no;
		install_tunnel(dp, no, c, b);
	} else {
		install(dp, in_no, out_no, c, b);
	}
	for (int i = 0; decap_table(c->table) && i < PKT_BATCH_MAX; i++) {
		encapsulate(b, b->pkts[i]);
	}
	vs_random_seed(&rng, 12345);
	for (uint32_t i = 0; i <= b->seq_mask; i++) {
		b->seq[i] = vs_random_range(&rng, c->n_flows);
	}
	struct dp_pmd *pmd = dp_pmd_get(dp, 0);
	run_batches(pmd, out, in_no, b, VS_MAX(n_batches / 4, 2000u), &pos); /* warm up */
	dp_get_stats(dp, &s0);
	t0 = now_s();
	run_batches(pmd, out, in_no, b, n_batches, &pos);
	t1 = now_s();
	dp_get_stats(dp, &s1);

	uint64_t rx = s1.rx_packets - s0.rx_packets;
	uint64_t mf = s1.megaflow_hits - s0.megaflow_hits;
	r.cycles_per_pkt = (double)(s1.cycles - s0.cycles) / (double)rx;
	r.mpps = (double)rx / (t1 - t0) / 1e6;
	r.probes_per_hit = mf ? (double)(s1.subtable_probes - s0.subtable_probes) / (double)mf : 0;
	r.emc_hit_rate = (double)(s1.emc_hits - s0.emc_hits) / (double)rx;
	r.simple_hit_rate = (double)(s1.simple_hits - s0.simple_hits) / (double)rx;
	r.smc_hit_rate = (double)(s1.smc_hits - s0.smc_hits) / (double)rx;
	if (s1.misses != 0) {
		fprintf(stderr, "dp-bench: %s: %lu unexpected misses\n", c->name,
			(unsigned long)s1.misses);
		exit(1);
	}
	dp_destroy(dp);
	for (int i = 0; decap_table(c->table) && i < PKT_BATCH_MAX; i++) {
		rte_pktmbuf_adj(b->pkts[i], b->hlen);
	}
	return r;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
usage(void)
{
	printf("usage: dp-bench [--json] [--runs N] [--packets N] [--case NAME]\n"
	       "Runs the datapath micro-benchmark; prints cycles/packet and Mpps, the\n"
	       "median of N runs (default 5) of N packets (default 4000000) per case.\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},          {"runs", required_argument, NULL, 'r'},
		{"packets", required_argument, NULL, 'p'}, {"case", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
	};
	char *eal_argv[] = {
		argv[0], "-l",       "0",           "--no-huge",      "-m",
		"512",   "--no-pci", "--no-shconf", "--no-telemetry", "--log-level=error"};
	const char *only = NULL;
	bool json = false;
	int runs = 5, opt, printed = 0;
	uint64_t n_pkts = 4000000;
	struct bench b;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'r':
			runs = atoi(optarg);
			break;
		case 'p':
			n_pkts = strtoull(optarg, NULL, 10);
			break;
		case 'c':
			only = optarg;
			break;
		case 'h':
			usage();
			return 0;
		default:
			usage();
			return 2;
		}
	}
	if (runs < 1 || runs > 100 || n_pkts < PKT_BATCH_MAX) {
		fprintf(stderr, "dp-bench: --runs must be 1 to 100 and --packets at least 32\n");
		return 2;
	}
	if (rte_eal_init((int)(sizeof eal_argv / sizeof eal_argv[0]), eal_argv) < 0) {
		fprintf(stderr, "dp-bench: cannot start the DPDK EAL\n");
		return 1;
	}
	b.mp = rte_pktmbuf_pool_create("bench", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	b.seq_mask = (1u << 22) - 1;
	b.seq = malloc(sizeof *b.seq * (b.seq_mask + 1));
	b.src = malloc(sizeof *b.src * 1000000);
	b.dst = malloc(sizeof *b.dst * 1000000);
	if (!b.mp || !b.seq || !b.src || !b.dst) {
		fprintf(stderr, "dp-bench: out of memory\n");
		return 1;
	}
	for (int i = 0; i < PKT_BATCH_MAX; i++) {
		struct pktgen_spec spec = pktgen_udp4(0, 0, 1000, 2000);
		uint8_t frame[128];
		size_t len = pktgen_build(&spec, frame, sizeof frame);

		b.pkts[i] = rte_pktmbuf_alloc(b.mp);
		memcpy(rte_pktmbuf_append(b.pkts[i], (uint16_t)len), frame, len);
	}
	if (json) {
		printf("[");
	} else {
		printf("%-28s %10s %8s %14s %8s %8s %8s\n", "case", "cycles/pkt", "Mpps",
		       "subtables/hit", "emc_hit", "simple", "smc");
	}
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		double cyc[100], mpps[100], probes = 0, emc = 0, simple = 0, smc = 0;

		if (only && strcmp(only, cases[i].name)) {
			continue;
		}
		for (int r = 0; r < runs; r++) {
			struct result res = run_case(&cases[i], &b, n_pkts);

			cyc[r] = res.cycles_per_pkt;
			mpps[r] = res.mpps;
			probes = res.probes_per_hit;
			emc = res.emc_hit_rate;
			simple = res.simple_hit_rate;
			smc = res.smc_hit_rate;
		}
		if (json) {
			printf("%s\n  {\"case\": \"%s\", \"cycles_per_packet\": %.1f, \"mpps\": "
			       "%.2f}",
			       printed++ ? "," : "", cases[i].name, median(cyc, runs),
			       median(mpps, runs));
		} else {
			printf("%-28s %10.1f %8.2f %14.2f %7.1f%% %7.1f%% %7.1f%%\n", cases[i].name,
			       median(cyc, runs), median(mpps, runs), probes, emc * 100,
			       simple * 100, smc * 100);
		}
		fflush(stdout);
	}
	if (json) {
		printf("\n]\n");
	}
	rte_pktmbuf_free_bulk(b.pkts, PKT_BATCH_MAX);
	free(b.seq);
	free(b.src);
	free(b.dst);
	rte_mempool_free(b.mp);
	rte_eal_cleanup();
	return 0;
}
