/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bridge's OpenFlow state (ofproto.h): ports, flow tables and flow mods,
 * expiry, and the upcalls that make megaflows. Their records (ukeys) and
 * the sweep that pushes statistics and revalidates megaflows are in
 * ofproto_sweep.c; translation itself is in xlate.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto_priv.h"

static pthread_mutex_t ofproto_mutex = PTHREAD_MUTEX_INITIALIZER;
static uint64_t next_ufid = 1;
static struct ofproto *all_bridges; /* linked by next_all */

void
ofproto_lock(void)
{
	pthread_mutex_lock(&ofproto_mutex);
}

void
ofproto_unlock(void)
{
	pthread_mutex_unlock(&ofproto_mutex);
}

/* ---- Rules ---- */

void
rule_ref(struct rule *r)
{
	r->refcnt++;
}

void
rule_unref(struct rule *r)
{
	if (r && !--r->refcnt) {
		ofp_insts_destroy(&r->insts);
		rule_clear_match(r);
		free(r);
	}
}

/* Records that flow space 'm' of table 'table_id' changed, for the sweep. */
void
note_region(struct ofproto *ofp, uint8_t table_id, const struct match *m)
{
	struct region *r;

	ofp->sweep_wanted = true;
	if (ofp->reval_all) {
		return;
	}
	if (ofp->n_regions == MAX_PENDING) {
		ofp->reval_all = true;
		return;
	}
	r = &ofp->regions[ofp->n_regions++];
	r->table_id = table_id;
	r->key = m->key;
	r->mask = m->mask;
	if (m->mask.in_port) {
		struct ofport *p = ofproto_port_by_ofp(ofp, m->key.in_port);

		/* A rule for a port that is not there matches nothing yet. */
		r->key.in_port = p ? p->dp_port : UINT32_MAX;
	}
}

void
rule_note_region(struct ofproto *ofp, const struct rule *r)
{
	struct match m;

	rule_get_match(r, &m);
	note_region(ofp, r->table_id, &m);
}

void
ofproto_rule_info(const struct rule *r, uint64_t now_ms, struct ofproto_flow_info *f)
{
	memset(f, 0, sizeof *f);
	f->table_id = r->table_id;
	f->priority = r->priority;
	rule_get_match(r, &f->match_buf);
	f->match = &f->match_buf;
	f->insts = &r->insts;
	f->cookie = r->cookie;
	f->idle_timeout = r->idle_timeout;
	f->hard_timeout = r->hard_timeout;
	f->flags = r->flags;
	f->duration_ms = now_ms - r->created_ms;
	f->idle_ms = now_ms - r->used_ms;
	f->n_packets = r->flags & OFPFF_NO_PKT_COUNTS ? UINT64_MAX : r->n_packets;
	f->n_bytes = r->flags & OFPFF_NO_BYT_COUNTS ? UINT64_MAX : r->n_bytes;
}

void
expiry_link(struct ofproto *ofp, struct rule *r)
{
	if (r->idle_timeout || r->hard_timeout) {
		r->exp_prev = NULL;
		r->exp_next = ofp->expirable;
		if (ofp->expirable) {
			ofp->expirable->exp_prev = r;
		}
		ofp->expirable = r;
	}
}

void
expiry_unlink(struct ofproto *ofp, struct rule *r)
{
	if (r->idle_timeout || r->hard_timeout) {
		if (r->exp_prev) {
			r->exp_prev->exp_next = r->exp_next;
		} else {
			ofp->expirable = r->exp_next;
		}
		if (r->exp_next) {
			r->exp_next->exp_prev = r->exp_prev;
		}
	}
}

static void
remove_rule(struct ofproto *ofp, struct rule *r, enum ofp_removed_reason why, uint64_t now_ms)
{
	/* In an atomic batch the notice waits for its end (oftxn.c); the
	 * record has room (delete_one() reserved it). */
	if (ofp->txn) {
		oftxn_deleted(ofp, r, why);
	} else if ((r->flags & OFPFF_SEND_FLOW_REM) && ofp->removed_cb) {
		struct ofproto_flow_info f;

		ofproto_rule_info(r, now_ms, &f);
		f.reason = why;
		ofp->removed_cb(ofp->removed_aux, ofp, &f);
	}
	rule_note_region(ofp, r);
	if (ofp->journal.flow_del) {
		struct match m;

		rule_get_match(r, &m);
		ofp->journal.flow_del(ofp->journal.aux, r->table_id, r->priority, &m);
	}
	flow_watch(ofp, OFPROTO_FLOW_REMOVED, r, why, now_ms);
	r->removed = true;
	oftable_remove(&ofp->tables[r->table_id], r);
	expiry_unlink(ofp, r);
	rule_unref(r);
}

static struct rule *
rule_create(const struct ofp_flow_mod *fm, uint8_t table_id, uint64_t now_ms)
{
	struct rule *r = calloc(1, sizeof *r);

	if (!r || rule_set_match(r, &fm->match)) {
		free(r);
		return NULL;
	}
	if (ofp_insts_clone(&r->insts, &fm->insts)) {
		rule_clear_match(r);
		free(r);
		return NULL;
	}
	r->table_id = table_id;
	r->priority = fm->priority;
	r->cookie = fm->cookie;
	r->idle_timeout = fm->idle_timeout;
	r->hard_timeout = fm->hard_timeout;
	r->flags = fm->flags;
	r->created_ms = r->used_ms = now_ms;
	r->refcnt = 1;
	return r;
}

