#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# vhost-user and DPDK ports through the real daemon. Two stand-in VMs
# (virtio-peer: DPDK's virtio-user driver, the vhost-user protocol QEMU
# speaks) exchange traffic through vhost-user ports in server mode and in
# client mode; a VM is killed and restarted and traffic resumes; the switch
# is restarted under running client-mode VMs and traffic resumes (the outage
# is printed); a dpdk port on a net_ring vdev forwards pings between two
# namespaces, and one on net_null swallows what it is sent.
set -uo pipefail
BIN=${1:?usage: test_ports_vhost.sh BINDIR}
. "$(dirname "$0")/../lib/e2e.sh"

S=$$
NET=10.214.$((S % 200))
RATE=2000

start_vswitchd || { echo "vswitchd did not start"; cat "$T/vswitchd.log"; exit 1; }

# peer NAME N PEER_N [--server] SOCKET: a stand-in VM with MAC 02:..:0N
# sending to 02:..:0PEER_N; its pid goes to $T/NAME.pid.
peer() {
	local name=$1 n=$2 to=$3
	shift 3
	"$BIN/virtio-peer" --name "$name" --mac "02:00:00:00:00:0$n" \
		--dst "02:00:00:00:00:0$to" --ip "10.0.0.$n" --dst-ip "10.0.0.$to" \
		--rate $RATE --report 0.2 "$@" >>"$T/$name.out" 2>&1 &
	echo $! >"$T/$name.pid"
	E2E_EXTRA_PIDS="${E2E_EXTRA_PIDS:-} $!"
}

peer_stop() {
	local pid
	pid=$(cat "$T/$1.pid")
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 50); do alive "$pid" || return 0; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null
}

rx_of() { # the peer's last received count
	sed -n 's/.* rx=\([0-9]*\) .*/\1/p' "$T/$1.out" | tail -1
}

# grows NAME SECS: true once the peer's received count grows within SECS.
grows() {
	local before after
	before=$(rx_of "$1")
	for _ in $(seq $(($2 * 10))); do
		sleep 0.1
		after=$(rx_of "$1")
		[ "${after:-0}" -gt "${before:-0}" ] && return 0
	done
	return 1
}

port_field() { # port_field PORT stats|status KEY
	ctl --json dump-ports | /usr/bin/python3 -c 'import json,sys
d = json.load(sys.stdin)
for b in d["bridges"]:
    for p in b["ports"]:
        if p["name"] == sys.argv[1]:
            v = p[sys.argv[2]]
            print(v[sys.argv[3]] if sys.argv[3] in v else v["info"].get(sys.argv[3], ""))' \
		"$1" "$2" "$3"
}

# --- Server mode: the switch serves the sockets, the VMs connect.
check "vhost-user ports" ctl add-br vbr$S -- add-port vbr$S vm1 type=vhost-user \
	-- add-port vbr$S vm2 type=vhost-user
check "socket vm1 in the run directory" [ -S "$T/run/vm1" ]
check "socket vm2 in the run directory" [ -S "$T/run/vm2" ]
peer a 1 2 --socket "$T/run/vm1"
peer b 2 1 --socket "$T/run/vm2"
check "server mode: VM a receives from b" grows a 5
check "server mode: VM b receives from a" grows b 5
check "link up" [ "$(port_field vm1 status link)" = up ]
check "negotiated features shown" [ -n "$(port_field vm1 status features)" ]
check "show has the vhost status" grep -q "mode: server" <<<"$(ctl show)"

# pmd-perf-show over a second of traffic: each VM's queue got bursts, the
# histogram adds up to the bursts, and the idle PMD slept between them.
check "pmd-stats-clear" ctl pmd-stats-clear
sleep 1
ctl --json pmd-perf-show >"$T/perf.json"
check "pmd-perf-show: bursts from both VMs, counted by size" /usr/bin/python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["pmds"][0]
q = {r["port"]: r for r in p["rxqs"]}
ok = all(q[v]["bursts"] >= 100 and q[v]["packets"] >= q[v]["bursts"] and
         q[v]["polls"] >= q[v]["bursts"] and 0 < q[v]["busy_share"] <= 1 and
         q[v]["cycles_per_packet"] > 0 for v in ("vm1", "vm2"))
