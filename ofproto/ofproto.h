/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bridge's forwarding logic: 255 OpenFlow flow tables, the ports as
 * OpenFlow sees them (numbers, VLAN modes), the MAC learning table of
 * NORMAL, and the translation of a packet through all of it into datapath
 * actions plus a megaflow mask.
 *
 * Threads and locking. The control thread changes tables, ports and
 * configuration; PMD threads translate packets on a datapath miss (upcall),
 * which also learns MAC addresses. Every call into this module, from either
 * side, is made with ofproto_lock() held (the miss path may block on it; the
 * hit path never comes here). The lock must not be held across a datapath
 * call that waits for the PMD threads (dp_flow_sync, dp_flow_flush,
 * dp_port_del): a PMD thread may be waiting for the lock in an upcall.
 *
 * Megaflows and revalidation. Every megaflow a translation produces gets a
 * ufid and a record here (the rules it went through, the MAC it learned):
 * statistics pushed from the datapath reach those rules and keep those MACs
 * alive, and a change to the tables or the MAC table marks what it may
 * affect. The caller then sweeps the datapath's megaflows through
 * ofproto_sweep_flow() (with dp_flow_revalidate()), which re-translates
 * only the megaflows a change may touch and deletes those whose actions or
 * mask would differ.
 */
#ifndef VS_OFPROTO_H
#define VS_OFPROTO_H

#include <stdbool.h>
#include <stdint.h>

#include "dp.h"
#include "ds.h"
#include "ofp_action.h"
#include "ofp_match.h"

struct ofproto;

void ofproto_lock(void);
void ofproto_unlock(void);

/* Creates a bridge named 'name' with no ports. Unless 'secure', it starts
 * with the table-miss flow "priority=0,actions=NORMAL" (created at
 * 'now_ms'). NULL on ENOMEM. */
struct ofproto *ofproto_create(const char *name, bool secure, uint64_t now_ms);
void ofproto_destroy(struct ofproto *ofp);
const char *ofproto_name(const struct ofproto *ofp);

/* ---- Ports ---- */

enum ofport_vlan_mode {
	OFPORT_VLAN_TRUNK,
	OFPORT_VLAN_ACCESS,
	OFPORT_VLAN_NATIVE_TAGGED,
	OFPORT_VLAN_NATIVE_UNTAGGED,
};

struct ofproto_port_cfg {
	const char *name;
	uint32_t ofp_port_request; /* 0: the lowest free number */
	uint32_t dp_port;
	enum ofport_vlan_mode vlan_mode;
	int tag;                /* -1: none */
	const uint16_t *trunks; /* VLANs of a trunk; none: all */
	uint32_t n_trunks;
};

/* Adds the port or updates it (by name). Writes its OpenFlow number to
 * '*ofp_port'. Returns 0, -EEXIST (the requested number is taken),
 * -ENOSPC, -EINVAL. Marks every megaflow for revalidation. */
int ofproto_port_set(struct ofproto *ofp, const struct ofproto_port_cfg *cfg, uint32_t *ofp_port);
/* Removes the port named 'name' (and its MAC entries); -ENOENT. */
int ofproto_port_del(struct ofproto *ofp, const char *name);
/* The OpenFlow port of datapath port 'dp_port', or 0. */
uint32_t ofproto_port_of_dp(const struct ofproto *ofp, uint32_t dp_port);
/* For text parsing and printing, names <-> OpenFlow numbers. */
struct ofp_port_names ofproto_port_names(struct ofproto *ofp);

struct ofproto_port_info {
	const char *name;
	uint32_t ofp_port, dp_port;
	enum ofport_vlan_mode vlan_mode;
	int tag;
	uint64_t vlan_drops; /* frames NORMAL dropped for their VLAN */
	uint32_t config;     /* OFPPC_* set by port-mod */
};
void ofproto_port_dump(const struct ofproto *ofp,
		       void (*cb)(void *aux, const struct ofproto_port_info *p), void *aux);

/* OpenFlow port configuration bits a port-mod may set. */
enum {
	OFPPC_PORT_DOWN = 1 << 0,    /* neither receives nor sends */
	OFPPC_NO_RECV = 1 << 2,      /* drops what it receives */
	OFPPC_NO_FWD = 1 << 5,       /* sends nothing */
	OFPPC_NO_PACKET_IN = 1 << 6, /* its packets go to no controller */
	OFPPC_SUPPORTED = OFPPC_PORT_DOWN | OFPPC_NO_RECV | OFPPC_NO_FWD | OFPPC_NO_PACKET_IN,
};

