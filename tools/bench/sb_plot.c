/* SPDX-License-Identifier: Apache-2.0 */
/*
 * switch-bench's charts (sb_plot.h): data files and a script for gnuplot in
 * a private directory, then gnuplot, then the directory goes.
 */
#include "sb_plot.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sb_traffic.h"

enum { MAX_KEYS = 32 };

/* The lines of a chart: one per value of the key, and per switch and per
 * table size when the report has several. */
struct keys {
	char v[MAX_KEYS][16];
	char sw[MAX_KEYS][16];    /* "" when the report has one switch */
	char rules[MAX_KEYS][24]; /* "" when it has one table size */
	unsigned int n;
};

/* What tells a case's line apart besides its key: "vswitch" or "" and
 * "1000 rules" or "". */
struct line {
	char sw[16], rules[24];
};

static void
add_key(struct keys *k, const struct line *l, const char *v)
{
	for (unsigned int i = 0; i < k->n; i++) {
		if (!strcmp(k->v[i], v) && !strcmp(k->sw[i], l->sw) &&
		    !strcmp(k->rules[i], l->rules)) {
			return;
		}
	}
	if (k->n < MAX_KEYS) {
		snprintf(k->sw[k->n], sizeof k->sw[0], "%s", l->sw);
		snprintf(k->rules[k->n], sizeof k->rules[0], "%s", l->rules);
		snprintf(k->v[k->n++], sizeof k->v[0], "%s", v);
	}
}

/* Whether the cases differ in 'key' ("switch" with --against, "rules" in
 * a sweep over table sizes). */
static bool
multi(const json_t *cases, const char *key)
{
	const json_t *c, *first = NULL;
	size_t i;

	json_array_foreach (cases, i, c) {
		const json_t *v = json_object_get(c, key);

		if (v && first && !json_equal(v, first)) {
			return true;
		}
		first = first ? first : v;
	}
	return false;
}

static struct line
case_line(const json_t *c, const json_t *cases)
{
	const char *sw = json_string_value(json_object_get(c, "switch"));
	struct line l = {"", ""};

	if (sw && multi(cases, "switch")) {
		snprintf(l.sw, sizeof l.sw, "%s", sw);
	}
	if (multi(cases, "rules")) {
		snprintf(l.rules, sizeof l.rules, "%lld rules",
			 (long long)json_integer_value(json_object_get(c, "rules")));
	}
	return l;
}

static bool
same_line(const struct keys *k, unsigned int i, const struct line *l)
{
	return !strcmp(k->sw[i], l->sw) && !strcmp(k->rules[i], l->rules);
}

/* The value of 'group' ("size" or "flows") in case 'c', as text. */
static void
case_group(const json_t *c, const char *group, char *buf, size_t size)
{
	const json_t *gv = json_object_get(c, group);

	if (json_is_string(gv)) {
		snprintf(buf, size, "%s", json_string_value(gv));
	} else {
		snprintf(buf, size, "%lld", (long long)json_integer_value(gv));
	}
}

