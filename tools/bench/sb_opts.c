/* SPDX-License-Identifier: Apache-2.0 */
/*
 * switch-bench's command line (sb_opts.h).
 */
#include "sb_opts.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sb_plot.h"
#include "sb_switch.h"

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: switch-bench [run|search|sweep] [OPTIONS]\n"
		"       switch-bench plot REPORT.json --plot FILE.svg|FILE.png\n"
		"  run      trials at one rate (default: as fast as the VMs can send)\n"
		"  search   the highest rate with at most --loss loss (binary search)\n"
		"  sweep    a run (or with --search, a search) per frame size and flow count\n"
		"options:\n"
		"  --topology p2p|pvp|vm2vm-bi   VM to VM one way, through a VM that loops\n"
		"                                back, or both ways (default p2p)\n"
		"  --size N|imix[,...]           frame size with FCS, 64-1518 (default 64)\n"
		"  --flows N[,...]               distinct UDP flows (default 1)\n"
		"  --rate PPS                    frames/s per sending VM, 0: max (default 0)\n"
		"  --duration SECS               measured window per trial (default 5)\n"
		"  --warmup SECS                 traffic before the window (default 1)\n"
		"  --repeat N                    trials per rate (default 3)\n"
		"  --loss PCT[,...]              search: loss allowed (default 0,0.01)\n"
		"  --precision PCT               search: stop within this (default 2)\n"
		"  --search                      sweep: search every case\n"
		"  --pipeline normal|ports       NORMAL switching or in_port rules\n"
		"  --rules N[,...]               also install N rules the traffic misses\n"
		"  --cpu N[,N...]                the VMs' CPU, or one per VM (default: a CPU\n"
		"                                each besides the PMD's if there are enough,\n"
		"                                else all on one)\n"
		"  --pmd-sleep US                the PMD's longest idle sleep, 0: never sleep\n"
		"                                (default: the switch's default, 250)\n"
		"  --tx-flush US                 how long the PMD may hold output for later\n"
		"                                bursts, on both switches (default: theirs, 0)\n"
		"  --bin DIR                     vswitchd and switch-ctl (default: beside this)\n"
		"  --eal ARGS                    extra DPDK arguments for vswitchd\n"
		"  --tunnel vxlan|geneve         the VMs on two hosts joined by a tunnel, both\n"
		"                                hosts in one vswitchd (docs/switch-bench.md);\n"
		"                                vxlan6, geneve6: over an IPv6 underlay\n"
		"  --tunnel-side encap|decap     with --tunnel, p2p: only the encapsulating\n"
		"                                host (vm1's) or the decapsulating one (vm2's),\n"
		"                                the other host a stand-in VM on its wire\n"
		"  --tunnel-csum yes|no          with --tunnel, the outer UDP checksum, on the\n"
		"                                tunnel ports and on a --tunnel-side wire\n"
		"                                (default: theirs, yes over IPv6, no over IPv4)\n"
		"  --wire vhost-user|pcap        with --tunnel-side decap, the far host's end\n"
		"                                of the wire: a stand-in VM (default), or its\n"
		"                                frames replayed in vswitchd by DPDK's pcap\n"
		"                                driver, as a NIC delivers them (no --rate)\n"
		"  --against ovs|local           also run every trial on an isolated Open\n"
		"                                vSwitch with DPDK (with --tunnel: the same\n"
		"                                --tunnel-side host, NORMAL), or (with\n"
		"                                --tunnel) on a vswitchd switching the VMs\n"
		"                                locally; alternating, with ratios\n"
		"  --ovs-vswitchd PATH           its binary (default " OVS_VSWITCHD_DPDK ")\n"
		"  --json                        one JSON document on stdout\n"
		"  --plot FILE.svg|FILE.png      charts: Mpps by flows and by frame size,\n"
		"                                latency CDFs (gnuplot)\n");
}

static bool
parse_double(const char *s, double min, double max, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return !errno && end != s && !*end && *out >= min && *out <= max && isfinite(*out);
}

