#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# vswitchd and switch-ctl end to end: the real daemon with pcap and
# in-memory ports. Bridges and ports are added, listed, shown and removed;
# every rejected input is refused with its reason and changes neither the
# database file nor the running switch; a transaction that fails half-way
# (in validation or while being applied) leaves nothing behind; restarts
# rebuild the switch from the file; a second instance, a corrupt file and a
# bad command line are refused with a clear message.
set -uo pipefail
BIN=${1:?usage: test_vswitchd.sh BINDIR}
. "$(dirname "$0")/../lib/e2e.sh"
S=$$

start_vswitchd || { echo "vswitchd did not start"; cat "$T/vswitchd.log"; exit 1; }
check "control socket is mode 0660" [ "$(stat -c %a "$T/ctl.sock")" = 660 ]

# Bridges and ports.
check "add-br/add-port" ctl add-br vb0$S -- add-port vb0$S p1 type=mem tag=10 \
	-- add-port vb0$S p2 type=pcap "options:tx_pcap=$T/p2.pcap" \
	-- add-port vb0$S p3 type=mem vlan_mode=trunk trunks=10,20
check "add-br vb1$S" ctl add-br vb1$S
check "list-br" [ "$(ctl list-br | tr '\n' ' ')" = "vb0$S vb1$S " ]
check "list-ports" [ "$(ctl list-ports vb0$S | tr '\n' ' ')" = "p1 p2 p3 " ]
check "br-exists vb0$S" ctl br-exists vb0$S
ctl br-exists nope
check "br-exists nope exits 2" [ $? -eq 2 ]
check "port-to-br" [ "$(ctl port-to-br p2)" = vb0$S ]
check "get tag" [ "$(ctl get port p1 tag)" = 10 ]
check "get trunks" [ "$(ctl get port p3 trunks)" = "[10, 20]" ]
check "get options:key" [ "$(ctl get interface p2 options:tx_pcap)" = "\"$T/p2.pcap\"" ]
show=$(ctl show)
check "show lists the ports" grep -q "Port p3" <<<"$show"
# Five datapath ports: p1-p3 and the bridges' own ports vb0$S and vb1$S.
check "show has datapath ports" [ "$(grep -c 'datapath port:' <<<"$show")" -eq 5 ]
check "a bridge's own port is a kernel interface" ip link show vb1$S
check "pcap port created its file" [ -f "$T/p2.pcap" ]
check "pmd-rxq-show lists every port" [ "$(ctl pmd-rxq-show | grep -c 'port: ')" -eq 5 ]
check "pmd-stats-show" grep -q "packets received: 0" <<<"$(ctl pmd-stats-show)"
check "pmd-stats-clear" ctl pmd-stats-clear
check "pmd-perf-show with no traffic: every queue, nothing received" \
	[ "$(ctl pmd-perf-show | grep -cE '^  [a-z0-9]+ +0 +[0-9]+ +0 +0 ')" -eq 5 ]
check "dump-dp-flows (empty)" [ -z "$(ctl dump-dp-flows)" ]
check "--json list-br" [ "$(ctl --json list-br | tr -d ' \n')" = "[\"vb0$S\",\"vb1$S\"]" ]
check "--json show" grep -q '"port_no"' <<<"$(ctl --json show)"
check "set and clear" ctl set port p1 tag=20 -- set interface vb0$S mtu_request=9000
check "set took effect" [ "$(ctl get port p1 tag)" = 20 ]
check "MTU reached the kernel" grep -q "mtu 9000" <<<"$(ip link show vb0$S)"
expect_fail "type mem does not support mtu_request" set interface p1 mtu_request=9000
check "clear" ctl clear interface vb0$S mtu_request
check "cleared" [ "$(ctl get interface vb0$S mtu_request)" = "[]" ]
check "controllers" ctl set-controller vb0$S tcp:127.0.0.1:6653 ptcp:6634:127.0.0.1 \
	-- set-fail-mode vb0$S secure
