/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Structures shared by ofproto.c (tables, ports, megaflow records) and
 * xlate.c (translation). Nothing outside ofproto/ includes this.
 */
#ifndef VS_OFPROTO_PRIV_H
#define VS_OFPROTO_PRIV_H

#include "mac_learning.h"
#include "ofp_tlv.h"
#include "ofproto.h"
#include "oftable.h"

/* A mask that rules share: one per distinct mask, counted by its rules
 * (rule_mask.c). */
struct rule_mask {
	struct hmap_node hnode;
	uint32_t refcnt;
	struct flow_key mask;
	struct pipe_md md_mask;
};

struct rule {
	/* The match: its values here, its mask shared (rule_set_match()). */
	struct flow_key key;
	struct pipe_md md;
	const struct rule_mask *mask;
	uint8_t table_id;
	uint16_t priority;
	uint64_t cookie;
	uint16_t idle_timeout, hard_timeout, flags;
	struct ofp_insts insts;
	uint64_t created_ms, used_ms;
	uint64_t n_packets, n_bytes;
	uint32_t refcnt; /* the table's reference plus megaflow records' */
	bool removed;
	struct oftable_node cls;
	struct rule *exp_prev, *exp_next; /* rules with a timeout */
};

struct ofport {
	char name[16];
	uint32_t ofp_port, dp_port;
	enum ofport_vlan_mode vlan_mode;
	int tag;
	bool all_vlans;      /* a trunk with no list */
	uint8_t trunks[512]; /* bitmap of allowed VLANs */
	uint64_t vlan_drops;
	uint32_t config; /* OFPPC_* */
	bool link_down;
};

struct group {
	uint32_t id;
	uint8_t type;
	struct ofp_bucket *buckets;
	uint32_t n_buckets;
	uint64_t *bucket_packets, *bucket_bytes;
	uint64_t created_ms;
	uint64_t n_packets, n_bytes;
	uint32_t refcnt; /* the table's reference plus megaflow records' */
	bool removed;
};

struct meter {
	struct ofp_meter_mod cfg;
	uint32_t dp_id;
	uint64_t created_ms;
};

enum { MAX_PORTS = 256, MAX_PENDING = 64, MAX_UKEY_RULES = 16, MAX_UKEY_BUCKETS = 16 };

/* The DP_ACTION_USERSPACE cookie of an output to the controller: this tag
 * in bits 48-63, then a packet-in context (pin_ctx index) in bits 32-47,
 * the table id in 24-31, the reason in 16-23 and the max_len in 0-15. */
#define CONTROLLER_COOKIE (0x0fc0ull << 48)
#define CONTROLLER_COOKIE_MASK (0xffffull << 48)
/* The DP_ACTION_USERSPACE cookie of a megaflow whose packets need a
 * translation with their bytes (an MPLS or PBB pop). */
#define SLOW_PATH_COOKIE (0x0510ull << 48)

/* What a packet-in says that the cookie has no room for: the rule's
 * cookie, the metadata and registers, and the OpenFlow input port when the
 * datapath's says nothing (a packet-out from the controller). Interned per
 * bridge; entry 0 stands for "unknown". The cookie's 16 bits of context
 * are an index (10 bits) and a generation (6): when the table fills up it
 * starts over in the next generation and every megaflow is revalidated,
 * so that those with the old numbers go; a packet that still carries one
 * meanwhile gets "unknown", never another flow's context. */
struct pin_ctx {
	uint64_t cookie;
	struct pipe_md md;
	uint32_t in_port; /* 0: the datapath's input port tells */
	uint32_t tun_src, tun_dst;
	uint64_t tun_id;
	uint16_t tun_md_present;
	uint8_t tun_md[FLOW_TUN_MD_LEN];
	uint8_t tun_ipv6_src[16], tun_ipv6_dst[16];
};
enum { PIN_CTX_MAX = 1024, PIN_CTX_BITS = 10, PIN_GEN_MASK = 0x3f };
_Static_assert(PIN_CTX_MAX == 1 << PIN_CTX_BITS && (PIN_GEN_MASK << PIN_CTX_BITS) < 0x10000,
	       "a context number is 16 bits");

