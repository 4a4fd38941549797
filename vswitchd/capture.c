/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Packet captures (capture.h).
 */
#include "capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "bridge.h"
#include "dp.h"
#include "log.h"

enum {
	CAPTURES_MAX = 16,
	ACCEPT_TIMEOUT_MS = 5000,
	KEEP_RESULT_MS = 60000, /* a result nobody asked for goes after this */
	READ_BURST = 64,
};

struct capture {
	uint32_t id; /* 0: slot free */
	char port[64];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct dp_capture *dp_cap; /* NULL once stopped */
	int listen_fd, conn_fd;
	uint32_t snaplen;
	uint64_t count, written;
	pthread_t thread;
	bool stop; /* atomic: asked to end */
	bool done; /* atomic: the thread ended */
	bool reaped;
	uint64_t reaped_ms;
	struct capture_result result;
};

struct captures {
	struct bridges *b;
	char run_dir[256];
	uint32_t next_id;
	struct capture caps[CAPTURES_MAX];
};

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct captures *
captures_create(struct bridges *b, const char *run_dir)
{
	struct captures *c = calloc(1, sizeof *c);

	if (c) {
		c->b = b;
		c->next_id = 1;
		snprintf(c->run_dir, sizeof c->run_dir, "%s", run_dir);
	}
	return c;
}

void
captures_destroy(struct captures *c)
{
	if (c) {
		captures_stop_all(c);
		free(c);
	}
}

/* Waits for the reader; false when it does not come or the capture ends. */
static bool
accept_reader(struct capture *k)
{
	uint64_t deadline = mono_ms() + ACCEPT_TIMEOUT_MS;

	while (!__atomic_load_n(&k->stop, __ATOMIC_ACQUIRE) && mono_ms() < deadline) {
		struct pollfd p = {.fd = k->listen_fd, .events = POLLIN};

		if (poll(&p, 1, 100) > 0) {
			int fd = accept4(k->listen_fd, NULL, NULL, SOCK_CLOEXEC);

			if (fd >= 0) {
				__atomic_store_n(&k->conn_fd, fd, __ATOMIC_RELEASE);
				return true;
			}
		}
	}
	return false;
}

/* Whether the reader hung up (it sends nothing, so a readable socket with
 * nothing in it is a closed one). */
static bool
reader_gone(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN | POLLRDHUP};
	char byte;

	return poll(&p, 1, 0) > 0 && ((p.revents & (POLLHUP | POLLERR | POLLRDHUP)) ||
				      recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) <= 0);
}

static void *
capture_thread(void *arg)
{
	struct capture *k = arg;
	struct dp_capture_rec *recs[READ_BURST];
	struct dp_capture_stats st;
	pcap_dumper_t *d = NULL;
	pcap_t *dead = NULL;
	FILE *f = NULL;

	if (!accept_reader(k)) {
		goto out;
	}
	dead = pcap_open_dead(DLT_EN10MB, (int)k->snaplen);
	f = dead ? fdopen(dup(k->conn_fd), "w") : NULL;
	d = f ? pcap_dump_fopen(dead, f) : NULL;
	if (!d) {
		if (f) {
			fclose(f);
		}
		goto out;
	}
	pcap_dump_flush(d);
	while (!__atomic_load_n(&k->stop, __ATOMIC_ACQUIRE)) {
		unsigned int n = dp_capture_read(k->dp_cap, recs, READ_BURST);
		bool full = false;

		for (unsigned int i = 0; i < n && !full; i++) {
			struct pcap_pkthdr h = {.caplen = recs[i]->caplen, .len = recs[i]->len};

			h.ts.tv_sec = (time_t)recs[i]->sec;
			h.ts.tv_usec = (suseconds_t)(recs[i]->nsec / 1000);
			pcap_dump((u_char *)d, &h, recs[i]->data);
			k->written++;
			full = k->count && k->written >= k->count;
		}
		if (n) {
			dp_capture_release(k->dp_cap, recs, n);
		}
		/* Blocks while the reader is slow: the datapath drops then. */
		if (pcap_dump_flush(d) || full) {
			break;
		}
		if (!n) {
			struct timespec nap = {0, 1000000};

			dp_capture_get_stats(k->dp_cap, &st);
			if (st.port_gone || reader_gone(k->conn_fd)) {
				break;
			}
			nanosleep(&nap, NULL);
		}
	}
	pcap_dump_close(d);
out:
	if (dead) {
		pcap_close(dead);
	}
	__atomic_store_n(&k->done, true, __ATOMIC_RELEASE);
	return NULL;
}

static struct capture *
find(struct captures *c, uint32_t id)
{
	for (int i = 0; i < CAPTURES_MAX; i++) {
		if (id && c->caps[i].id == id) {
			return &c->caps[i];
		}
	}
	return NULL;
}

static int
listen_unix(const char *path, char *err)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	mode_t old;

	if (fd < 0) {
		snprintf(err, CAPTURE_ERR_MAX, "socket: %s", strerror(errno));
		return -1;
	}
	snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
	unlink(path);
	old = umask(0077); /* packets are for root's eyes */
	if (bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 1)) {
		snprintf(err, CAPTURE_ERR_MAX, "%s: %s", path, strerror(errno));
		umask(old);
		close(fd);
		return -1;
	}
	umask(old);
	return fd;
}

