/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The daemon's side of tunnels (ofproto/tnl.h): it tells the registry
 * which ports are tunnels and which are local (internal) ports with their
 * MACs, keeps the host's routes (route.h) behind the registry's lookups,
 * and sends the ARP requests and IPv6 neighbour solicitations translations
 * ask for, into the underlay bridge as if its local port had sent them. It
 * also gives each Geneve port the option map of its bridge.
 */
#ifndef VS_TUNNELS_H
#define VS_TUNNELS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "dp.h"
#include "ds.h"

struct ofproto;
struct rte_mempool;
struct tunnels;

/* NULL only on ENOMEM (without netlink, tunnels find no routes). */
struct tunnels *tunnels_create(void);
void tunnels_destroy(struct tunnels *t);

/* Port 'name', datapath port 'no', has interface record 'iface': a tunnel
 * port's options, or an internal port, go to the registry. Under the
 * ofproto lock. */
void tunnels_sync_port(uint32_t no, const char *name, const json_t *iface);
/* Datapath port 'no' is no port of any bridge now. Under the ofproto lock. */
void tunnels_port_gone(uint32_t no);

/* Reads routes again when the kernel changed them, learns the local
 * ports' MACs, sends the ARP requests and solicitations asked for. Takes
 * the ofproto lock. */
void tunnels_run(struct tunnels *t, struct dp *dp, struct rte_mempool *mp, uint64_t now_ms);

/* Gives every Geneve port of 'dp' the option map (ofp_tlv.h) of its
 * bridge ('by_dp': each datapath port's, NULL for none) where the port's
 * differs, and has those bridges re-translate their megaflows. Returns
 * whether a map changed. Under the ofproto lock. */
bool tunnels_sync_optmaps(struct dp *dp, struct ofproto *const by_dp[DP_MAX_PORTS]);

/* The text of `switch-ctl tnl-route-show` and `tnl-neigh-show`. */
void tunnels_format_routes(struct tunnels *t, struct ds *out);
void tunnels_format_neighbours(struct ds *out);

#endif /* VS_TUNNELS_H */