check "get-controller" [ "$(ctl get-controller vb0$S | wc -l)" -eq 2 ]
check "get-fail-mode" [ "$(ctl get-fail-mode vb0$S)" = secure ]
check "list bridge" grep -q "fail_mode *: secure" <<<"$(ctl list bridge vb0$S)"
check "global tuning" ctl set global . emc_entries=4096 emc_insert_inv_prob=10

# An idle PMD thread sleeps (a few thousand empty polls a second); with
# pmd_max_sleep_us=0 it polls all the time (millions), and back.
idle_iters() {
	ctl --json pmd-stats-show | /usr/bin/python3 -c \
		'import json, sys; print(sum(p["idle_iterations"] for p in json.load(sys.stdin)["pmds"]))'
}
idle_rate() { # empty polls in half a second
	local a b
	a=$(idle_iters)
	sleep 0.5
	b=$(idle_iters)
	echo $((b - a))
}
slept=$(idle_rate)
check "an idle PMD thread sleeps ($slept empty polls in 0.5 s)" [ "$slept" -lt 20000 ]
check "pmd_max_sleep_us=0" ctl set global . pmd_max_sleep_us=0
polled=$(idle_rate)
check "then it never sleeps ($polled empty polls in 0.5 s)" [ "$polled" -gt 200000 ]
check "pmd_max_sleep_us back to 250" ctl set global . pmd_max_sleep_us=250
expect_fail "pmd_max_sleep_us" set global . pmd_max_sleep_us=20000
check "tx_flush_interval_us=50" ctl set global . tx_flush_interval_us=50
expect_fail "tx_flush_interval_us" set global . tx_flush_interval_us=2000000
check "tx_flush_interval_us back to 0" ctl set global . tx_flush_interval_us=0
check "ports survive a datapath restart" [ "$(ctl show | grep -c 'datapath port:')" -eq 5 ]
check "--may-exist" ctl --may-exist add-br vb0$S -- --may-exist add-port vb0$S p1
check "--if-exists" ctl --if-exists del-port nope -- --if-exists del-br nope

# Every rejected input changes nothing: not the file, not the switch.
cp "$T/conf.json" "$T/before.json"
show_before=$(ctl show)
expect_fail "no bridge named nobr" add-port nobr x1 type=mem
expect_fail "already exists on bridge vb0$S" add-port vb1$S p1 type=mem
expect_fail "a bridge named vb0$S already exists" add-br vb0$S
expect_fail "tag 4096 is outside 0-4095" add-port vb0$S x1 type=mem tag=4096
expect_fail "trunks -1 is outside 0-4095" set port p3 trunks=10,-1
expect_fail "unknown type 'warp'" add-port vb0$S x1 type=warp
expect_fail "type mem has no option 'speed'" add-port vb0$S x1 type=mem options:speed=10
expect_fail "does not take a tag" set port p1 vlan_mode=trunk
expect_fail "not a controller target" set-controller vb0$S tcp:example
expect_fail "is not one of: standalone, secure" set-fail-mode vb0$S open
expect_fail "not a valid name" add-br "bad/name"
expect_fail "no column 'colour'" set port p1 colour=red
expect_fail "unknown table" list flows
expect_fail "CPU 63 is not available" set global . pmd_cpu_mask=0x8000000000000000
expect_fail "No such file or directory" add-port vb0$S x1 type=pcap options:rx_pcap=$T/nonexistent.pcap
# Test-only ports reach files only under --test-dir (the e2e library's $T).
expect_fail "rx_pcap /etc/shadow is outside the test directory" \
	add-port vb0$S x1 type=pcap options:rx_pcap=/etc/shadow
expect_fail "is outside the test directory" add-port vb0$S x1 type=pcap \
	options:tx_pcap=/tmp/vs-outside-$S.pcap
check "a refused tx_pcap creates no file" [ ! -e "/tmp/vs-outside-$S.pcap" ]
expect_fail "is outside the test directory" add-port vb0$S x1 type=pcap \
	options:tx_pcap="$T/../vs-escape-$S.pcap"
