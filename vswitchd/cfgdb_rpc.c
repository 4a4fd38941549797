/* SPDX-License-Identifier: Apache-2.0 */
/*
 * "transact" and "db.get" (cfgdb_rpc.h).
 */
#include "cfgdb_rpc.h"

#include <stdio.h>

#include "cfgdb.h"

int
cfgdb_rpc_transact(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct cfgdb_rpc *rpc = aux;
	json_t *ops = json_object_get(params, "ops");
	json_t *work, *results = NULL, *notices;
	struct cfgdb_err cerr;
	char reason[CFGDB_RPC_ERR_MAX];
	bool changed;
	int ret;

	if (!json_is_object(params) || !json_is_array(ops)) {
		return jsonrpc_fail(err, JSONRPC_INVALID_PARAMS,
				    "params must be {\"ops\": [command, ...]}");
	}
	work = json_deep_copy(rpc->doc);
	notices = json_array();
	if (!work || !notices) {
		json_decref(work);
		json_decref(notices);
		return jsonrpc_fail(err, JSONRPC_INTERNAL_ERROR, "out of memory");
	}
	ret = cfgdb_execute(work, ops, &results, &changed, &cerr);
	if (ret) {
		json_decref(work);
		json_decref(notices);
		jsonrpc_fail(err, JSONRPC_TXN_REJECTED, "%s", cerr.msg);
		err->data = json_pack("{s:i}", "op", cerr.op);
		return -1;
	}
	if (changed && rpc->commit) {
		ret = rpc->commit(rpc->aux, work, rpc->doc, notices, reason);
		if (ret) {
			json_decref(work);
			json_decref(results);
			json_decref(notices);
			return jsonrpc_fail(err, ret, "%s", reason);
		}
	}
	if (changed) {
		json_decref(rpc->doc);
		rpc->doc = work;
		rpc->n_commits++;
	} else {
		json_decref(work);
	}
	*result = json_pack("{s:o}", "results", results);
	if (json_array_size(notices)) {
		json_object_set(*result, "notices", notices);
	}
	json_decref(notices);
	return 0;
}

int
cfgdb_rpc_get(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	struct cfgdb_rpc *rpc = aux;

	(void)params;
	*result = json_deep_copy(rpc->doc);
	return *result ? 0 : jsonrpc_fail(err, JSONRPC_INTERNAL_ERROR, "out of memory");
}
