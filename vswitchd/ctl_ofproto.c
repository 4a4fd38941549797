/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control socket's OpenFlow methods (docs/control-socket.md): flow
 * tables (flow.add, flow.mod, flow.del, flow.dump, flow.tables), trace, the
 * MAC table (fdb.show) and the OpenFlow state kept on disk (ofstate.show,
 * ofstate.save). Every change is followed by a sweep of the
 * megaflows before the reply, so that the next packet obeys it.
 */
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "capture.h"
#include "flow_format.h"
#include "mac_learning.h"
#include "ofproto.h"
#include "port_mem.h"
#include "test_dir.h"
#include "vswitchd.h"

enum { MAX_FLOWS_PER_CALL = 100000 };

/* Looks up params.bridge; takes the ofproto lock on success. */
static struct ofproto *
lock_bridge(struct vswitchd *vd, json_t *params, struct jsonrpc_error *err)
{
	const char *name = json_string_value(json_object_get(params, "bridge"));
	struct ofproto *ofp;

	if (!name) {
		jsonrpc_fail(err, JSONRPC_INVALID_PARAMS, "params.bridge: expected a bridge name");
		return NULL;
	}
	ofproto_lock();
	ofp = bridges_ofproto(vd->bridges, name);
	if (!ofp) {
		ofproto_unlock();
		jsonrpc_fail(err, JSONRPC_INVALID_PARAMS, "no bridge named %s", name);
		return NULL;
	}
	mf_tlv_bind(ofproto_tlv_table(ofp)); /* its tun_metadataN */
	return ofp;
}

static const char *
opt_str(json_t *params, const char *key, struct jsonrpc_error *err, bool *bad)
{
	json_t *v = json_object_get(params, key);

	if (v && !json_is_string(v)) {
		jsonrpc_fail(err, JSONRPC_INVALID_PARAMS, "params.%s: expected a string", key);
		*bad = true;
	}
	return json_string_value(v);
}

static int
m_flow_add(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitchd *vd = aux;
	json_t *flows = json_object_get(params, "flows");
	struct ofp_flow_mod *fms;
	struct ofp_port_names names;
	struct ofproto *ofp;
	char reason[OFP_ERR_MAX];
	size_t n = json_array_size(flows), i, done = 0, bad = 0;
	bool check = json_is_true(json_object_get(params, "check"));
	int ret = 0;

	if (!json_is_array(flows) || !n || n > MAX_FLOWS_PER_CALL) {
		return jsonrpc_fail(err, JSONRPC_INVALID_PARAMS,
				    "params.flows: expected 1 to %d flow strings",
				    MAX_FLOWS_PER_CALL);
	}
	fms = calloc(n, sizeof *fms);
	if (!fms) {
		return jsonrpc_fail(err, JSONRPC_INTERNAL_ERROR, "out of memory");
	}
	ofp = lock_bridge(vd, params, err);
	if (!ofp) {
		free(fms);
		return -1;
	}
	names = ofproto_port_names(ofp);
	/* Every flow is parsed before any is added. */
	for (i = 0; i < n && !ret; i++) {
		const char *s = json_string_value(json_array_get(flows, i));

		if (!s) {
			ret = jsonrpc_fail(err, JSONRPC_INVALID_PARAMS,
					   "params.flows[%zu]: expected a string", i);
		} else if (ofp_flow_mod_parse(&fms[i], s, OFPFC_ADD, &names, reason)) {
			if (check) {
				break;
			}
			ret = n > 1 ? jsonrpc_fail(err, JSONRPC_TXN_REJECTED, "flow %zu: %.400s",
						   i + 1, reason)
				    : jsonrpc_fail(err, JSONRPC_TXN_REJECTED, "%.400s", reason);
		} else {
			done = i + 1;
		}
	}
	if (check) {
		/* Only parsed (and checked for missing groups and meters): the
		 * answer names the first bad flow instead of failing, so that a
		 * client sending a large file in parts adds none of it. */
		for (i = 0; i < done && !ret && !bad; i++) {
			uint32_t id;
			int miss = ofproto_insts_missing(ofp, &fms[i].insts, &id);

			if (miss) {
				snprintf(reason, sizeof reason, "%s %" PRIu32 " does not exist",
					 miss == OFPROTO_NO_GROUP ? "group" : "meter", id);
				bad = i + 1;
			}
		}
		if (!ret && !bad && done < n) {
			bad = done + 1;
		}
	}
	uint64_t now = bridges_now_ms();
	for (i = 0; i < n && !ret && !check; i++) {
		if (ofproto_flow_mod(ofp, &fms[i], now, reason)) {
			ret = jsonrpc_fail(err, JSONRPC_TXN_FAILED, "flow %zu: %.400s (%zu added)",
					   i + 1, reason, i);
		}
	}
	ofproto_unlock();
	for (i = 0; i < done; i++) {
		ofp_insts_destroy(&fms[i].insts);
	}
	free(fms);
	if (check) {
		if (!ret) {
			*result = bad ? json_pack("{s:I, s:s}", "bad", (json_int_t)bad, "reason",
						  reason)
				      : json_pack("{s:I}", "ok", (json_int_t)n);
		}
		return ret;
	}
	bridges_sweep(vd->bridges, true);
	if (!ret) {
		*result = json_pack("{s:I}", "added", (json_int_t)n);
	}
	return ret;
}

