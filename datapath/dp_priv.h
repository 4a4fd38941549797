/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Structures shared by the datapath's control side (dp.c) and its PMD side
 * (dp_pmd.c, dp_flow.c). Nothing outside datapath/ includes this.
 */
#ifndef VS_DP_PRIV_H
#define VS_DP_PRIV_H

#include <pthread.h>

#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "dp.h"
#include "dpcls.h"
#include "emc.h"
#include "flow_arena.h"
#include "port_impl.h"
#include "smc.h"
#include "tunnel.h"

/* What the rule-only path makes of a megaflow (see dp_flow_account()). */
enum dp_flow_kind {
	DP_FLOW_SIMPLE, /* exact in_port, else only the L2 header (tags, MACs, EtherType),
			 * and actions that need no L3 offset */
	DP_FLOW_OTHER,  /* exact in_port, and more */
	DP_FLOW_WILD,   /* in_port not matched exactly */
};

/* A megaflow, owned by one PMD thread's table. Cache-line aligned. A
 * lookup reads the masked key (from the second line on: the words its
 * mask has), and a hit reads and writes the first: the counters, the
 * rule's subtable and, for the commonest megaflow, its one output. With a
 * million megaflows every line a hit touches is a cache miss. */
struct dp_flow {
	/* A hit's line: the counters, out1, and the subtable pointer just
	 * before the masked key. */
	uint64_t n_packets;
	uint64_t n_bytes;
	uint64_t used_tsc;
	/* execute_groups() scratch, the owning PMD's only: this flow's group
	 * in the batch numbered 'batch_stamp'. */
	uint64_t batch_stamp;
	uint8_t batch_group;
	bool dead;
	uint8_t kind; /* enum dp_flow_kind */
	bool smc_ok;  /* in the classifier and not dead: a cache way may name it */
	uint16_t tcp_flags;
	uint16_t n_actions;
	uint32_t out1; /* the port of its one action when that is an output, else UINT32_MAX */
	uint32_t pad;

	struct dpcls_rule cls;       /* its masked key from the second line on */
	struct dp_flow *next, *prev; /* the PMD's flow list; under flow_mutex */
	uint64_t ufid;
	struct dp_action actions[];
};

_Static_assert(offsetof(struct dp_flow, cls.key) == 64 && offsetof(struct dp_flow, cls) < 64,
	       "a hit's line: the counters, out1 and the subtable pointer; then the key");
_Static_assert(DP_MAX_ACTIONS <= UINT16_MAX, "n_actions");

enum dp_stat {
	DP_STAT_RX,
	DP_STAT_EMC_HIT,
	DP_STAT_EMC_BYPASS,
	DP_STAT_MEGAFLOW_HIT,
	DP_STAT_SIMPLE_HIT,
	DP_STAT_SMC_HIT, /* counted in DP_STAT_MEGAFLOW_HIT too */
	DP_STAT_SUBTABLE_PROBES,
	DP_STAT_MISS,
	DP_STAT_UPCALL,
	DP_STAT_UPCALL_FAIL,
	DP_STAT_TX,
	DP_STAT_CYCLES,
	DP_STAT_UPCALL_CYCLES,
	DP_STAT_RX_CYCLES,
	DP_STAT_TX_CYCLES,
	DP_STAT_BUSY_CYCLES,
	DP_STAT_IDLE_CYCLES,
	DP_STAT_BUSY_ITERS,
	DP_STAT_IDLE_ITERS,
	DP_STAT_SLEEPS,
	DP_STAT_SLEEP_US,
	DP_STAT_BATCH0, /* + n: received bursts of n packets (1..PKT_BATCH_MAX) */
	DP_STAT_DROP0 = DP_STAT_BATCH0 + DP_BATCH_SIZES,
	DP_STAT__MAX = DP_STAT_DROP0 + DP_DROP__MAX,
};

_Static_assert(DP_BATCH_SIZES == PKT_BATCH_MAX + 1, "a counter per burst size");

struct dp_rxq {
	struct port *port;
	port_burst_fn rx;
	uint32_t port_no;
	uint16_t qid;
	bool pinned; /* by pmd-rxq-affinity: rebalancing leaves it */
	/* Written by the polling PMD only (copied when the list is rebuilt):
	 * polls, polls that got packets, packets, and the cycles of those
	 * (receive and processing). */
	uint64_t polls, bursts, packets, cycles;
	uint64_t load_base; /* 'cycles' at the last rebalance; control thread only */
};

struct dp_rxq_list {
	uint32_t n;
	struct dp_rxq q[];
};

struct dp_txbuf {
	uint16_t n;
	bool queued;   /* its port is in the pending list */
	uint8_t depth; /* patch ports its packets crossed (the most of any) */
	struct rte_mbuf *pkts[PKT_BATCH_MAX];
};

