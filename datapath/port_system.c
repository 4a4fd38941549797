/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The "system" port type: an existing kernel interface (a veth end, a TAP a
 * VM's QEMU made, a NIC the kernel drives), attached through an AF_PACKET
 * socket with memory-mapped TPACKET_V2 rx and tx rings. The switch sees the
 * frames the interface receives (not the host's own transmissions), puts
 * back the VLAN tag the kernel took off, finishes checksums the sender left
 * to offload, and cuts the large TCP frames a kernel sender offloads (GSO)
 * into frames that fit the MTU.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "port_impl.h"

static const char *const system_options[] = {NULL};

enum {
	RX_FRAME_SIZE = 17 * 4096, /* a 64 KiB offloaded frame and its headers */
	RX_FRAMES = 64,
	TX_FRAME_SIZE = 16384, /* a 9000-byte jumbo frame */
	TX_FRAMES = 256,
	BACKLOG_MAX = 64, /* segments of one offloaded frame still to deliver */
};

struct system_priv {
	int fd;
	int ifindex;
	uint8_t *map;
	size_t map_size;
	uint8_t *rx_ring, *tx_ring;
	uint32_t rx_idx, tx_idx;
	uint32_t mtu; /* read at open: offloaded frames are cut to fit it */
	uint16_t n_backlog, backlog_pos;
	struct rte_mbuf *backlog[BACKLOG_MAX];
	uint8_t scratch[RX_FRAME_SIZE]; /* a frame with its VLAN tag put back */
	struct port_stats stats;
	uint64_t ring_drops; /* frames the kernel dropped: the ring was full */
};

static struct system_priv *
priv_of(const struct port *port)
{
	return (struct system_priv *)(void *)port->priv;
}

static int
sockopt(int fd, int opt, const void *v, socklen_t size)
{
	return setsockopt(fd, SOL_PACKET, opt, v, size) ? -errno : 0;
}

static int
read_mtu(const char *ifname, uint32_t *mtu)
{
	struct port_status st = {0};

	port_kernel_status(ifname, &st);
	*mtu = st.mtu ? st.mtu : 1500;
	return 0;
}

static int
set_up(const char *ifname)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = 0;
	struct ifreq ifr = {0};

	if (fd < 0) {
		return -errno;
	}
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%.15s", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		ret = ioctl(fd, SIOCSIFFLAGS, &ifr) ? -errno : 0;
	}
	close(fd);
	return ret;
}

/* Sets up the socket, its rings and its binding; fills 'err'. */
static int
setup_socket(struct port *port, struct system_priv *p, char *err)
{
	struct tpacket_req rx = {RX_FRAME_SIZE, RX_FRAMES, RX_FRAME_SIZE, RX_FRAMES};
	struct tpacket_req tx = {TX_FRAME_SIZE * 4, TX_FRAMES / 4, TX_FRAME_SIZE, TX_FRAMES};
	struct packet_mreq mr = {.mr_ifindex = p->ifindex, .mr_type = PACKET_MR_PROMISC};
	struct sockaddr_ll sll = {.sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_ALL),
				  .sll_ifindex = p->ifindex};
	int version = TPACKET_V2, one = 1, ret;
	const char *what;

	p->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->fd < 0) {
		what = "socket";
		ret = -errno;
		goto fail;
	}
	what = "PACKET_VERSION";
	ret = sockopt(p->fd, PACKET_VERSION, &version, sizeof version);
	if (!ret) {
		what = "PACKET_IGNORE_OUTGOING";
		ret = sockopt(p->fd, PACKET_IGNORE_OUTGOING, &one, sizeof one);
	}
	if (!ret) {
		what = "PACKET_QDISC_BYPASS";
		ret = sockopt(p->fd, PACKET_QDISC_BYPASS, &one, sizeof one);
	}
	if (!ret) {
		what = "PACKET_RX_RING";
		ret = sockopt(p->fd, PACKET_RX_RING, &rx, sizeof rx);
	}
	if (!ret) {
		what = "PACKET_TX_RING";
		ret = sockopt(p->fd, PACKET_TX_RING, &tx, sizeof tx);
	}
	if (ret) {
		goto fail;
	}
	p->map_size = (size_t)RX_FRAME_SIZE * RX_FRAMES + (size_t)TX_FRAME_SIZE * TX_FRAMES;
	p->map = mmap(NULL, p->map_size, PROT_READ | PROT_WRITE, MAP_SHARED, p->fd, 0);
	if (p->map == MAP_FAILED) {
		p->map = NULL;
		what = "mmap";
		ret = -errno;
		goto fail;
	}
	p->rx_ring = p->map;
	p->tx_ring = p->map + (size_t)RX_FRAME_SIZE * RX_FRAMES;
	what = "bind";
	ret = bind(p->fd, (struct sockaddr *)&sll, sizeof sll) ? -errno : 0;
	if (!ret) {
		what = "promiscuous mode";
		ret = sockopt(p->fd, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr);
	}
	if (!ret) {
		return 0;
	}