/* Sets the 'mask' bits of OpenFlow port 'ofp_port''s configuration to
 * 'config'. Returns 0, -ENOENT (no such port) or -EINVAL (a bit outside
 * OFPPC_SUPPORTED). */
int ofproto_port_mod(struct ofproto *ofp, uint32_t ofp_port, uint32_t config, uint32_t mask);

/* The link state of datapath port 'dp_port' (fast-failover groups watch
 * it); a change marks every megaflow for revalidation. */
void ofproto_port_set_link(struct ofproto *ofp, uint32_t dp_port, bool up);

/* Every megaflow of the bridge must be translated again (something its
 * translations read outside the bridge changed: a tunnel's route). */
void ofproto_revalidate_all(struct ofproto *ofp);

/* ---- Configuration ---- */

/* MAC table aging (seconds) and size; 0 keeps the default. */
void ofproto_set_mac_limits(struct ofproto *ofp, uint32_t aging_s, uint32_t max_entries);
/* A bridge that becomes standalone gets the table-miss flow a new one
 * starts with ("priority=0,actions=NORMAL" in table 0), unless table 0
 * has a priority-0 catch-all flow already. */
void ofproto_set_standalone_flow(struct ofproto *ofp, uint64_t now_ms);
/* Fail mode and controllers: with controllers configured but none
 * connected, a standalone bridge switches by NORMAL alone. True when that
 * changed: the megaflows want a sweep. */
bool ofproto_set_fail_mode(struct ofproto *ofp, bool secure, uint32_t n_controllers,
			   uint32_t n_connected);

/* Whether a table miss sends the packet to the controllers, as OpenFlow
 * 1.0 says (1.3 drops it): on while a controller speaks 1.0. True when that
 * changed: the megaflows want a sweep. */
bool ofproto_set_miss_to_controller(struct ofproto *ofp, bool on);

/* ---- Flow tables ---- */

enum ofp_flow_mod_cmd {
	OFPFC_ADD,
	OFPFC_MODIFY,
	OFPFC_MODIFY_STRICT,
	OFPFC_DELETE,
	OFPFC_DELETE_STRICT,
};

enum {
	OFPFF_SEND_FLOW_REM = 1 << 0,
	OFPFF_CHECK_OVERLAP = 1 << 1,
	OFPFF_RESET_COUNTS = 1 << 2,
	OFPFF_NO_PKT_COUNTS = 1 << 3,
	OFPFF_NO_BYT_COUNTS = 1 << 4,
	OFPTT_ALL = 0xff,
};

struct ofp_flow_mod {
	enum ofp_flow_mod_cmd command;
	uint8_t table_id; /* OFPTT_ALL for modify and delete: every table */
	struct match match;
	uint16_t priority;
	uint64_t cookie, cookie_mask; /* modify/delete: filter; add: cookie */
	uint16_t idle_timeout, hard_timeout, flags;
	uint32_t out_port;  /* delete: filter (OFPP_ANY: none) */
	bool has_out_group; /* delete, flow stats: filter on ... */
	uint32_t out_group; /* ... rules that send to this group */
	struct ofp_insts insts;
};

/* Parses an ovs-ofctl flow ("table=1,priority=10,ip,nw_dst=10.0.0.0/8,
 * actions=output:2") for 'cmd'. Add and modify need actions; delete takes
 * none. Defaults: table 0 for add (all tables for modify and delete),
 * priority 32768. Returns 0 or -EINVAL with a reason in 'err'; on success
 * the caller owns fm->insts. */
int ofp_flow_mod_parse(struct ofp_flow_mod *fm, const char *s, enum ofp_flow_mod_cmd cmd,
		       const struct ofp_port_names *names, char *err);

/* Applies a flow mod with OpenFlow 1.3 rules. Returns 0 or -EINVAL/-EEXIST
 * (check_overlap)/-ENOSPC (the table is full)/-ENOMEM with a reason in
 * 'err'. Borrows fm->insts. Strict commands and adds cost O(1) expected;
 * non-strict modify and delete visit every flow of the tables they name. */
int ofproto_flow_mod(struct ofproto *ofp, const struct ofp_flow_mod *fm, uint64_t now_ms,
		     char *err);

/* Applies the 'n' flow mods of 'fms' in order, all or none (an OpenFlow
 * bundle's commit): when one fails, what the ones before it changed is
 * undone, its index is put in '*failed' and its error returned (the
 * reason in 'err'); flow-removed notices of the flows deleted go out only
 * when all succeeded. Returns 0 or that error. */
