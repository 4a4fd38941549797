/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The datapath: ports, PMD threads, and per-thread flow tables.
 *
 * Each PMD thread polls the receive queues assigned to it and runs every
 * batch through: flow key extraction -> its exact-match cache -> its megaflow
 * classifier -> on a miss, the upcall callback, whose answer (actions and a
 * mask) is installed as a new megaflow in that thread's classifier. Packets
 * of a batch that hit the same megaflow are executed together and outputs are
 * buffered per port and sent in bursts. No lock is taken on a hit.
 *
 * The control thread changes ports and flows; PMD threads see the changes
 * through RCU (rte_rcu_qsbr): they report a quiescent state once per poll
 * loop, and the control thread frees what it replaced only after every PMD
 * thread has done so twice (the second pass also guarantees that every
 * thread has swept its EMC of deleted megaflows).
 *
 * With pmd_cpu_mask = 0 no thread is started: the caller drives the single
 * PMD context with dp_pmd_poll() or dp_pmd_process() from its own thread
 * (tests, benchmarks, tools that replay a capture).
 */
#ifndef VS_DP_H
#define VS_DP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "actions.h"
#include "flow_key.h"
#include "port.h"
#include "tunnel.h"

/* DP_PATCH_DEPTH_MAX: how many patch ports a packet may cross; a loop of
 * patch ports ends there (counted as DP_DROP_PATCH_LOOP). DP_MAX_ACTIONS:
 * a megaflow's actions; an output to a tunnel port takes five (NORMAL
 * flooding to two dozen remotes fits). */
enum { DP_MAX_PORTS = 256, DP_MAX_ACTIONS = 128, DP_MAX_PMDS = 64, DP_PATCH_DEPTH_MAX = 8 };

/* The signature-match cache (smc.h) serves a thread whose table holds this
 * many megaflows, past what the EMC holds, and is made the first time it
 * does; below half of it the classifier alone serves again. */
enum { DP_SMC_MIN_FLOWS = 16384 };

struct dp;
struct dp_pmd;

/* Why the datapath dropped a packet; each has its own counter. */
enum dp_drop_reason {
	DP_DROP_ACTION,       /* the megaflow's actions drop it */
	DP_DROP_UPCALL,       /* the upcall failed or returned bad actions */
	DP_DROP_INSTALL,      /* the megaflow could not be installed */
	DP_DROP_NO_PORT,      /* output to a port that does not exist */
	DP_DROP_TTL,          /* dec_ttl on TTL 0 or 1 */
	DP_DROP_NO_HEADROOM,  /* push_vlan without room */
	DP_DROP_NO_MBUF,      /* a copy for a second output failed */
	DP_DROP_PATCH_LOOP,   /* crossed DP_PATCH_DEPTH_MAX patch ports */
	DP_DROP_METER,        /* a meter's drop band */
	DP_DROP_UPCALL_LIMIT, /* a miss over its input port's upcall rate */
	DP_DROP_TNL_MTU,      /* encapsulated, it would exceed the underlay MTU */
	DP_DROP_TNL_BAD,      /* truncated or malformed outer headers */
	DP_DROP_TNL_FRAG,     /* an outer IP fragment */
	DP_DROP_TNL_CSUM,     /* a wrong outer IPv4 or UDP checksum */
	DP_DROP_TNL_OPT,      /* a Geneve option marked critical */
	DP_DROP_TNL_KEY,      /* a VNI the tunnel port does not take */
	DP_DROP__MAX,
};

const char *dp_drop_reason_name(enum dp_drop_reason reason);

/* Received bursts are counted by size: 0 (unused) to PKT_BATCH_MAX. */
enum { DP_BATCH_SIZES = 33 };

