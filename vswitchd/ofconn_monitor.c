/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenFlow 1.4 and 1.5 flow monitors (OFPMP_FLOW_MONITOR): a controller
 * names the flow entries it wants to hear about (a table or all, an output
 * port, an output group, a match that covers them) and the events (added,
 * removed, modified); the reply lists the entries there now when it asks
 * for them (OFPFMF_INITIAL), and every later change that a monitor selects
 * goes out as an unsolicited OFPMP_FLOW_MONITOR reply. Flag bit 6
 * (OFPFMF_ONLY_OWN) is read as Open vSwitch reads it, which is what
 * `ovs-ofctl monitor watch:` relies on: changes by others are always
 * reported, a connection's own only with that bit, and then abbreviated to
 * its request's xid unless it asks for them in full (OFPFMF_NO_ABBREV).
 * (The 1.4 text says the bit leaves out the other controllers' changes;
 * read that way, ovs-ofctl's monitor would show nothing.)
 */
#include <stdlib.h>
#include <string.h>

#include "ofconn_priv.h"
#include "ofp_wire.h"

enum {
	OFPMP_FLOW_MONITOR = 16,
	FMC_ADD = 0,
	FMC_MODIFY = 1,
	FMC_DELETE = 2,
	FMF_INITIAL = 1 << 0,
	FMF_ADD = 1 << 1,
	FMF_REMOVED = 1 << 2,
	FMF_MODIFY = 1 << 3,
	FMF_INSTRUCTIONS = 1 << 4,
	FMF_NO_ABBREV = 1 << 5,
	FMF_ONLY_OWN = 1 << 6,
	FME_INITIAL = 0,
	FME_ABBREV = 4,
	/* OFPET_FLOW_MONITOR_FAILED and its codes. */
	MOF_TYPE = 16,
	MOF_UNKNOWN = 0,
	MOF_MONITOR_EXISTS = 1,
	MOF_UNKNOWN_MONITOR = 3,
	MOF_BAD_COMMAND = 4,
	MOF_BAD_FLAGS = 5, /* (no BAD_TABLE_ID: a table id is 0-254, or 0xff for all) */
	MONITORS_MAX = 64,
};

struct monitor {
	uint32_t id;
	uint32_t out_port, out_group;
	uint16_t flags;
	uint8_t table_id; /* 0xff: all */
	struct match match;
};

struct ofconn_monitors {
	struct monitor m[MONITORS_MAX];
	size_t n;
};

void
ofconn_monitors_free(struct conn *k)
{
	free(k->monitors);
	k->monitors = NULL;
}

static void
monitor_error(struct conn *k, unsigned int code, const uint8_t *msg, size_t len)
{
	size_t start = k->out.size;

	ofp_encode_error(&k->out, OFPERR(MOF_TYPE, code), msg, len > 64 ? 64 : len);
	k->out.data[start] = k->version;
}

/* Starts an OFPMP_FLOW_MONITOR reply in the connection's version. */
static size_t
reply_start(struct conn *k, uint32_t xid)
{
	size_t start = k->out.size;

	put8(&k->out, k->version);
	put8(&k->out, OFPT_MULTIPART_REPLY);
	put16(&k->out, 0);
	put32(&k->out, xid);
	put16(&k->out, OFPMP_FLOW_MONITOR);
	put16(&k->out, 0);
	put32(&k->out, 0);
	return start;
}

static void
reply_end(struct conn *k, size_t start)
{
	set16(k->out.data + start + 2, (uint16_t)(k->out.size - start));
}

/* One OFPFME_INITIAL/ADDED/REMOVED/MODIFIED update. */
static void
put_update(struct obuf *b, uint16_t event, const struct ofproto_flow_info *f, bool insts)
{
	size_t start = b->size;

	put16(b, 0);
	put16(b, event);
	put8(b, f->table_id);
	put8(b, event == OFPROTO_FLOW_REMOVED ? (uint8_t)f->reason : 0);
	put16(b, f->idle_timeout);
	put16(b, f->hard_timeout);
	put16(b, f->priority);
	put32(b, 0);
	put64(b, f->cookie);
	ofp_encode_match(b, f->match);
	if (insts) {
		ofp_encode_insts(b, f->insts);
	}
	set16(b->data + start, (uint16_t)(b->size - start));
}

static bool
selects(const struct monitor *m, const struct ofproto_flow_info *f)
{
	return (m->table_id == 0xff || m->table_id == f->table_id) &&
	       (m->out_port == OFPP_ANY || ofp_insts_output_to(f->insts, m->out_port)) &&
	       (m->out_group == OFPG_ANY || ofp_insts_uses_group(f->insts, m->out_group)) &&
	       match_covers(&m->match, f->match);
}

struct initial_ctx {
	struct conn *k;
	size_t start;
};

static void
initial_cb(void *aux, const struct ofproto_flow_info *f)
{
	struct initial_ctx *x = aux;
	struct conn *k = x->k;

	if (k->out.size - x->start > OFP_MSG_MAX - 4096) {
		/* Another part of the reply. */
		k->out.data[x->start + 11] |= 1; /* OFPMPF_REPLY_MORE */
		reply_end(k, x->start);
		x->start = reply_start(k, k->dump_xid);
	}
	put_update(&k->out, FME_INITIAL, f, k->dump_monitor_flags & FMF_INSTRUCTIONS);
}

enum { INITIAL_BATCH = 256, INITIAL_OUT_MAX = 1 << 20 };

void
ofconn_monitor_dump_run(struct ofconns *c, struct conn *k)
{
	struct initial_ctx x = {k, 0};
	bool more = true;

	ofconn_downgrade(c, k, NULL, 0);
	x.start = reply_start(k, k->dump_xid);
	ofproto_lock();
	while (more && k->out.size - k->out_ofs < INITIAL_OUT_MAX) {
		more = ofproto_flow_cursor_next(k->dump, c->now_ms, INITIAL_BATCH, initial_cb, &x);
	}
	if (!more) {
		ofproto_flow_cursor_destroy(k->dump);
		k->dump = NULL;
		k->dump_monitor = false;
	}
	ofproto_unlock();
	if (more) {
		k->out.data[x.start + 11] |= 1; /* OFPMPF_REPLY_MORE */
	}
	reply_end(k, x.start);
	k->out_conv = k->out.size;
}

static struct monitor *
monitor_find(struct ofconn_monitors *ms, uint32_t id)
{
	for (size_t i = 0; ms && i < ms->n; i++) {
		if (ms->m[i].id == id) {
			return &ms->m[i];
		}
	}
	return NULL;
}

static void
handle_request(struct ofconns *c, struct conn *k, const uint8_t *msg, size_t len)
{
	const uint8_t *p = msg + 16;
	struct monitor m, *old;
	size_t used;
	uint8_t command;
	enum ofp_err err;

	if (len < 16 + 16 + 8) {
		size_t at = k->out.size;

		send_error(k, OFPERR_BAD_LEN, msg, len);
		k->out.data[at] = k->version;
		return;
	}
	memset(&m, 0, sizeof m);
	m.id = get32(p);
	m.out_port = get32(p + 4);
	m.out_group = get32(p + 8);
	m.flags = get16(p + 12);
	m.table_id = p[14];
	command = p[15];
	old = monitor_find(k->monitors, m.id);
	if (command == FMC_DELETE) {
		if (!old) {
			monitor_error(k, MOF_UNKNOWN_MONITOR, msg, len);
			return;
		}
		*old = k->monitors->m[--k->monitors->n];
		reply_end(k, reply_start(k, get32(msg + 4)));
		return;
	}
	if (command != FMC_ADD && command != FMC_MODIFY) {
		monitor_error(k, MOF_BAD_COMMAND, msg, len);
		return;
	}
	if (m.flags & ~(FMF_INITIAL | FMF_ADD | FMF_REMOVED | FMF_MODIFY | FMF_INSTRUCTIONS |
			FMF_NO_ABBREV | FMF_ONLY_OWN)) {
		monitor_error(k, MOF_BAD_FLAGS, msg, len);
		return;
	}
	err = ofp_decode_match(p + 16, len - 32, &m.match, &used);
	if (err) {
		size_t at = k->out.size;

		send_error(k, err, msg, len);
		k->out.data[at] = k->version;
		return;
	}
	if (command == FMC_ADD && old) {
		monitor_error(k, MOF_MONITOR_EXISTS, msg, len);
		return;
	}
	if (command == FMC_MODIFY && !old) {
		monitor_error(k, MOF_UNKNOWN_MONITOR, msg, len);
		return;
	}
	if (!old) {
		if (!k->monitors && !(k->monitors = calloc(1, sizeof *k->monitors))) {
			monitor_error(k, MOF_UNKNOWN, msg, len);
			return;
		}
		if (k->monitors->n == MONITORS_MAX) {
			monitor_error(k, MOF_UNKNOWN, msg, len);
			return;
		}
		old = &k->monitors->m[k->monitors->n++];
	}
	*old = m;
	if (!(m.flags & FMF_INITIAL)) {
		reply_end(k, reply_start(k, get32(msg + 4)));
		return;
	}
	/* The entries there now, streamed as a flow dump is (dump_run()):
	 * from a snapshot of those the monitor selects. */
	struct ofp_flow_mod filter;

	memset(&filter, 0, sizeof filter);
	filter.table_id = m.table_id;
	filter.match = m.match;
	filter.out_port = m.out_port;
	filter.out_group = m.out_group;
	filter.has_out_group = m.out_group != OFPG_ANY;
	ofproto_lock();
	k->dump = ofproto_flow_cursor_create(k->br->ofp, &filter);
	ofproto_unlock();
	if (!k->dump) {
		monitor_error(k, MOF_UNKNOWN, msg, len);
		return;
	}
	k->dump_xid = get32(msg + 4);
	k->dump_monitor = true;
	k->dump_monitor_flags = m.flags;
	ofconn_monitor_dump_run(c, k);
}

bool
ofconn_monitor_handle(struct ofconns *c, struct conn *k, const uint8_t *msg, size_t len)
{
	if (k->version < OFP14_VERSION || msg[1] != OFPT_MULTIPART_REQUEST || len < 16 ||
	    get16(msg + 8) != OFPMP_FLOW_MONITOR) {
		return false;
	}
	ofconn_downgrade(c, k, NULL, 0); /* what waits for conversion first */
	if (msg[0] != k->version) {
		size_t at = k->out.size;

		send_error(k, OFPERR_BAD_VERSION, msg, len);
		k->out.data[at] = k->version;
	} else {
		handle_request(c, k, msg, len);
	}
	k->out_conv = k->out.size;
	return true;
}

void
ofconn_monitor_report(struct ofconns *c, const struct obr *br, enum ofproto_flow_event ev,
		      const struct ofproto_flow_info *f)
{
	static const uint16_t wants[] = {
		[OFPROTO_FLOW_ADDED] = FMF_ADD,
		[OFPROTO_FLOW_REMOVED] = FMF_REMOVED,
		[OFPROTO_FLOW_MODIFIED] = FMF_MODIFY,
	};

	for (size_t i = 0; i < c->n_conns; i++) {
		struct conn *k = c->conns[i];
		const struct ofconn_monitors *ms = k->monitors;
		bool own = k == c->acting, sent = false;

		if (k->br != br || !ms || !k->hello_done || k->closing || k->out.size >= OUT_MAX) {
			continue;
		}
		for (size_t j = 0; j < ms->n && !sent; j++) {
			const struct monitor *m = &ms->m[j];
			size_t start;

			if (!(m->flags & wants[ev]) || (own && !(m->flags & FMF_ONLY_OWN)) ||
			    !selects(m, f)) {
				continue;
			}
			/* Converted 1.3 output first, then this in the
			 * connection's version. */
			ofconn_downgrade(c, k, NULL, 0);
			start = reply_start(k, 0);
			if (own && !(m->flags & FMF_NO_ABBREV)) {
				put16(&k->out, 8);
				put16(&k->out, FME_ABBREV);
				put32(&k->out, c->acting_xid);
			} else {
				put_update(&k->out, ev, f, m->flags & FMF_INSTRUCTIONS);
			}
			reply_end(k, start);
			k->out_conv = k->out.size;
			sent = true; /* one update per change and connection */
		}
	}
}
