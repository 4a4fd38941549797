/* SPDX-License-Identifier: Apache-2.0 */
/*
 * switch-ctl: the command line of vswitch. Parses ovs-vsctl-style command
 * lines (several commands joined by "--" form one transaction), sends them
 * to vswitchd's control socket as JSON-RPC, and prints the answers as text
 * or, with --json, as JSON.
 */
#include "switch_ctl.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "jsonrpc.h"

enum { MAX_COMMANDS = 64, RESPONSE_MAX = 64 << 20 };

struct cmd {
	const struct ctl_command *def;
	json_t *op;            /* CTL_DB: the command object */
	const char *print_key; /* br-get-external-id's KEY, for its printer */
};

void
fatal(int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "switch-ctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(status);
}

static void usage(void) __attribute__((noreturn));

static void
usage(void)
{
	printf("usage: switch-ctl [OPTIONS] COMMAND [ARG...] [-- COMMAND [ARG...]]...\n"
	       "Configures and inspects a running vswitchd. Commands joined by -- run as\n"
	       "one transaction: all of them take effect, or none.\n\n"
	       "Options:\n"
	       "  --ctl=SOCKET     vswitchd's control socket (default $VSWITCH_CTL, else\n"
	       "                   /run/vswitch/vswitchd.sock)\n"
	       "  --json           print results as JSON\n"
	       "  --columns=COLS   list and find: only these columns (comma-separated)\n"
	       "  --bare           list and find: values only\n"
	       "  --format=FMT     list and find: list (default), table, csv or json\n"
	       "  --timeout=SECS   give up after SECS seconds (default 30; 0: wait forever)\n"
	       "  --help, --version\n\n"
	       "Commands (TABLE is global, bridge, port or interface):\n");
	ctl_commands_usage();
	printf("  capture PORT [-w FILE|-] [-c COUNT] [-s SNAPLEN] [FILTER...]\n");
	printf("  wait-until TABLE RECORD [COLUMN[:KEY]=VALUE]...\n");
	printf("\nSee docs/switch-ctl.md for every command, column and example.\n");
	exit(0);
}

/* The value of option 'name' at argv[*i] ("--name=V" or "--name V"), or
 * NULL if argv[*i] is another option. */
static const char *
opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t len = strlen(name);

	if (strncmp(argv[*i], name, len)) {
		return NULL;
	}
	if (argv[*i][len] == '=') {
		return argv[*i] + len + 1;
	}
	if (argv[*i][len] || *i + 1 >= argc) {
		if (!argv[*i][len]) {
			fatal(1, "%s needs a value", name);
		}
		return NULL;
	}
	return argv[++*i];
}

/* Global options come before the first command; per-command options such
 * as --may-exist are left for parse_command(). Returns the index of the
 * first word that is not a global option. */
static int
parse_global(int argc, char **argv, struct opts *o)
{
	const char *v;
	char *end;
	int i;

	o->ctl = getenv("VSWITCH_CTL") ? getenv("VSWITCH_CTL") : "/run/vswitch/vswitchd.sock";
	o->timeout_s = 30;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage();
		} else if (!strcmp(argv[i], "--version")) {
			printf("switch-ctl %s\n", VSWITCH_VERSION);
			exit(0);
		} else if (!strcmp(argv[i], "--json")) {
			o->json = true;
		} else if (!strcmp(argv[i], "--bare")) {
			ctl_records_fmt.bare = true;
		} else if ((v = opt_value(argc, argv, &i, "--columns"))) {
			ctl_records_fmt.columns = v;
		} else if ((v = opt_value(argc, argv, &i, "--format"))) {
			if (!strcmp(v, "table")) {
				ctl_records_fmt.format = CTL_FMT_TABLE;
			} else if (!strcmp(v, "csv")) {
				ctl_records_fmt.format = CTL_FMT_CSV;
			} else if (!strcmp(v, "json")) {
				ctl_records_fmt.format = CTL_FMT_JSON;
			} else if (!strcmp(v, "list")) {
				ctl_records_fmt.format = CTL_FMT_LIST;
			} else {
				fatal(1, "--format: '%s' is not list, table, csv or json", v);
			}
		} else if ((v = opt_value(argc, argv, &i, "--ctl"))) {
			o->ctl = v;
		} else if ((v = opt_value(argc, argv, &i, "--timeout"))) {
			o->timeout_s = (int)strtol(v, &end, 10);
			if (!*v || *end || o->timeout_s < 0) {
				fatal(1, "--timeout: '%s' is not a number of seconds", v);
			}
		} else if (!strcmp(argv[i], "--")) {
			return i + 1;
		} else {
			break; /* a command's own option, or unknown: parse_command says */
		}
	}
	return i;
}

