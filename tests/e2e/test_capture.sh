#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# switch-ctl capture through the real daemon: on a TAP port with a filter
# (tcpdump reads the file: only what the filter takes), on a vhost-user
# port streamed to tcpdump through standard output, with a reader too slow
# for the traffic (forwarding keeps its rate; the capture counts what it
# left out), and on a port deleted under a running capture.
set -uo pipefail
BIN=${1:?usage: test_capture.sh BINDIR}
. "$(dirname "$0")/../lib/e2e.sh"

S=$$
NET=10.218.$((S % 200))
RATE=5000

start_vswitchd || { echo "vswitchd did not start"; cat "$T/vswitchd.log"; exit 1; }

# --- A TAP port, with a filter, to a file.
check "bridge with two TAP ports" ctl add-br cbr$S -- add-port cbr$S c1$S type=tap \
	-- add-port cbr$S c2$S type=tap
for i in 1 2; do ns_host cn$i$S c$i$S "$NET.$i/24"; done
ctl capture c2$S -w "$T/tap.pcap" -c 4 icmp 2>"$T/tap.err" &
cap=$!
E2E_EXTRA_PIDS="${E2E_EXTRA_PIDS:-} $cap"
sleep 0.5
ip netns exec cn1$S ping -c 3 -i 0.2 -W 1 "$NET.2" >/dev/null 2>&1
check "the capture ends at its count" timeout 5 sh -c "while kill -0 $cap 2>/dev/null; do sleep 0.1; done"
tap=$(tcpdump -nr "$T/tap.pcap" 2>/dev/null)
echo "$tap"
check "tcpdump reads 4 packets" [ "$(grep -c . <<<"$tap")" -eq 4 ]
check "both ways: requests and replies" [ "$(grep -c "ICMP echo request" <<<"$tap")" -eq 2 \
	-a "$(grep -c "ICMP echo reply" <<<"$tap")" -eq 2 ]
check "switch-ctl says what it captured" grep -q "4 packets captured on c2$S, 0 dropped" "$T/tap.err"
expect_fail "can't parse filter expression" capture c2$S -c 1 "icmp and (("
expect_fail "no running port named nosuch" capture nosuch -c 1
expect_fail "is not a number" capture c2$S -c lots

# --- A vhost-user port, streamed to tcpdump.
peer() {
	"$BIN/virtio-peer" --name "$1" --mac "02:00:00:00:00:0$2" --dst "02:00:00:00:00:0$3" \
		--ip "10.0.0.$2" --dst-ip "10.0.0.$3" --rate $RATE --report 0.2 \
		--socket "$T/run/$1" >>"$T/$1.out" 2>&1 &
	E2E_EXTRA_PIDS="${E2E_EXTRA_PIDS:-} $!"
}
rx_of() { sed -n 's/.* rx=\([0-9]*\) .*/\1/p' "$T/$1.out" | tail -1; }
# received NAME SECS: what NAME receives in SECS seconds
received() {
	local a b
	a=$(rx_of "$1")
	sleep "$2"
	b=$(rx_of "$1")
	echo $((${b:-0} - ${a:-0}))
}
check "vhost-user ports" ctl add-br vbr$S -- add-port vbr$S vm1 type=vhost-user \
	-- add-port vbr$S vm2 type=vhost-user
peer vm1 1 2
peer vm2 2 1
for _ in $(seq 50); do [ "$(rx_of vm2)" -gt 0 ] 2>/dev/null && break; sleep 0.1; done
check "the VMs exchange traffic" [ "$(rx_of vm2)" -gt 0 ]
vhost=$(ctl capture vm1 -w - -c 100 2>"$T/vhost.err" | tcpdump -nr - 2>/dev/null)
check "tcpdump reads 100 packets from the vhost-user port" [ "$(grep -c . <<<"$vhost")" -eq 100 ]
check "the VMs' UDP both ways" grep -q "10.0.0.1.* > 10.0.0.2" <<<"$vhost"
check "and back" grep -q "10.0.0.2.* > 10.0.0.1" <<<"$vhost"

# --- A reader too slow for the traffic.
before=$(received vm2 2)
timeout -s INT 4 "$BIN/switch-ctl" --ctl "$T/ctl.sock" capture vm1 -w - 2>"$T/slow.err" |
	(sleep 5; cat >/dev/null) &
slow=$!
sleep 1
during=$(received vm2 2)
wait $slow
echo "vm2 received $before frames in 2 s without a capture, $during with a stalled one"
cat "$T/slow.err"
check "a stalled reader does not slow forwarding" [ "$during" -ge $((before * 9 / 10)) ]
check "the capture counts what it left out" grep -qE "dropped by the switch \(the reader" \
	"$T/slow.err"
drops=$(ctl pmd-stats-show | grep -E "drop_[a-z_]+: [1-9]")
echo "${drops:-no datapath drops}"
check "the datapath dropped nothing for it" [ -z "$drops" ]

# --- The port goes while a capture runs.
ctl capture vm2 -w "$T/gone.pcap" 2>"$T/gone.err" &
cap=$!
E2E_EXTRA_PIDS="${E2E_EXTRA_PIDS:-} $cap"
sleep 0.5
check "delete the captured port" ctl del-port vm2
check "the capture ends with it" timeout 5 sh -c "while kill -0 $cap 2>/dev/null; do sleep 0.1; done"
check "and says so" grep -q "the port was deleted" "$T/gone.err"
check "no capture socket left" [ -z "$(ls "$T/run" | grep capture)" ]
check "the daemon is fine" ctl show
grep capture "$T/vswitchd.log"
finish
