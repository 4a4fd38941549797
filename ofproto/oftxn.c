/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Flow mods applied all or none (ofproto.h, ofproto_flow_mods_atomic(), an
 * OpenFlow bundle's commit). While a batch runs, every change to a flow
 * table leaves an undo record: a rule added, a rule that replaced another
 * (the other kept), instructions modified (the old ones kept), a rule
 * deleted (kept, its flow-removed notice held back). When a flow mod
 * fails, the records are played backwards; when all succeed, the kept
 * rules are let go and the notices sent. The journal (persistence) sees
 * the changes and their undoing as they happen, so that what is on disk
 * ends as the tables do.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto_priv.h"

enum undo_kind { UNDO_ADDED, UNDO_REPLACED, UNDO_MODIFIED, UNDO_DELETED };

struct undo {
	enum undo_kind kind;
	struct rule *r;         /* in the table now; DELETED: out of it (held) */
	struct rule *old;       /* REPLACED: the rule 'r' replaced (held) */
	struct ofp_insts insts; /* MODIFIED: the instructions before */
	uint64_t n_packets, n_bytes;
	enum ofp_removed_reason why; /* DELETED */
};

struct oftxn {
	struct undo *u;
	size_t n, cap;
};

int
oftxn_reserve(struct ofproto *ofp)
{
	struct oftxn *t = ofp->txn;

	if (t && t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct undo *u = realloc(t->u, cap * sizeof *u);

		if (!u) {
			return -ENOMEM;
		}
		t->u = u;
		t->cap = cap;
	}
	return 0;
}

/* The next record ('oftxn_reserve()' made room for it). */
static struct undo *
push(struct ofproto *ofp, enum undo_kind kind, struct rule *r)
{
	struct undo *u = &ofp->txn->u[ofp->txn->n++];

	memset(u, 0, sizeof *u);
	u->kind = kind;
	u->r = r;
	return u;
}

void
oftxn_added(struct ofproto *ofp, struct rule *r)
{
	push(ofp, UNDO_ADDED, r);
}

void
oftxn_replaced(struct ofproto *ofp, struct rule *r, struct rule *old)
{
	rule_ref(old);
	push(ofp, UNDO_REPLACED, r)->old = old;
}

void
oftxn_modified(struct ofproto *ofp, struct rule *r, struct ofp_insts *before, uint64_t n_packets,
	       uint64_t n_bytes)
{
	struct undo *u = push(ofp, UNDO_MODIFIED, r);

	u->insts = *before;
	u->n_packets = n_packets;
	u->n_bytes = n_bytes;
}

void
oftxn_deleted(struct ofproto *ofp, struct rule *r, enum ofp_removed_reason why)
{
	rule_ref(r);
	push(ofp, UNDO_DELETED, r)->why = why;
}

static void
journal_del(struct ofproto *ofp, const struct rule *r)
{
	if (ofp->journal.flow_del) {
		struct match m;

		rule_get_match(r, &m);
		ofp->journal.flow_del(ofp->journal.aux, r->table_id, r->priority, &m);
	}
}

/* Plays 'u' backwards. */
static void
undo_one(struct ofproto *ofp, struct undo *u, uint64_t now_ms)
{
	struct rule *r = u->r;
	struct oftable *t = &ofp->tables[r->table_id];

	rule_note_region(ofp, r);
	switch (u->kind) {
	case UNDO_ADDED:
		journal_del(ofp, r);
		flow_watch(ofp, OFPROTO_FLOW_REMOVED, r, OFPRR_DELETE, now_ms);
		r->removed = true;
		oftable_remove(t, r);
		expiry_unlink(ofp, r);
		rule_unref(r);
		break;
	case UNDO_REPLACED:
		/* The old rule goes back, with its age; the reference kept
		 * for it becomes the table's. */
		oftable_replace(t, r, u->old);
		expiry_unlink(ofp, r);
		expiry_link(ofp, u->old);
		r->removed = true;
		u->old->removed = false;
		journal_flow_set(ofp, u->old, now_ms);
		flow_watch(ofp, OFPROTO_FLOW_MODIFIED, u->old, OFPRR_DELETE, now_ms);
		rule_unref(r);
		break;
	case UNDO_MODIFIED:
		ofp_insts_destroy(&r->insts);
		r->insts = u->insts;
		r->n_packets = u->n_packets;
		r->n_bytes = u->n_bytes;
		journal_flow_set(ofp, r, r->used_ms);
		flow_watch(ofp, OFPROTO_FLOW_MODIFIED, r, OFPRR_DELETE, now_ms);
		break;
	case UNDO_DELETED:
		/* Back in its table (younger among equals than it was). */
		if (oftable_insert(t, r)) {
			/* No memory to put it back: it stays deleted, as if
			 * the batch had deleted it, and says so. */
			if ((r->flags & OFPFF_SEND_FLOW_REM) && ofp->removed_cb) {
				struct ofproto_flow_info f;

				ofproto_rule_info(r, now_ms, &f);
				f.reason = u->why;
				ofp->removed_cb(ofp->removed_aux, ofp, &f);
			}
			rule_unref(r);
			break;
		}
		r->removed = false;
		expiry_link(ofp, r);
		journal_flow_set(ofp, r, r->used_ms);
		flow_watch(ofp, OFPROTO_FLOW_ADDED, r, OFPRR_DELETE, now_ms);
		break;
	}
}

/* The batch succeeded: what was kept for undoing goes, the held-back
 * flow-removed notices go out. */
static void
commit_one(struct ofproto *ofp, struct undo *u, uint64_t now_ms)
{
	switch (u->kind) {
	case UNDO_ADDED:
		break;
	case UNDO_REPLACED:
		rule_unref(u->old);
		break;
	case UNDO_MODIFIED:
		ofp_insts_destroy(&u->insts);
		break;
	case UNDO_DELETED:
		if ((u->r->flags & OFPFF_SEND_FLOW_REM) && ofp->removed_cb) {
			struct ofproto_flow_info f;

			ofproto_rule_info(u->r, now_ms, &f);
			f.reason = u->why;
			ofp->removed_cb(ofp->removed_aux, ofp, &f);
		}
		rule_unref(u->r);
		break;
	}
}

int
ofproto_flow_mods_atomic(struct ofproto *ofp, const struct ofp_flow_mod *fms, size_t n,
			 uint64_t now_ms, char *err, size_t *failed)
{
	struct oftxn txn = {NULL, 0, 0};
	int ret = 0;
	size_t i;

	ofp->txn = &txn;
	for (i = 0; i < n && !ret; i++) {
		ret = ofproto_flow_mod(ofp, &fms[i], now_ms, err);
	}
	ofp->txn = NULL;
	if (ret) {
		*failed = i - 1;
		while (txn.n) {
			undo_one(ofp, &txn.u[--txn.n], now_ms);
		}
	} else {
		for (size_t k = 0; k < txn.n; k++) {
			commit_one(ofp, &txn.u[k], now_ms);
		}
	}
	free(txn.u);
	return ret;
}
