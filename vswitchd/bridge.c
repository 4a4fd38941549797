/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The running switch from a configuration document (bridge.h).
 */
#include "bridge.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rte_cycles.h>

#include "capture.h"
#include "cfgdb.h"
#include "log.h"
#include "ofconn.h"
#include "ofproto.h"
#include "ofstate.h"
#include "port_impl.h"
#include "sockperm.h"
#include "test_dir.h"
#include "tnl.h"
#include "tunnels.h"

enum {
	MAX_OPTS = 32,
	MAX_BRIDGES = CFGDB_MAX_BRIDGES,
	SWEEP_INTERVAL_MS = 1000, /* statistics reach flow entries this often */
	SWEEP_GAP_MS = 10,        /* changes without a barrier wait at most about this */
	UPCALL_RATE = 20000,      /* default upcalls per second per port and PMD thread */
	UPCALL_BURST = 2000,
	MAX_IDLE_MS = 10000, /* an idle megaflow goes after this long */
	TLS_CHECK_MS = 2000, /* TLS files are looked at this often */
};

/* A running interface. */
struct bport {
	char name[PORT_NAME_MAX];
	char bridge[PORT_NAME_MAX];
	json_t *iface; /* the interface record it was opened with (own copy) */
	uint32_t port_no;
};

/* A bridge: its OpenFlow side. */
struct bbridge {
	char name[PORT_NAME_MAX];
	struct ofproto *ofp;
	bool secure;              /* fail mode */
	unsigned int controllers; /* targets it connects to (not listeners) */
	struct ofstate *st;       /* its OpenFlow state on disk, or NULL */
};

struct bridges {
	struct rte_mempool *mp;
	struct bbridge brs[MAX_BRIDGES];
	struct ofproto *by_dp[DP_MAX_PORTS]; /* under ofproto_lock() */
	uint64_t next_sweep_ms, sweep_now;
	uint64_t next_change_sweep_ms; /* a sweep for changes alone, not before */
	cpu_set_t cpus;
	char run_dir[256];        /* where vhost-user server sockets go */
	char state_dir[PATH_MAX]; /* where OpenFlow state is kept ("": nowhere) */
	struct ofconns *ofc;      /* OpenFlow connections of every bridge */
	struct dp *dp;
	struct dp_params params;
	struct bport *ports[DP_MAX_PORTS]; /* indexed by datapath port number */
	int8_t link[DP_MAX_PORTS];         /* 1 up, -1 down, 0 no port */
	struct captures *caps;             /* switch-ctl capture */
	struct tunnels *tunnels;           /* routes, ARP (tunnels.h) */
	uint64_t tnl_gen;                  /* tnl_generation() last swept for */
	/* The global socket_owner, socket_group, socket_mode ("": unset):
	 * vhost-user server sockets without their own take these. */
	char sock_opt[3][64];
	/* The TLS files of the configuration, whether they loaded, and
	 * their modification times then (load_tls()). */
	char tls_files[3][PATH_MAX];
	bool tls_loaded;
	struct timespec tls_mtime[3];
	uint64_t next_tls_check_ms, next_tls_warn_ms;
};

static const char *const sock_cols[3] = {"socket_owner", "socket_group", "socket_mode"};
static const char *const sock_opts[3] = {"owner", "group", "mode"};

uint64_t
bridges_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool
sweep_one(void *aux, const struct dp_flow_info *info)
{
	struct bridges *b = aux;
	uint32_t in_port = info->key->in_port;
	struct ofproto *ofp = in_port < DP_MAX_PORTS ? b->by_dp[in_port] : NULL;

	return ofp && ofproto_sweep_flow(ofp, info, b->sweep_now, MAX_IDLE_MS);
}

/* A miss: the bridge of the input port translates the packet. */
static int
bridge_upcall(void *aux, const struct flow_key *key, const struct rte_mbuf *pkt,
	      struct dp_upcall_result *res)
{
	struct bridges *b = aux;
	struct ofproto *ofp;
	int ret = 0;

	(void)pkt;
	ofproto_lock();
	ofp = key->in_port < DP_MAX_PORTS ? b->by_dp[key->in_port] : NULL;
	if (ofp) {
		ret = ofproto_upcall(ofp, key, bridges_now_ms(), res);
	} else {
		res->mask.in_port = UINT32_MAX; /* a port on its way out: drop */
	}
	ofproto_unlock();
	return ret;
}

/* A packet whose megaflow asks for a translation with its bytes: translate
 * and run it (under the ofproto lock). False if 'cookie' is another kind. */
static bool
slow_path_packet(struct bridges *b, struct ofproto *ofp, const struct rte_mbuf *pkt,
		 uint32_t in_port, uint64_t cookie)
{
	uint8_t head[512];
	uint32_t total = rte_pktmbuf_pkt_len(pkt), len = total < sizeof head ? total : sizeof head;
	const uint8_t *p = rte_pktmbuf_read(pkt, 0, len, head);
	struct xlate_result *res = malloc(sizeof *res);
	struct rte_mbuf *m;
	bool done;

	if (!res) {
		return false; /* a slow-path packet is then dropped */
	}
	done = ofproto_slow_path(ofp, in_port, cookie, p, len, total, bridges_now_ms(), res);
	if (done && res->n_actions && (m = rte_pktmbuf_copy(pkt, pkt->pool, 0, UINT32_MAX))) {
		dp_execute(b->dp, in_port, m, res->actions, res->n_actions);
	}
	free(res);
	return done;
}

static void
bridge_slow_path(void *aux, const struct rte_mbuf *pkt, uint32_t in_port, uint64_t cookie)
{
	struct bridges *b = aux;
	struct ofproto *ofp;
	struct ofproto_pin pin;
	char name[PORT_NAME_MAX];
	bool send = false;

	ofproto_lock();
	ofp = in_port < DP_MAX_PORTS ? b->by_dp[in_port] : NULL;
	if (ofp && slow_path_packet(b, ofp, pkt, in_port, cookie)) {
		ofproto_unlock();
		return;
	}
	if (ofp && ofproto_packet_in(ofp, in_port, cookie, &pin)) {
		snprintf(name, sizeof name, "%s", ofproto_name(ofp));
		send = true;
	}
	ofproto_unlock();
	if (send) {
		ofconns_packet_in(b->ofc, name, &pin, pkt);
	}
}

uint64_t
bridges_default_pmd_mask(const cpu_set_t *cpus)
{
	int highest = -1;

	for (int cpu = 0; cpu < 64; cpu++) {
		if (CPU_ISSET(cpu, cpus)) {
			highest = cpu;
		}
	}
	return highest >= 0 ? 1ull << highest : 1;
}

