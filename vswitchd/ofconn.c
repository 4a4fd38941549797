/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenFlow connections (ofconn.h): targets and listeners, sockets, framing,
 * the hello exchange, the handlers of every message but the multipart
 * requests (ofconn_stats.c), and the asynchronous messages (packet-in,
 * port-status, flow-removed). A message the switch does not serve is
 * answered with the error the specification names for it; a malformed one
 * never closes the connection unless its framing is lost.
 */
#include "ofconn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_mbuf.h>

#include "bridge.h"
#include "log.h"
#include "ofconn_priv.h"
#include "ofp_msg.h"
#include "ofproto.h"
#include "port.h"

struct ofconns *
ofconns_create(const struct ofconn_hooks *hooks)
{
	struct ofconns *c = calloc(1, sizeof *c);

	if (!c) {
		return NULL;
	}
	c->hooks = *hooks;
	c->listener_max_conns = OFC_LISTENER_CONNS;
	c->sockperm = (struct sockperm){(uid_t)-1, (gid_t)-1, SOCKPERM_DEFAULT_MODE};
	pthread_mutex_init(&c->pin_mutex, NULL);
	c->pin_tail = &c->pin_head;
	c->pin_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (c->pin_fd < 0) {
		pthread_mutex_destroy(&c->pin_mutex);
		free(c);
		return NULL;
	}
	return c;
}

/* ---- Connections ---- */

void
controllers_changed(struct ofconns *c, const struct obr *br)
{
	if (c->hooks.controllers && !c->configuring) {
		c->hooks.controllers(c->hooks.aux, br->name, ofconns_n_controllers_up(c, br->name));
	}
}

void
send_error(struct conn *k, enum ofp_err err, const uint8_t *msg, size_t len)
{
	ofp_encode_error(&k->out, err, msg, len);
}

/* ---- Handlers ---- */

static void
handle_features(struct conn *k, const struct ofp_hdr *h)
{
	size_t start = ofp_msg_start(&k->out, OFPT_FEATURES_REPLY, h->xid);
	uint8_t *p = obuf_put(&k->out, NULL, 24);

	for (int i = 0; i < 8; i++) {
		p[i] = (uint8_t)(k->br->dpid >> (56 - 8 * i));
	}
	p[12] = 254;             /* tables */
	p[19] = 0x1 | 0x2 | 0x4; /* flow, table and port stats */
	ofp_msg_end(&k->out, start);
}

static void
handle_config(struct conn *k, const struct ofp_hdr *h, const uint8_t *msg)
{
	if (h->type == OFPT_SET_CONFIG) {
		if (h->length < 12) {
			send_error(k, OFPERR_BAD_LEN, msg, h->length);
		} else if ((msg[8] << 8 | msg[9]) > 3) {
			send_error(k, OFPERR_BAD_CONFIG_FLAGS, msg, h->length);
		} else {
			k->miss_send_len = (uint16_t)(msg[10] << 8 | msg[11]);
		}
		return;
	}
	size_t start = ofp_msg_start(&k->out, OFPT_GET_CONFIG_REPLY, h->xid);
	uint8_t *p = obuf_put(&k->out, NULL, 4);

	p[2] = (uint8_t)(k->miss_send_len >> 8);
	p[3] = (uint8_t)k->miss_send_len;
	ofp_msg_end(&k->out, start);
}

enum ofp_err
errno_to_ofp(int ret, const char *reason)
{
	if (ret == -EEXIST) {
		return OFPERR_FLOW_MOD_OVERLAP;
	}
	if (ret == -ENOENT) {
		/* "group N does not exist", "meter N does not exist" */
		return strstr(reason, "meter") ? OFPERR_METER_UNKNOWN_METER : OFPERR_BAD_OUT_GROUP;
	}
	if (ret == -ENOSPC) {
		return OFPERR_FLOW_MOD_TABLE_FULL;
	}
	if (strstr(reason, "goto_table")) {
		return OFPERR_INST_BAD_TABLE_ID;
	}
	if (strstr(reason, "table")) {
		return OFPERR_FLOW_MOD_BAD_TABLE_ID;
	}
	if (strstr(reason, "port")) {
		return OFPERR_BAD_OUT_PORT;
	}
	return OFPERR_FLOW_MOD_UNKNOWN;
}

static void
handle_flow_mod(struct ofconns *c, struct conn *k, const uint8_t *msg, size_t len)
{
	struct ofp_flow_mod fm;
	char reason[OFP_ERR_MAX] = "";
	enum ofp_err err = ofp_decode_flow_mod(msg, len, &fm);
	uint32_t missing;
	int ret;

	if (err) {
		send_error(k, err, msg, len);
		return;
	}
	ofproto_lock();
	if (fm.command <= OFPFC_MODIFY_STRICT &&
	    (ret = ofproto_insts_missing(k->br->ofp, &fm.insts, &missing))) {
		/* Each names its own error: a group is an action's, a meter a
		 * meter mod's. */
		ofproto_unlock();
		ofp_insts_destroy(&fm.insts);
		send_error(k,
			   ret == OFPROTO_NO_GROUP ? OFPERR_BAD_OUT_GROUP
						   : OFPERR_METER_UNKNOWN_METER,
			   msg, len);
		return;
	}
	ret = ofproto_flow_mod(k->br->ofp, &fm, c->now_ms, reason);
	ofproto_unlock();
	ofp_insts_destroy(&fm.insts);
	if (ret) {
		VLOG_DBG("ofconn", "%s: flow mod refused: %s", k->br->name, reason);
		send_error(k, errno_to_ofp(ret, reason), msg, len);
	}
}

