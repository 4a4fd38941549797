#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A short run of scripts/bench-upcall.sh (vswitch and an isolated Open
# vSwitch, 1,000 rules, 2,000 new flows a second for 1 s): it must run
# end to end, print both switches, count vswitch's upcall cycles, and
# vswitch must make no more megaflows than Open vSwitch for the same
# traffic (issue 16). The full-size figures are in docs/performance.md.
set -uo pipefail
BIN=$(readlink -f "${1:?usage: test_bench_upcall.sh BINDIR}")
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

out=$(bash "$ROOT/scripts/bench-upcall.sh" --bin "$BIN" --secs 1 --rate 2000 1000 2>&1)
echo "$out" | tail -4
v=$(grep -E '^1000 +vswitch ' <<<"$out" | tr -d '|')
o=$(grep -E '^1000 +Open vSwitch ' <<<"$out" | tr -d '|' | sed 's/Open vSwitch/OVS/')
check "vswitch measured" [ -n "$v" ]
check "Open vSwitch measured" [ -n "$o" ]
read -r _ _ v_sent v_up v_mf _ _ v_hup v_cyc <<<"$v"
read -r _ _ o_sent o_up o_mf _ _ o_hup _ <<<"$o"
check "the flood was sent (vswitch)" [ "${v_sent:-0}" -ge 1600 ]
check "the flood was sent (Open vSwitch)" [ "${o_sent:-0}" -ge 1600 ]
check "vswitch saw upcalls (miss)" [ "${v_up:-0}" -ge 1 ]
check "vswitch saw upcalls (hit)" [ "${v_hup:-0}" -ge 500 ]
check "and counted their cycles" [ "${v_cyc:-0}" -gt 0 ]
check "Open vSwitch saw them too" [ "${o_hup:-0}" -ge 500 ]
check "no more megaflows than Open vSwitch (${v_mf:-?} vs ${o_mf:-?})" \
	[ "${v_mf:-999999}" -le "${o_mf:-0}" ]
echo "test_bench_upcall.sh: $((checks - fails))/$checks checks passed"
[ "$fails" -eq 0 ]
