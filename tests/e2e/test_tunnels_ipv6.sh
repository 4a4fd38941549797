#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# VXLAN and Geneve over an IPv6 underlay, through the real daemon, against
# the Linux kernel's own devices.
#
# As test_tunnels.sh, with IPv6 underneath: the daemon (namespace HV) holds
# the underlay address on bridge BP's internal port and a veth to a Linux
# bridge (namespace UL) as a system port; the remote (namespace R1) runs a
# kernel VXLAN device (VNI 100, UDP checksums both ways, as the kernel has
# them over IPv6) and one without checksums (VNI 300, on UDP port 4790: the
# kernel shares a port only between devices of the same checksum flags).
# This kernel has no Geneve device: scapy plays R1's side of VNI 200. The
# daemon finds the remote by its IPv6 routes and neighbour discovery of
# its own. Checked: ping and iperf3 both ways, the outer packets field by
# field (scapy), the neighbour and the route as the daemon sees them, the
# datapath's actions, and damaged packets dropped with their counters.
set -uo pipefail
BIN=${1:?usage: test_tunnels_ipv6.sh BINDIR}
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/tunnels.sh"
PKTS="/usr/bin/python3 $(dirname "$0")/tunnel_pkts.py"

S=$$
U=fd5a:$(printf %x $((S % 65536)))::     # underlay /64
O=192.168.$((S % 250))                   # overlay, VNI 100
OG=172.30.$((S % 250))                   # overlay, Geneve VNI 200
OZ=10.87.$((S % 250))                    # overlay, VNI 300 without checksums
OF=10.86.$((S % 250))                    # overlay, VNI 600 by the flows' tun_ipv6_dst
HV=v6h$S UL=v6u$S R1=v6r$S
BP=b6p$S BI=b6i$S BG=b6g$S BZ=b6z$S BF=b6f$S

for ns in $HV $UL $R1; do netns_add "$ns" || exit 1; done
hv() { ip netns exec "$HV" "$@"; }

ul_bridge
ul_link "$HV" ua$S
ul_link "$R1" r1$S
in_ns "$R1" ip addr add "${U}2/64" dev r1$S nodad

dev() { # dev NAME ADDR ARGS...: a kernel tunnel device in R1, MTU 1430 (70 bytes of IPv6 headers)
	local name=$1 addr=$2
	shift 2
	in_ns "$R1" ip link add "$name" "$@"
	in_ns "$R1" ip addr add "$addr/24" dev "$name"
	in_ns "$R1" ip link set "$name" mtu 1430 up
}
dev vx$S "$O.2" type vxlan id 100 remote "${U}1" local "${U}2" dstport 4789
dev vz$S "$OZ.2" type vxlan id 300 remote "${U}1" local "${U}2" dstport 4790 \
	udp6zerocsumtx udp6zerocsumrx
# VNI 600, for a port of remote_ip=flow and key=flow: flows set its
# tun_ipv6_dst and match its tun_ipv6_src. On UDP port 4791: that port
# takes any VNI, and 4789's wrong one must stay wrong.
dev vf$S "$OF.2" type vxlan id 600 remote "${U}1" local "${U}2" dstport 4791

hv "$BIN/vswitchd" $(vswitchd_args) --detach --eal "$VSWITCHD_EAL" ||
	{ echo "vswitchd did not start"; cat "$T/vswitchd.log"; exit 1; }

check "underlay bridge with the veth as a system port" \
	ctl add-br $BP -- add-port $BP ua$S type=system
check "a VXLAN port to an IPv6 remote" \
	ctl add-br $BI -- add-port $BI vx1$S type=vxlan options:remote_ip=${U}2 options:key=100
check "one without UDP checksums" ctl add-br $BZ -- add-port $BZ vz1$S type=vxlan \
	options:remote_ip=${U}2 options:local_ip=${U}1 options:key=300 options:csum=false options:dst_port=4790
check "a Geneve port to it" \
	ctl add-br $BG -- add-port $BG gn1$S type=geneve options:remote_ip=${U}2 options:key=200
