/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the Geneve option map (ofproto/ofp_tlv.c): what a table
 * mod may change and the error for each refusal, as Open vSwitch answers;
 * the messages byte by byte (Nicira's layout, the error of 1.3 and of
 * 1.0); a bridge's map through its journal: reported as a snapshot,
 * replayed over itself without change; and the mappings its flows hold.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ofp_tlv.h"
#include "ofproto.h"

static struct ofp_tlv_map
map(uint16_t cls, uint8_t type, uint8_t len, uint8_t index)
{
	return (struct ofp_tlv_map){cls, type, len, index, 0};
}

static enum ofp_tlv_err
add(struct ofp_tlv_table *t, struct ofp_tlv_map m)
{
	struct ofp_tlv_mod mod = {.command = NXTTMC_ADD, .n = 1, .maps = {m}};

	return ofp_tlv_apply(t, &mod, 0, false);
}

/* The mappings of 't' do not overlap and stay within the space. */
static void
assert_disjoint(const struct ofp_tlv_table *t)
{
	for (int i = 0; i < OFP_TLV_FIELDS; i++) {
		if (!(t->used >> i & 1)) {
			continue;
		}
		assert_true(t->m[i].ofs + t->m[i].len <= OFP_TLV_SPACE);
		for (int j = i + 1; j < OFP_TLV_FIELDS; j++) {
			if (t->used >> j & 1) {
				assert_true(t->m[i].ofs + t->m[i].len <= t->m[j].ofs ||
					    t->m[j].ofs + t->m[j].len <= t->m[i].ofs);
			}
		}
	}
}

static void
test_apply(void **state)
{
	struct ofp_tlv_table t = {0}, before;
	struct ofp_tlv_mod mod = {.command = NXTTMC_ADD, .n = 2};

	(void)state;
	assert_int_equal(add(&t, map(0x0102, 0x80, 4, 0)), OFP_TLV_OK);
	assert_int_equal(t.used, 1);
	assert_int_equal(add(&t, map(0xffff, 1, 4, 0)), NXTTMFC_ALREADY_MAPPED);
	assert_int_equal(add(&t, map(0x0102, 0x80, 4, 5)), NXTTMFC_DUP_ENTRY);
	assert_int_equal(add(&t, map(0xffff, 1, 12, 5)), NXTTMFC_TABLE_FULL);

	/* All or nothing: the second of two fails, the first is not kept. */
	before = t;
	mod.maps[0] = map(0xffff, 1, 4, 1);
	mod.maps[1] = map(0xffff, 1, 4, 2);
	assert_int_equal(ofp_tlv_apply(&t, &mod, 0, false), NXTTMFC_DUP_ENTRY);
	assert_memory_equal(&t, &before, sizeof t);

	mod.maps[1] = map(0xffff, 2, 4, 2);
	assert_int_equal(ofp_tlv_apply(&t, &mod, 0, false), OFP_TLV_OK);
	assert_int_equal(t.used, 0x7);
	assert_disjoint(&t);

	/* Replayed, an add of what is there changes nothing; a change is
	 * still refused. */
	before = t;
	assert_int_equal(ofp_tlv_apply(&t, &mod, 0, true), OFP_TLV_OK);
	assert_memory_equal(&t, &before, sizeof t);
	mod.maps[1].len = 8;
	assert_int_equal(ofp_tlv_apply(&t, &mod, 0, true), NXTTMFC_ALREADY_MAPPED);

	/* A field in use may not go; others may, and an unmapped one is no
	 * error. */
	mod = (struct ofp_tlv_mod){.command = NXTTMC_DELETE, .n = 2};
	mod.maps[0] = map(0, 0, 0, 1);
	mod.maps[1] = map(0, 0, 0, 9);
	assert_int_equal(ofp_tlv_apply(&t, &mod, 0x2, false), NXTTMFC_INVALID_TLV_DEL);
	assert_int_equal(t.used, 0x7);
	assert_int_equal(ofp_tlv_apply(&t, &mod, 0x200, false), OFP_TLV_OK);
	assert_int_equal(t.used, 0x5);

	/* The free space is in two pieces of 4: an option of 8 still fits,
	 * the others moved together. */
	assert_int_equal(add(&t, map(0xffff, 3, 8, 7)), NXTTMFC_TABLE_FULL);
	mod = (struct ofp_tlv_mod){.command = NXTTMC_DELETE, .n = 1, .maps = {map(0, 0, 0, 0)}};
	assert_int_equal(ofp_tlv_apply(&t, &mod, 0, false), OFP_TLV_OK);
	assert_int_equal(add(&t, map(0xffff, 3, 8, 7)), OFP_TLV_OK);
	assert_int_equal(t.used, 0x84);
	assert_disjoint(&t);

	mod = (struct ofp_tlv_mod){.command = NXTTMC_CLEAR};
	assert_int_equal(ofp_tlv_apply(&t, &mod, 0x80, false), NXTTMFC_INVALID_TLV_DEL);
	assert_int_equal(ofp_tlv_apply(&t, &mod, 0x01, false), OFP_TLV_OK);
	assert_int_equal(t.used, 0);
	mod.command = 3;
	assert_int_equal(ofp_tlv_apply(&t, &mod, 0, false), NXTTMFC_BAD_COMMAND);
}

