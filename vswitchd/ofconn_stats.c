/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenFlow multipart requests (ofconn.h): switch and port descriptions,
 * flow, aggregate, table, port, group and meter statistics, and the flow
 * dump streamed from a snapshot as the connection's socket drains.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "ofconn_priv.h"
#include "port.h"

/* Multipart replies: one message, continued with REPLY_MORE past 64 KiB. */
struct mp_reply {
	struct conn *k;
	uint32_t xid;
	uint16_t type;
	size_t start;
};

static void
mp_begin(struct mp_reply *r)
{
	uint8_t *p;

	r->start = ofp_msg_start(&r->k->out, OFPT_MULTIPART_REPLY, r->xid);
	p = obuf_put(&r->k->out, NULL, 8);
	p[0] = (uint8_t)(r->type >> 8);
	p[1] = (uint8_t)r->type;
}

/* Ends the current message when the next entry could overflow it. */
static void
mp_room(struct mp_reply *r)
{
	if (r->k->out.size - r->start > OFP_MSG_MAX - 8192) {
		r->k->out.data[r->start + 11] = 1; /* OFPMPF_REPLY_MORE */
		ofp_msg_end(&r->k->out, r->start);
		mp_begin(r);
	}
}

static void
flow_stats_cb(void *aux, const struct ofproto_flow_info *f)
{
	struct mp_reply *r = aux;

	mp_room(r);
	ofp_encode_flow_stats(&r->k->out, f);
}

enum {
	DUMP_BATCH = 256,       /* entries per step of a flow dump */
	DUMP_OUT_MAX = 1 << 20, /* a dump waits while this much output is unsent */
};

/* Sends more of the flow dump of 'k' while its output is short, in whole
 * messages: each but the last says REPLY_MORE. */
void
dump_run(struct ofconns *c, struct conn *k)
{
	struct mp_reply r = {k, k->dump_xid, OFPMP_FLOW, 0};
	bool more = true;

	mf_tlv_bind(ofproto_tlv_table(k->br->ofp)); /* its tun_metadataN */
	if (k->dump_monitor) {
		ofconn_monitor_dump_run(c, k);
		return;
	}
	mp_begin(&r);
	ofproto_lock();
	while (more && k->out.size - k->out_ofs < DUMP_OUT_MAX) {
		more = ofproto_flow_cursor_next(k->dump, c->now_ms, DUMP_BATCH, flow_stats_cb, &r);
	}
	if (!more) {
		ofproto_flow_cursor_destroy(k->dump);
		k->dump = NULL;
	}
	ofproto_unlock();
	if (more) {
		k->out.data[r.start + 11] = 1; /* OFPMPF_REPLY_MORE */
	}
	ofp_msg_end(&k->out, r.start);
}

static void
dump_begin(struct ofconns *c, struct conn *k, const uint8_t *msg, size_t len,
	   const struct ofp_flow_mod *filter)
{
	ofproto_lock();
	k->dump = ofproto_flow_cursor_create(k->br->ofp, filter);
	ofproto_unlock();
	if (!k->dump) {
		send_error(k, OFPERR_MULTIPART_BUFFER_OVERFLOW, msg, len);
		return;
	}
	k->dump_xid =
		(uint32_t)msg[4] << 24 | (uint32_t)msg[5] << 16 | (uint32_t)msg[6] << 8 | msg[7];
	dump_run(c, k);
}

struct aggregate {
	uint64_t packets, bytes;
	uint32_t flows;
};

static void
aggregate_cb(void *aux, const struct ofproto_flow_info *f)
{
	struct aggregate *a = aux;

	a->packets += f->n_packets;
	a->bytes += f->n_bytes;
	a->flows++;
}

static void
table_cb(void *aux, const struct ofproto_table_stats *t)
{
	struct mp_reply *r = aux;
	uint8_t *p = obuf_put(&r->k->out, NULL, 24);

	p[0] = t->table_id;
	for (int i = 0; i < 4; i++) {
		p[4 + i] = (uint8_t)(t->active >> (24 - 8 * i));
	}
	for (int i = 0; i < 8; i++) {
		p[8 + i] = (uint8_t)(t->lookups >> (56 - 8 * i));
		p[16 + i] = (uint8_t)(t->matches >> (56 - 8 * i));
	}
}

