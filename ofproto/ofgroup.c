/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bridge's group table and meter table (ofproto.h): group and meter mods,
 * their statistics, and the flow entries that refer to them. Translation
 * (xlate.c) reads both; meters run in the datapath through the backend the
 * bridge sets, under datapath meter ids allocated here for the whole
 * process (all bridges share one datapath).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "ofproto_priv.h"

/* ---- Groups ---- */

void
ofp_group_mod_destroy(struct ofp_group_mod *gm)
{
	for (uint32_t i = 0; i < gm->n_buckets; i++) {
		free(gm->buckets[i].actions);
	}
	free(gm->buckets);
	gm->buckets = NULL;
	gm->n_buckets = 0;
}

void
group_ref(struct group *g)
{
	g->refcnt++;
}

static void
buckets_free(struct ofp_bucket *b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		free(b[i].actions);
	}
	free(b);
}

void
group_unref(struct group *g)
{
	if (g && !--g->refcnt) {
		buckets_free(g->buckets, g->n_buckets);
		free(g->bucket_packets);
		free(g->bucket_bytes);
		free(g);
	}
}

/* The index where group 'id' is or would go. */
static uint32_t
group_index(const struct ofproto *ofp, uint32_t id)
{
	uint32_t lo = 0, hi = ofp->n_groups;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (ofp->groups[mid]->id < id) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

struct group *
ofproto_group_find(const struct ofproto *ofp, uint32_t id)
{
	uint32_t i = group_index(ofp, id);

	return i < ofp->n_groups && ofp->groups[i]->id == id ? ofp->groups[i] : NULL;
}

/* A deep copy of 'gm''s buckets with zeroed counters into 'g'. */
static int
group_set_buckets(struct group *g, const struct ofp_group_mod *gm)
{
	uint32_t n = gm->n_buckets;
	struct ofp_bucket *b = calloc(n ? n : 1, sizeof *b);
	uint64_t *pk = calloc(n ? n : 1, sizeof *pk), *by = calloc(n ? n : 1, sizeof *by);

	for (uint32_t i = 0; b && i < n; i++) {
		b[i] = gm->buckets[i];
		b[i].actions = malloc((gm->buckets[i].n_actions ? gm->buckets[i].n_actions : 1) *
				      sizeof *b[i].actions);
		if (!b[i].actions) {
			buckets_free(b, i);
			b = NULL;
			break;
		}
		memcpy(b[i].actions, gm->buckets[i].actions,
		       gm->buckets[i].n_actions * sizeof *b[i].actions);
	}
	if (!b || !pk || !by) {
		if (b) {
			buckets_free(b, n);
		}
		free(pk);
		free(by);
		return -ENOMEM;
	}
	buckets_free(g->buckets, g->n_buckets);
	free(g->bucket_packets);
	free(g->bucket_bytes);
	g->buckets = b;
	g->n_buckets = n;
	g->bucket_packets = pk;
	g->bucket_bytes = by;
	g->type = gm->type;
	return 0;
}

static bool
rule_uses_group(const struct rule *r, void *aux)
{
	return ofp_insts_uses_group(&r->insts, *(const uint32_t *)aux);
}

static void
group_remove_at(struct ofproto *ofp, uint32_t i, uint64_t now_ms)
{
	struct group *g = ofp->groups[i];

	ofproto_delete_rules_if(ofp, rule_uses_group, &g->id, now_ms);
	memmove(&ofp->groups[i], &ofp->groups[i + 1],
		(ofp->n_groups - i - 1) * sizeof ofp->groups[0]);
	ofp->n_groups--;
	g->removed = true;
	group_unref(g);
}

int
ofproto_group_mod(struct ofproto *ofp, const struct ofp_group_mod *gm, uint64_t now_ms, char *err)
{
	uint32_t i = group_index(ofp, gm->group_id);
	struct group *g =
		i < ofp->n_groups && ofp->groups[i]->id == gm->group_id ? ofp->groups[i] : NULL;

	switch (gm->command) {
	case OFPGC_ADD:
		if (g) {
			snprintf(err, OFP_ERR_MAX, "group %" PRIu32 " exists", gm->group_id);
			return -EEXIST;
		}
		if (ofp->n_groups >= OFP_GROUP_MAX) {
			snprintf(err, OFP_ERR_MAX, "a bridge has at most %d groups", OFP_GROUP_MAX);
			return -ENOSPC;
		}
		if (!ofp->groups && !(ofp->groups = calloc(OFP_GROUP_MAX, sizeof *ofp->groups))) {
			snprintf(err, OFP_ERR_MAX, "out of memory");
			return -ENOMEM;
		}
		g = calloc(1, sizeof *g);
		if (!g || group_set_buckets(g, gm)) {
			free(g);
			snprintf(err, OFP_ERR_MAX, "out of memory");
			return -ENOMEM;
		}
		g->id = gm->group_id;
		g->created_ms = now_ms;
		g->refcnt = 1;
		memmove(&ofp->groups[i + 1], &ofp->groups[i],
			(ofp->n_groups - i) * sizeof ofp->groups[0]);
		ofp->groups[i] = g;
		ofp->n_groups++;
		break;
	case OFPGC_MODIFY:
		if (!g) {
			snprintf(err, OFP_ERR_MAX, "group %" PRIu32 " does not exist",
				 gm->group_id);
			return -ENOENT;
		}
		if (g->refcnt > 1) {
			/* Megaflow records hold the old buckets' indexes: the
			 * group gets a fresh record, the old one goes with them. */
			struct group *n = calloc(1, sizeof *n);

			if (!n || group_set_buckets(n, gm)) {
				free(n);
				snprintf(err, OFP_ERR_MAX, "out of memory");
				return -ENOMEM;
			}
			n->id = g->id;
			n->created_ms = g->created_ms;
			n->n_packets = g->n_packets;
			n->n_bytes = g->n_bytes;
			n->refcnt = 1;
			ofp->groups[i] = n;
			g->removed = true;
			group_unref(g);
		} else if (group_set_buckets(g, gm)) {
			snprintf(err, OFP_ERR_MAX, "out of memory");
			return -ENOMEM;
		}
		break;
	case OFPGC_DELETE:
		if (gm->group_id == OFPG_ALL) {
			while (ofp->n_groups) {
				group_remove_at(ofp, ofp->n_groups - 1, now_ms);
			}
		} else if (g) {
			group_remove_at(ofp, i, now_ms);
		}
		break;
	default:
		snprintf(err, OFP_ERR_MAX, "unknown group mod command %d", gm->command);
		return -EINVAL;
	}
	ofp->reval_all = true;
	ofp->sweep_wanted = true;
	if (ofp->journal.group_mod) {
		ofp->journal.group_mod(ofp->journal.aux, gm);
	}
	return 0;
}

static uint32_t
count_rules(const struct ofproto *ofp, bool (*pred)(const struct rule *, void *), void *aux)
{
	uint32_t n = 0;

	for (unsigned tid = 0; tid < OFP_N_TABLES; tid++) {
		for (const struct rule *r = oftable_first(&ofp->tables[tid]); r;
		     r = oftable_next(r)) {
			n += pred(r, aux);
		}
	}
	return n;
}

/* How many flow entries use each group (by index in ofp->groups), in one
 * pass over the flow entries: a new array, NULL on ENOMEM. */
static uint32_t *
group_ref_counts(const struct ofproto *ofp)
{
	uint32_t *counts = calloc(ofp->n_groups + 1, sizeof *counts);

	for (unsigned tid = 0; counts && ofp->n_groups && tid < OFP_N_TABLES; tid++) {
		for (const struct rule *r = oftable_first(&ofp->tables[tid]); r;
		     r = oftable_next(r)) {
			const struct ofpact *lists[2] = {r->insts.apply, r->insts.write};
			const uint32_t n[2] = {r->insts.n_apply, r->insts.n_write};
			uint32_t seen[8], n_seen = 0;

			for (int l = 0; l < 2; l++) {
				for (uint32_t a = 0; a < n[l]; a++) {
					uint32_t i = group_index(ofp, lists[l][a].port);
					bool dup = false;

					if (lists[l][a].type != OFPACT_GROUP ||
					    i >= ofp->n_groups ||
					    ofp->groups[i]->id != lists[l][a].port) {
						continue;
					}
					for (uint32_t k = 0; k < n_seen && !dup; k++) {
						dup = seen[k] == i;
					}
					if (!dup && n_seen < ARRAY_SIZE(seen)) {
						seen[n_seen++] = i;
						counts[i]++;
					}
				}
			}
		}
	}
	return counts;
}

void
ofproto_group_dump(const struct ofproto *ofp, uint32_t group_id, uint64_t now_ms,
		   void (*cb)(void *aux, const struct ofproto_group_info *g), void *aux)
{
	uint32_t *counts = group_ref_counts(ofp);

	for (uint32_t i = 0; i < ofp->n_groups; i++) {
		const struct group *g = ofp->groups[i];
		struct ofproto_group_info info;
		uint32_t id = g->id;

		if (group_id != OFPG_ALL && group_id != g->id) {
			continue;
		}
		memset(&info, 0, sizeof info);
		info.group_id = g->id;
		info.type = g->type;
		info.buckets = g->buckets;
		info.n_buckets = g->n_buckets;
		info.ref_count = counts ? counts[i] : count_rules(ofp, rule_uses_group, &id);
		info.duration_ms = now_ms - VS_MIN(g->created_ms, now_ms);
		info.n_packets = g->n_packets;
		info.n_bytes = g->n_bytes;
		info.bucket_packets = g->bucket_packets;
		info.bucket_bytes = g->bucket_bytes;
		cb(aux, &info);
	}
	free(counts);
}

/* ---- Meters ---- */

/* Datapath meter ids in use, for every bridge (under ofproto_lock()). */
static uint8_t dp_meter_used[OFP_METER_MAX];

void
ofproto_set_meter_backend(struct ofproto *ofp, const struct ofproto_meter_backend *be)
{
	if (be) {
		ofp->meter_be = *be;
	} else {
		memset(&ofp->meter_be, 0, sizeof ofp->meter_be);
	}
}

void
ofproto_meters_reinstall(struct ofproto *ofp)
{
	for (uint32_t i = 0; i < ofp->n_meters && ofp->meter_be.set; i++) {
		if (ofp->meter_be.set(ofp->meter_be.aux, ofp->meters[i]->dp_id,
				      &ofp->meters[i]->cfg)) {
			VLOG_WARN("ofproto", "%s: meter %" PRIu32 " could not be reinstalled",
				  ofp->name, ofp->meters[i]->cfg.meter_id);
		}
	}
}

static uint32_t
meter_index(const struct ofproto *ofp, uint32_t id)
{
	uint32_t lo = 0, hi = ofp->n_meters;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (ofp->meters[mid]->cfg.meter_id < id) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

struct meter *
ofproto_meter_find(const struct ofproto *ofp, uint32_t id)
{
	uint32_t i = meter_index(ofp, id);

	return i < ofp->n_meters && ofp->meters[i]->cfg.meter_id == id ? ofp->meters[i] : NULL;
}

static bool
rule_uses_meter(const struct rule *r, void *aux)
{
	uint32_t id = *(const uint32_t *)aux;

	return r->insts.meter_id && (id == OFPM_ALL || r->insts.meter_id == id);
}

static void
meter_remove_at(struct ofproto *ofp, uint32_t i, uint64_t now_ms)
{
	struct meter *m = ofp->meters[i];

	ofproto_delete_rules_if(ofp, rule_uses_meter, &m->cfg.meter_id, now_ms);
	if (ofp->meter_be.del) {
		ofp->meter_be.del(ofp->meter_be.aux, m->dp_id);
	}
	dp_meter_used[m->dp_id] = 0;
	memmove(&ofp->meters[i], &ofp->meters[i + 1],
		(ofp->n_meters - i - 1) * sizeof ofp->meters[0]);
	ofp->n_meters--;
	free(m);
}

/* Removes every meter (the bridge goes away). */
void
ofproto_meters_clear(struct ofproto *ofp)
{
	while (ofp->n_meters) {
		struct meter *m = ofp->meters[--ofp->n_meters];

		if (ofp->meter_be.del) {
			ofp->meter_be.del(ofp->meter_be.aux, m->dp_id);
		}
		dp_meter_used[m->dp_id] = 0;
		free(m);
	}
	free(ofp->meters);
	ofp->meters = NULL;
}

static int
meter_add(struct ofproto *ofp, uint32_t i, const struct ofp_meter_mod *mm, uint64_t now_ms,
	  char *err)
{
	struct meter *m;
	uint32_t dp_id;
	int ret;

	for (dp_id = 0; dp_id < OFP_METER_MAX && dp_meter_used[dp_id]; dp_id++) {
	}
	if (dp_id == OFP_METER_MAX) {
		snprintf(err, OFP_ERR_MAX, "the switch has at most %d meters", OFP_METER_MAX);
		return -ENOSPC;
	}
	if (!ofp->meters && !(ofp->meters = calloc(OFP_METER_MAX, sizeof *ofp->meters))) {
		snprintf(err, OFP_ERR_MAX, "out of memory");
		return -ENOMEM;
	}
	if (!(m = calloc(1, sizeof *m))) {
		snprintf(err, OFP_ERR_MAX, "out of memory");
		return -ENOMEM;
	}
	m->cfg = *mm;
	m->cfg.command = OFPMC_ADD;
	m->dp_id = dp_id;
	m->created_ms = now_ms;
	if (ofp->meter_be.set && (ret = ofp->meter_be.set(ofp->meter_be.aux, dp_id, &m->cfg))) {
		snprintf(err, OFP_ERR_MAX, "meter %" PRIu32 ": the datapath refused it: %s",
			 mm->meter_id, strerror(-ret));
		free(m);
		return ret;
	}
	dp_meter_used[dp_id] = 1;
	memmove(&ofp->meters[i + 1], &ofp->meters[i], (ofp->n_meters - i) * sizeof ofp->meters[0]);
	ofp->meters[i] = m;
	ofp->n_meters++;
	return 0;
}

static int meter_mod(struct ofproto *ofp, const struct ofp_meter_mod *mm, uint64_t now_ms,
		     char *err);

int
ofproto_meter_mod(struct ofproto *ofp, const struct ofp_meter_mod *mm, uint64_t now_ms, char *err)
{
	int ret = meter_mod(ofp, mm, now_ms, err);

	if (!ret && ofp->journal.meter_mod) {
		ofp->journal.meter_mod(ofp->journal.aux, mm);
	}
	return ret;
}

static int
meter_mod(struct ofproto *ofp, const struct ofp_meter_mod *mm, uint64_t now_ms, char *err)
{
	uint32_t i = meter_index(ofp, mm->meter_id);
	struct meter *m = i < ofp->n_meters && ofp->meters[i]->cfg.meter_id == mm->meter_id
				  ? ofp->meters[i]
				  : NULL;
	int ret;

	switch (mm->command) {
	case OFPMC_ADD:
		if (m) {
			snprintf(err, OFP_ERR_MAX, "meter %" PRIu32 " exists", mm->meter_id);
			return -EEXIST;
		}
		return meter_add(ofp, i, mm, now_ms, err);
	case OFPMC_MODIFY:
		if (!m) {
			snprintf(err, OFP_ERR_MAX, "meter %" PRIu32 " does not exist",
				 mm->meter_id);
			return -ENOENT;
		}
		if (ofp->meter_be.set &&
		    (ret = ofp->meter_be.set(ofp->meter_be.aux, m->dp_id, mm))) {
			snprintf(err, OFP_ERR_MAX, "meter %" PRIu32 ": the datapath refused it: %s",
				 mm->meter_id, strerror(-ret));
			return ret;
		}
		m->cfg = *mm;
		m->cfg.command = OFPMC_ADD;
		return 0;
	case OFPMC_DELETE:
		if (mm->meter_id == OFPM_ALL) {
			while (ofp->n_meters) {
				meter_remove_at(ofp, ofp->n_meters - 1, now_ms);
			}
		} else if (m) {
			meter_remove_at(ofp, i, now_ms);
		}
		return 0;
	}
	snprintf(err, OFP_ERR_MAX, "unknown meter mod command %d", mm->command);
	return -EINVAL;
}

void
ofproto_meter_dump(const struct ofproto *ofp, uint32_t meter_id, uint64_t now_ms,
		   void (*cb)(void *aux, const struct ofproto_meter_info *m), void *aux)
{
	/* How many flow entries use each meter, in one pass. */
	uint32_t *counts = calloc(ofp->n_meters + 1, sizeof *counts);

	for (unsigned tid = 0; counts && ofp->n_meters && tid < OFP_N_TABLES; tid++) {
		for (const struct rule *r = oftable_first(&ofp->tables[tid]); r;
		     r = oftable_next(r)) {
			uint32_t i = r->insts.meter_id ? meter_index(ofp, r->insts.meter_id)
						       : UINT32_MAX;

			if (i < ofp->n_meters &&
			    ofp->meters[i]->cfg.meter_id == r->insts.meter_id) {
				counts[i]++;
			}
		}
	}
	for (uint32_t i = 0; i < ofp->n_meters; i++) {
		const struct meter *m = ofp->meters[i];
		struct ofproto_meter_info info;
		uint32_t id = m->cfg.meter_id;

		if (meter_id != OFPM_ALL && meter_id != id) {
			continue;
		}
		memset(&info, 0, sizeof info);
		info.meter_id = id;
		info.cfg = &m->cfg;
		info.flow_count = counts ? counts[i] : count_rules(ofp, rule_uses_meter, &id);
		info.duration_ms = now_ms - VS_MIN(m->created_ms, now_ms);
		if (ofp->meter_be.stats) {
			ofp->meter_be.stats(ofp->meter_be.aux, m->dp_id, &info.stats);
		}
		cb(aux, &info);
	}
	free(counts);
}

/* ---- References from flow entries ---- */

static int
missing_group(const struct ofproto *ofp, const struct ofpact *a, uint32_t n, uint32_t *id)
{
	for (uint32_t i = 0; i < n; i++) {
		if (a[i].type == OFPACT_GROUP && !ofproto_group_find(ofp, a[i].port)) {
			*id = a[i].port;
			return OFPROTO_NO_GROUP;
		}
	}
	return 0;
}

int
ofproto_insts_missing(const struct ofproto *ofp, const struct ofp_insts *in, uint32_t *id)
{
	int ret;

	if (in->meter_id && !ofproto_meter_find(ofp, in->meter_id)) {
		*id = in->meter_id;
		return OFPROTO_NO_METER;
	}
	ret = missing_group(ofp, in->apply, in->n_apply, id);
	return ret ? ret : missing_group(ofp, in->write, in->n_write, id);
}
