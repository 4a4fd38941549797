/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vswitchd: options, locks, daemonising, DPDK start-up, the main loop and
 * a clean shutdown. The switch itself is bridge.c, its configuration
 * cfgdb.c, its control socket ctl_server.c and ctl_methods.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "bridge.h"
#include "capture.h"
#include "cfgdb.h"
#include "ctl_server.h"
#include "log.h"
#include "ofconn.h"
#include "test_dir.h"
#include "vswitchd.h"

enum { EAL_ARGS_MAX = 64, MSG_MAX = 1024, MBUFS = 16383, DEFAULT_MEMORY_MB = 256 };

struct options {
	const char *db;
	const char *ctl;
	const char *run_dir;
	const char *state_dir;
	const char *log_file;
	const char *pidfile;
	const char *eal;
	const char *log_level;
	const char *test_dir;
	bool detach;
};

/* 'path' made absolute against the current directory (NULL stays NULL).
 * The result lives as long as the process. */
static const char *
absolute(const char *path)
{
	char cwd[PATH_MAX], *abs;

	if (!path || path[0] == '/') {
		return path;
	}
	if (!getcwd(cwd, sizeof cwd) || asprintf(&abs, "%s/%s", cwd, path) < 0) {
		fprintf(stderr, "vswitchd: cannot make %s absolute: %s\n", path, strerror(errno));
		exit(1);
	}
	return abs;
}

static int ready_fd = -1; /* --detach: tells the parent how the start went */

static void usage(void) __attribute__((noreturn));

static void
usage(void)
{
	printf("usage: vswitchd [OPTIONS]\n"
	       "The vswitch daemon: owns the datapath, the bridges and their ports.\n\n"
	       "  --db FILE          configuration database (/var/lib/vswitch/conf.json)\n"
	       "  --ctl SOCKET       control socket (/run/vswitch/vswitchd.sock)\n"
	       "  --run-dir DIR      run-time files, vhost-user sockets (/run/vswitch)\n"
	       "  --state-dir DIR    flows, groups, meters and OpenFlow port numbers kept\n"
	       "                     across restarts (default: the database's path plus\n"
	       "                     \".ofstate\"; \"none\": not kept)\n"
	       "  --log-file FILE    log to FILE (default: stderr; with --detach\n"
	       "                     /var/log/vswitch/vswitchd.log)\n"
	       "  --log-level LEVEL  err, warn, info (default) or dbg\n"
	       "  --pidfile FILE     write the process id to FILE\n"
	       "  --detach           run in the background once started\n"
	       "  --eal \"ARGS\"       extra DPDK EAL arguments (e.g. \"--no-huge -m 256\")\n"
	       "  --test-dir DIR     allow the test-only port types (pcap, mem) and\n"
	       "                     inject, on files under DIR only\n"
	       "  --help, --version\n");
	exit(0);
}

/* Reports a start-up failure (to stderr, the log, and a waiting parent)
 * and exits. */
