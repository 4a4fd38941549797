# SPDX-License-Identifier: Apache-2.0
# Shared helpers for end-to-end tests that run the real vswitchd. Source it
# with the build's bin directory in $BIN. Every test gets its own directory
# ($T) with its database, control socket, run directory, log and pidfile,
# and the EXIT trap stops the daemon and removes everything.
#
#   start_vswitchd [ARGS...]   start it detached (tier-1 EAL: no hugepages),
#                              with --test-dir $T (pcap and mem ports)
#   stop_vswitchd              SIGTERM and wait; fails if it does not exit
#   ctl ARGS...                switch-ctl on this test's daemon
#   expect_fail MSG ARGS...    switch-ctl must fail with MSG on stderr
#   check DESCRIPTION CMD...   counts a failure if CMD fails
#   netns_add NAME             a network namespace, deleted at exit
#   ns_host NS IFACE ADDR/LEN  IFACE into a new namespace NS, addressed, up
#   ns_ping NS ADDR COUNT IVAL ping from NS (true if one reply came back),
#                              its neighbour cache flushed first
#   iperf_mbps FROM TO ADDR    Mbit/s of a 2 s iperf3 TCP transfer between
#                              namespaces (0: it failed)
#   tcp_port N                 a free TCP port for this test (its Nth), below
#                              the kernel's ephemeral range, so that no
#                              client connection can be holding it
#   E2E_EXTRA_PIDS             processes to kill at exit
#   e2e_extra_cleanup          a function, if the test defines one, run at exit
#   E2E_TIME_SCALE             1, or 3 in a sanitizer build: a check that
#                              bounds wall-clock time multiplies its bound
#                              by it (the daemon runs 2-3 times slower)
#   E2E_KEEP=1                 (environment) keep $T, the daemon's log and
#                              database, for a look after a failure
# A test ends with "finish", which prints the tally and sets the status.

T=$(mktemp -d /tmp/vs-e2e.XXXXXX)
E2E_FAILS=0
E2E_CHECKS=0
VSWITCHD_EAL=${VSWITCHD_EAL:---no-huge -m 256}
E2E_TIME_SCALE=1
grep -qs '^SANITIZE:[A-Z]*=..*' "$BIN/../CMakeCache.txt" && E2E_TIME_SCALE=3

# True while process $1 runs. A detached daemon's parent is PID 1, which
# may reap it late: a zombie counts as gone.
alive() {
	local state
	case $1 in '' | *[!0-9]*) return 1 ;; esac # no PID: /proc//stat is /proc/stat
	state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ]
}

