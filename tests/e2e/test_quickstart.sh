#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the commands of docs/quickstart.md's "By hand" section: each `sh`
# block in order (except the one marked as needing libvirt), with
# this test's private paths and names in place of the defaults, and each
# must succeed. A line "! CMD" must fail. So the quick start stays true.
set -uo pipefail
BIN=$(readlink -f "${1:?usage: test_quickstart.sh BINDIR}")
. "$(dirname "$0")/../lib/e2e.sh"

S=$$
ROOT=$(readlink -f "$(dirname "$0")/../..")
DOC=$ROOT/docs/quickstart.md
E2E_NETNS="qs1_$S qs2_$S" # deleted at exit even if a block fails
# The quick start's QEMU runs in the background of a block: killed at exit
# too, so that a test stopped half-way (a timeout, ^C) leaves no guest
# spinning on a CPU.
e2e_extra_cleanup() { pkill -KILL -f "[q]emu-system.*$T" 2>/dev/null || true; }

/usr/bin/python3 - "$DOC" "$T" <<'EOF'
import re, sys
doc, out = sys.argv[1], sys.argv[2]
text = open(doc).read()
section = text[text.index("## By hand"):text.index("## Next")]
blocks, lines, inside, skip, prev = [], [], False, False, ""
for line in section.splitlines():
    if not inside and line.startswith("```"):
        inside, lines = True, []
        skip = line.strip() != "```sh" or prev.startswith("<!-- not run")
    elif inside and line.startswith("```"):
        inside = False
        if not skip:
            blocks.append(lines)
    elif inside:
        lines.append(line)
    if line.strip():
        prev = line.strip()
for i, b in enumerate(blocks, 1):
    with open(f"{out}/block{i}.sh", "w") as f:
        f.write("\n".join(b) + "\n")
print(len(blocks))
EOF
n=$(ls "$T"/block*.sh 2>/dev/null | wc -l)
check "the quick start has commands to run" [ "$n" -ge 6 ]

pid=
for i in $(seq "$n"); do
	# The daemon's PID as soon as it has one: the last block stops it,
	# and its pidfile goes with it.
	[ -n "$pid" ] || pid=$(cat "$T/vswitchd.pid" 2>/dev/null)
	# Private paths and names; "! CMD" must fail. Each block runs in a
	# shell of its own, with what the first exports.
	echo "export PATH=$BIN:\$PATH" >"$T/run$i.sh"
	sed -E -e "s|\\\$PWD/build/bin|$BIN|g" \
		-e "s|vswitchd --detach|vswitchd --detach --db $T/conf.json --ctl $T/ctl.sock --run-dir $T/run --log-file $T/vswitchd.log --eal \"$VSWITCHD_EAL\"|" \
		-e "s|/run/vswitch/vswitchd.pid|$T/vswitchd.pid|g" \
		-e "s|/run/vm1.sock|$T/vm1.sock|g" -e "s|/tmp/vm1.log|$T/vm1.log|g" \
		-e "s|scripts/build-guest.sh|$ROOT/scripts/build-guest.sh|g" \
		-e "s/\\bns([12])\\b/qs\\1_$S/g" -e "s/\\btap([12])\\b/qt\\1_$S/g" \
		-e "s/\\bbr0\\b/qb$S/g" \
		-e 's/^! (.*)$/if \1; then echo "expected to fail: \1"; exit 1; fi/' \
		"$T/block$i.sh" >>"$T/run$i.sh"
	echo "--- block $i"
	cat "$T/run$i.sh"
	check "quick start block $i: $(head -1 "$T/block$i.sh")" \
		timeout 60 env VSWITCH_CTL="$T/ctl.sock" bash -e "$T/run$i.sh"
done
for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done
stopped() { [ -n "$1" ] && ! alive "$1"; }
# The QEMU the quick start started (it powers off by itself).
for _ in $(seq 100); do pgrep -f "[q]emu-system.*$T" >/dev/null || break; sleep 0.1; done
check "its QEMU guest powered off" sh -c "! pgrep -f '[q]emu-system.*$T' >/dev/null"
check "the daemon it started ($pid) stopped" stopped "$pid"
finish
