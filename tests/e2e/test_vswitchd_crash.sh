#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# vswitchd killed with SIGKILL in the middle of a long series of changes
# restarts with the last acknowledged state, byte for byte: after every
# acknowledged change the client copies the database file; after the kill,
# the file must be that copy, or the change that was in flight (saved, not
# yet acknowledged) on top of it, and never anything torn. Three rounds, the
# kill at a different moment in each.
set -uo pipefail
BIN=${1:?usage: test_vswitchd_crash.sh BINDIR}
. "$(dirname "$0")/../lib/e2e.sh"
S=$$

start_vswitchd || { cat "$T/vswitchd.log"; exit 1; }
ctl add-br vb0$S -- add-port vb0$S p1 type=mem tag=0
n=0
for round in 1 2 3; do
	cp "$T/conf.json" "$T/acked.json"
	(
		i=$n
		while ctl set port p1 tag=$((i % 4000)) -- set interface p1 \
			"options:size=$((2 << (i % 10)))" 2>/dev/null; do
			cp "$T/conf.json" "$T/acked.json"
			echo "$i" >"$T/last_acked"
			i=$((i + 1))
		done
	) &
	writer=$!
	E2E_EXTRA_PIDS=$writer
	sleep "0.$((RANDOM % 8 + 3))"
	kill -KILL "$(vswitchd_pid)"
	wait "$writer"
	last=$(cat "$T/last_acked" 2>/dev/null || echo -1)
	check "round $round: some changes were acknowledged before the kill" [ "$last" -ge "$n" ]
	cp "$T/conf.json" "$T/after_kill.json"
	rm -f "$T/vswitchd.pid"
	check "round $round: restarts after SIGKILL" start_vswitchd
	tag=$(ctl get port p1 tag)
	check "round $round: the restart did not rewrite the file" \
		cmp -s "$T/after_kill.json" "$T/conf.json"
	if cmp -s "$T/conf.json" "$T/acked.json"; then
		check "round $round: the running switch has the acknowledged state" \
			[ "$tag" = $((last % 4000)) ]
	else
		# The change in flight was saved but not acknowledged.
		check "round $round: the file is the acknowledged state or the one after it" \
			[ "$tag" = $(((last + 1) % 4000)) ]
		ctl set port p1 tag=$((last % 4000)) -- set interface p1 \
			"options:size=$((2 << (last % 10)))"
		check "round $round: without it, the file is the acknowledged one" \
			cmp -s "$T/conf.json" "$T/acked.json"
	fi
	n=$((last + 1))
done
echo "acknowledged changes before the kills: $n"
check "stop" stop_vswitchd
finish
