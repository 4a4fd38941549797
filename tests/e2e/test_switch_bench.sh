#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A smoke run of every switch-bench subcommand and topology at small rates
# (seconds each): each report must validate against
# docs/switch-bench.schema.json, count the frames it offered, lose none at
# a rate far below what the switch forwards, and refuse bad arguments with
# exit code 2. The full-size runs are benchmarks (docs/performance.md).
set -uo pipefail
BIN=$(readlink -f "${1:?usage: test_switch_bench.sh BINDIR}")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SCHEMA=$ROOT/docs/switch-bench.schema.json
# check, finish and $T (switch-bench starts its own daemon, not this one).
. "$(dirname "$0")/../lib/e2e.sh"
# What an Open vSwitch instance would leave: directories, namespaces,
# hugetlbfs mounts.
leftovers() {
	ls -d /tmp/switch-bench.* /tmp/switch-bench-ovs.* 2>/dev/null
	ip netns list | grep -oE '^sb(ovs|tn)[0-9]*'
	grep ' /tmp/switch-bench' /proc/mounts
}
leftovers | sort >"$T/left.before"

# query FILE EXPR: a Python expression over the report 'r' (True/False).
query() {
	/usr/bin/python3 - "$1" "$SCHEMA" "$2" <<'PYEND'
import json, sys
import jsonschema
r = json.load(open(sys.argv[1]))
jsonschema.validate(r, json.load(open(sys.argv[2])))
ok = eval("(" + sys.argv[3] + ")", {"r": r})
sys.exit(0 if ok else 1)
PYEND
}

sb() { "$BIN/switch-bench" --bin "$BIN" --warmup 0.3 --duration 1 --repeat 1 "$@"; }

# One direction, then a VM that loops back, then both ways: 20,000 frames
# a second per VM, far below what the switch forwards, so none is lost.
for topo in p2p pvp vm2vm-bi; do
	sb run --topology "$topo" --rate 20000 --json >"$T/$topo.json" 2>"$T/$topo.err"
	check "$topo: exit 0" [ $? -eq 0 ]
	check "$topo: a report that validates and is complete" query "$T/$topo.json" 'r["complete"]'
	dirs=$([ "$topo" = vm2vm-bi ] && echo 2 || echo 1)
	check "$topo: $dirs direction(s), each offered about 20,000 frames and lost none" \
		query "$T/$topo.json" "len(r['cases'][0]['trials'][0]['directions']) == $dirs and all(
		  18000 <= d['offered_frames'] <= 22000 and d['rx_frames'] == d['offered_frames']
		  and d['loss_pct'] == 0 and not d['generator_limited']
		  and 0 < d['latency_ns']['p50'] <= d['latency_ns']['p99'] <= d['latency_ns']['max']
		  for d in r['cases'][0]['trials'][0]['directions'])"
	check "$topo: the switch's busy cycles were counted" \
		query "$T/$topo.json" "r['cases'][0]['trials'][0]['switch']['busy_cycles_per_packet'] > 0
		  and r['cases'][0]['trials'][0]['switch']['rx_packets'] >= 20000"
done
check "the machine is recorded" query "$T/p2p.json" \
	"r['machine']['cpus'] >= 1 and r['machine']['cpu_model'] and r['machine']['dpdk']"
# Whether real guests could run here, as the machine says (vmx or svm).
if grep -qwE 'vmx|svm' /proc/cpuinfo; then kvm_cpu=True; else kvm_cpu=False; fi
check "the report says whether KVM guests could run, and why" query "$T/p2p.json" \
	"($kvm_cpu or not r['machine']['kvm']['usable']) and r['machine']['kvm']['detail']"

# A search (coarse) finds a zero-loss rate above zero and at most the
# ceiling the VMs offered at full speed.
sb search --loss 0 --precision 25 --json >"$T/search.json" 2>"$T/search.err"
check "search: exit 0" [ $? -eq 0 ]
check "search: a zero-loss rate was found" query "$T/search.json" \
	"r['cases'][0]['searches'][0]['rate_pps'] > 0 and r['cases'][0]['searches'][0]['steps'] >= 1"