/* A barrier on an OpenFlow connection: flow changes reach the datapath
 * (nothing to do when none is pending); a statistics request: counters
 * reach the flow entries too. */
static void
of_sync(void *aux, bool counters)
{
	if (counters) {
		bridges_sweep(aux, true);
	} else {
		bridges_sweep_changes(aux);
	}
}

static struct port *
of_port(void *aux, uint32_t dp_port)
{
	struct bridges *b = aux;

	return b->dp ? dp_port_get(b->dp, dp_port) : NULL;
}

/* A packet-out: a copy of the packet through the datapath. */
static int
of_execute(void *aux, uint32_t dp_in_port, const uint8_t *data, size_t len,
	   const struct dp_action *acts, uint32_t n_acts)
{
	struct bridges *b = aux;
	struct rte_mbuf *m;

	if (!b->dp) {
		return -ENODEV;
	}
	m = port_mbuf_from_buf(b->mp, data, (uint32_t)len);
	if (!m) {
		return -ENOBUFS;
	}
	return dp_execute(b->dp, dp_in_port, m, acts, n_acts);
}

static struct bbridge *find_bridge(struct bridges *b, const char *name);

/* A controller connection came or went: fail-open may start or end. When
 * it does, the megaflows change before the connection says its hello: a
 * controller that sees the switch can count on its flows being in force
 * (and NORMAL no longer). */
static void
of_controllers(void *aux, const char *name, unsigned int n_connected)
{
	struct bridges *b = aux;
	struct bbridge *bb = find_bridge(b, name);
	bool changed;

	if (bb) {
		ofproto_lock();
		changed = ofproto_set_fail_mode(bb->ofp, bb->secure, bb->controllers, n_connected);
		ofproto_unlock();
		if (changed) {
			bridges_sweep(b, true);
		}
	}
}

/* ---- Meters: the datapath side of the bridges' meter tables ---- */

static int
meter_set(void *aux, uint32_t dp_id, const struct ofp_meter_mod *mm)
{
	struct bridges *b = aux;
	struct dp_meter_cfg cfg;

	if (!b->dp) {
		return 0; /* installed when the datapath starts */
	}
	memset(&cfg, 0, sizeof cfg);
	cfg.pktps = (mm->flags & OFPMF_PKTPS) != 0;
	cfg.n_bands = VS_MIN(mm->n_bands, (uint32_t)DP_METER_BANDS);
	for (uint32_t i = 0; i < cfg.n_bands; i++) {
		cfg.bands[i].type =
			mm->bands[i].type == OFPMBT_DROP ? DP_METER_DROP : DP_METER_DSCP;
		cfg.bands[i].prec_level = mm->bands[i].prec_level;
		cfg.bands[i].rate = mm->bands[i].rate;
		cfg.bands[i].burst = mm->bands[i].burst;
	}
	return dp_meter_set(b->dp, dp_id, &cfg);
}

static void
meter_del(void *aux, uint32_t dp_id)
{
	struct bridges *b = aux;

	if (b->dp) {
		dp_meter_del(b->dp, dp_id);
	}
}

static void
meter_stats(void *aux, uint32_t dp_id, struct ofproto_meter_stats *s)
{
	struct bridges *b = aux;
	struct dp_meter_stats st;

	if (b->dp && !dp_meter_get_stats(b->dp, dp_id, &st)) {
		s->packets = st.packets;
		s->bytes = st.bytes;
		for (int i = 0; i < DP_METER_BANDS && i < OFP_METER_BANDS; i++) {
			s->band_packets[i] = st.band_packets[i];
			s->band_bytes[i] = st.band_bytes[i];
		}
	}
}

struct bridges *
bridges_create(struct rte_mempool *mp, const cpu_set_t *cpus, const char *run_dir)
{
	struct bridges *b = calloc(1, sizeof *b);

	if (!b) {
		return NULL;
	}
	snprintf(b->run_dir, sizeof b->run_dir, "%s", run_dir);
	b->mp = mp;
	b->cpus = *cpus;
	b->ofc = ofconns_create(
		&(struct ofconn_hooks){b, of_sync, of_port, of_controllers, of_execute});
	b->caps = captures_create(b, run_dir);
	b->tunnels = tunnels_create();
	if (!b->ofc || !b->caps || !b->tunnels) {
		ofconns_destroy(b->ofc);
		captures_destroy(b->caps);
		tunnels_destroy(b->tunnels);
		free(b);
		return NULL;
	}
	return b;
}

static void
bport_free(struct bport *bp)
{
	if (bp) {
		json_decref(bp->iface);
		free(bp);
	}
}

/* Destroys the datapath, which closes every port. */
static void
stop_datapath(struct bridges *b)
{
	captures_stop_all(b->caps);
	dp_destroy(b->dp);
	b->dp = NULL;
	for (uint32_t i = 0; i < DP_MAX_PORTS; i++) {
		bport_free(b->ports[i]);
		b->ports[i] = NULL;
	}
}

void
bridges_destroy(struct bridges *b)
{
	if (b) {
		ofconns_destroy(b->ofc);
		stop_datapath(b);
		captures_destroy(b->caps);
		tunnels_destroy(b->tunnels);
		ofproto_lock();
		for (int i = 0; i < MAX_BRIDGES; i++) {
			ofstate_close(b->brs[i].st, false);
			ofproto_destroy(b->brs[i].ofp);
		}
		ofproto_unlock();
		free(b);
	}
}

static int
params_from_doc(const struct bridges *b, const json_t *doc, struct dp_params *p, char *err)
{
	const json_t *g = json_object_get(doc, "global");
	const char *mask = cfgdb_get_str(g, "pmd_cpu_mask", NULL);
	long long inv = cfgdb_get_int(g, "emc_insert_inv_prob", -1);

	memset(p, 0, sizeof *p);
	p->pmd_cpu_mask = mask ? strtoull(mask, NULL, 16) : bridges_default_pmd_mask(&b->cpus);
	for (int cpu = 0; cpu < 64; cpu++) {
		if ((p->pmd_cpu_mask & (1ull << cpu)) && !CPU_ISSET(cpu, &b->cpus)) {
			snprintf(err, BRIDGE_ERR_MAX,
				 "pmd_cpu_mask %s: CPU %d is not available to this process", mask,
				 cpu);
			return -EINVAL;
		}
	}
	p->emc_entries = (uint32_t)cfgdb_get_int(g, "emc_entries", 0);
	p->emc_inv_prob_set = inv >= 0;
	p->emc_inv_prob = inv >= 0 ? (uint32_t)inv : 0;
	return 0;
}

