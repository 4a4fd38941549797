/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The daemon's state, shared by main.c (start, main loop, shutdown) and
 * ctl_methods.c (the control socket's methods).
 */
#ifndef VS_VSWITCHD_H
#define VS_VSWITCHD_H

#include <stdbool.h>

#include "bridge.h"
#include "cfgdb_rpc.h"
#include "dp.h"
#include "jsonrpc.h"
#include "metrics.h"

enum { VSWITCHD_RXQ_BASES = 256 };

struct vswitchd {
	struct cfgdb_rpc db; /* the current document and its transactions */
	const char *db_path;
	struct bridges *bridges;
	/* pmd-stats-clear: counters at the last clear, for this datapath, of
	 * the PMD threads and of their receive queues. */
	const struct dp *stats_dp;
	struct dp_stats pmd_base[DP_MAX_PMDS];
	struct {
		unsigned int pmd;
		struct dp_rxq_info q;
	} rxq_base[VSWITCHD_RXQ_BASES];
	unsigned int n_rxq_base;
	struct metrics_server *metrics; /* on the global metrics_address */
};

/* The methods of the control socket; '*n' gets their number. */
const struct jsonrpc_method *ctl_methods(size_t *n);
/* The OpenFlow ones among them (ctl_ofproto.c). */
const struct jsonrpc_method *ctl_ofproto_methods(size_t *n);

/* The commit callback of 'db' (cfgdb_rpc.h): reconfigures the switch,
 * records the OpenFlow port numbers in the document, saves it, and undoes
 * the reconfiguration if either fails. */
int vswitchd_commit(void *vswitchd, json_t *new_doc, const json_t *old_doc, json_t *notices,
		    char *err);

#endif /* VS_VSWITCHD_H */
