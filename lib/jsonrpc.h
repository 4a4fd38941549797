/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON-RPC 2.0 pieces shared by vswitchd's control socket and its clients:
 * finding where one JSON text ends in a byte stream (the socket carries
 * requests back to back, with no other framing), and handling one request
 * text (a request, a notification or a batch) against a method table.
 * Pure (jansson only); the socket handling is in vswitchd/ctl_server.c.
 */
#ifndef VS_JSONRPC_H
#define VS_JSONRPC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

/* The standard error codes, and ours in the server range. */
enum jsonrpc_code {
	JSONRPC_PARSE_ERROR = -32700,
	JSONRPC_INVALID_REQUEST = -32600,
	JSONRPC_METHOD_NOT_FOUND = -32601,
	JSONRPC_INVALID_PARAMS = -32602,
	JSONRPC_INTERNAL_ERROR = -32603,
	JSONRPC_TXN_REJECTED = -32001, /* the transaction is invalid */
	JSONRPC_TXN_FAILED = -32002,   /* valid, but the switch could not apply it */
	JSONRPC_TXN_PERSIST = -32003,  /* applied, but could not be saved: undone */
};

enum { JSONRPC_MSG_MAX = 512 };

struct jsonrpc_error {
	int code;
	char message[JSONRPC_MSG_MAX];
	json_t *data; /* optional, new reference */
};

/* Scanner state for one stream; zero it to start. */
struct jsonrpc_framer {
	size_t pos; /* bytes of the current text scanned so far */
	unsigned int depth;
	bool in_string, escape, started;
};

/* Looks for the end of the JSON text that starts at 'buf' (after optional
 * whitespace), given 'len' bytes so far, resuming where the last call on the
 * same text stopped. Returns its length once it is complete (the framer is
 * then reset for the next text), 0 if more bytes are needed, or -1 if the
 * text cannot be a request (it does not start with '{' or '[', or nests
 * deeper than 64 levels): the stream cannot be resynchronised. */
ssize_t jsonrpc_frame(struct jsonrpc_framer *f, const char *buf, size_t len);

/* A method: fills '*result' (a new reference; NULL means JSON null) and
 * returns 0, or fills 'err' and returns -1. 'params' is an object, an array
 * or NULL (absent). */
typedef int (*jsonrpc_method_fn)(void *aux, json_t *params, json_t **result,
				 struct jsonrpc_error *err);

struct jsonrpc_method {
	const char *name;
	jsonrpc_method_fn fn;
};

/* Parses and runs one JSON text of 'len' bytes. Returns the response to
 * send (a new reference: an object, or an array for a batch), or NULL when
 * there is nothing to send (notifications only). Never fails on bad input:
 * that gets an error response. */
json_t *jsonrpc_handle(const struct jsonrpc_method *methods, size_t n_methods, void *aux,
		       const char *text, size_t len);

/* Builds an error response for request 'id' (borrowed; NULL means null). */
json_t *jsonrpc_error_response(const json_t *id, int code, const char *message, json_t *data);

/* Sets 'err' and returns -1, for use in methods. */
int jsonrpc_fail(struct jsonrpc_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* VS_JSONRPC_H */
