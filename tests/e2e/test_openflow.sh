#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# OpenFlow 1.3 on the wire, first part: the real ovs-ofctl against the
# switch's passive listeners (ptcp, punix, and the RUNDIR/BRIDGE.mgmt socket
# every bridge has) shows the bridge, adds, dumps,
# modifies and deletes flows (the dumps agree with switch-ctl's), groups of
# every type and meters, reads table, aggregate, group and meter
# statistics, and the next packet after ovs-ofctl returns obeys the change
# (two namespaces on TAP ports ping through it). Raw malformed
# messages get the errors the specification names, echo the offending bytes
# and leave the connection usable (of_raw.py).
set -uo pipefail
BIN=${1:?usage: test_openflow.sh BINDIR}
. "$(dirname "$0")/../lib/e2e.sh"

S=$$
NET=10.215.$((S % 200))
PORT=$(tcp_port 1)
BR=ofb$S
OF="tcp:127.0.0.1:$PORT"

ofctl() { timeout 10 ovs-ofctl -O OpenFlow13 "$@"; }

start_vswitchd || { echo "vswitchd did not start"; cat "$T/vswitchd.log"; exit 1; }
check "bridge with a passive OpenFlow listener" ctl add-br "$BR" \
	-- add-port "$BR" t1$S type=tap -- add-port "$BR" t2$S type=tap \
	-- set-controller "$BR" "ptcp:$PORT:127.0.0.1"
for i in 1 2; do ns_host on$i$S t$i$S "$NET.$i/24"; done
pings() { ns_ping on1$S "$NET.2" 2 0.2; }

show=$(ofctl show "$OF")
check "ovs-ofctl show: features" grep -q "n_tables:254" <<<"$show"
check "ovs-ofctl show: the TAP ports by name" grep -q "(t1$S)" <<<"$show"
check "ovs-ofctl show: the bridge's own port" grep -q "LOCAL($BR)" <<<"$show"
check "NORMAL by default: ping" pings
# Output held for later bursts (tx_flush_interval_us) still leaves: the
# PMD sends what has waited that long, and everything before it sleeps.
check "a 5 ms tx flush interval" ctl set global . tx_flush_interval_us=5000
check "ping with output held up to 5 ms" pings
check "tx flush interval back to 0" ctl set global . tx_flush_interval_us=0

cat >"$T/flows" <<EOF
table=0,priority=300,ip,nw_dst=10.9.0.0/16,actions=output:2
table=0,priority=200,tcp,tp_dst=80,actions=set_field:10.1.1.1->ip_dst,goto_table:1
table=1,priority=7,dl_vlan=10,dl_src=00:11:22:00:00:00/ff:ff:ff:00:00:00,actions=pop_vlan,output:1,write_metadata:0x5/0xff
table=1,priority=6,udp6,ipv6_dst=2001:db8::/32,udp_dst=53,actions=dec_ttl,clear_actions,write_actions(output:1)
table=2,priority=5,arp,arp_tpa=10.0.0.1,actions=push_vlan:0x8100,set_field:4105->vlan_vid,output:LOCAL
EOF
added=1
while read -r f; do ofctl add-flow "$OF" "$f" || added=0; done <"$T/flows"
check "ovs-ofctl add-flow" [ "$added" = 1 ]
dump=$(ofctl dump-flows "$OF")
check "dump-flows shows what was installed" [ "$(grep -c priority= <<<"$dump")" -eq 6 ]
entries() { sed -E 's/.*(table=[0-9]+).*(priority=[0-9]+).*/\1 \2/' | grep priority | sort; }
check "ovs-ofctl and switch-ctl list the same entries" \
	[ "$(entries <<<"$dump")" = "$(ctl dump-flows "$BR" | entries)" ]
for want in "priority=6,udp6,ipv6_dst=2001:db8::/32,tp_dst=53 actions=dec_ttl,clear_actions,write_actions(output:1)" \
	"priority=7,dl_vlan=10,dl_src=00:11:22:00:00:00/ff:ff:ff:00:00:00 actions=pop_vlan,output:1,write_metadata:0x5/0xff" \
	"priority=200,tcp,tp_dst=80 actions=set_field:10.1.1.1->ip_dst,goto_table:1" \
	"priority=5,arp,arp_tpa=10.0.0.1 actions=push_vlan:0x8100,set_field:4105->vlan_vid,LOCAL"; do
	check "read back over the wire: ${want%% *}" grep -qF "$want" <<<"$dump"