/* Counters, summed over PMD threads on demand. */
struct dp_stats {
	uint64_t rx_packets;
	uint64_t emc_hits;
	uint64_t emc_bypassed; /* left out of the EMC while its hit rate was too low */
	uint64_t megaflow_hits;
	uint64_t simple_hits;     /* served by the rule-only path (no EMC, no full key) */
	uint64_t smc_hits;        /* megaflow hits found by the signature-match cache */
	uint64_t subtable_probes; /* subtables probed for megaflow hits */
	uint64_t misses;
	uint64_t upcalls;
	uint64_t upcall_failures;
	uint64_t tx_packets;
	uint64_t cycles;        /* TSC cycles spent processing received batches */
	uint64_t upcall_cycles; /* of which in upcalls (translation and install) */
	uint64_t tx_cycles;     /* of which in sending the buffered output */
	/* Receiving the bursts that got packets, the empty polls of the
	 * iteration before each included. */
	uint64_t rx_cycles;
	/* Every poll iteration, whole (receive, process, send, housekeeping):
	 * busy when it got packets, idle when it did not (the idle sleeps in
	 * between are not counted). Busy cycles per received packet are what a
	 * packet really costs the thread; 'cycles' leaves out the receive. */
	uint64_t busy_cycles, idle_cycles;
	uint64_t busy_iterations, idle_iterations;
	uint64_t sleeps, sleep_us;        /* idle sleeps, and the time asked */
	uint64_t batches[DP_BATCH_SIZES]; /* [n]: received bursts of n packets */
	uint64_t drops[DP_DROP__MAX];
	uint32_t n_flows;
};

struct dp_params {
	uint64_t pmd_cpu_mask; /* one PMD thread per set bit; 0: none */
	uint32_t emc_entries;  /* default EMC_DEFAULT_ENTRIES */
	uint32_t emc_inv_prob; /* insert 1 in N; 0 disables; default 100 */
	bool emc_inv_prob_set; /* false: use the default */
};

/* What an upcall answers for a packet that missed: the actions and the mask
 * of the megaflow to install (a 1 bit: that key bit was examined). */
struct dp_upcall_result {
	struct flow_key mask;
	uint64_t ufid; /* the caller's id for the megaflow, shown in dumps */
	uint32_t n_actions;
	struct dp_action actions[DP_MAX_ACTIONS];
};

/* Called on a miss, in the PMD thread that saw it, with 'res' zeroed.
 * Returns 0 or -errno (the packet is then dropped and counted). May block
 * briefly; must not call back into the datapath. If dp_flow_revalidate()
 * starts while an upcall runs, its answer is not installed and the upcall
 * is asked again, so that no megaflow built from old rules survives a
 * revalidation. */
typedef int (*dp_upcall_fn)(void *aux, const struct flow_key *key, const struct rte_mbuf *pkt,
			    struct dp_upcall_result *res);

/* Called for DP_ACTION_USERSPACE, in the PMD thread; borrows 'pkt'. */
typedef void (*dp_slow_path_fn)(void *aux, const struct rte_mbuf *pkt, uint32_t in_port,
				uint64_t cookie);

/* Creates a datapath. The EAL must be initialised. Returns NULL with errno
 * set on failure (EINVAL for a bad parameter). Control thread. */
struct dp *dp_create(const struct dp_params *params);

/* Stops the PMD threads, closes every port, frees everything. NULL: no-op. */
void dp_destroy(struct dp *dp);

/* Sets the callbacks; call before dp_start() or with no PMD thread. */
void dp_set_upcall(struct dp *dp, dp_upcall_fn fn, void *aux);
void dp_set_slow_path(struct dp *dp, dp_slow_path_fn fn, void *aux);

/* Limits the upcalls of each input port, in each PMD thread, to 'rate' per
 * second with bursts of 'burst' (a token bucket); a miss over the limit is
 * dropped as DP_DROP_UPCALL_LIMIT, so that a flood of new flows from one
 * port cannot take the thread from the established flows of the others.
 * 'rate' 0: no limit (the default). Any thread, any time. */
void dp_set_upcall_limit(struct dp *dp, uint32_t rate, uint32_t burst);