/* With a tx flush interval, per output buffer: when its first packet was
 * buffered, and the port it was for (a port removed meanwhile does not get
 * them). Apart from struct dp_txbuf, which the hot path walks. */
struct dp_txheld {
	uint64_t since_tsc;
	const struct port *port;
};

/* Packets to process again as input (recirculations, decapsulated
 * frames), collected over a batch's megaflows (dp_pmd.c). */
enum { DP_RECIRC_MAX = 2 * PKT_BATCH_MAX };
struct dp_recirc {
	uint16_t n;
	bool tnl[DP_RECIRC_MAX]; /* with the tunnel fields in 'md' */
	uint32_t port[DP_RECIRC_MAX];
	struct rte_mbuf *pkts[DP_RECIRC_MAX];
	struct dp_tnl_md md[DP_RECIRC_MAX];
};

struct dp_pmd {
	/* Read and written by the PMD thread only. */
	uint64_t stats[DP_STAT__MAX] VS_CACHE_ALIGNED;
	struct dp *dp;
	unsigned int id;
	int cpu;
	struct emc *emc;
	struct smc *smc; /* NULL until the table first holds DP_SMC_MIN_FLOWS */
	bool smc_failed; /* the cache could not be made; under flow_mutex */
	struct dpcls *cls;
	struct flow_arena *arena; /* the megaflows' memory */
	uint64_t emc_seen_gen;
	uint32_t emc_sample_lookups, emc_sample_hits; /* see emc_worth_it() */
	uint64_t emc_sample_inserts, emc_sample_evictions;
	uint32_t emc_rest;
	uint64_t next_sort_tsc;
	uint32_t n_pending;
	uint32_t pending[DP_MAX_PORTS]; /* a stack of ports with output */
	uint8_t depth;                  /* patch ports crossed by this batch */
	uint16_t tnl_ip_id;             /* the outer IPv4 id of tunnel packets without DF */
	struct dp_recirc *rc;           /* execute_groups()'s collector, or NULL */
	uint64_t batch_tsc;             /* when the received batch started */
	uint64_t batch_stamp;           /* execute_groups() calls so far */
	struct {
		uint64_t tokens; /* upcalls allowed, times the TSC rate */
		uint64_t last_tsc;
	} upcall_tb[DP_MAX_PORTS]; /* per input port */
	struct dp_txbuf txb[DP_MAX_PORTS];
	struct dp_txheld txheld[DP_MAX_PORTS];

	/* Shared with the control thread. */
	struct dp_rxq_list *rxqs VS_CACHE_ALIGNED; /* RCU */
	uint64_t emc_flush_gen;                    /* bumped by control */
	pthread_mutex_t flow_mutex;                /* writers of cls and flows */
	struct dp_flow *flows;                     /* list of live flows */
	struct dp_flow *dead;                      /* deleted, awaiting RCU */
	uint32_t n_flows;
	/* Live megaflows by kind, written under flow_mutex, read by the PMD
	 * (atomic): per input port, and those on any port. */
	uint32_t simple_flows[DP_MAX_PORTS], other_flows[DP_MAX_PORTS];
	uint32_t wild_flows;
	pthread_t thread;
	bool thread_running;
	volatile bool stop;
};

struct dp {
	struct port *ports[DP_MAX_PORTS];  /* RCU: PMDs read, control writes */
	uint32_t patch_peer[DP_MAX_PORTS]; /* same; UINT32_MAX: none */
	struct rte_rcu_qsbr *qsbr;
	dp_upcall_fn upcall;
	void *upcall_aux;
	dp_slow_path_fn slow_path;
	void *slow_path_aux;
	bool threaded;
	unsigned int n_pmds;
	uint64_t sort_interval_tsc;
	uint64_t rules_gen;                 /* bumped by dp_flow_revalidate(); atomic */
	uint32_t upcall_rate, upcall_burst; /* dp_set_upcall_limit(); atomic */
	uint32_t pmd_max_sleep_us;          /* dp_set_pmd_max_sleep(); atomic */
	uint64_t tx_flush_tsc;              /* dp_set_tx_flush_interval(); atomic */
	struct dp_pmd *pmds[DP_MAX_PMDS];
	struct rte_ring *inject;                   /* dp_execute() -> PMD 0: struct dp_inject * */
	struct dp_meter *meters[DP_MAX_METERS];    /* RCU */
	struct dp_garbage *garbage;                /* freed after a grace period (dp_retire()) */
	struct dp_capture *captures[DP_MAX_PORTS]; /* per port, a list (RCU) */
};

/* Memory PMD threads may still read: a link embedded in the object. */
struct dp_garbage {
	struct dp_garbage *next;
	void *p;                 /* what to free */
	void (*free_fn)(void *); /* how: NULL for free() */
};
/* Frees 'p' (with 'g' inside it) with 'free_fn' (NULL: free()) once no
 * PMD thread can read it, in dp_run(). Control thread. */
