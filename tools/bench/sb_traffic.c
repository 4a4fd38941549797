/* SPDX-License-Identifier: Apache-2.0 */
/*
 * switch-bench's traffic engine (sb_traffic.h): the child process that
 * starts DPDK with one virtio-user device per stand-in VM, and the parent's
 * side that runs it and reads its result back through a pipe.
 */
#include "sb_traffic.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "csum.h"
#include "fileio.h"
#include "pktgen.h"

enum {
	BURST = 32,
	MBUFS = 16383,
	RING = 1024,
	LEARN_FRAMES = 8,
	MAX_FRAME = 1518,
	PAYLOAD_OFS = 42, /* Ethernet, IPv4, UDP */
	PORTS_PER_IP = 60000,
	MSG_WINDOW_START = 1,
	MSG_WINDOW_END = 2,
	MSG_RESULT = 3,
};

static const uint32_t MAGIC = 0x53420001; /* "SB", version 1 */
static const uint16_t IMIX[12] = {64, 570, 64, 64, 570, 64, 1518, 64, 570, 64, 64, 570};

/* ---- Latency histogram ---- */

static unsigned int
lat_index(uint64_t ns)
{
	unsigned int msb;

	if (ns < 64) {
		return 0;
	}
	msb = 63u - (unsigned int)__builtin_clzll(ns);
	if (msb >= 30) {
		return SB_LAT_BUCKETS - 1;
	}
	return (msb - 6) * 32 + (unsigned int)((ns >> (msb - 5)) & 31) + 1;
}

uint64_t
sb_lat_upper(unsigned int i)
{
	unsigned int msb, sub;

	if (i == 0) {
		return 63;
	}
	if (i >= SB_LAT_BUCKETS - 1) {
		return UINT64_MAX;
	}
	msb = (i - 1) / 32 + 6;
	sub = (i - 1) % 32;
	return ((uint64_t)(32 + sub + 1) << (msb - 5)) - 1;
}

uint64_t
sb_lat_quantile(const struct sb_lat *l, double q)
{
	uint64_t want, seen = 0;

	if (!l->n) {
		return 0;
	}
	want = (uint64_t)((double)l->n * q);
	want = want < 1 ? 1 : want;
	for (unsigned int i = 0; i < SB_LAT_BUCKETS; i++) {
		seen += l->bucket[i];
		if (seen >= want) {
			uint64_t up = sb_lat_upper(i);

			return up < l->max_ns ? up : l->max_ns;
		}
	}
	return l->max_ns;
}

double
sb_frame_avg(uint16_t size)
{
	double sum = 0;

	if (size) {
		return size;
	}
	for (size_t i = 0; i < sizeof IMIX / sizeof IMIX[0]; i++) {
		sum += IMIX[i];
	}
	return sum / (double)(sizeof IMIX / sizeof IMIX[0]);
}

/* ---- The child: devices and the send/receive loop ---- */

struct dev_state {
	const struct sb_dev *cfg;
	uint16_t port;
	uint8_t frame[MAX_FRAME]; /* the template, flow 0 */
	uint32_t flow, imix;
	double credit;
	struct sb_dev_result *res;
	/* During the warm-up the device says where it is again, in case its
	 * first frames were lost (a tunnel resolving its next hop): at
	 * 'next_learn' while 'learns_left'. */
	uint64_t next_learn;
	unsigned int learns_left;
};

/* The devices one lcore polls. */
struct group {
	struct engine *e;
	unsigned int n, dev[SB_MAX_DEVS];
};

/* What every lcore does now; the main lcore moves it on. */
enum phase { PH_WARMUP, PH_WINDOW, PH_DRAIN, PH_DONE };

struct engine {
	const struct sb_trial *t;
	struct rte_mempool *mp;
	struct dev_state d[SB_MAX_DEVS];
	struct group g[SB_MAX_DEVS]; /* g[0]: the main lcore's */
	unsigned int n_groups;
	int phase; /* enum phase; atomic */
	uint64_t hz;
	double ns_per_tsc; /* 1e9 / hz, once: a multiply per frame */
	int fd;            /* to the parent */
	int ack_fd;        /* from the parent: its counters are read */
};

