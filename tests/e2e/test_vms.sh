#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Real VMs: QEMU guests (a Debian kernel's virtio-net driver, software
# emulation) on vhost-user ports of one bridge.
#   1. the switch as vhost-user client, QEMU as server: ping both ways and
#      a TCP transfer, its throughput printed;
#   2. the switch as server, QEMU as client with reconnect: the port is
#      deleted and added again under the running guest, pings resume;
#   3. VLANs: guests on different access VLANs do not reach each other,
#      on the same one they do;
#   4. the switch restarted, cleanly and by kill -9, under two pinging
#      guests (client mode) on a secure bridge with 10,000 flows: the
#      outages and the pings lost are printed;
#   5. a guest and a namespace on a TAP port of the same bridge.
set -uo pipefail
BIN=$(readlink -f "${1:?usage: test_vms.sh BINDIR}")
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/vm.sh"

S=$$
check "the test guest builds (or is cached)" guest_build || { finish; exit 1; }
start_vswitchd || { echo "vswitchd did not start"; cat "$T/vswitchd.log"; exit 1; }

# client_pair WHAT BRIDGE "N IP TASK [PORT-ARGS]" "N IP TASK [PORT-ARGS]": two
# guests whose QEMU serves the socket, then a bridge with a client-mode
# port for each (QEMU waits for the switch before it boots the guest).
client_pair() {
	local what=$1 br=$2 args=() g v
	local guests=("${@:3}")
	for g in "${guests[@]}"; do
		read -r -a v <<<"$g"
		vm_start "${v[0]}" "${v[1]}" "${v[2]}" "path=$T/vm${v[0]}.sock,server=on"
	done
	for g in "${guests[@]}"; do
		read -r -a v <<<"$g"
		sock_wait "$T/vm${v[0]}.sock"
		args+=(-- add-port "$br" "vm${v[0]}" type=vhost-user-client
			"options:path=$T/vm${v[0]}.sock" "${v[@]:3}")
	done
	check "$what" ctl add-br "$br" "${args[@]}"
}

# --- 1. Switch as client, QEMU as server.
s=1
client_pair "1: client-mode ports" b$s$S "1 10.9.1.1/24 ping:10.9.1.2:3,tcprecv:60:4" \
	"2 10.9.1.2/24 ping:10.9.1.1:3,tcpsend:10.9.1.1:4"
check "1: guest 2 finished" vm_wait 2 "VSGUEST done" 90
check "1: guest 1 finished" vm_wait 1 "VSGUEST done" 30
check "1: guest 1 pings guest 2" vm_wait 1 "ping peer=10.9.1.2 sent=3 received=3" 1
check "1: guest 2 pings guest 1" vm_wait 2 "ping peer=10.9.1.1 sent=3 received=3" 1
sent=$(vm_line 2 "VSGUEST tcp sent_bytes")
got=$(field received_bytes "$(vm_line 1 "VSGUEST tcp received_bytes")")
cs=$(field centisecs "$sent")
check "1: the TCP transfer arrived whole" [ "${got:-0}" = 4194304 ]
if [ -n "$cs" ] && [ "$cs" -gt 0 ]; then
	echo "scenario 1: TCP 4 MiB guest to guest in $cs cs:" \
		"$(echo "scale=1; 4194304 * 8 / ($cs / 100) / 1000000" | bc) Mbit/s (software emulation)"
fi
vm_stop 1
vm_stop 2
check "1: bridge removed" ctl del-br b$s$S

# --- 2. Switch as server, QEMU as client with reconnect.
s=2
check "2: server-mode ports" ctl add-br b$s$S -- add-port b$s$S vm3 type=vhost-user \
	-- add-port b$s$S vm4 type=vhost-user
vm_start 3 10.9.2.3/24 "answer:30" "path=$T/run/vm3,reconnect=1"
vm_start 4 10.9.2.4/24 "pingloop:10.9.2.3:25" "path=$T/run/vm4,reconnect=1"
check "2: the guests ping" vm_wait 4 "VSGUEST pong" 40
check "2: delete the port under the running guest" ctl del-port vm3
sleep 1
n1=$(vlog 4 | grep -c "VSGUEST pong")
sleep 1
check "2: no reply without the port" [ "$(vlog 4 | grep -c "VSGUEST pong")" -eq "$n1" ]
mark_t=$(sed -n 's/.* t=\([0-9]*\).*/\1/p' <<<"$(vm_line 4 "VSGUEST pong")")
check "2: add it again" ctl add-port b$s$S vm3 type=vhost-user
check "2: QEMU reconnects and pings resume" until_pongs 4 "${mark_t:-0}" 15
vm_stop 3
vm_stop 4
check "2: bridge removed" ctl del-br b$s$S

# --- 3. VLANs.
s=3
client_pair "3: guests on access VLANs 10 and 20" b$s$S "5 10.9.3.5/24 answer:40 tag=10" \
	"6 10.9.3.6/24 pingloop:10.9.3.5:30 tag=20"
check "3: the guest pings" vm_wait 6 "VSGUEST pinging" 40
sleep 3
check "3: different VLANs: no reply in 3 s" [ "$(vlog 6 | grep -c "VSGUEST pong")" -eq 0 ]
check "3: the same VLAN" ctl set port vm6 tag=10
check "3: same VLAN: replies" vm_wait 6 "VSGUEST pong" 10
vm_stop 5
vm_stop 6
check "3: bridge removed" ctl del-br b$s$S