static int
flow_change(struct vswitchd *vd, json_t *params, enum ofp_flow_mod_cmd cmd, json_t **result,
	    struct jsonrpc_error *err)
{
	bool bad = false;
	const char *flow = opt_str(params, "flow", err, &bad);
	bool strict = json_is_true(json_object_get(params, "strict"));
	struct ofp_port_names names;
	struct ofp_flow_mod fm;
	struct ofproto *ofp;
	char reason[OFP_ERR_MAX];
	int ret = 0;

	if (bad) {
		return -1;
	}
	if (strict) {
		cmd = cmd == OFPFC_MODIFY ? OFPFC_MODIFY_STRICT : OFPFC_DELETE_STRICT;
	}
	if (!flow && cmd != OFPFC_DELETE) {
		return jsonrpc_fail(err, JSONRPC_INVALID_PARAMS, "params.flow: expected a flow");
	}
	ofp = lock_bridge(vd, params, err);
	if (!ofp) {
		return -1;
	}
	names = ofproto_port_names(ofp);
	if (ofp_flow_mod_parse(&fm, flow ? flow : "", cmd, &names, reason)) {
		ret = jsonrpc_fail(err, JSONRPC_TXN_REJECTED, "%.400s", reason);
	} else {
		if (ofproto_flow_mod(ofp, &fm, bridges_now_ms(), reason)) {
			ret = jsonrpc_fail(err, JSONRPC_TXN_FAILED, "%.400s", reason);
		}
		ofp_insts_destroy(&fm.insts);
	}
	ofproto_unlock();
	bridges_sweep(vd->bridges, true);
	if (!ret) {
		*result = json_object();
	}
	return ret;
}

static int
m_flow_mod(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	return flow_change(aux, params, OFPFC_MODIFY, result, err);
}

static int
m_flow_del(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	return flow_change(aux, params, OFPFC_DELETE, result, err);
}

struct dump_ctx {
	json_t *flows;
	struct ofp_port_names names;
	bool stats;
	bool text_only; /* each entry as {"text"} alone */
};

