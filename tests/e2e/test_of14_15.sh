#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# OpenFlow 1.4 and 1.5 on the wire: the real ovs-ofctl with -O OpenFlow14
# shows the bridge (port descriptions with 1.4's properties), adds and dumps
# flows, reads port statistics, watches flow changes with a flow monitor,
# takes a port down and up, adds a group;
# with -O OpenFlow15 it adds a flow with a meter action and reads it back,
# dumps OXS counters, adds and modifies groups with bucket properties, sends
# a packet-out that names its port in a match, and 1.5's bucket insertion
# is refused. Real os-ken controllers speaking 1.4 and then 1.5
# (osken/l2_learning.py with L2_OPENFLOW) run their learning switch: two
# namespaces on TAP ports ping through its flows.
set -uo pipefail
BIN=${1:?usage: test_of14_15.sh BINDIR}
. "$(dirname "$0")/../lib/e2e.sh"

S=$$
NET=10.219.$((S % 200))
PORT=$(tcp_port 1)
CPORT=$(tcp_port 2)
BR=o14b$S
OF="tcp:127.0.0.1:$PORT"
APP=$(dirname "$(readlink -f "$0")")/osken/l2_learning.py

ofctl() { timeout 10 ovs-ofctl -O OpenFlow14 "$@"; }
pings() { ip netns exec on1$S ping -c 3 -i 0.3 -W 1 "$NET.2" >/dev/null 2>&1; }

start_vswitchd || { echo "vswitchd did not start"; cat "$T/vswitchd.log"; exit 1; }
check "bridge in fail mode secure with a passive listener" ctl add-br "$BR" \
	-- add-port "$BR" t1$S type=tap -- add-port "$BR" t2$S type=tap \
	-- set-fail-mode "$BR" secure -- set-controller "$BR" "ptcp:$PORT:127.0.0.1"
ctl del-flows "$BR" >/dev/null
for i in 1 2; do ns_host on$i$S t$i$S "$NET.$i/24"; done

show=$(ofctl show "$OF")
check "show over 1.4: the features reply" grep -q "OFPT_FEATURES_REPLY (OF1.4)" <<<"$show"
check "show over 1.4: port descriptions" grep -q "1(t1$S)" <<<"$show"
check "show over 1.4: the speed from the Ethernet property" grep -q "10000 Mbps now" <<<"$show"
check "add-flow over 1.4" ofctl add-flow "$OF" "priority=5,in_port=1,actions=output:2"
check "add-flow over 1.4, back" ofctl add-flow "$OF" "priority=5,in_port=2,actions=output:1"
check "the datapath obeys: ping" pings
check "dump-flows over 1.4" grep -qE "n_packets=[1-9].*priority=5,in_port=1 actions=output:2" \
	<<<"$(ofctl dump-flows "$OF")"
check "dump-ports over 1.4: packets received on port 1" \
	grep -qE "port  1: rx pkts=[1-9]" <<<"$(ofctl dump-ports "$OF" 1)"
