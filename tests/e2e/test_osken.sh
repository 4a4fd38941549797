#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A real controller: os-ken (Debian's python3-os-ken, osken-manager) runs a
# learning switch written for this test (osken/l2_learning.py) against a
# bridge of two TAP ports in two namespaces. The namespaces ping through the
# controller's flows (packet-in, packet-out, flow mods). The controller is
# killed and restarted: in fail mode secure the switch keeps the installed
# flows and forwards nothing else; in standalone it falls back to NORMAL;
# both reconnect and obey the controller again.
set -uo pipefail
BIN=${1:?usage: test_osken.sh BINDIR}
. "$(dirname "$0")/../lib/e2e.sh"

S=$$
NET=10.217.$((S % 200))
PORT=$(tcp_port 1)
BR=okb$S
APP=$(dirname "$(readlink -f "$0")")/osken/l2_learning.py
OSKEN_PID=""

controller_start() {
	: >"$T/osken.log"
	/usr/bin/osken-manager --ofp-listen-host 127.0.0.1 --ofp-tcp-listen-port "$PORT" \
		--log-file "$T/osken.log" "$APP" >/dev/null 2>&1 &
	OSKEN_PID=$!
	E2E_EXTRA_PIDS="${E2E_EXTRA_PIDS:-} $OSKEN_PID"
}
controller_kill() {
	kill -KILL "$OSKEN_PID" 2>/dev/null
	wait "$OSKEN_PID" 2>/dev/null
}
# Waits up to $1 seconds for the switch to greet the controller.
connected() {
	for _ in $(seq $(($1 * 10))); do
		grep -q "l2: switch" "$T/osken.log" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
ping_ok() { ip netns exec on1$S ping -c 2 -i 0.3 -W 1 "$NET.2" >/dev/null 2>&1; }
ping_fails() { ! ip netns exec on1$S ping -c 2 -i 0.3 -W 1 "$NET.2" >/dev/null 2>&1; }
n_flows() { ctl dump-flows "$BR" | grep -c "priority=$1"; }

start_vswitchd || { echo "vswitchd did not start"; cat "$T/vswitchd.log"; exit 1; }
controller_start
check "bridge with two TAP ports, fail mode secure" ctl add-br "$BR" \
	-- add-port "$BR" t1$S type=tap -- add-port "$BR" t2$S type=tap \
	-- set-fail-mode "$BR" secure
for i in 1 2; do ns_host on$i$S t$i$S "$NET.$i/24"; done
# The controller must be listening before the switch first tries.
for _ in $(seq 100); do
	ss -ltn | grep -q "127.0.0.1:$PORT " && break
	sleep 0.1
done
check "set-controller" ctl set-controller "$BR" "tcp:127.0.0.1:$PORT"
check "the switch connects to os-ken" connected 10
check "ping through the controller's learning switch" ping_ok
check "os-ken installed the table-miss entry" [ "$(n_flows 0)" -eq 1 ]
check "os-ken installed a flow per direction" [ "$(n_flows 10)" -ge 2 ]
check "os-ken logged the flows it installed" grep -q "flow .* -> port" "$T/osken.log"

# Secure: the controller dies; its flows stay and still forward.
controller_kill
check "secure, controller gone: installed flows forward" ping_ok
check "secure, controller gone: flows kept" [ "$(n_flows 10)" -ge 2 ]
ctl del-flows "$BR" >/dev/null
check "secure, controller gone, no flows: nothing forwards" ping_fails
t0=$(date +%s.%N)
controller_start
check "secure: the switch reconnects to the restarted controller" connected 15
t1=$(date +%s.%N)
echo "reconnected $(echo "$t1 - $t0" | bc) s after the controller restarted"
check "secure, controller back: ping" ping_ok

# Standalone: without a controller the bridge falls back to NORMAL.
check "fail mode standalone" ctl set-fail-mode "$BR" standalone
controller_kill
check "standalone, controller gone: a drop-everything flow" \
	ctl add-flow "$BR" "cookie=0x99,priority=100,actions=drop"
check "standalone, controller gone: NORMAL forwards anyway" ping_ok
controller_start
check "standalone: the switch reconnects" connected 15
check "standalone, controller back: its flows are in force (drop)" ping_fails
ctl del-flows "$BR" "cookie=0x99/-1" >/dev/null
check "standalone, controller back: ping through the controller" ping_ok
controller_kill
finish
