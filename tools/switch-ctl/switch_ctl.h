/* SPDX-License-Identifier: Apache-2.0 */
/*
 * switch-ctl's pieces: the command table (commands.c: command-line words to
 * JSON-RPC requests), the output (output.c: answers to text), and the
 * client (switch_ctl.c: options, the socket, main).
 */
#ifndef VS_SWITCH_CTL_H
#define VS_SWITCH_CTL_H

#include <stdbool.h>

#include <jansson.h>

enum ctl_kind {
	CTL_DB,   /* a command of the "transact" method; several make one transaction */
	CTL_VIEW, /* a method of its own (show, datapath views); runs alone */
};

struct ctl_command {
	const char *name;
	const char *usage; /* arguments, for --help */
	int min_args, max_args;
	enum ctl_kind kind;
	const char *method;  /* CTL_VIEW: the method */
	const char *options; /* accepted "--may-exist", "--if-exists" */
	/* CTL_DB: the command object for 'op' (the command's name) and its
	 * arguments; CTL_VIEW: the method's params (then 'may_exist' means
	 * --strict). NULL with a reason in 'err'. */
	json_t *(*build)(const char *op, char **args, int n, bool may_exist, bool if_exists,
			 char *err);
	void (*print)(const json_t *result); /* NULL: prints nothing */
};

enum { CTL_ERR_MAX = 512 };

/* Global options. */
struct opts {
	const char *ctl;
	bool json;
	int timeout_s;
};

/* How list and find print records (--columns, --bare, --format), as
 * ovs-vsctl does. */
enum ctl_format { CTL_FMT_LIST, CTL_FMT_TABLE, CTL_FMT_CSV, CTL_FMT_JSON };
struct ctl_records_fmt {
	const char *columns; /* comma-separated; NULL: all */
	bool bare;           /* values only, no headings */
	enum ctl_format format;
};
extern struct ctl_records_fmt ctl_records_fmt;

/* [{"column", "key"?, "value"?}] from COLUMN[:KEY][=VALUE] arguments
 * (with_value: the value is required); NULL with the reason in 'err'. */
json_t *ctl_settings(char **args, int n, bool with_value, char *err);

/* Prints "switch-ctl: " and the message to stderr and exits. */
void fatal(int status, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));

/* Sends one request (taking ownership of 'params') and returns its
 * response (new reference); exits when vswitchd cannot be reached. */
json_t *ctl_call(const struct opts *o, const char *method, json_t *params);
/* The result of 'resp', or exits with its error. */
json_t *ctl_result(json_t *resp);

/* switch-ctl capture PORT [-w FILE] [-c COUNT] [-s SNAPLEN] [FILTER...]
 * (capture.c); 'argv' holds what follows the word "capture". */
int ctl_capture(const struct opts *o, int argc, char **argv);

/* switch-ctl add-flows BRIDGE FILE (add_flows.c): a file of any size, in
 * parts; 'argv' holds what follows the word "add-flows". */
int ctl_add_flows(const struct opts *o, int argc, char **argv);

/* The command called 'name', or NULL. */
const struct ctl_command *ctl_command_find(const char *name);

/* Prints every command with its arguments. */
void ctl_commands_usage(void);

/* Printers (output.c). */
void ctl_print_lines(const json_t *result);
void ctl_print_value(const json_t *result);
void ctl_print_values(const json_t *result);
/* An array of strings, one per line, sorted (ovs-vsctl's get-controller). */
void ctl_print_sorted(const json_t *result);
/* br-get-external-id: the value of ctl_external_id_key, or without a key
 * every KEY=VALUE, unquoted as ovs-vsctl prints them. */
extern const char *ctl_external_id_key;
void ctl_print_external_ids(const json_t *result);
void ctl_print_records(const json_t *result);
void ctl_print_show(const json_t *result);
void ctl_print_dp_flows(const json_t *result);
void ctl_print_pmd_stats(const json_t *result);
void ctl_print_pmd_rxqs(const json_t *result);
void ctl_print_pmd_perf(const json_t *result);
void ctl_print_flows(const json_t *result);
void ctl_print_tables(const json_t *result);
void ctl_print_trace(const json_t *result);
void ctl_print_fdb(const json_t *result);
void ctl_print_vlog(const json_t *result);
void ctl_print_raw(const json_t *result);
void ctl_print_ofstate(const json_t *result);
void ctl_print_ofstate_one(const json_t *result);
void ctl_print_ports(const json_t *result);

/* A value as ovs-vsctl prints it: strings bare (quoted when they need it),
 * sets as [a, b], maps as {k=v}, absent as []. Caller frees. */
char *ctl_format_value(const json_t *v);

#endif /* VS_SWITCH_CTL_H */