done
check "dump-aggregate" grep -q "flow_count=6" <<<"$(ofctl dump-aggregate "$OF")"
check "dump-tables" grep -q "active=2" <<<"$(ofctl dump-tables "$OF")"
check "mod-flows" ofctl mod-flows "$OF" "table=0,ip,nw_dst=10.9.0.0/16,actions=output:1"
check "modified" grep -q "nw_dst=10.9.0.0/16 actions=output:1" <<<"$(ofctl dump-flows "$OF")"
check "del-flows table 1" ofctl del-flows "$OF" "table=1"
check "table 1 empty" [ "$(ofctl dump-flows "$OF" table=1 | grep -c priority=)" -eq 0 ]
check "a group the switch does not have is refused" sh -c "! timeout 10 ovs-ofctl -O OpenFlow13 \
	add-flow $OF 'priority=1,actions=group:7' 2>/dev/null"

# The next packet obeys what ovs-ofctl did (it ends with a barrier).
check "drop flow" ofctl add-flow "$OF" "priority=1000,in_port=t1$S,actions=drop"
check "the next ping is dropped" sh -c "! ip netns exec on1$S ping -c 1 -W 1 $NET.2 >/dev/null"
check "drop flow removed" ofctl del-flows "$OF" "in_port=t1$S"
check "the next ping passes" pings

# Groups and meters, over a punix: listener beside the ptcp: one.
OFU="unix:$T/of.sock"
check "a punix listener beside the ptcp one" ctl set-controller "$BR" \
	"ptcp:$PORT:127.0.0.1" "punix:$T/of.sock"
check "ovs-ofctl over the unix socket" grep -q "n_tables:254" <<<"$(ofctl show "$OFU")"
check "add-group select" ofctl add-group "$OFU" "group_id=1,type=select,bucket=weight:100,output:2"
check "add-group indirect" ofctl add-group "$OFU" "group_id=2,type=indirect,bucket=output:2"
check "add-group all" ofctl add-group "$OFU" "group_id=3,type=all,bucket=output:2,bucket=output:LOCAL"
check "add-group fast failover" ofctl add-group "$OFU" \
	"group_id=4,type=ff,bucket=watch_port:7,output:7,bucket=watch_port:2,output:2"
check "an existing group is refused" sh -c "! timeout 10 ovs-ofctl -O OpenFlow13 \
	add-group $OFU 'group_id=1,type=all,bucket=output:1' 2>/dev/null"
groups=$(ofctl dump-groups "$OFU")
for want in "group_id=1,type=select,bucket=weight:100,actions=output:2" \
	"group_id=2,type=indirect,bucket=actions=output:2" \
	"group_id=3,type=all,bucket=actions=output:2,bucket=actions=LOCAL" \
	"group_id=4,type=ff,bucket=watch_port:7,actions=output:7,bucket=watch_port:2,actions=output:2"; do
	check "dump-groups: ${want%%,bucket*}" grep -qF "$want" <<<"$groups"
done
check "mod-group" ofctl mod-group "$OFU" "group_id=3,type=all,bucket=output:2"
check "modified group" grep -qF "group_id=3,type=all,bucket=actions=output:2" \
	<<<"$(ofctl dump-groups "$OFU")"
check "group features" grep -q "Types:  0xf" <<<"$(ofctl dump-group-features "$OFU")"
for g in 1 2 3 4; do
	check "flow to group $g" ofctl add-flow "$OFU" "priority=500,in_port=1,actions=group:$g"
	check "ping through group $g" pings
done
stats=$(ofctl dump-group-stats "$OFU")
check "group stats count the packets of the live bucket" \
	grep -qE "group_id=4,.*ref_count=1,packet_count=[1-9].*bucket1:packet_count=[1-9]" <<<"$stats"
check "group stats: the unwatched bucket saw none" \
	grep -qE "group_id=4,.*bucket0:packet_count=0," <<<"$stats"

