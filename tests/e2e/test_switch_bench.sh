#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A smoke run of every switch-bench subcommand and topology at small rates
# (seconds each): each report must validate against
# docs/switch-bench.schema.json, count the frames it offered, lose none at
# a rate far below what the switch forwards, and refuse bad arguments with
# exit code 2. The full-size runs are benchmarks (docs/performance.md).
set -uo pipefail
BIN=$(readlink -f "${1:?usage: test_switch_bench.sh BINDIR}")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SCHEMA=$ROOT/docs/switch-bench.schema.json
# check, finish and $T (switch-bench starts its own daemon, not this one).
. "$(dirname "$0")/../lib/e2e.sh"
ls -d /tmp/switch-bench.* 2>/dev/null | sort >"$T/dirs.before"

# query FILE EXPR: a Python expression over the report 'r' (True/False).
query() {
	/usr/bin/python3 - "$1" "$SCHEMA" "$2" <<'PYEND'
import json, sys
import jsonschema
r = json.load(open(sys.argv[1]))
jsonschema.validate(r, json.load(open(sys.argv[2])))
ok = eval("(" + sys.argv[3] + ")", {"r": r})
sys.exit(0 if ok else 1)
PYEND
}

sb() { "$BIN/switch-bench" --bin "$BIN" --warmup 0.3 --duration 1 --repeat 1 "$@"; }

# One direction, then a VM that loops back, then both ways: 20,000 frames
# a second per VM, far below what the switch forwards, so none is lost.
for topo in p2p pvp vm2vm-bi; do
	sb run --topology "$topo" --rate 20000 --json >"$T/$topo.json" 2>"$T/$topo.err"
	check "$topo: exit 0" [ $? -eq 0 ]
	check "$topo: a report that validates and is complete" query "$T/$topo.json" 'r["complete"]'
	dirs=$([ "$topo" = vm2vm-bi ] && echo 2 || echo 1)
	check "$topo: $dirs direction(s), each offered about 20,000 frames and lost none" \
		query "$T/$topo.json" "len(r['cases'][0]['trials'][0]['directions']) == $dirs and all(
		  18000 <= d['offered_frames'] <= 22000 and d['rx_frames'] == d['offered_frames']
		  and d['loss_pct'] == 0 and not d['generator_limited']
		  and 0 < d['latency_ns']['p50'] <= d['latency_ns']['p99'] <= d['latency_ns']['max']
		  for d in r['cases'][0]['trials'][0]['directions'])"
	check "$topo: the switch's busy cycles were counted" \
		query "$T/$topo.json" "r['cases'][0]['trials'][0]['switch']['busy_cycles_per_packet'] > 0
		  and r['cases'][0]['trials'][0]['switch']['rx_packets'] >= 20000"
done
check "the machine is recorded" query "$T/p2p.json" \
	"r['machine']['cpus'] >= 1 and r['machine']['cpu_model'] and r['machine']['dpdk']"

# A search (coarse) finds a zero-loss rate above zero and at most the
# ceiling the VMs offered at full speed.
sb search --loss 0 --precision 25 --json >"$T/search.json" 2>"$T/search.err"
check "search: exit 0" [ $? -eq 0 ]
check "search: a zero-loss rate was found" query "$T/search.json" \
	"r['cases'][0]['searches'][0]['rate_pps'] > 0 and r['cases'][0]['searches'][0]['steps'] >= 1"

# A sweep: two sizes (one of them IMIX) by two flow counts, paced, with
# its charts as SVG.
sb sweep --size 64,imix --flows 1,1000 --rate 20000 --json --plot "$T/sweep.svg" \
	>"$T/sweep.json" 2>"$T/sweep.err"
check "sweep: exit 0" [ $? -eq 0 ]
check "sweep: the chart is an SVG with three plots" \
	[ "$(grep -c '<g id="gnuplot_plot_' "$T/sweep.svg" 2>/dev/null)" -ge 3 ]
check "sweep: a latency CDF per case, ending at 1" query "$T/sweep.json" \
	"all(c['latency_cdf'][-1][1] == 1 and all(a[0] <= b[0] and a[1] <= b[1]
	  for a, b in zip(c['latency_cdf'], c['latency_cdf'][1:])) for c in r['cases'])"
check "sweep: four cases, every one forwarded" query "$T/sweep.json" \
	"len(r['cases']) == 4 and sorted((c['size'], c['flows']) for c in r['cases']) ==
	  [('64', 1), ('64', 1000), ('imix', 1), ('imix', 1000)] and
	  all(c['summary']['rx_mpps']['median'] > 0.015 for c in r['cases'])"

# The text report is a table with the case in it; a PNG chart.
sb run --rate 20000 --plot "$T/run.png" >"$T/text.out" 2>&1
check "text report" grep -qE '^p2p +64 +1 +0\.0[12]' "$T/text.out"
check "a PNG chart" [ "$(head -c 4 "$T/run.png" 2>/dev/null | od -An -c | tr -d ' ')" = '211PNG' ]
"$BIN/switch-bench" plot "$T/sweep.json" --plot "$T/again.svg"
check "plot of a saved report" cmp -s "$T/sweep.svg" "$T/again.svg"

# Bad arguments: a clear message, exit code 2, no switch started.
for args in "--size 20" "--topology ring" "--flows 0" "--rate -5" "--pipeline x" \
	"run --size 64,128" "bogus" "--plot chart.gif" "--pmd-sleep 20000"; do
	# shellcheck disable=SC2086
	"$BIN/switch-bench" --bin "$BIN" $args >"$T/bad.out" 2>&1
	rc=$?
	check "refused: $args (exit $rc)" [ $rc -eq 2 ]
	check "with a message: $args" grep -q "switch-bench: " "$T/bad.out"
done
ls -d /tmp/switch-bench.* 2>/dev/null | sort >"$T/dirs.after"
check "no private directory left behind" cmp -s "$T/dirs.before" "$T/dirs.after"
check "no vswitchd left running from the benchmark" \
	[ -z "$(pgrep -f "vswitchd --db /tmp/switch-bench\.")" ]

finish