port_down() { ofctl dump-ports-desc "$OF" | grep -A1 "2(t2$S)" | grep -q PORT_DOWN; }
port_up() { ! port_down; }
# Flow monitors: ovs-ofctl's monitor over 1.4 gets the table as it is,
# then every change others make (switch-ctl's, another ovs-ofctl's), and a
# bundle that fails shows as an add and its undoing.
ofctl --unixctl="$T/mon.ctl" monitor "$OF" watch: >"$T/mon.out" 2>&1 &
MON=$!
E2E_EXTRA_PIDS="${E2E_EXTRA_PIDS:-} $MON"
for _ in $(seq 50); do grep -q INITIAL "$T/mon.out" && break; sleep 0.1; done
check "flow monitor: the flows there now" grep -q "event=INITIAL table=0 cookie=0 in_port=1 actions=output:2" "$T/mon.out"
check "monitored: an add by switch-ctl" ctl add-flow "$BR" "priority=7,arp,actions=drop"
check "monitored: a modify by ovs-ofctl" ofctl mod-flows "$OF" "arp,actions=output:2"
check "monitored: a delete" ofctl del-flows "$OF" "arp"
printf 'priority=9,udp,actions=drop\npriority=9,actions=group:77\n' >"$T/badbundle"
ofctl --bundle add-flows "$OF" "$T/badbundle" >/dev/null 2>&1
for _ in $(seq 50); do grep -q "DELETED.*udp" "$T/mon.out" && break; sleep 0.1; done
kill "$MON" 2>/dev/null
check "flow monitor: ADDED" grep -qE "event=ADDED table=0 cookie=0 arp$" "$T/mon.out"
check "flow monitor: MODIFIED" grep -q "event=MODIFIED table=0 cookie=0 arp actions=output:2" "$T/mon.out"
check "flow monitor: DELETED, why" grep -q "event=DELETED reason=delete table=0 cookie=0 arp" "$T/mon.out"
check "flow monitor: a failed bundle's add and its undoing" \
	sh -c "grep -q 'event=ADDED.* udp' '$T/mon.out' && grep -q 'event=DELETED.* udp' '$T/mon.out'"
check "the failed bundle left nothing" sh -c "! timeout 10 ovs-ofctl -O OpenFlow14 dump-flows $OF | grep -q udp"
# A big table's initial listing is streamed as a flow dump is (one written
# at once would pass the connection's 8 MiB output limit).
/usr/bin/python3 -c 'import sys
for i in range(100000):
    print("table=5,priority=9,udp,nw_dst=10.%d.%d.%d,tp_dst=53,actions=drop" % (i >> 16, i >> 8 & 255, i & 255))' >"$T/big"
check "100,000 flows in table 5" ctl add-flows "$BR" "$T/big"
timeout 60 ovs-ofctl -O OpenFlow14 --unixctl="$T/mon2.ctl" monitor "$OF" watch:table=5 >"$T/mon2.out" 2>&1 &
MON=$!
E2E_EXTRA_PIDS="${E2E_EXTRA_PIDS:-} $MON"
for _ in $(seq 200); do [ "$(grep -c event=INITIAL "$T/mon2.out")" -ge 100000 ] && break; sleep 0.1; done
kill "$MON" 2>/dev/null
check "flow monitor: all 100,000 entries of table 5 listed" [ "$(grep -c "event=INITIAL table=5" "$T/mon2.out")" = 100000 ]
check "flow monitor: in several replies" [ "$(grep -c "^OFPST_FLOW_MONITOR reply" "$T/mon2.out")" -gt 10 ]
check "table 5 emptied" ctl del-flows "$BR" "table=5"
check "mod-port over 1.4 (its Ethernet property)" ofctl mod-port "$OF" 2 down
check "the port is down" port_down
check "and up" ofctl mod-port "$OF" 2 up
check "up again" port_up
check "add-group over 1.4" ofctl add-group "$OF" "group_id=7,type=all,bucket=output:1"
check "dump-groups over 1.4" grep -q "group_id=7,type=all" <<<"$(ofctl dump-groups "$OF")"
only12() { ! timeout 10 ovs-ofctl -O OpenFlow12 show "$OF" >/dev/null 2>&1; }
check "a peer offering only 1.2 is refused" only12
check "and the log says why" grep -q "peer offers no OpenFlow 1.5, 1.4, 1.3 or 1.0" "$T/vswitchd.log"

# OpenFlow 1.5.
of15() { timeout 10 ovs-ofctl -O OpenFlow15 "$@"; }
check "show over 1.5" grep -q "OFPT_FEATURES_REPLY (OF1.5)" <<<"$(of15 show "$OF")"
check "a meter over 1.5" of15 add-meter "$OF" "meter=3,pktps,band=type=drop,rate=1000"
check "a flow with 1.5's meter action" \
	of15 add-flow "$OF" "priority=6,in_port=1,icmp,actions=meter:3,output:2"
