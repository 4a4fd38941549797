#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Kernel-facing ports through the real daemon, with network namespaces as
# hosts: TAP ports (ping, an iperf3 TCP transfer), VLAN access isolation,
# veth ends attached as "system" ports (the kernel's checksum and TCP
# segmentation offloads left on), two bridges joined by patch ports, a patch
# loop caught and counted, the bridge's own "internal" port with an address
# in the root namespace, ports added and removed under traffic without loss
# on the others, a veth deleted under the switch, and bad ports refused.
set -uo pipefail
BIN=${1:?usage: test_ports_kernel.sh BINDIR}
. "$(dirname "$0")/../lib/e2e.sh"

S=$$ # names must not clash with another run's
NET=10.213.$((S % 200))
BR=vsa$S
BR2=vsb$S

e2e_extra_cleanup() {
	for l in vv1$S vv2$S; do ip link del "$l" 2>/dev/null || true; done
}

start_vswitchd || { echo "vswitchd did not start"; cat "$T/vswitchd.log"; exit 1; }

# host NS IFACE ADDR: moves IFACE into a new namespace NS with ADDR/24.
host() { ns_host "$1" "$2" "$3/24"; }

pings() { # pings FROM_NS TO_ADDR [COUNT]
	ip netns exec "$1" ping -c "${3:-3}" -i 0.2 -W 2 "$2" >/dev/null 2>&1
}


port_stat() { # port_stat PORT FIELD: a counter from dump-ports --json
	ctl --json dump-ports | /usr/bin/python3 -c 'import json,sys
d = json.load(sys.stdin)
for b in d["bridges"]:
    for p in b["ports"]:
        if p["name"] == sys.argv[1]: print(p["stats"][sys.argv[2]])' "$1" "$2"
}

# --- TAP ports: two namespaces on one bridge.
check "bridge with two TAP ports" ctl add-br "$BR" -- add-port "$BR" t1$S type=tap \
	-- add-port "$BR" t2$S type=tap
