/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bridge's megaflow records (ukeys): what each megaflow's translation
 * went through, and the sweep that pushes the datapath's statistics to the
 * rules, groups and MACs behind them and revalidates the megaflows that a
 * change may affect (ofproto.h). The upcalls that make them are in
 * ofproto.c.
 */
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "ofproto_priv.h"

static void
xi_unref(struct xlate_info *xi)
{
	for (uint32_t i = 0; i < xi->n_rules; i++) {
		rule_unref(xi->rules[i]);
	}
	for (uint32_t i = 0; i < xi->n_buckets; i++) {
		group_unref(xi->buckets[i].group);
	}
	if (xi->cross) {
		for (uint32_t i = 0; i < xi->cross->n_rules; i++) {
			rule_unref(xi->cross->rules[i]);
		}
		free(xi->cross);
		xi->cross = NULL;
	}
}

/* Gives 'xi' a copy of its crossing record of its own (it points into a
 * translation's result, which goes); false without memory. */
bool
xi_own_cross(struct xlate_info *xi)
{
	struct xlate_cross *x;

	if (!xi->cross) {
		return true;
	}
	x = malloc(sizeof *x);
	if (x) {
		*x = *xi->cross;
	}
	xi->cross = x;
	return x != NULL;
}

void
ukey_free(struct ukey *u)
{
	xi_unref(&u->xi);
	free(u);
}

struct ukey **
ukey_bucket(struct ofproto *ofp, uint64_t ufid)
{
	return &ofp->ukeys[hash_finish(hash_add64(0, ufid)) & (ofp->n_ukey_buckets - 1)];
}

static struct ukey *
ukey_find(struct ofproto *ofp, uint64_t ufid)
{
	for (struct ukey *u = *ukey_bucket(ofp, ufid); u; u = u->next) {
		if (u->ufid == ufid) {
			return u;
		}
	}
	return NULL;
}

void
xi_ref(struct xlate_info *xi)
{
	for (uint32_t i = 0; i < xi->n_rules; i++) {
		rule_ref(xi->rules[i]);
	}
	for (uint32_t i = 0; i < xi->n_buckets; i++) {
		group_ref(xi->buckets[i].group);
	}
	for (uint32_t i = 0; xi->cross && i < xi->cross->n_rules; i++) {
		rule_ref(xi->cross->rules[i]);
	}
}

void
ofproto_sweep_begin(struct ofproto *ofp)
{
	for (uint32_t b = 0; ofp->n_ukeys && b < ofp->n_ukey_buckets; b++) {
		for (struct ukey *u = ofp->ukeys[b]; u; u = u->next) {
			u->seen = false;
		}
	}
}

/* Counts 'dp' packets of 'db' bytes, last at 'used', on 'rules' and as
 * lookups in the tables marked in 'tables' (may be NULL). */
static void
count_rules(struct ofproto *ofp, struct rule *const *rules, uint32_t n, const uint8_t *tables,
	    uint64_t dp, uint64_t db, uint64_t used)
{
	for (uint32_t i = 0; i < n; i++) {
		struct rule *r = rules[i];

		r->n_packets += dp;
		r->n_bytes += db;
		r->used_ms = VS_MAX(r->used_ms, used);
		if (!r->removed) {
			ofp->tables[r->table_id].matches += dp;
		}
	}
	for (unsigned tid = 0; tables && tid < OFP_N_TABLES; tid++) {
		if (tables[tid / 8] & (1 << (tid % 8))) {
			ofp->tables[tid].lookups += dp;
		}
	}
}

static void
push_stats(struct ofproto *ofp, struct ukey *u, const struct dp_flow_info *info, uint64_t now_ms)
{
	uint64_t dp = info->n_packets - u->pushed_packets, db = info->n_bytes - u->pushed_bytes;
	uint64_t used = now_ms - VS_MIN(info->idle_ms, now_ms);

	if (!dp) {
		return;
	}
	u->pushed_packets = info->n_packets;
	u->pushed_bytes = info->n_bytes;
	count_rules(ofp, u->xi.rules, u->xi.n_rules, u->xi.tables, dp, db, used);
	if (u->xi.cross && u->xi.cross->ofp) {
		const struct xlate_cross *x = u->xi.cross;

		for (uint32_t i = 0; i < x->n_rules; i++) {
			count_rules(x->ofp, &x->rules[i], 1, NULL, dp * x->copies[i],
				    db * x->copies[i] + dp * x->hdr_bytes[i], used);
		}
		count_rules(x->ofp, NULL, 0, x->tables, dp * x->n_copies, 0, used);
		if (x->learned) {
			mac_touch(x->ofp->macs, x->mac, x->vlan, x->learn_port, used);
		}
	}
	for (uint32_t i = 0; i < u->xi.n_buckets; i++) {
		struct group *g = u->xi.buckets[i].group;
		uint32_t k = u->xi.buckets[i].bucket;
		bool first = true;

		for (uint32_t j = 0; j < i && first; j++) {
			first = u->xi.buckets[j].group != g;
		}
		if (first) {
			g->n_packets += dp;
			g->n_bytes += db;
		}
		if (k < g->n_buckets) {
			g->bucket_packets[k] += dp;
			g->bucket_bytes[k] += db;
		}
	}
	if (u->xi.learned) {
		mac_touch(ofp->macs, u->xi.mac, u->xi.vlan, u->xi.learn_port, used);
	}
	if (u->xi.vlan_drop_port) {
		struct ofport *p = ofproto_port_by_ofp(ofp, u->xi.vlan_drop_port);

		if (p) {
			p->vlan_drops += dp;
		}
	}
}