/* The longest sleep of an idle PMD thread, in microseconds (it backs off
 * from 1 us to this); 0: never sleep, poll all the time as Open vSwitch's
 * PMD threads do. Sleeping leaves the core to others when there is no
 * traffic, but a thread that sleeps wakes up late when the machine (or the
 * hypervisor under it) is busy, and the rings fill meanwhile. */
enum { DP_PMD_MAX_SLEEP_US = 250 };
void dp_set_pmd_max_sleep(struct dp *dp, uint32_t us);

/* How long a PMD thread may hold output packets to send them with those of
 * later bursts (Open vSwitch's tx-flush-interval): fewer and fuller
 * transmits (vhost-user kicks, TAP writes) for up to 'us' microseconds of
 * added latency. 0, the default, sends after every received burst. Patch
 * ports never wait; an idle thread sends everything before it sleeps. */
enum { DP_TX_FLUSH_MAX_US = 1000000 };
void dp_set_tx_flush_interval(struct dp *dp, uint32_t us);

/* Starts the PMD threads (a no-op with pmd_cpu_mask = 0). Returns 0 or
 * -errno. */
int dp_start(struct dp *dp);

/* Adds an open 'port' (the datapath owns it from now on, even on failure),
 * starts it and assigns its receive queues to PMD threads. Writes its number
 * to '*port_no'. Returns 0, -ENOSPC or -errno from port_start(). Patch
 * ports are linked to their peer (by name) as soon as both are added; until
 * then what a bridge sends to one is dropped and counted. */
int dp_port_add(struct dp *dp, struct port *port, uint32_t *port_no);

/* Runs 'actions' on packet 'm' as if it had been received on 'in_port'
 * (which may be no port: DP_MAX_PORTS or more), in PMD thread 0, soon: a
 * packet-out. Takes 'm' in every case. Returns 0, -EINVAL (bad actions),
 * -ENOBUFS (too many waiting) or -ENOMEM. Any thread. */
int dp_execute(struct dp *dp, uint32_t in_port, struct rte_mbuf *m, const struct dp_action *actions,
	       uint32_t n_actions);

/* The number the next dp_port_add() will give, or -ENOSPC: callers that
 * must know a port before its first packet arrives register it first. */
int dp_port_next_no(const struct dp *dp);

/* Removes and closes port 'port_no'. Returns 0 or -ENOENT. */
int dp_port_del(struct dp *dp, uint32_t port_no);

/* The port numbered 'port_no', or NULL. Control thread. */
struct port *dp_port_get(struct dp *dp, uint32_t port_no);

/* Gives Geneve port 'port_no' the option map 'map' (copied; NULL or an
 * empty one: none), with which its PMD threads take received options
 * into the flow key. Megaflows made with the old map stay until the
 * caller revalidates them. Returns 0, -ENOENT (no such port: a port of
 * another type takes nothing and returns 0) or -ENOMEM. */
int dp_port_set_optmap(struct dp *dp, uint32_t port_no, const struct dp_tnl_optmap *map);

/* The datapath port a patch port delivers to, or -ENOENT (none yet, or not
 * a patch port). Control thread. */
int dp_port_patch_peer(const struct dp *dp, uint32_t port_no);

/* Installs a megaflow in every PMD thread's table (proactively, as tests and
 * benchmarks do). Returns 0, -EEXIST, -EINVAL or -ENOMEM. */
int dp_flow_put(struct dp *dp, const struct flow_key *key, const struct flow_key *mask,
		const struct dp_action *actions, uint32_t n_actions);

/* Deletes every megaflow (e.g. after the rules behind them changed) and
 * waits until no PMD thread can use them any more. */
void dp_flow_flush(struct dp *dp);

/* One megaflow as dp_flow_dump() shows it. */
struct dp_flow_info {
	unsigned int pmd; /* the PMD context that owns it */
	const struct flow_key *key, *mask;
	const struct dp_action *actions;
	uint32_t n_actions;
	uint64_t n_packets, n_bytes;
	uint64_t idle_ms; /* since it last matched a packet (or was installed) */
	uint64_t ufid;    /* from the upcall that installed it (0: dp_flow_put) */
};

