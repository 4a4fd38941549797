/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofproto without a datapath: flow text, matching and priorities, flow-mod
 * rules, timeouts, MAC learning, VLAN modes of NORMAL, megaflow records and
 * revalidation, and the megaflow-correctness property on random tables.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mac_learning.h"
#include "ofproto.h"
#include "random.h"

enum { N_PORTS = 6 };

/* Ports p1..p6 on datapath ports 0..5 (OpenFlow 1..6). */
static struct ofproto *
make_bridge(bool secure)
{
	struct ofproto *ofp = ofproto_create("br0", secure, 1000);

	assert_non_null(ofp);
	for (uint32_t i = 0; i < N_PORTS; i++) {
		char name[8];
		struct ofproto_port_cfg cfg = {.name = name, .dp_port = i, .tag = -1};
		uint32_t no;

		snprintf(name, sizeof name, "p%u", i + 1);
		assert_int_equal(ofproto_port_set(ofp, &cfg, &no), 0);
		assert_int_equal(no, i + 1);
	}
	return ofp;
}

static int
flow_cmd(struct ofproto *ofp, enum ofp_flow_mod_cmd cmd, const char *s, char *err)
{
	struct ofp_port_names names = ofproto_port_names(ofp);
	struct ofp_flow_mod fm;
	int ret = ofp_flow_mod_parse(&fm, s, cmd, &names, err);

	if (!ret) {
		ret = ofproto_flow_mod(ofp, &fm, 2000, err);
		ofp_insts_destroy(&fm.insts);
	}
	return ret;
}

static void
add(struct ofproto *ofp, const char *s)
{
	char err[OFP_ERR_MAX] = "";

	if (flow_cmd(ofp, OFPFC_ADD, s, err)) {
		fail_msg("%s: %s", s, err);
	}
}

static void
key_init(struct flow_key *k, uint32_t dp_port)
{
	memset(k, 0, sizeof *k);
	k->in_port = dp_port;
	memcpy(k->eth_src, "\x02\0\0\0\0\x01", 6);
	memcpy(k->eth_dst, "\x02\0\0\0\0\x02", 6);
	k->eth_type = htons(0x0800);
	k->nw_proto = 6;
	k->nw_ttl = 64;
	k->nw_src.ipv4 = htonl(0x0a000001);
	k->nw_dst.ipv4 = htonl(0x0a000002);
	k->tp_src = htons(1234);
	k->tp_dst = htons(80);
}

/* The datapath output ports of a translation, as a bitmap. */
static uint32_t
outputs(const struct xlate_result *r)
{
	uint32_t m = 0;

	for (uint32_t i = 0; i < r->n_actions; i++) {
		if (r->actions[i].type == DP_ACTION_OUTPUT) {
			m |= 1u << r->actions[i].port;
		}
	}
	return m;
}

static uint32_t
xlate_outputs(struct ofproto *ofp, const struct flow_key *k)
{
	struct xlate_result r;

	assert_int_equal(ofproto_xlate(ofp, k, false, 2000, &r, NULL), 0);
	return outputs(&r);
}

static void
format_flows(void *aux, const struct ofproto_flow_info *f)
{
	ofproto_flow_format(f, false, aux);
	ds_put_char(aux, '\n');
}

