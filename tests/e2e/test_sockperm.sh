#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Who may connect to the sockets the daemon serves (docs/ports.md, "Socket
# ownership"): a vhost-user server socket is mode 0660 by default, and the
# port's owner, group and mode options give it to another user (QEMU run
# by libvirt as libvirt-qemu; here "nobody"), who can then connect while
# the default socket stays closed to them; the global socket_group and
# socket_mode do the same for ports without their own and for the
# OpenFlow unix listeners, including the bridge's .mgmt socket, where
# ovs-ofctl run as that user then works. Unknown users and groups and bad
# modes are refused with the reason.
set -uo pipefail
BIN=${1:?usage: test_sockperm.sh BINDIR}
. "$(dirname "$0")/../lib/e2e.sh"

S=$$
BR=spb$S
RUN=$T/run

# as_nobody CMD...: CMD as user nobody, group nogroup, no other groups.
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
# can_connect PATH: a unix stream connect to PATH succeeds (as the caller);
# nobody_can_connect PATH: the same as nobody.
CONNECT='import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
except OSError as e:
    print("connect:", e.strerror)
    sys.exit(1)'
can_connect() { /usr/bin/python3 -c "$CONNECT" "$1"; }
nobody_can_connect() { as_nobody /usr/bin/python3 -c "$CONNECT" "$1"; }
nobody_cannot_connect() { ! nobody_can_connect "$1" >/dev/null; }
perm() { stat -c '%U:%G %a' "$1"; }

start_vswitchd || { echo "vswitchd did not start"; cat "$T/vswitchd.log"; exit 1; }
chmod 0711 "$T" "$RUN" # so that nobody can reach the sockets at all
check "bridge and a vhost-user port with defaults" ctl add-br "$BR" \
	-- add-port "$BR" vd$S type=vhost-user
check "the default socket is the daemon's, mode 0660 ($(perm "$RUN/vd$S"))" \
	[ "$(perm "$RUN/vd$S")" = "root:root 660" ]
check "nobody cannot connect to it" nobody_cannot_connect "$RUN/vd$S"

check "a port for QEMU run by nobody" ctl add-port "$BR" vq$S type=vhost-user \
	options:owner=nobody options:group=nogroup options:mode=0600
check "its socket is nobody's, mode 0600 ($(perm "$RUN/vq$S"))" \
	[ "$(perm "$RUN/vq$S")" = "nobody:nogroup 600" ]
check "nobody connects to it" nobody_can_connect "$RUN/vq$S"
check "root still connects (as QEMU run by root would)" can_connect "$RUN/vq$S"
check "Open vSwitch's type name takes them too" ctl add-port "$BR" vo$S type=dpdkvhostuser \
	options:group=nogroup
check "its socket's group ($(perm "$RUN/vo$S"))" [ "$(perm "$RUN/vo$S")" = "root:nogroup 660" ]

expect_fail "owner 'no-such-user$S' is not a user on this host" \
	add-port "$BR" vx$S type=vhost-user options:owner=no-such-user$S
expect_fail "group 'no-such-group$S' is not a group on this host" \
	add-port "$BR" vx$S type=vhost-user options:group=no-such-group$S
expect_fail "mode '0999' is not an octal permission" \
	add-port "$BR" vx$S type=vhost-user options:mode=0999
expect_fail "type vhost-user-client has no option 'owner'" \
	add-port "$BR" vx$S type=vhost-user-client options:path=/tmp/x options:owner=nobody
check "no socket left by the refusals" [ ! -e "$RUN/vx$S" ]

# Global defaults: the OpenFlow unix listeners take them at once, vhost-user
# ports opened from then on too.
check "punix listener" ctl set-controller "$BR" "punix:$RUN/of$S.sock"
check "the .mgmt listener is the daemon's, 0660 ($(perm "$RUN/$BR.mgmt"))" \
	[ "$(perm "$RUN/$BR.mgmt")" = "root:root 660" ]
check "nobody cannot use it" sh -c "! setpriv --reuid=nobody --regid=nogroup --clear-groups \
	timeout 5 ovs-ofctl -O OpenFlow13 show unix:$RUN/$BR.mgmt >/dev/null 2>&1"
check "global socket_group and socket_mode" ctl set global . socket_group=nogroup socket_mode=0660
check "the .mgmt listener follows ($(perm "$RUN/$BR.mgmt"))" \
	[ "$(perm "$RUN/$BR.mgmt")" = "root:nogroup 660" ]
check "so does the punix listener ($(perm "$RUN/of$S.sock"))" \
	[ "$(perm "$RUN/of$S.sock")" = "root:nogroup 660" ]
ofctl_as_nobody() { as_nobody timeout 5 ovs-ofctl -O OpenFlow13 show "unix:$RUN/$BR.mgmt" >/dev/null; }
check "ovs-ofctl run by a member of the group works" ofctl_as_nobody
check "a new vhost-user port takes the defaults" ctl add-port "$BR" vg$S type=vhost-user
check "its socket ($(perm "$RUN/vg$S"))" [ "$(perm "$RUN/vg$S")" = "root:nogroup 660" ]
check "a port's own option wins" ctl add-port "$BR" vm$S type=vhost-user options:mode=0666
check "its socket ($(perm "$RUN/vm$S"))" [ "$(perm "$RUN/vm$S")" = "root:nogroup 666" ]
expect_fail "'755x' is not an octal permission" set global . socket_mode=755x
expect_fail "global: group 'no-such-group$S' is not a group on this host" \
	set global . socket_group=no-such-group$S
check "refused defaults changed nothing ($(perm "$RUN/$BR.mgmt"))" \
	[ "$(perm "$RUN/$BR.mgmt")" = "root:nogroup 660" ]
finish