/* A table mod of 'n' mappings of 8 bytes each at 'maps'. */
static size_t
mod_msg(uint8_t *buf, uint16_t cmd, const uint8_t (*maps)[8], size_t n)
{
	size_t len = 24 + 8 * n;
	const uint8_t head[16] = {4, 4, 0, (uint8_t)len, 0, 0, 0, 7, 0, 0, 0x23, 0x20, 0, 0, 0, 24};

	memcpy(buf, head, 16);
	memset(buf + 16, 0, 8);
	buf[16] = (uint8_t)(cmd >> 8);
	buf[17] = (uint8_t)cmd;
	memcpy(buf + 24, maps, 8 * n);
	return len;
}

static void
test_decode(void **state)
{
	static const uint8_t maps[3][8] = {
		{0x01, 0x02, 0x80, 4, 0, 0, 0, 0},
		{0xff, 0xff, 0x01, 8, 0, 15, 0, 0},
		{0xff, 0xff, 0x02, 4, 0, 3, 0, 0},
	};
	uint8_t buf[512];
	struct ofp_tlv_mod mod;
	enum ofp_tlv_err te;
	size_t len = mod_msg(buf, NXTTMC_ADD, maps, 2);

	(void)state;
	assert_true(ofp_is_nxt(buf, len, NXT_TLV_TABLE_MOD));
	assert_false(ofp_is_nxt(buf, len, NXT_TLV_TABLE_REQUEST));
	assert_false(ofp_is_nxt(buf, 15, NXT_TLV_TABLE_MOD));
	assert_int_equal(ofp_decode_tlv_mod(buf, len, &mod, &te), OFPERR_OK);
	assert_int_equal(te, OFP_TLV_OK);
	assert_int_equal(mod.n, 2);
	assert_int_equal(mod.maps[0].opt_class, 0x0102);
	assert_int_equal(mod.maps[0].opt_type, 0x80);
	assert_int_equal(mod.maps[1].len, 8);
	assert_int_equal(mod.maps[1].index, 15);

	/* Not whole mappings; a bad command, index or length. */
	assert_int_equal(ofp_decode_tlv_mod(buf, len - 4, &mod, &te), OFPERR_BAD_LEN);
	assert_int_equal(ofp_decode_tlv_mod(buf, 20, &mod, &te), OFPERR_BAD_LEN);
	len = mod_msg(buf, 3, maps, 1);
	assert_int_equal(ofp_decode_tlv_mod(buf, len, &mod, &te), OFPERR_OK);
	assert_int_equal(te, NXTTMFC_BAD_COMMAND);
	len = mod_msg(buf, NXTTMC_ADD, maps, 2);
	buf[24 + 8 + 5] = OFP_TLV_FIELDS;
	assert_int_equal(ofp_decode_tlv_mod(buf, len, &mod, &te), OFPERR_OK);
	assert_int_equal(te, NXTTMFC_BAD_FIELD_IDX);
	for (unsigned bad = 0; bad < 3; bad++) {
		static const uint8_t lens[3] = {0, 5, OFP_TLV_SPACE + 4};

		len = mod_msg(buf, NXTTMC_ADD, maps, 2);
		buf[24 + 8 + 3] = lens[bad];
		assert_int_equal(ofp_decode_tlv_mod(buf, len, &mod, &te), OFPERR_OK);
		assert_int_equal(te, NXTTMFC_BAD_OPT_LEN);
	}

	/* A delete keeps each field once; an add of more mappings than
	 * fields cannot succeed. */
	{
		uint8_t many[40][8];

		for (int i = 0; i < 40; i++) {
			memcpy(many[i], maps[i % 3], 8);
			many[i][2] = (uint8_t)i;
		}
		len = mod_msg(buf, NXTTMC_DELETE, (const uint8_t(*)[8])many, 40);
		assert_int_equal(ofp_decode_tlv_mod(buf, len, &mod, &te), OFPERR_OK);
		assert_int_equal(te, OFP_TLV_OK);
		assert_int_equal(mod.n, 3);
		assert_false(mod.overflow);
		buf[17] = NXTTMC_ADD;
		assert_int_equal(ofp_decode_tlv_mod(buf, len, &mod, &te), OFPERR_OK);
		assert_true(mod.overflow);
		{
			struct ofp_tlv_table t = {0};

			mod.n = 1;
			assert_int_equal(ofp_tlv_apply(&t, &mod, 0, false), NXTTMFC_ALREADY_MAPPED);
			assert_int_equal(t.used, 0);
		}
	}
}