cp /etc/hostname "$T/hostname.copy"
ln -s /etc/hostname "$T/link.pcap"
expect_fail "is a symbolic link" add-port vb0$S x1 type=pcap options:tx_pcap="$T/link.pcap"
check "the link's target is untouched" cmp -s /etc/hostname "$T/hostname.copy"
expect_fail "inject /etc/passwd is outside the test directory" inject p1 /etc/passwd
expect_fail "unknown command" frobnicate
expect_fail "needs exactly these arguments" add-br
expect_fail "does not take --if-exists" --if-exists add-br br5
# Half-way failures: in validation, and while applying (x1 opens, x2 fails).
expect_fail "already exists on bridge vb0$S" add-br vb9$S -- add-port vb9$S q1 type=mem \
	-- add-port vb9$S p1 type=mem
expect_fail "rx_pcap" add-port vb0$S x1 type=mem -- add-port vb0$S x2 type=pcap \
	options:rx_pcap=/nonexistent.pcap
check "rejected inputs left the file alone" cmp -s "$T/conf.json" "$T/before.json"
check "rejected inputs left the switch alone" [ "$(ctl show)" = "$show_before" ]
check "no port x1 left running" [ "$(ctl pmd-rxq-show | grep -c 'port: ')" -eq 5 ]

# DPDK's messages come through the log in its format; module levels.
check "DPDK's lines are log lines of module dpdk" grep -q "|info|dpdk|EAL: " "$T/vswitchd.log"
check "no raw DPDK line in the log" sh -c "! grep -q '^EAL' '$T/vswitchd.log'"
check "vlog-set" ctl vlog-set bridge:warn
check "vlog-list shows it" grep -qE "^bridge +warn$" <<<"$(ctl vlog-list)"
check "a port added" ctl add-port vb0$S lq1 type=mem
check "bridge at warn: no info line for it" sh -c "! grep -q 'info|bridge|added port lq1' '$T/vswitchd.log'"
check "log-level MODULE LEVEL, the same" ctl log-level bridge default
check "another port" ctl add-port vb0$S lq2 type=mem
check "bridge at the default: its info line" grep -q "info|bridge|added port lq2" "$T/vswitchd.log"
check "the others were not silenced" grep -q "info|vswitchd|" "$T/vswitchd.log"
expect_fail "'bogus' is not MODULE:LEVEL" vlog-set bogus
expect_fail "'bridge:loud' is not MODULE:LEVEL" vlog-set bridge:loud
expect_fail "is not a module name" vlog-set "no such:info"
check "clean up" ctl del-port lq1 -- del-port lq2
# Open vSwitch's database habits: external_ids and other_config on every
# record, add/remove on sets and maps, find, and the verbs around them.
opens() { grep -c "added port p1 " "$T/vswitchd.log"; }
opened=$(opens)
check "external_ids on an interface" ctl set interface p1 external_ids:iface-id=vif-$S \
	external_ids:attached-mac=52:54:00:00:00:01 other_config:note=x
