/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The tunnel registry (tnl.h): tunnel and local ports by datapath port,
 * neighbours, pending ARP requests and neighbour solicitations. Small
 * tables searched linearly: a host has a few underlay interfaces and
 * neighbours, and these are only read by translations (misses), never per
 * packet.
 */
#include "tnl.h"

#include <stdio.h>
#include <string.h>

#include "dp.h"

enum { MAX_NEIGH = 1024, MAX_REQ = 64, REQ_INTERVAL_MS = 1000, REQ_INTERVAL_MAX_MS = 60000 };

struct tnl_slot {
	bool tunnel, local;
	struct dp_tnl_cfg cfg;
	char name[16];
	uint8_t mac[6];
};

static struct tnl_slot slots[DP_MAX_PORTS];
static uint32_t n_tunnels;
static struct tnl_routing routing;
static struct tnl_neigh neighs[MAX_NEIGH];
static uint32_t n_neighs;
static struct tnl_request reqs[MAX_REQ];
static uint32_t n_reqs;
static struct {
	struct in6_addr ip;
	uint64_t sent_ms;
	uint64_t interval_ms; /* before it is asked again: doubles, to a minute */
} asked[MAX_REQ];
static uint32_t n_asked;
static uint64_t generation;

void
tnl_set_routing(const struct tnl_routing *r)
{
	routing = *r;
	generation++;
}

void
tnl_port_set(uint32_t dp_port, const struct dp_tnl_cfg *cfg)
{
	struct tnl_slot *s;

	if (dp_port >= DP_MAX_PORTS) {
		return;
	}
	s = &slots[dp_port];
	if (!cfg ? !s->tunnel : s->tunnel && !memcmp(&s->cfg, cfg, sizeof *cfg)) {
		return; /* no change */
	}
	n_tunnels -= s->tunnel;
	s->tunnel = cfg != NULL;
	n_tunnels += s->tunnel;
	if (cfg) {
		s->cfg = *cfg;
	}
	generation++;
}

const struct dp_tnl_cfg *
tnl_port_cfg(uint32_t dp_port)
{
	return dp_port < DP_MAX_PORTS && slots[dp_port].tunnel ? &slots[dp_port].cfg : NULL;
}

bool
tnl_any_port(void)
{
	return n_tunnels != 0;
}

void
tnl_local_set(uint32_t dp_port, const char *name, const uint8_t mac[6])
{
	struct tnl_slot *s;

	if (dp_port >= DP_MAX_PORTS) {
		return;
	}
	s = &slots[dp_port];
	if (!name) {
		if (s->local) {
			s->local = false;
			generation++;
		}
		return;
	}
	if (!mac) {
		/* The MAC is learnt later: kept while the name stays. */
		if (!s->local || strcmp(s->name, name)) {
			s->local = true;
			snprintf(s->name, sizeof s->name, "%s", name);
			memset(s->mac, 0, 6);
			generation++;
		}
		return;
	}
	if (!s->local || strcmp(s->name, name) || memcmp(s->mac, mac, 6)) {
		s->local = true;
		snprintf(s->name, sizeof s->name, "%s", name);
		memcpy(s->mac, mac, 6);
		generation++;
	}
}

bool
tnl_local_by_name(const char *name, uint32_t *dp_port, uint8_t mac[6])
{
	for (uint32_t i = 0; i < DP_MAX_PORTS; i++) {
		if (slots[i].local && !strcmp(slots[i].name, name)) {
			*dp_port = i;
			memcpy(mac, slots[i].mac, 6);
			return true;
		}
	}
	return false;
}

const char *
tnl_local_name(uint32_t dp_port)
{
	return dp_port < DP_MAX_PORTS && slots[dp_port].local ? slots[dp_port].name : NULL;
}

bool
tnl_route_lookup(const struct in6_addr *dst, struct tnl_route *r)
{
	memset(r, 0, sizeof *r);
	return routing.lookup && routing.lookup(routing.aux, dst, r);
}

