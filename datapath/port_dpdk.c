/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The "dpdk" port type: a device of one of DPDK's own drivers, named by
 * options:dpdk-devargs (a PCI address the EAL was allowed to probe, or a
 * virtual device such as "net_null0,no-rx=1" or "net_ring0"). The switch
 * probes and starts it when the port is added (a device that cannot start
 * is refused then, by name) and removes it with the port. One
 * receive queue per n_rxq; as many transmit queues as the device offers,
 * up to PORT_MAX_QUEUES, so that each PMD thread (up to that many) has its
 * own without reconfiguring the device when threads come and go (a driver
 * that wants as many transmit queues as receive ones gets that).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>

#include "port_impl.h"

static const char *const dpdk_options[] = {"dpdk-devargs", NULL};

enum { RX_DESC = 1024, TX_DESC = 1024 };

struct dpdk_priv {
	uint16_t port_id;
	bool probed; /* by us: removed on close */
	bool configured;
	bool running; /* started, by dpdk_open() or after a stop */
	bool rx_csum; /* the device checks IPv4 and UDP checksums on receive */
	char devargs[128];
	uint64_t tx_dropped; /* not taken by the device; atomic */
};

/* Devices some port drives; control thread only. */
static bool in_use[RTE_MAX_ETHPORTS];

static struct dpdk_priv *
priv_of(const struct port *port)
{
	return (struct dpdk_priv *)(void *)port->priv;
}

/* The first ethdev that 'devargs' names, probing it if needed. */
static int
find_or_probe(struct port *port, struct dpdk_priv *p, char *err)
{
	struct rte_dev_iterator it;
	uint16_t id;
	int ret;

	RTE_ETH_FOREACH_MATCHING_DEV(id, p->devargs, &it)
	{
		rte_eth_iterator_cleanup(&it);
		p->port_id = id;
		return 0;
	}
	ret = rte_dev_probe(p->devargs);
	if (ret) {
		snprintf(err, PORT_ERR_MAX, "port %s: DPDK cannot probe '%s': %s", port->name,
			 p->devargs, strerror(-ret));
		return ret;
	}
	p->probed = true;
	RTE_ETH_FOREACH_MATCHING_DEV(id, p->devargs, &it)
	{
		rte_eth_iterator_cleanup(&it);
		p->port_id = id;
		return 0;
	}
	snprintf(err, PORT_ERR_MAX, "port %s: '%s' is not a network device", port->name,
		 p->devargs);
	return -ENODEV;
}

static void
dpdk_close(struct port *port)
{
	struct dpdk_priv *p = priv_of(port);
	struct rte_eth_dev_info info;
	struct rte_device *dev = NULL;

	if (!p->probed && !p->configured) {
		return;
	}
	in_use[p->port_id] = false;
	if (!rte_eth_dev_info_get(p->port_id, &info)) {
		dev = info.device;
	}
	rte_eth_dev_stop(p->port_id);
	rte_eth_dev_close(p->port_id);
	if (p->probed && dev) {
		rte_dev_remove(dev);
	}
	p->probed = p->configured = p->running = false;
}

/* Starts the device if it is not running; 'err' (NULL: not said) says why
 * it could not. Many drivers give -1 for any failure, which would read as
 * "Operation not permitted": that is -EIO here, and their reason is in
 * DPDK's own log. */
static int
start_device(struct port *port, struct dpdk_priv *p, char *err)
{
	int ret;

	if (p->running) {
		return 0;
	}
	ret = rte_eth_dev_start(p->port_id);
	if (ret) {
		if (err) {
			snprintf(err, PORT_ERR_MAX,
				 "port %s: DPDK could not start '%s': %s (DPDK's log says why)",
				 port->name, p->devargs, ret == -1 ? "error -1" : strerror(-ret));
		}
		return ret == -1 ? -EIO : ret;
	}
	p->running = true;
	rte_eth_promiscuous_enable(p->port_id);
	return 0;
}