static void
dump_cb(void *aux, const struct ofproto_flow_info *f)
{
	struct dump_ctx *d = aux;
	struct ds text = DS_INIT, match = DS_INIT, acts = DS_INIT;

	ofproto_flow_format(f, d->stats, &text);
	if (d->text_only) {
		json_array_append_new(d->flows, json_pack("{s:s}", "text", ds_cstr(&text)));
		ds_destroy(&text);
		return;
	}
	match_format(f->match, &match);
	ofp_insts_format(f->insts, &acts);
	json_array_append_new(
		d->flows,
		json_pack("{s:i, s:i, s:I, s:s, s:s, s:I, s:I, s:f, s:i, s:i, s:s}", "table",
			  f->table_id, "priority", f->priority, "cookie", (json_int_t)f->cookie,
			  "match", ds_cstr(&match), "actions", ds_cstr(&acts), "n_packets",
			  (json_int_t)(f->n_packets == UINT64_MAX ? -1 : (json_int_t)f->n_packets),
			  "n_bytes",
			  (json_int_t)(f->n_bytes == UINT64_MAX ? -1 : (json_int_t)f->n_bytes),
			  "duration", (double)f->duration_ms / 1000.0, "idle_timeout",
			  f->idle_timeout, "hard_timeout", f->hard_timeout, "text",
			  ds_cstr(&text)));
	ds_destroy(&text);
	ds_destroy(&match);
	ds_destroy(&acts);
}

/* Dumps in pages (flow.dump with "max"): each open one is a snapshot of
 * the entries (ofproto_flow_cursor) that later pages continue. */
enum { DUMP_CURSORS = 16, DUMP_IDLE_MS = 60000 };

static struct dump_cursor {
	uint64_t id; /* 0: free */
	char bridge[64];
	bool stats, text_only;
	uint64_t used_ms;
	struct ofproto_flow_cursor *cur;
} cursors[DUMP_CURSORS];

static void
cursor_free(struct dump_cursor *dc)
{
	ofproto_flow_cursor_destroy(dc->cur);
	memset(dc, 0, sizeof *dc);
}

/* A free slot for a new dump (under ofproto_lock()): dumps idle for a
 * minute are dropped, and with all slots taken the least recently used. */
static struct dump_cursor *
cursor_new(uint64_t now_ms)
{
	static uint64_t next_id = 1;
	struct dump_cursor *lru = &cursors[0];

	for (int i = 0; i < DUMP_CURSORS; i++) {
		if (cursors[i].id && now_ms - cursors[i].used_ms > DUMP_IDLE_MS) {
			cursor_free(&cursors[i]);
		}
		if (cursors[i].used_ms < lru->used_ms) {
			lru = &cursors[i];
		}
	}
	if (lru->id) {
		cursor_free(lru);
	}
	lru->id = next_id++;
	lru->used_ms = now_ms;
	return lru;
}

static struct dump_cursor *
cursor_find(uint64_t id)
{
	for (int i = 0; i < DUMP_CURSORS; i++) {
		if (id && cursors[i].id == id) {
			return &cursors[i];
		}
	}
	return NULL;
}

/* flow.dump {bridge, flow?, stats?, text_only?, max?, cursor?}: the
 * entries, all at once, or with "max" up to that many and a "cursor" to
 * pass for the next page (none once the dump is over). */