static bool
params_equal(const struct dp_params *a, const struct dp_params *b)
{
	return a->pmd_cpu_mask == b->pmd_cpu_mask && a->emc_entries == b->emc_entries &&
	       a->emc_inv_prob == b->emc_inv_prob && a->emc_inv_prob_set == b->emc_inv_prob_set;
}

static int
start_datapath(struct bridges *b, const struct dp_params *p, char *err)
{
	int ret;

	b->dp = dp_create(p);
	if (!b->dp) {
		ret = -errno;
		snprintf(err, BRIDGE_ERR_MAX, "cannot create the datapath: %s", strerror(errno));
		return ret;
	}
	dp_set_upcall(b->dp, bridge_upcall, b);
	dp_set_slow_path(b->dp, bridge_slow_path, b);
	ret = dp_start(b->dp);
	if (ret) {
		snprintf(err, BRIDGE_ERR_MAX, "cannot start the PMD threads: %s", strerror(-ret));
		stop_datapath(b);
		return ret;
	}
	b->params = *p;
	VLOG_INFO("bridge", "datapath started: pmd_cpu_mask=0x%llx, %u PMD context(s)",
		  (unsigned long long)p->pmd_cpu_mask, dp_n_pmds(b->dp));
	return 0;
}

/* The interface record of the port named 'name' in 'doc' and its bridge. */
static const json_t *
desired_iface(const json_t *doc, const char *name, const char **bridge)
{
	const json_t *port = cfgdb_port(doc, name, bridge);

	return port ? cfgdb_port_iface(port) : NULL;
}

/* The options a port type gets: the interface's options map and the
 * columns every type may take. Points into 'iface' and 'a'. */
struct port_args {
	struct port_opt opts[MAX_OPTS];
	size_t n;
	char mtu[16], path[300];
};

static int
port_args(const struct bridges *b, const char *name, const json_t *iface, struct port_args *a,
	  char *err)
{
	const char *key;
	json_t *v;

	a->n = 0;
	json_object_foreach (json_object_get(iface, "options"), key, v) {
		if (a->n == MAX_OPTS - 3) {
			snprintf(err, BRIDGE_ERR_MAX, "port %s: more than %d options", name,
				 MAX_OPTS - 3);
			return -EINVAL;
		}
		/* Open vSwitch's name for the socket of a client-mode port
		 * ('key' itself must stay: the loop steps on from it). */
		a->opts[a->n++] = (struct port_opt){strcmp(key, "vhost-server-path") ? key : "path",
						    json_string_value(v)};
	}
	if (json_object_get(iface, "mtu_request")) {
		snprintf(a->mtu, sizeof a->mtu, "%lld",
			 (long long)cfgdb_get_int(iface, "mtu_request", 1500));
		a->opts[a->n++] = (struct port_opt){"mtu_request", a->mtu};
	}
	if (json_object_get(iface, "mac")) {
		a->opts[a->n++] = (struct port_opt){"mac", cfgdb_get_str(iface, "mac", "")};
	}
	if (!strcmp(cfgdb_iface_type(iface), "vhost-user") &&
	    !json_object_get(json_object_get(iface, "options"), "path")) {
		snprintf(a->path, sizeof a->path, "%s/%s", b->run_dir, name);
		a->opts[a->n++] = (struct port_opt){"path", a->path};
	}
	for (int i = 0; i < 3 && !strcmp(cfgdb_iface_type(iface), "vhost-user"); i++) {
		if (b->sock_opt[i][0] &&
		    !json_object_get(json_object_get(iface, "options"), sock_opts[i])) {
			a->opts[a->n++] = (struct port_opt){sock_opts[i], b->sock_opt[i]};
		}
	}
	return 0;
}

/* True when port 'name' (running as 'bp', or not running) must be opened
 * anew for 'iface' on 'bridge'. */
static bool
needs_open(const struct bport *bp, const char *bridge, const json_t *iface)
{
	return !bp || !cfgdb_iface_settings_equal(iface, bp->iface) || strcmp(bridge, bp->bridge);
}

/* Refuses a pmd-rxq-affinity in the options of 'iface' that pins a queue
 * to a CPU of no PMD thread under 'pmd_mask'. */
static int
check_affinity(const char *name, const json_t *iface, uint64_t pmd_mask, char *err)
{
	const char *v = cfgdb_get_str(json_object_get(iface, "options"), "pmd-rxq-affinity", NULL);
	int16_t cpus[PORT_MAX_QUEUES];
	char perr[PORT_ERR_MAX];

	if (!v) {
		return 0;
	}
	if (port_parse_affinity(name, v, cpus, perr)) {
		snprintf(err, BRIDGE_ERR_MAX, "%s", perr);
		return -EINVAL;
	}
	for (int q = 0; q < PORT_MAX_QUEUES; q++) {
		if (cpus[q] >= 0 && (cpus[q] >= 64 || !(pmd_mask >> cpus[q] & 1))) {
			snprintf(err, BRIDGE_ERR_MAX,
				 "port %s: pmd-rxq-affinity pins queue %d to CPU %d, which runs no "
				 "PMD thread (pmd_cpu_mask 0x%llx)",
				 name, q, cpus[q], (unsigned long long)pmd_mask);
			return -EINVAL;
		}
	}
	return 0;
}

/* The test-only types need --test-dir, and their files must be under it. */
static int
check_test_only(const char *name, const json_t *iface, char *err)
{
	const char *type = cfgdb_iface_type(iface);
	int ret = test_dir_check_type(type, name, err, BRIDGE_ERR_MAX);

	if (ret || strcmp(type, "pcap")) {
		return ret;
	}
	for (int i = 0; i < 2 && !ret; i++) {
		const char *opt = i ? "tx_pcap" : "rx_pcap";
		const char *path = cfgdb_get_str(json_object_get(iface, "options"), opt, NULL);
		char what[64 + PORT_NAME_MAX];

		snprintf(what, sizeof what, "port %s: %s", name, opt);
		ret = path ? test_dir_check_path(what, path, err, BRIDGE_ERR_MAX) : 0;
	}
	return ret;
}

/* Refuses 'doc' if a port it would open has options its type would refuse,
 * or if a port would be pinned to a CPU that runs no PMD thread under the
 * new 'pmd_mask', before any running port is closed for it. */
