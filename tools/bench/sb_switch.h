/* SPDX-License-Identifier: Apache-2.0 */
/*
 * switch-bench's switch under test: a private vswitchd (its own database,
 * control socket and run directory in a temporary directory, no OpenFlow
 * state kept) with one bridge of vhost-user ports, driven through
 * switch-ctl; or, to compare with, an isolated Open vSwitch with DPDK
 * (sb_ovs.c) with the same bridge; their PMD counters; and what the
 * machine is, for the report.
 */
#ifndef VS_SB_SWITCH_H
#define VS_SB_SWITCH_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

enum { SB_MAX_PORTS = 4 };

enum sb_kind {
	SB_VSWITCH,
	SB_OVS, /* Open vSwitch with DPDK (sb_ovs.c) */
};

struct sb_switch {
	enum sb_kind kind;
	const char *name; /* "vswitch" or "ovs", as the report names it */
	char bin[512];    /* vswitchd and switch-ctl; ovs-vswitchd for SB_OVS */
	char dir[128];    /* the private directory */
	char bridge[16];
	char ports[SB_MAX_PORTS][16];
	unsigned int n_ports;
	int pid;           /* vswitchd's, 0 when not running */
	uint32_t n_rules;  /* of sb_switch_add_rules() */
	int pmd_cpu;       /* the CPU of its (first) PMD thread, -1: unknown */
	int default_sleep; /* its PMD's longest idle sleep by default, us */
	char version[96];
	/* With a tunnel (sb_tunnel.c; Open vSwitch only with a side): "vxlan"
	 * or "geneve" (with a 6: over IPv6), else ""; the second VM's bridge,
	 * or Open vSwitch's underlay bridge. */
	char tunnel[8];
	char bridge_b[16];
	/* With a tunnel, one host alone ("encap": A, "decap": B; "": both),
	 * the far end of its underlay a stand-in VM on a vhost-user port (the
	 * wire; sb_tunnel_wire()); that host's underlay internal port's MAC;
	 * the name for the report. */
	char side[8];
	uint8_t under_mac[6];
	int tunnel_csum; /* the outer UDP checksum: 0, 1; -1: the family's default */
	/* vswitch's decapsulating host with --wire pcap: the wire's frames are
	 * replayed by DPDK's pcap driver from dir/wire.pcap, on a port of the
	 * underlay bridge that is there only during a trial's window
	 * (sb_tunnel_replay()); 'replays' numbers its devices. */
	bool wire_pcap;
	unsigned int replays;
	char name_buf[32];
	/* Open vSwitch, or vswitch with a tunnel: its network namespace. Open
	 * vSwitch only: its ovsdb-server, and whether its private hugetlbfs is
	 * mounted on dir/huge. */
	char ns[24];
	int db_pid;
	bool huge_mounted;
};

/* The stages of vswitch's busy cycles (pmd-perf-show): receiving (empty
 * polls before a burst included), processing, sending. */
enum sb_stage { SB_STAGE_RECEIVE, SB_STAGE_PROCESSING, SB_STAGE_SENDING, SB_STAGES };

/* PMD counters that a trial reads before and after its window. */
struct sb_pmd_stats {
	uint64_t rx_packets, busy_cycles, idle_cycles;
	uint64_t drops;      /* every datapath drop reason */
	uint64_t tx_dropped; /* the ports' (a VM's ring full, for vhost-user) */
	/* vswitch's busy cycles by stage; 'stages' false where the switch
	 * does not count them (Open vSwitch here). */
	bool stages;
	uint64_t stage[SB_STAGES];
};

/* Starts vswitchd from 'bin' with one bridge and 'n_ports' vhost-user
 * ports named after 'names', forwarding by NORMAL ('pipeline' "normal") or
 * by in_port rules between ports 0 and 1 ("ports"). 'eal' adds EAL
 * arguments (NULL: none). With 'tunnel' ("vxlan" or "geneve"; NULL: none)
 * the two ports are on two hosts joined by that tunnel (sb_tunnel.c), or
 * with 'side' ("encap" or "decap"; NULL: both hosts) on one host and the
 * wire to the other; 'csum' 1 or 0 sets the tunnel ports' (and the wire's)
 * outer UDP checksum, -1 leaves each family's default. Returns 0 or -1
 * with a message printed. */
