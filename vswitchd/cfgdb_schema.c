/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The columns of the configuration database's four tables, the checks on
 * their values, and the conversion of command-line text into typed values
 * (the ovs-vsctl syntax: "10,20", "[a,b]", "{k=v,k2=v2}").
 */
#include "cfgdb_schema.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockperm.h"
#include "util.h"

static int
check_cpu_mask(const json_t *v, char *err, size_t size)
{
	const char *s = json_string_value(v);
	char *end;
	unsigned long long mask;

	errno = 0;
	mask = strtoull(s, &end, 16);
	if (!*s || *end || errno || mask == 0 || s[0] == '-') {
		snprintf(err, size, "'%s' is not a non-zero hexadecimal CPU mask (e.g. 0x2)", s);
		return -EINVAL;
	}
	return 0;
}

static int
check_abs_path(const json_t *v, char *err, size_t size)
{
	const char *s = json_string_value(v);

	if (s[0] != '/') {
		snprintf(err, size, "'%s' is not an absolute path", s);
		return -EINVAL;
	}
	return 0;
}

static int
check_mode(const json_t *v, char *err, size_t size)
{
	struct sockperm sp;

	return sockperm_parse(&sp, NULL, NULL, json_string_value(v), err, size);
}

/* DPDK 22.11's EAL options: 1 takes an argument, 0 none, 2 only as
 * --name=value. */
static const struct {
	const char *name;
	int arg;
} eal_options[] = {
	{"-a", 1},
	{"-b", 1},
	{"-c", 1},
	{"-d", 1},
	{"-l", 1},
	{"-m", 1},
	{"-n", 1},
	{"-r", 1},
	{"-s", 1},
	{"-v", 0},
	{"--allow", 1},
	{"--base-virtaddr", 1},
	{"--block", 1},
	{"--create-uio-dev", 0},
	{"--file-prefix", 1},
	{"--force-max-simd-bitwidth", 1},
	{"--huge-dir", 1},
	{"--huge-unlink", 2},
	{"--huge-worker-stack", 2},
	{"--in-memory", 0},
	{"--iova-mode", 1},
	{"--lcores", 1},
	{"--legacy-mem", 0},
	{"--log-level", 1},
	{"--main-lcore", 1},
	{"--match-allocations", 0},
	{"--mbuf-pool-ops-name", 1},
	{"--no-hpet", 0},
	{"--no-huge", 0},
	{"--no-pci", 0},
	{"--no-shconf", 0},
	{"--no-telemetry", 0},
	{"--proc-type", 1},
	{"--service-corelist", 1},
	{"--service-coremask", 1},
	{"--single-file-segments", 0},
	{"--socket-limit", 1},
	{"--socket-mem", 1},
	{"--syslog", 2},
	{"--telemetry", 0},
	{"--trace", 1},
	{"--trace-bufsz", 1},
	{"--trace-dir", 1},
	{"--trace-mode", 1},
	{"--vdev", 1},
	{"--vfio-intr", 1},
	{"--vfio-vf-token", 1},
};

/* eal_args: DPDK stops the daemon's start on an option it does not know,
 * so a bad one is refused here, before it is saved. */
static int
check_eal_args(const json_t *v, char *err, size_t size)
{
	char buf[1024], *save = NULL, *tok;
	const char *s = json_string_value(v);

	if (strlen(s) >= sizeof buf) {
		snprintf(err, size, "eal_args: longer than %zu characters", sizeof buf - 1);
		return -EINVAL;
	}
	snprintf(buf, sizeof buf, "%s", s);
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		size_t len = strcspn(tok, "=");
		int arg = -1;

		for (size_t i = 0; i < sizeof eal_options / sizeof eal_options[0]; i++) {
			if (strlen(eal_options[i].name) == len &&
			    !strncmp(eal_options[i].name, tok, len)) {
				arg = eal_options[i].arg;
			}
		}
		if (arg < 0) {
			snprintf(
				err, size,
				"eal_args: '%.100s' is not a DPDK EAL option (DPDK would refuse to "
				"start)",
				tok);
			return -EINVAL;
		}
		if ((arg == 0 && tok[len]) ||
		    (arg == 1 && !tok[len] && !strtok_r(NULL, " \t", &save))) {
			snprintf(err, size, "eal_args: %.*s %s", (int)len, tok,
				 arg ? "needs a value" : "takes no value");
			return -EINVAL;
		}
	}
	return 0;
}