int ofproto_flow_mods_atomic(struct ofproto *ofp, const struct ofp_flow_mod *fms, size_t n,
			     uint64_t now_ms, char *err, size_t *failed);

/* The most flow entries one table holds by default; an add beyond the
 * limit is refused (OFPFMFC_TABLE_FULL on the wire). */
enum { OFPROTO_TABLE_MAX = 4000000 };
/* Sets the limit of every table of 'ofp' (0: the default). */
void ofproto_set_table_max(struct ofproto *ofp, uint32_t max_flows);

/* Why a flow entry went away. */
enum ofp_removed_reason { OFPRR_IDLE_TIMEOUT, OFPRR_HARD_TIMEOUT, OFPRR_DELETE };

struct ofproto_flow_info {
	uint8_t table_id;
	uint16_t priority;
	const struct match *match;
	const struct ofp_insts *insts;
	uint64_t cookie;
	uint16_t idle_timeout, hard_timeout, flags;
	uint64_t duration_ms, idle_ms;
	uint64_t n_packets, n_bytes;
	enum ofp_removed_reason reason; /* flow-removed events only */
	struct match match_buf;         /* a rule's whole match ('match') */
};

/* Flow entries that 'filter' selects as a non-strict delete would (table,
 * match, cookie, out_port), in table then priority order. */
void ofproto_flow_dump(const struct ofproto *ofp, const struct ofp_flow_mod *filter,
		       uint64_t now_ms, void (*cb)(void *aux, const struct ofproto_flow_info *f),
		       void *aux);

/* A dump that is sent in parts (dump-flows of a million entries): the
 * entries 'filter' selects, in dump order, taken when it is created. An
 * entry deleted meanwhile is skipped. Create, advance and destroy it under
 * ofproto_lock(); it outlives the bridge if need be. NULL on ENOMEM. */
struct ofproto_flow_cursor;
struct ofproto_flow_cursor *ofproto_flow_cursor_create(const struct ofproto *ofp,
						       const struct ofp_flow_mod *filter);
/* Calls 'cb' for up to 'max' more entries. Returns false once none is
 * left. */
bool ofproto_flow_cursor_next(struct ofproto_flow_cursor *cur, uint64_t now_ms, uint32_t max,
			      void (*cb)(void *aux, const struct ofproto_flow_info *f), void *aux);
void ofproto_flow_cursor_destroy(struct ofproto_flow_cursor *cur);

/* One flow entry as ovs-ofctl dump-flows prints it. */
void ofproto_flow_format(const struct ofproto_flow_info *f, bool show_stats, struct ds *out);

/* Called when a flow entry with send_flow_rem expires or is deleted. */
typedef void (*ofproto_flow_removed_fn)(void *aux, const struct ofproto *ofp,
					const struct ofproto_flow_info *f);
void ofproto_set_flow_removed_cb(struct ofproto *ofp, ofproto_flow_removed_fn fn, void *aux);

/* Every change to a flow entry, for OpenFlow 1.4's flow monitors: added,
 * removed (with its reason) or modified (its instructions, or replaced by
 * an add of the same match and priority), numbered as OFPFME_* numbers
 * them. An atomic batch that is undone reports the undoing too. Called
 * under the ofproto lock. */
enum ofproto_flow_event {
	OFPROTO_FLOW_ADDED = 1,
	OFPROTO_FLOW_REMOVED = 2,
	OFPROTO_FLOW_MODIFIED = 3,
};
typedef void (*ofproto_flow_watch_fn)(void *aux, const struct ofproto *ofp,
				      enum ofproto_flow_event ev,
				      const struct ofproto_flow_info *f);
void ofproto_set_flow_watch(struct ofproto *ofp, ofproto_flow_watch_fn fn, void *aux);

struct ofproto_table_stats {
	uint8_t table_id;
	uint32_t active;
	uint64_t lookups, matches;
};
/* Tables with flows or lookups (table 0 always). */
void ofproto_table_dump(const struct ofproto *ofp,
			void (*cb)(void *aux, const struct ofproto_table_stats *t), void *aux);

/* ---- Groups ---- */

enum ofp_group_type { OFPGT_ALL = 0, OFPGT_SELECT = 1, OFPGT_INDIRECT = 2, OFPGT_FF = 3 };
enum ofp_group_cmd { OFPGC_ADD = 0, OFPGC_MODIFY = 1, OFPGC_DELETE = 2 };
enum { OFP_GROUP_MAX = 4096, OFP_BUCKET_MAX = 64 };

