/* SPDX-License-Identifier: Apache-2.0 */
/*
 * switch-bench's Open vSwitch under test (sb_switch.h, sb_ovs_start()):
 * Debian's DPDK build of ovs-vswitchd, started as an instance of its own.
 *
 * Everything it owns lives in one temporary directory: the database and
 * ovsdb-server's socket, the run directory (OVS_RUNDIR, where its
 * vhost-user sockets, OpenFlow management sockets and control sockets go),
 * the logs, and a hugetlbfs mount for DPDK (besides "--file-prefix" unique
 * to this run). Both daemons run in a network namespace made for them, so
 * the TAP devices of its bridge never meet the host's. The system's Open
 * vSwitch, if one runs, is never addressed: every command names this
 * instance's sockets explicitly. With a tunnel, it is one host of it
 * (tunnel_side()), as sb_tunnel.c builds the same host on vswitch.
 */
#include "sb_ovs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define OVS_SCHEMA "/usr/share/openvswitch/vswitch.ovsschema"

enum { MAX_ARGS = 64 };

/* Runs an Open vSwitch program with this instance's directories in its
 * environment, in its namespace when 'in_ns'. 'args' ends with NULL. */
static int
ovs_run(const struct sb_switch *sw, bool in_ns, char **out, const char *const *args)
{
	char env[4][200];
	char *argv[MAX_ARGS];
	int argc = 0;

	snprintf(env[0], sizeof env[0], "OVS_RUNDIR=%s/run", sw->dir);
	snprintf(env[1], sizeof env[1], "OVS_DBDIR=%s", sw->dir);
	snprintf(env[2], sizeof env[2], "OVS_LOGDIR=%s", sw->dir);
	snprintf(env[3], sizeof env[3], "OVS_SYSCONFDIR=%s", sw->dir);
	if (in_ns) {
		argv[argc++] = "ip";
		argv[argc++] = "netns";
		argv[argc++] = "exec";
		argv[argc++] = (char *)sw->ns;
	}
	argv[argc++] = "env";
	for (int i = 0; i < 4; i++) {
		argv[argc++] = env[i];
	}
	for (; *args && argc < MAX_ARGS - 1; args++) {
		argv[argc++] = (char *)*args;
	}
	argv[argc] = NULL;
	return sb_run(argv, out);
}

/* ovs-vsctl on this instance's database: 'args' after the options. */
static int
vsctl(const struct sb_switch *sw, char **out, const char *const *args)
{
	char db[200];
	const char *argv[MAX_ARGS] = {"ovs-vsctl", db, "--timeout=60"};
	int argc = 3;

	snprintf(db, sizeof db, "--db=unix:%s/run/db.sock", sw->dir);
	for (; *args && argc < MAX_ARGS - 1; args++) {
		argv[argc++] = *args;
	}
	argv[argc] = NULL;
	return ovs_run(sw, false, out, argv);
}

/* ovs-appctl CMD [ARG...] ('args' ends with NULL) to this instance's
 * ovs-vswitchd. */
static int
appctl_args(const struct sb_switch *sw, char **out, const char *const *args)
{
	char target[200];
	const char *argv[MAX_ARGS] = {"ovs-appctl", "-T", "60", "-t", target};
	int argc = 5;

	snprintf(target, sizeof target, "%s/run/ovs-vswitchd.ctl", sw->dir);
	for (; *args && argc < MAX_ARGS - 1; args++) {
		argv[argc++] = *args;
	}
	argv[argc] = NULL;
	return ovs_run(sw, false, out, argv);
}

static int
appctl(const struct sb_switch *sw, char **out, const char *cmd)
{
	return appctl_args(sw, out, (const char *[]){cmd, NULL});
}

/* ovs-ofctl CMD on this instance's bridge 'br', with 'arg' when not NULL. */
static int
ofctl_br(const struct sb_switch *sw, const char *br, char **out, const char *cmd, const char *arg)
{
	char mgmt[200];

	snprintf(mgmt, sizeof mgmt, "unix:%s/run/%s.mgmt", sw->dir, br);
	return ovs_run(sw, false, out, (const char *[]){"ovs-ofctl", cmd, mgmt, arg, NULL});
}

/* The same on its (first) bridge. */
static int
ofctl(const struct sb_switch *sw, char **out, const char *cmd, const char *arg)
{
	return ofctl_br(sw, sw->bridge, out, cmd, arg);
}

