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
 * and "peer NAME done tx=N rx=N rx_mpps=X reordered=N gaps=N rxq=N/N/..."
 * when it ends (after --duration, or on SIGTERM/SIGINT). With --server it
 * serves the socket (the switch's vhost-user-client port connects);
 * otherwise it connects to the switch's vhost-user server socket.
 *
 * With --queues N the device has N queue pairs (as a guest with QEMU's
 * queues=N); with --flows F it sends F flows (UDP source ports 5000 + f),
 * flow f on transmit queue f % N, every frame numbered within its flow. On
 * receipt it checks the numbers: "reordered" counts frames older than one
 * already seen of their flow, "gaps" the frames skipped; "rxq" is how many
 * frames each receive queue delivered.
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

enum { BURST = 32, MBUFS = 4095, MAX_QUEUES = 8, MAX_FLOWS = 65536 };

/* Where a frame's flow and sequence numbers sit: the start of the UDP
 * payload of an untagged IPv4 frame. */
enum { SEQ_OFS = 14 + 20 + 8, UDP_SPORT_OFS = 14 + 20, UDP_CSUM_OFS = 14 + 20 + 6 };

struct opts {
	const char *name, *socket;
	bool server;
	uint8_t mac[6], dst[6];
	uint32_t ip, dst_ip;
	double rate, duration, report, delay;
	uint16_t size, queues;
	uint32_t flows;
};

/* Numbering of the flows sent and received. */
struct flows {
	uint32_t n;
	uint32_t next_tx[MAX_QUEUES]; /* per queue: the next of its flows to send */
	uint32_t *tx_seq, *rx_next;   /* per flow */
	uint64_t reordered, gaps;
	uint64_t rxq[MAX_QUEUES];
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
	       "  --report SECS     interval of the progress lines (default 1)\n"
	       "  --queues N        queue pairs, 1 to 8 (default 1)\n"
	       "  --flows N         numbered flows to send, 1 to 65536 (default 1)\n"
	       "  --delay SECS      wait this long after the link comes up before sending\n");
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
		{"queues", required_argument, NULL, 'q'},
		{"flows", required_argument, NULL, 'f'},
		{"delay", required_argument, NULL, 'D'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct in_addr a;
	bool ok = true, have_mac = false, have_dst = false;
	int c;

	*o = (struct opts){
		.name = "vm", .rate = 10000, .report = 1, .size = 64, .queues = 1, .flows = 1};
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
		case 'q':
			o->queues = (uint16_t)atoi(optarg);
			ok = o->queues >= 1 && o->queues <= MAX_QUEUES;
			break;
		case 'f':
			o->flows = (uint32_t)atoi(optarg);
			ok = o->flows >= 1 && o->flows <= MAX_FLOWS;
			break;
		case 'D':
			o->delay = atof(optarg);
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
	snprintf(vdev, sizeof vdev, "--vdev=net_virtio_user0,path=%s,queues=%u%s", o->socket,
		 o->queues, o->server ? ",server=1" : "");
	if (rte_eal_init((int)(sizeof argv / sizeof argv[0]), argv) < 0) {
		fprintf(stderr, "virtio-peer: cannot start DPDK or connect to %s\n", o->socket);
		exit(1);
	}
}

static struct rte_mempool *
start_port(uint16_t port, uint16_t queues)
{
	struct rte_eth_conf conf = {0};
	struct rte_mempool *mp = rte_pktmbuf_pool_create("vp_mp", MBUFS, 256, 0,
							 RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	bool ok = mp && !rte_eth_dev_configure(port, queues, queues, &conf);

	for (uint16_t q = 0; ok && q < queues; q++) {
		ok = !rte_eth_rx_queue_setup(port, q, 512, SOCKET_ID_ANY, NULL, mp) &&
		     !rte_eth_tx_queue_setup(port, q, 512, SOCKET_ID_ANY, NULL);
	}
	if (!ok || rte_eth_dev_start(port)) {
		fprintf(stderr, "virtio-peer: cannot set up the virtio-user device\n");
		exit(1);
	}
	return mp;
}

static void
put32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

static uint32_t
get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

/* Sends up to 'n' frames of the flows of queue 'q' (f % queues == q),
 * numbered; returns how many went. */
static uint16_t
send_frames(uint16_t port, uint16_t q, uint16_t queues, struct rte_mempool *mp,
	    const uint8_t *frame, uint16_t size, struct flows *fl, uint16_t n)
{
	struct rte_mbuf *pkts[BURST];
	uint32_t flow[BURST];
	uint16_t sent;

	if (n > BURST) {
		n = BURST;
	}
	if (!n || q >= fl->n || rte_pktmbuf_alloc_bulk(mp, pkts, n)) {
		return 0;
	}
	for (uint16_t i = 0; i < n; i++) {
		uint8_t *d = (uint8_t *)rte_pktmbuf_append(pkts[i], size);
		uint32_t f = fl->next_tx[q];

		fl->next_tx[q] = f + queues < fl->n ? f + queues : q;
		memcpy(d, frame, size);
		d[UDP_SPORT_OFS] = (uint8_t)((5000 + f) >> 8);
		d[UDP_SPORT_OFS + 1] = (uint8_t)(5000 + f);
		put32(d + SEQ_OFS, f);
		put32(d + SEQ_OFS + 4, fl->tx_seq[f]++);
		flow[i] = f;
	}
	sent = rte_eth_tx_burst(port, q, pkts, n);
	/* What did not go is sent again under the same numbers. */
	for (uint16_t i = n; i > sent; i--) {
		fl->tx_seq[flow[i - 1]]--;
		fl->next_tx[q] = flow[i - 1];
	}
	rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	return sent;
}

/* Counts a frame addressed to this peer against its flow's numbering. */
static void
check_numbers(struct flows *fl, const struct rte_mbuf *m)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t f, seq;

	if (rte_pktmbuf_data_len(m) < SEQ_OFS + 8) {
		return;
	}
	f = get32(d + SEQ_OFS);
	seq = get32(d + SEQ_OFS + 4);
	if (f >= MAX_FLOWS) {
		return;
	}
	if (seq < fl->rx_next[f]) {
		fl->reordered++;
	} else {
		fl->gaps += seq - fl->rx_next[f];
		fl->rx_next[f] = seq + 1;
	}
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
	struct flows fl = {0};
	double up_since = 0;

	parse_opts(argc, argv, &o);
	fl.n = o.flows;
	fl.tx_seq = calloc(MAX_FLOWS, sizeof *fl.tx_seq);
	fl.rx_next = calloc(MAX_FLOWS, sizeof *fl.rx_next);
	if (!fl.tx_seq || !fl.rx_next) {
		fprintf(stderr, "virtio-peer: out of memory\n");
		return 1;
	}
	for (uint16_t q = 0; q < MAX_QUEUES; q++) {
		fl.next_tx[q] = q;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* No SA_RESTART: a server waiting for its first connection gives up. */
	sigaction(SIGTERM, &(struct sigaction){.sa_handler = on_signal}, NULL);
	sigaction(SIGINT, &(struct sigaction){.sa_handler = on_signal}, NULL);
	start_eal(&o);
	mp = start_port(0, o.queues);
	spec = pktgen_udp4(o.ip, o.dst_ip, 5000, 5001);
	memcpy(spec.eth_src, o.mac, 6);
	memcpy(spec.eth_dst, o.dst, 6);
	spec.payload_len = (uint16_t)(o.size - 42);
	pktgen_build(&spec, frame, sizeof frame);
	/* Ports and numbers change per frame: no UDP checksum (IPv4 allows). */
	frame[UDP_CSUM_OFS] = frame[UDP_CSUM_OFS + 1] = 0;
	start = last_t = last_credit_t = now_s();
	next_report = start + o.report;
	while (!stop) {
		struct rte_mbuf *pkts[BURST];
		uint16_t n = 0, want = 0;
		double t = now_s();

		for (uint16_t q = 0; q < o.queues; q++) {
			uint16_t got = rte_eth_rx_burst(0, q, pkts, BURST);

			for (uint16_t i = 0; i < got; i++) {
				if (!memcmp(rte_pktmbuf_mtod(pkts[i], uint8_t *), o.mac, 6)) {
					rx++;
					fl.rxq[q]++;
					check_numbers(&fl, pkts[i]);
				}
			}
			rte_pktmbuf_free_bulk(pkts, got);
			n += got;
		}
		if (o.rate == 0) {
			want = BURST;
		} else if (o.rate > 0) {
			credit += (t - last_credit_t) * o.rate;
			credit = credit > 4 * BURST ? 4 * BURST : credit;
			want = (uint16_t)credit;
		}
		last_credit_t = t;
		if (!link_up(0)) {
			up_since = 0;
		} else if (!up_since) {
			up_since = t;
		}
		if (want && up_since && t - up_since >= o.delay) {
			for (uint16_t q = 0; q < o.queues; q++) {
				uint16_t share =
					(uint16_t)(want / o.queues + (q < want % o.queues));
				uint16_t sent =
					send_frames(0, q, o.queues, mp, frame, o.size, &fl, share);

				tx += sent;
				credit -= sent;
			}
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
	printf("peer %s done tx=%llu rx=%llu rx_mpps=%.3f reordered=%llu gaps=%llu rxq=", o.name,
	       (unsigned long long)tx, (unsigned long long)rx, (double)rx / (now_s() - start) / 1e6,
	       (unsigned long long)fl.reordered, (unsigned long long)fl.gaps);
	for (uint16_t q = 0; q < o.queues; q++) {
		printf("%s%llu", q ? "/" : "", (unsigned long long)fl.rxq[q]);
	}
	printf("\n");
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