static int
m_flow_dump(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitchd *vd = aux;
	bool bad = false;
	const char *flow = opt_str(params, "flow", err, &bad);
	struct dump_ctx d = {.stats = !json_is_false(json_object_get(params, "stats")),
			     .text_only = json_is_true(json_object_get(params, "text_only"))};
	json_t *jmax = json_object_get(params, "max"), *jcur = json_object_get(params, "cursor");
	struct dump_cursor *dc = NULL;
	struct ofp_flow_mod fm;
	struct ofproto *ofp;
	char reason[OFP_ERR_MAX];
	uint64_t now = bridges_now_ms();
	json_int_t max = json_integer_value(jmax);

	if (bad) {
		return -1;
	}
	if ((jmax && (!json_is_integer(jmax) || max < 1 || max > MAX_FLOWS_PER_CALL)) ||
	    (jcur && (!json_is_integer(jcur) || !jmax))) {
		return jsonrpc_fail(err, JSONRPC_INVALID_PARAMS,
				    "params.max: 1 to %d entries a page; params.cursor: the "
				    "\"cursor\" of the previous page (with max)",
				    MAX_FLOWS_PER_CALL);
	}
	if (!jcur) {
		/* Statistics are as fresh as the call (as its first page). */
		bridges_sweep(vd->bridges, true);
	}
	ofp = lock_bridge(vd, params, err);
	if (!ofp) {
		return -1;
	}
	d.names = ofproto_port_names(ofp);
	if (jcur) {
		dc = cursor_find((uint64_t)json_integer_value(jcur));
		if (!dc || strcmp(dc->bridge, ofproto_name(ofp))) {
			ofproto_unlock();
			return jsonrpc_fail(err, JSONRPC_INVALID_PARAMS,
					    "no dump %lld of this bridge (over, or idle for a "
					    "minute)",
					    (long long)json_integer_value(jcur));
		}
		d.stats = dc->stats;
		d.text_only = dc->text_only;
	} else {
		if (flow && ofp_flow_mod_parse(&fm, flow, OFPFC_DELETE, &d.names, reason)) {
			ofproto_unlock();
			return jsonrpc_fail(err, JSONRPC_INVALID_PARAMS, "%.400s", reason);
		}
		if (!jmax) {
			d.flows = json_array();
			ofproto_flow_dump(ofp, flow ? &fm : NULL, now, dump_cb, &d);
			ofproto_unlock();
			if (flow) {
				ofp_insts_destroy(&fm.insts);
			}
			*result = json_pack("{s:o}", "flows", d.flows);
			return 0;
		}
		struct ofproto_flow_cursor *cur =
			ofproto_flow_cursor_create(ofp, flow ? &fm : NULL);

		if (flow) {
			ofp_insts_destroy(&fm.insts);
		}
		if (!cur) {
			ofproto_unlock();
			return jsonrpc_fail(err, JSONRPC_INTERNAL_ERROR, "out of memory");
		}
		dc = cursor_new(now);
		dc->cur = cur;
		dc->stats = d.stats;
		dc->text_only = d.text_only;
		snprintf(dc->bridge, sizeof dc->bridge, "%s", ofproto_name(ofp));
	}
	d.flows = json_array();
	dc->used_ms = now;
	bool more = ofproto_flow_cursor_next(dc->cur, now, (uint32_t)max, dump_cb, &d);
	uint64_t id = dc->id;

	if (!more) {
		cursor_free(dc);
	}
	ofproto_unlock();
	*result = json_pack("{s:o}", "flows", d.flows);
	if (more) {
		json_object_set_new(*result, "cursor", json_integer((json_int_t)id));
	}
	return 0;
}

static void
table_cb(void *aux, const struct ofproto_table_stats *t)
{
	json_array_append_new(aux, json_pack("{s:i, s:i, s:I, s:I}", "table", t->table_id, "active",
					     (int)t->active, "lookups", (json_int_t)t->lookups,
					     "matches", (json_int_t)t->matches));
}

static int
m_flow_tables(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitchd *vd = aux;
	struct ofproto *ofp;
	struct ofproto_sweep_stats sw;
	json_t *tables = json_array();

	bridges_sweep(vd->bridges, true);
	ofp = lock_bridge(vd, params, err);
	if (!ofp) {
		json_decref(tables);
		return -1;
	}
	ofproto_table_dump(ofp, table_cb, tables);
	ofproto_get_sweep_stats(ofp, &sw);
	ofproto_unlock();
	*result =
		json_pack("{s:o, s:{s:I, s:I, s:I, s:i, s:I}}", "tables", tables, "megaflows",
			  "sweeps", (json_int_t)sw.sweeps, "revalidated",
			  (json_int_t)sw.revalidated, "deleted", (json_int_t)sw.deleted, "records",
			  (int)sw.n_megaflows, "packet_ins", (json_int_t)sw.packet_ins);
	return 0;
}

/* The key of a packet described as a match ("in_port=1,tcp,tp_dst=80"):
 * the fields given, everything else zero. The in_port becomes the
 * datapath port. */