static void
handle_group_mod(struct ofconns *c, struct conn *k, const uint8_t *msg, size_t len)
{
	struct ofp_group_mod gm;
	char reason[OFP_ERR_MAX] = "";
	enum ofp_err err = ofp_decode_group_mod(msg, len, &gm);
	int ret;

	if (err) {
		send_error(k, err, msg, len);
		return;
	}
	ofproto_lock();
	ret = ofproto_group_mod(k->br->ofp, &gm, c->now_ms, reason);
	ofproto_unlock();
	ofp_group_mod_destroy(&gm);
	if (ret) {
		VLOG_DBG("ofconn", "%s: group mod refused: %s", k->br->name, reason);
		send_error(k,
			   ret == -EEXIST   ? OFPERR_GROUP_EXISTS
			   : ret == -ENOENT ? OFPERR_GROUP_UNKNOWN_GROUP
					    : OFPERR_GROUP_OUT_OF_GROUPS,
			   msg, len);
	}
}

static void
handle_meter_mod(struct ofconns *c, struct conn *k, const uint8_t *msg, size_t len)
{
	struct ofp_meter_mod mm;
	char reason[OFP_ERR_MAX] = "";
	enum ofp_err err = ofp_decode_meter_mod(msg, len, &mm);
	int ret;

	if (err) {
		send_error(k, err, msg, len);
		return;
	}
	ofproto_lock();
	ret = ofproto_meter_mod(k->br->ofp, &mm, c->now_ms, reason);
	ofproto_unlock();
	if (ret) {
		VLOG_DBG("ofconn", "%s: meter mod refused: %s", k->br->name, reason);
		send_error(k,
			   ret == -EEXIST   ? OFPERR_METER_EXISTS
			   : ret == -ENOENT ? OFPERR_METER_UNKNOWN_METER
			   : ret == -ENOSPC ? OFPERR_METER_OUT_OF_METERS
					    : OFPERR_METER_UNKNOWN,
			   msg, len);
	}
}

static uint64_t
be64_at(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++) {
		v = v << 8 | p[i];
	}
	return v;
}

static uint32_t
be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++) {
		p[i] = (uint8_t)(v >> (24 - 8 * i));
	}
}

static void
put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		p[i] = (uint8_t)(v >> (56 - 8 * i));
	}
}

static void
handle_role(struct ofconns *c, struct conn *k, const struct ofp_hdr *h, const uint8_t *msg)
{
	struct obr *br = k->br;
	uint32_t role;
	uint64_t gen;
	uint8_t *p;
	size_t start;

	if (h->length != 24) {
		send_error(k, OFPERR_BAD_LEN, msg, h->length);
		return;
	}
	role = be32_at(msg + 8);
	gen = be64_at(msg + 16);
	if (role > ROLE_SLAVE) {
		send_error(k, OFPERR_ROLE_BAD_ROLE, msg, h->length);
		return;
	}
	if (role == ROLE_MASTER || role == ROLE_SLAVE) {
		if (br->gen_set && (int64_t)(gen - br->gen_id) < 0) {
			send_error(k, OFPERR_ROLE_STALE, msg, h->length);
			return;
		}
		br->gen_set = true;
		br->gen_id = gen;
	}
	if (role == ROLE_MASTER) {
		/* One master: the others become slaves. */
		for (size_t i = 0; i < c->n_conns; i++) {
			if (c->conns[i]->br == br && c->conns[i]->role == ROLE_MASTER) {
				c->conns[i]->role = ROLE_SLAVE;
			}
		}
	}
	if (role != ROLE_NOCHANGE) {
		k->role = (uint8_t)role;
	}
	start = ofp_msg_start(&k->out, OFPT_ROLE_REPLY, h->xid);
	p = obuf_put(&k->out, NULL, 16);
	put_be32(p, k->role);
	put_be64(p + 8, br->gen_set ? br->gen_id : 0);
	ofp_msg_end(&k->out, start);
}

static void
handle_async(struct conn *k, const struct ofp_hdr *h, const uint8_t *msg)
{
	if (h->type == OFPT_SET_ASYNC) {
		if (h->length != 32) {
			send_error(k, OFPERR_BAD_LEN, msg, h->length);
			return;
		}
		for (int kind = 0; kind < ASYNC_N; kind++) {
			for (int r = 0; r < 2; r++) {
				k->async[kind][r] = be32_at(msg + 8 + 8 * kind + 4 * r);
			}
		}
		return;
	}
	size_t start = ofp_msg_start(&k->out, OFPT_GET_ASYNC_REPLY, h->xid);
	uint8_t *p = obuf_put(&k->out, NULL, 24);

	for (int kind = 0; kind < ASYNC_N; kind++) {
		for (int r = 0; r < 2; r++) {
			put_be32(p + 8 * kind + 4 * r, k->async[kind][r]);
		}
	}
	ofp_msg_end(&k->out, start);
}

static void
handle_packet_out(struct ofconns *c, struct conn *k, const uint8_t *msg, size_t len)
{
	struct ofp_packet_out po;
	struct xlate_result *res;
	struct flow_key key;
	struct flow_ofs ofs;
	uint32_t dp_in;
	enum ofp_err err = ofp_decode_packet_out(msg, len, &po);
	int ret;

	if (err) {
		send_error(k, err, msg, len);
		return;
	}
	if (po.len < 14 || po.len > 65535 || !(res = malloc(sizeof *res))) {
		free(po.actions);
		send_error(k, po.len < 14 ? OFPERR_BAD_PACKET : OFPERR_BAD_LEN, msg, len);
		return;
	}
	flow_key_extract(po.data, (uint32_t)po.len, 0, &key, &ofs);
	ofproto_lock();
	ret = ofproto_packet_out(k->br->ofp, po.in_port, &key, po.actions, po.n_actions, c->now_ms,
				 res, &dp_in);
	ofproto_unlock();
	free(po.actions);
	if (ret == -ENOENT) {
		send_error(k, OFPERR_BAD_PORT, msg, len);
	} else if (!ret && res->n_actions) {
		ret = c->hooks.execute(c->hooks.aux, dp_in, po.data, po.len, res->actions,
				       res->n_actions);
		if (ret) {
			VLOG_DBG("ofconn", "%s: packet-out not executed: %s", k->br->name,
				 strerror(-ret));
		}
	}
	free(res);
}

