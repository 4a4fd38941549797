#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A two-host overlay driven by one controller: two vswitchd instances, each
# in its own network namespace as a hypervisor (its own database, run dir
# and DPDK instance), joined by a veth underlay; on each host two VMs
# (namespaces), one per tenant, the two tenants using the same addresses.
# One os-ken application (osken/overlay_app.py) programs both switches over
# OpenFlow 1.3: a tenant's frames leave by the host's VXLAN port (key=flow)
# with the tenant's VNI in tun_id, and what arrives with that VNI goes to
# the tenant's VM. Checked: ping and iperf3 within each tenant across the
# hosts; nothing of one tenant reaches the other; the VNIs on the wire.
set -uo pipefail
BIN=${1:?usage: test_overlay.sh BINDIR}
HERE=$(dirname "$0")
. "$HERE/../lib/e2e.sh"
PKTS="/usr/bin/python3 $HERE/tunnel_pkts.py"

S=$$
U=10.$((100 + S % 100)).$((S / 100 % 250)) # the underlay /24
M=172.30.$((S % 250))                      # the controller's network /24
CPORT=6653
HA=ova$S HB=ovb$S CTL=ovc$S
VMS="oa1$S oa2$S ob1$S ob2$S"

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
# IPv6 off everywhere before any interface exists: the kernel's router
# solicitations and MLD reports from a veth's host end would reach the VM
# at its other end, and the isolation checks count what a VM receives.
for ns in $HA $HB $CTL $VMS; do
	netns_add "$ns" || exit 1
	in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done

# The underlay: one veth between the hosts.
ip link add ua$S netns $HA type veth peer name ub$S netns $HB
# The controller's network: a veth from each host to CTL.
ip link add ma$S netns $HA type veth peer name mca$S netns $CTL
ip link add mb$S netns $HB type veth peer name mcb$S netns $CTL
in_ns $CTL ip addr add $M.1/30 dev mca$S
in_ns $CTL ip addr add $M.5/30 dev mcb$S
in_ns $HA ip addr add $M.2/30 dev ma$S
in_ns $HB ip addr add $M.6/30 dev mb$S
for x in "$HA ua$S" "$HB ub$S" "$HA ma$S" "$HB mb$S" "$CTL mca$S" "$CTL mcb$S"; do
	set -- $x
	in_ns "$1" ip link set "$2" up
	in_ns "$1" ip link set lo up
	in_ns "$1" ethtool -K "$2" tso off gso off tx off >/dev/null 2>&1
done

# The VMs: tenant 100 has oa1 (host A) and ob1 (host B), tenant 200 oa2
# and ob2, both at 10.55.0.1 (A) and 10.55.0.2 (B).
vm() { # vm HOST_NS VM_NS PORT ADDR
	ip link add "$3" netns "$1" type veth peer name eth0 netns "$2"
	in_ns "$2" ip link set eth0 mtu 1450
	in_ns "$2" ip addr add "$4/24" dev eth0
	in_ns "$2" ip link set eth0 up
	in_ns "$2" ip link set lo up
	in_ns "$1" ip link set "$3" up
	in_ns "$1" ethtool -K "$3" tso off gso off tx off >/dev/null 2>&1
	in_ns "$2" ethtool -K eth0 tso off gso off tx off >/dev/null 2>&1
}
vm $HA oa1$S pa1$S 10.55.0.1
vm $HA oa2$S pa2$S 10.55.0.1
vm $HB ob1$S pb1$S 10.55.0.2
vm $HB ob2$S pb2$S 10.55.0.2

# The controller.
cat >"$T/plan.json" <<EOF
{"00000000000000a1": {"tunnel": "vx$S", "tenants": {"100": "pa1$S", "200": "pa2$S"}},
 "00000000000000b1": {"tunnel": "vx$S", "tenants": {"100": "pb1$S", "200": "pb2$S"}}}
EOF
OVERLAY_PLAN="$T/plan.json" ip netns exec $CTL /usr/bin/osken-manager --ofp-listen-host 0.0.0.0 \
	--ofp-tcp-listen-port $CPORT --log-file "$T/osken.log" \
	"$HERE/osken/overlay_app.py" >/dev/null 2>&1 &
E2E_EXTRA_PIDS="$!"

# The two hypervisors: a daemon each, with its own files.
host() { # host NS NAME DPID LOCAL REMOTE UNDERLAY_IF CONTROLLER: starts and configures one
	local d="$T/$2" ns=$1
	mkdir -p "$d"
	in_ns "$ns" "$BIN/vswitchd" --db "$d/conf.json" --ctl "$d/ctl.sock" --run-dir "$d/run" \
		--pidfile "$d/vswitchd.pid" --log-file "$d/vswitchd.log" --detach \
		--eal "$VSWITCHD_EAL" || return 1
	E2E_EXTRA_PIDS="$E2E_EXTRA_PIDS $(cat "$d/vswitchd.pid")"
	local c="$BIN/switch-ctl --ctl $d/ctl.sock --timeout 20"
	$c add-br bp$2$S -- add-port bp$2$S "$6" type=system || return 1
	in_ns "$ns" ip addr add "$4/24" dev bp$2$S
	in_ns "$ns" ip link set bp$2$S up
	$c add-br bi$2$S -- set bridge bi$2$S datapath_id="$3" -- set-fail-mode bi$2$S secure \
		-- add-port bi$2$S vx$S type=vxlan options:remote_ip="$5" options:key=flow \
		-- add-port bi$2$S "p${2}1$S" type=system -- add-port bi$2$S "p${2}2$S" type=system \
		-- set-controller bi$2$S "tcp:$7:$CPORT" || return 1
}
check "host A: a daemon, the underlay and overlay bridges" \
	host $HA a 00000000000000a1 $U.1 $U.2 ua$S $M.1
