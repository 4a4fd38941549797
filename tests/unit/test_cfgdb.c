/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The configuration database: schema validation, every command, whole
 * transactions (one bad command rejects them all), loading with line and
 * column, atomic saving.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cfgdb.h"

/* Runs the commands in 'ops_text' on a copy of '*doc'; on success the copy
 * replaces '*doc' (as vswitchd does after applying it). Returns the error
 * and leaves the results in '*results' (or NULL). */
static int
run(json_t **doc, const char *ops_text, json_t **results, struct cfgdb_err *err)
{
	json_error_t jerr;
	json_t *ops = json_loads(ops_text, 0, &jerr);
	json_t *work = json_deep_copy(*doc), *res = NULL;
	bool changed;
	int ret;

	assert_non_null(ops);
	ret = cfgdb_execute(work, ops, &res, &changed, err);
	if (ret) {
		assert_null(res);
		json_decref(work);
	} else {
		json_decref(*doc);
		*doc = work;
	}
	if (results) {
		*results = res;
	} else {
		json_decref(res);
	}
	json_decref(ops);
	return ret;
}

static void
run_ok(json_t **doc, const char *ops_text)
{
	struct cfgdb_err err;
	int ret = run(doc, ops_text, NULL, &err);

	if (ret) {
		fail_msg("%s: %s", ops_text, err.msg);
	}
}

/* Runs a transaction that must fail with a message containing 'want', and
 * checks that the document is unchanged. */
static void
run_bad(json_t **doc, const char *ops_text, const char *want)
{
	json_t *before = json_deep_copy(*doc);
	struct cfgdb_err err;

	assert_int_equal(run(doc, ops_text, NULL, &err), -EINVAL);
	if (!strstr(err.msg, want)) {
		fail_msg("%s: got '%s', want '%s'", ops_text, err.msg, want);
	}
	assert_true(json_equal(before, *doc));
	json_decref(before);
}

static json_t *
base_doc(void)
{
	json_t *doc = cfgdb_new_doc();

	run_ok(&doc,
	       "[{\"op\":\"add-br\",\"bridge\":\"br0\"},"
	       "{\"op\":\"add-port\",\"bridge\":\"br0\",\"port\":\"p1\",\"settings\":["
	       "{\"column\":\"type\",\"value\":\"mem\"},{\"column\":\"tag\",\"value\":\"10\"}]}]");
	return doc;
}

static void
test_new_doc_valid(void **state)
{
	char err[CFGDB_ERR_MAX];
	json_t *doc = cfgdb_new_doc();

	(void)state;
	assert_int_equal(cfgdb_validate(doc, err), 0);
	json_decref(doc);
}

static void
test_add_and_list(void **state)
{
	json_t *doc = base_doc(), *res;
	struct cfgdb_err err;

	(void)state;
	assert_int_equal(run(&doc,
			     "[{\"op\":\"list-br\"},{\"op\":\"list-ports\",\"bridge\":\"br0\"},"
			     "{\"op\":\"br-exists\",\"bridge\":\"br0\"},"
			     "{\"op\":\"br-exists\",\"bridge\":\"nope\"},"
			     "{\"op\":\"port-to-br\",\"port\":\"p1\"},"
			     "{\"op\":\"get\",\"table\":\"port\",\"record\":\"p1\","
			     "\"columns\":[{\"column\":\"tag\"},{\"column\":\"trunks\"}]}]",
			     &res, &err),
			 0);
	assert_string_equal(json_string_value(json_array_get(json_array_get(res, 0), 0)), "br0");
	assert_string_equal(json_string_value(json_array_get(json_array_get(res, 1), 0)), "p1");
	assert_int_equal(json_array_size(json_array_get(res, 1)), 1); /* not br0's own port */
	assert_true(json_is_true(json_array_get(res, 2)));
	assert_true(json_is_false(json_array_get(res, 3)));
	assert_string_equal(json_string_value(json_array_get(res, 4)), "br0");
	assert_int_equal(json_integer_value(json_array_get(json_array_get(res, 5), 0)), 10);
	assert_true(json_is_null(json_array_get(json_array_get(res, 5), 1)));
	json_decref(res);
	json_decref(doc);
}

