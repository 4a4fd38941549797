/* SPDX-License-Identifier: Apache-2.0 */
/*
 * switch-ctl's text output, in the manner of ovs-vsctl and ovs-appctl.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "switch_ctl.h"
#include "util.h"

/* As ovs-vsctl prints strings: bare when they read back as one word (a
 * letter or '_' first, then letters, digits, '_', '-' and '.'; never
 * "true" or "false"), quoted otherwise. */
static bool
needs_quotes(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_') {
		return true;
	}
	for (const char *p = s + 1; *p; p++) {
		if (!isalnum((unsigned char)*p) && !strchr("_-.", *p)) {
			return true;
		}
	}
	return !strcmp(s, "true") || !strcmp(s, "false");
}

/* qsort() order of an array of strings. */
static int
cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of map 'o' in the order ovs-vsctl prints them (sorted); NULL
 * when out of memory. The caller frees the array, not the keys. */
static const char **
sorted_keys(const json_t *o, size_t *n)
{
	const char **keys = malloc((json_object_size(o) + 1) * sizeof *keys);
	const char *k;
	json_t *v;

	*n = 0;
	if (!keys) {
		return NULL;
	}
	json_object_foreach ((json_t *)o, k, v) {
		keys[(*n)++] = k;
	}
	qsort(keys, *n, sizeof *keys, cmp_keys);
	return keys;
}

static void
append(char **buf, size_t *len, const char *s)
{
	size_t n = strlen(s);
	char *p = realloc(*buf, *len + n + 1);

	if (!p) {
		return;
	}
	memcpy(p + *len, s, n + 1);
	*buf = p;
	*len += n;
}

static void
append_scalar(char **buf, size_t *len, const json_t *v)
{
	char tmp[64];

	if (json_is_string(v)) {
		const char *s = json_string_value(v);

		if (needs_quotes(s)) {
			char *q = json_dumps(v, JSON_ENCODE_ANY);

			append(buf, len, q ? q : "\"\"");
			free(q);
		} else {
			append(buf, len, s);
		}
	} else if (json_is_integer(v)) {
		snprintf(tmp, sizeof tmp, "%lld", (long long)json_integer_value(v));
		append(buf, len, tmp);
	} else if (json_is_real(v)) {
		snprintf(tmp, sizeof tmp, "%.2f", json_real_value(v));
		append(buf, len, tmp);
	} else if (json_is_boolean(v)) {
		append(buf, len, json_is_true(v) ? "true" : "false");
	} else {
		append(buf, len, "[]");
	}
}

char *
ctl_format_value(const json_t *v)
{
	char *buf = calloc(1, 1);
	size_t len = 0;

	if (json_is_array(v)) {
		size_t i;
		json_t *e;

		append(&buf, &len, "[");
		json_array_foreach (v, i, e) {
			append(&buf, &len, i ? ", " : "");
			append_scalar(&buf, &len, e);
		}
		append(&buf, &len, "]");
	} else if (json_is_object(v)) {
		size_t n;
		const char **keys = sorted_keys(v, &n);

		append(&buf, &len, "{");
		for (size_t i = 0; keys && i < n; i++) {
			json_t *k = json_string(keys[i]);

			append(&buf, &len, i ? ", " : "");
			append_scalar(&buf, &len, k);
			append(&buf, &len, "=");
			append_scalar(&buf, &len, json_object_get(v, keys[i]));
			json_decref(k);
		}
		free(keys);
		append(&buf, &len, "}");
	} else {
		append_scalar(&buf, &len, v);
	}
	return buf;
}

void
ctl_print_lines(const json_t *result)
{
	size_t i;
	json_t *e;

	json_array_foreach (result, i, e) {
		printf("%s\n", json_string_value(e));
	}
}

void
ctl_print_sorted(const json_t *result)
{
	size_t n = json_array_size(result), i;
	const char **lines = malloc((n + 1) * sizeof *lines);
	json_t *e;

	if (!lines) {
		ctl_print_lines(result);
		return;
	}
	json_array_foreach (result, i, e) {
		lines[i] = json_string_value(e) ? json_string_value(e) : "";
	}
	qsort(lines, n, sizeof *lines, cmp_keys);
	for (i = 0; i < n; i++) {
		printf("%s\n", lines[i]);
	}
	free(lines);
}

void
ctl_print_raw(const json_t *result)
{
	if (json_is_string(result)) {
		fputs(json_string_value(result), stdout);
	}
}