static int
trace_key(struct ofproto *ofp, const struct match *m, struct flow_key *key, char *reason)
{
	struct ds d = DS_INIT;

	*key = m->key;
	if ((m->key.eth_type == htons(0x0800) || m->key.eth_type == htons(0x86dd)) &&
	    !m->mask.nw_ttl) {
		key->nw_ttl = 64; /* what a sender gives when the trace does not say */
	}
	if (!m->mask.in_port) {
		snprintf(reason, OFP_ERR_MAX, "trace needs in_port");
		return -EINVAL;
	}
	for (uint32_t dp_port = 0; dp_port < DP_MAX_PORTS; dp_port++) {
		if (ofproto_port_of_dp(ofp, dp_port) == m->key.in_port) {
			key->in_port = dp_port;
			ds_destroy(&d);
			return 0;
		}
	}
	ofp_port_format(m->key.in_port, &d);
	snprintf(reason, OFP_ERR_MAX, "in_port=%s: no such port on this bridge", ds_cstr(&d));
	ds_destroy(&d);
	return -ENOENT;
}

static int
m_trace(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitchd *vd = aux;
	bool bad = false;
	const char *flow = opt_str(params, "flow", err, &bad);
	struct ofp_port_names names;
	struct xlate_result *xr;
	struct ofp_flow_mod fm;
	struct ofproto *ofp;
	struct flow_key key;
	struct ds trace = DS_INIT;
	char reason[OFP_ERR_MAX], mf[2048], acts[2048];
	int ret;

	if (bad || !flow) {
		return bad ? -1
			   : jsonrpc_fail(err, JSONRPC_INVALID_PARAMS,
					  "params.flow: expected packet fields");
	}
	xr = malloc(sizeof *xr);
	ofp = xr ? lock_bridge(vd, params, err) : NULL;
	if (!ofp) {
		free(xr);
		return xr ? -1 : jsonrpc_fail(err, JSONRPC_INTERNAL_ERROR, "out of memory");
	}
	names = ofproto_port_names(ofp);
	ret = ofp_flow_mod_parse(&fm, flow, OFPFC_DELETE, &names, reason);
	if (!ret) {
		ofp_insts_destroy(&fm.insts);
		ret = trace_key(ofp, &fm.match, &key, reason);
	}
	if (!ret) {
		struct flow_key all;

		memset(&all, 0xff, sizeof all);
		/* From no tunnel, or not over this family: nothing to say. */
		if (!key.tun_src && !key.tun_dst) {
			all.tun_src = all.tun_dst = 0;
		}
		if (!flow_key_tun6(&key)) {
			memset(all.tun_ipv6_src, 0, sizeof all.tun_ipv6_src);
			memset(all.tun_ipv6_dst, 0, sizeof all.tun_ipv6_dst);
		}
		if (!key.tun_id && !all.tun_src && !flow_key_tun6(&all)) {
			all.tun_id = 0;
		}
		if (!key.tun_md_present) {
			all.tun_md_present = 0;
			memset(all.tun_md, 0, sizeof all.tun_md);
		}
		flow_format(mf, sizeof mf, &key, &all);
		ds_put_format(&trace, "Flow: %s\n\n", mf);
		ret = ofproto_xlate(ofp, &key, false, bridges_now_ms(), xr, &trace);
		snprintf(reason, sizeof reason, "translation failed: %s", strerror(-ret));
	}
	ofproto_unlock();
	if (!ret) {
		flow_format(mf, sizeof mf, &key, &xr->mask);
		dp_actions_format(acts, sizeof acts, xr->actions, xr->n_actions);
		ds_put_format(&trace, "\nMegaflow: %s\nDatapath actions: %s\n", mf, acts);
		*result = json_pack("{s:s, s:s, s:s}", "trace", ds_cstr(&trace), "megaflow", mf,
				    "actions", acts);
	} else {
		jsonrpc_fail(err, JSONRPC_INVALID_PARAMS, "%.400s", reason);
	}
	ds_destroy(&trace);
	free(xr);
	return ret ? -1 : 0;
}

