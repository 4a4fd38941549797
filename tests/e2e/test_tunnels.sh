#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# VXLAN and Geneve tunnel ports through the real daemon, against real peers.
#
# The daemon runs in its own network namespace (a hypervisor, "HV") with
# the underlay as Open vSwitch's userspace datapath has it: bridge BP holds
# the host's underlay address on its internal port and a veth to the
# underlay as a system port; bridge BI holds the tunnel ports and an
# internal port with an overlay address. Two remote hosts (namespaces R1
# and R2) reach HV through a Linux bridge (namespace UL) and run the
# kernel's own VXLAN devices. Checked: ping and iperf3 both ways, with and
# without keys, a second VNI to the same remote, the UDP checksum option,
# a VLAN-tagged inner frame, the outer packets field by field (scapy), R1
# and R2 talking through HV (NORMAL floods to every remote and learns
# remote MACs on the tunnel ports), ARP and routes as the daemon sees
# them, the underlay MTU, and damaged or foreign packets dropped with
# their counters.
set -uo pipefail
BIN=${1:?usage: test_tunnels.sh BINDIR}
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/tunnels.sh"
PKTS="/usr/bin/python3 $(dirname "$0")/tunnel_pkts.py"

S=$$
U=10.$((100 + S % 100)).$((S / 100 % 250)) # underlay /24
O=192.168.$((S % 250))                     # overlay /24, VNI 100
O2=172.31.$((S % 250))                     # second overlay, VNI 300 (csum)
HV=vth$S UL=vtu$S R1=vtr$S R2=vts$S
BP=bp$S BI=bi$S BC=bc$S

for ns in $HV $UL $R1 $R2; do netns_add "$ns" || exit 1; done
hv() { ip netns exec "$HV" "$@"; }

# The underlay: a Linux bridge in UL, a veth to each host.
ul_bridge
ul_link "$HV" ua$S
ul_link "$R1" r1$S
ul_link "$R2" r2$S
in_ns "$R1" ip addr add "$U.2/24" dev r1$S
in_ns "$R2" ip addr add "$U.3/24" dev r2$S

# The remotes' kernel VXLAN devices: VNI 100 on both, VNI 300 (with UDP
# checksums) on R1.
in_ns "$R1" ip link add vx$S type vxlan id 100 remote "$U.1" local "$U.2" dstport 4789
in_ns "$R1" ip addr add "$O.2/24" dev vx$S
in_ns "$R1" ip link set vx$S up
in_ns "$R1" ip link add vc$S type vxlan id 300 remote "$U.1" local "$U.2" dstport 4789 udpcsum
in_ns "$R1" ip addr add "$O2.2/24" dev vc$S
in_ns "$R1" ip link set vc$S up
in_ns "$R2" ip link add vx$S type vxlan id 100 remote "$U.1" local "$U.3" dstport 4789
in_ns "$R2" ip addr add "$O.3/24" dev vx$S
in_ns "$R2" ip link set vx$S up
# VNI 0 on R2: a port without a key on HV.
OZ=10.89.$((S % 250))
in_ns "$R2" ip link add vz$S type vxlan id 0 remote "$U.1" local "$U.3" dstport 4789
in_ns "$R2" ip addr add "$OZ.3/24" dev vz$S
in_ns "$R2" ip link set vz$S up
# VNI 600 on R2, for a port of remote_ip=flow and key=flow on HV.
OF=10.88.$((S % 250))
in_ns "$R2" ip link add vf$S type vxlan id 600 remote "$U.1" local "$U.3" dstport 4789
in_ns "$R2" ip addr add "$OF.3/24" dev vf$S
in_ns "$R2" ip link set vf$S up

# The daemon, in HV (its routes are HV's).
hv "$BIN/vswitchd" $(vswitchd_args) --detach --eal "$VSWITCHD_EAL" ||
	{ echo "vswitchd did not start"; cat "$T/vswitchd.log"; exit 1; }

check "underlay bridge with the veth as a system port" \
	ctl add-br $BP -- add-port $BP ua$S type=system
check "overlay bridge with a VXLAN port to each remote" \
	ctl add-br $BI -- add-port $BI vx1$S type=vxlan options:remote_ip=$U.2 options:key=100 \
	-- add-port $BI vx2$S type=vxlan options:remote_ip=$U.3 options:key=100