static int
check_ports(struct bridges *b, const json_t *doc, uint64_t pmd_mask, char *err)
{
	const char *bname, *pname;
	json_t *br, *port;

	json_object_foreach (json_object_get(doc, "bridges"), bname, br) {
		json_object_foreach (json_object_get(br, "ports"), pname, port) {
			const json_t *iface = cfgdb_port_iface(port);
			struct port_args a;
			uint32_t no;
			int ret = check_affinity(pname, iface, pmd_mask, err);

			if (!ret) {
				ret = check_test_only(pname, iface, err);
			}
			if (ret) {
				return ret;
			}
			if (!bridges_port_no(b, pname, &no) &&
			    !needs_open(b->ports[no], bname, iface)) {
				continue;
			}
			ret = port_args(b, pname, iface, &a, err);
			if (!ret) {
				ret = port_check(cfgdb_iface_type(iface), pname, a.opts, a.n, err);
			}
			if (ret) {
				return ret;
			}
		}
	}
	return 0;
}

static void
close_stale_ports(struct bridges *b, const json_t *doc)
{
	for (uint32_t i = 0; i < DP_MAX_PORTS; i++) {
		struct bport *bp = b->ports[i];
		const char *bridge = NULL;
		const json_t *want;

		if (!bp) {
			continue;
		}
		want = desired_iface(doc, bp->name, &bridge);
		if (want && !needs_open(bp, bridge, want)) {
			continue;
		}
		VLOG_INFO("bridge", "removing port %s (datapath port %u) from %s", bp->name, i,
			  bp->bridge);
		/* Removed, or re-created with other settings: its kernel device
		 * goes too (a restart of the daemon or the datapath keeps it). */
		port_forget_device(dp_port_get(b->dp, i));
		dp_port_del(b->dp, i);
		bport_free(bp);
		b->ports[i] = NULL;
	}
}

static void sync_port(struct bridges *b, struct ofproto *ofp, const char *bname, const char *pname,
		      const json_t *port, uint32_t no);

/* Tells the bridge's OpenFlow side about port 'name' before it opens, so that
 * its first packets find it; or (port NULL) forgets it again. */
static void
register_port(struct bridges *b, const char *bridge, const char *name, const json_t *port, int no)
{
	struct ofproto *ofp;

	if (no < 0) {
		return;
	}
	ofproto_lock();
	ofp = bridges_ofproto(b, bridge);
	if (ofp && port) {
		sync_port(b, ofp, bridge, name, port, (uint32_t)no);
	} else if (ofp) {
		ofproto_port_del(ofp, name);
		b->by_dp[no] = NULL;
		tunnels_port_gone((uint32_t)no);
	}
	ofproto_unlock();
}

static int
open_port(struct bridges *b, const char *bridge, const char *name, const json_t *port_rec,
	  char *err)
{
	const json_t *iface = cfgdb_port_iface(port_rec);
	int next_no = dp_port_next_no(b->dp);
	struct port_args a;
	struct port *port;
	struct bport *bp;
	uint32_t port_no;
	int ret = port_args(b, name, iface, &a, err);

	if (!ret) {
		ret = check_test_only(name, iface, err);
	}
	if (!ret) {
		ret = check_affinity(name, iface, b->params.pmd_cpu_mask, err);
	}
	if (ret) {
		return ret;
	}
	ret = port_open(cfgdb_iface_type(iface), name, a.opts, a.n, b->mp, &port, err);
	if (ret) {
		return ret;
	}
	bp = calloc(1, sizeof *bp);
	if (!bp || !(bp->iface = json_deep_copy(iface))) {
		free(bp);
		port_close(port);
		snprintf(err, BRIDGE_ERR_MAX, "port %s: out of memory", name);
		return -ENOMEM;
	}
	register_port(b, bridge, name, port_rec, next_no);
	ret = dp_port_add(b->dp, port, &port_no);
	if (ret) {
		register_port(b, bridge, name, NULL, next_no);
		snprintf(err, BRIDGE_ERR_MAX, "port %s: cannot add it to the datapath: %s", name,
			 strerror(-ret));
		bport_free(bp);
		return ret;
	}
	snprintf(bp->name, sizeof bp->name, "%s", name);
	snprintf(bp->bridge, sizeof bp->bridge, "%s", bridge);
	bp->port_no = port_no;
	b->ports[port_no] = bp;
	VLOG_INFO("bridge", "added port %s (type %s) to %s as datapath port %u", name,
		  port_type(port), bridge, port_no);
	return 0;
}

static int
open_new_ports(struct bridges *b, const json_t *doc, char *err)
{
	const char *bname, *pname;
	char reason[BRIDGE_ERR_MAX];
	json_t *br, *port;
	uint32_t no;
	int ret = 0;

	/* Tries every port, so that at start one bad port does not keep the
	 * others down; reports the first failure. */
	json_object_foreach (json_object_get(doc, "bridges"), bname, br) {
		json_object_foreach (json_object_get(br, "ports"), pname, port) {
			if (!bridges_port_no(b, pname, &no)) {
				continue;
			}
			int r = open_port(b, bname, pname, port, reason);

			if (r && !ret) {
				ret = r;
				snprintf(err, BRIDGE_ERR_MAX, "%s", reason);
			}
		}
	}
	return ret;
}

static struct bbridge *
find_bridge(struct bridges *b, const char *name)
{
	for (int i = 0; i < MAX_BRIDGES; i++) {
		if (b->brs[i].ofp && !strcmp(b->brs[i].name, name)) {
			return &b->brs[i];
		}
	}
	return NULL;
}

static void
port_cfg_from_doc(const json_t *port, struct ofproto_port_cfg *cfg, uint16_t *trunks)
{
	const char *mode = cfgdb_get_str(port, "vlan_mode", NULL);
	const json_t *list = json_object_get(port, "trunks");
	size_t i;
	json_t *v;

	cfg->tag = (int)cfgdb_get_int(port, "tag", -1);
	cfg->vlan_mode = !mode ? (cfg->tag >= 0 ? OFPORT_VLAN_ACCESS : OFPORT_VLAN_TRUNK)
			 : !strcmp(mode, "access")          ? OFPORT_VLAN_ACCESS
			 : !strcmp(mode, "native-tagged")   ? OFPORT_VLAN_NATIVE_TAGGED
			 : !strcmp(mode, "native-untagged") ? OFPORT_VLAN_NATIVE_UNTAGGED
							    : OFPORT_VLAN_TRUNK;
	if (cfg->vlan_mode == OFPORT_VLAN_TRUNK) {
		cfg->tag = -1;
	}
	cfg->n_trunks = 0;
	json_array_foreach (list, i, v) {
		if (cfg->n_trunks < 4096) {
			trunks[cfg->n_trunks++] = (uint16_t)json_integer_value(v);
		}
	}
	cfg->trunks = trunks;
}

struct names {
	char (*v)[PORT_NAME_MAX];
	uint32_t n;
};

static void
collect_port(void *aux, const struct ofproto_port_info *p)
{
	struct names *names = aux;

	snprintf(names->v[names->n++], PORT_NAME_MAX, "%s", p->name);
}