struct port_mod_ctx {
	struct ofconns *c;
	uint32_t port_no;
	bool found;
	struct ofp_port_desc d;
};

static void
port_mod_cb(void *aux, const struct ofproto_port_info *pi)
{
	struct port_mod_ctx *x = aux;

	if (pi->ofp_port == x->port_no) {
		x->found = true;
		fill_desc(x->c, pi, &x->d);
	}
}

static void
handle_port_mod(struct ofconns *c, struct conn *k, const uint8_t *msg, size_t len)
{
	struct port_mod_ctx x = {c, 0, false, {0}};
	uint32_t config, mask;
	enum ofp_err err = OFPERR_OK;

	if (len != 40) {
		send_error(k, OFPERR_BAD_LEN, msg, len);
		return;
	}
	x.port_no = be32_at(msg + 8);
	config = be32_at(msg + 24);
	mask = be32_at(msg + 28);
	ofproto_lock();
	ofproto_port_dump(k->br->ofp, port_mod_cb, &x);
	if (!x.found) {
		err = OFPERR_PORT_MOD_BAD_PORT;
	} else if (memcmp(x.d.mac, msg + 16, 6)) {
		err = OFPERR_PORT_MOD_BAD_HW_ADDR;
	} else if (ofproto_port_mod(k->br->ofp, x.port_no, config, mask)) {
		err = OFPERR_PORT_MOD_BAD_CONFIG;
	}
	ofproto_unlock();
	if (err) {
		send_error(k, err, msg, len);
	} else {
		/* The port-status follows at once. */
		c->next_port_scan_ms = 0;
	}
}

/* Messages a slave may not send. */
static bool
modifies_state(uint8_t type)
{
	return type == OFPT_FLOW_MOD || type == OFPT_PACKET_OUT || type == OFPT_GROUP_MOD ||
	       type == OFPT_PORT_MOD || type == OFPT_TABLE_MOD || type == OFPT_METER_MOD;
}

static void handle13(struct ofconns *c, struct conn *k, const uint8_t *msg, size_t len);

/* A message on a connection that speaks OpenFlow 1.0, 1.4 or 1.5: served as
 * the 1.3 message that asks the same, the answers converted back. */
static void
handle_converted(struct ofconns *c, struct conn *k, const uint8_t *msg, size_t len)
{
	struct obuf up;
	enum ofp_err err;

	ofconn_downgrade(c, k, NULL, 0); /* what was there is not this answer */
	if (msg[0] != k->version) {
		send_error(k, OFPERR_BAD_VERSION, msg, len);
		ofconn_downgrade(c, k, msg, len);
		return;
	}
	obuf_init(&up);
	if (msg[1] == OFPT_SET_ASYNC && k->version >= OFP14_VERSION) {
		err = of14_set_async_to13(msg, len, (const uint32_t(*)[2])k->async, &up);
	} else if (k->version == OFP10_VERSION) {
		err = of10_to_13(msg, len, &up);
	} else {
		err = k->version == OFP14_VERSION ? of14_to_13(msg, len, &up)
						  : of15_to_13(msg, len, &up);
	}
	if (err) {
		send_error(k, err, msg, len);
	} else {
		handle13(c, k, up.data, up.size);
	}
	ofconn_downgrade(c, k, msg, len);
	obuf_free(&up);
}

/* Serves one complete message of 'len' bytes. */
static void
handle(struct ofconns *c, struct conn *k, const uint8_t *msg, size_t len)
{
	struct ofp_hdr h;

	ofp_hdr_decode(msg, &h);
	if (!k->hello_done) {
		if (h.type != OFPT_HELLO || ofp_decode_hello(msg, len, &k->version)) {
			/* OFPET_HELLO_FAILED: no common version; then close. */
			ofp_encode_error(&k->out, OFPERR_HELLO_INCOMPATIBLE, msg, len);
			k->closing = true;
			VLOG_INFO("ofconn",
				  "%s: peer offers no OpenFlow 1.5, 1.4, 1.3 or 1.0: closing",
				  k->br->name);
			return;
		}
		k->hello_done = true;
		if (k->active && k->version == OFP10_VERSION) {
			ofconn_of10_changed(c, k->br);
		}
		return;
	}
	c->acting = k;
	c->acting_xid = h.xid;
	mf_tlv_bind(ofproto_tlv_table(k->br->ofp)); /* its tun_metadataN */
	if (ofconn_bundle_handle(c, k, msg, len) || ofconn_monitor_handle(c, k, msg, len) ||
	    ofconn_tlv_handle(c, k, msg, len)) {
		/* served */
	} else if (k->version != OFP13_VERSION) {
		handle_converted(c, k, msg, len);
	} else if (h.version != OFP13_VERSION) {
		send_error(k, OFPERR_BAD_VERSION, msg, len);
	} else {
		handle13(c, k, msg, len);
	}
	c->acting = NULL;
}