# TAP and internal ports outlive the daemon (a restart finds them): a test
# removes its bridges, so that their kernel devices go too, and deletes
# what a dead daemon left behind (its database names them).
e2e_remove_devices() {
	local pid=$1 br dev
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		for br in $(ctl list-br 2>/dev/null); do ctl del-br "$br" >/dev/null 2>&1; done
	fi
	# Every database the test wrote (some rewrite theirs) names them.
	for dev in $(/usr/bin/python3 -c 'import json, sys
for path in sys.argv[1:]:
    try:
        doc = json.load(open(path))
        for b, br in doc.get("bridges", {}).items():
            print(b)
            for p in br.get("ports", {}):
                print(p)
    except Exception:
        pass' "$T"/*.json "$T"/*/*.json 2>/dev/null | sort -u); do
		[ -e "/sys/class/net/$dev/tun_flags" ] && ip link del "$dev" 2>/dev/null
	done
}

e2e_cleanup() {
	local pid
	pid=$(cat "$T/vswitchd.pid" 2>/dev/null || true)
	e2e_remove_devices "$pid"
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	for p in ${E2E_EXTRA_PIDS:-}; do kill -KILL "$p" 2>/dev/null || true; done
	if declare -F e2e_extra_cleanup >/dev/null; then e2e_extra_cleanup; fi
	for ns in ${E2E_NETNS:-}; do ip netns del "$ns" 2>/dev/null || true; done
	[ -n "${E2E_KEEP:-}" ] || rm -rf "$T"
}
trap e2e_cleanup EXIT

vswitchd_args() {
	echo --db "$T/conf.json" --ctl "$T/ctl.sock" --run-dir "$T/run" \
		--pidfile "$T/vswitchd.pid" --log-file "$T/vswitchd.log" --test-dir "$T"
}

start_vswitchd() {
	# shellcheck disable=SC2046
	"$BIN/vswitchd" $(vswitchd_args) --detach --eal "$VSWITCHD_EAL" "$@"
}

vswitchd_pid() {
	cat "$T/vswitchd.pid"
}

stop_vswitchd() {
	local pid
	pid=$(vswitchd_pid)
	kill -TERM "$pid"
	for _ in $(seq 200); do
		alive "$pid" || return 0
		sleep 0.05
	done
	echo "vswitchd $pid did not stop on SIGTERM"
	return 1
}

netns_add() {
	ip netns add "$1" && E2E_NETNS="${E2E_NETNS:-} $1"
}

ns_host() {
	netns_add "$1" && ip link set "$2" netns "$1" &&
		ip -n "$1" addr add "$3" dev "$2" && ip -n "$1" link set "$2" up &&
		ip -n "$1" link set lo up
}

# A "no ping" check leaves the namespace's kernel a failed ARP entry for a
# few seconds, during which a ping fails at once with no packet sent: a
# ping that must pass starts with ARP afresh.
ns_ping() {
	ip -n "$1" neigh flush all 2>/dev/null
	ip netns exec "$1" ping -c "$3" -i "$4" -W 1 "$2" >/dev/null 2>&1
}

tcp_port() {
	local p=$((10000 + ($$ * 7 + ${1:-0} * 131) % 22000)) tries
	for tries in $(seq 50); do
		/usr/bin/python3 -c 'import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))' "$p" 2>/dev/null && break
		p=$((10000 + (p - 10000 + 1009) % 22000))
	done
	echo "$p"
}

iperf_mbps() {
	ip netns exec "$2" iperf3 -s -1 -B "$3" -p 5201 >/dev/null 2>&1 &
	local srv=$! out
	E2E_EXTRA_PIDS="${E2E_EXTRA_PIDS:-} $srv"
	sleep 0.5
	out=$(ip netns exec "$1" timeout 20 iperf3 -c "$3" -p 5201 -t 2 -J 2>/dev/null)
	kill "$srv" 2>/dev/null
	wait "$srv" 2>/dev/null
	/usr/bin/python3 -c 'import json,sys
try: print(int(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6))
except Exception: print(0)' <<<"$out"
}

ctl() {
	"$BIN/switch-ctl" --ctl "$T/ctl.sock" --timeout 20 "$@"
}

check() {
	local what=$1
	shift
	E2E_CHECKS=$((E2E_CHECKS + 1))
	if "$@"; then
		return 0
	fi
	echo "FAIL: $what"
	E2E_FAILS=$((E2E_FAILS + 1))
	return 0
}

# expect_fail MESSAGE switch-ctl-args...: the command must exit non-zero and
# say MESSAGE on stderr.
expect_fail() {
	local want=$1 out
	shift
	E2E_CHECKS=$((E2E_CHECKS + 1))
	if out=$(ctl "$@" 2>&1); then
		echo "FAIL: switch-ctl $* succeeded, expected an error with '$want'"
		E2E_FAILS=$((E2E_FAILS + 1))
	elif ! grep -qF -- "$want" <<<"$out" || grep -qE 'Sanitizer|runtime error' <<<"$out"; then
		echo "FAIL: switch-ctl $*: got '$out', expected '$want'"
		E2E_FAILS=$((E2E_FAILS + 1))
	fi
}

finish() {
	# The sanitizer build reports into the daemon's log (stderr when
	# detached); a test that started no daemon of its own has none.
	if [ -f "$T/vswitchd.log" ]; then
		check "no sanitizer report in the daemon's log" \
			sh -c "! grep -qE 'Sanitizer|runtime error' '$T/vswitchd.log'"
		grep -E -A30 'Sanitizer|runtime error' "$T/vswitchd.log" | head -60
	fi
	echo "$(basename "$0"): $((E2E_CHECKS - E2E_FAILS))/$E2E_CHECKS checks passed"
	[ "$E2E_FAILS" -eq 0 ]
}