check "a VXLAN port of remote_ip=flow and key=flow" ctl add-br $BF -- add-port $BF vf1$S \
	type=vxlan options:remote_ip=flow options:key=flow options:dst_port=4791
check "flows that set tun_id and tun_ipv6_dst, and match tun_id and tun_ipv6_src" sh -c \
	"$BIN/switch-ctl --ctl $T/ctl.sock add-flow $BF \
	'priority=100,in_port=LOCAL,actions=set_field:600->tun_id,set_field:${U}2->tun_ipv6_dst,output:vf1$S' \
	&& $BIN/switch-ctl --ctl $T/ctl.sock add-flow $BF \
	'priority=100,in_port=vf1$S,tun_id=600,tun_ipv6_src=${U}2,actions=LOCAL'"
expect_fail "local_ip=10.0.0.1: not of the family of remote_ip" add-port $BI bad$S \
	type=vxlan options:remote_ip=${U}2 options:local_ip=10.0.0.1
expect_fail "remote_ip=ff02::1: expected a unicast IPv4 or IPv6 address" add-port $BI bad$S \
	type=vxlan options:remote_ip=ff02::1
hv ip addr add "${U}1/64" dev $BP nodad
hv ip link set $BP up
for b in "$BI $O" "$BZ $OZ" "$BG $OG" "$BF $OF"; do
	set -- $b
	hv ip addr add "$2.1/24" dev "$1"
	hv ip link set "$1" mtu 1430 up
done

ip netns exec "$R1" tcpdump -i r1$S -w "$T/r1.pcap" -U -s 256 udp >/dev/null 2>&1 &
TCPDUMP=$!
E2E_EXTRA_PIDS="$TCPDUMP"
sleep 1

pings() { in_ns "$1" ping -c "${3:-3}" -i 0.2 -W 2 "$2" >/dev/null 2>&1; }
# The first packets wait for the daemon's neighbour solicitation.
check "HV -> R1 over VXLAN on IPv6" sh -c "for i in 1 2 3; do \
	ip netns exec $HV ping -c 3 -i 0.2 -W 2 $O.2 >/dev/null 2>&1 && exit 0; done; exit 1"
check "R1 -> HV" pings "$R1" "$O.1"
check "HV -> R1, VNI 300 without checksums" pings "$HV" "$OZ.2"
check "R1 -> HV, VNI 300" pings "$R1" "$OZ.1"
# Nobody answers HV's ARP for a Geneve neighbour: its requests, in the
# capture, are the check of what the Geneve port sends.
in_ns "$HV" ping -c 2 -i 0.2 -W 1 "$OG.2" >/dev/null 2>&1
sleep 0.5
kill "$TCPDUMP" 2>/dev/null
wait "$TCPDUMP" 2>/dev/null
check "outer IPv6 packets of VNI 100 as written, with UDP checksums" \
	$PKTS check "$T/r1.pcap" --src "${U}1" --dst "${U}2" --vni 100 --csum
check "those of VNI 300 with none" \
	$PKTS check "$T/r1.pcap" --src "${U}1" --dst "${U}2" --vni 300 --dport 4790
check "Geneve's, with checksums" \
	$PKTS check "$T/r1.pcap" --src "${U}1" --dst "${U}2" --vni 200 --geneve --csum
check "the kernel's, as the RFCs ask" \
	$PKTS check "$T/r1.pcap" --src "${U}2" --dst "${U}1" --vni 100 --peer
rate=$(iperf_mbps "$HV" "$R1" "$O.2")
echo "iperf3 HV -> R1 over VXLAN on IPv6: $rate Mbit/s"
check "iperf3 HV -> R1" [ "$rate" -gt 0 ]
rate=$(iperf_mbps "$R1" "$HV" "$O.1")
echo "iperf3 R1 -> HV over VXLAN on IPv6: $rate Mbit/s"
check "iperf3 R1 -> HV" [ "$rate" -gt 0 ]