/* Makes one bridge's OpenFlow ports match 'br' and the running ports. */
static void
sync_ports(struct bridges *b, struct ofproto *ofp, const char *bname, const json_t *br)
{
	static char buf[DP_MAX_PORTS][PORT_NAME_MAX];
	struct names names = {buf, 0};
	const char *pname;
	json_t *port;

	ofproto_port_dump(ofp, collect_port, &names);
	for (uint32_t i = 0; i < names.n; i++) {
		uint32_t no;

		if (!json_object_get(json_object_get(br, "ports"), names.v[i]) ||
		    bridges_port_no(b, names.v[i], &no)) {
			ofproto_port_del(ofp, names.v[i]);
		}
	}
	json_object_foreach (json_object_get(br, "ports"), pname, port) {
		uint32_t no;

		if (!bridges_port_no(b, pname, &no)) {
			sync_port(b, ofp, bname, pname, port, no);
		}
	}
}

/* OpenFlow port numbers held by ports other than 'except'. */
struct numbers {
	const char *except;
	uint8_t used[4096 / 8];
};

static void
collect_number(void *aux, const struct ofproto_port_info *p)
{
	struct numbers *x = aux;

	if (strcmp(p->name, x->except) && p->ofp_port < 4096) {
		x->used[p->ofp_port / 8] |= (uint8_t)(1 << (p->ofp_port % 8));
	}
}

/* The OpenFlow number port 'pname' asks for: its ofport_request, else the
 * number it had before (its interface's "ofport" in the database, else the
 * one kept in the bridge's state: a port removed and added again), else
 * the lowest that neither another port holds nor another name had. */
static uint32_t
port_number_request(const struct bbridge *bb, struct ofproto *ofp, const char *pname,
		    const json_t *port)
{
	uint32_t no = (uint32_t)cfgdb_get_int(cfgdb_port_iface(port), "ofport_request", 0);
	struct numbers x = {.except = pname};

	if (!no) {
		no = (uint32_t)cfgdb_get_int(cfgdb_port_iface(port), "ofport", 0);
		no = no == OFPP_LOCAL_DB ? 0 : no;
	}
	if (no || !bb || !bb->st) {
		return no;
	}
	no = ofstate_port_number(bb->st, pname);
	if (no) {
		return no;
	}
	ofproto_port_dump(ofp, collect_number, &x);
	for (no = 1; no < 4096; no++) {
		if (!(x.used[no / 8] & (1 << (no % 8))) &&
		    !ofstate_port_reserved(bb->st, no, pname)) {
			return no;
		}
	}
	return 0;
}

static void
sync_port(struct bridges *b, struct ofproto *ofp, const char *bname, const char *pname,
	  const json_t *port, uint32_t no)
{
	static uint16_t trunks[4096];
	struct ofproto_port_cfg cfg = {.name = pname};
	struct bbridge *bb = find_bridge(b, bname);
	uint32_t ofp_port;

	port_cfg_from_doc(port, &cfg, trunks);
	cfg.dp_port = no;
	cfg.ofp_port_request = port_number_request(bb, ofp, pname, port);
	if (!strcmp(pname, bname)) {
		cfg.ofp_port_request = OFPP_LOCAL; /* the bridge's own port */
	}
	if (ofproto_port_set(ofp, &cfg, &ofp_port)) {
		VLOG_WARN("bridge", "%s: port %s: OpenFlow port %u is taken", bname, pname,
			  cfg.ofp_port_request);
		cfg.ofp_port_request = 0;
		ofproto_port_set(ofp, &cfg, &ofp_port);
	}
	if (bb && bb->st && ofp_port != OFPP_LOCAL) {
		ofstate_port_set(bb->st, pname, ofp_port);
	}
	b->by_dp[no] = ofp;
	tunnels_sync_port(no, pname, cfgdb_port_iface(port));
}

/* The datapath id: the configured one, else one derived from the name
 * (stable across restarts). */
static uint64_t
bridge_dpid(const char *name, const json_t *br)
{
	const char *s = cfgdb_get_str(br, "datapath_id", NULL);
	uint64_t h = 14695981039346656037ull;

	if (s) {
		return strtoull(s, NULL, 16);
	}
	for (const char *c = name; *c; c++) {
		h = (h ^ (uint8_t)*c) * 1099511628211ull;
	}
	return h & 0x0000ffffffffffffull;
}

/* Every bridge listens on punix:RUNDIR/BRIDGE.mgmt, as Open vSwitch does,
 * so that "ovs-ofctl dump-flows BRIDGE" finds it (with OVS_RUNDIR set to
 * the run directory). */
enum { MGMT_TARGETS_MAX = 8, SUN_PATH_MAX = 107 };

static int
sync_controllers(struct bridges *b, struct bbridge *bb, const json_t *br, char *err)
{
	const json_t *list = json_object_get(br, "controllers");
	const char *targets[16];
	char mgmt[300];
	size_t n = 0, i;
	bool have_mgmt = false;
	json_t *v;

	snprintf(mgmt, sizeof mgmt, "punix:%s/%s.mgmt", b->run_dir, bb->name);
	json_array_foreach (list, i, v) {
		if (n < 16) {
			targets[n] = json_string_value(v);
			have_mgmt |= !strcmp(targets[n], mgmt);
			n++;
		}
	}
	bb->controllers = ofconns_count_controllers(targets, n);
	if (have_mgmt) {
		/* configured by hand already */
	} else if (strlen(mgmt) - strlen("punix:") > SUN_PATH_MAX || n >= MGMT_TARGETS_MAX) {
		VLOG_WARN("bridge", "bridge %s: no management socket %s (%s)", bb->name, mgmt + 6,
			  n >= MGMT_TARGETS_MAX ? "every controller slot is taken"
						: "the path is too long for a unix socket");
	} else {
		targets[n++] = mgmt;
	}
	return ofconns_set_bridge(b->ofc, bb->name, bb->ofp, bridge_dpid(bb->name, br), targets, n,
				  err, BRIDGE_ERR_MAX);
}

/* Makes the OpenFlow bridges match 'doc'. Takes the ofproto lock. */
/* A new bridge: its OpenFlow state from disk, before any port forwards. */
static void
restore_state(struct bridges *b, struct bbridge *bb)
{
	char err[256];

	if (!b->state_dir[0]) {
		return;
	}
	bb->st = ofstate_open(b->state_dir, bb->name, err);
	if (!bb->st) {
		VLOG_ERR("bridge", "%s: its OpenFlow state will not be kept: %s", bb->name, err);
		return;
	}
	ofstate_load(bb->st, bb->ofp, bridges_now_ms());
}