void dp_retire(struct dp *dp, struct dp_garbage *g, void *p, void (*free_fn)(void *));
void dp_garbage_free(struct dp_garbage *list);

/* Captures (dp_capture.c): copies a burst for every capture of the list
 * (PMD threads); ends the captures of a port that is deleted. */
void dp_capture_burst(struct dp_capture *list, struct rte_mbuf **pkts, uint16_t n, bool tx);
void dp_captures_port_gone(struct dp *dp, uint32_t port_no);
void dp_captures_free(struct dp *dp);

/* A meter's bands and their buckets; replaced whole (RCU) on a change. */
struct dp_meter_bands {
	struct dp_garbage gc;
	struct dp_meter_cfg cfg;
	uint64_t last_tsc;              /* atomic: when the buckets were last filled */
	int64_t tokens[DP_METER_BANDS]; /* atomic; bits or milli-packets */
	int64_t capacity[DP_METER_BANDS];
	double per_tsc[DP_METER_BANDS]; /* tokens earned per TSC cycle */
	uint8_t order[DP_METER_BANDS];  /* band indexes, highest rate first */
	uint64_t band_packets[DP_METER_BANDS], band_bytes[DP_METER_BANDS]; /* atomic */
};

struct dp_meter {
	struct dp_garbage gc;
	struct dp_meter_bands *bands; /* RCU */
	uint64_t packets, bytes;      /* atomic */
};

/* Runs 'n' packets through meter 'id': returns how many go on (kept at
 * the front of 'pkts', in order); the others are dropped and counted. */
uint16_t dp_meter_run(struct dp_pmd *pmd, uint32_t id, struct rte_mbuf **pkts, uint16_t n);
void dp_meters_free(struct dp *dp);

/* Receive queues (dp_rxq.c): gives every queue of 'port' (datapath port
 * 'port_no') to a PMD thread; takes those of 'port_no' away from all. */
int dp_rxqs_place(struct dp *dp, struct port *port, uint32_t port_no);
void dp_rxqs_remove(struct dp *dp, uint32_t port_no);

/* Waits until every PMD thread has been through a quiescent state. */
void dp_synchronize(struct dp *dp);

/* A packet the control thread hands to PMD 0 with the actions to run. */
struct dp_inject {
	struct rte_mbuf *m;
	uint32_t in_port;
	uint32_t n_actions;
	struct dp_action actions[];
};

enum { DP_INJECT_RING = 1024 };

static inline void
dp_stat_add(struct dp_pmd *pmd, enum dp_stat s, uint64_t n)
{
	__atomic_store_n(&pmd->stats[s], pmd->stats[s] + n, __ATOMIC_RELAXED);
}

/* Inserts a new megaflow into 'pmd''s table; caller holds flow_mutex.
 * Returns the flow, or NULL with '*err' = -EEXIST (then '*existing' is the
 * flow already there), -EINVAL or -ENOMEM. */
struct dp_flow *dp_flow_insert_locked(struct dp_pmd *pmd, const struct flow_key *key,
				      const struct flow_key *mask, const struct dp_action *actions,
				      uint32_t n_actions, uint64_t ufid, struct dp_flow **existing,
				      int *err);

/* Counts live flow 'f' in (delta 1) or out of (delta -1) its kind when it
 * enters or leaves 'pmd''s table; caller holds flow_mutex. */
void dp_flow_account(struct dp_pmd *pmd, const struct dp_flow *f, int delta);

/* Bytes of a megaflow with 'n_actions' actions. */
size_t dp_flow_size(uint32_t n_actions);

/* Returns megaflow 'f' of 'pmd' (no longer reachable) to its arena. NULL is
 * a no-op. */
void dp_flow_free(struct dp_pmd *pmd, struct dp_flow *f);

/* Resolves a packet of key 'key' that no cache knew (dp_flow.c): another
 * miss of its batch may have installed its megaflow already; otherwise
 * asks the upcall, if the input port's rate allows ('*limited' says when
 * it does not). Returns the flow, or NULL: no flow, drop the packet. */
struct dp_flow *dp_flow_miss(struct dp_pmd *pmd, const struct flow_key *key, struct rte_mbuf *m,
			     bool *limited);

/* Drops 'm' and counts it under 'reason'. */
void dp_pmd_drop(struct dp_pmd *pmd, struct rte_mbuf *m, enum dp_drop_reason reason);

/* Empties EMC entries of deleted flows if the control thread asked for it.
 * Only from the thread that owns 'pmd'. */
void dp_pmd_sweep_emc(struct dp_pmd *pmd);

/* Body of a PMD thread. */
void *dp_pmd_main(void *arg);

#endif /* VS_DP_PRIV_H */