ok = ok and sum(p["burst_sizes"]) == p["rx_bursts"] > 0 and len(p["burst_sizes"]) == 32
ok = ok and p["rx_packets"] >= p["rx_bursts"] and p["sleeps"] > 0 and p["idle_iterations"] > 0
sys.exit(0 if ok else 1)' "$T/perf.json"
check "pmd-perf-show: a row per receive queue, the histogram" \
	grep -qE "^  vm1 +0 +[0-9]+ +[1-9]" <<<"$(ctl pmd-perf-show)"
check "pmd-perf-show: bursts by size" grep -q "bursts by size:  1: " <<<"$(ctl pmd-perf-show)"
check "tx retries counted in the port's stats" [ -n "$(port_field vm1 stats tx_retries)" ]

peer_stop a
sleep 0.5
check "a killed VM: link down" [ "$(port_field vm1 status link)" = down ]
check "frames for a missing VM are counted as dropped" [ "$(port_field vm1 stats tx_dropped)" -gt 0 ]
check "the other VM's port keeps working" [ "$(port_field vm2 stats rx_packets)" -gt 0 ]
peer a 1 2 --socket "$T/run/vm1"
check "a restarted VM gets traffic again" grows a 5
check "second connection counted" [ "$(port_field vm1 status connections)" = 2 ]
peer_stop a
peer_stop b

# --- Open vSwitch's type names, as OpenStack and libvirt write them: a
# dpdkvhostuser port (the switch serves RUNDIR/NAME) and a
# dpdkvhostuserclient one (options:vhost-server-path).
peer e 5 6 --server --socket "$T/e.sock"
sleep 0.5
check "dpdkvhostuser and dpdkvhostuserclient ports" ctl add-port vbr$S ovs1 type=dpdkvhostuser \
	-- add-port vbr$S ovs2 type=dpdkvhostuserclient "options:vhost-server-path=$T/e.sock"
peer f 6 5 --socket "$T/run/ovs1"
check "OVS names: VM e receives from f" grows e 5
check "OVS names: VM f receives from e" grows f 5
check "OVS names: show has the type as written" \
	grep -q "type: dpdkvhostuserclient" <<<"$(ctl show)"
check "OVS names: dump-ports has the type as written" \
	grep -q "ovs1 (dpdkvhostuser)" <<<"$(ctl dump-ports vbr$S)"
check "OVS names: the database keeps them as written" \
	[ "$(ctl get interface ovs2 options:vhost-server-path)" = "\"$T/e.sock\"" ]
expect_fail "type dpdkvhostuserclient needs options:vhost-server-path" add-port vbr$S ovs3 \
	type=dpdkvhostuserclient
expect_fail "type dpdkvhostuser has no option 'path'" add-port vbr$S ovs3 type=dpdkvhostuser \
	options:path=/tmp/x
peer_stop e
peer_stop f
check "OVS names: ports deleted" ctl del-port ovs1 -- del-port ovs2

# --- Client mode: the VMs serve the sockets, the switch connects.
peer c 3 4 --server --socket "$T/c.sock"
peer d 4 3 --server --socket "$T/d.sock"
sleep 0.5
check "vhost-user-client ports" ctl add-port vbr$S vm3 type=vhost-user-client \
	"options:path=$T/c.sock" -- add-port vbr$S vm4 type=vhost-user-client \
	"options:path=$T/d.sock"
check "client mode: VM c receives from d" grows c 5
check "client mode: VM d receives from c" grows d 5
check "mode shown" [ "$(port_field vm3 status mode)" = client ]

peer_stop c
sleep 0.3
peer c 3 4 --server --socket "$T/c.sock"
check "client mode: the switch reconnects to a restarted VM" grows c 5

# The switch restarts under running VMs.
t0=$(date +%s.%N)
before=$(rx_of d)
check "switch stops" stop_vswitchd
t_start=$(date +%s.%N)
start_vswitchd
for _ in $(seq 100); do
	[ "$(rx_of d)" -gt "$before" ] && break
	sleep 0.05
done
t1=$(date +%s.%N)
outage=$(/usr/bin/python3 -c "print(round($t1 - $t0, 2))")
from_start=$(/usr/bin/python3 -c "print(round($t1 - $t_start, 2))")
echo "switch restart under client-mode VMs: traffic back ${outage}s after the stop began" \
	"(${from_start}s after the new switch was started)"
