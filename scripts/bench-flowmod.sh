#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Flow-mod rate of a running vswitchd while it forwards: a background loop
# injects 256 frames of 256 different flows into a mem port (megaflows to
# revalidate), while this script times (1) one add-flows call of N flows and
# (2) M single add-flow + del-flows calls, each of which sweeps the megaflows
# before it returns. Prints figures; asserts nothing.
#   scripts/bench-flowmod.sh [BUILD_BIN] [N] [M]
set -eu
BIN=${1:-$(cd "$(dirname "$0")/.." && pwd)/build/bin}
N=${2:-10000}
M=${3:-200}
T=$(mktemp -d /tmp/vs-bench-flowmod.XXXXXX)
INJ=
cleanup() {
	[ -n "$INJ" ] && kill "$INJ" 2>/dev/null || true
	ctl del-br br0 >/dev/null 2>&1 || true # its internal port outlives the daemon
	[ -f "$T/pid" ] && kill "$(cat "$T/pid")" 2>/dev/null || true
	sleep 0.5
	rm -rf "$T"
}
trap cleanup EXIT
ctl() { "$BIN/switch-ctl" --ctl "$T/ctl.sock" "$@"; }

"$BIN/vswitchd" --db "$T/c.json" --ctl "$T/ctl.sock" --run-dir "$T/run" --pidfile "$T/pid" --test-dir "$T" \
	--log-file "$T/log" --detach --eal "--no-huge -m 256"
ctl add-br br0 -- add-port br0 m1 type=mem -- add-port br0 m2 type=mem
/usr/bin/python3 - "$T" <<'PY'
import sys
from scapy.all import IP, UDP, Ether, wrpcap
wrpcap(sys.argv[1] + "/traffic.pcap",
       [Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") /
        IP(src="10.0.0.1", dst="10.1.%d.%d" % (i // 16, i % 16)) / UDP(sport=1000 + i, dport=80)
        for i in range(256)])
PY
for i in $(seq "$N"); do
	echo "priority=$((i % 100 + 1)),ip,nw_src=10.$((i / 250 % 250)).$((i % 250)).1,actions=output:2"
done >"$T/flows.txt"
(while :; do ctl inject m1 "$T/traffic.pcap" >/dev/null || exit 0; done) &
INJ=$!
sleep 1
s=$(date +%s.%N)
ctl add-flows br0 "$T/flows.txt"
e=$(date +%s.%N)
echo "add-flows of $N flows in one call: $(echo "$s $e" | awk -v n="$N" '{printf "%.3f s, %.0f flows/s", $2-$1, n/($2-$1)}')"
s=$(date +%s.%N)
for i in $(seq "$M"); do
	ctl add-flow br0 "priority=200,ip,nw_dst=10.1.0.$((i % 16)),actions=output:2"
	ctl --strict del-flows br0 "priority=200,ip,nw_dst=10.1.0.$((i % 16))"
done
e=$(date +%s.%N)
echo "single flow mods (add, then strict delete), each swept before its reply: $(echo "$s $e" | awk -v n="$((2 * M))" '{printf "%.0f flow mods/s", n/($2-$1)}')"
ctl pmd-stats-show | grep -E "rx_packets|upcalls|megaflow hits" | head -5 || true
ctl dump-tables br0 | tail -1
