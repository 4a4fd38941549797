/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The configuration database on the control socket: the JSON-RPC methods
 * "transact" (run commands as one transaction, apply, persist) and "db.get"
 * (the whole document). Pure: applying and persisting are callbacks, so
 * that the fuzzer and unit tests drive the same code without a switch.
 */
#ifndef VS_CFGDB_RPC_H
#define VS_CFGDB_RPC_H

#include <jansson.h>

#include "jsonrpc.h"

enum { CFGDB_RPC_ERR_MAX = 512 };

/* Makes the running switch match 'new_doc' and saves it (the daemon may
 * fill in its status columns first); on failure leaves the switch as
 * 'old_doc' describes it and returns JSONRPC_TXN_FAILED or
 * JSONRPC_TXN_PERSIST with a reason in 'err' (CFGDB_RPC_ERR_MAX bytes).
 * On success it may append to 'notices' (an array) strings the client
 * should show: a setting saved that takes effect only at the next start. */
typedef int (*cfgdb_commit_fn)(void *aux, json_t *new_doc, const json_t *old_doc, json_t *notices,
			       char *err);

struct cfgdb_rpc {
	json_t *doc;            /* the current document, owned */
	cfgdb_commit_fn commit; /* NULL: keep it in memory only */
	void *aux;
	unsigned long long n_commits;
};

/* params: {"ops": [command, ...]}; result: {"results": [result, ...],
 * "notices"?: [string, ...]}.
 * Errors: JSONRPC_INVALID_PARAMS, JSONRPC_TXN_REJECTED (data: {"op": N},
 * the index of the command at fault, or -1), and what 'commit' returns. */
int cfgdb_rpc_transact(void *rpc, json_t *params, json_t **result, struct jsonrpc_error *err);

/* params: none; result: the document. */
int cfgdb_rpc_get(void *rpc, json_t *params, json_t **result, struct jsonrpc_error *err);

#endif /* VS_CFGDB_RPC_H */