/* Calls 'cb' for every megaflow of every PMD thread, under that thread's
 * flow lock (so 'cb' must not call into the datapath). Control thread. */
void dp_flow_dump(struct dp *dp, void (*cb)(void *aux, const struct dp_flow_info *info), void *aux);

/* Revalidation: calls 'keep' for every megaflow of every PMD thread, under
 * that thread's flow lock ('keep' must not call into the datapath), and
 * deletes those for which it returns false. Upcalls that started before
 * this call are answered again rather than installed. Returns the number
 * deleted; call dp_flow_sync() next (perhaps after releasing a lock that
 * upcalls take). Control thread. */
unsigned int dp_flow_revalidate(struct dp *dp,
				bool (*keep)(void *aux, const struct dp_flow_info *info),
				void *aux);

/* Returns once no PMD thread can use a megaflow deleted before the call,
 * nor be in the middle of a batch that started before it. */
void dp_flow_sync(struct dp *dp);

/* Sums the counters of every PMD thread into 'stats'. Any thread. */
void dp_get_stats(struct dp *dp, struct dp_stats *stats);

/* The counters of PMD context 'idx' alone; -ENOENT if there is none. */
int dp_pmd_get_stats(struct dp *dp, unsigned int idx, struct dp_stats *stats);

/* What PMD context 'idx' polls: its CPU (-1: the caller's thread) and up to
 * 'max' of its receive queues. Returns the number of queues (possibly more
 * than 'max'), or -ENOENT. Control thread. */
struct dp_rxq_info {
	uint32_t port_no;
	uint16_t qid;
	/* Since the queue was added (a few may be lost when another queue of
	 * the PMD is added or removed): polls, polls that got packets,
	 * packets, and the cycles spent receiving and processing those. */
	uint64_t polls, bursts, packets, cycles;
	bool pinned; /* by the port's pmd-rxq-affinity */
};
int dp_pmd_get_rxqs(struct dp *dp, unsigned int idx, int *cpu, struct dp_rxq_info *rxqs,
		    unsigned int max);

/* Where receive queues go. A queue the port pins to a CPU (options:
 * pmd-rxq-affinity) is polled by the PMD thread of that CPU; a PMD thread
 * that polls a pinned queue takes no other while some thread polls none
 * (its CPU is the pinned queues' own, as Open vSwitch isolates it). Every
 * other queue goes to the thread with the fewest queues when its port is
 * added, and dp_rxqs_rebalance() places them again by measured load. */

/* True when a PMD thread runs on 'cpu'. */
bool dp_pmd_on_cpu(const struct dp *dp, int cpu);

/* Places every queue that is not pinned again by its load: the cycles it
 * took (receive and processing) since the previous rebalance or since it
 * was added, busiest first, each to the eligible thread with the least load
 * so far (pinned queues count on theirs). A queue that moves is never
 * polled by two threads at once. Returns how many queues moved, or -ENOMEM
 * (nothing moved). Control thread. */
int dp_rxqs_rebalance(struct dp *dp);

/* ---- Meters ----
 * Token buckets that DP_ACTION_METER runs packets through. Each band has a
 * rate (kbit/s, or packets/s with 'pktps') and a bucket of 'burst' (kbit or
 * packets; 0: one second at the rate). A packet takes tokens from every
 * band; of the bands without enough, the one with the highest rate acts on
 * it: a drop band drops it, a DSCP band raises its drop precedence. No
 * lock: buckets and counters are atomics. */
enum { DP_MAX_METERS = 1024, DP_METER_BANDS = 8 };
enum dp_meter_band_type { DP_METER_DROP = 1, DP_METER_DSCP = 2 };

struct dp_meter_cfg {
	bool pktps;
	uint32_t n_bands;
	struct {
		uint8_t type; /* enum dp_meter_band_type */
		uint8_t prec_level;
		uint32_t rate, burst;
	} bands[DP_METER_BANDS];
};