check "client mode: traffic resumes after a switch restart" [ "$(rx_of d)" -gt "$before" ]
limit=$((2 * E2E_TIME_SCALE))
check "traffic back within $limit s of the stop" /usr/bin/python3 -c "assert $outage < $limit"

# --- Bad vhost-user ports.
expect_fail "needs options:path" add-port vbr$S vm5 type=vhost-user-client
expect_fail "must be an absolute socket path" add-port vbr$S vm5 type=vhost-user-client \
	options:path=rel.sock
expect_fail "already uses" add-port vbr$S vm5 type=vhost-user-client "options:path=$T/c.sock"
expect_fail "type vhost-user does not support mtu_request" add-port vbr$S vm5 \
	type=vhost-user mtu_request=9000
peer_stop c
peer_stop d

# --- DPDK ports on virtual devices.
netns_add dn1$S
netns_add dn2$S
check "dpdk port on net_null" ctl add-br dbr$S -- add-port dbr$S null0 type=dpdk \
	"options:dpdk-devargs=net_null0,no-rx=1" ofport_request=8
check "net_null link up" [ "$(port_field null0 status link)" = up ]
check "driver shown" [ "$(port_field null0 status driver)" = net_null ]
expect_fail "another port already drives" add-port vbr$S null1 type=dpdk \
	"options:dpdk-devargs=net_null0,no-rx=1"
expect_fail "needs options:dpdk-devargs" add-port vbr$S null1 type=dpdk
expect_fail "DPDK cannot probe 'net_nosuch0'" add-port vbr$S null1 type=dpdk \
	options:dpdk-devargs=net_nosuch0
# A device DPDK probes but cannot start: a memif client whose server is
# not listening. Said so, not as "Operation not permitted"; a second try
# fails the same way (the first left no port in its way).
mif="net_memif_t$S,role=client,socket=$T/no-server.sock,socket-abstract=no"
for try in 1 2; do
	expect_fail "DPDK could not start '$mif'" add-port vbr$S mif$S type=dpdk \
		"options:dpdk-devargs=$mif"
done
ports=$(ctl --json dump-ports)
check "the switch answers after the memif tries" grep -q '"bridges"' <<<"$ports"
check "no port left of the memif tries" bash -c '! grep -q "$1"' _ "mif$S" <<<"$ports"

# Two namespaces whose traffic crosses a net_ring device (a loopback: what
# is sent on it comes back in), steered by flows.
check "TAPs and a ring device" ctl add-port dbr$S dt1$S type=tap \
	-- add-port dbr$S dt2$S type=tap -- add-port dbr$S ring0 type=dpdk \
	options:dpdk-devargs=net_ring0 ofport_request=9
for i in 1 2; do
	ip link set dt$i$S netns dn$i$S
	ip -n dn$i$S link set dt$i$S address 02:00:00:00:01:0$i
	ip -n dn$i$S addr add "$NET.$i/24" dev dt$i$S
	ip -n dn$i$S link set dt$i$S up
done
cat >"$T/ring.flows" <<EOF
priority=10,in_port=dt1$S,actions=output:9,output:8
priority=10,in_port=dt2$S,actions=output:9
priority=10,in_port=9,dl_dst=02:00:00:00:01:01,actions=output:dt1$S
priority=10,in_port=9,dl_dst=02:00:00:00:01:02,actions=output:dt2$S
priority=10,in_port=9,dl_dst=ff:ff:ff:ff:ff:ff,actions=output:dt1$S,output:dt2$S
priority=0,actions=drop
EOF
check "flows through the ring" ctl add-flows dbr$S "$T/ring.flows"
check "dpdk (net_ring): ping across the device" ip netns exec dn1$S ping -c 3 -i 0.2 -W 2 \
	"$NET.2" >/dev/null
check "net_ring checks no receive checksums: said so" \
	[ "$(port_field ring0 status rx_csum_offload)" = false ]
check "ring counted received" [ "$(port_field ring0 stats rx_packets)" -ge 6 ]
check "ring counted sent" [ "$(port_field ring0 stats tx_packets)" -ge 6 ]
check "net_null took its copies" [ "$(port_field null0 stats tx_packets)" -ge 3 ]
check "dpdk ports go away" ctl del-port ring0 -- del-port null0
check "the vdev can be added again" ctl add-port dbr$S null0 type=dpdk \
	"options:dpdk-devargs=net_null0,no-rx=1"

finish
