#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Small UDP and TCP payloads through the switch, for the checksum checks
of test_ports_kernel.sh (issue 17: short IPv4 UDP left a veth port with an
unfinished checksum).
  small_csum.py recv ADDR4 ADDR6 PORT   receives UDP over both for 5 s (or
      until 65 of each) and a TCP stream; prints "v4=N v6=N tcp=BYTES"
  small_csum.py send ADDR4 ADDR6 PORT   sends UDP payloads of 0..64 bytes
      to both and the same sizes as separate TCP segments"""
import select
import socket
import sys
import time

MODE, A4, A6, PORT = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
SIZES = range(65)


def recv():
    u4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u4.bind((A4, PORT))
    u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u6.bind((A6, PORT))
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind((A4, PORT))
    t.listen(1)
    n4 = n6 = tcp = 0
    conn = None
    end = time.time() + 5
    while time.time() < end and not (n4 == n6 == len(SIZES) and tcp == sum(SIZES)):
        socks = [u4, u6, t] + ([conn] if conn else [])
        for s in select.select(socks, [], [], 0.2)[0]:
            if s is t:
                conn, _ = t.accept()
            elif s is conn:
                data = conn.recv(65536)
                tcp += len(data)
                if not data:
                    conn = None
            else:
                s.recv(2048)
                if s is u4:
                    n4 += 1
                else:
                    n6 += 1
    print("v4=%d v6=%d tcp=%d" % (n4, n6, tcp))


def send():
    u4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    for n in SIZES:
        u4.sendto(b"x" * n, (A4, PORT))
        u6.sendto(b"y" * n, (A6, PORT))
        time.sleep(0.002)
    t = socket.create_connection((A4, PORT), timeout=3)
    t.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for n in SIZES:
        if n:
            t.sendall(b"z" * n)
            time.sleep(0.002)
    t.close()


recv() if MODE == "recv" else send()