/* Configures queues, MTU and MAC; fills 'err'. */
static int
configure(struct port *port, struct dpdk_priv *p, char *err)
{
	struct rte_eth_conf conf = {0};
	struct rte_eth_dev_info info;
	uint16_t n_rxq = port->n_rxq_request ? port->n_rxq_request : 1, n_txq;
	const char *what = "configure";
	int ret = rte_eth_dev_info_get(p->port_id, &info);

	if (ret) {
		goto fail;
	}
	if (n_rxq > info.max_rx_queues) {
		snprintf(err, PORT_ERR_MAX, "port %s: the device has at most %u receive queues",
			 port->name, info.max_rx_queues);
		return -EINVAL;
	}
	n_txq = info.max_tx_queues < PORT_MAX_QUEUES ? info.max_tx_queues : PORT_MAX_QUEUES;
	if (port->mtu_request) {
		conf.rxmode.mtu = port->mtu_request;
		if (port->mtu_request > 1500 &&
		    (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER)) {
			conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
		}
	}
	/* Checked outer headers spare decapsulation its sums (dp_tnl_pop()). */
	conf.rxmode.offloads |= info.rx_offload_capa &
				(RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM);
	p->rx_csum = (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM) &&
		     (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_UDP_CKSUM);
	ret = rte_eth_dev_configure(p->port_id, n_rxq, n_txq, &conf);
	if (ret && n_txq != n_rxq) {
		/* Some drivers (net_tap) take only as many transmit queues as
		 * receive ones; fewer than the PMD threads are shared under a
		 * lock (tx_flush()). */
		n_txq = n_rxq < n_txq ? n_rxq : n_txq;
		ret = rte_eth_dev_configure(p->port_id, n_rxq, n_txq, &conf);
	}
	p->configured = true;
	for (uint16_t q = 0; !ret && q < n_rxq; q++) {
		what = "receive queue";
		ret = rte_eth_rx_queue_setup(p->port_id, q, RX_DESC, SOCKET_ID_ANY, NULL, port->mp);
	}
	for (uint16_t q = 0; !ret && q < n_txq; q++) {
		what = "transmit queue";
		ret = rte_eth_tx_queue_setup(p->port_id, q, TX_DESC, SOCKET_ID_ANY, NULL);
	}
	if (!ret && port->has_mac) {
		struct rte_ether_addr mac;

		memcpy(mac.addr_bytes, port->mac, sizeof mac.addr_bytes);
		what = "MAC address";
		ret = rte_eth_dev_default_mac_addr_set(p->port_id, &mac);
	}
	if (ret) {
		goto fail;
	}
	port->n_rxq = n_rxq;
	port->n_txq = n_txq;
	return 0;
fail:
	snprintf(err, PORT_ERR_MAX, "port %s: %s of %s failed: %s", port->name, what, p->devargs,
		 strerror(ret < 0 ? -ret : ret));
	return ret < 0 ? ret : -ret;
}

static int
dpdk_open(struct port *port, const struct port_opt *opts, size_t n_opts, char *err)
{
	struct dpdk_priv *p = priv_of(port);
	const char *devargs = port_opt_get(opts, n_opts, "dpdk-devargs");
	int ret;

	if (!devargs || !devargs[0] || strlen(devargs) >= sizeof p->devargs) {
		snprintf(err, PORT_ERR_MAX,
			 "port %s: a dpdk port needs options:dpdk-devargs (a PCI address or a "
			 "vdev such as net_null0)",
			 port->name);
		return -EINVAL;
	}
	snprintf(p->devargs, sizeof p->devargs, "%s", devargs);
	ret = find_or_probe(port, p, err);
	if (ret) {
		return ret;
	}
	if (in_use[p->port_id]) {
		snprintf(err, PORT_ERR_MAX, "port %s: another port already drives '%s'", port->name,
			 devargs);
		return -EBUSY;
	}
	/* Started here, where a device that cannot start (a memif client
	 * whose server is not there, say) can be told apart. */
	ret = configure(port, p, err);
	if (!ret) {
		ret = start_device(port, p, err);
	}
	if (ret) {
		dpdk_close(port);
		return ret;
	}
	in_use[p->port_id] = true;
	return 0;
}

