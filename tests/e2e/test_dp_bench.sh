#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A short run of dp-bench (every case, one run of 64 Ki packets): it must
# run to the end (it stops when a packet it sent does not come out where
# its megaflows send it), and report cycles and a rate for every case,
# the tunnel shapes among them. The figures of full runs are in
# docs/performance.md; nothing here is timed.
set -uo pipefail
BIN=$(readlink -f "${1:?usage: test_dp_bench.sh BINDIR}")
. "$(dirname "$0")/../lib/e2e.sh"

out=$("$BIN/dp-bench" --runs 1 --packets 65536 --json 2>&1)
rc=$?
check "dp-bench ran every case to the end (exit $rc)" [ "$rc" -eq 0 ]
report=$(/usr/bin/python3 -c 'import json, sys
cases = json.loads(sys.stdin.read())
bad = [c["case"] for c in cases if not (c["cycles_per_packet"] > 0 and c["mpps"] > 0)]
print(len(cases), " ".join(c["case"] for c in cases), "BAD:" + ",".join(bad))' <<<"$out" 2>&1)
echo "$report"
set -- $report
check "cases reported (${1:-none})" [ "${1:-0}" -ge 20 ]
check "every case has cycles and a rate" grep -q "BAD:$" <<<"$report"
for c in emc_hit_1flow flows_1m vxlan_encap_1flow vxlan_encap_recirc_1flow vxlan_decap_1k \
	vxlan_decap_l2_1flow vxlan6_encap_1flow vxlan6_decap_1k vxlan6_decap_l2_1flow \
	vxlan6_decap_l2_1flow_rxcsum geneve_opt_decap_1flow; do
	check "case $c reported" grep -qw "$c" <<<"$report"
done
finish