static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void
die(const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	VLOG_ERR("vswitchd", "%s", msg);
	if (ready_fd >= 0) {
		if (write(ready_fd, msg, strlen(msg)) < 0) {
			/* the parent is gone; the log has it */
		}
	} else {
		fprintf(stderr, "vswitchd: %s\n", msg);
	}
	exit(1);
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},
		{"ctl", required_argument, NULL, 'c'},
		{"run-dir", required_argument, NULL, 'r'},
		{"state-dir", required_argument, NULL, 's'},
		{"log-file", required_argument, NULL, 'l'},
		{"log-level", required_argument, NULL, 'L'},
		{"pidfile", required_argument, NULL, 'p'},
		{"detach", no_argument, NULL, 'D'},
		{"eal", required_argument, NULL, 'e'},
		{"test-dir", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c;

	*o = (struct options){.db = "/var/lib/vswitch/conf.json",
			      .ctl = "/run/vswitch/vswitchd.sock",
			      .run_dir = "/run/vswitch"};
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->db = optarg;
			break;
		case 'c':
			o->ctl = optarg;
			break;
		case 'r':
			o->run_dir = optarg;
			break;
		case 's':
			o->state_dir = optarg;
			break;
		case 'l':
			o->log_file = optarg;
			break;
		case 'L':
			o->log_level = optarg;
			break;
		case 'p':
			o->pidfile = optarg;
			break;
		case 'D':
			o->detach = true;
			break;
		case 'e':
			o->eal = optarg;
			break;
		case 't':
			o->test_dir = optarg;
			break;
		case 'h':
			usage();
		case 'V':
			printf("vswitchd %s\n", VSWITCH_VERSION);
			exit(0);
		default:
			fprintf(stderr, "vswitchd: try --help\n");
			exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vswitchd: unexpected argument '%s' (try --help)\n", argv[optind]);
		exit(2);
	}
	if (o->detach && !o->log_file) {
		o->log_file = "/var/log/vswitch/vswitchd.log";
	}
	/* --detach moves to /: relative paths must mean what they meant here. */
	o->db = absolute(o->db);
	o->ctl = absolute(o->ctl);
	o->run_dir = absolute(o->run_dir);
	if (!o->state_dir) {
		static char dir[PATH_MAX];

		snprintf(dir, sizeof dir, "%s.ofstate", o->db);
		o->state_dir = dir;
	} else if (!strcmp(o->state_dir, "none")) {
		o->state_dir = "";
	}
	o->state_dir = o->state_dir[0] ? absolute(o->state_dir) : "";
	o->log_file = absolute(o->log_file);
	o->pidfile = absolute(o->pidfile);
}

/* mkdir -p of the directory that holds 'path' (or of 'path' itself). */
static void
make_dirs(const char *path, bool parent)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof buf, "%s", path);
	if (parent) {
		char *slash = strrchr(buf, '/');

		if (!slash || slash == buf) {
			return;
		}
		*slash = '\0';
	}
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char saved = *p;

			*p = '\0';
			if (mkdir(buf, 0755) && errno != EEXIST) {
				die("cannot create directory %s: %s", buf, strerror(errno));
			}
			*p = saved;
			if (!saved) {
				break;
			}
		}
	}
}

/* Whether process 'pid' is gone or on its way out (exiting, as after
 * kill -9 while the kernel releases its memory, or a zombie): its locks go
 * soon. */
static bool
process_dying(pid_t pid)
{
	char path[64], buf[512], state = 0;
	unsigned long flags = 0;
	const char *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return true;
	}
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0) {
		return true;
	}
	buf[n] = '\0';
	/* "pid (comm) state ppid pgrp session tty tpgid flags ..." */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %*d %*d %*d %*d %*d %lu", &state, &flags) != 2) {
		return false;
	}
	return state == 'Z' || state == 'X' || (flags & 0x4); /* PF_EXITING */
}

/* Takes an exclusive lock on 'path' for the life of the process. A lock
 * held by a vswitchd that was just killed is waited for (up to 10 s), so
 * that a restart right after kill -9 starts as soon as the kernel lets
 * go of it. */
static int
lock_file(const char *path, const char *what)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		die("cannot open %s: %s", path, strerror(errno));
	}
	for (int i = 0; i < 1000 && fcntl(fd, F_SETLK, &fl); i++) {
		struct flock holder = {.l_type = F_WRLCK, .l_whence = SEEK_SET};

		if (fcntl(fd, F_GETLK, &holder) || holder.l_type == F_UNLCK) {
			continue; /* released meanwhile: try again */
		}
		if (!process_dying(holder.l_pid)) {
			break;
		}
		usleep(10000);
	}
	fl.l_type = F_WRLCK;
	if (fcntl(fd, F_SETLK, &fl)) {
		fl.l_type = F_WRLCK;
		fcntl(fd, F_GETLK, &fl);
		die("%s is in use by another vswitchd (pid %d)", what, (int)fl.l_pid);
	}
	return fd;
}

static void
write_pidfile(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%d\n", (int)getpid());

	if (ftruncate(fd, 0) || pwrite(fd, buf, (size_t)n, 0) != n) {
		die("cannot write the pidfile: %s", strerror(errno));
	}
}

