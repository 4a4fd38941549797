#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# What a tunnel costs the switch, against the same packets switched locally
# (issue 22). Two vswitchd instances, each in its own namespace as a
# hypervisor, joined by a veth underlay; on host A two VMs (namespaces a1,
# a2), on host B one (b1); NORMAL bridges, a VXLAN (or Geneve) port on each
# overlay bridge. The same UDP stream (iperf3, 64-byte payloads, RATE
# packets a second for SECS seconds) goes a1 -> a2 (local: in and out by
# veth ports of one bridge) and a1 -> b1 (A encapsulates, B decapsulates),
# the two taking turns round by round. For each run: the PMD's busy cycles
# per packet received, on A (local, or encapsulation) and on B
# (decapsulation), from pmd-stats-show; at the end the medians and the
# ratios. Every packet takes a veth in and a veth out in all three, so the
# ratios are of the whole per-packet cost with the kernel's I/O in it.
# Figures only, no assertion; by hand (docs/performance-tunnels.md, docs/tunnels.md).
#   scripts/bench-tunnel.sh [--bin DIR] [--rounds N] [--rate PPS] [--secs S] [--type vxlan|geneve]
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/build/bin
ROUNDS=3 RATE=50000 SECS=3 TYPE=vxlan
while [ $# -gt 0 ]; do
	case $1 in
	--bin) BIN=$2; shift 2 ;;
	--rounds) ROUNDS=$2; shift 2 ;;
	--rate) RATE=$2; shift 2 ;;
	--secs) SECS=$2; shift 2 ;;
	--type) TYPE=$2; shift 2 ;;
	*) echo "usage: $0 [--bin DIR] [--rounds N] [--rate PPS] [--secs S] [--type vxlan|geneve]" >&2
	   exit 2 ;;
	esac
done
PY=/usr/bin/python3
S=$$
W=$(mktemp -d /tmp/vs-bench-tnl.XXXXXX)
U=10.$((100 + S % 100)).$((S / 100 % 250))
HA=bta$S HB=btb$S
NS="$HA $HB a1$S a2$S b1$S"

cleanup() {
	trap "" INT TERM
	for h in a b; do
		pid=$(cat "$W/$h/vswitchd.pid" 2>/dev/null) && kill "$pid" 2>/dev/null
	done
	sleep 0.5
	for ns in $NS; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
for ns in $NS; do ip netns add "$ns" || exit 1; done

ip link add ua$S netns $HA type veth peer name ub$S netns $HB
in_ns $HA ip link set ua$S up
in_ns $HB ip link set ub$S up
vm() { # vm HOST VM PORT ADDR
	ip link add "$3" netns "$1" type veth peer name eth0 netns "$2"
	in_ns "$2" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	in_ns "$2" ip link set eth0 mtu 1450
	in_ns "$2" ip addr add "$4/24" dev eth0
	in_ns "$2" ip link set eth0 up
	in_ns "$2" ip link set lo up
	in_ns "$1" ip link set "$3" up
}
vm $HA a1$S pa1$S 10.66.0.1
vm $HA a2$S pa2$S 10.66.0.2
vm $HB b1$S pb1$S 10.66.0.3

host() { # host NS NAME LOCAL REMOTE UNDERLAY PORTS...
	local ns=$1 h=$2 d="$W/$2"
	mkdir -p "$d"
	in_ns "$ns" "$BIN/vswitchd" --db "$d/conf.json" --ctl "$d/ctl.sock" --run-dir "$d/run" \
		--pidfile "$d/vswitchd.pid" --log-file "$d/vswitchd.log" --detach \
		--eal "--no-huge -m 512" || exit 1
	local c="$BIN/switch-ctl --ctl $d/ctl.sock --timeout 20"
	$c add-br bp$h$S -- add-port bp$h$S "$5" type=system || exit 1
	in_ns "$ns" ip addr add "$3/24" dev bp$h$S
	in_ns "$ns" ip link set bp$h$S up
	$c add-br bi$h$S -- add-port bi$h$S tn$S type="$TYPE" options:remote_ip="$4" \
		options:key=100 || exit 1
	shift 5
	for p in "$@"; do $c add-port bi$h$S "$p" type=system || exit 1; done
}
host $HA a $U.1 $U.2 ua$S pa1$S pa2$S
host $HB b $U.2 $U.1 ub$S pb1$S
ctl() { local h=$1; shift; "$BIN/switch-ctl" --ctl "$W/$h/ctl.sock" --timeout 20 "$@"; }

# Learning and ARP on every path first.
for dst in 10.66.0.2 10.66.0.3; do
	in_ns a1$S ping -c 3 -i 0.2 -W 2 $dst >/dev/null || { echo "no path to $dst"; exit 1; }
done
in_ns b1$S ping -c 1 -W 2 10.66.0.1 >/dev/null

# busy HOST: busy cycles per packet received, over the PMD threads.
busy() {
	ctl "$1" --json pmd-stats-show | "$PY" -c '
import json, sys
p = json.load(sys.stdin)["pmds"]
rx = sum(x["rx_packets"] for x in p)
print("%.0f %d" % (sum(x["busy_cycles"] for x in p) / rx if rx else 0, rx))'
}

# run DST_NS DST_ADDR: one stream; prints "A_cycles A_rx B_cycles B_rx".
run() {
	ctl a pmd-stats-clear >/dev/null
	ctl b pmd-stats-clear >/dev/null
	in_ns "$1" iperf3 -s -1 -p 5301 >/dev/null 2>&1 &
	local srv=$!
	sleep 0.3
	in_ns a1$S iperf3 -c "$2" -p 5301 -u -l 64 -b $((RATE * 64 * 8)) -t "$SECS" >/dev/null 2>&1
	kill $srv 2>/dev/null
	wait $srv 2>/dev/null
	echo "$(busy a) $(busy b)"
}

echo "# $TYPE, $RATE packets/s of 64-byte UDP payloads, $SECS s a run, $ROUNDS rounds"
printf "%-6s %14s %14s %14s\n" round local encap decap
L="" E="" D=""
for r in $(seq "$ROUNDS"); do
	read -r la lrx _ _ <<<"$(run a2$S 10.66.0.2)"
	read -r ea erx db brx <<<"$(run b1$S 10.66.0.3)"
	printf "%-6s %8s (%5dk) %8s (%5dk) %8s (%5dk)\n" "$r" "$la" $((lrx / 1000)) "$ea" \
		$((erx / 1000)) "$db" $((brx / 1000))
	L="$L $la" E="$E $ea" D="$D $db"
done
"$PY" - "$L" "$E" "$D" <<'EOF'
import statistics, sys
l, e, d = ([float(x) for x in a.split()] for a in sys.argv[1:4])
ml, me, md = statistics.median(l), statistics.median(e), statistics.median(d)
print("median: local %.0f, encapsulation %.0f (%.2fx), decapsulation %.0f (%.2fx) busy cycles "
      "per packet" % (ml, me, me / ml, md, md / ml))
EOF