static bool
intersects(const struct region *r, const struct flow_key *key, const struct flow_key *mask)
{
	uint64_t diff = 0;

	for (int i = 0; i < FLOW_KEY_U64S; i++) {
		diff |= (r->key.u64[i] ^ key->u64[i]) & r->mask.u64[i] & mask->u64[i];
	}
	return diff == 0;
}

static bool
mac_in(const uint8_t *field, const uint8_t *mask, const uint8_t mac[6])
{
	static const uint8_t ones[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

	return !memcmp(mask, ones, 6) && !memcmp(field, mac, 6);
}

/* Whether a pending change may alter what megaflow 'info' (record 'u')
 * does. */
static bool
affected(const struct ofproto *ofp, const struct ukey *u, const struct dp_flow_info *info)
{
	const struct ofproto *x;

	if (ofp->reval_all || !u || u->xi.rules_overflow) {
		return true;
	}
	/* Any change to the underlay bridge an encapsulation went through
	 * (its flows, its MACs, its ports) may change what it does there. */
	x = u->xi.cross ? u->xi.cross->ofp : NULL;
	if (x && (x->reval_all || x->n_regions || x->n_macs || x->macs_overflow)) {
		return true;
	}
	for (uint32_t i = 0; i < ofp->n_regions; i++) {
		const struct region *r = &ofp->regions[i];

		if ((u->xi.tables[r->table_id / 8] & (1 << (r->table_id % 8))) &&
		    (u->xi.modified || intersects(r, info->key, info->mask))) {
			return true;
		}
	}
	if (!u->xi.used_normal) {
		return false;
	}
	if (ofp->macs_overflow || (u->xi.modified && ofp->n_macs)) {
		return true;
	}
	for (uint32_t i = 0; i < ofp->n_macs; i++) {
		if (mac_in(info->key->eth_dst, info->mask->eth_dst, ofp->macs_changed[i]) ||
		    mac_in(info->key->eth_src, info->mask->eth_src, ofp->macs_changed[i])) {
			return true;
		}
	}
	return false;
}

static void
ukey_delete(struct ofproto *ofp, struct ukey *u)
{
	struct ukey **pp = ukey_bucket(ofp, u->ufid);

	while (*pp != u) {
		pp = &(*pp)->next;
	}
	*pp = u->next;
	ofp->n_ukeys--;
	ukey_free(u);
}

bool
ofproto_sweep_flow(struct ofproto *ofp, const struct dp_flow_info *info, uint64_t now_ms,
		   uint64_t max_idle_ms)
{
	struct ukey *u = info->ufid ? ukey_find(ofp, info->ufid) : NULL;
	struct xlate_result *xr;
	struct xlate_info xi;
	bool keep;

	if (u) {
		u->seen = true;
		push_stats(ofp, u, info, now_ms);
	}
	if (info->idle_ms > max_idle_ms) {
		keep = false;
	} else if (!affected(ofp, u, info)) {
		return true;
	} else if (!(xr = malloc(sizeof *xr))) {
		keep = false;
	} else {
		ofp->sweep.revalidated++;
		/* The upcall's packet; without a ukey the megaflow's masked
		 * key, another packet it matches (a change that reads a field
		 * its mask left out changes the mask, and the megaflow goes). */
		keep = !xlate_packet(ofp, u ? &u->key : info->key, false, now_ms, xr, &xi, NULL) &&
		       !xr->stale && flow_key_equal(&xr->mask, info->mask) &&
		       xr->n_actions == info->n_actions &&
		       !memcmp(xr->actions, info->actions, xr->n_actions * sizeof xr->actions[0]);
		if (keep && u && !xi_own_cross(&xi)) {
			keep = false;
		}
		free(xr);
		if (keep && u) {
			/* Same decision, maybe through other rules now. */
			xi_ref(&xi);
			xi_unref(&u->xi);
			u->xi = xi;
		}
	}
	if (!keep) {
		ofp->sweep.deleted++;
		if (u) {
			ukey_delete(ofp, u);
		}
	}
	return keep;
}

void
ofproto_sweep_end(struct ofproto *ofp)
{
	/* Records of megaflows the datapath no longer has (never installed,
	 * or deleted elsewhere). */
	for (uint32_t b = 0; ofp->n_ukeys && b < ofp->n_ukey_buckets; b++) {
		for (struct ukey **pp = &ofp->ukeys[b]; *pp;) {
			struct ukey *u = *pp;

			if (!u->seen) {
				*pp = u->next;
				ofp->n_ukeys--;
				ukey_free(u);
			} else {
				pp = &u->next;
			}
		}
	}
	ofp->reval_all = false;
	ofp->n_regions = 0;
	ofp->n_macs = 0;
	ofp->macs_overflow = false;
	ofp->sweep_wanted = false;
	ofp->sweep.sweeps++;
}

void
ofproto_get_sweep_stats(const struct ofproto *ofp, struct ofproto_sweep_stats *s)
{
	*s = ofp->sweep;
	s->n_megaflows = ofp->n_ukeys;
}