int sb_switch_start(struct sb_switch *sw, const char *bin, const char *const *names,
		    unsigned int n_ports, const char *pipeline, const char *eal, const char *tunnel,
		    const char *side, int csum);
/* The same for Open vSwitch: 'ovs_vswitchd' (a DPDK build) with a private
 * ovsdb-server, database, run directory, hugetlbfs mount and DPDK file
 * prefix, in a network namespace of its own, its PMD thread on 'pmd_cpu'.
 * A 'tunnel' only with a 'side' (one host alone) and NORMAL; 'csum' as
 * there.
 * Never touches the system's Open vSwitch. Returns 0 or -1 with a message
 * printed; sb_switch_stop() cleans up either way. */
int sb_ovs_start(struct sb_switch *sw, const char *ovs_vswitchd, const char *const *names,
		 unsigned int n_ports, const char *pipeline, int pmd_cpu, const char *tunnel,
		 const char *side, int csum);
/* Grows the table of OpenFlow rules that the benchmark's traffic never
 * matches (UDP to 172.16.0.0/12 ports 1000-5999, priority 200) to 'n'
 * rules, adding what it lacks ('n' below what it has: nothing). Returns 0
 * or -1. */
int sb_switch_add_rules(struct sb_switch *sw, uint32_t n);
/* Sets the PMD threads' longest idle sleep ('us' 0: never sleep).
 * Returns 0 or -1. */
int sb_switch_set_pmd_sleep(struct sb_switch *sw, int us);
/* Sets how long the PMD threads may hold output for later bursts
 * (tx_flush_interval_us, Open vSwitch's tx-flush-interval). 0 or -1. */
int sb_switch_set_tx_flush(struct sb_switch *sw, int us);
/* The vhost-user socket of port 'i'. */
const char *sb_switch_socket(const struct sb_switch *sw, unsigned int i, char *buf, size_t size);
/* Sums the PMD threads' counters and the ports' drops. Returns 0 or -1. */
int sb_switch_pmd_stats(const struct sb_switch *sw, struct sb_pmd_stats *s);
/* The number of megaflows now. -1 on error. */
long sb_switch_megaflows(const struct sb_switch *sw);
/* Stops vswitchd and removes the private directory. */
void sb_switch_stop(struct sb_switch *sw);

/* What the machine and the software are: a new JSON object. */
json_t *sb_machine_json(const struct sb_switch *sw, const int *gen_cpus, unsigned int n_devs);

/* True when this machine can run KVM guests; 'why' (of 'size' bytes) says
 * why not, or that it can. */
bool sb_kvm_usable(char *why, size_t size);
/* The switch under test: {"switch", "version", "pmd_cpu"}. */
json_t *sb_switch_json(const struct sb_switch *sw);

/* For sb_switch.c and sb_tunnel.c: switch-ctl ARGS... ('args' ends with
 * NULL) on vswitch 'sw'; its stdout to '*out' (a new string) when not
 * NULL. Returns switch-ctl's exit status, or -1. */
int sb_ctl(const struct sb_switch *sw, char **out, const char *const *args);
/* Replaces the flows of 'bridge' of vswitch 'sw' with two in_port rules:
 * from port 'a' to 'b' and back. Returns 0 or -1. */
int sb_ports_pipeline(const struct sb_switch *sw, const char *bridge, const char *a, const char *b);
/* Sets up vswitch 'sw', running in namespace sw->ns, as two hosts joined
 * by a sw->tunnel tunnel, port 0 on the first and the others on the
 * second, forwarding by 'pipeline' as sb_switch_start() says (sb_tunnel.c);
 * with sw->side, only that host, its VM's port (0 on A, 1 on B) on its
 * overlay bridge and the other port on its underlay bridge as the wire.
 * Returns 0 or -1 with a message printed. */