# A sweep: two sizes (one of them IMIX) by two flow counts, paced, with
# its charts as SVG.
sb sweep --size 64,imix --flows 1,1000 --rate 20000 --json --plot "$T/sweep.svg" \
	>"$T/sweep.json" 2>"$T/sweep.err"
check "sweep: exit 0" [ $? -eq 0 ]
check "sweep: the chart is an SVG with three plots" \
	[ "$(grep -c '<g id="gnuplot_plot_' "$T/sweep.svg" 2>/dev/null)" -ge 3 ]
check "sweep: a latency CDF per case, ending at 1" query "$T/sweep.json" \
	"all(c['latency_cdf'][-1][1] == 1 and all(a[0] <= b[0] and a[1] <= b[1]
	  for a, b in zip(c['latency_cdf'], c['latency_cdf'][1:])) for c in r['cases'])"
check "sweep: four cases, every one forwarded" query "$T/sweep.json" \
	"len(r['cases']) == 4 and sorted((c['size'], c['flows']) for c in r['cases']) ==
	  [('64', 1), ('64', 1000), ('imix', 1), ('imix', 1000)] and
	  all(c['summary']['rx_mpps']['median'] > 0.015 for c in r['cases'])"

# A sweep over table sizes: the table grows between cases.
sb sweep --rules 300,0 --rate 20000 --json >"$T/rules.json" 2>"$T/rules.err"
check "rules sweep: exit 0" [ $? -eq 0 ]
check "rules sweep: a case per table size, in order, each forwarding all" query "$T/rules.json" \
	"r['config']['rules'] == [0, 300] and [c['rules'] for c in r['cases']] == [0, 300] and
	  all(c['trials'][0]['directions'][0]['loss_pct'] == 0 for c in r['cases'])"

# The text report is a table with the case in it; a PNG chart.
sb run --rate 20000 --plot "$T/run.png" >"$T/text.out" 2>&1
check "text report" grep -qE '^p2p +64 +1 +0\.0[12]' "$T/text.out"
check "the text report says what the VMs are" grep -q "^VMs: stand-ins (DPDK virtio-user" "$T/text.out"
check "a PNG chart" [ "$(head -c 4 "$T/run.png" 2>/dev/null | od -An -c | tr -d ' ')" = '211PNG' ]
"$BIN/switch-bench" plot "$T/sweep.json" --plot "$T/again.svg"
check "plot of a saved report" cmp -s "$T/sweep.svg" "$T/again.svg"

# Side by side with an isolated Open vSwitch-DPDK: every trial on both, in
# turns. At a paced 20,000 frames/s both forward everything, so the ratio
# of received rates is 1 within the schedule's jitter.
# Both get the same table of 300 rules the traffic misses.
sb run --against ovs --rate 20000 --rules 300 --plot "$T/cmp.svg" >"$T/cmp.out" 2>&1
check "against ovs: exit 0" [ $? -eq 0 ]
check "against ovs: a row per switch and their ratio" \
	grep -qE '^vswitch +p2p +64 +1 +300 +0\.0[12]' "$T/cmp.out"
check "against ovs: Open vSwitch's row" grep -qE '^ovs +p2p +64 +1 +300 +0\.0[12]' "$T/cmp.out"
check "against ovs: the ratio" grep -qE '^ratio .*x(0\.9[5-9]|1\.0[0-5]) \(vswitch/ovs\)' "$T/cmp.out"
check "against ovs: a line per switch in the chart" grep -q 'ovs, 64 B' "$T/cmp.svg"
sb search --against ovs --loss 0 --precision 25 --duration 0.5 --tx-flush 50 --json \
	>"$T/cmp.json" 2>"$T/cmp.err"
check "against ovs, search: exit 0" [ $? -eq 0 ]
check "against ovs, search: both switches searched, each found a rate" query "$T/cmp.json" \
	"[c['switch'] for c in r['cases']] == ['vswitch', 'ovs'] and
	  all(c['searches'][0]['rate_pps'] > 0 for c in r['cases']) and
	  r['comparisons'][0]['search_rate_ratios'][0]['ratio'] > 0 and
	  r['comparisons'][0]['rx_mpps_ratio'] > 0"
