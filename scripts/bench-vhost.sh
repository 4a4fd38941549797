#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# VM-to-VM frame rate through vhost-user ports: vswitchd with one PMD thread
# and two stand-in VMs (virtio-peer, DPDK's virtio-user driver) on two
# vhost-user ports of one bridge (NORMAL switching), each sending 64-byte
# frames to the other at each offered rate for SECS seconds. Prints what
# each VM sent and received and the switch's cycles per packet; asserts
# nothing. On a 2-core machine both VMs share the core the PMD does not use.
#   scripts/bench-vhost.sh [BUILD_BIN] [SECS] [RATE...]   (rates per VM, frames/s)
set -eu
BIN=${1:-$(cd "$(dirname "$0")/.." && pwd)/build/bin}
SECS=${2:-3}
shift $(($# > 2 ? 2 : $#))
RATES=${*:-250000 500000 750000 1000000 0}
T=$(mktemp -d /tmp/vs-bench-vhost.XXXXXX)
cleanup() {
	ctl del-br vbr0 >/dev/null 2>&1 || true # its internal port outlives the daemon
	[ -f "$T/pid" ] && kill "$(cat "$T/pid")" 2>/dev/null || true
	sleep 0.5
	rm -rf "$T"
}
trap cleanup EXIT
ctl() { "$BIN/switch-ctl" --ctl "$T/ctl.sock" "$@"; }

"$BIN/vswitchd" --db "$T/c.json" --ctl "$T/ctl.sock" --run-dir "$T/run" --pidfile "$T/pid" \
	--log-file "$T/log" --detach
ctl add-br vbr0 -- add-port vbr0 vm1 type=vhost-user -- add-port vbr0 vm2 type=vhost-user
for rate in $RATES; do
	ctl pmd-stats-clear
	for i in 1 2; do
		"$BIN/virtio-peer" --name vm$i --socket "$T/run/vm$i" --mac 02:00:00:00:00:0$i \
			--dst 02:00:00:00:00:0$((3 - i)) --rate "$rate" --duration "$SECS" \
			--report "$SECS" >"$T/vm$i.out" 2>&1 &
	done
	wait
	echo "offered ${rate} frames/s per VM (0: as fast as the VM can)"
	grep -h " done " "$T/vm1.out" "$T/vm2.out" | sed 's/^/  /'
	ctl pmd-stats-show | grep -E "packets received|processing cycles" | sed 's/^ */  switch: /'
done
