#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The Geneve option map (issue 22): the real ovs-ofctl maps options to
# tun_metadata fields (add-tlv-map), reads the map back (dump-tlv-map) over
# OpenFlow 1.3, 1.4 and 1.5, and deletes mappings one by one or all at once
# (del-tlv-map); each refusal comes back as Open vSwitch names it
# (NXTTMFC_*), and changes nothing. The map survives a clean restart and
# kill -9. Raw messages that do not hold whole mappings get OFPBRC_BAD_LEN
# and the daemon keeps serving. Then flows on tun_metadata fields (match,
# move, load, set_field), the mappings they hold, a restart.
set -uo pipefail
BIN=${1:?usage: test_tlv_map.sh BINDIR}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/e2e.sh"

S=$$
BR=tlv$S

ofctl() { timeout 10 ovs-ofctl "$@"; }
restart_clean() { stop_vswitchd && start_vswitchd; }
of() { echo "unix:$T/run/$BR.mgmt"; }
# The mappings as "class type length field" lines, sorted.
tlv_map() {
	ofctl -O "${1:-OpenFlow13}" dump-tlv-map "$(of)" |
		awk '/tun_metadata/ {print $1, $2, $3, $4}' | sort
}
# refused ERROR MAPPING: add-tlv-map fails with ERROR and the map stays.
refused() {
	local before out
	before=$(tlv_map)
	out=$(ofctl -O OpenFlow13 add-tlv-map "$(of)" "$2" 2>&1) && return 1
	grep -q "$1" <<<"$out" && [ "$(tlv_map)" = "$before" ]
}

start_vswitchd || { echo "vswitchd did not start"; cat "$T/vswitchd.log"; exit 1; }
check "a bridge" ctl add-br "$BR"
check "an empty map" [ -z "$(tlv_map)" ]
check "the switch says what its map can hold" \
	grep -q "max option space=12 max fields=16" <<<"$(ofctl -O OpenFlow13 dump-tlv-map "$(of)")"
check "OVN's option mapped to tun_metadata0" \
	ofctl -O OpenFlow13 add-tlv-map "$(of)" "{class=0x0102,type=0x80,len=4}->tun_metadata0"
check "dump-tlv-map shows it" [ "$(tlv_map)" = "0x102 0x80 4 tun_metadata0" ]
check "a field mapped already" refused NXTTMFC_ALREADY_MAPPED \
	"{class=0xffff,type=1,len=4}->tun_metadata0"
check "an option mapped to another field" refused NXTTMFC_DUP_ENTRY \
	"{class=0x0102,type=0x80,len=4}->tun_metadata1"
check "options beyond the space" refused NXTTMFC_TABLE_FULL \
	"{class=0xffff,type=1,len=12}->tun_metadata1"
check "no tun_metadata16" refused NXTTMFC_BAD_FIELD_IDX \
	"{class=0xffff,type=1,len=4}->tun_metadata16"
check "a length that is no multiple of 4" refused NXTTMFC_BAD_OPT_LEN \
	"{class=0xffff,type=1,len=5}->tun_metadata1"
check "two at once, all or nothing (the second is a duplicate)" refused NXTTMFC_DUP_ENTRY \
	"{class=0xffff,type=1,len=4}->tun_metadata1,{class=0xffff,type=1,len=4}->tun_metadata2"
check "two at once over OpenFlow 1.4" ofctl -O OpenFlow14 add-tlv-map "$(of)" \
	"{class=0xffff,type=1,len=4}->tun_metadata1,{class=0xffff,type=2,len=4}->tun_metadata15"