void
ctl_print_vlog(const json_t *result)
{
	size_t i;
	json_t *m;

	printf("%-24s %s\n", "module", "level");
	printf("%-24s %s (log_level)\n", "(default)",
	       json_string_value(json_object_get(result, "default")));
	json_array_foreach (json_object_get(result, "modules"), i, m) {
		printf("%-24s %s\n", json_string_value(json_object_get(m, "module")),
		       json_string_value(json_object_get(m, "level")));
	}
}

void
ctl_print_value(const json_t *result)
{
	if (json_is_string(result)) {
		printf("%s\n", json_string_value(result));
	}
}

void
ctl_print_values(const json_t *result)
{
	size_t i;
	json_t *e;

	json_array_foreach (result, i, e) {
		char *s = ctl_format_value(e);

		printf("%s\n", s);
		free(s);
	}
}

const char *ctl_external_id_key;

void
ctl_print_external_ids(const json_t *result)
{
	const json_t *ids = json_array_get(result, 0);
	const char **keys;
	size_t n;

	if (ctl_external_id_key) {
		const json_t *v = json_object_get(ids, ctl_external_id_key);

		if (json_is_string(v)) {
			printf("%s\n", json_string_value(v));
		}
		return;
	}
	if (json_is_object(ids) && (keys = sorted_keys(ids, &n))) {
		for (size_t i = 0; i < n; i++) {
			printf("%s=%s\n", keys[i],
			       json_string_value(json_object_get(ids, keys[i])));
		}
		free(keys);
	}
}

struct ctl_records_fmt ctl_records_fmt;

/* The columns to print: --columns' (at most 64), else the record's own. */
static size_t
record_columns(const json_t *rec, const char **cols, char *buf, size_t size)
{
	size_t n = 0;

	if (ctl_records_fmt.columns) {
		snprintf(buf, size, "%s", ctl_records_fmt.columns);
		for (char *s = strtok(buf, ","); s && n < 64; s = strtok(NULL, ",")) {
			cols[n++] = s;
		}
		return n;
	}
	for (void *it = json_object_iter((json_t *)rec); it && n < 64;
	     it = json_object_iter_next((json_t *)rec, it)) {
		cols[n++] = json_object_iter_key(it);
	}
	return n;
}

/* A CSV field: quoted when it holds a comma, a quote or a newline. */
static void
put_csv(const char *s)
{
	if (!strpbrk(s, ",\"\n")) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"') {
			putchar('"');
		}
		putchar(*s);
	}
	putchar('"');
}

/* A value as --bare prints it: no quotes, braces or commas; a set's
 * elements and a map's KEY=VALUE pairs apart by spaces. */
static char *
bare_value(const json_t *v)
{
	char *buf = calloc(1, 1), tmp[64];
	size_t len = 0, i, n;
	const char **keys;
	json_t *e;

	if (json_is_string(v)) {
		append(&buf, &len, json_string_value(v));
	} else if (json_is_array(v)) {
		json_array_foreach (v, i, e) {
			char *s = bare_value(e);

			append(&buf, &len, i ? " " : "");
			append(&buf, &len, s ? s : "");
			free(s);
		}
	} else if (json_is_object(v) && (keys = sorted_keys(v, &n))) {
		for (i = 0; i < n; i++) {
			char *s = bare_value(json_object_get(v, keys[i]));

			append(&buf, &len, i ? " " : "");
			append(&buf, &len, keys[i]);
			append(&buf, &len, "=");
			append(&buf, &len, s ? s : "");
			free(s);
		}
		free(keys);
	} else if (json_is_integer(v) || json_is_boolean(v)) {
		if (json_is_integer(v)) {
			snprintf(tmp, sizeof tmp, "%lld", (long long)json_integer_value(v));
		} else {
			snprintf(tmp, sizeof tmp, "%s", json_is_true(v) ? "true" : "false");
		}
		append(&buf, &len, tmp);
	}
	return buf;
}

/* A value as --format=json prints it, in the OVSDB notation ovs-vsctl
 * uses: a set of one is its element, other sets ["set", [...]], maps
 * ["map", [[KEY, VALUE]...]] by key, nothing at all an empty set. */
