#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Abuses vswitchd's control socket: garbage, malformed and half-written
requests, wrong parameter types, oversized requests, batches,
notifications, and 50 clients at once. Every case must get the JSON-RPC
answer the specification names (or none, for notifications), and the
daemon must keep serving everyone. Usage: ctl_stress.py SOCKET BRIDGE PORT
(a bridge whose only port is PORT)."""
import json
import socket
import sys
import threading
import time

SOCK, BR, PORT = sys.argv[1:4]
failures = []


def check(what, cond):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(SOCK)
    return s


pending = {}


def read_answer(s):
    """One newline-terminated answer, or None if the server closed."""
    data = pending.pop(s, b"")
    while b"\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            return None
        data += chunk
    line, rest = data.split(b"\n", 1)
    pending[s] = rest
    return json.loads(line)


def closed(s):
    try:
        return s.recv(1) == b""
    except (ConnectionResetError, socket.timeout):
        return False


def call(s, method, params=None, rid=1):
    req = {"jsonrpc": "2.0", "id": rid, "method": method}
    if params is not None:
        req["params"] = params
    s.sendall(json.dumps(req).encode())
    return read_answer(s)


def code(ans):
    return ans and ans.get("error", {}).get("code")


# Garbage: a parse error, then the connection is closed.
s = connect()
s.sendall(b"hello \x00\xff")
ans = read_answer(s)
check("garbage gets -32700", code(ans) == -32700 and ans["id"] is None)
check("garbage closes the connection", closed(s))

# Malformed JSON that still ends: a parse error; the connection stays.
s = connect()
s.sendall(b'{"jsonrpc": "2.0", "method": , "id": 1}')
check("malformed JSON gets -32700", code(read_answer(s)) == -32700)
check("connection usable after it", "result" in call(s, "version"))

# Wrong shapes and types.
cases = [
    ({"jsonrpc": "2.0", "id": 2, "method": 5}, -32600),
    ({"jsonrpc": "1.0", "id": 2, "method": "version"}, -32600),
    ({"jsonrpc": "2.0", "id": {"x": 1}, "method": "version"}, -32600),
    ({"jsonrpc": "2.0", "id": 2, "method": "nope"}, -32601),
    ({"jsonrpc": "2.0", "id": 2, "method": "transact", "params": "x"}, -32602),
    ({"jsonrpc": "2.0", "id": 2, "method": "transact", "params": {"ops": 5}}, -32602),
    ({"jsonrpc": "2.0", "id": 2, "method": "transact", "params": [1, 2]}, -32602),
    ({"jsonrpc": "2.0", "id": 2, "method": "transact",
      "params": {"ops": [{"op": "add-br", "bridge": 5}]}}, -32001),
    ({"jsonrpc": "2.0", "id": 2, "method": "transact",
      "params": {"ops": [{"op": "add-port", "bridge": BR, "port": "z",
                          "settings": [{"column": "tag", "value": {"a": 1}}]}]}}, -32001),
    ({"jsonrpc": "2.0", "id": 2, "method": "flow.dump",
      "params": {"bridge": BR, "max": 0}}, -32602),
    ({"jsonrpc": "2.0", "id": 2, "method": "flow.dump",
      "params": {"bridge": BR, "max": "10"}}, -32602),
    ({"jsonrpc": "2.0", "id": 2, "method": "flow.dump",
      "params": {"bridge": BR, "max": 10, "cursor": 123456}}, -32602),
    ({"jsonrpc": "2.0", "id": 2, "method": "flow.dump",
      "params": {"bridge": BR, "cursor": 1}}, -32602),
    ({"jsonrpc": "2.0", "id": 2, "method": "flow.dump",
      "params": {"bridge": BR, "max": 10, "cursor": "x"}}, -32602),
    ({"jsonrpc": "2.0", "id": 2, "method": "ofstate.save",
      "params": {"bridge": BR, "reset": "yes"}}, -32602),
    ({"jsonrpc": "2.0", "id": 2, "method": "ofstate.save", "params": {}}, -32602),
    ({"jsonrpc": "2.0", "id": 2, "method": "ofstate.show", "params": {"bridge": 7}}, -32602),
    ({"jsonrpc": "2.0", "id": 2, "method": "ofstate.show",
      "params": {"bridge": "nosuch"}}, -32602),
]
for req, want in cases:
    s.sendall(json.dumps(req).encode())
    got = code(read_answer(s))
    check("%s -> %s (got %s)" % (json.dumps(req)[:70], want, got), got == want)
s.sendall(b"[]")
check("empty batch -> -32600", code(read_answer(s)) == -32600)
s.close()

# A notification gets no answer; the next request gets its own.
s = connect()
s.sendall(b'{"jsonrpc":"2.0","method":"version"}')
ans = call(s, "version", rid=77)
check("notification unanswered", ans and ans["id"] == 77)
# A batch gets an array with one answer per request that has an id.
s.sendall(json.dumps([{"jsonrpc": "2.0", "id": 1, "method": "version"},
                      {"jsonrpc": "2.0", "method": "version"},
                      {"jsonrpc": "2.0", "id": 3, "method": "nope"}]).encode())
ans = read_answer(s)
check("batch answered", isinstance(ans, list) and [a["id"] for a in ans] == [1, 3])
# Two requests in one write are answered in order.
s.sendall(b'{"jsonrpc":"2.0","id":"a","method":"version"}'
          b'{"jsonrpc":"2.0","id":"b","method":"version"}')
check("pipelined requests in order",
      read_answer(s)["id"] == "a" and read_answer(s)["id"] == "b")
s.close()

# Too deep: refused and closed.
s = connect()
s.sendall(b"[" * 100)
check("deep nesting refused", code(read_answer(s)) == -32700 and closed(s))

# A half-written request does not hold up anyone else.
half = connect()
half.sendall(b'{"jsonrpc":"2.0","id":9,"method":"vers')
other = connect()
t0 = time.time()
check("others served while a request is half-written",
      "result" in call(other, "version") and time.time() - t0 < 2)
half.sendall(b'ion"}')
check("the half-written request completes", read_answer(half)["id"] == 9)
half.close()
other.close()

# Oversized: an error and the connection closed; the daemon lives on.
big = connect()
try:
    big.sendall(b'{"jsonrpc":"2.0","id":1,"method":"version","params":{"x":"' +
                b"a" * (1 << 21) + b'"}}')
except (BrokenPipeError, ConnectionResetError):
    pass
ans = read_answer(big)
check("oversized request -> -32600", code(ans) == -32600 and "larger" in ans["error"]["message"])
big.close()

# 50 clients at once: all connected before any sends, each adds and removes
# a port of its own.
clients = [connect() for _ in range(50)]
results = [None] * 50


def worker(i):
    c = clients[i]
    a = call(c, "transact", {"ops": [{"op": "add-port", "bridge": BR, "port": "c%d" % i,
                                      "settings": [{"column": "type", "value": "mem"}]}]})
    b = call(c, "transact", {"ops": [{"op": "list-ports", "bridge": BR}]})
    d = call(c, "transact", {"ops": [{"op": "del-port", "port": "c%d" % i}]})
    results[i] = ("result" in a and "c%d" % i in b["result"]["results"][0] and "result" in d)


threads = [threading.Thread(target=worker, args=(i,)) for i in range(50)]
for t in threads:
    t.start()
for t in threads:
    t.join()
check("50 concurrent clients all served", all(results))
for c in clients:
    c.close()
s = connect()
ports = call(s, "transact", {"ops": [{"op": "list-ports", "bridge": BR}]})
check("their ports are gone again", ports["result"]["results"][0] == [PORT])
check("the daemon still answers", "result" in call(s, "version"))
print("ctl_stress: %d failures" % len(failures))
sys.exit(1 if failures else 0)