static int
cmp_row(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
size_x(const char *size)
{
	return strcmp(size, "imix") ? atof(size) : sb_frame_avg(0);
}

/* Writes one block per value of 'group' ("size" or "flows"), rows sorted
 * by the other key as it comes: x (flows, or frame size), median, min, max
 * of the received Mpps. */
static void
write_rates(FILE *f, const json_t *cases, const char *group, struct keys *groups)
{
	const json_t *c;
	size_t i;

	json_array_foreach (cases, i, c) {
		struct line l = case_line(c, cases);
		char g[16];

		case_group(c, group, g, sizeof g);
		add_key(groups, &l, g);
	}
	for (unsigned int k = 0; k < groups->n; k++) {
		double rows[4 * 64];
		unsigned int n = 0;

		fprintf(f, "# %s %s %s %s\n", groups->sw[k], groups->rules[k], group, groups->v[k]);
		json_array_foreach (cases, i, c) {
			const json_t *rx =
				json_object_get(json_object_get(c, "summary"), "rx_mpps");
			const char *size = json_string_value(json_object_get(c, "size"));
			long long flows =
				(long long)json_integer_value(json_object_get(c, "flows"));
			struct line l = case_line(c, cases);
			char g[16];

			case_group(c, group, g, sizeof g);
			if (strcmp(g, groups->v[k]) || !same_line(groups, k, &l) ||
			    !json_is_object(rx) || n == 64) {
				continue;
			}
			rows[4 * n] = !strcmp(group, "size") ? (double)flows : size_x(size);
			rows[4 * n + 1] = json_real_value(json_object_get(rx, "median"));
			rows[4 * n + 2] = json_real_value(json_object_get(rx, "min"));
			rows[4 * n + 3] = json_real_value(json_object_get(rx, "max"));
			n++;
		}
		/* Lines join the points in order of x. */
		qsort(rows, n, 4 * sizeof rows[0], cmp_row);
		for (unsigned int r = 0; r < n; r++) {
			fprintf(f, "%g %g %g %g\n", rows[4 * r], rows[4 * r + 1], rows[4 * r + 2],
				rows[4 * r + 3]);
		}
		fprintf(f, "\n\n");
	}
}

/* One block per case with a latency CDF: microseconds, fraction. */
static unsigned int
write_cdfs(FILE *f, const json_t *cases, char titles[][64], unsigned int max)
{
	const json_t *c, *p;
	unsigned int n = 0;
	size_t i, k;

	json_array_foreach (cases, i, c) {
		const json_t *cdf = json_object_get(c, "latency_cdf");

		if (!json_array_size(cdf) || n == max) {
			continue;
		}
		long long flows = (long long)json_integer_value(json_object_get(c, "flows"));
		const char *size = json_string_value(json_object_get(c, "size"));

		struct line l = case_line(c, cases);

		snprintf(titles[n], 64, "%s%s%s%s, %lld flow%s%s%s", l.sw, *l.sw ? ", " : "", size,
			 strcmp(size, "imix") ? " B" : "", flows, flows == 1 ? "" : "s",
			 *l.rules ? ", " : "", l.rules);
		json_array_foreach (cdf, k, p) {
			fprintf(f, "%g %g\n", json_number_value(json_array_get(p, 0)),
				json_number_value(json_array_get(p, 1)));
		}
		fprintf(f, "\n\n");
		n++;
	}
	return n;
}

static void
plot_rates(FILE *gp, const char *file, const struct keys *k, const char *what)
{
	fprintf(gp, "plot ");
	for (unsigned int i = 0; i < k->n; i++) {
		/* "64 B", "imix", "1 flow", "1000 flows" */
		bool bare = !strcmp(k->v[i], "imix");
		bool one = !strcmp(k->v[i], "1") && !strcmp(what, "flows");
		/* The switch compared with is dashed. */
		bool other = strcmp(k->sw[i], k->sw[0]) != 0;

		fprintf(gp,
			"%s'%s' index %u using 1:2:3:4 with yerrorlines%s title '%s%s%s%s%s%s%s'",
			i ? ", " : "", file, i, other ? " dashtype 2" : "", k->sw[i],
			*k->sw[i] ? ", " : "", k->v[i], bare ? "" : " ",
			bare  ? ""
			: one ? "flow"
			      : what,
			*k->rules[i] ? ", " : "", k->rules[i]);
	}
	fprintf(gp, "\n");
}

static int
write_script(FILE *gp, const json_t *doc, const char *dir, const char *out)
{
	const json_t *m = json_object_get(doc, "machine"), *cfg = json_object_get(doc, "config");
	const json_t *cases = json_object_get(doc, "cases");
	char path[300], titles[MAX_KEYS][64], who[64];
	struct keys sizes = {0}, flows = {0};
	unsigned int n_cdf;
	FILE *f;
	bool svg = !strcmp(out + strlen(out) - 4, ".svg"); /* sb_plot_file_ok() */

	snprintf(path, sizeof path, "%s/by_flows.dat", dir);
	if (!(f = fopen(path, "w"))) {
		return -1;
	}
	write_rates(f, cases, "size", &sizes);
	fclose(f);
	snprintf(path, sizeof path, "%s/by_size.dat", dir);
	if (!(f = fopen(path, "w"))) {
		return -1;
	}
	write_rates(f, cases, "flows", &flows);
	fclose(f);
	snprintf(path, sizeof path, "%s/cdf.dat", dir);
	if (!(f = fopen(path, "w"))) {
		return -1;
	}
	n_cdf = write_cdfs(f, cases, titles, MAX_KEYS);
	fclose(f);

	/* "vswitch", or "vswitch and ovs" for a comparison. */
	snprintf(who, sizeof who, "%s", json_string_value(json_object_get(m, "switch")));
	if (json_array_size(json_object_get(m, "switches")) > 1) {
		snprintf(who, sizeof who, "%s and %s",
			 json_string_value(json_object_get(
				 json_array_get(json_object_get(m, "switches"), 0), "switch")),
			 json_string_value(json_object_get(
				 json_array_get(json_object_get(m, "switches"), 1), "switch")));
	}
	fprintf(gp, "set terminal %s size 1500,480 font 'sans,11'\n", svg ? "svg" : "pngcairo");
	fprintf(gp, "set output '%s'\n", out);
	fprintf(gp,
		"set multiplot layout 1,3 title '%s, %s pipeline, %s: %s, %d CPUs, %s' "
		"font 'sans,12'\n",
		who, json_string_value(json_object_get(cfg, "pipeline")),
		json_string_value(json_object_get(cfg, "topology")),
		json_string_value(json_object_get(m, "cpu_model")),
		(int)json_integer_value(json_object_get(m, "cpus")),
		json_string_value(json_object_get(m, "date")));
	fprintf(gp, "set grid\nset key bottom left\nset yrange [0:*]\n");
	fprintf(gp, "set title 'Received Mpps by flow count (median, min-max)'\n"
		    "set xlabel 'flows'\nset ylabel 'Mpps'\nset logscale x\n");
	plot_rates(gp, "by_flows.dat", &sizes, "B");
	fprintf(gp, "unset logscale x\nset title 'Received Mpps by frame size (IMIX at its mean)'\n"
		    "set xlabel 'frame size, bytes'\n");
	plot_rates(gp, "by_size.dat", &flows, "flows");
	fprintf(gp, "set title 'Latency CDF (first trial of each case)'\nset xlabel 'us'\n"
		    "set ylabel 'fraction of frames'\nset logscale x\nset yrange [0:1]\n"
		    "set key bottom right\n");
	if (n_cdf) {
		fprintf(gp, "plot ");
		for (unsigned int i = 0; i < n_cdf; i++) {
			fprintf(gp, "%s'cdf.dat' index %u using 1:2 with steps title '%s'",
				i ? ", " : "", i, titles[i]);
		}
		fprintf(gp, "\n");
	} else {
		fprintf(gp,
			"set label 1 'no latency samples' at graph 0.3,0.5\nplot NaN notitle\n");
	}
	fprintf(gp, "unset multiplot\n");
	return 0;
}

bool
sb_plot_file_ok(const char *path)
{
	size_t len = strlen(path);

	return len >= 5 && (!strcmp(path + len - 4, ".svg") || !strcmp(path + len - 4, ".png"));
}

int
sb_plot(const json_t *doc, const char *path)
{
	char dir[] = "/tmp/switch-bench-plot.XXXXXX", script[64], out[4096], cmd[128];
	int status = -1, ret = -1;
	size_t len = strlen(path);
	FILE *gp;
	pid_t pid;

	if (!sb_plot_file_ok(path)) {
		fprintf(stderr, "switch-bench: --plot %s: the file must end in .svg or .png\n",
			path);
		return -1;
	}
	if (path[0] == '/') {
		snprintf(out, sizeof out, "%s", path);
	} else if (getcwd(out, sizeof out - len - 2)) {
		strcat(out, "/");
		strcat(out, path);
	} else {
		return -1;
	}
	if (strchr(out, '\'')) {
		fprintf(stderr, "switch-bench: --plot %s: no quotes in the file name, please\n",
			path);
		return -1;
	}
	if (!mkdtemp(dir)) {
		fprintf(stderr, "switch-bench: mkdtemp: %s\n", strerror(errno));
		return -1;
	}
	snprintf(script, sizeof script, "%s/plot.gp", dir);
	gp = fopen(script, "w");
	if (gp && !write_script(gp, doc, dir, out) && !fclose(gp)) {
		gp = NULL;
		fflush(NULL);
		pid = fork();
		if (pid == 0) {
			if (chdir(dir)) {
				_exit(127);
			}
			execlp("gnuplot", "gnuplot", "plot.gp", (char *)NULL);
			fprintf(stderr,
				"switch-bench: cannot run gnuplot: %s (apt-get install "
				"gnuplot-nox)\n",
				strerror(errno));
			_exit(127);
		}
		while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
		}
		ret = pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
		if (ret) {
			fprintf(stderr, "switch-bench: gnuplot failed: no chart in %s\n", path);
		}
	}
	if (gp) {
		fclose(gp);
	}
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd)) {
		fprintf(stderr, "switch-bench: could not remove %s\n", dir);
	}
	return ret;
}
