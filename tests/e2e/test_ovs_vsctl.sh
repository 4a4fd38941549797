#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The same command lines through the real ovs-vsctl and through switch-ctl.
# ovs-vsctl talks to its own ovsdb-server (a private database created from
# Open vSwitch's schema, its own socket, --no-wait: no ovs-vswitchd and no
# datapath); switch-ctl talks to the real vswitchd, whose ports are really
# created. Each command line must print the same thing through both and
# succeed or fail through both (the wording of errors differs: only the
# outcome is compared). What vswitch names differently (its own port types,
# its show) is not run here; docs/ovs-users.md lists it.
set -uo pipefail
BIN=${1:?usage: test_ovs_vsctl.sh BINDIR}
. "$(dirname "$0")/../lib/e2e.sh"

SCHEMA=/usr/share/openvswitch/vswitch.ovsschema
for prog in ovsdb-tool ovsdb-server ovs-vsctl; do
	command -v "$prog" >/dev/null || {
		echo "FAIL: $prog is not installed (scripts/setup.sh installs openvswitch-switch)"
		exit 1
	}
done
[ -r "$SCHEMA" ] || { echo "FAIL: no $SCHEMA"; exit 1; }

S=$$
BR=ovb$S
BR2=ovc$S
P1=vu1$S
P2=vc2$S
PA=pa$S
PB=pb$S

ovsdb-tool create "$T/ovs.db" "$SCHEMA" || exit 1
ovsdb-server --remote="punix:$T/ovsdb.sock" --pidfile="$T/ovsdb.pid" \
	--unixctl="$T/ovsdb.ctl" --log-file="$T/ovsdb.log" --detach --no-chdir "$T/ovs.db" 2>/dev/null ||
	{ echo "FAIL: ovsdb-server did not start"; exit 1; }
E2E_EXTRA_PIDS="$(cat "$T/ovsdb.pid")"
ovs() { ovs-vsctl --db="unix:$T/ovsdb.sock" --no-wait --timeout=20 "$@"; }
ovs init || exit 1
start_vswitchd || { echo "vswitchd did not start"; cat "$T/vswitchd.log"; exit 1; }

# same ARGS...: the same output and the same outcome through both tools.
# SORT=1: records in any order (Open vSwitch orders them by UUID).
same() {
	local a b ra rb
	a=$(ovs "$@" 2>"$T/ovs.err")
	ra=$?
	b=$(ctl "$@" 2>"$T/ctl.err")
	rb=$?
	if [ -n "${SORT:-}" ]; then
		a=$(sort <<<"$a")
		b=$(sort <<<"$b")
	fi
	E2E_CHECKS=$((E2E_CHECKS + 1))
	if [ "$a" != "$b" ] || [ "$ra" != "$rb" ]; then
		echo "FAIL: $*"
		echo "  ovs-vsctl (exit $ra): $a $(cat "$T/ovs.err")"
		echo "  switch-ctl (exit $rb): $b $(cat "$T/ctl.err")"
		E2E_FAILS=$((E2E_FAILS + 1))
	fi
}
# both_fail ARGS...: refused by both, and switch-ctl says why.
both_fail() {
	E2E_CHECKS=$((E2E_CHECKS + 1))
	if ovs "$@" >/dev/null 2>&1 || ctl "$@" >/dev/null 2>"$T/ctl.err" ||
		! grep -q . "$T/ctl.err"; then
		echo "FAIL: $* should fail through both tools with a reason"
		E2E_FAILS=$((E2E_FAILS + 1))
	fi
}

# Bridges and ports as OpenStack and libvirt guides write them.
same add-br "$BR" -- add-port "$BR" "$P1" -- set Interface "$P1" type=dpdkvhostuser
same add-port "$BR" "$P2" -- set Interface "$P2" type=dpdkvhostuserclient \
	"options:vhost-server-path=$T/vm2.sock"