static void
test_duplicates(void **state)
{
	json_t *doc = base_doc();

	(void)state;
	run_bad(&doc, "[{\"op\":\"add-br\",\"bridge\":\"br0\"}]", "already exists");
	run_bad(&doc, "[{\"op\":\"add-br\",\"bridge\":\"p1\"}]", "name of a port");
	run_bad(&doc,
		"[{\"op\":\"add-br\",\"bridge\":\"br1\"},"
		"{\"op\":\"add-port\",\"bridge\":\"br1\",\"port\":\"p1\"}]",
		"already exists on bridge br0");
	/* The bridge's own port has the bridge's name; it goes with del-br. */
	run_bad(&doc, "[{\"op\":\"add-port\",\"bridge\":\"br0\",\"port\":\"br0\"}]",
		"a port named br0 already exists on bridge br0");
	run_bad(&doc, "[{\"op\":\"del-port\",\"port\":\"br0\"}]", "goes with del-br");
	assert_string_equal(
		cfgdb_get_str(cfgdb_port_iface(cfgdb_port(doc, "br0", NULL)), "type", ""),
		"internal");
	/* --may-exist: no error and no change. */
	run_ok(&doc,
	       "[{\"op\":\"add-br\",\"bridge\":\"br0\",\"may_exist\":true},"
	       "{\"op\":\"add-port\",\"bridge\":\"br0\",\"port\":\"p1\",\"may_exist\":true}]");
	json_decref(doc);
}

static void
test_unknown_things(void **state)
{
	json_t *doc = base_doc();

	(void)state;
	run_bad(&doc, "[{\"op\":\"add-port\",\"bridge\":\"nobr\",\"port\":\"p2\"}]",
		"no bridge named nobr");
	run_bad(&doc, "[{\"op\":\"del-port\",\"port\":\"p9\"}]", "no port named p9");
	run_bad(&doc, "[{\"op\":\"del-br\",\"bridge\":\"br9\"}]", "no bridge named br9");
	run_bad(&doc,
		"[{\"op\":\"add-port\",\"bridge\":\"br0\",\"port\":\"p2\",\"settings\":"
		"[{\"column\":\"type\",\"value\":\"warp\"}]}]",
		"unknown type 'warp'");
	run_bad(&doc,
		"[{\"op\":\"add-port\",\"bridge\":\"br0\",\"port\":\"p2\",\"settings\":"
		"[{\"column\":\"type\",\"value\":\"pcap\"},"
		"{\"column\":\"options\",\"key\":\"speed\",\"value\":\"1\"}]}]",
		"has no option 'speed'");
	run_bad(&doc, "[{\"op\":\"add-port\",\"bridge\":\"br0\",\"port\":\"p2\"}]", "no type");
	/* Open vSwitch's vhost-user names, with their own option names. */
	run_bad(&doc,
		"[{\"op\":\"add-port\",\"bridge\":\"br0\",\"port\":\"p2\",\"settings\":"
		"[{\"column\":\"type\",\"value\":\"dpdkvhostuserclient\"}]}]",
		"type dpdkvhostuserclient needs options:vhost-server-path");
	run_bad(&doc,
		"[{\"op\":\"add-port\",\"bridge\":\"br0\",\"port\":\"p2\",\"settings\":"
		"[{\"column\":\"type\",\"value\":\"dpdkvhostuser\"},"
		"{\"column\":\"options\",\"key\":\"path\",\"value\":\"/x\"}]}]",
		"has no option 'path'");
	run_bad(&doc,
		"[{\"op\":\"set\",\"table\":\"port\",\"record\":\"p1\",\"settings\":"
		"[{\"column\":\"colour\",\"value\":\"red\"}]}]",
		"no column 'colour'");
	run_bad(&doc, "[{\"op\":\"frobnicate\"}]", "unknown command");
	run_bad(&doc, "[{\"op\":\"list\",\"table\":\"flows\"}]", "unknown table");
	run_ok(&doc, "[{\"op\":\"del-port\",\"port\":\"p9\",\"if_exists\":true},"
		     "{\"op\":\"del-br\",\"bridge\":\"br9\",\"if_exists\":true}]");
	json_decref(doc);
}

