#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Streams flow mods (and, every 2000 flows, a group mod and a meter mod) to
the switch's passive listener, a barrier after every WINDOW messages, and
records in ACKED_FILE how many flows a barrier reply acknowledged: the
crash test of test_restart.sh kills the switch under it.
Flow i: table 0, priority 100, udp, udp_dst 1000 + i % 5000, ipv4_dst
172.16.0.0 + i, actions output:1; group and meter i // 2000 + 1. About
10,000 flows a second, so that a kill finds a table of a useful size.
   usage: of_stream.py PORT FIRST ACKED_FILE"""
import socket
import time
import struct
import sys

PORT, FIRST, ACKED = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
WINDOW = 50


def oxm(field, value):
    return struct.pack("!HBB", 0x8000, field << 1, len(value)) + value


def match(i):
    fields = (oxm(5, struct.pack("!H", 0x0800)) + oxm(10, b"\x11")
              + oxm(16, struct.pack("!H", 1000 + i % 5000))
              + oxm(12, struct.pack("!I", 0xAC100000 + i)))
    m = struct.pack("!HH", 1, 4 + len(fields)) + fields
    return m + b"\0" * (-len(m) % 8)


def flow_mod(i):
    out = struct.pack("!HHIH6x", 0, 16, 1, 0xFFFF)  # output:1
    insts = struct.pack("!HH4x", 4, 8 + len(out)) + out  # apply-actions
    body = struct.pack("!QQBBHHHIIIH2x", 0, 0, 0, 0, 0, 0, 100,
                       0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0) + match(i) + insts
    return struct.pack("!BBHI", 4, 14, 8 + len(body), i) + body


def group_mod(gid):
    out = struct.pack("!HHIH6x", 0, 16, 1, 0xFFFF)
    bucket = struct.pack("!HHII4x", 16 + len(out), 0, 0xFFFFFFFF, 0xFFFFFFFF) + out
    body = struct.pack("!HBxI", 0, 0, gid) + bucket  # add, type all
    return struct.pack("!BBHI", 4, 15, 8 + len(body), 0) + body


def meter_mod(mid):
    band = struct.pack("!HHII4x", 1, 16, 1000, 0)  # drop, 1000 pkt/s
    body = struct.pack("!HHI", 0, 2, mid) + band  # add, pktps
    return struct.pack("!BBHI", 4, 29, 8 + len(body), 0) + body


def recv_msg(s, buf):
    while True:
        if len(buf) >= 8:
            length = struct.unpack("!H", buf[2:4])[0]
            if len(buf) >= length:
                return buf[:length], buf[length:]
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk


def main():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=5)
    s.sendall(struct.pack("!BBHI", 4, 0, 16, 1) + struct.pack("!HHI", 1, 8, 1 << 4))
    buf = b""
    i = FIRST
    while True:
        batch = []
        for _ in range(WINDOW):
            if i % 2000 == 0:
                batch.append(group_mod(i // 2000 + 1))
                batch.append(meter_mod(i // 2000 + 1))
            batch.append(flow_mod(i))
            i += 1
        xid = 0x7F000000 + i
        s.sendall(b"".join(batch) + struct.pack("!BBHI", 4, 20, 8, xid))
        while True:
            msg, buf = recv_msg(s, buf)
            if msg[1] == 1 and msg[8:12] in (b"\0\x06\0\0", b"\0\x0c\0\x01"):
                continue  # a group or meter of the window the kill cut: there
            if msg[1] == 1:  # any other error: the test fails on it
                print("of_stream: error %d/%d for xid %d" % (
                    struct.unpack("!HH", msg[8:12]) + (struct.unpack("!I", msg[4:8])[0],)))
                sys.exit(1)
            if msg[1] == 21 and struct.unpack("!I", msg[4:8])[0] == xid:
                break
        with open(ACKED, "w") as f:
            f.write("%d\n" % i)
        time.sleep(0.004)


if __name__ == "__main__":
    try:
        main()
    except (ConnectionError, OSError):
        sys.exit(0)
