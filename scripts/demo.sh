#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, builds, and runs the switch on a small default:
# vswitchd with bridge br0, a pcap port replaying generated traffic and a
# pcap port capturing, then shows the switch, its datapath counters and
# megaflows, and the datapath micro-benchmark. The daemon keeps running
# (with a line saying how to stop it) unless --once is given.
set -euo pipefail
cd "$(dirname "$0")/.."
once=false
[ "${1:-}" = --once ] && once=true
bash scripts/setup.sh
cmake -S . -B build -G Ninja >/dev/null
cmake --build build -j "$(nproc)"

D=/tmp/vswitch-demo
CTL="build/bin/switch-ctl --ctl $D/vswitchd.sock"
if [ -f "$D/vswitchd.pid" ] && kill -0 "$(cat "$D/vswitchd.pid")" 2>/dev/null; then
	kill "$(cat "$D/vswitchd.pid")"
	sleep 1
fi
rm -rf "$D"
mkdir -p "$D"
/usr/bin/python3 tests/e2e/gen_traffic.py "$D" >/dev/null 2>&1

build/bin/vswitchd --db "$D/conf.json" --ctl "$D/vswitchd.sock" --run-dir "$D/run" \
	--log-file "$D/vswitchd.log" --pidfile "$D/vswitchd.pid" --detach
echo "== vswitchd started (log: $D/vswitchd.log)"
$CTL add-br br0 \
	-- add-port br0 in type=pcap "options:rx_pcap=$D/in.pcap" tag=10 \
	-- add-port br0 out type=pcap "options:tx_pcap=$D/out.pcap" vlan_mode=trunk trunks=10,20
sleep 1
echo "== switch-ctl show"
$CTL show
echo "== switch-ctl pmd-stats-show"
$CTL pmd-stats-show
echo "== switch-ctl dump-dp-flows"
$CTL dump-dp-flows
echo "(until the OpenFlow layer and NORMAL switching land, bridges drop what"
echo " they receive, and every drop is counted as above)"
echo "== datapath micro-benchmark (build/bin/dp-bench --help for options)"
build/bin/dp-bench --runs 3 --packets 1000000
if $once; then
	kill "$(cat "$D/vswitchd.pid")"
	echo "== vswitchd stopped"
else
	echo "== vswitchd keeps running: try '$CTL show'; stop it with: kill \$(cat $D/vswitchd.pid)"
fi