check "a second VNI to R1: UDP checksums, TOS and TTL of the inner packet, no DF" \
	ctl add-br $BC -- add-port $BC vc1$S type=vxlan options:remote_ip=$U.2 \
	options:key=300 options:csum=true options:tos=inherit options:ttl=inherit \
	options:df_default=false
hv ip addr add "$U.1/24" dev $BP
hv ip link set $BP up
hv ip addr add "$O.1/24" dev $BI
hv ip link set $BI up
# An access port of VLAN 7 on the overlay bridge: the tunnel ports are
# trunks, so its frames cross the tunnels tagged.
check "an internal port of VLAN 7" ctl add-port $BI iv$S type=internal tag=7
hv ip addr add "10.77.$((S % 250)).1/24" dev iv$S
hv ip link set iv$S up
hv ip addr add "$O2.1/24" dev $BC
hv ip link set $BC up
BZ=bz$S
check "a VXLAN port without a key (VNI 0) to R2" \
	ctl add-br $BZ -- add-port $BZ vz1$S type=vxlan options:remote_ip=$U.3
hv ip addr add "$OZ.1/24" dev $BZ
hv ip link set $BZ up
hv ip link set $BZ mtu 1450
# A port of remote_ip=flow and key=flow: flows say where and which VNI.
BF=bf$S
check "a bridge with a VXLAN port of remote_ip=flow, key=flow" \
	ctl add-br $BF -- add-port $BF vf$S type=vxlan options:remote_ip=flow options:key=flow
check "flows that set tun_id and tun_dst, and match tun_id and tun_src" sh -c \
	"$BIN/switch-ctl --ctl $T/ctl.sock add-flow $BF \
	'priority=100,in_port=LOCAL,actions=set_field:600->tun_id,set_field:$U.3->tun_dst,output:vf$S' \
	&& $BIN/switch-ctl --ctl $T/ctl.sock add-flow $BF \
	'priority=100,in_port=vf$S,tun_id=600,tun_src=$U.3,actions=LOCAL'"
hv ip addr add "$OF.1/24" dev $BF
hv ip link set $BF up
hv ip link set $BF mtu 1450
# The remotes' MTU is 1450 on their VXLAN devices: the same here.
for d in $BI $BC; do hv ip link set $d mtu 1450; done

expect_fail "remote_ip=10.0.0.300: expected a unicast IPv4 or IPv6 address, or flow" \
	add-port $BI bad$S type=vxlan options:remote_ip=10.0.0.300
expect_fail "key=16777216: expected flow or a VNI" \
	add-port $BI bad$S type=vxlan options:remote_ip=$U.9 options:key=16777216
expect_fail "remote_ip" add-port $BI bad$S type=geneve
expect_fail "dst_port=0" add-port $BI bad$S type=geneve options:remote_ip=$U.9 options:dst_port=0

# A capture of the underlay on R1's side while the overlay is used.
ip netns exec "$R1" tcpdump -i r1$S -w "$T/r1.pcap" -U -s 256 udp >/dev/null 2>&1 &
TCPDUMP=$!
E2E_EXTRA_PIDS="$TCPDUMP"
sleep 1

pings() { in_ns "$1" ping -c "${3:-3}" -i 0.2 -W 2 "$2" >/dev/null 2>&1; }
check "HV -> R1 over VXLAN (VNI 100)" pings "$HV" "$O.2" 5
check "R1 -> HV" pings "$R1" "$O.1"
# IPv6 inside (the underlay stays IPv4): the link-local addresses.
r1ll=$(in_ns "$R1" ip -6 -o addr show dev vx$S scope link | awk '{print $4}' | cut -d/ -f1)
check "HV -> R1, IPv6 inside the tunnel ($r1ll)" \
	in_ns "$HV" ping -6 -c 3 -i 0.2 -W 2 "$r1ll%$BI"
check "HV -> R2 over VXLAN" pings "$HV" "$O.3"
check "R1 -> R2 through HV (tunnel to tunnel)" pings "$R1" "$O.3"
check "HV -> R1, VNI 300 with UDP checksums" pings "$HV" "$O2.2"
check "HV -> R1, VNI 300, TOS 0x28 and TTL 33 inside" \
	in_ns "$HV" ping -c 2 -i 0.2 -W 2 -Q 0x28 -t 33 "$O2.2"