/* Forks; the parent waits for the child's start-up report and exits. */
static void
daemonize(void)
{
	char msg[MSG_MAX];
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC)) {
		die("pipe: %s", strerror(errno));
	}
	pid = fork();
	if (pid < 0) {
		die("fork: %s", strerror(errno));
	}
	if (pid > 0) {
		close(fds[1]);
		n = read(fds[0], msg, sizeof msg - 1);
		if (n > 0 && strncmp(msg, "ready", 5)) {
			msg[n] = '\0';
			fprintf(stderr, "vswitchd: %s\n", msg);
			exit(1);
		}
		if (n <= 0) {
			waitpid(pid, &status, 0);
			fprintf(stderr, "vswitchd: the daemon exited during start-up\n");
			exit(1);
		}
		exit(0);
	}
	close(fds[0]);
	ready_fd = fds[1];
	setsid();
	if (chdir("/")) {
		die("chdir /: %s", strerror(errno));
	}
}

/* A detached daemon's stdin is /dev/null and its stdout and stderr (where
 * DPDK writes its own messages) go to the log file. */
static void
detach_stdio(const char *log_file)
{
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int out = open(log_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (in >= 0) {
		dup2(in, STDIN_FILENO);
		close(in);
	}
	if (out >= 0) {
		dup2(out, STDOUT_FILENO);
		dup2(out, STDERR_FILENO);
		close(out);
	}
}

/* Free hugepage memory in MB, from /proc/meminfo. */
static long
hugepages_free_mb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	long free_pages = 0, size_kb = 0;
	char line[128];

	if (!f) {
		return 0;
	}
	while (fgets(line, sizeof line, f)) {
		sscanf(line, "HugePages_Free: %ld", &free_pages);
		sscanf(line, "Hugepagesize: %ld kB", &size_kb);
	}
	fclose(f);
	return free_pages * size_kb / 1024;
}

struct eal_args {
	int argc;
	char *argv[EAL_ARGS_MAX];
	char storage[4096];
	size_t used;
};

static void
eal_add(struct eal_args *a, const char *arg)
{
	size_t len = strlen(arg) + 1;

	if (a->argc == EAL_ARGS_MAX - 1 || a->used + len > sizeof a->storage) {
		die("too many EAL arguments");
	}
	a->argv[a->argc++] = memcpy(a->storage + a->used, arg, len);
	a->used += len;
}

static void
eal_add_words(struct eal_args *a, const char *words)
{
	char buf[1024], *tok, *save = NULL;

	snprintf(buf, sizeof buf, "%s", words ? words : "");
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		eal_add(a, tok);
	}
}

static bool
eal_has(const struct eal_args *a, const char *opt)
{
	for (int i = 0; i < a->argc; i++) {
		if (!strncmp(a->argv[i], opt, strlen(opt))) {
			return true;
		}
	}
	return false;
}

/* Builds the EAL command line: defaults, then the database's eal_args, then
 * --eal. Uses hugepages when enough are free, else says why not. */
