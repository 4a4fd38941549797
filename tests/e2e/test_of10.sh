#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# OpenFlow 1.0 on the wire: the real ovs-ofctl with no -O (it offers 1.0
# only) shows the bridge, adds, dumps and deletes flows, reads port, table
# and aggregate statistics and takes a port down; the datapath obeys the
# 1.0 flows (two namespaces on TAP ports ping through them, and not without
# them). A raw 1.0 peer (of10_raw.py) gets 1.0 errors for what 1.0 cannot
# ask, a packet-in when the table sends to the controller, and has its
# packet-out sent.
set -uo pipefail
BIN=${1:?usage: test_of10.sh BINDIR}
. "$(dirname "$0")/../lib/e2e.sh"

S=$$
NET=10.216.$((S % 200))
PORT=$(tcp_port 1)
BR=o10b$S
OF="tcp:127.0.0.1:$PORT"
RAW="$(dirname "$0")/of10_raw.py"

ofctl() { timeout 10 ovs-ofctl "$@"; }
pings() { ns_ping on1$S "$NET.2" 2 0.2; }
no_pings() { ! pings; }
port_rx() { ofctl dump-ports "$OF" "$1" | sed -nE 's/.*rx pkts=([0-9]+).*/\1/p'; }
port_tx() { ofctl dump-ports "$OF" "$1" | sed -nE 's/.*tx pkts=([0-9]+).*/\1/p'; }

start_vswitchd || { echo "vswitchd did not start"; cat "$T/vswitchd.log"; exit 1; }
check "bridge in fail mode secure with a passive listener" ctl add-br "$BR" \
	-- add-port "$BR" t1$S type=tap -- add-port "$BR" t2$S type=tap \
	-- set-fail-mode "$BR" secure -- set-controller "$BR" "ptcp:$PORT:127.0.0.1"
for i in 1 2; do ns_host on$i$S t$i$S "$NET.$i/24"; done

show=$(ofctl show "$OF")
check "show over 1.0: the features reply" grep -q "OFPT_FEATURES_REPLY" <<<"$show"
check "show over 1.0: the ports, in the features reply" grep -q "1(t1$S)" <<<"$show"
check "show over 1.0: the bridge's own port" grep -q "LOCAL($BR)" <<<"$show"
check "show over 1.0: the switch config" grep -q "OFPT_GET_CONFIG_REPLY" <<<"$show"

check "no flows: nothing forwards" no_pings
check "add-flow over 1.0" ofctl add-flow "$OF" "in_port=1,actions=output:2"
check "another, with a 1.0 match and rewrite" \
	ofctl add-flow "$OF" "priority=40000,in_port=2,ip,nw_dst=$NET.0/24,actions=mod_nw_tos:0,output:1"
check "arp back" ofctl add-flow "$OF" "in_port=2,arp,actions=output:1"
check "the datapath obeys the 1.0 flows: ping" pings

dump=$(ofctl dump-flows "$OF")
check "dump-flows over 1.0" grep -q "OFPST_FLOW reply" <<<"$dump"
check "dump-flows: the first flow read back" grep -qE "n_packets=[1-9][0-9]*, .*in_port=1 actions=output:2" <<<"$dump"
check "dump-flows: the 1.0 match read back" \
	grep -qF "priority=40000,ip,in_port=2,nw_dst=$NET.0/24 actions=mod_nw_tos:0,output:1" <<<"$dump"
check "an ICMP match over 1.0 (its type and code are 1.0's ports)" \
	ofctl add-flow "$OF" "priority=3,icmp,icmp_type=13,icmp_code=0,actions=drop"
check "read back over 1.0" grep -qF "priority=3,icmp,icmp_type=13,icmp_code=0 actions=drop" \
	<<<"$(ofctl dump-flows "$OF")"
check "the ICMP flow goes" ofctl --strict del-flows "$OF" "priority=3,icmp,icmp_type=13,icmp_code=0"
check "switch-ctl sees the same three" [ "$(ctl dump-flows "$BR" | grep -c actions=)" -eq 3 ]
check "dump-aggregate over 1.0" grep -q "flow_count=3" <<<"$(ofctl dump-aggregate "$OF")"
check "dump-tables over 1.0" grep -q "active=3" <<<"$(ofctl dump-tables "$OF")"
check "dump-ports over 1.0: port 1 received the pings" [ "$(port_rx 1)" -ge 2 ]
check "dump-ports-desc over 1.0" grep -q "2(t2$S)" <<<"$(ofctl dump-ports-desc "$OF")"

check "del-flows with a 1.0 match" ofctl del-flows "$OF" in_port=1
check "one flow gone" [ "$(ofctl dump-flows "$OF" | grep -c actions=)" -eq 2 ]
check "and the datapath forgot it: no ping" no_pings

check "mod-port over 1.0" ofctl mod-port "$OF" 2 down
port_down() { ofctl show "$OF" | grep -A2 "2(t2$S)" | grep -q PORT_DOWN; }
check "the port is down" port_down
check "and up again" ofctl mod-port "$OF" 2 up
port_up() { ! port_down; }
check "up" port_up

# A raw 1.0 peer.
check "1.0 errors for what 1.0 cannot ask" /usr/bin/python3 "$RAW" "$PORT" errors
ofctl add-flow "$OF" "priority=1,actions=CONTROLLER:128" >/dev/null
/usr/bin/python3 "$RAW" "$PORT" packet-in 1 >"$T/pin.out" 2>&1 &
pin=$!
# Frames from port 1 until the peer has had its packet-in (it waits 20 s
# at most): a loaded machine may be slow to connect it, or to take the new
# flow into the datapath.
for _ in $(seq 60); do
	kill -0 "$pin" 2>/dev/null || break
	if grep -q connected "$T/pin.out"; then
		ip netns exec on1$S ping -c 1 -W 0.3 "$NET.2" >/dev/null 2>&1
	else
		sleep 0.3
	fi
done
wait "$pin"
sed 's/^/packet-in peer: /' "$T/pin.out"
check "a 1.0 packet-in" grep -q "ok: 1.0 packet-in from port 1" "$T/pin.out"
tx0=$(port_tx 2)
check "a 1.0 packet-out" /usr/bin/python3 "$RAW" "$PORT" packet-out 2
check "the packet-out left port 2" [ "$(port_tx 2)" -gt "$tx0" ]

check "1.3 still works on the same listener" grep -q "n_tables:254" <<<"$(ofctl -O OpenFlow13 show "$OF")"
check "vswitchd still runs" kill -0 "$(vswitchd_pid)"
finish