static void
test_text(void **state)
{
	struct ofproto *ofp = make_bridge(true);
	char err[OFP_ERR_MAX];
	struct ds d = DS_INIT;
	static const struct {
		const char *flow, *why;
	} bad[] = {
		{"tp_dst=80,actions=drop", "requires tcp"},
		{"ip,tcp_dst=80,actions=drop", "tcp_dst requires"},
		{"nw_src=10.0.0.1,actions=drop", "nw_src requires"},
		{"dl_vlan=4096,actions=drop", "dl_vlan"},
		{"actions=mod_vlan_vid:4096", "VLAN id is 0-4095"},
		{"table=3,actions=goto_table:2", "later table"},
		{"actions=output:0", "not a port"},
		{"actions=output:nosuch", "no such port"},
		{"bogus=1,actions=drop", "unknown field"},
		{"priority=70000,actions=drop", "priority"},
		{"ip,actions=set_field:1->nw_proto", "cannot be set"},
		{"ip", "no actions"},
		{"actions=drop,output:1", "drop must be the only action"},
		{"actions=write_actions(output:1", "unbalanced"},
		{"actions=group:1", "group 1 does not exist"},
		{"actions=meter:2,output:1", "meter 2 does not exist"},
		{"actions=meter:0,output:1", "a meter is 1-"},
		{"actions=learn(table=1)", "not supported yet"},
		{"actions=set_queue:x", "a queue is"},
		{"actions=move:NXM_OF_ETH_SRC[]->NXM_OF_IP_SRC[]", "48 bits into 32"},
		{"actions=load:0x1ff->NXM_OF_IP_TOS[0..7]", "does not fit"},
		{"actions=load:1->NXM_OF_IP_PROTO[]", "cannot be written"},
		{"actions=move:NXM_OF_ETH_SRC[40..50]->NXM_OF_ETH_DST[0..10]", "has 48 bits"},
		{"actions=move:NXM_NX_REG16[]->NXM_OF_IP_SRC[]", "not a field"},
		{"actions=move:NXM_OF_IN_PORT[]->NXM_NX_REG0[]", "not a field"},
		{"actions=load:0x100000000->NXM_NX_REG0[]", "does not fit"},
		{"actions=move:NXM_NX_REG0[]->OXM_OF_PKT_REG0[0..15]", "32 bits into 16"},
		{"reg16=1,actions=drop", "unknown field"},
		{"reg0=0x100000000,actions=drop", "reg0"},
		{"actions=write_actions(load:1->NXM_OF_IP_TOS[2])",
		 "load cannot be in write_actions"},
		{"actions=write_actions(resubmit(,1))", "cannot be in write_actions"},
		{"actions=resubmit(,255)", "a table is 0-254"},
		{"actions=resubmit", "needs a port or a table"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		assert_int_not_equal(flow_cmd(ofp, OFPFC_ADD, bad[i].flow, err), 0);
		if (!strstr(err, bad[i].why)) {
			fail_msg("%s: got \"%s\", wanted \"%s\"", bad[i].flow, err, bad[i].why);
		}
	}
	add(ofp, "priority=100,ip,nw_dst=10.0.0.0/24,actions=mod_vlan_vid:10,output:p2");
	add(ofp, "table=1,cookie=0x5,idle_timeout=10,tcp6,ipv6_src=2001:db8::/32,tp_dst=443,"
		 "actions=dec_ttl,write_actions(output:3),goto_table:2");
	add(ofp, "table=2,priority=7,arp,arp_tpa=10.0.0.1,dl_vlan=12,actions=NORMAL");
	add(ofp, "table=2,priority=8,in_port=p3,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,"
		 "actions=set_field:10.9.9.9->nw_dst,CONTROLLER:64");
	add(ofp, "table=3,priority=9,metadata=0x2,reg15=0x10/0xf0,reg0=5,xreg3=0x700000008,"
		 "actions=load:0x1->NXM_NX_REG1[],move:NXM_NX_REG0[0..15]->OXM_OF_PKT_REG7[16..31],"
		 "set_field:0x9->reg2,set_field:0x2/0x3->xreg1,resubmit(,4)");
	ofproto_flow_dump(ofp, NULL, 3000, format_flows, &d);
	assert_string_equal(
		ds_cstr(&d),
		"cookie=0x0, table=0, priority=100,ip,nw_dst=10.0.0.0/24 "
		"actions=mod_vlan_vid:10,output:2\n"
		"cookie=0x5, table=1, idle_timeout=10, tcp6,ipv6_src=2001:db8::/32,tp_dst=443 "
		"actions=dec_ttl,write_actions(output:3),goto_table:2\n"
		"cookie=0x0, table=2, priority=8,in_port=3,dl_dst=01:00:00:00:00:00/"
		"01:00:00:00:00:00 actions=set_field:10.9.9.9->ip_dst,CONTROLLER:64\n"
		"cookie=0x0, table=2, priority=7,arp,dl_vlan=12,arp_tpa=10.0.0.1 actions=NORMAL\n"
		"cookie=0x0, table=3, priority=9,reg0=0x5,reg6=0x7,reg7=0x8,reg15=0x10/0xf0,"
		"metadata=0x2 actions=load:0x1->NXM_NX_REG1[],move:NXM_NX_REG0[0..15]->"
		"OXM_OF_PKT_REG7[16..31],set_field:0x9->reg2,set_field:0x2/0x3->xreg1,"
		"resubmit(,4)\n");
	ds_destroy(&d);
	ofproto_destroy(ofp);
}

/* Registers: set by load, set_field and move, kept across resubmit and
 * goto_table, matched in a later table, reset for every packet; a move out
 * of a packet field makes the megaflow match that field. */
static void
test_registers(void **state)
{
	struct ofproto *ofp = make_bridge(true);
	struct xlate_result *r = malloc(sizeof *r);
	struct flow_key k;

	(void)state;
	add(ofp, "in_port=1,actions=load:0x2a->NXM_NX_REG3[],resubmit(,1)");
	add(ofp, "in_port=2,actions=set_field:0x2b->reg3,goto_table:1");
	add(ofp, "in_port=3,actions=move:NXM_OF_IP_DST[0..7]->NXM_NX_REG3[0..7],resubmit(,1)");
	add(ofp, "in_port=4,actions=resubmit(,1)");
	add(ofp, "table=1,reg3=0x2a,actions=output:4");
	add(ofp, "table=1,reg3=0x2b,actions=output:5");
	add(ofp, "table=1,reg3=0x7,actions=output:6");
	add(ofp, "table=1,priority=0,actions=output:1");
	key_init(&k, 0);
	assert_int_equal(xlate_outputs(ofp, &k), 1u << 3);
	key_init(&k, 1);
	assert_int_equal(xlate_outputs(ofp, &k), 1u << 4);
	/* The register starts at zero for each packet: no match in table 1. */
	key_init(&k, 3);
	assert_int_equal(xlate_outputs(ofp, &k), 1u << 0);
	key_init(&k, 2);
	k.nw_dst.ipv4 = htonl(0x0a000007);
	assert_int_equal(ofproto_xlate(ofp, &k, false, 2000, r, NULL), 0);
	assert_int_equal(outputs(r), 1u << 5);
	/* The moved bits are in the megaflow: 10.0.0.8 must not share it. */
	assert_int_equal(r->mask.nw_dst.ipv4 & htonl(0xff), htonl(0xff));
	k.nw_dst.ipv4 = htonl(0x0a000008);
	assert_int_equal(xlate_outputs(ofp, &k), 1u << 0);
	/* A register written in one table is read by the next; a half of an
	 * xreg is its register. */
	add(ofp, "priority=5,in_port=5,actions=set_field:0x500000006->xreg2,goto_table:2");
	add(ofp, "table=2,reg4=0x5,reg5=0x6,actions=output:3");
	key_init(&k, 4);
	assert_int_equal(xlate_outputs(ofp, &k), 1u << 2);
	free(r);
	ofproto_destroy(ofp);
}

/* The cookie of the translation's controller action for 'k'. */
static uint64_t
controller_cookie_of(struct ofproto *ofp, const struct flow_key *k, struct xlate_result *r)
{
	assert_int_equal(ofproto_xlate(ofp, k, false, 2000, r, NULL), 0);
	for (uint32_t i = 0; i < r->n_actions; i++) {
		if (r->actions[i].type == DP_ACTION_USERSPACE) {
			return r->actions[i].cookie;
		}
	}
	fail_msg("no controller action");
	return 0;
}

/* A packet-in carries its rule's cookie and the registers of its own
 * translation, also past the 1,024 contexts a bridge interns at a time; a
 * megaflow made before the table started over gets "unknown", never
 * another packet's registers. */
static void
test_packet_in_contexts(void **state)
{
	struct ofproto *ofp = make_bridge(true);
	struct xlate_result *r = malloc(sizeof *r);
	struct ofproto_pin pin;
	uint64_t first = 0;
	struct flow_key k;

	(void)state;
	add(ofp, "cookie=0x77,in_port=1,ip,actions=move:NXM_OF_IP_DST[0..15]->NXM_NX_REG0[0..15],"
		 "controller");
	key_init(&k, 0);
	for (uint32_t i = 0; i < 1500; i++) {
		uint64_t c;

		k.nw_dst.ipv4 = htonl(0x0a000000 | i);
		c = controller_cookie_of(ofp, &k, r);
		if (i == 0) {
			first = c;
		}
		assert_true(ofproto_packet_in(ofp, 0, c, &pin));
		assert_true(pin.cookie == 0x77);
		assert_true(pin.md.u64[PIPE_MD_XREG0] >> 32 == i);
		assert_int_equal(pin.in_port, 1);
	}
	/* The first context's number is of an old generation now. */
	assert_true(ofproto_packet_in(ofp, 0, first, &pin));
	assert_true(pin.cookie == UINT64_MAX);
	assert_true(pin.md.u64[PIPE_MD_XREG0] == 0);
	free(r);
	ofproto_destroy(ofp);
}

/* resubmit: another table's actions, then back; its text read back; a
 * loop cut short; another input port for the lookup. */
static void
test_resubmit(void **state)
{
	struct ofproto *ofp = make_bridge(true);
	struct ds d = DS_INIT;
	struct flow_key k;

	(void)state;
	add(ofp, "priority=10,actions=resubmit(,3),output:2");
	add(ofp, "table=3,actions=output:3");
	key_init(&k, 0); /* OpenFlow port N is datapath port N - 1 */
	assert_int_equal(xlate_outputs(ofp, &k), 1u << 2 | 1u << 1);
	add(ofp, "table=4,actions=resubmit(,4)");
	add(ofp, "priority=20,tcp,actions=resubmit(,4),output:2");
	assert_int_equal(xlate_outputs(ofp, &k), 1u << 1);
	add(ofp, "table=5,in_port=3,actions=output:2");
	add(ofp, "table=5,priority=1,actions=output:3");
	add(ofp, "priority=30,tcp,tp_dst=80,actions=resubmit(3,5)");
	assert_int_equal(xlate_outputs(ofp, &k), 1u << 1);
	add(ofp, "priority=40,tcp,tp_dst=80,actions=resubmit:3");
	ofproto_flow_dump(ofp, NULL, 3000, format_flows, &d);
	assert_non_null(strstr(ds_cstr(&d), "actions=resubmit(,3),output:2\n"));
	assert_non_null(strstr(ds_cstr(&d), "actions=resubmit(3,5)\n"));
	assert_non_null(strstr(ds_cstr(&d), "actions=resubmit:3\n"));
	ds_destroy(&d);
	ofproto_destroy(ofp);
}

static void
test_priorities(void **state)
{
	struct ofproto *ofp = make_bridge(true);
	struct flow_key k;

	(void)state;
	add(ofp, "priority=10,actions=output:2");
	add(ofp, "priority=20,ip,nw_dst=10.0.0.0/8,actions=output:3");
	add(ofp, "priority=30,tcp,tp_dst=80,actions=output:4");
	add(ofp, "priority=40,in_port=2,actions=drop");
	key_init(&k, 0);
	assert_int_equal(xlate_outputs(ofp, &k), 1u << 3);
	k.tp_dst = htons(22);
	assert_int_equal(xlate_outputs(ofp, &k), 1u << 2);
	k.nw_dst.ipv4 = htonl(0x0b000001);
	assert_int_equal(xlate_outputs(ofp, &k), 1u << 1);
	k.in_port = 1;
	assert_int_equal(xlate_outputs(ofp, &k), 0);
	/* Output to the input port is skipped unless IN_PORT. */
	k.in_port = 1;
	add(ofp, "priority=50,in_port=2,actions=output:2,IN_PORT");
	assert_int_equal(xlate_outputs(ofp, &k), 1u << 1);
	ofproto_destroy(ofp);
}

struct count {
	int n;
	uint64_t last_cookie;
	enum ofp_removed_reason reason;
};

static void
count_flows(void *aux, const struct ofproto_flow_info *f)
{
	struct count *c = aux;

	c->n++;
	c->last_cookie = f->cookie;
}

static int
n_flows(struct ofproto *ofp)
{
	struct count c = {0};

	ofproto_flow_dump(ofp, NULL, 3000, count_flows, &c);
	return c.n;
}

static void
test_flow_mods(void **state)
{
	struct ofproto *ofp = make_bridge(false);
	char err[OFP_ERR_MAX];
	struct flow_key k;

	(void)state;
	assert_int_equal(n_flows(ofp), 1); /* priority=0,actions=NORMAL */
	add(ofp, "cookie=1,priority=4,ip,actions=output:2");
	add(ofp, "cookie=2,priority=5,tcp,actions=output:3");
	add(ofp, "cookie=3,priority=6,tcp,tp_dst=80,actions=output:4");
	/* Same match and priority replaces. */
	add(ofp, "cookie=4,priority=4,ip,actions=output:5");
	assert_int_equal(n_flows(ofp), 4);
	/* check_overlap: tcp and ip at priority 5 overlap. */
	assert_int_equal(flow_cmd(ofp, OFPFC_ADD,
				  "check_overlap,priority=5,ip,nw_dst=1.2.3.4,"
				  "actions=drop",
				  err),
			 -EEXIST);
	/* A full table refuses a new flow (not a replacement) with a reason. */
	ofproto_set_table_max(ofp, 4);
	assert_int_equal(flow_cmd(ofp, OFPFC_ADD, "priority=9,udp,actions=drop", err), -ENOSPC);
	assert_non_null(strstr(err, "is full"));
	add(ofp, "cookie=4,priority=4,ip,actions=output:5");
	assert_int_equal(n_flows(ofp), 4);
	ofproto_set_table_max(ofp, 0);
	/* Non-strict modify: every flow the match covers. */
	assert_int_equal(flow_cmd(ofp, OFPFC_MODIFY, "tcp,actions=output:6", err), 0);
	key_init(&k, 0);
	assert_int_equal(xlate_outputs(ofp, &k), 1u << 5);
	k.tp_dst = htons(22);
	assert_int_equal(xlate_outputs(ofp, &k), 1u << 5);
	/* Strict modify: only the exact one. */
	assert_int_equal(flow_cmd(ofp, OFPFC_MODIFY_STRICT,
				  "priority=6,tcp,tp_dst=80,actions=output:4", err),
			 0);
	k.tp_dst = htons(80);
	assert_int_equal(xlate_outputs(ofp, &k), 1u << 3);
	/* Modify matching nothing adds nothing. */
	assert_int_equal(flow_cmd(ofp, OFPFC_MODIFY, "udp,actions=output:1", err), 0);
	assert_int_equal(n_flows(ofp), 4);
	/* Delete by out_port, then by cookie, then strict. */
	assert_int_equal(flow_cmd(ofp, OFPFC_DELETE, "out_port=4", err), 0);
	assert_int_equal(n_flows(ofp), 3);
	assert_int_equal(flow_cmd(ofp, OFPFC_DELETE, "cookie=4/0xff", err), 0);
	assert_int_equal(n_flows(ofp), 2);
	assert_int_equal(flow_cmd(ofp, OFPFC_DELETE_STRICT, "priority=5,ip", err), 0);
	assert_int_equal(n_flows(ofp), 2); /* no exact match (ip is at 4): nothing */
	assert_int_equal(flow_cmd(ofp, OFPFC_DELETE_STRICT, "priority=5,tcp", err), 0);
	assert_int_equal(n_flows(ofp), 1);
	assert_int_equal(flow_cmd(ofp, OFPFC_DELETE, "", err), 0);
	assert_int_equal(n_flows(ofp), 0);
	/* With no flow left, a packet is a table miss: dropped. */
	assert_int_equal(xlate_outputs(ofp, &k), 0);
	ofproto_destroy(ofp);
}

static void
removed(void *aux, const struct ofproto *ofp, const struct ofproto_flow_info *f)
{
	struct count *c = aux;

	(void)ofp;
	c->n++;
	c->last_cookie = f->cookie;
	c->reason = f->reason;
}

static void
format_flows_stats(void *aux, const struct ofproto_flow_info *f)
{
	ofproto_flow_format(f, true, aux);
	ds_put_char(aux, '\n');
}

/* The flow table as text, counters and ages included. */
static char *
table_text(struct ofproto *ofp)
{
	struct ds d = DS_INIT;

	ofproto_flow_dump(ofp, NULL, 2000, format_flows_stats, &d);
	char *s = strdup(ds_cstr(&d));

	ds_destroy(&d);
	return s;
}

/* Parses 'n' flow mods of 'cmds'/'texts' into 'fms'. */
static void
parse_batch(struct ofproto *ofp, struct ofp_flow_mod *fms, const enum ofp_flow_mod_cmd *cmds,
	    const char *const *texts, size_t n)
{
	struct ofp_port_names names = ofproto_port_names(ofp);
	char err[OFP_ERR_MAX];

	for (size_t i = 0; i < n; i++) {
		if (ofp_flow_mod_parse(&fms[i], texts[i], cmds[i], &names, err)) {
			fail_msg("%s: %s", texts[i], err);
		}
	}
}

/* A batch of flow mods (a bundle's commit) is all or nothing: one that
 * fails undoes the adds, replacements, modifications and deletes before
 * it, counters and all, and no flow-removed notice goes out; a batch that
 * succeeds applies every change and sends the notices. */
static void
test_atomic_batch(void **state)
{
	static const enum ofp_flow_mod_cmd cmds[] = {OFPFC_ADD,    OFPFC_ADD, OFPFC_MODIFY,
						     OFPFC_DELETE, OFPFC_ADD, OFPFC_ADD,
						     OFPFC_DELETE, OFPFC_ADD};
	static const char *const texts[] = {
		"priority=7,in_port=3,actions=output:4",             /* a new flow */
		"cookie=0x11,priority=5,in_port=1,actions=output:6", /* replaces one */
		"in_port=2,actions=output:5",                        /* modifies one */
		"ip,nw_dst=10.0.0.0/8",                              /* deletes two */
		"priority=8,in_port=4,actions=output:1",             /* added, then... */
		"priority=8,in_port=4,actions=output:2",             /* ...replaced, then... */
		"priority=8,in_port=4",                              /* ...deleted */
		"priority=1,actions=group:9",                        /* refused: no group 9 */
	};
	enum { N = sizeof texts / sizeof texts[0] };
	struct ofproto *ofp = make_bridge(true);
	struct ofp_flow_mod fms[N];
	struct count c = {0};
	char err[OFP_ERR_MAX], *before, *after;
	struct flow_key k;
	size_t failed = 99;

	(void)state;
	ofproto_set_flow_removed_cb(ofp, removed, &c);
	add(ofp, "cookie=0x1,priority=5,in_port=1,actions=output:2");
	add(ofp, "cookie=0x2,in_port=2,actions=output:3");
	add(ofp, "cookie=0x3,send_flow_rem,ip,nw_dst=10.1.0.0/16,actions=drop");
	add(ofp, "cookie=0x4,send_flow_rem,priority=9,ip,nw_dst=10.2.0.0/16,actions=drop");
	key_init(&k, 0);
	assert_int_equal(xlate_outputs(ofp, &k), 1u << 1); /* counts a packet */
	before = table_text(ofp);
	parse_batch(ofp, fms, cmds, texts, N);
	assert_int_not_equal(ofproto_flow_mods_atomic(ofp, fms, N, 2000, err, &failed), 0);
	assert_int_equal(failed, N - 1);
	assert_non_null(strstr(err, "group 9"));
	after = table_text(ofp);
	assert_string_equal(after, before);
	assert_int_equal(c.n, 0);
	assert_int_equal(xlate_outputs(ofp, &k), 1u << 1);
	free(after);
	/* Without the refused one: every change, and the two notices. */
	assert_int_equal(ofproto_flow_mods_atomic(ofp, fms, N - 1, 2000, err, &failed), 0);
	after = table_text(ofp);
	assert_null(strstr(after, "nw_dst"));
	assert_null(strstr(after, "in_port=4"));
	assert_non_null(strstr(after, "cookie=0x11,"));
	assert_non_null(strstr(after, "priority=5,in_port=1 actions=output:6"));
	assert_non_null(strstr(after, "in_port=3 actions=output:4"));
	assert_non_null(strstr(after, "in_port=2 actions=output:5"));
	assert_int_equal(c.n, 2);
	assert_int_equal(xlate_outputs(ofp, &k), 1u << 5);
	for (size_t i = 0; i < N; i++) {
		ofp_insts_destroy(&fms[i].insts);
	}
	free(before);
	free(after);
	ofproto_destroy(ofp);
}

static void
test_timeouts(void **state)
{
	struct ofproto *ofp = make_bridge(true);
	struct count c = {0};

	(void)state;
	ofproto_set_flow_removed_cb(ofp, removed, &c);
	add(ofp, "cookie=1,send_flow_rem,idle_timeout=5,ip,actions=drop");
	add(ofp, "cookie=2,send_flow_rem,hard_timeout=8,arp,actions=drop");
	add(ofp, "cookie=3,hard_timeout=1,ipv6,actions=drop"); /* no flow_rem flag */
	assert_true(ofproto_run(ofp, 2500));                   /* changes are pending */
	assert_int_equal(n_flows(ofp), 3);
	ofproto_run(ofp, 3000);
	assert_int_equal(n_flows(ofp), 2);
	assert_int_equal(c.n, 0);
	ofproto_run(ofp, 7000);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.last_cookie, 1);
	assert_int_equal(c.reason, OFPRR_IDLE_TIMEOUT);
	ofproto_run(ofp, 10000);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.last_cookie, 2);
	assert_int_equal(c.reason, OFPRR_HARD_TIMEOUT);
	assert_int_equal(n_flows(ofp), 0);
	ofproto_destroy(ofp);
}

