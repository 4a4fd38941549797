/* SPDX-License-Identifier: Apache-2.0 */
/*
 * switch-bench: VM-to-VM packet rates through vswitch, in one command.
 *
 * It starts a private vswitchd with vhost-user ports, connects stand-in VMs
 * (sb_traffic.h) and measures trials: offered and received rate per
 * direction, loss, latency percentiles and the PMD's busy cycles per
 * packet. "run" repeats trials at one rate, "search" finds the highest rate
 * with no more than a given loss (RFC 2544 style binary search), "sweep"
 * goes over frame sizes and flow counts. With --against ovs, an isolated
 * Open vSwitch with DPDK runs beside it and every trial runs on both, one
 * switch after the other, so that the machine's noise hits both alike; the
 * ratio of each case is reported. Text on a terminal, or one JSON document
 * with --json (docs/switch-bench.md describes both).
 */
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "sb_opts.h"
#include "sb_plot.h"
#include "sb_switch.h"
#include "sb_traffic.h"

enum { MAX_DIRS = 2, SEARCH_STEPS = 14, MAX_SIDES = 2, MAX_TRIALS = 100 };

/* The idle sleep of the switch not measured (with --against): the most
 * either switch allows, so that it takes next to no CPU. */
enum { IDLE_SLEEP_US = 10000 };

/* What the VMs are, and why they are not QEMU guests. */
static void
print_vms_line(void)
{
	char kvm[160];
	bool ok = sb_kvm_usable(kvm, sizeof kvm);

	printf("VMs: stand-ins (DPDK virtio-user, no guest kernel): the rates are the switch's; "
	       "real QEMU guests %s%s\n",
	       ok ? "are not an option of switch-bench yet" : "cannot be measured here: ",
	       ok ? "" : kvm);
}

/* A topology: its stand-in VMs and the directions measured. */
struct topo {
	const char *name;
	unsigned int n_devs;
	const char *names[SB_MAX_DEVS];
	unsigned int roles[SB_MAX_DEVS];
	int dst[SB_MAX_DEVS]; /* the device each one sends to */
	unsigned int n_dirs;
	int from[MAX_DIRS], to[MAX_DIRS];
};

static const struct topo TOPOS[] = {
	{"p2p", 2, {"vm1", "vm2"}, {SB_GEN, SB_SINK}, {1, 0}, 1, {0}, {1}},
	{"pvp", 2, {"gen", "vm"}, {SB_GEN | SB_SINK, SB_LOOP}, {1, 0}, 1, {0}, {0}},
	{"vm2vm-bi",
	 2,
	 {"vm1", "vm2"},
	 {SB_GEN | SB_SINK, SB_GEN | SB_SINK},
	 {1, 0},
	 2,
	 {0, 1},
	 {1, 0}},
};

struct dir_result {
	double offered_pps, sent_pps, rx_pps, loss_pct;
	uint64_t attempted, rx, ring_full;
	uint64_t p50, p99, p999, max, samples;
	bool gen_limited;
};

struct trial_result {
	bool valid;
	char error[200];
	double rate, window_s, rx_mpps;
	struct dir_result dir[MAX_DIRS];
	unsigned int n_dirs;
	struct sb_pmd_stats before, after;
	bool stats_ok;
	double busy_cpp, idle_share;
	bool stages_ok;
	double stage_cpp[SB_STAGES]; /* busy cycles per packet by stage */
	long megaflows;
	struct sb_lat lat0; /* the first direction's latencies */
};

/* The switches under test: vswitch, and Open vSwitch with --against. */
struct side {
	struct sb_switch sw;
	struct trial_result trs[MAX_TRIALS];
};

struct bench {
	struct side sides[MAX_SIDES];
	unsigned int n_sides;
	int active; /* the switch whose PMD is awake, -1: not chosen yet */
};

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static const struct topo *
find_topo(const char *name)
{
	for (size_t i = 0; i < sizeof TOPOS / sizeof TOPOS[0]; i++) {
		if (!strcmp(TOPOS[i].name, name)) {
			return &TOPOS[i];
		}
	}
	return NULL;
}

/* The first CPU this process may use other than 'avoid'. */
/* The VMs' CPUs when --cpu does not say: a CPU each if there are enough
 * besides 'avoid' (the PMD's), else all on the first one there is. */
static void
pick_cpus(int avoid, unsigned int n, int *cpus)
{
	int free[SB_MAX_DEVS];
	unsigned int n_free = 0;
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof set, &set)) {
		CPU_ZERO(&set);
	}
	for (int i = 0; i < CPU_SETSIZE && n_free < n; i++) {
		if (CPU_ISSET(i, &set) && i != avoid) {
			free[n_free++] = i;
		}
	}
	for (unsigned int i = 0; i < n; i++) {
		cpus[i] = n_free == n ? free[i] : n_free ? free[0] : avoid < 0 ? 0 : avoid;
	}
}

/* "0" or "2,3": the VMs' CPUs as a list. */
static const char *
cpus_text(const struct opts *o, unsigned int n, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < n && len < size; i++) {
		bool dup = false;

		for (unsigned int j = 0; j < i; j++) {
			dup |= o->gen_cpus[j] == o->gen_cpus[i];
		}
		if (!dup) {
			len += (size_t)snprintf(buf + len, size - len, "%s%d", len ? "," : "",
						o->gen_cpus[i]);
		}
	}
	return buf;
}

/* ---- One trial ---- */