check "read back, one key" [ "$(ctl get interface p1 external_ids:iface-id)" = "vif-$S" ]
check "find by it" grep -qE "^name +: p1$" <<<"$(ctl find interface external_ids:iface-id=vif-$S)"
check "find what nothing has" [ -z "$(ctl find interface external_ids:iface-id=none$S)" ]
check "tags reopen no port" [ "$(opens)" = "$opened" ]
check "remove a key" ctl remove interface p1 external_ids attached-mac
check "the other stays" [ "$(ctl get interface p1 external_ids)" = "{iface-id=vif-$S}" ]
check "add to a set" ctl add port p3 trunks 30 40
check "remove from a set" ctl remove port p3 trunks 10
check "the set" [ "$(ctl get port p3 trunks)" = "[20, 30, 40]" ]
expect_fail "trunks 5000 is outside 0-4095" add port p3 trunks 5000
expect_fail "column tag is not a set or a map" add port p1 tag 5
expect_fail "'novalue' is not KEY=VALUE" add interface p1 external_ids novalue
expect_fail "table port has no column 'colour'" find port colour=red
check "br-set-external-id" ctl br-set-external-id vb0$S bridge-id vb0-$S
check "br-get-external-id" [ "$(ctl br-get-external-id vb0$S bridge-id)" = "vb0-$S" ]
check "br-set-external-id without a value removes the key" ctl br-set-external-id vb0$S bridge-id
check "gone" [ -z "$(ctl br-get-external-id vb0$S)" ]
check "iface-to-br" [ "$(ctl iface-to-br p1)" = "vb0$S" ]
check "list-ifaces" grep -qx p3 <<<"$(ctl list-ifaces vb0$S)"
p1tag=$(ctl get port p1 tag)
check "--columns --format=csv" [ "$(ctl --columns=name,tag --format=csv list port p1)" = "$(printf 'name,tag\np1,%s' "$p1tag")" ]
check "--bare" [ "$(ctl --bare --columns=name find interface external_ids:iface-id=vif-$S)" = p1 ]
check "--format=json" grep -qF "{\"data\":[[\"p1\",$p1tag]],\"headings\":[\"name\",\"tag\"]}" \
	<<<"$(ctl --columns=name,tag --format=json list port p1)"
check "--format=table" grep -qE "^p1 +$p1tag" <<<"$(ctl --columns=name,tag --format=table list port p1)"
out=$("$BIN/switch-ctl" --ctl "$T/ctl.sock" --format=xml list port 2>&1)
check "--format=xml refused" grep -q "is not list, table, csv or json" <<<"$out"
check "wait-until: already so" ctl wait-until interface p1 external_ids:iface-id=vif-$S
(sleep 1; ctl set port p3 external_ids:ready=yes >/dev/null) &
setter=$!
check "wait-until: until another command makes it so" ctl --timeout=10 wait-until port p3 external_ids:ready=yes
wait "$setter"
out=$("$BIN/switch-ctl" --ctl "$T/ctl.sock" --timeout=1 wait-until port p3 external_ids:ready=no 2>&1)
check "wait-until: gives up at --timeout" grep -q "did not get there in 1 s" <<<"$out"
check "as it was" ctl set port p3 trunks=10,20 -- clear interface p1 external_ids other_config -- clear port p3 external_ids
check "a patch port whose peer is not there yet" ctl add-port vb0$S x1 type=patch options:peer=nowhere
check "removed again" ctl del-port x1

check "no bridge vb9$S" [ "$(ctl list-br | tr '\n' ' ')" = "vb0$S vb1$S " ]

# EAL options are checked before they are saved: a bad one would stop the
# next start.
expect_fail "'--bogus-flag' is not a DPDK EAL option" set global . eal_args=--bogus-flag
expect_fail "eal_args: --file-prefix needs a value" set global . eal_args=--file-prefix
check "good EAL options are taken" ctl set global . "eal_args=--log-level 7 --no-hpet"
note=$(ctl set global . "eal_args=--log-level 6" 2>&1 >/dev/null)
check "saying they take effect at the next start" \
	grep -qx "switch-ctl: note: eal_args is saved; it takes effect when vswitchd next starts" <<<"$note"
check "and cleared" ctl clear global . eal_args
note=$(ctl set global . eal_memory_mb=300 2>&1 >/dev/null)
check "eal_memory_mb too" grep -q "note: eal_memory_mb is saved" <<<"$note"
note=$(ctl set global . eal_memory_mb=300 2>&1 >/dev/null)
check "no note when nothing changes" [ -z "$note" ]
check "a setting that applies at once gets no note" \
	[ -z "$(ctl set global . upcall_burst=2001 2>&1 >/dev/null)" ]
check "cleared" ctl clear global . eal_memory_mb upcall_burst

