/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON-RPC 2.0: stream framing and request dispatch (jsonrpc.h).
 */
#include "jsonrpc.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum { MAX_DEPTH = 64, MAX_BATCH = 1024 };

static void
framer_reset(struct jsonrpc_framer *f)
{
	memset(f, 0, sizeof *f);
}

ssize_t
jsonrpc_frame(struct jsonrpc_framer *f, const char *buf, size_t len)
{
	for (; f->pos < len; f->pos++) {
		char c = buf[f->pos];

		if (!f->started) {
			if (isspace((unsigned char)c)) {
				continue;
			}
			if (c != '{' && c != '[') {
				return -1;
			}
			f->started = true;
		}
		if (f->in_string) {
			if (f->escape) {
				f->escape = false;
			} else if (c == '\\') {
				f->escape = true;
			} else if (c == '"') {
				f->in_string = false;
			}
			continue;
		}
		if (c == '"') {
			f->in_string = true;
		} else if (c == '{' || c == '[') {
			if (++f->depth > MAX_DEPTH) {
				return -1;
			}
		} else if (c == '}' || c == ']') {
			if (--f->depth == 0) {
				size_t n = f->pos + 1;

				framer_reset(f);
				return (ssize_t)n;
			}
		}
	}
	return 0;
}

int
jsonrpc_fail(struct jsonrpc_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	return -1;
}

json_t *
jsonrpc_error_response(const json_t *id, int code, const char *message, json_t *data)
{
	json_t *error = json_pack("{s:i, s:s}", "code", code, "message", message);

	if (data && error) {
		json_object_set_new(error, "data", data);
	} else {
		json_decref(data);
	}
	return json_pack("{s:s, s:o, s:O}", "jsonrpc", "2.0", "error", error, "id",
			 id ? id : json_null());
}

/* A request id is a string, a number or null. */
static bool
id_valid(const json_t *id)
{
	return json_is_string(id) || json_is_number(id) || json_is_null(id);
}

static json_t *
handle_one(const struct jsonrpc_method *methods, size_t n, void *aux, json_t *req)
{
	json_t *id = json_object_get(req, "id");
	json_t *params = json_object_get(req, "params");
	const char *method = json_string_value(json_object_get(req, "method"));
	struct jsonrpc_error err = {0};
	json_t *result = NULL;

	if (!json_is_object(req) || (id && !id_valid(id)) ||
	    !json_is_string(json_object_get(req, "jsonrpc")) ||
	    strcmp(json_string_value(json_object_get(req, "jsonrpc")), "2.0") || !method) {
		return jsonrpc_error_response(id_valid(id) ? id : NULL, JSONRPC_INVALID_REQUEST,
					      "invalid request: an object with \"jsonrpc\": "
					      "\"2.0\", a \"method\" string and an optional \"id\"",
					      NULL);
	}
	if (params && !json_is_object(params) && !json_is_array(params)) {
		return id ? jsonrpc_error_response(id, JSONRPC_INVALID_PARAMS,
						   "\"params\" must be an object or an array", NULL)
			  : NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(methods[i].name, method)) {
			continue;
		}
		if (methods[i].fn(aux, params, &result, &err)) {
			json_decref(result);
			if (!id) {
				json_decref(err.data);
				return NULL;
			}
			return jsonrpc_error_response(id, err.code, err.message, err.data);
		}
		if (!id) {
			json_decref(result);
			return NULL;
		}
		return json_pack("{s:s, s:o, s:O}", "jsonrpc", "2.0", "result",
				 result ? result : json_null(), "id", id);
	}
	if (!id) {
		return NULL;
	}
	char msg[JSONRPC_MSG_MAX];

	snprintf(msg, sizeof msg, "unknown method '%.100s'", method);
	return jsonrpc_error_response(id, JSONRPC_METHOD_NOT_FOUND, msg, NULL);
}

static json_t *
handle_batch(const struct jsonrpc_method *methods, size_t n, void *aux, json_t *batch)
{
	json_t *out, *req;
	size_t i;

	if (json_array_size(batch) == 0 || json_array_size(batch) > MAX_BATCH) {
		return jsonrpc_error_response(NULL, JSONRPC_INVALID_REQUEST,
					      "a batch holds 1 to 1024 requests", NULL);
	}
	out = json_array();
	json_array_foreach (batch, i, req) {
		json_t *resp = handle_one(methods, n, aux, req);

		if (resp) {
			json_array_append_new(out, resp);
		}
	}
	if (json_array_size(out) == 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}

json_t *
jsonrpc_handle(const struct jsonrpc_method *methods, size_t n_methods, void *aux, const char *text,
	       size_t len)
{
	json_error_t jerr;
	json_t *req = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr), *resp;
	char msg[JSONRPC_MSG_MAX];

	if (!req) {
		snprintf(msg, sizeof msg, "parse error at line %d, column %d: %s", jerr.line,
			 jerr.column, jerr.text);
		return jsonrpc_error_response(NULL, JSONRPC_PARSE_ERROR, msg, NULL);
	}
	resp = json_is_array(req) ? handle_batch(methods, n_methods, aux, req)
				  : handle_one(methods, n_methods, aux, req);
	json_decref(req);
	return resp;
}
