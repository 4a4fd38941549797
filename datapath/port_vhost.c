/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The "vhost-user" and "vhost-user-client" port types: a VM's virtio-net
 * device, served through DPDK's vhost library. As server the switch listens
 * on options:path (the bridge layer defaults it to RUNDIR/NAME) and QEMU
 * connects; as client the switch connects to the socket QEMU serves and the
 * library retries every second while it is missing, so a VM or a switch that
 * restarts comes back on its own.
 *
 * The library's own thread reports a guest's arrival and departure. The
 * packet path checks 'vid' and announces itself in 'users' around each
 * burst; a departing guest is unpublished, then waited out, before the
 * library may free its rings. Checksum and segmentation offloads are not
 * offered, so guests hand over complete frames.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/virtio_net.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_log.h>
#include <rte_pause.h>
#include <rte_vhost.h>

#include "log.h"
#include "port_impl.h"
#include "sockperm.h"

static const char *const vhost_options[] = {"path", NULL};
static const char *const vhost_server_options[] = {"path", "owner", "group", "mode", NULL};

/* A guest's full ring is tried again this often while it takes something
 * (the guest is emptying it) before the rest of the burst is dropped. */
enum { VHOST_MAX_PORTS = 256, VHOST_TX_RETRIES = 8 };

struct vhost_priv {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool client;
	bool registered;
	int vid;                       /* -1: no guest; atomic */
	uint32_t users;                /* bursts in progress; atomic */
	uint16_t n_vqs;                /* queue pairs the guest set up */
	bool enabled[PORT_MAX_QUEUES]; /* per queue pair, from the guest */
	uint64_t features;             /* negotiated */
	uint64_t n_connects;           /* guests that came, for the status */
	struct port_stats rx[PORT_MAX_QUEUES], tx[PORT_MAX_QUEUES];
	uint64_t tx_down[PORT_MAX_QUEUES]; /* dropped while no guest was there */
	uint64_t tx_retries[PORT_MAX_QUEUES];
	struct sockperm perm; /* a server socket's owner, group and mode */
};

/* Ports by socket path, for the library's callbacks (which get a vid). */
static pthread_mutex_t vhost_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct port *vhost_ports[VHOST_MAX_PORTS];

static struct vhost_priv *
priv_of(const struct port *port)
{
	return (struct vhost_priv *)(void *)port->priv;
}

/* The port of guest 'vid'; caller holds vhost_mutex. */
static struct port *
port_of_vid(int vid)
{
	char path[sizeof(((struct vhost_priv *)0)->path)];

	if (rte_vhost_get_ifname(vid, path, sizeof path)) {
		return NULL;
	}
	for (int i = 0; i < VHOST_MAX_PORTS; i++) {
		if (vhost_ports[i] && !strcmp(priv_of(vhost_ports[i])->path, path)) {
			return vhost_ports[i];
		}
	}
	return NULL;
}

static int
new_device(int vid)
{
	struct port *port;

	pthread_mutex_lock(&vhost_mutex);
	port = port_of_vid(vid);
	if (port) {
		struct vhost_priv *p = priv_of(port);
		uint16_t vrings = rte_vhost_get_vring_num(vid);

		p->n_vqs = (uint16_t)(vrings / 2 < PORT_MAX_QUEUES ? vrings / 2 : PORT_MAX_QUEUES);
		rte_vhost_get_negotiated_features(vid, &p->features);
		for (uint16_t q = 0; q < vrings; q++) {
			rte_vhost_enable_guest_notification(vid, q, 0); /* we poll */
		}
		p->n_connects++;
		__atomic_store_n(&p->vid, vid, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&vhost_mutex);
	return port ? 0 : -1;
}

/* Unpublishes the guest and waits until no burst uses it. */
static void
unpublish(struct vhost_priv *p)
{
	__atomic_store_n(&p->vid, -1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&p->users, __ATOMIC_SEQ_CST)) {
		rte_pause();
	}
	memset(p->enabled, 0, sizeof p->enabled);
}