static void
eal_build(struct eal_args *a, const json_t *global, const char *extra, const cpu_set_t *cpus)
{
	long mem = cfgdb_get_int(global, "eal_memory_mb", DEFAULT_MEMORY_MB);
	struct eal_args user = {0};
	char buf[32];
	int main_cpu = 0;

	while (main_cpu < CPU_SETSIZE - 1 && !CPU_ISSET(main_cpu, cpus)) {
		main_cpu++;
	}
	eal_add_words(&user, cfgdb_get_str(global, "eal_args", ""));
	eal_add_words(&user, extra);
	eal_add(a, "vswitchd");
	if (!eal_has(&user, "-l") && !eal_has(&user, "--lcores") && !eal_has(&user, "-c")) {
		snprintf(buf, sizeof buf, "%d", main_cpu);
		eal_add(a, "-l");
		eal_add(a, buf);
	}
	if (!eal_has(&user, "-m") && !eal_has(&user, "--socket-mem")) {
		snprintf(buf, sizeof buf, "%ld", mem);
		eal_add(a, "-m");
		eal_add(a, buf);
	}
	if (eal_has(&user, "--no-huge")) {
		if (!eal_has(&user, "--no-shconf")) {
			eal_add(a, "--no-shconf");
		}
	} else if (hugepages_free_mb() >= mem) {
		if (!eal_has(&user, "--file-prefix") && !eal_has(&user, "--in-memory")) {
			eal_add(a, "--in-memory"); /* no hugepage files left behind */
		}
	} else {
		VLOG_WARN("vswitchd",
			  "only %ld MB of hugepages free, %ld MB needed: running without "
			  "hugepages (slower); free or add some in /proc/sys/vm/nr_hugepages",
			  hugepages_free_mb(), mem);
		eal_add(a, "--no-huge");
		eal_add(a, "--no-shconf");
	}
	/* Never probe the host's PCI devices unless asked to (-a ADDR): the
	 * NIC the machine is reached through may be one of them. */
	if (!eal_has(&user, "-a") && !eal_has(&user, "--allow") && !eal_has(&user, "-b") &&
	    !eal_has(&user, "--block") && !eal_has(&user, "--no-pci")) {
		eal_add(a, "--no-pci");
	}
	if (!eal_has(&user, "--no-telemetry") && !eal_has(&user, "--telemetry")) {
		eal_add(a, "--no-telemetry");
	}
	for (int i = 0; i < user.argc; i++) {
		eal_add(a, user.argv[i]);
	}
	a->argv[a->argc] = NULL;
}

/* DPDK's own messages, one vlog() line each under the module "dpdk", at
 * the level DPDK gave them: they take the log's format and levels instead
 * of coming raw through stderr. DPDK flushes the stream after each
 * message; a message of several lines gives several log lines. */
static ssize_t
dpdk_log_write(void *cookie, const char *buf, size_t size)
{
	uint32_t lvl = rte_log_cur_msg_loglevel();
	enum vlog_level level = lvl <= RTE_LOG_ERR       ? VLOG_ERR
				: lvl == RTE_LOG_WARNING ? VLOG_WARN
				: lvl <= RTE_LOG_INFO    ? VLOG_INFO
							 : VLOG_DBG;
	size_t at = 0;

	(void)cookie;
	while (at < size) {
		const char *nl = memchr(buf + at, '\n', size - at);
		size_t len = (nl ? (size_t)(nl - buf) : size) - at;

		if (len) {
			vlog(level, "dpdk", "%.*s", (int)len, buf + at);
		}
		at += len + (nl != NULL);
	}
	return (ssize_t)size;
}

static void
route_dpdk_log(void)
{
	static char buf[4096];
	FILE *f = fopencookie(NULL, "w", (cookie_io_functions_t){.write = dpdk_log_write});

	if (f) {
		setvbuf(f, buf, _IOFBF, sizeof buf);
		rte_openlog_stream(f);
	}
}

static void
start_eal(const json_t *doc, const char *extra, const cpu_set_t *cpus)
{
	struct eal_args a = {0};
	char line[1024] = "";

	eal_build(&a, json_object_get(doc, "global"), extra, cpus);
	for (int i = 1; i < a.argc; i++) {
		snprintf(line + strlen(line), sizeof line - strlen(line), " %s", a.argv[i]);
	}
	VLOG_INFO("vswitchd", "starting DPDK:%s", line);
	route_dpdk_log();
	if (rte_eal_init(a.argc, a.argv) < 0) {
		die("cannot start DPDK (EAL arguments:%s): %s", line, rte_strerror(rte_errno));
	}
}