struct port_desc_ctx {
	struct ofconns *c;
	struct mp_reply *r;
	uint32_t want; /* port stats: a port number or OFPP_ANY */
	bool found;
};

static void
port_desc_cb(void *aux, const struct ofproto_port_info *pi)
{
	struct port_desc_ctx *x = aux;
	struct ofp_port_desc d;

	mp_room(x->r);
	fill_desc(x->c, pi, &d);
	ofp_encode_port(&x->r->k->out, &d);
}

static void
port_stats_cb(void *aux, const struct ofproto_port_info *pi)
{
	struct port_desc_ctx *x = aux;
	struct port *port = x->c->hooks.port(x->c->hooks.aux, pi->dp_port);
	struct port_stats st = {0};
	uint64_t since = port_since(x->r->k->br, pi->ofp_port);

	if (x->want != OFPP_ANY && x->want != pi->ofp_port) {
		return;
	}
	x->found = true;
	if (port) {
		port_get_stats(port, &st);
	}
	mp_room(x->r);
	ofp_encode_port_stats(&x->r->k->out, pi->ofp_port, &st, since ? x->c->now_ms - since : 0);
}

static void
group_stats_cb(void *aux, const struct ofproto_group_info *g)
{
	struct mp_reply *r = aux;

	mp_room(r);
	if (r->type == OFPMP_GROUP) {
		ofp_encode_group_stats(&r->k->out, g);
	} else {
		ofp_encode_group_desc(&r->k->out, g);
	}
}

static void
meter_stats_cb(void *aux, const struct ofproto_meter_info *m)
{
	struct mp_reply *r = aux;

	mp_room(r);
	if (r->type == OFPMP_METER) {
		ofp_encode_meter_stats(&r->k->out, m);
	} else {
		ofp_encode_meter_config(&r->k->out, m);
	}
}

static void
put_desc_string(struct obuf *b, const char *s, size_t size)
{
	uint8_t *p = obuf_put(b, NULL, size);

	strncpy((char *)p, s, size - 1);
}

