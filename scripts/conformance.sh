#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# OpenFlow 1.3 conformance: runs os-ken's switch test tool
# (os_ken/tests/switch/tester.py, Debian's python3-os-ken) with the test
# patterns of ../shared/conformance/of13 against vswitchd, and reports the
# pass count per directory and the reason of each failure.
#
#   scripts/conformance.sh [--bin DIR] [--out DIR] [--min N] [PATTERN_DIR...]
#
# PATTERN_DIR is relative to the patterns (default: action match). The
# wiring is the one the tool expects: the switch under test ("target",
# datapath id 1) and a tester switch (Open vSwitch, userspace datapath,
# datapath id 2, flow-limit=0 so that it caches no flows) joined by three
# veth pairs, target port N <-> tester port N. Both connect to the tool's
# listener. IPv6 is off on the veths so that no stray packet reaches the
# tool. Results go to OUT (default: a temporary directory, removed at the end):
# results.tsv (directory, file, test, OK/ERROR, reason) and summary.txt.
# With --min N, exits non-zero when fewer than N tests pass in total.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/build/bin
OUT=""
MIN=""
DIRS=()
while [ $# -gt 0 ]; do
	case $1 in
	--bin) BIN=$(readlink -f "$2"); shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--min) MIN=$2; shift 2 ;;
	-h | --help) sed -n '3,19p' "$0"; exit 0 ;;
	*) DIRS+=("$1"); shift ;;
	esac
