/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Implementation of lib/log.h: one global sink guarded by a mutex (logging is
 * a control-plane affair, never on the packet path).
 */
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <string.h>

static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER;
static enum vlog_level log_level = VLOG_INFO;
static FILE *log_file;

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

void
vlog(enum vlog_level level, const char *module, const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	char stamp[32];
	va_list ap;
	FILE *out;

	if (level > log_level) {
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);

	pthread_mutex_lock(&log_mutex);
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
