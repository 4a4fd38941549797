/* SPDX-License-Identifier: Apache-2.0 */
/*
 * switch-bench's charts: from a finished report (its JSON document), the
 * received rate against the flow count and against the frame size, and
 * the latency CDF of each case, drawn by gnuplot into an SVG or PNG file.
 */
#ifndef VS_SB_PLOT_H
#define VS_SB_PLOT_H

#include <stdbool.h>

#include <jansson.h>

/* True if 'path' names a file sb_plot() can draw (.svg or .png). */
bool sb_plot_file_ok(const char *path);

/* Draws 'doc' into 'path' (.svg or .png). The latency CDFs come from
 * each case's "latency_cdf" points. Returns 0, or -1 with a message
 * printed (gnuplot missing or failing, a bad file name). */
int sb_plot(const json_t *doc, const char *path);

#endif /* VS_SB_PLOT_H */