done
[ ${#DIRS[@]} -gt 0 ] || DIRS=(action match)

PATTERNS=${VSWITCH_CONFORMANCE:-}
for d in "$ROOT/../shared/conformance/of13" /work/shared/conformance/of13; do
	[ -z "$PATTERNS" ] && [ -d "$d" ] && PATTERNS=$(readlink -f "$d")
done
if [ -z "$PATTERNS" ] || [ ! -d "$PATTERNS" ]; then
	echo "conformance: no test patterns (set VSWITCH_CONFORMANCE to the of13 directory)" >&2
	exit 1
fi
for tool in /usr/bin/osken-manager ovs-vswitchd ovsdb-server ovs-vsctl; do
	command -v "$tool" >/dev/null || {
		echo "conformance: $tool is missing (scripts/setup.sh installs it)" >&2
		exit 1
	}
done

W=$(mktemp -d /tmp/vs-conf.XXXXXX)
[ -n "$OUT" ] || OUT=$W/out
mkdir -p "$OUT" "$W/ovs"
OUT=$(readlink -f "$OUT")
S=$$
PORT=$((10000 + S % 20000)) # below the ephemeral ports: no client holds it
# Bridges are kernel interfaces too: names of this run's own. Open vSwitch's
# userspace datapath adds a persistent TAP named ovs-netdev; it is removed
# at the end unless it was there before.
TB=cfo$S # the tester (Open vSwitch)
VB=cfv$S # the target (vswitch)
NETDEV_BEFORE=0
[ -e /sys/class/net/ovs-netdev ] && NETDEV_BEFORE=1
OSKEN_PID=""

export OVS_RUNDIR=$W/ovs OVS_LOGDIR=$W/ovs OVS_DBDIR=$W/ovs OVS_SYSCONFDIR=$W/ovs
vsctl() { ovs-vsctl --db="unix:$W/ovs/db.sock" --timeout=20 "$@"; }
ctl() { "$BIN/switch-ctl" --ctl "$W/ctl.sock" --timeout 20 "$@"; }

cleanup() {
	trap "" INT TERM
	[ -n "$OSKEN_PID" ] && kill -KILL "$OSKEN_PID" 2>/dev/null
	ctl del-br "$VB" >/dev/null 2>&1 # its internal port outlives the daemon
	vsctl --if-exists del-br "$TB" >/dev/null 2>&1
	for pidfile in "$W/vswitchd.pid" "$W/ovs/ovs-vswitchd.pid" "$W/ovs/ovsdb-server.pid"; do
		local pid
		pid=$(cat "$pidfile" 2>/dev/null) || continue
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	done
	for n in 1 2 3; do ip link del "cft$n$S" 2>/dev/null; done
	for dev in "$TB" "$VB"; do ip link del "$dev" 2>/dev/null; done
	[ "$NETDEV_BEFORE" = 1 ] || ip link del ovs-netdev 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
	echo "conformance: $*" >&2
	exit 1
}

# The links: target cftN <-> tester cfsN.
for n in 1 2 3; do
	ip link add "cft$n$S" type veth peer name "cfs$n$S" || die "cannot create veth pairs"
	for dev in "cft$n$S" "cfs$n$S"; do
		sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1"
		ip link set "$dev" up
	done
done

# The tester: Open vSwitch on its userspace datapath, in a private directory.
ovsdb-tool create "$W/ovs/conf.db" /usr/share/openvswitch/vswitch.ovsschema || die "ovsdb-tool"
ovsdb-server "$W/ovs/conf.db" --remote="punix:$W/ovs/db.sock" --pidfile="$W/ovs/ovsdb-server.pid" \
	--unixctl="$W/ovs/ovsdb-server.ctl" --log-file="$W/ovs/ovsdb-server.log" --detach ||
	die "ovsdb-server did not start"
vsctl --no-wait init
vsctl --no-wait set Open_vSwitch . other_config:flow-limit=0
ovs-vswitchd "unix:$W/ovs/db.sock" --pidfile="$W/ovs/ovs-vswitchd.pid" \
	--unixctl="$W/ovs/ovs-vswitchd.ctl" --log-file="$W/ovs/ovs-vswitchd.log" --detach ||
	die "ovs-vswitchd did not start"
vsctl add-br "$TB" -- set bridge "$TB" datapath_type=netdev protocols=OpenFlow13 \
	fail_mode=secure other_config:datapath-id=0000000000000002 \
	other_config:disable-in-band=true || die "tester bridge"
for n in 1 2 3; do
	vsctl add-port "$TB" "cfs$n$S" -- set interface "cfs$n$S" "ofport_request=$n" ||
		die "tester port $n"
done

# The target: vswitchd.
"$BIN/vswitchd" --db "$W/conf.json" --ctl "$W/ctl.sock" --run-dir "$W/run" \
	--pidfile "$W/vswitchd.pid" --log-file "$W/vswitchd.log" --detach \
	--eal "${VSWITCHD_EAL:---no-huge -m 512}" || die "vswitchd did not start"
ctl add-br "$VB" -- set bridge "$VB" datapath_id=0000000000000001 \
	-- set-fail-mode "$VB" secure \
	-- add-port "$VB" "cft1$S" type=system ofport_request=1 \
	-- add-port "$VB" "cft2$S" type=system ofport_request=2 \
	-- add-port "$VB" "cft3$S" type=system ofport_request=3 >/dev/null || die "target bridge"

run_dir() {
	local dir=$1 log=$OUT/$(echo "$1" | tr / _).log
	echo "=== $dir ($(find "$PATTERNS/$dir" -name '*.json' | wc -l) pattern files)"
	/usr/bin/osken-manager --ofp-listen-host 127.0.0.1 --ofp-tcp-listen-port "$PORT" \
		--test-switch-dir "$PATTERNS/$dir" \
		--test-switch-target 0000000000000001 --test-switch-tester 0000000000000002 \
		--test-switch-target-version openflow13 --test-switch-tester-version openflow13 \
		--log-file "$log" os_ken.tests.switch.tester >/dev/null 2>&1 &
	OSKEN_PID=$!
	for _ in $(seq 100); do
		ss -ltn | grep -q "127.0.0.1:$PORT " && break
		sleep 0.1
	done
	vsctl set-controller "$TB" "tcp:127.0.0.1:$PORT" >/dev/null
	ctl set-controller "$VB" "tcp:127.0.0.1:$PORT" >/dev/null
	wait "$OSKEN_PID"
	OSKEN_PID=""
	vsctl del-controller "$TB" >/dev/null
	ctl del-controller "$VB" >/dev/null
	/usr/bin/python3 "$ROOT/scripts/conformance_report.py" "$dir" "$log" >>"$OUT/results.tsv"
	# A test the tester never reached counts, as a failure.
	/usr/bin/python3 "$ROOT/scripts/conformance_report.py" --missing "$PATTERNS" "$dir" \
		"$OUT/results.tsv" >"$W/missing.tsv"
	cat "$W/missing.tsv" >>"$OUT/results.tsv"
}

: >"$OUT/results.tsv"
for d in "${DIRS[@]}"; do
	run_dir "$d"
done
/usr/bin/python3 "$ROOT/scripts/conformance_report.py" --summary "$OUT/results.tsv" |
	tee "$OUT/summary.txt"
total=$(awk -F'\t' '$4 == "OK"' "$OUT/results.tsv" | wc -l)
if [ -n "$MIN" ] && [ "$total" -lt "$MIN" ]; then
	echo "conformance: $total tests passed, fewer than $MIN"
	exit 1
fi
exit 0