fail:
	snprintf(err, PORT_ERR_MAX, "port %s: %s: %s", port->name, what, strerror(-ret));
	return ret;
}

static void
system_close(struct port *port)
{
	struct system_priv *p = priv_of(port);

	while (p->backlog_pos < p->n_backlog) {
		rte_pktmbuf_free(p->backlog[p->backlog_pos++]);
	}
	if (p->map) {
		munmap(p->map, p->map_size);
	}
	if (p->fd >= 0) {
		close(p->fd);
	}
}

static int
system_open(struct port *port, const struct port_opt *opts __rte_unused, size_t n_opts __rte_unused,
	    char *err)
{
	struct system_priv *p = priv_of(port);
	int ret;

	p->fd = -1;
	p->ifindex = (int)if_nametoindex(port->name);
	if (!p->ifindex) {
		snprintf(err, PORT_ERR_MAX,
			 "port %s: there is no kernel interface named %s in the switch's network "
			 "namespace",
			 port->name, port->name);
		return -ENODEV;
	}
	ret = port_kernel_configure(port, port->name, err);
	if (!ret) {
		ret = setup_socket(port, p, err);
	}
	if (!ret && (ret = set_up(port->name)) != 0) {
		snprintf(err, PORT_ERR_MAX, "port %s: cannot bring the interface up: %s",
			 port->name, strerror(-ret));
	}
	if (ret) {
		system_close(port);
		return ret;
	}
	read_mtu(port->name, &p->mtu);
	return 0;
}

static int
system_stats(const struct port *port, struct port_stats *stats)
{
	struct system_priv *p = priv_of(port);
	struct tpacket_stats st;
	socklen_t len = sizeof st;

	/* The kernel's count since the last read; the reads come from the
	 * control thread only. */
	if (p->fd >= 0 && !getsockopt(p->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len)) {
		__atomic_fetch_add(&p->ring_drops, st.tp_drops, __ATOMIC_RELAXED);
	}
	*stats = p->stats;
	stats->rx_dropped += __atomic_load_n(&p->ring_drops, __ATOMIC_RELAXED);
	return 0;
}

static int
system_status(struct port *port, struct port_status *st)
{
	struct system_priv *p = priv_of(port);

	port_kernel_status(port->name, st);
	port_status_add(st, "ifindex", "%d", p->ifindex);
	return 0;
}

/* The frame of 'h' as one contiguous buffer, with its VLAN tag back in. */
static uint8_t *
frame_data(struct system_priv *p, struct tpacket2_hdr *h, uint32_t *size)
{
	uint8_t *data = (uint8_t *)h + h->tp_mac;
	uint16_t tpid, tci;

	*size = h->tp_snaplen;
	if (!(h->tp_status & TP_STATUS_VLAN_VALID) || *size < 12 || *size + 4 > sizeof p->scratch) {
		return data;
	}
	tpid = htons(h->tp_status & TP_STATUS_VLAN_TPID_VALID ? h->tp_vlan_tpid : 0x8100);
	tci = htons(h->tp_vlan_tci);
	memcpy(p->scratch, data, 12);
	memcpy(p->scratch + 12, &tpid, 2);
	memcpy(p->scratch + 14, &tci, 2);
	memcpy(p->scratch + 16, data + 12, *size - 12);
	*size += 4;
	return p->scratch;
}

