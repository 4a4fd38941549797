#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Who can crowd out whom on an OpenFlow listener (docs/openflow.md,
# "Security"): ptcp:PORT without an address listens on loopback only; with
# 1,000 connections held on a listener (half idle, half sending a hello a
# byte at a time, each reopened when the switch closes it), ovs-ofctl on
# the same listener still answers within 2 s, the listener holds no more
# than its limit, and the controller the switch connects to is reconnected
# when it drops the connection; the log sums up what was closed. Then the
# timers: a connection that says nothing is closed after the 5 s hello
# timeout, one that says hello and then ignores the echo request after
# about 10 s. The daemon keeps serving throughout.
set -uo pipefail
BIN=${1:?usage: test_ofconn_limits.sh BINDIR}
. "$(dirname "$0")/../lib/e2e.sh"

S=$$
PORT=$(tcp_port 1)
CPORT=$(tcp_port 2)
BR=olb$S
OF="tcp:127.0.0.1:$PORT"
HERE=$(dirname "$0")
LIMIT=100

ofctl() { timeout 10 ovs-ofctl -O OpenFlow13 "$@"; }
n_connected() { grep -c connected "$T/ctrl.state" 2>/dev/null || echo 0; }
# The most connections the listener held, by the daemon's own count in
# its summaries (they churn too fast for ss to see them).
most_held() { grep -oE "$BR: ptcp:$PORT: closed .*; [0-9]+ open" "$T/vswitchd.log" |
	grep -oE "[0-9]+ open$" | sort -n | tail -1 | cut -d' ' -f1; }
connected_more_than() { [ "$(n_connected)" -gt "$1" ]; }
wait_for() { # wait_for SECONDS CMD...: true once CMD is
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}

/usr/bin/python3 "$HERE/of_flood.py" controller "$CPORT" "$T/ctrl.state" &
CTRL=$!
E2E_EXTRA_PIDS=$CTRL
start_vswitchd || { echo "vswitchd did not start"; cat "$T/vswitchd.log"; exit 1; }
check "bridge with a listener and a controller" ctl add-br "$BR" \
	-- set-controller "$BR" "ptcp:$PORT" "tcp:127.0.0.1:$CPORT"
check "ptcp:PORT without an address listens on 127.0.0.1 only" \
	[ "$(ss -Hltn "sport = :$PORT" | awk '{print $4}')" = "127.0.0.1:$PORT" ]
check "the controller connects" wait_for 10 connected_more_than 0
check "listener limit set" ctl set global . listener_max_conns=$LIMIT

# SYNs the kernel dropped on a full accept queue (in this network
# namespace): each costs its client a second.
listen_overflows() {
	awk '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) n[$i] = i; h = 1 }
		else print $n["ListenOverflows"] }' /proc/net/netstat
}
overflows0=$(listen_overflows)
/usr/bin/python3 "$HERE/of_flood.py" flood 127.0.0.1 "$PORT" 500 500 14 "$T/flood.json" &
FLOOD=$!
E2E_EXTRA_PIDS="$E2E_EXTRA_PIDS $FLOOD"
sleep 3
# The flood reconnects as fast as the switch closes (about 25,000 a second
# here) against a limit of 100: a new connection has a few milliseconds to
# say hello before it is the oldest without one. ovs-ofctl, descheduled on
# this 2-core machine by the flood itself, misses that now and then (1 in
# about 15): like a user, it may try again, three times within the 2 s.
for i in 1 2 3; do
	t0=$(date +%s%N)
	for try in 1 2 3; do
		out=$(ofctl show "$OF" 2>&1)
		grep -q "n_tables:254" <<<"$out" && break
		echo "try $try: $out" | head -3 # why it failed, for the log
	done
	ms=$((($(date +%s%N) - t0) / 1000000))
	echo "ovs-ofctl show during the flood ($i): $ms ms, try $try"
	check "ovs-ofctl show during the flood ($i): answered (try $try)" grep -q "n_tables:254" <<<"$out"
	check "ovs-ofctl show during the flood ($i): within 2 s (took $ms ms)" [ "$ms" -lt 2000 ]
done
echo "SYNs dropped on a full accept queue during the flood: $(($(listen_overflows) - overflows0))"
before=$(n_connected)
kill -USR1 "$CTRL" 2>/dev/null
check "the controller dropped during the flood is reconnected" \
	wait_for 8 connected_more_than "$before"
wait "$FLOOD"
check "the flood ran" [ -s "$T/flood.json" ]
stats=$(cat "$T/flood.json" 2>/dev/null)
echo "flood: $stats"
opened=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["opened"])' "$T/flood.json" 2>/dev/null || echo 0)
closed=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["closed_by_switch"])' "$T/flood.json" 2>/dev/null || echo 0)
check "1,000 connections and more were opened ($opened)" [ "$opened" -ge 1000 ]
check "the switch closed what was over the limit ($closed)" [ "$closed" -ge 900 ]
check "the log sums up evictions at the limit" \
	grep -qE "$BR: ptcp:$PORT: closed [0-9]+ connection\(s\): [1-9][0-9]* at the limit of $LIMIT" \
	"$T/vswitchd.log"
held=$(most_held)
check "the flood filled the listener to its limit, no more (${held:-no} summary)" \
	[ "${held:-0}" -eq $LIMIT ]
check "no line per closed connection" [ "$(grep -c "$BR: ptcp:$PORT:" "$T/vswitchd.log")" -lt 20 ]

# The timers, one connection each: silent (closed at the hello timeout),
# and one that says hello but ignores echo requests.
timers=$(/usr/bin/python3 - "$PORT" <<'PY'
import socket, struct, sys, threading, time
port = int(sys.argv[1])
out = {}
def peer(name, hello):
    s = socket.create_connection(("127.0.0.1", port))
    t0 = time.monotonic()
    if hello:
        s.sendall(struct.pack("!BBHI", 4, 0, 8, 7))
    echo = False
    s.settimeout(20)
    try:
        while True:
            d = s.recv(4096)
            if not d:
                break
            echo = echo or (len(d) >= 2 and b"\x04\x02" in d)
    except OSError:
        pass
    out[name] = (time.monotonic() - t0, echo)
ts = [threading.Thread(target=peer, args=a) for a in (("silent", False), ("deaf", True))]
for t in ts: t.start()
for t in ts: t.join()
print("%.1f %.1f %d" % (out["silent"][0], out["deaf"][0], out["deaf"][1]))
PY
)
read -r silent deaf echoed <<<"$timers"
echo "closed after: silent ${silent}s, deaf ${deaf}s (echo request seen: $echoed)"
check "a silent connection is closed at the hello timeout (${silent}s)" \
	awk -v t="$silent" 'BEGIN { exit !(t >= 4.5 && t < 7.5) }'
check "a connection that ignores echo is probed, then closed (${deaf}s)" \
	awk -v t="$deaf" -v e="$echoed" 'BEGIN { exit !(e == 1 && t >= 9 && t < 13) }'
summed() { grep -qE "$BR: ptcp:$PORT: closed [0-9]+ connection\(s\): [0-9]+ at the limit of $LIMIT, $1" "$T/vswitchd.log"; }
check "the log sums up the hello timeout" wait_for 12 summed "[1-9][0-9]* without a hello in 5000 ms"
check "the log sums up the echo timeout" wait_for 12 summed "[0-9]+ without a hello in 5000 ms, [1-9][0-9]* idle"
check "ovs-ofctl after it all" grep -q "n_tables:254" <<<"$(ofctl show "$OF")"
check "the daemon is alive" alive "$(vswitchd_pid)"
finish
