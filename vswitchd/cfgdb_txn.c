/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Transactions over the configuration document: the ovs-vsctl-like commands
 * (add-br, add-port, set, get, list, ...) as JSON objects, run in order on a
 * working copy and validated as a whole at the end (cfgdb.c). The command
 * objects are documented in docs/config-db.md; every field is type-checked
 * here, since they come from the control socket.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cfgdb.h"
#include "cfgdb_schema.h"
#include "util.h"

struct txn {
	json_t *doc;
	const json_t *op;
	const char *name; /* the command's name, for messages */
	struct cfgdb_err *err;
};

static int txn_fail(struct txn *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
txn_fail(struct txn *t, const char *fmt, ...)
{
	char msg[CFGDB_ERR_MAX - 32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(t->err->msg, sizeof t->err->msg, "%s: %s", t->name, msg);
	return -EINVAL;
}

/* A required string field of the command; NULL after an error. */
static const char *
arg_str(struct txn *t, const char *field)
{
	json_t *v = json_object_get(t->op, field);

	if (!json_is_string(v)) {
		txn_fail(t, "\"%s\" must be a string", field);
		return NULL;
	}
	return json_string_value(v);
}

/* An optional boolean field; -EINVAL if present and not a boolean. */
static int
arg_bool(struct txn *t, const char *field, bool *out)
{
	json_t *v = json_object_get(t->op, field);

	*out = false;
	if (v && !json_is_boolean(v)) {
		return txn_fail(t, "\"%s\" must be true or false", field);
	}
	*out = json_is_true(v);
	return 0;
}

static json_t *
bridges(struct txn *t)
{
	return json_object_get(t->doc, "bridges");
}

static json_t *
need_bridge(struct txn *t, const char *name)
{
	json_t *br = name ? cfgdb_bridge(t->doc, name) : NULL;

	if (name && !br) {
		txn_fail(t, "no bridge named %s", name);
	}
	return br;
}

/* The record 'name' of 'table'; NULL (with the error set) if there is none. */
static json_t *
find_record(struct txn *t, enum cfg_table_id table, const char *name)
{
	json_t *rec = NULL;

	switch (table) {
	case CFG_T_GLOBAL:
		rec = strcmp(name, ".") ? NULL : json_object_get(t->doc, "global");
		break;
	case CFG_T_BRIDGE:
		rec = cfgdb_bridge(t->doc, name);
		break;
	case CFG_T_PORT:
		rec = cfgdb_port(t->doc, name, NULL);
		break;
	case CFG_T_IFACE:
		rec = cfgdb_port(t->doc, name, NULL);
		rec = rec ? json_object_get(json_object_get(rec, "interfaces"), name) : NULL;
		break;
	default:
		break;
	}
	if (!rec) {
		txn_fail(t, "no %s record named %s", cfg_tables[table].name, name);
	}
	return rec;
}

static int
find_table(struct txn *t, enum cfg_table_id *table)
{
	const char *name = arg_str(t, "table");

	if (!name) {
		return -EINVAL;
	}
	if (!strcasecmp(name, "open_vswitch") || !strcasecmp(name, "global")) {
		*table = CFG_T_GLOBAL;
	} else if (!strcasecmp(name, "bridge")) {
		*table = CFG_T_BRIDGE;
	} else if (!strcasecmp(name, "port")) {
		*table = CFG_T_PORT;
	} else if (!strcasecmp(name, "interface")) {
		*table = CFG_T_IFACE;
	} else {
		return txn_fail(t, "unknown table '%s' (tables: global, bridge, port, interface)",
				name);
	}
	return 0;
}

/* A column the switch writes (the OpenFlow port number it gave), which a
 * command may read but not change. */
static int
status_column(struct txn *t, const char *cname)
{
	return txn_fail(t, "column %s is set by the switch%s", cname,
			strcmp(cname, "ofport") ? "" : " (choose a number with ofport_request)");
}

/* Applies one {"column", "key"?, "value"} setting to 'rec'. */
static int
set_column(struct txn *t, enum cfg_table_id table, json_t *rec, const json_t *setting)
{
	const char *cname = json_string_value(json_object_get(setting, "column"));
	json_t *key = json_object_get(setting, "key");
	json_t *value = json_object_get(setting, "value");
	const struct cfg_column *col;
	char reason[CFGDB_ERR_MAX / 2];
	json_t *v;

	if (!cname || !value || (key && !json_is_string(key))) {
		return txn_fail(t,
				"a setting is {\"column\": string, \"key\"?: string, \"value\"}");
	}
	col = cfg_column_find(table, cname);
	if (!col) {
		return txn_fail(t, "table %s has no column '%s'", cfg_tables[table].name, cname);
	}
	if (col->status) {
		return status_column(t, cname);
	}
	if (key) {
		json_t *map = json_object_get(rec, cname);

		if (col->type != CFG_MAP) {
			return txn_fail(t, "column %s is not a map: %s:%s", cname, cname,
					json_string_value(key));
		}
		if (!json_is_string(value) || !*json_string_value(key)) {
			return txn_fail(t, "%s:%s needs a string value and a non-empty key", cname,
					json_string_value(key));
		}
		if (!map) {
			map = json_object();
			json_object_set_new(rec, cname, map);
		}
		return json_object_set_new(map, json_string_value(key), json_deep_copy(value))
			       ? -ENOMEM
			       : 0;
	}
	if (json_is_string(value) && col->type != CFG_STRING && col->type != CFG_ENUM) {
		v = cfg_column_parse(col, json_string_value(value), reason, sizeof reason);
	} else {
		v = json_deep_copy(value);
		snprintf(reason, sizeof reason, "out of memory");
	}
	if (!v) {
		return txn_fail(t, "%s", reason);
	}
	if (col->type == CFG_INT_SET) {
		cfg_int_set_normalize(v);
	}
	if (cfg_column_check(col, v, reason, sizeof reason)) {
		json_decref(v);
		return txn_fail(t, "%s", reason);
	}
	return json_object_set_new(rec, cname, v) ? -ENOMEM : 0;
}

static int
apply_settings(struct txn *t, enum cfg_table_id table, json_t *rec)
{
	json_t *settings = json_object_get(t->op, "settings");
	json_t *s;
	size_t i;
	int ret;

	if (settings && !json_is_array(settings)) {
		return txn_fail(t, "\"settings\" must be an array");
	}
	json_array_foreach (settings, i, s) {
		if (!json_is_object(s)) {
			return txn_fail(t, "a setting must be an object");
		}
		ret = set_column(t, table, rec, s);
		if (ret) {
			return ret;
		}
	}
	return 0;
}

static int
cmd_add_br(struct txn *t, json_t **res)
{
	const char *name = arg_str(t, "bridge");
	bool may_exist;

	(void)res;
	if (!name || arg_bool(t, "may_exist", &may_exist)) {
		return -EINVAL;
	}
	if (!cfg_name_valid(name)) {
		return txn_fail(t, "'%s' is not a valid name (1-15 of A-Z a-z 0-9 _ - .)", name);
	}
	if (cfgdb_bridge(t->doc, name)) {
		return may_exist ? 0 : txn_fail(t, "a bridge named %s already exists", name);
	}
	if (cfgdb_port(t->doc, name, NULL)) {
		return txn_fail(t, "%s is already the name of a port", name);
	}
	/* Like OVS, a bridge has its own port, named after it: the interface
	 * through which the host reaches the bridge (OpenFlow port LOCAL). */
	return json_object_set_new(bridges(t), name,
				   json_pack("{s:{s:{s:{s:{s:s}}}}}", "ports", name, "interfaces",
					     name, "type", "internal"))
		       ? -ENOMEM
		       : 0;
}

static int
cmd_del_br(struct txn *t, json_t **res)
{
	const char *name = arg_str(t, "bridge");
	bool if_exists;

	(void)res;
	if (!name || arg_bool(t, "if_exists", &if_exists)) {
		return -EINVAL;
	}
	if (!cfgdb_bridge(t->doc, name)) {
		return if_exists ? 0 : txn_fail(t, "no bridge named %s", name);
	}
	json_object_del(bridges(t), name);
	return 0;
}

static json_t *
sorted_keys(const json_t *obj)
{
	json_t *names = json_array();
	const char *key;
	json_t *v;

	json_object_foreach ((json_t *)obj, key, v) {
		json_array_append_new(names, json_string(key));
	}
	/* jansson keeps insertion order; sort for stable output. */
	for (size_t i = 1; i < json_array_size(names); i++) {
		for (size_t j = i; j > 0; j--) {
			json_t *a = json_array_get(names, j - 1), *b = json_array_get(names, j);

			if (strcmp(json_string_value(a), json_string_value(b)) <= 0) {
				break;
			}
			json_incref(a);
			json_array_set(names, j - 1, b);
			json_array_set_new(names, j, a);
		}
	}
	return names;
}

static int
cmd_list_br(struct txn *t, json_t **res)
{
	*res = sorted_keys(bridges(t));
	return 0;
}

static int
cmd_br_exists(struct txn *t, json_t **res)
{
	const char *name = arg_str(t, "bridge");

	if (!name) {
		return -EINVAL;
	}
	*res = json_boolean(cfgdb_bridge(t->doc, name) != NULL);
	return 0;
}

/* Port settings go to the port or its interface, by column name. */
static int
add_port_settings(struct txn *t, json_t *port, json_t *iface)
{
	json_t *settings = json_object_get(t->op, "settings");
	json_t *s;
	size_t i;

	if (settings && !json_is_array(settings)) {
		return txn_fail(t, "\"settings\" must be an array");
	}
	json_array_foreach (settings, i, s) {
		const char *col = json_string_value(json_object_get(s, "column"));
		bool on_port = col && cfg_column_find(CFG_T_PORT, col);
		int ret;

		if (!json_is_object(s)) {
			return txn_fail(t, "a setting must be an object");
		}
		ret = set_column(t, on_port ? CFG_T_PORT : CFG_T_IFACE, on_port ? port : iface, s);
		if (ret) {
			return ret;
		}
	}
	return 0;
}

static int
cmd_add_port(struct txn *t, json_t **res)
{
	const char *bname = arg_str(t, "bridge"), *pname = bname ? arg_str(t, "port") : NULL;
	json_t *br, *port, *iface;
	const char *owner;
	bool may_exist;
	int ret;

	(void)res;
	if (!pname || arg_bool(t, "may_exist", &may_exist) || !(br = need_bridge(t, bname))) {
		return -EINVAL;
	}
	if (!cfg_name_valid(pname)) {
		return txn_fail(t, "'%s' is not a valid name (1-15 of A-Z a-z 0-9 _ - .)", pname);
	}
	if (cfgdb_port(t->doc, pname, &owner)) {
		if (may_exist && !strcmp(owner, bname)) {
			return 0;
		}
		return txn_fail(t, "a port named %s already exists on bridge %s", pname, owner);
	}
	if (cfgdb_bridge(t->doc, pname)) {
		return txn_fail(t, "%s is already the name of a bridge", pname);
	}
	iface = json_object();
	port = json_pack("{s:{s:o}}", "interfaces", pname, iface);
	if (!port) {
		return -ENOMEM;
	}
	ret = add_port_settings(t, port, iface);
	if (!ret) {
		ret = json_object_set(json_object_get(br, "ports"), pname, port) ? -ENOMEM : 0;
	}
	json_decref(port);
	return ret;
}

static int
cmd_del_port(struct txn *t, json_t **res)
{
	const char *pname = arg_str(t, "port"), *owner = NULL;
	json_t *bv = json_object_get(t->op, "bridge");
	bool if_exists;

	(void)res;
	if (!pname || arg_bool(t, "if_exists", &if_exists)) {
		return -EINVAL;
	}
	if (bv && (!json_is_string(bv) || !need_bridge(t, json_string_value(bv)))) {
		return bv && !json_is_string(bv) ? txn_fail(t, "\"bridge\" must be a string")
						 : -EINVAL;
	}
	if (!cfgdb_port(t->doc, pname, &owner)) {
		return if_exists ? 0 : txn_fail(t, "no port named %s", pname);
	}
	if (bv && strcmp(owner, json_string_value(bv))) {
		return txn_fail(t, "port %s is on bridge %s, not %s", pname, owner,
				json_string_value(bv));
	}
	if (!strcmp(owner, pname)) {
		return txn_fail(t, "port %s is bridge %s's own port: it goes with del-br", pname,
				owner);
	}
	json_object_del(json_object_get(cfgdb_bridge(t->doc, owner), "ports"), pname);
	return 0;
}

static int
cmd_list_ports(struct txn *t, json_t **res)
{
	const char *bname = arg_str(t, "bridge");
	json_t *br = bname ? need_bridge(t, bname) : NULL;

	if (!br) {
		return -EINVAL;
	}
	*res = sorted_keys(json_object_get(br, "ports"));
	/* The bridge's own port is not listed, as in ovs-vsctl. */
	for (size_t i = 0; i < json_array_size(*res); i++) {
		if (!strcmp(json_string_value(json_array_get(*res, i)), bname)) {
			json_array_remove(*res, i);
			break;
		}
	}
	return 0;
}

static int
cmd_port_to_br(struct txn *t, json_t **res)
{
	const char *pname = arg_str(t, "port"), *owner;

	if (!pname) {
		return -EINVAL;
	}
	if (!cfgdb_port(t->doc, pname, &owner)) {
		return txn_fail(t, "no port named %s", pname);
	}
	*res = json_string(owner);
	return 0;
}

/* A column's value to show: a copy, or when unset an empty map (map
 * columns) or null (the others: nothing set). */
static json_t *
column_value(const struct cfg_column *col, const json_t *v)
{
	if (v) {
		return json_deep_copy(v);
	}
	return col->type == CFG_MAP ? json_object() : json_null();
}

/* A record as "list" shows it: its name, its columns, its children. */
static json_t *
record_view(enum cfg_table_id table, const char *name, const json_t *rec)
{
	const struct cfg_table *tab = &cfg_tables[table];
	json_t *view = json_pack("{s:s}", "name", name);

	for (size_t i = 0; i < tab->n_cols; i++) {
		json_t *v = json_object_get(rec, tab->cols[i].name);

		json_object_set_new(view, tab->cols[i].name, column_value(&tab->cols[i], v));
	}
	if (tab->child) {
		json_object_set_new(view, tab->child,
				    sorted_keys(json_object_get(rec, tab->child)));
	}
	return view;
}

/* Appends every record of 'table' to 'out'. */
static void
list_all(struct txn *t, enum cfg_table_id table, json_t *out)
{
	const char *bname, *pname;
	json_t *br, *port;

	if (table == CFG_T_GLOBAL) {
		json_array_append_new(out,
				      record_view(table, ".", json_object_get(t->doc, "global")));
		return;
	}
	json_object_foreach (bridges(t), bname, br) {
		if (table == CFG_T_BRIDGE) {
			json_array_append_new(out, record_view(table, bname, br));
			continue;
		}
		json_object_foreach (json_object_get(br, "ports"), pname, port) {
			json_t *rec = table == CFG_T_PORT ? port : cfgdb_port_iface(port);

			json_array_append_new(out, record_view(table, pname, rec));
		}
	}
}

static int
cmd_list(struct txn *t, json_t **res)
{
	json_t *records = json_object_get(t->op, "records");
	enum cfg_table_id table;
	json_t *r;
	size_t i;

	if (find_table(t, &table)) {
		return -EINVAL;
	}
	if (records && !json_is_array(records)) {
		return txn_fail(t, "\"records\" must be an array of names");
	}
	*res = json_array();
	if (!records) {
		list_all(t, table, *res);
		return 0;
	}
	json_array_foreach (records, i, r) {
		json_t *rec =
			json_is_string(r) ? find_record(t, table, json_string_value(r)) : NULL;

		if (!rec) {
			return json_is_string(r) ? -EINVAL
						 : txn_fail(t, "a record name is a string");
		}
		json_array_append_new(*res, record_view(table, json_string_value(r), rec));
	}
	return 0;
}

/* The record named by the command's "table" and "record" fields. */
static json_t *
cmd_record(struct txn *t, enum cfg_table_id *table)
{
	const char *name;

	if (find_table(t, table) || !(name = arg_str(t, "record"))) {
		return NULL;
	}
	return find_record(t, *table, name);
}

static int
get_one(struct txn *t, enum cfg_table_id table, const json_t *rec, const json_t *c, json_t *out)
{
	const char *cname = json_string_value(json_object_get(c, "column"));
	json_t *key = json_object_get(c, "key"), *v;
	const struct cfg_column *col;

	if (!cname || (key && !json_is_string(key))) {
		return txn_fail(t, "a column is {\"column\": string, \"key\"?: string}");
	}
	if (!(col = cfg_column_find(table, cname))) {
		return txn_fail(t, "table %s has no column '%s'", cfg_tables[table].name, cname);
	}
	v = json_object_get(rec, cname);
	if (key) {
		v = json_object_get(v, json_string_value(key));
		if (!v) {
			return txn_fail(t, "%s has no key '%s'", cname, json_string_value(key));
		}
	}
	json_array_append_new(out, column_value(col, v));
	return 0;
}

static int
cmd_get(struct txn *t, json_t **res)
{
	json_t *cols = json_object_get(t->op, "columns"), *c;
	enum cfg_table_id table;
	json_t *rec = cmd_record(t, &table);
	size_t i;

	if (!rec) {
		return -EINVAL;
	}
	if (!json_is_array(cols)) {
		return txn_fail(t, "\"columns\" must be an array");
	}
	*res = json_array();
	json_array_foreach (cols, i, c) {
		if (get_one(t, table, rec, c, *res)) {
			return -EINVAL;
		}
	}
	return 0;
}

static int
cmd_set(struct txn *t, json_t **res)
{
	enum cfg_table_id table;
	json_t *rec = cmd_record(t, &table);

	(void)res;
	return rec ? apply_settings(t, table, rec) : -EINVAL;
}

static int
cmd_clear(struct txn *t, json_t **res)
{
	json_t *cols = json_object_get(t->op, "columns"), *c;
	enum cfg_table_id table;
	json_t *rec = cmd_record(t, &table);
	size_t i;

	(void)res;
	if (!rec) {
		return -EINVAL;
	}
	if (!json_is_array(cols)) {
		return txn_fail(t, "\"columns\" must be an array of column names");
	}
	json_array_foreach (cols, i, c) {
		const struct cfg_column *col =
			json_is_string(c) ? cfg_column_find(table, json_string_value(c)) : NULL;

		if (!col) {
			return txn_fail(t, "table %s has no column '%s'", cfg_tables[table].name,
					json_is_string(c) ? json_string_value(c) : "?");
		}
		if (col->status) {
			return status_column(t, col->name);
		}
		json_object_del(rec, json_string_value(c));
	}
	return 0;
}

/* The column named by the op's "column" of 'table', writable; NULL (with
 * the reason) otherwise. */
static const struct cfg_column *
op_column(struct txn *t, enum cfg_table_id table)
{
	const char *cname = arg_str(t, "column");
	const struct cfg_column *col = cname ? cfg_column_find(table, cname) : NULL;

	if (cname && !col) {
		txn_fail(t, "table %s has no column '%s'", cfg_tables[table].name, cname);
	} else if (col && col->status) {
		status_column(t, col->name);
		return NULL;
	}
	return col;
}

/* Whether set 'arr' holds 'item'; its index in '*at'. */
static bool
set_has(const json_t *arr, const json_t *item, size_t *at)
{
	size_t i;
	json_t *e;

	json_array_foreach (arr, i, e) {
		if (json_equal(e, item)) {
			*at = i;
			return true;
		}
	}
	return false;
}

/* add/remove TABLE RECORD COLUMN VALUE..., as ovs-vsctl's: values into or
 * out of a set column; KEY=VALUE pairs into a map column (a key already
 * there keeps its value), KEY or KEY=VALUE out of one. The result is
 * checked as "set" checks it. */
static int
cmd_add_remove(struct txn *t, json_t **res)
{
	bool add = !strcmp(t->name, "add");
	json_t *vals = json_object_get(t->op, "values"), *v, *cur, *nv, *setting;
	enum cfg_table_id table;
	json_t *rec = cmd_record(t, &table);
	const struct cfg_column *col = rec ? op_column(t, table) : NULL;
	char reason[CFGDB_ERR_MAX / 2];
	size_t i;
	int ret = 0;

	(void)res;
	if (!col) {
		return -EINVAL;
	}
	if (col->type != CFG_MAP && col->type != CFG_STR_SET && col->type != CFG_INT_SET) {
		return txn_fail(t, "column %s is not a set or a map: use set or clear", col->name);
	}
	if (!json_is_array(vals) || !json_array_size(vals)) {
		return txn_fail(t, "\"values\" must be an array of strings");
	}
	cur = json_object_get(rec, col->name);
	nv = cur ? json_deep_copy(cur) : col->type == CFG_MAP ? json_object() : json_array();
	json_array_foreach (vals, i, v) {
		const char *s = json_string_value(v), *eq = s ? strchr(s, '=') : NULL;

		if (!s) {
			ret = txn_fail(t, "\"values\" must be an array of strings");
		} else if (col->type == CFG_MAP) {
			char key[256];

			if ((add && (!eq || eq == s)) ||
			    (size_t)(eq ? eq - s : (long)strlen(s)) >= sizeof key) {
				ret = txn_fail(t, "'%s' is not KEY=VALUE", s);
				break;
			}
			snprintf(key, sizeof key, "%.*s", (int)(eq ? eq - s : (long)strlen(s)), s);
			if (add && !json_object_get(nv, key)) {
				json_object_set_new(nv, key, json_string(eq + 1));
			} else if (!add &&
				   (!eq || (json_is_string(json_object_get(nv, key)) &&
					    !strcmp(json_string_value(json_object_get(nv, key)),
						    eq + 1)))) {
				json_object_del(nv, key);
			}
		} else {
			json_t *items = col->type == CFG_INT_SET
						? cfg_column_parse(col, s, reason, sizeof reason)
						: json_pack("[s]", s);
			size_t j, at;
			json_t *item;

			if (!items) {
				ret = txn_fail(t, "%s", reason);
				break;
			}
			json_array_foreach (items, j, item) {
				if (add && !set_has(nv, item, &at)) {
					json_array_append(nv, item);
				} else if (!add && set_has(nv, item, &at)) {
					json_array_remove(nv, at);
				}
			}
			json_decref(items);
		}
		if (ret) {
			break;
		}
	}
	if (ret) {
		json_decref(nv);
		return ret;
	}
	setting = json_pack("{s:s, s:o}", "column", col->name, "value", nv);
	ret = setting ? set_column(t, table, rec, setting) : -ENOMEM;
	json_decref(setting);
	return ret;
}

/* Whether 'rec' has 'cond' ({"column", "key"?, "value": text}): the
 * column's value equals the text as "set" would parse it; with a key, the
 * map's value for it. */
static int
record_matches(struct txn *t, enum cfg_table_id table, const char *name, const json_t *rec,
	       const json_t *cond, bool *match)
{
	const char *cname = json_string_value(json_object_get(cond, "column"));
	const char *key = json_string_value(json_object_get(cond, "key"));
	const char *text = json_string_value(json_object_get(cond, "value"));
	const struct cfg_column *col = cname ? cfg_column_find(table, cname) : NULL;
	const json_t *have = col ? json_object_get(rec, cname) : NULL;
	char reason[CFGDB_ERR_MAX / 2];
	json_t *want;

	if (cname && !col && !key && text && !strcmp(cname, "name")) {
		*match = !strcmp(name, text); /* the record's name, as in "list" */
		return 0;
	}
	if (!col || !text) {
		return txn_fail(t, "table %s has no column '%s'", cfg_tables[table].name,
				cname ? cname : "?");
	}
	if (key) {
		const json_t *v = json_object_get(have, key);

		*match = json_is_string(v) && !strcmp(json_string_value(v), text);
		return 0;
	}
	if (col->type == CFG_STRING || col->type == CFG_ENUM) {
		*match = json_is_string(have) && !strcmp(json_string_value(have), text);
		return 0;
	}
	want = cfg_column_parse(col, text, reason, sizeof reason);
	if (!want) {
		return txn_fail(t, "%s", reason);
	}
	if (col->type == CFG_INT_SET) {
		cfg_int_set_normalize(want);
	}
	*match = have ? json_equal(have, want) : false;
	json_decref(want);
	return 0;
}

/* find TABLE [COLUMN[:KEY]=VALUE]...: the records ("list" views) for
 * which every condition holds. */
static int
cmd_find(struct txn *t, json_t **res)
{
	json_t *conds = json_object_get(t->op, "conditions"), *all, *view;
	enum cfg_table_id table;
	size_t i;

	if (find_table(t, &table)) {
		return -EINVAL;
	}
	if (conds && !json_is_array(conds)) {
		return txn_fail(t, "\"conditions\" must be an array");
	}
	all = json_array();
	list_all(t, table, all);
	*res = json_array();
	json_array_foreach (all, i, view) {
		const char *name = json_string_value(json_object_get(view, "name"));
		const json_t *rec = find_record(t, table, name);
		bool match = true;
		size_t j;
		json_t *c;

		json_array_foreach (conds, j, c) {
			if (match && rec && record_matches(t, table, name, rec, c, &match)) {
				json_decref(all);
				json_decref(*res);
				*res = NULL;
				return -EINVAL;
			}
		}
		if (match) {
			json_array_append(*res, view);
		}
	}
	json_decref(all);
	return 0;
}

static int
cmd_set_controller(struct txn *t, json_t **res)
{
	const char *bname = arg_str(t, "bridge");
	json_t *br = bname ? need_bridge(t, bname) : NULL;
	json_t *targets = json_object_get(t->op, "targets");
	json_t *setting;
	int ret;

	(void)res;
	if (!br) {
		return -EINVAL;
	}
	if (!json_is_array(targets)) {
		return txn_fail(t, "\"targets\" must be an array of strings");
	}
	setting = json_pack("{s:s, s:O}", "column", "controllers", "value", targets);
	ret = setting ? set_column(t, CFG_T_BRIDGE, br, setting) : -ENOMEM;
	json_decref(setting);
	return ret;
}

static int
cmd_bridge_column(struct txn *t, json_t **res)
{
	const char *op = t->name, *bname = arg_str(t, "bridge");
	const char *col = strstr(op, "controller") ? "controllers" : "fail_mode";
	json_t *br = bname ? need_bridge(t, bname) : NULL;

	if (!br) {
		return -EINVAL;
	}
	if (!strncmp(op, "del-", 4)) {
		json_object_del(br, col);
	} else if (!strncmp(op, "get-", 4)) {
		json_t *v = json_object_get(br, col);

		*res = v ? json_deep_copy(v) : json_null();
	} else {
		const char *mode = arg_str(t, "mode");
		json_t *setting =
			mode ? json_pack("{s:s, s:s}", "column", col, "value", mode) : NULL;
		int ret = setting ? set_column(t, CFG_T_BRIDGE, br, setting) : -EINVAL;

		json_decref(setting);
		return ret;
	}
	return 0;
}

struct txn_cmd {
	const char *name;
	int (*run)(struct txn *t, json_t **res);
};

static const struct txn_cmd commands[] = {
	{"add-br", cmd_add_br},
	{"del-br", cmd_del_br},
	{"list-br", cmd_list_br},
	{"br-exists", cmd_br_exists},
	{"add-port", cmd_add_port},
	{"del-port", cmd_del_port},
	{"list-ports", cmd_list_ports},
	{"port-to-br", cmd_port_to_br},
	{"list", cmd_list},
	{"get", cmd_get},
	{"set", cmd_set},
	{"clear", cmd_clear},
	{"add", cmd_add_remove},
	{"remove", cmd_add_remove},
	{"find", cmd_find},
	{"set-controller", cmd_set_controller},
	{"del-controller", cmd_bridge_column},
	{"get-controller", cmd_bridge_column},
	{"set-fail-mode", cmd_bridge_column},
	{"del-fail-mode", cmd_bridge_column},
	{"get-fail-mode", cmd_bridge_column},
};

static int
run_one(json_t *doc, const json_t *op, json_t **res, struct cfgdb_err *err)
{
	struct txn t = {.doc = doc, .op = op, .name = "command", .err = err};
	const char *name = json_string_value(json_object_get(op, "op"));

	if (!json_is_object(op) || !name) {
		return txn_fail(&t, "each command is an object with an \"op\" string");
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (!strcmp(commands[i].name, name)) {
			t.name = commands[i].name;
			return commands[i].run(&t, res);
		}
	}
	return txn_fail(&t, "unknown command '%.64s'", name);
}

int
cfgdb_execute(json_t *doc, const json_t *ops, json_t **results, bool *changed,
	      struct cfgdb_err *err)
{
	json_t *before, *op;
	size_t i;
	int ret = 0;

	*results = NULL;
	*changed = false;
	err->op = -1;
	err->msg[0] = '\0';
	if (!json_is_array(ops)) {
		snprintf(err->msg, sizeof err->msg, "the commands must be an array");
		return -EINVAL;
	}
	before = json_deep_copy(doc);
	*results = json_array();
	if (!before || !*results) {
		ret = -ENOMEM;
		goto out;
	}
	json_array_foreach (ops, i, op) {
		json_t *res = NULL;

		ret = run_one(doc, op, &res, err);
		if (ret) {
			err->op = (int)i;
			json_decref(res);
			goto out;
		}
		json_array_append_new(*results, res ? res : json_null());
	}
	ret = cfgdb_validate(doc, err->msg);
	*changed = !json_equal(before, doc);
out:
	if (ret) {
		if (ret == -ENOMEM && !err->msg[0]) {
			snprintf(err->msg, sizeof err->msg, "out of memory");
		}
		json_decref(*results);
		*results = NULL;
	}
	json_decref(before);
	return ret;
}
