#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# vswitch's VXLAN and Geneve against Open vSwitch as the remote tunnel
# endpoint. Both switches run in their own network namespace as
# hypervisors with the same layout (an underlay bridge holding the host's
# address and a veth to the other host; one overlay bridge per tunnel type
# with an internal port addressed on the overlay). Open vSwitch is an
# isolated instance of Debian's openvswitch-switch (its own database, run
# dir and namespace, userspace datapath, its own native tunnelling, routes
# and ARP), never the system's. Checked: ping and iperf3 both ways over
# VXLAN (VNI 400) and Geneve (VNI 500, UDP checksums on vswitch's side),
# the outer packets each side writes, and what each side learnt. Then
# Geneve options both ways: each side maps OVN's option (class 0x0102,
# type 0x80: critical, 4 bytes) to tun_metadata0 with ovs-ofctl, sends its
# own value and lets in only the other's. vswitch without the map drops
# Open vSwitch's packets as carrying an unknown critical option; with it,
# the pings pass, its packets carry exactly the option, a wrong value is
# dropped by the flows (or sent to the controller, the option in the
# packet-in's match), the mapping cannot go while flows use it, and the
# map and flows survive a restart. Last, the same two tunnels over an IPv6
# underlay (VNIs 410 and 510 on bridges of their own): pings and iperf3,
# each side's outer IPv6 packets, and each side's neighbour discovery.
set -uo pipefail
BIN=${1:?usage: test_tunnels_ovs.sh BINDIR}
HERE=$(dirname "$0")
. "$HERE/../lib/e2e.sh"
. "$HERE/../lib/tunnels.sh"
PKTS="/usr/bin/python3 $HERE/tunnel_pkts.py"

for tool in ovs-vswitchd ovsdb-server ovsdb-tool ovs-vsctl; do
	command -v $tool >/dev/null || { echo "FAIL: $tool is not installed (scripts/setup.sh)"; exit 1; }
done

S=$$
U=10.$((100 + S % 100)).$((S / 100 % 250)) # the underlay /24: .1 vswitch, .4 OVS
OV=192.168.$((S % 250))                    # VXLAN overlay
OG=172.31.$((S % 250))                     # Geneve overlay
U6=fd5b:$(printf %x $((S % 65536)))::      # the IPv6 underlay /64: ::1 vswitch, ::4 OVS
OV6=10.86.$((S % 250)) OG6=10.85.$((S % 250)) # the overlays over it
HV=tvh$S OVSNS=tvo$S
netns_add $HV || exit 1
netns_add $OVSNS || exit 1

ip link add ua$S netns $HV type veth peer name uo$S netns $OVSNS
for x in "$HV ua$S" "$OVSNS uo$S"; do
	set -- $x
	in_ns "$1" ip link set "$2" up
	in_ns "$1" ip link set lo up
	in_ns "$1" ethtool -K "$2" tso off gso off tx off >/dev/null 2>&1
done
# Open vSwitch's userspace datapath reads its veth without taking it from
# the kernel, which would answer ARP for the host's address there too,
# with the veth's MAC (not the bridge's, where the tunnels end): only the
# bridge answers.
in_ns $OVSNS sysctl -qw net.ipv4.conf.uo$S.arp_ignore=1

# Open vSwitch, isolated.
O=$T/ovs
mkdir -p "$O"
export OVS_RUNDIR=$O OVS_LOGDIR=$O OVS_DBDIR=$O OVS_SYSCONFDIR=$O
vsctl() { ovs-vsctl --db="unix:$O/db.sock" --timeout=20 "$@"; }
ovsdb-tool create "$O/conf.db" /usr/share/openvswitch/vswitch.ovsschema >/dev/null || exit 1
in_ns $OVSNS ovsdb-server "$O/conf.db" --remote="punix:$O/db.sock" --pidfile="$O/ovsdb-server.pid" \
	--unixctl="$O/ovsdb-server.ctl" --log-file="$O/ovsdb-server.log" --detach || exit 1
E2E_EXTRA_PIDS="$(cat "$O/ovsdb-server.pid")"
vsctl --no-wait init
in_ns $OVSNS ovs-vswitchd "unix:$O/db.sock" --pidfile="$O/ovs-vswitchd.pid" \
	--unixctl="$O/ovs-vswitchd.ctl" --log-file="$O/ovs-vswitchd.log" --detach || exit 1