static void
test_vlans(void **state)
{
	json_t *doc = base_doc(), *res;
	struct cfgdb_err err;

	(void)state;
	run_bad(&doc,
		"[{\"op\":\"set\",\"table\":\"port\",\"record\":\"p1\",\"settings\":"
		"[{\"column\":\"tag\",\"value\":\"4096\"}]}]",
		"outside 0-4095");
	run_bad(&doc,
		"[{\"op\":\"set\",\"table\":\"port\",\"record\":\"p1\",\"settings\":"
		"[{\"column\":\"tag\",\"value\":-1}]}]",
		"outside 0-4095");
	run_bad(&doc,
		"[{\"op\":\"set\",\"table\":\"port\",\"record\":\"p1\",\"settings\":"
		"[{\"column\":\"trunks\",\"value\":\"10,5000\"}]}]",
		"outside 0-4095");
	run_bad(&doc,
		"[{\"op\":\"set\",\"table\":\"port\",\"record\":\"p1\",\"settings\":"
		"[{\"column\":\"vlan_mode\",\"value\":\"trunk\"}]}]",
		"does not take a tag");
	run_bad(&doc,
		"[{\"op\":\"set\",\"table\":\"port\",\"record\":\"p1\",\"settings\":"
		"[{\"column\":\"vlan_mode\",\"value\":\"sideways\"}]}]",
		"is not one of");
	run_bad(&doc,
		"[{\"op\":\"set\",\"table\":\"port\",\"record\":\"p1\",\"settings\":"
		"[{\"column\":\"tag\",\"value\":\"ten\"}]}]",
		"not an integer");
	/* Trunks are parsed from ovs-vsctl syntax, sorted and deduplicated. */
	run_ok(&doc,
	       "[{\"op\":\"clear\",\"table\":\"port\",\"record\":\"p1\",\"columns\":[\"tag\"]},"
	       "{\"op\":\"set\",\"table\":\"port\",\"record\":\"p1\",\"settings\":"
	       "[{\"column\":\"vlan_mode\",\"value\":\"trunk\"},"
	       "{\"column\":\"trunks\",\"value\":\"[30,10,20,10]\"}]}]");
	assert_int_equal(run(&doc,
			     "[{\"op\":\"get\",\"table\":\"port\",\"record\":\"p1\","
			     "\"columns\":[{\"column\":\"trunks\"}]}]",
			     &res, &err),
			 0);
	{
		char *s = json_dumps(json_array_get(res, 0), JSON_COMPACT);

		assert_string_equal(s, "[[10,20,30]]");
		free(s);
	}
	json_decref(res);
	json_decref(doc);
}