check "add-meter" ofctl add-meter "$OFU" "meter=1,pktps,burst,stats,band=type=drop,rate=2,burst_size=2"
check "meter features" grep -q "band_types: drop dscp_remark" <<<"$(ofctl meter-features "$OFU")"
check "dump-meters" grep -q "type=drop rate=2 burst_size=2" <<<"$(ofctl dump-meters "$OFU")"
check "a meter the switch does not have is refused" sh -c "! timeout 10 ovs-ofctl -O OpenFlow13 \
	add-flow $OFU 'priority=1,actions=meter:9,output:2' 2>/dev/null"
check "metered flow" ofctl add-flow "$OFU" "priority=600,in_port=1,ip,actions=meter:1,output:2"
got=$(ip netns exec on1$S ping -c 20 -i 0.02 -W 1 "$NET.2" | grep -oE "[0-9]+ received" | cut -d' ' -f1)
echo "metered ping: ${got:-0} of 20 received"
check "the meter passes its burst and drops the rest" [ "${got:-0}" -ge 1 -a "${got:-0}" -le 12 ]
mstats=$(ofctl meter-stats "$OFU")
check "meter stats count its drops" grep -qE "meter:1 flow_count:1 packet_in_count:[1-9]" <<<"$mstats"
check "meter stats: the drop band" grep -qE "0: packet_count:[1-9]" <<<"$mstats"
check "del-meters" ofctl del-meters "$OFU"
check "the metered flow went with its meter" [ "$(ofctl dump-flows "$OFU" | grep -c meter:)" -eq 0 ]
check "del-groups" ofctl del-groups "$OFU"
check "no group left" [ "$(ofctl dump-groups "$OFU" | grep -c group_id)" -eq 0 ]
check "flows to groups went with them" [ "$(ofctl dump-flows "$OFU" | grep -c group:)" -eq 0 ]
check "NORMAL again: ping" pings
check "the punix socket is there" [ -S "$T/of.sock" ]
ctl set-controller "$BR" "ptcp:$PORT:127.0.0.1" >/dev/null
check "its socket file is gone" [ ! -e "$T/of.sock" ]

# Malformed messages: an error each, the connection still usable.
raw=$(/usr/bin/python3 "$(dirname "$0")/of_raw.py" "$PORT")
echo "$raw" | grep -v " ok$"
check "malformed messages get the errors the specification names" \
	[ "$(grep -c " ok$" <<<"$raw")" -eq 13 ]
check "the daemon survived them" alive "$(vswitchd_pid)"

# An active controller (a listening socket that drops the first connection
# and holds the second until the switch closes it): the switch connects,
# reconnects after the drop, and changing or deleting the bridge while
# connected neither hangs the daemon nor leaves the connection open.
CPORT=$(tcp_port 2)
/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(4)
c, _ = s.accept(); c.close()
c, _ = s.accept(); open(sys.argv[2], "w").write("again"); c.settimeout(20)
while c.recv(65536): pass' "$CPORT" "$T/ctrl" &
ctrl=$!
E2E_EXTRA_PIDS="${E2E_EXTRA_PIDS:-} $ctrl"
sleep 0.3
check "controller target" ctl add-br c$S -- set-controller c$S "tcp:127.0.0.1:$CPORT"
for _ in $(seq 60); do [ -s "$T/ctrl" ] && break; sleep 0.1; done
check "the switch reconnected to a controller that dropped it" [ -s "$T/ctrl" ]
check "del-controller while connected" ctl del-controller c$S
check "del-controller closed the connection" timeout 5 sh -c "while kill -0 $ctrl 2>/dev/null; \
	do sleep 0.1; done"
check "del-br after that" ctl del-br c$S
check "the daemon still answers" ctl br-exists "$BR"

