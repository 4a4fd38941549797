/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the control socket's request handling: the input is
 * a byte stream as a client would send it; it is cut into texts by the
 * framer and each text runs through jsonrpc_handle() with the real
 * "transact" and "db.get" methods on an in-memory configuration database
 * (everything vswitchd does with a request except applying it to ports).
 * After every text the database must still be valid.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfgdb.h"
#include "cfgdb_rpc.h"
#include "jsonrpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct jsonrpc_method methods[] = {
		{"transact", cfgdb_rpc_transact},
		{"db.get", cfgdb_rpc_get},
	};
	struct cfgdb_rpc rpc = {.doc = cfgdb_new_doc()};
	struct jsonrpc_framer fr = {0};
	const char *buf = (const char *)data;
	char err[CFGDB_ERR_MAX];

	while (size) {
		ssize_t n = jsonrpc_frame(&fr, buf, size);
		json_t *resp;

		if (n <= 0) {
			/* Garbage closes the connection; an incomplete text waits
			 * for bytes that will not come. Either way, the end. */
			break;
		}
		resp = jsonrpc_handle(methods, 2, &rpc, buf, (size_t)n);
		if (resp && !json_is_object(resp) && !json_is_array(resp)) {
			abort();
		}
		json_decref(resp);
		if (cfgdb_validate(rpc.doc, err)) {
			abort(); /* a transaction committed an invalid document */
		}
		buf += n;
		size -= (size_t)n;
	}
	json_decref(rpc.doc);
	return 0;
}