static json_t *
json_cell(const json_t *v)
{
	const char **keys;
	size_t n;

	if (json_is_null(v) || !v) {
		return json_pack("[s, []]", "set");
	}
	if (json_is_array(v)) {
		return json_array_size(v) == 1 ? json_deep_copy(json_array_get(v, 0))
					       : json_pack("[s, O]", "set", v);
	}
	if (json_is_object(v) && (keys = sorted_keys(v, &n))) {
		json_t *pairs = json_array();

		for (size_t i = 0; i < n; i++) {
			json_array_append_new(
				pairs, json_pack("[s, O]", keys[i], json_object_get(v, keys[i])));
		}
		free(keys);
		return json_pack("[s, o]", "map", pairs);
	}
	return json_deep_copy(v);
}

/* --format=table: each column as wide as its widest cell, a rule of dashes
 * under the headings, one space between columns. */
static void
print_table(const json_t *heads, const json_t *rows)
{
	size_t n = json_array_size(heads), c, r;
	size_t *width = calloc(n ? n : 1, sizeof *width);
	json_t *row, *cell;

	if (!width) {
		return;
	}
	json_array_foreach (heads, c, cell) {
		width[c] = strlen(json_string_value(cell));
	}
	json_array_foreach (rows, r, row) {
		json_array_foreach (row, c, cell) {
			width[c] = VS_MAX(width[c], strlen(json_string_value(cell)));
		}
	}
	for (int pass = 0; pass < 2; pass++) {
		json_array_foreach (heads, c, cell) {
			const char *s = json_string_value(cell);

			if (pass) {
				for (size_t k = 0; k < width[c]; k++) {
					putchar('-');
				}
				fputs(c + 1 < n ? " " : "\n", stdout);
			} else {
				printf("%-*s%s", c + 1 < n ? (int)width[c] : 0, s,
				       c + 1 < n ? " " : "\n");
			}
		}
	}
	json_array_foreach (rows, r, row) {
		json_array_foreach (row, c, cell) {
			printf("%-*s%s", c + 1 < n ? (int)width[c] : 0, json_string_value(cell),
			       c + 1 < n ? " " : "\n");
		}
	}
	free(width);
}

static void
print_csv(const json_t *heads, const json_t *rows)
{
	const json_t *line = heads;
	size_t r = 0, c;
	json_t *cell;

	while (line) {
		json_array_foreach (line, c, cell) {
			fputs(c ? "," : "", stdout);
			put_csv(json_string_value(cell));
		}
		putchar('\n');
		line = json_array_get(rows, r++);
	}
}

/* list and find with --columns, --bare or --format: the headings are the
 * --columns given (even with no record), else the first record's. */
static void
print_formatted(const json_t *result)
{
	const struct ctl_records_fmt *f = &ctl_records_fmt;
	json_t *heads = json_array(), *rows = json_array(), *rec;
	const char *cols[64];
	char buf[1024];
	size_t i, n;

	n = record_columns(json_array_get(result, 0), cols, buf, sizeof buf);
	for (size_t c = 0; c < n; c++) {
		json_array_append_new(heads, json_string(cols[c]));
	}
	json_array_foreach (result, i, rec) {
		json_t *row = json_array();

		for (size_t c = 0; c < n; c++) {
			const json_t *v = json_object_get(rec, cols[c]);
			char *s;

			if (f->format == CTL_FMT_JSON) {
				json_array_append_new(row, json_cell(v));
				continue;
			}
			s = f->bare ? bare_value(v) : ctl_format_value(v ? v : json_null());
			json_array_append_new(row, json_string(s ? s : ""));
			free(s);
		}
		json_array_append_new(rows, row);
	}
	if (f->format == CTL_FMT_JSON) {
		json_t *doc = json_pack("{s:O, s:O}", "data", rows, "headings", heads);
		char *s = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

		puts(s ? s : "{}");
		free(s);
		json_decref(doc);
	} else if (f->format == CTL_FMT_TABLE) {
		print_table(heads, rows);
	} else if (f->format == CTL_FMT_CSV) {
		print_csv(heads, rows);
	} else {
		json_t *row, *cell;
		size_t c;

		json_array_foreach (rows, i, row) {
			fputs(i ? "\n" : "", stdout);
			json_array_foreach (row, c, cell) {
				if (f->bare) {
					printf("%s\n", json_string_value(cell));
				} else {
					printf("%-20s: %s\n",
					       json_string_value(json_array_get(heads, c)),
					       json_string_value(cell));
				}
			}
		}
	}
	json_decref(heads);
	json_decref(rows);
}

