#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Misses at scale, vswitch and Open vSwitch side by side (issue 16). For
# each table size, both switches get the same OpenFlow table: SIZE rules of
# the shape priority=200,udp,tp_dst=P,nw_dst=172.x.y.z,actions=drop, and
# in_port rules that forward between three namespaces on veth ports. Two
# floods from namespace 3, RATE new flows a second for SECS seconds each
# (flowgen.py):
#   miss: random 172.16/12 destinations and ports, that no rule matches,
#         while namespace 1 pings namespace 2 every 2 ms (the established
#         flow): the upcalls and the megaflows the flood makes, the ping's
#         loss and worst round trip;
#   hit:  destinations and ports of random rules of the table, so that
#         each needs an upcall of its own: the switch's cycles per upcall
#         (vswitch's pmd-stats-show "upcall cycles"; Open vSwitch's
#         userspace datapath polls kernel ports from its main thread,
#         which counts no cycles: "-").
# The switches take turns, round by round. Figures only, no assertion; by
# hand (docs/performance.md), and as a smoke test in the suite.
#   scripts/bench-upcall.sh [--bin DIR] [--rounds N] [--rate PPS] [--secs S] [SIZE...]
#   (defaults: 1 round, 10000 new flows a second for 3 s, sizes 1000 100000)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/build/bin
ROUNDS=1 RATE=10000 SECS=3
while [ $# -gt 0 ]; do
	case $1 in
	--bin) BIN=$2; shift 2 ;;
	--rounds) ROUNDS=$2; shift 2 ;;
	--rate) RATE=$2; shift 2 ;;
	--secs) SECS=$2; shift 2 ;;
	*) break ;;
	esac
done
SIZES=${*:-1000 100000}
PY=/usr/bin/python3
# The traffic runs on CPU 0, away from vswitch's PMD thread (on the highest
# CPU, as it would have a core of its own on a hypervisor); Open vSwitch's
# main thread, which does its forwarding here, goes where the scheduler puts
# it.
PIN=()
[ "$(nproc)" -ge 2 ] && PIN=(taskset -c 0)

W=$(mktemp -d /tmp/vs-bench-upcall.XXXXXX)
S=$$
OVS_NS=buo$S
OVS_DIR=$W/ovs
. "$ROOT/scripts/lib/ovs_isolated.sh"
ofctl() { ovs-ofctl -O OpenFlow13 "$@"; }
ctl() { "$BIN/switch-ctl" --ctl "$W/ctl.sock" --timeout 600 "$@"; }
die() {
	echo "bench-upcall: $*" >&2
	exit 1
}