/* tnl_ports_receiving() for remote 'src' exactly ('flow' false) or for
 * ports of remote_ip=flow: adds to the 'n0' pairs of 'by_key' those of
 * other keys, returns how many it added; the first key=flow port found
 * is '*any' if that is still none. */
static uint32_t
receiving(const char *dev, const struct in6_addr *src, const struct in6_addr *dst, uint16_t udp_dst,
	  bool flow, struct tnl_key_port *by_key, uint32_t n0, uint32_t max, uint32_t *any)
{
	uint32_t n = 0;

	for (uint32_t i = 0; n_tunnels && i < DP_MAX_PORTS; i++) {
		const struct dp_tnl_cfg *c = &slots[i].cfg;

		/* remote_ip=flow ports take either family, unless a local_ip
		 * (compared below) names one. */
		if (!slots[i].tunnel || c->dst_port != udp_dst || c->remote_flow != flow ||
		    (!flow && !dp_tnl_addr_eq(&c->remote_ip, src))) {
			continue;
		}
		if (dp_tnl_addr_set(&c->local_ip)
			    ? !dp_tnl_addr_eq(&c->local_ip, dst)
			    : !routing.owns || !routing.owns(routing.aux, dev, dst)) {
			continue;
		}
		if (c->key_flow) {
			*any = *any == UINT32_MAX ? i : *any;
			continue;
		}
		bool known = false;

		for (uint32_t j = 0; j < n0 + n; j++) {
			known |= by_key[j].key == c->key;
		}
		if (!known && n0 + n < max) {
			by_key[n0 + n++] = (struct tnl_key_port){c->key, i};
		}
	}
	return n;
}

uint32_t
tnl_ports_receiving(const char *dev, const struct in6_addr *src, const struct in6_addr *dst,
		    uint16_t udp_dst, struct tnl_key_port *by_key, uint32_t max, uint32_t *any)
{
	uint32_t n;

	/* The ports of this remote first; then those of remote_ip=flow, for
	 * the VNIs the first have not. */
	*any = UINT32_MAX;
	n = receiving(dev, src, dst, udp_dst, false, by_key, 0, max, any);
	n += receiving(dev, src, dst, udp_dst, true, by_key, n, max, any);
	return n;
}

bool
tnl_neigh_learn(const char *dev, const struct in6_addr *ip, const uint8_t mac[6],
		const struct in6_addr *target, uint64_t now_ms)
{
	struct tnl_neigh *n = NULL;
	bool known, was_asked = false, pushed_out = false;

	if (!dp_tnl_addr_set(ip) || (mac[0] & 1)) {
		return false; /* no address, or a multicast MAC: not a neighbour */
	}
	for (uint32_t i = 0; i < n_neighs && !n; i++) {
		if (dp_tnl_addr_eq(&neighs[i].ip, ip)) {
			n = &neighs[i];
		}
	}
	if (n && !memcmp(n->mac, mac, 6) && !strcmp(n->dev, dev)) {
		n->learnt_ms = now_ms;
		return true;
	}
	for (uint32_t i = 0; i < n_asked; i++) {
		if (dp_tnl_addr_eq(&asked[i].ip, ip)) {
			asked[i] = asked[--n_asked]; /* answered: asked afresh if lost */
			was_asked = true;
			break;
		}
	}
	known = n != NULL;
	if (!known && !was_asked && (!routing.owns || !routing.owns(routing.aux, dev, target))) {
		return false; /* not for us: someone else's neighbour */
	}
	if (!n && n_neighs < MAX_NEIGH) {
		n = &neighs[n_neighs++];
		n->used = false;
	} else if (!n) {
		/* Full: the oldest unused gives way; a next hop only to a
		 * neighbour asked for. */
		uint32_t oldest = 0, oldest_unused = MAX_NEIGH;

		for (uint32_t i = 0; i < n_neighs; i++) {
			const uint64_t t = neighs[i].learnt_ms;

			oldest = t < neighs[oldest].learnt_ms ? i : oldest;
			if (!neighs[i].used &&
			    (oldest_unused == MAX_NEIGH || t < neighs[oldest_unused].learnt_ms)) {
				oldest_unused = i;
			}
		}
		if (oldest_unused == MAX_NEIGH && !was_asked) {
			return false; /* every one is a next hop: kept */
		}
		n = &neighs[oldest_unused < MAX_NEIGH ? oldest_unused : oldest];
		pushed_out = n->used;
		n->used = false;
	}
	snprintf(n->dev, sizeof n->dev, "%s", dev);
	n->ip = *ip;
	memcpy(n->mac, mac, 6);
	n->learnt_ms = now_ms;
	n->used = n->used || was_asked; /* a translation wants it */
	if (known || was_asked || pushed_out) {
		generation++;
	}
	return true;
}

