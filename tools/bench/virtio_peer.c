/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio-peer: a stand-in VM for tests, the demo and switch-bench. It is a
 * DPDK process with one virtio-net device made by DPDK's virtio-user driver,
 * so it talks vhost-user to the switch exactly as QEMU's guest memory does.
 * It sends UDP frames to a peer MAC at a given rate (0: as fast as it can),
 * counts the frames addressed to it, and prints a line per interval:
 *
 *   peer NAME t=SECS tx=N rx=N rx_pps=N link=up|down
 *
 * and "peer NAME done tx=N rx=N rx_mpps=X" when it ends (after --duration,
 * or on SIGTERM/SIGINT). With --server it serves the socket (the switch's
 * vhost-user-client port connects); otherwise it connects to the switch's
 * vhost-user server socket.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "pktgen.h"

enum { BURST = 32, MBUFS = 4095 };

struct opts {
	const char *name, *socket;
	bool server;
	uint8_t mac[6], dst[6];
	uint32_t ip, dst_ip;
	double rate, duration, report;
	uint16_t size;
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
usage(void)
{
	printf("usage: virtio-peer --socket PATH [--server] --mac MAC --dst MAC [OPTIONS]\n"
	       "  --name NAME       tag for the output lines (default vm)\n"
	       "  --ip A.B.C.D      source address (default 10.0.0.1)\n"
	       "  --dst-ip A.B.C.D  destination address (default 10.0.0.2)\n"
	       "  --rate PPS        frames per second to send, 0: as fast as possible\n"
	       "                    (default 10000); -1: send nothing\n"
	       "  --size BYTES      frame size, 60 to 1514 (default 64)\n"
	       "  --duration SECS   stop after this long (default: run until signalled)\n"
	       "  --report SECS     interval of the progress lines (default 1)\n");
}

static bool
parse_mac(const char *s, uint8_t *mac)
{
	unsigned int b[6];
	int n = 0;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &n) != 6 ||
	    s[n]) {
		return false;
	}
	for (int i = 0; i < 6; i++) {
		mac[i] = (uint8_t)b[i];
	}
	return true;
}

static void
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longs[] = {
		{"socket", required_argument, NULL, 's'},
		{"server", no_argument, NULL, 'S'},
		{"mac", required_argument, NULL, 'm'},
		{"dst", required_argument, NULL, 'd'},
		{"name", required_argument, NULL, 'n'},
		{"ip", required_argument, NULL, 'i'},
		{"dst-ip", required_argument, NULL, 'I'},
		{"rate", required_argument, NULL, 'r'},
		{"size", required_argument, NULL, 'z'},
		{"duration", required_argument, NULL, 't'},
		{"report", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct in_addr a;
	bool ok = true, have_mac = false, have_dst = false;
	int c;

	*o = (struct opts){.name = "vm", .rate = 10000, .report = 1, .size = 64};
	o->ip = 0x0a000001;
	o->dst_ip = 0x0a000002;
	while (ok && (c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (c) {
		case 's':
			o->socket = optarg;
			break;
		case 'S':
			o->server = true;
			break;
		case 'm':
			ok = have_mac = parse_mac(optarg, o->mac);
			break;
		case 'd':
			ok = have_dst = parse_mac(optarg, o->dst);
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'i':
			ok = inet_aton(optarg, &a);
			o->ip = ntohl(a.s_addr);
			break;
		case 'I':
			ok = inet_aton(optarg, &a);
			o->dst_ip = ntohl(a.s_addr);
			break;
		case 'r':
			o->rate = atof(optarg);
			break;
		case 'z':
			o->size = (uint16_t)atoi(optarg);
			break;
		case 't':
			o->duration = atof(optarg);
			break;
		case 'p':
			o->report = atof(optarg);
			break;
		case 'h':
			usage();
			exit(0);
		default:
			ok = false;
		}
	}
	if (!ok || !o->socket || !have_mac || !have_dst || optind != argc || o->size < 60 ||
	    o->size > 1514 || o->report <= 0) {
		usage();
		exit(2);
	}
}

static void
start_eal(const struct opts *o)
{
	char prefix[64], vdev[512];
	/* --no-huge memory is shared with the switch through memfd. */
	char *argv[] = {"virtio-peer",
			"-l",
			"0",
			"--no-huge",
			"-m",
			"128",
			"--no-pci",
			"--no-telemetry",
			"--log-level=error",
			"--file-prefix",
			prefix,
			vdev};

	snprintf(prefix, sizeof prefix, "virtio-peer-%d", (int)getpid());
	snprintf(vdev, sizeof vdev, "--vdev=net_virtio_user0,path=%s%s", o->socket,
		 o->server ? ",server=1" : "");
	if (rte_eal_init((int)(sizeof argv / sizeof argv[0]), argv) < 0) {
		fprintf(stderr, "virtio-peer: cannot start DPDK or connect to %s\n", o->socket);
		exit(1);
	}
}

static struct rte_mempool *
start_port(uint16_t port)
{
	struct rte_eth_conf conf = {0};
	struct rte_mempool *mp = rte_pktmbuf_pool_create("vp_mp", MBUFS, 256, 0,
							 RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);

	if (!mp || rte_eth_dev_configure(port, 1, 1, &conf) ||
	    rte_eth_rx_queue_setup(port, 0, 512, SOCKET_ID_ANY, NULL, mp) ||
	    rte_eth_tx_queue_setup(port, 0, 512, SOCKET_ID_ANY, NULL) || rte_eth_dev_start(port)) {
		fprintf(stderr, "virtio-peer: cannot set up the virtio-user device\n");
		exit(1);
	}
	return mp;
}

/* Sends up to 'n' copies of the template frame; returns how many left. */
static uint16_t
send_frames(uint16_t port, struct rte_mempool *mp, const uint8_t *frame, uint16_t size, uint16_t n)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t sent;

	if (n > BURST) {
		n = BURST;
	}
	if (rte_pktmbuf_alloc_bulk(mp, pkts, n)) {
		return 0;
	}
	for (uint16_t i = 0; i < n; i++) {
		memcpy(rte_pktmbuf_append(pkts[i], size), frame, size);
	}
	sent = rte_eth_tx_burst(port, 0, pkts, n);
	rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	return sent;
}

static void
remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			unlinkat(dirfd(d), e->d_name, 0);
		}
	}
	if (d) {
		closedir(d);
		rmdir(dir);
	}
}