check "read back over OpenFlow 1.5" [ "$(tlv_map OpenFlow15)" = "0x102 0x80 4 tun_metadata0
0xffff 0x1 4 tun_metadata1
0xffff 0x2 4 tun_metadata15" ]
check "one deleted" ofctl -O OpenFlow13 del-tlv-map "$(of)" \
	"{class=0xffff,type=1,len=4}->tun_metadata1"
want="0x102 0x80 4 tun_metadata0
0xffff 0x2 4 tun_metadata15"
check "the other two stay" [ "$(tlv_map)" = "$want" ]

check "clean restart" restart_clean
check "clean restart: the same map" [ "$(tlv_map)" = "$want" ]
kill -KILL "$(vswitchd_pid)"
for _ in $(seq 100); do alive "$(vswitchd_pid)" || break; sleep 0.02; done
start_vswitchd
check "kill -9: the same map" [ "$(tlv_map)" = "$want" ]

# Raw messages: a mod with half a mapping, a request with a body.
raw=$(/usr/bin/python3 - "$T/run/$BR.mgmt" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
def send(t, xid, body=b""):
    s.sendall(struct.pack("!BBHI", 4, t, 8 + len(body), xid) + body)
def recv():
    h = b""
    while len(h) < 8:
        h += s.recv(8 - len(h))
    n = struct.unpack("!H", h[2:4])[0] - 8
    b = b""
    while len(b) < n:
        b += s.recv(n - len(b))
    return h[1], struct.unpack("!I", h[4:8])[0], b
send(0, 1, struct.pack("!HHI", 1, 8, 1 << 4))
while recv()[0] != 0:
    pass
nx = lambda sub: struct.pack("!II", 0x2320, sub)
send(4, 2, nx(24) + b"\0" * 8 + b"\xff\xff\x01\x04")  # half a mapping
send(4, 3, nx(25) + b"\0" * 8)                        # a request with a body
send(2, 4)                                            # echo: still serving
out = []
for _ in range(3):
    t, xid, b = recv()
    out.append("%d:%d:%s" % (t, xid, b[:4].hex()))
print(" ".join(out))
PY
)
echo "raw replies: $raw"
check "half a mapping: OFPBRC_BAD_LEN" grep -q "1:2:00010006" <<<"$raw"
check "a request with a body: OFPBRC_BAD_LEN" grep -q "1:3:00010006" <<<"$raw"
check "and the switch still answers" grep -q "3:4:" <<<"$raw"
check "the map unchanged" [ "$(tlv_map)" = "$want" ]

check "del-tlv-map without a mapping clears the map" ofctl -O OpenFlow13 del-tlv-map "$(of)"
check "an empty map again" [ -z "$(tlv_map)" ]

# Flows on tun_metadata: refused while unmapped; matched, moved, loaded
# and set once mapped, as ovs-ofctl writes them; the mappings they use
# stay; all of it survives a restart.
flows() { ofctl -O OpenFlow13 dump-flows "$(of)" | sed 's/.*table=/table=/; s/n_packets=[0-9]*, n_bytes=[0-9]*, //'; }
F0="priority=90,tun_metadata0=0x1234,actions=move:tun_metadata0[0..15]->reg1[0..15],load:0x77->tun_metadata3[8..15],resubmit(,1)"
F1="table=1,reg1=0x1234,tun_metadata3=0x7700/0xff00,actions=set_field:0xaabbccdd->tun_metadata0"
check "an unmapped field: NXFMFC_INVALID_TLV_FIELD" sh -c \
	"timeout 10 ovs-ofctl -O OpenFlow13 add-flow $(of) 'tun_metadata0=1,actions=drop' 2>&1 | grep -q NXFMFC_INVALID_TLV_FIELD"
check "two options mapped (4 and 8 bytes)" ofctl -O OpenFlow13 add-tlv-map "$(of)" \
	"{class=0x0102,type=0x80,len=4}->tun_metadata0,{class=0x0102,type=0x1,len=8}->tun_metadata3"
check "a flow matching, moving and loading them" ofctl -O OpenFlow13 add-flow "$(of)" "$F0"
check "a flow matching one masked, setting the other" ofctl -O OpenFlow13 add-flow "$(of)" "$F1"
want_flows=$(flows)
has_flow() { grep -qF -- "$1" <<<"$want_flows"; }
check "dump-flows: the match, move and load" has_flow \
	"priority=90,tun_metadata0=0x1234 actions=move:NXM_NX_TUN_METADATA0[0..15]->NXM_NX_REG1[0..15],set_field:0x7700/0xff00->tun_metadata3"
check "dump-flows: the masked match and the set_field" has_flow \
	"reg1=0x1234,tun_metadata3=0x7700/0xff00 actions=set_field:0xaabbccdd->tun_metadata0"
check "trace: the load feeds table 1's match" sh -c "$BIN/switch-ctl --ctl $T/ctl.sock trace $BR \
	in_port=LOCAL,tun_metadata0=0x1234 | grep -q 'reg1=0x1234,tun_metadata3=0x7700/0xff00'"
check "a used mapping cannot go: NXTTMFC_INVALID_TLV_DEL" sh -c \
	"timeout 10 ovs-ofctl -O OpenFlow13 del-tlv-map $(of) 2>&1 | grep -q NXTTMFC_INVALID_TLV_DEL"
check "clean restart" restart_clean
check "clean restart: the same flows" [ "$(flows)" = "$want_flows" ]
check "deleting the flows frees the mappings" sh -c \
	"timeout 10 ovs-ofctl -O OpenFlow13 del-flows $(of) && timeout 10 ovs-ofctl -O OpenFlow13 del-tlv-map $(of)"
check "an empty map at last" [ -z "$(tlv_map)" ]
finish
