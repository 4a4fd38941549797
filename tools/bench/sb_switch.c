/* SPDX-License-Identifier: Apache-2.0 */
/*
 * switch-bench's switch under test (sb_switch.h): a private vswitchd,
 * driven by running switch-ctl, and the machine description.
 */
#include "sb_switch.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rte_version.h>

#include "sb_commit.h" /* SB_COMMIT, written at build time */
#include "sb_ovs.h"

int
sb_run(char *const argv[], char **out)
{
	int fds[2] = {-1, -1}, status;
	size_t len = 0, cap = 0;
	char *buf = NULL;
	pid_t pid;

	if (out && pipe(fds)) {
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fd = out ? fds[1] : open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		execvp(argv[0], argv);
		fprintf(stderr, "switch-bench: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (out) {
		close(fds[1]);
		for (;;) {
			ssize_t n;

			if (len + 4096 + 1 > cap) {
				char *b = realloc(buf, cap = cap ? cap * 2 : 65536);

				if (!b) {
					break;
				}
				buf = b;
			}
			n = read(fds[0], buf + len, cap - len - 1);
			if (n < 0 && errno == EINTR) {
				continue;
			}
			if (n <= 0) {
				break;
			}
			len += (size_t)n;
		}
		close(fds[0]);
		if (buf) {
			buf[len] = '\0';
		}
		*out = buf;
	}
	if (pid < 0) {
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			return -1;
		}
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int
sb_ctl(const struct sb_switch *sw, char **out, const char *const *args)
{
	char exe[600], sock[160];
	char *argv[32];
	int argc = 0;

	snprintf(exe, sizeof exe, "%s/switch-ctl", sw->bin);
	snprintf(sock, sizeof sock, "%s/ctl.sock", sw->dir);
	argv[argc++] = exe;
	argv[argc++] = "--ctl";
	argv[argc++] = sock;
	argv[argc++] = "--timeout";
	argv[argc++] = "600";
	for (; *args && argc < 31; args++) {
		argv[argc++] = (char *)*args;
	}
	argv[argc] = NULL;
	return sb_run(argv, out);
}

static int
read_pid(const char *path)
{
	FILE *f = fopen(path, "r");
	int pid = 0;

	if (f) {
		if (fscanf(f, "%d", &pid) != 1) {
			pid = 0;
		}
		fclose(f);
	}
	return pid;
}

const char *
sb_switch_socket(const struct sb_switch *sw, unsigned int i, char *buf, size_t size)
{
	snprintf(buf, size, "%s/run/%s", sw->dir, sw->ports[i]);
	return buf;
}

static int
start_daemon(struct sb_switch *sw, const char *eal)
{
	char exe[600], db[160], sock[160], run_dir[160], pidfile[160], log[160];
	char *argv[24];
	int argc = 0;

	snprintf(exe, sizeof exe, "%s/vswitchd", sw->bin);
	if (access(exe, X_OK)) {
		/* Installed: switch-bench in PREFIX/bin, vswitchd in PREFIX/sbin. */
		snprintf(exe, sizeof exe, "%s/../sbin/vswitchd", sw->bin);
	}
	snprintf(db, sizeof db, "%s/conf.json", sw->dir);
	snprintf(sock, sizeof sock, "%s/ctl.sock", sw->dir);
	snprintf(run_dir, sizeof run_dir, "%s/run", sw->dir);
	snprintf(pidfile, sizeof pidfile, "%s/vswitchd.pid", sw->dir);
	snprintf(log, sizeof log, "%s/vswitchd.log", sw->dir);
	if (sw->ns[0]) {
		argv[argc++] = "ip";
		argv[argc++] = "netns";
		argv[argc++] = "exec";
		argv[argc++] = sw->ns;
	}
	argv[argc++] = exe;
	argv[argc++] = "--db";
	argv[argc++] = db;
	argv[argc++] = "--ctl";
	argv[argc++] = sock;
	argv[argc++] = "--run-dir";
	argv[argc++] = run_dir;
	argv[argc++] = "--pidfile";
	argv[argc++] = pidfile;
	argv[argc++] = "--log-file";
	argv[argc++] = log;
	argv[argc++] = "--state-dir";
	argv[argc++] = "none";
	argv[argc++] = "--detach";
	if (eal && *eal) {
		argv[argc++] = "--eal";
		argv[argc++] = (char *)eal;
	}
	argv[argc] = NULL;
	if (sb_run(argv, NULL)) {
		fprintf(stderr, "switch-bench: vswitchd did not start\n");
		sb_log_tail(log);
		return -1;
	}
	sw->pid = read_pid(pidfile);
	return sw->pid > 0 ? 0 : -1;
}

int
sb_ports_pipeline(const struct sb_switch *sw, const char *bridge, const char *a, const char *b)
{
	const char *ends[2] = {a, b};
	char flow[96];

	if (sb_ctl(sw, NULL, (const char *[]){"del-flows", bridge, NULL})) {
		return -1;
	}
	for (unsigned int i = 0; i < 2; i++) {
		snprintf(flow, sizeof flow, "in_port=%s,actions=output:%s", ends[i], ends[1 - i]);
		if (sb_ctl(sw, NULL, (const char *[]){"add-flow", bridge, flow, NULL})) {
			return -1;
		}
	}
	return 0;
}

static int
set_pipeline(struct sb_switch *sw, const char *pipeline)
{
	if (!strcmp(pipeline, "normal") || sw->n_ports < 2) {
		return 0;
	}
	return sb_ports_pipeline(sw, sw->bridge, sw->ports[0], sw->ports[1]);
}

int
sb_private_dir(struct sb_switch *sw, const char *template, const char *bridge_prefix)
{
	snprintf(sw->dir, sizeof sw->dir, "%s", template);
	if (!mkdtemp(sw->dir)) {
		fprintf(stderr, "switch-bench: mkdtemp %s: %s\n", template, strerror(errno));
		sw->dir[0] = '\0';
		return -1;
	}
	snprintf(sw->bridge, sizeof sw->bridge, "%s%d", bridge_prefix, (int)getpid() % 1000000);
	return 0;
}

int
sb_switch_start(struct sb_switch *sw, const char *bin, const char *const *names,
		unsigned int n_ports, const char *pipeline, const char *eal, const char *tunnel,
		const char *side, int csum)
{
	const char *args[4 * SB_MAX_PORTS + 4];
	struct sb_pmd_stats s;
	int argc = 0;
	char *out = NULL;
	json_t *j;

	memset(sw, 0, sizeof *sw);
	sw->kind = SB_VSWITCH;
	sw->name = !tunnel                     ? "vswitch"
		   : !strcmp(tunnel, "vxlan")  ? "vswitch+vxlan"
		   : !strcmp(tunnel, "geneve") ? "vswitch+geneve"
		   : !strcmp(tunnel, "vxlan6") ? "vswitch+vxlan6"
					       : "vswitch+geneve6";
	if (tunnel && side) {
		snprintf(sw->side, sizeof sw->side, "%s", side);
		snprintf(sw->name_buf, sizeof sw->name_buf, "%s/%s", sw->name, side);
		sw->name = sw->name_buf;
	}
	sw->tunnel_csum = csum;
	sw->pmd_cpu = -1;
	sw->default_sleep = 250; /* DP_PMD_MAX_SLEEP_US */
	snprintf(sw->version, sizeof sw->version, "%s", VSWITCH_VERSION);
	snprintf(sw->bin, sizeof sw->bin, "%s", bin);
	/* A bridge is a kernel interface too: a name no one else uses. */
	if (sb_private_dir(sw, "/tmp/switch-bench.XXXXXX", "sbb")) {
		return -1;
	}
	sw->n_ports = n_ports;
	for (unsigned int i = 0; i < n_ports; i++) {
		snprintf(sw->ports[i], sizeof sw->ports[i], "%s", names[i]);
	}
	if (tunnel) {
		/* Its bridges' internal ports hold addresses and routes:
		 * a namespace of its own keeps them off the host. */
		snprintf(sw->tunnel, sizeof sw->tunnel, "%s", tunnel);
		snprintf(sw->ns, sizeof sw->ns, "sbtn%d", (int)getpid() % 1000000);
		if (sb_run((char *[]){"ip", "netns", "add", sw->ns, NULL}, NULL)) {
			fprintf(stderr, "switch-bench: cannot create network namespace %s\n",
				sw->ns);
			sw->ns[0] = '\0';
			return -1;
		}
	}
	if (start_daemon(sw, eal)) {
		return -1;
	}
	args[argc++] = "add-br";
	args[argc++] = sw->bridge;
	for (unsigned int i = 0; i < n_ports; i++) {
		args[argc++] = "--";
		args[argc++] = "add-port";
		args[argc++] = sw->bridge;
		args[argc++] = sw->ports[i];
		args[argc++] = "type=vhost-user";
	}
	args[argc] = NULL;
	if (tunnel ? sb_tunnel_build(sw, pipeline)
		   : sb_ctl(sw, NULL, args) || set_pipeline(sw, pipeline)) {
		char log[200];

		snprintf(log, sizeof log, "%s/vswitchd.log", sw->dir);
		fprintf(stderr, "switch-bench: cannot set up the bridge\n");
		sb_log_tail(log);
		return -1;
	}
	if (!sb_ctl(sw, &out, (const char *[]){"--json", "pmd-stats-show", NULL}) && out &&
	    (j = json_loads(out, 0, NULL))) {
		json_t *p = json_array_get(json_object_get(j, "pmds"), 0);

		sw->pmd_cpu = p ? (int)json_integer_value(json_object_get(p, "cpu")) : -1;
		json_decref(j);
	}
	free(out);
	return sb_switch_pmd_stats(sw, &s);
}

int
sb_write_rules(const char *path, uint32_t first, uint32_t n)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		return -1;
	}
	for (uint32_t i = first; i - first < n; i++) {
		fprintf(f, "priority=200,udp,tp_dst=%u,nw_dst=172.%u.%u.%u,actions=drop\n",
			1000 + i % 5000, 16 + (i >> 16) % 16, (i >> 8) & 255, i & 255);
	}
	return fclose(f) ? -1 : 0;
}