void
handle_multipart(struct ofconns *c, struct conn *k, const struct ofp_hdr *h, const uint8_t *msg)
{
	struct mp_reply r = {k, h->xid, 0, 0};
	const uint8_t *body = msg + 16;
	size_t body_len = h->length - 16u;
	struct ofp_flow_mod filter;
	enum ofp_err err;

	if (h->length < 16) {
		send_error(k, OFPERR_BAD_LEN, msg, h->length);
		return;
	}
	r.type = (uint16_t)(msg[8] << 8 | msg[9]);
	if (r.type == OFPMP_FLOW || r.type == OFPMP_AGGREGATE || r.type == OFPMP_TABLE ||
	    r.type == OFPMP_GROUP) {
		/* Counters live in the megaflows until a sweep brings them to
		 * the flow entries and tables: bring them now. */
		c->hooks.sync(c->hooks.aux, true);
	}
	switch (r.type) {
	case OFPMP_DESC:
		mp_begin(&r);
		put_desc_string(&k->out, "vswitch", 256);
		put_desc_string(&k->out, "userspace datapath on DPDK", 256);
		put_desc_string(&k->out, VSWITCH_VERSION, 256);
		put_desc_string(&k->out, "None", 32);
		put_desc_string(&k->out, k->br->name, 256);
		break;
	case OFPMP_FLOW:
	case OFPMP_AGGREGATE:
		err = ofp_decode_flow_stats_request(body, body_len, &filter);
		if (err) {
			send_error(k, err, msg, h->length);
			return;
		}
		if (r.type == OFPMP_FLOW) {
			dump_begin(c, k, msg, h->length, &filter);
			return;
		}
		mp_begin(&r);
		ofproto_lock();
		{
			struct aggregate a = {0};
			uint8_t *p;

			ofproto_flow_dump(k->br->ofp, &filter, c->now_ms, aggregate_cb, &a);
			p = obuf_put(&k->out, NULL, 24);
			for (int i = 0; i < 8; i++) {
				p[i] = (uint8_t)(a.packets >> (56 - 8 * i));
				p[8 + i] = (uint8_t)(a.bytes >> (56 - 8 * i));
			}
			for (int i = 0; i < 4; i++) {
				p[16 + i] = (uint8_t)(a.flows >> (24 - 8 * i));
			}
		}
		ofproto_unlock();
		break;
	case OFPMP_TABLE:
		mp_begin(&r);
		ofproto_lock();
		ofproto_table_dump(k->br->ofp, table_cb, &r);
		ofproto_unlock();
		break;
	case OFPMP_TABLE_FEATURES:
		if (body_len) {
			/* Tables cannot be reconfigured. */
			send_error(k, OFPERR_TABLE_FEATURES_EPERM, msg, h->length);
			return;
		}
		mp_begin(&r);
		for (unsigned int t = 0; t < 254; t++) {
			mp_room(&r);
			ofp_encode_table_features(&k->out, (uint8_t)t);
		}
		break;
	case OFPMP_PORT_DESC: {
		struct port_desc_ctx x = {c, &r, OFPP_ANY, false};

		mp_begin(&r);
		ofproto_lock();
		ofproto_port_dump(k->br->ofp, port_desc_cb, &x);
		ofproto_unlock();
		break;
	}
	case OFPMP_PORT_STATS: {
		struct port_desc_ctx x = {c, &r, 0, false};
		size_t mark = k->out.size;

		if (body_len != 8) {
			send_error(k, OFPERR_BAD_LEN, msg, h->length);
			return;
		}
		x.want = (uint32_t)body[0] << 24 | (uint32_t)body[1] << 16 |
			 (uint32_t)body[2] << 8 | body[3];
		mp_begin(&r);
		ofproto_lock();
		ofproto_port_dump(k->br->ofp, port_stats_cb, &x);
		ofproto_unlock();
		if (!x.found && x.want != OFPP_ANY) {
			k->out.size = mark;
			send_error(k, OFPERR_BAD_PORT, msg, h->length);
			return;
		}
		break;
	}
	case OFPMP_QUEUE:
		/* No queues: an empty reply. */
		mp_begin(&r);
		break;
	case OFPMP_GROUP:
	case OFPMP_METER:
	case OFPMP_METER_CONFIG: {
		/* The body: a group or meter id (or ALL) and 4 bytes of pad. */
		uint32_t id;

		if (body_len != 8) {
			send_error(k, OFPERR_BAD_LEN, msg, h->length);
			return;
		}
		id = (uint32_t)body[0] << 24 | (uint32_t)body[1] << 16 | (uint32_t)body[2] << 8 |
		     body[3];
		mp_begin(&r);
		ofproto_lock();
		if (r.type == OFPMP_GROUP) {
			ofproto_group_dump(k->br->ofp, id, c->now_ms, group_stats_cb, &r);
		} else {
			ofproto_meter_dump(k->br->ofp, id, c->now_ms, meter_stats_cb, &r);
		}
		ofproto_unlock();
		break;
	}
	case OFPMP_GROUP_DESC:
	case OFPMP_GROUP_FEATURES:
	case OFPMP_METER_FEATURES:
		if (body_len) {
			send_error(k, OFPERR_BAD_LEN, msg, h->length);
			return;
		}
		mp_begin(&r);
		if (r.type == OFPMP_GROUP_DESC) {
			ofproto_lock();
			ofproto_group_dump(k->br->ofp, OFPG_ALL, c->now_ms, group_stats_cb, &r);
			ofproto_unlock();
		} else if (r.type == OFPMP_GROUP_FEATURES) {
			ofp_encode_group_features(&k->out);
		} else {
			ofp_encode_meter_features(&k->out);
		}
		break;
	default:
		send_error(k, OFPERR_BAD_MULTIPART, msg, h->length);
		return;
	}
	ofp_msg_end(&k->out, r.start);
}
