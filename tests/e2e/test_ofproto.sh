#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# OpenFlow tables and NORMAL in the real daemon: frames go in through "mem"
# ports (switch-ctl inject) and come out in pcap files, which are checked
# frame by frame: VLAN isolation, trunk tagging and untagging, flooding
# scope, learning, a goto_table pipeline with set-field rewrites and valid
# checksums, and a flow change that the very next packet obeys.
set -u
BIN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/e2e.sh"
S=$$
PY=/usr/bin/python3

start_vswitchd || exit 1
$PY "$HERE/ofproto_pkts.py" gen "$T"

out() { $PY "$HERE/ofproto_pkts.py" show "$T/$1.pcap"; }
count() { out "$1" | wc -l; }
inject() { ctl inject "$1" "$T/$2.pcap" >/dev/null; }
# The pcap ports write after each burst; give the PMD a moment.
settle() { sleep 0.3; }

check "bridge with mem injectors and pcap outputs" ctl add-br vb0$S \
	-- add-port vb0$S m10 type=mem tag=10 \
	-- add-port vb0$S mtr type=mem vlan_mode=trunk trunks=10,20 \
	-- add-port vb0$S a2 type=pcap options:tx_pcap="$T/a2.pcap" tag=10 \
	-- add-port vb0$S b1 type=pcap options:tx_pcap="$T/b1.pcap" tag=20 \
	-- add-port vb0$S t1 type=pcap options:tx_pcap="$T/t1.pcap" vlan_mode=trunk trunks=10,20 \
	-- add-port vb0$S n1 type=pcap options:tx_pcap="$T/n1.pcap" vlan_mode=native-untagged \
	tag=10 trunks=20
check "default flow is NORMAL" sh -c "$(declare -f ctl); BIN=$BIN T=$T; \
	ctl dump-flows vb0$S | grep -q 'priority=0 actions=NORMAL'"

# Broadcast on access port m10 (VLAN 10): a2 untagged, t1 tagged 10, n1
# untagged (its native VLAN), nothing on b1 (VLAN 20).
inject m10 bcast
settle
check "flood reaches a2 untagged" [ "$(out a2)" = "vlan=none src=02:00:00:00:00:0a dst=ff:ff:ff:ff:ff:ff csum=ok" ]
check "flood reaches trunk t1 tagged 10" [ "$(out t1)" = "vlan=10 src=02:00:00:00:00:0a dst=ff:ff:ff:ff:ff:ff csum=ok" ]
check "flood reaches native-untagged n1 untagged" [ "$(out n1)" = "vlan=none src=02:00:00:00:00:0a dst=ff:ff:ff:ff:ff:ff csum=ok" ]
check "VLAN 20 port b1 isolated" [ "$(count b1)" = 0 ]
check "source learned on m10 VLAN 10" sh -c "$(declare -f ctl); BIN=$BIN T=$T; \
	ctl fdb-show vb0$S | grep -Eq '^ +1 +10 +02:00:00:00:00:0a'"

# A tagged frame on an access port and VLAN 30 on a trunk of 10,20: dropped
# and counted.
inject m10 tagged20
inject mtr v30
settle
check "tagged frame on access port dropped" [ "$(count a2)$(count b1)$(count t1)" = "101" ]
fdb=$(ctl fdb-show vb0$S)
check "VLAN drops counted on m10" grep -q "VLAN drops on m10: 1" <<<"$fdb"
check "VLAN drops counted on mtr" grep -q "VLAN drops on mtr: 1" <<<"$fdb"

# Learning: VLAN 10 unicast to the learned MAC goes to m10 only; VLAN 20
# to the same MAC is unknown there and floods VLAN 20 only.
inject mtr uni_v10
settle
check "unicast to a learned MAC does not flood" [ "$(count a2)$(count n1)" = "11" ]
inject mtr uni_v20
settle
check "VLAN 20 flood reaches b1 untagged" [ "$(out b1)" = "vlan=none src=02:00:00:00:00:0b dst=02:00:00:00:00:0a ip=10.0.0.5>10.0.0.1 ttl=64 l4=53>53 csum=ok" ]
check "VLAN 20 flood reaches n1 tagged 20" [ "$(out n1 | tail -1 | cut -d' ' -f1)" = "vlan=20" ]
check "VLAN 20 flood not on VLAN 10 access port" [ "$(count a2)" = 1 ]
check "VLAN 20 flood reaches the other trunk tagged" [ "$(out t1 | tail -1 | cut -d' ' -f1)$(count t1)" = "vlan=202" ]