void
ctl_print_records(const json_t *result)
{
	const struct ctl_records_fmt *f = &ctl_records_fmt;
	size_t i;
	json_t *rec;

	if (f->columns || f->bare || f->format != CTL_FMT_LIST) {
		print_formatted(result);
		return;
	}
	json_array_foreach (result, i, rec) {
		const char *k;
		json_t *v;

		if (i) {
			printf("\n");
		}
		json_object_foreach ((json_t *)rec, k, v) {
			char *s = ctl_format_value(v);

			printf("%-20s: %s\n", k, s);
			free(s);
		}
	}
}

static void
print_field(int indent, const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	char *s;

	if (!v || json_is_null(v) || (json_is_array(v) && !json_array_size(v))) {
		return;
	}
	s = ctl_format_value(v);
	printf("%*s%s: %s\n", indent, "", key, s);
	free(s);
}

static void
print_counters(int indent, const json_t *st)
{
	printf("%*srx: %lld packets, %lld bytes, %lld dropped, %lld errors\n", indent, "",
	       (long long)json_integer_value(json_object_get(st, "rx_packets")),
	       (long long)json_integer_value(json_object_get(st, "rx_bytes")),
	       (long long)json_integer_value(json_object_get(st, "rx_dropped")),
	       (long long)json_integer_value(json_object_get(st, "rx_errors")));
	printf("%*stx: %lld packets, %lld bytes, %lld dropped, %lld errors\n", indent, "",
	       (long long)json_integer_value(json_object_get(st, "tx_packets")),
	       (long long)json_integer_value(json_object_get(st, "tx_bytes")),
	       (long long)json_integer_value(json_object_get(st, "tx_dropped")),
	       (long long)json_integer_value(json_object_get(st, "tx_errors")));
}

/* "link up, mtu 1500, mac ..." and one line per type-specific fact. */
static void
print_status(int indent, const json_t *s)
{
	const char *key;
	json_t *v;

	if (!json_is_object(s)) {
		return;
	}
	printf("%*slink: %s", indent, "", json_string_value(json_object_get(s, "link")));
	if (json_integer_value(json_object_get(s, "mtu"))) {
		printf(", mtu: %lld", (long long)json_integer_value(json_object_get(s, "mtu")));
	}
	if (json_is_string(json_object_get(s, "mac"))) {
		printf(", mac: %s", json_string_value(json_object_get(s, "mac")));
	}
	printf("\n");
	json_object_foreach ((json_t *)json_object_get(s, "info"), key, v) {
		printf("%*s%s: %s\n", indent, "", key, json_string_value(v));
	}
}

static void
print_show_port(const json_t *p)
{
	json_t *st = json_object_get(p, "stats");

	printf("        Port %s\n", json_string_value(json_object_get(p, "name")));
	print_field(12, p, "vlan_mode");
	print_field(12, p, "tag");
	print_field(12, p, "trunks");
	printf("            Interface %s\n", json_string_value(json_object_get(p, "name")));
	print_field(16, p, "type");
	print_field(16, p, "options");
	print_field(16, p, "mtu_request");
	print_field(16, p, "mac");
	print_field(16, p, "error");
	if (json_object_get(p, "port_no")) {
		printf("                datapath port: %lld\n",
		       (long long)json_integer_value(json_object_get(p, "port_no")));
	}
	print_status(16, json_object_get(p, "status"));
	if (json_is_object(st)) {
		print_counters(16, st);
	}
}

void
ctl_print_ports(const json_t *result)
{
	json_t *br, *p;
	size_t i, j;

	json_array_foreach (json_object_get(result, "bridges"), i, br) {
		json_t *ports = json_object_get(br, "ports");

		printf("%s: %zu ports\n", json_string_value(json_object_get(br, "name")),
		       json_array_size(ports));
		json_array_foreach (ports, j, p) {
			long long ofport =
				(long long)json_integer_value(json_object_get(p, "ofport"));

			if (ofport == 0xfffffffeLL) {
				printf("  port LOCAL: ");
			} else {
				printf("  port %lld: ", ofport);
			}
			printf("%s (%s), datapath port %lld\n",
			       json_string_value(json_object_get(p, "name")),
			       json_string_value(json_object_get(p, "type")),
			       (long long)json_integer_value(json_object_get(p, "port_no")));
			print_status(4, json_object_get(p, "status"));
			print_counters(4, json_object_get(p, "stats"));
		}
	}
}