/* Serves one OpenFlow 1.3 message. */
static void
handle13(struct ofconns *c, struct conn *k, const uint8_t *msg, size_t len)
{
	struct ofp_hdr h;

	ofp_hdr_decode(msg, &h);
	if (k->role == ROLE_SLAVE && modifies_state(h.type)) {
		send_error(k, OFPERR_IS_SLAVE, msg, len);
		return;
	}
	switch (h.type) {
	case OFPT_HELLO:
	case OFPT_ECHO_REPLY:
		break;
	case OFPT_PACKET_OUT:
		handle_packet_out(c, k, msg, len);
		break;
	case OFPT_ROLE_REQUEST:
		handle_role(c, k, &h, msg);
		break;
	case OFPT_PORT_MOD:
		handle_port_mod(c, k, msg, len);
		break;
	case OFPT_GET_ASYNC_REQUEST:
	case OFPT_SET_ASYNC:
		handle_async(k, &h, msg);
		break;
	case OFPT_ECHO_REQUEST: {
		size_t start = ofp_msg_start(&k->out, OFPT_ECHO_REPLY, h.xid);

		obuf_put(&k->out, msg + OFP_HEADER_LEN, len - OFP_HEADER_LEN);
		ofp_msg_end(&k->out, start);
		break;
	}
	case OFPT_FEATURES_REQUEST:
		handle_features(k, &h);
		break;
	case OFPT_GET_CONFIG_REQUEST:
	case OFPT_SET_CONFIG:
		handle_config(k, &h, msg);
		break;
	case OFPT_FLOW_MOD:
		handle_flow_mod(c, k, msg, len);
		break;
	case OFPT_GROUP_MOD:
		handle_group_mod(c, k, msg, len);
		break;
	case OFPT_METER_MOD:
		handle_meter_mod(c, k, msg, len);
		break;
	case OFPT_MULTIPART_REQUEST:
		handle_multipart(c, k, &h, msg);
		break;
	case OFPT_BARRIER_REQUEST:
		c->hooks.sync(c->hooks.aux, false);
		ofp_msg_end(&k->out, ofp_msg_start(&k->out, OFPT_BARRIER_REPLY, h.xid));
		break;
	case OFPT_ERROR:
		VLOG_DBG("ofconn", "%s: the peer sent an error", k->br->name);
		break;
	case OFPT_EXPERIMENTER:
		send_error(k, OFPERR_BAD_EXPERIMENTER, msg, len);
		break;
	default:
		send_error(k, OFPERR_BAD_TYPE, msg, len);
		break;
	}
}

/* Serves every complete message of the input (none while a dump is
 * being sent: they wait for it). */
static void
serve_input(struct ofconns *c, struct conn *k)
{
	size_t ofs = 0;

	if (!k->in_len) {
		return;
	}
	while (k->in_len - ofs >= OFP_HEADER_LEN && !k->closing && !k->dump) {
		uint16_t mlen = (uint16_t)(k->in[ofs + 2] << 8 | k->in[ofs + 3]);

		if (mlen < OFP_HEADER_LEN) {
			/* The framing is lost: say why, then close. */
			send_error(k, OFPERR_BAD_LEN, k->in + ofs, OFP_HEADER_LEN);
			k->closing = true;
			break;
		}
		if (k->in_len - ofs < mlen) {
			break;
		}
		handle(c, k, k->in + ofs, mlen);
		ofs += mlen;
	}
	memmove(k->in, k->in + ofs, k->in_len - ofs);
	k->in_len -= ofs;
}

/* Serves what waited, then reads what is there and serves every complete
 * message. False: close. */
bool
conn_read(struct ofconns *c, struct conn *k)
{
	serve_input(c, k);
	while (!k->dump && !k->closing) {
		ssize_t n;

		if (k->in_alloc - k->in_len < 4096) {
			size_t alloc = k->in_alloc ? k->in_alloc * 2 : 16384;
			uint8_t *in = realloc(k->in, alloc);

			if (!in) {
				return false;
			}
			k->in = in;
			k->in_alloc = alloc;
		}
		n = k->ssl ? tls_read(c, k, k->in + k->in_len, k->in_alloc - k->in_len)
			   : read(k->fd, k->in + k->in_len, k->in_alloc - k->in_len);
		if (n == 0) {
			return false;
		}
		if (n < 0) {
			return errno == EAGAIN || errno == EINTR;
		}
		k->in_len += (size_t)n;
		k->last_rx_ms = k->last_progress_ms = c->now_ms;
		k->echo_sent = false;
		serve_input(c, k);
		if (k->out.size - k->out_ofs > OUT_MAX) {
			return false;
		}
		if ((size_t)n < 4096 && !tls_pending(k)) {
			/* The socket is drained for now (poll says when there is
			 * more): no read that only says EAGAIN. TLS may hold data
			 * already taken from the socket: read it out. */
			break;
		}
	}
	return true;
}

static bool
conn_write(struct ofconns *c, struct conn *k)
{
	ofconn_downgrade(c, k, NULL, 0);
	while (k->out_ofs < k->out.size) {
		ssize_t n =
			k->ssl ? tls_write(c, k, k->out.data + k->out_ofs, k->out.size - k->out_ofs)
			       : write(k->fd, k->out.data + k->out_ofs, k->out.size - k->out_ofs);

		if (n < 0) {
			return errno == EAGAIN || errno == EINTR;
		}
		k->out_ofs += (size_t)n;
		k->last_progress_ms = c->now_ms;
	}
	k->out.size = k->out_ofs = k->out_conv = 0;
	return !k->closing;
}

/* ---- Targets ---- */