static int
check_mac(const json_t *v, char *err, size_t size)
{
	const char *s = json_string_value(v);
	unsigned int b[6];
	int n = 0;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &n) !=
		    6 ||
	    (size_t)n != strlen(s) || n != 17) {
		snprintf(err, size, "'%s' is not a MAC address (xx:xx:xx:xx:xx:xx)", s);
		return -EINVAL;
	}
	if (b[0] & 1) {
		snprintf(err, size, "'%s' is a multicast MAC address", s);
		return -EINVAL;
	}
	return 0;
}

static int
check_dpid(const json_t *v, char *err, size_t size)
{
	const char *s = json_string_value(v);
	size_t len = strlen(s);

	for (size_t i = 0; i < len; i++) {
		if (!isxdigit((unsigned char)s[i])) {
			len = 0;
			break;
		}
	}
	if (len != 16) {
		snprintf(err, size, "'%s' is not a datapath id of 16 hexadecimal digits", s);
		return -EINVAL;
	}
	return 0;
}

static bool
parse_port_num(const char *s, bool allow_zero)
{
	char *end;
	long p;

	errno = 0;
	p = strtol(s, &end, 10);
	return *s && !*end && !errno && p >= (allow_zero ? 0 : 1) && p <= 65535 &&
	       isdigit((unsigned char)s[0]);
}

static bool
ip_valid(const char *s)
{
	char buf[64];
	unsigned char addr[16];
	size_t len = strlen(s);

	if (len >= 2 && s[0] == '[' && s[len - 1] == ']' && len - 2 < sizeof buf) {
		memcpy(buf, s + 1, len - 2);
		buf[len - 2] = '\0';
		return inet_pton(AF_INET6, buf, addr) == 1;
	}
	return inet_pton(AF_INET, s, addr) == 1;
}

/* "tcp:HOST:PORT", "ptcp:PORT[:ADDR]", "unix:PATH", "punix:PATH", and with
 * TLS "ssl:HOST:PORT", "pssl:PORT[:ADDR]". */
static bool
target_valid(const char *t)
{
	char buf[128];
	char *colon;

	if (!strncmp(t, "ssl:", 4) || !strncmp(t, "pssl:", 5)) {
		snprintf(buf, sizeof buf, "%s", t[0] == 's' ? "tcp:" : "ptcp:");
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s",
			 t + (t[0] == 's' ? 4 : 5));
		return strlen(t) < sizeof buf - 1 && target_valid(buf);
	}
	if (!strncmp(t, "unix:", 5) || !strncmp(t, "punix:", 6)) {
		const char *path = t + (t[0] == 'u' ? 5 : 6);

		return path[0] == '/' && strlen(path) < 108; /* sun_path */
	}
	if (strlen(t) >= sizeof buf) {
		return false;
	}
	if (!strncmp(t, "tcp:", 4)) {
		snprintf(buf, sizeof buf, "%s", t + 4);
		colon = strrchr(buf, ':');
		if (!colon) {
			return false;
		}
		*colon = '\0';
		return ip_valid(buf) && parse_port_num(colon + 1, false);
	}
	if (!strncmp(t, "ptcp:", 5)) {
		snprintf(buf, sizeof buf, "%s", t + 5);
		colon = strchr(buf, ':');
		if (colon) {
			*colon = '\0';
			if (!ip_valid(colon + 1)) {
				return false;
			}
		}
		return parse_port_num(buf, true);
	}
	return false;
}

static int
check_targets(const json_t *v, char *err, size_t size)
{
	size_t i;
	json_t *t;

	json_array_foreach (v, i, t) {
		if (!target_valid(json_string_value(t))) {
			snprintf(err, size,
				 "'%s' is not a controller target (tcp:IP:PORT, ptcp:PORT[:IP], "
				 "ssl:IP:PORT, pssl:PORT[:IP], unix:PATH, punix:PATH)",
				 json_string_value(t));
			return -EINVAL;
		}
	}
	return 0;
}