struct window_aux {
	struct sb_switch *sw;
	struct trial_result *tr;
	bool replay_failed, replaying;
	double read_s[2]; /* when the counters were read, CLOCK_MONOTONIC */
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The switch's counters at both ends of the window. With --wire pcap the
 * replay runs only inside it: its port is added before the first reading
 * and deleted after the last, so that they count only its steady state. */
static void
on_window(void *aux, bool start)
{
	struct window_aux *w = aux;

	if (start) {
		if (w->sw->wire_pcap) {
			w->replaying = !sb_tunnel_replay(w->sw, true);
			w->replay_failed = !w->replaying;
		}
		w->tr->stats_ok = !sb_switch_pmd_stats(w->sw, &w->tr->before);
		w->read_s[0] = now_s();
	} else {
		if (w->tr->stats_ok) {
			w->tr->stats_ok = !sb_switch_pmd_stats(w->sw, &w->tr->after);
		}
		w->read_s[1] = now_s();
		if (w->replaying) {
			w->replaying = false;
			w->replay_failed = w->replay_failed || sb_tunnel_replay(w->sw, false);
		}
	}
}

static void
fill_dir(const struct sb_result *r, int from, int to, double rate, struct dir_result *d)
{
	const struct sb_dev_result *f = &r->dev[from], *t = &r->dev[to];
	double w = r->window_s > 0 ? r->window_s : 1;

	memset(d, 0, sizeof *d);
	d->attempted = f->attempted;
	d->rx = t->rx;
	d->ring_full = f->tx_ring_full;
	d->offered_pps = (double)f->attempted / w;
	d->sent_pps = (double)f->tx / w;
	d->rx_pps = (double)t->rx / w;
	d->loss_pct = f->attempted
			      ? 100.0 * (double)(f->attempted > t->rx ? f->attempted - t->rx : 0) /
					(double)f->attempted
			      : 100.0;
	d->samples = t->lat.n;
	d->p50 = sb_lat_quantile(&t->lat, 0.5);
	d->p99 = sb_lat_quantile(&t->lat, 0.99);
	d->p999 = sb_lat_quantile(&t->lat, 0.999);
	d->max = t->lat.max_ns;
	/* Honesty: a generator that could not keep to the schedule. */
	d->gen_limited = f->tx_no_mbuf > 0 || (rate > 0 && d->offered_pps < 0.99 * rate);
}

static void
run_trial(const struct opts *o, struct sb_switch *sw, const struct topo *tp, double rate,
	  uint16_t size, uint32_t flows, struct trial_result *tr)
{
	struct sb_trial t = {.n_devs = tp->n_devs,
			     .rate = rate,
			     .size = size,
			     .flows = flows,
			     .warmup = o->warmup,
			     .duration = o->duration,
			     .connect_timeout = 10};
	struct window_aux w = {sw, tr, false, false, {0, 0}};
	static struct sb_result r;

	for (unsigned int i = 0; i < tp->n_devs; i++) {
		t.cpu[i] = o->gen_cpus[i];
	}
	memset(tr, 0, sizeof *tr);
	tr->rate = rate;
	for (unsigned int i = 0; i < tp->n_devs; i++) {
		struct sb_dev *d = &t.dev[i];

		sb_switch_socket(sw, i, d->socket, sizeof d->socket);
		memcpy(d->mac, (uint8_t[6]){0x02, 0x5b, 0, 0, 0, (uint8_t)(i + 1)}, 6);
		memcpy(d->dst, (uint8_t[6]){0x02, 0x5b, 0, 0, 0, (uint8_t)(tp->dst[i] + 1)}, 6);
		d->ip = 0x0a5b0001 + i;
		d->dst_ip = 0x0a5b0001 + (uint32_t)tp->dst[i];
		d->roles = tp->roles[i];
		if (sb_tunnel_wire(sw, i, d) && sw->wire_pcap) {
			/* Its frames replayed: the stand-in only says where
			 * the far host is. */
			d->roles = 0;
			if (sb_tunnel_replay_file(sw, d, size, flows)) {
				snprintf(tr->error, sizeof tr->error,
					 "cannot write the wire's frames");
				return;
			}
		}
	}
	if (sb_traffic_run(&t, &r, on_window, &w) || !r.ok) {
		if (w.replaying) { /* a trial cut short inside its window */
			sb_tunnel_replay(sw, false);
		}
		snprintf(tr->error, sizeof tr->error, "%s",
			 r.error[0] ? r.error : "the traffic engine could not run");
		return;
	}
	if (sw->wire_pcap) {
		const int from = tp->from[0], to = tp->to[0];

		if (w.replay_failed || !tr->stats_ok) {
			snprintf(tr->error, sizeof tr->error,
				 "the wire's replay could not be started, stopped or counted");
			return;
		}
		/* What the replay offered is what the switch received between
		 * its two readings, which are the window; vm2 also counts the
		 * few frames of the replay's first and last moments. */
		r.dev[from].attempted = r.dev[from].tx =
			tr->after.rx_packets - tr->before.rx_packets;
		r.window_s = w.read_s[1] - w.read_s[0];
		if (r.dev[to].rx > r.dev[from].attempted) {
			r.dev[to].rx = r.dev[from].attempted;
		}
	}
	for (unsigned int i = 0; i < tp->n_devs; i++) {
		if (r.dev[i].link_down) {
			snprintf(tr->error, sizeof tr->error,
				 "the link of %s went down during the trial: no rate reported",
				 tp->names[i]);
			return;
		}
	}
	tr->window_s = r.window_s;
	tr->n_dirs = tp->n_dirs;
	tr->lat0 = r.dev[tp->to[0]].lat;
	for (unsigned int i = 0; i < tp->n_dirs; i++) {
		fill_dir(&r, tp->from[i], tp->to[i], rate, &tr->dir[i]);
		tr->rx_mpps += tr->dir[i].rx_pps / 1e6;
	}
	if (tr->stats_ok) {
		uint64_t rx = tr->after.rx_packets - tr->before.rx_packets;
		uint64_t busy = tr->after.busy_cycles - tr->before.busy_cycles;
		uint64_t idle = tr->after.idle_cycles - tr->before.idle_cycles;

		tr->busy_cpp = rx ? (double)busy / (double)rx : 0;
		tr->idle_share = busy + idle ? (double)idle / (double)(busy + idle) : 0;
		tr->stages_ok = tr->before.stages && tr->after.stages && rx;
		for (unsigned int k = 0; tr->stages_ok && k < SB_STAGES; k++) {
			tr->stage_cpp[k] =
				(double)(tr->after.stage[k] - tr->before.stage[k]) / (double)rx;
		}
	}
	tr->megaflows = sb_switch_megaflows(sw);
	tr->valid = true;
}

static bool
trial_gen_limited(const struct trial_result *tr)
{
	for (unsigned int i = 0; i < tr->n_dirs; i++) {
		if (tr->dir[i].gen_limited) {
			return true;
		}
	}
	return false;
}

static double
trial_loss(const struct trial_result *tr)
{
	double worst = 0;

	for (unsigned int i = 0; i < tr->n_dirs; i++) {
		worst = tr->dir[i].loss_pct > worst ? tr->dir[i].loss_pct : worst;
	}
	return worst;
}

/* ---- Reporting ---- */

static json_t *
trial_json(const struct trial_result *tr, const struct topo *tp)
{
	json_t *dirs = json_array(), *warnings = json_array(), *j;

	for (unsigned int i = 0; i < tr->n_dirs; i++) {
		const struct dir_result *d = &tr->dir[i];

		json_array_append_new(
			dirs,
			json_pack("{s:s, s:s, s:f, s:f, s:f, s:I, s:I, s:f, s:I, s:b, "
				  "s:{s:I, s:I, s:I, s:I, s:I}}",
				  "from", tp->names[tp->from[i]], "to", tp->names[tp->to[i]],
				  "offered_pps", d->offered_pps, "sent_pps", d->sent_pps, "rx_pps",
				  d->rx_pps, "offered_frames", (json_int_t)d->attempted,
				  "rx_frames", (json_int_t)d->rx, "loss_pct", d->loss_pct,
				  "ring_full", (json_int_t)d->ring_full, "generator_limited",
				  d->gen_limited, "latency_ns", "p50", (json_int_t)d->p50, "p99",
				  (json_int_t)d->p99, "p99_9", (json_int_t)d->p999, "max",
				  (json_int_t)d->max, "samples", (json_int_t)d->samples));
		if (d->gen_limited) {
			json_array_append_new(
				warnings,
				json_sprintf("%s could not offer the requested rate: offered "
					     "%.0f frames/s",
					     tp->names[tp->from[i]], d->offered_pps));
		}
	}
	j = json_pack("{s:b, s:o, s:f, s:f, s:o, s:o}", "valid", tr->valid, "rate_requested_pps",
		      tr->rate > 0 ? json_real(tr->rate) : json_null(), "window_s", tr->window_s,
		      "rx_mpps", tr->rx_mpps, "directions", dirs, "warnings", warnings);
	if (!tr->valid) {
		json_object_set_new(j, "error", json_string(tr->error));
	}
	if (tr->valid && tr->stats_ok) {
		json_object_set_new(
			j, "switch",
			json_pack("{s:I, s:f, s:f, s:I, s:I, s:I}", "rx_packets",
				  (json_int_t)(tr->after.rx_packets - tr->before.rx_packets),
				  "busy_cycles_per_packet", tr->busy_cpp, "idle_share",
				  tr->idle_share, "megaflows", (json_int_t)tr->megaflows,
				  "datapath_drops",
				  (json_int_t)(tr->after.drops - tr->before.drops),
				  "port_tx_dropped",
				  (json_int_t)(tr->after.tx_dropped - tr->before.tx_dropped)));
		if (tr->stages_ok) {
			json_object_set_new(json_object_get(j, "switch"), "stage_cycles_per_packet",
					    json_pack("{s:f, s:f, s:f}", "receive",
						      tr->stage_cpp[SB_STAGE_RECEIVE], "processing",
						      tr->stage_cpp[SB_STAGE_PROCESSING], "sending",
						      tr->stage_cpp[SB_STAGE_SENDING]));
		}
	}
	return j;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* {"median", "min", "max"} of 'n' values. */
static json_t *
spread_json(double *v, unsigned int n, double *median)
{
	if (!n) {
		*median = 0;
		return json_null();
	}
	qsort(v, n, sizeof *v, cmp_double);
	*median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return json_pack("{s:f, s:f, s:f, s:i}", "median", *median, "min", v[0], "max", v[n - 1],
			 "n", (int)n);
}

struct summary {
	double rx_mpps, loss_pct, p99_us, busy_cpp;
	unsigned int valid, total;
	bool gen_limited;
	bool stages; /* every valid trial has them */
	double stage_cpp[SB_STAGES];
};

static json_t *
summary_json(const struct trial_result *trs, unsigned int n, struct summary *s)
{
	static const char *const stage_names[SB_STAGES] = {"receive", "processing", "sending"};
	double rx[100], loss[100], p99[100], cpp[100], stage[SB_STAGES][100];
	unsigned int k = 0;
	json_t *j;

	memset(s, 0, sizeof *s);
	s->total = n;
	for (unsigned int i = 0; i < n && k < 100; i++) {
		double worst_p99 = 0;

		if (!trs[i].valid) {
			continue;
		}
		for (unsigned int d = 0; d < trs[i].n_dirs; d++) {
			worst_p99 = (double)trs[i].dir[d].p99 > worst_p99
					    ? (double)trs[i].dir[d].p99
					    : worst_p99;
		}
		s->gen_limited |= trial_gen_limited(&trs[i]);
		rx[k] = trs[i].rx_mpps;
		loss[k] = trial_loss(&trs[i]);
		p99[k] = worst_p99 / 1000;
		cpp[k] = trs[i].busy_cpp;
		for (unsigned int g = 0; g < SB_STAGES; g++) {
			stage[g][k] = trs[i].stage_cpp[g];
		}
		s->stages = (k == 0 || s->stages) && trs[i].stages_ok;
		k++;
	}
	s->valid = k;
	j = json_pack("{s:i, s:i}", "trials", (int)n, "valid_trials", (int)k);
	json_object_set_new(j, "rx_mpps", spread_json(rx, k, &s->rx_mpps));
	json_object_set_new(j, "loss_pct", spread_json(loss, k, &s->loss_pct));
	json_object_set_new(j, "latency_p99_us", spread_json(p99, k, &s->p99_us));
	json_object_set_new(j, "busy_cycles_per_packet", spread_json(cpp, k, &s->busy_cpp));
	json_object_set_new(j, "generator_limited", json_boolean(s->gen_limited));
	if (s->stages) {
		json_t *st = json_object();

		for (unsigned int g = 0; g < SB_STAGES; g++) {
			json_object_set_new(st, stage_names[g],
					    spread_json(stage[g], k, &s->stage_cpp[g]));
		}
		json_object_set_new(j, "stage_cycles_per_packet", st);
	}
	return j;
}

static void
size_name(uint16_t size, char *buf, size_t len)
{
	if (size) {
		snprintf(buf, len, "%u", size);
	} else {
		snprintf(buf, len, "imix");
	}
}

static void progress(const struct opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
progress(const struct opts *o, const char *fmt, ...)
{
	va_list ap;

	if (o->json || !isatty(2)) {
		return;
	}
	va_start(ap, fmt);
	fprintf(stderr, "\r\033[K");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* Wakes switch 'k' (its PMD's idle sleep as asked, or its default) and
 * puts the other to sleep, when there are two and 'k' is not awake yet. */
static void
activate(const struct opts *o, struct bench *b, unsigned int k)
{
	if (b->n_sides < 2 || b->active == (int)k) {
		return;
	}
	for (unsigned int i = 0; i < b->n_sides; i++) {
		/* The one to sleep first, so that both never poll at once. */
		unsigned int j = (k + 1 + i) % b->n_sides;
		struct sb_switch *sw = &b->sides[j].sw;
		int us = j != k              ? IDLE_SLEEP_US
			 : o->pmd_sleep >= 0 ? o->pmd_sleep
					     : sw->default_sleep;

		if (sb_switch_set_pmd_sleep(sw, us)) {
			fprintf(stderr, "switch-bench: warning: cannot set %s's PMD sleep\n",
				sw->name);
		}
	}
	b->active = (int)k;
}

/* Runs o->repeat trials at 'rates[k]' on each switch 'k' that is 'on',
 * the switches taking turns trial by trial; appends them to 'arrs[k]' and
 * keeps them in the switch's 'trs'. 'pass[k]': whether every trial had at
 * most 'loss' % loss with the generator keeping up. */
static void
trials_at(const struct opts *o, struct bench *b, const bool *on, const struct topo *tp,
	  uint16_t size, uint32_t flows, const double *rates, double loss, json_t **arrs,
	  bool *pass)
{
	unsigned int valid[MAX_SIDES] = {0};
	char sz[8];

	size_name(size, sz, sizeof sz);
	for (unsigned int k = 0; k < b->n_sides; k++) {
		pass[k] = on[k];
	}
	for (unsigned int i = 0; i < o->repeat && !interrupted; i++) {
		for (unsigned int k = 0; k < b->n_sides && !interrupted; k++) {
			struct sb_switch *sw = &b->sides[k].sw;
			struct trial_result *tr = &b->sides[k].trs[i];

			if (!on[k]) {
				continue;
			}
			activate(o, b, k);
			progress(o, "%s%s%s %s B %u flows, %s, trial %u/%u...",
				 b->n_sides > 1 ? sw->name : "", b->n_sides > 1 ? ": " : "",
				 tp->name, sz, flows, rates[k] > 0 ? "paced" : "max rate", i + 1,
				 o->repeat);
			/* A paced generator that fell behind measured itself, not
			 * the switch: such a trial is kept in the report, marked
			 * discarded, and run again (twice at most). */
			for (unsigned int again = 0;; again++) {
				json_t *j;

				run_trial(o, sw, tp, rates[k], size, flows, tr);
				j = trial_json(tr, tp);
				if (!tr->valid || !trial_gen_limited(tr) || rates[k] <= 0 ||
				    again == 2 || interrupted) {
					json_array_append_new(arrs[k], j);
					break;
				}
				json_object_set_new(j, "discarded", json_true());
				json_array_append_new(arrs[k], j);
			}
			if (!tr->valid) {
				progress(o, "%s", "");
				fprintf(stderr, "switch-bench: %s: trial refused: %s\n", sw->name,
					tr->error);
				pass[k] = false;
				continue;
			}
			valid[k]++;
			pass[k] = pass[k] && trial_loss(tr) <= loss && !trial_gen_limited(tr);
		}
	}
	for (unsigned int k = 0; k < b->n_sides; k++) {
		pass[k] = pass[k] && valid[k] == o->repeat;
	}
}

/* One binary search for the highest rate per sending VM at which every
 * trial loses at most 'loss' %: between 'floor' (what a search allowing
 * less loss found: nothing below it is tried again) and 'ceiling' (what
 * the VMs offered at full speed). */
struct search {
	double lo, hi, rate, ceiling, floor, loss, found, best_rx;
	unsigned int n;
	bool done;
	json_t *steps;
};

static void
search_init(struct search *s, double ceiling, double floor_rate, double loss, unsigned int n_dirs)
{
	*s = (struct search){.lo = floor_rate,
			     .hi = ceiling,
			     .rate = ceiling,
			     .ceiling = ceiling,
			     .floor = floor_rate,
			     .loss = loss,
			     .found = floor_rate,
			     /* Lost nothing below the floor: received all it was sent. */
			     .best_rx = floor_rate * n_dirs / 1e6,
			     .steps = json_array()};
}

/* Records the step just run at s->rate and picks the next rate. */
static void
search_step(const struct opts *o, struct search *s, const struct trial_result *trs, bool pass,
	    json_t *arr)
{
	struct summary sum;
	json_t *summary = summary_json(trs, o->repeat, &sum);

	s->n++;
	json_array_append_new(s->steps, json_pack("{s:f, s:b, s:o, s:o}", "rate_pps", s->rate,
						  "pass", pass, "summary", summary, "trials", arr));
	if (pass) {
		s->lo = s->rate;
		s->found = s->rate;
		s->best_rx = sum.rx_mpps;
	} else {
		s->hi = s->rate;
	}
	/* The VMs' full speed passes: nothing above to find. */
	s->done = (s->rate == s->ceiling && pass) || s->hi - s->lo <= s->hi * o->precision / 100 ||
		  s->n >= SEARCH_STEPS;
	s->rate = (s->lo + s->hi) / 2;
}

static json_t *
search_json(const struct search *s)
{
	return json_pack("{s:f, s:f, s:f, s:f, s:i, s:o}", "loss_pct_max", s->loss, "rate_pps",
			 s->found, "rx_mpps", s->best_rx, "started_from_pps", s->floor, "steps",
			 (int)s->n, "trials", s->steps);
}

/* ---- One case: a run or a search at one size and flow count ---- */

/* [[microseconds, fraction of frames at or below], ...] */
static json_t *
cdf_json(const struct sb_lat *l)
{
	json_t *pts = json_array();
	uint64_t seen = 0;

	for (unsigned int i = 0; i < SB_LAT_BUCKETS; i++) {
		uint64_t up;

		if (!l->bucket[i]) {
			continue;
		}
		seen += l->bucket[i];
		up = sb_lat_upper(i);
		up = up < l->max_ns ? up : l->max_ns;
		json_array_append_new(
			pts, json_pack("[f, f]", (double)up / 1000, (double)seen / (double)l->n));
	}
	return pts;
}

struct case_out {
	struct summary s;
	double found[MAX_LIST];
	bool ok;
};

/* The searches of one case, every loss level in turn, the switches'
 * searches stepping together (A's step, B's step, ...). */
static void
search_case(const struct opts *o, struct bench *b, const struct topo *tp, uint16_t size,
	    uint32_t flows, const bool *on, json_t **cases, struct case_out *outs)
{
	double ceiling[MAX_SIDES] = {0};
	json_t *searches[MAX_SIDES] = {NULL};

	for (unsigned int k = 0; k < b->n_sides; k++) {
		const struct trial_result *trs = b->sides[k].trs;

		if (!on[k]) {
			continue;
		}
		/* The ceiling: what each sending VM offered at full speed. */
		ceiling[k] = outs[k].s.rx_mpps * 1e6 / tp->n_dirs;
		for (unsigned int i = 0; i < o->repeat; i++) {
			for (unsigned int d = 0; trs[i].valid && d < trs[i].n_dirs; d++) {
				ceiling[k] = trs[i].dir[d].sent_pps > ceiling[k]
						     ? trs[i].dir[d].sent_pps
						     : ceiling[k];
			}
		}
		searches[k] = json_array();
	}
	for (unsigned int l = 0; l < o->n_losses && !interrupted; l++) {
		struct search st[MAX_SIDES];
		bool more = true;

		for (unsigned int k = 0; k < b->n_sides; k++) {
			/* A rate that passed with less loss allowed passes with
			 * more: it is where this search starts from. */
			double floor_rate = 0;

			for (unsigned int i = 0; i < l; i++) {
				if (o->losses[i] <= o->losses[l] && outs[k].found[i] > floor_rate) {
					floor_rate = outs[k].found[i];
				}
			}
			search_init(&st[k], ceiling[k], floor_rate, o->losses[l], tp->n_dirs);
			st[k].done = !on[k];
		}
		while (more && !interrupted) {
			json_t *arrs[MAX_SIDES] = {NULL};
			double rates[MAX_SIDES] = {0};
			bool step[MAX_SIDES], pass[MAX_SIDES];

			for (unsigned int k = 0; k < b->n_sides; k++) {
				step[k] = !st[k].done;
				rates[k] = st[k].rate;
				arrs[k] = step[k] ? json_array() : NULL;
			}
			trials_at(o, b, step, tp, size, flows, rates, o->losses[l], arrs, pass);
			more = false;
			for (unsigned int k = 0; k < b->n_sides; k++) {
				if (step[k]) {
					search_step(o, &st[k], b->sides[k].trs, pass[k], arrs[k]);
					more = more || !st[k].done;
				}
			}
		}
		for (unsigned int k = 0; k < b->n_sides; k++) {
			if (on[k]) {
				outs[k].found[l] = st[k].found;
				json_array_append_new(searches[k], search_json(&st[k]));
			} else {
				json_decref(st[k].steps);
			}
		}
	}
	for (unsigned int k = 0; k < b->n_sides; k++) {
		if (searches[k]) {
			json_object_set_new(cases[k], "searches", searches[k]);
		}
	}
}

/* One case on every switch: a new JSON object per switch in 'cases'. */
static void
run_case(const struct opts *o, struct bench *b, const struct topo *tp, uint16_t size,
	 uint32_t flows, uint32_t rules, json_t **cases, struct case_out *outs)
{
	json_t *arrs[MAX_SIDES];
	double rates[MAX_SIDES];
	bool on[MAX_SIDES], pass[MAX_SIDES];
	char sz[8];

	size_name(size, sz, sizeof sz);
	for (unsigned int k = 0; k < b->n_sides; k++) {
		memset(&outs[k], 0, sizeof outs[k]);
		on[k] = true;
		rates[k] = o->search ? 0 : o->rate;
		arrs[k] = json_array();
	}
	trials_at(o, b, on, tp, size, flows, rates, 100, arrs, pass);
	for (unsigned int k = 0; k < b->n_sides; k++) {
		const struct trial_result *trs = b->sides[k].trs;

		cases[k] = json_pack("{s:s, s:s, s:s, s:i, s:i, s:o}", "switch",
				     b->sides[k].sw.name, "topology", tp->name, "size", sz, "flows",
				     (int)flows, "rules", (int)rules, "trials", arrs[k]);
		json_object_set_new(cases[k], "summary", summary_json(trs, o->repeat, &outs[k].s));
		outs[k].ok = outs[k].s.valid == outs[k].s.total;
		on[k] = o->search && outs[k].s.valid;
		for (unsigned int i = 0; i < o->repeat; i++) {
			if (trs[i].valid && trs[i].lat0.n) {
				json_object_set_new(cases[k], "latency_cdf",
						    cdf_json(&trs[i].lat0));
				break;
			}
		}
	}
	if (o->search) {
		search_case(o, b, tp, size, flows, on, cases, outs);
	}
}

/* Whether the table has a column of rules (a table of them was asked). */
static bool
rules_column(const struct opts *o)
{
	return o->n_rules > 1 || o->rules[0] > 0;
}

static void
print_header(const struct opts *o, const struct bench *b)
{
	if (b->n_sides > 1) {
		printf("%-21s ", "switch");
	}
	printf("%-9s %-5s %8s", "topology", "size", "flows");
	if (rules_column(o)) {
		printf(" %8s", "rules");
	}
	printf("  %-24s %9s %13s %10s", "rx Mpps median (min-max)", "loss %", "p99 lat (us)",
	       "busy cyc/pkt");
	for (unsigned int i = 0; o->search && i < o->n_losses; i++) {
		printf("  %8s%-5g", "rate @", o->losses[i]);
	}
	printf("\n");
}

static void
print_case(const struct opts *o, const struct bench *b, const struct topo *tp, const json_t *c,
	   const struct case_out *out)
{
	const json_t *rx = json_object_get(json_object_get(c, "summary"), "rx_mpps");
	char range[40];

	snprintf(range, sizeof range, "%.3f (%.3f-%.3f)",
		 json_real_value(json_object_get(rx, "median")),
		 json_real_value(json_object_get(rx, "min")),
		 json_real_value(json_object_get(rx, "max")));
	if (b->n_sides > 1) {
		printf("%-21s ", json_string_value(json_object_get(c, "switch")));
	}
	printf("%-9s %-5s %8lld", json_string_value(json_object_get(c, "topology")),
	       json_string_value(json_object_get(c, "size")),
	       (long long)json_integer_value(json_object_get(c, "flows")));
	if (rules_column(o)) {
		printf(" %8lld", (long long)json_integer_value(json_object_get(c, "rules")));
	}
	printf("  %-24s %9.4f %13.1f %10.0f", out->s.valid ? range : "no valid trial",
	       out->s.loss_pct, out->s.p99_us, out->s.busy_cpp);
	for (unsigned int i = 0; o->search && i < o->n_losses; i++) {
		/* The rate is per sending VM; the column is the total. */
		printf("  %9.3f Mpps", out->found[i] * tp->n_dirs / 1e6);
	}
	printf("%s\n", out->s.gen_limited ? "  (generator could not keep up: see JSON)" : "");
	if (!strcmp(o->mode, "run") && out->s.stages) {
		/* Where the cycles went, for this switch's own counters. */
		printf("%*s  busy cycles per packet by stage (medians): receive %.0f, "
		       "processing %.0f, sending %.0f\n",
		       b->n_sides > 1 ? 22 : 0, "", out->s.stage_cpp[SB_STAGE_RECEIVE],
		       out->s.stage_cpp[SB_STAGE_PROCESSING], out->s.stage_cpp[SB_STAGE_SENDING]);
	}
}

static double
ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

/* vswitch against the other switch in one case: JSON, and a text line. */
static json_t *
compare_case(const struct opts *o, const struct bench *b, const json_t *c,
	     const struct case_out *outs)
{
	json_t *rates = json_array();
	bool valid = outs[0].s.valid && outs[1].s.valid;
	json_t *j;

	/* No ratio where a switch had nothing to search from. */
	for (unsigned int i = 0; valid && o->search && i < o->n_losses; i++) {
		json_array_append_new(rates,
				      json_pack("{s:f, s:f}", "loss_pct_max", o->losses[i], "ratio",
						ratio(outs[0].found[i], outs[1].found[i])));
	}
	j = json_pack(
		"{s:s, s:s, s:O, s:O, s:O, s:o, s:o, s:o}", "switch", b->sides[0].sw.name,
		"against", b->sides[1].sw.name, "size", json_object_get(c, "size"), "flows",
		json_object_get(c, "flows"), "rules", json_object_get(c, "rules"), "rx_mpps_ratio",
		valid ? json_real(ratio(outs[0].s.rx_mpps, outs[1].s.rx_mpps)) : json_null(),
		"busy_cycles_per_packet_ratio",
		valid ? json_real(ratio(outs[0].s.busy_cpp, outs[1].s.busy_cpp)) : json_null(),
		"search_rate_ratios", rates);
	if (!o->json) {
		printf("%-21s %-9s %-5s %8lld", "ratio", "", "",
		       (long long)json_integer_value(json_object_get(c, "flows")));
		if (rules_column(o)) {
			printf(" %8lld",
			       (long long)json_integer_value(json_object_get(c, "rules")));
		}
		printf("  %-24s", "");
		if (valid) {
			printf("x%.2f (%s/%s), busy cycles per packet x%.2f",
			       ratio(outs[0].s.rx_mpps, outs[1].s.rx_mpps), b->sides[0].sw.name,
			       b->sides[1].sw.name, ratio(outs[0].s.busy_cpp, outs[1].s.busy_cpp));
		} else {
			printf("none: a switch had no valid trial");
		}
		for (unsigned int i = 0; valid && o->search && i < o->n_losses; i++) {
			printf("; rate @%g%% x%.2f", o->losses[i],
			       ratio(outs[0].found[i], outs[1].found[i]));
		}
		printf("\n");
	}
	return j;
}

static json_t *
config_json(const struct opts *o)
{
	json_t *sizes = json_array(), *flows = json_array(), *losses = json_array();
	json_t *rules = json_array();
	char sz[8];

	for (unsigned int i = 0; i < o->n_sizes; i++) {
		size_name(o->sizes[i], sz, sizeof sz);
		json_array_append_new(sizes, json_string(sz));
	}
	for (unsigned int i = 0; i < o->n_flows; i++) {
		json_array_append_new(flows, json_integer(o->flows[i]));
	}
	for (unsigned int i = 0; i < o->n_losses; i++) {
		json_array_append_new(losses, json_real(o->losses[i]));
	}
	for (unsigned int i = 0; i < o->n_rules; i++) {
		json_array_append_new(rules, json_integer(o->rules[i]));
	}
	return json_pack(
		"{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:f, s:f, s:i, s:f, s:o, s:i, s:i, "
		"s:o, s:o, s:o, s:o, s:o}",
		"mode", o->mode, "topology", o->topology, "pipeline", o->pipeline, "sizes", sizes,
		"flows", flows, "rate_pps", o->rate > 0 ? json_real(o->rate) : json_null(),
		"loss_pct", losses, "duration_s", o->duration, "warmup_s", o->warmup, "repeat",
		(int)o->repeat, "precision_pct", o->precision, "rules", rules, "pmd_max_sleep_us",
		o->pmd_sleep, "tx_flush_interval_us", o->tx_flush, "against",
		o->against ? json_string(o->against) : json_null(), "tunnel",
		o->tunnel ? json_string(o->tunnel) : json_null(), "tunnel_side",
		o->side ? json_string(o->side) : json_null(), "tunnel_csum",
		o->tunnel_csum < 0 ? json_null() : json_boolean(o->tunnel_csum), "wire",
		!o->side ? json_null() : json_string(o->wire_pcap ? "pcap" : "vhost-user"));
}

static int
run_bench(const struct opts *o, const struct topo *tp, struct bench *b)
{
	json_t *doc, *cases = json_array(), *switches = json_array(), *cmp = json_array();
	bool all_ok = true, rules_ok = true;
	char cpus[64];

	doc = json_pack("{s:s, s:s, s:o, s:o}", "tool", "switch-bench", "version", VSWITCH_VERSION,
			"machine", sb_machine_json(&b->sides[0].sw, o->gen_cpus, tp->n_devs),
			"config", config_json(o));
	for (unsigned int k = 0; k < b->n_sides; k++) {
		json_array_append_new(switches, sb_switch_json(&b->sides[k].sw));
	}
	json_object_set_new(json_object_get(doc, "machine"), "switches", switches);
	if (!o->json) {
		printf("switch-bench %s: %s%s%s%s%s, %s pipeline%s, %u trial(s) of %.1f s per "
		       "rate, "
		       "PMD on CPU %d, VMs on CPU %s%s\n",
		       o->mode, tp->name, o->tunnel ? " over " : "", o->tunnel ? o->tunnel : "",
		       o->tunnel_csum < 0   ? ""
		       : o->tunnel_csum > 0 ? " with UDP checksums"
					    : " without UDP checksums",
		       !o->side                    ? ""
		       : !strcmp(o->side, "encap") ? " (the encapsulating host alone, vm2 its wire)"
		       : o->wire_pcap ? " (the decapsulating host alone, its wire a pcap replay)"
				      : " (the decapsulating host alone, vm1 its wire)",
		       o->pipeline, rules_column(o) ? " plus rules" : "", o->repeat, o->duration,
		       b->sides[0].sw.pmd_cpu, cpus_text(o, tp->n_devs, cpus, sizeof cpus),
		       b->n_sides < 2               ? ""
		       : !strcmp(o->against, "ovs") ? ", against Open vSwitch (taking turns)"
						    : ", against local switching (taking turns)");
		print_vms_line();
		print_header(o, b);
	}
	/* The table grows between cases, never shrinks: rules come first. */
	for (unsigned int r = 0; r < o->n_rules && !interrupted && rules_ok; r++) {
		for (unsigned int k = 0; k < b->n_sides && rules_ok; k++) {
			progress(o, "%s: %u rules...", b->sides[k].sw.name, o->rules[r]);
			rules_ok = !sb_switch_add_rules(&b->sides[k].sw, o->rules[r]);
		}
		for (unsigned int s = 0; s < o->n_sizes && !interrupted && rules_ok; s++) {
			for (unsigned int f = 0; f < o->n_flows && !interrupted; f++) {
				struct case_out outs[MAX_SIDES];
				json_t *c[MAX_SIDES];

				run_case(o, b, tp, o->sizes[s], o->flows[f], o->rules[r], c, outs);
				progress(o, "%s", "");
				for (unsigned int k = 0; k < b->n_sides; k++) {
					if (!o->json) {
						print_case(o, b, tp, c[k], &outs[k]);
					}
					all_ok = all_ok && outs[k].ok;
				}
				if (b->n_sides > 1) {
					json_array_append_new(cmp, compare_case(o, b, c[0], outs));
				}
				for (unsigned int k = 0; k < b->n_sides; k++) {
					json_array_append_new(cases, c[k]);
				}
				fflush(stdout);
			}
		}
	}
	json_object_set_new(doc, "cases", cases);
	if (b->n_sides > 1) {
		json_object_set_new(doc, "comparisons", cmp);
	} else {
		json_decref(cmp);
	}
	all_ok = all_ok && rules_ok;
	json_object_set_new(doc, "complete", json_boolean(!interrupted && all_ok));
	if (o->plot && !interrupted && sb_plot(doc, o->plot)) {
		all_ok = false;
	}
	if (o->json) {
		json_dumpf(doc, stdout, JSON_INDENT(1));
		printf("\n");
	}
	json_decref(doc);
	return interrupted ? 130 : all_ok ? 0 : 1;
}

/* Starts the switches (the rules come with each case). Returns 0 or -1. */
static int
start_switches(struct opts *o, const struct topo *tp, struct bench *b)
{
	/* 'ovs': the other switch, Open vSwitch or a local vswitch. */
	struct sb_switch *vs = &b->sides[0].sw, *ovs = &b->sides[1].sw;

	b->active = -1;
	b->n_sides = 1;
	if (sb_switch_start(vs, o->bin, tp->names, tp->n_devs, o->pipeline, o->eal, o->tunnel,
			    o->side, o->tunnel_csum)) {
		return -1;
	}
	vs->wire_pcap = o->wire_pcap;
	if (o->n_gen_cpus == 0) {
		pick_cpus(vs->pmd_cpu, tp->n_devs, o->gen_cpus);
	} else if (o->n_gen_cpus == 1) {
		for (unsigned int i = 1; i < tp->n_devs; i++) {
			o->gen_cpus[i] = o->gen_cpus[0];
		}
	}
	for (unsigned int i = 0; i < tp->n_devs; i++) {
		if (o->gen_cpus[i] == vs->pmd_cpu) {
			fprintf(stderr,
				"switch-bench: warning: a VM shares CPU %d with the PMD thread; "
				"rates are not comparable\n",
				vs->pmd_cpu);
			break;
		}
	}
	if (o->tx_flush >= 0 && sb_switch_set_tx_flush(vs, o->tx_flush)) {
		return -1;
	}
	if (!o->against) {
		return o->pmd_sleep >= 0 ? sb_switch_set_pmd_sleep(vs, o->pmd_sleep) : 0;
	}
	b->n_sides = 2;
	if (!strcmp(o->against, "local")) {
		/* The same VMs on one bridge of a second vswitchd. */
		if (sb_switch_set_pmd_sleep(vs, IDLE_SLEEP_US) ||
		    sb_switch_start(ovs, o->bin, tp->names, tp->n_devs, o->pipeline, o->eal, NULL,
				    NULL, -1) ||
		    sb_switch_set_pmd_sleep(ovs, IDLE_SLEEP_US) ||
		    (o->tx_flush >= 0 && sb_switch_set_tx_flush(ovs, o->tx_flush))) {
			return -1;
		}
		if (ovs->pmd_cpu != vs->pmd_cpu) {
			fprintf(stderr,
				"switch-bench: warning: the two switches' PMD threads are on CPUs "
				"%d and %d\n",
				vs->pmd_cpu, ovs->pmd_cpu);
		}
		return 0;
	}
	/* Open vSwitch's PMD on vswitch's CPU; vswitch sleeps meanwhile. */
	if (vs->pmd_cpu < 0) {
		fprintf(stderr, "switch-bench: vswitch's PMD CPU is unknown: nowhere to put Open "
				"vSwitch's\n");
		return -1;
	}
	if (sb_switch_set_pmd_sleep(vs, IDLE_SLEEP_US) ||
	    sb_ovs_start(ovs, o->ovs_vswitchd, tp->names, tp->n_devs, o->pipeline, vs->pmd_cpu,
			 o->tunnel, o->side, o->tunnel_csum) ||
	    sb_switch_set_pmd_sleep(ovs, IDLE_SLEEP_US) ||
	    (o->tx_flush >= 0 && sb_switch_set_tx_flush(ovs, o->tx_flush))) {
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static struct bench b;
	const struct topo *tp;
	struct opts o;
	int ret;

	if (sb_parse_opts(argc, argv, &o)) {
		return 2;
	}
	if (o.report) {
		json_error_t jerr;
		json_t *doc = json_load_file(o.report, 0, &jerr);

		if (!doc) {
			fprintf(stderr, "switch-bench: %s:%d:%d: %s\n", o.report, jerr.line,
				jerr.column, jerr.text);
			return 1;
		}
		ret = sb_plot(doc, o.plot) ? 1 : 0;
		json_decref(doc);
		return ret;
	}
	tp = find_topo(o.topology);
	if (!tp) {
		sb_bad("--topology", o.topology);
		return 2;
	}
	if (o.n_gen_cpus > 1 && o.n_gen_cpus != tp->n_devs) {
		fprintf(stderr,
			"switch-bench: --cpu takes one CPU for all the VMs or one per VM (%s has "
			"%u)\n",
			tp->name, tp->n_devs);
		return 2;
	}
	sigaction(SIGINT, &(struct sigaction){.sa_handler = on_signal}, NULL);
	sigaction(SIGTERM, &(struct sigaction){.sa_handler = on_signal}, NULL);
	/* A reader that went away (switch-bench | head) stops the benchmark
	 * as ^C does, with the switches stopped and everything removed. */
	sigaction(SIGPIPE, &(struct sigaction){.sa_handler = on_signal}, NULL);
	if (start_switches(&o, tp, &b)) {
		fprintf(stderr, "switch-bench: the switch could not be set up\n");
		ret = 1;
	} else {
		ret = run_bench(&o, tp, &b);
	}
	for (unsigned int k = 0; k < MAX_SIDES; k++) {
		sb_switch_stop(&b.sides[k].sw);
	}
	return ret;
}