check "host B: the same" host $HB b 00000000000000b1 $U.2 $U.1 ub$S $M.5
actl() { "$BIN/switch-ctl" --ctl "$T/a/ctl.sock" --timeout 20 "$@"; }
bctl() { "$BIN/switch-ctl" --ctl "$T/b/ctl.sock" --timeout 20 "$@"; }
e2e_extra_cleanup() {
	actl del-br bpa$S >/dev/null 2>&1
	actl del-br bia$S >/dev/null 2>&1
	bctl del-br bpb$S >/dev/null 2>&1
	bctl del-br bib$S >/dev/null 2>&1
}

ready() { # ready DPID: the controller has programmed that switch
	for _ in $(seq 100); do
		grep -q "overlay: $1 ready 4 flows" "$T/osken.log" 2>/dev/null && return 0
		sleep 0.2
	done
	cat "$T/osken.log" 2>/dev/null | tail -5
	return 1
}
check "the controller programmed host A" ready 00000000000000a1
check "the controller programmed host B" ready 00000000000000b1
check "no OpenFlow error" sh -c "! grep -q 'overlay: .* error' '$T/osken.log'"
check "host A's tunnel flows, as ovs-ofctl reads them" sh -c "ovs-ofctl -O OpenFlow13 dump-flows \
	unix:$T/a/run/bia$S.mgmt | grep -q 'tun_id=0xc8,in_port=.* actions=output:'"

# Capture the underlay where it arrives, on each host (a system port's
# own output bypasses the kernel's taps), while the tenants talk.
ip netns exec $HB tcpdump -i ub$S -w "$T/to_b.pcap" -U -s 200 udp port 4789 >/dev/null 2>&1 &
TCPDUMP="$!"
ip netns exec $HA tcpdump -i ua$S -w "$T/to_a.pcap" -U -s 200 udp port 4789 >/dev/null 2>&1 &
TCPDUMP="$TCPDUMP $!"
E2E_EXTRA_PIDS="$E2E_EXTRA_PIDS $TCPDUMP"
sleep 1

rx() { in_ns "$1" cat /sys/class/net/eth0/statistics/rx_packets; }
pings() { in_ns "$1" ping -c "${3:-3}" -i 0.2 -W 2 "$2" >/dev/null 2>&1; }
b2=$(rx ob2$S)
check "tenant 100: A -> B" pings oa1$S 10.55.0.2 5
check "tenant 100: B -> A" pings ob1$S 10.55.0.1
check "tenant 100 reached nothing of tenant 200 on host B" [ "$(rx ob2$S)" -eq "$b2" ]
b1=$(rx ob1$S)
check "tenant 200: A -> B" pings oa2$S 10.55.0.2 5
check "tenant 200: B -> A" pings ob2$S 10.55.0.1
check "tenant 200 reached nothing of tenant 100 on host B" [ "$(rx ob1$S)" -eq "$b1" ]
amac=$(in_ns oa1$S cat /sys/class/net/eth0/address)
check "tenant 200's B learnt no MAC of tenant 100's A" \
	sh -c "! ip netns exec ob2$S ip neigh show | grep -qi '$amac'"
sleep 0.5
kill $TCPDUMP 2>/dev/null
wait $TCPDUMP 2>/dev/null
check "on the wire: VNI 100 from A to B" $PKTS check "$T/to_b.pcap" --src $U.1 --dst $U.2 --vni 100
check "on the wire: VNI 200 from A to B" $PKTS check "$T/to_b.pcap" --src $U.1 --dst $U.2 --vni 200
check "on the wire: VNI 100 from B to A" $PKTS check "$T/to_a.pcap" --src $U.2 --dst $U.1 --vni 100
check "on the wire: VNI 200 from B to A" $PKTS check "$T/to_a.pcap" --src $U.2 --dst $U.1 --vni 200

rate=$(iperf_mbps oa1$S ob1$S 10.55.0.2)
echo "iperf3 tenant 100, A -> B: $rate Mbit/s"
check "iperf3 within tenant 100" [ "$rate" -gt 0 ]
rate=$(iperf_mbps ob2$S oa2$S 10.55.0.1)
echo "iperf3 tenant 200, B -> A: $rate Mbit/s"
check "iperf3 within tenant 200" [ "$rate" -gt 0 ]

for h in a b; do
	check "host $h: no sanitizer report" sh -c "! grep -qE 'Sanitizer|runtime error' '$T/$h/vswitchd.log'"
done
finish