/* What a translation went through, kept per megaflow (a "ukey"). */
struct xlate_info {
	uint32_t n_rules;
	struct rule *rules[MAX_UKEY_RULES];
	bool rules_overflow;
	/* The group buckets it went through (a group's packets count once). */
	uint32_t n_buckets;
	struct {
		struct group *group;
		uint32_t bucket;
	} buckets[MAX_UKEY_BUCKETS];
	uint8_t tables[32]; /* bitmap of tables looked up */
	bool used_normal;
	bool modified; /* a later table looked at fields an action had changed */
	bool learned;
	uint8_t mac[6];
	uint16_t vlan;
	uint32_t learn_port;
	uint32_t vlan_drop_port; /* OpenFlow port whose VLAN rules dropped it, 0: none */
	/* The underlay bridge an encapsulation was translated on, NULL: none
	 * (in the translation's result; a megaflow's record has its own). */
	struct xlate_cross *cross;
};

struct ukey {
	struct ukey *next;
	uint64_t ufid;
	/* The key of the packet of the upcall, for revalidation: kept here
	 * rather than in the megaflow, where a line more per megaflow costs
	 * the PMD thread's cache (flows_100k in dp-bench: 7 %). */
	struct flow_key key;
	uint64_t pushed_packets, pushed_bytes;
	bool seen;
	struct xlate_info xi;
};

/* A region of flow space a flow mod changed, in datapath terms. */
struct region {
	uint8_t table_id;
	struct flow_key key, mask;
};

struct ofproto {
	char name[16];
	struct oftable tables[OFP_N_TABLES];
	struct rule *expirable;             /* every rule with an idle or hard timeout */
	uint32_t table_max;                 /* flow entries a table may hold */
	uint64_t last_expiry_ms;            /* when timeouts were last checked */
	struct ofproto_journal journal;     /* all NULL: none */
	struct ofport *ports[MAX_PORTS];    /* by slot */
	struct ofport *by_dp[DP_MAX_PORTS]; /* by datapath port */
	struct mac_table *macs;
	bool fail_open;          /* NORMAL only: controllers configured, none connected */
	bool miss_to_controller; /* an OpenFlow 1.0 controller: misses go to it */
	ofproto_flow_removed_fn removed_cb;
	void *removed_aux;
	ofproto_flow_watch_fn watch_cb;
	void *watch_aux;

	/* Megaflow records by ufid. */
	struct ukey **ukeys;
	uint32_t n_ukey_buckets, n_ukeys;

	/* What the next sweep must revalidate. */
	bool reval_all;
	uint32_t n_regions;
	struct region regions[MAX_PENDING];
	uint32_t n_macs;
	uint8_t macs_changed[MAX_PENDING][6];
	bool macs_overflow;
	bool sweep_wanted;

	struct ofproto_sweep_stats sweep;

	struct pin_ctx pin_ctx[PIN_CTX_MAX];
	uint32_t n_pin_ctx;
	uint32_t pin_gen;

	struct oftxn *txn; /* an atomic batch of flow mods running (oftxn.c) */

	/* Groups and meters, sorted by id. */
	struct group **groups;
	uint32_t n_groups;
	struct meter **meters;
	uint32_t n_meters;
	struct ofproto_meter_backend meter_be;

	struct ofp_tlv_table tlv; /* the Geneve option map */
	struct ofproto *next_all; /* every bridge, under ofproto_lock() */
};

/* xlate.c */
int xlate_packet(struct ofproto *ofp, const struct flow_key *key, bool learn, uint64_t now_ms,
		 struct xlate_result *res, struct xlate_info *xi, struct ds *trace);
int xlate_packet_out(struct ofproto *ofp, uint32_t in_ofp, const struct flow_key *key,
		     const struct ofpact *acts, uint32_t n_acts, uint64_t now_ms,
		     struct xlate_result *res, uint32_t *dp_in_port);
/* Translates a packet whose megaflow says SLOW_PATH_COOKIE: 'len' bytes of
 * its head at 'pkt' (of 'total_len'), received on datapath port
 * 'dp_in_port'. Counts the tables and rules it meets past the pop. */
int xlate_slow_path(struct ofproto *ofp, uint32_t dp_in_port, const uint8_t *pkt, uint32_t len,
		    uint32_t total_len, uint64_t now_ms, struct xlate_result *res);
