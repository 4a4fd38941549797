#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Sends UDP frames out of one interface at a steady rate, each of a new
flow (random destination address in 172.16.0.0/12, random ports), for the
upcall benchmark (scripts/bench-upcall.sh). Standard library only; run it
inside the sender's namespace, as root.

  flowgen.py IFACE DST_MAC RATE SECS [RULES]

With RULES, each frame is of a random one of the first RULES rules of
bench-upcall.sh's table (its destination address and port) instead: every
frame still a flow of its own, but one that the table matches.
Prints "flowgen sent=N secs=S" when done."""
import os
import random
import socket
import struct
import sys
import time


def checksum(hdr):
    s = sum(struct.unpack("!10H", hdr))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(src_mac, dst_mac, src_ip, rnd, rules):
    if rules:
        # Rule i of the table: tp_dst=1000+i%50000, nw_dst=172.(16+(i>>16)%16).(i>>8&255).(i&255)
        i = rnd.randrange(rules)
        dst_ip = bytes([172, 16 + (i >> 16) % 16, (i >> 8) & 255, i & 255])
        dport = 1000 + i % 50000
    else:
        dst_ip = bytes([172, 16 + rnd.randrange(16), rnd.randrange(256), rnd.randrange(256)])
        dport = rnd.randrange(1000, 51000)
    payload = b"\0" * 18
    udp = struct.pack("!HHHH", rnd.randrange(1024, 65536), dport, 8 + len(payload), 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp) + len(payload), 0, 0, 64, 17, 0,
                     src_ip, dst_ip)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return dst_mac + src_mac + b"\x08\x00" + ip + udp + payload


def main():
    iface, dst, rate, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    rules = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    dst_mac = bytes(int(x, 16) for x in dst.split(":"))
    with open("/sys/class/net/%s/address" % iface) as f:
        src_mac = bytes(int(x, 16) for x in f.read().strip().split(":"))
    # The same frames every run, so that two switches see the same traffic.
    rnd = random.Random(int(os.environ.get("FLOWGEN_SEED", "1")))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    src_ip = bytes([10, 99, 0, 3])
    # A millisecond's worth at a time: bursts no longer than that.
    batch = max(1, rate // 1000)
    sent = 0
    t0 = time.monotonic()
    while True:
        elapsed = time.monotonic() - t0
        if elapsed >= secs:
            break
        due = int(elapsed * rate) + batch
        frames = [frame(src_mac, dst_mac, src_ip, rnd, rules) for _ in range(max(0, due - sent))]
        for fr in frames:
            try:
                s.send(fr)
                sent += 1
            except OSError:
                pass
        time.sleep(0.001)
    print("flowgen sent=%d secs=%.2f" % (sent, time.monotonic() - t0))


if __name__ == "__main__":
    main()