static void
test_patch_peers(void **state)
{
	json_t *doc = base_doc();

	(void)state;
	run_bad(&doc,
		"[{\"op\":\"add-port\",\"bridge\":\"br0\",\"port\":\"pa\",\"settings\":"
		"[{\"column\":\"type\",\"value\":\"patch\"}]}]",
		"needs options:peer");
	run_ok(&doc, "[{\"op\":\"add-br\",\"bridge\":\"br1\"},"
		     "{\"op\":\"add-port\",\"bridge\":\"br0\",\"port\":\"pa\",\"settings\":"
		     "[{\"column\":\"type\",\"value\":\"patch\"},"
		     "{\"column\":\"options\",\"key\":\"peer\",\"value\":\"pb\"}]},"
		     "{\"op\":\"add-port\",\"bridge\":\"br1\",\"port\":\"pb\",\"settings\":"
		     "[{\"column\":\"type\",\"value\":\"patch\"},"
		     "{\"column\":\"options\",\"value\":\"{peer=pa}\"}]}]");
	/* One end alone waits for the other, as in Open vSwitch: removed, then
	 * added back, one command each. */
	run_ok(&doc, "[{\"op\":\"del-port\",\"port\":\"pb\"}]");
	run_ok(&doc, "[{\"op\":\"add-port\",\"bridge\":\"br1\",\"port\":\"pb\",\"settings\":"
		     "[{\"column\":\"type\",\"value\":\"patch\"},"
		     "{\"column\":\"options\",\"value\":\"{peer=pa}\"}]}]");
	/* An end whose peer exists must be named back by it. */
	run_bad(&doc,
		"[{\"op\":\"add-port\",\"bridge\":\"br1\",\"port\":\"pc\",\"settings\":"
		"[{\"column\":\"type\",\"value\":\"patch\"},"
		"{\"column\":\"options\",\"key\":\"peer\",\"value\":\"pa\"}]}]",
		"peer 'pa' is not a patch port whose peer is pc");
	run_ok(&doc,
	       "[{\"op\":\"del-port\",\"port\":\"pb\"},{\"op\":\"del-port\",\"port\":\"pa\"}]");
	json_decref(doc);
}

static void
test_half_failed_transaction(void **state)
{
	json_t *doc = base_doc();
	struct cfgdb_err err;

	(void)state;
	assert_int_equal(run(&doc,
			     "[{\"op\":\"add-br\",\"bridge\":\"br5\"},"
			     "{\"op\":\"add-port\",\"bridge\":\"br5\",\"port\":\"x1\",\"settings\":"
			     "[{\"column\":\"type\",\"value\":\"mem\"}]},"
			     "{\"op\":\"add-port\",\"bridge\":\"br5\",\"port\":\"p1\"}]",
			     NULL, &err),
			 -EINVAL);
	assert_int_equal(err.op, 2);
	assert_null(cfgdb_bridge(doc, "br5"));
	assert_null(cfgdb_port(doc, "x1", NULL));
	json_decref(doc);
}

static void
test_bad_command_shapes(void **state)
{
	json_t *doc = base_doc();

	(void)state;
	run_bad(&doc, "[42]", "\"op\"");
	run_bad(&doc, "[{\"op\":\"add-br\",\"bridge\":7}]", "must be a string");
	run_bad(&doc, "[{\"op\":\"add-br\",\"bridge\":\"x\",\"may_exist\":\"yes\"}]",
		"true or false");
	run_bad(&doc, "[{\"op\":\"add-br\",\"bridge\":\"a/b\"}]", "not a valid name");
	run_bad(&doc, "[{\"op\":\"add-br\",\"bridge\":\"abcdefghijklmnop\"}]", "not a valid name");
	run_bad(&doc, "[{\"op\":\"set\",\"table\":\"port\",\"record\":\"p1\",\"settings\":{}}]",
		"must be an array");
	run_bad(&doc,
		"[{\"op\":\"set\",\"table\":\"port\",\"record\":\"p1\",\"settings\":"
		"[{\"column\":\"tag\",\"value\":[1]}]}]",
		"must be an integer");
	run_bad(&doc,
		"[{\"op\":\"set\",\"table\":\"bridge\",\"record\":\"br0\",\"settings\":"
		"[{\"column\":\"controllers\",\"value\":\"tcp:nowhere\"}]}]",
		"not a controller target");
	run_bad(&doc, "[{\"op\":\"set-fail-mode\",\"bridge\":\"br0\",\"mode\":\"open\"}]",
		"is not one of");
	run_bad(&doc,
		"[{\"op\":\"set\",\"table\":\"global\",\"record\":\".\",\"settings\":"
		"[{\"column\":\"pmd_cpu_mask\",\"value\":\"0x0\"}]}]",
		"CPU mask");
	run_bad(&doc,
		"[{\"op\":\"set\",\"table\":\"interface\",\"record\":\"p1\",\"settings\":"
		"[{\"column\":\"mac\",\"value\":\"01:00:00:00:00:01\"}]}]",
		"multicast");
	json_decref(doc);
}