void
ctl_print_show(const json_t *result)
{
	json_t *br, *p, *c;
	size_t i, j;

	json_array_foreach (json_object_get(result, "bridges"), i, br) {
		printf("    Bridge %s\n", json_string_value(json_object_get(br, "name")));
		json_array_foreach (json_object_get(br, "controllers"), j, c) {
			printf("        Controller \"%s\"\n", json_string_value(c));
		}
		print_field(8, br, "fail_mode");
		print_field(8, br, "datapath_id");
		json_array_foreach (json_object_get(br, "ports"), j, p) {
			print_show_port(p);
		}
	}
}

void
ctl_print_dp_flows(const json_t *result)
{
	json_t *f;
	size_t i;

	json_array_foreach (json_object_get(result, "flows"), i, f) {
		printf("pmd(%lld),%s, packets:%lld, bytes:%lld, used:%.3fs, actions:%s\n",
		       (long long)json_integer_value(json_object_get(f, "pmd")),
		       json_string_value(json_object_get(f, "match")),
		       (long long)json_integer_value(json_object_get(f, "packets")),
		       (long long)json_integer_value(json_object_get(f, "bytes")),
		       (double)json_integer_value(json_object_get(f, "idle_ms")) / 1000.0,
		       json_string_value(json_object_get(f, "actions")));
	}
}