static void
send_msg(int fd, uint8_t type, const void *p, size_t n)
{
	if (vs_write_all(fd, &type, 1) == 0 && n) {
		vs_write_all(fd, p, n);
	}
}

/* The lcore of device 'dev': lcore k runs on the k-th distinct CPU the
 * devices name, in their order ('*n_lcores' counts them so far). Returns
 * k; true in '*is_new' when the device's CPU is a new one. */
static unsigned int
dev_lcore(const struct sb_trial *t, unsigned int dev, int *cpus, unsigned int *n_lcores,
	  bool *is_new)
{
	unsigned int k = 0;

	while (k < *n_lcores && cpus[k] != t->cpu[dev]) {
		k++;
	}
	*is_new = k == *n_lcores;
	if (*is_new) {
		cpus[(*n_lcores)++] = t->cpu[dev];
	}
	return k;
}

/* One group of devices per lcore. */
static void
make_groups(struct engine *e)
{
	int cpus[SB_MAX_DEVS];

	e->n_groups = 0;
	for (unsigned int i = 0; i < e->t->n_devs; i++) {
		bool is_new;
		unsigned int k = dev_lcore(e->t, i, cpus, &e->n_groups, &is_new);

		if (is_new) {
			e->g[k] = (struct group){.e = e};
		}
		e->g[k].dev[e->g[k].n++] = i;
	}
}

static bool
start_eal(const struct sb_trial *t)
{
	char lcores[128] = "", prefix[64], vdev[SB_MAX_DEVS][400];
	char *argv[16 + SB_MAX_DEVS];
	int argc = 0, cpus[SB_MAX_DEVS];
	unsigned int n_lcores = 0;

	/* "K@CPU" for each lcore, numbered as make_groups() numbers them. */
	for (unsigned int i = 0; i < t->n_devs; i++) {
		bool is_new;
		unsigned int k = dev_lcore(t, i, cpus, &n_lcores, &is_new);

		if (is_new) {
			snprintf(lcores + strlen(lcores), sizeof lcores - strlen(lcores), "%s%u@%d",
				 k ? "," : "", k, t->cpu[i]);
		}
	}
	snprintf(prefix, sizeof prefix, "switch-bench-%d", (int)getpid());
	argv[argc++] = "switch-bench";
	argv[argc++] = "--lcores";
	argv[argc++] = lcores;
	/* Without hugepages the devices' memory is a memfd the switch maps. */
	argv[argc++] = "--no-huge";
	argv[argc++] = "-m";
	argv[argc++] = "256";
	argv[argc++] = "--no-pci";
	argv[argc++] = "--no-shconf";
	argv[argc++] = "--no-telemetry";
	argv[argc++] = "--log-level=error";
	argv[argc++] = "--file-prefix";
	argv[argc++] = prefix;
	for (unsigned int i = 0; i < t->n_devs; i++) {
		/* A far host's device has its outer header's address. */
		const uint8_t *m = t->dev[i].outer_len ? t->dev[i].outer + 6 : t->dev[i].mac;

		snprintf(vdev[i], sizeof vdev[i],
			 "--vdev=net_virtio_user%u,path=%s,queue_size=%d,"
			 "mac=%02x:%02x:%02x:%02x:%02x:%02x",
			 i, t->dev[i].socket, RING, m[0], m[1], m[2], m[3], m[4], m[5]);
		argv[argc++] = vdev[i];
	}
	return rte_eal_init(argc, argv) >= 0;
}

static bool
start_port(struct engine *e, uint16_t port)
{
	struct rte_eth_conf conf = {0};

	return !rte_eth_dev_configure(port, 1, 1, &conf) &&
	       !rte_eth_rx_queue_setup(port, 0, RING, SOCKET_ID_ANY, NULL, e->mp) &&
	       !rte_eth_tx_queue_setup(port, 0, RING, SOCKET_ID_ANY, NULL) &&
	       !rte_eth_dev_start(port);
}

static bool
link_up(uint16_t port)
{
	struct rte_eth_link link;

	return rte_eth_link_get_nowait(port, &link) == 0 && link.link_status;
}

