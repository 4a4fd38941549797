/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The "tap" and "internal" port types: a kernel TAP device that the switch
 * creates and owns. "tap" is for the host and for namespaces (move it with
 * `ip link set NAME netns NS`); "internal" is the same device used as a
 * bridge's own interface, named after the bridge. Frames cross with one
 * read or write system call each; with n_rxq > 1 the device is multi-queue
 * and the kernel spreads flows over the queues.
 *
 * The device is persistent: it outlives the switch (a restart, a crash), so
 * that its namespace, addresses and MTU stay, and the switch attaches to it
 * again when it opens the port, in the root namespace or in a named one
 * (/run/netns, as `ip netns` makes them). Removing the port deletes it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "port_impl.h"

static const char *const tap_options[] = {NULL};

enum { SCRATCH_SIZE = 65536, TX_IOV_MAX = 32 };

/* An idle TAP queue costs a system call per poll (a read that finds
 * nothing): after an empty read it is not read again for a while, from 1 us
 * doubling up to this (a first frame after a silence waits at most that
 * long; the PMD thread's own idle sleeps are longer), and read on every
 * poll again once a frame comes. A queue idle that long is watched: the
 * thread that polls it asks the kernel once per TAP_RX_BACKOFF_MAX_US which
 * of its watched queues have frames (one epoll_wait() for all of them, not
 * a read each) and reads only those. */
enum { TAP_RX_BACKOFF_MAX_US = 64, TAP_WATCH_EVENTS = 64 };

/* A thread's watched queues: their descriptors in one epoll set, and those
 * that had frames at the last look (descriptors, not queues: a queue may
 * be closed by then, and a stale number costs one empty read). */
struct tap_watch {
	int epfd;    /* -1: none yet; -2: none to be had (each queue read on its own) */
	uint64_t id; /* of this set, never reused (descriptor numbers are) */
	uint64_t next_tsc;
	int n_ready;
	int ready[TAP_WATCH_EVENTS];
};

static __thread struct tap_watch watch = {.epfd = -1};
static uint64_t watch_ids;
static pthread_key_t watch_key;
static pthread_once_t watch_once = PTHREAD_ONCE_INIT;

static void
watch_exit(void *arg)
{
	(void)arg;
	if (watch.epfd >= 0) {
		close(watch.epfd);
	}
	watch.epfd = -1;
	watch.id = 0;
}

static void
watch_key_init(void)
{
	if (pthread_key_create(&watch_key, watch_exit)) {
		watch_key = (pthread_key_t)-1;
	}
}
/* A device that is down refuses every write (EIO): the packets for it are
 * dropped without a write, for a time that doubles up to this while it
 * stays down, so that flooding to a down internal port costs no system
 * call per packet and a device brought up gets packets within 1 ms. */
enum { TAP_TX_DOWN_MAX_US = 1000 };

struct tap_queue {
	int fd;
	uint8_t *scratch; /* the part of a frame that did not fit one mbuf */
	struct port_stats rx, tx;
	uint64_t rx_next_tsc; /* no read before this TSC */
	uint64_t rx_backoff;  /* TSC cycles; 0: read on every poll */
	uint64_t tx_next_tsc; /* down: no write before this TSC */
	uint64_t tx_backoff;  /* TSC cycles; 0: the device took the last write */
	uint64_t watch_id;    /* the epoll set 'fd' was added to, 0: none */
	bool watched;         /* idle: read when the thread's epoll set says so */
};

struct tap_priv {
	uint16_t n_queues;
	bool elsewhere; /* attached in another namespace: not configured here */
	struct tap_queue q[PORT_MAX_QUEUES];
};

static struct tap_priv *
priv_of(const struct port *port)
{
	return (struct tap_priv *)(void *)port->priv;
}

static void
tap_close(struct port *port)
{
	struct tap_priv *p = priv_of(port);

	if (port->forget_device && p->n_queues) {
		/* The last descriptor closed takes the device with it. */
		ioctl(p->q[0].fd, TUNSETPERSIST, 0);
	}
	for (uint16_t i = 0; i < p->n_queues; i++) {
		close(p->q[i].fd);
		free(p->q[i].scratch);
	}
	p->n_queues = 0;
}