check "HV -> R2 by the flows' tun_dst and tun_id (VNI 600)" pings "$HV" "$OF.3"
check "HV -> R2 without a key (VNI 0)" pings "$HV" "$OZ.3"
check "R2 -> HV without a key" pings "$R2" "$OZ.1"
check "R2 -> HV, VNI 600 to the remote_ip=flow port" pings "$R2" "$OF.1"
check "R1 -> HV, VNI 300" pings "$R1" "$O2.1"
# Sixteen UDP flows between the same two addresses, ports apart: the outer
# source port hashes the inner ports too (test_tunnel.c checks the same
# for frames the rule-only path sent, which this bridge's flows keep off).
in_ns "$HV" bash -c "for p in \$(seq 7000 7015); do echo x > /dev/udp/$O.2/\$p; done" \
	2>/dev/null
# Nobody answers on VLAN 7 at R1 (no 8021q there): its ARP requests
# crossing the tunnel tagged are the check, in the capture.
in_ns "$HV" ping -c 2 -i 0.2 -W 1 "10.77.$((S % 250)).2" >/dev/null 2>&1
sleep 0.5
kill "$TCPDUMP" 2>/dev/null
wait "$TCPDUMP" 2>/dev/null
check "outer packets of VNI 100 as written, UDP flows on their own source ports" \
	$PKTS check "$T/r1.pcap" --src "$U.1" --dst "$U.2" --vni 100 --min-sports 12
check "outer packets of VNI 300: valid UDP checksums, no DF" \
	$PKTS check "$T/r1.pcap" --src "$U.1" --dst "$U.2" --vni 300 --csum --no-df --any-ttl
check "outer packets of VNI 300 took the inner TOS and TTL" \
	$PKTS check "$T/r1.pcap" --src "$U.1" --dst "$U.2" --vni 300 --csum --no-df --tos 0x28 \
	--ttl 33 --only-tos
check "VLAN 7 crosses the tunnel as a tag on the inner frame" \
	$PKTS check "$T/r1.pcap" --src "$U.1" --dst "$U.2" --vni 100 --inner-vlan 7 --any

rate=$(iperf_mbps "$HV" "$R1" "$O.2")
echo "iperf3 HV -> R1 over VXLAN: $rate Mbit/s"
check "iperf3 HV -> R1" [ "$rate" -gt 0 ]
rate=$(iperf_mbps "$R1" "$HV" "$O.1")
echo "iperf3 R1 -> HV over VXLAN: $rate Mbit/s"
check "iperf3 R1 -> HV" [ "$rate" -gt 0 ]
rate=$(iperf_mbps "$HV" "$R1" "$O2.2")
echo "iperf3 HV -> R1 over VXLAN with UDP checksums: $rate Mbit/s"
check "iperf3 HV -> R1 with checksums" [ "$rate" -gt 0 ]


# What the daemon knows of the underlay.
check "tnl-route-show lists the underlay route" sh -c "$BIN/switch-ctl --ctl $T/ctl.sock \
	tnl-route-show | grep -q '^$U.0/24 dev $BP src $U.1'"
neigh=$(ctl tnl-neigh-show)
r1mac=$(in_ns "$R1" cat /sys/class/net/r1$S/address)
check "tnl-neigh-show: R1 learnt from ARP ($neigh)" grep -q "^$U.2 *$r1mac $BP" <<<"$neigh"
check "tnl-neigh-show: R2 too" grep -q "^$U.3 " <<<"$neigh"
# ARP chatter of the overlay (50 requests from R1 across the tunnel, for
# addresses that are not ours), flooded to BI's local port, teaches the
# neighbour table nothing.
in_ns "$R1" /usr/bin/python3 -c 'import sys
from scapy.all import ARP, Ether, sendp
sendp([Ether(src="02:00:00:c8:00:%02x" % i, dst="ff:ff:ff:ff:ff:ff") /
       ARP(op=1, hwsrc="02:00:00:c8:00:%02x" % i, psrc="10.200.0.%d" % i,
           pdst="10.200.1.%d" % i) for i in range(1, 51)], iface=sys.argv[1], verbose=False)' \
	"vx$S"