static int
parse_target(const char *spec, struct target *t, char *err, size_t err_size)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&t->addr;
	struct sockaddr_un *un = (struct sockaddr_un *)&t->addr;
	/* A listener without an address is for this host only (Open vSwitch
	 * listens on every address): OpenFlow in plain text lets anyone who
	 * reaches it reprogram the switch. */
	char host[64] = "127.0.0.1";
	unsigned int port;
	int n = 0;

	memset(t, 0, sizeof *t);
	t->fd = -1;
	t->backoff_ms = 1000;
	snprintf(t->spec, sizeof t->spec, "%s", spec);
	if (!strncmp(spec, "unix:", 5) || !strncmp(spec, "punix:", 6)) {
		const char *path = spec + (spec[0] == 'p' ? 6 : 5);

		if (path[0] != '/' || strlen(path) >= sizeof un->sun_path) {
			snprintf(err, err_size,
				 "controller target '%s': a socket path is absolute and under %zu "
				 "bytes",
				 spec, sizeof un->sun_path);
			return -EINVAL;
		}
		t->passive = spec[0] == 'p';
		un->sun_family = AF_UNIX;
		memcpy(un->sun_path, path, strlen(path) + 1);
		t->addr_len = sizeof *un;
		return 0;
	}
	if (sscanf(spec, "ptcp:%u%n", &port, &n) == 1 && (!spec[n] || spec[n] == ':')) {
		t->passive = true;
		if (spec[n] == ':') {
			snprintf(host, sizeof host, "%s", spec + n + 1);
		}
	} else if (sscanf(spec, "pssl:%u%n", &port, &n) == 1 && (!spec[n] || spec[n] == ':')) {
		/* Every address by default, as Open vSwitch does: a peer must
		 * prove itself with a certificate of the configured CA. */
		t->passive = t->tls = true;
		snprintf(host, sizeof host, "%s", spec[n] == ':' ? spec + n + 1 : "0.0.0.0");
	} else if (sscanf(spec, "tcp:%63[^:]:%u%n", host, &port, &n) == 2 && !spec[n]) {
		t->passive = false;
	} else if (sscanf(spec, "ssl:%63[^:]:%u%n", host, &port, &n) == 2 && !spec[n]) {
		t->tls = true;
	} else {
		snprintf(err, err_size,
			 "controller target '%s': expected tcp:IP:PORT, ptcp:PORT[:IP], "
			 "ssl:IP:PORT, "
			 "pssl:PORT[:IP], unix:PATH or punix:PATH",
			 spec);
		return -EINVAL;
	}
	in->sin_family = AF_INET;
	in->sin_port = htons((uint16_t)port);
	t->addr_len = sizeof *in;
	if (port == 0 || port > 65535 || inet_pton(AF_INET, host, &in->sin_addr) != 1) {
		snprintf(err, err_size, "controller target '%s': bad address or port", spec);
		return -EINVAL;
	}
	return 0;
}

static int
start_listener(const struct ofconns *c, struct target *t, char *err, size_t err_size)
{
	int fd = socket(t->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0) {
		snprintf(err, err_size, "%s: socket: %s", t->spec, strerror(errno));
		return -errno;
	}
	if (t->addr.ss_family == AF_UNIX) {
		/* A socket nobody answers on is a stale one: replace it. */
		const char *path = ((struct sockaddr_un *)&t->addr)->sun_path;
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		struct stat st;

		if (probe >= 0 && !stat(path, &st) && S_ISSOCK(st.st_mode) &&
		    connect(probe, (struct sockaddr *)&t->addr, t->addr_len) &&
		    errno == ECONNREFUSED) {
			unlink(path);
		}
		if (probe >= 0) {
			close(probe);
		}
	} else {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	}
	if (bind(fd, (struct sockaddr *)&t->addr, t->addr_len) || listen(fd, LISTEN_BACKLOG)) {
		int ret = -errno;

		snprintf(err, err_size, "%s: cannot listen: %s", t->spec, strerror(errno));
		close(fd);
		return ret;
	}
	if (t->addr.ss_family == AF_UNIX) {
		/* Those the configuration names may connect, whatever the umask
		 * (by default the daemon's user and group). */
		int perr = sockperm_apply(&c->sockperm, ((struct sockaddr_un *)&t->addr)->sun_path);

		if (perr) {
			snprintf(err, err_size,
				 "%s: cannot set the socket's owner, group or mode: %s", t->spec,
				 strerror(-perr));
			close(fd);
			return perr;
		}
	} else if (!t->tls &&
		   (ntohl(((struct sockaddr_in *)&t->addr)->sin_addr.s_addr) >> 24) != 127) {
		VLOG_WARN("ofconn",
			  "%s: plain-text OpenFlow listener on a non-loopback address: anyone who "
			  "can reach it can reprogram the switch",
			  t->spec);
	}
	t->fd = fd;
	return 0;
}

static void
stop_target(struct target *t)
{
	if (t->fd >= 0) {
		close(t->fd);
		t->fd = -1;
		if (t->passive && t->addr.ss_family == AF_UNIX) {
			unlink(((struct sockaddr_un *)&t->addr)->sun_path);
		}
	}
	t->connecting = false;
}

static bool
conn_of_bridge(const struct conn *k, const void *arg)
{
	return k->br == arg;
}

static struct obr *
find_bridge(struct ofconns *c, const char *name)
{
	for (int i = 0; i < OFC_BRIDGES; i++) {
		if (c->brs[i].ofp && !strcmp(c->brs[i].name, name)) {
			return &c->brs[i];
		}
	}
	return NULL;
}

static void
del_bridge(struct ofconns *c, const char *name)
{
	struct obr *br = find_bridge(c, name);

	if (!br) {
		return;
	}
	close_where(c, conn_of_bridge, br);
	for (size_t i = 0; i < br->n_targets; i++) {
		stop_target(&br->targets[i]);
	}
	free(br->ports);
	memset(br, 0, sizeof *br);
}

void
ofconns_del_bridge(struct ofconns *c, const char *name)
{
	c->configuring = true;
	del_bridge(c, name);
	c->configuring = false;
}

static void flow_watch_cb(void *aux, const struct ofproto *ofp, enum ofproto_flow_event ev,
			  const struct ofproto_flow_info *f);
static void flow_removed_cb(void *aux, const struct ofproto *ofp,
			    const struct ofproto_flow_info *f);

static int set_bridge(struct ofconns *c, const char *name, struct ofproto *ofp, uint64_t dpid,
		      const char *const *targets, size_t n_targets, char *err, size_t err_size);

int
ofconns_set_bridge(struct ofconns *c, const char *name, struct ofproto *ofp, uint64_t dpid,
		   const char *const *targets, size_t n_targets, char *err, size_t err_size)
{
	int ret;

	c->configuring = true;
	ret = set_bridge(c, name, ofp, dpid, targets, n_targets, err, err_size);
	c->configuring = false;
	return ret;
}