void
journal_flow_set(struct ofproto *ofp, const struct rule *r, uint64_t now_ms)
{
	if (ofp->journal.flow_set) {
		struct ofproto_flow_info f;

		ofproto_rule_info(r, now_ms, &f);
		ofp->journal.flow_set(ofp->journal.aux, &f);
	}
}

static int
flow_add(struct ofproto *ofp, const struct ofp_flow_mod *fm, uint64_t now_ms, char *err)
{
	struct oftable *t;
	struct rule *r, *old;

	if (fm->table_id >= OFP_N_TABLES) {
		snprintf(err, OFP_ERR_MAX, "add-flow: table %u does not exist (0-254)",
			 fm->table_id);
		return -EINVAL;
	}
	t = &ofp->tables[fm->table_id];
	old = oftable_find_strict(t, &fm->match, fm->priority);
	if (!old && (fm->flags & OFPFF_CHECK_OVERLAP) &&
	    oftable_overlaps(t, &fm->match, fm->priority)) {
		snprintf(err, OFP_ERR_MAX,
			 "add-flow: overlaps a flow of the same priority in table %u "
			 "(check_overlap)",
			 fm->table_id);
		return -EEXIST;
	}
	if (!old && t->n >= ofp->table_max) {
		snprintf(err, OFP_ERR_MAX, "add-flow: flow table %u is full (%" PRIu32 " flows)",
			 fm->table_id, ofp->table_max);
		return -ENOSPC;
	}
	r = oftxn_reserve(ofp) ? NULL : rule_create(fm, fm->table_id, now_ms);
	if (!r) {
		snprintf(err, OFP_ERR_MAX, "add-flow: out of memory");
		return -ENOMEM;
	}
	if (old) {
		if (!(fm->flags & OFPFF_RESET_COUNTS)) {
			r->n_packets = old->n_packets;
			r->n_bytes = old->n_bytes;
		}
		/* Replaced in place: same priority, same match. */
		oftable_replace(t, old, r);
		expiry_unlink(ofp, old);
		expiry_link(ofp, r);
		rule_note_region(ofp, old);
		old->removed = true;
		if (ofp->txn) {
			oftxn_replaced(ofp, r, old);
		}
		rule_unref(old);
		journal_flow_set(ofp, r, now_ms);
		flow_watch(ofp, OFPROTO_FLOW_MODIFIED, r, OFPRR_DELETE, now_ms);
		return 0;
	}
	if (oftable_insert(t, r)) {
		rule_unref(r);
		snprintf(err, OFP_ERR_MAX, "add-flow: out of memory");
		return -ENOMEM;
	}
	expiry_link(ofp, r);
	rule_note_region(ofp, r);
	journal_flow_set(ofp, r, now_ms);
	flow_watch(ofp, OFPROTO_FLOW_ADDED, r, OFPRR_DELETE, now_ms);
	if (ofp->txn) {
		oftxn_added(ofp, r);
	}
	return 0;
}

static bool
rule_selected(const struct rule *r, const struct ofp_flow_mod *fm, bool strict)
{
	if (fm->table_id != OFPTT_ALL && fm->table_id != r->table_id) {
		return false;
	}
	if ((r->cookie ^ fm->cookie) & fm->cookie_mask) {
		return false;
	}
	if (strict) {
		if (r->priority != fm->priority || !rule_match_equal(r, &fm->match)) {
			return false;
		}
	} else {
		struct match m;

		rule_get_match(r, &m);
		if (!match_covers(&fm->match, &m)) {
			return false;
		}
	}
	return (fm->out_port == OFPP_ANY || ofp_insts_output_to(&r->insts, fm->out_port)) &&
	       (!fm->has_out_group || ofp_insts_uses_group(&r->insts, fm->out_group));
}

/* Calls 'cb' for every rule 'fm' selects (table, match, cookie, out_port,
 * out_group),
 * in no particular order, until it returns nonzero (returned). 'cb' may
 * remove the rule it is given. */
static int
for_each_selected(struct ofproto *ofp, const struct ofp_flow_mod *fm, bool strict,
		  int (*cb)(struct ofproto *ofp, struct rule *r, void *aux), void *aux)
{
	unsigned lo = fm->table_id == OFPTT_ALL ? 0 : fm->table_id;
	unsigned hi =
		fm->table_id == OFPTT_ALL ? OFP_N_TABLES : VS_MIN(fm->table_id + 1u, OFP_N_TABLES);

	for (unsigned tid = lo; tid < hi; tid++) {
		struct oftable *t = &ofp->tables[tid];
		struct rule *r, *next;
		int ret;

		if (strict) {
			r = oftable_find_strict(t, &fm->match, fm->priority);
			if (r && rule_selected(r, fm, true) && (ret = cb(ofp, r, aux))) {
				return ret;
			}
			continue;
		}
		for (r = oftable_first(t); r; r = next) {
			next = oftable_next(r);
			if (rule_selected(r, fm, false) && (ret = cb(ofp, r, aux))) {
				return ret;
			}
		}
	}
	return 0;
}

struct modify_ctx {
	const struct ofp_flow_mod *fm;
	char *err;
};