bool
tnl_neigh_lookup(const struct in6_addr *ip, uint8_t mac[6])
{
	for (uint32_t i = 0; i < n_neighs; i++) {
		if (dp_tnl_addr_eq(&neighs[i].ip, ip)) {
			memcpy(mac, neighs[i].mac, 6);
			neighs[i].used = true;
			return true;
		}
	}
	return false;
}

void
tnl_neigh_want(const char *dev, const struct in6_addr *ip, const struct in6_addr *src,
	       const uint8_t mac[6], uint64_t now_ms)
{
	uint32_t slot = n_asked;
	uint64_t interval = REQ_INTERVAL_MS;

	for (uint32_t i = 0; i < n_asked; i++) {
		if (dp_tnl_addr_eq(&asked[i].ip, ip)) {
			if (now_ms - asked[i].sent_ms < asked[i].interval_ms) {
				return;
			}
			slot = i;
			interval = asked[i].interval_ms * 2 < REQ_INTERVAL_MAX_MS
					   ? asked[i].interval_ms * 2
					   : REQ_INTERVAL_MAX_MS;
		}
	}
	if (n_reqs == MAX_REQ) {
		return;
	}
	if (slot == n_asked) {
		if (n_asked == MAX_REQ) {
			slot = 0; /* forget the first; at worst it asks again */
		} else {
			n_asked++;
		}
	}
	asked[slot].ip = *ip;
	asked[slot].sent_ms = now_ms;
	asked[slot].interval_ms = interval;
	snprintf(reqs[n_reqs].dev, sizeof reqs[n_reqs].dev, "%s", dev);
	reqs[n_reqs].ip = *ip;
	reqs[n_reqs].src = *src;
	memcpy(reqs[n_reqs].mac, mac, 6);
	n_reqs++;
}

void
tnl_neigh_flush(void)
{
	n_neighs = 0;
	n_asked = 0;
	generation++;
}

uint32_t
tnl_neigh_dump(struct tnl_neigh *out, uint32_t max)
{
	memcpy(out, neighs, (n_neighs < max ? n_neighs : max) * sizeof *out);
	return n_neighs;
}

uint32_t
tnl_take_requests(struct tnl_request *out, uint32_t max)
{
	uint32_t n = n_reqs < max ? n_reqs : max;

	memcpy(out, reqs, n * sizeof *out);
	memmove(reqs, reqs + n, (n_reqs - n) * sizeof *reqs);
	n_reqs -= n;
	return n;
}

bool
tnl_unresolved(uint64_t now_ms)
{
	uint8_t mac[6];

	for (uint32_t i = 0; i < n_asked; i++) {
		if (now_ms - asked[i].sent_ms >= asked[i].interval_ms &&
		    !tnl_neigh_lookup(&asked[i].ip, mac)) {
			return true;
		}
	}
	return false;
}

uint64_t
tnl_generation(void)
{
	return generation;
}

void
tnl_changed(void)
{
	generation++;
}