static int
open_queue(struct port *port, bool multi, struct tap_queue *q, char *err)
{
	struct ifreq ifr = {0};
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0) {
		snprintf(err, PORT_ERR_MAX, "port %s: cannot open /dev/net/tun: %s", port->name,
			 strerror(errno));
		return -errno;
	}
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (multi ? IFF_MULTI_QUEUE : 0);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%.15s", port->name);
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		int ret = -errno;

		snprintf(err, PORT_ERR_MAX, "port %s: cannot create the TAP device: %s", port->name,
			 strerror(errno));
		close(fd);
		return ret;
	}
	q->fd = fd;
	q->watch_id = 0;
	q->scratch = malloc(SCRATCH_SIZE);
	if (!q->scratch) {
		snprintf(err, PORT_ERR_MAX, "port %s: out of memory", port->name);
		close(fd);
		return -ENOMEM;
	}
	return 0;
}

/* A bridge's own interface keeps its MAC across restarts (hosts cache it
 * in their ARP tables): a locally administered address from its name. */
static void
stable_mac(const char *name, uint8_t *mac)
{
	uint64_t h = 14695981039346656037ull; /* FNV-1a */

	for (const char *c = name; *c; c++) {
		h = (h ^ (uint8_t)*c) * 1099511628211ull;
	}
	mac[0] = 0x02;
	for (int i = 1; i < 6; i++) {
		mac[i] = (uint8_t)(h >> (8 * i));
	}
}

/* Whether the device 'name' of the current namespace is a TAP device the
 * switch may attach to again (it made it persistent). */
static bool
is_tap(const char *name)
{
	char path[64], buf[32];
	unsigned long flags;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/sys/class/net/%s/tun_flags", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return false;
	}
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	flags = strtoul(buf, NULL, 16);
	return (flags & IFF_TAP) && (flags & IFF_PERSIST);
}

static int
open_queues(struct port *port, uint16_t n, char *err)
{
	struct tap_priv *p = priv_of(port);

	for (uint16_t i = 0; i < n; i++) {
		int ret = open_queue(port, n > 1, &p->q[i], err);

		if (ret) {
			tap_close(port);
			return ret;
		}
		p->n_queues++;
	}
	return 0;
}

/* Looks for the device in the named namespaces (a TAP moved there before a
 * restart) and attaches to it there. Returns 0, or -ENOENT when it is in
 * none of them. */
static int
attach_elsewhere(struct port *port, uint16_t n, char *err)
{
	int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	DIR *d = opendir("/run/netns");
	struct dirent *e;
	int ret = -ENOENT;

	while (self >= 0 && d && ret == -ENOENT && (e = readdir(d))) {
		char path[300];
		int ns;

		if (e->d_name[0] == '.') {
			continue;
		}
		snprintf(path, sizeof path, "/run/netns/%s", e->d_name);
		ns = open(path, O_RDONLY | O_CLOEXEC);
		if (ns < 0 || setns(ns, CLONE_NEWNET)) {
			if (ns >= 0) {
				close(ns);
			}
			continue;
		}
		/* An interface of that name that is not a free TAP device (the
		 * attach fails) is someone else's: look on. The descriptors keep
		 * to the device after the return. */
		if (if_nametoindex(port->name) && !open_queues(port, n, err)) {
			priv_of(port)->elsewhere = true;
			ret = 0;
		}
		if (setns(self, CLONE_NEWNET)) {
			/* Cannot happen with a descriptor of our own namespace. */
			abort();
		}
		close(ns);
	}
	if (d) {
		closedir(d);
	}
	if (self >= 0) {
		close(self);
	}
	return ret;
}

static int
tap_open(struct port *port, const struct port_opt *opts __rte_unused, size_t n_opts __rte_unused,
	 char *err)
{
	struct tap_priv *p = priv_of(port);
	uint16_t n = port->n_rxq_request ? port->n_rxq_request : 1;
	int ret;

	if (strlen(port->name) >= IFNAMSIZ) {
		snprintf(err, PORT_ERR_MAX,
			 "port %s: a kernel interface name has at most %d characters", port->name,
			 IFNAMSIZ - 1);
		return -EINVAL;
	}
	if (if_nametoindex(port->name) && !is_tap(port->name)) {
		snprintf(err, PORT_ERR_MAX,
			 "port %s: a kernel interface named %s already exists (use type=system "
			 "to attach it)",
			 port->name, port->name);
		return -EEXIST;
	}
	if (!port->has_mac && port->ops == &port_internal_ops) {
		stable_mac(port->name, port->mac);
		port->has_mac = true;
	}
	ret = if_nametoindex(port->name) ? -ENOENT : attach_elsewhere(port, n, err);
	if (ret == -ENOENT) {
		/* Here: attach to the device left by an earlier run, or make it. */
		ret = open_queues(port, n, err);
	}
	if (ret) {
		return ret;
	}
	if (ioctl(p->q[0].fd, TUNSETPERSIST, 1)) {
		ret = -errno;
		snprintf(err, PORT_ERR_MAX, "port %s: cannot make the TAP device persistent: %s",
			 port->name, strerror(errno));
		port->forget_device = true;
		tap_close(port);
		return ret;
	}
	/* A device found in another namespace keeps its settings there. */
	ret = p->elsewhere ? 0 : port_kernel_configure(port, port->name, err);
	if (ret) {
		port->forget_device = true;
		tap_close(port);
		return ret;
	}
	port->n_rxq = n;
	port->n_txq = n;
	return 0;
}