int sb_tunnel_build(struct sb_switch *sw, const char *pipeline);
/* With sw->side, device 'i' of a trial on 'sw' is the far host's end of
 * the wire: fills its outer header (that host's address to this one's,
 * the tunnel's UDP port and header, to the MAC of this host's underlay
 * internal port) and its hello (an ARP request or neighbour solicitation
 * for this host's address) and returns true; else false, 'd' untouched. */
struct sb_dev;
bool sb_tunnel_wire(const struct sb_switch *sw, unsigned int i, struct sb_dev *d);
/* The frames of a --wire pcap replay: each an mbuf of vswitchd's pool
 * (16k, which all its ports share) while the port is there. */
enum { SB_REPLAY_FRAMES = 8192 };
/* With sw->wire_pcap: writes dir/wire.pcap, the frames wire device 'd'
 * would send in a trial of 'size' and 'flows' (sb_tunnel_wire() filled
 * it). Returns 0 or -1 with a message printed. */
int sb_tunnel_replay_file(const struct sb_switch *sw, const struct sb_dev *d, uint16_t size,
			  uint32_t flows);
/* With sw->wire_pcap, 'on': adds the port that replays dir/wire.pcap
 * without end (as fast as the PMD takes it) to the underlay bridge;
 * '!on': deletes it. Returns 0 or -1. */
int sb_tunnel_replay(struct sb_switch *sw, bool on);
/* Deletes the bridges of sb_tunnel_build() (before vswitchd stops). */
void sb_tunnel_teardown(struct sb_switch *sw);

/* The tunnel's VNI, and the MAC of the far host's end of the wire. */
enum { SB_TUNNEL_VNI = 100 };
#define SB_TUNNEL_WIRE_MAC ((const uint8_t[6]){0x02, 0x5b, 0, 0, 0, 0xfe})
#define SB_TUNNEL_WIRE_MAC_TEXT "02:5b:00:00:00:fe"
/* For sb_tunnel.c and sb_ovs.c, which build one host alone on either
 * switch: the host of sw->side (0: A, encapsulating; 1: B,
 * decapsulating); host 'h''s underlay address over sw->tunnel's family;
 * the kernel side of host 'h''s underlay internal port 'dev' in sw->ns
 * (up, its address, and the route to the far host: by the address's
 * subnet (/24, /64) with 'subnet', else by a host route, which lets two
 * hosts share a namespace); reading that port's MAC into sw->under_mac.
 * 0 or -1 with a message printed. */
unsigned int sb_tunnel_side_host(const struct sb_switch *sw);
/* Whether sw's tunnel packets carry an outer UDP checksum: as
 * sw->tunnel_csum says, else the family's default (over IPv6). */
bool sb_tunnel_csum(const struct sb_switch *sw);
const char *sb_tunnel_addr(const struct sb_switch *sw, unsigned int h);
int sb_tunnel_underlay(const struct sb_switch *sw, unsigned int h, const char *dev, bool subnet);
int sb_tunnel_read_mac(struct sb_switch *sw, const char *dev);

/* For sb_switch.c and sb_ovs.c: runs 'argv' (argv[0] looked up in PATH)
 * and waits; its stdout goes to '*out' (a new string) when 'out' is not
 * NULL, else to /dev/null. Returns the exit status, or -1. */
int sb_run(char *const argv[], char **out);
/* Makes the switch's private directory from mkdtemp() 'template' and names
 * its bridge 'bridge_prefix' and this process's id. Returns 0 or -1 with a
 * message printed. */
int sb_private_dir(struct sb_switch *sw, const char *template, const char *bridge_prefix);
/* Prints the last lines of log file 'path' to stderr (a failed start: the
 * private directory, the log with it, is removed on the way out). */
void sb_log_tail(const char *path);
/* Waits up to 10 s for 'pid' to exit after SIGTERM, then kills it. */
void sb_kill_wait(int pid);
/* Writes rules 'first' to 'first' + 'n' - 1 of the table of
 * sb_switch_add_rules() to 'path'. Returns 0 or -1. */
int sb_write_rules(const char *path, uint32_t first, uint32_t n);

#endif /* VS_SB_SWITCH_H */
