#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, builds, and runs the switch on a small default:
# vswitchd with bridge br0 holding two network namespaces on TAP ports (they
# ping each other) and two stand-in VMs on vhost-user ports (virtio-peer,
# DPDK's virtio-user driver) exchanging traffic for a few seconds with the
# rate printed; then shows the switch, its ports and datapath counters. The
# daemon keeps running (with a line saying how to stop it) unless --once is
# given. Run it again at will: it replaces what the last run left.
set -euo pipefail
cd "$(dirname "$0")/.."
once=false
[ "${1:-}" = --once ] && once=true
bash scripts/setup.sh
cmake -S . -B build -G Ninja >/dev/null
cmake --build build -j "$(nproc)"

D=/tmp/vswitch-demo
BIN=$PWD/build/bin
CTL="$BIN/switch-ctl --ctl $D/vswitchd.sock"
if [ -f "$D/vswitchd.pid" ] && kill -0 "$(cat "$D/vswitchd.pid")" 2>/dev/null; then
	kill "$(cat "$D/vswitchd.pid")"
	sleep 1
fi
for ns in demo-ns1 demo-ns2; do ip netns del "$ns" 2>/dev/null || true; done
rm -rf "$D"
mkdir -p "$D"

"$BIN/vswitchd" --db "$D/conf.json" --ctl "$D/vswitchd.sock" --run-dir "$D/run" \
	--log-file "$D/vswitchd.log" --pidfile "$D/vswitchd.pid" --detach
echo "== vswitchd started (log: $D/vswitchd.log)"
$CTL add-br br0 \
	-- add-port br0 tap1 type=tap -- add-port br0 tap2 type=tap \
	-- add-port br0 vm1 type=vhost-user -- add-port br0 vm2 type=vhost-user
echo "== two namespaces on TAP ports: demo-ns1 (10.0.0.1) and demo-ns2 (10.0.0.2)"
for i in 1 2; do
	ip netns add demo-ns$i
	ip link set tap$i netns demo-ns$i
	ip -n demo-ns$i addr add 10.0.0.$i/24 dev tap$i
	ip -n demo-ns$i link set tap$i up
done
ip netns exec demo-ns1 ping -c 3 -i 0.2 10.0.0.2

echo "== two VMs (virtio-peer) on vhost-user ports vm1 and vm2, 3 seconds at 500k frames/s each way"
for i in 1 2; do
	"$BIN/virtio-peer" --name vm$i --socket "$D/run/vm$i" --mac 02:00:00:00:00:0$i \
		--dst 02:00:00:00:00:0$((3 - i)) --rate 500000 --duration 3 --report 1 \
		>"$D/vm$i.out" 2>&1 &
done
wait
grep -h "^peer" "$D/vm1.out" "$D/vm2.out"
echo "== switch-ctl show"
$CTL show
echo "== switch-ctl dump-ports br0"
$CTL dump-ports br0
echo "== switch-ctl pmd-stats-show"
$CTL pmd-stats-show
echo "== switch-ctl dump-flows br0"
$CTL dump-flows br0
echo "== switch-ctl capture tap2 -c 4 icmp (what tap2 receives and sends while demo-ns1 pings)"
ip netns exec demo-ns1 ping -c 4 -i 0.2 10.0.0.2 >/dev/null &
timeout -s INT 10 $CTL capture tap2 -c 4 icmp || true
wait
if $once; then
	pid=$(cat "$D/vswitchd.pid")
	$CTL del-br br0 # its kernel devices go with it (they outlive the daemon)
	kill "$pid"
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	for ns in demo-ns1 demo-ns2; do ip netns del "$ns"; done
	echo "== vswitchd stopped, namespaces removed"
else
	echo "== vswitchd keeps running: try '$CTL show'"
	echo "   stop it with: $CTL del-br br0; kill \$(cat $D/vswitchd.pid); ip netns del demo-ns1;" \
		"ip netns del demo-ns2"
fi
