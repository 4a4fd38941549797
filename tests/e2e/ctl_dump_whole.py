#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Prints what one flow.dump answer (no pages) holds for bridge ARGV[2], as
# switch-ctl dump-flows prints it, without the durations, counters and idle
# ages (they change between two dumps): test_openflow.sh compares it with
# switch-ctl's paged dump.
import json
import re
import socket
import sys

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "flow.dump",
                      "params": {"bridge": sys.argv[2]}}).encode())
buf = b""
while not buf.endswith(b"\n"):
    chunk = s.recv(1 << 20)
    if not chunk:
        break
    buf += chunk
for f in json.loads(buf)["result"]["flows"]:
    print(" " + re.sub(r"(duration|n_packets|n_bytes|idle_age)=[^,]*, ", "", f["text"]))