static int
modify_check(struct ofproto *ofp, struct rule *r, void *aux)
{
	struct modify_ctx *m = aux;

	(void)ofp;
	if (m->fm->insts.goto_table >= 0 && m->fm->insts.goto_table <= (int)r->table_id) {
		snprintf(m->err, OFP_ERR_MAX,
			 "mod-flows: goto_table:%d from table %u: a goto must go to a later table",
			 m->fm->insts.goto_table, r->table_id);
		return -EINVAL;
	}
	return 0;
}

static int
modify_apply(struct ofproto *ofp, struct rule *r, void *aux)
{
	struct modify_ctx *m = aux;
	struct ofp_insts insts;

	if (oftxn_reserve(ofp) || ofp_insts_clone(&insts, &m->fm->insts)) {
		snprintf(m->err, OFP_ERR_MAX, "mod-flows: out of memory");
		return -ENOMEM;
	}
	if (ofp->txn) {
		oftxn_modified(ofp, r, &r->insts, r->n_packets, r->n_bytes);
	} else {
		ofp_insts_destroy(&r->insts);
	}
	r->insts = insts;
	if (m->fm->flags & OFPFF_RESET_COUNTS) {
		r->n_packets = r->n_bytes = 0;
	}
	rule_note_region(ofp, r);
	journal_flow_set(ofp, r, r->used_ms);
	flow_watch(ofp, OFPROTO_FLOW_MODIFIED, r, OFPRR_DELETE, r->used_ms);
	return 0;
}

static int
flow_modify(struct ofproto *ofp, const struct ofp_flow_mod *fm, bool strict, char *err)
{
	struct modify_ctx m = {fm, err};
	/* All or nothing: check every selected flow first. */
	int ret = for_each_selected(ofp, fm, strict, modify_check, &m);

	return ret ? ret : for_each_selected(ofp, fm, strict, modify_apply, &m);
}

struct delete_ctx {
	uint64_t now_ms;
	enum ofp_removed_reason why;
};

static int
delete_one(struct ofproto *ofp, struct rule *r, void *aux)
{
	const struct delete_ctx *d = aux;

	if (oftxn_reserve(ofp)) {
		return -ENOMEM; /* only in an atomic batch, which is undone */
	}
	remove_rule(ofp, r, d->why, d->now_ms);
	return 0;
}

static int
flow_delete(struct ofproto *ofp, const struct ofp_flow_mod *fm, bool strict, uint64_t now_ms,
	    char *err)
{
	struct delete_ctx d = {now_ms, OFPRR_DELETE};
	int ret = for_each_selected(ofp, fm, strict, delete_one, &d);

	if (ret) {
		snprintf(err, OFP_ERR_MAX, "del-flows: out of memory");
	}
	return ret;
}

void
ofproto_delete_rules_if(struct ofproto *ofp, bool (*pred)(const struct rule *, void *), void *aux,
			uint64_t now_ms)
{
	for (unsigned tid = 0; tid < OFP_N_TABLES; tid++) {
		struct rule *r, *next;

		for (r = oftable_first(&ofp->tables[tid]); r; r = next) {
			next = oftable_next(r);
			if (pred(r, aux)) {
				remove_rule(ofp, r, OFPRR_DELETE, now_ms);
			}
		}
	}
}

int
ofproto_flow_mod(struct ofproto *ofp, const struct ofp_flow_mod *fm, uint64_t now_ms, char *err)
{
	int ret = match_check_prereqs(&fm->match, err);
	uint32_t id;

	if (ret) {
		return ret;
	}
	if (fm->command <= OFPFC_MODIFY_STRICT) {
		ret = ofproto_insts_missing(ofp, &fm->insts, &id);
		if (ret) {
			snprintf(err, OFP_ERR_MAX, "%s %" PRIu32 " does not exist",
				 ret == OFPROTO_NO_GROUP ? "group" : "meter", id);
			return -ENOENT;
		}
	}
	switch (fm->command) {
	case OFPFC_ADD:
		return flow_add(ofp, fm, now_ms, err);
	case OFPFC_MODIFY:
	case OFPFC_MODIFY_STRICT:
		return flow_modify(ofp, fm, fm->command == OFPFC_MODIFY_STRICT, err);
	case OFPFC_DELETE:
	case OFPFC_DELETE_STRICT:
		return flow_delete(ofp, fm, fm->command == OFPFC_DELETE_STRICT, now_ms, err);
	}
	snprintf(err, OFP_ERR_MAX, "unknown flow mod command %d", fm->command);
	return -EINVAL;
}

void
ofproto_flow_dump(const struct ofproto *ofp, const struct ofp_flow_mod *filter, uint64_t now_ms,
		  void (*cb)(void *aux, const struct ofproto_flow_info *f), void *aux)
{
	for (unsigned tid = 0; tid < OFP_N_TABLES; tid++) {
		uint32_t n;
		struct rule **rules = oftable_sorted(&ofp->tables[tid], &n);

		for (uint32_t i = 0; i < n; i++) {
			struct ofproto_flow_info f;

			if (filter && !rule_selected(rules[i], filter, false)) {
				continue;
			}
			ofproto_rule_info(rules[i], now_ms, &f);
			cb(aux, &f);
		}
		free(rules);
	}
}

struct ofproto_flow_cursor {
	struct rule **rules; /* each holds a reference */
	uint32_t n, next;
};