static void
test_mac_table(void **state)
{
	struct mac_table *mt = mac_table_create(16, 10);
	uint8_t mac[6] = {2, 0, 0, 0, 0, 0}, ev[6];
	struct mac_stats s;

	(void)state;
	assert_int_equal(mac_learn(mt, mac, 10, 1, 0, ev), MAC_NEW);
	assert_int_equal(mac_learn(mt, mac, 10, 1, 100, ev), MAC_UNCHANGED);
	assert_int_equal(mac_lookup(mt, mac, 10, 200), 1);
	assert_int_equal(mac_lookup(mt, mac, 20, 200), -1); /* per VLAN */
	assert_int_equal(mac_learn(mt, mac, 10, 2, 300, ev), MAC_MOVED);
	assert_int_equal(mac_lookup(mt, mac, 10, 300), 2);
	assert_int_equal(mac_lookup(mt, mac, 10, 10300), -1); /* expired */
	mac_age(mt, 10300, NULL, NULL);
	mac_table_stats(mt, &s);
	assert_int_equal(s.n_entries, 0);
	assert_int_equal(s.aged, 1);
	/* LRU eviction: 17 MACs into 16 slots, the first touched again. */
	for (int i = 0; i < 17; i++) {
		mac[5] = (uint8_t)i;
		mac_learn(mt, mac, 1, 1, 20000 + (uint64_t)i, ev);
		if (i == 15) {
			mac[5] = 0;
			mac_touch(mt, mac, 1, 1, 20016);
		}
	}
	mac[5] = 0;
	assert_int_equal(mac_lookup(mt, mac, 1, 20020), 1);
	mac[5] = 1;
	assert_int_equal(mac_lookup(mt, mac, 1, 20020), -1);
	assert_memory_equal(ev, mac, 6);
	mac_table_stats(mt, &s);
	assert_int_equal(s.n_entries, 16);
	assert_int_equal(s.evicted, 1);
	mac_table_destroy(mt);
}