static void
destroy_device(int vid)
{
	struct port *port;

	pthread_mutex_lock(&vhost_mutex);
	port = port_of_vid(vid);
	if (port) {
		unpublish(priv_of(port));
	}
	pthread_mutex_unlock(&vhost_mutex);
}

static int
vring_state_changed(int vid, uint16_t vring, int enable)
{
	struct port *port;

	pthread_mutex_lock(&vhost_mutex);
	port = port_of_vid(vid);
	if (port && vring / 2 < PORT_MAX_QUEUES) {
		__atomic_store_n(&priv_of(port)->enabled[vring / 2], enable != 0, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&vhost_mutex);
	return 0;
}

static const struct rte_vhost_device_ops vhost_ops = {
	.new_device = new_device,
	.destroy_device = destroy_device,
	.vring_state_changed = vring_state_changed,
};

/* In server mode a socket file left by a switch that died is stale: the
 * name belongs to this port. Anything else there is an error. */
static int
clear_stale_socket(struct port *port, const char *path, char *err)
{
	struct stat st;

	if (lstat(path, &st)) {
		return 0;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, PORT_ERR_MAX, "port %s: %s exists and is not a socket", port->name,
			 path);
		return -EEXIST;
	}
	unlink(path);
	return 0;
}

static void
vhost_close(struct port *port)
{
	struct vhost_priv *p = priv_of(port);

	if (p->registered) {
		/* Destroys a connected guest's device (destroy_device runs and
		 * waits out the packet path) and closes the socket. */
		rte_vhost_driver_unregister(p->path);
		if (!p->client) {
			unlink(p->path);
		}
	}
	pthread_mutex_lock(&vhost_mutex);
	for (int i = 0; i < VHOST_MAX_PORTS; i++) {
		if (vhost_ports[i] == port) {
			vhost_ports[i] = NULL;
		}
	}
	pthread_mutex_unlock(&vhost_mutex);
}

/* Adds 'port' to the table, unless another port has its path. */
static int
publish_port(struct port *port, char *err)
{
	int slot = -1;

	pthread_mutex_lock(&vhost_mutex);
	for (int i = 0; i < VHOST_MAX_PORTS; i++) {
		if (vhost_ports[i] && !strcmp(priv_of(vhost_ports[i])->path, priv_of(port)->path)) {
			pthread_mutex_unlock(&vhost_mutex);
			snprintf(err, PORT_ERR_MAX, "port %s: port %s already uses %s", port->name,
				 vhost_ports[i]->name, priv_of(port)->path);
			return -EEXIST;
		}
		if (!vhost_ports[i] && slot < 0) {
			slot = i;
		}
	}
	if (slot >= 0) {
		vhost_ports[slot] = port;
	}
	pthread_mutex_unlock(&vhost_mutex);
	if (slot < 0) {
		snprintf(err, PORT_ERR_MAX, "port %s: more than %d vhost-user ports", port->name,
			 VHOST_MAX_PORTS);
		return -ENOSPC;
	}
	return 0;
}

static int
vhost_check(const struct port *port, const struct port_opt *opts, size_t n_opts, char *err)
{
	const char *path = port_opt_get(opts, n_opts, "path");

	if (!path || path[0] != '/' || strlen(path) >= sizeof(((struct vhost_priv *)0)->path)) {
		snprintf(err, PORT_ERR_MAX, "port %s: options:path must be an absolute socket path",
			 port->name);
		return -EINVAL;
	}
	return 0;
}

