/* SPDX-License-Identifier: Apache-2.0 */
/*
 * switch-ctl's commands: each turns its command-line words into one
 * command object of the "transact" method (see docs/config-db.md) or names
 * a method of its own.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "switch_ctl.h"

/* "COLUMN[:KEY]=VALUE" (or "COLUMN[:KEY]" when 'with_value' is false) as
 * {"column", "key"?, "value"?}. */
static json_t *
parse_setting(const char *arg, bool with_value, char *err)
{
	char col[256];
	const char *eq = strchr(arg, '=');
	const char *end = with_value ? eq : arg + strlen(arg);
	const char *colon;
	json_t *s;

	if (!end || end == arg || (size_t)(end - arg) >= sizeof col) {
		snprintf(err, CTL_ERR_MAX, "'%s' is not %s", arg,
			 with_value ? "COLUMN[:KEY]=VALUE" : "COLUMN[:KEY]");
		return NULL;
	}
	memcpy(col, arg, (size_t)(end - arg));
	col[end - arg] = '\0';
	colon = strchr(col, ':');
	s = json_object();
	if (colon) {
		json_object_set_new(s, "key", json_string(colon + 1));
		col[colon - col] = '\0';
	}
	json_object_set_new(s, "column", json_string(col));
	if (with_value) {
		json_t *v = json_string(eq + 1);

		if (!v) {
			snprintf(err, CTL_ERR_MAX, "'%s' is not valid UTF-8", arg);
			json_decref(s);
			return NULL;
		}
		json_object_set_new(s, "value", v);
	}
	if (!json_string_value(json_object_get(s, "column")) ||
	    (colon && !json_string_value(json_object_get(s, "key")))) {
		snprintf(err, CTL_ERR_MAX, "'%s' is not valid UTF-8", arg);
		json_decref(s);
		return NULL;
	}
	return s;
}

json_t *
ctl_settings(char **args, int n, bool with_value, char *err)
{
	json_t *arr = json_array();

	for (int i = 0; i < n; i++) {
		json_t *s = parse_setting(args[i], with_value, err);

		if (!s) {
			json_decref(arr);
			return NULL;
		}
		json_array_append_new(arr, s);
	}
	return arr;
}

/* {"op": NAME, FIELD: ARG, ...} from pairs of field names and arguments. */
static json_t *
op_with(const char *op, const char *f1, const char *a1, const char *f2, const char *a2, char *err)
{
	json_t *o = json_pack("{s:s}", "op", op);

	if (f1 && json_object_set_new(o, f1, json_string(a1))) {
		goto bad;
	}
	if (f2 && json_object_set_new(o, f2, json_string(a2))) {
		goto bad;
	}
	return o;
bad:
	snprintf(err, CTL_ERR_MAX, "an argument is not valid UTF-8");
	json_decref(o);
	return NULL;
}

static void
set_flags(json_t *o, bool may_exist, bool if_exists)
{
	if (o && may_exist) {
		json_object_set_new(o, "may_exist", json_true());
	}
	if (o && if_exists) {
		json_object_set_new(o, "if_exists", json_true());
	}
}

/* Commands whose arguments are a bridge (and for set-fail-mode, a mode). */
static json_t *
b_bridge(const char *op, char **a, int n, bool may_exist, bool if_exists, char *err)
{
	json_t *o = op_with(op, "bridge", a[0], n > 1 ? "mode" : NULL, n > 1 ? a[1] : NULL, err);

	set_flags(o, may_exist, if_exists);
	return o;
}

static json_t *
b_none(const char *op, char **a, int n, bool m, bool i, char *err)
{
	(void)a, (void)n, (void)m, (void)i;
	return op_with(op, NULL, NULL, NULL, NULL, err);
}

static json_t *
b_port_to_br(const char *op, char **a, int n, bool m, bool i, char *err)
{
	(void)n, (void)m, (void)i;
	return op_with(op, "port", a[0], NULL, NULL, err);
}

