/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The packet path: the PMD poll loop and the batch pipeline (extract ->
 * EMC -> megaflow classifier -> upcall -> grouped execution -> buffered
 * output). Everything here runs in the thread that owns the dp_pmd; the only
 * lock is the flow mutex, taken on a miss to install a megaflow.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_lcore.h>

#include "dp_priv.h"
#include "tunnel.h"

enum {
	IDLE_SPINS = 64, /* empty polls before the first sleep */
	/* The EMC's hit rate is judged over EMC_SAMPLE lookups; under
	 * EMC_MIN_HIT_PCT % it rests for EMC_REST packets (emc_worth_it()). */
	EMC_SAMPLE = 8192,
	EMC_MIN_HIT_PCT = 5,
	EMC_REST = 131072,
};

/* A batch compares each packet with the one before it (runs,
 * process_batch()) until this many have differed: a batch of many flows
 * pays for a few comparisons, one of a few flows in runs takes most runs. */
enum { DP_RUN_TRIES = 3 };

/* Packets and their keys during one pass of the pipeline. */
struct batch_ctx {
	uint16_t n;
	bool emc_on;      /* the batch uses the EMC: hashes[] are set */
	struct smc *smc;  /* the signature-match cache serving it (hashes[] set), or NULL */
	uint32_t limited; /* packets whose miss was over the upcall rate */
	uint32_t run;     /* packets with the key of the one before (not extracted) */
	struct rte_mbuf **pkts;
	struct flow_key keys[PKT_BATCH_MAX];
	uint32_t hashes[PKT_BATCH_MAX];
	struct dp_flow *flows[PKT_BATCH_MAX];
};

static bool
flow_is_dead(const void *flow, void *aux)
{
	(void)aux;
	return __atomic_load_n(&((const struct dp_flow *)flow)->dead, __ATOMIC_ACQUIRE);
}

void
dp_pmd_sweep_emc(struct dp_pmd *pmd)
{
	uint64_t gen = __atomic_load_n(&pmd->emc_flush_gen, __ATOMIC_SEQ_CST);

	if (gen != pmd->emc_seen_gen) {
		emc_sweep(pmd->emc, flow_is_dead, NULL);
		pmd->emc_seen_gen = gen;
	}
}

void
dp_pmd_drop(struct dp_pmd *pmd, struct rte_mbuf *m, enum dp_drop_reason why)
{
	dp_stat_add(pmd, DP_STAT_DROP0 + why, 1);
	rte_pktmbuf_free(m);
}

static void process_batch(struct dp_pmd *pmd, uint32_t in_port, struct rte_mbuf **pkts, uint16_t n);
static void process_batch_tnl(struct dp_pmd *pmd, uint32_t in_port, struct rte_mbuf **pkts,
			      uint16_t n, const struct dp_tnl_md *md);

/* Hands what a bridge sent to patch port 'port_no' to its peer's bridge, as
 * input: no copy, no queue. */