# Namespaces: h<switch><n>$S, n = 1, 2, 3; the switch's end of each veth
# is <switch>p<n>$S (in the root namespace for vswitch, in Open vSwitch's
# namespace for it).
cleanup() {
	trap "" INT TERM
	ctl del-br ubr$S >/dev/null 2>&1 # its internal port outlives the daemon
	stop_pidfile "$W/vswitchd.pid"
	ovs_stop
	for sw in v o; do
		for n in 1 2 3; do
			ip link del "${sw}p$n$S" 2>/dev/null
			ip netns del "h$sw$n$S" 2>/dev/null
		done
	done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wire SW N [NETNS]: namespace h<SW><N>$S with 10.99.0.N on one end of a
# veth whose other end stays in the root namespace or goes into NETNS.
wire() {
	local sw=$1 n=$2 ns=h$1$2$S
	ip netns add "$ns" &&
		ip link add "${sw}p$n$S" type veth peer name "${sw}h$n$S" &&
		ip link set "${sw}h$n$S" netns "$ns" &&
		ip -n "$ns" addr add "10.99.0.$n/24" dev "${sw}h$n$S" &&
		ip -n "$ns" link set "${sw}h$n$S" up &&
		ip -n "$ns" link set lo up &&
		if [ -n "${3:-}" ]; then ip link set "${sw}p$n$S" netns "$3"; else :; fi &&
		if [ -n "${3:-}" ]; then
			ip -n "$3" link set "${sw}p$n$S" up
		else
			ip link set "${sw}p$n$S" up
		fi
}

ovs_start || die "the isolated Open vSwitch did not start"
ovs_vsctl add-br obr -- set bridge obr datapath_type=netdev protocols=OpenFlow13 \
	fail_mode=secure || die "Open vSwitch bridge"
for n in 1 2 3; do
	wire o $n "$OVS_NS" || die "veth for Open vSwitch"
	ovs_vsctl add-port obr "op$n$S" -- set interface "op$n$S" ofport_request=$n ||
		die "Open vSwitch port"
done
OVS_OF="unix:$OVS_DIR/obr.mgmt"

"$BIN/vswitchd" --db "$W/conf.json" --ctl "$W/ctl.sock" --run-dir "$W/run" \
	--pidfile "$W/vswitchd.pid" --log-file "$W/vswitchd.log" --detach \
	--eal "--no-huge -m 512 --no-pci --file-prefix bu$S" || die "vswitchd did not start"
ctl add-br ubr$S -- set-fail-mode ubr$S secure -- set-controller ubr$S "punix:$W/ubr.mgmt" ||
	die "vswitch bridge"
for n in 1 2 3; do
	wire v $n || die "veth for vswitch"
	ctl add-port ubr$S "vp$n$S" type=system ofport_request=$n || die "vswitch port"
done
VS_OF="unix:$W/ubr.mgmt"

mac_of() { ip -n "h$1$2$S" link show "$1h$2$S" | awk '/link\/ether/ {print $2}'; }

clear_stats() {
	if [ "$1" = v ]; then
		ctl pmd-stats-clear >/dev/null
	else
		ovs_appctl dpif-netdev/pmd-stats-clear >/dev/null
	fi
}

# stats SW: "upcalls cycles-per-upcall" since clear_stats (Open vSwitch:
# its main thread counts no cycles, "-").
stats() {
	if [ "$1" = v ]; then
		ctl --json pmd-stats-show | "$PY" -c '
import json, sys
p = json.load(sys.stdin)["pmds"]
up = sum(x["upcalls"] for x in p)
uc = sum(x["upcall_cycles"] for x in p)
print(up, uc // up if up else 0)'
	else
		ovs_appctl dpif-netdev/pmd-stats-show |
			awk '/miss with success upcall:/ { up += $NF } END { print up + 0, "-" }'
	fi
}

# megaflows SW: those the flood made (IPv4 from namespace 3's port; not
# the pings', nor the ARP and IPv6 neighbour traffic that comes and goes).
megaflows() {
	local no flows
	if [ "$1" = v ]; then
		no=$(ctl dump-ports | sed -n "s/.*: vp3$S (system), datapath port \([0-9]*\).*/\1/p")
		flows=$(ctl dump-dp-flows)
	else
		no=$(ovs_appctl dpctl/show | sed -n "s/.*port \([0-9]*\): op3$S.*/\1/p")
		flows=$(ovs_appctl dpctl/dump-flows netdev@ovs-netdev)
	fi
	grep "in_port(${no:-x})," <<<"$flows" | grep -vc "eth_type(0x86dd)\|eth_type(0x0806)"
}

# flood SW [RULES]: RATE new flows a second for SECS seconds from
# namespace 3 (of random addresses, or of the first RULES rules).
flood() {
	"${PIN[@]}" ip netns exec "h${1}3$S" "$PY" "$ROOT/scripts/flowgen.py" "${1}h3$S" \
		"$(mac_of "$1" 2)" "$RATE" "$SECS" ${2:+"$2"} | sed -n 's/.*sent=\([0-9]*\).*/\1/p'
}

# run_miss SW: the established ping during a flood of flows no rule
# matches; prints "sent upcalls megaflows loss% max-rtt-ms".
run_miss() {
	local sw=$1 sent up cyc loss rtt
	clear_stats "$sw"
	"${PIN[@]}" ip netns exec "h${sw}1$S" ping -q -i 0.002 -w $((SECS + 2)) 10.99.0.2 \
		>"$W/ping" 2>&1 &
	local ping_pid=$!
	sleep 1
	sent=$(flood "$sw")
	wait "$ping_pid"
	read -r up cyc <<<"$(stats "$sw")"
	loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$W/ping")
	rtt=$(sed -n 's|.*= [0-9.]*/[0-9.]*/\([0-9.]*\)/.*|\1|p' "$W/ping")
	echo "${sent:-0} ${up:-0} $(megaflows "$sw") ${loss:-100} ${rtt:--}"
}

# run_hit SW SIZE: a flood of flows that rules match (each needs an
# upcall, until every rule has its megaflow); prints "upcalls cyc/upcall".
run_hit() {
	clear_stats "$1"
	flood "$1" "$2" >/dev/null
	stats "$1"
}

# Megaflows of the last run must not count in this one: Open vSwitch
# purges them (with its records of them: dpctl/del-flows leaves those,
# and the same flows are then not installed again for a while); vswitch
# deletes them on any change of its configuration.
flush_megaflows() {
	if [ "$1" = o ]; then
		ovs_appctl revalidator/purge >/dev/null
	else
		ctl set bridge ubr$S mac_aging_time=299 >/dev/null &&
			ctl clear bridge ubr$S mac_aging_time >/dev/null
	fi
}

load() { # load SW FILE
	if [ "$1" = v ]; then
		ofctl del-flows "$VS_OF" && ctl add-flows ubr$S "$2" >/dev/null
	else
		ofctl del-flows "$OVS_OF" && ofctl add-flows "$OVS_OF" "$2"
	fi
}

printf '%-8s %-13s | %8s %8s %9s %7s %7s | %8s %10s\n' "" "" "miss:" "" "" "ping" "" \
	"hit:" ""
printf '%-8s %-13s | %8s %8s %9s %7s %7s | %8s %10s\n' rules switch "new" upcalls \
	megaflows "loss %" "max ms" upcalls "cyc/upcall"
for n in $SIZES; do
	f=$W/flows.$n
	{
		echo "priority=100,in_port=1,actions=output:2"
		echo "priority=100,in_port=2,actions=output:1"
		echo "priority=100,in_port=3,actions=output:2"
		for ((i = 0; i < n; i++)); do
			echo "priority=200,udp,tp_dst=$((1000 + i % 50000)),nw_dst=172.$((16 + (i >> 16) % 16)).$(((i >> 8) & 255)).$((i & 255)),actions=drop"
		done
	} >"$f"
	for ((r = 0; r < ROUNDS; r++)); do
		# The same flows for both switches in a round, new ones each round.
		export FLOWGEN_SEED=$((r + 1))
		order="v o"
		[ $((r % 2)) = 1 ] && order="o v"
		for sw in $order; do
			load "$sw" "$f" || die "loading $n rules into $sw"
			flush_megaflows "$sw"
			read -r sent up mf loss rtt <<<"$(run_miss "$sw")"
			flush_megaflows "$sw"
			read -r hup hcyc <<<"$(run_hit "$sw" "$n")"
			[ "$sw" = v ] && name="vswitch" || name="Open vSwitch"
			printf '%-8s %-13s | %8s %8s %9s %7s %7s | %8s %10s\n' "$n" "$name" "$sent" \
				"$up" "$mf" "$loss" "$rtt" "$hup" "$hcyc"
		done
	done
done
