# SPDX-License-Identifier: Apache-2.0
# Helpers of the tunnel tests, sourced after e2e.sh: the underlay (a Linux
# bridge in namespace $UL, a veth from each host to it), the datapath's
# drop counters and a port's counters, and damaged tunnel packets sent and
# counted (the script defines send_case CASE VNI, which sends one).

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

ul_bridge() { # the underlay's bridge, in $UL
	in_ns "$UL" ip link add ulbr type bridge
	in_ns "$UL" ip link set ulbr up
}

ul_link() { # ul_link NS IFACE: a veth IFACE in NS, its peer on the underlay bridge
	ip link add "$2" netns "$1" type veth peer name "u$2" netns "$UL"
	in_ns "$UL" ip link set "u$2" master ulbr up
	in_ns "$1" ip link set "$2" up
	in_ns "$1" ip link set lo up
	# The peers' offloads off: frames reach the switch as a NIC sends
	# them (the switch does not segment encapsulated TCP).
	in_ns "$1" ethtool -K "$2" tso off gso off tx off >/dev/null 2>&1
}

drops() { # drops COUNTER: its sum over the PMD threads
	ctl pmd-stats-show | awk -v k="$1:" '$1 == k { s += $2 } END { print s + 0 }'
}

port_stat() { # port_stat PORT FIELD: a counter from dump-ports --json
	ctl --json dump-ports | /usr/bin/python3 -c 'import json,sys
for b in json.load(sys.stdin)["bridges"]:
    for p in b["ports"]:
        if p["name"] == sys.argv[1]: print(p["stats"][sys.argv[2]])' "$1" "$2"
}

bad() { # bad CASE COUNTER [VNI]: sending CASE raises COUNTER by 1
	local before after
	before=$(drops "$2")
	send_case "$1" "${3:-100}"
	for _ in $(seq 20); do
		after=$(drops "$2")
		[ "$after" -gt "$before" ] && break
		sleep 0.1
	done
	check "$1 dropped as $2 ($before -> $after)" [ "$after" -eq $((before + 1)) ]
}