check "against ovs, search: both held output up to 50 us" query "$T/cmp.json" \
	"r['config']['tx_flush_interval_us'] == 50"
check "against ovs: Open vSwitch's PMD counters were read" query "$T/cmp.json" \
	"r['cases'][1]['trials'][0]['switch']['rx_packets'] > 10000 and
	  r['cases'][1]['trials'][0]['switch']['busy_cycles_per_packet'] > 0 and
	  [s['switch'] for s in r['machine']['switches']] == ['vswitch', 'ovs'] and
	  r['machine']['switches'][1]['version'] and
	  r['machine']['switches'][1]['pmd_cpu'] == r['machine']['pmd_cpu']"
"$BIN/switch-bench" --bin "$BIN" --against ovs --ovs-vswitchd /nonexistent/ovs-vswitchd \
	>"$T/noovs.out" 2>&1
check "against a missing Open vSwitch: exit 1" [ $? -eq 1 ]
check "with what to install" grep -q "openvswitch-switch-dpdk" "$T/noovs.out"

# Two hosts in one vswitchd joined by a tunnel, against the same VMs on
# one bridge of another vswitchd, in turns. The VMs' bridges are joined
# only through the tunnel and its underlay: what arrives crossed it.
sb run --tunnel vxlan --against local --rate 20000 --json >"$T/tnl.json" 2>"$T/tnl.err"
check "tunnel: exit 0" [ $? -eq 0 ]
check "tunnel: both switches forwarded every frame, the ratio is 1" query "$T/tnl.json" \
	"r['complete'] and r['config']['tunnel'] == 'vxlan' and
	  [c['switch'] for c in r['cases']] == ['vswitch+vxlan', 'vswitch'] and
	  all(d['rx_frames'] == d['offered_frames'] >= 18000
	      for c in r['cases'] for d in c['trials'][0]['directions']) and
	  r['comparisons'][0]['against'] == 'vswitch' and
	  0.95 <= r['comparisons'][0]['rx_mpps_ratio'] <= 1.05"
check "tunnel: the encapsulating, underlay and decapsulating megaflows" query "$T/tnl.json" \
	"r['cases'][0]['trials'][0]['switch']['megaflows'] >= 4"
# Geneve, in_port rules, and a VM that loops back: the tunnel both ways.
sb run --tunnel geneve --topology pvp --pipeline ports --rate 20000 --json \
	>"$T/tnl2.json" 2>"$T/tnl2.err"
check "tunnel, geneve, pvp: exit 0" [ $? -eq 0 ]
check "tunnel, geneve, pvp: every frame came back" query "$T/tnl2.json" \
	"r['complete'] and r['machine']['switches'][0]['switch'] == 'vswitch+geneve' and
	  all(d['rx_frames'] == d['offered_frames'] >= 18000
	      for d in r['cases'][0]['trials'][0]['directions'])"
# VXLAN over an IPv6 underlay (the switch's own neighbour discovery).
sb run --tunnel vxlan6 --rate 20000 --json >"$T/tnl6.json" 2>"$T/tnl6.err"
check "tunnel, vxlan6: exit 0" [ $? -eq 0 ]
check "tunnel, vxlan6: every frame crossed" query "$T/tnl6.json" \
	"r['complete'] and r['config']['tunnel'] == 'vxlan6' and
	  r['machine']['switches'][0]['switch'] == 'vswitch+vxlan6' and
	  all(d['rx_frames'] == d['offered_frames'] >= 18000
	      for d in r['cases'][0]['trials'][0]['directions'])"
# One host alone, the other host's end of the wire a stand-in VM: the
# encapsulating host's frames count only inside an outer header from its
# address to the far host's, by VXLAN's port and VNI; the decapsulating
# host takes the stand-in's Geneve over IPv6 (its UDP checksums checked).
sb run --tunnel vxlan --tunnel-side encap --against local --rate 20000 --json \
	>"$T/enc.json" 2>"$T/enc.err"
check "tunnel, encap side: exit 0" [ $? -eq 0 ]
check "tunnel, encap side: every frame arrived encapsulated, against local" \
	query "$T/enc.json" \
	"r['complete'] and r['config']['tunnel_side'] == 'encap' and
	  [c['switch'] for c in r['cases']] == ['vswitch+vxlan/encap', 'vswitch'] and
	  all(d['rx_frames'] == d['offered_frames'] >= 18000
	      for c in r['cases'] for d in c['trials'][0]['directions']) and
	  r['comparisons'][0]['busy_cycles_per_packet_ratio'] > 0"
