/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenFlow 1.0, 1.4 and 1.5 connections: what the switch writes in 1.3
 * goes out in their version (ofproto/ofp_msg10.h converts each message),
 * and table misses for 1.0 controllers.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "ofconn_priv.h"
#include "ofp_wire.h"

struct ports_ctx {
	struct ofconns *c;
	struct obuf *b;
};

static void
port_cb(void *aux, const struct ofproto_port_info *pi)
{
	struct ports_ctx *x = aux;
	struct ofp_port_desc d;

	fill_desc(x->c, pi, &d);
	ofp_encode_port(x->b, &d);
}

struct features_ctx {
	struct ofconns *c;
	struct conn *k;
};

/* The bridge's ports for a 1.0 features reply, which lists them. */
static void
ports13(void *aux, struct obuf *b)
{
	struct features_ctx *f = aux;
	struct ports_ctx x = {f->c, b};

	ofproto_lock();
	ofproto_port_dump(f->k->br->ofp, port_cb, &x);
	ofproto_unlock();
}

void
ofconn_of10_changed(struct ofconns *c, const struct obr *br)
{
	bool any = false, changed;

	for (size_t i = 0; i < c->n_conns && !any; i++) {
		const struct conn *k = c->conns[i];

		any = k->br == br && k->active && k->hello_done && k->version == OFP10_VERSION;
	}
	if (!br->ofp) {
		return;
	}
	/* During a reconfiguration the caller holds the lock (and sweeps). */
	if (!c->configuring) {
		ofproto_lock();
	}
	changed = ofproto_set_miss_to_controller(br->ofp, any);
	if (!c->configuring) {
		ofproto_unlock();
		if (changed) {
			c->hooks.sync(c->hooks.aux, false);
		}
	}
	if (changed) {
		VLOG_INFO("ofconn", "%s: table misses %s", br->name,
			  any ? "go to the OpenFlow 1.0 controller" : "are dropped (OpenFlow 1.3)");
	}
}

void
ofconn_downgrade(struct ofconns *c, struct conn *k, const uint8_t *req, size_t req_len)
{
	struct features_ctx f = {c, k};
	struct of10_ports ports = {ports13, &f};
	size_t ofs = k->out_conv;
	struct obuf tmp;

	if (!k->hello_done || k->version == OFP13_VERSION || ofs >= k->out.size) {
		return;
	}
	obuf_init(&tmp);
	obuf_put(&tmp, k->out.data + ofs, k->out.size - ofs);
	k->out.size = ofs;
	for (size_t o = 0; o + OFP_HEADER_LEN <= tmp.size;) {
		size_t mlen = get16(tmp.data + o + 2);

		if (mlen < OFP_HEADER_LEN || o + mlen > tmp.size) {
			break; /* the switch writes whole messages */
		}
		if (k->version == OFP10_VERSION) {
			of13_to_10(tmp.data + o, mlen, &k->out, &ports, req, req_len);
		} else if (k->version == OFP14_VERSION) {
			of13_to_14(tmp.data + o, mlen, &k->out, req, req_len);
		} else {
			of13_to_15(tmp.data + o, mlen, &k->out, req, req_len);
		}
		o += mlen;
	}
	k->out_conv = k->out.size;
	obuf_free(&tmp);
}