static int
sync_ofprotos(struct bridges *b, const json_t *doc, char *err)
{
	const char *bname;
	json_t *br;
	int ret = 0;

	ofproto_lock();
	memset(b->by_dp, 0, sizeof b->by_dp);
	for (int i = 0; i < MAX_BRIDGES; i++) {
		if (b->brs[i].ofp && !cfgdb_bridge(doc, b->brs[i].name)) {
			ofconns_del_bridge(b->ofc, b->brs[i].name);
			/* A deleted bridge's flows are gone for good. */
			ofstate_close(b->brs[i].st, true);
			b->brs[i].st = NULL;
			ofproto_destroy(b->brs[i].ofp);
			b->brs[i].ofp = NULL;
		}
	}
	json_object_foreach (json_object_get(doc, "bridges"), bname, br) {
		struct bbridge *bb = find_bridge(b, bname);
		bool secure = !strcmp(cfgdb_get_str(br, "fail_mode", "standalone"), "secure");

		for (int i = 0; !bb && i < MAX_BRIDGES; i++) {
			if (!b->brs[i].ofp) {
				bb = &b->brs[i];
				snprintf(bb->name, sizeof bb->name, "%s", bname);
				bb->secure = secure;
				bb->ofp = ofproto_create(bname, secure, bridges_now_ms());
				if (!bb->ofp) {
					snprintf(err, BRIDGE_ERR_MAX, "bridge %s: out of memory",
						 bname);
					ret = -ENOMEM;
					break;
				}
				ofproto_set_meter_backend(
					bb->ofp, &(struct ofproto_meter_backend){
							 meter_set, meter_del, meter_stats, b});
				restore_state(b, bb);
			}
		}
		if (!bb || !bb->ofp) {
			if (!ret) {
				snprintf(err, BRIDGE_ERR_MAX, "more than %d bridges", MAX_BRIDGES);
				ret = -ENOSPC;
			}
			continue;
		}
		ofproto_set_mac_limits(bb->ofp, (uint32_t)cfgdb_get_int(br, "mac_aging_time", 0),
				       (uint32_t)cfgdb_get_int(br, "mac_table_size", 0));
		sync_ports(b, bb->ofp, bname, br);
		if (sync_controllers(b, bb, br, err) && !ret) {
			ret = -EINVAL;
		}
		if (bb->secure && !secure) {
			/* secure -> standalone: NORMAL is back at once. */
			ofproto_set_standalone_flow(bb->ofp, bridges_now_ms());
		}
		bb->secure = secure;
		ofproto_set_fail_mode(bb->ofp, secure, bb->controllers,
				      ofconns_n_controllers_up(b->ofc, bname));
	}
	for (uint32_t i = 0; i < DP_MAX_PORTS; i++) {
		if (!b->by_dp[i]) {
			tunnels_port_gone(i); /* no bridge has it now */
		}
	}
	ofproto_unlock();
	return ret;
}

/* The global socket_owner, socket_group and socket_mode: checked, kept
 * for the vhost-user ports opened from now on, and given to the OpenFlow
 * unix listeners (which take them at once). */
static int
set_socket_defaults(struct bridges *b, const json_t *global, char *err)
{
	const char *v[3];
	struct sockperm sp;
	char why[BRIDGE_ERR_MAX - 32];

	for (int i = 0; i < 3; i++) {
		v[i] = cfgdb_get_str(global, sock_cols[i], NULL);
	}
	if (sockperm_parse(&sp, v[0], v[1], v[2], why, sizeof why)) {
		snprintf(err, BRIDGE_ERR_MAX, "global: %s", why);
		return -EINVAL;
	}
	for (int i = 0; i < 3; i++) {
		snprintf(b->sock_opt[i], sizeof b->sock_opt[i], "%s", v[i] ? v[i] : "");
	}
	ofconns_set_socket_perm(b->ofc, &sp);
	return 0;
}

/* TLS: the files of the global ssl_private_key, ssl_certificate and
 * ssl_ca_cert, loaded when a name or a file's modification time changes,
 * and tried again while they fail to load (bridges_tls_retry()). */
static const char *const tls_cols[3] = {"ssl_private_key", "ssl_certificate", "ssl_ca_cert"};

static int
load_tls(struct bridges *b, char *err)
{
	struct timespec mtime[3] = {{0}};
	bool same = b->tls_loaded;
	const char *v[3];
	int ret;

	for (int i = 0; i < 3; i++) {
		struct stat st;

		v[i] = b->tls_files[i][0] ? b->tls_files[i] : NULL;
		if (v[i] && !stat(v[i], &st)) {
			mtime[i] = st.st_mtim;
		}
		same = same && !memcmp(&mtime[i], &b->tls_mtime[i], sizeof mtime[i]);
	}
	if (same) {
		return 0;
	}
	ret = ofconns_set_tls(b->ofc, v[0], v[1], v[2], err, BRIDGE_ERR_MAX);
	b->tls_loaded = !ret;
	if (ret) {
		return ret;
	}
	memcpy(b->tls_mtime, mtime, sizeof mtime);
	if (v[0]) {
		VLOG_INFO("bridge", "TLS: key %s, certificate %s, CA %s", v[0], v[1], v[2]);
	}
	return 0;
}

/* Takes the TLS files of the configuration 'doc' (the three, or none) and
 * loads them; TLS targets need them. A change that fails is undone. */
static int
set_tls(struct bridges *b, const json_t *doc, char *err)
{
	const json_t *global = json_object_get(doc, "global");
	char old[3][PATH_MAX];
	bool changed = false, was_loaded = b->tls_loaded;
	const char *bname;
	json_t *br;
	int ret = 0;

	for (int i = 0; i < 3; i++) {
		const char *v = cfgdb_get_str(global, tls_cols[i], "");

		memcpy(old[i], b->tls_files[i], sizeof old[i]);
		changed |= strcmp(v, b->tls_files[i]) != 0;
		snprintf(b->tls_files[i], sizeof b->tls_files[i], "%s", v);
	}
	if (changed) {
		b->tls_loaded = false;
	}
	json_object_foreach (json_object_get(doc, "bridges"), bname, br) {
		size_t i;
		json_t *t;

		json_array_foreach (json_object_get(br, "controllers"), i, t) {
			const char *s = json_string_value(t);

			if (!ret && !b->tls_files[0][0] &&
			    (!strncmp(s, "ssl:", 4) || !strncmp(s, "pssl:", 5))) {
				snprintf(err, BRIDGE_ERR_MAX,
					 "bridge %s: controller target '%s' uses TLS: switch-ctl "
					 "set-ssl PRIVATE-KEY CERTIFICATE CA-CERT first (or remove "
					 "the target)",
					 bname, s);
				ret = -EINVAL;
			}
		}
	}
	if (!ret) {
		ret = load_tls(b, err);
	}
	if (ret && b->dp) {
		/* A change, refused whole: the files stay as they were. */
		memcpy(b->tls_files, old, sizeof old);
		b->tls_loaded = was_loaded;
	}
	return ret;
}