static const char *const log_levels[] = {"err", "warn", "info", "dbg", NULL};
static const char *const fail_modes[] = {"standalone", "secure", NULL};
static const char *const vlan_modes[] = {"access", "trunk", "native-tagged", "native-untagged",
					 NULL};

static const struct cfg_column global_cols[] = {
	{"pmd_cpu_mask", CFG_STRING, 0, 0, NULL, check_cpu_mask, false},
	{"eal_memory_mb", CFG_INT, 64, 1 << 20, NULL, NULL, false},
	{"eal_args", CFG_STRING, 0, 0, NULL, check_eal_args, false},
	{"emc_entries", CFG_INT, 0, 1 << 20, NULL, NULL, false},
	{"emc_insert_inv_prob", CFG_INT, 0, 1000000000, NULL, NULL, false},
	{"upcall_rate_limit", CFG_INT, 0, 100000000, NULL, NULL, false},
	{"upcall_burst", CFG_INT, 1, 100000000, NULL, NULL, false},
	{"pmd_max_sleep_us", CFG_INT, 0, 10000, NULL, NULL, false},
	{"tx_flush_interval_us", CFG_INT, 0, 1000000, NULL, NULL, false}, /* DP_TX_FLUSH_MAX_US */
	{"listener_max_conns", CFG_INT, 1, 65536, NULL, NULL, false},
	{"metrics_address", CFG_STRING, 0, 0, NULL, NULL, false},
	{"socket_owner", CFG_STRING, 0, 0, NULL, NULL, false},
	{"socket_group", CFG_STRING, 0, 0, NULL, NULL, false},
	{"socket_mode", CFG_STRING, 0, 0, NULL, check_mode, false},
	{"ssl_private_key", CFG_STRING, 0, 0, NULL, check_abs_path, false},
	{"ssl_certificate", CFG_STRING, 0, 0, NULL, check_abs_path, false},
	{"ssl_ca_cert", CFG_STRING, 0, 0, NULL, check_abs_path, false},
	{"log_level", CFG_ENUM, 0, 0, log_levels, NULL, false},
};

/* cfg_column_is_tags(): any keys, kept as written. */
#define TAG_COLUMNS                                              \
	{"external_ids", CFG_MAP, 0, 0, NULL, NULL, false},      \
	{                                                        \
		"other_config", CFG_MAP, 0, 0, NULL, NULL, false \
	}

static const struct cfg_column bridge_cols[] = {
	{"fail_mode", CFG_ENUM, 0, 0, fail_modes, NULL, false},
	{"controllers", CFG_STR_SET, 0, 0, NULL, check_targets, false},
	{"datapath_id", CFG_STRING, 0, 0, NULL, check_dpid, false},
	{"mac_aging_time", CFG_INT, 1, 86400, NULL, NULL, false},
	{"mac_table_size", CFG_INT, 16, 1 << 20, NULL, NULL, false},
	TAG_COLUMNS,
};

static const struct cfg_column port_cols[] = {
	{"vlan_mode", CFG_ENUM, 0, 0, vlan_modes, NULL, false},
	{"tag", CFG_INT, 0, 4095, NULL, NULL, false},
	{"trunks", CFG_INT_SET, 0, 4095, NULL, NULL, false},
	TAG_COLUMNS,
};

static const struct cfg_column iface_cols[] = {
	{"type", CFG_STRING, 0, 0, NULL, NULL, false},
	{"options", CFG_MAP, 0, 0, NULL, NULL, false},
	{"mtu_request", CFG_INT, 68, 9000, NULL, NULL, false},
	{"mac", CFG_STRING, 0, 0, NULL, check_mac, false},
	{"ofport_request", CFG_INT, 1, 65279, NULL, NULL, false},
	{"ofport", CFG_INT, 1, 65534, NULL, NULL, true},
	TAG_COLUMNS,
};