check "namespace 1 on a TAP" host ns1$S t1$S "$NET.1"
check "namespace 2 on a TAP" host ns2$S t2$S "$NET.2"
check "TAP: ping" pings ns1$S "$NET.2"
# Moved into its namespace, the TAP still shows its MAC (OpenFlow's port
# description takes it from here).
port_mac() { ctl --json show | /usr/bin/python3 -c 'import json,sys
for b in json.load(sys.stdin)["bridges"]:
    for p in b["ports"]:
        if p["name"] == sys.argv[1]: print(p["status"]["mac"])' "$1"; }
ns_mac=$(ip -n ns1$S -br link show t1$S | awk '{print $3}')
check "a TAP in a namespace keeps its MAC in show ($(port_mac t1$S) vs $ns_mac)" \
	[ "$(port_mac t1$S)" = "$ns_mac" ]
rate=$(iperf_mbps ns1$S ns2$S "$NET.2")
echo "iperf3 TCP over TAP ports: $rate Mbit/s"
check "TAP: iperf3 TCP transfer" [ "$rate" -gt 0 ]
check "dump-ports counts the TAP's packets" [ "$(port_stat t1$S rx_packets)" -gt 100 ]
# A TAP set down refuses writes: every packet for it is counted dropped
# (most without a write at all); set up again, it gets packets at once.
ip -n ns2$S link set t2$S down
d0=$(port_stat t2$S tx_dropped)
ip netns exec ns1$S ping -c 30 -i 0.01 -W 0.2 "$NET.2" >/dev/null 2>&1
d1=$(port_stat t2$S tx_dropped)
check "a down TAP: its 30 packets counted dropped ($d0 -> $d1)" [ $((d1 - d0)) -ge 30 ]
ip -n ns2$S link set t2$S up
check "set up again, the TAP gets packets" pings ns1$S "$NET.2" 1

# --- Options: MTU (jumbo frames), MAC, receive queues.
check "jumbo MTU, a MAC and two queues" ctl set interface t1$S mtu_request=9000 \
	mac=02:00:5e:00:00:01 options:n_rxq=2 -- set interface t2$S mtu_request=9000
# Reconfigured TAPs are new devices: set the namespaces up again.
ip netns del ns1$S
ip netns del ns2$S
check "namespace 1 again" host ns1$S t1$S "$NET.1"
check "namespace 2 again" host ns2$S t2$S "$NET.2"
check "MTU 9000 on the TAP" grep -q "mtu 9000" <<<"$(ip -n ns1$S link show t1$S)"
check "the MAC on the TAP" grep -q "02:00:5e:00:00:01" <<<"$(ip -n ns1$S link show t1$S)"
check "two receive queues polled" [ "$(ctl pmd-rxq-show | grep -c "port: t1$S")" -eq 2 ]
check "a jumbo frame crosses unfragmented" ip netns exec ns1$S ping -c 2 -i 0.2 -W 2 -M do \
	-s 8900 "$NET.2" >/dev/null
expect_fail "mtu_request" set interface t1$S mtu_request=9001
expect_fail "n_rxq '0' is not 1 to 16" set interface t1$S options:n_rxq=0
check "a refused option left the TAP alone, in its namespace" ip -n ns1$S link show t1$S \
	>/dev/null

# --- VLAN access ports.
check "access ports on VLANs 10 and 20" ctl set port t1$S tag=10 -- set port t2$S tag=20
ip netns exec ns1$S ip neigh flush all
check "different access VLANs cannot reach each other" sh -c "! ip netns exec ns1$S \
	ping -c 2 -i 0.2 -W 1 $NET.2 >/dev/null 2>&1"
check "the same access VLAN can" ctl set port t2$S tag=10
check "VLAN 10: ping" pings ns1$S "$NET.2"
check "back to untagged" ctl clear port t1$S tag -- clear port t2$S tag

# --- veth ends as system ports, offloads on.
for i in 1 2; do
	ip link add vv$i$S type veth peer name vp$i$S
done
check "system ports on veth ends" ctl add-port "$BR" vv1$S type=system \
	-- add-port "$BR" vv2$S type=system
check "namespace 3 behind a veth" host ns3$S vp1$S "$NET.3"
check "namespace 4 behind a veth" host ns4$S vp2$S "$NET.4"
check "veth: ping" pings ns3$S "$NET.4"
check "veth to TAP: ping" pings ns3$S "$NET.1"
rate=$(iperf_mbps ns3$S ns4$S "$NET.4")
echo "iperf3 TCP over veth (system) ports: $rate Mbit/s"
check "veth: iperf3 TCP transfer (offloaded segments cut by the switch)" [ "$rate" -gt 0 ]
# Small payloads (0-64 bytes, UDP over IPv4 and IPv6, TCP segments) from a
# veth host to a veth host and to a TAP host: every checksum verifies at
# the receiver (the kernel counts the ones that do not).
csum_errors() {
	ip netns exec "$1" cat /proc/net/snmp /proc/net/snmp6 | awk '
		/^Udp: InDatagrams/ { for (i = 2; i <= NF; i++) u[i] = $i; next }
		/^Udp: / { for (i = 2; i <= NF; i++) if (u[i] == "InCsumErrors") s += $i }
		/^Tcp: ActiveOpens/ { for (i = 2; i <= NF; i++) t[i] = $i; next }
		/^Tcp: / { for (i = 2; i <= NF; i++) if (t[i] == "InCsumErrors") s += $i }
		/^Udp6InCsumErrors/ { s += $2 } END { print s + 0 }'
}
small_payloads() { # small_payloads FROM_NS TO_NS TO_ADDR TO_ADDR6
	local before out
	before=$(csum_errors "$2")
	ip netns exec "$2" /usr/bin/python3 "$(dirname "$0")/small_csum.py" recv "$3" "$4" 7777 \
		>"$T/small.out" &
	local r=$!
	sleep 0.5
	ip netns exec "$1" /usr/bin/python3 "$(dirname "$0")/small_csum.py" send "$3" "$4" 7777
	wait "$r"
	out=$(cat "$T/small.out")
	echo "small payloads $1 -> $2: $out, checksum errors $before -> $(csum_errors "$2")"
	[ "$out" = "v4=65 v6=65 tcp=2080" ] && [ "$(csum_errors "$2")" = "$before" ]
}
for n in 1 3 4; do
	ip -n ns$n$S -6 addr add "fd17:$((S % 9000))::$n/64" dev "$([ $n = 1 ] && echo t1$S || echo vp$((n - 2))$S)" nodad
done
check "0-64 byte payloads veth -> veth: all arrive, every checksum good" \
	small_payloads ns3$S ns4$S "$NET.4" "fd17:$((S % 9000))::4"
check "0-64 byte payloads veth -> TAP: all arrive, every checksum good" \
	small_payloads ns3$S ns1$S "$NET.1" "fd17:$((S % 9000))::1"
check "0-64 byte payloads TAP -> veth: all arrive, every checksum good" \
	small_payloads ns1$S ns4$S "$NET.4" "fd17:$((S % 9000))::4"
expect_fail "a kernel interface named lo already exists" add-port "$BR" lo type=tap
expect_fail "no kernel interface named nosuch$S" add-port "$BR" nosuch$S type=system
expect_fail "type system has no option 'peer'" add-port "$BR" vv9 type=system options:peer=x

# --- Two bridges joined by a patch pair.
check "second bridge with a TAP" ctl add-br "$BR2" -- add-port "$BR2" t5$S type=tap
check "namespace 5 on the second bridge" host ns5$S t5$S "$NET.5"
port_link() { # port_link PORT: its link and state as show --json has them
	ctl --json show | /usr/bin/python3 -c 'import json,sys
d = json.load(sys.stdin)
for b in d["bridges"]:
    for p in b["ports"]:
        if p["name"] == sys.argv[1]:
            print(p["status"]["link"], p["status"]["info"].get("state", ""))' "$1"
}
# One end, then the other, a command each, as with Open vSwitch.
check "one end of a patch pair, alone" ctl add-port "$BR" pa$S type=patch options:peer=pb$S
check "it waits for its peer, down ($(port_link pa$S))" \
	[ "$(port_link pa$S)" = "down waiting for its peer" ]
check "the other end" ctl add-port "$BR2" pb$S type=patch options:peer=pa$S
check "both ends up ($(port_link pa$S), $(port_link pb$S))" \
	[ "$(port_link pa$S)-$(port_link pb$S)" = "up -up " ]
check "across the patch: ping" pings ns5$S "$NET.1"
check "across the patch: ping a veth host" pings ns5$S "$NET.4"
check "patch counters" [ "$(port_stat pb$S tx_packets)" -gt 0 ]
expect_fail "is not a patch port whose peer is" add-port "$BR" px$S type=patch \
	options:peer=t1$S
expect_fail "cannot be its own peer" add-port "$BR" py$S type=patch options:peer=py$S

# --- A loop of patch ports: counted, bounded, the switch keeps forwarding.
check "a second patch pair makes a loop" ctl add-port "$BR" pc$S type=patch \
	options:peer=pd$S -- add-port "$BR2" pd$S type=patch options:peer=pc$S
ip netns exec ns5$S ping -c 2 -b -W 1 "$NET.255" >/dev/null 2>&1
loops=$(ctl pmd-stats-show | sed -n 's/.*drop_patch_loop: *//p' | head -1)
echo "patch loop drops: $loops"
check "patch loop caught and counted" [ "${loops:-0}" -gt 0 ]
check "the switch still answers" ctl show >/dev/null
check "loop removed" ctl del-port pc$S -- del-port pd$S
check "forwarding after the loop" pings ns1$S "$NET.2"

# --- The bridge's own port, addressed in the root namespace.
check "internal port is in dump-ports as LOCAL" grep -q "port LOCAL: $BR (internal)" \
	<<<"$(ctl dump-ports "$BR")"
check "internal port up with an address" sh -c "ip addr add $NET.254/24 dev $BR && \
	ip link set $BR up"
check "root namespace pings a namespace behind a TAP" ping -c 3 -i 0.2 -W 2 "$NET.1" \
	>/dev/null

# --- Ports come and go under traffic: no loss elsewhere.
ip netns exec ns1$S ping -c 150 -i 0.01 -W 1 "$NET.2" >"$T/ping.txt" 2>&1 &
pinger=$!
for i in 1 2 3; do
	ctl add-port "$BR" tx$i$S type=tap >/dev/null
	ctl del-port tx$i$S >/dev/null
done
wait "$pinger"
echo "ping during port churn: $(grep -o '[0-9]*% packet loss' "$T/ping.txt")"
check "no packet lost while ports came and went" grep -q " 0% packet loss" "$T/ping.txt"

# --- A veth deleted under the switch: drops counted, the rest forwards.
ip link del vv2$S
ip netns exec ns1$S ping -c 3 -i 0.2 -W 1 "$NET.99" >/dev/null 2>&1 # floods ARP
check "a deleted veth counts what it could not send" \
	[ "$(($(port_stat vv2$S tx_dropped) + $(port_stat vv2$S tx_errors)))" -gt 0 ]
check "the others still forward" pings ns1$S "$NET.3"
check "the port is shown down" grep -qE "link: (down|unknown)" \
	<<<"$(ctl dump-ports "$BR" | grep -A1 "vv2$S (system)")"

finish