# --- 4. The switch restarted under two pinging guests (client mode), on
# a secure bridge that forwards by 2 of its 10,000 flows (restored from
# the OpenFlow state): a clean restart, then kill -9.
s=4
client_pair "4: client-mode ports" b$s$S "7 10.9.4.7/24 pingloop:10.9.4.8:60" \
	"8 10.9.4.8/24 pingloop:10.9.4.7:60"
{
	echo "priority=100,in_port=vm7,actions=output:vm8"
	echo "priority=100,in_port=vm8,actions=output:vm7"
	for i in $(seq 9998); do
		echo "priority=200,udp,tp_dst=$((i % 50000 + 1)),nw_dst=172.16.$((i / 256)).$((i % 256)),actions=drop"
	done
} >"$T/flows4"
check "4: 10,000 flows" ctl add-flows b$s$S "$T/flows4"
check "4: secure" ctl set-fail-mode b$s$S secure
check "4: without the NORMAL flow" ctl --strict del-flows b$s$S "priority=0"
check "4: exactly those flows" [ "$(ctl dump-flows b$s$S | grep -c priority=)" = 10000 ]
check "4: the guests ping by them" vm_wait 7 "VSGUEST pong" 60
restart_kill() {
	local pid
	pid=$(vswitchd_pid)
	kill -KILL "$pid"
	for _ in $(seq 100); do alive "$pid" || break; sleep 0.02; done
	start_vswitchd
}
# outage4 WHAT: restarts the switch by WHAT (stop_vswitchd + start, or
# restart_kill) under the pinging guests and prints the outage: the
# longest gap between two replies from just before it on (guest clock,
# centiseconds) and the pings lost (sequence numbers never answered; the
# first ones sent in the outage wait in the guest and are answered late).
outage4() {
	local what=$1 before t_before n_pongs gap
	sleep 2
	before=$(vm_line 7 "VSGUEST pong")
	t_before=$(sed -n 's/.* t=\([0-9]*\).*/\1/p' <<<"$before")
	n_pongs=$(vlog 7 | grep -c "VSGUEST pong")
	if [ "$what" = clean ]; then
		check "4: stop the switch" stop_vswitchd
		check "4: start it again (same database)" start_vswitchd
	else
		check "4: kill -9 and start again" restart_kill
	fi
	resumed() { # replies that came after the restart
		for _ in $(seq 200); do
			[ "$(vlog 7 | grep -c "VSGUEST pong")" -gt $((n_pongs + 10)) ] && return 0
			sleep 0.1
		done
		return 1
	}
	check "4: pings resume after a $what restart" resumed
	check "4: by the restored flows (10,000)" \
		[ "$(ctl dump-flows b$s$S | grep -c priority=)" = 10000 ]
	gap=$(vlog 7 | awk -v t="${t_before:-0}" '/VSGUEST pong/ {
			split($3, q, "="); split($4, a, "="); x = a[2] + 0; sq = q[2] + 0
			if (x < t + 0) next
			if (seen && x - prev > best) best = x - prev
			if (!seen) first = sq
			prev = x; last = sq; n++; seen = 1
		} END { print best + 0, last - first + 1 - n }')
	# How long the guest saw its link down (QEMU reports the link down
	# while its vhost-user backend is away): the switch's side.
	down=$(vlog 7 | awk -v t="${t_before:-0}" '/VSGUEST carrier=/ {
			split($2, c, "="); split($3, a, "="); x = a[2] + 0
			if (x < t + 0) next
			if (c[2] == "0" && !d) d = x
			if (c[2] == "1" && d && !u) u = x
		} END { print (d && u) ? u - d : -1 }')
	echo "scenario 4: $what restart under pinging guests (secure, 10,000 flows): outage" \
		"$(echo "scale=2; ${gap% *} / 100" | bc) s (the longest gap between replies," \
		"guest clock), ${gap#* } pings lost (one every 0.1 s); the guest's link was down" \
		"$(echo "scale=2; $down / 100" | bc) s"
	check "4: the guest saw its link go down and up again" [ "$down" -ge 0 ]
}
outage4 clean
outage4 "kill -9"
vm_stop 7
vm_stop 8
check "4: bridge removed" ctl del-br b$s$S

# --- 5. A guest and a namespace on a TAP port.
s=5
vm_start 9 10.9.5.9/24 "ping:10.9.5.1:3,answer:20" "path=$T/vm9.sock,server=on"
sock_wait "$T/vm9.sock"
check "5: a guest and a TAP port" ctl add-br b$s$S \
	-- add-port b$s$S vm9 type=vhost-user-client "options:path=$T/vm9.sock" \
	-- add-port b$s$S t5$S type=tap
ns_host n5$S t5$S 10.9.5.1/24
check "5: the guest pings the namespace" vm_wait 9 "VSGUEST ping peer=10.9.5.1 sent=3 received=3" 60
check "5: the namespace pings the guest" ip netns exec n5$S ping -c 3 -i 0.2 -W 2 10.9.5.9
vm_stop 9
check "5: bridge removed" ctl del-br b$s$S
check "no QEMU left" sh -c "! pgrep -f '[q]emu-system.*$T' >/dev/null"
finish