static void
build_template(struct dev_state *s)
{
	struct pktgen_spec spec = pktgen_udp4(s->cfg->ip, s->cfg->dst_ip, 1024, 5001);

	memcpy(spec.eth_src, s->cfg->mac, 6);
	memcpy(spec.eth_dst, s->cfg->dst, 6);
	spec.payload_len = MAX_FRAME - 4 - PAYLOAD_OFS;
	pktgen_build(&spec, s->frame, sizeof s->frame);
	memset(s->frame + 40, 0, 2); /* no UDP checksum: lengths and ports vary */
}

/* Writes frame 'len' (without FCS) of flow 'flow' into 'p'. */
static void
fill_frame(const struct dev_state *s, uint8_t *p, uint16_t len, uint32_t flow, bool tagged,
	   uint64_t tsc)
{
	uint32_t src = htonl(s->cfg->ip ^ (flow / PORTS_PER_IP) << 8);
	uint16_t sport = htons((uint16_t)(1024 + flow % PORTS_PER_IP));
	uint16_t ip_len = htons((uint16_t)(len - 14)), udp_len = htons((uint16_t)(len - 34));
	uint32_t magic = htonl(MAGIC), tag = tagged;
	uint16_t csum;

	memcpy(p, s->frame, PAYLOAD_OFS);
	memcpy(p + 16, &ip_len, 2);
	memcpy(p + 26, &src, 4);
	memset(p + 24, 0, 2);
	csum = csum_finish(csum_add(0, p + 14, 20));
	memcpy(p + 24, &csum, 2);
	memcpy(p + 34, &sport, 2);
	memcpy(p + 38, &udp_len, 2);
	memcpy(p + PAYLOAD_OFS, &magic, 4);
	memcpy(p + PAYLOAD_OFS + 4, &tag, 4);
	memcpy(p + PAYLOAD_OFS + 8, &tsc, 8);
	memset(p + PAYLOAD_OFS + 16, 0, (size_t)len - PAYLOAD_OFS - 16);
}

/* Wraps the frame of 'len' bytes at p + d->outer_len, of flow 'flow', in
 * 'd''s outer header, as the far host's switch would: the outer UDP source
 * port from the flow (for ECMP), a UDP checksum when d->outer_csum (a
 * tunnel port's default over IPv6, not over IPv4), else none. */
static void
fill_outer(const struct sb_dev *d, uint8_t *p, uint16_t len, uint32_t flow)
{
	const bool v6 = d->outer[12] == 0x86;
	const uint16_t l4 = v6 ? 54 : 34, udp_len = (uint16_t)(d->outer_len - l4 + len);
	const uint16_t sport = htons((uint16_t)(49152 | ((flow * 2654435761u) >> 18)));
	const uint16_t n_udp_len = htons(udp_len);
	uint16_t v;

	memcpy(p, d->outer, d->outer_len);
	memcpy(p + l4, &sport, 2);
	memcpy(p + l4 + 4, &n_udp_len, 2);
	memset(p + l4 + 6, 0, 2);
	if (v6) {
		memcpy(p + 18, &n_udp_len, 2); /* the payload is the UDP datagram */
	} else {
		v = htons((uint16_t)(d->outer_len - 14 + len));
		memcpy(p + 16, &v, 2);
		memset(p + 24, 0, 2);
		v = csum_finish(csum_add(0, p + 14, 20));
		memcpy(p + 24, &v, 2);
	}
	if (d->outer_csum) {
		/* The pseudo-header: the addresses, the protocol, the length. */
		uint32_t sum = csum_add(0, p + (v6 ? 22 : 26), v6 ? 32 : 8) + htons(IPPROTO_UDP) +
			       n_udp_len;

		v = csum_finish(csum_add(sum, p + l4, udp_len));
		v = v ? v : 0xffff;
		memcpy(p + l4 + 6, &v, 2);
	}
}