static int
block_signals(void)
{
	sigset_t set;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	/* Before the EAL starts threads, so that they inherit the mask. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0) {
		die("signalfd: %s", strerror(errno));
	}
	return fd;
}

static void
setup_logging(const struct options *o)
{
	enum vlog_level level;

	if (o->log_level) {
		if (vlog_parse_level(o->log_level, &level)) {
			fprintf(stderr,
				"vswitchd: --log-level: '%s' is not err, warn, info or dbg\n",
				o->log_level);
			exit(2);
		}
		vlog_set_level(level);
	}
	if (o->log_file) {
		make_dirs(o->log_file, true);
		if (vlog_set_file(o->log_file)) {
			die("cannot open log file %s: %s", o->log_file, strerror(errno));
		}
	}
}

static json_t *
load_db(const char *path)
{
	char err[CFGDB_ERR_MAX];
	json_t *doc;
	int ret = cfgdb_load(path, &doc, err);

	if (ret == -ENOENT) {
		VLOG_INFO("vswitchd", "%s does not exist: starting with an empty configuration",
			  path);
	} else if (ret) {
		die("refusing to start: %s (the file is left as it is)", err);
	}
	return doc;
}

/* SIGHUP (what logrotate sends): the log file is opened again by name, so
 * that a rotated file is let go and a new one started. */
static void
reopen_log(const struct options *o)
{
	int ret;

	if (!o->log_file) {
		return;
	}
	ret = vlog_set_file(o->log_file);
	if (ret) {
		VLOG_ERR("vswitchd", "SIGHUP: cannot reopen %s: %s: logging to the old file",
			 o->log_file, strerror(-ret));
		return;
	}
	if (o->detach) {
		/* DPDK's own messages follow the log. */
		int out = open(o->log_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

		if (out >= 0) {
			dup2(out, STDOUT_FILENO);
			dup2(out, STDERR_FILENO);
			close(out);
		}
	}
	VLOG_INFO("vswitchd", "SIGHUP: log file reopened");
}

/* Every OpenFlow connection, vhost-user socket and TAP queue is a
 * descriptor, and the soft limit is often 1024: take what the hard limit
 * allows (a listener under a flood of connections then rests instead of
 * failing the others). */
static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rlim_t want = rl.rlim_max;

		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_NOFILE, &rl)) {
			VLOG_WARN("vswitchd", "cannot raise the descriptor limit to %llu: %s",
				  (unsigned long long)want, strerror(errno));
		}
	}
}

static void
main_loop(struct ctl_server *srv, int sig_fd, struct vswitchd *vd, const struct options *o)
{
	struct pollfd *fds = NULL;
	size_t fds_alloc = 0;

	for (;;) {
		struct ofconns *ofc = bridges_ofconns(vd->bridges);
		size_t n = 1, want = 1 + ofconns_pollfd_count(ofc) + METRICS_POLL_MAX;

		if (want > fds_alloc) {
			struct pollfd *grown = realloc(fds, want * sizeof *fds);

			if (grown) {
				fds = grown;
				fds_alloc = want;
			} else if (!fds) {
				die("out of memory for the poll set");
			}
		}
		fds[0] = (struct pollfd){.fd = sig_fd, .events = POLLIN};
		n += ofconns_pollfds(ofc, fds + 1, fds_alloc - 1 - METRICS_POLL_MAX);
		size_t n_of = n;

		n += metrics_server_pollfds(vd->metrics, fds + n, fds_alloc - n);
		ctl_server_run(srv, 100, fds, n);
		if (fds[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sig_fd, &si, sizeof si) == sizeof si) {
				if (si.ssi_signo == SIGHUP) {
					reopen_log(o);
					continue;
				}
				VLOG_INFO("vswitchd", "signal %u: shutting down", si.ssi_signo);
				free(fds);
				return;
			}
		}
		ofconns_run(bridges_ofconns(vd->bridges), fds + 1, n_of - 1, bridges_now_ms());
		metrics_server_run(vd->metrics, vd, fds + n_of, n - n_of, bridges_now_ms());
		bridges_tls_retry(vd->bridges);
		if (bridges_dp(vd->bridges)) {
			bridges_sweep(vd->bridges, false);
			captures_run(bridges_captures(vd->bridges));
			dp_run(bridges_dp(vd->bridges));
		}
	}
}