struct ofp_bucket {
	uint16_t weight;                  /* select groups */
	uint32_t watch_port, watch_group; /* fast failover: OFPP_ANY/OFPG_ANY for none */
	struct ofpact *actions;
	uint32_t n_actions;
};

struct ofp_group_mod {
	enum ofp_group_cmd command;
	uint8_t type;      /* OFPGT_* */
	uint32_t group_id; /* delete: OFPG_ALL for every group */
	struct ofp_bucket *buckets;
	uint32_t n_buckets;
};
void ofp_group_mod_destroy(struct ofp_group_mod *gm);

/* Applies a group mod. Returns 0, -EEXIST (add: the group exists),
 * -ENOENT (modify: no such group), -ENOSPC (OFP_GROUP_MAX groups) or
 * -ENOMEM, with a reason in 'err'. Deleting a group deletes the flow
 * entries that send to it. Borrows gm->buckets. */
int ofproto_group_mod(struct ofproto *ofp, const struct ofp_group_mod *gm, uint64_t now_ms,
		      char *err);

struct ofproto_group_info {
	uint32_t group_id;
	uint8_t type;
	const struct ofp_bucket *buckets;
	uint32_t n_buckets;
	uint32_t ref_count; /* flow entries that send to it */
	uint64_t duration_ms;
	uint64_t n_packets, n_bytes;
	const uint64_t *bucket_packets, *bucket_bytes;
};
/* Group 'group_id' (OFPG_ALL: every group, by id). */
void ofproto_group_dump(const struct ofproto *ofp, uint32_t group_id, uint64_t now_ms,
			void (*cb)(void *aux, const struct ofproto_group_info *g), void *aux);

/* ---- Meters ---- */

enum { OFPMF_KBPS = 1, OFPMF_PKTPS = 2, OFPMF_BURST = 4, OFPMF_STATS = 8 };
enum { OFPMBT_DROP = 1, OFPMBT_DSCP_REMARK = 2 };
enum ofp_meter_cmd { OFPMC_ADD = 0, OFPMC_MODIFY = 1, OFPMC_DELETE = 2 };
enum { OFP_METER_BANDS = 8, OFP_METER_MAX = 1024 };

struct ofp_meter_band {
	uint16_t type;      /* OFPMBT_* */
	uint8_t prec_level; /* DSCP remark: drop precedence to add */
	uint32_t rate;      /* kb/s or packets/s, as the flags say */
	uint32_t burst;     /* kb or packets (with OFPMF_BURST) */
};

struct ofp_meter_mod {
	enum ofp_meter_cmd command;
	uint16_t flags;    /* OFPMF_* */
	uint32_t meter_id; /* delete: OFPM_ALL for every meter */
	uint32_t n_bands;
	struct ofp_meter_band bands[OFP_METER_BANDS];
};

struct ofproto_meter_stats {
	uint64_t packets, bytes;
	uint64_t band_packets[OFP_METER_BANDS], band_bytes[OFP_METER_BANDS];
};

/* Where meters run: the datapath. 'set' installs or replaces meter
 * 'dp_id' (returns 0 or -errno), 'del' removes it, 'stats' reads its
 * counters. Without a backend (unit tests) meters are only recorded. */
struct ofproto_meter_backend {
	int (*set)(void *aux, uint32_t dp_id, const struct ofp_meter_mod *mm);
	void (*del)(void *aux, uint32_t dp_id);
	void (*stats)(void *aux, uint32_t dp_id, struct ofproto_meter_stats *s);
	void *aux;
};
void ofproto_set_meter_backend(struct ofproto *ofp, const struct ofproto_meter_backend *be);
/* Installs every meter again (into a new datapath). */
void ofproto_meters_reinstall(struct ofproto *ofp);

/* Applies a meter mod. Returns 0, -EEXIST, -ENOENT (modify: no such
 * meter), -ENOSPC (OFP_METER_MAX meters in the switch) or what the
 * backend returns, with a reason in 'err'. Deleting a meter deletes the
 * flow entries that use it. */
int ofproto_meter_mod(struct ofproto *ofp, const struct ofp_meter_mod *mm, uint64_t now_ms,
		      char *err);

struct ofproto_meter_info {
	uint32_t meter_id;
	const struct ofp_meter_mod *cfg;
	uint32_t flow_count;
	uint64_t duration_ms;
	struct ofproto_meter_stats stats;
};
/* Meter 'meter_id' (OFPM_ALL: every meter, by id). */
void ofproto_meter_dump(const struct ofproto *ofp, uint32_t meter_id, uint64_t now_ms,
			void (*cb)(void *aux, const struct ofproto_meter_info *m), void *aux);

