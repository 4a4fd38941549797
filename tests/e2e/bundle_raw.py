#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Raw OpenFlow 1.4 bundle and flow monitor exchanges with a unix socket
of the switch, for test_bundle.sh: what ovs-ofctl never sends. Each case prints "NAME ok" or
"NAME FAIL: why".   usage: bundle_raw.py SOCKET"""
import socket
import struct
import sys

from of_wire import case, recv_msg

SOCK = sys.argv[1]
V = 5  # OpenFlow 1.4
CTRL, ADD = 33, 34
OPEN, CLOSE, COMMIT, DISCARD = 0, 2, 4, 6
ATOMIC = 1
BUNDLE_FAILED = 17


def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(3)
    s.connect(SOCK)
    assert recv_msg(s)[1] == 0, "no hello"
    s.sendall(struct.pack("!BBHI", V, 0, 16, 1) + struct.pack("!HHI", 1, 8, 1 << V))
    return s


def ctrl(bid, typ, flags=ATOMIC, xid=10):
    return struct.pack("!BBHIIHH", V, CTRL, 16, xid, bid, typ, flags)


def flow_mod(xid, priority, table=0, out_group=None):
    # OpenFlow 1.4 flow mod: an empty match, apply-actions output:1 (or
    # group:N when out_group is given).
    match = struct.pack("!HH4x", 1, 4)
    if out_group is None:
        act = struct.pack("!HHIH6x", 0, 16, 1, 0xffff)
    else:
        act = struct.pack("!HHI", 22, 8, out_group)
    inst = struct.pack("!HH4x", 4, 8 + len(act)) + act
    body = struct.pack("!QQBBHHHIIIHH", 0, 0, table, 0, 0, 0, priority, 0xffffffff, 0xffffffff,
                       0xffffffff, 0, 0) + match + inst
    return struct.pack("!BBHI", V, 14, 8 + len(body), xid) + body


def add(bid, inner, xid=None, flags=ATOMIC):
    xid = struct.unpack("!I", inner[4:8])[0] if xid is None else xid
    msg = struct.pack("!BBHIIHH", V, ADD, 16 + len(inner), xid, bid, 0, flags) + inner
    return msg


def expect_reply(s, req, typ):
    s.sendall(req)
    m = recv_msg(s)
    assert m is not None, "connection closed"
    assert m[1] == CTRL, "type %d, not a bundle reply" % m[1]
    bid, t, _ = struct.unpack("!IHH", m[3][:8])
    assert t == typ + 1, "reply type %d, wanted %d" % (t, typ + 1)
    assert m[0] == V, "version %d" % m[0]


def expect_error(s, req, etype, ecode):
    s.sendall(req)
    m = recv_msg(s)
    assert m is not None, "connection closed"
    assert m[1] == 1, "type %d instead of an error" % m[1]
    assert m[0] == V, "error in version %d" % m[0]
    t, c = struct.unpack("!HH", m[3][:4])
    assert (t, c) == (etype, ecode), "error %d/%d, wanted %d/%d" % (t, c, etype, ecode)


def alive(s):
    s.sendall(struct.pack("!BBHI", V, 2, 12, 77) + b"ping")
    m = recv_msg(s)
    assert m and m[1] == 3 and m[2] == 77, "no echo reply"


def commit_unknown():
    s = connect()
    expect_error(s, ctrl(7, COMMIT), BUNDLE_FAILED, 2)  # BAD_ID
    alive(s)


def open_twice():
    s = connect()
    expect_reply(s, ctrl(1, OPEN), OPEN)
    expect_error(s, ctrl(1, OPEN), BUNDLE_FAILED, 3)  # BUNDLE_EXIST
    alive(s)


def add_after_close():
    s = connect()
    expect_reply(s, ctrl(2, OPEN), OPEN)
    expect_reply(s, ctrl(2, CLOSE), CLOSE)
    expect_error(s, add(2, flow_mod(20, 100)), BUNDLE_FAILED, 4)  # BUNDLE_CLOSED
    expect_reply(s, ctrl(2, DISCARD), DISCARD)
    expect_error(s, ctrl(2, COMMIT), BUNDLE_FAILED, 2)  # gone: BAD_ID
    alive(s)


def bad_type_and_flags():
    s = connect()
    expect_error(s, ctrl(3, 9), BUNDLE_FAILED, 6)  # BAD_TYPE
    expect_error(s, ctrl(3, OPEN, flags=0x80), BUNDLE_FAILED, 7)  # BAD_FLAGS
    expect_reply(s, ctrl(3, OPEN), OPEN)
    expect_error(s, ctrl(3, COMMIT, flags=3), BUNDLE_FAILED, 7)  # not the open's flags
    alive(s)


def unsupported_inner():
    s = connect()
    echo = struct.pack("!BBHI", V, 2, 8, 30)
    expect_error(s, add(4, echo), BUNDLE_FAILED, 10)  # MSG_UNSUP
    expect_error(s, add(4, flow_mod(31, 1), xid=99), BUNDLE_FAILED, 9)  # MSG_BAD_XID
    short = add(4, flow_mod(32, 1))
    short = short[:2] + struct.pack("!H", 24) + short[4:24]
    expect_error(s, short, BUNDLE_FAILED, 8)  # MSG_BAD_LEN
    alive(s)


def bad_inner_flow_mod():
    s = connect()
    fm = bytearray(flow_mod(40, 1))
    fm[8 + 17] = 9  # command 9: no such flow mod command
    expect_error(s, add(5, bytes(fm)), 5, 6)  # FLOW_MOD_FAILED / BAD_COMMAND
    alive(s)


def too_many_bundles():
    s = connect()
    for i in range(16):
        expect_reply(s, ctrl(100 + i, OPEN), OPEN)
    expect_error(s, ctrl(200, OPEN), BUNDLE_FAILED, 5)  # OUT_OF_BUNDLES
    alive(s)


def commit_all_or_none():
    # Two good adds and one to a group the switch lacks: the commit fails
    # with the add's own error, then MSG_FAILED, and nothing stays.
    s = connect()
    expect_reply(s, ctrl(6, OPEN), OPEN)
    s.sendall(add(6, flow_mod(50, 4001)))
    s.sendall(add(6, flow_mod(51, 4002)))
    s.sendall(add(6, flow_mod(52, 4003, out_group=99)))
    s.sendall(ctrl(6, COMMIT, xid=53))
    m = recv_msg(s)
    assert m and m[1] == 1, "no error for the failing flow mod"
    assert struct.unpack("!HH", m[3][:4]) == (2, 9), "not BAD_OUT_GROUP: %r" % (m[3][:4],)
    assert struct.unpack("!I", m[3][8:12])[0] == 52, "the error is not the flow mod's"
    m = recv_msg(s)
    assert m and m[1] == 1 and struct.unpack("!HH", m[3][:4]) == (17, 13), "no MSG_FAILED"
    alive(s)


def monitor_req(mid, flags, command, table=0xFF, xid=60):
    body = struct.pack("!HH4x", 16, 0) + struct.pack("!IIIHBB", mid, 0xFFFFFFFF, 0xFFFFFFFF,
                                                    flags, table, command)
    body += struct.pack("!HH4x", 1, 4)  # an empty match
    return struct.pack("!BBHI", V, 18, 8 + len(body), xid) + body


def monitor_errors():
    s = connect()
    s.sendall(monitor_req(1, 0x2, 0))
    m = recv_msg(s)
    assert m and m[1] == 19 and m[0] == V, "no flow monitor reply"
    expect_error(s, monitor_req(1, 0x2, 0), 16, 1)  # MONITOR_EXISTS
    expect_error(s, monitor_req(2, 0x2, 1), 16, 3)  # MODIFY of none: UNKNOWN_MONITOR
    expect_error(s, monitor_req(2, 0x2, 2), 16, 3)  # DELETE of none
    expect_error(s, monitor_req(2, 0x2, 7), 16, 4)  # BAD_COMMAND
    expect_error(s, monitor_req(2, 0x100, 0), 16, 5)  # BAD_FLAGS
    s.sendall(monitor_req(1, 0x2, 2))  # DELETE: an empty reply
    m = recv_msg(s)
    assert m and m[1] == 19 and len(m[3]) == 8, "no empty reply to a delete"
    alive(s)


def monitor_own_abbreviated():
    # With bit 6 (as Open vSwitch reads it) the connection's own add comes
    # back abbreviated to its xid; without it, not at all.
    s = connect()
    s.sendall(monitor_req(3, 0x2 | 0x40, 0))
    assert recv_msg(s)[1] == 19
    s.sendall(flow_mod(4321, 3333))
    m = recv_msg(s)
    assert m and m[1] == 19, "no update for the own add"
    assert struct.unpack("!HHI", m[3][8:16]) == (8, 4, 4321), "not ABBREV with the xid"
    s2 = connect()
    s2.sendall(monitor_req(4, 0x2, 0))
    assert recv_msg(s2)[1] == 19
    s2.sendall(flow_mod(4322, 3334))
    alive(s2)  # the echo reply comes first: no update of its own add
    fm = bytearray(flow_mod(4323, 3333))
    fm[8 + 17] = 4  # DELETE_STRICT of s's flow, and of 3334, by s2
    s2.sendall(bytes(fm))
    alive(s2)
    fm = bytearray(flow_mod(4324, 3334))
    fm[8 + 17] = 4
    s2.sendall(bytes(fm))
    alive(s2)


for name, fn in [("monitor_errors", monitor_errors), ("monitor_own_abbreviated", monitor_own_abbreviated),
                 ("commit_unknown", commit_unknown), ("open_twice", open_twice),
                 ("add_after_close", add_after_close), ("bad_type_and_flags", bad_type_and_flags),
                 ("unsupported_inner", unsupported_inner), ("bad_inner_flow_mod", bad_inner_flow_mod),
                 ("too_many_bundles", too_many_bundles), ("commit_all_or_none", commit_all_or_none)]:
    case(name, fn)
