#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Packets for test_ofproto.sh.
#   ofproto_pkts.py gen DIR     writes the input captures into DIR
#   ofproto_pkts.py show FILE   one line per frame of FILE:
#       vlan=ID|none src=MAC dst=MAC [ip=SRC>DST ttl=N] [l4=SPORT>DPORT] csum=ok|bad
#     where csum checks the IPv4 header and TCP/UDP checksums against a
#     recomputation by scapy.
import os
import sys

from scapy.all import ARP, IP, TCP, UDP, Dot1Q, Ether, Raw, rdpcap, wrpcap
from scapy.error import Scapy_Exception

A, B = "02:00:00:00:00:0a", "02:00:00:00:00:0b"


def gen(d):
    w = lambda name, pkts: wrpcap(os.path.join(d, name), pkts)
    w("bcast.pcap", [Ether(src=A, dst="ff:ff:ff:ff:ff:ff") / ARP(psrc="10.0.0.1", pdst="10.0.0.2")])
    w("tagged20.pcap", [Ether(src=A, dst=B) / Dot1Q(vlan=20) / IP(src="10.0.0.5", dst="10.0.0.9") / UDP()])
    w("uni_v10.pcap", [Ether(src=B, dst=A) / Dot1Q(vlan=10) / IP(src="10.0.0.5", dst="10.0.0.1") / UDP()])
    w("uni_v20.pcap", [Ether(src=B, dst=A) / Dot1Q(vlan=20) / IP(src="10.0.0.5", dst="10.0.0.1") / UDP()])
    w("v30.pcap", [Ether(src=B, dst=A) / Dot1Q(vlan=30) / IP(src="10.0.0.5", dst="10.0.0.1") / UDP()])
    w("tcp.pcap", [Ether(src=A, dst=B) / IP(src="10.0.0.1", dst="10.0.0.2", ttl=9)
                   / TCP(sport=1234, dport=80, flags="PA") / Raw(b"payload"),
                   Ether(src=A, dst=B) / IP(src="10.0.0.1", dst="10.0.0.2", ttl=9)
                   / UDP(sport=53, dport=80) / Raw(b"payload")])


def csum_ok(p):
    if IP not in p:
        return True
    ip = p[IP]
    fresh = Ether(bytes(p))
    ip2 = fresh[IP]
    del ip2.chksum
    for l4 in (TCP, UDP):
        if l4 in ip2:
            del ip2[l4].chksum
    fresh = Ether(bytes(fresh))
    ok = fresh[IP].chksum == ip.chksum
    for l4 in (TCP, UDP):
        if l4 in ip:
            ok = ok and fresh[l4].chksum == ip[l4].chksum
    return ok


def show(f):
    try:
        pkts = rdpcap(f)
    except (OSError, Scapy_Exception):
        return  # no file, or a header and no frame yet
    for p in pkts:
        line = ["vlan=%s" % (p[Dot1Q].vlan if Dot1Q in p else "none"), "src=" + p.src, "dst=" + p.dst]
        if IP in p:
            line.append("ip=%s>%s ttl=%d" % (p[IP].src, p[IP].dst, p[IP].ttl))
            for l4 in (TCP, UDP):
                if l4 in p:
                    line.append("l4=%d>%d" % (p[l4].sport, p[l4].dport))
        line.append("csum=" + ("ok" if csum_ok(p) else "bad"))
        print(" ".join(line))


if __name__ == "__main__":
    {"gen": gen, "show": show}[sys.argv[1]](sys.argv[2])