int
sb_traffic_write_pcap(const struct sb_dev *d, uint16_t size, uint32_t flows, unsigned int n,
		      const char *path)
{
	static struct dev_state s;
	uint8_t frame[sizeof d->outer + MAX_FRAME];
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, (int)sizeof frame);
	pcap_dumper_t *out = dead ? pcap_dump_open(dead, path) : NULL;
	int ret = out ? 0 : -EIO;

	s.cfg = d;
	build_template(&s);
	for (unsigned int k = 0; out && k < n; k++) {
		uint16_t len = (uint16_t)((size ? size : IMIX[k % 12]) - 4);
		uint32_t flow = flows ? k % flows : 0;
		struct pcap_pkthdr h = {.caplen = d->outer_len + len, .len = d->outer_len + len};

		/* Tagged, with no send time: counted, not timed. */
		fill_frame(&s, frame + d->outer_len, len, flow, true, 0);
		if (d->outer_len) {
			fill_outer(d, frame, len, flow);
		}
		pcap_dump((u_char *)out, &h, frame);
	}
	if (out && (pcap_dump_flush(out) || ferror(pcap_dump_file(out)))) {
		ret = -EIO;
	}
	if (out) {
		pcap_dump_close(out);
	}
	if (dead) {
		pcap_close(dead);
	}
	return ret;
}

/* True when the 'len' bytes at 'p' are a tunnel packet that device 'd''s
 * far host would take as its own: from the switch's host to it, by the
 * same UDP port and tunnel header as 'd''s own frames go the other way. */
static bool
outer_ok(const struct sb_dev *d, const uint8_t *p, uint32_t len)
{
	const bool v6 = d->outer[12] == 0x86;
	const uint32_t l3 = 14, l4 = v6 ? 54 : 34, a = v6 ? 16 : 4;
	const uint32_t src = l3 + (v6 ? 8 : 12);

	return len >= d->outer_len && !memcmp(p, d->outer + 6, 6) &&
	       !memcmp(p + 12, d->outer + 12, 2) && p[l3 + (v6 ? 6 : 9)] == IPPROTO_UDP &&
	       !memcmp(p + src, d->outer + src + a, a) && !memcmp(p + src + a, d->outer + src, a) &&
	       !memcmp(p + l4 + 2, d->outer + l4 + 2, 2) &&
	       !memcmp(p + l4 + 8, d->outer + l4 + 8, 8);
}

/* Sends up to 'want' frames from device 's'; returns how many were due
 * (built), the ring's refusals counted in the result. */
static uint16_t
send_burst(struct engine *e, struct dev_state *s, uint16_t want, bool tagged)
{
	struct rte_mbuf *pkts[BURST];
	uint64_t tsc = rte_rdtsc();
	uint16_t sent;

	want = want > BURST ? BURST : want;
	if (rte_pktmbuf_alloc_bulk(e->mp, pkts, want)) {
		s->res->tx_no_mbuf += tagged ? want : 0;
		return 0;
	}
	for (uint16_t i = 0; i < want; i++) {
		uint16_t size = e->t->size ? e->t->size : IMIX[s->imix++ % 12];
		uint16_t len = (uint16_t)(size - 4), outer = s->cfg->outer_len;
		uint8_t *p = (uint8_t *)rte_pktmbuf_append(pkts[i], (uint16_t)(outer + len));

		fill_frame(s, p + outer, len, s->flow, tagged, tsc);
		if (outer) {
			fill_outer(s->cfg, p, len, s->flow);
		}
		s->flow = s->flow + 1 >= e->t->flows ? 0 : s->flow + 1;
	}
	sent = rte_eth_tx_burst(s->port, 0, pkts, want);
	if (sent < want) {
		rte_pktmbuf_free_bulk(pkts + sent, want - sent);
	}
	if (tagged) {
		/* At full speed nothing is due: a refusal is back-pressure and
		 * the frame is simply not offered. Paced, it was due: lost. */
		s->res->attempted += e->t->rate > 0 ? want : sent;
		s->res->tx += sent;
		s->res->tx_ring_full += want - sent;
	}
	return want;
}

