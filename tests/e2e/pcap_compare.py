#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# pcap_compare.py GOT EXPECTED: succeeds when both captures hold the same
# frames byte for byte. Frames of different megaflows may leave a batch in a
# different order than they came in, so the frames are compared as sorted
# lists; each frame must match exactly, and the counts must agree.
import sys

from scapy.utils import RawPcapReader


def frames(path):
    return sorted(bytes(data) for data, _ in RawPcapReader(path))


got, want = frames(sys.argv[1]), frames(sys.argv[2])
if got != want:
    missing = [w.hex() for w in want if w not in got]
    extra = [g.hex() for g in got if g not in want]
    print("%s: %d frames, expected %d" % (sys.argv[1], len(got), len(want)))
    for m in missing[:5]:
        print("  missing:    " + m)
    for x in extra[:5]:
        print("  unexpected: " + x)
    sys.exit(1)
print("%s: %d frames match" % (sys.argv[1], len(got)))