static void
patch_cross(struct dp_pmd *pmd, struct port *port, uint32_t port_no, struct rte_mbuf **pkts,
	    uint16_t n, uint8_t depth)
{
	uint32_t peer = __atomic_load_n(&pmd->dp->patch_peer[port_no], __ATOMIC_ACQUIRE);
	struct port *peer_port = peer < DP_MAX_PORTS
					 ? __atomic_load_n(&pmd->dp->ports[peer], __ATOMIC_ACQUIRE)
					 : NULL;
	uint64_t bytes = 0;
	uint8_t saved = pmd->depth;

	if (depth >= DP_PATCH_DEPTH_MAX) {
		dp_stat_add(pmd, DP_STAT_DROP0 + DP_DROP_PATCH_LOOP, n);
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	for (uint16_t i = 0; i < n; i++) {
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	}
	port_patch_account(port, peer_port, n, bytes);
	if (!peer_port) {
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	pmd->depth = (uint8_t)(depth + 1);
	process_batch(pmd, peer, pkts, n);
	pmd->depth = saved;
}

static void
tx_flush(struct dp_pmd *pmd, uint32_t port_no)
{
	struct dp_txbuf *b = &pmd->txb[port_no];
	struct port *port = __atomic_load_n(&pmd->dp->ports[port_no], __ATOMIC_ACQUIRE);
	struct rte_mbuf *pkts[PKT_BATCH_MAX];
	uint16_t n = b->n;

	b->n = 0;
	if (!port || port != pmd->txheld[port_no].port) {
		dp_stat_add(pmd, DP_STAT_DROP0 + DP_DROP_NO_PORT, n);
		rte_pktmbuf_free_bulk(b->pkts, n);
		return;
	}
	struct dp_capture *cl = __atomic_load_n(&pmd->dp->captures[port_no], __ATOMIC_ACQUIRE);

	if (unlikely(cl != NULL)) {
		dp_capture_burst(cl, b->pkts, n, true);
	}
	if (port->ops->patch) {
		/* The peer's bridge may send to this port again: free the
		 * buffer first. */
		memcpy(pkts, b->pkts, n * sizeof pkts[0]);
		patch_cross(pmd, port, port_no, pkts, n, b->depth);
		return;
	}
	if (port->n_txq >= pmd->dp->n_pmds) {
		port->ops->tx_burst(port, (uint16_t)pmd->id, b->pkts, n);
	} else {
		rte_spinlock_lock(&port->tx_lock);
		port->ops->tx_burst(port, 0, b->pkts, n);
		rte_spinlock_unlock(&port->tx_lock);
	}
	dp_stat_add(pmd, DP_STAT_TX, n);
}

/* Buffers 'n' packets for 'port_no', flushing the buffer when it fills;
 * the bookkeeping once per call (the last output of a group hands over
 * the whole group). */
static inline __attribute__((always_inline)) void
tx_enqueue_bulk(struct dp_pmd *pmd, uint32_t port_no, struct rte_mbuf **pkts, uint16_t n)
{
	struct dp_txbuf *b;

	if (port_no >= DP_MAX_PORTS) {
		dp_stat_add(pmd, DP_STAT_DROP0 + DP_DROP_NO_PORT, n);
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	b = &pmd->txb[port_no];
	while (n) {
		if (b->n == PKT_BATCH_MAX) {
			tx_flush(pmd, port_no);
		}
		if (!b->queued) {
			pmd->pending[pmd->n_pending++] = port_no;
			b->queued = true;
		}
		if (!b->n) {
			pmd->txheld[port_no].since_tsc = pmd->batch_tsc;
			pmd->txheld[port_no].port =
				__atomic_load_n(&pmd->dp->ports[port_no], __ATOMIC_ACQUIRE);
		}
		uint16_t k = VS_MIN(n, (uint16_t)(PKT_BATCH_MAX - b->n));

		b->depth = b->n == 0 || pmd->depth > b->depth ? pmd->depth : b->depth;
		/* Groups are small: a loop, not a call to memcpy(). */
		for (uint16_t i = 0; i < k; i++) {
			b->pkts[b->n + i] = pkts[i];
		}
		b->n = (uint16_t)(b->n + k);
		pkts += k;
		n = (uint16_t)(n - k);
	}
}

/* Buffers 'm' for 'port_no' (dropped when there is no such port). */
static void
tx_enqueue(struct dp_pmd *pmd, uint32_t port_no, struct rte_mbuf *m)
{
	tx_enqueue_bulk(pmd, port_no, &m, 1);
}

/* Sends every buffered output. Crossing a patch port may buffer more:
 * the loop runs until nothing is left. */
static void
tx_flush_all(struct dp_pmd *pmd)
{
	while (pmd->n_pending) {
		uint32_t no = pmd->pending[--pmd->n_pending];

		pmd->txb[no].queued = false;
		if (pmd->txb[no].n) {
			tx_flush(pmd, no);
		}
	}
}

/* With a flush interval ('interval' TSC ticks): sends the buffers whose
 * first packet has waited that long by 'now', and those of patch ports at
 * once (crossing one costs no system call); the others stay pending. A
 * patch crossing may buffer more: those are looked at too. */
static void
tx_flush_due(struct dp_pmd *pmd, uint64_t now, uint64_t interval)
{
	uint32_t i = 0;

	while (i < pmd->n_pending) {
		uint32_t no = pmd->pending[i];
		struct dp_txbuf *b = &pmd->txb[no];
		const struct dp_txheld *h = &pmd->txheld[no];
		/* 'h->port' may be gone: only the live one is looked into. */
		const struct port *port = __atomic_load_n(&pmd->dp->ports[no], __ATOMIC_ACQUIRE);

		if (b->n && now - h->since_tsc < interval && port && port == h->port &&
		    !port->ops->patch) {
			i++;
			continue;
		}
		pmd->pending[i] = pmd->pending[--pmd->n_pending];
		b->queued = false;
		if (b->n) {
			tx_flush(pmd, no);
		}
	}
}

/* After a burst: everything, or what is due (see tx_flush_due()). */
static void
tx_flush_burst(struct dp_pmd *pmd, uint64_t now)
{
	uint64_t interval = __atomic_load_n(&pmd->dp->tx_flush_tsc, __ATOMIC_RELAXED);

	if (interval) {
		tx_flush_due(pmd, now, interval);
	} else {
		tx_flush_all(pmd);
	}
}

static bool
later_modifies(const struct dp_action *acts, uint32_t n_acts, uint32_t k)
{
	for (uint32_t i = k + 1; i < n_acts; i++) {
		if (dp_action_modifies(&acts[i])) {
			return true;
		}
	}
	return false;
}

/* Outputs every packet; the last action hands them over, an earlier one
 * sends copies (or shares them when nothing later rewrites them). */
static void
do_output(struct dp_pmd *pmd, const struct dp_action *acts, uint32_t n_acts, uint32_t k,
	  struct rte_mbuf **pkts, uint16_t n)
{
	uint32_t port_no = acts[k].port;
	bool last = k + 1 == n_acts;
	bool copy = !last && later_modifies(acts, n_acts, k);

	if (last) {
		tx_enqueue_bulk(pmd, port_no, pkts, n);
		return;
	}
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (copy) {
			m = rte_pktmbuf_copy(m, m->pool, 0, UINT32_MAX);
			if (!m) {
				dp_stat_add(pmd, DP_STAT_DROP0 + DP_DROP_NO_MBUF, 1);
				continue;
			}
		} else if (!last) {
			rte_mbuf_refcnt_update(m, 1);
		}
		tx_enqueue(pmd, port_no, m);
	}
}

static void execute(struct dp_pmd *pmd, const struct dp_action *acts, uint32_t n_acts,
		    uint32_t in_port, struct rte_mbuf **pkts, uint16_t n);

/* The packets an action that consumes them works on: 'pkts' themselves
 * when it is the last action, else copies (in 'out'). Returns how many. */
static uint16_t
take_or_copy(struct dp_pmd *pmd, bool last, struct rte_mbuf **pkts, uint16_t n,
	     struct rte_mbuf **out)
{
	uint16_t nc = 0;

	if (last) {
		memcpy(out, pkts, n * sizeof out[0]);
		return n;
	}
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = rte_pktmbuf_copy(pkts[i], pkts[i]->pool, 0, UINT32_MAX);

		if (!m) {
			dp_stat_add(pmd, DP_STAT_DROP0 + DP_DROP_NO_MBUF, 1);
			continue;
		}
		m->l2_len = pkts[i]->l2_len;
		m->l3_len = pkts[i]->l3_len;
		m->packet_type = pkts[i]->packet_type;
		out[nc++] = m;
	}
	return nc;
}

/* Processes 'n' packets as input on 'port_no' (a recirculation, or the
 * inner frames of a tunnel with 'md'), at most DP_PATCH_DEPTH_MAX deep. */
static void
reenter_now(struct dp_pmd *pmd, uint32_t port_no, struct rte_mbuf **pkts, uint16_t n,
	    const struct dp_tnl_md *md)
{
	uint8_t saved = pmd->depth;

	if (saved >= DP_PATCH_DEPTH_MAX) {
		dp_stat_add(pmd, DP_STAT_DROP0 + DP_DROP_PATCH_LOOP, n);
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	pmd->depth = (uint8_t)(saved + 1);
	if (md) {
		process_batch_tnl(pmd, port_no, pkts, n, md);
	} else {
		process_batch(pmd, port_no, pkts, n);
	}
	pmd->depth = saved;
}

/* Processes what 'rc' collected, in batches by input port (and tunnel
 * fields or not), in arrival order within each; empties it. */
static void
recirc_flush(struct dp_pmd *pmd, struct dp_recirc *rc)
{
	struct rte_mbuf *pkts[PKT_BATCH_MAX];
	struct dp_tnl_md md[PKT_BATCH_MAX];

	while (rc->n) {
		uint32_t port = rc->port[0];
		bool tnl = rc->tnl[0];
		uint16_t k = 0, rest = 0;

		for (uint16_t i = 0; i < rc->n; i++) {
			if (k < PKT_BATCH_MAX && rc->port[i] == port && rc->tnl[i] == tnl) {
				md[k] = rc->md[i];
				pkts[k++] = rc->pkts[i];
			} else {
				rc->port[rest] = rc->port[i];
				rc->tnl[rest] = rc->tnl[i];
				rc->md[rest] = rc->md[i];
				rc->pkts[rest++] = rc->pkts[i];
			}
		}
		rc->n = rest;
		reenter_now(pmd, port, pkts, k, tnl ? md : NULL);
	}
}

/* reenter_now(), or later: within execute_groups() the packets of all the
 * megaflows of a batch that go to one port are processed together, so
 * that a batch of many flows does not become many batches of one. */
static void
reenter(struct dp_pmd *pmd, uint32_t port_no, struct rte_mbuf **pkts, uint16_t n,
	const struct dp_tnl_md *md)
{
	struct dp_recirc *rc = pmd->rc;

	if (!rc) {
		reenter_now(pmd, port_no, pkts, n, md);
		return;
	}
	for (uint16_t i = 0; i < n; i++) {
		if (rc->n == DP_RECIRC_MAX) {
			pmd->rc = NULL;
			recirc_flush(pmd, rc);
			pmd->rc = rc;
		}
		rc->port[rc->n] = port_no;
		rc->tnl[rc->n] = md != NULL;
		if (md) {
			rc->md[rc->n] = md[i];
		}
		rc->pkts[rc->n++] = pkts[i];
	}
}

static const enum dp_drop_reason tnl_drop[] = {
	[DP_TNL_ERR_HEADROOM] = DP_DROP_NO_HEADROOM, [DP_TNL_ERR_MTU] = DP_DROP_TNL_MTU,
	[DP_TNL_ERR_BAD] = DP_DROP_TNL_BAD,          [DP_TNL_ERR_FRAG] = DP_DROP_TNL_FRAG,
	[DP_TNL_ERR_CSUM] = DP_DROP_TNL_CSUM,        [DP_TNL_ERR_OPT] = DP_DROP_TNL_OPT,
};

/* DP_ACTION_TNL_PUSH at 'a' (its DATA actions follow): encapsulates the
 * packets in place, dropping those it cannot. Returns how many are left. */
static uint16_t
tnl_push_run(struct dp_pmd *pmd, const struct dp_action *a, struct rte_mbuf **pkts, uint16_t n)
{
	uint8_t hdr[DP_ACTION_DATA_LEN * 8];
	uint16_t len = a->mask, kept = 0;
	uint64_t bytes = 0;
	struct port *tp;

	if (len > sizeof hdr || len > a->tnl.n_data * DP_ACTION_DATA_LEN) {
		dp_stat_add(pmd, DP_STAT_DROP0 + DP_DROP_ACTION, n);
		rte_pktmbuf_free_bulk(pkts, n);
		return 0;
	}
	for (uint16_t i = 0, at = 0; at < len; i++, at += DP_ACTION_DATA_LEN) {
		memcpy(hdr + at, a[1 + i].data, VS_MIN(DP_ACTION_DATA_LEN, len - at));
	}
	for (uint16_t i = 0; i < n; i++) {
		enum dp_tnl_err err =
			dp_tnl_push(pkts[i], hdr, len, a->flags, a->tnl.mtu, &pmd->tnl_ip_id);

		if (err != DP_TNL_OK) {
			dp_pmd_drop(pmd, pkts[i], tnl_drop[err]);
			continue;
		}
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
		pkts[kept++] = pkts[i];
	}
	tp = a->tnl.port < DP_MAX_PORTS
		     ? __atomic_load_n(&pmd->dp->ports[a->tnl.port], __ATOMIC_ACQUIRE)
		     : NULL;
	if (tp && kept) {
		port_tunnel_account(tp, false, kept, bytes);
	}
	return kept;
}

/* The tunnel port of VNI 'vni' for DP_ACTION_TNL_POP 'a': one of the
 * (key, port) pairs in its DATA actions, else its key=flow port. */
static uint32_t
tnl_pop_port(const struct dp_action *a, uint32_t vni)
{
	for (uint32_t i = 0; i < a->tnl.key; i++) {
		struct dp_action_tnl_pair kp;

		memcpy(&kp, a[1 + i / DP_TNL_PAIRS].data + (i % DP_TNL_PAIRS) * sizeof kp,
		       sizeof kp);
		if (kp.key == vni) {
			return kp.port;
		}
	}
	return a->port;
}

_Static_assert((int)DP_TNL_OPT_SPACE == (int)FLOW_TUN_MD_LEN &&
		       (int)DP_TNL_OPT_FIELDS == (int)FLOW_TUN_MD_FIELDS,
	       "a tunnel's options fit the key");

_Static_assert(sizeof(struct dp_tnl_md) == 16, "copied per packet: keep it small");

/* True when the 'len' bytes of Geneve options at 'a' and 'b' are equal
 * ('len' a multiple of 4, as dp_tnl_parse() accepted them): a few words,
 * inline, where memcmp() would be a call per packet. */
static inline bool
tnl_opts_equal(const uint8_t *a, const uint8_t *b, uint32_t len)
{
	uint32_t d = 0;

	for (uint32_t i = 0; i + 4 <= len; i += 4) {
		d |= vs_get32(a + i) ^ vs_get32(b + i);
	}
	return d == 0;
}

/* Takes the Geneve options of popped packet 'm' ('md' says where) that
 * tunnel port 'port_no' maps into 'present' and 'bytes' (zero on entry);
 * false if one marked critical is not mapped. Decapsulation checks that
 * (the key is not there yet), the key's extraction takes them. */
static bool
tnl_take_opts(struct dp_pmd *pmd, uint32_t port_no, const struct rte_mbuf *m,
	      const struct dp_tnl_md *md, uint16_t *present, uint8_t *bytes)
{
	const struct port *tp = __atomic_load_n(&pmd->dp->ports[port_no], __ATOMIC_ACQUIRE);

	return dp_tnl_opts_take(rte_pktmbuf_mtod(m, const uint8_t *) - md->opt_len, md->opt_len,
				tp ? port_tunnel_optmap(tp) : NULL, present, bytes);
}

/* The 'n' decapsulated packets of tunnel port 'p' into its pipeline,
 * counted on the port. */
static void
tnl_pop_deliver(struct dp_pmd *pmd, uint32_t p, struct rte_mbuf **pkts, const struct dp_tnl_md *md,
		uint16_t n)
{
	struct port *tp = __atomic_load_n(&pmd->dp->ports[p], __ATOMIC_ACQUIRE);
	uint64_t bytes = 0;

	if (!tp) {
		dp_stat_add(pmd, DP_STAT_DROP0 + DP_DROP_NO_PORT, n);
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	for (uint16_t i = 0; i < n; i++) {
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	}
	port_tunnel_account(tp, true, n, bytes);
	reenter(pmd, p, pkts, n, md);
}

/* DP_ACTION_TNL_POP: strips the outer headers and processes the inner
 * frames as input on the tunnel port of their VNI. */
static void
tnl_pop_run(struct dp_pmd *pmd, const struct dp_action *a, bool last, struct rte_mbuf **pkts,
	    uint16_t n)
{
	struct rte_mbuf *in[PKT_BATCH_MAX], *grp[PKT_BATCH_MAX];
	struct dp_tnl_md md[PKT_BATCH_MAX], grp_md[PKT_BATCH_MAX];
	uint32_t port[PKT_BATCH_MAX];
	uint16_t nc = take_or_copy(pmd, last, pkts, n, in), kept = 0;
	bool one_port = true;

	for (uint16_t i = 0; i < nc; i++) {
		enum dp_tnl_err err = dp_tnl_pop(in[i], (enum dp_tnl_type)a->tnl.type, &md[kept]);

		if (err != DP_TNL_OK) {
			dp_pmd_drop(pmd, in[i], tnl_drop[err]);
			continue;
		}
		port[kept] = tnl_pop_port(a, md[kept].vni);
		if (port[kept] >= DP_MAX_PORTS) {
			dp_pmd_drop(pmd, in[i], DP_DROP_TNL_KEY);
			continue;
		}
		/* A critical option the port does not map refuses the packet;
		 * options like the last kept packet's, for the same port, pass
		 * as they did. */
		if (md[kept].opt_len &&
		    !(kept && port[kept] == port[kept - 1] &&
		      md[kept].opt_len == md[kept - 1].opt_len &&
		      tnl_opts_equal(rte_pktmbuf_mtod(in[i], const uint8_t *) - md[kept].opt_len,
				     rte_pktmbuf_mtod(in[kept - 1], const uint8_t *) -
					     md[kept - 1].opt_len,
				     md[kept].opt_len))) {
			uint8_t bytes[DP_TNL_OPT_SPACE] = {0};
			uint16_t present = 0;

			if (!tnl_take_opts(pmd, port[kept], in[i], &md[kept], &present, bytes)) {
				dp_pmd_drop(pmd, in[i], DP_DROP_TNL_OPT);
				continue;
			}
		}
		one_port = one_port && port[kept] == port[0];
		in[kept++] = in[i];
	}
	if (one_port) {
		/* Usually one port for the whole batch: it goes on as it is. */
		if (kept) {
			tnl_pop_deliver(pmd, port[0], in, md, kept);
		}
		return;
	}
	/* Else a pass per port. */
	for (uint16_t first = 0; first < kept;) {
		uint32_t p = port[first];
		uint16_t ng = 0, rest = 0;

		for (uint16_t i = first; i < kept; i++) {
			if (port[i] == p) {
				grp_md[ng] = md[i];
				grp[ng++] = in[i];
			} else {
				port[first + rest] = port[i];
				md[first + rest] = md[i];
				in[first + rest] = in[i];
				rest++;
			}
		}
		kept = (uint16_t)(first + rest);
		tnl_pop_deliver(pmd, p, grp, grp_md, ng);
	}
}

/* Runs 'n_acts' actions on copies of the packets. */
static void
clone_execute(struct dp_pmd *pmd, const struct dp_action *acts, uint32_t n_acts, uint32_t in_port,
	      struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf *copies[PKT_BATCH_MAX];
	uint16_t nc = take_or_copy(pmd, false, pkts, n, copies);

	if (nc) {
		execute(pmd, acts, n_acts, in_port, copies, nc);
	}
}

/* Executes 'n_acts' actions on 'n' packets received on 'in_port'. */
static void
execute(struct dp_pmd *pmd, const struct dp_action *acts, uint32_t n_acts, uint32_t in_port,
	struct rte_mbuf **pkts, uint16_t n)
{
	struct dp *dp = pmd->dp;
	bool emitted = false;

	for (uint32_t k = 0; k < n_acts && n; k++) {
		const struct dp_action *a = &acts[k];

		if (a->type == DP_ACTION_OUTPUT) {
			do_output(pmd, acts, n_acts, k, pkts, n);
			if (k + 1 == n_acts) {
				return;
			}
			emitted = true;
		} else if (a->type == DP_ACTION_USERSPACE) {
			for (uint16_t i = 0; i < n && dp->slow_path; i++) {
				dp->slow_path(dp->slow_path_aux, pkts[i], in_port, a->cookie);
			}
			emitted = true;
		} else if (a->type == DP_ACTION_CLONE) {
			uint32_t inner = VS_MIN(a->port, n_acts - k - 1);

			if (k + 1 + inner == n_acts) {
				continue; /* nothing after it: no copy needed */
			}
			clone_execute(pmd, acts + k + 1, inner, in_port, pkts, n);
			k += inner;
			emitted = true;
		} else if (a->type == DP_ACTION_METER) {
			n = dp_meter_run(pmd, a->port, pkts, n);
		} else if (a->type == DP_ACTION_TNL_PUSH) {
			n = tnl_push_run(pmd, a, pkts, n);
			k += VS_MIN(a->tnl.n_data, n_acts - k - 1);
		} else if (a->type == DP_ACTION_TNL_POP || a->type == DP_ACTION_RECIRC) {
			uint32_t skip = a->type == DP_ACTION_TNL_POP ? a->tnl.n_data : 0;
			bool last = k + 1 + skip >= n_acts;

			if (a->type == DP_ACTION_TNL_POP) {
				tnl_pop_run(pmd, a, last, pkts, n);
				k += VS_MIN(skip, n_acts - k - 1);
			} else {
				struct rte_mbuf *in[PKT_BATCH_MAX];
				uint16_t nc = take_or_copy(pmd, last, pkts, n, in);

				if (nc) {
					reenter(pmd, a->port, in, nc, NULL);
				}
			}
			if (last) {
				return;
			}
			emitted = true;
		} else if (a->type == DP_ACTION_DATA) {
			continue; /* its TNL_PUSH skips it */
		} else {
			uint16_t kept = 0;

			for (uint16_t i = 0; i < n; i++) {
				enum dp_action_err err = dp_action_apply(a, pkts[i]);

				if (err == DP_ACTION_OK) {
					pkts[kept++] = pkts[i];
				} else {
					dp_pmd_drop(pmd, pkts[i],
						    err == DP_ACTION_ERR_TTL ? DP_DROP_TTL
									     : DP_DROP_NO_HEADROOM);
				}
			}
			n = kept;
		}
	}
	if (!emitted) {
		dp_stat_add(pmd, DP_STAT_DROP0 + DP_DROP_ACTION, n);
	}
	if (n) {
		rte_pktmbuf_free_bulk(pkts, n);
	}
}

/* Whether this batch of 'n' packets should try the EMC. The EMC is worth
 * its hashing and cache misses only when it hits. When far more flows pass
 * than it holds, it hits rarely and its inserts mostly push out other live
 * keys: after EMC_SAMPLE lookups with fewer than EMC_MIN_HIT_PCT % hits and
 * more evictions than inserts into free slots, the thread leaves the EMC
 * alone for EMC_REST packets, then samples again (an EMC that is still
 * filling, or traffic that changed, shows in the next sample). */
static inline bool
emc_worth_it(struct dp_pmd *pmd, uint16_t n)
{
	const struct emc *emc = pmd->emc;

	if (pmd->emc_rest) {
		pmd->emc_rest = pmd->emc_rest > n ? pmd->emc_rest - n : 0;
		dp_stat_add(pmd, DP_STAT_EMC_BYPASS, n);
		return false;
	}
	if (pmd->emc_sample_lookups >= EMC_SAMPLE) {
		uint64_t inserts = emc->n_inserts - pmd->emc_sample_inserts;
		uint64_t evictions = emc->n_evictions - pmd->emc_sample_evictions;

		if ((uint64_t)pmd->emc_sample_hits * 100 <
			    (uint64_t)pmd->emc_sample_lookups * EMC_MIN_HIT_PCT &&
		    evictions * 2 > inserts) {
			pmd->emc_rest = EMC_REST;
		}
		pmd->emc_sample_lookups = pmd->emc_sample_hits = 0;
		pmd->emc_sample_inserts = emc->n_inserts;
		pmd->emc_sample_evictions = emc->n_evictions;
	}
	return true;
}

/* The signature-match cache when it serves 'pmd' (smc.h), else NULL. */
static inline struct smc *
smc_serving(const struct dp_pmd *pmd)
{
	struct smc *smc = __atomic_load_n(&pmd->smc, __ATOMIC_ACQUIRE);

	return smc && __atomic_load_n(&pmd->n_flows, __ATOMIC_RELAXED) >= DP_SMC_MIN_FLOWS / 2
		       ? smc
		       : NULL;
}

/* Looks the keys of 'miss' (the EMC's misses) up in c->smc; returns those
 * it did not find. A way's megaflow is taken only while it is published
 * and alive (then its subtable is too, until this thread is quiescent)
 * and only when it matches the key, so a stale way is a miss. */
static uint32_t
smc_lookup_batch(struct dp_pmd *pmd, struct batch_ctx *c, uint32_t miss)
{
	struct dp_flow *cand[PKT_BATCH_MAX];
	uint32_t maybe = 0, hits = 0;

	if (c->emc_on) { /* else process_batch() prefetched them */
		for (uint32_t m = miss; m; m &= m - 1) {
			smc_prefetch(c->smc, c->hashes[__builtin_ctz(m)]);
		}
	}
	for (uint32_t m = miss; m; m &= m - 1) {
		int i = __builtin_ctz(m);
		struct dp_flow *f = smc_find(c->smc, c->hashes[i]);

		if (f) {
			/* The key's first line, and the one a hit writes. */
			__builtin_prefetch(&f->cls.key);
			__builtin_prefetch(&f->n_packets, 1);
			cand[i] = f;
			maybe |= 1u << i;
		}
	}
	for (uint32_t m = maybe; m; m &= m - 1) {
		int i = __builtin_ctz(m);
		struct dp_flow *f = cand[i];

		if (__atomic_load_n(&f->smc_ok, __ATOMIC_ACQUIRE) &&
		    !__atomic_load_n(&f->dead, __ATOMIC_ACQUIRE) &&
		    dpcls_rule_matches(&f->cls, &c->keys[i])) {
			c->flows[i] = f;
			hits |= 1u << i;
			if (c->emc_on) {
				emc_maybe_insert(pmd->emc, &c->keys[i], c->hashes[i], f);
			}
		}
	}
	dp_stat_add(pmd, DP_STAT_SMC_HIT, (uint64_t)__builtin_popcount(hits));
	dp_stat_add(pmd, DP_STAT_MEGAFLOW_HIT, (uint64_t)__builtin_popcount(hits));
	return miss & ~hits;
}

/* Records in c->smc, if any, that packet 'i' hit its megaflow. */
static inline void
smc_learn(struct batch_ctx *c, int i)
{
	if (c->smc && __atomic_load_n(&c->flows[i]->smc_ok, __ATOMIC_RELAXED)) {
		smc_insert(c->smc, c->hashes[i], c->flows[i]);
	}
}

/* The packets of c->run take the result of the packet before them, by
 * the same way ('emc', 'smc' or 'found', each a bit per packet, and
 * counted so); those whose first packet found no megaflow are added to
 * '*miss' with its key, to be looked up themselves (the first one's
 * upcall may have installed their megaflow). Returns how many took an
 * EMC hit. */
static uint32_t
run_take(struct dp_pmd *pmd, struct batch_ctx *c, uint32_t emc, uint32_t smc, uint32_t found,
	 uint32_t *miss)
{
	uint32_t from_emc = 0, from_smc = 0, from_found = 0;

	for (uint32_t m = c->run; m; m &= m - 1) {
		int i = __builtin_ctz(m);
		uint32_t bit = 1u << i, prev = bit >> 1;

		c->flows[i] = c->flows[i - 1];
		if (!c->flows[i]) {
			c->keys[i] = c->keys[i - 1];
			*miss |= bit;
		} else if (emc & prev) {
			emc |= bit;
			from_emc++;
		} else if (smc & prev) {
			smc |= bit;
			from_smc++;
		} else if (found & prev) {
			found |= bit;
			from_found++;
		}
	}
	dp_stat_add(pmd, DP_STAT_EMC_HIT, from_emc);
	dp_stat_add(pmd, DP_STAT_SMC_HIT, from_smc);
	dp_stat_add(pmd, DP_STAT_MEGAFLOW_HIT, from_smc + from_found);
	return from_emc;
}

/* Looks up the batch's keys (extracted, and hashed when c->emc_on or
 * c->smc; the packets of c->run not extracted, they take the result of
 * the packet before them). */
static void
lookup_batch(struct dp_pmd *pmd, struct batch_ctx *c)
{
	const struct flow_key *kp[PKT_BATCH_MAX];
	struct dpcls_rule *rules[PKT_BATCH_MAX];
	const uint32_t *hashes = c->hashes;
	uint32_t miss = 0, found = 0, emc_hit = 0, smc_hit = 0, emc_run = 0;
	uint64_t probes = 0;
	bool emc_on = c->emc_on;

	for (uint16_t i = 0; i < c->n; i++) {
		struct dp_flow *f = NULL;

		kp[i] = &c->keys[i];
		if ((c->run >> i) & 1) {
			continue;
		}
		if (emc_on) {
			f = emc_lookup(pmd->emc, &c->keys[i], hashes[i]);
			if (f && __atomic_load_n(&f->dead, __ATOMIC_ACQUIRE)) {
				f = NULL;
			}
		}
		c->flows[i] = f;
		if (f) {
			emc_hit |= 1u << i;
		} else {
			miss |= 1u << i;
		}
	}
	dp_stat_add(pmd, DP_STAT_EMC_HIT, (uint64_t)__builtin_popcount(emc_hit));
	if (miss && c->smc) {
		uint32_t rest = smc_lookup_batch(pmd, c, miss);

		smc_hit = miss & ~rest;
		miss = rest;
	}
	if (miss) {
		found = dpcls_lookup_batch(pmd->cls, kp, miss, rules, &probes);
		dp_stat_add(pmd, DP_STAT_MEGAFLOW_HIT, (uint64_t)__builtin_popcount(found));
		dp_stat_add(pmd, DP_STAT_SUBTABLE_PROBES, probes);
		miss &= ~found;
	}
	for (uint32_t m = found; m; m &= m - 1) {
		int i = __builtin_ctz(m);

		c->flows[i] = CONTAINER_OF(rules[i], struct dp_flow, cls);
		/* The counters (and the one output of most megaflows) are on a
		 * line the lookup did not touch: start loading it for the
		 * whole batch before executing. */
		__builtin_prefetch(&c->flows[i]->n_packets, 1);
		if (emc_on) {
			emc_maybe_insert(pmd->emc, &c->keys[i], hashes[i], c->flows[i]);
		}
		smc_learn(c, i);
	}
	if (c->run) {
		emc_run = run_take(pmd, c, emc_hit, smc_hit, found, &miss);
	}
	if (emc_on) {
		pmd->emc_sample_lookups += c->n;
		pmd->emc_sample_hits += (uint32_t)__builtin_popcount(emc_hit) + emc_run;
	}
	for (uint32_t m = miss; m; m &= m - 1) {
		int i = __builtin_ctz(m);

		bool limited = false;

		c->flows[i] = dp_flow_miss(pmd, &c->keys[i], c->pkts[i], &limited);
		c->limited |= (uint32_t)limited << i;
		if (c->flows[i] && emc_on) {
			emc_maybe_insert(pmd->emc, &c->keys[i], hashes[i], c->flows[i]);
		}
		if (c->flows[i]) {
			smc_learn(c, i);
		}
	}
}

/* True when every megaflow that can match a packet from 'in_port' is
 * simple, and there is one. */
static inline bool
port_is_simple(const struct dp_pmd *pmd, uint32_t in_port)
{
	return in_port < DP_MAX_PORTS && !__atomic_load_n(&pmd->wild_flows, __ATOMIC_RELAXED) &&
	       !__atomic_load_n(&pmd->other_flows[in_port], __ATOMIC_RELAXED) &&
	       __atomic_load_n(&pmd->simple_flows[in_port], __ATOMIC_RELAXED);
}

/* True when the first 'n' (8 or more) bytes at 'a' and 'b' are equal. */
static inline bool
head_equal(const uint8_t *a, const uint8_t *b, uint16_t n)
{
	uint64_t d = 0;

	for (uint16_t i = 0; i + 8 < n; i += 8) {
		d |= flow_key_xor8(a + i, b + i);
	}
	return (d | flow_key_xor8(a + n - 8, b + n - 8)) == 0;
}

/* The rule-only path, for a port whose megaflows are all simple: only the
 * Ethernet header and tags are parsed, the EMC is not touched, and the
 * classifier is asked once per run of packets with the same L2 header
 * bytes. A simple flow matches the partial key exactly when it matches the
 * whole one, and a flow on another port matches neither (in_port is exact in
 * all of them). Returns false, with nothing counted, when a packet has no
 * simple flow: a miss, or a flow that arrived after the port was checked;
 * the caller then runs the whole pipeline on the batch. */
static bool
lookup_simple(struct dp_pmd *pmd, uint32_t in_port, struct batch_ctx *c)
{
	struct dp_flow *last = NULL;
	const uint8_t *lp = NULL; /* the last looked-up packet */
	uint16_t ll3 = 0;         /* and the length of its L2 header */

	for (uint16_t i = 0; i < c->n; i++) {
		struct rte_mbuf *m = c->pkts[i];
		struct flow_key *k = &c->keys[i];
		const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
		uint16_t len = rte_pktmbuf_data_len(m);

		/* The L2 key comes from the header bytes alone: the same bytes
		 * give the same key. Comparing bytes of the packets, rather
		 * than the key just written, also spares a load from narrower
		 * stores that the CPU cannot forward (a stall on every packet). */
		if (ll3 && len >= ll3 && head_equal(p, lp, ll3)) {
			dp_pkt_set_layers(m, ll3, 0, 0);
			k->tcp_flags = 0;
			c->flows[i] = last;
			continue;
		}
		uint16_t l3 = flow_key_extract_l2(p, len, in_port, k);
		struct dpcls_rule *r = dpcls_lookup(pmd->cls, k);

		dp_pkt_set_layers(m, l3, 0, 0);
		last = r ? CONTAINER_OF(r, struct dp_flow, cls) : NULL;
		if (!last || last->kind != DP_FLOW_SIMPLE) {
			return false;
		}
		lp = p;
		ll3 = l3;
		c->flows[i] = last;
	}
	dp_stat_add(pmd, DP_STAT_SIMPLE_HIT, c->n);
	return true;
}

/* Groups the packets by megaflow, in order of first appearance, updates the
 * flows' counters and executes each group as one batch. One pass numbers the
 * groups, marking each flow with its group (the flows are this thread's),
 * a second lays the packets out group by group in arrival order; packets of
 * no flow are dropped. Both passes end before the first group runs: a
 * patch port may process another batch, with its own numbering, inside. */
static void
execute_groups(struct dp_pmd *pmd, struct batch_ctx *c, uint64_t now)
{
	struct dp_flow *gflow[PKT_BATCH_MAX];
	uint64_t gbytes[PKT_BATCH_MAX];
	uint16_t gflags[PKT_BATCH_MAX], gn[PKT_BATCH_MAX], gpos[PKT_BATCH_MAX];
	uint8_t grp[PKT_BATCH_MAX];
	struct rte_mbuf *sorted[PKT_BATCH_MAX], *dropped[PKT_BATCH_MAX];
	uint64_t stamp = ++pmd->batch_stamp;
	uint16_t ng = 0, n_dropped = 0, n_limited = 0;
	struct dp_recirc rc, *saved_rc = pmd->rc;

	for (uint16_t i = 0, j; i < c->n; i = j) {
		struct dp_flow *f = c->flows[i];
		uint64_t bytes = 0;
		uint16_t flags = 0;
		uint8_t g;

		if (!f) {
			n_limited += (c->limited >> i) & 1;
			dropped[n_dropped++] = c->pkts[i];
			j = (uint16_t)(i + 1);
			continue;
		}
		if (f->batch_stamp != stamp) {
			if (f->out1 == UINT32_MAX) {
				__builtin_prefetch(f->actions); /* read before long */
			}
			f->batch_stamp = stamp;
			f->batch_group = (uint8_t)ng;
			gflow[ng] = f;
			gn[ng] = 0;
			gbytes[ng] = 0;
			gflags[ng] = 0;
			ng++;
		}
		/* A run of packets of one flow (often the whole batch) adds up
		 * in registers: counting each packet into the group's arrays
		 * made a chain of loads waiting for the previous store. */
		g = f->batch_group;
		for (j = i; j < c->n && c->flows[j] == f; j++) {
			grp[j] = g;
			bytes += rte_pktmbuf_pkt_len(c->pkts[j]);
			flags |= c->keys[j].tcp_flags;
		}
		gn[g] = (uint16_t)(gn[g] + (j - i));
		gbytes[g] += bytes;
		gflags[g] |= flags;
	}
	if (n_dropped) {
		dp_stat_add(pmd, DP_STAT_DROP0 + DP_DROP_UPCALL_LIMIT, n_limited);
		dp_stat_add(pmd, DP_STAT_DROP0 + DP_DROP_UPCALL, n_dropped - n_limited);
		rte_pktmbuf_free_bulk(dropped, n_dropped);
	}
	if (ng == 1) {
		memcpy(sorted, c->pkts, c->n * sizeof sorted[0]);
		gpos[0] = 0;
		if (n_dropped) {
			for (uint16_t i = 0, k = 0; i < c->n; i++) {
				if (c->flows[i]) {
					sorted[k++] = c->pkts[i];
				}
			}
		}
	} else if (ng > 1) {
		uint16_t at[PKT_BATCH_MAX];

		for (uint16_t g = 0, sum = 0; g < ng; g++) {
			gpos[g] = at[g] = sum;
			sum = (uint16_t)(sum + gn[g]);
		}
		for (uint16_t i = 0; i < c->n; i++) {
			if (c->flows[i]) {
				sorted[at[grp[i]]++] = c->pkts[i];
			}
		}
	}
	/* With one megaflow there is nothing to gather: what re-enters
	 * (a decapsulated batch, a patch port's) goes on at once. */
	rc.n = 0;
	pmd->rc = ng > 1 ? &rc : NULL;
	for (uint16_t g = 0; g < ng; g++) {
		struct dp_flow *flow = gflow[g];

		__atomic_store_n(&flow->n_packets, flow->n_packets + gn[g], __ATOMIC_RELAXED);
		__atomic_store_n(&flow->n_bytes, flow->n_bytes + gbytes[g], __ATOMIC_RELAXED);
		flow->used_tsc = now;
		flow->tcp_flags |= gflags[g];
		if (flow->out1 != UINT32_MAX) {
			/* The commonest megaflow: one output. */
			tx_enqueue_bulk(pmd, flow->out1, sorted + gpos[g], gn[g]);
			continue;
		}
		execute(pmd, flow->actions, flow->n_actions, flow->cls.key.in_port,
			sorted + gpos[g], gn[g]);
	}
	pmd->rc = NULL;
	if (rc.n) {
		recirc_flush(pmd, &rc);
	}
	pmd->rc = saved_rc;
}

/* Starts 'c' for 'n' packets received on 'in_port' (and copies them to
 * the port's captures). */
static inline void
batch_start(struct dp_pmd *pmd, uint32_t in_port, struct rte_mbuf **pkts, uint16_t n,
	    struct batch_ctx *c)
{
	struct dp_capture *cl =
		in_port < DP_MAX_PORTS
			? __atomic_load_n(&pmd->dp->captures[in_port], __ATOMIC_ACQUIRE)
			: NULL;

	if (unlikely(cl != NULL)) {
		dp_capture_burst(cl, pkts, n, false);
	}
	c->n = n;
	c->limited = 0;
	c->run = 0;
	c->pkts = pkts;
}

/* Packet i of 'c' has the key of packet i - 1 (flow_key_same_frame()):
 * it takes that one's lookup (lookup_batch()), and of its key only what
 * execution reads; its layers are those of the last frame parsed. */
static inline void
run_follow(struct batch_ctx *c, uint16_t i, const struct flow_ofs *ofs, uint8_t proto)
{
	c->run |= 1u << i;
	c->keys[i].tcp_flags = c->keys[i - 1].tcp_flags;
	if (c->emc_on || c->smc) {
		c->hashes[i] = c->hashes[i - 1];
	}
	dp_pkt_set_layers(c->pkts[i], ofs->l3, ofs->l4, proto);
}

/* Runs the pipeline up to buffered output. */
static void
process_batch(struct dp_pmd *pmd, uint32_t in_port, struct rte_mbuf **pkts, uint16_t n)
{
	struct batch_ctx c;

	batch_start(pmd, in_port, pkts, n, &c);
	if (port_is_simple(pmd, in_port) && lookup_simple(pmd, in_port, &c)) {
		execute_groups(pmd, &c, pmd->batch_tsc);
		return;
	}
	c.emc_on = emc_enabled(pmd->emc) && emc_worth_it(pmd, n);
	c.smc = smc_serving(pmd);
	struct flow_ofs ofs = {0, 0};
	uint8_t proto = 0, tries = DP_RUN_TRIES;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
		uint32_t len = rte_pktmbuf_data_len(m);

		/* A packet with the key of the one before (a run of one
		 * flow's packets, often the whole batch) takes its result:
		 * only what execution reads of a key is copied. A batch of
		 * many flows stops asking after a few unlike neighbours. */
		if (i && tries) {
			if (flow_key_same_frame(rte_pktmbuf_mtod(pkts[i - 1], const uint8_t *),
						rte_pktmbuf_data_len(pkts[i - 1]), p, len)) {
				run_follow(&c, i, &ofs, proto);
				continue;
			}
			tries--;
		}
		if (c.emc_on || c.smc) {
			c.hashes[i] = flow_key_extract_hash(p, len, in_port, &c.keys[i], &ofs);
			/* Prefetch what the first lookup reads for the whole
			 * batch, so that the cache misses overlap: both
			 * candidate entries of the EMC, or the SMC's bucket
			 * when the EMC rests (every packet goes there). */
			if (c.emc_on) {
				emc_prefetch(pmd->emc, c.hashes[i]);
			} else {
				smc_prefetch(c.smc, c.hashes[i]);
			}
		} else {
			flow_key_extract(p, len, in_port, &c.keys[i], &ofs);
		}
		proto = c.keys[i].nw_proto;
		dp_pkt_set_layers(m, ofs.l3, ofs.l4, proto);
	}
	lookup_batch(pmd, &c);
	execute_groups(pmd, &c, pmd->batch_tsc);
}

/* True when the inner frames at 'pa' and 'pb', out of tunnels 'a' and 'b',
 * have the same tunnel fields in their keys: the same VNI and outer
 * addresses, and the same Geneve option bytes (just before each frame):
 * the same bytes give the same options in the key, whatever the port's
 * map takes of them. */
static inline bool
tnl_md_same(const struct dp_tnl_md *a, const uint8_t *pa, const struct dp_tnl_md *b,
	    const uint8_t *pb)
{
	if (a->vni != b->vni || a->tun_src != b->tun_src || a->tun_dst != b->tun_dst ||
	    a->opt_len != b->opt_len || a->ip6_back != b->ip6_back) {
		return false;
	}
	if (a->opt_len && !tnl_opts_equal(pa - a->opt_len, pb - b->opt_len, a->opt_len)) {
		return false;
	}
	/* An IPv6 underlay's addresses, 32 bytes before each inner frame. */
	return !a->ip6_back || memcmp(pa - a->ip6_back + 8, pb - b->ip6_back + 8, 32) == 0;
}

/* process_batch() for the inner frames of a tunnel: the full key of each,
 * with the tunnel fields of 'md'. The rule-only path serves a tunnel port
 * too: a simple megaflow's mask has no tunnel field (the translation
 * matches them when it reads them, and that makes the megaflow "other"),
 * so the partial key without them finds what the whole key would. */
static void
process_batch_tnl(struct dp_pmd *pmd, uint32_t in_port, struct rte_mbuf **pkts, uint16_t n,
		  const struct dp_tnl_md *md)
{
	struct batch_ctx c;

	batch_start(pmd, in_port, pkts, n, &c);
	if (port_is_simple(pmd, in_port) && lookup_simple(pmd, in_port, &c)) {
		execute_groups(pmd, &c, pmd->batch_tsc);
		return;
	}
	c.emc_on = emc_enabled(pmd->emc) && emc_worth_it(pmd, n);
	c.smc = NULL;
	struct flow_ofs ofs = {0, 0};
	uint8_t proto = 0, tries = DP_RUN_TRIES;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
		uint32_t len = rte_pktmbuf_data_len(m);
		struct flow_key *k = &c.keys[i];
		uint64_t tun[2];

		/* Runs as in process_batch(), out of one tunnel. */
		if (i && tries) {
			const uint8_t *pp = rte_pktmbuf_mtod(pkts[i - 1], const uint8_t *);

			if (tnl_md_same(&md[i - 1], pp, &md[i], p) &&
			    flow_key_same_frame(pp, rte_pktmbuf_data_len(pkts[i - 1]), p, len)) {
				run_follow(&c, i, &ofs, proto);
				continue;
			}
			tries--;
		}
		flow_key_tun_words(htobe64(md[i].vni), md[i].tun_src, md[i].tun_dst, tun);
		if (c.emc_on && !md[i].ip6_back && !md[i].opt_len) {
			/* An IPv4 tunnel's, without options: the key and its
			 * hash in one pass. */
			c.hashes[i] = flow_key_extract_hash_tun(p, len, in_port, tun, k, &ofs);
		} else {
			flow_key_extract(p, len, in_port, k, &ofs);
			k->u64[FLOW_KEY_TUN_WORD] = tun[0];
			k->u64[FLOW_KEY_TUN_WORD + 1] = tun[1];
			if (md[i].ip6_back) {
				dp_tnl_md_addr6(&md[i], p, k->tun_ipv6_src, k->tun_ipv6_dst);
			}
			if (md[i].opt_len) { /* checked by tnl_pop_run(); zero without */
				(void)tnl_take_opts(pmd, in_port, m, &md[i], &k->tun_md_present,
						    k->tun_md);
			}
			if (c.emc_on) {
				c.hashes[i] = md[i].ip6_back ? flow_key_hash(k, 0)
							     : flow_key_hash_head(k, 0);
			}
		}
		if (c.emc_on) {
			emc_prefetch(pmd->emc, c.hashes[i]);
		}
		proto = k->nw_proto;
		dp_pkt_set_layers(m, ofs.l3, ofs.l4, proto);
	}
	lookup_batch(pmd, &c);
	execute_groups(pmd, &c, pmd->batch_tsc);
}

/* dp_pmd_process() of a burst received at TSC 'start'; returns when it
 * was done. */
static uint64_t
process_at(struct dp_pmd *pmd, uint32_t in_port, struct rte_mbuf **pkts, uint16_t n, uint64_t start)
{
	uint64_t sent, end;

	pmd->batch_tsc = start;
	process_batch(pmd, in_port, pkts, n);
	sent = rte_rdtsc();
	tx_flush_burst(pmd, sent);
	end = rte_rdtsc();
	dp_stat_add(pmd, DP_STAT_RX, n);
	dp_stat_add(pmd, DP_STAT_CYCLES, end - start);
	dp_stat_add(pmd, DP_STAT_TX_CYCLES, end - sent);
	return end;
}

void
dp_pmd_process(struct dp_pmd *pmd, uint32_t in_port, struct rte_mbuf **pkts, uint16_t n)
{
	process_at(pmd, in_port, pkts, n, rte_rdtsc());
}

/* Packets dp_execute() handed over. Returns how many. */
static unsigned int
run_injected(struct dp_pmd *pmd)
{
	void *e[PKT_BATCH_MAX];
	unsigned int n = rte_ring_dequeue_burst(pmd->dp->inject, e, PKT_BATCH_MAX, NULL);

	for (unsigned int i = 0; i < n; i++) {
		struct dp_inject *in = e[i];
		struct rte_mbuf *m = in->m;
		struct flow_key key;
		struct flow_ofs ofs;

		flow_key_extract(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m),
				 in->in_port, &key, &ofs);
		dp_pkt_set_layers(m, ofs.l3, ofs.l4, key.nw_proto);
		pmd->depth = 0;
		execute(pmd, in->actions, in->n_actions, in->in_port, &m, 1);
		free(in);
	}
	if (n) {
		tx_flush_all(pmd);
	}
	return n;
}