static void
count_rx(struct engine *e, struct dev_state *s, const uint8_t *p, uint32_t len, uint64_t now)
{
	uint32_t magic, tag;
	uint64_t tsc, ns;
	struct sb_lat *l = &s->res->lat;

	if (s->cfg->outer_len) {
		if (!outer_ok(s->cfg, p, len)) {
			return;
		}
		p += s->cfg->outer_len;
		len -= s->cfg->outer_len;
	}
	if (len < PAYLOAD_OFS + 16 || memcmp(p, s->cfg->mac, 6)) {
		return;
	}
	memcpy(&magic, p + PAYLOAD_OFS, 4);
	memcpy(&tag, p + PAYLOAD_OFS + 4, 4);
	memcpy(&tsc, p + PAYLOAD_OFS + 8, 8);
	if (ntohl(magic) != MAGIC || !tag) {
		return;
	}
	s->res->rx++;
	s->res->rx_bytes += len + 4;
	if (!tsc) {
		return; /* a replayed frame (sb_traffic_write_pcap()): no send time */
	}
	ns = now > tsc ? (uint64_t)((double)(now - tsc) * e->ns_per_tsc) : 0;
	l->n++;
	l->max_ns = ns > l->max_ns ? ns : l->max_ns;
	l->bucket[lat_index(ns)]++;
}

/* Device 's' says where it is: its hello (a far host's ARP request or
 * neighbour solicitation) if it has one, then a few of its frames. */
static void
say_where(struct engine *e, struct dev_state *s)
{
	struct rte_mbuf *m;

	if (s->cfg->hello_len && (m = rte_pktmbuf_alloc(e->mp)) != NULL) {
		memcpy(rte_pktmbuf_append(m, s->cfg->hello_len), s->cfg->hello, s->cfg->hello_len);
		if (rte_eth_tx_burst(s->port, 0, &m, 1) != 1) {
			rte_pktmbuf_free(m);
		}
	}
	send_burst(e, s, LEARN_FRAMES, false);
}

/* Receives on device 's': counts, or loops frames back to their sender. */
static void
receive(struct engine *e, struct dev_state *s)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t n = rte_eth_rx_burst(s->port, 0, pkts, BURST), n_loop = 0;
	uint64_t now = rte_rdtsc();

	for (uint16_t i = 0; i < n; i++) {
		uint8_t *p = rte_pktmbuf_mtod(pkts[i], uint8_t *);

		if (s->cfg->roles & SB_LOOP) {
			if (!memcmp(p, s->cfg->mac, 6)) {
				memcpy(p, p + 6, 6);
				memcpy(p + 6, s->cfg->mac, 6);
				pkts[n_loop++] = pkts[i];
				continue;
			}
		} else if (s->cfg->roles & SB_SINK) {
			count_rx(e, s, p, rte_pktmbuf_data_len(pkts[i]), now);
		}
		rte_pktmbuf_free(pkts[i]);
	}
	if (n_loop) {
		uint16_t sent = rte_eth_tx_burst(s->port, 0, pkts, n_loop);

		s->res->looped += sent;
		s->res->loop_drops += n_loop - sent;
		if (sent < n_loop) {
			rte_pktmbuf_free_bulk(pkts + sent, n_loop - sent);
		}
	}
}

/* One pass over the devices of group 'g': receive, and send what the
 * schedule says is due ('sending' false: receive only). */
static void
poll_devices(struct group *g, bool sending, bool tagged, uint64_t now, uint64_t *last)
{
	struct engine *e = g->e;
	double dt = (double)(now - *last) / (double)e->hz;

	*last = now;
	for (unsigned int k = 0; k < g->n; k++) {
		struct dev_state *s = &e->d[g->dev[k]];

		receive(e, s);
		if (sending && !tagged && s->learns_left && now >= s->next_learn) {
			say_where(e, s);
			s->learns_left--;
			s->next_learn = now + (uint64_t)(e->t->warmup / 4 * (double)e->hz);
		}
		if (!sending || !(s->cfg->roles & SB_GEN)) {
			continue;
		}
		if (e->t->rate > 0) {
			s->credit += dt * e->t->rate;
			/* After a short stall (an interrupt, another task on the
			 * CPU) the generator catches up, as a VM with a queue of
			 * frames would, up to half a ring; credit beyond that is
			 * lost: a generator short of CPU offers less, and says so. */
			if (s->credit > RING / 2) {
				s->credit = RING / 2;
			}
			if (s->credit >= 1) {
				s->credit -= send_burst(e, s, (uint16_t)s->credit, tagged);
			}
		} else {
			send_burst(e, s, BURST, tagged);
		}
	}
}

