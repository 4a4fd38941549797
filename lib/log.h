/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Levelled logging for the control plane, to stderr or a file. Never call it
 * from the packet path: count instead, and let the control thread report.
 * VLOG_RL() rate-limits messages that packets or peers can trigger.
 */
#ifndef VS_LOG_H
#define VS_LOG_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

enum vlog_level { VLOG_ERR, VLOG_WARN, VLOG_INFO, VLOG_DBG };

/* Sets the minimum level printed (default VLOG_INFO). */
void vlog_set_level(enum vlog_level level);

/* Parses "err", "warn", "info" or "dbg"; returns 0, or -EINVAL. */
int vlog_parse_level(const char *name, enum vlog_level *level);

enum { VLOG_MODULES_MAX = 64, VLOG_MODULE_NAME_MAX = 24 };

/* Sets the minimum level of one module, over the global one; 'level' < 0
 * returns the module to the global level. A module is the second argument
 * of vlog(): letters, digits, '-' and '_', under VLOG_MODULE_NAME_MAX.
 * Returns 0, -EINVAL for a bad name, or -ENOSPC past VLOG_MODULES_MAX. */
int vlog_set_module_level(const char *module, int level);

/* A module that has logged or has a level of its own. */
struct vlog_module_info {
	char name[VLOG_MODULE_NAME_MAX];
	int level; /* -1: the global one */
};

/* Fills up to 'max' entries, sorted by name; returns how many there are.
 * '*global' gets the global level. */
size_t vlog_list(struct vlog_module_info *out, size_t max, enum vlog_level *global);

/* The name of 'level' ("err", "warn", "info", "dbg"). */
const char *vlog_level_name(enum vlog_level level);

/* Sends log lines to 'path' (appending), or to stderr when 'path' is NULL.
 * Returns 0 or -errno. */
int vlog_set_file(const char *path);

/* Writes one line: time, level, module, message. Thread-safe. */
void vlog(enum vlog_level level, const char *module, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A token bucket for one call site: at most 'burst' lines, refilled at one
 * line a second. */
struct vlog_rl {
	time_t last;
	unsigned int tokens;
	unsigned int dropped;
};

/* Returns true when a rate-limited line may be written now. */
bool vlog_rl_allow(struct vlog_rl *rl, unsigned int burst);

#define VLOG_ERR(mod, ...) vlog(VLOG_ERR, mod, __VA_ARGS__)
#define VLOG_WARN(mod, ...) vlog(VLOG_WARN, mod, __VA_ARGS__)
#define VLOG_INFO(mod, ...) vlog(VLOG_INFO, mod, __VA_ARGS__)
#define VLOG_DBG(mod, ...) vlog(VLOG_DBG, mod, __VA_ARGS__)

#define VLOG_RL(level, mod, ...)                       \
	do {                                           \
		static struct vlog_rl rl_;             \
		if (vlog_rl_allow(&rl_, 5)) {          \
			vlog(level, mod, __VA_ARGS__); \
		}                                      \
	} while (0)

#endif /* VS_LOG_H */