int
captures_start(struct captures *c, const char *port, const char *filter, uint32_t snaplen,
	       uint64_t count, uint32_t *id, char *path, size_t path_size, char *err)
{
	struct dp *dp = bridges_dp(c->b);
	struct dp_capture_params p = {0};
	struct bpf_program prog = {0};
	struct capture *k = NULL;
	pcap_t *dead;
	uint32_t port_no;
	int ret;

	if (!dp || bridges_port_no(c->b, port, &port_no) || !dp_port_get(dp, port_no)) {
		snprintf(err, CAPTURE_ERR_MAX, "no running port named %s", port);
		return -ENOENT;
	}
	for (int i = 0; i < CAPTURES_MAX && !k; i++) {
		k = c->caps[i].id ? NULL : &c->caps[i];
	}
	if (!k) {
		snprintf(err, CAPTURE_ERR_MAX, "%d captures run already", CAPTURES_MAX);
		return -ENOSPC;
	}
	p.snaplen = snaplen && snaplen < DP_CAPTURE_SNAP_MAX ? snaplen : DP_CAPTURE_SNAP_MAX;
	if (filter && *filter) {
		dead = pcap_open_dead(DLT_EN10MB, (int)p.snaplen);
		if (!dead) {
			snprintf(err, CAPTURE_ERR_MAX, "out of memory");
			return -ENOMEM;
		}
		if (pcap_compile(dead, &prog, filter, 1, PCAP_NETMASK_UNKNOWN)) {
			snprintf(err, CAPTURE_ERR_MAX, "filter '%.100s': %.120s", filter,
				 pcap_geterr(dead));
			pcap_close(dead);
			return -EINVAL;
		}
		pcap_close(dead);
		p.filter = prog.bf_insns;
		p.filter_len = prog.bf_len;
	}
	memset(k, 0, sizeof *k);
	snprintf(k->port, sizeof k->port, "%s", port);
	k->snaplen = p.snaplen;
	k->count = count;
	k->conn_fd = -1;
	ret = snprintf(k->path, sizeof k->path, "%s/capture%u.sock", c->run_dir, c->next_id);
	if (ret < 0 || (size_t)ret >= sizeof k->path) {
		snprintf(err, CAPTURE_ERR_MAX, "the run directory's path is too long for a socket");
		pcap_freecode(&prog);
		return -ENAMETOOLONG;
	}
	k->listen_fd = listen_unix(k->path, err);
	if (k->listen_fd < 0) {
		pcap_freecode(&prog);
		return -EIO;
	}
	ret = dp_capture_start(dp, port_no, &p, &k->dp_cap);
	pcap_freecode(&prog);
	if (ret) {
		snprintf(err, CAPTURE_ERR_MAX, "cannot capture on %s: %s", port, strerror(-ret));
		close(k->listen_fd);
		unlink(k->path);
		return ret;
	}
	ret = pthread_create(&k->thread, NULL, capture_thread, k);
	if (ret) {
		snprintf(err, CAPTURE_ERR_MAX, "cannot start the capture thread: %s",
			 strerror(ret));
		dp_capture_stop(dp, k->dp_cap);
		close(k->listen_fd);
		unlink(k->path);
		return -ret;
	}
	pthread_setname_np(k->thread, "capture");
	k->id = c->next_id++;
	*id = k->id;
	snprintf(path, path_size, "%s", k->path);
	VLOG_INFO("capture", "capture %u on %s started%s%s", k->id, port,
		  filter && *filter ? ", filter: " : "", filter ? filter : "");
	return 0;
}

/* Ends the thread and the datapath capture, keeping the result. */
static void
reap(struct captures *c, struct capture *k)
{
	struct dp_capture_stats st;
	int fd;

	if (k->reaped) {
		return;
	}
	__atomic_store_n(&k->stop, true, __ATOMIC_RELEASE);
	fd = __atomic_load_n(&k->conn_fd, __ATOMIC_ACQUIRE);
	if (fd >= 0) {
		shutdown(fd, SHUT_RDWR); /* unblocks a write to a slow reader */
	}
	pthread_join(k->thread, NULL);
	dp_capture_get_stats(k->dp_cap, &st);
	k->result = (struct capture_result){k->written, st.captured, st.dropped, st.port_gone};
	dp_capture_stop(bridges_dp(c->b), k->dp_cap);
	k->dp_cap = NULL;
	if (k->conn_fd >= 0) {
		close(k->conn_fd);
	}
	close(k->listen_fd);
	unlink(k->path);
	k->reaped = true;
	k->reaped_ms = mono_ms();
	VLOG_INFO("capture",
		  "capture %u on %s ended: %llu packets written, %llu left out (slow reader)",
		  k->id, k->port, (unsigned long long)k->written, (unsigned long long)st.dropped);
}

int
captures_stop(struct captures *c, uint32_t id, struct capture_result *r)
{
	struct capture *k = find(c, id);

	if (!k) {
		return -ENOENT;
	}
	reap(c, k);
	*r = k->result;
	k->id = 0;
	return 0;
}

void
captures_run(struct captures *c)
{
	uint64_t now = mono_ms();

	for (int i = 0; i < CAPTURES_MAX; i++) {
		struct capture *k = &c->caps[i];

		if (k->id && k->reaped && now > k->reaped_ms + KEEP_RESULT_MS) {
			k->id = 0;
		}
		if (k->id && !k->reaped && __atomic_load_n(&k->done, __ATOMIC_ACQUIRE)) {
			reap(c, k);
		}
	}
}

void
captures_stop_all(struct captures *c)
{
	for (int i = 0; i < CAPTURES_MAX; i++) {
		if (c->caps[i].id) {
			reap(c, &c->caps[i]);
		}
	}
}
