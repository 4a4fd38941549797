#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# OpenFlow bundles: the real ovs-ofctl --bundle over OpenFlow 1.4, 1.5 and
# 1.3 (ONF's extension) installs and replaces flows all at once; a bundle
# with one flow mod the switch refuses changes nothing (the flows, the
# forwarding between two namespaces on TAP ports, and what a restart
# brings back); raw 1.4 bundle messages get the errors the specification
# names, and so do flow monitor requests; a flow monitor hears of its own
# connection's changes abbreviated (bundle_raw.py). A real os-ken
# controller commits a bundle and has another refused (osken/bundle_app.py).
set -uo pipefail
BIN=${1:?usage: test_bundle.sh BINDIR}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/e2e.sh"

S=$$
NET=10.217.$((S % 200))
BR=bnd$S

ofctl() { timeout 10 ovs-ofctl "$@"; }
of() { echo "unix:$T/run/$BR.mgmt"; }
pings() { ns_ping bn1$S "$NET.2" 2 0.2; }
no_pings() { ! ip netns exec bn1$S ping -c 1 -W 1 "$NET.2" >/dev/null 2>&1; }
flows() { ofctl -O OpenFlow13 dump-flows "$(of)" | grep actions= | sed -E 's/.* (priority=)/\1/' | sort; }

start_vswitchd || { echo "vswitchd did not start"; cat "$T/vswitchd.log"; exit 1; }
check "bridge in fail mode secure with two TAP ports" ctl add-br "$BR" \
	-- set-fail-mode "$BR" secure \
	-- add-port "$BR" bt1$S type=tap -- add-port "$BR" bt2$S type=tap
for i in 1 2; do ns_host bn$i$S bt$i$S "$NET.$i/24"; done
check "no flows: no ping" no_pings

cat >"$T/fwd" <<EOF
priority=10,in_port=1,actions=output:2
priority=10,in_port=2,actions=output:1
EOF
check "ovs-ofctl -O OpenFlow14 --bundle add-flows" ofctl -O OpenFlow14 --bundle add-flows "$(of)" "$T/fwd"
check "both flows in" [ "$(flows | grep -c 'priority=10')" = 2 ]
check "ping through the bundle's flows" pings

# One bad flow mod (a group the switch lacks): nothing of the bundle stays.
cat >"$T/bad" <<EOF
delete in_port=1
priority=20,ip,actions=drop
priority=30,actions=group:99
EOF
before=$(flows)
for v in OpenFlow14 OpenFlow15 OpenFlow13; do
	out=$(ofctl -O $v --bundle add-flows "$(of)" "$T/bad" 2>&1)
	check "$v: a bundle with a refused flow mod fails" [ $? -ne 0 ]
	check "$v: with the flow mod's error" grep -q OFPBAC_BAD_OUT_GROUP <<<"$out"
	check "$v: and MSG_FAILED" grep -q OFPBFC_MSG_FAILED <<<"$out"
	check "$v: the flows are as before" [ "$(flows)" = "$before" ]
done
check "and the ping still goes through" pings

# The same without the bad line, as ONF's 1.3 bundle: all of it at once.
grep -v group "$T/bad" >"$T/good"
check "ovs-ofctl -O OpenFlow13 --bundle (ONF's extension)" \
	ofctl -O OpenFlow13 --bundle add-flows "$(of)" "$T/good"
check "the delete and the add took" \
	[ "$(flows | tr '\n' ' ')" = "priority=10,in_port=2 actions=output:1 priority=20,ip actions=drop " ]
check "ping is dropped" no_pings
check "ovs-ofctl -O OpenFlow15 --bundle replace-flows" \
	ofctl -O OpenFlow15 --bundle replace-flows "$(of)" "$T/fwd"
check "the table is the file's" [ "$(flows | grep -c .)$(flows | grep -c 'priority=10')" = 22 ]
check "ping again" pings

# What a restart brings back: the committed bundles, nothing of the failed.
before=$(flows)
check "restart: stopped" stop_vswitchd
check "restart: started" start_vswitchd
for _ in $(seq 50); do [ -S "$T/run/$BR.mgmt" ] && break; sleep 0.1; done
check "restart: the same flows" [ "$(flows)" = "$before" ]

raw=$(/usr/bin/python3 "$HERE/bundle_raw.py" "$T/run/$BR.mgmt" 2>&1)
while read -r name result; do
	check "raw 1.4 bundles: $name ($result)" [ "$result" = ok ]
done <<<"$raw"
check "raw 1.4 bundles and monitors: every case ran" [ "$(grep -c ' ok$' <<<"$raw")" = 10 ]
check "the raw cases' failed commit left nothing" [ "$(flows)" = "$before" ]

# A real controller: os-ken over 1.4 commits one bundle (forwarding both
# ways) and has the next refused (a drop-all and a flow to a missing group).
CPORT=$(tcp_port 1)
check "flows emptied for the controller" ctl del-flows "$BR"
check "no flows: no ping" no_pings
/usr/bin/osken-manager --ofp-listen-host 127.0.0.1 --ofp-tcp-listen-port "$CPORT" \
	--log-file "$T/osken.log" "$HERE/osken/bundle_app.py" >/dev/null 2>&1 &
pid=$!
E2E_EXTRA_PIDS="${E2E_EXTRA_PIDS:-} $pid"
disown "$pid" # killed at exit without a word
for _ in $(seq 100); do ss -ltn | grep -q "127.0.0.1:$CPORT " && break; sleep 0.1; done
check "set-controller" ctl set-controller "$BR" "tcp:127.0.0.1:$CPORT"
for _ in $(seq 150); do grep -q "bundle: flows" "$T/osken.log" 2>/dev/null && break; sleep 0.1; done
check "os-ken: bundle 1 committed" grep -q "bundle: 1 committed" "$T/osken.log"
check "os-ken: bundle 2 refused with OFPBFC_MSG_FAILED" grep -q "bundle: 2 refused (type 17 code 13)" "$T/osken.log"
check "os-ken: the flows are bundle 1's alone" grep -q "bundle: flows 2 \[10, 10\]" "$T/osken.log"
check "ping through the controller's bundle" pings
finish
