#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A short run of scripts/bench-tunnel.sh (one round of 1 s at 20,000
# packets a second, VXLAN, then Geneve): it must run end to end, every
# stream must reach the switches (a packet counted per packet sent, within
# loss), and each run must report busy cycles. The figures of full runs
# are in docs/performance-tunnels.md; nothing here is timed.
set -uo pipefail
BIN=$(readlink -f "${1:?usage: test_bench_tunnel.sh BINDIR}")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
fails=0 checks=0
check() {
	local what=$1
	shift
	checks=$((checks + 1))
	"$@" && return 0
	echo "FAIL: $what"
	fails=$((fails + 1))
}

for type in vxlan geneve; do
	out=$(bash "$ROOT/scripts/bench-tunnel.sh" --bin "$BIN" --rounds 1 --secs 1 --rate 20000 \
		--type $type 2>&1)
	echo "$out" | tail -3
	# "1   CYC (NNk) CYC (NNk) CYC (NNk)"
	read -r _ l lrx e erx d drx <<<"$(grep -E '^1 ' <<<"$out" | tr -d '()k')"
	for x in "local ${l:-0} ${lrx:-0}" "encapsulated ${e:-0} ${erx:-0}" \
		"decapsulated ${d:-0} ${drx:-0}"; do
		set -- $x
		check "$type: $1 packets reached the switch (${3}k)" [ "$3" -ge 10 ]
		check "$type: $1 busy cycles counted ($2)" [ "$2" -gt 0 ]
	done
	check "$type: the medians and ratios" grep -q '^median: local' <<<"$out"
done
echo "test_bench_tunnel.sh: $((checks - fails))/$checks checks passed"
[ "$fails" -eq 0 ]
