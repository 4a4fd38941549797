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
#include "csum.h"
#include "dp.h"
#include "log.h"
#include "ofp_tlv.h"
#include "ofproto.h"
#include "port_impl.h"
#include "route.h"
#include "tnl.h"
#include "tunnel.h"
#include "util.h"

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

/* An ARP request for IPv4 'r->ip' in 'f' (42 bytes); returns its length. */
static uint32_t
build_arp(const struct tnl_request *r, uint8_t *f)
{
	uint32_t src = dp_tnl_addr_get4(&r->src), ip = dp_tnl_addr_get4(&r->ip);

	memset(f, 0xff, 6);
	memcpy(f + 6, r->mac, 6);
	memcpy(f + 12, (const uint8_t[]){0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1}, 10);
	memcpy(f + 22, r->mac, 6);
	memcpy(f + 28, &src, 4);
	memset(f + 32, 0, 6);
	memcpy(f + 38, &ip, 4);
	return 42;
}

/* A neighbour solicitation for IPv6 'r->ip' in 'f' (86 bytes), to its
 * solicited-node multicast address, with our link-layer address as its
 * option (RFC 4861); returns its length. */
static uint32_t
build_ns(const struct tnl_request *r, uint8_t *f)
{
	uint8_t *ip = f + 14, *icmp = ip + 40;
	uint32_t sum;

	memset(f, 0, 86);
	memcpy(f, (const uint8_t[]){0x33, 0x33, 0xff}, 3);
	memcpy(f + 3, &r->ip.s6_addr[13], 3);
	memcpy(f + 6, r->mac, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	ip[0] = 0x60;
	ip[5] = 32; /* the payload: the solicitation (24) and its option (8) */
	ip[6] = 58; /* ICMPv6 */
	ip[7] = 255;
	memcpy(ip + 8, &r->src, 16);
	memcpy(ip + 24, (const uint8_t[]){0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff}, 13);
	memcpy(ip + 37, &r->ip.s6_addr[13], 3);
	icmp[0] = 135;
	memcpy(icmp + 8, &r->ip, 16);
	icmp[24] = 1; /* source link-layer address, 8 bytes */
	icmp[25] = 1;
	memcpy(icmp + 26, r->mac, 6);
	sum = csum_add(0, ip + 8, 32) + htons(32) + htons(58);
	vs_put16(icmp + 2, csum_finish(csum_add(sum, icmp, 32)));
	return 86;
}

/* An ARP request or neighbour solicitation for 'r->ip' from the local
 * port, as input on it. */
static void
send_request(struct dp *dp, struct rte_mempool *mp, const struct tnl_request *r)
{
	uint8_t f[86];
	uint32_t port, len;
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
	len = v4 ? build_arp(r, f) : build_ns(r, f);
	m = rte_pktmbuf_alloc(mp);
	if (!m || !rte_pktmbuf_append(m, (uint16_t)len)) {
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
	uint32_t n;

	ofproto_lock();
	n = tnl_neigh_dump(v, 1024);
	ofproto_unlock();
	for (uint32_t i = 0; i < n && i < 1024; i++) {
		char ip[INET6_ADDRSTRLEN];

		dp_tnl_addr_str(&v[i].ip, ip);
		ds_put_format(out, "%-15s %02x:%02x:%02x:%02x:%02x:%02x %s\n", ip, v[i].mac[0],
			      v[i].mac[1], v[i].mac[2], v[i].mac[3], v[i].mac[4], v[i].mac[5],
			      v[i].dev);
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