struct ofport *ofproto_port_by_ofp(const struct ofproto *ofp, uint32_t ofp_port);
/* Megaflow records (ofproto_sweep.c): the bucket of 'ufid'; a record
 * freed with its references; the references of 'xi' taken; 'xi' given a
 * crossing record of its own, not the translation result's (false without
 * memory). */
struct ukey **ukey_bucket(struct ofproto *ofp, uint64_t ufid);
void ukey_free(struct ukey *u);
void xi_ref(struct xlate_info *xi);
bool xi_own_cross(struct xlate_info *xi);
/* The bridge that has datapath port 'dp_port', or NULL. */
struct ofproto *ofproto_of_dp_port(uint32_t dp_port);
/* What a flow entry is, as dumps and journals report it, at 'now_ms'. */
void ofproto_rule_info(const struct rule *r, uint64_t now_ms, struct ofproto_flow_info *f);
/* The index of a packet-in context (0 when the table is full). */
uint32_t ofproto_pin_ctx(struct ofproto *ofp, uint64_t cookie, const struct pipe_md *md,
			 const struct flow_key *tun, uint32_t in_port);
struct group *ofproto_group_find(const struct ofproto *ofp, uint32_t id);
struct meter *ofproto_meter_find(const struct ofproto *ofp, uint32_t id);
/* Removes (as a delete would) every flow entry 'pred' selects. */
void ofproto_delete_rules_if(struct ofproto *ofp, bool (*pred)(const struct rule *, void *),
			     void *aux, uint64_t now_ms);
void ofproto_meters_clear(struct ofproto *ofp);
/* ofproto.c's rule bookkeeping, shared with oftxn.c. */
void rule_ref(struct rule *r);
void rule_unref(struct rule *r);
/* Sets the match of 'r' to 'm', its mask the shared one (interned under
 * ofproto_lock(), as rules are made and freed). Returns 0 or -ENOMEM ('r'
 * unchanged). */
int rule_set_match(struct rule *r, const struct match *m);
/* Lets go of the mask of 'r' (before it is freed). */
void rule_clear_match(struct rule *r);
/* The whole match of 'r', into 'm'. */
void rule_get_match(const struct rule *r, struct match *m);
/* True when 'm' is exactly the match of 'r'. */
bool rule_match_equal(const struct rule *r, const struct match *m);
/* How many distinct masks the rules of every bridge hold. */
uint32_t rule_mask_count(void);
void expiry_link(struct ofproto *ofp, struct rule *r);
void expiry_unlink(struct ofproto *ofp, struct rule *r);
void note_region(struct ofproto *ofp, uint8_t table_id, const struct match *m);
/* The same for the flow space of rule 'r'. */
void rule_note_region(struct ofproto *ofp, const struct rule *r);
void journal_flow_set(struct ofproto *ofp, const struct rule *r, uint64_t now_ms);
/* Tells the flow watcher (ofproto_set_flow_watch()) about 'r'. */
void flow_watch(struct ofproto *ofp, enum ofproto_flow_event ev, const struct rule *r,
		enum ofp_removed_reason why, uint64_t now_ms);

/* oftxn.c: the undo records of an atomic batch. oftxn_reserve() makes
 * room for one more record (0 at once outside a batch, or -ENOMEM); the
 * others record a change made (only in a batch: ofp->txn set). */
int oftxn_reserve(struct ofproto *ofp);
void oftxn_added(struct ofproto *ofp, struct rule *r);
void oftxn_replaced(struct ofproto *ofp, struct rule *r, struct rule *old);
/* Takes over 'before' (the instructions 'r' had). */
void oftxn_modified(struct ofproto *ofp, struct rule *r, struct ofp_insts *before,
		    uint64_t n_packets, uint64_t n_bytes);
void oftxn_deleted(struct ofproto *ofp, struct rule *r, enum ofp_removed_reason why);

void group_ref(struct group *g);
void group_unref(struct group *g);
void ofproto_note_mac_change(struct ofproto *ofp, const uint8_t mac[6]);
bool ofport_carries(const struct ofport *p, uint16_t vlan);

#endif /* VS_OFPROTO_PRIV_H */