# A table of 20,000 flows: switch-ctl sends the file in parts, a bad line
# anywhere is named by its line and adds nothing, and ovs-ofctl reads the
# whole table back through a dump sent as the socket drains (several
# multipart messages, more than one round of output).
/usr/bin/python3 -c '
import sys
with open(sys.argv[1], "w") as f:
    for i in range(20000):
        f.write("table=3,priority=200,udp,tp_dst=%d,nw_dst=172.16.%d.%d,actions=drop\n"
                % (1000 + i % 5000, i >> 8, i & 255))' "$T/big.flows"
{ head -n 17000 "$T/big.flows"; echo "table=3,priority=1,ipx,actions=drop"; } >"$T/bad.flows"
expect_fail "bad.flows:17001: unknown field" add-flows "$BR" "$T/bad.flows"
check "a bad line added nothing" [ "$(ofctl dump-flows "$OF" table=3 | grep -c priority=)" -eq 0 ]
check "add-flows of 20,000 flows" ctl add-flows "$BR" "$T/big.flows"
check "ovs-ofctl dumps all 20,000" \
	[ "$(ofctl dump-flows "$OF" table=3 | grep -c priority=200,udp)" -eq 20000 ]
check "and the connection still serves requests after the dump" \
	grep -q "n_tables:254" <<<"$(ofctl show "$OF")"
# switch-ctl dumps in pages of 20,000: 45,000 entries take three, each
# entry printed once, in the same order as one whole answer.
/usr/bin/python3 -c '
import sys
with open(sys.argv[1], "w") as f:
    for i in range(25000):
        f.write("table=4,priority=%d,udp,tp_dst=%d,actions=drop\n" % (10 + i % 7, 1000 + i))' \
	"$T/more.flows"
check "25,000 more" ctl add-flows "$BR" "$T/more.flows"
ctl dump-flows "$BR" >"$T/paged.txt"
check "switch-ctl dump-flows: every entry once" [ "$(grep -c priority= "$T/paged.txt")" -eq \
	"$(($(ofctl dump-flows "$OF" | grep -c priority=)))" ]
check "no entry twice" [ -z "$(sort "$T/paged.txt" | uniq -d)" ]
check "with a filter, across pages" [ "$(ctl dump-flows "$BR" table=4 | grep -c priority=)" -eq 25000 ]
check "--json: one document with all of them" /usr/bin/python3 -c "
import json, subprocess, sys
d = json.loads(subprocess.check_output(['$BIN/switch-ctl', '--ctl', '$T/ctl.sock', '--json',
                                        'dump-flows', '$BR', 'table=3']))
sys.exit(len(d['flows']) != 20000 or d['flows'][0]['table'] != 3)"
check "--json with nothing to dump" /usr/bin/python3 -c "
import json, subprocess, sys
d = json.loads(subprocess.check_output(['$BIN/switch-ctl', '--ctl', '$T/ctl.sock', '--json',
                                        'dump-flows', '$BR', 'table=9']))
sys.exit(d != {'flows': []})"
check "the order of one whole answer" [ "$(ctl dump-flows "$BR" | sed -E 's/(duration|n_packets|n_bytes|idle_age)=[^,]*, //g')" = \
	"$(/usr/bin/python3 "$(dirname "$0")/ctl_dump_whole.py" "$T/ctl.sock" "$BR")" ]
check "the table of 25,000 deleted" ofctl del-flows "$OF" table=4
check "del-flows of the table" ofctl del-flows "$OF" table=3
check "the table is empty again" [ "$(ofctl dump-flows "$OF" table=3 | grep -c priority=)" -eq 0 ]

expect_fail "cannot listen" add-br x$S -- set-controller x$S "ptcp:$PORT:127.0.0.1"
expect_fail "is not a controller target" set-controller "$BR" unix:relative.sock

# Every bridge listens on RUNDIR/BRIDGE.mgmt, as Open vSwitch does: ovs-ofctl
# finds it by the bridge's name with OVS_RUNDIR set; owner and group only.
check "the management socket" [ -S "$T/run/$BR.mgmt" ]
check "the management socket: mode 0660" [ "$(stat -c %a "$T/run/$BR.mgmt")" = 660 ]
check "ovs-ofctl by bridge name: add-flow" env OVS_RUNDIR="$T/run" \
	timeout 10 ovs-ofctl -O OpenFlow13 add-flow "$BR" "table=6,priority=9,actions=drop"
