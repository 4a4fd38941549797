/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pcap-replay: pushes a pcap through the real datapath (pcap ports, one PMD
 * thread) with a test upcall that forwards by the fixed rules below, then
 * prints the datapath counters as key=value lines. Used by
 * test_pcap_forwarding.sh, whose generator applies the same rules in Python.
 *
 * Rules, first match wins (ports: 1, 2, 3 are the three outputs):
 *   ARP                          -> output:1
 *   outer VLAN 10                -> pop_vlan, output:2
 *   IPv4 TCP dst port 80         -> set nw_dst=10.0.0.99, dec_ttl, output:3
 *   IPv4 UDP                     -> output:1
 *   IPv4 ICMP                    -> output:1, output:3
 *   IPv6                         -> push_vlan 20, output:2
 *   anything else                -> drop
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "dp.h"

static uint32_t out_port[4];

static void
add_output(struct dp_upcall_result *r, uint32_t port)
{
	r->actions[r->n_actions++] = (struct dp_action){.type = DP_ACTION_OUTPUT, .port = port};
}

static int
rule_upcall(void *aux, const struct flow_key *k, const struct rte_mbuf *pkt,
	    struct dp_upcall_result *r)
{
	uint16_t type = ntohs(k->eth_type);

	(void)aux;
	(void)pkt;
	/* Every rule looks at these; later rules look at more. */
	r->mask.in_port = 0xffffffff;
	r->mask.eth_type = 0xffff;
	if (type == 0x0806) {
		add_output(r, out_port[1]);
		return 0;
	}
	r->mask.vlan_tci = htons(0x1fff);
	if ((ntohs(k->vlan_tci) & 0x1fff) == (0x1000 | 10)) {
		r->actions[r->n_actions++] = (struct dp_action){.type = DP_ACTION_POP_VLAN};
		add_output(r, out_port[2]);
		return 0;
	}
	if (type == 0x0800) {
		r->mask.nw_proto = 0xff;
		if (k->nw_proto == 6) {
			r->mask.tp_dst = 0xffff;
			if (ntohs(k->tp_dst) == 80) {
				r->actions[r->n_actions++] =
					(struct dp_action){.type = DP_ACTION_SET_IPV4,
							   .flags = DP_SET_DST,
							   .ipv4 = {.dst = htonl(0x0a000063)}};
				r->actions[r->n_actions++] =
					(struct dp_action){.type = DP_ACTION_DEC_TTL};
				add_output(r, out_port[3]);
			}
		} else if (k->nw_proto == 17) {
			add_output(r, out_port[1]);
		} else if (k->nw_proto == 1) {
			add_output(r, out_port[1]);
			add_output(r, out_port[3]);
		}
		return 0;
	}
	if (type == 0x86dd) {
		r->actions[r->n_actions++] = (struct dp_action){
			.type = DP_ACTION_PUSH_VLAN, .vlan = {htons(0x8100), htons(0x1000 | 20)}};
		add_output(r, out_port[2]);
	}
	return 0;
}

static struct port *
open_pcap(const char *name, const char *key, const char *file, struct rte_mempool *mp)
{
	struct port_opt opt = {key, file};
	char err[PORT_ERR_MAX];
	struct port *p;

	if (port_open("pcap", name, &opt, 1, mp, &p, err)) {
		fprintf(stderr, "pcap-replay: %s\n", err);
		exit(1);
	}
	return p;
}

int
main(int argc, char **argv)
{
	char *eal_argv[] = {
		argv[0], "-l",       "0",           "--no-huge",      "-m",
		"256",   "--no-pci", "--no-shconf", "--no-telemetry", "--log-level=error"};
	struct dp_params params = {.pmd_cpu_mask = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 2 : 1};
	struct rte_mempool *mp;
	struct port *in;
	uint32_t in_no;
	struct dp_stats s;
	struct dp *dp;

	if (argc != 5) {
		fprintf(stderr, "usage: pcap-replay IN.pcap OUT1.pcap OUT2.pcap OUT3.pcap\n");
		return 2;
	}
	if (rte_eal_init((int)(sizeof eal_argv / sizeof eal_argv[0]), eal_argv) < 0) {
		fprintf(stderr, "pcap-replay: cannot start the DPDK EAL\n");
		return 1;
	}
	mp = rte_pktmbuf_pool_create("replay", 4095, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     SOCKET_ID_ANY);
	dp = mp ? dp_create(&params) : NULL;
	if (!dp) {
		fprintf(stderr, "pcap-replay: cannot create the datapath\n");
		return 1;
	}
	dp_set_upcall(dp, rule_upcall, NULL);
	/* Outputs first, so that they exist before the first packet. */
	for (int i = 1; i <= 3; i++) {
		char name[8];

		snprintf(name, sizeof name, "out%d", i);
		if (dp_port_add(dp, open_pcap(name, "tx_pcap", argv[1 + i], mp), &out_port[i])) {
			return 1;
		}
	}
	in = open_pcap("in", "rx_pcap", argv[1], mp);
	if (dp_start(dp) || dp_port_add(dp, in, &in_no)) {
		fprintf(stderr, "pcap-replay: cannot start\n");
		return 1;
	}
	/* Wait for the input to run dry, then for the last batch to finish:
	 * every packet read is counted in rx_packets once processed. */
	struct port_stats ps;
	for (int i = 0; i < 10000; i++) {
		port_get_stats(in, &ps);
		dp_get_stats(dp, &s);
		if (port_rx_done(in) && s.rx_packets == ps.rx_packets) {
			break;
		}
		usleep(1000);
	}
	dp_get_stats(dp, &s);
	printf("rx_packets=%lu\nemc_hits=%lu\nsimple_hits=%lu\nmegaflow_hits=%lu\nmisses=%lu\n"
	       "upcalls=%lu\n"
	       "upcall_failures=%lu\ntx_packets=%lu\nflows=%u\n",
	       (unsigned long)s.rx_packets, (unsigned long)s.emc_hits, (unsigned long)s.simple_hits,
	       (unsigned long)s.megaflow_hits, (unsigned long)s.misses, (unsigned long)s.upcalls,
	       (unsigned long)s.upcall_failures, (unsigned long)s.tx_packets, s.n_flows);
	for (int r = 0; r < DP_DROP__MAX; r++) {
		printf("%s=%lu\n", dp_drop_reason_name(r), (unsigned long)s.drops[r]);
	}
	dp_destroy(dp);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return 0;
}