struct fdb_ctx {
	json_t *entries;
	struct ofproto *ofp;
};

static void
fdb_cb(void *aux, const struct mac_entry_info *e)
{
	struct fdb_ctx *f = aux;
	char mac[18];

	snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", e->mac[0], e->mac[1], e->mac[2],
		 e->mac[3], e->mac[4], e->mac[5]);
	json_array_append_new(f->entries, json_pack("{s:i, s:i, s:s, s:I}", "port", (int)e->port,
						    "vlan", e->vlan, "mac", mac, "age",
						    (json_int_t)(e->age_ms / 1000)));
}

static void
vlan_drop_cb(void *aux, const struct ofproto_port_info *p)
{
	json_object_set_new(aux, p->name, json_integer((json_int_t)p->vlan_drops));
}

static int
m_fdb_show(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitchd *vd = aux;
	struct fdb_ctx f = {json_array(), NULL};
	json_t *drops = json_object();
	struct mac_stats s;

	bridges_sweep(vd->bridges, true);
	f.ofp = lock_bridge(vd, params, err);
	if (!f.ofp) {
		json_decref(f.entries);
		json_decref(drops);
		return -1;
	}
	ofproto_fdb_dump(f.ofp, bridges_now_ms(), fdb_cb, &f);
	ofproto_fdb_stats(f.ofp, &s);
	ofproto_port_dump(f.ofp, vlan_drop_cb, drops);
	ofproto_unlock();
	*result = json_pack("{s:o, s:{s:I, s:I, s:I, s:I, s:i, s:i, s:i}, s:o}", "entries",
			    f.entries, "stats", "learned", (json_int_t)s.learned, "moved",
			    (json_int_t)s.moved, "evicted", (json_int_t)s.evicted, "aged",
			    (json_int_t)s.aged, "entries", (int)s.n_entries, "max_entries",
			    (int)s.max_entries, "aging_time", (int)s.aging_s, "vlan_drops", drops);
	return 0;
}

/* fdb-flush [BRIDGE]: as Open vSwitch's fdb/flush. */
static int
m_fdb_flush(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitchd *vd = aux;
	const json_t *br = json_object_get(params, "bridge");
	unsigned int n = 0;
	const char *name;
	json_t *rec;

	if (br) {
		struct ofproto *ofp = lock_bridge(vd, params, err);

		if (!ofp) {
			return -1;
		}
		n = ofproto_fdb_flush(ofp);
		ofproto_unlock();
	} else {
		ofproto_lock();
		json_object_foreach (json_object_get(vd->db.doc, "bridges"), name, rec) {
			struct ofproto *ofp = bridges_ofproto(vd->bridges, name);

			n += ofp ? ofproto_fdb_flush(ofp) : 0;
		}
		ofproto_unlock();
	}
	bridges_sweep(vd->bridges, true);
	*result = json_sprintf("flushed %u MAC entr%s", n, n == 1 ? "y" : "ies");
	return 0;
}

/* Queues the frames of a pcap file on a "mem" port, as if that port had
 * received them: for tests and for replaying a capture into a bridge. */
