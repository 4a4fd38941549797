#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# OpenFlow tables at scale, vswitch and Open vSwitch side by side (issue 16):
# for each table size, the same ovs-ofctl add-flows file goes into vswitchd
# and into an isolated Open vSwitch (its own database, run directory and
# network namespace, netdev datapath, fail-mode secure), the two switches
# taking turns round by round. Prints add-flows time (ovs-ofctl, and
# switch-ctl for vswitch), dump-flows time and the daemon's RSS, with the
# median of the rounds. ovs-ofctl add-flows waits for a barrier reply after
# every flow mod, so it measures round trips, and a round trip between two
# CPUs costs two cross-CPU wake-ups (tens of microseconds in a VM): it runs
# twice, once where the scheduler puts it and once pinned (taskset) to the
# CPU of vswitchd's main thread, for both switches.
# Figures only, no assertion; by hand (docs/performance.md).
#   scripts/bench-oftable.sh [--bin DIR] [--rounds N] [SIZE...]   (default 10000 100000)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/build/bin
ROUNDS=3
while [ $# -gt 0 ]; do
	case $1 in
	--bin) BIN=$2; shift 2 ;;
	--rounds) ROUNDS=$2; shift 2 ;;
	*) break ;;
	esac
done
SIZES=${*:-10000 100000}

W=$(mktemp -d /tmp/vs-bench-oftable.XXXXXX)
S=$$
OVS_NS=bot$S
OVS_DIR=$W/ovs
. "$ROOT/scripts/lib/ovs_isolated.sh"
ofctl() { ovs-ofctl -O OpenFlow13 "$@"; }
ctl() { "$BIN/switch-ctl" --ctl "$W/ctl.sock" --timeout 600 "$@"; }

cleanup() {
	trap "" INT TERM
	ctl del-br vbr$S >/dev/null 2>&1 # its internal port outlives the daemon
	stop_pidfile "$W/vswitchd.pid"
	ovs_stop
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
die() {
	echo "bench-oftable: $*" >&2
	exit 1
}

# Open vSwitch, isolated in its own namespace.
ovs_start || die "the isolated Open vSwitch did not start"
ovs_vsctl add-br obr -- set bridge obr datapath_type=netdev protocols=OpenFlow13 \
	fail_mode=secure || die "Open vSwitch bridge"
OVS_OF="unix:$W/ovs/obr.mgmt"

# vswitch, with its state kept (as a user runs it).
"$BIN/vswitchd" --db "$W/conf.json" --ctl "$W/ctl.sock" --run-dir "$W/run" \
	--pidfile "$W/vswitchd.pid" --log-file "$W/vswitchd.log" --detach \
	--eal "--no-huge -m 256 --no-pci" || die "vswitchd did not start"
# A Unix socket, as Open vSwitch's bridge.mgmt: over TCP loopback every
# round trip costs more (100,000 flows: 7.1 s against 4.1-5.4 s).
ctl add-br vbr$S -- set-fail-mode vbr$S secure -- set-controller vbr$S "punix:$W/vbr.mgmt" ||
	die "vswitch bridge"
VS_OF="unix:$W/vbr.mgmt"
# The first CPU vswitchd's main thread may run on.
MAIN_CPU=$(taskset -pc "$(cat "$W/vswitchd.pid")" | sed 's/.*: //; s/[-,].*//')
[ -n "$MAIN_CPU" ] || die "cannot read vswitchd's CPU affinity"
KEYS="ovs vs ovspin vspin vsctl"

rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$(cat "$1")/status"; }
secs() { # secs CMD...: wall time in seconds
	local s e
	s=$(date +%s.%N)
	"$@" >/dev/null 2>&1 || echo "bench-oftable: failed: $*" >&2
	e=$(date +%s.%N)
	echo "$s $e" | awk '{printf "%.2f", $2 - $1}'
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
dump_count() { ofctl dump-flows "$1" | grep -c priority=; }

printf '%-9s %-34s %10s %10s %8s\n' flows what "add (s)" "dump (s)" "RSS MB"
for n in $SIZES; do
	f=$W/flows.$n
	for ((i = 0; i < n; i++)); do
		echo "priority=200,udp,tp_dst=$((1000 + i % 5000)),nw_dst=172.$((16 + (i >> 16) % 16)).$(((i >> 8) & 255)).$((i & 255)),actions=drop"
	done >"$f"
	declare -A add dump rss
	for key in $KEYS; do add[$key]=""; dump[$key]=""; rss[$key]=""; done
	for ((r = 0; r < ROUNDS; r++)); do
		# Alternate which switch goes first: only same-run ratios count.
		order=$KEYS
		[ $((r % 2)) = 1 ] && order=$(tr ' ' '\n' <<<"$KEYS" | tac | tr '\n' ' ')
		for key in $order; do
			case $key in
			ovs*) of=$OVS_OF pid=$W/ovs/ovs-vswitchd.pid ;;
			*) of=$VS_OF pid=$W/vswitchd.pid ;;
			esac
			ofctl del-flows "$of"
			case $key in
			vsctl) t=$(secs ctl add-flows vbr$S "$f") ;;
			*pin) t=$(secs taskset -c "$MAIN_CPU" ovs-ofctl -O OpenFlow13 add-flows "$of" "$f") ;;
			*) t=$(secs ofctl add-flows "$of" "$f") ;;
			esac
			got=$(dump_count "$of")
			[ "$got" = "$n" ] || echo "bench-oftable: $key holds $got flows, not $n" >&2
			add[$key]+=" $t"
			dump[$key]+=" $(secs dump_count "$of")"
			rss[$key]+=" $(rss_mb "$pid")"
		done
	done
	for key in $KEYS; do
		case $key in
		ovs) what="Open vSwitch, ovs-ofctl" ;;
		vs) what="vswitch, ovs-ofctl" ;;
		ovspin) what="Open vSwitch, ovs-ofctl on CPU $MAIN_CPU" ;;
		vspin) what="vswitch, ovs-ofctl on CPU $MAIN_CPU" ;;
		vsctl) what="vswitch, switch-ctl add-flows" ;;
		esac
		printf '%-9s %-34s %10s %10s %8s   (rounds:%s)\n' "$n" "$what" \
			"$(median <<<"${add[$key]}")" "$(median <<<"${dump[$key]}")" \
			"$(median <<<"${rss[$key]}")" "${add[$key]}"
	done
	ofctl del-flows "$OVS_OF"
	ofctl del-flows "$VS_OF"
done
