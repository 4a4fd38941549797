/* SPDX-License-Identifier: Apache-2.0 */
/*
 * switch-ctl add-flows BRIDGE FILE: a flow file of any size, sent in parts
 * that each fit a request. Every part is first checked (parsed by the
 * switch, nothing added), so that a bad line anywhere is named by its line
 * number and nothing is installed; then the parts are added, with a
 * progress line when standard error is a terminal.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "switch_ctl.h"

enum {
	PART_FLOWS = 5000,       /* flows per request */
	PART_BYTES = 512 * 1024, /* and about this much text (requests stop at 1 MiB) */
};

struct flow_file {
	json_t *flows; /* strings */
	int *lines;    /* each one's line number */
	size_t n, cap;
};

static void
append(struct flow_file *ff, const char *name, const char *text, int lineno)
{
	json_t *s = json_string(text);

	if (!s) {
		fatal(1, "%s:%d: not valid UTF-8", name, lineno);
	}
	if (ff->n == ff->cap) {
		ff->cap = ff->cap ? ff->cap * 2 : 1024;
		ff->lines = realloc(ff->lines, ff->cap * sizeof *ff->lines);
		if (!ff->lines) {
			fatal(1, "out of memory");
		}
	}
	if (json_array_append_new(ff->flows, s)) {
		fatal(1, "out of memory");
	}
	ff->lines[ff->n++] = lineno;
}

/* One flow per line ("-": standard input); blank lines and lines starting
 * with # are skipped. */
static void
read_flows(const char *name, struct flow_file *ff)
{
	FILE *f = strcmp(name, "-") ? fopen(name, "r") : stdin;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0;

	if (!f) {
		fatal(1, "%s: %s", name, strerror(errno));
	}
	ff->flows = json_array();
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *p = line;

		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
			line[--len] = '\0';
		}
		while (*p == ' ' || *p == '\t') {
			p++;
		}
		if (*p && *p != '#') {
			append(ff, name, p, lineno);
		}
	}
	free(line);
	if (ferror(f)) {
		fatal(1, "%s: %s", name, strerror(errno));
	}
	if (f != stdin) {
		fclose(f);
	}
	if (!ff->n) {
		fatal(1, "%s: no flows in it", name);
	}
}

/* The end of the part that starts at flow 'from'. */
static size_t
part_end(const struct flow_file *ff, size_t from)
{
	size_t to = from, bytes = 0;

	while (to < ff->n && to - from < PART_FLOWS && bytes < PART_BYTES) {
		bytes += strlen(json_string_value(json_array_get(ff->flows, to))) + 4;
		to++;
	}
	return to;
}

static json_t *
part(const struct flow_file *ff, const char *bridge, size_t from, size_t to, bool check)
{
	json_t *flows = json_array();

	for (size_t i = from; i < to; i++) {
		json_array_append(flows, json_array_get(ff->flows, i));
	}
	return json_pack("{s:s, s:o, s:b}", "bridge", bridge, "flows", flows, "check", check);
}

static void
progress(const char *what, size_t done, size_t n, bool tty)
{
	if (tty) {
		fprintf(stderr, "\r%s %zu of %zu flows", what, done, n);
		if (done == n) {
			fputc('\n', stderr);
		}
	}
}

/* Frees what is held (so that a leak checker stays quiet), then exits with
 * 'msg'. */
static void __attribute__((noreturn)) give_up(struct flow_file *ff, json_t *resp, const char *msg)
{
	json_decref(resp);
	json_decref(ff->flows);
	free(ff->lines);
	fatal(1, "%s", msg);
}

int
ctl_add_flows(const struct opts *o, int argc, char **argv)
{
	char msg[CTL_ERR_MAX];
	struct flow_file ff = {0};
	bool tty = isatty(STDERR_FILENO);
	size_t from, to;

	if (argc != 2) {
		fatal(1, "add-flows: expected BRIDGE FILE");
	}
	read_flows(argv[1], &ff);
	for (from = 0; from < ff.n; from = to) {
		json_t *resp, *res;

		to = part_end(&ff, from);
		resp = ctl_call(o, "flow.add", part(&ff, argv[0], from, to, true));
		res = ctl_result(resp);
		if (json_object_get(res, "bad")) {
			size_t bad = (size_t)json_integer_value(json_object_get(res, "bad"));

			if (tty && from) {
				fputc('\n', stderr);
			}
			snprintf(msg, sizeof msg, "%s:%d: %s (no flow was added)", argv[1],
				 ff.lines[from + bad - 1],
				 json_string_value(json_object_get(res, "reason")));
			give_up(&ff, resp, msg);
		}
		json_decref(resp);
		progress("checked", to, ff.n, tty);
	}
	for (from = 0; from < ff.n; from = to) {
		json_t *resp, *error;

		to = part_end(&ff, from);
		resp = ctl_call(o, "flow.add", part(&ff, argv[0], from, to, false));
		error = json_object_get(resp, "error");
		if (error) {
			/* Checked flows the switch still refused (a full table, an
			 * overlap): say where, and how much went in. */
			if (tty && from) {
				fputc('\n', stderr);
			}
			snprintf(msg, sizeof msg,
				 "%s: in the part from line %d: %s; the %zu flows before that part "
				 "were added",
				 argv[1], ff.lines[from],
				 json_string_value(json_object_get(error, "message")), from);
			give_up(&ff, resp, msg);
		}
		json_decref(resp);
		progress("added", to, ff.n, tty);
	}
	if (o->json) {
		printf("{\"added\": %zu}\n", ff.n);
	}
	json_decref(ff.flows);
	free(ff.lines);
	return 0;
}
