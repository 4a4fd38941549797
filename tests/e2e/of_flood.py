#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Hostile and minimal OpenFlow peers for test_ofconn_limits.sh.

  of_flood.py flood HOST PORT N_IDLE N_SLOW SECONDS STATS
      holds N_IDLE connections that send nothing and N_SLOW that send a
      HELLO one byte every 0.3 s, reopening each one the switch closes,
      for SECONDS; then writes to STATS (JSON) how many it opened, how many
      the switch closed, and how many were open at the end.

  of_flood.py controller PORT STATE
      a minimal controller on 127.0.0.1:PORT: says hello, answers echo
      requests, and appends one line to STATE per connection accepted.
      SIGUSR1 closes the connections it has (the switch must reconnect).
"""
import json
import os
import selectors
import signal
import socket
import struct
import sys
import time

HELLO = struct.pack("!BBHI", 4, 0, 8, 1)


def flood(host, port, n_idle, n_slow, seconds, stats_path):
    sel = selectors.DefaultSelector()
    conns = {}  # socket -> [kind, bytes of HELLO sent, next send time]
    opened = closed = failed = 0

    def open_one(kind):
        nonlocal opened, failed
        s = socket.socket()
        s.setblocking(False)
        try:
            s.connect((host, port))
        except BlockingIOError:
            pass
        except OSError:
            failed += 1
            s.close()
            return
        conns[s] = [kind, 0, time.monotonic()]
        sel.register(s, selectors.EVENT_READ)
        opened += 1

    for i in range(n_idle + n_slow):
        open_one("idle" if i < n_idle else "slow")
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for key, _ in sel.select(timeout=0.1):
            s = key.fileobj
            try:
                data = s.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if not data:  # the switch closed it: open another
                kind = conns.pop(s)[0]
                sel.unregister(s)
                s.close()
                closed += 1
                open_one(kind)
        now = time.monotonic()
        for s, st in list(conns.items()):
            if st[0] == "slow" and now >= st[2] and st[1] < len(HELLO) - 1:
                try:
                    s.send(HELLO[st[1]:st[1] + 1])
                    st[1] += 1
                except (BlockingIOError, OSError):
                    pass
                st[2] = now + 0.3
    with open(stats_path, "w") as f:
        json.dump({"opened": opened, "closed_by_switch": closed, "failed": failed,
                   "open_at_end": len(conns)}, f)
    for s in conns:
        s.close()


def controller(port, state_path):
    sel = selectors.DefaultSelector()
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", port))
    lsock.listen(8)
    sel.register(lsock, selectors.EVENT_READ)
    peers = {}
    drop = []

    signal.signal(signal.SIGUSR1, lambda *_: drop.append(1))
    while True:
        if drop:
            drop.clear()
            for s in list(peers):
                sel.unregister(s)
                s.close()
            peers.clear()
        try:
            events = sel.select(timeout=0.2)
        except InterruptedError:
            continue
        for key, _ in events:
            s = key.fileobj
            if s is lsock:
                c, _ = lsock.accept()
                c.sendall(HELLO)
                peers[c] = b""
                sel.register(c, selectors.EVENT_READ)
                with open(state_path, "a") as f:
                    f.write("connected\n")
                continue
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if not data:
                sel.unregister(s)
                s.close()
                peers.pop(s, None)
                continue
            buf = peers[s] + data
            while len(buf) >= 8:
                ver, typ, length, xid = struct.unpack("!BBHI", buf[:8])
                if length < 8 or len(buf) < length:
                    break
                if typ == 2:  # echo request -> echo reply
                    s.sendall(struct.pack("!BBHI", ver, 3, length, xid) + buf[8:length])
                buf = buf[length:]
            peers[s] = buf


if __name__ == "__main__":
    if sys.argv[1] == "flood":
        flood(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]),
              float(sys.argv[6]), sys.argv[7])
    elif sys.argv[1] == "controller":
        controller(int(sys.argv[2]), sys.argv[3])
    else:
        sys.exit(__doc__)