static int
set_bridge(struct ofconns *c, const char *name, struct ofproto *ofp, uint64_t dpid,
	   const char *const *targets, size_t n_targets, char *err, size_t err_size)
{
	struct obr *br = find_bridge(c, name);
	struct target want[OFC_TARGETS];
	bool same = br && br->ofp == ofp && br->n_targets == n_targets;
	int ret = 0;

	if (n_targets > OFC_TARGETS) {
		snprintf(err, err_size, "bridge %s: more than %d controllers", name, OFC_TARGETS);
		return -EINVAL;
	}
	for (size_t i = 0; i < n_targets; i++) {
		if ((ret = parse_target(targets[i], &want[i], err, err_size)) != 0) {
			return ret;
		}
		same = same && !strcmp(br->targets[i].spec, want[i].spec);
	}
	if (same) {
		br->dpid = dpid;
		return 0;
	}
	del_bridge(c, name);
	for (int i = 0; !br && i < OFC_BRIDGES; i++) {
		br = c->brs[i].ofp ? NULL : &c->brs[i];
	}
	if (!br) {
		snprintf(err, err_size, "more than %d bridges", OFC_BRIDGES);
		return -ENOSPC;
	}
	snprintf(br->name, sizeof br->name, "%s", name);
	br->ofp = ofp;
	br->dpid = dpid;
	ofproto_set_flow_removed_cb(ofp, flow_removed_cb, c);
	ofproto_set_flow_watch(ofp, flow_watch_cb, c);
	for (size_t i = 0; i < n_targets; i++) {
		br->targets[i] = want[i];
		if (want[i].passive && !ret) {
			ret = start_listener(c, &br->targets[i], err, err_size);
		}
	}
	br->n_targets = n_targets;
	if (ret) {
		del_bridge(c, name);
	}
	return ret;
}