int
sb_switch_add_rules(struct sb_switch *sw, uint32_t n)
{
	char path[160];
	int ret;

	if (n <= sw->n_rules) {
		return 0;
	}
	snprintf(path, sizeof path, "%s/rules.txt", sw->dir);
	if (sb_write_rules(path, sw->n_rules, n - sw->n_rules)) {
		return -1;
	}
	ret = sw->kind == SB_OVS
		      ? sb_ovs_add_flows(sw, path)
		      : sb_ctl(sw, NULL, (const char *[]){"add-flows", sw->bridge, path, NULL});
	unlink(path);
	if (ret) {
		fprintf(stderr, "switch-bench: %s could not take %u more rules\n", sw->name,
			n - sw->n_rules);
		return -1;
	}
	sw->n_rules = n;
	return 0;
}

/* switch-ctl --json CMD: a new JSON value, or NULL. */
static json_t *
ctl_json(const struct sb_switch *sw, const char *cmd)
{
	char *out = NULL;
	json_t *j = NULL;

	if (!sb_ctl(sw, &out, (const char *[]){"--json", cmd, NULL}) && out) {
		j = json_loads(out, 0, NULL);
	}
	free(out);
	return j;
}

int
sb_switch_set_pmd_sleep(struct sb_switch *sw, int us)
{
	char kv[48];

	if (sw->kind == SB_OVS) {
		return sb_ovs_set_pmd_sleep(sw, us);
	}
	snprintf(kv, sizeof kv, "pmd_max_sleep_us=%d", us);
	return sb_ctl(sw, NULL, (const char *[]){"set", "global", ".", kv, NULL}) ? -1 : 0;
}