static int
read_pid(const struct sb_switch *sw, const char *name)
{
	char path[200];
	int pid = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s.pid", sw->dir, name);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%d", &pid) != 1) {
			pid = 0;
		}
		fclose(f);
	}
	return pid;
}

/* Whether the Open vSwitch programs are here; says what is missing. */
static bool
have_ovs(const char *ovs_vswitchd)
{
	static const char *const tools[] = {"ovsdb-tool", "ovsdb-server", "ovs-vsctl", "ovs-appctl",
					    "ovs-ofctl"};
	char *out = NULL;

	if (access(ovs_vswitchd, X_OK)) {
		fprintf(stderr,
			"switch-bench: --against ovs: %s: %s; it comes with Debian's "
			"openvswitch-switch-dpdk (scripts/setup.sh installs it)\n",
			ovs_vswitchd, strerror(errno));
		return false;
	}
	if (access(OVS_SCHEMA, R_OK)) {
		fprintf(stderr, "switch-bench: --against ovs: %s: %s\n", OVS_SCHEMA,
			strerror(errno));
		return false;
	}
	for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++) {
		if (sb_run((char *[]){(char *)tools[i], "--version", NULL}, &out)) {
			fprintf(stderr, "switch-bench: --against ovs: cannot run %s\n", tools[i]);
			free(out);
			return false;
		}
		free(out);
		out = NULL;
	}
	return true;
}

static void
vswitchd_log_tail(const struct sb_switch *sw)
{
	char log[200];

	snprintf(log, sizeof log, "%s/ovs-vswitchd.log", sw->dir);
	sb_log_tail(log);
}

/* Starts Open vSwitch daemon 'name' ('prog' 'arg1' ['arg2']) detached in
 * the namespace, its pidfile, control socket and log named after it in the
 * private directory. Returns its pid, or 0 with a message printed. */
static int
start_daemon(struct sb_switch *sw, const char *name, const char *prog, const char *arg1,
	     const char *arg2)
{
	char pidfile[200], ctl[200], log[200];
	const char *args[] = {prog, "-vconsole:off", "--detach", pidfile, ctl, log, arg1, arg2,
			      NULL};
	int pid;

	snprintf(pidfile, sizeof pidfile, "--pidfile=%s/%s.pid", sw->dir, name);
	snprintf(ctl, sizeof ctl, "--unixctl=%s/run/%s.ctl", sw->dir, name);
	snprintf(log, sizeof log, "--log-file=%s/%s.log", sw->dir, name);
	if (ovs_run(sw, true, NULL, args) || (pid = read_pid(sw, name)) <= 0) {
		fprintf(stderr, "switch-bench: %s did not start\n", name);
		snprintf(log, sizeof log, "%s/%s.log", sw->dir, name);
		sb_log_tail(log);
		return 0;
	}
	return pid;
}

static int
start_daemons(struct sb_switch *sw, int pmd_cpu)
{
	char db[200], remote[220], mask[64], extra[300], huge[200];
	char *out = NULL;

	snprintf(db, sizeof db, "%s/conf.db", sw->dir);
	snprintf(huge, sizeof huge, "%s/run", sw->dir);
	if (mkdir(huge, 0700)) {
		fprintf(stderr, "switch-bench: mkdir %s: %s\n", huge, strerror(errno));
		return -1;
	}
	snprintf(huge, sizeof huge, "%s/huge", sw->dir);
	if (mkdir(huge, 0700) ||
	    mount("nodev", huge, "hugetlbfs", 0, "pagesize=2M,mode=0700") != 0) {
		fprintf(stderr, "switch-bench: cannot mount hugetlbfs on %s: %s\n", huge,
			strerror(errno));
		return -1;
	}
	sw->huge_mounted = true;
	if (sb_run((char *[]){"ip", "netns", "add", sw->ns, NULL}, NULL)) {
		fprintf(stderr, "switch-bench: cannot create network namespace %s\n", sw->ns);
		sw->ns[0] = '\0';
		return -1;
	}
	if (ovs_run(sw, false, NULL,
		    (const char *[]){"ovsdb-tool", "create", db, OVS_SCHEMA, NULL})) {
		fprintf(stderr, "switch-bench: ovsdb-tool cannot create %s\n", db);
		return -1;
	}
	snprintf(remote, sizeof remote, "--remote=punix:%s/run/db.sock", sw->dir);
	sw->db_pid = start_daemon(sw, "ovsdb-server", "ovsdb-server", db, remote);
	if (sw->db_pid <= 0) {
		return -1;
	}
	/* DPDK is configured before ovs-vswitchd starts: its own memory (as
	 * much as vswitchd takes by default), hugepage directory and file
	 * prefix; no PCI devices; its PMD thread on 'pmd_cpu'. */
	snprintf(mask, sizeof mask, "other_config:pmd-cpu-mask=0x%llx", 1ULL << (pmd_cpu & 63));
	snprintf(extra, sizeof extra,
		 "other_config:dpdk-extra=--file-prefix=%s --huge-dir=%s --no-pci", sw->ns, huge);
	if (vsctl(sw, NULL, (const char *[]){"--no-wait", "init", NULL}) ||
	    vsctl(sw, NULL,
		  (const char *[]){"--no-wait", "set", "Open_vSwitch", ".",
				   "other_config:dpdk-init=true",
				   "other_config:dpdk-socket-mem=256", extra, mask, NULL})) {
		fprintf(stderr, "switch-bench: cannot configure Open vSwitch's database\n");
		return -1;
	}
	snprintf(remote, sizeof remote, "unix:%s/run/db.sock", sw->dir);
	sw->pid = start_daemon(sw, "ovs-vswitchd", sw->bin, remote, NULL);
	if (sw->pid <= 0) {
		return -1;
	}
	if (vsctl(sw, &out,
		  (const char *[]){"get", "Open_vSwitch", ".", "dpdk_initialized", NULL}) ||
	    !out || strncmp(out, "true", 4)) {
		fprintf(stderr, "switch-bench: Open vSwitch did not initialise DPDK\n");
		vswitchd_log_tail(sw);
		free(out);
		return -1;
	}
	free(out);
	return 0;
}