static bool
link_up(uint16_t port)
{
	struct rte_eth_link link;

	return rte_eth_link_get_nowait(port, &link) == 0 && link.link_status;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct pktgen_spec spec;
	uint8_t frame[1514];
	uint64_t tx = 0, rx = 0, last_rx = 0;
	double start, next_report, last_t, credit = 0, last_credit_t;
	struct rte_mempool *mp;

	parse_opts(argc, argv, &o);
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* No SA_RESTART: a server waiting for its first connection gives up. */
	sigaction(SIGTERM, &(struct sigaction){.sa_handler = on_signal}, NULL);
	sigaction(SIGINT, &(struct sigaction){.sa_handler = on_signal}, NULL);
	start_eal(&o);
	mp = start_port(0);
	spec = pktgen_udp4(o.ip, o.dst_ip, 5000, 5001);
	memcpy(spec.eth_src, o.mac, 6);
	memcpy(spec.eth_dst, o.dst, 6);
	spec.payload_len = (uint16_t)(o.size - 42);
	pktgen_build(&spec, frame, sizeof frame);
	start = last_t = last_credit_t = now_s();
	next_report = start + o.report;
	while (!stop) {
		struct rte_mbuf *pkts[BURST];
		uint16_t n = rte_eth_rx_burst(0, 0, pkts, BURST), want = 0;
		double t = now_s();

		for (uint16_t i = 0; i < n; i++) {
			rx += !memcmp(rte_pktmbuf_mtod(pkts[i], uint8_t *), o.mac, 6);
		}
		rte_pktmbuf_free_bulk(pkts, n);
		if (o.rate == 0) {
			want = BURST;
		} else if (o.rate > 0) {
			credit += (t - last_credit_t) * o.rate;
			credit = credit > 4 * BURST ? 4 * BURST : credit;
			want = (uint16_t)credit;
		}
		last_credit_t = t;
		if (want && link_up(0)) {
			uint16_t sent = send_frames(0, mp, frame, o.size, want);

			tx += sent;
			credit -= sent;
		}
		if (t >= next_report) {
			printf("peer %s t=%.1f tx=%llu rx=%llu rx_pps=%.0f link=%s\n", o.name,
			       t - start, (unsigned long long)tx, (unsigned long long)rx,
			       (double)(rx - last_rx) / (t - last_t), link_up(0) ? "up" : "down");
			last_rx = rx;
			last_t = t;
			next_report += o.report;
		}
		if (o.duration > 0 && t - start >= o.duration) {
			break;
		}
		if (!n && o.rate != 0) {
			usleep(50); /* leave the CPU to the switch */
		}
	}
	printf("peer %s done tx=%llu rx=%llu rx_mpps=%.3f\n", o.name, (unsigned long long)tx,
	       (unsigned long long)rx, (double)rx / (now_s() - start) / 1e6);
	/* Not rte_eal_cleanup(): DPDK 22.11's virtio-user server panics in
	 * its interrupt thread when closed after its peer went away. What the
	 * process leaves is removed by hand: its runtime directory and a
	 * server's socket. */
	remove_dir(rte_eal_get_runtime_dir());
	if (o.server) {
		unlink(o.socket);
	}
	_exit(0);
}