int
sb_switch_set_tx_flush(struct sb_switch *sw, int us)
{
	char kv[48];

	if (sw->kind == SB_OVS) {
		return sb_ovs_set_tx_flush(sw, us);
	}
	snprintf(kv, sizeof kv, "tx_flush_interval_us=%d", us);
	return sb_ctl(sw, NULL, (const char *[]){"set", "global", ".", kv, NULL}) ? -1 : 0;
}

static json_t *
pmd_stats_json(const struct sb_switch *sw)
{
	return ctl_json(sw, "pmd-stats-show");
}

static uint64_t
port_tx_dropped(const struct sb_switch *sw)
{
	json_t *j = ctl_json(sw, "dump-ports"), *b, *p;
	uint64_t n = 0;
	size_t i, k;

	json_array_foreach (json_object_get(j, "bridges"), i, b) {
		json_array_foreach (json_object_get(b, "ports"), k, p) {
			n += (uint64_t)json_integer_value(
				json_object_get(json_object_get(p, "stats"), "tx_dropped"));
		}
	}
	json_decref(j);
	return n;
}

int
sb_switch_pmd_stats(const struct sb_switch *sw, struct sb_pmd_stats *s)
{
	json_t *j, *p;
	size_t i;

	if (sw->kind == SB_OVS) {
		return sb_ovs_pmd_stats(sw, s);
	}
	j = pmd_stats_json(sw);
	memset(s, 0, sizeof *s);
	if (!j) {
		fprintf(stderr, "switch-bench: cannot read the PMD counters\n");
		return -1;
	}
	json_array_foreach (json_object_get(j, "pmds"), i, p) {
		const char *k;
		json_t *v;

		s->rx_packets += (uint64_t)json_integer_value(json_object_get(p, "rx_packets"));
		s->busy_cycles += (uint64_t)json_integer_value(json_object_get(p, "busy_cycles"));
		s->idle_cycles += (uint64_t)json_integer_value(json_object_get(p, "idle_cycles"));
		json_object_foreach (json_object_get(p, "drops"), k, v) {
			s->drops += (uint64_t)json_integer_value(v);
		}
	}
	json_decref(j);
	s->tx_dropped = port_tx_dropped(sw);
	/* The stages, since the counters' last clear as the totals above
	 * are: a window's difference is its own. */
	j = ctl_json(sw, "pmd-perf-show");
	s->stages = j != NULL;
	json_array_foreach (json_object_get(j, "pmds"), i, p) {
		static const char *const names[SB_STAGES] = {"receive", "processing", "sending"};
		json_t *st = json_object_get(p, "stage_cycles");

		for (unsigned int k = 0; k < SB_STAGES; k++) {
			json_t *v = json_object_get(st, names[k]);

			s->stages = s->stages && json_is_integer(v);
			s->stage[k] += (uint64_t)json_integer_value(v);
		}
	}
	json_decref(j);
	return 0;
}

