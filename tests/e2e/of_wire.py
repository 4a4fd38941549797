# SPDX-License-Identifier: Apache-2.0
"""What the raw OpenFlow test peers (of_raw.py, bundle_raw.py) share."""
import struct


def recv_msg(s):
    """One whole message from socket 's' as (version, type, xid, body), or
    None when the switch closed the connection first."""
    hdr = b""
    while len(hdr) < 8:
        chunk = s.recv(8 - len(hdr))
        if not chunk:
            return None
        hdr += chunk
    ver, typ, length, xid = struct.unpack("!BBHI", hdr)
    body = b""
    while len(body) < length - 8:
        chunk = s.recv(length - 8 - len(body))
        if not chunk:
            break
        body += chunk
    return ver, typ, xid, body


def case(name, fn):
    """Runs check 'fn', printing "NAME ok" or "NAME FAIL: why"."""
    try:
        fn()
        print(name, "ok")
    except Exception as e:  # noqa: BLE001 - the test reports any failure
        print(name, "FAIL:", e)