static void
add_stats(struct port_stats *sum, const struct port_stats *s)
{
	sum->rx_packets += s->rx_packets;
	sum->rx_bytes += s->rx_bytes;
	sum->rx_dropped += s->rx_dropped;
	sum->rx_errors += s->rx_errors;
	sum->tx_packets += s->tx_packets;
	sum->tx_bytes += s->tx_bytes;
	sum->tx_dropped += s->tx_dropped;
	sum->tx_errors += s->tx_errors;
}

static int
tap_stats(const struct port *port, struct port_stats *stats)
{
	const struct tap_priv *p = priv_of(port);

	for (uint16_t i = 0; i < p->n_queues; i++) {
		add_stats(stats, &p->q[i].rx);
		add_stats(stats, &p->q[i].tx);
	}
	return 0;
}

static int
tap_status(struct port *port, struct port_status *st)
{
	port_kernel_status(port->name, st);
	port_status_add(st, "queues", "%u", priv_of(port)->n_queues);
	return 0;
}

/* Reads one frame into a new mbuf; NULL when there is none (or on error,
 * counted). */
static struct rte_mbuf *
read_frame(struct port *port, struct tap_queue *q)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(port->mp), *tail;
	struct iovec iov[2];
	uint16_t room;
	ssize_t len;

	if (!m) {
		q->rx.rx_dropped++;
		return NULL;
	}
	room = rte_pktmbuf_tailroom(m);
	iov[0] = (struct iovec){rte_pktmbuf_mtod(m, void *), room};
	iov[1] = (struct iovec){q->scratch, SCRATCH_SIZE};
	len = readv(q->fd, iov, 2);
	if (len < 14) {
		rte_pktmbuf_free(m);
		if (len >= 0 || (errno != EAGAIN && errno != EIO)) {
			q->rx.rx_errors++;
		}
		return NULL;
	}
	if (len <= room) {
		m->data_len = (uint16_t)len;
		m->pkt_len = (uint32_t)len;
		return m;
	}
	m->data_len = room;
	m->pkt_len = room;
	tail = port_mbuf_from_buf(port->mp, q->scratch, (uint32_t)len - room);
	if (!tail || rte_pktmbuf_chain(m, tail)) {
		rte_pktmbuf_free(tail);
		rte_pktmbuf_free(m);
		q->rx.rx_dropped++;
		return NULL;
	}
	return m;
}

/* Starts watching idle queue 'q' from this thread; false if it cannot be
 * (it is then read on its own timer). */
static bool
watch_add(struct tap_queue *q)
{
	if (watch.epfd == -1) {
		pthread_once(&watch_once, watch_key_init);
		watch.epfd = epoll_create1(EPOLL_CLOEXEC);
		watch.id = __atomic_add_fetch(&watch_ids, 1, __ATOMIC_RELAXED);
		if (watch.epfd < 0) {
			watch.epfd = -2;
		} else if (watch_key != (pthread_key_t)-1) {
			(void)pthread_setspecific(watch_key, &watch);
		}
	}
	if (watch.epfd < 0) {
		return false;
	}
	if (q->watch_id != watch.id) {
		struct epoll_event ev = {.events = EPOLLIN, .data.fd = q->fd};

		if (epoll_ctl(watch.epfd, EPOLL_CTL_ADD, q->fd, &ev) && errno != EEXIST) {
			return false;
		}
		q->watch_id = watch.id;
	}
	return true;
}

/* Whether watched queue 'q' had frames at this thread's last look (taken
 * again first if it is TAP_RX_BACKOFF_MAX_US old); a yes is given once. */