sleep 0.5
chatter=$(ctl tnl-neigh-show | grep -c '^10\.200\.')
check "tnl-neigh-show: nothing from the overlay's ARP chatter ($chatter)" [ "$chatter" -eq 0 ]
check "NORMAL learnt R1's overlay MAC on its tunnel port" sh -c \
	"$BIN/switch-ctl --ctl $T/ctl.sock fdb-show $BI | grep -qi \"$(in_ns "$R1" cat /sys/class/net/vx$S/address)\""
check "the tunnel port counts what it encapsulated" [ "$(port_stat vx1$S tx_packets)" -gt 100 ]
check "and what it decapsulated" [ "$(port_stat vx1$S rx_packets)" -gt 100 ]
check "dump-dp-flows shows tnl_push and tnl_pop" sh -c "$BIN/switch-ctl --ctl $T/ctl.sock \
	dump-dp-flows | grep -q 'tnl_push(tnl_port' && $BIN/switch-ctl --ctl $T/ctl.sock \
	dump-dp-flows | grep -q 'tnl_pop(vxlan'"
check "trace: output to the tunnel port becomes an encapsulation" sh -c \
	"$BIN/switch-ctl --ctl $T/ctl.sock trace $BI in_port=LOCAL,dl_dst=ff:ff:ff:ff:ff:ff \
	| grep -q 'output to vx1$S: vxlan vni 100 $U.1 -> $U.2, into $BP'"

# One pass: the encapsulating megaflow carries what the underlay bridge does
# with the outer packet (its NORMAL output to the veth), not a second
# lookup there; the underlay's flows still count the packets, outer bytes
# and all, and a change to them reaches the overlay's megaflows.
trace_bc=$(ctl trace $BI in_port=LOCAL,dl_dst=ff:ff:ff:ff:ff:ff)
check "trace: both encapsulations translated on $BP in the same pass" \
	[ "$(grep -c 'the encapsulated packet in on port .* (one pass)' <<<"$trace_bc")" -eq 2 ]
check "trace: no recirculation in the datapath actions" \
	sh -c "! grep -q 'recirc(' <<EOF
$(grep '^Datapath actions' <<<"$trace_bc")
EOF"
check "a flow on $BP for the host's VXLAN packets" \
	ctl add-flow $BP "priority=10,in_port=LOCAL,udp,tp_dst=4789,actions=NORMAL"
check "HV -> R1 through it" pings "$HV" "$O.2" 5
flow_counts() { # flow_counts BRIDGE MATCH: "packets bytes" of the flow with MATCH
	ctl dump-flows "$1" | grep -- "$2" | sed -E 's/.*n_packets=([0-9]+), n_bytes=([0-9]+).*/\1 \2/'
}
read -r np nb <<<"$(flow_counts $BP tp_dst=4789)"
check "$BP's flow counted the encapsulated pings ($np packets, $nb bytes)" \
	[ "${np:-0}" -ge 5 -a "${nb:-0}" -ge $((5 * (98 + 50))) ]
check "a drop flow on $BP for them" \
	ctl add-flow $BP "priority=20,in_port=LOCAL,udp,tp_dst=4789,actions=drop"
sleep 0.5
check "HV -> R1 now fails: the overlay's megaflow was translated again" \
	sh -c "! ip netns exec $HV ping -c 2 -i 0.2 -W 1 $O.2 >/dev/null 2>&1"
check "the drop flow took them" [ "$(flow_counts $BP 'priority=20' | cut -d' ' -f1)" -ge 2 ]
check "the drop flow goes" ctl del-flows $BP "in_port=LOCAL,udp,tp_dst=4789"
check "HV -> R1 again" pings "$HV" "$O.2" 3

# The underlay MTU: 1450-byte inner IP packets fit (1500 outside), 1451 do
# not (counted), as a don't-fragment ping shows.
hv ip link set $BI mtu 1500
mtu0=$(drops drop_tunnel_mtu)
check "a 1450-byte packet fits the underlay" in_ns "$HV" ping -c 1 -W 2 -M do -s 1422 "$O.2"
in_ns "$HV" ping -c 2 -W 1 -M do -s 1423 "$O.2" >/dev/null 2>&1
check "a 1451-byte one is dropped and counted" [ "$(drops drop_tunnel_mtu)" -ge $((mtu0 + 2)) ]
hv ip link set $BI mtu 1450