static void
test_encode(void **state)
{
	static const uint8_t req[16] = {4, 4, 0, 16, 0, 0, 0, 9, 0, 0, 0x23, 0x20, 0, 0, 0, 25};
	static const uint8_t reply[40] = {
		4,    4,
		0,    40,
		0,    0,
		0,    9, /* header, xid 9 */
		0,    0,
		0x23, 0x20,
		0,    0,
		0,    26, /* Nicira, reply */
		0,    0,
		0,    OFP_TLV_SPACE,
		0,    OFP_TLV_FIELDS,
		0,    0, /* space, fields */
		0,    0,
		0,    0,
		0,    0,
		0,    0, /* padding */
		0x01, 0x02,
		0x80, 4,
		0,    3,
		0,    0, /* one mapping */
	};
	static const uint8_t err13[12] = {4, 1, 0, 32, 0, 0, 0, 9, 0xff, 0xff, 0, 20};
	static const uint8_t err10[20] = {1, 1, 0, 36, 0,    0,    0, 9, 0xb0, 0xc2,
					  0, 0, 0, 0,  0x23, 0x20, 0, 1, 0x02, 0x13};
	struct ofp_tlv_table t = {0};
	struct obuf b;

	(void)state;
	assert_int_equal(add(&t, map(0x0102, 0x80, 4, 3)), OFP_TLV_OK);
	obuf_init(&b);
	ofp_encode_tlv_reply(&b, OFP13_VERSION, 9, &t);
	assert_int_equal(b.size, sizeof reply);
	assert_memory_equal(b.data, reply, sizeof reply);

	b.size = 0;
	ofp_encode_tlv_error(&b, OFP13_VERSION, NXTTMFC_ALREADY_MAPPED, req, sizeof req);
	assert_int_equal(b.size, 12 + 4 + sizeof req);
	assert_memory_equal(b.data, err13, sizeof err13);
	assert_memory_equal(b.data + 12, "\0\0\x23\x20", 4);
	assert_memory_equal(b.data + 16, req, sizeof req);

	/* 1.0: Nicira's vendor error, NXTTMFC_ALREADY_MAPPED is (1, 531). */
	b.size = 0;
	ofp_encode_tlv_error(&b, OFP10_VERSION, NXTTMFC_ALREADY_MAPPED, req, sizeof req);
	assert_int_equal(b.size, sizeof err10 + sizeof req);
	assert_memory_equal(b.data, err10, sizeof err10);
	b.size = 0;
	ofp_encode_tlv_error(&b, OFP10_VERSION, NXTTMFC_INVALID_TLV_DEL, req, sizeof req);
	assert_int_equal(b.data[18] << 8 | b.data[19], 537);
	obuf_free(&b);
}

static struct obuf journal;

static void
record(void *aux, const struct ofp_tlv_mod *mod)
{
	(void)aux;
	ofp_encode_tlv_mod(&journal, OFP13_VERSION, 0, mod);
}