/* Ports: p1, p2 access 10; p3 access 20; p4 trunk 10,20; p5 native-untagged
 * 10 (+20); p6 native-tagged 20 (+30). */
static struct ofproto *
vlan_bridge(void)
{
	static const uint16_t t1020[] = {10, 20}, t20[] = {20}, t30[] = {30};
	struct ofproto *ofp = ofproto_create("br0", false, 0);
	const struct ofproto_port_cfg cfgs[] = {
		{"p1", 0, 0, OFPORT_VLAN_ACCESS, 10, NULL, 0},
		{"p2", 0, 1, OFPORT_VLAN_ACCESS, 10, NULL, 0},
		{"p3", 0, 2, OFPORT_VLAN_ACCESS, 20, NULL, 0},
		{"p4", 0, 3, OFPORT_VLAN_TRUNK, -1, t1020, 2},
		{"p5", 0, 4, OFPORT_VLAN_NATIVE_UNTAGGED, 10, t20, 1},
		{"p6", 0, 5, OFPORT_VLAN_NATIVE_TAGGED, 20, t30, 1},
	};
	uint32_t no;

	for (size_t i = 0; i < ARRAY_SIZE(cfgs); i++) {
		assert_int_equal(ofproto_port_set(ofp, &cfgs[i], &no), 0);
	}
	return ofp;
}

