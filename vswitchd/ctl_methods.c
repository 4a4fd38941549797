/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control socket's methods (docs/control-socket.md): the configuration
 * database (cfgdb_rpc.c), "show", and the datapath views behind
 * switch-ctl's dump-dp-flows, pmd-stats-show, pmd-stats-clear,
 * pmd-perf-show and pmd-rxq-show.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgdb.h"
#include "flow_format.h"
#include "log.h"
#include "ofproto.h"
#include "tnl.h"
#include "tunnels.h"
#include "vswitchd.h"

enum { RXQS_MAX = 256 };

int
vswitchd_commit(void *aux, json_t *new_doc, const json_t *old_doc, json_t *notices, char *err)
{
	static const char *const at_start[] = {"eal_memory_mb", "eal_args"};
	struct vswitchd *vd = aux;
	char reason[BRIDGE_ERR_MAX], undo[BRIDGE_ERR_MAX];
	char save_err[CFGDB_ERR_MAX];
	int code = JSONRPC_TXN_FAILED;

	if (bridges_reconfigure(vd->bridges, new_doc, reason) ||
	    metrics_server_set(
		    &vd->metrics,
		    cfgdb_get_str(json_object_get(new_doc, "global"), "metrics_address", NULL),
		    reason, sizeof reason)) {
		snprintf(err, CFGDB_RPC_ERR_MAX, "could not apply: %.400s", reason);
		goto undo;
	}
	bridges_record_ofports(vd->bridges, new_doc);
	if (vd->db_path && cfgdb_save(vd->db_path, new_doc, save_err)) {
		snprintf(err, CFGDB_RPC_ERR_MAX, "could not save: %.400s", save_err);
		code = JSONRPC_TXN_PERSIST;
	} else {
		const char *level =
			cfgdb_get_str(json_object_get(new_doc, "global"), "log_level", NULL);
		enum vlog_level l;

		if (level && !vlog_parse_level(level, &l)) {
			vlog_set_level(l);
		}
		for (size_t i = 0; i < ARRAY_SIZE(at_start); i++) {
			const json_t *a =
				json_object_get(json_object_get(old_doc, "global"), at_start[i]);
			const json_t *b =
				json_object_get(json_object_get(new_doc, "global"), at_start[i]);

			if (!(a ? b && json_equal(a, b) : !b)) {
				json_array_append_new(
					notices,
					json_sprintf("%s is saved; it takes effect when vswitchd "
						     "next starts",
						     at_start[i]));
			}
		}
		return 0;
	}
undo:
	VLOG_WARN("vswitchd", "transaction undone: %s", err);
	if (bridges_reconfigure(vd->bridges, old_doc, undo) ||
	    metrics_server_set(
		    &vd->metrics,
		    cfgdb_get_str(json_object_get(old_doc, "global"), "metrics_address", NULL),
		    undo, sizeof undo)) {
		VLOG_ERR("vswitchd", "undoing a failed transaction: %s", undo);
	}
	return code;
}

static json_t *
port_stats_json(struct port *port)
{
	struct port_stats s = {0};

	if (port_get_stats(port, &s)) {
		return json_null();
	}
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "rx_packets",
			 (json_int_t)s.rx_packets, "rx_bytes", (json_int_t)s.rx_bytes, "rx_dropped",
			 (json_int_t)s.rx_dropped, "rx_errors", (json_int_t)s.rx_errors,
			 "tx_packets", (json_int_t)s.tx_packets, "tx_bytes", (json_int_t)s.tx_bytes,
			 "tx_dropped", (json_int_t)s.tx_dropped, "tx_errors",
			 (json_int_t)s.tx_errors, "tx_retries", (json_int_t)s.tx_retries);
}

static json_t *
port_status_json(struct port *port)
{
	struct port_status st;
	json_t *info = json_object();
	char mac[18];

	port_get_status(port, &st);
	for (uint32_t i = 0; i < st.n_info; i++) {
		json_object_set_new(info, st.info[i].key, json_string(st.info[i].value));
	}
	snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", st.mac[0], st.mac[1], st.mac[2],
		 st.mac[3], st.mac[4], st.mac[5]);
	return json_pack("{s:s, s:i, s:s?, s:o}", "link",
			 st.link > 0    ? "up"
			 : st.link == 0 ? "down"
					: "unknown",
			 "mtu", (int)st.mtu, "mac", st.has_mac ? mac : NULL, "info", info);
}