E2E_EXTRA_PIDS="$E2E_EXTRA_PIDS $(cat "$O/ovs-vswitchd.pid")"
e2e_extra_cleanup() {
	# The namespace goes with its devices; the daemons by PID (above).
	:
}
check "Open vSwitch: underlay bridge (userspace datapath) with the veth" \
	vsctl add-br obp$S -- set bridge obp$S datapath_type=netdev -- add-port obp$S uo$S
check "Open vSwitch: a VXLAN and a Geneve bridge" \
	vsctl add-br obv$S -- set bridge obv$S datapath_type=netdev \
	-- add-port obv$S ovx$S -- set interface ovx$S type=vxlan options:remote_ip=$U.1 \
	options:key=400 \
	-- add-br obg$S -- set bridge obg$S datapath_type=netdev \
	-- add-port obg$S ogn$S -- set interface ogn$S type=geneve options:remote_ip=$U.1 \
	options:key=500
for x in "obp$S $U.4" "obv$S $OV.4" "obg$S $OG.4"; do
	set -- $x
	for _ in $(seq 50); do in_ns $OVSNS ip link show "$1" >/dev/null 2>&1 && break; sleep 0.1; done
	in_ns $OVSNS ip addr add "$2/24" dev "$1"
	in_ns $OVSNS ip link set "$1" up
done
in_ns $OVSNS ip link set obv$S mtu 1450
in_ns $OVSNS ip link set obg$S mtu 1450

# vswitch, the mirror image.
in_ns $HV "$BIN/vswitchd" $(vswitchd_args) --detach --eal "$VSWITCHD_EAL" ||
	{ echo "vswitchd did not start"; cat "$T/vswitchd.log"; exit 1; }
check "vswitch: underlay bridge with the veth" ctl add-br vbp$S -- add-port vbp$S ua$S type=system
check "vswitch: a VXLAN and a Geneve bridge" \
	ctl add-br vbv$S -- add-port vbv$S vvx$S type=vxlan options:remote_ip=$U.4 options:key=400 \
	-- add-br vbg$S -- add-port vbg$S vgn$S type=geneve options:remote_ip=$U.4 \
	options:key=500 options:csum=true
for x in "vbp$S $U.1" "vbv$S $OV.1" "vbg$S $OG.1"; do
	set -- $x
	in_ns $HV ip addr add "$2/24" dev "$1"
	in_ns $HV ip link set "$1" up
done
in_ns $HV ip link set vbv$S mtu 1450
in_ns $HV ip link set vbg$S mtu 1450

ip netns exec $OVSNS tcpdump -i uo$S -w "$T/to_ovs.pcap" -U -s 200 udp >/dev/null 2>&1 &
TCPDUMP="$!"
ip netns exec $HV tcpdump -i ua$S -w "$T/to_vs.pcap" -U -s 200 udp >/dev/null 2>&1 &
TCPDUMP="$TCPDUMP $!"
E2E_EXTRA_PIDS="$E2E_EXTRA_PIDS $TCPDUMP"
sleep 1

pings() { in_ns "$1" ping -c "${3:-3}" -i 0.2 -W 2 "$2" >/dev/null 2>&1; }
# The first packets wait for ARP on both sides: a few tries.
retry_ping() { for _ in 1 2 3 4 5; do pings "$@" && return 0; done; return 1; }
check "VXLAN: vswitch -> Open vSwitch" retry_ping $HV $OV.4
check "VXLAN: Open vSwitch -> vswitch" pings $OVSNS $OV.1
check "Geneve: vswitch -> Open vSwitch" retry_ping $HV $OG.4
check "Geneve: Open vSwitch -> vswitch" pings $OVSNS $OG.1
sleep 0.5
kill $TCPDUMP 2>/dev/null
wait $TCPDUMP 2>/dev/null
check "vswitch's VXLAN packets, as Open vSwitch receives them" \
	$PKTS check "$T/to_ovs.pcap" --src $U.1 --dst $U.4 --vni 400
check "vswitch's Geneve packets (UDP checksums)" \
	$PKTS check "$T/to_ovs.pcap" --src $U.1 --dst $U.4 --vni 500 --geneve --csum