/* The TCI each output port gets (0: untagged), -1 where nothing goes. */
static void
egress_tci(const struct xlate_result *r, int tci[N_PORTS])
{
	int cur = -2; /* unknown: the packet's own */

	for (int i = 0; i < N_PORTS; i++) {
		tci[i] = -1;
	}
	for (uint32_t i = 0; i < r->n_actions; i++) {
		const struct dp_action *a = &r->actions[i];

		if (a->type == DP_ACTION_PUSH_VLAN || a->type == DP_ACTION_SET_VLAN) {
			cur = ntohs(a->vlan.tci) & 0xefff;
		} else if (a->type == DP_ACTION_POP_VLAN) {
			cur = 0;
		} else if (a->type == DP_ACTION_OUTPUT) {
			tci[a->port] = cur;
		}
	}
}

static void
test_vlan_modes(void **state)
{
	struct ofproto *ofp = vlan_bridge();
	struct xlate_result r;
	struct flow_key k;
	int tci[N_PORTS];

	(void)state;
	/* Broadcast, untagged on access port p1 (VLAN 10). */
	key_init(&k, 0);
	memset(k.eth_dst, 0xff, 6);
	assert_int_equal(ofproto_xlate(ofp, &k, true, 0, &r, NULL), 0);
	egress_tci(&r, tci);
	assert_int_equal(tci[0], -1); /* not back out of p1 */
	assert_int_equal(tci[1], -2); /* p2: as received, untagged */
	assert_int_equal(tci[2], -1); /* p3: VLAN 20 */
	assert_int_equal(tci[3], 10); /* trunk: tagged 10 */
	assert_int_equal(tci[4], 0);  /* native-untagged 10: untagged */
	assert_int_equal(tci[5], -1); /* native-tagged 20, trunks 30 */
	/* Tagged VLAN 20 from the trunk. */
	key_init(&k, 3);
	memset(k.eth_dst, 0xff, 6);
	k.vlan_tci = htons(FLOW_VLAN_PRESENT | 20);
	assert_int_equal(ofproto_xlate(ofp, &k, true, 0, &r, NULL), 0);
	egress_tci(&r, tci);
	assert_int_equal(tci[0], -1);
	assert_int_equal(tci[2], 0);  /* access 20: untagged */
	assert_int_equal(tci[4], 20); /* native-untagged 10: 20 stays tagged */
	assert_int_equal(tci[5], 20); /* native-tagged 20: tagged */
	/* VLAN 30 is not allowed on the trunk; a tagged frame on an access
	 * port: both dropped. */
	k.vlan_tci = htons(FLOW_VLAN_PRESENT | 30);
	assert_int_equal(xlate_outputs(ofp, &k), 0);
	key_init(&k, 0);
	k.vlan_tci = htons(FLOW_VLAN_PRESENT | 10);
	assert_int_equal(xlate_outputs(ofp, &k), 0);
	/* Learning per VLAN: 02:..:01 was learned on p1 in VLAN 10 and on the
	 * trunk p4 in VLAN 20; unicast to it goes to the port of its VLAN. */
	key_init(&k, 1);
	memcpy(k.eth_src, "\x02\0\0\0\0\x09", 6);
	memcpy(k.eth_dst, "\x02\0\0\0\0\x01", 6);
	assert_int_equal(xlate_outputs(ofp, &k), 1u << 0);
	k.in_port = 2;
	assert_int_equal(xlate_outputs(ofp, &k), 1u << 3);
	/* An unknown destination in VLAN 20 floods its ports only. */
	k.eth_dst[5] = 0x77;
	assert_int_equal(xlate_outputs(ofp, &k), (1u << 3) | (1u << 4) | (1u << 5));
	ofproto_destroy(ofp);
}

static void
cb_pkts(void *aux, const struct ofproto_flow_info *f)
{
	*(uint64_t *)aux += f->n_packets;
}

/* Megaflow records: statistics reach rules, and a change deletes exactly
 * the megaflows it affects. */
static void
test_revalidation(void **state)
{
	struct ofproto *ofp = make_bridge(true);
	struct dp_upcall_result res;
	struct flow_key k1, k2;
	struct dp_flow_info i1, i2;

	(void)state;
	add(ofp, "priority=10,ip,nw_dst=10.0.0.2,actions=output:2");
	add(ofp, "priority=10,ip,nw_dst=10.0.0.3,actions=output:3");
	key_init(&k1, 0);
	key_init(&k2, 0);
	k2.nw_dst.ipv4 = htonl(0x0a000003);

	memset(&res, 0, sizeof res);
	assert_int_equal(ofproto_upcall(ofp, &k1, 3000, &res), 0);
	i1 = (struct dp_flow_info){.key = &k1, .ufid = res.ufid, .n_packets = 5, .n_bytes = 500};
	struct dp_upcall_result res1 = res;
	i1.mask = &res1.mask;
	i1.actions = res1.actions;
	i1.n_actions = res1.n_actions;
	memset(&res, 0, sizeof res);
	assert_int_equal(ofproto_upcall(ofp, &k2, 3000, &res), 0);
	struct dp_upcall_result res2 = res;
	i2 = (struct dp_flow_info){.key = &k2,
				   .ufid = res2.ufid,
				   .mask = &res2.mask,
				   .actions = res2.actions,
				   .n_actions = res2.n_actions};
	assert_int_not_equal(i1.ufid, i2.ufid);

	/* A sweep with no change keeps both and credits the rule. */
	ofproto_sweep_begin(ofp);
	assert_true(ofproto_sweep_flow(ofp, &i1, 4000, 10000));
	assert_true(ofproto_sweep_flow(ofp, &i2, 4000, 10000));
	ofproto_sweep_end(ofp);
	struct ofp_flow_mod filter;
	struct ofp_port_names names = ofproto_port_names(ofp);
	char err[OFP_ERR_MAX];
	assert_int_equal(ofp_flow_mod_parse(&filter, "out_port=2", OFPFC_DELETE, &names, err), 0);
	uint64_t got = 0;
	ofproto_flow_dump(ofp, &filter, 4000, cb_pkts, &got);
	assert_int_equal(got, 5);
	ofp_insts_destroy(&filter.insts);

	/* A flow for 10.0.0.3 only: the 10.0.0.2 megaflow is not even
	 * re-translated, the 10.0.0.3 one goes. */
	add(ofp, "priority=20,ip,nw_dst=10.0.0.3,actions=output:4");
	struct ofproto_sweep_stats before, after;
	ofproto_get_sweep_stats(ofp, &before);
	ofproto_sweep_begin(ofp);
	assert_true(ofproto_sweep_flow(ofp, &i1, 5000, 10000));
	assert_false(ofproto_sweep_flow(ofp, &i2, 5000, 10000));
	ofproto_sweep_end(ofp);
	ofproto_get_sweep_stats(ofp, &after);
	assert_int_equal(after.revalidated - before.revalidated, 1);
	assert_int_equal(after.n_megaflows, 1);
	/* Idle megaflows go. */
	i1.idle_ms = 20000;
	ofproto_sweep_begin(ofp);
	assert_false(ofproto_sweep_flow(ofp, &i1, 6000, 10000));
	ofproto_sweep_end(ofp);
	ofproto_destroy(ofp);
}

