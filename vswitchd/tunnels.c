/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The daemon's side of tunnels (tunnels.h).
 */
#include "tunnels.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "cfgdb.h"
#include "dp.h"
#include "log.h"
#include "ofp_tlv.h"
#include "ofproto.h"
#include "pktgen.h"
#include "port_impl.h"
#include "route.h"
#include "tnl.h"
#include "tunnel.h"

enum { MAC_REFRESH_MS = 1000, REARP_MS = 1000 };

struct tunnels {
	struct route_table *routes; /* NULL: no netlink */
	uint64_t next_mac_ms, next_rearp_ms;
};

struct tunnels *
tunnels_create(void)
{
	struct tunnels *t = calloc(1, sizeof *t);

	if (!t) {
		return NULL;
	}
	t->routes = route_table_create();
	if (t->routes) {
		ofproto_lock();
		tnl_set_routing(
			&(struct tnl_routing){route_table_lookup, route_table_owns, t->routes});
		ofproto_unlock();
	}
	return t;
}

void
tunnels_destroy(struct tunnels *t)
{
	if (t) {
		ofproto_lock();
		tnl_set_routing(&(struct tnl_routing){NULL, NULL, NULL});
		ofproto_unlock();
		route_table_destroy(t->routes);
		free(t);
	}
}

