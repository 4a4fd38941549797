#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Packets and flow tables for test_nxm_pipeline.sh: one pipeline written
# twice, with OpenFlow's goto_table and metadata, and with Nicira's
# resubmit, registers, load and move, which must forward every packet the
# same way.
#   nxm_pipeline.py gen DIR
#       DIR/in1.pcap, DIR/in2.pcap: the frames sent into ports 1 and 2,
#       each with its number in the payload ("nxm-id=NNN");
#       DIR/flows_std, DIR/flows_nx: the two pipelines (ovs-ofctl add-flows);
#       DIR/expect: per frame number, the port it must leave by (0: none).
#   nxm_pipeline.py count FILE...
#       the number of frames in these captures (0 for one not written yet);
#   nxm_pipeline.py compare DIR STD_PREFIX NX_PREFIX
#       reads DIR/{STD,NX}_PREFIX{3,4,5}.pcap, the frames each bridge sent
#       out of ports 3-5, and checks frame by frame that both bridges sent
#       the same bytes out of the same port, the port DIR/expect names, with
#       the rewrites the pipeline makes and checksums that hold.
import os
import re
import sys

from scapy.all import ARP, IP, TCP, UDP, Ether, IPv6, Raw, rdpcap, wrpcap
from scapy.error import Scapy_Exception

A, B = "02:00:00:00:00:0a", "02:00:00:00:00:0b"
OUT_PORTS = (3, 4, 5)

# Port 1's frames are classified by protocol (register 1 / metadata bits
# 4-7), UDP frames further by the two low bits of their destination port
# (register 2 / a masked match); port 2's IPv4 frames have their TTL
# decremented. TCP port 80 is rewritten to 10.0.0.80.
STD = """\
table=0,in_port=1,actions=write_metadata:0x1/0xf,goto_table:1
table=0,in_port=2,actions=write_metadata:0x2/0xf,goto_table:1
table=1,priority=30,metadata=0x1/0xf,tcp,tp_dst=80,actions=write_metadata:0x10/0xf0,goto_table:2
table=1,priority=20,metadata=0x1/0xf,udp,actions=write_metadata:0x20/0xf0,goto_table:2
table=1,priority=10,metadata=0x2/0xf,ip,actions=write_metadata:0x30/0xf0,goto_table:2
table=1,priority=0,actions=goto_table:2
table=2,priority=20,metadata=0x10/0xf0,ip,actions=set_field:10.0.0.80->ip_dst,output:3
table=2,priority=20,metadata=0x21/0xff,udp,tp_dst=0/0x3,actions=output:3
table=2,priority=20,metadata=0x21/0xff,udp,tp_dst=1/0x3,actions=output:4
table=2,priority=20,metadata=0x21/0xff,udp,tp_dst=2/0x3,actions=output:5
table=2,priority=20,metadata=0x32/0xff,ip,actions=dec_ttl,output:5
table=2,priority=5,metadata=0x1/0xff,actions=output:4
"""

NX = """\
table=0,in_port=1,actions=load:0x1->NXM_NX_REG0[],resubmit(,1)
table=0,in_port=2,actions=set_field:0x2->reg0,resubmit(,1)
table=1,priority=30,reg0=0x1,tcp,tp_dst=80,actions=load:0x1->NXM_NX_REG1[],resubmit(,2)
table=1,priority=20,reg0=0x1,udp,actions=load:0x2->NXM_NX_REG1[],move:NXM_OF_UDP_DST[0..1]->NXM_NX_REG2[0..1],resubmit(,2)
table=1,priority=10,reg0=0x2,ip,actions=load:0x3->NXM_NX_REG1[],resubmit(,2)
table=1,priority=0,actions=resubmit(,2)
table=2,priority=20,reg1=0x1,ip,actions=set_field:10.0.0.80->ip_dst,output:3
table=2,priority=20,reg0=0x1,reg1=0x2,reg2=0,actions=output:3
table=2,priority=20,reg0=0x1,reg1=0x2,reg2=1,actions=output:4
table=2,priority=20,reg0=0x1,reg1=0x2,reg2=2,actions=output:5
table=2,priority=20,reg0=0x2,reg1=0x3,ip,actions=dec_ttl,output:5
table=2,priority=5,reg0=0x1,reg1=0,actions=output:4
"""