/* What a flow entry's instructions refer to that does not exist: 0, or
 * OFPROTO_NO_GROUP / OFPROTO_NO_METER (with the id in '*id'). */
enum { OFPROTO_NO_GROUP = 1, OFPROTO_NO_METER = 2 };
int ofproto_insts_missing(const struct ofproto *ofp, const struct ofp_insts *in, uint32_t *id);

/* ---- The Geneve option map (ofp_tlv.h) ---- */

struct ofp_tlv_mod;
struct ofp_tlv_table;

/* Applies a TLV table mod to the bridge's map: 0 or an enum ofp_tlv_err.
 * 'replay': a journal read back (see ofp_tlv_apply()). */
int ofproto_tlv_mod(struct ofproto *ofp, const struct ofp_tlv_mod *mod, bool replay);
const struct ofp_tlv_table *ofproto_tlv_table(const struct ofproto *ofp);

/* ---- Journal ---- */

/* What changed in a bridge's OpenFlow state, as it happens (under
 * ofproto_lock()), for persistence: a flow entry set (added, replaced or
 * modified: 'f' as it is now), a flow entry removed (for any reason), and
 * every group mod and meter mod that succeeded. A NULL member is not
 * called. */
struct ofproto_journal {
	void (*flow_set)(void *aux, const struct ofproto_flow_info *f);
	void (*flow_del)(void *aux, uint8_t table_id, uint16_t priority, const struct match *m);
	void (*group_mod)(void *aux, const struct ofp_group_mod *gm);
	void (*meter_mod)(void *aux, const struct ofp_meter_mod *mm);
	void (*tlv_mod)(void *aux, const struct ofp_tlv_mod *mod);
	void *aux;
};
/* Reports every change of 'ofp' to 'j' from now on (NULL: to nobody). */
void ofproto_set_journal(struct ofproto *ofp, const struct ofproto_journal *j);
/* Reports the whole state of 'ofp' to 'j' as if it were made anew: the
 * Geneve option map, every group and meter as an add, then every flow
 * entry, each table in lookup order (so that equal-priority entries keep
 * their age order). */
void ofproto_journal_state(const struct ofproto *ofp, const struct ofproto_journal *j);
/* Applies a flow, group, meter or TLV table mod read back from a journal:
 * an add of what exists replaces it, a modify of what does not exist adds
 * it. Returns 0 or -errno with a reason in 'err'. 'msg' is an OpenFlow 1.3
 * message of 'len' bytes. */
int ofproto_journal_apply(struct ofproto *ofp, const uint8_t *msg, size_t len, uint64_t now_ms,
			  char *err);
/* The number of flow entries, groups and meters (what a snapshot holds). */
uint64_t ofproto_state_size(const struct ofproto *ofp);

/* ---- Translation ---- */

/* The underlay bridge whose translation the encapsulations of a packet took
 * in (one pass: xlate_cross()), and what those translations went through
 * there: each rule with the number of encapsulated copies that met it and
 * their header bytes, to count them as that bridge would have. */
enum { MAX_CROSS_RULES = 8 };
struct xlate_cross {
	struct ofproto *ofp; /* NULL: none */
	uint16_t n_copies;   /* encapsulations translated there */
	uint32_t n_rules;
	struct rule *rules[MAX_CROSS_RULES];
	uint16_t copies[MAX_CROSS_RULES];
	uint32_t hdr_bytes[MAX_CROSS_RULES];
	uint8_t tables[32];
	bool learned;
	uint8_t mac[6];
	uint16_t vlan;
	uint32_t learn_port;
};

struct xlate_result {
	struct flow_key mask;
	uint32_t n_actions;
	bool stale; /* check mode: the megaflow would learn something new */
	struct dp_action actions[DP_MAX_ACTIONS];
	struct xlate_cross cross; /* see xlate_info's 'cross' */
};

/* Translates a packet with datapath key 'key' (its in_port a datapath
 * port of this bridge): with 'learn', NORMAL learns its source MAC; with
 * 'trace' (may be NULL), every step is written there. Returns 0 or -errno
 * (too many actions). */
int ofproto_xlate(struct ofproto *ofp, const struct flow_key *key, bool learn, uint64_t now_ms,
		  struct xlate_result *res, struct ds *trace);