check "ovs-ofctl by bridge name: dump-flows" grep -q "table=6, .*priority=9 actions=drop" \
	<<<"$(OVS_RUNDIR="$T/run" timeout 10 ovs-ofctl -O OpenFlow13 dump-flows "$BR")"
check "a second bridge: its own socket" ctl add-br m2$S
check "a second bridge: its own socket exists" [ -S "$T/run/m2$S.mgmt" ]
check "a deleted bridge: its socket goes" ctl del-br m2$S
check "a deleted bridge: its socket is gone" [ ! -e "$T/run/m2$S.mgmt" ]

# Nicira extensions ovs-ofctl users type: resubmit (it may go back to an
# earlier table), tcp_flags and nw_frag matches (Nicira and ONF OXM classes).
check "clean slate" ofctl del-flows "$OF"
check "resubmit into table 5" ofctl add-flow "$OF" "table=0,priority=10,actions=resubmit(,5)"
check "table 5 forwards" ofctl add-flow "$OF" "table=5,in_port=1,actions=output:2"
check "table 5 back" ofctl add-flow "$OF" "table=5,in_port=2,actions=resubmit:1,resubmit(,7)"
check "table 7: the way back" ofctl add-flow "$OF" "table=7,in_port=2,actions=output:1"
check "resubmit read back" grep -qF "actions=resubmit:1,resubmit(,7)" <<<"$(ofctl dump-flows "$OF" table=5)"
check "ping through resubmits" pings
check "a resubmit loop is cut, not followed" ofctl add-flow "$OF" "table=9,actions=resubmit(,9)"
check "into the loop" ofctl add-flow "$OF" "table=0,priority=20,udp,actions=resubmit(,9)"
check "the loop in a trace" grep -q "a loop" <<<"$(ctl trace "$BR" "in_port=1,udp")"
check "ping still works next to the loop" pings
refused() { ! ofctl add-flow "$OF" "$1" 2>/dev/null; }
check "resubmit is refused in write_actions" refused "table=0,actions=write_actions(resubmit(,1))"
check "set_queue (no queues: no effect)" ofctl add-flow "$OF" "table=0,priority=25,icmp,actions=set_queue:3,resubmit(,5)"
check "set_queue read back" grep -qF "actions=set_queue:3,resubmit(,5)" <<<"$(ofctl dump-flows "$OF" table=0)"
check "ping with set_queue on the way" pings
check "tcp_flags match" ofctl add-flow "$OF" "table=0,priority=30,tcp,tcp_flags=+syn-ack,actions=drop"
check "nw_frag match" ofctl add-flow "$OF" "table=0,priority=30,ip,nw_frag=later,actions=drop"
flows=$(ofctl dump-flows "$OF" table=0)
check "tcp_flags read back" grep -qF "tcp,tcp_flags=+syn-ack actions=drop" <<<"$flows"
check "nw_frag read back" grep -qF "ip,nw_frag=later actions=drop" <<<"$flows"

# An ARP responder out of move and load (and the ARP set-fields under them):
# the switch answers for an address no host has, and the kernel in the
# namespace believes it.
IP254=$(printf '0x%02x%02x%02x%02x' $(tr . ' ' <<<"$NET.254"))
check "clean slate for the ARP responder" ofctl del-flows "$OF"
check "the responder flow" ofctl add-flow "$OF" "priority=100,arp,arp_op=1,arp_tpa=$NET.254,actions=\
move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],mod_dl_src:02:00:00:00:00:fe,\
load:0x2->NXM_OF_ARP_OP[],move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],\
load:0x0200000000fe->NXM_NX_ARP_SHA[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],\
load:$IP254->NXM_OF_ARP_SPA[],IN_PORT"
check "everything else by NORMAL" ofctl add-flow "$OF" "priority=10,actions=NORMAL"
check "move and load read back" grep -qF "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]" <<<"$(ofctl dump-flows "$OF")"
ip netns exec on1$S ping -c 1 -W 1 "$NET.254" >/dev/null 2>&1
answered() { ip -n on1$S neigh show "$NET.254" | grep -q "lladdr 02:00:00:00:00:fe"; }
check "the switch answered ARP for $NET.254" answered
check "and NORMAL still pings" pings
finish
