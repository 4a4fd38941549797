#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A tunnel whose underlay is a dpdk port, through the real daemon: DPDK's
# net_tap driver, which checks receive checksums in its own code and
# flags each packet as a NIC does, so decapsulation takes the device's
# verdict instead of summing (dp_tnl_pop()). The daemon runs in namespace
# HV; the driver's kernel interface is moved to namespace R, a remote
# host whose kernel VXLAN devices (VNI 100 with UDP checksums over IPv4,
# VNI 200 over IPv6, whose UDP checksum is always on) face HV's VXLAN
# ports. Checked: the port says it checks receive checksums, ping both
# ways over both, and damaged packets (a bad IPv4 header checksum, a bad
# UDP checksum) dropped as drop_tunnel_checksum.
set -uo pipefail
BIN=${1:?usage: test_tunnels_dpdk.sh BINDIR}
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/tunnels.sh"
PKTS="/usr/bin/python3 $(dirname "$0")/tunnel_pkts.py"

S=$$
U=10.$((150 + S % 100)).$((S / 100 % 250)) # underlay /24
U6=fd5d:$((S % 9000 + 1000))::              # underlay /64
O=192.168.$((S % 250))                      # overlay, VNI 100
O6=172.30.$((S % 250))                      # overlay, VNI 200 (over IPv6)
HV=vdh$S R=vdr$S
BP=dbp$S BI=dbi$S BJ=dbj$S TAPIF=dtp$S

for ns in $HV $R; do netns_add "$ns" || exit 1; done
hv() { ip netns exec "$HV" "$@"; }
pings() { in_ns "$1" ping -c "${3:-3}" -i 0.2 -W 2 "$2" >/dev/null 2>&1; }
hv ip link set lo up
in_ns "$R" ip link set lo up

hv "$BIN/vswitchd" $(vswitchd_args) --detach --eal "$VSWITCHD_EAL" ||
	{ echo "vswitchd did not start"; cat "$T/vswitchd.log"; exit 1; }

check "underlay bridge with a dpdk port (net_tap)" ctl add-br $BP -- add-port $BP dk$S \
	type=dpdk "options:dpdk-devargs=net_tap$((S % 1000)),iface=$TAPIF"
check "the device checks receive checksums" \
	sh -c "$BIN/switch-ctl --ctl $T/ctl.sock --json dump-ports | grep -q '\"rx_csum_offload\": *\"true\"'"
# The driver's kernel side is the remote's NIC.
hv ip link set $TAPIF netns "$R"
in_ns "$R" ip addr add "$U.2/24" dev $TAPIF
in_ns "$R" ip addr add "${U6}2/64" dev $TAPIF nodad
in_ns "$R" ip link set $TAPIF up
in_ns "$R" ip link add vx$S type vxlan id 100 remote "$U.1" local "$U.2" dstport 4789 udpcsum
in_ns "$R" ip addr add "$O.2/24" dev vx$S
in_ns "$R" ip link set vx$S up
in_ns "$R" ip link add vy$S type vxlan id 200 remote "${U6}1" local "${U6}2" dstport 4789
in_ns "$R" ip addr add "$O6.2/24" dev vy$S
in_ns "$R" ip link set vy$S up
hv ip addr add "$U.1/24" dev $BP
hv ip addr add "${U6}1/64" dev $BP nodad
hv ip link set $BP up
check "a VXLAN port with UDP checksums over IPv4" ctl add-br $BI -- add-port $BI vx1$S \
	type=vxlan options:remote_ip=$U.2 options:key=100 options:csum=true
check "a VXLAN port over IPv6" ctl add-br $BJ -- add-port $BJ vy1$S \
	type=vxlan options:remote_ip=${U6}2 options:key=200
for b in $BI $BJ; do hv ip link set $b mtu 1400 up; done
for d in vx$S vy$S; do in_ns "$R" ip link set $d mtu 1400; done
hv ip addr add "$O.1/24" dev $BI
hv ip addr add "$O6.1/24" dev $BJ

check "HV -> R over VXLAN, IPv4 underlay with checksums" pings "$HV" "$O.2" 5
check "R -> HV" pings "$R" "$O.1"
check "HV -> R over VXLAN, IPv6 underlay" pings "$HV" "$O6.2" 5
check "R -> HV over IPv6" pings "$R" "$O6.1"
check "the IPv4 tunnel port received through the dpdk port" [ "$(port_stat vx1$S rx_packets)" -gt 0 ]
check "the IPv6 tunnel port received through the dpdk port" [ "$(port_stat vy1$S rx_packets)" -gt 0 ]

# Damaged packets: the device flags them bad, the switch drops them.
hvmac=$(hv cat /sys/class/net/$BP/address)
rmac=$(in_ns "$R" cat /sys/class/net/$TAPIF/address)
send_case() { # send_case CASE VNI
	in_ns "$R" $PKTS send $TAPIF "$rmac" "$hvmac" "$U.2" "$U.1" "$2" "$1"
}
bad bad-ip-csum drop_tunnel_checksum
bad bad-udp-csum drop_tunnel_checksum
check "the daemon is alive" kill -0 "$(vswitchd_pid)"
check "and still forwards" pings "$HV" "$O.2"
check "the dpdk port goes away" ctl del-port dk$S

finish
