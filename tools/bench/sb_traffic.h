/* SPDX-License-Identifier: Apache-2.0 */
/*
 * switch-bench's traffic engine: stand-in VMs on DPDK's virtio-user driver,
 * in one process, each device a vhost-user peer of the switch under test
 * exactly as a QEMU guest's virtio-net is. Devices on the same CPU share a
 * thread (an lcore); with a CPU each, each device has its own.
 *
 * A trial runs in a child process (DPDK's EAL starts once per process):
 * the devices connect, every device sends a few frames so that a learning
 * switch knows where each MAC is, then the generators send at the requested
 * rate for the trial's duration. Only frames sent inside that window carry
 * the measurement tag (and a TSC timestamp), so loss is exact: tagged frames
 * sent minus tagged frames received after a short drain. A device that loops
 * back (pvp) returns each frame to its sender with the payload untouched.
 */
#ifndef VS_SB_TRAFFIC_H
#define VS_SB_TRAFFIC_H

#include <stdbool.h>
#include <stdint.h>

enum { SB_MAX_DEVS = 4, SB_LAT_BUCKETS = 24 * 32 + 1 };

enum sb_role {
	SB_GEN = 1,  /* sends to its peer */
	SB_SINK = 2, /* counts what reaches it */
	SB_LOOP = 4, /* returns what reaches it to the sender */
};

struct sb_dev {
	char socket[256]; /* the switch's vhost-user server socket */
	uint8_t mac[6], dst[6];
	uint32_t ip, dst_ip; /* host order */
	unsigned int roles;  /* enum sb_role bits */
	/* A device standing for a tunnel's far host on an underlay bridge
	 * (switch-bench --tunnel-side, sb_tunnel.c), 'mac' and 'ip' being its
	 * VM's: every frame it sends goes inside 'outer' (Ethernet, IPv4 or
	 * IPv6, UDP and an 8-byte VXLAN or Geneve header; 'outer_len' 0: a
	 * plain VM) with the lengths, the checksums and a UDP source port from
	 * the flow filled in (a UDP checksum when 'outer_csum', else zero); it counts the frames
	 * that reach it inside such a header, sent back to it; and it says where it is with 'hello'
	 * (an ARP request or a neighbour solicitation to the switch's host) before its own frames.
	 */
	uint8_t outer[72];
	uint16_t outer_len;
	bool outer_csum;
	uint8_t hello[96];
	uint16_t hello_len;
};

struct sb_trial {
	struct sb_dev dev[SB_MAX_DEVS];
	unsigned int n_devs;
	double rate;     /* frames/s per generating device; 0: as fast as it can */
	uint16_t size;   /* frame size with the FCS (64-1518), 0: IMIX 7:4:1 */
	uint32_t flows;  /* distinct UDP 5-tuples, round robin (1 or more) */
	double warmup;   /* seconds of learning and warm-up before the window */
	double duration; /* seconds of the measured window */
	double connect_timeout;
	int cpu[SB_MAX_DEVS]; /* the CPU of each device */
};

/* Latency in nanoseconds, log-linear buckets (about 3 % wide). */
struct sb_lat {
	uint64_t n, max_ns;
	uint64_t bucket[SB_LAT_BUCKETS];
};

struct sb_dev_result {
	uint64_t attempted;    /* tagged frames due by the schedule */
	uint64_t tx;           /* of which the device's ring took */
	uint64_t tx_ring_full; /* refused by the ring: the switch did not keep up */
	uint64_t tx_no_mbuf;   /* could not be built: the generator's own limit */
	uint64_t rx;           /* tagged frames received (as a sink) */
	uint64_t looped;       /* frames returned (as a loop) */
	uint64_t loop_drops;   /* frames a loop could not return (ring full) */
	uint64_t rx_bytes;     /* of the tagged frames received, with FCS */
	bool link_down;        /* the link went down during warm-up or window */
	struct sb_lat lat;     /* tagged frames received: from send to receive */
};

struct sb_result {
	bool ok;
	char error[160];
	double window_s; /* the measured window, as it really was */
	double tsc_hz;
	struct sb_dev_result dev[SB_MAX_DEVS];
};

/* Called by the parent while the child runs: 'start' true when the window
 * opens, false when it closes (for the switch's counters). */
typedef void sb_window_cb(void *aux, bool start);

/* Runs trial 't' in a child process and fills '*r'. Returns 0, or -errno
 * when the child could not be run (r->error says why when it ran but
 * failed: a device that never connected, DPDK that did not start). */
int sb_traffic_run(const struct sb_trial *t, struct sb_result *r, sb_window_cb *cb, void *aux);

/* Writes to 'path' a pcap file of 'n' frames that device 'd' would send
 * ('size' as a trial's, 'flows' round robin), tagged but with no send time:
 * a frame of it that reaches a sink is counted, and gives no latency. For
 * a wire that DPDK's pcap driver replays (switch-bench --wire pcap).
 * Returns 0 or -EIO. */
int sb_traffic_write_pcap(const struct sb_dev *d, uint16_t size, uint32_t flows, unsigned int n,
			  const char *path);
/* The highest latency, in ns, that bucket 'i' holds. */
uint64_t sb_lat_upper(unsigned int i);
/* The latency below which 'q' (0 to 1) of the samples fall, in ns. */
uint64_t sb_lat_quantile(const struct sb_lat *l, double q);

/* The average frame size with the FCS of 'size' (0: IMIX). */
double sb_frame_avg(uint16_t size);

#endif /* VS_SB_TRAFFIC_H */