static int
m_port_inject(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitchd *vd = aux;
	const char *name = json_string_value(json_object_get(params, "port"));
	const char *file = json_string_value(json_object_get(params, "pcap"));
	struct dp *dp = bridges_dp(vd->bridges);
	char perr[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *data;
	struct port *port;
	uint32_t no, n = 0;
	pcap_t *pc;

	if (!name || !file) {
		return jsonrpc_fail(err, JSONRPC_INVALID_PARAMS,
				    "params: expected {\"port\": NAME, \"pcap\": FILE}");
	}
	if (!dp || bridges_port_no(vd->bridges, name, &no) || !(port = dp_port_get(dp, no))) {
		return jsonrpc_fail(err, JSONRPC_INVALID_PARAMS, "no running port named %s", name);
	}
	if (strcmp(port_type(port), "mem")) {
		return jsonrpc_fail(err, JSONRPC_INVALID_PARAMS,
				    "port %s is of type %s: inject needs a port of type mem", name,
				    port_type(port));
	}
	if (test_dir_check_path("inject", file, perr, sizeof perr)) {
		return jsonrpc_fail(err, JSONRPC_INVALID_PARAMS, "%.400s", perr);
	}
	pc = pcap_open_offline(file, perr);
	if (!pc) {
		return jsonrpc_fail(err, JSONRPC_INVALID_PARAMS, "%.400s", perr);
	}
	while (pcap_next_ex(pc, &hdr, &data) == 1) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(bridges_mempool(vd->bridges));
		char *p = m ? rte_pktmbuf_append(m, (uint16_t)hdr->caplen) : NULL;

		if (!p || hdr->caplen > UINT16_MAX) {
			rte_pktmbuf_free(m);
			break;
		}
		memcpy(p, data, hdr->caplen);
		if (port_mem_inject(port, &m, 1) != 1) {
			rte_pktmbuf_free(m);
			break;
		}
		n++;
	}
	pcap_close(pc);
	*result = json_pack("{s:i}", "injected", (int)n);
	return 0;
}

/* Starts a capture: the pcap stream waits on the returned socket. */
static int
m_capture_start(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitchd *vd = aux;
	const char *name = json_string_value(json_object_get(params, "port"));
	const json_t *filter = json_object_get(params, "filter");
	json_int_t snaplen = 0, count = 0;
	char path[256], why[CAPTURE_ERR_MAX];
	uint32_t id;

	if (!name || (filter && !json_is_string(filter)) ||
	    json_unpack(params, "{s?I, s?I}", "snaplen", &snaplen, "count", &count) ||
	    snaplen < 0 || snaplen > 65535 || count < 0) {
		return jsonrpc_fail(err, JSONRPC_INVALID_PARAMS,
				    "params: expected {\"port\": NAME, \"filter\": PCAP-FILTER, "
				    "\"snaplen\": 0-65535, \"count\": N >= 0}");
	}
	if (captures_start(bridges_captures(vd->bridges), name, json_string_value(filter),
			   (uint32_t)snaplen, (uint64_t)count, &id, path, sizeof path, why)) {
		return jsonrpc_fail(err, JSONRPC_INVALID_PARAMS, "%s", why);
	}
	*result = json_pack("{s:i, s:s}", "id", (int)id, "socket", path);
	return 0;
}

/* Ends a capture (or reads how one that ended went). */
static int
m_capture_stop(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitchd *vd = aux;
	json_int_t id;
	struct capture_result r;

	if (json_unpack(params, "{s:I}", "id", &id) || id <= 0 || id > UINT32_MAX) {
		return jsonrpc_fail(err, JSONRPC_INVALID_PARAMS, "params: expected {\"id\": N}");
	}
	if (captures_stop(bridges_captures(vd->bridges), (uint32_t)id, &r)) {
		return jsonrpc_fail(err, JSONRPC_INVALID_PARAMS, "no capture %lld", (long long)id);
	}
	*result = json_pack("{s:I, s:I, s:I, s:b}", "written", (json_int_t)r.written, "captured",
			    (json_int_t)r.captured, "dropped", (json_int_t)r.dropped, "port_gone",
			    r.port_gone);
	return 0;
}