const struct cfg_table cfg_tables[CFG_T__MAX] = {
	[CFG_T_GLOBAL] = {"global", NULL, global_cols, ARRAY_SIZE(global_cols)},
	[CFG_T_BRIDGE] = {"bridge", "ports", bridge_cols, ARRAY_SIZE(bridge_cols)},
	[CFG_T_PORT] = {"port", "interfaces", port_cols, ARRAY_SIZE(port_cols)},
	[CFG_T_IFACE] = {"interface", NULL, iface_cols, ARRAY_SIZE(iface_cols)},
};

const struct cfg_column *
cfg_column_find(enum cfg_table_id table, const char *name)
{
	const struct cfg_table *t = &cfg_tables[table];

	for (size_t i = 0; i < t->n_cols; i++) {
		if (!strcmp(t->cols[i].name, name)) {
			return &t->cols[i];
		}
	}
	return NULL;
}

static int
check_int(const struct cfg_column *col, const json_t *v, char *err, size_t size)
{
	long long x;

	if (!json_is_integer(v)) {
		snprintf(err, size, "%s must be an integer", col->name);
		return -EINVAL;
	}
	x = json_integer_value(v);
	if (x < col->min || x > col->max) {
		snprintf(err, size, "%s %lld is outside %lld-%lld", col->name, x, col->min,
			 col->max);
		return -EINVAL;
	}
	return 0;
}

static int
check_enum(const struct cfg_column *col, const json_t *v, char *err, size_t size)
{
	char list[128] = "";

	for (const char *const *e = col->enums; *e; e++) {
		if (!strcmp(*e, json_string_value(v))) {
			return 0;
		}
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
			 e == col->enums ? "" : ", ", *e);
	}
	snprintf(err, size, "%s '%s' is not one of: %s", col->name, json_string_value(v), list);
	return -EINVAL;
}

static int
check_set(const struct cfg_column *col, const json_t *v, char *err, size_t size)
{
	size_t i, j;
	json_t *e, *f;

	if (!json_is_array(v)) {
		snprintf(err, size, "%s must be an array", col->name);
		return -EINVAL;
	}
	json_array_foreach (v, i, e) {
		if (col->type == CFG_INT_SET) {
			if (check_int(col, e, err, size)) {
				return -EINVAL;
			}
		} else if (!json_is_string(e)) {
			snprintf(err, size, "%s must hold strings", col->name);
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			f = json_array_get(v, j);
			if (json_equal(e, f)) {
				snprintf(err, size, "%s holds a value twice", col->name);
				return -EINVAL;
			}
		}
	}
	return 0;
}

static int
check_map(const struct cfg_column *col, const json_t *v, char *err, size_t size)
{
	const char *k;
	json_t *e;

	if (!json_is_object(v)) {
		snprintf(err, size, "%s must be an object", col->name);
		return -EINVAL;
	}
	json_object_foreach ((json_t *)v, k, e) {
		if (!json_is_string(e) || !*k) {
			snprintf(err, size, "%s:%s must be a string with a non-empty key",
				 col->name, k);
			return -EINVAL;
		}
	}
	return 0;
}

int
cfg_column_check(const struct cfg_column *col, const json_t *v, char *err, size_t size)
{
	int ret = 0;

	switch (col->type) {
	case CFG_STRING:
	case CFG_ENUM:
		if (!json_is_string(v)) {
			snprintf(err, size, "%s must be a string", col->name);
			return -EINVAL;
		}
		ret = col->type == CFG_ENUM ? check_enum(col, v, err, size) : 0;
		break;
	case CFG_INT:
		ret = check_int(col, v, err, size);
		break;
	case CFG_INT_SET:
	case CFG_STR_SET:
		ret = check_set(col, v, err, size);
		break;
	case CFG_MAP:
		ret = check_map(col, v, err, size);
		break;
	}
	if (!ret && col->check) {
		ret = col->check(v, err, size);
	}
	return ret;
}

static json_t *
parse_int(const struct cfg_column *col, const char *s, char *err, size_t size)
{
	char *end;
	long long x;

	errno = 0;
	x = strtoll(s, &end, 0);
	if (!*s || *end || errno) {
		snprintf(err, size, "%s: '%s' is not an integer", col->name, s);
		return NULL;
	}
	return json_integer(x);
}