static void
test_controllers_and_global(void **state)
{
	json_t *doc = base_doc(), *res;
	struct cfgdb_err err;

	(void)state;
	run_ok(&doc, "[{\"op\":\"set-controller\",\"bridge\":\"br0\",\"targets\":"
		     "[\"tcp:127.0.0.1:6653\",\"ptcp:6634:127.0.0.1\",\"tcp:[::1]:6653\"]},"
		     "{\"op\":\"set-fail-mode\",\"bridge\":\"br0\",\"mode\":\"secure\"},"
		     "{\"op\":\"set\",\"table\":\"open_vswitch\",\"record\":\".\",\"settings\":"
		     "[{\"column\":\"pmd_cpu_mask\",\"value\":\"0x2\"},"
		     "{\"column\":\"emc_entries\",\"value\":\"4096\"}]}]");
	assert_int_equal(run(&doc,
			     "[{\"op\":\"get-controller\",\"bridge\":\"br0\"},"
			     "{\"op\":\"get-fail-mode\",\"bridge\":\"br0\"},"
			     "{\"op\":\"del-controller\",\"bridge\":\"br0\"},"
			     "{\"op\":\"get-controller\",\"bridge\":\"br0\"},"
			     "{\"op\":\"list\",\"table\":\"global\"}]",
			     &res, &err),
			 0);
	assert_int_equal(json_array_size(json_array_get(res, 0)), 3);
	assert_string_equal(json_string_value(json_array_get(res, 1)), "secure");
	assert_true(json_is_null(json_array_get(res, 3)));
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(json_array_get(res, 4), 0), "emc_entries")),
			 4096);
	json_decref(res);
	json_decref(doc);
}

static void
test_validate_loaded_documents(void **state)
{
	static const char *const bad[] = {
		"[]",
		"{\"version\":2,\"global\":{},\"bridges\":{}}",
		"{\"version\":1,\"global\":{},\"bridges\":{},\"extra\":1}",
		"{\"version\":1,\"global\":{\"emc_entries\":\"x\"},\"bridges\":{}}",
		"{\"version\":1,\"global\":{},\"bridges\":{\"b\":{\"ports\":{\"p\":"
		"{\"interfaces\":{\"q\":{\"type\":\"mem\"}}}}}}}",
		"{\"version\":1,\"global\":{},\"bridges\":{\"b\":{\"ports\":{\"p\":"
		"{\"interfaces\":{\"p\":{\"type\":\"mem\"}}}}},\"c\":{\"ports\":{\"p\":"
		"{\"interfaces\":{\"p\":{\"type\":\"mem\"}}}}}}}",
		"{\"version\":1,\"global\":{},\"bridges\":{\"b\":{\"ports\":[]}}}",
		/* 1.8 GB of EMC per PMD thread */
		"{\"version\":1,\"global\":{\"emc_entries\":16777216},\"bridges\":{}}",
		"{\"version\":1,\"global\":{},\"bridges\":{\"b\":{\"ports\":{\"lo\":"
		"{\"interfaces\":{\"lo\":{\"type\":\"system\"}}}}}}}",
	};
	char err[CFGDB_ERR_MAX];
	json_t *many;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *doc = json_loads(bad[i], 0, NULL);

		assert_non_null(doc);
		err[0] = '\0';
		assert_int_equal(cfgdb_validate(doc, err), -EINVAL);
		assert_true(strlen(err) > 0);
		json_decref(doc);
	}
	/* 64 bridges run; a 65th is refused, not left silently stopped. */
	many = json_pack("{s:i, s:{}, s:{}}", "version", CFGDB_VERSION, "global", "bridges");
	for (int i = 0; i < CFGDB_MAX_BRIDGES + 1; i++) {
		char name[16];

		snprintf(name, sizeof name, "b%d", i);
		if (i == CFGDB_MAX_BRIDGES) {
			assert_int_equal(cfgdb_validate(many, err), 0);
		}
		json_object_set_new(json_object_get(many, "bridges"), name,
				    json_pack("{s:{}}", "ports"));
	}
	assert_int_equal(cfgdb_validate(many, err), -EINVAL);
	assert_non_null(strstr(err, "65 bridges: the switch runs at most 64"));
	json_decref(many);
}