# Damaged and foreign packets from R1's underlay interface: each dropped
# with its counter, the daemon unharmed. (The remote_ip=flow, key=flow
# port would take any VNI: it goes first.)
check "delete the bridge of the remote_ip=flow port" ctl del-br $BF
# R2's VNI 600 device goes too: its kernel keeps sending IPv6 router
# solicitations (every 4, 8, 16... s), which would now land in
# drop_tunnel_key beside the wrong-VNI packet counted below.
in_ns "$R2" ip link del vf$S
hvmac=$(hv cat /sys/class/net/$BP/address)
check "a Geneve port (no kernel peer: scapy plays it)" \
	ctl add-port $BI gn1$S type=geneve options:remote_ip=$U.2 options:key=200
sleep 0.5
send_case() { # send_case CASE VNI
	in_ns "$R1" $PKTS send r1$S "$r1mac" "$hvmac" "$U.2" "$U.1" "$2" "$1"
}
bad truncated drop_tunnel_malformed
bad bad-flags drop_tunnel_malformed
bad wrong-vni drop_tunnel_key
bad bad-udp-csum drop_tunnel_checksum
bad fragment drop_tunnel_fragment
# (to the Geneve port's VNI: which options it knows is the port's to say)
bad geneve-critical drop_tunnel_critical_option 200
rx0=$(port_stat gn1$S rx_packets)
send_case geneve-ok 200
sleep 0.5
check "a good Geneve packet of VNI 200 is decapsulated" [ "$(port_stat gn1$S rx_packets)" -eq $((rx0 + 1)) ]
t0=$(drops drop_tunnel_malformed)
send_case wrong-port 100
sleep 0.3
check "UDP to another port is no tunnel's: not decapsulated" [ "$(drops drop_tunnel_malformed)" -eq "$t0" ]
check "the daemon is alive" kill -0 "$(vswitchd_pid)"
check "and still forwards" pings "$HV" "$O.2"

# Removing a tunnel port: R2 is cut off, R1 is not.
check "delete the port to R2" ctl del-port vx2$S
check "R2 unreachable without its port" sh -c "! ip netns exec $HV ping -c 2 -W 1 $O.3 >/dev/null 2>&1"
check "R1 still reachable" pings "$HV" "$O.2"

# A remote no route leads to: said by trace, nothing sent.
check "a port to an unrouted remote" ctl add-port $BI vn$S type=vxlan \
	options:remote_ip=198.51.100.$((S % 250 + 1)) options:key=100
check "trace: no route" sh -c "$BIN/switch-ctl --ctl $T/ctl.sock trace $BI \
	in_port=LOCAL,dl_dst=ff:ff:ff:ff:ff:ff | grep -q 'vn$S: no route to 198.51.100'"
check "R1 still reachable beside it" pings "$HV" "$O.2"

# A restart: the tunnel ports come back from the database, the routes are
# read again and the neighbours learnt again.
check "vswitchd stops" stop_vswitchd
hv "$BIN/vswitchd" $(vswitchd_args) --detach --eal "$VSWITCHD_EAL"
check "after a restart: HV -> R1 over VXLAN" sh -c "for i in 1 2 3 4 5; do \
	ip netns exec $HV ping -c 2 -i 0.2 -W 2 $O.2 >/dev/null 2>&1 && exit 0; done; exit 1"
check "after a restart: R1 -> HV, VNI 300" pings "$R1" "$O2.1"
check "after a restart: HV -> R2 without a key" pings "$HV" "$OZ.3"

# The underlay bridge goes while the overlay's megaflows encapsulate
# through it: they forget it, are translated again (now nothing routes to
# R1) and the daemon carries on.
pings "$HV" "$O.2" 2
check "delete the underlay bridge" ctl del-br $BP
in_ns "$HV" ping -c 2 -i 0.2 -W 1 "$O.2" >/dev/null 2>&1
sleep 1
check "the daemon is alive after it" kill -0 "$(vswitchd_pid)"
check "and answers" ctl dump-dp-flows
check "trace: the remote has no route now" sh -c "$BIN/switch-ctl --ctl $T/ctl.sock trace $BI \
	in_port=LOCAL,dl_dst=ff:ff:ff:ff:ff:ff | grep -q 'vx1$S: no route to $U.2'"

finish