# SIGHUP, as logrotate sends it: the daemon goes on and writes a new log.
mv "$T/vswitchd.log" "$T/vswitchd.log.1"
kill -HUP "$(vswitchd_pid)"
for _ in $(seq 50); do [ -s "$T/vswitchd.log" ] && break; sleep 0.1; done
check "SIGHUP: still running" ctl show >/dev/null
check "SIGHUP: a new log file" grep -q "log file reopened" "$T/vswitchd.log"
lines=$(wc -l <"$T/vswitchd.log.1")
ctl add-br brhup$$ >/dev/null && ctl del-br brhup$$ >/dev/null
check "SIGHUP: the old file is let go" [ "$(wc -l <"$T/vswitchd.log.1")" = "$lines" ]
cat "$T/vswitchd.log.1" "$T/vswitchd.log" >"$T/log.joined" && mv "$T/log.joined" "$T/vswitchd.log"

# A restart rebuilds the same switch from the file, which it does not touch.
check "stop" stop_vswitchd
check "socket removed on SIGTERM" [ ! -e "$T/ctl.sock" ]
check "pidfile removed on SIGTERM" [ ! -e "$T/vswitchd.pid" ]
cp "$T/conf.json" "$T/before.json"
check "restart" start_vswitchd
# (Datapath port numbers are given anew; OpenFlow ones are kept.)
ctl show | grep -v "datapath port:" >"$T/show.after"
grep -v "datapath port:" <<<"$show_before" >"$T/show.before"
check "same switch after restart" cmp -s "$T/show.before" "$T/show.after"
check "file untouched by the restart" cmp -s "$T/conf.json" "$T/before.json"

# A second daemon on the same database or the same socket is refused.
out=$("$BIN/vswitchd" --db "$T/conf.json" --ctl "$T/other.sock" --run-dir "$T/run" \
	--eal "$VSWITCHD_EAL" 2>&1)
check "second instance on the database refused" [ $? -ne 0 ]
check "says the database is in use" grep -q "conf.json is in use by another vswitchd" <<<"$out"
out=$("$BIN/vswitchd" --db "$T/other.json" --ctl "$T/ctl.sock" --run-dir "$T/run" \
	--eal "$VSWITCHD_EAL" 2>&1)
check "second instance on the socket refused" [ $? -ne 0 ]
check "says the socket is in use" grep -q "ctl.sock is in use" <<<"$out"
check "the first one still answers" ctl br-exists vb0$S
check "stop again" stop_vswitchd

# A truncated or corrupt database stops the start with line and column.
head -c 200 "$T/before.json" >"$T/conf.json"
cp "$T/conf.json" "$T/corrupt.json"
out=$("$BIN/vswitchd" $(vswitchd_args) --eal "$VSWITCHD_EAL" 2>&1)
check "truncated database refused" [ $? -ne 0 ]
check "with file, line and column" grep -qE "conf.json:[0-9]+:[0-9]+: " <<<"$out"
check "truncated file left as it was" cmp -s "$T/conf.json" "$T/corrupt.json"
printf '{"version": 1,\n "global": {},\n "bridges": {"%s": {"ports": {}}},\n}\n' \
	"vb0$S" >"$T/conf.json"
out=$("$BIN/vswitchd" $(vswitchd_args) --eal "$VSWITCHD_EAL" 2>&1)
check "corrupt database refused" [ $? -ne 0 ]
check "at line 4" grep -qE "conf.json:4:[0-9]+: " <<<"$out"
printf '{"version": 1, "global": {}, "bridges": {"%s": {"ports": {"p1": {"tag": 9999,
  "interfaces": {"p1": {"type": "mem"}}}}}}}\n' "vb0$S" >"$T/conf.json"
out=$("$BIN/vswitchd" $(vswitchd_args) --eal "$VSWITCHD_EAL" 2>&1)
check "invalid database refused" grep -q "tag 9999 is outside 0-4095" <<<"$out"
check "no daemon left from refused starts" [ ! -e "$T/ctl.sock" ]

# A port its type refuses (here from a hand-written file) does not keep the
# daemon or the other ports down; the error names it.
printf '{"version": 1, "global": {}, "bridges": {"%s": {"ports": {
  "p1": {"interfaces": {"p1": {"type": "mem", "mtu_request": 9000}}},
  "p2": {"interfaces": {"p2": {"type": "mem"}}}}}}}\n' "vb0$S" >"$T/conf.json"