# A pipeline over three tables with rewrites; checksums must stay valid.
check "pipeline flows" ctl add-flows vb0$S /dev/stdin <<'FLOWS'
# table 0 sends IPv4 from m10 on
priority=100,in_port=m10,ip,actions=goto_table:1
table=1,priority=10,tcp,nw_dst=10.0.0.2,actions=set_field:192.168.1.1->nw_dst,mod_tp_dst:8080,mod_dl_dst:02:00:00:00:00:99,dec_ttl,goto_table:2
table=1,priority=5,udp,actions=mod_nw_src:10.9.9.9,mod_tp_src:5353,write_actions(output:b1),goto_table:2
table=2,priority=1,tcp,actions=output:a2
table=2,priority=0,actions=drop
FLOWS
inject m10 tcp
settle
check "rewritten TCP frame on a2 (valid checksums)" [ "$(out a2 | tail -1)" = "vlan=none src=02:00:00:00:00:0a dst=02:00:00:00:00:99 ip=10.0.0.1>192.168.1.1 ttl=8 l4=1234>8080 csum=ok" ]
check "UDP through the action set on b1 (valid checksums)" [ "$(out b1 | tail -1)" = "vlan=none src=02:00:00:00:00:0a dst=02:00:00:00:00:0b ip=10.9.9.9>10.0.0.2 ttl=9 l4=5353>80 csum=ok" ]
trace=$(ctl trace vb0$S in_port=m10,tcp,nw_dst=10.0.0.2,nw_ttl=9,tp_dst=80)
check "trace walks the tables" grep -q "^2. priority 1" <<<"$trace"
check "trace shows the megaflow" grep -q "^Megaflow: " <<<"$trace"
trace=$(ctl trace vb0$S in_port=m10,arp,arp_spa=10.0.0.1,arp_tpa=10.0.0.2,arp_op=1)
check "trace of ARP: arp(...) without IP fields" grep -q "arp(sip=10.0.0.1,tip=10.0.0.2,op=1)" <<<"$trace"
no_ip_fields() { ! grep -qE "ttl|tos|icmp" <<<"$trace"; }
check "trace of ARP: no IP or ICMP fields" no_ip_fields
check "trace of IP without nw_ttl: a sender's 64" grep -q "ttl=64" <<<"$(ctl trace vb0$S in_port=m10,udp,nw_dst=10.0.0.2)"
check "dump-tables counts lookups" sh -c "$(declare -f ctl); BIN=$BIN T=$T; \
	ctl dump-tables vb0$S | grep -q 'table 2: active=2, lookup=2, matched=2'"
check "flow counters" sh -c "$(declare -f ctl); BIN=$BIN T=$T; \
	ctl dump-flows vb0$S table=2 | grep -q 'n_packets=1, .*priority=1,tcp'"

# The very next packet obeys a change: change, then send at once.
inject m10 tcp
settle
check "mod-flows" ctl --strict mod-flows vb0$S "table=2,priority=1,tcp,actions=output:t1"
inject m10 tcp
settle
check "before the change: a2" [ "$(count a2)" = 3 ]
check "after the change: t1" [ "$(count t1)" = 3 ]
check "del-flows" ctl del-flows vb0$S "table=2,tcp"
inject m10 tcp
settle
check "after the delete: dropped by the table-2 miss flow" [ "$(count a2)$(count t1)" = "33" ]

# The upcall limit: 12 new flows (distinct sources) from one port against
# a burst of 2 and 1 per second: most are dropped, and counted.
$PY - "$T/flood.pcap" <<'PYEOF'
import sys
from scapy.all import IP, UDP, Ether, wrpcap
wrpcap(sys.argv[1], [Ether(src="02:00:00:00:01:%02x" % i, dst="02:00:00:00:00:0b") /
                     IP(src="10.9.0.%d" % i, dst="10.9.1.1") / UDP(dport=9) for i in range(12)])
PYEOF
check "upcall limit set" ctl set global . upcall_rate_limit=1 upcall_burst=2
inject m10 flood
settle
limited=$(ctl pmd-stats-show | sed -n 's/.*drop_upcall_limit: *//p' | head -1)
check "a flood of new flows is cut at the port's upcall rate (${limited:-none} dropped)" \
	[ "${limited:-0}" -ge 9 ]
check "limit lifted" ctl set global . upcall_rate_limit=0
expect_fail "upcall_burst" set global . upcall_burst=0

expect_fail "tcp_dst requires" add-flow vb0$S "tcp_dst=80,actions=drop"
expect_fail "later table" add-flow vb0$S "table=2,actions=goto_table:1"
expect_fail "a VLAN id is 0-4095" add-flow vb0$S "actions=mod_vlan_vid:4096"
expect_fail "no such port" add-flow vb0$S "actions=output:nosuch"
expect_fail "no bridge named nobr" dump-flows nobr
expect_fail "inject needs a port of type mem" inject a2 "$T/tcp.pcap"

# fdb-flush forgets what was learned: a unicast that went to the learned
# port alone floods again after it.
a2_before=$(count a2)
inject mtr uni_v10
settle
check "unicast to a learned MAC: not flooded to a2" [ "$(count a2)" = "$a2_before" ]
check "fdb-flush says how many it forgot" grep -qE "^flushed [2-9] MAC entries$" <<<"$(ctl fdb-flush vb0$S)"
check "the MAC table is empty" [ "$(ctl fdb-show vb0$S | grep -c '02:00:00:00:00:')" = 0 ]
inject mtr uni_v10
settle
check "the same unicast floods after the flush" [ "$(count a2)" = $((a2_before + 1)) ]
check "fdb-flush of every bridge" grep -qE "^flushed [1-9] MAC entr" <<<"$(ctl fdb-flush)"
expect_fail "no bridge named nobr$S" fdb-flush nobr$S
check "daemon still running" alive "$(vswitchd_pid)"
finish