static void
check_links(struct engine *e)
{
	for (unsigned int i = 0; i < e->t->n_devs; i++) {
		if (!link_up(e->d[i].port)) {
			e->d[i].res->link_down = true;
		}
	}
}

static bool
wait_links(struct engine *e)
{
	uint64_t end = rte_rdtsc() + (uint64_t)(e->t->connect_timeout * (double)e->hz);

	while (rte_rdtsc() < end) {
		unsigned int up = 0;

		for (unsigned int i = 0; i < e->t->n_devs; i++) {
			up += link_up(e->d[i].port);
		}
		if (up == e->t->n_devs) {
			return true;
		}
		rte_delay_us_sleep(10000);
	}
	return false;
}

/* True once the parent's byte arrived (or the parent is gone). */
static bool
acked(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	uint8_t b;

	if (poll(&p, 1, 0) <= 0) {
		return false;
	}
	/* A byte, or end of file: either way the window may open. */
	return read(fd, &b, 1) >= 0 || errno != EINTR;
}

static void
set_phase(struct engine *e, enum phase p)
{
	__atomic_store_n(&e->phase, p, __ATOMIC_RELEASE);
}

/* A worker lcore: polls its group as the main lcore's phase says. Its
 * devices' schedules restart when the window opens. */
static int
worker_main(void *arg)
{
	struct group *g = arg;
	struct engine *e = g->e;
	uint64_t last = rte_rdtsc();
	int seen = PH_WARMUP, p;

	while ((p = __atomic_load_n(&e->phase, __ATOMIC_ACQUIRE)) != PH_DONE) {
		if (p != seen && p == PH_WINDOW) {
			for (unsigned int k = 0; k < g->n; k++) {
				e->d[g->dev[k]].credit = 0;
			}
			last = rte_rdtsc();
		}
		seen = p;
		poll_devices(g, p != PH_DRAIN, p == PH_WINDOW, rte_rdtsc(), &last);
	}
	return 0;
}

static void
run_phases(struct engine *e, struct sb_result *r)
{
	const struct sb_trial *t = e->t;
	struct group *g = &e->g[0];
	uint64_t hz = e->hz, now = rte_rdtsc(), last = now, until, start;
	unsigned int lcore, k = 1;

	/* Every device says where it is, then the warm-up (untagged). */
	for (unsigned int i = 0; i < t->n_devs; i++) {
		say_where(e, &e->d[i]);
		e->d[i].learns_left = 2;
		e->d[i].next_learn = now + (uint64_t)(t->warmup / 4 * (double)hz);
	}
	set_phase(e, PH_WARMUP);
	RTE_LCORE_FOREACH_WORKER (lcore) {
		if (k < e->n_groups) {
			rte_eal_remote_launch(worker_main, &e->g[k++], lcore);
		}
	}
	until = now + (uint64_t)(t->warmup * (double)hz);
	while ((now = rte_rdtsc()) < until) {
		poll_devices(g, true, false, now, &last);
	}
	check_links(e);
	/* The window opens once the parent has read the switch's counters;
	 * the warm-up traffic goes on meanwhile. */
	send_msg(e->fd, MSG_WINDOW_START, NULL, 0);
	while (!acked(e->ack_fd)) {
		poll_devices(g, true, false, rte_rdtsc(), &last);
	}
	for (unsigned int i = 0; i < g->n; i++) {
		e->d[g->dev[i]].credit = 0;
	}
	set_phase(e, PH_WINDOW);
	start = last = rte_rdtsc();
	until = start + (uint64_t)(t->duration * (double)hz);
	while ((now = rte_rdtsc()) < until) {
		poll_devices(g, true, true, now, &last);
	}
	set_phase(e, PH_DRAIN);
	r->window_s = (double)(now - start) / (double)hz;
	check_links(e);
	/* Drain: what is still in the switch or the rings arrives now. */
	until = now + hz / 5;
	while ((now = rte_rdtsc()) < until) {
		poll_devices(g, false, false, now, &last);
	}
	set_phase(e, PH_DONE);
	rte_eal_mp_wait_lcore();
	send_msg(e->fd, MSG_WINDOW_END, NULL, 0);
	check_links(e);
}