static int
set_pipeline(struct sb_switch *sw, const char *pipeline)
{
	char flow[96];

	if (!strcmp(pipeline, "normal")) {
		return 0; /* a new bridge's one flow is NORMAL */
	}
	if (ofctl(sw, NULL, "del-flows", NULL)) {
		return -1;
	}
	for (unsigned int i = 0; i < 2 && i < sw->n_ports; i++) {
		snprintf(flow, sizeof flow, "in_port=%s,actions=output:%s", sw->ports[i],
			 sw->ports[1 - i]);
		if (ofctl(sw, NULL, "add-flow", flow)) {
			return -1;
		}
	}
	return 0;
}

/* Adds userspace bridge 'br' with vhost-user port 'port'. */
static int
add_bridge(const struct sb_switch *sw, const char *br, const char *port)
{
	return vsctl(sw, NULL,
		     (const char *[]){"add-br", br, "--", "set", "bridge", br,
				      "datapath_type=netdev", "--", "add-port", br, port, "--",
				      "set", "Interface", port, "type=dpdkvhostuser", NULL});
}

/* One host of a tunnel alone, as sb_tunnel.c builds it on vswitch: the
 * host's VM and its tunnel port on the first bridge; on the second, the
 * underlay, the wire's port, and its internal port holding the host's
 * address in its subnet (Open vSwitch's routes need one: a peer address's
 * host route is not taken), the route to the far host set in Open
 * vSwitch's table besides, and the far host's MAC in its neighbour table
 * (Open vSwitch 3.1 does not learn it from the wire's hello, a request,
 * as vswitch does). */
static int
tunnel_side(struct sb_switch *sw)
{
	const unsigned int h = sb_tunnel_side_host(sw);
	const char *far = sb_tunnel_addr(sw, !h);
	char tun[16], type[24], remote[48], local[48], key[24], csum[24], route[48];

	snprintf(sw->bridge_b, sizeof sw->bridge_b, "sbou%s", sw->bridge + 3);
	snprintf(tun, sizeof tun, "sbot%s", sw->bridge + 3);
	snprintf(type, sizeof type, "type=%.*s", (int)strcspn(sw->tunnel, "6"), sw->tunnel);
	snprintf(remote, sizeof remote, "options:remote_ip=%s", far);
	snprintf(local, sizeof local, "options:local_ip=%s", sb_tunnel_addr(sw, h));
	snprintf(key, sizeof key, "options:key=%d", SB_TUNNEL_VNI);
	/* The UDP checksum as vswitch's default (over IPv6, not over IPv4)
	 * unless set. */
	snprintf(csum, sizeof csum, "options:csum=%s", sb_tunnel_csum(sw) ? "true" : "false");
	snprintf(route, sizeof route, "%s/%d", far, strchr(sw->tunnel, '6') ? 128 : 32);
	if (add_bridge(sw, sw->bridge, sw->ports[h]) ||
	    add_bridge(sw, sw->bridge_b, sw->ports[!h]) ||
	    vsctl(sw, NULL,
		  (const char *[]){"add-port", sw->bridge, tun, "--", "set", "Interface", tun, type,
				   remote, local, key, csum, NULL}) ||
	    sb_tunnel_underlay(sw, h, sw->bridge_b, true) ||
	    appctl_args(sw, NULL, (const char *[]){"ovs/route/add", route, sw->bridge_b, NULL}) ||
	    appctl_args(sw, NULL,
			(const char *[]){"tnl/neigh/set", sw->bridge_b, far,
					 SB_TUNNEL_WIRE_MAC_TEXT, NULL}) ||
	    sb_tunnel_read_mac(sw, sw->bridge_b)) {
		fprintf(stderr, "switch-bench: cannot set up Open vSwitch's tunnel host\n");
		vswitchd_log_tail(sw);
		return -1;
	}
	return 0;
}