/* The upcall for a packet of this bridge: translates with learning and
 * records the megaflow under a fresh ufid (res->ufid). */
int ofproto_upcall(struct ofproto *ofp, const struct flow_key *key, uint64_t now_ms,
		   struct dp_upcall_result *res);

/* Why a packet goes to the controller. */
enum { OFPR_NO_MATCH = 0, OFPR_ACTION = 1, OFPR_INVALID_TTL = 2 };

/* What a packet-in says besides the packet. */
struct ofproto_pin {
	uint32_t in_port; /* OpenFlow */
	uint8_t reason, table_id;
	uint16_t max_len;
	uint64_t cookie;
	struct pipe_md md; /* the metadata and registers */
	uint64_t tun_id;   /* the tunnel fields, network byte order, 0: none */
	uint32_t tun_src, tun_dst;
	uint16_t tun_md_present; /* the tun_metadataN the packet had (flow_key.h) */
	uint8_t tun_md[FLOW_TUN_MD_LEN];
	uint8_t tun_ipv6_src[16], tun_ipv6_dst[16]; /* zero: none */
};

/* A packet of this bridge met DP_ACTION_USERSPACE with 'cookie' (received
 * on datapath port 'dp_in_port'): false if the cookie is not an output to
 * the controller; else fills 'pin' and counts it. */
bool ofproto_packet_in(struct ofproto *ofp, uint32_t dp_in_port, uint64_t cookie,
		       struct ofproto_pin *pin);

/* A packet met DP_ACTION_USERSPACE with 'cookie': if the cookie asks for
 * a translation with the packet's bytes (MPLS or PBB pops), does it
 * ('len' bytes of its head, 'total_len' in all) into 'res' and returns
 * true; false for any other cookie. */
bool ofproto_slow_path(struct ofproto *ofp, uint32_t dp_in_port, uint64_t cookie,
		       const uint8_t *pkt, uint32_t len, uint32_t total_len, uint64_t now_ms,
		       struct xlate_result *res);

/* A packet-out: translates 'acts' for the packet 'key' (its in_port is
 * ignored) as if it came in on OpenFlow port 'in_port' (a port of the
 * bridge, LOCAL or CONTROLLER); output:TABLE runs it through the tables.
 * Writes the datapath port to execute it with (DP_MAX_PORTS for none).
 * Returns 0, -ENOENT (no such input port) or -E2BIG. */
int ofproto_packet_out(struct ofproto *ofp, uint32_t in_port, const struct flow_key *key,
		       const struct ofpact *acts, uint32_t n_acts, uint64_t now_ms,
		       struct xlate_result *res, uint32_t *dp_in_port);

/* ---- Periodic work and revalidation ---- */

/* Expires flow entries and MAC entries. Returns true when megaflows need a
 * sweep (also after flow mods, port changes and MAC learning). */
bool ofproto_run(struct ofproto *ofp, uint64_t now_ms);

/* A sweep: ofproto_sweep_begin(), then ofproto_sweep_flow() for every
 * megaflow whose in_port belongs to this bridge (its answer: keep or
 * delete), then ofproto_sweep_end(), all under one ofproto_lock().
 * Statistics move from megaflows to flow entries and MAC entries;
 * megaflows idle for longer than 'max_idle_ms' are deleted. */
void ofproto_sweep_begin(struct ofproto *ofp);
bool ofproto_sweep_flow(struct ofproto *ofp, const struct dp_flow_info *info, uint64_t now_ms,
			uint64_t max_idle_ms);
void ofproto_sweep_end(struct ofproto *ofp);
/* Forgets every megaflow record (the datapath flushed them). */
void ofproto_megaflows_flushed(struct ofproto *ofp);

struct ofproto_sweep_stats {
	uint64_t sweeps, revalidated, deleted;
	uint32_t n_megaflows;
	uint64_t packet_ins;
};
void ofproto_get_sweep_stats(const struct ofproto *ofp, struct ofproto_sweep_stats *s);

/* ---- MAC table ---- */
struct mac_entry_info;
struct mac_stats;
void ofproto_fdb_dump(const struct ofproto *ofp, uint64_t now_ms,
		      void (*cb)(void *aux, const struct mac_entry_info *e), void *aux);
void ofproto_fdb_stats(const struct ofproto *ofp, struct mac_stats *s);

/* Forgets every learned MAC address (the next frames to them flood until
 * they are learned again); returns how many there were. Under the lock. */
unsigned int ofproto_fdb_flush(struct ofproto *ofp);

#endif /* VS_OFPROTO_H */