# Open vSwitch's, checked for what the RFCs require (what vswitch took).
check "Open vSwitch's VXLAN packets" \
	$PKTS check "$T/to_vs.pcap" --src $U.4 --dst $U.1 --vni 400 --peer
check "Open vSwitch's Geneve packets" \
	$PKTS check "$T/to_vs.pcap" --src $U.4 --dst $U.1 --vni 500 --geneve --peer

for x in "$HV $OVSNS $OV.4 VXLAN,vswitch->OVS" "$OVSNS $HV $OV.1 VXLAN,OVS->vswitch" \
	"$HV $OVSNS $OG.4 Geneve,vswitch->OVS" "$OVSNS $HV $OG.1 Geneve,OVS->vswitch"; do
	set -- $x
	rate=$(iperf_mbps "$1" "$2" "$3")
	echo "iperf3 $4: $rate Mbit/s"
	check "iperf3 $4" [ "$rate" -gt 0 ]
done

# Geneve options: tun_metadata0 both ways.
OPT="{class=0x0102,type=0x80,len=4}->tun_metadata0"
oofctl() { timeout 10 ovs-ofctl -O OpenFlow13 "$@"; }
OOF=unix:$O/obg$S.mgmt VOF=unix:$T/run/vbg$S.mgmt
n_packets() { # n_packets OF FLOW-PATTERN: of the flow whose line has it
	oofctl dump-flows "$1" | grep -F -- "$2" | sed -n 's/.*n_packets=\([0-9]*\).*/\1/p' | head -1
}
check "Open vSwitch: the option mapped" oofctl add-tlv-map "$OOF" "$OPT"
check "Open vSwitch: sends 0x5a5a0001, takes only 0x7b7b0002" sh -c "
	ovs-ofctl -O OpenFlow13 add-flow $OOF 'priority=100,in_port=LOCAL,actions=set_field:0x5a5a0001->tun_metadata0,output:ogn$S' &&
	ovs-ofctl -O OpenFlow13 add-flow $OOF 'priority=100,in_port=ogn$S,tun_metadata0=0x7b7b0002,actions=LOCAL' &&
	ovs-ofctl -O OpenFlow13 add-flow $OOF 'priority=50,in_port=ogn$S,actions=drop'"
crit0=$(drops drop_tunnel_critical_option)
check "vswitch without the map: no ping from Open vSwitch" sh -c "! ip netns exec $OVSNS ping -c 2 -i 0.2 -W 1 $OG.1 >/dev/null 2>&1"
check "its packets dropped as carrying an unknown critical option" \
	[ "$(drops drop_tunnel_critical_option)" -gt "$crit0" ]
check "vswitch: a flow on an unmapped field is refused" sh -c \
	"ovs-ofctl -O OpenFlow13 add-flow $VOF 'in_port=vgn$S,tun_metadata0=1,actions=LOCAL' 2>&1 |
	grep -q NXFMFC_INVALID_TLV_FIELD"
check "vswitch: the option mapped" oofctl add-tlv-map "$VOF" "$OPT"
check "vswitch: sends 0x7b7b0002, takes only 0x5a5a0001" sh -c "
	ovs-ofctl -O OpenFlow13 add-flow $VOF 'priority=100,in_port=LOCAL,actions=set_field:0x7b7b0002->tun_metadata0,output:vgn$S' &&
	ovs-ofctl -O OpenFlow13 add-flow $VOF 'priority=100,in_port=vgn$S,tun_metadata0=0x5a5a0001,actions=LOCAL' &&
	ovs-ofctl -O OpenFlow13 add-flow $VOF 'priority=50,in_port=vgn$S,actions=drop'"
ip netns exec $OVSNS tcpdump -i uo$S -w "$T/opts.pcap" -U -s 200 udp port 6081 >/dev/null 2>&1 &
TCPDUMP="$!"
E2E_EXTRA_PIDS="$E2E_EXTRA_PIDS $TCPDUMP"
for _ in $(seq 50); do [ -s "$T/opts.pcap" ] && break; sleep 0.1; done
sleep 0.5
check "with options: vswitch -> Open vSwitch" retry_ping $HV $OG.4
check "with options: Open vSwitch -> vswitch" pings $OVSNS $OG.1
kill $TCPDUMP 2>/dev/null
wait $TCPDUMP 2>/dev/null
check "vswitch's Geneve packets carry the option (class, type, length, 0x7b7b0002)" \
	$PKTS check "$T/opts.pcap" --src $U.1 --dst $U.4 --vni 500 --geneve --csum \
	--opts 010280017b7b0002