int
sb_ovs_start(struct sb_switch *sw, const char *ovs_vswitchd, const char *const *names,
	     unsigned int n_ports, const char *pipeline, int pmd_cpu, const char *tunnel,
	     const char *side, int csum)
{
	const char *args[8 * SB_MAX_PORTS + 8];
	int argc = 0;
	char *out = NULL;

	memset(sw, 0, sizeof *sw);
	sw->kind = SB_OVS;
	sw->name = "ovs";
	sw->tunnel_csum = csum;
	sw->pmd_cpu = pmd_cpu;
	sw->default_sleep = 0; /* other_config:pmd-maxsleep */
	snprintf(sw->bin, sizeof sw->bin, "%s", ovs_vswitchd);
	if (!have_ovs(ovs_vswitchd)) {
		return -1;
	}
	if (!sb_run((char *[]){sw->bin, "--version", NULL}, &out) && out) {
		/* "ovs-vswitchd-dpdk (Open vSwitch) 3.1.0\nDPDK 22.11.11\n" */
		char *v = strstr(out, ") ");

		v = v ? v + 2 : out;
		v[strcspn(v, "\n")] = '\0';
		snprintf(sw->version, sizeof sw->version, "%s", v);
	}
	free(out);
	if (sb_private_dir(sw, "/tmp/switch-bench-ovs.XXXXXX", "sbo")) {
		return -1;
	}
	snprintf(sw->ns, sizeof sw->ns, "sbovs%d", (int)getpid() % 1000000);
	sw->n_ports = n_ports;
	if (start_daemons(sw, pmd_cpu)) {
		return -1;
	}
	if (tunnel) {
		for (unsigned int i = 0; i < n_ports; i++) {
			snprintf(sw->ports[i], sizeof sw->ports[i], "%s", names[i]);
		}
		snprintf(sw->tunnel, sizeof sw->tunnel, "%s", tunnel);
		snprintf(sw->side, sizeof sw->side, "%s", side);
		snprintf(sw->name_buf, sizeof sw->name_buf, "ovs+%s/%s", tunnel, side);
		sw->name = sw->name_buf;
		return tunnel_side(sw);
	}
	/* vswitch's bench bridge, port for port: vhost-user servers with the
	 * same names, so the stand-in VMs connect to either alike. */
	args[argc++] = "add-br";
	args[argc++] = sw->bridge;
	args[argc++] = "--";
	args[argc++] = "set";
	args[argc++] = "bridge";
	args[argc++] = sw->bridge;
	args[argc++] = "datapath_type=netdev";
	for (unsigned int i = 0; i < n_ports; i++) {
		snprintf(sw->ports[i], sizeof sw->ports[i], "%s", names[i]);
		args[argc++] = "--";
		args[argc++] = "add-port";
		args[argc++] = sw->bridge;
		args[argc++] = sw->ports[i];
		args[argc++] = "--";
		args[argc++] = "set";
		args[argc++] = "Interface";
		args[argc++] = sw->ports[i];
		args[argc++] = "type=dpdkvhostuser";
	}
	args[argc] = NULL;
	if (vsctl(sw, NULL, args) || set_pipeline(sw, pipeline)) {
		fprintf(stderr, "switch-bench: cannot set up Open vSwitch's bridge\n");
		vswitchd_log_tail(sw);
		return -1;
	}
	return 0;
}

int
sb_ovs_add_flows(const struct sb_switch *sw, const char *path)
{
	return ofctl(sw, NULL, "add-flows", path) ? -1 : 0;
}

