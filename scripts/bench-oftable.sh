#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# OpenFlow tables at scale, vswitch and Open vSwitch side by side (issue 16):
# for each table size, the same ovs-ofctl add-flows file goes into vswitchd
# and into an isolated Open vSwitch (its own database, run directory and
# network namespace, netdev datapath, fail-mode secure), the two switches
# taking turns round by round. Prints add-flows time (ovs-ofctl, and
# switch-ctl for vswitch), dump-flows time and the daemon's RSS, with the
# median of the rounds. Figures only, no assertion; by hand (docs/performance.md).
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
PORT=$((30000 + S % 20000))
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
ctl add-br vbr$S -- set-fail-mode vbr$S secure -- set-controller vbr$S "ptcp:$PORT:127.0.0.1" ||
	die "vswitch bridge"
VS_OF="tcp:127.0.0.1:$PORT"

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

printf '%-9s %-32s %10s %10s %8s\n' flows what "add (s)" "dump (s)" "RSS MB"
for n in $SIZES; do
	f=$W/flows.$n
	for ((i = 0; i < n; i++)); do
		echo "priority=200,udp,tp_dst=$((1000 + i % 5000)),nw_dst=172.$((16 + (i >> 16) % 16)).$(((i >> 8) & 255)).$((i & 255)),actions=drop"
	done >"$f"
	declare -A add dump rss
	for key in ovs vs vsctl; do add[$key]=""; dump[$key]=""; rss[$key]=""; done
	for ((r = 0; r < ROUNDS; r++)); do
		# Alternate which switch goes first: only same-run ratios count.
		order="ovs vs vsctl"
		[ $((r % 2)) = 1 ] && order="vsctl vs ovs"
		for key in $order; do
			case $key in
			ovs) of=$OVS_OF pid=$W/ovs/ovs-vswitchd.pid ;;
			*) of=$VS_OF pid=$W/vswitchd.pid ;;
			esac
			ofctl del-flows "$of"
			if [ "$key" = vsctl ]; then
				t=$(secs ctl add-flows vbr$S "$f")
			else
				t=$(secs ofctl add-flows "$of" "$f")
			fi
			got=$(dump_count "$of")
			[ "$got" = "$n" ] || echo "bench-oftable: $key holds $got flows, not $n" >&2
			add[$key]+=" $t"
			dump[$key]+=" $(secs dump_count "$of")"
			rss[$key]+=" $(rss_mb "$pid")"
		done
	done
	for key in ovs vs vsctl; do
		case $key in
		ovs) what="Open vSwitch, ovs-ofctl" ;;
		vs) what="vswitch, ovs-ofctl" ;;
		vsctl) what="vswitch, switch-ctl add-flows" ;;
		esac
		printf '%-9s %-32s %10s %10s %8s   (rounds:%s)\n' "$n" "$what" \
			"$(median <<<"${add[$key]}")" "$(median <<<"${dump[$key]}")" \
			"$(median <<<"${rss[$key]}")" "${add[$key]}"
	done
	ofctl del-flows "$OVS_OF"
	ofctl del-flows "$VS_OF"
done