static bool
watch_ready(const struct tap_queue *q, uint64_t now)
{
	if (now >= watch.next_tsc) {
		struct epoll_event ev[TAP_WATCH_EVENTS];
		int n = epoll_wait(watch.epfd, ev, TAP_WATCH_EVENTS, 0);

		watch.n_ready = 0;
		for (int i = 0; i < n; i++) {
			watch.ready[watch.n_ready++] = ev[i].data.fd;
		}
		watch.next_tsc = now + TAP_RX_BACKOFF_MAX_US * (rte_get_tsc_hz() / 1000000);
	}
	for (int i = 0; i < watch.n_ready; i++) {
		if (watch.ready[i] == q->fd) {
			watch.ready[i] = -1;
			return true;
		}
	}
	return false;
}

static uint16_t
tap_rx(struct port *port, uint16_t qid, struct rte_mbuf **pkts, uint16_t n)
{
	struct tap_queue *q = &priv_of(port)->q[qid];
	uint16_t got = 0;
	uint64_t now = rte_rdtsc();

	if (q->watched && q->watch_id == watch.id ? !watch_ready(q, now) : now < q->rx_next_tsc) {
		return 0;
	}
	while (got < n) {
		struct rte_mbuf *m = read_frame(port, q);

		if (!m) {
			break;
		}
		q->rx.rx_bytes += m->pkt_len;
		pkts[got++] = m;
	}
	if (got) {
		q->rx_backoff = 0;
		q->watched = false;
	} else {
		uint64_t us = rte_get_tsc_hz() / 1000000;

		q->rx_backoff = q->rx_backoff ? q->rx_backoff * 2 : us;
		if (q->rx_backoff >= TAP_RX_BACKOFF_MAX_US * us) {
			q->rx_backoff = TAP_RX_BACKOFF_MAX_US * us;
			q->watched = watch_add(q);
		}
		q->rx_next_tsc = now + q->rx_backoff;
	}
	q->rx.rx_packets += got;
	return got;
}

static uint16_t
tap_tx(struct port *port, uint16_t qid, struct rte_mbuf **pkts, uint16_t n)
{
	struct tap_priv *p = priv_of(port);
	struct tap_queue *q = &p->q[qid % p->n_queues];
	/* Down a moment ago: all dropped below, without a write. */
	bool down = q->tx_backoff && rte_rdtsc() < q->tx_next_tsc;
	uint16_t sent = 0, i;

	for (i = 0; !down && i < n; i++) {
		struct iovec iov[TX_IOV_MAX];
		int n_iov = port_mbuf_iov(pkts[i], iov, TX_IOV_MAX);
		ssize_t w = n_iov ? writev(q->fd, iov, n_iov) : -1;

		if (w >= 0) {
			sent++;
			q->tx.tx_bytes += pkts[i]->pkt_len;
			q->tx_backoff = 0;
		} else if (n_iov && errno == EIO) {
			uint64_t us = rte_get_tsc_hz() / 1000000;

			q->tx_backoff = q->tx_backoff ? q->tx_backoff * 2 : 64 * us;
			if (q->tx_backoff > TAP_TX_DOWN_MAX_US * us) {
				q->tx_backoff = TAP_TX_DOWN_MAX_US * us;
			}
			q->tx_next_tsc = rte_rdtsc() + q->tx_backoff;
			break; /* this and the rest dropped */
		} else if (n_iov && (errno == EAGAIN || errno == ENOBUFS)) {
			q->tx.tx_dropped++; /* queue full */
		} else {
			q->tx.tx_errors++;
		}
	}
	q->tx.tx_dropped += (uint64_t)(n - i);
	q->tx.tx_packets += sent;
	rte_pktmbuf_free_bulk(pkts, n);
	return sent;
}

const struct port_ops port_tap_ops = {
	.type = "tap",
	.priv_size = sizeof(struct tap_priv),
	.options = tap_options,
	.caps = PORT_CAP_MTU | PORT_CAP_MAC | PORT_CAP_RXQS,
	.open = tap_open,
	.close = tap_close,
	.get_stats = tap_stats,
	.get_status = tap_status,
	.rx_burst = tap_rx,
	.tx_burst = tap_tx,
};

const struct port_ops port_internal_ops = {
	.type = "internal",
	.priv_size = sizeof(struct tap_priv),
	.options = tap_options,
	.caps = PORT_CAP_MTU | PORT_CAP_MAC | PORT_CAP_RXQS,
	.open = tap_open,
	.close = tap_close,
	.get_stats = tap_stats,
	.get_status = tap_status,
	.rx_burst = tap_rx,
	.tx_burst = tap_tx,
};