# The stages are parts of the busy cycles; they are read a moment after
# the totals at both ends of the window, hence a little slack.
check "tunnel, encap side: busy cycles by stage, their sum within the busy cycles" \
	query "$T/enc.json" \
	"all(0 < sum(t['switch']['stage_cycles_per_packet'].values())
	       <= t['switch']['busy_cycles_per_packet'] * 1.05
	     for c in r['cases'] for t in c['trials']) and
	  all(c['summary']['stage_cycles_per_packet']['processing']['median'] > 0
	      for c in r['cases'])"
sb run --tunnel geneve6 --tunnel-side decap --rate 20000 --json >"$T/dec.json" 2>"$T/dec.err"
check "tunnel, decap side: exit 0" [ $? -eq 0 ]
check "tunnel, decap side: every frame decapsulated to vm2" query "$T/dec.json" \
	"r['complete'] and r['config']['tunnel_side'] == 'decap' and
	  r['machine']['switches'][0]['switch'] == 'vswitch+geneve6/decap' and
	  all(d['rx_frames'] == d['offered_frames'] >= 18000
	      for d in r['cases'][0]['trials'][0]['directions']) and
	  r['cases'][0]['trials'][0]['switch']['megaflows'] >= 2"
# The decapsulating host with its wire's frames replayed by DPDK's pcap
# driver inside vswitchd, against local switching: the frames the switch
# took from the replay in the window reach vm2 decapsulated (counted by the
# tag inside the inner frame; at full speed vm2's ring may overflow, so not
# all of them), no latency is claimed, and the second trial could add the
# replay's port again: the first one deleted it.
sb run --tunnel vxlan6 --tunnel-side decap --wire pcap --against local --repeat 2 \
	--duration 1 --json >"$T/pcap.json" 2>"$T/pcap.err"
check "tunnel, decap side, pcap wire: exit 0" [ $? -eq 0 ]
check "tunnel, decap side, pcap wire: the replay's frames decapsulated to vm2" \
	query "$T/pcap.json" \
	"r['complete'] and r['config']['wire'] == 'pcap' and
	  [c['switch'] for c in r['cases']] == ['vswitch+vxlan6/decap', 'vswitch'] and
	  all(d['offered_frames'] >= 100000 and d['rx_frames'] >= 0.5 * d['offered_frames'] and
	      d['latency_ns']['samples'] == 0
	      for t in r['cases'][0]['trials'] for d in t['directions']) and
	  all(t['switch']['stage_cycles_per_packet']['processing'] > 0
	      for t in r['cases'][0]['trials']) and
	  r['comparisons'][0]['busy_cycles_per_packet_ratio'] > 0"
# One host alone against Open vSwitch's same host (its own namespace, the
# same stand-ins): both decapsulate every frame of the wire's VXLAN (with
# UDP checksums over IPv4 by --tunnel-csum, which both check: a wrong one
# would be dropped); over IPv6 both encapsulate every frame as the far host
# expects.
sb run --tunnel vxlan --tunnel-side decap --against ovs --tunnel-csum yes --rate 20000 --json \
	>"$T/odec.json" 2>"$T/odec.err"
check "tunnel, decap side against ovs: exit 0" [ $? -eq 0 ]
check "tunnel, decap side against ovs: both decapsulated every frame to vm2" \
	query "$T/odec.json" \
	"r['complete'] and r['config']['against'] == 'ovs' and r['config']['tunnel_csum'] is True and
	  [c['switch'] for c in r['cases']] == ['vswitch+vxlan/decap', 'ovs+vxlan/decap'] and
	  all(d['rx_frames'] == d['offered_frames'] >= 18000
	      for c in r['cases'] for d in c['trials'][0]['directions']) and
	  r['comparisons'][0]['against'] == 'ovs+vxlan/decap' and
	  r['comparisons'][0]['busy_cycles_per_packet_ratio'] > 0"