static json_t *
state_json(struct vswitchd *vd, const char *name)
{
	struct ofstate_stats st;
	char reason[BRIDGE_ERR_MAX];
	json_t *aside = json_array();

	if (bridges_state_stats(vd->bridges, name, &st, reason)) {
		return json_pack("{s:s, s:b, s:s}", "bridge", name, "kept", 0, "reason", reason);
	}
	for (int i = 0; i < 2; i++) {
		if (st.set_aside[i][0]) {
			json_array_append_new(aside, json_string(st.set_aside[i]));
		}
	}
	return json_pack("{s:s, s:b, s:s?, s:s, s:{s:s, s:I, s:I}, s:{s:s, s:I, s:I}, s:I, s:I, "
			 "s:I, s:I, s:o, s:b}",
			 "bridge", name, "kept", !st.off, "reason",
			 st.off ? "its files could not be read at start; they are left as they "
				  "were (ofstate-save replaces them)"
				: NULL,
			 "dir", st.dir, "snapshot", "path", st.snap_path, "records",
			 (json_int_t)st.snap_records, "bytes", (json_int_t)st.snap_bytes, "log",
			 "path", st.log_path, "records", (json_int_t)st.log_records, "bytes",
			 (json_int_t)st.log_bytes, "compactions", (json_int_t)st.compactions,
			 "restored", (json_int_t)st.restored, "refused", (json_int_t)st.refused,
			 "port_numbers", (json_int_t)st.port_numbers, "set_aside", aside,
			 "write_failed", st.write_failed);
}

/* ofstate.show {bridge?}: where each bridge's OpenFlow state is kept and
 * how much of it there is. */
static int
m_ofstate_show(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitchd *vd = aux;
	bool bad = false;
	const char *name = opt_str(params, "bridge", err, &bad);
	json_t *list = json_array();
	const char *bname;
	json_t *br;

	if (bad) {
		json_decref(list);
		return -1;
	}
	json_object_foreach (json_object_get(vd->db.doc, "bridges"), bname, br) {
		if (!name || !strcmp(name, bname)) {
			json_array_append_new(list, state_json(vd, bname));
		}
	}
	if (name && !json_array_size(list)) {
		json_decref(list);
		return jsonrpc_fail(err, JSONRPC_INVALID_PARAMS, "no bridge named %s", name);
	}
	*result = json_pack("{s:o}", "bridges", list);
	return 0;
}

/* ofstate.save {bridge, reset?}: a new snapshot of the running tables now;
 * with reset, of empty ones (ofstate.h, bridges_state_save()). */
static int
m_ofstate_save(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct vswitchd *vd = aux;
	bool bad = false;
	const char *name = opt_str(params, "bridge", err, &bad);
	json_t *reset = json_object_get(params, "reset");
	char reason[BRIDGE_ERR_MAX];
	int ret;

	if (bad) {
		return -1;
	}
	if (!name) {
		return jsonrpc_fail(err, JSONRPC_INVALID_PARAMS,
				    "params.bridge: expected a bridge name");
	}
	if (reset && !json_is_boolean(reset)) {
		return jsonrpc_fail(err, JSONRPC_INVALID_PARAMS,
				    "params.reset: expected a boolean");
	}
	ret = bridges_state_save(vd->bridges, name, json_is_true(reset), reason);
	if (ret) {
		return jsonrpc_fail(err,
				    ret == -ENOENT ? JSONRPC_INVALID_PARAMS : JSONRPC_TXN_FAILED,
				    "%s", reason);
	}
	*result = state_json(vd, name);
	return 0;
}

static const struct jsonrpc_method methods[] = {
	{"capture.start", m_capture_start},
	{"capture.stop", m_capture_stop},
	{"port.inject", m_port_inject},
	{"flow.add", m_flow_add},
	{"flow.mod", m_flow_mod},
	{"flow.del", m_flow_del},
	{"flow.dump", m_flow_dump},
	{"flow.tables", m_flow_tables},
	{"trace", m_trace},
	{"fdb.show", m_fdb_show},
	{"fdb.flush", m_fdb_flush},
	{"ofstate.show", m_ofstate_show},
	{"ofstate.save", m_ofstate_save},
};

const struct jsonrpc_method *
ctl_ofproto_methods(size_t *n)
{
	*n = sizeof methods / sizeof methods[0];
	return methods;
}
