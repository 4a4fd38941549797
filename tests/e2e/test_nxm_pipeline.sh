#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Nicira's registers and resubmit against OpenFlow's own pipeline: the real
# ovs-ofctl installs one pipeline written twice (nxm_pipeline.py), with
# goto_table and metadata on one bridge and with resubmit, load, move and
# register matches on another; the same frames go into both (mem ports)
# and what comes out (pcap ports) is compared frame by frame with scapy:
# the same port, the same bytes, the port the pipeline's design names, the
# rewrites made and the checksums right. ovs-ofctl reads the register
# flows back as it wrote them, switch-ctl prints them the same way, they
# survive a restart, and a packet-in carries the registers.
set -uo pipefail
BIN=${1:?usage: test_nxm_pipeline.sh BINDIR}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/e2e.sh"
PY=/usr/bin/python3

S=$$
STD=nxs$S
NX=nxn$S

ofctl() { timeout 10 ovs-ofctl -O OpenFlow13 "$@"; }
of() { echo "unix:$T/run/$1.mgmt"; }

start_vswitchd || { echo "vswitchd did not start"; cat "$T/vswitchd.log"; exit 1; }
$PY "$HERE/nxm_pipeline.py" gen "$T"

for br in $STD $NX; do
	p=${br:2:1} # s or n
	check "bridge $br: two mem inputs, three pcap outputs" ctl add-br "$br" \
		-- set-fail-mode "$br" secure \
		-- add-port "$br" ${p}i1$S type=mem -- add-port "$br" ${p}i2$S type=mem \
		-- add-port "$br" ${p}o3$S type=pcap options:tx_pcap="$T/${br}_3.pcap" \
		-- add-port "$br" ${p}o4$S type=pcap options:tx_pcap="$T/${br}_4.pcap" \
		-- add-port "$br" ${p}o5$S type=pcap options:tx_pcap="$T/${br}_5.pcap"
	show=$(ofctl show "$(of "$br")")
	for n in 1 2; do
		check "$br: port ${p}i$n$S is OpenFlow port $n" grep -q " $n(${p}i$n$S)" <<<"$show"
	done
	for n in 3 4 5; do
		check "$br: port ${p}o$n$S is OpenFlow port $n" grep -q " $n(${p}o$n$S)" <<<"$show"
	done
	check "$br: del-flows" ofctl del-flows "$(of "$br")"
done
check "ovs-ofctl add-flows: goto_table and metadata" ofctl add-flows "$(of $STD)" "$T/flows_std"
check "ovs-ofctl add-flows: resubmit and registers" ofctl add-flows "$(of $NX)" "$T/flows_nx"
check "both tables hold 12 flows" [ "$(ofctl dump-flows "$(of $STD)" | grep -c actions=)$(ofctl dump-flows "$(of $NX)" | grep -c actions=)" = 1212 ]

# What ovs-ofctl reads back is what it wrote.
dump=$(ofctl dump-flows "$(of $NX)")
for want in "tcp,reg0=0x1,tp_dst=80 actions=load:0x1->NXM_NX_REG1[],resubmit(,2)" \
	"actions=load:0x2->NXM_NX_REG1[],move:NXM_OF_UDP_DST[0..1]->NXM_NX_REG2[0..1],resubmit(,2)" \
	"in_port=2 actions=set_field:0x2->reg0,resubmit(,1)" \
	"priority=20,reg0=0x1,reg1=0x2,reg2=0 actions=output:3" \
	"priority=20,reg0=0x1,reg1=0x2,reg2=0x2 actions=output:5"; do
	check "read back: $want" grep -qF "$want" <<<"$dump"
done
dumps() { sed -E 's/.* (priority=|in_port)/\1/' | sed 's/^in_port/priority=32768,in_port/' | sort; }
check "switch-ctl prints the flows as ovs-ofctl does" \
	[ "$(ctl dump-flows $NX | grep actions= | dumps)" = "$(grep actions= <<<"$dump" | dumps)" ]

for br in $STD $NX; do
	p=${br:2:1}
	check "$br: frames into port 1" ctl inject ${p}i1$S "$T/in1.pcap"
	check "$br: frames into port 2" ctl inject ${p}i2$S "$T/in2.pcap"
done
# The pcap ports write after each burst: wait for the last frames.
want=$(awk '$2 != 0' "$T/expect" | wc -l)
got=0
for _ in $(seq 50); do
	got=$($PY "$HERE/nxm_pipeline.py" count "$T"/nx*_[345].pcap)
	[ "$got" -ge $((2 * want)) ] && break
	sleep 0.2
done
check "both bridges sent their $want frames each (got $got in all)" [ "$got" -ge $((2 * want)) ]
sleep 0.3 # and nothing more
check "frame by frame, resubmit and registers forward as goto_table and metadata do" \
	$PY "$HERE/nxm_pipeline.py" compare "$T" "${STD}_" "${NX}_"

# The register flows survive a restart (the state on disk is OpenFlow 1.3
# flow mods, the registers in them as Nicira OXM fields).
check "restart: stopped" stop_vswitchd
check "restart: started" start_vswitchd
for _ in $(seq 50); do [ -S "$T/run/$NX.mgmt" ] && break; sleep 0.1; done
check "restart: the register flows are back as they were" \
	[ "$(ofctl dump-flows "$(of $NX)" | grep actions= | dumps)" = "$(grep actions= <<<"$dump" | dumps)" ]

# A packet-in from a register pipeline carries the registers (os-ken and
# Open vSwitch's tools read them from its match).
check "controller flow after register writes" ofctl add-flow "$(of $NX)" \
	"table=3,actions=load:0x1234->NXM_NX_REG5[],set_field:0x7->reg15,controller"
check "into table 3" ofctl add-flow "$(of $NX)" "table=0,priority=40000,in_port=2,arp,actions=resubmit(,3)"
ofctl --unixctl="$T/monitor.ctl" monitor "$(of $NX)" 65534 >"$T/monitor.out" 2>&1 &
MON=$!
E2E_EXTRA_PIDS="$MON"
sleep 1
ctl inject ni2$S "$T/in2.pcap" >/dev/null
for _ in $(seq 30); do grep -q "reg5=0x1234" "$T/monitor.out" && break; sleep 0.2; done
kill "$MON" 2>/dev/null
check "the packet-in's match has the registers" \
	grep -q "reg5=0x1234,reg15=0x7" "$T/monitor.out"
finish
