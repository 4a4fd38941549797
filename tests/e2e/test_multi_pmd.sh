#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Two PMD threads and multi-queue ports through the real daemon: TAP ports
# with two receive queues between two namespaces, one port's queues pinned
# one per thread (options:pmd-rxq-affinity), numbered UDP flows both ways
# with nothing lost or reordered within a flow, both queues and both threads
# carrying traffic, a rebalance by measured load under the same checks,
# stand-in VMs with two vhost-user queue pairs (8 numbered flows spread over
# both queues and both threads, every frame delivered in order), and bad
# affinities refused without disturbing anything. The machine may have
# two cores only: the threads sleep when idle, and the test is short.
set -uo pipefail
BIN=${1:?usage: test_multi_pmd.sh BINDIR}
. "$(dirname "$0")/../lib/e2e.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

S=$$
NET=10.219.$((S % 200))
BR=vmq$S
# The kernel spreads a TAP's flows over its queues by hash: with 8 flows,
# all of them land in one queue in 1 run of 128 (seen in CI); with 16, in
# 1 of 32768.
FLOWS=16
COUNT=750

if [ "$(nproc)" -lt 2 ]; then
	echo "FAIL: two PMD threads need two CPUs; this machine has $(nproc)"
	exit 1
fi

start_vswitchd || { echo "vswitchd did not start"; cat "$T/vswitchd.log"; exit 1; }
check "two PMD threads" ctl set global . pmd_cpu_mask=0x3
check "two PMD threads running" [ "$(ctl pmd-rxq-show | grep -c '^pmd thread')" -eq 2 ]
check "bridge with two 2-queue TAP ports, one pinned" ctl add-br "$BR" \
	-- add-port "$BR" ta$S type=tap options:n_rxq=2 'options:pmd-rxq-affinity=0:0,1:1' \
	-- add-port "$BR" tb$S type=tap options:n_rxq=2
check "namespace 1" ns_host na$S ta$S "$NET.1/24"
check "namespace 2" ns_host nb$S tb$S "$NET.2/24"
check "ping across" ip netns exec na$S ping -c 3 -i 0.2 -W 2 "$NET.2" >/dev/null

rxqs_json() { ctl --json pmd-rxq-show; }
perf_json() { ctl --json pmd-perf-show; }

# The PMD CPU of queue Q of PORT, and whether it is pinned: "CPU pinned".
queue_cpu() {
	rxqs_json | /usr/bin/python3 -c 'import json,sys
for p in json.load(sys.stdin)["pmds"]:
    for q in p["rxqs"]:
        if q["port"] == sys.argv[1] and q["queue"] == int(sys.argv[2]):
            print(p["cpu"], q["pinned"])' "$1" "$2"
}
check "queue 0 of ta pinned to CPU 0" [ "$(queue_cpu ta$S 0)" = "0 True" ]
check "queue 1 of ta pinned to CPU 1" [ "$(queue_cpu ta$S 1)" = "1 True" ]
check "pmd-rxq-show says pinned" grep -q "port: ta$S *queue-id: 0 (pinned)" <<<"$(ctl pmd-rxq-show)"