static int
vhost_open_common(struct port *port, const struct port_opt *opts, size_t n_opts, bool client,
		  char *err)
{
	/* Offloads the datapath does not handle: guests finish their frames. */
	const uint64_t no_offloads =
		1ULL << VIRTIO_NET_F_CSUM | 1ULL << VIRTIO_NET_F_GUEST_CSUM |
		1ULL << VIRTIO_NET_F_HOST_TSO4 | 1ULL << VIRTIO_NET_F_HOST_TSO6 |
		1ULL << VIRTIO_NET_F_HOST_ECN | 1ULL << VIRTIO_NET_F_HOST_UFO |
		1ULL << VIRTIO_NET_F_GUEST_TSO4 | 1ULL << VIRTIO_NET_F_GUEST_TSO6 |
		1ULL << VIRTIO_NET_F_GUEST_ECN | 1ULL << VIRTIO_NET_F_GUEST_UFO;
	struct vhost_priv *p = priv_of(port);
	const char *path = port_opt_get(opts, n_opts, "path");
	uint64_t flags = client ? RTE_VHOST_USER_CLIENT : 0;
	int ret;

	/* The library logs every protocol message at info level. */
	rte_log_set_level_pattern("lib.vhost.config", RTE_LOG_WARNING);
	p->vid = -1;
	p->client = client;
	snprintf(p->path, sizeof p->path, "%s", path);
	if ((ret = publish_port(port, err)) != 0) {
		return ret;
	}
	if (!client && (ret = clear_stale_socket(port, path, err)) != 0) {
		vhost_close(port);
		return ret;
	}
	if (rte_vhost_driver_register(path, flags)) {
		snprintf(err, PORT_ERR_MAX, "port %s: cannot register vhost-user socket %s",
			 port->name, path);
		vhost_close(port);
		return -EINVAL;
	}
	p->registered = true;
	if (rte_vhost_driver_disable_features(path, no_offloads) ||
	    rte_vhost_driver_callback_register(path, &vhost_ops)) {
		snprintf(err, PORT_ERR_MAX, "port %s: cannot set up vhost-user socket %s",
			 port->name, path);
		vhost_close(port);
		return -EINVAL;
	}
	port->n_rxq = port->n_rxq_request ? port->n_rxq_request : 1;
	port->n_txq = port->n_rxq;
	return 0;
}

static int
vhost_server_open(struct port *port, const struct port_opt *opts, size_t n_opts, char *err)
{
	struct vhost_priv *p = priv_of(port);
	char why[PORT_ERR_MAX - 64];
	int ret = sockperm_parse(&p->perm, port_opt_get(opts, n_opts, "owner"),
				 port_opt_get(opts, n_opts, "group"),
				 port_opt_get(opts, n_opts, "mode"), why, sizeof why);

	if (ret) {
		snprintf(err, PORT_ERR_MAX, "port %s: %s", port->name, why);
		return ret;
	}
	return vhost_open_common(port, opts, n_opts, false, err);
}

static int
vhost_client_open(struct port *port, const struct port_opt *opts, size_t n_opts, char *err)
{
	return vhost_open_common(port, opts, n_opts, true, err);
}