void
bridges_tls_retry(struct bridges *b)
{
	uint64_t now = bridges_now_ms();
	char err[BRIDGE_ERR_MAX];
	bool was = b->tls_loaded;

	if (now < b->next_tls_check_ms || !b->tls_files[0][0]) {
		return;
	}
	b->next_tls_check_ms = now + TLS_CHECK_MS;
	if (load_tls(b, err) && (was || now >= b->next_tls_warn_ms)) {
		VLOG_ERR("bridge", "TLS: %s", err);
		b->next_tls_warn_ms = now + 60000;
	}
}

int
bridges_reconfigure(struct bridges *b, const json_t *doc, char *err)
{
	struct dp_params p;
	int ret = params_from_doc(b, doc, &p, err);

	if (!ret) {
		ret = set_socket_defaults(b, json_object_get(doc, "global"), err);
		if (!ret) {
			ret = set_tls(b, doc, err);
		}
		/* At start, a certificate file gone or a group deleted since
		 * the database was written must not keep the switch down: it
		 * runs without (TLS targets then fail on their own). */
		if (ret && !b->dp) {
			VLOG_ERR("bridge", "starting without it: %s", err);
			ret = 0;
		}
	}
	/* A change is refused whole if a port it opens would refuse its
	 * options; at start (no datapath yet) each port is tried on its own,
	 * so that one bad port does not keep the others down. */
	if (ret || (b->dp && (ret = check_ports(b, doc, p.pmd_cpu_mask, err)) != 0)) {
		return ret;
	}
	if (b->dp && !params_equal(&p, &b->params)) {
		VLOG_INFO("bridge", "datapath tuning changed: restarting the datapath");
		stop_datapath(b);
	}
	if (!b->dp) {
		if ((ret = start_datapath(b, &p, err))) {
			return ret;
		}
		/* A new datapath: the bridges' meters go into it. */
		ofproto_lock();
		for (int i = 0; i < MAX_BRIDGES; i++) {
			if (b->brs[i].ofp) {
				ofproto_meters_reinstall(b->brs[i].ofp);
			}
		}
		ofproto_unlock();
	}
	close_stale_ports(b, doc);
	dp_set_upcall_limit(b->dp,
			    (uint32_t)cfgdb_get_int(json_object_get(doc, "global"),
						    "upcall_rate_limit", UPCALL_RATE),
			    (uint32_t)cfgdb_get_int(json_object_get(doc, "global"), "upcall_burst",
						    UPCALL_BURST));
	dp_set_pmd_max_sleep(b->dp,
			     (uint32_t)cfgdb_get_int(json_object_get(doc, "global"),
						     "pmd_max_sleep_us", DP_PMD_MAX_SLEEP_US));
	dp_set_tx_flush_interval(b->dp, (uint32_t)cfgdb_get_int(json_object_get(doc, "global"),
								"tx_flush_interval_us", 0));
	ofconns_set_listener_limit(b->ofc, (uint32_t)cfgdb_get_int(json_object_get(doc, "global"),
								   "listener_max_conns", 0));
	/* The forwarding behind every megaflow may have changed; new ports
	 * learn theirs under the new configuration. */
	dp_flow_flush(b->dp);
	ret = sync_ofprotos(b, doc, err);
	if (!ret) {
		ret = open_new_ports(b, doc, err);
	}
	if (ret) {
		char ignored[BRIDGE_ERR_MAX];

		sync_ofprotos(b, doc, ignored);
	}
	bridges_sweep(b, true);
	return ret;
}

/* The link state of every port (fast-failover groups watch them), read
 * without the ofproto lock. */
static void
read_links(struct bridges *b)
{
	struct port_status *st = malloc(sizeof *st);

	for (uint32_t i = 0; i < DP_MAX_PORTS; i++) {
		struct port *port = b->ports[i] ? dp_port_get(b->dp, i) : NULL;

		/* A link the switch cannot see (a TAP moved to another
		 * namespace) counts as up. */
		b->link[i] = 0;
		if (st && port && !port_get_status(port, st)) {
			b->link[i] = st->link == 0 ? -1 : 1;
		}
	}
	free(st);
}

/* Revalidates the megaflows of every bridge (force: now; else when the
 * interval is over or changes wait, 'changes_only': only if changes wait).
 * Returns whether the sweep ran. */
static bool
sweep(struct bridges *b, bool force, bool changes_only)
{
	uint64_t now = bridges_now_ms();
	bool timer = now >= b->next_sweep_ms, wanted = force || timer;
	bool changed = false;
	unsigned int n_deleted;

	if (!b->dp) {
		return false;
	}
	if (wanted) {
		read_links(b);
	}
	ofproto_lock();
	if (tnl_generation() != b->tnl_gen) {
		/* A neighbour, route or tunnel changed: every translation may. */
		b->tnl_gen = tnl_generation();
		for (int i = 0; i < MAX_BRIDGES; i++) {
			if (b->brs[i].ofp) {
				ofproto_revalidate_all(b->brs[i].ofp);
			}
		}
		wanted = true;
	}
	wanted |= tunnels_sync_optmaps(b->dp, b->by_dp);
	if (wanted) {
		for (uint32_t i = 0; i < DP_MAX_PORTS; i++) {
			if (b->by_dp[i] && b->link[i]) {
				ofproto_port_set_link(b->by_dp[i], i, b->link[i] > 0);
			}
		}
	}
	for (int i = 0; i < MAX_BRIDGES; i++) {
		if (b->brs[i].ofp) {
			changed |= ofproto_run(b->brs[i].ofp, now);
		}
	}
	/* Changes that no barrier waits for (a stream of flow mods, MAC
	 * moves) are swept together, with at least twice the time the last
	 * sweep took in between: a flood of flow mods cannot turn into a
	 * flood of sweeps that each wait for the PMD threads. */
	wanted |= changed && now >= b->next_change_sweep_ms;
	if (changes_only) {
		wanted = changed;
	}
	if (!wanted) {
		ofproto_unlock();
		return false;
	}
	for (int i = 0; i < MAX_BRIDGES; i++) {
		if (b->brs[i].ofp) {
			ofproto_sweep_begin(b->brs[i].ofp);
		}
	}
	b->sweep_now = now;
	n_deleted = dp_flow_revalidate(b->dp, sweep_one, b);
	for (int i = 0; i < MAX_BRIDGES; i++) {
		if (b->brs[i].ofp) {
			ofproto_sweep_end(b->brs[i].ofp);
		}
	}
	ofproto_unlock();
	/* A megaflow that was kept does what the new tables say: only deleted
	 * ones need the PMD threads to pass a quiescent state (and the timer
	 * reclaims whatever else was retired). */
	if (n_deleted || timer || !changes_only) {
		dp_flow_sync(b->dp);
	}
	if (timer) {
		b->next_sweep_ms = now + SWEEP_INTERVAL_MS;
	}
	b->next_change_sweep_ms =
		now + VS_MAX((uint64_t)SWEEP_GAP_MS, 3 * (bridges_now_ms() - now));
	return true;
}