static json_t *
b_add_port(const char *op, char **a, int n, bool may_exist, bool if_exists, char *err)
{
	json_t *o = op_with(op, "bridge", a[0], "port", a[1], err);
	json_t *s = o ? ctl_settings(a + 2, n - 2, true, err) : NULL;

	if (!s) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "settings", s);
	set_flags(o, may_exist, if_exists);
	return o;
}

static json_t *
b_del_port(const char *op, char **a, int n, bool may_exist, bool if_exists, char *err)
{
	json_t *o = n == 2 ? op_with(op, "bridge", a[0], "port", a[1], err)
			   : op_with(op, "port", a[0], NULL, NULL, err);

	set_flags(o, may_exist, if_exists);
	return o;
}

static json_t *
b_set_controller(const char *op, char **a, int n, bool m, bool i, char *err)
{
	json_t *o = op_with(op, "bridge", a[0], NULL, NULL, err);
	json_t *targets = json_array();

	(void)m, (void)i;
	for (int k = 1; k < n; k++) {
		if (json_array_append_new(targets, json_string(a[k]))) {
			snprintf(err, CTL_ERR_MAX, "'%s' is not valid UTF-8", a[k]);
			json_decref(targets);
			json_decref(o);
			return NULL;
		}
	}
	json_object_set_new(o, "targets", targets);
	return o;
}

/* list TABLE [RECORD...] */
static json_t *
b_list(const char *op, char **a, int n, bool m, bool i, char *err)
{
	json_t *o = op_with(op, "table", a[0], NULL, NULL, err);

	(void)m, (void)i;
	if (o && n > 1) {
		json_t *records = json_array();

		for (int k = 1; k < n; k++) {
			json_t *name = json_string(a[k]);

			json_array_append_new(records, name ? name : json_string("?"));
		}
		json_object_set_new(o, "records", records);
	}
	return o;
}

/* get/set/clear TABLE RECORD ARGS... */
static json_t *
table_op(const char *op, char **a, int n, bool may_exist, bool if_exists, char *err)
{
	json_t *o = op_with(op, "table", a[0], "record", a[1], err);
	json_t *rest = NULL;

	(void)may_exist, (void)if_exists;
	if (!o) {
		return NULL;
	}
	if (!strcmp(op, "set")) {
		rest = ctl_settings(a + 2, n - 2, true, err);
		json_object_set(o, "settings", rest);
	} else if (!strcmp(op, "get")) {
		rest = ctl_settings(a + 2, n - 2, false, err);
		json_object_set(o, "columns", rest);
	} else {
		rest = json_array();
		for (int k = 2; k < n; k++) {
			json_array_append_new(rest, json_string(a[k]));
		}
		json_object_set(o, "columns", rest);
	}
	if (!rest) {
		json_decref(o);
		return NULL;
	}
	json_decref(rest);
	return o;
}

/* Flow commands: {"bridge", "flow"?, "strict"?}. */
static json_t *
b_flow(const char *op, char **a, int n, bool strict, bool if_exists, char *err)
{
	json_t *p = json_pack("{s:s}", "bridge", a[0]);

	(void)if_exists;
	if (!p) {
		snprintf(err, CTL_ERR_MAX, "'%s' is not valid UTF-8", a[0]);
		return NULL;
	}
	if (!strcmp(op, "add-flow")) {
		json_object_set_new(p, "flows", json_pack("[s]", a[1]));
	} else if (n > 1) {
		json_object_set_new(p, "flow", json_string(a[1]));
	}
	if (strict) {
		json_object_set_new(p, "strict", json_true());
	}
	if ((n > 1 && !json_object_get(p, "flow") && !json_object_get(p, "flows")) ||
	    (!strcmp(op, "add-flow") && !json_array_get(json_object_get(p, "flows"), 0))) {
		snprintf(err, CTL_ERR_MAX, "the flow is not valid UTF-8");
		json_decref(p);
		return NULL;
	}
	return p;
}

