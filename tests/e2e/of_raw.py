#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Raw OpenFlow 1.3 exchanges with the switch's passive listener, for the
malformed-message checks of test_openflow.sh. Each case prints
"NAME ok" or "NAME FAIL: why".   usage: of_raw.py PORT"""
import socket
import struct
import sys

from of_wire import case, recv_msg

PORT = int(sys.argv[1])


def connect(hello=True):
    s = socket.create_connection(("127.0.0.1", PORT), timeout=3)
    h = recv_msg(s)
    assert h[1] == 0, "the switch did not open with a hello"
    if hello:
        s.sendall(struct.pack("!BBHI", 4, 0, 16, 1) + struct.pack("!HHI", 1, 8, 1 << 4))
    return s


def expect_error(s, req, etype, ecode):
    s.sendall(req)
    m = recv_msg(s)
    assert m is not None, "connection closed"
    ver, typ, xid, body = m
    assert typ == 1, "type %d instead of an error" % typ
    t, c = struct.unpack("!HH", body[:4])
    assert (t, c) == (etype, ecode), "error %d/%d, wanted %d/%d" % (t, c, etype, ecode)
    assert body[4:] == req[: len(body) - 4], "the offending bytes are not echoed"


def alive(s):
    s.sendall(struct.pack("!BBHI", 4, 2, 12, 77) + b"ping")
    m = recv_msg(s)
    assert m and m[1] == 3 and m[2] == 77 and m[3] == b"ping", "no echo reply"


def bad_version():
    s = connect()
    expect_error(s, struct.pack("!BBHI", 1, 2, 8, 5), 1, 0)
    alive(s)


def bad_type():
    s = connect()
    expect_error(s, struct.pack("!BBHI", 4, 99, 8, 6), 1, 1)
    alive(s)


def bad_multipart():
    s = connect()
    expect_error(s, struct.pack("!BBHIHH4x", 4, 18, 16, 7, 0x7777, 0), 1, 2)
    alive(s)


def flow_mod(match, insts=b"", command=0):
    body = struct.pack("!QQBBHHHIIIH2x", 0, 0, 0, command, 0, 0, 100, 0xFFFFFFFF,
                       0xFFFFFFFF, 0xFFFFFFFF, 0)
    mlen = 4 + len(match)
    m = struct.pack("!HH", 1, mlen) + match + b"\0" * ((8 - mlen % 8) % 8)
    msg = body + m + insts
    return struct.pack("!BBHI", 4, 14, 8 + len(msg), 9) + msg


def oxm(field, value, mask=None):
    hm = 1 if mask is not None else 0
    v = value + (mask or b"")
    return struct.pack("!HBB", 0x8000, field << 1 | hm, len(v)) + v


def bad_field():
    s = connect()
    expect_error(s, flow_mod(oxm(50, b"\0\1")), 4, 6)  # no such field in OpenFlow 1.3
    alive(s)


def bad_prereq():
    s = connect()
    expect_error(s, flow_mod(oxm(13, b"\0\x50")), 4, 9)  # tcp_dst without ip/tcp
    alive(s)


def dup_field():
    s = connect()
    expect_error(s, flow_mod(oxm(5, b"\x08\0") + oxm(5, b"\x08\0")), 4, 10)
    alive(s)


def bad_mask():
    s = connect()
    expect_error(s, flow_mod(oxm(5, b"\x08\0", b"\xff\0")), 4, 8)  # eth_type not maskable
    alive(s)


def bad_action():
    s = connect()
    act = struct.pack("!HH4x", 0x1234, 8)
    inst = struct.pack("!HH4x", 4, 8 + len(act)) + act
    expect_error(s, flow_mod(b"", inst), 2, 0)
    alive(s)


def bad_inst():
    s = connect()
    inst = struct.pack("!HH4x", 0x77, 8)
    expect_error(s, flow_mod(b"", inst), 3, 0)
    alive(s)


def bad_command():
    s = connect()
    expect_error(s, flow_mod(b"", command=9), 5, 6)
    alive(s)


def short_flow_mod():
    s = connect()
    expect_error(s, struct.pack("!BBHI", 4, 14, 16, 3) + b"\0" * 8, 1, 6)
    alive(s)


def lost_framing():
    s = connect()
    s.sendall(struct.pack("!BBHI", 4, 2, 4, 1))  # length below the header
    m = recv_msg(s)
    assert m and m[1] == 1, "no error for a length below 8"
    assert recv_msg(s) is None, "the connection stayed open without framing"


def no_common_version():
    s = connect(hello=False)
    s.sendall(struct.pack("!BBHI", 3, 0, 8, 1))  # OpenFlow 1.2 only
    m = recv_msg(s)
    assert m and m[1] == 1, "no hello-failed error"
    t, c = struct.unpack("!HH", m[3][:4])
    assert (t, c) == (0, 0), "error %d/%d instead of HELLO_FAILED/INCOMPATIBLE" % (t, c)
    assert recv_msg(s) is None, "the connection stayed open"


for name, fn in [("bad_version", bad_version), ("bad_type", bad_type),
                 ("bad_multipart", bad_multipart), ("bad_field", bad_field),
                 ("bad_prereq", bad_prereq), ("dup_field", dup_field),
                 ("bad_mask", bad_mask), ("bad_action", bad_action),
                 ("bad_instruction", bad_inst), ("bad_command", bad_command),
                 ("short_flow_mod", short_flow_mod), ("lost_framing", lost_framing),
                 ("no_common_version", no_common_version)]:
    case(name, fn)
