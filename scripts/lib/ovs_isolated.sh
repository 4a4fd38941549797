# SPDX-License-Identifier: Apache-2.0
# An isolated Open vSwitch for side-by-side benchmarks: its own database,
# run and log directory ($OVS_DIR) and network namespace ($OVS_NS), never
# the system's. Source it, set OVS_DIR and OVS_NS, then:
#   ovs_start          ovsdb-server and ovs-vswitchd in the namespace
#   ovs_vsctl ARGS     ovs-vsctl on it
#   ovs_appctl ARGS    ovs-appctl on its ovs-vswitchd
#   ovs_stop           stops both (by pidfile) and deletes the namespace
# The bridges it makes use the userspace (netdev) datapath, whose device
# ovs-netdev is in the namespace, so it does not collide with another
# userspace Open vSwitch on the machine.

ovs_vsctl() {
	ip netns exec "$OVS_NS" env OVS_RUNDIR="$OVS_DIR" OVS_LOGDIR="$OVS_DIR" \
		OVS_DBDIR="$OVS_DIR" OVS_SYSCONFDIR="$OVS_DIR" \
		ovs-vsctl --db="unix:$OVS_DIR/db.sock" --timeout=30 "$@"
}

ovs_appctl() {
	ovs-appctl -t "$OVS_DIR/ovs-vswitchd.ctl" "$@"
}

ovs_start() {
	mkdir -p "$OVS_DIR" &&
		ip netns add "$OVS_NS" &&
		ovsdb-tool create "$OVS_DIR/conf.db" /usr/share/openvswitch/vswitch.ovsschema &&
		ip netns exec "$OVS_NS" ovsdb-server "$OVS_DIR/conf.db" \
			--remote="punix:$OVS_DIR/db.sock" --pidfile="$OVS_DIR/ovsdb-server.pid" \
			--unixctl="$OVS_DIR/ovsdb-server.ctl" --log-file="$OVS_DIR/ovsdb-server.log" \
			--detach &&
		ovs_vsctl --no-wait init &&
		ip netns exec "$OVS_NS" env OVS_RUNDIR="$OVS_DIR" OVS_LOGDIR="$OVS_DIR" \
			OVS_DBDIR="$OVS_DIR" OVS_SYSCONFDIR="$OVS_DIR" \
			ovs-vswitchd "unix:$OVS_DIR/db.sock" --pidfile="$OVS_DIR/ovs-vswitchd.pid" \
			--unixctl="$OVS_DIR/ovs-vswitchd.ctl" --log-file="$OVS_DIR/ovs-vswitchd.log" \
			--detach
}

# stop_pidfile FILE: SIGTERM, then SIGKILL after 10 s.
stop_pidfile() {
	local pid
	pid=$(cat "$1" 2>/dev/null) || return 0
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null
}

ovs_stop() {
	stop_pidfile "$OVS_DIR/ovs-vswitchd.pid"
	stop_pidfile "$OVS_DIR/ovsdb-server.pid"
	ip netns del "$OVS_NS" 2>/dev/null
}