/* Turns ring frame 'h' into packets at the end of the backlog. */
static void
take_frame(struct port *port, struct system_priv *p, struct tpacket2_hdr *h)
{
	uint32_t size, l2_max;
	uint8_t *data;
	int n;

	if (h->tp_snaplen < h->tp_len || h->tp_snaplen < 14) {
		p->stats.rx_errors++; /* did not fit a ring frame */
		return;
	}
	data = frame_data(p, h, &size);
	l2_max = p->mtu + 14 + ((data[12] == 0x81 && data[13] == 0) ? 4 : 0);
	if (size > l2_max) {
		/* An offloaded TCP send: cut it as the sender's NIC would. */
		n = port_tcp_segment(port->mp, data, size, p->mtu, p->backlog + p->n_backlog,
				     BACKLOG_MAX - p->n_backlog);
		if (n < 0) {
			if (n == -ENOMEM) {
				p->stats.rx_dropped++;
			} else {
				p->stats.rx_errors++;
			}
			return;
		}
		p->n_backlog = (uint16_t)(p->n_backlog + n);
		return;
	}
	if (h->tp_status & TP_STATUS_CSUMNOTREADY) {
		port_csum_fix(data, size);
	}
	p->backlog[p->n_backlog] = port_mbuf_from_buf(port->mp, data, size);
	if (!p->backlog[p->n_backlog]) {
		p->stats.rx_dropped++;
		return;
	}
	p->n_backlog++;
}

static uint16_t
system_rx(struct port *port, uint16_t qid, struct rte_mbuf **pkts, uint16_t n)
{
	struct system_priv *p = priv_of(port);
	uint16_t got = 0;

	(void)qid;
	for (;;) {
		struct tpacket2_hdr *h;

		while (got < n && p->backlog_pos < p->n_backlog) {
			struct rte_mbuf *m = p->backlog[p->backlog_pos++];

			p->stats.rx_bytes += m->pkt_len;
			pkts[got++] = m;
		}
		if (p->backlog_pos == p->n_backlog) {
			p->backlog_pos = p->n_backlog = 0;
		}
		if (got == n || p->n_backlog) {
			break;
		}
		h = (struct tpacket2_hdr *)(void *)(p->rx_ring + (size_t)p->rx_idx * RX_FRAME_SIZE);
		if (!(__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER)) {
			break;
		}
		take_frame(port, p, h);
		__atomic_store_n(&h->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
		p->rx_idx = (p->rx_idx + 1) % RX_FRAMES;
	}
	p->stats.rx_packets += got;
	return got;
}

static void
copy_out(const struct rte_mbuf *m, uint8_t *to)
{
	for (; m; m = m->next) {
		memcpy(to, rte_pktmbuf_mtod(m, const uint8_t *), m->data_len);
		to += m->data_len;
	}
}

static uint16_t
system_tx(struct port *port, uint16_t qid, struct rte_mbuf **pkts, uint16_t n)
{
	struct system_priv *p = priv_of(port);
	const uint32_t room = TX_FRAME_SIZE - (TPACKET2_HDRLEN - sizeof(struct sockaddr_ll));
	uint16_t queued = 0;

	(void)qid;
	for (uint16_t i = 0; i < n; i++) {
		struct tpacket2_hdr *h =
			(struct tpacket2_hdr *)(void *)(p->tx_ring +
							(size_t)p->tx_idx * TX_FRAME_SIZE);
		uint32_t status = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
		uint32_t len = rte_pktmbuf_pkt_len(pkts[i]);

		if (status == TP_STATUS_WRONG_FORMAT) {
			p->stats.tx_errors++; /* the kernel refused an earlier frame */
		} else if (status != TP_STATUS_AVAILABLE) {
			p->stats.tx_dropped += n - i; /* the ring is full */
			break;
		}
		if (len > room) {
			p->stats.tx_errors++;
			__atomic_store_n(&h->tp_status, TP_STATUS_AVAILABLE, __ATOMIC_RELEASE);
			continue;
		}
		copy_out(pkts[i], (uint8_t *)h + TPACKET2_HDRLEN - sizeof(struct sockaddr_ll));
		h->tp_len = len;
		__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
		p->tx_idx = (p->tx_idx + 1) % TX_FRAMES;
		p->stats.tx_bytes += len;
		queued++;
	}
	if (queued && send(p->fd, NULL, 0, MSG_DONTWAIT) < 0 && errno != EAGAIN &&
	    errno != ENOBUFS) {
		p->stats.tx_errors++; /* the interface went away or down */
	}
	p->stats.tx_packets += queued;
	rte_pktmbuf_free_bulk(pkts, n);
	return queued;
}

const struct port_ops port_system_ops = {
	.type = "system",
	.priv_size = sizeof(struct system_priv),
	.options = system_options,
	.caps = PORT_CAP_MTU,
	.open = system_open,
	.close = system_close,
	.get_stats = system_stats,
	.get_status = system_status,
	.rx_burst = system_rx,
	.tx_burst = system_tx,
};