/* add-flows runs on its own (add_flows.c): here only when combined. */
static json_t *
b_add_flows(const char *op, char **a, int n, bool strict, bool if_exists, char *err)
{
	(void)op;
	(void)a;
	(void)n;
	(void)strict;
	(void)if_exists;
	snprintf(err, CTL_ERR_MAX, "add-flows cannot be combined with other commands");
	return NULL;
}

static json_t *
b_view_bridge(const char *op, char **a, int n, bool strict, bool if_exists, char *err)
{
	(void)op;
	(void)n;
	(void)strict;
	(void)if_exists;
	json_t *p = json_pack("{s:s}", "bridge", a[0]);

	if (!p) {
		snprintf(err, CTL_ERR_MAX, "'%s' is not valid UTF-8", a[0]);
	}
	return p;
}

static json_t *
b_view_opt_bridge(const char *op, char **a, int n, bool strict, bool if_exists, char *err)
{
	return n ? b_view_bridge(op, a, n, strict, if_exists, err) : json_object();
}

/* ofstate-save BRIDGE, ofstate-reset BRIDGE (the same method, resetting) */
static json_t *
b_ofstate_save(const char *op, char **a, int n, bool strict, bool if_exists, char *err)
{
	json_t *p = b_view_bridge(op, a, n, strict, if_exists, err);

	if (p && !strcmp(op, "ofstate-reset")) {
		json_object_set_new(p, "reset", json_true());
	}
	return p;
}

static json_t *
b_inject(const char *op, char **a, int n, bool strict, bool if_exists, char *err)
{
	json_t *p = json_pack("{s:s, s:s}", "port", a[0], "pcap", a[1]);

	(void)op;
	(void)n;
	(void)strict;
	(void)if_exists;
	if (!p) {
		snprintf(err, CTL_ERR_MAX, "arguments are not valid UTF-8");
	}
	return p;
}

/* add/remove TABLE RECORD COLUMN VALUE... */
static json_t *
b_add_remove(const char *op, char **a, int n, bool m, bool i, char *err)
{
	json_t *o = op_with(op, "table", a[0], "record", a[1], err), *vals = json_array();

	(void)m, (void)i;
	if (o && json_object_set_new(o, "column", json_string(a[2]))) {
		json_decref(o);
		o = NULL;
	}
	for (int k = 3; o && k < n; k++) {
		if (json_array_append_new(vals, json_string(a[k]))) {
			snprintf(err, CTL_ERR_MAX, "'%s' is not valid UTF-8", a[k]);
			json_decref(o);
			o = NULL;
		}
	}
	if (o) {
		json_object_set(o, "values", vals);
	}
	json_decref(vals);
	return o;
}

/* find TABLE [COLUMN[:KEY]=VALUE]... */
static json_t *
b_find(const char *op, char **a, int n, bool m, bool i, char *err)
{
	json_t *o = op_with(op, "table", a[0], NULL, NULL, err);
	json_t *conds = o ? ctl_settings(a + 1, n - 1, true, err) : NULL;

	(void)m, (void)i;
	if (!conds) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "conditions", conds);
	return o;
}

/* br-set-external-id BRIDGE KEY [VALUE] (no VALUE: the key goes),
 * br-get-external-id BRIDGE [KEY]. */