same add-br "$BR2"
same list-br
same list-ports "$BR"
same br-exists "$BR"
same br-exists "no$BR" # exit 2 from both
same port-to-br "$P1"
same iface-to-br "$P2"
same list-ifaces "$BR"
same get Interface "$P1" type
same get Interface "$P2" options:vhost-server-path
same get Interface "$P1" options
both_fail add-br "$BR"
same --may-exist add-br "$BR"
both_fail add-port "$BR" "$P1"
same --may-exist add-port "$BR" "$P1"

# external_ids as Neutron and Nova set them.
same set Interface "$P1" external_ids:iface-id=vm1-port \
	external_ids:attached-mac=52:54:00:00:00:01 external_ids:iface-status=active
same get Interface "$P1" external_ids
same get Interface "$P1" external_ids:iface-id external_ids:attached-mac
both_fail get Interface "$P1" external_ids:vm-uuid
same add Interface "$P1" external_ids vm-uuid=0d2a3c4e
same get Interface "$P1" external_ids:vm-uuid
same remove Interface "$P1" external_ids vm-uuid
same remove Interface "$P1" external_ids iface-status=active
same get Interface "$P1" external_ids
same set Bridge "$BR" other_config:hwaddr=02:00:00:00:00:01
same get Bridge "$BR" other_config
same clear Bridge "$BR" other_config
same get Bridge "$BR" other_config
same br-set-external-id "$BR" bridge-id "$BR"
same br-set-external-id "$BR" owner "the cloud"
same br-get-external-id "$BR"
same br-get-external-id "$BR" bridge-id
same br-get-external-id "$BR" nothing-here
same br-set-external-id "$BR" owner
same br-get-external-id "$BR"

# VLANs: tags and trunk sets.
same set Port "$P1" tag=101
same get Port "$P1" tag
same set Port "$P2" trunks=10,20
same add Port "$P2" trunks 30 40
same remove Port "$P2" trunks 20
same get Port "$P2" trunks
same clear Port "$P1" tag
same get Port "$P1" tag

# find, list and their output formats.
same --bare --columns=name find Interface type=dpdkvhostuser
same --bare --columns=name find Interface external_ids:iface-id=vm1-port
same --bare --columns=name find Interface "name=$P2"
same --bare --columns=name find Interface type=no-such-type
same --columns=name,external_ids list Interface "$P1"
same --bare --columns=external_ids list Interface "$P1"
same --bare --columns=name,type list Interface "$P1" "$P2"
same --format=table --columns=name,type,external_ids list Interface "$P1" "$P2"
same --format=table --columns=name find Interface type=no-such-type
same --format=csv --columns=name,external_ids list Interface "$P1"
same --format=csv --columns=name,trunks,tag list Port "$P2"
same --format=json --columns=name,type,external_ids list Interface "$P1"
same --format=json --columns=name,trunks,tag list Port "$P2"
same --format=json --columns=name find Interface type=no-such-type
same wait-until Interface "$P1" external_ids:iface-id=vm1-port
same wait-until Bridge "$BR" external_ids:bridge-id="$BR"

# Patch ports, one add-port per bridge: the first waits for its peer.
same add-port "$BR" "$PA" -- set Interface "$PA" type=patch "options:peer=$PB"
same add-port "$BR2" "$PB" -- set Interface "$PB" type=patch "options:peer=$PA"
same get Interface "$PA" options:peer
SORT=1 same --bare --columns=name find Interface type=patch

# Controllers and fail mode.
same set-controller "$BR" tcp:127.0.0.1:6653 "punix:$T/$BR.ctrl"
same get-controller "$BR"
same set-fail-mode "$BR" secure
same get-fail-mode "$BR"
same del-fail-mode "$BR"
same get-fail-mode "$BR"
same del-controller "$BR"
same get-controller "$BR"
both_fail set-fail-mode "$BR" open

# Removal.
same del-port "$BR" "$P2"
both_fail del-port "$BR" "$P2"
same --if-exists del-port "$BR" "$P2"
same list-ports "$BR"
same del-br "$BR2"
same --if-exists del-br "$BR2"
same list-br
check "vswitchd still runs" kill -0 "$(vswitchd_pid)"

finish
