#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Pushes a pcap of mixed traffic through the real datapath (pcap ports, a
# PMD thread, a rule-based test upcall) and checks each output pcap byte for
# byte, and the datapath's counters, against what the generator computed
# independently with scapy.
set -euo pipefail
BIN=${1:?usage: test_pcap_forwarding.sh BINDIR}
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

/usr/bin/python3 "$HERE/gen_traffic.py" "$T"
"$BIN/pcap-replay" "$T/in.pcap" "$T/out1.pcap" "$T/out2.pcap" "$T/out3.pcap" >"$T/stats.txt"
cat "$T/stats.txt"

fail=0
for i in 1 2 3; do
	/usr/bin/python3 "$HERE/pcap_compare.py" "$T/out$i.pcap" "$T/expected_out$i.pcap" || fail=1
done
while IFS= read -r line; do
	if ! grep -qx "$line" "$T/stats.txt"; then
		echo "counter mismatch: expected $line, got $(grep "^${line%%=*}=" "$T/stats.txt")"
		fail=1
	fi
done <"$T/expected.txt"
# Three identical rounds: every megaflow is learned in the first, so the
# misses are the flows, and the other rounds are cache hits.
get() { sed -n "s/^$1=//p" "$T/stats.txt"; }
rx=$(get rx_packets)
if [ "$(get misses)" != "$(get flows)" ] || [ "$(get misses)" -ge $((rx / 3)) ]; then
	echo "expected misses == flows < rx/3"
	fail=1
fi
if [ $(($(get emc_hits) + $(get simple_hits) + $(get megaflow_hits) + $(get misses))) -ne "$rx" ]; then
	echo "emc_hits + simple_hits + megaflow_hits + misses != rx_packets"
	fail=1
fi
exit $fail
