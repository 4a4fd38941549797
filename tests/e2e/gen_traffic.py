#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Writes DIR/in.pcap (mixed traffic: VLAN, QinQ, ARP, IPv4/IPv6 TCP/UDP/ICMP,
# fragments, truncated frames) and, applying the rules of pcap_replay.c
# independently with scapy, DIR/expected_out{1,2,3}.pcap and
# DIR/expected.txt (the packet and drop counts the datapath must report).
import sys

from scapy.all import ARP, ICMP, IP, TCP, UDP, Dot1AD, Dot1Q, Ether, IPv6, Raw, wrpcap
from scapy.layers.inet6 import ICMPv6EchoRequest

A, B = "02:00:00:00:00:01", "02:00:00:00:00:02"


def traffic():
    e = Ether(src=A, dst=B)
    pkts = [
        Ether(src=A, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, psrc="10.0.0.1", pdst="10.0.0.2"),
        Ether(src=B, dst=A) / ARP(op=2, psrc="10.0.0.2", pdst="10.0.0.1", hwsrc=B, hwdst=A),
        Ether(src=A, dst=B) / Dot1Q(vlan=10) / ARP(op=1, psrc="10.0.0.1", pdst="10.0.0.3"),
        Ether(src=A, dst=B, type=0x88A8) / Dot1AD(vlan=10) / Dot1Q(vlan=5)
        / IP(src="10.1.0.1", dst="10.1.0.2") / UDP(sport=7, dport=8) / Raw(b"qinq"),
        e / Dot1Q(vlan=30, prio=3) / IP(src="10.3.0.1", dst="10.3.0.2") / UDP(sport=1, dport=2),
        e / IP(src="10.0.0.1", dst="10.0.0.2", ttl=1) / TCP(sport=4000, dport=80),
        e / IP(src="10.0.0.1", dst="10.0.0.2") / TCP(sport=4000, dport=22, flags="S"),
        e / IP(src="10.0.0.1", dst="10.0.0.2", flags="MF", frag=0) / UDP(sport=5, dport=6)
        / Raw(b"x" * 40),
        e / IP(src="10.0.0.1", dst="10.0.0.2", frag=6) / Raw(b"y" * 24),
        e / IP(src="10.0.0.1", dst="10.0.0.7") / ICMP(type=8, id=1, seq=1),
        e / IP(src="10.0.0.7", dst="10.0.0.1") / ICMP(type=0, id=1, seq=1),
        e / IPv6(src="2001:db8::1", dst="2001:db8::2") / TCP(sport=1, dport=443),
        e / IPv6(src="2001:db8::1", dst="2001:db8::2", fl=0x12345) / UDP(sport=9, dport=10),
        e / IPv6(src="2001:db8::1", dst="2001:db8::2") / ICMPv6EchoRequest(),
    ]
    for i in range(3):
        pkts.append(e / Dot1Q(vlan=10, prio=i) / IP(src="10.0.0.1", dst="10.0.0.%d" % (20 + i))
                    / UDP(sport=100 + i, dport=53) / Raw(b"dns"))
    for i in range(5):
        pkts.append(e / IP(src="10.0.1.%d" % i, dst="10.0.0.2", ttl=64 - i, tos=i * 4)
                    / TCP(sport=30000 + i, dport=80, flags="PA") / Raw(b"GET / HTTP/1.1\r\n"))
        pkts.append(e / IP(src="10.0.2.%d" % i, dst="10.0.0.2") / UDP(sport=2000 + i, dport=4789)
                    / Raw(b"u" * (i * 10)))
    full = [bytes(p) for p in pkts]
    # Truncated and malformed frames.
    tcp80 = bytes(e / IP(src="10.0.0.1", dst="10.0.0.2") / TCP(sport=1, dport=80))
    v6 = bytes(e / IPv6(src="2001:db8::1", dst="2001:db8::2") / UDP())
    full += [tcp80[:14 + 10], tcp80[:10], tcp80[:14 + 20 + 8], v6[:14 + 30], tcp80[:13]]
    # Three rounds so that later rounds hit the caches.
    return full * 3


def be16(b, o):
    return int.from_bytes(b[o:o + 2], "big")


def rewrite_tcp80(raw):
    q = Ether(raw)
    q[IP].dst = "10.0.0.99"
    q[IP].ttl -= 1
    del q[IP].chksum
    del q[TCP].chksum
    return bytes(q)


def forward(raw):
    """The rules of pcap_replay.c on raw bytes, parsing only what is there.
    Returns ([(port, frame)], drop reason or None)."""
    if len(raw) < 14:
        return [], "drop_action"
    etype, off, vids = be16(raw, 12), 14, []
    while etype in (0x8100, 0x88A8, 0x9100) and len(vids) < 2 and len(raw) >= off + 4:
        vids.append(be16(raw, off) & 0x0FFF)
        etype, off = be16(raw, off + 2), off + 4
    if etype == 0x0806:
        return [(1, raw)], None
    if vids and vids[0] == 10:
        return [(2, raw[:12] + raw[16:])], None
    if etype == 0x0800:
        ip = raw[off:]
        if len(ip) < 20 or ip[0] >> 4 != 4:
            return [], "drop_action"
        ihl, tot = (ip[0] & 15) * 4, be16(ip, 2)
        if ihl < 20 or ihl > len(ip) or tot < ihl:
            return [], "drop_action"
        proto, later = ip[9], be16(ip, 6) & 0x1FFF
        if proto == 6:
            l4 = ip[ihl:min(tot, len(ip))]
            if not later and len(l4) >= 20 and l4[12] >> 4 >= 5 and be16(l4, 2) == 80:
                if ip[8] <= 1:
                    return [], "drop_ttl_expired"
                return [(3, rewrite_tcp80(raw))], None
            return [], "drop_action"
        if proto == 17:
            return [(1, raw)], None
        if proto == 1:
            return [(1, raw), (3, raw)], None
        return [], "drop_action"
    if etype == 0x86DD:
        return [(2, raw[:12] + b"\x81\x00\x00\x14" + raw[12:])], None
    return [], "drop_action"


def main():
    out_dir = sys.argv[1]
    pkts = traffic()
    outs = {1: [], 2: [], 3: []}
    drops = {}
    for raw in pkts:
        fwd, why = forward(raw)
        for port, data in fwd:
            outs[port].append(data)
        if why:
            drops[why] = drops.get(why, 0) + 1
    wrpcap(out_dir + "/in.pcap", [Raw(r) for r in pkts], linktype=1)
    for port, lst in outs.items():
        wrpcap("%s/expected_out%d.pcap" % (out_dir, port), [Raw(r) for r in lst], linktype=1)
    with open(out_dir + "/expected.txt", "w") as f:
        f.write("rx_packets=%d\n" % len(pkts))
        f.write("tx_packets=%d\n" % sum(len(v) for v in outs.values()))
        for why in ("drop_action", "drop_ttl_expired"):
            f.write("%s=%d\n" % (why, drops.get(why, 0)))


main()