check "vswitch's flow on tun_metadata0 counted them" \
	[ "$(n_packets "$VOF" tun_metadata0=0x5a5a0001)" -gt 0 ]
check "and Open vSwitch's" [ "$(n_packets "$OOF" tun_metadata0=0x7b7b0002)" -gt 0 ]
check "vswitch's megaflows match the option" sh -c \
	"$BIN/switch-ctl --ctl $T/ctl.sock dump-dp-flows | grep -q 'md(present=0x1/0x1,0x5a5a0001'"
check "Open vSwitch now sends 0x5a5a0009" \
	oofctl mod-flows "$OOF" "in_port=LOCAL,actions=set_field:0x5a5a0009->tun_metadata0,output:ogn$S"
d0=$(n_packets "$VOF" "priority=50")
check "a value vswitch does not take: no ping" sh -c "! ip netns exec $OVSNS ping -c 2 -i 0.2 -W 1 $OG.1 >/dev/null 2>&1"
check "its packets met vswitch's drop flow" [ "$(n_packets "$VOF" "priority=50")" -gt "$d0" ]
check "a flow sends 0x5a5a0009 to the controller" \
	oofctl add-flow "$VOF" "priority=60,in_port=vgn$S,tun_metadata0=0x5a5a0009,actions=controller"
timeout 30 ovs-ofctl -O OpenFlow13 --unixctl="$T/mon.ctl" monitor "$VOF" 65534 >"$T/mon.out" 2>&1 &
MON=$!
E2E_EXTRA_PIDS="$E2E_EXTRA_PIDS $MON"
sleep 1
in_ns $OVSNS ping -c 2 -i 0.2 -W 1 $OG.1 >/dev/null 2>&1
for _ in $(seq 30); do grep -q "tun_metadata0=0x5a5a0009" "$T/mon.out" && break; sleep 0.2; done
kill "$MON" 2>/dev/null
check "the packet-in's match has the option" grep -q "tun_metadata0=0x5a5a0009" "$T/mon.out"
check "vswitch: the mapping cannot go while flows use it" sh -c \
	"ovs-ofctl -O OpenFlow13 del-tlv-map $VOF '$OPT' 2>&1 | grep -q NXTTMFC_INVALID_TLV_DEL"
oofctl mod-flows "$OOF" "in_port=LOCAL,actions=set_field:0x5a5a0001->tun_metadata0,output:ogn$S"
check "vswitchd restarts" stop_vswitchd
in_ns $HV "$BIN/vswitchd" $(vswitchd_args) --detach --eal "$VSWITCHD_EAL"
check "after a restart: the map" sh -c "ovs-ofctl -O OpenFlow13 dump-tlv-map $VOF | grep -q 'tun_metadata0'"
check "after a restart: options both ways" retry_ping $OVSNS $OG.1
check "after a restart: Open vSwitch's option taken by the flow" \
	[ "$(n_packets "$VOF" tun_metadata0=0x5a5a0001)" -gt 0 ]

# Over IPv6: both underlay bridges get an IPv6 address; a VXLAN and a
# Geneve bridge each side, tunnels to the other's IPv6 address.
in_ns $OVSNS ip addr add "${U6}4/64" dev obp$S nodad
in_ns $HV ip addr add "${U6}1/64" dev vbp$S nodad
check "Open vSwitch: VXLAN and Geneve bridges over IPv6" \
	vsctl add-br obv6$S -- set bridge obv6$S datapath_type=netdev \
	-- add-port obv6$S ovx6$S -- set interface ovx6$S type=vxlan options:remote_ip=${U6}1 \
	options:key=410 \
	-- add-br obg6$S -- set bridge obg6$S datapath_type=netdev \
	-- add-port obg6$S ogn6$S -- set interface ogn6$S type=geneve options:remote_ip=${U6}1 \
	options:key=510
check "vswitch: VXLAN and Geneve bridges over IPv6" \
	ctl add-br vbv6$S -- add-port vbv6$S vvx6$S type=vxlan options:remote_ip=${U6}4 \
	options:key=410 -- add-br vbg6$S -- add-port vbg6$S vgn6$S type=geneve \
	options:remote_ip=${U6}4 options:key=510