long
sb_switch_megaflows(const struct sb_switch *sw)
{
	json_t *j, *p;
	long n = 0;
	size_t i;

	if (sw->kind == SB_OVS) {
		return sb_ovs_megaflows(sw);
	}
	j = pmd_stats_json(sw);
	if (!j) {
		return -1;
	}
	json_array_foreach (json_object_get(j, "pmds"), i, p) {
		n += (long)json_integer_value(json_object_get(p, "flows"));
	}
	json_decref(j);
	return n;
}

/* Whether 'pid' runs (a zombie does not). */
static bool
alive(int pid)
{
	char path[64], buf[256], *p;
	FILE *f;
	bool ret = false;

	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (f) {
		/* "PID (COMM) STATE ...": COMM may hold spaces or parentheses. */
		if (fgets(buf, sizeof buf, f) && (p = strrchr(buf, ')')) && p[1] == ' ') {
			ret = p[2] != 'Z' && p[2] != 'X';
		}
		fclose(f);
	}
	return ret;
}

void
sb_log_tail(const char *path)
{
	char lines[8][256];
	unsigned int n = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		return;
	}
	while (fgets(lines[n % 8], sizeof lines[0], f)) {
		n++;
	}
	fclose(f);
	fprintf(stderr, "switch-bench: the end of %s (removed with its directory):\n", path);
	for (unsigned int i = n > 8 ? n - 8 : 0; i < n; i++) {
		fprintf(stderr, "  %s", lines[i % 8]);
		if (!strchr(lines[i % 8], '\n')) {
			fputc('\n', stderr);
		}
	}
}

void
sb_kill_wait(int pid)
{
	if (pid <= 0) {
		return;
	}
	kill(pid, SIGTERM);
	for (int i = 0; i < 100 && alive(pid); i++) {
		usleep(100000);
	}
	if (alive(pid)) {
		kill(pid, SIGKILL);
	}
}