static void
try_connect(struct ofconns *c, struct obr *br, struct target *t)
{
	int fd = socket(t->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	t->next_try_ms = c->now_ms + t->backoff_ms;
	t->backoff_ms = t->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : t->backoff_ms * 2;
	if (fd < 0) {
		return;
	}
	if (!connect(fd, (struct sockaddr *)&t->addr, t->addr_len)) {
		t->backoff_ms = 1000;
		conn_new(c, fd, br, t, NULL);
	} else if (errno == EINPROGRESS) {
		t->fd = fd;
		t->connecting = true;
	} else {
		close(fd);
	}
}

static bool
has_conn(const struct ofconns *c, const struct target *t)
{
	for (size_t i = 0; i < c->n_conns; i++) {
		if (c->conns[i]->active == t) {
			return true;
		}
	}
	return false;
}

/* ---- Asynchronous messages ---- */

static bool
wants(const struct conn *k, int kind, unsigned int reason)
{
	return k->hello_done && !k->closing &&
	       (k->async[kind][k->role == ROLE_SLAVE] & (1u << reason));
}

static bool conn_write(struct ofconns *c, struct conn *k);

/* Sends what 'encode' writes to every connection of 'br' that wants it. */
static void
send_async(struct ofconns *c, const struct obr *br, int kind, unsigned int reason,
	   void (*encode)(struct obuf *b, const void *arg), const void *arg)
{
	for (size_t i = 0; i < c->n_conns; i++) {
		struct conn *k = c->conns[i];

		if (k->br == br && wants(k, kind, reason) && k->out.size < OUT_MAX) {
			encode(&k->out, arg);
		}
	}
}

void
ofconns_packet_in(struct ofconns *c, const char *name, const struct ofproto_pin *pin,
		  const struct rte_mbuf *pkt)
{
	uint32_t total = rte_pktmbuf_pkt_len(pkt);
	uint32_t len = total < pin->max_len ? total : pin->max_len;
	struct pin_rec *r;
	bool wake;

	pthread_mutex_lock(&c->pin_mutex);
	if (c->n_pin >= OFC_PIN_MAX) {
		c->pin_dropped++;
		pthread_mutex_unlock(&c->pin_mutex);
		return;
	}
	c->n_pin++;
	pthread_mutex_unlock(&c->pin_mutex);

	r = malloc(sizeof *r + len);
	if (!r) {
		pthread_mutex_lock(&c->pin_mutex);
		c->n_pin--;
		c->pin_dropped++;
		pthread_mutex_unlock(&c->pin_mutex);
		return;
	}
	r->next = NULL;
	snprintf(r->bridge, sizeof r->bridge, "%s", name);
	r->pin = *pin;
	r->len = len;
	r->total_len = total;
	if (len) {
		const void *d = rte_pktmbuf_read(pkt, 0, len, r->data);

		if (d != r->data) {
			memcpy(r->data, d, len);
		}
	}
	pthread_mutex_lock(&c->pin_mutex);
	wake = !c->pin_head;
	*c->pin_tail = r;
	c->pin_tail = &r->next;
	pthread_mutex_unlock(&c->pin_mutex);
	if (wake) {
		uint64_t one = 1;

		if (write(c->pin_fd, &one, sizeof one) < 0) {
			/* The counter is already non-zero: the loop will wake. */
		}
	}
}

void
ofconns_pin_stats(struct ofconns *c, uint64_t *sent, uint64_t *dropped)
{
	pthread_mutex_lock(&c->pin_mutex);
	*sent = c->pin_sent;
	*dropped = c->pin_dropped;
	pthread_mutex_unlock(&c->pin_mutex);
}

static void
encode_pin(struct obuf *b, const void *arg)
{
	const struct pin_rec *r = arg;

	ofp_encode_packet_in(b, &r->pin, r->data, r->len, r->total_len);
}

/* Sends the queued packet-ins ('signalled': the eventfd is readable). */
static void
drain_packet_ins(struct ofconns *c, bool signalled)
{
	struct pin_rec *list;
	uint64_t count, sent = 0;

	if (signalled && read(c->pin_fd, &count, sizeof count) < 0) {
		/* Taken already; the queue is looked at anyway. */
	}
	pthread_mutex_lock(&c->pin_mutex);
	list = c->pin_head;
	c->pin_head = NULL;
	c->pin_tail = &c->pin_head;
	c->n_pin = 0;
	pthread_mutex_unlock(&c->pin_mutex);
	while (list) {
		struct pin_rec *r = list;
		const struct obr *br = find_bridge(c, r->bridge);

		list = r->next;
		if (br) {
			mf_tlv_bind(ofproto_tlv_table(br->ofp)); /* its tun_metadataN */
			send_async(c, br, ASYNC_PIN, r->pin.reason, encode_pin, r);
			sent++;
		}
		free(r);
	}
	pthread_mutex_lock(&c->pin_mutex);
	c->pin_sent += sent;
	pthread_mutex_unlock(&c->pin_mutex);
}

static void
encode_flow_removed(struct obuf *b, const void *arg)
{
	ofp_encode_flow_removed(b, arg);
}

/* ofproto's flow-removed callback (main thread, under the ofproto lock). */
static void
flow_removed_cb(void *aux, const struct ofproto *ofp, const struct ofproto_flow_info *f)
{
	struct ofconns *c = aux;

	for (int i = 0; i < OFC_BRIDGES; i++) {
		if (c->brs[i].ofp == ofp) {
			send_async(c, &c->brs[i], ASYNC_FLOW_REMOVED, f->reason,
				   encode_flow_removed, f);
		}
	}
}

/* ofproto's flow watch: the flow monitors of the bridge's connections. */
static void
flow_watch_cb(void *aux, const struct ofproto *ofp, enum ofproto_flow_event ev,
	      const struct ofproto_flow_info *f)
{
	struct ofconns *c = aux;

	for (int i = 0; i < OFC_BRIDGES; i++) {
		if (c->brs[i].ofp == ofp) {
			ofconn_monitor_report(c, &c->brs[i], ev, f);
		}
	}
}

struct port_status_arg {
	uint8_t reason;
	const struct ofp_port_desc *d;
};

static void
encode_port_status(struct obuf *b, const void *arg)
{
	const struct port_status_arg *a = arg;

	ofp_encode_port_status(b, a->reason, a->d);
}

struct scan_ctx {
	struct ofconns *c;
	struct seen_port now[OFC_PORTS];
	uint32_t n;
};

void
fill_desc(struct ofconns *c, const struct ofproto_port_info *pi, struct ofp_port_desc *d)
{
	struct port *port = c->hooks.port(c->hooks.aux, pi->dp_port);
	struct port_status st;

	memset(d, 0, sizeof *d);
	d->port_no = pi->ofp_port;
	snprintf(d->name, sizeof d->name, "%.15s", pi->name);
	d->config = pi->config;
	if (port && !port_get_status(port, &st)) {
		memcpy(d->mac, st.mac, 6);
		d->link_down = st.link == 0;
	}
}

static void
scan_cb(void *aux, const struct ofproto_port_info *pi)
{
	struct scan_ctx *x = aux;

	if (x->n < OFC_PORTS) {
		fill_desc(x->c, pi, &x->now[x->n].d);
		x->now[x->n].dp_port = pi->dp_port;
		x->now[x->n].since_ms = x->c->now_ms;
		x->n++;
	}
}

static const struct seen_port *
find_seen(const struct seen_port *list, uint32_t n, const struct seen_port *p)
{
	for (uint32_t i = 0; i < n; i++) {
		if (list[i].d.port_no == p->d.port_no && !strcmp(list[i].d.name, p->d.name)) {
			return &list[i];
		}
	}
	return NULL;
}

/* Compares each bridge's ports with what its connections last saw and
 * sends port-status messages for the difference. */
static void
scan_ports(struct ofconns *c)
{
	struct scan_ctx *x = malloc(sizeof *x);

	if (!x) {
		return;
	}
	for (int i = 0; i < OFC_BRIDGES; i++) {
		struct obr *br = &c->brs[i];
		bool first = !br->ports;

		if (!br->ofp || !ofconns_n_connected(c, br->name)) {
			continue;
		}
		if (first && !(br->ports = calloc(OFC_PORTS, sizeof *br->ports))) {
			continue;
		}
		x->c = c;
		x->n = 0;
		ofproto_lock();
		ofproto_port_dump(br->ofp, scan_cb, x);
		ofproto_unlock();
		for (uint32_t j = 0; j < x->n && !first; j++) {
			const struct seen_port *old = find_seen(br->ports, br->n_ports, &x->now[j]);
			struct port_status_arg a = {OFPPR_ADD, &x->now[j].d};

			if (old) {
				x->now[j].since_ms = old->since_ms;
				if (!memcmp(&old->d, &x->now[j].d, sizeof old->d)) {
					continue;
				}
				a.reason = OFPPR_MODIFY;
			}
			send_async(c, br, ASYNC_PORT_STATUS, a.reason, encode_port_status, &a);
		}
		for (uint32_t j = 0; j < br->n_ports && !first; j++) {
			struct port_status_arg a = {OFPPR_DELETE, &br->ports[j].d};

			if (!find_seen(x->now, x->n, &br->ports[j])) {
				send_async(c, br, ASYNC_PORT_STATUS, a.reason, encode_port_status,
					   &a);
			}
		}
		memcpy(br->ports, x->now, x->n * sizeof x->now[0]);
		br->n_ports = x->n;
	}
	free(x);
}

/* When the connections first saw port 'ofp_port' of 'br' (0: not yet). */
uint64_t
port_since(const struct obr *br, uint32_t ofp_port)
{
	for (uint32_t i = 0; br->ports && i < br->n_ports; i++) {
		if (br->ports[i].d.port_no == ofp_port) {
			return br->ports[i].since_ms;
		}
	}
	return 0;
}

/* ---- Poll loop ---- */

size_t
ofconns_pollfds(struct ofconns *c, struct pollfd *fds, size_t max)
{
	size_t n = 0;

	if (max) {
		fds[n++] = (struct pollfd){c->pin_fd, POLLIN, 0};
	}
	for (int i = 0; i < OFC_BRIDGES; i++) {
		for (size_t j = 0; c->brs[i].ofp && j < c->brs[i].n_targets && n < max; j++) {
			const struct target *t = &c->brs[i].targets[j];

			if (t->fd >= 0 && c->now_ms >= t->rest_until_ms) {
				fds[n++] =
					(struct pollfd){t->fd, t->connecting ? POLLOUT : POLLIN, 0};
			}
		}
	}
	for (size_t i = 0; i < c->n_conns && n < max; i++) {
		const struct conn *k = c->conns[i];

		/* A dump in progress reads nothing until it is out. TLS may
		 * wait to read before it can write, or the other way round. */
		bool out = (k->out.size || k->dump) && !k->tls_write_wants_read;

		fds[n++] = (struct pollfd){k->fd,
					   (short)((k->dump ? 0 : POLLIN) |
						   (out || k->tls_read_wants_write ? POLLOUT : 0)),
					   0};
	}
	return n;
}

static void
serve_target(struct ofconns *c, struct obr *br, struct target *t, short revents)
{
	if (t->passive) {
		accept_conns(c, br, t);
		return;
	}
	if (revents & (POLLOUT | POLLERR | POLLHUP)) {
		int soerr = 0;
		socklen_t sl = sizeof soerr;
		int fd = t->fd;

		getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
		t->fd = -1;
		t->connecting = false;
		if (soerr) {
			close(fd);
		} else {
			t->backoff_ms = 1000;
			conn_new(c, fd, br, t, NULL);
		}
	}
}

/* Serves the listener or connecting target on descriptor 'fd', if any. */
static void
serve_fd_target(struct ofconns *c, int fd, short revents)
{
	for (int i = 0; i < OFC_BRIDGES; i++) {
		for (size_t j = 0; c->brs[i].ofp && j < c->brs[i].n_targets; j++) {
			if (c->brs[i].targets[j].fd == fd) {
				serve_target(c, &c->brs[i], &c->brs[i].targets[j], revents);
				return;
			}
		}
	}
}

void
ofconns_run(struct ofconns *c, const struct pollfd *fds, size_t n, uint64_t now_ms)
{
	bool signalled = false;

	c->now_ms = now_ms;
	for (size_t f = 0; f < n; f++) {
		signalled |= fds[f].fd == c->pin_fd && (fds[f].revents & POLLIN);
	}
	drain_packet_ins(c, signalled);
	for (size_t f = 0; f < n; f++) {
		if (!fds[f].revents || fds[f].fd == c->pin_fd) {
			continue;
		}
		struct conn *k = conn_by_fd(c, fds[f].fd);
		bool alive = true;

		if (!k) {
			continue; /* a listener or a connect: after the connections */
		}
		if (!k->dump && ((fds[f].revents & (POLLIN | POLLHUP | POLLERR)) ||
				 (k->tls_read_wants_write && (fds[f].revents & POLLOUT)))) {
			alive = conn_read(c, k);
		}
		if (alive && (k->out.size || k->closing)) {
			alive = conn_write(c, k);
		}
		while (alive && k->dump && k->out.size == k->out_ofs) {
			/* The socket took everything: send more. */
			dump_run(c, k);
			alive = conn_write(c, k);
			if (alive && !k->dump) {
				/* Requests that waited behind the dump. */
				alive = conn_read(c, k) && conn_write(c, k);
			}
		}
		if (!alive) {
			conn_close(c, k);
		}
	}
	/* Listeners after the connections: what a new connection sent (its
	 * hello) is read before a flood of newer ones can push it out. */
	for (size_t f = 0; f < n; f++) {
		if (fds[f].revents && fds[f].fd != c->pin_fd && !conn_by_fd(c, fds[f].fd)) {
			serve_fd_target(c, fds[f].fd, fds[f].revents);
		}
	}
	/* Timers: reconnect, and probe idle active connections. */
	for (int i = 0; i < OFC_BRIDGES; i++) {
		for (size_t j = 0; c->brs[i].ofp && j < c->brs[i].n_targets; j++) {
			struct target *t = &c->brs[i].targets[j];

			if (!t->passive && t->fd < 0 && !has_conn(c, t) &&
			    now_ms >= t->next_try_ms) {
				try_connect(c, &c->brs[i], t);
			}
		}
	}
	conns_timers(c);
	if (now_ms >= c->next_port_scan_ms) {
		c->next_port_scan_ms = now_ms + PORT_SCAN_MS;
		scan_ports(c);
	}
	/* Asynchronous messages and replies not yet written. */
	for (size_t i = c->n_conns; i-- > 0;) {
		struct conn *k = c->conns[i];

		if ((k->out.size > k->out_ofs || k->closing) && !conn_write(c, k)) {
			conn_close(c, k);
		}
	}
}

unsigned int
ofconns_n_connected(const struct ofconns *c, const char *name)
{
	unsigned int n = 0;

	for (size_t i = 0; i < c->n_conns; i++) {
		n += !strcmp(c->conns[i]->br->name, name);
	}
	return n;
}

unsigned int
ofconns_n_controllers_up(const struct ofconns *c, const char *name)
{
	unsigned int n = 0;

	for (size_t i = 0; i < c->n_conns; i++) {
		n += c->conns[i]->active && !strcmp(c->conns[i]->br->name, name);
	}
	return n;
}

unsigned int
ofconns_count_controllers(const char *const *targets, size_t n_targets)
{
	unsigned int n = 0;

	for (size_t i = 0; i < n_targets; i++) {
		n += targets[i][0] != 'p'; /* ptcp:, punix: listen */
	}
	return n;
}

void
ofconns_destroy(struct ofconns *c)
{
	if (!c) {
		return;
	}
	for (int i = 0; i < OFC_BRIDGES; i++) {
		if (c->brs[i].ofp) {
			ofconns_del_bridge(c, c->brs[i].name);
		}
	}
	while (c->pin_head) {
		struct pin_rec *r = c->pin_head;

		c->pin_head = r->next;
		free(r);
	}
	close(c->pin_fd);
	pthread_mutex_destroy(&c->pin_mutex);
	ofconns_tls_destroy(c);
	free(c->conns);
	free(c->by_fd);
	free(c);
}