r1mac=$(in_ns "$R1" cat /sys/class/net/r1$S/address)
neigh=$(ctl tnl-neigh-show)
check "tnl-neigh-show: R1 found by neighbour discovery ($neigh)" \
	grep -q "^${U}2 *$r1mac $BP" <<<"$neigh"
check "tnl-route-show lists the IPv6 underlay route" sh -c "$BIN/switch-ctl --ctl $T/ctl.sock \
	tnl-route-show | grep -q '^${U}/64 dev $BP'"
check "dump-dp-flows: an IPv6 outer header pushed, and popped" sh -c "$BIN/switch-ctl \
	--ctl $T/ctl.sock dump-dp-flows | grep -q 'ipv6(src=${U}1,dst=${U}2' && $BIN/switch-ctl \
	--ctl $T/ctl.sock dump-dp-flows | grep -q 'tnl_pop(vxlan'"
check "trace: output to the tunnel port" sh -c "$BIN/switch-ctl --ctl $T/ctl.sock trace $BI \
	in_port=LOCAL,dl_dst=ff:ff:ff:ff:ff:ff | grep -q 'output to vx1$S: vxlan vni 100 ${U}1 -> ${U}2, into $BP'"

# The IPv6 tunnel addresses in flows: a port of remote_ip=flow sends where
# tun_ipv6_dst says, and the flow back matches tun_ipv6_src.
check "HV -> R1 by the flows' tun_ipv6_dst and tun_id (VNI 600)" pings "$HV" "$OF.2"
check "R1 -> HV, VNI 600 to the remote_ip=flow port" pings "$R1" "$OF.1"
check "the flow on tun_ipv6_src counted them" sh -c "$BIN/switch-ctl --ctl $T/ctl.sock \
	dump-flows $BF | grep 'tun_ipv6_src=${U}2' | grep -vq 'n_packets=0,'"
check "dump-dp-flows: the megaflow matches the tunnel's IPv6 source" sh -c "$BIN/switch-ctl \
	--ctl $T/ctl.sock dump-dp-flows | grep -q 'tunnel(tun_id=0x258,ipv6_src=${U}2'"
tr2=$(ctl trace $BF in_port=vf1$S,tun_id=600,tun_ipv6_src=${U}2)
tr9=$(ctl trace $BF in_port=vf1$S,tun_id=600,tun_ipv6_src=${U}9)
check "trace: a packet from R1's address meets the flow" \
	grep -q "priority 100.*tun_ipv6_src=${U}2" <<<"$tr2"
check "one from another IPv6 remote does not" bash -c '! grep -q "priority 100" <<<"$1"' _ "$tr9"
# Over OpenFlow (Nicira's fields 109 and 110): ovs-ofctl adds and reads them.
check "ovs-ofctl: a flow matching tun_ipv6_src and setting tun_ipv6_dst" \
	ovs-ofctl -O OpenFlow13 add-flow "unix:$T/run/$BF.mgmt" \
	"priority=50,in_port=vf1$S,tun_ipv6_src=${U}0/64,actions=set_field:${U}3->tun_ipv6_dst,output:vf1$S"
of=$(ovs-ofctl -O OpenFlow13 dump-flows "unix:$T/run/$BF.mgmt" 2>&1)
echo "$of" | grep priority=50
check "ovs-ofctl reads it back, mask and all" grep -q \
	"tun_ipv6_src=${U}/64.*set_field:${U}3->tun_ipv6_dst" <<<"$of"
expect_fail "tun_ipv6_dst=10.0.0.1" add-flow $BF "tun_ipv6_dst=10.0.0.1,actions=drop"
# Remotes a remote_ip=flow port will not send to, each said by the trace:
# one of the other family than its local_ip, an IPv4 address written as
# IPv6 (as remote_ip refuses it), none at all.
BL=b6l$S
check "a remote_ip=flow port whose local_ip is IPv6" ctl add-br $BL -- add-port $BL vl1$S \
	type=vxlan options:remote_ip=flow options:local_ip=${U}1 options:dst_port=4792