/* Splits "a,b,c", "[a,b]" or "[]" into a new array of elements. */
static json_t *
parse_set(const struct cfg_column *col, const char *text, char *err, size_t size)
{
	json_t *set = json_array();
	char *copy = strdup(text), *s = copy, *tok, *save = NULL;
	size_t len;

	if (!copy || !set) {
		snprintf(err, size, "out of memory");
		free(copy);
		json_decref(set);
		return NULL;
	}
	len = strlen(s);

	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		s[len - 1] = '\0';
		s++;
	}
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (isspace((unsigned char)*tok)) {
			tok++;
		}
		json_t *e = col->type == CFG_INT_SET ? parse_int(col, tok, err, size)
						     : json_string(tok);
		if (!e || json_array_append_new(set, e)) {
			json_decref(set);
			set = NULL;
			if (!e && col->type != CFG_INT_SET) {
				snprintf(err, size, "%s: '%s' is not valid UTF-8", col->name, tok);
			}
			break;
		}
	}
	free(copy);
	if (set && col->type == CFG_INT_SET) {
		cfg_int_set_normalize(set);
	}
	return set;
}

/* "{k=v,k2=v2}" or "{}". */
static json_t *
parse_map(const struct cfg_column *col, const char *text, char *err, size_t size)
{
	json_t *map = json_object();
	size_t len = strlen(text);
	char *copy, *tok, *save = NULL;

	if (len < 2 || text[0] != '{' || text[len - 1] != '}') {
		snprintf(err, size, "%s: '%s' is not a map ({key=value,...})", col->name, text);
		json_decref(map);
		return NULL;
	}
	copy = strndup(text + 1, len - 2);
	if (!copy) {
		snprintf(err, size, "out of memory");
		json_decref(map);
		return NULL;
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq || eq == tok ||
		    json_object_set_new(map, (*eq = '\0', tok), json_string(eq + 1))) {
			snprintf(err, size, "%s: '%s' is not key=value", col->name, tok);
			json_decref(map);
			map = NULL;
			break;
		}
	}
	free(copy);
	return map;
}

json_t *
cfg_column_parse(const struct cfg_column *col, const char *text, char *err, size_t size)
{
	json_t *v = NULL;
	size_t len = strlen(text);

	switch (col->type) {
	case CFG_STRING:
	case CFG_ENUM:
		if (len >= 2 && text[0] == '"' && text[len - 1] == '"') {
			v = json_stringn(text + 1, len - 2);
		} else {
			v = json_string(text);
		}
		if (!v) {
			snprintf(err, size, "%s: the value is not valid UTF-8", col->name);
		}
		return v;
	case CFG_INT:
		return parse_int(col, text, err, size);
	case CFG_INT_SET:
	case CFG_STR_SET:
		return parse_set(col, text, err, size);
	case CFG_MAP:
		return parse_map(col, text, err, size);
	}
	return NULL;
}

static int
cmp_int(const void *a, const void *b)
{
	json_int_t x = json_integer_value(*(json_t *const *)a);
	json_int_t y = json_integer_value(*(json_t *const *)b);

	return (x > y) - (x < y);
}

void
cfg_int_set_normalize(json_t *set)
{
	size_t n = json_array_size(set), out = 0;
	json_t **v = calloc(n ? n : 1, sizeof *v);

	if (!v) {
		return;
	}
	for (size_t i = 0; i < n; i++) {
		v[i] = json_incref(json_array_get(set, i));
		if (!json_is_integer(v[i])) {
			for (size_t j = 0; j <= i; j++) {
				json_decref(v[j]);
			}
			free(v);
			return; /* validation reports it */
		}
	}
	qsort(v, n, sizeof *v, cmp_int);
	json_array_clear(set);
	for (size_t i = 0; i < n; i++) {
		if (out &&
		    json_integer_value(v[i]) == json_integer_value(json_array_get(set, out - 1))) {
			json_decref(v[i]);
			continue;
		}
		json_array_append_new(set, v[i]);
		out++;
	}
	free(v);
}

bool
cfg_name_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > 15 || name[0] == '-' || !strcmp(name, ".") || !strcmp(name, "..")) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!isalnum(c) && c != '_' && c != '-' && c != '.') {
			return false;
		}
	}
	return true;
}