/* The OpenFlow number of running port 'no' of bridge 'bname', or 0. */
static uint32_t
ofport_of(struct vswitchd *vd, const char *bname, uint32_t no)
{
	struct ofproto *ofp;
	uint32_t ofport = 0;

	ofproto_lock();
	ofp = bridges_ofproto(vd->bridges, bname);
	if (ofp) {
		ofport = ofproto_port_of_dp(ofp, no);
	}
	ofproto_unlock();
	return ofport;
}

static json_t *
show_port(struct vswitchd *vd, const char *name, const json_t *port)
{
	const json_t *iface = cfgdb_port_iface(port);
	json_t *out = json_deep_copy(port);
	struct dp *dp = bridges_dp(vd->bridges);
	uint32_t no;

	json_object_del(out, "interfaces");
	json_object_set_new(out, "name", json_string(name));
	json_object_update_missing(out, (json_t *)iface);
	if (dp && !bridges_port_no(vd->bridges, name, &no)) {
		json_object_set_new(out, "port_no", json_integer(no));
		json_object_set_new(out, "stats", port_stats_json(dp_port_get(dp, no)));
		json_object_set_new(out, "status", port_status_json(dp_port_get(dp, no)));
	} else {
		json_object_set_new(out, "error", json_string("not running (see the log)"));
	}
	return out;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
m_show(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitchd *vd = aux;
	json_t *bridges = json_array();
	const char *bname, *pname;
	json_t *br, *port;

	(void)params;
	(void)err;
	json_object_foreach (json_object_get(vd->db.doc, "bridges"), bname, br) {
		json_t *b = json_deep_copy(br), *ports = json_array();
		const json_t *recs = json_object_get(br, "ports");
		size_t n = json_object_size(recs), i = 0;
		const char **names = calloc(n ? n : 1, sizeof *names);

		/* By name, as the database file has them (a running switch
		 * keeps them in the order they were added). */
		json_object_foreach ((json_t *)recs, pname, port) {
			if (names) {
				names[i++] = pname;
			}
		}
		if (names) {
			qsort(names, n, sizeof *names, cmp_names);
		}
		for (i = 0; names && i < n; i++) {
			json_array_append_new(
				ports, show_port(vd, names[i], json_object_get(recs, names[i])));
		}
		free(names);
		json_object_set_new(b, "name", json_string(bname));
		json_object_set_new(b, "ports", ports);
		json_array_append_new(bridges, b);
	}
	*result = json_pack("{s:o}", "bridges", bridges);
	return 0;
}

/* dump-ports [BRIDGE]: every running port's counters and status. */
static int
m_ports_dump(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitchd *vd = aux;
	const char *want = json_string_value(json_object_get(params, "bridge"));
	struct dp *dp = bridges_dp(vd->bridges);
	json_t *bridges = json_array();
	const char *bname, *pname;
	json_t *br, *port;

	if (want && !cfgdb_bridge(vd->db.doc, want)) {
		json_decref(bridges);
		return jsonrpc_fail(err, JSONRPC_INVALID_PARAMS, "no bridge named %s", want);
	}
	json_object_foreach (json_object_get(vd->db.doc, "bridges"), bname, br) {
		json_t *ports = json_array();
		uint32_t no;

		if (want && strcmp(want, bname)) {
			json_decref(ports);
			continue;
		}
		json_object_foreach (json_object_get(br, "ports"), pname, port) {
			struct port *p;

			if (!dp || bridges_port_no(vd->bridges, pname, &no) ||
			    !(p = dp_port_get(dp, no))) {
				continue;
			}
			json_array_append_new(ports, json_pack("{s:s, s:s, s:i, s:I, s:o, s:o}",
							       "name", pname, "type",
							       cfgdb_get_str(cfgdb_port_iface(port),
									     "type", port_type(p)),
							       "port_no", (int)no, "ofport",
							       (json_int_t)ofport_of(vd, bname, no),
							       "stats", port_stats_json(p),
							       "status", port_status_json(p)));
		}
		json_array_append_new(bridges,
				      json_pack("{s:s, s:o}", "name", bname, "ports", ports));
	}
	*result = json_pack("{s:o}", "bridges", bridges);
	return 0;
}

static void
flow_cb(void *aux, const struct dp_flow_info *f)
{
	char match[1024], actions[1024];

	flow_format(match, sizeof match, f->key, f->mask);
	dp_actions_format(actions, sizeof actions, f->actions, f->n_actions);
	json_array_append_new(
		aux, json_pack("{s:i, s:s, s:s, s:I, s:I, s:I}", "pmd", f->pmd, "match", match,
			       "actions", actions, "packets", (json_int_t)f->n_packets, "bytes",
			       (json_int_t)f->n_bytes, "idle_ms", (json_int_t)f->idle_ms));
}

static int
m_dp_flows(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitchd *vd = aux;
	json_t *flows = json_array();

	(void)params;
	(void)err;
	if (bridges_dp(vd->bridges)) {
		dp_flow_dump(bridges_dp(vd->bridges), flow_cb, flows);
	}
	*result = json_pack("{s:o}", "flows", flows);
	return 0;
}

static json_t *
stats_json(const struct dp_stats *s, const struct dp_stats *base)
{
	uint64_t rx = s->rx_packets - base->rx_packets;
	uint64_t mf = s->megaflow_hits - base->megaflow_hits;
	uint64_t cycles = s->cycles - base->cycles;
	uint64_t upcalls = s->upcalls - base->upcalls;
	uint64_t up_cycles = s->upcall_cycles - base->upcall_cycles;
	uint64_t busy = s->busy_cycles - base->busy_cycles;
	json_t *drops = json_object(), *j;

	for (int r = 0; r < DP_DROP__MAX; r++) {
		json_object_set_new(drops, dp_drop_reason_name(r),
				    json_integer((json_int_t)(s->drops[r] - base->drops[r])));
	}
	j = json_pack("{s:I, s:I, s:I, s:f, s:I, s:I, s:I, s:I, s:I, s:f, s:I, s:f, s:o, s:i}",
		      "rx_packets", (json_int_t)rx, "emc_hits",
		      (json_int_t)(s->emc_hits - base->emc_hits), "megaflow_hits", (json_int_t)mf,
		      "avg_subtable_probes",
		      mf ? (double)(s->subtable_probes - base->subtable_probes) / (double)mf : 0.0,
		      "misses", (json_int_t)(s->misses - base->misses), "upcalls",
		      (json_int_t)upcalls, "upcall_failures",
		      (json_int_t)(s->upcall_failures - base->upcall_failures), "tx_packets",
		      (json_int_t)(s->tx_packets - base->tx_packets), "cycles", (json_int_t)cycles,
		      "cycles_per_packet", rx ? (double)cycles / (double)rx : 0.0, "upcall_cycles",
		      (json_int_t)up_cycles, "cycles_per_upcall",
		      upcalls ? (double)up_cycles / (double)upcalls : 0.0, "drops", drops, "flows",
		      (int)s->n_flows);
	if (j) {
		json_object_set_new(j, "simple_hits",
				    json_integer((json_int_t)(s->simple_hits - base->simple_hits)));
		json_object_set_new(j, "smc_hits",
				    json_integer((json_int_t)(s->smc_hits - base->smc_hits)));
		json_object_set_new(
			j, "emc_bypassed",
			json_integer((json_int_t)(s->emc_bypassed - base->emc_bypassed)));
		json_object_set_new(j, "busy_cycles", json_integer((json_int_t)busy));
		json_object_set_new(j, "idle_cycles",
				    json_integer((json_int_t)(s->idle_cycles - base->idle_cycles)));
		json_object_set_new(j, "busy_cycles_per_packet",
				    json_real(rx ? (double)busy / (double)rx : 0.0));
		json_object_set_new(
			j, "busy_iterations",
			json_integer((json_int_t)(s->busy_iterations - base->busy_iterations)));
		json_object_set_new(
			j, "idle_iterations",
			json_integer((json_int_t)(s->idle_iterations - base->idle_iterations)));
	}
	return j;
}

/* Resets the baselines when the datapath was recreated. */
static void
check_stats_dp(struct vswitchd *vd, const struct dp *dp)
{
	if (vd->stats_dp != dp) {
		memset(vd->pmd_base, 0, sizeof vd->pmd_base);
		vd->n_rxq_base = 0;
		vd->stats_dp = dp;
	}
}

/* The counters of queue 'q' at the last clear (zeros: none). A queue's
 * counters go with it when a rebalance moves it to another PMD. */
static struct dp_rxq_info
rxq_base(const struct vswitchd *vd, const struct dp_rxq_info *q)
{
	for (unsigned int i = 0; i < vd->n_rxq_base; i++) {
		const struct dp_rxq_info *b = &vd->rxq_base[i].q;

		/* A queue that came back since (its port re-added) starts from zero. */
		if (b->port_no == q->port_no && b->qid == q->qid && b->polls <= q->polls) {
			return *b;
		}
	}
	return (struct dp_rxq_info){0};
}

static int
m_pmd_stats(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitchd *vd = aux;
	struct dp *dp = bridges_dp(vd->bridges);
	json_t *pmds = json_array();

	(void)params;
	(void)err;
	for (unsigned int i = 0; dp && i < dp_n_pmds(dp); i++) {
		struct dp_stats s;
		struct dp_rxq_info q;
		int cpu;
		json_t *j;

		check_stats_dp(vd, dp);
		dp_pmd_get_stats(dp, i, &s);
		dp_pmd_get_rxqs(dp, i, &cpu, &q, 0);
		j = stats_json(&s, &vd->pmd_base[i]);
		json_object_set_new(j, "pmd", json_integer(i));
		json_object_set_new(j, "cpu", json_integer(cpu));
		json_array_append_new(pmds, j);
	}
	*result = json_pack("{s:o}", "pmds", pmds);
	return 0;
}

static int
m_pmd_stats_clear(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitchd *vd = aux;
	struct dp *dp = bridges_dp(vd->bridges);

	(void)params;
	(void)err;
	for (unsigned int i = 0; dp && i < dp_n_pmds(dp); i++) {
		struct dp_rxq_info q[RXQS_MAX];
		int cpu, n;

		check_stats_dp(vd, dp);
		if (!i) {
			vd->n_rxq_base = 0;
		}
		dp_pmd_get_stats(dp, i, &vd->pmd_base[i]);
		n = dp_pmd_get_rxqs(dp, i, &cpu, q, RXQS_MAX);
		for (int k = 0; k < n && k < RXQS_MAX && vd->n_rxq_base < VSWITCHD_RXQ_BASES; k++) {
			vd->rxq_base[vd->n_rxq_base].pmd = i;
			vd->rxq_base[vd->n_rxq_base++].q = q[k];
		}
	}
	*result = json_object();
	return 0;
}

/* A number over another, 0 when the second is 0. */
static double
per(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0.0;
}

/* The receive queues of PMD 'i' with their counters since the last clear,
 * and the send counters of their ports. */
static json_t *
perf_rxqs_json(struct vswitchd *vd, struct dp *dp, unsigned int i, uint64_t busy)
{
	struct dp_rxq_info q[RXQS_MAX];
	json_t *rxqs = json_array();
	int cpu, n = dp_pmd_get_rxqs(dp, i, &cpu, q, RXQS_MAX);

	for (int k = 0; k < n && k < RXQS_MAX; k++) {
		struct dp_rxq_info b = rxq_base(vd, &q[k]);
		const char *name = bridges_port_name(vd->bridges, q[k].port_no);
		struct port *port = dp_port_get(dp, q[k].port_no);
		struct port_stats ps = {0};
		uint64_t bursts = q[k].bursts - b.bursts, pkts = q[k].packets - b.packets;
		uint64_t cycles = q[k].cycles - b.cycles;

		if (!port || port_get_stats(port, &ps)) {
			memset(&ps, 0, sizeof ps);
		}
		json_array_append_new(
			rxqs,
			json_pack("{s:s, s:i, s:i, s:I, s:I, s:I, s:f, s:I, s:f, s:f, s:{s:I, s:I, "
				  "s:I}}",
				  "port", name ? name : "?", "port_no", (int)q[k].port_no, "queue",
				  q[k].qid, "polls", (json_int_t)(q[k].polls - b.polls), "bursts",
				  (json_int_t)bursts, "packets", (json_int_t)pkts,
				  "packets_per_burst", per(pkts, bursts), "busy_cycles",
				  (json_int_t)cycles, "cycles_per_packet", per(cycles, pkts),
				  "busy_share", per(cycles, busy), "port_tx", "packets",
				  (json_int_t)ps.tx_packets, "dropped", (json_int_t)ps.tx_dropped,
				  "retries", (json_int_t)ps.tx_retries));
	}
	return rxqs;
}

/* Where the busy cycles went: receiving (empty polls before a burst
 * included), processing, sending, and the rest of the loop. */
static json_t *
stage_cycles_json(const struct dp_stats *s, const struct dp_stats *b, uint64_t busy)
{
	uint64_t rx = s->rx_cycles - b->rx_cycles, tx = s->tx_cycles - b->tx_cycles;
	uint64_t all = s->cycles - b->cycles, proc = all > tx ? all - tx : 0;
	uint64_t other = busy > rx + all ? busy - rx - all : 0;

	return json_pack("{s:I, s:I, s:I, s:I}", "receive", (json_int_t)rx, "processing",
			 (json_int_t)proc, "sending", (json_int_t)tx, "other", (json_int_t)other);
}

static int
m_pmd_perf(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitchd *vd = aux;
	struct dp *dp = bridges_dp(vd->bridges);
	json_t *pmds = json_array();

	(void)params;
	(void)err;
	for (unsigned int i = 0; dp && i < dp_n_pmds(dp); i++) {
		const struct dp_stats *b;
		struct dp_stats s;
		struct dp_rxq_info q;
		json_t *batches = json_array(), *j;
		uint64_t busy, iters, bursts = 0;
		int cpu;

		check_stats_dp(vd, dp);
		b = &vd->pmd_base[i];
		dp_pmd_get_stats(dp, i, &s);
		dp_pmd_get_rxqs(dp, i, &cpu, &q, 0);
		busy = s.busy_cycles - b->busy_cycles;
		iters = s.busy_iterations - b->busy_iterations;
		for (int k = 1; k < DP_BATCH_SIZES; k++) {
			bursts += s.batches[k] - b->batches[k];
			json_array_append_new(
				batches, json_integer((json_int_t)(s.batches[k] - b->batches[k])));
		}
		j = json_pack(
			"{s:i, s:i, s:I, s:I, s:I, s:I, s:f, s:f, s:I, s:I, s:f, s:I, s:I, s:I, "
			"s:f, "
			"s:I, s:I, s:o}",
			"pmd", (int)i, "cpu", cpu, "busy_iterations", (json_int_t)iters,
			"idle_iterations", (json_int_t)(s.idle_iterations - b->idle_iterations),
			"busy_cycles", (json_int_t)busy, "idle_cycles",
			(json_int_t)(s.idle_cycles - b->idle_cycles), "cycles_per_busy_iteration",
			per(busy, iters), "busy_cycles_per_packet",
			per(busy, s.rx_packets - b->rx_packets), "rx_packets",
			(json_int_t)(s.rx_packets - b->rx_packets), "rx_bursts", (json_int_t)bursts,
			"packets_per_burst", per(s.rx_packets - b->rx_packets, bursts),
			"tx_packets", (json_int_t)(s.tx_packets - b->tx_packets), "upcalls",
			(json_int_t)(s.upcalls - b->upcalls), "upcall_failures",
			(json_int_t)(s.upcall_failures - b->upcall_failures), "cycles_per_upcall",
			per(s.upcall_cycles - b->upcall_cycles, s.upcalls - b->upcalls), "sleeps",
			(json_int_t)(s.sleeps - b->sleeps), "sleep_us",
			(json_int_t)(s.sleep_us - b->sleep_us), "burst_sizes", batches);
		json_object_set_new(j, "stage_cycles", stage_cycles_json(&s, b, busy));
		json_object_set_new(j, "rxqs", perf_rxqs_json(vd, dp, i, busy));
		json_array_append_new(pmds, j);
	}
	*result = json_pack("{s:o}", "pmds", pmds);
	return 0;
}

static int
m_pmd_rxqs(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitchd *vd = aux;
	struct dp *dp = bridges_dp(vd->bridges);
	struct dp_rxq_info q[RXQS_MAX];
	json_t *pmds = json_array();

	(void)params;
	(void)err;
	for (unsigned int i = 0; dp && i < dp_n_pmds(dp); i++) {
		int cpu, n = dp_pmd_get_rxqs(dp, i, &cpu, q, RXQS_MAX);
		json_t *rxqs = json_array();

		for (int k = 0; k < n && k < RXQS_MAX; k++) {
			const char *name = bridges_port_name(vd->bridges, q[k].port_no);

			json_array_append_new(rxqs, json_pack("{s:s, s:i, s:i, s:b}", "port",
							      name ? name : "?", "port_no",
							      (int)q[k].port_no, "queue", q[k].qid,
							      "pinned", q[k].pinned));
		}
		json_array_append_new(
			pmds, json_pack("{s:i, s:i, s:o}", "pmd", i, "cpu", cpu, "rxqs", rxqs));
	}
	*result = json_pack("{s:o}", "pmds", pmds);
	return 0;
}

static int
m_pmd_rxq_rebalance(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitchd *vd = aux;
	struct dp *dp = bridges_dp(vd->bridges);
	int moved = dp ? dp_rxqs_rebalance(dp) : 0;

	if (moved < 0) {
		err->code = JSONRPC_INTERNAL_ERROR;
		snprintf(err->message, sizeof err->message,
			 "cannot rebalance the receive queues: %s (nothing moved)",
			 strerror(-moved));
		return -1;
	}
	if (m_pmd_rxqs(aux, params, result, err)) {
		return -1;
	}
	json_object_set_new(*result, "moved", json_integer(moved));
	return 0;
}

static int
m_version(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	(void)aux;
	(void)params;
	(void)err;
	*result = json_pack("{s:s, s:i}", "version", VSWITCH_VERSION, "db_version", CFGDB_VERSION);
	return 0;
}

/* log.set {"settings": ["MODULE:LEVEL", ...]}: a module's level, at run
 * time (LEVEL "default": back to the global log_level). */
static int
m_log_set(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	const json_t *list = json_object_get(params, "settings");
	size_t i;
	json_t *v;

	(void)aux;
	if (!json_is_array(list) || !json_array_size(list)) {
		return jsonrpc_fail(err, JSONRPC_INVALID_PARAMS,
				    "params.settings: expected [\"MODULE:LEVEL\", ...]");
	}
	/* All checked before any is applied. */
	for (int apply = 0; apply < 2; apply++) {
		json_array_foreach (list, i, v) {
			const char *s = json_string_value(v), *colon = s ? strrchr(s, ':') : NULL;
			char module[VLOG_MODULE_NAME_MAX + 1];
			enum vlog_level level = VLOG_INFO;
			bool dflt = colon && !strcmp(colon + 1, "default");

			if (!colon || colon == s || (size_t)(colon - s) >= sizeof module ||
			    (!dflt && vlog_parse_level(colon + 1, &level))) {
				return jsonrpc_fail(
					err, JSONRPC_INVALID_PARAMS,
					"'%s' is not MODULE:LEVEL (LEVEL: err, warn, info, "
					"dbg or default)",
					s ? s : "?");
			}
			memcpy(module, s, (size_t)(colon - s));
			module[colon - s] = '\0';
			if (apply) {
				vlog_set_module_level(module, dflt ? -1 : (int)level);
			} else if (strspn(module, "abcdefghijklmnopqrstuvwxyz0123456789-_") !=
				   strlen(module)) {
				return jsonrpc_fail(err, JSONRPC_INVALID_PARAMS,
						    "'%s' is not a module name", module);
			}
		}
	}
	*result = json_null();
	return 0;
}

/* metrics: the Prometheus text of metrics.h. */
static int
m_metrics(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct ds text = DS_INIT;

	(void)params, (void)err;
	metrics_render(aux, &text);
	*result = json_string(ds_cstr(&text));
	ds_destroy(&text);
	return 0;
}

/* tnl.routes, tnl.neighbours, tnl.neigh-flush: the tunnels' view of the
 * host's routes and the neighbours learnt on the underlay, as text. */
static int
m_tnl_routes(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitchd *vd = aux;
	struct ds text = DS_INIT;

	(void)params, (void)err;
	tunnels_format_routes(bridges_tunnels(vd->bridges), &text);
	*result = json_string(ds_cstr(&text));
	ds_destroy(&text);
	return 0;
}

static int
m_tnl_neighbours(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct ds text = DS_INIT;

	(void)aux, (void)params, (void)err;
	tunnels_format_neighbours(&text);
	*result = json_string(ds_cstr(&text));
	ds_destroy(&text);
	return 0;
}

static int
m_tnl_neigh_flush(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	(void)aux, (void)params, (void)err;
	ofproto_lock();
	tnl_neigh_flush();
	ofproto_unlock();
	*result = json_string("");
	return 0;
}

/* log.list: the global level and each module's. */
static int
m_log_list(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vlog_module_info mods[VLOG_MODULES_MAX];
	enum vlog_level global;
	size_t n = vlog_list(mods, VLOG_MODULES_MAX, &global);
	json_t *list = json_array();

	(void)aux, (void)params, (void)err;
	for (size_t i = 0; i < n && i < VLOG_MODULES_MAX; i++) {
		json_array_append_new(
			list, json_pack("{s:s, s:s}", "module", mods[i].name, "level",
					mods[i].level < 0
						? "default"
						: vlog_level_name((enum vlog_level)mods[i].level)));
	}
	*result = json_pack("{s:s, s:o}", "default", vlog_level_name(global), "modules", list);
	return 0;
}

static int
m_transact(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	return cfgdb_rpc_transact(&((struct vswitchd *)aux)->db, params, result, err);
}

static int
m_db_get(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	return cfgdb_rpc_get(&((struct vswitchd *)aux)->db, params, result, err);
}

static const struct jsonrpc_method methods[] = {
	{"transact", m_transact},
	{"db.get", m_db_get},
	{"show", m_show},
	{"dp.flows", m_dp_flows},
	{"ports.dump", m_ports_dump},
	{"dp.pmd-stats", m_pmd_stats},
	{"dp.pmd-stats-clear", m_pmd_stats_clear},
	{"dp.pmd-perf", m_pmd_perf},
	{"dp.pmd-rxqs", m_pmd_rxqs},
	{"dp.pmd-rxq-rebalance", m_pmd_rxq_rebalance},
	{"version", m_version},
	{"log.set", m_log_set},
	{"log.list", m_log_list},
	{"metrics", m_metrics},
	{"tnl.routes", m_tnl_routes},
	{"tnl.neighbours", m_tnl_neighbours},
	{"tnl.neigh-flush", m_tnl_neigh_flush},
};

const struct jsonrpc_method *
ctl_methods(size_t *n)
{
	static struct jsonrpc_method all[ARRAY_SIZE(methods) + 16];
	static size_t n_all;

	if (!n_all) {
		size_t n_of;
		const struct jsonrpc_method *of = ctl_ofproto_methods(&n_of);

		memcpy(all, methods, sizeof methods);
		n_all = ARRAY_SIZE(methods);
		for (size_t i = 0; i < n_of && n_all < ARRAY_SIZE(all); i++) {
			all[n_all++] = of[i];
		}
	}
	*n = n_all;
	return all;
}