/* Parses one command: [--may-exist|--if-exists]... NAME ARGS. */
static void
parse_command(char **words, int n, struct cmd *cmd)
{
	bool may_exist = false, if_exists = false;
	char err[CTL_ERR_MAX];
	int i = 0;

	for (; i < n && !strncmp(words[i], "--", 2); i++) {
		if (!strcmp(words[i], "--may-exist")) {
			may_exist = true;
		} else if (!strcmp(words[i], "--if-exists")) {
			if_exists = true;
		} else if (!strcmp(words[i], "--strict") && i + 1 < n &&
			   (cmd->def = ctl_command_find(words[i + 1])) &&
			   strstr(cmd->def->options, "--strict")) {
			may_exist = true; /* views: the first flag is --strict */
		} else {
			fatal(1, "unknown option '%s' (try --help)", words[i]);
		}
	}
	if (i == n) {
		fatal(1, "missing command name (try --help)");
	}
	cmd->def = ctl_command_find(words[i]);
	if (!cmd->def) {
		fatal(1, "unknown command '%s' (try --help)", words[i]);
	}
	if ((may_exist && !strstr(cmd->def->options, "--may-exist") &&
	     !strstr(cmd->def->options, "--strict")) ||
	    (if_exists && !strstr(cmd->def->options, "--if-exists"))) {
		fatal(1, "%s does not take %s", cmd->def->name,
		      may_exist ? "--may-exist" : "--if-exists");
	}
	n -= i + 1;
	if (n < cmd->def->min_args || n > cmd->def->max_args) {
		fatal(1, "'%s' needs %s: %s %s", cmd->def->name,
		      cmd->def->min_args == cmd->def->max_args ? "exactly these arguments"
							       : "these arguments",
		      cmd->def->name, cmd->def->usage);
	}
	if (cmd->def->build) {
		cmd->op = cmd->def->build(cmd->def->name, words + i + 1, n, may_exist, if_exists,
					  err);
		cmd->print_key = ctl_external_id_key;
		ctl_external_id_key = NULL;
		if (!cmd->op) {
			fatal(1, "%s: %s", cmd->def->name, err);
		}
	}
}

static int
parse_commands(int argc, char **argv, struct cmd *cmds)
{
	int n_cmds = 0, start = 0;

	for (int i = 0; i <= argc; i++) {
		if (i < argc && strcmp(argv[i], "--")) {
			continue;
		}
		if (i > start) {
			if (n_cmds == MAX_COMMANDS) {
				fatal(1, "more than %d commands", MAX_COMMANDS);
			}
			parse_command(argv + start, i - start, &cmds[n_cmds++]);
		}
		start = i + 1;
	}
	if (!n_cmds) {
		fatal(1, "missing command (try --help)");
	}
	return n_cmds;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
connect_ctl(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof sun.sun_path) {
		fatal(1, "control socket path %s is too long", path);
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof sun)) {
		fatal(1,
		      "cannot connect to %s: %s (is vswitchd running? --ctl or VSWITCH_CTL "
		      "choose the socket)",
		      path, strerror(errno));
	}
	return fd;
}

/* Waits for 'events' on 'fd' until 'deadline' (0: forever). */
static void
wait_fd(int fd, short events, long long deadline, int timeout_s)
{
	struct pollfd p = {.fd = fd, .events = events};
	long long left = deadline ? deadline - now_ms() : -1;

	if (deadline && left <= 0) {
		fatal(1, "timed out after %d s waiting for vswitchd", timeout_s);
	}
	if (poll(&p, 1, deadline ? (int)left : -1) == 0) {
		fatal(1, "timed out after %d s waiting for vswitchd", timeout_s);
	}
}

