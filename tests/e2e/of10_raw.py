#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""An OpenFlow 1.0 peer in raw bytes, for test_of10.sh.

  of10_raw.py PORT errors         malformed and foreign messages get 1.0 errors
  of10_raw.py PORT packet-in N    waits for a 1.0 packet-in from port N
  of10_raw.py PORT packet-out N   sends a frame out of port N (1.0 packet-out)

Prints what it checked; exits non-zero on the first mismatch.
"""
import socket
import struct
import sys
import time

PORT = int(sys.argv[1])


def connect():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=5)
    s.sendall(struct.pack("!BBHI", 1, 0, 8, 1))  # hello, version 1.0 only
    v, t, _, _ = recv(s)
    if t != 0:
        sys.exit(f"FAIL: expected the switch's hello, got type {t}")
    return s


def recv(s):
    head = b""
    while len(head) < 8:
        chunk = s.recv(8 - len(head))
        if not chunk:
            sys.exit("FAIL: the switch closed the connection")
        head += chunk
    v, t, length, xid = struct.unpack("!BBHI", head)
    body = b""
    while len(body) < length - 8:
        body += s.recv(length - 8 - len(body))
    return v, t, xid, body


def expect(s, want_type, xid=None, wait=5):
    deadline = time.time() + wait
    while time.time() < deadline:
        s.settimeout(max(0.1, deadline - time.time()))
        try:
            v, t, x, body = recv(s)
        except socket.timeout:
            break
        if v != 1:
            sys.exit(f"FAIL: a version {v} message on a 1.0 connection")
        if t == want_type and (xid is None or x == xid):
            return body
        if t == 2:  # an echo request: answer it
            s.sendall(struct.pack("!BBHI", 1, 3, 8 + len(body), x) + body)
    sys.exit(f"FAIL: no message of type {want_type}")


def error_is(s, msg, etype, ecode, what):
    s.sendall(msg)
    xid = struct.unpack("!I", msg[4:8])[0]
    body = expect(s, 1, xid)
    got = struct.unpack("!HH", body[:4])
    if got != (etype, ecode):
        sys.exit(f"FAIL: {what}: error {got}, wanted {(etype, ecode)}")
    if body[4:12] != msg[:8]:
        sys.exit(f"FAIL: {what}: the error does not carry the 1.0 request")
    print(f"ok: {what}: 1.0 error {etype}/{ecode}")


def match10(in_port=None):
    wildcards = (1 << 22) - 1
    port = 0
    if in_port is not None:
        wildcards &= ~1
        port = in_port
    return struct.pack("!IH6s6sHBxHBBxxIIHH", wildcards, port, b"\0" * 6, b"\0" * 6,
                       0, 0, 0, 0, 0, 0, 0, 0, 0)


def flow_mod(xid, actions):
    body = match10(1) + struct.pack("!QHHHHIHH", 0, 0, 0, 0, 100, 0xffffffff, 0xffff, 0)
    return struct.pack("!BBHI", 1, 14, 8 + len(body) + len(actions), xid) + body + actions


def errors():
    s = connect()
    # An action type 1.0 does not have (1.3's group action, 22).
    error_is(s, flow_mod(10, struct.pack("!HHI", 22, 8, 1)), 2, 0, "unknown action type")
    # Output to port 0.
    error_is(s, flow_mod(11, struct.pack("!HHHH", 0, 8, 0, 0)), 2, 4, "output to port 0")
    # A 1.3 message on a 1.0 connection.
    error_is(s, struct.pack("!BBHI", 4, 5, 8, 12), 1, 0, "a 1.3 message")
    # A message type 1.0 does not have (1.3's group mod, 15 is 1.0's port mod;
    # 22 is past 1.0's types).
    error_is(s, struct.pack("!BBHI", 1, 22, 8, 13), 1, 1, "an unknown type")
    # A vendor message.
    error_is(s, struct.pack("!BBHII", 1, 4, 16, 14, 0x2320) + b"\0" * 4, 1, 3,
             "a vendor message")
    # The connection still serves: echo.
    s.sendall(struct.pack("!BBHI", 1, 2, 12, 15) + b"ping")
    if expect(s, 3, 15) != b"ping":
        sys.exit("FAIL: echo reply")
    print("ok: still serving (echo)")


def packet_in(port):
    s = connect()
    print("connected", flush=True)
    # Packet-ins from other ports may come first (the other namespace's
    # kernel has its own multicast to send when its link comes up).
    deadline = time.time() + 20
    while True:
        if time.time() > deadline:
            sys.exit(f"FAIL: no packet-in from port {port}")
        body = expect(s, 10, wait=max(0.1, deadline - time.time()))
        buffer_id, total_len, in_port, reason = struct.unpack("!IHHB", body[:9])
        if in_port == port:
            break
        print(f"a packet-in from port {in_port} first", flush=True)
    # Sent by an output:CONTROLLER action (reason 1); the whole frame,
    # shorter than the 128 bytes asked for.
    if in_port != port or reason != 1 or total_len != len(body) - 10:
        sys.exit(f"FAIL: packet-in in_port={in_port} reason={reason} total_len={total_len}")
    print(f"ok: 1.0 packet-in from port {in_port}, {total_len} bytes")


def packet_out(port):
    s = connect()
    frame = (b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x42" + b"\x88\xb5" + b"of10" * 12)
    actions = struct.pack("!HHHH", 0, 8, port, 0)
    body = struct.pack("!IHH", 0xffffffff, 0xffff, len(actions)) + actions + frame
    s.sendall(struct.pack("!BBHI", 1, 13, 8 + len(body), 20) + body)
    s.sendall(struct.pack("!BBHI", 1, 18, 8, 21))  # barrier
    expect(s, 19, 21)
    print(f"ok: 1.0 packet-out to port {port}, barrier answered")


if sys.argv[2] == "errors":
    errors()
elif sys.argv[2] == "packet-in":
    packet_in(int(sys.argv[3]))
elif sys.argv[2] == "packet-out":
    packet_out(int(sys.argv[3]))
