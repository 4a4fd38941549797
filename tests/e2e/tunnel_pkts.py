#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Outer packets of vswitch's tunnels, checked field by field, and damaged
ones to send at it (test_tunnels.sh).

  tunnel_pkts.py check PCAP --src A --dst B --vni N [--geneve] [--csum]
                 [--dport P] [--inner-vlan V] [--tos T] [--ttl N] [--no-df]
                 [--opts HEX] [--min-sports N]
      Every VXLAN/Geneve packet from A to B in PCAP must be what vswitch
      writes: IPv4 without options, DF, TTL 64, a valid header checksum,
      a UDP source port in 32768-60999, a UDP length that adds up, a UDP
      checksum that is valid (--csum) or zero, the tunnel header with the
      VNI, an inner Ethernet frame (with VLAN V when asked); the TOS, TTL
      and DF asked for instead of 0, 64 and set (--any-ttl: any TTL;
      --only-tos: packets of another TOS skipped, not wrong). Prints the
      number checked and the number of distinct source ports; exits 1 on
      the first wrong field (or when there is none). With IPv6 addresses
      A and B the outer header is IPv6 without extension headers: TOS is
      its traffic class, TTL its hop limit, and there is no DF. With --any, packets
      whose inner frame is not tagged V are skipped, not wrong. With
      --peer (another switch's packets), only what the RFCs require is
      checked: not DF, TTL, the source port range or a zero checksum.
      Geneve packets carry no options, or with --opts exactly those bytes
      (the C bit set when one is critical); a peer's may carry any. With
      --min-sports, fewer than N distinct source ports is wrong too.
  tunnel_pkts.py send IFACE SRC_MAC DST_MAC SRC DST VNI CASE
      Sends one damaged tunnel packet of kind CASE out of IFACE (over IPv6
      when SRC and DST are).
"""
import struct
import sys

from scapy.all import (IP, UDP, Dot1Q, Ether, IPv6, IPv6ExtHdrFragment, Raw, rdpcap,  # noqa
                       sendp)
from scapy.layers.vxlan import VXLAN

try:
    from scapy.contrib.geneve import GENEVE
except ImportError:  # older scapy
    GENEVE = None


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def ip_csum_ok(raw_ip):
    s = 0
    for i in range(0, 20, 2):
        s += raw_ip[i] << 8 | raw_ip[i + 1]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s == 0xFFFF


def udp_csum_ok(ip_raw, udp_raw):
    if ip_raw[0] >> 4 == 6:
        pseudo = ip_raw[8:40] + struct.pack("!IxxxB", len(udp_raw), 17)
    else:
        pseudo = ip_raw[12:20] + struct.pack("!BBH", 0, 17, len(udp_raw))
    data = pseudo + udp_raw
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s == 0xFFFF


def has_critical(options):
    """Whether Geneve options (bytes) hold one marked critical."""
    i = 0
    while i + 4 <= len(options):
        if options[i + 2] & 0x80:
            return True
        i += 4 + (options[i + 3] & 0x1F) * 4
    return False


def check(args):
    path = args[0]
    opts = {"--src": None, "--dst": None, "--vni": None, "--dport": None,
            "--inner-vlan": None, "--tos": None, "--ttl": None, "--opts": "",
            "--min-sports": None}
    geneve = "--geneve" in args
    any_inner = "--any" in args
    peer = "--peer" in args
    df = "--no-df" not in args
    any_ttl = "--any-ttl" in args
    only_tos = "--only-tos" in args
    csum = "--csum" in args
    it = iter(args[1:])
    for a in it:
        if a in opts:
            opts[a] = next(it)
    want_ttl = int(opts["--ttl"] or 64)
    dport = int(opts["--dport"] or (6081 if geneve else 4789))
    vni = int(opts["--vni"])
    n = 0
    sports = set()
    v6 = ":" in opts["--src"]
    for p in rdpcap(path):
        ip = p.getlayer(IPv6 if v6 else IP)
        if ip is None or UDP not in p:
            continue
        if ip.src != opts["--src"] or ip.dst != opts["--dst"] or p[UDP].dport != dport:
            continue
        raw = bytes(ip)
        hl = 40 if v6 else 20
        if v6 and ip.nh != 17:
            fail("outer IPv6 next header %d: extension headers" % ip.nh)
        if not v6 and raw[0] != 0x45:
            fail("outer IPv4 version/IHL %#x" % raw[0])
        t = raw[hl + 8:hl + 16]
        if len(t) < 8 or (t[4] << 16 | t[5] << 8 | t[6]) != vni:
            continue  # another tunnel's
        if not peer and not v6 and bool(ip.flags.DF) != df:
            fail("outer DF %s" % ("not set" if df else "set"))
        tos, ttl = (ip.tc, ip.hlim) if v6 else (ip.tos, ip.ttl)
        if opts["--tos"] is not None and tos != int(opts["--tos"], 0):
            if only_tos:
                continue
            fail("outer TOS %#x, expected %s" % (tos, opts["--tos"]))
        if not peer and not any_ttl and ttl != want_ttl:
            fail("outer TTL %d, expected %d" % (ttl, want_ttl))
        if not v6 and not ip_csum_ok(raw):
            fail("outer IPv4 checksum")
        total = 40 + ip.plen if v6 else ip.len
        if total != len(raw):
            fail("outer IP length %d for %d bytes" % (total, len(raw)))
        udp_raw = raw[hl:total]
        sport, _, ulen, ucsum = struct.unpack("!HHHH", udp_raw[:8])
        if not peer and not 32768 <= sport <= 60999:
            fail("UDP source port %d" % sport)
        if ulen != len(udp_raw):
            fail("UDP length %d for %d bytes" % (ulen, len(udp_raw)))
        if csum or (peer and ucsum):
            if ucsum == 0 or not udp_csum_ok(raw, udp_raw):
                fail("UDP checksum %#x is not valid" % ucsum)
        elif ucsum != 0:
            fail("UDP checksum %#x where none was asked for" % ucsum)
        olen = 0
        if geneve:
            olen = (t[0] & 0x3F) * 4
            got = udp_raw[16:16 + olen]
            want = bytes.fromhex(opts["--opts"])
            crit = has_critical(want)
            if t[0] >> 6 != 0 or t[2:4] != b"\x65\x58":
                fail("Geneve header %s" % t.hex())
            if not peer and (got != want or bool(t[1] & 0x40) != crit):
                fail("Geneve options %s (C bit %d), expected %s" % (got.hex(), t[1] >> 6 & 1,
                                                                     want.hex()))
        elif t[0] != 0x08:
            fail("VXLAN flags %#x" % t[0])
        inner = Ether(udp_raw[16 + olen:])
        if opts["--inner-vlan"] is not None:
            if Dot1Q not in inner or inner[Dot1Q].vlan != int(opts["--inner-vlan"]):
                if any_inner:
                    continue
                fail("inner frame without VLAN %s: %s" % (opts["--inner-vlan"],
                                                          inner.summary()))
        n += 1
        sports.add(sport)
    if not n:
        fail("no tunnel packet from %s to %s in %s" % (opts["--src"], opts["--dst"], path))
    print("%d packets checked, %d source ports" % (n, len(sports)))
    if opts["--min-sports"] is not None and len(sports) < int(opts["--min-sports"]):
        fail("%d source ports, expected at least %s" % (len(sports), opts["--min-sports"]))


def send(args):
    iface, smac, dmac, src, dst, vni, case = args[:7]
    vni = int(vni)
    inner = (Ether(src="02:00:00:00:0e:01", dst="02:00:00:00:0e:02") /
             IP(src="192.0.2.1", dst="192.0.2.2") / UDP(sport=9, dport=9) / Raw(b"x" * 32))
    v6 = ":" in src
    l3 = IPv6(src=src, dst=dst) if v6 else IP(src=src, dst=dst, flags="DF")
    outer = Ether(src=smac, dst=dmac) / l3
    if case == "truncated":
        # A VXLAN header cut short: 4 of its 8 bytes.
        pkt = outer / UDP(sport=40000, dport=4789) / Raw(b"\x08\x00\x00\x00")
    elif case == "bad-flags":
        pkt = outer / UDP(sport=40000, dport=4789) / VXLAN(flags=0, vni=vni) / inner
    elif case == "wrong-vni":
        pkt = outer / UDP(sport=40000, dport=4789) / VXLAN(vni=vni + 1) / inner
    elif case == "bad-udp-csum":
        p = outer / UDP(sport=40000, dport=4789, chksum=0x1234) / VXLAN(vni=vni) / inner
        pkt = p
    elif case == "bad-ip-csum":
        pkt = (Ether(src=smac, dst=dmac) / IP(src=src, dst=dst, flags="DF", chksum=0x1234) /
               UDP(sport=40000, dport=4789) / VXLAN(vni=vni) / inner)
    elif case == "fragment":
        l3 = (IPv6(src=src, dst=dst) / IPv6ExtHdrFragment(m=1) if v6 else
              IP(src=src, dst=dst, flags="MF"))
        pkt = Ether(src=smac, dst=dmac) / l3 / UDP(sport=40000, dport=4789) / VXLAN(vni=vni) / inner
    elif case == "wrong-port":
        pkt = outer / UDP(sport=40000, dport=4790) / VXLAN(vni=vni) / inner
    elif case == "geneve-critical":
        # Version 0, the C bit set, Ethernet, and one option marked
        # critical (type 0x85 of class 0xffff, 4 bytes) that nothing maps.
        hdr = bytes([2, 0x40, 0x65, 0x58, (vni >> 16) & 0xFF, (vni >> 8) & 0xFF,
                     vni & 0xFF, 0, 0xFF, 0xFF, 0x85, 1, 1, 2, 3, 4])
        pkt = outer / UDP(sport=40000, dport=6081) / Raw(hdr) / inner
    elif case == "geneve-ok":
        hdr = bytes([0, 0, 0x65, 0x58, (vni >> 16) & 0xFF, (vni >> 8) & 0xFF,
                     vni & 0xFF, 0])
        pkt = outer / UDP(sport=40000, dport=6081) / Raw(hdr) / inner
    else:
        fail("unknown case " + case)
    sendp(pkt, iface=iface, verbose=False)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    {"check": check, "send": send}[sys.argv[1]](sys.argv[2:])