int
main(int argc, char **argv)
{
	struct vswitchd vd = {0};
	char lock_path[PATH_MAX], err[BRIDGE_ERR_MAX];
	const struct jsonrpc_method *methods;
	struct rte_mempool *mp;
	struct ctl_server *srv;
	struct options o;
	int pid_fd = -1, sig_fd;
	size_t n_methods;
	cpu_set_t cpus;

	parse_options(argc, argv, &o);
	raise_fd_limit();
	if (o.test_dir && test_dir_set(o.test_dir, err, sizeof err)) {
		fprintf(stderr, "vswitchd: %s\n", err);
		exit(2);
	}
	/* Before the EAL pins this thread to one CPU. */
	if (sched_getaffinity(0, sizeof cpus, &cpus)) {
		die("sched_getaffinity: %s", strerror(errno));
	}
	if (o.detach) {
		daemonize();
	}
	setup_logging(&o);
	if (o.detach) {
		detach_stdio(o.log_file);
	}
	make_dirs(o.db, true);
	make_dirs(o.ctl, true);
	make_dirs(o.run_dir, false);
	snprintf(lock_path, sizeof lock_path, "%s.lock", o.db);
	lock_file(lock_path, o.db);
	if (o.pidfile) {
		make_dirs(o.pidfile, true);
		pid_fd = lock_file(o.pidfile, o.pidfile);
		write_pidfile(pid_fd);
	}
	vd.db.doc = load_db(o.db);
	vd.db_path = o.db;
	if (!o.log_level) {
		const char *level =
			cfgdb_get_str(json_object_get(vd.db.doc, "global"), "log_level", NULL);
		enum vlog_level l;

		if (level && !vlog_parse_level(level, &l)) {
			vlog_set_level(l);
		}
	}
	sig_fd = block_signals();
	start_eal(vd.db.doc, o.eal, &cpus);
	mp = rte_pktmbuf_pool_create("vs_mbufs", MBUFS, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     SOCKET_ID_ANY);
	vd.bridges = mp ? bridges_create(mp, &cpus, o.run_dir) : NULL;
	if (!vd.bridges) {
		die("cannot allocate packet buffers: %s (more EAL memory: eal_memory_mb)",
		    rte_strerror(rte_errno));
	}
	bridges_set_state_dir(vd.bridges, o.state_dir);
	if (bridges_reconfigure(vd.bridges, vd.db.doc, err)) {
		if (!bridges_dp(vd.bridges)) {
			die("%s", err);
		}
		VLOG_ERR("vswitchd", "starting without some ports: %s", err);
	}
	if (metrics_server_set(
		    &vd.metrics,
		    cfgdb_get_str(json_object_get(vd.db.doc, "global"), "metrics_address", NULL),
		    err, sizeof err)) {
		VLOG_ERR("vswitchd", "starting without metrics: %s", err);
	}
	/* Ports that got their OpenFlow number now (a database of an older
	 * version, a port whose number was taken) keep it from now on. */
	if (bridges_record_ofports(vd.bridges, vd.db.doc) && vd.db_path &&
	    cfgdb_save(vd.db_path, vd.db.doc, err)) {
		VLOG_WARN("vswitchd", "could not save the OpenFlow port numbers: %s", err);
	}
	vd.db.commit = vswitchd_commit;
	vd.db.aux = &vd;
	methods = ctl_methods(&n_methods);
	srv = ctl_server_create(o.ctl, methods, n_methods, &vd, err);
	if (!srv) {
		die("%s", err);
	}
	VLOG_INFO("vswitchd", "ready: database %s, control socket %s", o.db, o.ctl);
	if (ready_fd >= 0) {
		if (write(ready_fd, "ready", 5) != 5) {
			VLOG_WARN("vswitchd", "the parent process is gone");
		}
		close(ready_fd);
		ready_fd = -1;
	}
	main_loop(srv, sig_fd, &vd, &o);

	ctl_server_destroy(srv);
	metrics_server_destroy(vd.metrics);
	bridges_destroy(vd.bridges);
	rte_mempool_free(mp);
	json_decref(vd.db.doc);
	rte_eal_cleanup();
	if (pid_fd >= 0) {
		unlink(o.pidfile);
	}
	VLOG_INFO("vswitchd", "stopped");
	return 0;
}