struct dp_meter_stats {
	uint64_t packets, bytes;
	uint64_t band_packets[DP_METER_BANDS], band_bytes[DP_METER_BANDS];
};

/* Installs or replaces meter 'id' (< DP_MAX_METERS). Replacing keeps the
 * meter's counters and starts its bands afresh. Returns 0, -EINVAL or
 * -ENOMEM. Control thread. */
int dp_meter_set(struct dp *dp, uint32_t id, const struct dp_meter_cfg *cfg);
/* Removes meter 'id' (its packets then pass unmetered). Control thread. */
void dp_meter_del(struct dp *dp, uint32_t id);
/* Meter 'id''s counters; -ENOENT. Any thread. */
int dp_meter_get_stats(struct dp *dp, uint32_t id, struct dp_meter_stats *s);

/* ---- Capture ----
 * Copies of the packets a port receives and sends (after the actions),
 * for switch-ctl capture. A capture holds a fixed number of records: when
 * its reader falls behind, packets are left out and counted, and the
 * datapath never waits. Optionally filtered by a classic BPF program
 * (pcap_compile()) run in the PMD thread. */
enum { DP_CAPTURE_SNAP_MAX = 9216, DP_CAPTURE_RECORDS = 1024 };

struct bpf_insn;
struct dp_capture;

struct dp_capture_params {
	const struct bpf_insn *filter; /* NULL: every packet */
	uint32_t filter_len;           /* instructions */
	uint32_t snaplen;              /* bytes kept per packet; 0 or more: the maximum */
	uint32_t n_records;            /* a power of two; 0: DP_CAPTURE_RECORDS */
};

struct dp_capture_rec {
	uint64_t sec;
	uint32_t nsec;
	uint32_t len, caplen;
	bool tx; /* sent by the port (else received) */
	uint8_t data[DP_CAPTURE_SNAP_MAX];
};

struct dp_capture_stats {
	uint64_t captured, dropped; /* dropped: no free record (slow reader) */
	bool port_gone;             /* the port was deleted: nothing more comes */
};

/* Starts capturing on port 'port_no'. Returns 0, -ENOENT, -EINVAL or
 * -ENOMEM. Control thread. */
int dp_capture_start(struct dp *dp, uint32_t port_no, const struct dp_capture_params *p,
		     struct dp_capture **cap);
/* Ends it; 'cap' is gone after this. Control thread. Every capture must
 * be stopped before dp_destroy(). */
void dp_capture_stop(struct dp *dp, struct dp_capture *cap);
/* The reader (one thread, any): up to 'max' captured packets, oldest
 * first; give them back with dp_capture_release() once written out. */
unsigned int dp_capture_read(struct dp_capture *cap, struct dp_capture_rec **recs,
			     unsigned int max);
void dp_capture_release(struct dp_capture *cap, struct dp_capture_rec **recs, unsigned int n);
void dp_capture_get_stats(const struct dp_capture *cap, struct dp_capture_stats *s);

/* Periodic control-thread work: frees memory PMD threads retired. */
void dp_run(struct dp *dp);

/* Number of PMD contexts (at least 1) and access to one, for callers that
 * drive the datapath without threads. */
unsigned int dp_n_pmds(const struct dp *dp);
struct dp_pmd *dp_pmd_get(struct dp *dp, unsigned int idx);

/* One poll loop iteration: receives from every assigned queue, processes,
 * reports a quiescent state. Returns the number of packets received. Only
 * from the thread that owns 'pmd'. */
unsigned int dp_pmd_poll(struct dp_pmd *pmd);

/* Runs the pipeline on 'n' (<= 32) packets received on 'in_port'; takes
 * ownership of them. Only from the thread that owns 'pmd'. */
void dp_pmd_process(struct dp_pmd *pmd, uint32_t in_port, struct rte_mbuf **pkts, uint16_t n);

#endif /* VS_DP_H */
