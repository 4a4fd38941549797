#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# OpenFlow 1.4 on the wire: the real ovs-ofctl with -O OpenFlow14 shows the
# bridge (port descriptions with 1.4's properties), adds and dumps flows,
# reads port statistics, takes a port down and up, adds a group; and a
# real os-ken controller speaking 1.4 (osken/l2_learning.py with
# L2_OPENFLOW=1.4) runs its learning switch: two namespaces on TAP ports
# ping through its flows. A peer that offers only 1.5 is refused.
set -uo pipefail
BIN=${1:?usage: test_of14.sh BINDIR}
. "$(dirname "$0")/../lib/e2e.sh"

S=$$
NET=10.219.$((S % 200))
PORT=$((20000 + (S + 21) % 20000))
CPORT=$((20000 + (S + 22) % 20000))
BR=o14b$S
OF="tcp:127.0.0.1:$PORT"
APP=$(dirname "$(readlink -f "$0")")/osken/l2_learning.py

ofctl() { timeout 10 ovs-ofctl -O OpenFlow14 "$@"; }
pings() { ip netns exec on1$S ping -c 3 -i 0.3 -W 1 "$NET.2" >/dev/null 2>&1; }

start_vswitchd || { echo "vswitchd did not start"; cat "$T/vswitchd.log"; exit 1; }
check "bridge in fail mode secure with a passive listener" ctl add-br "$BR" \
	-- add-port "$BR" t1$S type=tap -- add-port "$BR" t2$S type=tap \
	-- set-fail-mode "$BR" secure -- set-controller "$BR" "ptcp:$PORT:127.0.0.1"
ctl del-flows "$BR" >/dev/null
for i in 1 2; do ns_host on$i$S t$i$S "$NET.$i/24"; done

show=$(ofctl show "$OF")
check "show over 1.4: the features reply" grep -q "OFPT_FEATURES_REPLY (OF1.4)" <<<"$show"
check "show over 1.4: port descriptions" grep -q "1(t1$S)" <<<"$show"
check "show over 1.4: the speed from the Ethernet property" grep -q "10000 Mbps now" <<<"$show"
check "add-flow over 1.4" ofctl add-flow "$OF" "priority=5,in_port=1,actions=output:2"
check "add-flow over 1.4, back" ofctl add-flow "$OF" "priority=5,in_port=2,actions=output:1"
check "the datapath obeys: ping" pings
check "dump-flows over 1.4" grep -qE "n_packets=[1-9].*priority=5,in_port=1 actions=output:2" \
	<<<"$(ofctl dump-flows "$OF")"
check "dump-ports over 1.4: packets received on port 1" \
	grep -qE "port  1: rx pkts=[1-9]" <<<"$(ofctl dump-ports "$OF" 1)"
port_down() { ofctl dump-ports-desc "$OF" | grep -A1 "2(t2$S)" | grep -q PORT_DOWN; }
port_up() { ! port_down; }
check "mod-port over 1.4 (its Ethernet property)" ofctl mod-port "$OF" 2 down
check "the port is down" port_down
check "and up" ofctl mod-port "$OF" 2 up
check "up again" port_up
check "add-group over 1.4" ofctl add-group "$OF" "group_id=7,type=all,bucket=output:1"
check "dump-groups over 1.4" grep -q "group_id=7,type=all" <<<"$(ofctl dump-groups "$OF")"
only15() { ! timeout 10 ovs-ofctl -O OpenFlow15 show "$OF" >/dev/null 2>&1; }
check "a peer offering only 1.5 is refused" only15
check "and the log says why" grep -q "peer offers no OpenFlow 1.4, 1.3 or 1.0" "$T/vswitchd.log"

# A real 1.4 controller.
ctl del-flows "$BR" >/dev/null
L2_OPENFLOW=1.4 /usr/bin/osken-manager --ofp-listen-host 127.0.0.1 --ofp-tcp-listen-port "$CPORT" \
	--log-file "$T/osken.log" "$APP" >/dev/null 2>&1 &
E2E_EXTRA_PIDS="$!"
disown "$!" # killed at exit without a word
for _ in $(seq 100); do
	ss -ltn | grep -q "127.0.0.1:$CPORT " && break
	sleep 0.1
done
check "set-controller" ctl set-controller "$BR" "tcp:127.0.0.1:$CPORT" "ptcp:$PORT:127.0.0.1"
connected() {
	for _ in $(seq 150); do
		grep -q "l2: switch" "$T/osken.log" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
check "os-ken connects over 1.4" connected
check "ping through the 1.4 controller's learning switch" pings
check "it installed a flow per direction" [ "$(grep -c "flow .* -> port" "$T/osken.log")" -ge 2 ]
check "vswitchd still runs" kill -0 "$(vswitchd_pid)"
finish