for x in "$OVSNS obv6$S $OV6.4" "$OVSNS obg6$S $OG6.4" "$HV vbv6$S $OV6.1" "$HV vbg6$S $OG6.1"; do
	set -- $x
	for _ in $(seq 50); do in_ns "$1" ip link show "$2" >/dev/null 2>&1 && break; sleep 0.1; done
	in_ns "$1" ip addr add "$3/24" dev "$2"
	in_ns "$1" ip link set "$2" mtu 1430 up
done
ip netns exec $OVSNS tcpdump -i uo$S -w "$T/to_ovs6.pcap" -U -s 200 ip6 and udp >/dev/null 2>&1 &
TCPDUMP="$!"
ip netns exec $HV tcpdump -i ua$S -w "$T/to_vs6.pcap" -U -s 200 ip6 and udp >/dev/null 2>&1 &
TCPDUMP="$TCPDUMP $!"
E2E_EXTRA_PIDS="$E2E_EXTRA_PIDS $TCPDUMP"
sleep 1
check "VXLAN over IPv6: vswitch -> Open vSwitch" retry_ping $HV $OV6.4
check "VXLAN over IPv6: Open vSwitch -> vswitch" pings $OVSNS $OV6.1
check "Geneve over IPv6: vswitch -> Open vSwitch" retry_ping $HV $OG6.4
check "Geneve over IPv6: Open vSwitch -> vswitch" pings $OVSNS $OG6.1
sleep 0.5
kill $TCPDUMP 2>/dev/null
wait $TCPDUMP 2>/dev/null
check "vswitch's VXLAN packets over IPv6 (UDP checksums)" \
	$PKTS check "$T/to_ovs6.pcap" --src ${U6}1 --dst ${U6}4 --vni 410 --csum
check "vswitch's Geneve packets over IPv6" \
	$PKTS check "$T/to_ovs6.pcap" --src ${U6}1 --dst ${U6}4 --vni 510 --geneve --csum
check "Open vSwitch's VXLAN packets over IPv6" \
	$PKTS check "$T/to_vs6.pcap" --src ${U6}4 --dst ${U6}1 --vni 410 --peer
check "Open vSwitch's Geneve packets over IPv6" \
	$PKTS check "$T/to_vs6.pcap" --src ${U6}4 --dst ${U6}1 --vni 510 --geneve --peer
for x in "$HV $OVSNS $OV6.4 VXLAN/IPv6,vswitch->OVS" "$OVSNS $HV $OG6.1 Geneve/IPv6,OVS->vswitch"; do
	set -- $x
	rate=$(iperf_mbps "$1" "$2" "$3")
	echo "iperf3 $4: $rate Mbit/s"
	check "iperf3 $4" [ "$rate" -gt 0 ]
done
check "vswitch found Open vSwitch's IPv6 neighbour" sh -c \
	"$BIN/switch-ctl --ctl $T/ctl.sock tnl-neigh-show | grep -q '^${U6}4 '"
check "Open vSwitch found vswitch's" sh -c \
	"ovs-appctl -t $O/ovs-vswitchd.ctl tnl/neigh/show | grep -q '${U6}1'"

check "vswitch learnt Open vSwitch's underlay MAC" sh -c \
	"$BIN/switch-ctl --ctl $T/ctl.sock tnl-neigh-show | grep -q '^$U.4 '"
check "Open vSwitch learnt vswitch's" sh -c \
	"ovs-appctl -t $O/ovs-vswitchd.ctl tnl/neigh/show | grep -q '$U.1'"
# Both families in one table: the MACs in one column.
h='[0-9a-f][0-9a-f]'
ncols=$("$BIN/switch-ctl" --ctl "$T/ctl.sock" tnl-neigh-show |
	awk "match(\$0, / $h:$h:$h:$h:$h:$h /) {print RSTART}" | sort -u)
check "tnl-neigh-show: the MACs of both families in one column ($ncols)" \
	[ "$(grep -c . <<<"$ncols")" -eq 1 ]
check "Open vSwitch is alive" kill -0 "$(cat "$O/ovs-vswitchd.pid")"
finish