static int
vhost_start(struct port *port)
{
	struct vhost_priv *p = priv_of(port);

	/* In server mode the socket appears now; a client starts trying. */
	if (rte_vhost_driver_start(p->path)) {
		return -EIO;
	}
	if (!p->client) {
		int ret = sockperm_apply(&p->perm, p->path);

		if (ret) {
			VLOG_ERR("vhost",
				 "port %s: socket %s: cannot set its owner, group or mode: %s",
				 port->name, p->path, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static int
vhost_stats(const struct port *port, struct port_stats *stats)
{
	const struct vhost_priv *p = priv_of(port);

	for (int q = 0; q < PORT_MAX_QUEUES; q++) {
		stats->rx_packets += p->rx[q].rx_packets;
		stats->rx_bytes += p->rx[q].rx_bytes;
		stats->rx_dropped += p->rx[q].rx_dropped;
		stats->tx_packets += p->tx[q].tx_packets;
		stats->tx_bytes += p->tx[q].tx_bytes;
		stats->tx_dropped += p->tx[q].tx_dropped + p->tx_down[q];
		stats->tx_retries += p->tx_retries[q];
	}
	return 0;
}

static int
vhost_status(struct port *port, struct port_status *st)
{
	struct vhost_priv *p = priv_of(port);
	int vid = __atomic_load_n(&p->vid, __ATOMIC_ACQUIRE);
	uint16_t mtu;

	st->link = vid >= 0;
	port_status_add(st, "mode", "%s", p->client ? "client" : "server");
	port_status_add(st, "socket", "%s", p->path);
	if (vid >= 0) {
		if (!rte_vhost_get_mtu(vid, &mtu)) {
			st->mtu = mtu;
		}
		port_status_add(st, "features", "0x%016" PRIx64, p->features);
		port_status_add(st, "queues", "%u", p->n_vqs);
	}
	port_status_add(st, "connections", "%" PRIu64, p->n_connects);
	return 0;
}

/* The guest of 'p' if queue pair 'q' is usable; the caller then owes a
 * release(). */
static int
acquire(struct vhost_priv *p, uint16_t q)
{
	int vid;

	__atomic_fetch_add(&p->users, 1, __ATOMIC_SEQ_CST);
	vid = __atomic_load_n(&p->vid, __ATOMIC_SEQ_CST);
	if (vid < 0 || q >= p->n_vqs || !__atomic_load_n(&p->enabled[q], __ATOMIC_ACQUIRE)) {
		__atomic_fetch_sub(&p->users, 1, __ATOMIC_RELEASE);
		return -1;
	}
	return vid;
}

static void
release(struct vhost_priv *p)
{
	__atomic_fetch_sub(&p->users, 1, __ATOMIC_RELEASE);
}

static uint16_t
vhost_rx(struct port *port, uint16_t qid, struct rte_mbuf **pkts, uint16_t n)
{
	struct vhost_priv *p = priv_of(port);
	int vid = acquire(p, qid);
	uint16_t got;

	if (vid < 0) {
		return 0;
	}
	got = rte_vhost_dequeue_burst(vid, (uint16_t)(qid * 2 + 1), port->mp, pkts, n);
	release(p);
	p->rx[qid].rx_packets += got;
	for (uint16_t i = 0; i < got; i++) {
		p->rx[qid].rx_bytes += rte_pktmbuf_pkt_len(pkts[i]);
	}
	return got;
}

static uint16_t
vhost_tx(struct port *port, uint16_t qid, struct rte_mbuf **pkts, uint16_t n)
{
	struct vhost_priv *p = priv_of(port);
	uint16_t q = (uint16_t)(qid % PORT_MAX_QUEUES);
	uint16_t vq = p->n_vqs ? (uint16_t)(qid % p->n_vqs) : 0;
	int vid = acquire(p, vq);
	uint16_t sent = 0;

	if (vid < 0) {
		p->tx_down[q] += n; /* no guest, or its queue is not up */
	} else {
		uint64_t bytes = 0;

		for (unsigned int tries = 0;; tries++) {
			uint16_t k = rte_vhost_enqueue_burst(vid, (uint16_t)(vq * 2), pkts + sent,
							     (uint16_t)(n - sent));

			sent = (uint16_t)(sent + k);
			if (sent == n || !k || tries == VHOST_TX_RETRIES) {
				break;
			}
			p->tx_retries[q]++;
		}
		release(p);
		for (uint16_t i = 0; i < sent; i++) {
			bytes += rte_pktmbuf_pkt_len(pkts[i]);
		}
		p->tx[q].tx_packets += sent;
		p->tx[q].tx_bytes += bytes;
		p->tx[q].tx_dropped += n - sent; /* the guest's ring is full */
	}
	rte_pktmbuf_free_bulk(pkts, n); /* the library copied what it took */
	return sent;
}

const struct port_ops port_vhost_ops = {
	.type = "vhost-user",
	.priv_size = sizeof(struct vhost_priv),
	.options = vhost_server_options,
	.caps = PORT_CAP_RXQS,
	.check = vhost_check,
	.open = vhost_server_open,
	.start = vhost_start,
	.close = vhost_close,
	.get_stats = vhost_stats,
	.get_status = vhost_status,
	.rx_burst = vhost_rx,
	.tx_burst = vhost_tx,
};

const struct port_ops port_vhost_client_ops = {
	.type = "vhost-user-client",
	.priv_size = sizeof(struct vhost_priv),
	.options = vhost_options,
	.caps = PORT_CAP_RXQS,
	.check = vhost_check,
	.open = vhost_client_open,
	.start = vhost_start,
	.close = vhost_close,
	.get_stats = vhost_stats,
	.get_status = vhost_status,
	.rx_burst = vhost_rx,
	.tx_burst = vhost_tx,
};