def frames():
    """(input port, frame without its id, expected output port or 0)."""
    out = []
    for i, dport in enumerate((80, 22, 443, 8080)):
        out.append((1, Ether(src=A, dst=B) / IP(src="10.0.0.1", dst="10.0.1.%d" % (i + 1), ttl=20)
                    / TCP(sport=1000 + i, dport=dport), 3 if dport == 80 else 4))
    for dport in range(5000, 5012):
        want = {0: 3, 1: 4, 2: 5, 3: 0}[dport & 3]
        out.append((1, Ether(src=A, dst=B) / IP(src="10.0.0.1", dst="10.0.2.1", ttl=30)
                    / UDP(sport=7, dport=dport), want))
    out.append((1, Ether(src=A, dst="ff:ff:ff:ff:ff:ff") / ARP(psrc="10.0.0.1", pdst="10.0.0.2"), 4))
    out.append((1, Ether(src=A, dst=B) / IPv6(src="2001:db8::1", dst="2001:db8::2")
                / UDP(sport=9, dport=5001), 4))
    for i in range(4):
        l4 = TCP(sport=99, dport=80) if i % 2 else UDP(sport=99, dport=5000 + i)
        out.append((2, Ether(src=B, dst=A) / IP(src="10.0.3.1", dst="10.0.0.1", ttl=40 + i) / l4, 5))
    out.append((2, Ether(src=B, dst="ff:ff:ff:ff:ff:ff") / ARP(psrc="10.0.3.1", pdst="10.0.0.1"), 0))
    out.append((2, Ether(src=B, dst=A) / IPv6(src="2001:db8::3", dst="2001:db8::1")
                / TCP(sport=5, dport=80), 0))
    return out


def gen(d):
    ins = {1: [], 2: []}
    expect = []
    for n, (port, f, want) in enumerate(frames()):
        ins[port].append(f / Raw(b"nxm-id=%03d" % n))
        expect.append("%d %d" % (n, want))
    wrpcap(os.path.join(d, "in1.pcap"), ins[1])
    wrpcap(os.path.join(d, "in2.pcap"), ins[2])
    with open(os.path.join(d, "flows_std"), "w") as f:
        f.write(STD)
    with open(os.path.join(d, "flows_nx"), "w") as f:
        f.write(NX)
    with open(os.path.join(d, "expect"), "w") as f:
        f.write("\n".join(expect) + "\n")


def csum_ok(p):
    if IP not in p:
        return True
    fresh = Ether(bytes(p))
    del fresh[IP].chksum
    for l4 in (TCP, UDP):
        if l4 in fresh:
            del fresh[l4].chksum
    fresh = Ether(bytes(fresh))
    ok = fresh[IP].chksum == p[IP].chksum
    for l4 in (TCP, UDP):
        if l4 in p:
            ok = ok and fresh[l4].chksum == p[l4].chksum
    return ok


def read_outputs(d, prefix):
    """{frame number: [(port, bytes)]} for what a bridge sent."""
    got = {}
    for port in OUT_PORTS:
        try:
            pkts = rdpcap(os.path.join(d, "%s%d.pcap" % (prefix, port)))
        except (OSError, Scapy_Exception):
            pkts = []
        for p in pkts:
            m = re.search(rb"nxm-id=(\d{3})", bytes(p))
            if m:
                got.setdefault(int(m.group(1)), []).append((port, p))
    return got


def compare(d, std_prefix, nx_prefix):
    expect = {}
    with open(os.path.join(d, "expect")) as f:
        for line in f:
            n, want = line.split()
            expect[int(n)] = int(want)
    sent = {n: f for n, (_, f, _) in enumerate(frames())}
    std, nx = read_outputs(d, std_prefix), read_outputs(d, nx_prefix)
    bad = 0
    for n, want in sorted(expect.items()):
        s, x = std.get(n, []), nx.get(n, [])
        ports_s, ports_x = [p for p, _ in s], [p for p, _ in x]
        why = []
        if ports_s != ports_x:
            why.append("goto_table pipeline sent it to %s, resubmit pipeline to %s" % (ports_s, ports_x))
        elif [bytes(p) for _, p in s] != [bytes(p) for _, p in x]:
            why.append("the two pipelines sent different bytes")
        if ports_x != ([want] if want else []):
            why.append("expected port %s, got %s" % (want or "none", ports_x))
        for _, p in x:
            orig = sent[n]
            if not csum_ok(p):
                why.append("bad checksum")
            if IP in orig and TCP in orig and orig[TCP].dport == 80 and orig.src == A:
                if p[IP].dst != "10.0.0.80":
                    why.append("ip_dst not rewritten: %s" % p[IP].dst)
            if IP in orig and orig.src == B and p[IP].ttl != orig[IP].ttl - 1:
                why.append("ttl %d, not %d" % (p[IP].ttl, orig[IP].ttl - 1))
        print("frame %03d: %s -> port %s: %s" % (n, sent[n].summary(), ports_x or "none",
                                                  "; ".join(why) if why else "ok"))
        bad += bool(why)
    dropped = sum(1 for w in expect.values() if not w)
    print("%d frames, %d expected out of ports 3-5, %d dropped; %d wrong"
          % (len(expect), len(expect) - dropped, dropped, bad))
    return 1 if bad else 0


def count(files):
    n = 0
    for f in files:
        try:
            n += len(rdpcap(f))
        except (OSError, Scapy_Exception):
            pass  # not written yet
    print(n)


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2])
    elif sys.argv[1] == "count":
        count(sys.argv[2:])
    else:
        sys.exit(compare(sys.argv[2], sys.argv[3], sys.argv[4]))