for f in "1 set_field:10.0.0.9->tun_dst," "2 set_field:::ffff:10.0.0.9->tun_ipv6_dst," "3 "; do
	set -- $f
	ctl add-flow $BL "udp,in_port=LOCAL,tp_dst=$1,actions=${2:-}output:vl1$S" >/dev/null
done
trace_has() { # trace_has TP_DST TEXT: the trace of a UDP packet to port TP_DST says TEXT
	ctl trace $BL "udp,in_port=LOCAL,tp_dst=$1" | grep -qF "$2"
}
check "trace: an IPv4 remote for an IPv6 local_ip is dropped" \
	trace_has 1 "remote 10.0.0.9 is not of the family of local_ip ${U}1: dropped"
check "trace: an IPv4-mapped tun_ipv6_dst is dropped" \
	trace_has 2 "tun_ipv6_dst 10.0.0.9 is an IPv4 address: dropped"
check "trace: no remote at all" trace_has 3 "neither tun_dst nor tun_ipv6_dst set: dropped"
# A packet-in from the IPv6 tunnel carries its addresses (ovs-ofctl
# monitor prints the match): UDP to port 9999 goes to the controller.
check "a flow sends UDP 9999 from the tunnel to the controller" ctl add-flow $BF \
	"priority=150,udp,in_port=vf1$S,tp_dst=9999,actions=controller"
timeout 30 ovs-ofctl -O OpenFlow13 --unixctl="$T/mon.ctl" monitor "unix:$T/run/$BF.mgmt" 65534 \
	>"$T/mon.out" 2>&1 &
MON=$!
E2E_EXTRA_PIDS="$TCPDUMP $MON"
sleep 1
for _ in $(seq 30); do
	in_ns "$R1" bash -c "echo x >/dev/udp/$OF.1/9999" 2>/dev/null
	grep -q "tun_ipv6_src=" "$T/mon.out" && break
	sleep 0.2
done
kill "$MON" 2>/dev/null
grep -m1 "tun_ipv6" "$T/mon.out"
check "the packet-in's match has tun_ipv6_src and tun_ipv6_dst" \
	grep -q "tun_id=0x258,tun_ipv6_src=${U}2,tun_ipv6_dst=${U}1" "$T/mon.out"

# Damaged packets from R1: each dropped with its counter.
hvmac=$(hv cat /sys/class/net/$BP/address)
send_case() { # send_case CASE VNI: over IPv6
	in_ns "$R1" $PKTS send r1$S "$r1mac" "$hvmac" "${U}2" "${U}1" "$2" "$1"
}
bad truncated drop_tunnel_malformed
bad wrong-vni drop_tunnel_key
bad bad-udp-csum drop_tunnel_checksum
bad fragment drop_tunnel_fragment
rx0=$(port_stat gn1$S rx_packets)
send_case geneve-ok 200
sleep 0.5
check "a Geneve packet over IPv6 is decapsulated" [ "$(port_stat gn1$S rx_packets)" -eq $((rx0 + 1)) ]
check "the daemon is alive" kill -0 "$(vswitchd_pid)"
check "and still forwards" pings "$HV" "$O.2"

# The flows on the IPv6 tunnel fields outlive a restart (the journal keeps
# them as OpenFlow, Nicira's fields 109 and 110).
check "vswitchd restarts" stop_vswitchd
hv "$BIN/vswitchd" $(vswitchd_args) --detach --eal "$VSWITCHD_EAL" ||
	{ echo "vswitchd did not restart"; cat "$T/vswitchd.log"; exit 1; }
check "after a restart: the flows on tun_ipv6_src, prefix and all" sh -c "$BIN/switch-ctl \
	--ctl $T/ctl.sock dump-flows $BF | grep -q 'tun_ipv6_src=${U}2,' && $BIN/switch-ctl \
	--ctl $T/ctl.sock dump-flows $BF | grep -q 'tun_ipv6_src=${U}/64'"
check "after a restart: R1 -> HV by them" sh -c "for i in 1 2 3; do \
	ip netns exec $R1 ping -c 3 -i 0.2 -W 2 $OF.1 >/dev/null 2>&1 && exit 0; done; exit 1"

finish