static const char *
opt_get(const void *aux, const char *key)
{
	const json_t *v = json_object_get(aux, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

void
tunnels_sync_port(uint32_t no, const char *name, const json_t *iface)
{
	const char *type = cfgdb_iface_type(iface);
	enum dp_tnl_type tt = dp_tnl_type_of(type);
	struct dp_tnl_cfg cfg;
	char err[DP_TNL_ERR_MAX];

	if (tt && !dp_tnl_cfg_parse(tt, opt_get, json_object_get(iface, "options"), &cfg, err)) {
		tnl_port_set(no, &cfg);
	} else {
		tnl_port_set(no, NULL);
	}
	if (!strcmp(type, "internal")) {
		tnl_local_set(no, name, NULL);
	} else {
		tnl_local_set(no, NULL, NULL);
	}
}

void
tunnels_port_gone(uint32_t no)
{
	tnl_port_set(no, NULL);
	tnl_local_set(no, NULL, NULL);
}

/* The ARP request (IPv4) or neighbour solicitation (IPv6) for 'r->ip', in
 * 'f' of 'size' bytes (pktgen_neigh_request()); returns its length. */
static size_t
build_request(const struct tnl_request *r, uint8_t *f, size_t size)
{
	const bool v6 = !dp_tnl_addr_is4(&r->ip);
	const unsigned int at = v6 ? 0 : 12; /* an IPv4 address's bytes */
	struct pktgen_spec s =
		pktgen_neigh_request(v6, r->mac, &r->src.s6_addr[at], &r->ip.s6_addr[at]);

	return pktgen_build(&s, f, size);
}

/* An ARP request or neighbour solicitation for 'r->ip' from the local
 * port, as input on it. */
static void
send_request(struct dp *dp, struct rte_mempool *mp, const struct tnl_request *r)
{
	uint8_t f[128];
	uint32_t port;
	size_t len;
	uint8_t mac[6];
	struct rte_mbuf *m;
	struct dp_action a = {.type = DP_ACTION_RECIRC};
	const bool v4 = dp_tnl_addr_is4(&r->ip);

	ofproto_lock();
	bool found = tnl_local_by_name(r->dev, &port, mac);

	ofproto_unlock();
	if (!found) {
		return;
	}
	len = build_request(r, f, sizeof f);
	m = rte_pktmbuf_alloc(mp);
	if (!m || !len || !rte_pktmbuf_append(m, (uint16_t)len)) {
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), f, len);
	a.port = port;
	if (dp_execute(dp, port, m, &a, 1)) {
		char ip[INET6_ADDRSTRLEN];

		VLOG_WARN("tunnel", "cannot send the %s for %s on %s",
			  v4 ? "ARP request" : "neighbour solicitation",
			  dp_tnl_addr_str(&r->ip, ip), r->dev);
	}
}

/* The MAC of every local port, from its interface, while tunnels exist. */
static void
refresh_macs(struct dp *dp)
{
	for (uint32_t i = 0; i < DP_MAX_PORTS; i++) {
		struct port_status st;
		struct port *p;
		const char *name;

		ofproto_lock();
		name = tnl_local_name(i);
		p = name ? dp_port_get(dp, i) : NULL;
		ofproto_unlock();
		if (!p) {
			continue;
		}
		memset(&st, 0, sizeof st);
		if (port_get_status(p, &st) || !st.has_mac) {
			continue;
		}
		ofproto_lock();
		name = tnl_local_name(i);
		if (name) {
			char copy[16];

			snprintf(copy, sizeof copy, "%s", name);
			tnl_local_set(i, copy, st.mac);
		}
		ofproto_unlock();
	}
}

void
tunnels_run(struct tunnels *t, struct dp *dp, struct rte_mempool *mp, uint64_t now_ms)
{
	struct tnl_request reqs[16];
	uint32_t n;
	bool any;

	if (t->routes && route_table_changed(t->routes)) {
		ofproto_lock();
		route_table_reload(t->routes);
		tnl_changed();
		ofproto_unlock();
	}
	ofproto_lock();
	any = tnl_any_port();
	n = tnl_take_requests(reqs, 16);
	if (any && now_ms >= t->next_rearp_ms) {
		/* A neighbour asked for and never heard from: translate again,
		 * which asks again (at most once a second). */
		t->next_rearp_ms = now_ms + REARP_MS;
		if (tnl_unresolved(now_ms)) {
			tnl_changed();
		}
	}
	ofproto_unlock();
	for (uint32_t i = 0; i < n; i++) {
		send_request(dp, mp, &reqs[i]);
	}
	if (any && now_ms >= t->next_mac_ms) {
		t->next_mac_ms = now_ms + MAC_REFRESH_MS;
		refresh_macs(dp);
	}
}

void
tunnels_format_routes(struct tunnels *t, struct ds *out)
{
	if (!t || !t->routes) {
		ds_put_cstr(out, "no routing table (rtnetlink is not available)\n");
		return;
	}
	ofproto_lock();
	route_table_format(t->routes, out);
	ofproto_unlock();
}

void
tunnels_format_neighbours(struct ds *out)
{
	static struct tnl_neigh v[1024];
	static char ips[1024][INET6_ADDRSTRLEN];
	int width = 15; /* an IPv4 address's; the widest IPv6 one's if more */
	uint32_t n;

	ofproto_lock();
	n = tnl_neigh_dump(v, 1024);
	ofproto_unlock();
	n = n < 1024 ? n : 1024;
	for (uint32_t i = 0; i < n; i++) {
		int len = (int)strlen(dp_tnl_addr_str(&v[i].ip, ips[i]));

		width = len > width ? len : width;
	}
	for (uint32_t i = 0; i < n; i++) {
		ds_put_format(out, "%-*s %02x:%02x:%02x:%02x:%02x:%02x %s\n", width, ips[i],
			      v[i].mac[0], v[i].mac[1], v[i].mac[2], v[i].mac[3], v[i].mac[4],
			      v[i].mac[5], v[i].dev);
	}
}

bool
tunnels_sync_optmaps(struct dp *dp, struct ofproto *const by_dp[DP_MAX_PORTS])
{
	bool changed = false;

	for (uint32_t i = 0; i < DP_MAX_PORTS; i++) {
		struct port *port = by_dp[i] ? dp_port_get(dp, i) : NULL;
		const struct dp_tnl_optmap *cur;
		struct dp_tnl_optmap want;

		if (!port || port->ops != &port_tunnel_ops_geneve) {
			continue;
		}
		ofp_tlv_to_dp(ofproto_tlv_table(by_dp[i]), &want);
		cur = port_tunnel_optmap(port);
		if (cur ? !memcmp(cur, &want, sizeof want) : !want.n) {
			continue;
		}
		if (dp_port_set_optmap(dp, i, &want)) {
			continue; /* out of memory: the next sweep tries again */
		}
		ofproto_revalidate_all(by_dp[i]);
		changed = true;
	}
	return changed;
}
