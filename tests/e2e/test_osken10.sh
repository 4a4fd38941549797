#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A real OpenFlow 1.0 controller: os-ken (Debian's python3-os-ken) runs a
# learning switch written for 1.0 (osken/l2_learning10.py) against a bridge
# in fail mode secure with two TAP ports in two namespaces and no flows at
# all. As 1.0 says, the table misses go to the controller while it is
# connected: the namespaces ping through its packet-outs and the flows it
# installs. When it is gone, misses are dropped again and its flows stay.
set -uo pipefail
BIN=${1:?usage: test_osken10.sh BINDIR}
. "$(dirname "$0")/../lib/e2e.sh"

S=$$
NET=10.218.$((S % 200))
PORT=$(tcp_port 1)
BR=o10k$S
APP=$(dirname "$(readlink -f "$0")")/osken/l2_learning10.py
OSKEN_PID=""

/usr/bin/osken-manager --ofp-listen-host 127.0.0.1 --ofp-tcp-listen-port "$PORT" \
	--log-file "$T/osken.log" "$APP" >/dev/null 2>&1 &
OSKEN_PID=$!
E2E_EXTRA_PIDS="$OSKEN_PID"
connected() {
	for _ in $(seq 150); do
		grep -q "l2-10: switch" "$T/osken.log" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
pings() { ip netns exec on1$S ping -c 3 -i 0.3 -W 1 "$NET.2" >/dev/null 2>&1; }
no_pings() { ! ip netns exec on1$S ping -c 2 -i 0.3 -W 1 "$NET.2" >/dev/null 2>&1; }

start_vswitchd || { echo "vswitchd did not start"; cat "$T/vswitchd.log"; exit 1; }
check "bridge with two TAP ports, fail mode secure, no flows" ctl add-br "$BR" \
	-- add-port "$BR" t1$S type=tap -- add-port "$BR" t2$S type=tap \
	-- set-fail-mode "$BR" secure
ctl del-flows "$BR" >/dev/null
for i in 1 2; do ns_host on$i$S t$i$S "$NET.$i/24"; done
check "no controller, no flows: nothing forwards" no_pings
for _ in $(seq 100); do
	ss -ltn | grep -q "127.0.0.1:$PORT " && break
	sleep 0.1
done
check "set-controller" ctl set-controller "$BR" "tcp:127.0.0.1:$PORT"
check "the switch connects to os-ken over OpenFlow 1.0" connected
check "its features reply listed the ports" grep -q "connected, 3 ports" "$T/osken.log"
check "table misses go to the 1.0 controller" grep -q "table misses go to the OpenFlow 1.0 controller" "$T/vswitchd.log"
check "ping through the controller's packet-outs and flows" pings
check "os-ken installed a flow per direction" [ "$(grep -c "l2-10: .* flow" "$T/osken.log")" -ge 2 ]
check "the flows are in the table" [ "$(ctl dump-flows "$BR" | grep -c "priority=10,")" -ge 2 ]

kill -KILL "$OSKEN_PID" 2>/dev/null
wait "$OSKEN_PID" 2>/dev/null
gone() {
	for _ in $(seq 100); do
		grep -q "table misses are dropped" "$T/vswitchd.log" && return 0
		sleep 0.1
	done
	return 1
}
check "controller gone: misses are dropped again" gone
check "its flows stay and forward" pings
check "vswitchd still runs" kill -0 "$(vswitchd_pid)"
finish
