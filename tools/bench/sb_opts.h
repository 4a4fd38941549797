/* SPDX-License-Identifier: Apache-2.0 */
/*
 * switch-bench's command line: the options, their defaults and checks.
 */
#ifndef VS_SB_OPTS_H
#define VS_SB_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "sb_traffic.h"

enum { MAX_LIST = 16 };

#define OVS_VSWITCHD_DPDK "/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk"

struct opts {
	const char *mode, *topology, *pipeline, *bin, *eal;
	uint16_t sizes[MAX_LIST];
	uint32_t flows[MAX_LIST];
	uint32_t rules[MAX_LIST]; /* ascending */
	double losses[MAX_LIST];
	unsigned int n_sizes, n_flows, n_losses, n_rules, repeat;
	double rate, duration, warmup, precision;
	bool json, search;
	int gen_cpus[SB_MAX_DEVS]; /* each VM's CPU, once resolved */
	unsigned int n_gen_cpus;   /* as given: 0 (default), 1, or one per VM */
	int pmd_sleep;             /* -1: the switch's default */
	int tx_flush;              /* tx flush interval, us; -1: the switch's default */
	const char *plot;          /* a chart to draw, .svg or .png */
	const char *report;        /* plot: the saved report */
	const char *against;       /* "ovs", "local" or NULL */
	const char *tunnel;        /* "vxlan", "geneve" or NULL */
	const char *side;          /* "encap", "decap": one host alone; NULL */
	int tunnel_csum;           /* the outer UDP checksum: 0, 1; -1: the default */
	bool wire_given;           /* --wire, either way */
	bool wire_pcap;            /* --wire pcap: the wire's frames replayed */
	const char *ovs_vswitchd;  /* its binary */
};

/* Fills '*o' from the command line, with the defaults where it is silent.
 * Returns 0, or -1 with a message printed (--help exits). */
int sb_parse_opts(int argc, char **argv, struct opts *o);
/* Prints that 'arg' is a bad 'opt'; returns -1. */
int sb_bad(const char *opt, const char *arg);

#endif /* VS_SB_OPTS_H */
