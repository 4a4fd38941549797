/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The "pcap" port type: receives the frames of a pcap file (rx_pcap=FILE),
 * once, then nothing; writes every transmitted frame to a pcap file
 * (tx_pcap=FILE), flushed after each burst. For tests and for replaying
 * captures through the datapath. File I/O happens in the burst calls: this
 * port is a tool, not a fast path.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "port_impl.h"

static const char *const pcap_options[] = {"rx_pcap", "tx_pcap", NULL};

struct pcap_priv {
	pcap_t *rx;
	pcap_t *tx_dead;
	pcap_dumper_t *tx;
	bool rx_eof;
	struct port_stats stats;
};

static struct pcap_priv *
priv_of(const struct port *port)
{
	return (struct pcap_priv *)(void *)port->priv;
}

static void
pcap_close_all(struct pcap_priv *p)
{
	if (p->rx) {
		pcap_close(p->rx);
		p->rx = NULL;
	}
	if (p->tx) {
		pcap_dump_close(p->tx);
		p->tx = NULL;
	}
	if (p->tx_dead) {
		pcap_close(p->tx_dead);
		p->tx_dead = NULL;
	}
}

static int
pcap_port_open(struct port *port, const struct port_opt *opts, size_t n_opts, char *err)
{
	struct pcap_priv *p = priv_of(port);
	char perr[PCAP_ERRBUF_SIZE];
	const char *rx = port_opt_get(opts, n_opts, "rx_pcap");
	const char *tx = port_opt_get(opts, n_opts, "tx_pcap");

	if (!rx && !tx) {
		snprintf(err, PORT_ERR_MAX, "port %s: type pcap needs rx_pcap or tx_pcap",
			 port->name);
		return -EINVAL;
	}
	if (rx) {
		p->rx = pcap_open_offline(rx, perr);
		if (!p->rx) {
			snprintf(err, PORT_ERR_MAX, "port %s: rx_pcap: %.200s", port->name, perr);
			return -ENOENT;
		}
		if (pcap_datalink(p->rx) != DLT_EN10MB) {
			snprintf(err, PORT_ERR_MAX,
				 "port %s: rx_pcap %s is not an Ethernet capture", port->name, rx);
			pcap_close_all(p);
			return -EINVAL;
		}
	} else {
		p->rx_eof = true;
	}
	if (tx) {
		p->tx_dead = pcap_open_dead(DLT_EN10MB, 65535);
		p->tx = p->tx_dead ? pcap_dump_open(p->tx_dead, tx) : NULL;
		if (!p->tx) {
			snprintf(err, PORT_ERR_MAX, "port %s: tx_pcap %s: %s", port->name, tx,
				 p->tx_dead ? pcap_geterr(p->tx_dead) : "out of memory");
			pcap_close_all(p);
			return -EIO;
		}
	}
	return 0;
}

static void
pcap_port_close(struct port *port)
{
	pcap_close_all(priv_of(port));
}

static int
pcap_port_stats(const struct port *port, struct port_stats *stats)
{
	*stats = priv_of(port)->stats;
	return 0;
}

static bool
pcap_port_rx_done(const struct port *port)
{
	return priv_of(port)->rx_eof;
}

static uint16_t
pcap_port_rx(struct port *port, uint16_t qid, struct rte_mbuf **pkts, uint16_t n)
{
	struct pcap_priv *p = priv_of(port);
	uint16_t got = 0;

	(void)qid;
	while (got < n && !p->rx_eof) {
		struct pcap_pkthdr *hdr;
		const u_char *data;
		int ret = pcap_next_ex(p->rx, &hdr, &data);
		struct rte_mbuf *m;

		if (ret != 1) {
			p->rx_eof = true;
			p->stats.rx_errors += ret == PCAP_ERROR;
			break;
		}
		m = rte_pktmbuf_alloc(port->mp);
		if (!m) {
			p->stats.rx_dropped++;
			continue;
		}
		if (hdr->caplen > rte_pktmbuf_tailroom(m)) {
			rte_pktmbuf_free(m);
			p->stats.rx_errors++;
			continue;
		}
		memcpy(rte_pktmbuf_append(m, (uint16_t)hdr->caplen), data, hdr->caplen);
		p->stats.rx_packets++;
		p->stats.rx_bytes += hdr->caplen;
		pkts[got++] = m;
	}
	return got;
}

static uint16_t
pcap_port_tx(struct port *port, uint16_t qid, struct rte_mbuf **pkts, uint16_t n)
{
	struct pcap_priv *p = priv_of(port);
	uint8_t buf[RTE_MBUF_DEFAULT_BUF_SIZE * 4];
	uint16_t sent = 0;

	(void)qid;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint32_t len = rte_pktmbuf_pkt_len(m);
		const void *data = len <= sizeof buf ? rte_pktmbuf_read(m, 0, len, buf) : NULL;

		if (!p->tx || !data) {
			p->stats.tx_dropped++;
		} else {
			struct pcap_pkthdr hdr = {.caplen = len, .len = len};

			gettimeofday(&hdr.ts, NULL);
			pcap_dump((u_char *)p->tx, &hdr, data);
			p->stats.tx_packets++;
			p->stats.tx_bytes += len;
			sent++;
		}
		rte_pktmbuf_free(m);
	}
	if (p->tx && sent) {
		pcap_dump_flush(p->tx);
	}
	return sent;
}

const struct port_ops port_pcap_ops = {
	.type = "pcap",
	.priv_size = sizeof(struct pcap_priv),
	.options = pcap_options,
	.open = pcap_port_open,
	.close = pcap_port_close,
	.get_stats = pcap_port_stats,
	.rx_done = pcap_port_rx_done,
	.rx_burst = pcap_port_rx,
	.tx_burst = pcap_port_tx,
};
