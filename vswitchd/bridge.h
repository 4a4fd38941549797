/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The running switch, built from a configuration document (cfgdb.h): one
 * datapath with its PMD threads, and one datapath port per interface of
 * every bridge. bridges_reconfigure() makes the running switch match a
 * document; vswitchd calls it at start and for every transaction, and calls
 * it again with the previous document to undo a transaction that could not
 * be applied in full. Control thread only.
 *
 * Each bridge has its OpenFlow side (ofproto.h): a miss in the datapath is
 * translated by the bridge of the input port, and bridges_sweep() moves
 * statistics from megaflows to flow entries and revalidates megaflows after
 * changes.
 */
#ifndef VS_BRIDGE_H
#define VS_BRIDGE_H

#include <sched.h>
#include <stdint.h>

#include <jansson.h>
#include <rte_mempool.h>

#include "dp.h"
#include "ofproto.h"
#include "ofstate.h"
#include "port.h"

enum { BRIDGE_ERR_MAX = 512 };

struct bridges;

/* Creates an empty switch whose packets come from 'mp' and whose PMD threads
 * may run on 'cpus' (the CPUs the process was allowed before the EAL pinned
 * the main thread). Returns NULL with errno set. */
struct ofconns;
struct tunnels;

/* The OpenFlow connections of every bridge (for the main loop's poll). */
struct ofconns *bridges_ofconns(struct bridges *b);

struct bridges *bridges_create(struct rte_mempool *mp, const cpu_set_t *cpus, const char *run_dir);

/* Closes every port and stops the datapath; NULL is a no-op. */
void bridges_destroy(struct bridges *b);

/* Makes the running switch match 'doc' (a valid document, borrowed):
 * recreates the datapath when the global tuning changed, closes the ports
 * that are gone or changed, opens the new ones, and flushes the megaflows.
 * Returns 0, or -errno with a reason in 'err' (BRIDGE_ERR_MAX bytes); the
 * switch may then be half-way, and the caller reconfigures it with the
 * previous document. */
int bridges_reconfigure(struct bridges *b, const json_t *doc, char *err);

/* Runs expiry and a sweep of every megaflow (ofproto.h): with 'force' now,
 * else once a second or when changes wait (at most every few ms). After a
 * forced sweep no packet follows a decision that the flow tables or MAC
 * tables no longer make. Call from the main loop (not forced) and after
 * every flow table change that the caller acknowledges (forced). */
void bridges_sweep(struct bridges *b, bool force);

/* Loads the TLS files again if one changed since (a renewed certificate)
 * or they failed to load; looks every few seconds. Main thread. */
void bridges_tls_retry(struct bridges *b);
/* A sweep if changes to tables, ports or MACs wait for one (a barrier):
 * afterwards no packet follows a replaced decision. */
void bridges_sweep_changes(struct bridges *b);

/* Where each bridge's OpenFlow state (flows, groups, meters, OpenFlow port
 * numbers) is kept across restarts (vswitchd/ofstate.h); NULL or "": not
 * kept. Call before the first reconfiguration. */
void bridges_set_state_dir(struct bridges *b, const char *dir);

/* The OpenFlow side of bridge 'name', or NULL. Use under ofproto_lock(). */
struct ofproto *bridges_ofproto(struct bridges *b, const char *name);

/* The mempool packets come from. */
struct rte_mempool *bridges_mempool(struct bridges *b);

/* The packet captures of switch-ctl capture (capture.h). */
struct captures *bridges_captures(struct bridges *b);

/* Routes and neighbours of the tunnels (tunnels.h). */
struct tunnels *bridges_tunnels(struct bridges *b);

/* Milliseconds of CLOCK_MONOTONIC, the time base of flow tables. */
uint64_t bridges_now_ms(void);

/* The datapath (NULL before the first successful reconfiguration). */
struct dp *bridges_dp(struct bridges *b);

/* The OpenFlow state of bridge 'name' on disk (ofstate.h). -ENOENT with a
 * reason in 'err' (BRIDGE_ERR_MAX bytes) if there is no such bridge or its
 * state is not kept. */
int bridges_state_stats(struct bridges *b, const char *name, struct ofstate_stats *st, char *err);

/* Writes bridge 'name''s running tables as its state now (ofstate_save());
 * with 'reset', first empties them as a new bridge starts (every flow,
 * group and meter deleted, NORMAL back if standalone) and forgets the
 * numbers of ports it no longer has. 0, or -errno with a reason. */
int bridges_state_save(struct bridges *b, const char *name, bool reset, char *err);

/* How the database writes OFPP_LOCAL, the bridge's own port (as Open
 * vSwitch does). */
enum { OFPP_LOCAL_DB = 65534 };

/* Writes the OpenFlow number of every running port into its interface's
 * "ofport" column in 'doc', where a restart finds it again. Returns whether
 * 'doc' changed. */
bool bridges_record_ofports(struct bridges *b, json_t *doc);

/* The datapath port number of the interface named 'name'; -ENOENT if it is
 * not running. */
int bridges_port_no(const struct bridges *b, const char *name, uint32_t *port_no);

/* The name of the interface on datapath port 'port_no', or NULL. */
const char *bridges_port_name(const struct bridges *b, uint32_t port_no);

/* The default PMD CPU mask for 'cpus': the highest CPU, so that the
 * control thread keeps the lowest one to itself on a small machine. */
uint64_t bridges_default_pmd_mask(const cpu_set_t *cpus);

#endif /* VS_BRIDGE_H */