check "tunnel, decap side against ovs: stages for vswitch only (Open vSwitch has none)" \
	query "$T/odec.json" \
	"'stage_cycles_per_packet' in r['cases'][0]['summary'] and
	  'stage_cycles_per_packet' not in r['cases'][1]['summary'] and
	  'stage_cycles_per_packet' not in r['cases'][1]['trials'][0]['switch']"
sb run --tunnel vxlan6 --tunnel-side encap --against ovs --rate 20000 --json \
	>"$T/oenc.json" 2>"$T/oenc.err"
check "tunnel, encap side over IPv6 against ovs: exit 0" [ $? -eq 0 ]
check "tunnel, encap side over IPv6 against ovs: both encapsulated every frame" \
	query "$T/oenc.json" \
	"r['complete'] and
	  [c['switch'] for c in r['cases']] == ['vswitch+vxlan6/encap', 'ovs+vxlan6/encap'] and
	  all(d['rx_frames'] == d['offered_frames'] >= 18000
	      for c in r['cases'] for d in c['trials'][0]['directions'])"

# Bad arguments: a clear message, exit code 2, no switch started.
for args in "--size 20" "--topology ring" "--flows 0" "--rate -5" "--pipeline x" \
	"run --size 64,128" "bogus" "--plot chart.gif" "--pmd-sleep 20000" "--against vpp" \
	"run --rules 1,2" "--rules -1" "--ovs-vswitchd /usr/sbin/ovs-vswitchd" \
	"--cpu 0,1,0" "--cpu x" "--tx-flush 2000000" "--tunnel gre" "--tunnel vxlan4" "--against local" \
	"--tunnel vxlan --against ovs" "--tunnel-side encap" "--tunnel vxlan --tunnel-side both" \
	"--tunnel vxlan --tunnel-side decap --topology pvp" \
	"--tunnel vxlan --tunnel-side decap --against ovs --pipeline ports" \
	"--tunnel vxlan --tunnel-csum maybe" "--tunnel-csum no" "--tunnel vxlan --wire pcap" \
	"--tunnel vxlan --wire vhost-user" "--tunnel vxlan --tunnel-side encap --wire pcap" \
	"--tunnel vxlan --tunnel-side decap --wire nic" \
	"--tunnel vxlan --tunnel-side decap --wire pcap --rate 1000" \
	"sweep --tunnel vxlan --tunnel-side decap --wire pcap --flows 1,9000"; do
	# shellcheck disable=SC2086
	"$BIN/switch-bench" --bin "$BIN" $args >"$T/bad.out" 2>&1
	rc=$?
	check "refused: $args (exit $rc)" [ $rc -eq 2 ]
	check "with a message: $args" grep -q "switch-bench: " "$T/bad.out"
done
# A CPU per VM: each device polled by its own thread (here one of them on
# the PMD's CPU, the only other one; it warns, and forwards all the same).
sb run --rate 20000 --cpu 0,1 --json >"$T/cpus.json" 2>"$T/cpus.err"
check "a CPU per VM: exit 0" [ $? -eq 0 ]
check "a CPU per VM: both VMs' CPUs recorded, every frame forwarded" query "$T/cpus.json" \
	"r['machine']['generator_cpus'] == [0, 1] and r['complete'] \
	  and r['cases'][0]['trials'][0]['directions'][0]['loss_pct'] == 0 \
	  and r['cases'][0]['trials'][0]['directions'][0]['rx_frames'] >= 19000"
check "a CPU per VM: the warning about the PMD's CPU" grep -q "shares CPU 1 with the PMD" \
	"$T/cpus.err"

# A reader that goes away (| head) stops it, and it cleans up.
sb sweep --rate 20000 --flows 1,2,3,4 | head -1 >/dev/null
leftovers | sort >"$T/left.after"
check "no private directory, namespace or mount left behind" \
	cmp -s "$T/left.before" "$T/left.after"
check "no vswitchd left running from the benchmark" \
	[ -z "$(pgrep -f "vswitchd --db /tmp/switch-bench\.")" ]
check "no Open vSwitch left running from the benchmark" \
	[ -z "$(pgrep -f "/tmp/switch-bench-ovs\.")" ]

finish