check "read back over 1.5: the meter action" \
	grep -qF "priority=6,icmp,in_port=1 actions=meter:3,output:2" <<<"$(of15 dump-flows "$OF")"
check "read back over 1.3: the meter instruction" \
	grep -qF "priority=6,icmp,in_port=1 actions=meter:3,output:2" <<<"$(ofctl dump-flows "$OF")"
check "ping through the metered flow" pings
check "OXS counters in 1.5's flow entry" \
	grep -qE "n_packets=[1-9].*priority=6,icmp" <<<"$(of15 dump-flows "$OF")"
check "OXS counters in 1.5's aggregate reply" \
	grep -qE "packet_count=[1-9][0-9]* byte_count=[1-9][0-9]* flow_count=3" <<<"$(of15 dump-aggregate "$OF")"
check "a group with bucket properties over 1.5" of15 add-group "$OF" \
	"group_id=8,type=select,bucket=weight:10,output:1,bucket=weight:20,watch_port:2,output:2"
check "its buckets read back over 1.5" grep -qF \
	"bucket=bucket_id:1,weight:20,watch_port:2,actions=output:2" <<<"$(of15 dump-groups "$OF")"
check "and over 1.3" grep -qF "bucket=weight:20,watch_port:2,actions=output:2" <<<"$(ofctl dump-groups "$OF")"
one=$(of15 dump-groups "$OF" 8)
check "a 1.5 group description of group 8 is that group alone" \
	[ "$(grep -c group_id= <<<"$one")$(grep -c group_id=8 <<<"$one")" = 11 ]
check "mod-group over 1.5" of15 mod-group "$OF" "group_id=8,type=select,bucket=weight:5,output:2"
check "modified" grep -qF "group_id=8,type=select,bucket=bucket_id:0,weight:5,actions=output:2" \
	<<<"$(of15 dump-groups "$OF")"
no_insert() { ! of15 insert-buckets "$OF" "group_id=8,command_bucket_id=last,bucket=output:1" 2>/dev/null; }
check "1.5's bucket insertion is refused" no_insert
tx0=$(ofctl dump-ports "$OF" 2 | sed -nE 's/.*tx pkts=([0-9]+).*/\1/p')
check "a 1.5 packet-out (its port in a match)" of15 packet-out "$OF" \
	"in_port=1 packet=ffffffffffff0200000000010800450000140000000040110000000000000000000000 actions=output:2"
check "it left port 2" [ "$(ofctl dump-ports "$OF" 2 | sed -nE 's/.*tx pkts=([0-9]+).*/\1/p')" -gt "$tx0" ]

# Real 1.4 and 1.5 controllers, one after the other.
connected() {
	for _ in $(seq 150); do
		grep -q "l2: switch" "$T/osken$1.log" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
for v in 1.4 1.5; do
	ctl del-flows "$BR" >/dev/null
	ctl del-controller "$BR" >/dev/null
	L2_OPENFLOW=$v /usr/bin/osken-manager --ofp-listen-host 127.0.0.1 \
		--ofp-tcp-listen-port "$CPORT" --log-file "$T/osken$v.log" "$APP" >/dev/null 2>&1 &
	pid=$!
	E2E_EXTRA_PIDS="${E2E_EXTRA_PIDS:-} $pid"
	disown "$pid" # killed at exit without a word
	for _ in $(seq 100); do
		ss -ltn | grep -q "127.0.0.1:$CPORT " && break
		sleep 0.1
	done
	check "set-controller ($v)" ctl set-controller "$BR" "tcp:127.0.0.1:$CPORT" "ptcp:$PORT:127.0.0.1"
	check "os-ken connects over $v" connected "$v"
	check "ping through the $v controller's learning switch" pings
	check "it installed a flow per direction ($v)" \
		[ "$(grep -c "flow .* -> port" "$T/osken$v.log")" -ge 2 ]
	kill -KILL "$pid" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
done
check "vswitchd still runs" kill -0 "$(vswitchd_pid)"
finish