check "starts with a port its type refuses" start_vswitchd
check "the good port runs" grep -q "port: p2" <<<"$(ctl pmd-rxq-show)"
check "the bad port is named in the log" grep -q "port p1: type mem does not support" \
	"$T/vswitchd.log"
check "stop the daemon with a bad port" stop_vswitchd

# In the foreground, SIGINT stops it cleanly too.
rm -f "$T/conf.json"
"$BIN/vswitchd" $(vswitchd_args) --eal "$VSWITCHD_EAL" 2>"$T/fg.err" &
fg=$!
E2E_EXTRA_PIDS=$fg
for _ in $(seq 100); do [ -S "$T/ctl.sock" ] && break; sleep 0.1; done
check "foreground daemon answers" ctl add-br vbf$S
kill -INT "$fg"
wait "$fg"
check "SIGINT: exit status 0" [ $? -eq 0 ]
check "SIGINT: socket removed" [ ! -e "$T/ctl.sock" ]

# With the default EAL arguments it takes hugepages when enough are free
# (in memory, no files) and gives them back on exit; otherwise it says why
# it runs without them.
free_before=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
VSWITCHD_EAL="" start_vswitchd
check "default EAL start" ctl br-exists vbf$S
free_during=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
if grep -q -- "--in-memory" "$T/vswitchd.log"; then
	check "hugepages in use while running" [ "$free_during" -lt "$free_before" ]
	check "no hugepage files" [ -z "$(find /dev/hugepages -name '*vswitchd*' 2>/dev/null)" ]
else
	check "says why it runs without hugepages" grep -q "running without hugepages" \
		"$T/vswitchd.log"
fi
check "stop the hugepage daemon" stop_vswitchd
check "hugepages given back" [ "$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)" -eq "$free_before" ]

# Bad command lines.
out=$("$BIN/vswitchd" --bogus 2>&1)
check "unknown option refused" [ $? -eq 2 ]
out=$("$BIN/vswitchd" --log-level=loud 2>&1)
check "bad log level refused" grep -q "not err, warn, info or dbg" <<<"$out"

# Relative paths keep their meaning after --detach moves to /.
mkdir -p "$T/rel"
(cd "$T/rel" && "$BIN/vswitchd" --db c.json --ctl ctl.sock --run-dir run --pidfile pid \
	--log-file log --detach --eal "$VSWITCHD_EAL")
rel_pid=$(cat "$T/rel/pid" 2>/dev/null || true)
E2E_EXTRA_PIDS="${E2E_EXTRA_PIDS:-} $rel_pid"
check "relative paths: the socket is where it was asked" \
	"$BIN/switch-ctl" --ctl "$T/rel/ctl.sock" add-br rbr0
check "relative paths: the database is where it was asked" grep -q rbr0 "$T/rel/c.json"
# Started without --test-dir: the test-only types are refused.
out=$("$BIN/switch-ctl" --ctl "$T/rel/ctl.sock" add-port rbr0 rm0$S type=mem 2>&1)
check "without --test-dir, type mem is refused" grep -q "type mem is for tests: start vswitchd with --test-dir" <<<"$out"
out=$("$BIN/switch-ctl" --ctl "$T/rel/ctl.sock" add-port rbr0 rp0$S type=pcap \
	options:rx_pcap="$T/rel/x.pcap" 2>&1)
check "without --test-dir, type pcap is refused" grep -q "type pcap is for tests" <<<"$out"
"$BIN/switch-ctl" --ctl "$T/rel/ctl.sock" del-br rbr0 >/dev/null 2>&1 # its device outlives it
[ -n "$rel_pid" ] && kill -TERM "$rel_pid"
for _ in $(seq 50); do alive "$rel_pid" || break; sleep 0.1; done
gone() { ! alive "$1"; }
check "relative-path daemon stopped" gone "$rel_pid"
finish