/* A whole number between 'min' and 'max'. */
static bool
parse_int(const char *s, double min, double max, long *out)
{
	double v;

	if (!parse_double(s, min, max, &v) || v != floor(v)) {
		return false;
	}
	*out = (long)v;
	return true;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* A comma-separated list; 'kind' 's' sizes, 'f' flows, 'l' losses, 'r'
 * rules (sorted: the table only grows). */
static bool
parse_list(const char *arg, char kind, struct opts *o)
{
	char buf[256], *save = NULL, *tok;
	unsigned int n = 0;

	snprintf(buf, sizeof buf, "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		double v;
		long k;

		if (n == MAX_LIST) {
			return false;
		}
		if (kind == 's' && !strcmp(tok, "imix")) {
			o->sizes[n++] = 0;
		} else if (kind == 's' && parse_int(tok, 64, 1518, &k)) {
			o->sizes[n++] = (uint16_t)k;
		} else if (kind == 'f' && parse_int(tok, 1, 16777216, &k)) {
			o->flows[n++] = (uint32_t)k;
		} else if (kind == 'l' && parse_double(tok, 0, 100, &v)) {
			o->losses[n++] = v;
		} else if (kind == 'r' && parse_int(tok, 0, 10000000, &k)) {
			o->rules[n++] = (uint32_t)k;
		} else if (kind == 'c' && n < SB_MAX_DEVS &&
			   parse_int(tok, 0, CPU_SETSIZE - 1, &k)) {
			o->gen_cpus[n++] = (int)k;
		} else {
			return false;
		}
	}
	if (kind == 's') {
		o->n_sizes = n;
	} else if (kind == 'f') {
		o->n_flows = n;
	} else if (kind == 'r') {
		o->n_rules = n;
		qsort(o->rules, n, sizeof o->rules[0], cmp_u32);
	} else if (kind == 'c') {
		o->n_gen_cpus = n;
	} else {
		o->n_losses = n;
	}
	return n > 0;
}

static void
default_bin(char *buf, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash;

	exe[n > 0 ? n : 0] = '\0';
	slash = strrchr(exe, '/');
	if (slash) {
		*slash = '\0';
	}
	snprintf(buf, size, "%s", n > 0 ? exe : ".");
}

int
sb_bad(const char *opt, const char *arg)
{
	fprintf(stderr, "switch-bench: bad %s: '%s' (see --help)\n", opt, arg);
	return -1;
}

int
sb_parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longs[] = {
		{"topology", required_argument, NULL, 't'},
		{"size", required_argument, NULL, 's'},
		{"flows", required_argument, NULL, 'f'},
		{"rate", required_argument, NULL, 'r'},
		{"duration", required_argument, NULL, 'd'},
		{"warmup", required_argument, NULL, 'w'},
		{"repeat", required_argument, NULL, 'n'},
		{"loss", required_argument, NULL, 'l'},
		{"precision", required_argument, NULL, 'p'},
		{"search", no_argument, NULL, 'S'},
		{"pipeline", required_argument, NULL, 'P'},
		{"rules", required_argument, NULL, 'R'},
		{"cpu", required_argument, NULL, 'c'},
		{"bin", required_argument, NULL, 'b'},
		{"eal", required_argument, NULL, 'e'},
		{"pmd-sleep", required_argument, NULL, 'z'},
		{"tx-flush", required_argument, NULL, 'F'},
		{"plot", required_argument, NULL, 'o'},
		{"against", required_argument, NULL, 'A'},
		{"tunnel", required_argument, NULL, 'T'},
		{"tunnel-side", required_argument, NULL, 'H'},
		{"tunnel-csum", required_argument, NULL, 'C'},
		{"wire", required_argument, NULL, 'W'},
		{"ovs-vswitchd", required_argument, NULL, 'O'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static char bin[PATH_MAX];
	long k;
	int c;

	default_bin(bin, sizeof bin);
	*o = (struct opts){.mode = "run",
			   .topology = "p2p",
			   .pipeline = "normal",
			   .bin = bin,
			   .sizes = {64},
			   .n_sizes = 1,
			   .flows = {1},
			   .n_flows = 1,
			   .n_rules = 1,
			   .losses = {0, 0.01},
			   .n_losses = 2,
			   .repeat = 3,
			   .duration = 5,
			   .warmup = 1,
			   .precision = 2,
			   .pmd_sleep = -1,
			   .tx_flush = -1,
			   .tunnel_csum = -1,
			   .ovs_vswitchd = OVS_VSWITCHD_DPDK};
	while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (c) {
		case 't':
			o->topology = optarg;
			break;
		case 's':
			if (!parse_list(optarg, 's', o)) {
				return sb_bad("--size", optarg);
			}
			break;
		case 'f':
			if (!parse_list(optarg, 'f', o)) {
				return sb_bad("--flows", optarg);
			}
			break;
		case 'l':
			if (!parse_list(optarg, 'l', o)) {
				return sb_bad("--loss", optarg);
			}
			break;
		case 'r':
			if (!parse_double(optarg, 0, 1e9, &o->rate)) {
				return sb_bad("--rate", optarg);
			}
			break;
		case 'd':
			if (!parse_double(optarg, 0.1, 3600, &o->duration)) {
				return sb_bad("--duration", optarg);
			}
			break;
		case 'w':
			if (!parse_double(optarg, 0.1, 600, &o->warmup)) {
				return sb_bad("--warmup", optarg);
			}
			break;
		case 'n':
			if (!parse_int(optarg, 1, 100, &k)) {
				return sb_bad("--repeat", optarg);
			}
			o->repeat = (unsigned int)k;
			break;
		case 'p':
			if (!parse_double(optarg, 0.1, 50, &o->precision)) {
				return sb_bad("--precision", optarg);
			}
			break;
		case 'S':
			o->search = true;
			break;
		case 'P':
			o->pipeline = optarg;
			if (strcmp(optarg, "normal") && strcmp(optarg, "ports")) {
				return sb_bad("--pipeline", optarg);
			}
			break;
		case 'R':
			if (!parse_list(optarg, 'r', o)) {
				return sb_bad("--rules", optarg);
			}
			break;
		case 'c':
			if (!parse_list(optarg, 'c', o)) {
				return sb_bad("--cpu", optarg);
			}
			break;
		case 'b':
			o->bin = optarg;
			break;
		case 'o':
			o->plot = optarg;
			if (!sb_plot_file_ok(optarg)) {
				return sb_bad("--plot (FILE.svg or FILE.png)", optarg);
			}
			break;
		case 'z':
			if (!parse_int(optarg, 0, 10000, &k)) {
				return sb_bad("--pmd-sleep", optarg);
			}
			o->pmd_sleep = (int)k;
			break;
		case 'F':
			if (!parse_int(optarg, 0, 1000000, &k)) {
				return sb_bad("--tx-flush", optarg);
			}
			o->tx_flush = (int)k;
			break;
		case 'e':
			o->eal = optarg;
			break;
		case 'A':
			if (strcmp(optarg, "ovs") && strcmp(optarg, "local")) {
				return sb_bad("--against (ovs or local)", optarg);
			}
			o->against = optarg;
			break;
		case 'T':
			if (strcmp(optarg, "vxlan") && strcmp(optarg, "geneve") &&
			    strcmp(optarg, "vxlan6") && strcmp(optarg, "geneve6")) {
				return sb_bad("--tunnel (vxlan, geneve, vxlan6 or geneve6)",
					      optarg);
			}
			o->tunnel = optarg;
			break;
		case 'H':
			if (strcmp(optarg, "encap") && strcmp(optarg, "decap")) {
				return sb_bad("--tunnel-side (encap or decap)", optarg);
			}
			o->side = optarg;
			break;
		case 'C':
			if (strcmp(optarg, "yes") && strcmp(optarg, "no")) {
				return sb_bad("--tunnel-csum (yes or no)", optarg);
			}
			o->tunnel_csum = !strcmp(optarg, "yes");
			break;
		case 'W':
			if (strcmp(optarg, "vhost-user") && strcmp(optarg, "pcap")) {
				return sb_bad("--wire (vhost-user or pcap)", optarg);
			}
			o->wire_given = true;
			o->wire_pcap = !strcmp(optarg, "pcap");
			break;
		case 'O':
			o->ovs_vswitchd = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	/* The command may come anywhere among the options. */
	if (optind < argc) {
		o->mode = argv[optind++];
		if (strcmp(o->mode, "run") && strcmp(o->mode, "search") &&
		    strcmp(o->mode, "sweep") && strcmp(o->mode, "plot")) {
			return sb_bad("command", o->mode);
		}
	}
	if (!strcmp(o->mode, "plot")) {
		/* plot REPORT.json --plot FILE: charts of a saved report. */
		if (optind + 1 != argc || !o->plot || o->against) {
			fprintf(stderr, "switch-bench: plot takes a report (--json output) "
					"and --plot FILE.svg|png\n");
			return -1;
		}
		o->report = argv[optind++];
	}
	if (optind != argc) {
		return sb_bad("argument", argv[optind]);
	}
	if (!strcmp(o->mode, "search")) {
		o->search = true;
	}
	if ((!o->against || strcmp(o->against, "ovs")) &&
	    strcmp(o->ovs_vswitchd, OVS_VSWITCHD_DPDK)) {
		fprintf(stderr, "switch-bench: --ovs-vswitchd is for --against ovs\n");
		return -1;
	}
	if (o->against && !strcmp(o->against, "local") && !o->tunnel) {
		fprintf(stderr, "switch-bench: --against local compares a --tunnel with the "
				"same VMs on one host\n");
		return -1;
	}
	if (o->against && !strcmp(o->against, "ovs") && o->tunnel &&
	    (!o->side || strcmp(o->pipeline, "normal"))) {
		fprintf(stderr,
			"switch-bench: --tunnel is compared with Open vSwitch one host at a "
			"time (--tunnel-side) with the normal pipeline; --against local "
			"compares both hosts with local switching\n");
		return -1;
	}
	if (o->tunnel_csum >= 0 && !o->tunnel) {
		fprintf(stderr, "switch-bench: --tunnel-csum is for a --tunnel\n");
		return -1;
	}
	if (o->side && (!o->tunnel || strcmp(o->topology, "p2p"))) {
		fprintf(stderr, "switch-bench: --tunnel-side is for a --tunnel with the p2p "
				"topology (one way, vm1 to vm2)\n");
		return -1;
	}
	if (o->wire_given && !o->side) {
		fprintf(stderr, "switch-bench: --wire is for one host alone (--tunnel-side)\n");
		return -1;
	}
	if (o->wire_pcap &&
	    (!o->side || strcmp(o->side, "decap") || (o->against && strcmp(o->against, "local")))) {
		fprintf(stderr, "switch-bench: --wire pcap is for vswitch's decapsulating host "
				"(--tunnel-side decap), alone or --against local\n");
		return -1;
	}
	for (unsigned int i = 0; o->wire_pcap && i < o->n_flows; i++) {
		if (o->flows[i] > SB_REPLAY_FRAMES) {
			fprintf(stderr, "switch-bench: --wire pcap replays at most %d flows\n",
				SB_REPLAY_FRAMES);
			return -1;
		}
	}
	if (o->wire_pcap && (o->rate > 0 || o->search)) {
		fprintf(stderr, "switch-bench: --wire pcap replays as fast as the switch takes "
				"the frames: no --rate, no search\n");
		return -1;
	}
	if (strcmp(o->mode, "sweep") && (o->n_sizes > 1 || o->n_flows > 1 || o->n_rules > 1)) {
		fprintf(stderr, "switch-bench: lists of sizes, flows or rules are for sweep\n");
		return -1;
	}
	return 0;
}
