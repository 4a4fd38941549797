#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# What "cmake --install" puts on a host (docs/install.md), staged with
# DESTDIR: the programs, man pages that render without warnings, the bash
# completion, a systemd unit that systemd-analyze accepts, a logrotate file
# that logrotate accepts, the documentation. Then the installed daemon runs
# and the installed switch-ctl, through the completion, completes its
# commands, bridges, ports and arguments from it.
set -uo pipefail
BIN=${1:?usage: test_install.sh BINDIR}
. "$(dirname "$0")/../lib/e2e.sh"

S=$$
BUILD=$(cd "$BIN/.." && pwd)
R=$T/root
BR=ib$S

check "cmake --install into a staging tree" \
	sh -c "DESTDIR='$R' cmake --install '$BUILD' --prefix /usr >'$T/install.log' 2>&1"
for f in usr/sbin/vswitchd usr/bin/switch-ctl usr/bin/switch-bench; do
	check "installed: /$f, executable" [ -x "$R/$f" ]
done
for f in usr/share/man/man8/vswitchd.8 usr/share/man/man8/switch-ctl.8 \
	usr/share/bash-completion/completions/switch-ctl usr/lib/systemd/system/vswitchd.service \
	etc/logrotate.d/vswitch usr/share/doc/vswitch/README.md usr/share/doc/vswitch/openflow.md; do
	check "installed: /$f" [ -s "$R/$f" ]
done
check "no test helper installed (virtio-peer)" [ ! -e "$R/usr/bin/virtio-peer" ]
check "no bench helper installed (dp-bench)" [ ! -e "$R/usr/bin/dp-bench" ]
check "no benchmark reports in the docs" [ ! -e "$R/usr/share/doc/vswitch/images" ]

for m in vswitchd switch-ctl; do
	warn=$(MANWIDTH=80 man --warnings -E UTF-8 -l "$R/usr/share/man/man8/$m.8" 2>&1 >/dev/null)
	check "man $m renders without warnings${warn:+: $warn}" [ -z "$warn" ]
	check "man $m has its name and synopsis" sh -c "MANWIDTH=80 man -l '$R/usr/share/man/man8/$m.8' 2>/dev/null | grep -q SYNOPSIS"
done

unit=$R/usr/lib/systemd/system/vswitchd.service
check "the unit starts the installed daemon" grep -q "^ExecStart=/usr/sbin/vswitchd --detach" "$unit"
# systemd-analyze checks the unit; the daemon it names lives in the stage.
sed "s|^ExecStart=/usr/sbin/|ExecStart=$R/usr/sbin/|" "$unit" >"$T/vswitchd.service"
verify=$(MANPATH=$R/usr/share/man systemd-analyze verify "$T/vswitchd.service" 2>&1)
check "systemd-analyze verify accepts the unit${verify:+: $verify}" [ -z "$verify" ]
check "logrotate accepts its file" sh -c "logrotate -d -s '$T/lr.state' '$R/etc/logrotate.d/vswitch' >'$T/lr.out' 2>&1 && ! grep -qi error '$T/lr.out'"

# The installed programs run: the daemon from its stage, switch-ctl on PATH
# for the completion.
"$R/usr/sbin/vswitchd" $(vswitchd_args) --detach --eal "$VSWITCHD_EAL" ||
	{ echo "the installed vswitchd did not start"; cat "$T/vswitchd.log"; }
export PATH=$R/usr/bin:$PATH
check "the installed switch-ctl drives it" switch-ctl --ctl="$T/ctl.sock" add-br "$BR" \
	-- add-port "$BR" im$S type=mem
. "$R/usr/share/bash-completion/completions/switch-ctl"
complete_words() { # the completions of the words given (the last: being typed)
	COMP_WORDS=(switch-ctl "$@")
	COMP_CWORD=$#
	_switch_ctl
	echo "${COMPREPLY[*]}"
}
check "completes commands" [ "$(complete_words add-)" = "add-br add-port add-flow add-flows" ]
check "completes options" grep -q -- "--may-exist" <<<"$(complete_words --m)"
check "completes bridges from the daemon" [ "$(complete_words --ctl="$T/ctl.sock" list-ports "")" = "$BR" ]
check "completes ports from the daemon" grep -qw "im$S" <<<"$(complete_words --ctl="$T/ctl.sock" del-port "")"
check "completes fail modes" [ "$(complete_words --ctl="$T/ctl.sock" set-fail-mode "$BR" s)" = "standalone secure" ]
check "completes tables" [ "$(complete_words list b)" = "bridge" ]
check "completes target kinds" grep -qw "pssl:" <<<"$(complete_words set-controller "$BR" p)"
check "after --, a new command" grep -qw "add-port" <<<"$(complete_words --ctl="$T/ctl.sock" add-br x -- add-p)"
finish