void
sb_switch_stop(struct sb_switch *sw)
{
	char path[200];

	if (sw->kind == SB_OVS) {
		sb_ovs_stop(sw);
		return;
	}
	if (sw->pid > 0) {
		if (sw->tunnel[0]) {
			sb_tunnel_teardown(sw);
		} else if (sw->bridge[0]) {
			/* Its internal port is a kernel device that outlives it. */
			sb_ctl(sw, NULL, (const char *[]){"del-br", sw->bridge, NULL});
		}
		sb_kill_wait(sw->pid);
		sw->pid = 0;
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

/* The value of "KEY: value" lines in 'path' (the first), or "". */
static void
file_field(const char *path, const char *key, char *buf, size_t size)
{
	char line[512];
	size_t klen = strlen(key);
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	while (f && fgets(line, sizeof line, f)) {
		if (!strncmp(line, key, klen) &&
		    (line[klen] == ':' || line[klen] == ' ' || line[klen] == '\t')) {
			char *v = strchr(line, ':');

			v = v ? v + 1 : line + klen;
			v += strspn(v, " \t");
			v[strcspn(v, "\n")] = '\0';
			snprintf(buf, size, "%s", v);
			break;
		}
	}
	if (f) {
		fclose(f);
	}
}

json_t *
sb_switch_json(const struct sb_switch *sw)
{
	return json_pack("{s:s, s:s, s:i}", "switch", sw->name, "version", sw->version, "pmd_cpu",
			 sw->pmd_cpu);
}

/* Whether this machine can run KVM guests, and why not when it cannot. */
bool
sb_kvm_usable(char *why, size_t size)
{
	static char buf[65536];
	FILE *f = fopen("/proc/cpuinfo", "r");
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	char *flags, *end;
	int fd, vm;

	if (f) {
		fclose(f);
	}
	buf[n] = '\0';
	/* The first CPU's flags line, with a space after each flag. */
	flags = strstr(buf, "\nflags");
	end = flags ? strchr(flags + 1, '\n') : NULL;
	if (end) {
		end[0] = ' ';
		end[1] = '\0';
	}
	if (!flags || (!strstr(flags, " vmx ") && !strstr(flags, " svm "))) {
		snprintf(why, size, "the CPU has no vmx or svm flag (no hardware virtualisation%s)",
			 access("/dev/kvm", F_OK) ? ""
						  : "; /dev/kvm exists but cannot run a guest");
		return false;
	}
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, size, "cannot open /dev/kvm: %s", strerror(errno));
		return false;
	}
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	if (vm < 0) {
		snprintf(why, size, "KVM_CREATE_VM: %s", strerror(errno));
		close(fd);
		return false;
	}
	close(vm);
	close(fd);
	snprintf(why, size, "KVM can run guests");
	return true;
}

json_t *
sb_machine_json(const struct sb_switch *sw, const int *gen_cpus, unsigned int n_devs)
{
	char model[256], huge_total[32], huge_free[32], huge_size[32], when[32], kvm[160];
	struct utsname u;
	time_t now = time(NULL);
	bool kvm_ok = sb_kvm_usable(kvm, sizeof kvm);
	json_t *m;

	file_field("/proc/cpuinfo", "model name", model, sizeof model);
	file_field("/proc/meminfo", "HugePages_Total", huge_total, sizeof huge_total);
	file_field("/proc/meminfo", "HugePages_Free", huge_free, sizeof huge_free);
	file_field("/proc/meminfo", "Hugepagesize", huge_size, sizeof huge_size);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	if (uname(&u)) {
		memset(&u, 0, sizeof u);
	}
	m = json_pack(
		"{s:s, s:s, s:i, s:s, s:i, s:i, s:{s:i, s:i, s:s}, s:s, s:s, s:s, s:s, "
		"s:s}",
		"date", when, "cpu_model", model, "cpus", (int)sysconf(_SC_NPROCESSORS_ONLN),
		"kernel", u.release, "pmd_cpu", sw->pmd_cpu, "generator_cpu", gen_cpus[0],
		"hugepages", "total", atoi(huge_total), "free", atoi(huge_free), "size", huge_size,
		"switch", "vswitch", "switch_version", VSWITCH_VERSION, "commit", SB_COMMIT, "dpdk",
		rte_version(), "stand_in",
		"virtio-user devices in one DPDK process, a thread per generator CPU, not guests");
	if (m) {
		json_t *cpus = json_array();

		for (unsigned int i = 0; i < n_devs; i++) {
			json_array_append_new(cpus, json_integer(gen_cpus[i]));
		}
		json_object_set_new(m, "generator_cpus", cpus);
		json_object_set_new(m, "kvm",
				    json_pack("{s:b, s:s}", "usable", kvm_ok, "detail", kvm));
	}
	return m;
}
