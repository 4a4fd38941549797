/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON-RPC: framing texts in a byte stream (split at any point, strings
 * holding braces, garbage, depth), and request handling (ids, errors,
 * notifications, batches).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "jsonrpc.h"

static void
test_frame_whole_and_split(void **state)
{
	const char *text = " {\"a\": \"}{\\\"]\", \"b\": [1, {\"c\": 2}]}{\"next\":1}";
	size_t first = strlen(" {\"a\": \"}{\\\"]\", \"b\": [1, {\"c\": 2}]}");

	(void)state;
	/* Fed one byte more at a time, the end is found exactly once. */
	for (size_t split = 1; split <= strlen(text); split++) {
		struct jsonrpc_framer f = {0};
		ssize_t n = 0;

		for (size_t len = split; len <= strlen(text) && n == 0; len++) {
			n = jsonrpc_frame(&f, text, len);
			if (len < first) {
				assert_int_equal(n, 0);
			}
		}
		assert_int_equal(n, (ssize_t)first);
	}
}

static void
test_frame_garbage_and_depth(void **state)
{
	struct jsonrpc_framer f = {0};
	char deep[200];

	(void)state;
	assert_int_equal(jsonrpc_frame(&f, "  hello", 7), -1);
	memset(&f, 0, sizeof f);
	assert_int_equal(jsonrpc_frame(&f, "\"str\"", 5), -1);
	memset(&f, 0, sizeof f);
	memset(deep, '[', sizeof deep);
	assert_int_equal(jsonrpc_frame(&f, deep, sizeof deep), -1);
	memset(&f, 0, sizeof f);
	assert_int_equal(jsonrpc_frame(&f, "[[[]]]", 6), 6);
}

static int
m_echo(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	(void)aux;
	(void)err;
	*result = params ? json_incref(params) : NULL;
	return 0;
}

static int
m_fail(void *aux, json_t *params, json_t **result, struct jsonrpc_error *err)
{
	(void)aux;
	(void)params;
	(void)result;
	return jsonrpc_fail(err, JSONRPC_TXN_REJECTED, "no %d", 7);
}

static const struct jsonrpc_method methods[] = {{"echo", m_echo}, {"fail", m_fail}};

static json_t *
handle(const char *text)
{
	return jsonrpc_handle(methods, 2, NULL, text, strlen(text));
}

static int
err_code(const json_t *resp)
{
	return (int)json_integer_value(json_object_get(json_object_get(resp, "error"), "code"));
}

static void
test_handle(void **state)
{
	json_t *r;

	(void)state;
	r = handle("{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"echo\",\"params\":[1]}");
	assert_string_equal(json_string_value(json_object_get(r, "id")), "x");
	assert_int_equal(json_integer_value(json_array_get(json_object_get(r, "result"), 0)), 1);
	json_decref(r);
	r = handle("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"fail\"}");
	assert_int_equal(err_code(r), JSONRPC_TXN_REJECTED);
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(r, "error"), "message")), "no 7");
	json_decref(r);
	r = handle("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"what\"}");
	assert_int_equal(err_code(r), JSONRPC_METHOD_NOT_FOUND);
	json_decref(r);
	r = handle("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":3}");
	assert_int_equal(err_code(r), JSONRPC_INVALID_PARAMS);
	json_decref(r);
	r = handle("{\"id\":1,\"method\":\"echo\"}");
	assert_int_equal(err_code(r), JSONRPC_INVALID_REQUEST);
	json_decref(r);
	r = handle("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"id\":2}");
	assert_int_equal(err_code(r), JSONRPC_PARSE_ERROR); /* duplicate key */
	json_decref(r);
	assert_null(handle("{\"jsonrpc\":\"2.0\",\"method\":\"echo\"}"));
	assert_null(handle("{\"jsonrpc\":\"2.0\",\"method\":\"fail\"}"));
	r = handle("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\"},5,"
		   "{\"jsonrpc\":\"2.0\",\"method\":\"echo\"}]");
	assert_int_equal(json_array_size(r), 2);
	assert_int_equal(err_code(json_array_get(r, 1)), JSONRPC_INVALID_REQUEST);
	json_decref(r);
	r = handle("[]");
	assert_int_equal(err_code(r), JSONRPC_INVALID_REQUEST);
	json_decref(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_whole_and_split),
		cmocka_unit_test(test_frame_garbage_and_depth),
		cmocka_unit_test(test_handle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