json_t *
ctl_call(const struct opts *o, const char *method, json_t *params)
{
	long long deadline = o->timeout_s ? now_ms() + o->timeout_s * 1000LL : 0;
	json_t *req = json_pack("{s:s, s:s, s:i}", "jsonrpc", "2.0", "method", method, "id", 1);
	struct jsonrpc_framer fr = {0};
	char *text, *buf = NULL;
	size_t len = 0, sent = 0;
	int fd = connect_ctl(o->ctl);
	json_t *resp;
	ssize_t n;

	if (params) {
		json_object_set_new(req, "params", params);
	}
	text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	while (sent < strlen(text)) {
		wait_fd(fd, POLLOUT, deadline, o->timeout_s);
		n = send(fd, text + sent, strlen(text) - sent, MSG_NOSIGNAL);
		if (n < 0) {
			fatal(1, "sending to %s: %s", o->ctl, strerror(errno));
		}
		sent += (size_t)n;
	}
	free(text);
	for (;;) {
		char chunk[65536];
		ssize_t end;

		wait_fd(fd, POLLIN, deadline, o->timeout_s);
		n = recv(fd, chunk, sizeof chunk, 0);
		if (n <= 0) {
			fatal(1, "vswitchd closed the connection without an answer");
		}
		buf = realloc(buf, len + (size_t)n);
		if (!buf || len + (size_t)n > RESPONSE_MAX) {
			fatal(1, "the answer is too large");
		}
		memcpy(buf + len, chunk, (size_t)n);
		len += (size_t)n;
		end = jsonrpc_frame(&fr, buf, len);
		if (end < 0) {
			fatal(1, "vswitchd sent something that is not JSON");
		}
		if (end > 0) {
			resp = json_loadb(buf, (size_t)end, 0, NULL);
			break;
		}
	}
	free(buf);
	close(fd);
	if (!resp) {
		fatal(1, "vswitchd sent an answer that is not valid JSON");
	}
	return resp;
}

json_t *
ctl_result(json_t *resp)
{
	json_t *err = json_object_get(resp, "error");

	if (err) {
		const char *msg = json_string_value(json_object_get(err, "message"));
		char copy[1024];

		snprintf(copy, sizeof copy, "%s", msg ? msg : "error without a message");
		json_decref(resp);
		fatal(1, "%s", copy);
	}
	return json_object_get(resp, "result");
}

static void
print_json(const json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY);

	printf("%s\n", s ? s : "null");
	free(s);
}

/* dump-flows in pages, printed as they come (a table of a million entries
 * is more than one answer may hold); with --json as one {"flows": [...]},
 * an entry a line. */
static int
run_dump_flows(const struct opts *o, const struct cmd *c)
{
	enum { PAGE = 20000 };
	json_t *params = json_deep_copy(c->op);
	size_t n = 0;

	json_object_set_new(params, "max", json_integer(PAGE));
	if (!o->json) {
		json_object_set_new(params, "text_only", json_true());
	}
	for (;;) {
		json_t *resp = ctl_call(o, "flow.dump", params);
		json_t *res = ctl_result(resp);
		json_t *cursor = json_object_get(res, "cursor");

		if (o->json) {
			size_t i;
			json_t *f;

			json_array_foreach (json_object_get(res, "flows"), i, f) {
				char *s = json_dumps(f, JSON_COMPACT);

				printf("%s%s", n++ ? ",\n  " : "{\"flows\": [\n  ", s ? s : "null");
				free(s);
			}
		} else {
			ctl_print_flows(res);
		}
		if (!cursor) {
			json_decref(resp);
			break;
		}
		params = json_pack("{s:O, s:O, s:i}", "bridge", json_object_get(c->op, "bridge"),
				   "cursor", cursor, "max", PAGE);
		json_decref(resp);
	}
	if (o->json) {
		printf("%s]}\n", n ? "\n" : "{\"flows\": [");
	}
	return 0;
}