struct ofproto_flow_cursor *
ofproto_flow_cursor_create(const struct ofproto *ofp, const struct ofp_flow_mod *filter)
{
	struct ofproto_flow_cursor *cur = calloc(1, sizeof *cur);

	for (unsigned tid = 0; cur && tid < OFP_N_TABLES; tid++) {
		const struct oftable *t = &ofp->tables[tid];
		struct rule **sorted, **more;
		uint32_t n;

		if (!t->n) {
			continue;
		}
		sorted = oftable_sorted(t, &n);
		more = sorted ? realloc(cur->rules, (cur->n + n) * sizeof *more) : NULL;
		if (!more) {
			free(sorted);
			ofproto_flow_cursor_destroy(cur);
			return NULL;
		}
		cur->rules = more;
		for (uint32_t i = 0; i < n; i++) {
			if (!filter || rule_selected(sorted[i], filter, false)) {
				rule_ref(sorted[i]);
				cur->rules[cur->n++] = sorted[i];
			}
		}
		free(sorted);
	}
	return cur;
}

bool
ofproto_flow_cursor_next(struct ofproto_flow_cursor *cur, uint64_t now_ms, uint32_t max,
			 void (*cb)(void *aux, const struct ofproto_flow_info *f), void *aux)
{
	for (uint32_t done = 0; done < max && cur->next < cur->n; cur->next++) {
		const struct rule *r = cur->rules[cur->next];
		struct ofproto_flow_info f;

		if (!r->removed) {
			ofproto_rule_info(r, now_ms, &f);
			cb(aux, &f);
			done++;
		}
	}
	return cur->next < cur->n;
}

void
ofproto_flow_cursor_destroy(struct ofproto_flow_cursor *cur)
{
	if (cur) {
		for (uint32_t i = 0; i < cur->n; i++) {
			rule_unref(cur->rules[i]);
		}
		free(cur->rules);
		free(cur);
	}
}

void
ofproto_flow_format(const struct ofproto_flow_info *f, bool show_stats, struct ds *out)
{
	size_t mark;

	ds_put_format(out, "cookie=0x%" PRIx64 ", ", f->cookie);
	if (show_stats) {
		ds_put_format(out, "duration=%" PRIu64 ".%03" PRIu64 "s, ", f->duration_ms / 1000,
			      f->duration_ms % 1000);
	}
	ds_put_format(out, "table=%u, ", f->table_id);
	if (show_stats) {
		if (f->n_packets != UINT64_MAX) {
			ds_put_format(out, "n_packets=%" PRIu64 ", ", f->n_packets);
		}
		if (f->n_bytes != UINT64_MAX) {
			ds_put_format(out, "n_bytes=%" PRIu64 ", ", f->n_bytes);
		}
	}
	if (f->idle_timeout) {
		ds_put_format(out, "idle_timeout=%u, ", f->idle_timeout);
	}
	if (f->hard_timeout) {
		ds_put_format(out, "hard_timeout=%u, ", f->hard_timeout);
	}
	if (f->flags & OFPFF_SEND_FLOW_REM) {
		ds_put_cstr(out, "send_flow_rem ");
	}
	if (show_stats) {
		ds_put_format(out, "idle_age=%" PRIu64 ", ", f->idle_ms / 1000);
	}
	mark = out->len;
	if (f->priority != 32768) {
		ds_put_format(out, "priority=%u", f->priority);
	}
	if (out->len != mark) {
		struct ds m = DS_INIT;

		match_format(f->match, &m);
		if (m.len) {
			ds_put_format(out, ",%s", ds_cstr(&m));
		}
		ds_destroy(&m);
	} else {
		match_format(f->match, out);
	}
	ds_put_cstr(out, out->len != mark ? " actions=" : "actions=");
	ofp_insts_format(f->insts, out);
}

void
ofproto_set_table_max(struct ofproto *ofp, uint32_t max_flows)
{
	ofp->table_max = max_flows ? max_flows : OFPROTO_TABLE_MAX;
}

void
ofproto_set_flow_removed_cb(struct ofproto *ofp, ofproto_flow_removed_fn fn, void *aux)
{
	ofp->removed_cb = fn;
	ofp->removed_aux = aux;
}

void
ofproto_set_flow_watch(struct ofproto *ofp, ofproto_flow_watch_fn fn, void *aux)
{
	ofp->watch_cb = fn;
	ofp->watch_aux = aux;
}

void
flow_watch(struct ofproto *ofp, enum ofproto_flow_event ev, const struct rule *r,
	   enum ofp_removed_reason why, uint64_t now_ms)
{
	if (ofp->watch_cb) {
		struct ofproto_flow_info f;

		ofproto_rule_info(r, now_ms, &f);
		f.reason = why;
		ofp->watch_cb(ofp->watch_aux, ofp, ev, &f);
	}
}

void
ofproto_table_dump(const struct ofproto *ofp,
		   void (*cb)(void *aux, const struct ofproto_table_stats *t), void *aux)
{
	for (unsigned tid = 0; tid < OFP_N_TABLES; tid++) {
		const struct oftable *t = &ofp->tables[tid];
		struct ofproto_table_stats s = {(uint8_t)tid, t->n, t->lookups, t->matches};

		if (tid == 0 || t->n || t->lookups) {
			cb(aux, &s);
		}
	}
}

/* ---- Bridge ---- */