/* Writes every bridge's OpenFlow state changes (before an
 * acknowledgement; the main loop's calls sync them). */
static void
flush_states(struct bridges *b)
{
	uint64_t now = bridges_now_ms();

	for (int i = 0; i < MAX_BRIDGES; i++) {
		if (b->brs[i].st) {
			ofstate_flush(b->brs[i].st, now);
		}
	}
}

void
bridges_sweep(struct bridges *b, bool force)
{
	if (b->dp) {
		tunnels_run(b->tunnels, b->dp, b->mp, bridges_now_ms());
	}
	sweep(b, force, false);
	flush_states(b);
}

void
bridges_sweep_changes(struct bridges *b)
{
	sweep(b, false, true);
	flush_states(b);
}

void
bridges_set_state_dir(struct bridges *b, const char *dir)
{
	snprintf(b->state_dir, sizeof b->state_dir, "%s", dir ? dir : "");
}

struct ofproto *
bridges_ofproto(struct bridges *b, const char *name)
{
	struct bbridge *bb = find_bridge(b, name);

	return bb ? bb->ofp : NULL;
}

struct captures *
bridges_captures(struct bridges *b)
{
	return b->caps;
}

struct tunnels *
bridges_tunnels(struct bridges *b)
{
	return b->tunnels;
}

struct dp *
bridges_dp(struct bridges *b)
{
	return b->dp;
}

static struct bbridge *
state_of(struct bridges *b, const char *name, char *err)
{
	struct bbridge *bb = find_bridge(b, name);

	if (!bb) {
		snprintf(err, BRIDGE_ERR_MAX, "no bridge named %.64s", name);
	} else if (!bb->st) {
		snprintf(err, BRIDGE_ERR_MAX, "the OpenFlow state of bridge %.64s is not kept (%s)",
			 name,
			 b->state_dir[0] ? "its files could not be opened at start: see the log"
					 : "vswitchd --state-dir none");
	}
	return bb && bb->st ? bb : NULL;
}

int
bridges_state_stats(struct bridges *b, const char *name, struct ofstate_stats *st, char *err)
{
	struct bbridge *bb = state_of(b, name, err);

	if (!bb) {
		return -ENOENT;
	}
	ofstate_get_stats(bb->st, st);
	return 0;
}

struct keep_ports {
	struct bridges *b;
	struct ofproto *ofp;
};

static bool
port_is_on(void *aux, const char *name)
{
	struct keep_ports *k = aux;
	uint32_t no;

	return !bridges_port_no(k->b, name, &no) && k->b->by_dp[no] == k->ofp;
}

int
bridges_state_save(struct bridges *b, const char *name, bool reset, char *err)
{
	struct bbridge *bb = state_of(b, name, err);

	if (!bb) {
		return -ENOENT;
	}
	if (reset) {
		struct ofp_flow_mod flows = {
			.command = OFPFC_DELETE, .table_id = OFPTT_ALL, .out_port = OFPP_ANY};
		struct ofp_group_mod groups = {.command = OFPGC_DELETE, .group_id = OFPG_ALL};
		struct ofp_meter_mod meters = {.command = OFPMC_DELETE, .meter_id = OFPM_ALL};
		struct keep_ports k = {b, bb->ofp};
		uint64_t now = bridges_now_ms();
		char reason[OFP_ERR_MAX];

		/* As a new bridge starts, but its ports keep their numbers. */
		match_init_catchall(&flows.match);
		ofp_insts_init(&flows.insts);
		ofproto_lock();
		ofproto_flow_mod(bb->ofp, &flows, now, reason);
		ofproto_group_mod(bb->ofp, &groups, now, reason);
		ofproto_meter_mod(bb->ofp, &meters, now, reason);
		if (!bb->secure) {
			ofproto_set_standalone_flow(bb->ofp, now);
		}
		ofstate_forget_ports(bb->st, port_is_on, &k);
		ofproto_unlock();
		VLOG_INFO("bridge", "%s: OpenFlow tables reset", bb->name);
		bridges_sweep(b, true);
	}
	return ofstate_save(bb->st, err);
}

bool
bridges_record_ofports(struct bridges *b, json_t *doc)
{
	const char *bname, *pname;
	json_t *br, *port;
	bool changed = false;

	ofproto_lock();
	json_object_foreach (json_object_get(doc, "bridges"), bname, br) {
		json_object_foreach (json_object_get(br, "ports"), pname, port) {
			json_t *iface = cfgdb_port_iface(port);
			uint32_t no, ofp_port;

			if (!iface || bridges_port_no(b, pname, &no) || !b->by_dp[no]) {
				continue;
			}
			ofp_port = ofproto_port_of_dp(b->by_dp[no], no);
			ofp_port = ofp_port == OFPP_LOCAL ? OFPP_LOCAL_DB : ofp_port;
			if (ofp_port && ofp_port <= OFPP_LOCAL_DB &&
			    cfgdb_get_int(iface, "ofport", 0) != ofp_port) {
				json_object_set_new(iface, "ofport", json_integer(ofp_port));
				changed = true;
			}
		}
	}
	ofproto_unlock();
	return changed;
}

int
bridges_port_no(const struct bridges *b, const char *name, uint32_t *port_no)
{
	for (uint32_t i = 0; i < DP_MAX_PORTS; i++) {
		if (b->ports[i] && !strcmp(b->ports[i]->name, name)) {
			*port_no = i;
			return 0;
		}
	}
	return -ENOENT;
}

const char *
bridges_port_name(const struct bridges *b, uint32_t port_no)
{
	return port_no < DP_MAX_PORTS && b->ports[port_no] ? b->ports[port_no]->name : NULL;
}

struct ofconns *
bridges_ofconns(struct bridges *b)
{
	return b->ofc;
}

struct rte_mempool *
bridges_mempool(struct bridges *b)
{
	return b->mp;
}