/* ---- Groups and meters ---- */

static struct ofpact
out_act(uint32_t port)
{
	return (struct ofpact){.type = OFPACT_OUTPUT, .port = port};
}

/* Group 'id' of 'type' whose bucket i outputs to OpenFlow port ports[i]
 * (watching it for fast failover, weight 1 for select). */
static int
group_cmd(struct ofproto *ofp, enum ofp_group_cmd cmd, uint32_t id, uint8_t type,
	  const uint32_t *ports, uint32_t n, bool set_src)
{
	struct ofp_bucket b[4];
	struct ofpact acts[4][2];
	struct ofp_group_mod gm = {cmd, type, id, b, n};
	char err[OFP_ERR_MAX];

	for (uint32_t i = 0; i < n; i++) {
		uint32_t k = 0;

		if (set_src && i == 0) {
			acts[i][k] =
				(struct ofpact){.type = OFPACT_SET_FIELD, .field = MFF_ETH_SRC};
			memcpy(acts[i][k].value.b, "\x02\0\0\0\0\x99", 6);
			memset(acts[i][k].mask.b, 0xff, 6);
			k++;
		}
		acts[i][k++] = out_act(ports[i]);
		b[i] = (struct ofp_bucket){type == OFPGT_SELECT,
					   type == OFPGT_FF ? ports[i] : OFPP_ANY, OFPG_ANY,
					   acts[i], k};
	}
	return ofproto_group_mod(ofp, &gm, 2000, err);
}

static void
count_group(void *aux, const struct ofproto_group_info *g)
{
	struct ofproto_group_info *out = aux;

	*out = *g;
}

struct fake_meters {
	uint32_t sets, dels, last_id;
};

static int
fake_set(void *aux, uint32_t dp_id, const struct ofp_meter_mod *mm)
{
	struct fake_meters *f = aux;

	(void)mm;
	f->sets++;
	f->last_id = dp_id;
	return 0;
}

static void
fake_del(void *aux, uint32_t dp_id)
{
	struct fake_meters *f = aux;

	(void)dp_id;
	f->dels++;
}

static void
fake_stats(void *aux, uint32_t dp_id, struct ofproto_meter_stats *s)
{
	(void)aux;
	s->packets = 100 + dp_id;
}

static void
meter_info(void *aux, const struct ofproto_meter_info *m)
{
	*(struct ofproto_meter_info *)aux = *m;
}

static void
test_groups(void **state)
{
	struct ofproto *ofp = make_bridge(true);
	static const uint32_t two_three[] = {2, 3}, four[] = {4}, five_six[] = {5, 6};
	struct ofproto_group_info gi;
	struct xlate_result r;
	struct flow_key k;
	uint32_t missing;
	char err[OFP_ERR_MAX];

	(void)state;
	key_init(&k, 0);
	/* all: every bucket; a bucket that rewrites runs on a clone. */
	assert_int_equal(group_cmd(ofp, OFPGC_ADD, 1, OFPGT_ALL, two_three, 2, false), 0);
	assert_int_equal(group_cmd(ofp, OFPGC_ADD, 1, OFPGT_ALL, two_three, 2, false), -EEXIST);
	add(ofp, "priority=10,in_port=1,actions=group:1");
	assert_int_equal(xlate_outputs(ofp, &k), 1u << 1 | 1u << 2);
	assert_int_equal(group_cmd(ofp, OFPGC_MODIFY, 1, OFPGT_ALL, two_three, 2, true), 0);
	assert_int_equal(ofproto_xlate(ofp, &k, false, 2000, &r, NULL), 0);
	assert_int_equal(r.n_actions, 4);
	assert_int_equal(r.actions[0].type, DP_ACTION_CLONE);
	assert_int_equal(r.actions[0].port, 2);
	assert_int_equal(r.actions[1].type, DP_ACTION_SET_ETH);
	assert_int_equal(r.actions[2].type, DP_ACTION_OUTPUT);
	assert_int_equal(r.actions[2].port, 1);
	assert_int_equal(r.actions[3].type, DP_ACTION_OUTPUT); /* unchanged packet */
	assert_int_equal(r.actions[3].port, 2);
	assert_int_equal(group_cmd(ofp, OFPGC_MODIFY, 9, OFPGT_ALL, two_three, 2, false), -ENOENT);

	/* indirect */
	assert_int_equal(group_cmd(ofp, OFPGC_ADD, 2, OFPGT_INDIRECT, four, 1, false), 0);
	add(ofp, "priority=10,in_port=2,actions=group:2");
	key_init(&k, 1);
	assert_int_equal(xlate_outputs(ofp, &k), 1u << 3);

	/* Deleting by out_group takes only the flows that send to it. */
	unsigned int before = n_flows(ofp);
	assert_int_equal(flow_cmd(ofp, OFPFC_DELETE, "out_group=2", err), 0);
	assert_int_equal(n_flows(ofp), before - 1);
	assert_int_equal(xlate_outputs(ofp, &k), 0);
	key_init(&k, 0);
	assert_int_equal(xlate_outputs(ofp, &k), 1u << 1 | 1u << 2); /* group 1's flow stays */
	assert_int_equal(flow_cmd(ofp, OFPFC_DELETE, "out_group=7", err), 0);
	assert_int_equal(n_flows(ofp), before - 1);
	assert_int_equal(flow_cmd(ofp, OFPFC_ADD, "priority=3,out_group=1,actions=drop", err),
			 -EINVAL);
	assert_non_null(strstr(err, "out_group is a filter of del-flows only"));
	add(ofp, "priority=10,in_port=2,actions=group:2");
	key_init(&k, 1);

	/* select: spread by the L4 ports, which the megaflow then matches. */
	assert_int_equal(group_cmd(ofp, OFPGC_ADD, 3, OFPGT_SELECT, five_six, 2, false), 0);
	add(ofp, "priority=10,in_port=3,actions=group:3");
	uint32_t seen = 0;
	for (uint16_t p = 1; p <= 64; p++) {
		key_init(&k, 2);
		k.tp_src = htons(p);
		assert_int_equal(ofproto_xlate(ofp, &k, false, 2000, &r, NULL), 0);
		assert_int_equal(r.mask.tp_src, 0xffff);
		seen |= outputs(&r);
	}
	assert_int_equal(seen, 1u << 4 | 1u << 5);
	/* ARP between the same MACs, to and from many addresses: spread too,
	 * by the protocol addresses, which the megaflow then matches. */
	seen = 0;
	for (uint32_t a = 1; a <= 64; a++) {
		key_init(&k, 2);
		k.eth_type = htons(0x0806);
		k.nw_proto = 1;
		k.tp_src = k.tp_dst = 0;
		k.nw_dst.ipv4 = htonl(0x0a000000 | a);
		assert_int_equal(ofproto_xlate(ofp, &k, false, 2000, &r, NULL), 0);
		assert_int_equal(r.mask.nw_dst.ipv4, 0xffffffff);
		seen |= outputs(&r);
	}
	assert_int_equal(seen, 1u << 4 | 1u << 5);

	/* fast failover: the first live bucket. */
	assert_int_equal(group_cmd(ofp, OFPGC_ADD, 4, OFPGT_FF, two_three, 2, false), 0);
	add(ofp, "priority=10,in_port=4,actions=group:4");
	key_init(&k, 3);
	assert_int_equal(xlate_outputs(ofp, &k), 1u << 1);
	assert_int_equal(ofproto_port_mod(ofp, 2, OFPPC_PORT_DOWN, OFPPC_PORT_DOWN), 0);
	assert_int_equal(xlate_outputs(ofp, &k), 1u << 2);
	ofproto_port_set_link(ofp, 2, false);
	assert_int_equal(xlate_outputs(ofp, &k), 0);
	ofproto_port_set_link(ofp, 2, true);
	assert_int_equal(xlate_outputs(ofp, &k), 1u << 2);
	assert_int_equal(ofproto_port_mod(ofp, 2, 0, OFPPC_PORT_DOWN), 0);
	assert_int_equal(xlate_outputs(ofp, &k), 1u << 1);

	/* Statistics come from the megaflows; ref_count counts flows. */
	struct dp_upcall_result res;
	key_init(&k, 1);
	memset(&res, 0, sizeof res);
	assert_int_equal(ofproto_upcall(ofp, &k, 3000, &res), 0);
	struct dp_flow_info info = {.key = &k,
				    .ufid = res.ufid,
				    .mask = &res.mask,
				    .actions = res.actions,
				    .n_actions = res.n_actions,
				    .n_packets = 7,
				    .n_bytes = 700};
	ofproto_sweep_begin(ofp);
	assert_true(ofproto_sweep_flow(ofp, &info, 4000, 10000));
	ofproto_sweep_end(ofp);
	ofproto_group_dump(ofp, 2, 4000, count_group, &gi);
	assert_int_equal(gi.group_id, 2);
	assert_int_equal(gi.ref_count, 1);
	assert_int_equal(gi.n_packets, 7);
	assert_int_equal(gi.bucket_packets[0], 7);
	assert_int_equal(gi.bucket_bytes[0], 700);

	/* Deleting a group deletes the flows that send to it. */
	struct ofp_group_mod del = {OFPGC_DELETE, 0, 2, NULL, 0};
	assert_int_equal(ofproto_group_mod(ofp, &del, 5000, err), 0);
	key_init(&k, 1);
	assert_int_equal(xlate_outputs(ofp, &k), 0);
	struct ofp_insts in;
	ofp_insts_init(&in);
	struct ofpact g2 = {.type = OFPACT_GROUP, .port = 2};
	in.apply = &g2;
	in.n_apply = 1;
	assert_int_equal(ofproto_insts_missing(ofp, &in, &missing), OFPROTO_NO_GROUP);
	assert_int_equal(missing, 2);
	/* The megaflow record still holds the deleted group: the sweep
	 * drops it without touching freed memory. */
	ofproto_sweep_begin(ofp);
	info.n_packets = 9;
	assert_false(ofproto_sweep_flow(ofp, &info, 6000, 10000));
	ofproto_sweep_end(ofp);
	del.group_id = OFPG_ALL;
	assert_int_equal(ofproto_group_mod(ofp, &del, 6000, err), 0);
	gi.group_id = 0;
	ofproto_group_dump(ofp, OFPG_ALL, 6000, count_group, &gi);
	assert_int_equal(gi.group_id, 0);
	ofproto_destroy(ofp);
}