static int
add_default_flow(struct ofproto *ofp, uint64_t now_ms)
{
	struct match any;

	match_init_catchall(&any);
	if (oftable_find_strict(&ofp->tables[0], &any, 0)) {
		return 0; /* there is one: leave it as it is */
	}
	struct ofp_flow_mod fm;
	struct ofpact normal = {.type = OFPACT_OUTPUT, .port = OFPP_NORMAL};
	char err[OFP_ERR_MAX];

	memset(&fm, 0, sizeof fm);
	fm.command = OFPFC_ADD;
	fm.out_port = OFPP_ANY;
	ofp_insts_init(&fm.insts);
	fm.insts.apply = &normal;
	fm.insts.n_apply = 1;
	return flow_add(ofp, &fm, now_ms, err);
}

struct ofproto *
ofproto_create(const char *name, bool secure, uint64_t now_ms)
{
	struct ofproto *ofp = calloc(1, sizeof *ofp);

	if (!ofp) {
		return NULL;
	}
	snprintf(ofp->name, sizeof ofp->name, "%s", name);
	for (unsigned tid = 0; tid < OFP_N_TABLES; tid++) {
		oftable_init(&ofp->tables[tid]);
	}
	ofp->table_max = OFPROTO_TABLE_MAX;
	ofp->macs = mac_table_create(0, 0);
	ofp->n_ukey_buckets = 4096;
	ofp->ukeys = calloc(ofp->n_ukey_buckets, sizeof *ofp->ukeys);
	if (!ofp->macs || !ofp->ukeys || (!secure && add_default_flow(ofp, now_ms))) {
		ofproto_destroy(ofp);
		errno = ENOMEM;
		return NULL;
	}
	ofp->next_all = all_bridges;
	all_bridges = ofp;
	return ofp;
}

struct ofproto *
ofproto_of_dp_port(uint32_t dp_port)
{
	if (dp_port >= DP_MAX_PORTS) {
		return NULL;
	}
	for (struct ofproto *o = all_bridges; o; o = o->next_all) {
		if (o->by_dp[dp_port]) {
			return o;
		}
	}
	return NULL;
}

/* 'gone' is going away: the megaflows of other bridges that encapsulate
 * through it forget it (their rules stay referenced until the record goes)
 * and are translated again at the next sweep. */
static void
forget_crossings(const struct ofproto *gone)
{
	for (struct ofproto **pp = &all_bridges; *pp; pp = &(*pp)->next_all) {
		if (*pp == gone) {
			*pp = gone->next_all;
			break;
		}
	}
	for (struct ofproto *o = all_bridges; o; o = o->next_all) {
		for (uint32_t b = 0; o->n_ukeys && b < o->n_ukey_buckets; b++) {
			for (struct ukey *u = o->ukeys[b]; u; u = u->next) {
				if (u->xi.cross && u->xi.cross->ofp == gone) {
					u->xi.cross->ofp = NULL;
					u->xi.rules_overflow = true; /* affected() from now on */
					o->sweep_wanted = true;
				}
			}
		}
	}
}

void
ofproto_megaflows_flushed(struct ofproto *ofp)
{
	for (uint32_t b = 0; b < ofp->n_ukey_buckets; b++) {
		while (ofp->ukeys[b]) {
			struct ukey *u = ofp->ukeys[b];

			ofp->ukeys[b] = u->next;
			ukey_free(u);
		}
	}
	ofp->n_ukeys = 0;
}

void
ofproto_destroy(struct ofproto *ofp)
{
	if (!ofp) {
		return;
	}
	forget_crossings(ofp);
	if (ofp->ukeys) {
		ofproto_megaflows_flushed(ofp);
	}
	for (unsigned tid = 0; tid < OFP_N_TABLES; tid++) {
		struct oftable *t = &ofp->tables[tid];
		struct rule *r, *next;

		for (r = oftable_first(t); r; r = next) {
			next = oftable_next(r);
			rule_unref(r);
		}
		oftable_destroy(t);
	}
	for (uint32_t i = 0; i < ofp->n_groups; i++) {
		group_unref(ofp->groups[i]);
	}
	free(ofp->groups);
	ofproto_meters_clear(ofp);
	for (int i = 0; i < MAX_PORTS; i++) {
		free(ofp->ports[i]);
	}
	mac_table_destroy(ofp->macs);
	free(ofp->ukeys);
	free(ofp);
}

const char *
ofproto_name(const struct ofproto *ofp)
{
	return ofp->name;
}

/* ---- Ports ---- */

struct ofport *
ofproto_port_by_ofp(const struct ofproto *ofp, uint32_t ofp_port)
{
	for (int i = 0; i < MAX_PORTS; i++) {
		if (ofp->ports[i] && ofp->ports[i]->ofp_port == ofp_port) {
			return ofp->ports[i];
		}
	}
	return NULL;
}

static struct ofport *
port_by_name(const struct ofproto *ofp, const char *name, int *slot)
{
	for (int i = 0; i < MAX_PORTS; i++) {
		if (ofp->ports[i] && !strcmp(ofp->ports[i]->name, name)) {
			*slot = i;
			return ofp->ports[i];
		}
	}
	return NULL;
}

bool
ofport_carries(const struct ofport *p, uint16_t vlan)
{
	switch (p->vlan_mode) {
	case OFPORT_VLAN_ACCESS:
		return p->tag == vlan;
	case OFPORT_VLAN_TRUNK:
		break;
	case OFPORT_VLAN_NATIVE_TAGGED:
	case OFPORT_VLAN_NATIVE_UNTAGGED:
		if (p->tag == vlan) {
			return true;
		}
		break;
	}
	return p->all_vlans || (p->trunks[vlan / 8] & (1 << (vlan % 8)));
}

