#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Numbered UDP flows, to check that a path loses and reorders nothing within
# a flow.
#
#   udp_seq.py send DST PORT FLOWS COUNT RATE
#       sends COUNT datagrams on each of FLOWS flows (source ports 20000 +
#       i), interleaved, at about RATE datagrams/s in all; each carries its
#       flow and sequence number.
#   udp_seq.py recv PORT FLOWS COUNT TIMEOUT
#       receives until every flow's COUNT arrived or TIMEOUT seconds pass
#       without a datagram; prints one line of JSON: received, per-flow
#       counts, datagrams out of order, and missing ones.
import json
import socket
import struct
import sys
import time


def send(dst, port, flows, count, rate):
    socks = []
    for i in range(flows):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", 20000 + i))
        socks.append(s)
    start = time.monotonic()
    sent = 0
    for seq in range(count):
        for i, s in enumerate(socks):
            s.sendto(struct.pack("!II", i, seq) + b"x" * 56, (dst, port))
            sent += 1
        ahead = sent / rate - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)


def recv(port, flows, count, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)  # SO_RCVBUFFORCE (root)
    s.bind(("0.0.0.0", port))
    s.settimeout(timeout)
    print("ready", file=sys.stderr, flush=True)
    nxt = [0] * flows
    got = [0] * flows
    reordered = 0
    total = 0
    while total < flows * count:
        try:
            data = s.recv(2048)
        except socket.timeout:
            break
        flow, seq = struct.unpack("!II", data[:8])
        if flow >= flows:
            continue
        total += 1
        got[flow] += 1
        if seq < nxt[flow]:
            reordered += 1
        else:
            nxt[flow] = seq + 1
    print(json.dumps({"received": total, "per_flow": got, "reordered": reordered,
                      "missing": flows * count - total}))


if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]),
             float(sys.argv[6]))
    else:
        recv(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