static long long
num(const json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

void
ctl_print_pmd_stats(const json_t *result)
{
	json_t *p, *v;
	const char *k;
	size_t i;

	json_array_foreach (json_object_get(result, "pmds"), i, p) {
		printf("pmd thread %lld (cpu %lld):\n", num(p, "pmd"), num(p, "cpu"));
		printf("  packets received: %lld\n", num(p, "rx_packets"));
		printf("  packets sent: %lld\n", num(p, "tx_packets"));
		printf("  emc hits: %lld\n", num(p, "emc_hits"));
		printf("  emc skipped (hit rate under 5 %%): %lld\n", num(p, "emc_bypassed"));
		printf("  simple match hits: %lld\n", num(p, "simple_hits"));
		printf("  megaflow hits: %lld\n", num(p, "megaflow_hits"));
		printf("    of which the signature-match cache found: %lld\n", num(p, "smc_hits"));
		printf("  avg. subtable lookups per megaflow hit: %.2f\n",
		       json_real_value(json_object_get(p, "avg_subtable_probes")));
		printf("  miss with success upcall: %lld\n",
		       num(p, "upcalls") - num(p, "upcall_failures"));
		printf("  miss with failed upcall: %lld\n", num(p, "upcall_failures"));
		printf("  busy cycles: %lld (%.1f per packet), idle cycles: %lld\n",
		       num(p, "busy_cycles"),
		       json_real_value(json_object_get(p, "busy_cycles_per_packet")),
		       num(p, "idle_cycles"));
		printf("  poll iterations: %lld busy, %lld idle\n", num(p, "busy_iterations"),
		       num(p, "idle_iterations"));
		printf("  processing cycles: %lld (%.1f per packet)\n", num(p, "cycles"),
		       json_real_value(json_object_get(p, "cycles_per_packet")));
		printf("  upcall cycles: %lld (%.1f per upcall)\n", num(p, "upcall_cycles"),
		       json_real_value(json_object_get(p, "cycles_per_upcall")));
		printf("  megaflows: %lld\n", num(p, "flows"));
		json_object_foreach (json_object_get(p, "drops"), k, v) {
			printf("  %s: %lld\n", k, (long long)json_integer_value(v));
		}
	}
}

void
ctl_print_pmd_rxqs(const json_t *result)
{
	json_t *p, *q;
	size_t i, j;

	if (json_object_get(result, "moved")) {
		printf("moved %lld receive queue%s\n", num(result, "moved"),
		       num(result, "moved") == 1 ? "" : "s");
	}
	json_array_foreach (json_object_get(result, "pmds"), i, p) {
		printf("pmd thread %lld (cpu %lld):\n", num(p, "pmd"), num(p, "cpu"));
		json_array_foreach (json_object_get(p, "rxqs"), j, q) {
			printf("  port: %-16s queue-id: %lld%s\n",
			       json_string_value(json_object_get(q, "port")), num(q, "queue"),
			       json_is_true(json_object_get(q, "pinned")) ? " (pinned)" : "");
		}
	}
}

static double
real(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

/* "a (b %)" of a count among 'total'. */
static void
print_share(long long a, long long total)
{
	printf("%lld (%.1f %%)", a, total ? 100.0 * (double)a / (double)total : 0.0);
}

/* A PMD's busy cycles per packet and share by stage. */
static void
print_stages(const json_t *p)
{
	static const char *const stages[] = {"receive", "processing", "sending", "other"};
	const json_t *st = json_object_get(p, "stage_cycles");
	long long rx = num(p, "rx_packets"), busy = num(p, "busy_cycles");

	printf("  busy cycles per packet by stage:");
	for (size_t s = 0; s < sizeof stages / sizeof stages[0]; s++) {
		long long c = num(st, stages[s]);

		printf("%s %s %.1f (%.1f %%)", s ? "," : "", stages[s],
		       rx ? (double)c / (double)rx : 0.0,
		       busy ? 100.0 * (double)c / (double)busy : 0.0);
	}
	printf("\n");
}

void
ctl_print_pmd_perf(const json_t *result)
{
	/* Burst sizes in powers of two, as the histogram prints them. */
	static const int edges[] = {1, 2, 4, 8, 16, 32, 33};
	json_t *p, *q;
	size_t i, j;

	json_array_foreach (json_object_get(result, "pmds"), i, p) {
		const json_t *sizes = json_object_get(p, "burst_sizes");
		long long busy_it = num(p, "busy_iterations"), idle_it = num(p, "idle_iterations");
		long long bursts = num(p, "rx_bursts");

		printf("pmd thread %lld (cpu %lld):\n", num(p, "pmd"), num(p, "cpu"));
		printf("  iterations: %lld busy, %lld idle (%.1f %% busy); idle sleeps: %lld, "
		       "%.1f ms asked\n",
		       busy_it, idle_it,
		       busy_it + idle_it ? 100.0 * (double)busy_it / (double)(busy_it + idle_it)
					 : 0,
		       num(p, "sleeps"), (double)num(p, "sleep_us") / 1000);
		printf("  cycles: %lld busy, %lld idle; %.1f per busy iteration, %.1f per packet\n",
		       num(p, "busy_cycles"), num(p, "idle_cycles"),
		       real(p, "cycles_per_busy_iteration"), real(p, "busy_cycles_per_packet"));
		print_stages(p);
		printf("  packets: %lld received in %lld bursts (%.1f per burst), %lld sent\n",
		       num(p, "rx_packets"), bursts, real(p, "packets_per_burst"),
		       num(p, "tx_packets"));
		printf("  upcalls: %lld (%lld failed), %.0f cycles each\n", num(p, "upcalls"),
		       num(p, "upcall_failures"), real(p, "cycles_per_upcall"));
		printf("  bursts by size:");
		for (size_t e = 0; e + 1 < sizeof edges / sizeof edges[0]; e++) {
			long long n = 0;

			for (int s = edges[e]; s < edges[e + 1]; s++) {
				n += (long long)json_integer_value(
					json_array_get(sizes, (size_t)s - 1));
			}
			if (edges[e + 1] - edges[e] == 1) {
				printf("  %d: ", edges[e]);
			} else {
				printf("  %d-%d: ", edges[e], edges[e + 1] - 1);
			}
			print_share(n, bursts);
		}
		printf("\n  %-16s %5s %12s %12s %12s %7s %8s %6s %11s %11s\n", "rx queue", "queue",
		       "polls", "bursts", "packets", "pkt/bst", "cyc/pkt", "busy%", "tx dropped",
		       "tx retries");
		json_array_foreach (json_object_get(p, "rxqs"), j, q) {
			const json_t *tx = json_object_get(q, "port_tx");

			printf("  %-16s %5lld %12lld %12lld %12lld %7.1f %8.1f %6.1f %11lld "
			       "%11lld\n",
			       json_string_value(json_object_get(q, "port")), num(q, "queue"),
			       num(q, "polls"), num(q, "bursts"), num(q, "packets"),
			       real(q, "packets_per_burst"), real(q, "cycles_per_packet"),
			       100 * real(q, "busy_share"), num(tx, "dropped"), num(tx, "retries"));
		}
	}
}

void
ctl_print_flows(const json_t *result)
{
	size_t i;
	json_t *f;

	json_array_foreach (json_object_get(result, "flows"), i, f) {
		printf(" %s\n", json_string_value(json_object_get(f, "text")));
	}
}

void
ctl_print_tables(const json_t *result)
{
	const json_t *mf = json_object_get(result, "megaflows");
	size_t i;
	json_t *t;

	json_array_foreach (json_object_get(result, "tables"), i, t) {
		printf("  table %lld: active=%lld, lookup=%lld, matched=%lld\n",
		       json_integer_value(json_object_get(t, "table")),
		       json_integer_value(json_object_get(t, "active")),
		       json_integer_value(json_object_get(t, "lookups")),
		       json_integer_value(json_object_get(t, "matches")));
	}
	printf("  megaflow records: %lld, sweeps: %lld, revalidated: %lld, deleted: %lld, "
	       "packet-ins: %lld\n",
	       json_integer_value(json_object_get(mf, "records")),
	       json_integer_value(json_object_get(mf, "sweeps")),
	       json_integer_value(json_object_get(mf, "revalidated")),
	       json_integer_value(json_object_get(mf, "deleted")),
	       json_integer_value(json_object_get(mf, "packet_ins")));
}

void
ctl_print_trace(const json_t *result)
{
	fputs(json_string_value(json_object_get(result, "trace")), stdout);
}

void
ctl_print_fdb(const json_t *result)
{
	const json_t *st = json_object_get(result, "stats");
	const char *name;
	size_t i;
	json_t *e, *v;

	printf(" port  VLAN  MAC                Age\n");
	json_array_foreach (json_object_get(result, "entries"), i, e) {
		printf("%5lld  %4lld  %s  %3lld\n", json_integer_value(json_object_get(e, "port")),
		       json_integer_value(json_object_get(e, "vlan")),
		       json_string_value(json_object_get(e, "mac")),
		       json_integer_value(json_object_get(e, "age")));
	}
	printf("entries: %lld of %lld, aging time %llds; learned %lld, moved %lld, evicted %lld, "
	       "aged %lld\n",
	       json_integer_value(json_object_get(st, "entries")),
	       json_integer_value(json_object_get(st, "max_entries")),
	       json_integer_value(json_object_get(st, "aging_time")),
	       json_integer_value(json_object_get(st, "learned")),
	       json_integer_value(json_object_get(st, "moved")),
	       json_integer_value(json_object_get(st, "evicted")),
	       json_integer_value(json_object_get(st, "aged")));
	json_object_foreach ((json_t *)json_object_get(result, "vlan_drops"), name, v) {
		if (json_integer_value(v)) {
			printf("VLAN drops on %s: %lld\n", name, json_integer_value(v));
		}
	}
}

/* One bridge of ofstate.show / ofstate.save. */
void
ctl_print_ofstate_one(const json_t *b)
{
	const json_t *snap = json_object_get(b, "snapshot"), *log = json_object_get(b, "log");
	const char *name = json_string_value(json_object_get(b, "bridge"));
	const char *reason = json_string_value(json_object_get(b, "reason"));
	size_t i;
	json_t *v;

	if (!json_object_get(b, "dir")) {
		printf("bridge %s: not kept: %s\n", name, reason ? reason : "?");
		return;
	}
	if (json_is_true(json_object_get(b, "kept"))) {
		printf("bridge %s: kept in %s\n", name,
		       json_string_value(json_object_get(b, "dir")));
	} else {
		printf("bridge %s: not kept: %s\n", name, reason ? reason : "?");
	}
	printf("  snapshot: %s, %lld records, %lld bytes\n",
	       json_string_value(json_object_get(snap, "path")), num(snap, "records"),
	       num(snap, "bytes"));
	printf("  log: %s, %lld records, %lld bytes (compacted %lld times since start)\n",
	       json_string_value(json_object_get(log, "path")), num(log, "records"),
	       num(log, "bytes"), num(b, "compactions"));
	printf("  restored at start: %lld records", num(b, "restored"));
	if (num(b, "refused")) {
		printf(", %lld refused (see the log)", num(b, "refused"));
	}
	printf("\n  port numbers remembered: %lld\n", num(b, "port_numbers"));
	json_array_foreach (json_object_get(b, "set_aside"), i, v) {
		printf("  set aside at start (corrupt): %s\n", json_string_value(v));
	}
	if (json_is_true(json_object_get(b, "write_failed"))) {
		printf("  the last write failed (see the log): changes wait in memory\n");
	}
}

void
ctl_print_ofstate(const json_t *result)
{
	size_t i;
	json_t *b;

	json_array_foreach (json_object_get(result, "bridges"), i, b) {
		ctl_print_ofstate_one(b);
	}
}