int
ofproto_port_set(struct ofproto *ofp, const struct ofproto_port_cfg *cfg, uint32_t *ofp_port)
{
	int slot = -1;
	struct ofport *p = port_by_name(ofp, cfg->name, &slot);
	uint32_t number = p ? p->ofp_port : 0;

	if (cfg->dp_port >= DP_MAX_PORTS || cfg->tag > 4095 ||
	    (cfg->vlan_mode != OFPORT_VLAN_TRUNK && cfg->tag < 0)) {
		return -EINVAL;
	}
	if (cfg->ofp_port_request && cfg->ofp_port_request != number) {
		struct ofport *other = ofproto_port_by_ofp(ofp, cfg->ofp_port_request);

		if (other ||
		    (cfg->ofp_port_request >= OFPP_MAX && cfg->ofp_port_request != OFPP_LOCAL)) {
			return -EEXIST;
		}
		number = cfg->ofp_port_request;
	}
	for (uint32_t n = 1; !number; n++) {
		if (!ofproto_port_by_ofp(ofp, n)) {
			number = n;
		}
	}
	if (!p) {
		for (slot = 0; slot < MAX_PORTS && ofp->ports[slot]; slot++) {
		}
		if (slot == MAX_PORTS || !(p = calloc(1, sizeof *p))) {
			return slot == MAX_PORTS ? -ENOSPC : -ENOMEM;
		}
		ofp->ports[slot] = p;
	}
	if (p->dp_port < DP_MAX_PORTS && ofp->by_dp[p->dp_port] == p) {
		ofp->by_dp[p->dp_port] = NULL;
	}
	snprintf(p->name, sizeof p->name, "%s", cfg->name);
	p->ofp_port = number;
	p->dp_port = cfg->dp_port;
	p->vlan_mode = cfg->vlan_mode;
	p->tag = cfg->tag;
	p->all_vlans = cfg->n_trunks == 0;
	memset(p->trunks, 0, sizeof p->trunks);
	for (uint32_t i = 0; i < cfg->n_trunks; i++) {
		if (cfg->trunks[i] <= 4095) {
			p->trunks[cfg->trunks[i] / 8] |= (uint8_t)(1 << (cfg->trunks[i] % 8));
		}
	}
	ofp->by_dp[p->dp_port] = p;
	ofp->reval_all = true;
	ofp->sweep_wanted = true;
	*ofp_port = number;
	return 0;
}

int
ofproto_port_del(struct ofproto *ofp, const char *name)
{
	int slot;
	struct ofport *p = port_by_name(ofp, name, &slot);

	if (!p) {
		return -ENOENT;
	}
	mac_flush_port(ofp->macs, p->ofp_port);
	if (ofp->by_dp[p->dp_port] == p) {
		ofp->by_dp[p->dp_port] = NULL;
	}
	ofp->ports[slot] = NULL;
	free(p);
	ofp->reval_all = true;
	ofp->sweep_wanted = true;
	return 0;
}

int
ofproto_port_mod(struct ofproto *ofp, uint32_t ofp_port, uint32_t config, uint32_t mask)
{
	struct ofport *p = ofproto_port_by_ofp(ofp, ofp_port);

	if (!p) {
		return -ENOENT;
	}
	if (mask & ~(uint32_t)OFPPC_SUPPORTED) {
		return -EINVAL;
	}
	if ((p->config ^ config) & mask) {
		p->config = (p->config & ~mask) | (config & mask);
		ofp->reval_all = true;
		ofp->sweep_wanted = true;
	}
	return 0;
}

void
ofproto_port_set_link(struct ofproto *ofp, uint32_t dp_port, bool up)
{
	struct ofport *p = dp_port < DP_MAX_PORTS ? ofp->by_dp[dp_port] : NULL;

	if (p && p->link_down == up) {
		p->link_down = !up;
		if (ofp->n_groups) {
			/* Fast-failover groups may choose another bucket. */
			ofp->reval_all = true;
			ofp->sweep_wanted = true;
		}
	}
}

void
ofproto_revalidate_all(struct ofproto *ofp)
{
	ofp->reval_all = true;
	ofp->sweep_wanted = true;
}

uint32_t
ofproto_port_of_dp(const struct ofproto *ofp, uint32_t dp_port)
{
	return dp_port < DP_MAX_PORTS && ofp->by_dp[dp_port] ? ofp->by_dp[dp_port]->ofp_port : 0;
}

static int
names_to_port(void *aux, const char *name, uint32_t *port)
{
	int slot;
	struct ofport *p = port_by_name(aux, name, &slot);

	if (!p) {
		return -ENOENT;
	}
	*port = p->ofp_port;
	return 0;
}

struct ofp_port_names
ofproto_port_names(struct ofproto *ofp)
{
	return (struct ofp_port_names){names_to_port, ofp};
}