static void
test_bridge_journal(void **state)
{
	struct ofproto *ofp = ofproto_create("tlv0", false, 0);
	struct ofproto *copy = ofproto_create("tlv1", false, 0);
	struct ofproto_journal j = {.tlv_mod = record};
	struct ofp_tlv_mod mod = {.command = NXTTMC_ADD, .n = 2};
	char err[OFP_ERR_MAX];
	size_t snap;

	(void)state;
	obuf_init(&journal);
	ofproto_set_journal(ofp, &j);
	mod.maps[0] = map(0x0102, 0x80, 4, 0);
	mod.maps[1] = map(0xffff, 7, 8, 4);
	assert_int_equal(ofproto_tlv_mod(ofp, &mod, false), OFP_TLV_OK);
	assert_int_equal(ofproto_tlv_mod(ofp, &mod, false), NXTTMFC_ALREADY_MAPPED);
	assert_true(journal.size > 0); /* the change, not the refusal */
	snap = journal.size;
	ofproto_journal_state(ofp, &j);
	assert_true(journal.size == 2 * snap);

	/* The change and the snapshot, read back into another bridge: the
	 * same map; read back again over it: still the same. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t ofs = 0; ofs < journal.size;) {
			size_t len = (size_t)(journal.data[ofs + 2] << 8 | journal.data[ofs + 3]);

			assert_int_equal(
				ofproto_journal_apply(copy, journal.data + ofs, len, 0, err), 0);
			ofs += len;
		}
		assert_int_equal(ofproto_tlv_table(copy)->used, 0x11);
		assert_int_equal(ofproto_tlv_table(copy)->m[4].len, 8);
		assert_int_equal(ofproto_tlv_table(copy)->m[0].opt_class, 0x0102);
	}
	obuf_free(&journal);
	ofproto_destroy(ofp);
	ofproto_destroy(copy);
}

/* Applies flow 's' (ovs-ofctl text) to 'ofp' with 'cmd', its map bound. */
static int
flow(struct ofproto *ofp, enum ofp_flow_mod_cmd cmd, const char *s)
{
	struct ofp_flow_mod fm;
	char err[OFP_ERR_MAX];
	int ret;

	mf_tlv_bind(ofproto_tlv_table(ofp));
	ret = ofp_flow_mod_parse(&fm, s, cmd, NULL, err);
	if (!ret) {
		ret = ofproto_flow_mod(ofp, &fm, 0, err);
		ofp_insts_destroy(&fm.insts);
	}
	return ret;
}

/* A mapping that flows use (a match, a set_field) cannot go, nor move to
 * make room; once the flows are gone it can. */
static void
test_in_use(void **state)
{
	struct ofproto *ofp = ofproto_create("tlv2", false, 0);
	struct ofp_tlv_mod mod = {.command = NXTTMC_ADD, .n = 3};
	struct ofp_tlv_mod del = {.command = NXTTMC_DELETE, .n = 2};
	struct ofp_tlv_mod clear = {.command = NXTTMC_CLEAR};

	(void)state;
	mod.maps[0] = map(0x0102, 0x80, 4, 0);
	mod.maps[1] = map(0x0102, 0x81, 4, 1);
	mod.maps[2] = map(0x0102, 0x82, 4, 2);
	assert_int_equal(ofproto_tlv_mod(ofp, &mod, false), OFP_TLV_OK);
	assert_int_equal(flow(ofp, OFPFC_ADD, "priority=5,tun_metadata1=7,actions=drop"), 0);
	assert_int_equal(
		flow(ofp, OFPFC_ADD, "priority=6,actions=set_field:9->tun_metadata2,NORMAL"), 0);
	del.maps[0] = map(0x0102, 0x80, 4, 0); /* unused: would go... */
	del.maps[1] = map(0x0102, 0x81, 4, 1); /* ...but this one is matched */
	assert_int_equal(ofproto_tlv_mod(ofp, &del, false), NXTTMFC_INVALID_TLV_DEL);
	assert_int_equal(ofproto_tlv_mod(ofp, &clear, false), NXTTMFC_INVALID_TLV_DEL);
	del.maps[1] = map(0x0102, 0x82, 4, 2); /* written by a set_field */
	assert_int_equal(ofproto_tlv_mod(ofp, &del, false), NXTTMFC_INVALID_TLV_DEL);
	assert_int_equal(ofproto_tlv_table(ofp)->used, 0x7);
	assert_int_equal(flow(ofp, OFPFC_DELETE_STRICT, "priority=6"), 0);
	assert_int_equal(ofproto_tlv_mod(ofp, &del, false), OFP_TLV_OK);
	/* Left: tun_metadata1 in bytes 4-7, 8 bytes free in two pieces. An
	 * 8-byte option fits only if tun_metadata1 moves: a flow holds it. */
	assert_int_equal(ofproto_tlv_table(ofp)->used, 0x2);
	mod.n = 1;
	mod.maps[0] = map(0xffff, 1, 8, 5);
	assert_int_equal(ofproto_tlv_mod(ofp, &mod, false), NXTTMFC_TABLE_FULL);
	assert_int_equal(ofproto_tlv_table(ofp)->m[1].ofs, 4);
	/* The flow gone, it may move, and everything may go. */
	assert_int_equal(flow(ofp, OFPFC_DELETE_STRICT, "priority=5,tun_metadata1=7"), 0);
	assert_int_equal(ofproto_tlv_mod(ofp, &mod, false), OFP_TLV_OK);
	assert_int_equal(ofproto_tlv_table(ofp)->m[1].ofs, 0);
	assert_int_equal(ofproto_tlv_mod(ofp, &clear, false), OFP_TLV_OK);
	assert_int_equal(ofproto_tlv_table(ofp)->used, 0);
	mf_tlv_bind(NULL);
	ofproto_destroy(ofp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply),  cmocka_unit_test(test_decode),
		cmocka_unit_test(test_encode), cmocka_unit_test(test_bridge_journal),
		cmocka_unit_test(test_in_use),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