static json_t *
b_br_external_id(const char *op, char **a, int n, bool m, bool i, char *err)
{
	bool set = !strcmp(op, "br-set-external-id");
	json_t *o = op_with(set ? (n == 3 ? "set" : "remove") : "get", "table", "bridge", "record",
			    a[0], err);

	(void)m, (void)i;
	if (!o) {
		return NULL;
	}
	if (set && n == 3) {
		json_object_set_new(o, "settings",
				    json_pack("[{s:s, s:s, s:s}]", "column", "external_ids", "key",
					      a[1], "value", a[2]));
	} else if (set) {
		json_object_set_new(o, "column", json_string("external_ids"));
		json_object_set_new(o, "values", json_pack("[s]", a[1]));
	} else {
		/* The printer picks the key: a missing one prints nothing. */
		ctl_external_id_key = n > 1 ? a[1] : NULL;
		json_object_set_new(o, "columns", json_pack("[{s:s}]", "column", "external_ids"));
	}
	if (!json_object_get(o, set && n == 3 ? "settings" : set ? "values" : "columns")) {
		snprintf(err, CTL_ERR_MAX, "an argument is not valid UTF-8");
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Open vSwitch's names where a port has one interface of the same name:
 * iface-to-br IFACE, list-ifaces BRIDGE. */
static json_t *
b_iface_alias(const char *op, char **a, int n, bool m, bool i, char *err)
{
	(void)n, (void)m, (void)i;
	return !strcmp(op, "iface-to-br") ? op_with("port-to-br", "port", a[0], NULL, NULL, err)
					  : op_with("list-ports", "bridge", a[0], NULL, NULL, err);
}

/* set-ssl KEY CERT CACERT, del-ssl, get-ssl: the global ssl_* columns
 * (absolute paths: the daemon does not run where switch-ctl does). */
static json_t *
b_ssl(const char *op, char **a, int n, bool m, bool i, char *err)
{
	static const char *const cols[3] = {"ssl_private_key", "ssl_certificate", "ssl_ca_cert"};
	json_t *o, *list = json_array();

	(void)m, (void)i;
	o = op_with(!strcmp(op, "set-ssl")   ? "set"
		    : !strcmp(op, "del-ssl") ? "clear"
					     : "get",
		    "table", "global", "record", ".", err);
	for (int k = 0; o && k < 3; k++) {
		char path[PATH_MAX], setting[PATH_MAX + 32];

		if (n == 0) {
			json_array_append_new(list, !strcmp(op, "get-ssl")
							    ? json_pack("{s:s}", "column", cols[k])
							    : json_string(cols[k]));
			continue;
		}
		if (!realpath(a[k], path)) {
			snprintf(err, CTL_ERR_MAX, "%s: %s", a[k], strerror(errno));
			json_decref(o);
			o = NULL;
			break;
		}
		snprintf(setting, sizeof setting, "%s=%s", cols[k], path);
		json_t *s = parse_setting(setting, true, err);

		if (!s) {
			json_decref(o);
			o = NULL;
			break;
		}
		json_array_append_new(list, s);
	}
	if (o) {
		json_object_set(o, !strcmp(op, "set-ssl") ? "settings" : "columns", list);
	}
	json_decref(list);
	return o;
}

/* vlog-set MODULE:LEVEL..., log-level MODULE LEVEL */
static json_t *
b_vlog_set(const char *op, char **a, int n, bool m, bool i, char *err)
{
	json_t *list = json_array();

	(void)m, (void)i;
	if (!strcmp(op, "log-level")) {
		char s[128];

		snprintf(s, sizeof s, "%s:%s", a[0], a[1]);
		json_array_append_new(list, json_string(s));
		return json_pack("{s:o}", "settings", list);
	}
	for (int k = 0; k < n; k++) {
		if (json_array_append_new(list, json_string(a[k]))) {
			snprintf(err, CTL_ERR_MAX, "'%s' is not valid UTF-8", a[k]);
			json_decref(list);
			return NULL;
		}
	}
	return json_pack("{s:o}", "settings", list);
}

static const struct ctl_command commands[] = {
	{"add-br", "BRIDGE", 1, 1, CTL_DB, NULL, "--may-exist", b_bridge, NULL},
	{"del-br", "BRIDGE", 1, 1, CTL_DB, NULL, "--if-exists", b_bridge, NULL},
	{"list-br", "", 0, 0, CTL_DB, NULL, "", b_none, ctl_print_lines},
	{"br-exists", "BRIDGE", 1, 1, CTL_DB, NULL, "", b_bridge, NULL},
	{"add-port", "BRIDGE PORT [COLUMN[:KEY]=VALUE]...", 2, 64, CTL_DB, NULL, "--may-exist",
	 b_add_port, NULL},
	{"del-port", "[BRIDGE] PORT", 1, 2, CTL_DB, NULL, "--if-exists", b_del_port, NULL},
	{"list-ports", "BRIDGE", 1, 1, CTL_DB, NULL, "", b_bridge, ctl_print_lines},
	{"port-to-br", "PORT", 1, 1, CTL_DB, NULL, "", b_port_to_br, ctl_print_value},
	{"list", "TABLE [RECORD]...", 1, 64, CTL_DB, NULL, "", b_list, ctl_print_records},
	{"get", "TABLE RECORD COLUMN[:KEY]...", 3, 64, CTL_DB, NULL, "", table_op,
	 ctl_print_values},
	{"set", "TABLE RECORD COLUMN[:KEY]=VALUE...", 3, 64, CTL_DB, NULL, "", table_op, NULL},
	{"clear", "TABLE RECORD COLUMN...", 3, 64, CTL_DB, NULL, "", table_op, NULL},
	{"add", "TABLE RECORD COLUMN VALUE...", 4, 64, CTL_DB, NULL, "", b_add_remove, NULL},
	{"remove", "TABLE RECORD COLUMN VALUE...", 4, 64, CTL_DB, NULL, "", b_add_remove, NULL},
	{"find", "TABLE [COLUMN[:KEY]=VALUE]...", 1, 64, CTL_DB, NULL, "", b_find,
	 ctl_print_records},
	{"br-set-external-id", "BRIDGE KEY [VALUE]", 2, 3, CTL_DB, NULL, "", b_br_external_id,
	 NULL},
	{"br-get-external-id", "BRIDGE [KEY]", 1, 2, CTL_DB, NULL, "", b_br_external_id,
	 ctl_print_external_ids},
	{"iface-to-br", "IFACE", 1, 1, CTL_DB, NULL, "", b_iface_alias, ctl_print_value},
	{"list-ifaces", "BRIDGE", 1, 1, CTL_DB, NULL, "", b_iface_alias, ctl_print_lines},
	{"set-controller", "BRIDGE TARGET...", 2, 16, CTL_DB, NULL, "", b_set_controller, NULL},
	{"del-controller", "BRIDGE", 1, 1, CTL_DB, NULL, "", b_bridge, NULL},
	{"get-controller", "BRIDGE", 1, 1, CTL_DB, NULL, "", b_bridge, ctl_print_sorted},
	{"set-fail-mode", "BRIDGE standalone|secure", 2, 2, CTL_DB, NULL, "", b_bridge, NULL},
	{"del-fail-mode", "BRIDGE", 1, 1, CTL_DB, NULL, "", b_bridge, NULL},
	{"get-fail-mode", "BRIDGE", 1, 1, CTL_DB, NULL, "", b_bridge, ctl_print_value},
	{"set-ssl", "PRIVATE-KEY CERTIFICATE CA-CERT", 3, 3, CTL_DB, NULL, "", b_ssl, NULL},
	{"del-ssl", "", 0, 0, CTL_DB, NULL, "", b_ssl, NULL},
	{"get-ssl", "", 0, 0, CTL_DB, NULL, "", b_ssl, ctl_print_values},
	{"show", "", 0, 0, CTL_VIEW, "show", "", NULL, ctl_print_show},
	{"dump-dp-flows", "", 0, 0, CTL_VIEW, "dp.flows", "", NULL, ctl_print_dp_flows},
	{"pmd-stats-show", "", 0, 0, CTL_VIEW, "dp.pmd-stats", "", NULL, ctl_print_pmd_stats},
	{"pmd-stats-clear", "", 0, 0, CTL_VIEW, "dp.pmd-stats-clear", "", NULL, NULL},
	{"pmd-rxq-show", "", 0, 0, CTL_VIEW, "dp.pmd-rxqs", "", NULL, ctl_print_pmd_rxqs},
	{"pmd-rxq-rebalance", "", 0, 0, CTL_VIEW, "dp.pmd-rxq-rebalance", "", NULL,
	 ctl_print_pmd_rxqs},
	{"pmd-perf-show", "", 0, 0, CTL_VIEW, "dp.pmd-perf", "", NULL, ctl_print_pmd_perf},
	{"add-flow", "BRIDGE FLOW", 2, 2, CTL_VIEW, "flow.add", "", b_flow, NULL},
	{"add-flows", "BRIDGE FILE", 2, 2, CTL_VIEW, "flow.add", "", b_add_flows, NULL},
	{"mod-flows", "BRIDGE FLOW", 2, 2, CTL_VIEW, "flow.mod", "--strict", b_flow, NULL},
	{"del-flows", "BRIDGE [FLOW]", 1, 2, CTL_VIEW, "flow.del", "--strict", b_flow, NULL},
	{"dump-flows", "BRIDGE [FLOW]", 1, 2, CTL_VIEW, "flow.dump", "", b_flow, ctl_print_flows},
	{"dump-tables", "BRIDGE", 1, 1, CTL_VIEW, "flow.tables", "", b_view_bridge,
	 ctl_print_tables},
	{"trace", "BRIDGE FIELDS", 2, 2, CTL_VIEW, "trace", "", b_flow, ctl_print_trace},
	{"inject", "PORT FILE.pcap", 2, 2, CTL_VIEW, "port.inject", "", b_inject, NULL},
	{"fdb-show", "BRIDGE", 1, 1, CTL_VIEW, "fdb.show", "", b_view_bridge, ctl_print_fdb},
	{"fdb-flush", "[BRIDGE]", 0, 1, CTL_VIEW, "fdb.flush", "", b_view_opt_bridge,
	 ctl_print_value},
	{"vlog-set", "MODULE:LEVEL...", 1, 16, CTL_VIEW, "log.set", "", b_vlog_set, NULL},
	{"vlog-list", "", 0, 0, CTL_VIEW, "log.list", "", NULL, ctl_print_vlog},
	{"log-level", "MODULE LEVEL", 2, 2, CTL_VIEW, "log.set", "", b_vlog_set, NULL},
	{"metrics", "", 0, 0, CTL_VIEW, "metrics", "", NULL, ctl_print_raw},
	{"tnl-route-show", "", 0, 0, CTL_VIEW, "tnl.routes", "", NULL, ctl_print_raw},
	{"tnl-neigh-show", "", 0, 0, CTL_VIEW, "tnl.neighbours", "", NULL, ctl_print_raw},
	{"tnl-neigh-flush", "", 0, 0, CTL_VIEW, "tnl.neigh-flush", "", NULL, NULL},
	{"dump-ports", "[BRIDGE]", 0, 1, CTL_VIEW, "ports.dump", "", b_view_opt_bridge,
	 ctl_print_ports},
	{"ofstate-show", "[BRIDGE]", 0, 1, CTL_VIEW, "ofstate.show", "", b_view_opt_bridge,
	 ctl_print_ofstate},
	{"ofstate-save", "BRIDGE", 1, 1, CTL_VIEW, "ofstate.save", "", b_ofstate_save,
	 ctl_print_ofstate_one},
	{"ofstate-reset", "BRIDGE", 1, 1, CTL_VIEW, "ofstate.save", "", b_ofstate_save,
	 ctl_print_ofstate_one},
};

const struct ctl_command *
ctl_command_find(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (!strcmp(commands[i].name, name)) {
			return &commands[i];
		}
	}
	return NULL;
}

void
ctl_commands_usage(void)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		const struct ctl_command *c = &commands[i];

		printf("  %s%s%s%s %s\n", c->options[0] ? "[" : "", c->options,
		       c->options[0] ? "] " : "", c->name, c->usage);
	}
}