void
ofproto_port_dump(const struct ofproto *ofp,
		  void (*cb)(void *aux, const struct ofproto_port_info *p), void *aux)
{
	uint32_t last = 0;

	/* In OpenFlow port order. */
	for (;;) {
		const struct ofport *p = NULL;
		struct ofproto_port_info info;

		for (int i = 0; i < MAX_PORTS; i++) {
			const struct ofport *q = ofp->ports[i];

			if (q && q->ofp_port > last && (!p || q->ofp_port < p->ofp_port)) {
				p = q;
			}
		}
		if (!p) {
			return;
		}
		info = (struct ofproto_port_info){p->name, p->ofp_port,   p->dp_port, p->vlan_mode,
						  p->tag,  p->vlan_drops, p->config};
		cb(aux, &info);
		last = p->ofp_port;
	}
}

/* ---- Configuration ---- */

void
ofproto_set_mac_limits(struct ofproto *ofp, uint32_t aging_s, uint32_t max_entries)
{
	mac_table_set_limits(ofp->macs, max_entries, aging_s);
	ofp->macs_overflow = true; /* evictions may have happened */
	ofp->sweep_wanted = true;
}

void
ofproto_set_standalone_flow(struct ofproto *ofp, uint64_t now_ms)
{
	add_default_flow(ofp, now_ms);
}

bool
ofproto_set_fail_mode(struct ofproto *ofp, bool secure, uint32_t n_controllers,
		      uint32_t n_connected)
{
	bool fail_open = !secure && n_controllers && !n_connected;

	if (fail_open == ofp->fail_open) {
		return false;
	}
	ofp->fail_open = fail_open;
	ofp->reval_all = true;
	ofp->sweep_wanted = true;
	return true;
}

bool
ofproto_set_miss_to_controller(struct ofproto *ofp, bool on)
{
	if (on == ofp->miss_to_controller) {
		return false;
	}
	ofp->miss_to_controller = on;
	ofp->reval_all = true;
	ofp->sweep_wanted = true;
	return true;
}

/* ---- Upcalls ---- */

int
ofproto_xlate(struct ofproto *ofp, const struct flow_key *key, bool learn, uint64_t now_ms,
	      struct xlate_result *res, struct ds *trace)
{
	struct xlate_info xi;

	return xlate_packet(ofp, key, learn, now_ms, res, &xi, trace);
}

int
ofproto_upcall(struct ofproto *ofp, const struct flow_key *key, uint64_t now_ms,
	       struct dp_upcall_result *res)
{
	struct xlate_result *xr = malloc(sizeof *xr);
	struct ukey *u = calloc(1, sizeof *u);
	int ret = -ENOMEM;

	if (xr && u) {
		ret = xlate_packet(ofp, key, true, now_ms, xr, &u->xi, NULL);
		if (!ret && !xi_own_cross(&u->xi)) {
			ret = -ENOMEM;
		}
	}
	if (!ret) {
		res->mask = xr->mask;
		res->n_actions = xr->n_actions;
		memcpy(res->actions, xr->actions, xr->n_actions * sizeof xr->actions[0]);
		u->ufid = res->ufid = next_ufid++;
		u->key = *key;
		xi_ref(&u->xi);
		struct ukey **b = ukey_bucket(ofp, u->ufid);
		u->next = *b;
		*b = u;
		ofp->n_ukeys++;
		u = NULL;
	}
	free(u);
	free(xr);
	return ret;
}

uint32_t
ofproto_pin_ctx(struct ofproto *ofp, uint64_t cookie, const struct pipe_md *md,
		const struct flow_key *tun, uint32_t in_port)
{
	if (!ofp->n_pin_ctx) {
		ofp->pin_ctx[0] = (struct pin_ctx){.cookie = UINT64_MAX};
		ofp->n_pin_ctx = 1;
	}
	for (uint32_t i = 1; i < ofp->n_pin_ctx; i++) {
		const struct pin_ctx *x = &ofp->pin_ctx[i];

		if (x->cookie == cookie && x->in_port == in_port && x->tun_id == tun->tun_id &&
		    x->tun_src == tun->tun_src && x->tun_dst == tun->tun_dst &&
		    x->tun_md_present == tun->tun_md_present &&
		    !memcmp(x->tun_md, tun->tun_md, sizeof x->tun_md) &&
		    !memcmp(x->tun_ipv6_src, tun->tun_ipv6_src, 16) &&
		    !memcmp(x->tun_ipv6_dst, tun->tun_ipv6_dst, 16) &&
		    !memcmp(&x->md, md, sizeof *md)) {
			return ofp->pin_gen << PIN_CTX_BITS | i;
		}
	}
	if (ofp->n_pin_ctx == PIN_CTX_MAX) {
		/* Start over; the megaflows with the old numbers are swept. */
		ofp->pin_gen = (ofp->pin_gen + 1) & PIN_GEN_MASK;
		ofp->n_pin_ctx = 1;
		ofp->reval_all = true;
		ofp->sweep_wanted = true;
	}
	struct pin_ctx *x = &ofp->pin_ctx[ofp->n_pin_ctx];

	*x = (struct pin_ctx){.cookie = cookie,
			      .md = *md,
			      .in_port = in_port,
			      .tun_src = tun->tun_src,
			      .tun_dst = tun->tun_dst,
			      .tun_id = tun->tun_id,
			      .tun_md_present = tun->tun_md_present};
	memcpy(x->tun_md, tun->tun_md, sizeof x->tun_md);
	memcpy(x->tun_ipv6_src, tun->tun_ipv6_src, sizeof x->tun_ipv6_src);
	memcpy(x->tun_ipv6_dst, tun->tun_ipv6_dst, sizeof x->tun_ipv6_dst);
	return ofp->pin_gen << PIN_CTX_BITS | ofp->n_pin_ctx++;
}