static int
run_view(const struct opts *o, const struct cmd *c)
{
	json_t *resp, *res;

	if (!strcmp(c->def->method, "flow.dump")) {
		return run_dump_flows(o, c);
	}
	resp = ctl_call(o, c->def->method, c->op ? json_incref(c->op) : NULL);
	res = ctl_result(resp);

	if (o->json) {
		print_json(res);
	} else if (c->def->print) {
		c->def->print(res);
	}
	json_decref(resp);
	return 0;
}

static int
run_transaction(const struct opts *o, struct cmd *cmds, int n)
{
	json_t *ops = json_array(), *resp, *results, *v;
	int status = 0;
	size_t k;

	for (int i = 0; i < n; i++) {
		json_array_append(ops, cmds[i].op);
	}
	resp = ctl_call(o, "transact", json_pack("{s:o}", "ops", ops));
	results = json_object_get(ctl_result(resp), "results");
	json_array_foreach (json_object_get(ctl_result(resp), "notices"), k, v) {
		fprintf(stderr, "switch-ctl: note: %s\n", json_string_value(v));
	}
	if (o->json) {
		print_json(n == 1 ? json_array_get(results, 0) : results);
	}
	for (int i = 0; i < n; i++) {
		json_t *r = json_array_get(results, (size_t)i);

		if (!o->json && cmds[i].def->print) {
			ctl_external_id_key = cmds[i].print_key;
			cmds[i].def->print(r);
		}
		if (!strcmp(cmds[i].def->name, "br-exists") && json_is_false(r)) {
			status = 2;
		}
	}
	json_decref(resp);
	return status;
}

/* wait-until TABLE RECORD [COLUMN[:KEY]=VALUE]...: polls until the record
 * exists and every condition holds, as ovs-vsctl's does, or until
 * --timeout (exit 1). */
static int
ctl_wait_until(struct opts *o, int argc, char **argv)
{
	char err[CTL_ERR_MAX];
	json_t *conds;
	struct timespec t0, now;

	if (argc < 2) {
		fatal(1, "wait-until needs TABLE RECORD [COLUMN[:KEY]=VALUE]...");
	}
	conds = ctl_settings(argv + 2, argc - 2, true, err);
	if (!conds) {
		fatal(1, "%s", err);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		json_t *resp = ctl_call(o, "transact",
					json_pack("{s:[{s:s, s:s, s:O}]}", "ops", "op", "find",
						  "table", argv[0], "conditions", conds));
		json_t *res = json_array_get(json_object_get(ctl_result(resp), "results"), 0), *rec;
		bool found = false;
		size_t i;

		json_array_foreach (res, i, rec) {
			const char *name = json_string_value(json_object_get(rec, "name"));

			found |= name && !strcmp(name, argv[1]);
		}
		json_decref(resp);
		if (found) {
			json_decref(conds);
			return 0;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (o->timeout_s && now.tv_sec - t0.tv_sec >= o->timeout_s) {
			fatal(1, "wait-until: %s %s did not get there in %d s", argv[0], argv[1],
			      o->timeout_s);
		}
		usleep(100000);
	}
}

int
main(int argc, char **argv)
{
	struct cmd cmds[MAX_COMMANDS] = {0};
	struct opts o = {0};
	int first = parse_global(argc, argv, &o);
	int n, status;

	if (first < argc && !strcmp(argv[first], "capture")) {
		return ctl_capture(&o, argc - first - 1, argv + first + 1);
	}
	if (first < argc && !strcmp(argv[first], "wait-until")) {
		return ctl_wait_until(&o, argc - first - 1, argv + first + 1);
	}
	if (first < argc && !strcmp(argv[first], "add-flows")) {
		return ctl_add_flows(&o, argc - first - 1, argv + first + 1);
	}
	n = parse_commands(argc - first, argv + first, cmds);

	for (int i = 0; i < n; i++) {
		if (cmds[i].def->kind == CTL_VIEW && n > 1) {
			fatal(1, "%s cannot be combined with other commands", cmds[i].def->name);
		}
	}
	status = cmds[0].def->kind == CTL_VIEW ? run_view(&o, &cmds[0])
					       : run_transaction(&o, cmds, n);
	for (int i = 0; i < n; i++) {
		json_decref(cmds[i].op);
	}
	return status;
}