static void
test_meters(void **state)
{
	struct ofproto *ofp = make_bridge(true);
	struct fake_meters f = {0};
	struct ofproto_meter_backend be = {fake_set, fake_del, fake_stats, &f};
	struct ofp_meter_mod mm = {OFPMC_ADD, OFPMF_PKTPS, 5, 1, {{OFPMBT_DROP, 0, 10, 0}}};
	struct ofproto_meter_info mi;
	struct xlate_result r;
	struct flow_key k;
	char err[OFP_ERR_MAX];

	(void)state;
	ofproto_set_meter_backend(ofp, &be);
	assert_int_equal(ofproto_meter_mod(ofp, &mm, 2000, err), 0);
	assert_int_equal(f.sets, 1);
	assert_int_equal(ofproto_meter_mod(ofp, &mm, 2000, err), -EEXIST);
	add(ofp, "priority=10,in_port=1,actions=meter:5,output:2");
	key_init(&k, 0);
	assert_int_equal(ofproto_xlate(ofp, &k, false, 2000, &r, NULL), 0);
	assert_int_equal(r.n_actions, 2);
	assert_int_equal(r.actions[0].type, DP_ACTION_METER);
	assert_int_equal(r.actions[0].port, f.last_id);
	assert_int_equal(r.actions[1].type, DP_ACTION_OUTPUT);

	mm.command = OFPMC_MODIFY;
	mm.bands[0].rate = 20;
	assert_int_equal(ofproto_meter_mod(ofp, &mm, 2500, err), 0);
	assert_int_equal(f.sets, 2);
	ofproto_meter_dump(ofp, 5, 3000, meter_info, &mi);
	assert_int_equal(mi.meter_id, 5);
	assert_int_equal(mi.flow_count, 1);
	assert_int_equal(mi.cfg->bands[0].rate, 20);
	assert_int_equal(mi.stats.packets, 100 + f.last_id);
	assert_int_equal(mi.duration_ms, 1000);
	mm.meter_id = 6;
	assert_int_equal(ofproto_meter_mod(ofp, &mm, 3000, err), -ENOENT);

	/* Deleting the meter deletes the flows that use it. */
	mm.command = OFPMC_DELETE;
	mm.meter_id = OFPM_ALL;
	assert_int_equal(ofproto_meter_mod(ofp, &mm, 3000, err), 0);
	assert_int_equal(f.dels, 1);
	assert_int_equal(xlate_outputs(ofp, &k), 0);
	ofproto_destroy(ofp);
}

/* ---- The megaflow property on random tables ---- */

static const uint32_t ips[] = {0x0a000001, 0x0a000002, 0x0a000102, 0x0b000001};
static const uint16_t l4s[] = {22, 80, 443, 53};

static void
random_match(struct vs_random *rnd, struct ds *d)
{
	if (vs_random_u32(rnd) % 3 == 0) {
		ds_put_format(d, "in_port=%u,", vs_random_u32(rnd) % N_PORTS + 1);
	}
	if (vs_random_u32(rnd) % 4 == 0) {
		ds_put_format(d, "dl_dst=02:00:00:00:00:0%u,", vs_random_u32(rnd) % 3);
	}
	if (vs_random_u32(rnd) % 4 == 0) {
		ds_put_format(d, "dl_vlan=%u,", vs_random_u32(rnd) % 2 ? 10 : 20);
	}
	if (vs_random_u32(rnd) % 2) {
		bool tcp = vs_random_u32(rnd) % 2;

		ds_put_cstr(d, tcp ? "tcp," : "ip,");
		if (vs_random_u32(rnd) % 2) {
			ds_put_format(d, "nw_dst=%u.%u.%u.%u/%u,",
				      ips[vs_random_u32(rnd) % 4] >> 24, ips[0] >> 16 & 0xff,
				      vs_random_u32(rnd) % 2, vs_random_u32(rnd) % 3,
				      16 + vs_random_u32(rnd) % 17);
		}
		if (tcp && vs_random_u32(rnd) % 2) {
			ds_put_format(d, "tp_dst=%u,", l4s[vs_random_u32(rnd) % 4]);
		}
	}
	if (vs_random_u32(rnd) % 5 == 0) {
		ds_put_format(d, "metadata=%u,", vs_random_u32(rnd) % 2);
	}
	if (vs_random_u32(rnd) % 4 == 0) {
		ds_put_format(d, "reg%u=%u,", vs_random_u32(rnd) % 2, vs_random_u32(rnd) % 3);
	}
}