# flows FROM_NS TO_NS TO_ADDR PORT: numbered flows; prints the receiver's
# JSON line.
flows() {
	local out="$T/recv.$4"
	ip netns exec "$2" /usr/bin/python3 "$HERE/udp_seq.py" recv "$4" $FLOWS $COUNT 3 \
		>"$out" 2>"$out.err" &
	local rcv=$!
	E2E_EXTRA_PIDS="${E2E_EXTRA_PIDS:-} $rcv"
	for _ in $(seq 50); do grep -q ready "$out.err" 2>/dev/null && break; sleep 0.1; done
	ip netns exec "$1" /usr/bin/python3 "$HERE/udp_seq.py" send "$3" "$4" $FLOWS $COUNT 20000
	wait "$rcv"
	cat "$out"
}
field() { /usr/bin/python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

# Packets per queue of PORT since the last pmd-stats-clear: "Q0 Q1".
queue_packets() {
	perf_json | /usr/bin/python3 -c 'import json,sys
n = {}
for p in json.load(sys.stdin)["pmds"]:
    for q in p["rxqs"]:
        if q["port"] == sys.argv[1]:
            n[q["queue"]] = n.get(q["queue"], 0) + q["packets"]
print(n.get(0, 0), n.get(1, 0))' "$1"
}
pmd_packets() {
	perf_json | /usr/bin/python3 -c 'import json,sys
print(" ".join(str(p["rx_packets"]) for p in json.load(sys.stdin)["pmds"]))'
}

# --- One way, through the pinned queues.
ctl pmd-stats-clear >/dev/null
r=$(flows na$S nb$S "$NET.2" 7001)
echo "na -> nb: $r"
check "na -> nb: every datagram arrived" [ "$(field "$r" missing)" = 0 ]
check "na -> nb: nothing reordered within a flow" [ "$(field "$r" reordered)" = 0 ]
read -r q0 q1 <<<"$(queue_packets ta$S)"
echo "ta queues: $q0 and $q1 packets"
check "both receive queues of ta carried flows" [ "$q0" -gt 100 -a "$q1" -gt 100 ]
read -r p0 p1 <<<"$(pmd_packets)"
echo "PMD threads received $p0 and $p1 packets"
check "both PMD threads forwarded" [ "$p0" -gt 100 -a "$p1" -gt 100 ]

# --- The other way, through tb's queues, placed by count.
r=$(flows nb$S na$S "$NET.1" 7002)
echo "nb -> na: $r"
check "nb -> na: every datagram arrived" [ "$(field "$r" missing)" = 0 ]
check "nb -> na: nothing reordered within a flow" [ "$(field "$r" reordered)" = 0 ]

# --- Rebalance by measured load: pinned queues stay, every queue is polled
# by one thread, and traffic still arrives whole and in order.
out=$(ctl pmd-rxq-rebalance)
echo "$out"
check "rebalance reports what moved" grep -q "^moved [0-9]* receive queue" <<<"$out"
check "pinned queue 0 stayed" [ "$(queue_cpu ta$S 0)" = "0 True" ]
check "pinned queue 1 stayed" [ "$(queue_cpu ta$S 1)" = "1 True" ]
check "every queue polled once (5: the bridge's, 2 and 2)" \
	[ "$(ctl pmd-rxq-show | grep -c 'port: ')" -eq 5 ]
r=$(flows nb$S na$S "$NET.1" 7003)
echo "after rebalance, nb -> na: $r"
check "after rebalance: every datagram arrived" [ "$(field "$r" missing)" = 0 ]
check "after rebalance: nothing reordered" [ "$(field "$r" reordered)" = 0 ]

# --- VMs with two queue pairs (vhost-user; virtio-user stand-ins, as a QEMU
# guest with queues=2): va's queues one per thread; va sends 8 numbered
# flows (flow f on its queue f % 2) to vb, which answers a little so that
# NORMAL learns it.
check "two vhost-user ports with two queue pairs" ctl add-port "$BR" va$S type=vhost-user \
	options:n_rxq=2 'options:pmd-rxq-affinity=0:0,1:1' \
	-- add-port "$BR" vb$S type=vhost-user options:n_rxq=2
PEERS=""
peer() { # peer NAME N TO_N ARGS...: a stand-in VM on RUNDIR/NAME
	local name=$1 n=$2 to=$3
	shift 3
	"$BIN/virtio-peer" --socket "$T/run/$name" --name "$name" --mac "02:00:00:00:01:0$n" \
		--dst "02:00:00:00:01:0$to" --queues 2 "$@" >"$T/$name.out" 2>&1 &
	E2E_EXTRA_PIDS="${E2E_EXTRA_PIDS:-} $!"
	PEERS="$PEERS $!"
}
ctl pmd-stats-clear >/dev/null
peer vb$S 2 1 --rate 10 --duration 7
peer va$S 1 2 --flows 8 --rate 20000 --duration 4 --delay 1
# shellcheck disable=SC2086
wait $PEERS
done_a=$(grep "done" "$T/va$S.out")
done_b=$(grep "done" "$T/vb$S.out")
echo "$done_a"
echo "$done_b"
val() { sed -n "s/.* $1=\([0-9/]*\).*/\1/p" <<<"$2"; }
check "va sent" [ "$(val tx "$done_a")" -gt 10000 ]
check "vb received every frame va sent" [ "$(val rx "$done_b")" = "$(val tx "$done_a")" ]
check "nothing reordered within a flow" [ "$(val reordered "$done_b")" = 0 ]
check "no gaps within a flow" [ "$(val gaps "$done_b")" = 0 ]
IFS=/ read -r r0 r1 <<<"$(val rxq "$done_b")"
check "vb received on both queue pairs (two PMDs sending)" [ "$r0" -gt 100 -a "$r1" -gt 100 ]
read -r q0 q1 <<<"$(queue_packets va$S)"
echo "va queues: $q0 and $q1 packets"
check "both receive queues of va carried flows" [ "$q0" -gt 1000 -a "$q1" -gt 1000 ]

# --- Bad affinities: refused with the reason, the TAP left in its namespace.
expect_fail "pmd-rxq-affinity 'x' is not QUEUE:CPU" set interface tb$S \
	options:pmd-rxq-affinity=x
expect_fail "names queue 3, but the port has 2 receive queues" set interface tb$S \
	options:pmd-rxq-affinity=3:0
expect_fail "pins queue 0 to CPU 5, which runs no PMD thread" set interface tb$S \
	options:pmd-rxq-affinity=0:5
expect_fail "names queue 1 twice" set interface tb$S 'options:pmd-rxq-affinity=1:0,1:1'
# Taking CPU 0 away from the PMDs would leave ta's queue 0 pinned to nothing.
expect_fail "pins queue 0 to CPU 0, which runs no PMD thread" set global . pmd_cpu_mask=0x2
check "still two PMD threads" [ "$(ctl pmd-rxq-show | grep -c '^pmd thread')" -eq 2 ]
check "tb still in its namespace" ip -n nb$S link show tb$S >/dev/null
check "ping after the refusals" ip netns exec na$S ping -c 2 -i 0.2 -W 2 "$NET.2" >/dev/null

finish