static void
test_load_and_save(void **state)
{
	char dir[] = "/tmp/cfgdb_test_XXXXXX", path[256], err[CFGDB_ERR_MAX];
	json_t *doc = base_doc(), *loaded;
	char *a, *b;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/conf.json", dir);
	assert_int_equal(cfgdb_load(path, &loaded, err), -ENOENT);
	assert_int_equal(cfgdb_validate(loaded, err), 0);
	json_decref(loaded);

	assert_int_equal(cfgdb_save(path, doc, err), 0);
	assert_int_equal(cfgdb_load(path, &loaded, err), 0);
	a = cfgdb_dumps(doc);
	b = cfgdb_dumps(loaded);
	assert_string_equal(a, b);
	free(a);
	free(b);
	json_decref(loaded);

	/* A truncated file: refused with its line and column. */
	f = fopen(path, "w");
	fputs("{\n  \"version\": 1,\n  \"bridges\": {\"br0\": ", f);
	fclose(f);
	assert_int_equal(cfgdb_load(path, &loaded, err), -EINVAL);
	assert_null(loaded);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, ":3:"));
	/* A valid JSON file that breaks the schema names its file too. */
	f = fopen(path, "w");
	fputs("{\"version\":1,\"global\":{},\"bridges\":{\"b\":{\"ports\":{},\"x\":1}}}", f);
	fclose(f);
	assert_int_equal(cfgdb_load(path, &loaded, err), -EINVAL);
	assert_non_null(strstr(err, "unknown column 'x'"));

	/* Saving into a missing directory fails and reports it. */
	snprintf(path, sizeof path, "%s/missing/conf.json", dir);
	assert_true(cfgdb_save(path, doc, err) < 0);
	assert_non_null(strstr(err, "cannot write"));
	snprintf(path, sizeof path, "%s/conf.json", dir);
	unlink(path);
	rmdir(dir);
	json_decref(doc);
}

/* Open vSwitch's type names run as the types they stand for. */
static void
test_type_aliases(void **state)
{
	static const char *const pairs[][2] = {
		{"dpdkvhostuser", "vhost-user"},
		{"dpdkvhostuserclient", "vhost-user-client"},
		{"vhost-user", "vhost-user"},
		{"tap", "tap"},
		{"warp", "warp"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		json_t *iface = json_pack("{s:s}", "type", pairs[i][0]);

		assert_string_equal(cfgdb_iface_type(iface), pairs[i][1]);
		json_decref(iface);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_doc_valid),
		cmocka_unit_test(test_add_and_list),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_unknown_things),
		cmocka_unit_test(test_vlans),
		cmocka_unit_test(test_patch_peers),
		cmocka_unit_test(test_half_failed_transaction),
		cmocka_unit_test(test_bad_command_shapes),
		cmocka_unit_test(test_controllers_and_global),
		cmocka_unit_test(test_validate_loaded_documents),
		cmocka_unit_test(test_load_and_save),
		cmocka_unit_test(test_type_aliases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