static void
random_actions(struct vs_random *rnd, unsigned table, struct ds *d)
{
	ds_put_cstr(d, "actions=");
	switch (vs_random_u32(rnd) % 10) {
	case 0:
		ds_put_format(d, "output:%u", vs_random_u32(rnd) % N_PORTS + 1);
		break;
	case 1:
		ds_put_format(d, "mod_vlan_vid:%u,output:%u", vs_random_u32(rnd) % 3 + 10,
			      vs_random_u32(rnd) % N_PORTS + 1);
		break;
	case 2:
		ds_put_format(d, "set_field:02:00:00:00:00:0%u->eth_dst,write_metadata:%u",
			      vs_random_u32(rnd) % 3, vs_random_u32(rnd) % 2);
		break;
	case 3:
		ds_put_cstr(d, "drop");
		return;
	case 4:
		ds_put_cstr(d, "NORMAL");
		return;
	case 5:
		ds_put_format(d, "strip_vlan,write_actions(output:%u)",
			      vs_random_u32(rnd) % N_PORTS + 1);
		break;
	case 6:
		/* A register from the packet, or a constant. */
		if (vs_random_u32(rnd) % 2) {
			ds_put_format(d, "move:NXM_NX_IP_TTL[0..1]->NXM_NX_REG%u[0..1]",
				      vs_random_u32(rnd) % 2);
		} else {
			ds_put_format(d, "load:%u->NXM_NX_REG%u[]", vs_random_u32(rnd) % 3,
				      vs_random_u32(rnd) % 2);
		}
		break;
	case 7:
		/* Registers (and the rest) carried into another table. */
		if (table < 3) {
			ds_put_format(d, "set_field:%u->reg1,resubmit(,%u),output:%u",
				      vs_random_u32(rnd) % 3,
				      table + 1 + vs_random_u32(rnd) % (3 - table),
				      vs_random_u32(rnd) % N_PORTS + 1);
			return; /* no goto_table after a resubmit to the same place */
		}
		ds_put_format(d, "output:%u", vs_random_u32(rnd) % N_PORTS + 1);
		break;
	case 8:
		ds_put_format(d, "move:NXM_NX_REG0[]->NXM_NX_REG1[],output:%u",
			      vs_random_u32(rnd) % N_PORTS + 1);
		break;
	default:
		ds_put_format(d, "output:%u", vs_random_u32(rnd) % N_PORTS + 1);
		break;
	}
	if (table < 3 && vs_random_u32(rnd) % 2) {
		ds_put_format(d, ",goto_table:%u", table + 1 + vs_random_u32(rnd) % (3 - table));
	}
}

static void
random_packet(struct vs_random *rnd, struct flow_key *k)
{
	key_init(k, vs_random_u32(rnd) % N_PORTS);
	k->eth_dst[5] = (uint8_t)(vs_random_u32(rnd) % 3);
	k->eth_src[5] = (uint8_t)(vs_random_u32(rnd) % 3);
	if (vs_random_u32(rnd) % 2) {
		k->vlan_tci = htons(FLOW_VLAN_PRESENT | (vs_random_u32(rnd) % 2 ? 10 : 20));
	}
	if (vs_random_u32(rnd) % 4 == 0) {
		k->eth_type = htons(0x0806);
		k->nw_proto = 1;
		k->tp_src = k->tp_dst = 0;
	} else {
		k->nw_proto = vs_random_u32(rnd) % 2 ? 6 : 17;
		k->nw_dst.ipv4 = htonl(ips[vs_random_u32(rnd) % 4] ^ (vs_random_u32(rnd) % 2));
		k->tp_dst = htons(l4s[vs_random_u32(rnd) % 4]);
		k->nw_ttl = (uint8_t)vs_random_u32(rnd);
	}
}

static void
test_megaflow_property(void **state)
{
	struct vs_random rnd;
	unsigned checked = 0;

	(void)state;
	vs_random_seed(&rnd, 42);
	for (int round = 0; round < 60; round++) {
		struct ofproto *ofp = make_bridge(true);
		struct xlate_result *r1 = malloc(sizeof *r1), *r2 = malloc(sizeof *r2);

		for (int i = 0; i < 20; i++) {
			struct ds d = DS_INIT;
			unsigned table = vs_random_u32(&rnd) % 4;
			char err[OFP_ERR_MAX];

			ds_put_format(&d, "table=%u,priority=%u,", table, vs_random_u32(&rnd) % 8);
			random_match(&rnd, &d);
			random_actions(&rnd, table, &d);
			if (flow_cmd(ofp, OFPFC_ADD, ds_cstr(&d), err)) {
				fail_msg("%s: %s", ds_cstr(&d), err);
			}
			ds_destroy(&d);
		}
		/* Some learned MACs for NORMAL (translated without learning). */
		for (int i = 0; i < 3; i++) {
			struct flow_key k;

			random_packet(&rnd, &k);
			ofproto_xlate(ofp, &k, true, 0, r1, NULL);
		}
		for (int p = 0; p < 40; p++) {
			struct flow_key k1, k2;

			random_packet(&rnd, &k1);
			assert_int_equal(ofproto_xlate(ofp, &k1, false, 0, r1, NULL), 0);
			for (int q = 0; q < 40; q++) {
				/* Any packet in the megaflow: k1's bits under the mask,
				 * random elsewhere. */
				random_packet(&rnd, &k2);
				for (int w = 0; w < FLOW_KEY_U64S; w++) {
					k2.u64[w] = (k1.u64[w] & r1->mask.u64[w]) |
						    (k2.u64[w] & ~r1->mask.u64[w]);
				}
				assert_int_equal(ofproto_xlate(ofp, &k2, false, 0, r2, NULL), 0);
				assert_int_equal(r2->n_actions, r1->n_actions);
				assert_memory_equal(r2->actions, r1->actions,
						    r1->n_actions * sizeof r1->actions[0]);
				checked++;
			}
		}
		free(r1);
		free(r2);
		ofproto_destroy(ofp);
	}
	assert_true(checked == 60 * 40 * 40);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_priorities),
		cmocka_unit_test(test_resubmit),
		cmocka_unit_test(test_registers),
		cmocka_unit_test(test_packet_in_contexts),
		cmocka_unit_test(test_flow_mods),
		cmocka_unit_test(test_atomic_batch),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_mac_table),
		cmocka_unit_test(test_vlan_modes),
		cmocka_unit_test(test_revalidation),
		cmocka_unit_test(test_megaflow_property),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_meters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
