/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The configuration database: one JSON document (jansson) that holds the
 * whole switch configuration, its schema, its validation, and transactions
 * of ovs-vsctl-like commands over it. Pure: no DPDK, no sockets; vswitchd's
 * bridge.c turns a document into a running switch and ctl_methods.c puts
 * transactions on the control socket.
 *
 * The document (schema in docs/config-db.md):
 *
 *   { "version": 1,
 *     "global":  { pmd_cpu_mask, eal_memory_mb, eal_args, emc_entries, ... },
 *     "bridges": { "br0": { fail_mode, controllers, ...,
 *                           "ports": { "p1": { vlan_mode, tag, trunks,
 *                                              "interfaces": { "p1": {
 *                                                  type, options, ... } } } } } } }
 *
 * A column that is absent has its default (printed "[]" like ovs-vsctl).
 * Four tables are visible to the generic commands (list/get/set/clear):
 * "global" (one record, "."), "bridge", "port" and "interface"; records are
 * named, and port and interface names are unique across bridges.
 *
 * Transactions run on a copy of the document: every command runs in order,
 * then the whole result is validated; the caller applies the new document to
 * the running switch and persists it (cfgdb_save) before answering, or
 * throws the copy away. Nothing here changes a document the caller did not
 * hand over for changing.
 */
#ifndef VS_CFGDB_H
#define VS_CFGDB_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

enum { CFGDB_VERSION = 1, CFGDB_ERR_MAX = 512, CFGDB_NAME_MAX = 15, CFGDB_MAX_BRIDGES = 64 };

/* Why a transaction failed; 'op' is the index of the command at fault, or
 * -1 when the document as a whole is invalid. */
struct cfgdb_err {
	int op;
	char msg[CFGDB_ERR_MAX];
};

/* A new, empty, valid document (new reference). */
json_t *cfgdb_new_doc(void);

/* Loads 'path'. Returns 0 and a new reference in '*doc'; -ENOENT when the
 * file does not exist (then '*doc' is an empty document); or another -errno
 * with a message naming the file, and for a syntax error its line and
 * column, in 'err' (CFGDB_ERR_MAX bytes). The loaded document is
 * validated. */
int cfgdb_load(const char *path, json_t **doc, char *err);

/* Writes 'doc' to 'path' atomically: a temporary file in the same directory,
 * fsync, rename over 'path', fsync of the directory. Returns 0 or -errno
 * with a message in 'err'. On failure 'path' is untouched. */
int cfgdb_save(const char *path, const json_t *doc, char *err);

/* The canonical text of 'doc' (sorted keys, indented, final newline), as
 * cfgdb_save() writes it. Caller frees. */
char *cfgdb_dumps(const json_t *doc);

/* Checks 'doc' against the schema and its cross-record rules (unique names,
 * VLAN modes, patch peers, option names). Returns 0 or -EINVAL with the
 * path of the bad value and the reason in 'err'. */
int cfgdb_validate(const json_t *doc, char *err);

/* Runs the commands 'ops' (a JSON array of command objects, see
 * docs/config-db.md) against 'doc', which it changes in place, then
 * validates the result. On success returns 0 with '*results' a new array
 * holding one result per command and '*changed' telling whether anything
 * was written. On failure returns -EINVAL (or -ENOMEM) with 'err' filled;
 * 'doc' is then in an unspecified state and must be thrown away. */
int cfgdb_execute(json_t *doc, const json_t *ops, json_t **results, bool *changed,
		  struct cfgdb_err *err);

/* Lookups on a valid document; borrowed references or NULL. */
json_t *cfgdb_bridge(const json_t *doc, const char *name);
/* The port named 'name' in any bridge; '*bridge' gets its bridge's name. */
json_t *cfgdb_port(const json_t *doc, const char *name, const char **bridge);
/* The (single) interface of port record 'port'. */
json_t *cfgdb_port_iface(const json_t *port);
/* The port type interface record 'iface' runs as: its type, or for Open
 * vSwitch's names the type they stand for (dpdkvhostuser: vhost-user,
 * dpdkvhostuserclient: vhost-user-client). */
const char *cfgdb_iface_type(const json_t *iface);

/* Whether interface records 'a' and 'b' ask for the same settings: equal
 * but for the columns the daemon writes (ofport). */
bool cfgdb_iface_settings_equal(const json_t *a, const json_t *b);

/* Column readers with defaults for absent values. */
const char *cfgdb_get_str(const json_t *rec, const char *col, const char *dflt);
long long cfgdb_get_int(const json_t *rec, const char *col, long long dflt);

#endif /* VS_CFGDB_H */