static int
dpdk_start(struct port *port)
{
	return start_device(port, priv_of(port), NULL);
}

static int
dpdk_stop(struct port *port)
{
	struct dpdk_priv *p = priv_of(port);

	p->running = false;
	return rte_eth_dev_stop(p->port_id);
}

static int
dpdk_stats(const struct port *port, struct port_stats *stats)
{
	const struct dpdk_priv *p = priv_of(port);
	struct rte_eth_stats s;
	int ret = rte_eth_stats_get(p->port_id, &s);

	if (ret) {
		return ret;
	}
	stats->rx_packets = s.ipackets;
	stats->rx_bytes = s.ibytes;
	stats->rx_dropped = s.imissed + s.rx_nombuf;
	stats->rx_errors = s.ierrors;
	stats->tx_packets = s.opackets;
	stats->tx_bytes = s.obytes;
	stats->tx_errors = s.oerrors;
	stats->tx_dropped = __atomic_load_n(&p->tx_dropped, __ATOMIC_RELAXED);
	return 0;
}

static int
dpdk_status(struct port *port, struct port_status *st)
{
	struct dpdk_priv *p = priv_of(port);
	struct rte_eth_link link;
	struct rte_eth_dev_info info;
	struct rte_ether_addr mac;
	uint16_t mtu;

	if (!rte_eth_link_get_nowait(p->port_id, &link)) {
		st->link = link.link_status == RTE_ETH_LINK_UP;
		if (st->link) {
			port_status_add(st, "speed", "%" PRIu32 " Mbps", link.link_speed);
		}
	}
	if (!rte_eth_dev_get_mtu(p->port_id, &mtu)) {
		st->mtu = mtu;
	}
	if (!rte_eth_macaddr_get(p->port_id, &mac)) {
		memcpy(st->mac, mac.addr_bytes, 6);
		st->has_mac = true;
	}
	if (!rte_eth_dev_info_get(p->port_id, &info)) {
		port_status_add(st, "driver", "%s", info.driver_name);
	}
	port_status_add(st, "devargs", "%s", p->devargs);
	/* Open vSwitch's name for it. */
	port_status_add(st, "rx_csum_offload", "%s", p->rx_csum ? "true" : "false");
	return 0;
}

static uint16_t
dpdk_rx(struct port *port, uint16_t qid, struct rte_mbuf **pkts, uint16_t n)
{
	return rte_eth_rx_burst(priv_of(port)->port_id, qid, pkts, n);
}

static uint16_t
dpdk_tx(struct port *port, uint16_t qid, struct rte_mbuf **pkts, uint16_t n)
{
	struct dpdk_priv *p = priv_of(port);
	uint16_t sent = rte_eth_tx_burst(p->port_id, (uint16_t)(qid % port->n_txq), pkts, n);

	if (sent < n) {
		__atomic_fetch_add(&p->tx_dropped, n - sent, __ATOMIC_RELAXED);
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	}
	return sent;
}

const struct port_ops port_dpdk_ops = {
	.type = "dpdk",
	.priv_size = sizeof(struct dpdk_priv),
	.options = dpdk_options,
	.caps = PORT_CAP_MTU | PORT_CAP_MAC | PORT_CAP_RXQS,
	.open = dpdk_open,
	.start = dpdk_start,
	.stop = dpdk_stop,
	.close = dpdk_close,
	.get_stats = dpdk_stats,
	.get_status = dpdk_status,
	.rx_burst = dpdk_rx,
	.tx_burst = dpdk_tx,
};