/* A counter of a receive queue: this thread writes, others may read. */
static inline void
rxq_count(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

unsigned int
dp_pmd_poll(struct dp_pmd *pmd)
{
	struct dp_rxq_list *rxqs = __atomic_load_n(&pmd->rxqs, __ATOMIC_ACQUIRE);
	struct rte_mbuf *pkts[PKT_BATCH_MAX];
	unsigned int total = 0;
	uint64_t start = rte_rdtsc(), prev, now;

	dp_pmd_sweep_emc(pmd);
	if (pmd->id == 0) {
		total += run_injected(pmd);
	}
	prev = rte_rdtsc();
	for (uint32_t i = 0; i < rxqs->n; i++) {
		struct dp_rxq *q = &rxqs->q[i];
		uint16_t n = q->rx(q->port, q->qid, pkts, PKT_BATCH_MAX);

		rxq_count(&q->polls, 1);
		if (n) {
			uint64_t got = rte_rdtsc();

			dp_stat_add(pmd, DP_STAT_RX_CYCLES, got - prev);
			now = process_at(pmd, q->port_no, pkts, n, got);
			total += n;
			dp_stat_add(pmd, DP_STAT_BATCH0 + n, 1);
			rxq_count(&q->bursts, 1);
			rxq_count(&q->packets, n);
			/* A queue's cycles: its bursts that got packets, from
			 * the receive to the end of their processing. */
			rxq_count(&q->cycles, now - prev);
			prev = now;
		}
	}
	now = rte_rdtsc();
	if (pmd->n_pending) {
		/* Held output (a flush interval): what is due leaves now. */
		tx_flush_burst(pmd, now);
		prev = rte_rdtsc();
		dp_stat_add(pmd, DP_STAT_TX_CYCLES, prev - now);
		now = prev;
	}
	if (now >= pmd->next_sort_tsc) {
		pmd->next_sort_tsc = now + pmd->dp->sort_interval_tsc;
		if (!pthread_mutex_trylock(&pmd->flow_mutex)) {
			dpcls_sort(pmd->cls);
			pthread_mutex_unlock(&pmd->flow_mutex);
		}
	}
	rte_rcu_qsbr_quiescent(pmd->dp->qsbr, pmd->id);
	dp_stat_add(pmd, total ? DP_STAT_BUSY_CYCLES : DP_STAT_IDLE_CYCLES, now - start);
	dp_stat_add(pmd, total ? DP_STAT_BUSY_ITERS : DP_STAT_IDLE_ITERS, 1);
	return total;
}

static void
idle_sleep(unsigned int us)
{
	struct timespec ts = {0, (long)us * 1000};

	nanosleep(&ts, NULL);
}

void *
dp_pmd_main(void *arg)
{
	struct dp_pmd *pmd = arg;
	struct dp *dp = pmd->dp;
	unsigned int idle = 0, sleep_us = 1;

	if (pmd->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(pmd->cpu, &set);
		pthread_setaffinity_np(pthread_self(), sizeof set, &set);
	}
	/* An lcore id gives this thread its own mempool caches. */
	rte_thread_register();
	rte_rcu_qsbr_thread_register(dp->qsbr, pmd->id);
	rte_rcu_qsbr_thread_online(dp->qsbr, pmd->id);
	while (!pmd->stop) {
		if (dp_pmd_poll(pmd)) {
			idle = 0;
			sleep_us = 1;
		} else if (++idle > IDLE_SPINS) {
			unsigned int max = __atomic_load_n(&dp->pmd_max_sleep_us, __ATOMIC_RELAXED);

			/* Idle: back off into short sleeps, never when loaded. */
			if (max) {
				tx_flush_all(pmd); /* nothing waits while it sleeps */
				sleep_us = sleep_us > max ? max : sleep_us;
				dp_stat_add(pmd, DP_STAT_SLEEPS, 1);
				dp_stat_add(pmd, DP_STAT_SLEEP_US, sleep_us);
				idle_sleep(sleep_us);
				sleep_us = sleep_us * 2 > max ? max : sleep_us * 2;
			}
		}
	}
	rte_rcu_qsbr_thread_offline(dp->qsbr, pmd->id);
	rte_rcu_qsbr_thread_unregister(dp->qsbr, pmd->id);
	rte_thread_unregister();
	return NULL;
}
