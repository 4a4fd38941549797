/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Implementation of lib/log.h: one global sink guarded by a mutex (logging is
 * a control-plane affair, never on the packet path).
 */
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER;
static enum vlog_level log_level = VLOG_INFO;
static FILE *log_file;

/* Modules seen (they logged, or were given a level); under log_mutex. */
static struct vlog_module_info modules[VLOG_MODULES_MAX];
static size_t n_modules;

static const char *const level_names[] = {"err", "warn", "info", "dbg"};

void
vlog_set_level(enum vlog_level level)
{
	log_level = level;
}

int
vlog_parse_level(const char *name, enum vlog_level *level)
{
	for (unsigned int i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (!strcmp(name, level_names[i])) {
			*level = (enum vlog_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

int
vlog_set_file(const char *path)
{
	FILE *f = NULL;

	if (path) {
		f = fopen(path, "a");
		if (!f) {
			return -errno;
		}
		setvbuf(f, NULL, _IOLBF, 0);
	}
	pthread_mutex_lock(&log_mutex);
	if (log_file) {
		fclose(log_file);
	}
	log_file = f;
	pthread_mutex_unlock(&log_mutex);
	return 0;
}

const char *
vlog_level_name(enum vlog_level level)
{
	return level_names[level];
}

/* The entry of 'module', added if there is room; NULL otherwise. Under
 * log_mutex. */
static struct vlog_module_info *
module_find(const char *module, bool add)
{
	for (size_t i = 0; i < n_modules; i++) {
		if (!strcmp(modules[i].name, module)) {
			return &modules[i];
		}
	}
	if (!add || n_modules == VLOG_MODULES_MAX || strlen(module) >= VLOG_MODULE_NAME_MAX) {
		return NULL;
	}
	snprintf(modules[n_modules].name, VLOG_MODULE_NAME_MAX, "%s", module);
	modules[n_modules].level = -1;
	return &modules[n_modules++];
}

int
vlog_set_module_level(const char *module, int level)
{
	struct vlog_module_info *m;
	size_t n = strlen(module);

	if (!n || n >= VLOG_MODULE_NAME_MAX ||
	    strspn(module, "abcdefghijklmnopqrstuvwxyz"
			   "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			   "0123456789-_") != n) {
		return -EINVAL;
	}
	pthread_mutex_lock(&log_mutex);
	m = module_find(module, true);
	if (m) {
		m->level = level < 0 ? -1 : level;
	}
	pthread_mutex_unlock(&log_mutex);
	return m ? 0 : -ENOSPC;
}

static int
cmp_module(const void *a, const void *b)
{
	return strcmp(((const struct vlog_module_info *)a)->name,
		      ((const struct vlog_module_info *)b)->name);
}

size_t
vlog_list(struct vlog_module_info *out, size_t max, enum vlog_level *global)
{
	struct vlog_module_info all[VLOG_MODULES_MAX];
	size_t n;

	pthread_mutex_lock(&log_mutex);
	n = n_modules;
	memcpy(all, modules, n * sizeof all[0]);
	*global = log_level;
	pthread_mutex_unlock(&log_mutex);
	qsort(all, n, sizeof all[0], cmp_module);
	memcpy(out, all, (n < max ? n : max) * sizeof all[0]);
	return n;
}

void
vlog(enum vlog_level level, const char *module, const char *fmt, ...)
{
	const struct vlog_module_info *m;
	struct timespec ts;
	struct tm tm;
	char stamp[32];
	va_list ap;
	FILE *out;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);

	pthread_mutex_lock(&log_mutex);
	m = module_find(module, true);
	if ((int)level > (m && m->level >= 0 ? m->level : (int)log_level)) {
		pthread_mutex_unlock(&log_mutex);
		return;
	}
	out = log_file ? log_file : stderr;
	fprintf(out, "%s.%03ldZ|%s|%s|", stamp, ts.tv_nsec / 1000000, level_names[level], module);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	pthread_mutex_unlock(&log_mutex);
}

bool
vlog_rl_allow(struct vlog_rl *rl, unsigned int burst)
{
	time_t now = time(NULL);

	if (now != rl->last) {
		unsigned int refill = (unsigned int)(now - rl->last);

		rl->tokens = refill >= burst || rl->last == 0
				     ? burst
				     : (rl->tokens + refill < burst ? rl->tokens + refill : burst);
		rl->last = now;
	}
	if (rl->tokens == 0) {
		rl->dropped++;
		return false;
	}
	rl->tokens--;
	return true;
}