int
sb_ovs_set_pmd_sleep(struct sb_switch *sw, int us)
{
	char kv[64];

	snprintf(kv, sizeof kv, "other_config:pmd-maxsleep=%d", us);
	return vsctl(sw, NULL, (const char *[]){"--no-wait", "set", "Open_vSwitch", ".", kv, NULL})
		       ? -1
		       : 0;
}

int
sb_ovs_set_tx_flush(struct sb_switch *sw, int us)
{
	char kv[64];

	snprintf(kv, sizeof kv, "other_config:tx-flush-interval=%d", us);
	return vsctl(sw, NULL, (const char *[]){"--no-wait", "set", "Open_vSwitch", ".", kv, NULL})
		       ? -1
		       : 0;
}

/* The number after 'key' in 'line', or 0. */
static uint64_t
after(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

int
sb_ovs_pmd_stats(const struct sb_switch *sw, struct sb_pmd_stats *s)
{
	char *out = NULL, *line, *save = NULL;
	bool pmd = false;

	memset(s, 0, sizeof *s);
	/* "pmd thread numa_id 0 core_id 1:" then "  packets received: N",
	 * "  idle cycles: N (x%)", "  processing cycles: N (x%)"; the main
	 * thread's section has no cycles and its ports are not measured. */
	if (appctl(sw, &out, "dpif-netdev/pmd-stats-show") || !out) {
		fprintf(stderr, "switch-bench: cannot read Open vSwitch's PMD counters\n");
		free(out);
		return -1;
	}
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] != ' ') {
			pmd = !strncmp(line, "pmd thread", 10);
		} else if (pmd) {
			s->rx_packets += after(line, "packets received: ");
			s->idle_cycles += after(line, "idle cycles: ");
			s->busy_cycles += after(line, "processing cycles: ");
		}
	}
	free(out);
	out = NULL;
	/* Drops: the datapath_drop_* coverage counters (which the PMD thread
	 * folds in about once a second, so a window's count may lag). */
	if (!appctl(sw, &out, "coverage/show") && out) {
		for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			if (!strncmp(line, "datapath_drop_", 14)) {
				s->drops += after(line, "total: ");
			}
		}
	}
	free(out);
	out = NULL;
	/* What the ports could not send: "tx pkts=N, bytes=N, drop=N, ...",
	 * on both bridges of a tunnel's host. */
	for (int b = 0; b < (sw->bridge_b[0] ? 2 : 1); b++) {
		if (!ofctl_br(sw, b ? sw->bridge_b : sw->bridge, &out, "dump-ports", NULL) && out) {
			for (line = strtok_r(out, "\n", &save); line;
			     line = strtok_r(NULL, "\n", &save)) {
				if (strstr(line, "tx pkts=")) {
					s->tx_dropped += after(line, "drop=");
				}
			}
		}
		free(out);
		out = NULL;
	}
	return 0;
}

long
sb_ovs_megaflows(const struct sb_switch *sw)
{
	char *out = NULL, *p;
	long n = -1;

	/* "netdev@ovs-netdev:\n  lookups: ...\n  flows: N\n" */
	if (!appctl(sw, &out, "dpctl/show") && out && (p = strstr(out, "flows: "))) {
		n = strtol(p + 7, NULL, 10);
	}
	free(out);
	return n;
}

void
sb_ovs_stop(struct sb_switch *sw)
{
	char path[200];

	/* The bridge's TAP devices go with the namespace. */
	sb_kill_wait(sw->pid);
	sw->pid = 0;
	sb_kill_wait(sw->db_pid);
	sw->db_pid = 0;
	if (sw->huge_mounted) {
		snprintf(path, sizeof path, "%s/huge", sw->dir);
		if (umount(path) && umount2(path, MNT_DETACH)) {
			fprintf(stderr, "switch-bench: cannot unmount %s: %s\n", path,
				strerror(errno));
		}
		sw->huge_mounted = false;
	}
	if (sw->ns[0]) {
		if (sb_run((char *[]){"ip", "netns", "del", sw->ns, NULL}, NULL)) {
			fprintf(stderr, "switch-bench: could not remove network namespace %s\n",
				sw->ns);
		}
		sw->ns[0] = '\0';
	}
	if (sw->dir[0]) {
		snprintf(path, sizeof path, "rm -rf '%s'", sw->dir);
		if (system(path)) {
			fprintf(stderr, "switch-bench: could not remove %s\n", sw->dir);
		}
		sw->dir[0] = '\0';
	}
}
