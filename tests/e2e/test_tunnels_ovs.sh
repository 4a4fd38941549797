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
# the outer packets each side writes, and what each side learnt.
set -uo pipefail
BIN=${1:?usage: test_tunnels_ovs.sh BINDIR}
HERE=$(dirname "$0")
. "$HERE/../lib/e2e.sh"
PKTS="/usr/bin/python3 $HERE/tunnel_pkts.py"

for tool in ovs-vswitchd ovsdb-server ovsdb-tool ovs-vsctl; do
	command -v $tool >/dev/null || { echo "FAIL: $tool is not installed (scripts/setup.sh)"; exit 1; }
done

S=$$
U=10.$((100 + S % 100)).$((S / 100 % 250)) # the underlay /24: .1 vswitch, .4 OVS
OV=192.168.$((S % 250))                    # VXLAN overlay
OG=172.31.$((S % 250))                     # Geneve overlay
HV=tvh$S OVSNS=tvo$S
netns_add $HV || exit 1
netns_add $OVSNS || exit 1
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

ip link add ua$S netns $HV type veth peer name uo$S netns $OVSNS
for x in "$HV ua$S" "$OVSNS uo$S"; do
	set -- $x
	in_ns "$1" ip link set "$2" up
	in_ns "$1" ip link set lo up
	in_ns "$1" ethtool -K "$2" tso off gso off tx off >/dev/null 2>&1
done

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

check "vswitch learnt Open vSwitch's underlay MAC" sh -c \
	"$BIN/switch-ctl --ctl $T/ctl.sock tnl-neigh-show | grep -q '^$U.4 '"
check "Open vSwitch learnt vswitch's" sh -c \
	"ovs-appctl -t $O/ovs-vswitchd.ctl tnl/neigh/show | grep -q '$U.1'"
check "Open vSwitch is alive" kill -0 "$(cat "$O/ovs-vswitchd.pid")"
finish