static void
child_main(const struct sb_trial *t, int fd, int ack_fd)
{
	static struct sb_result r;
	struct engine e = {.t = t, .fd = fd, .ack_fd = ack_fd};

	memset(&r, 0, sizeof r);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (!start_eal(t)) {
		snprintf(r.error, sizeof r.error, "DPDK did not start (EAL), or a device failed");
		goto out;
	}
	e.hz = rte_get_tsc_hz();
	e.ns_per_tsc = 1e9 / (double)e.hz;
	r.tsc_hz = (double)e.hz;
	e.mp = rte_pktmbuf_pool_create("sb_mp", MBUFS, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	make_groups(&e);
	if (!e.mp || rte_eth_dev_count_avail() != t->n_devs) {
		snprintf(r.error, sizeof r.error, "cannot set up %u virtio-user devices",
			 t->n_devs);
		goto out;
	}
	for (unsigned int i = 0; i < t->n_devs; i++) {
		e.d[i] = (struct dev_state){
			.cfg = &t->dev[i], .port = (uint16_t)i, .res = &r.dev[i]};
		build_template(&e.d[i]);
		if (!start_port(&e, (uint16_t)i)) {
			snprintf(r.error, sizeof r.error, "cannot start the device on %.120s",
				 t->dev[i].socket);
			goto out;
		}
	}
	if (!wait_links(&e)) {
		snprintf(r.error, sizeof r.error, "the devices did not connect within %.0f s",
			 t->connect_timeout);
		goto out;
	}
	run_phases(&e, &r);
	r.ok = true;
out:
	send_msg(fd, MSG_RESULT, &r, sizeof r);
	/* Not rte_eal_cleanup(): DPDK 22.11's virtio-user may crash in its
	 * interrupt thread when closed after its peer went away. */
	_exit(0);
}

/* ---- The parent ---- */

static bool
read_all(int fd, void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n) {
		ssize_t got = read(fd, p, n);

		if (got < 0 && errno == EINTR) {
			continue;
		}
		if (got <= 0) {
			return false;
		}
		p += got;
		n -= (size_t)got;
	}
	return true;
}

int
sb_traffic_run(const struct sb_trial *t, struct sb_result *r, sb_window_cb *cb, void *aux)
{
	int fds[2], acks[2], status, ret = 0;
	bool got = false;
	pid_t pid;
	uint8_t type;

	memset(r, 0, sizeof *r);
	if (t->n_devs == 0 || t->n_devs > SB_MAX_DEVS) {
		return -EINVAL;
	}
	if (pipe(fds)) {
		return -errno;
	}
	if (pipe(acks)) {
		ret = -errno;
		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(fds[0]);
		close(fds[1]);
		close(acks[0]);
		close(acks[1]);
		return ret;
	}
	if (pid == 0) {
		close(fds[0]);
		close(acks[1]);
		child_main(t, fds[1], acks[0]);
	}
	close(fds[1]);
	close(acks[0]);
	while (read(fds[0], &type, 1) == 1) {
		if (type == MSG_WINDOW_START || type == MSG_WINDOW_END) {
			if (cb) {
				cb(aux, type == MSG_WINDOW_START);
			}
			if (type == MSG_WINDOW_START) {
				vs_write_all(acks[1], &type, 1);
			}
		} else if (type == MSG_RESULT) {
			got = read_all(fds[0], r, sizeof *r);
			break;
		}
	}
	close(fds[0]);
	close(acks[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	if (!got) {
		snprintf(r->error, sizeof r->error, "the traffic engine died (status %d)", status);
		r->ok = false;
	}
	return ret;
}