bool
ofproto_packet_in(struct ofproto *ofp, uint32_t dp_in_port, uint64_t cookie,
		  struct ofproto_pin *pin)
{
	uint32_t ctx = (uint32_t)(cookie >> 32) & 0xffff;
	uint32_t idx = ctx & (PIN_CTX_MAX - 1);
	const struct pin_ctx *x;

	if ((cookie & CONTROLLER_COOKIE_MASK) != CONTROLLER_COOKIE) {
		return false;
	}
	if (!ofp->n_pin_ctx) {
		ofp->pin_ctx[0] = (struct pin_ctx){.cookie = UINT64_MAX};
		ofp->n_pin_ctx = 1;
	}
	/* Another generation's number (see struct pin_ctx): unknown. */
	x = &ofp->pin_ctx[ctx >> PIN_CTX_BITS == ofp->pin_gen && idx < ofp->n_pin_ctx ? idx : 0];
	pin->max_len = (uint16_t)cookie;
	pin->reason = (uint8_t)(cookie >> 16);
	pin->table_id = (uint8_t)(cookie >> 24);
	pin->cookie = x->cookie;
	pin->md = x->md;
	pin->tun_id = x->tun_id;
	pin->tun_src = x->tun_src;
	pin->tun_dst = x->tun_dst;
	pin->tun_md_present = x->tun_md_present;
	memcpy(pin->tun_md, x->tun_md, sizeof pin->tun_md);
	memcpy(pin->tun_ipv6_src, x->tun_ipv6_src, 16);
	memcpy(pin->tun_ipv6_dst, x->tun_ipv6_dst, 16);
	pin->in_port = x->in_port ? x->in_port : ofproto_port_of_dp(ofp, dp_in_port);
	ofp->sweep.packet_ins++;
	return pin->in_port != 0;
}

bool
ofproto_slow_path(struct ofproto *ofp, uint32_t dp_in_port, uint64_t cookie, const uint8_t *pkt,
		  uint32_t len, uint32_t total_len, uint64_t now_ms, struct xlate_result *res)
{
	if (cookie != SLOW_PATH_COOKIE) {
		return false;
	}
	if (xlate_slow_path(ofp, dp_in_port, pkt, len, total_len, now_ms, res)) {
		res->n_actions = 0;
	}
	return true;
}

int
ofproto_packet_out(struct ofproto *ofp, uint32_t in_port, const struct flow_key *key,
		   const struct ofpact *acts, uint32_t n_acts, uint64_t now_ms,
		   struct xlate_result *res, uint32_t *dp_in_port)
{
	return xlate_packet_out(ofp, in_port, key, acts, n_acts, now_ms, res, dp_in_port);
}

/* ---- Expiry ---- */

void
ofproto_note_mac_change(struct ofproto *ofp, const uint8_t mac[6])
{
	ofp->sweep_wanted = true;
	if (ofp->n_macs == MAX_PENDING) {
		ofp->macs_overflow = true;
		return;
	}
	memcpy(ofp->macs_changed[ofp->n_macs++], mac, 6);
}

static void
mac_aged(void *aux, const uint8_t mac[6], uint16_t vlan)
{
	(void)vlan;
	ofproto_note_mac_change(aux, mac);
}

bool
ofproto_run(struct ofproto *ofp, uint64_t now_ms)
{
	struct rule *r, *next;

	mf_tlv_bind(&ofp->tlv); /* what expires is told with its tun_metadataN */
	/* Timeouts count in seconds: a tenth of one is exact enough, and a
	 * million entries with timeouts are not walked on every call. */
	if (now_ms >= ofp->last_expiry_ms && now_ms - ofp->last_expiry_ms < 100) {
		r = NULL;
	} else {
		r = ofp->expirable;
		ofp->last_expiry_ms = now_ms;
	}
	for (; r; r = next) {
		next = r->exp_next;
		if (r->hard_timeout && now_ms - r->created_ms >= r->hard_timeout * 1000ull) {
			remove_rule(ofp, r, OFPRR_HARD_TIMEOUT, now_ms);
		} else if (r->idle_timeout && now_ms - r->used_ms >= r->idle_timeout * 1000ull) {
			remove_rule(ofp, r, OFPRR_IDLE_TIMEOUT, now_ms);
		}
	}
	mac_age(ofp->macs, now_ms, mac_aged, ofp);
	return ofp->sweep_wanted;
}

/* ---- MAC table ---- */

void
ofproto_fdb_dump(const struct ofproto *ofp, uint64_t now_ms,
		 void (*cb)(void *aux, const struct mac_entry_info *e), void *aux)
{
	mac_table_dump(ofp->macs, now_ms, cb, aux);
}

void
ofproto_fdb_stats(const struct ofproto *ofp, struct mac_stats *s)
{
	mac_table_stats(ofp->macs, s);
}

unsigned int
ofproto_fdb_flush(struct ofproto *ofp)
{
	struct mac_stats s;

	mac_table_stats(ofp->macs, &s);
	mac_flush_port(ofp->macs, UINT32_MAX);
	/* Megaflows forward to what was learned: they must go too. */
	ofp->reval_all = true;
	ofp->sweep_wanted = true;
	return s.n_entries;
}
