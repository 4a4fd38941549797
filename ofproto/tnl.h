/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tunnels across bridges, as Open vSwitch's userspace datapath does them.
 *
 * A tunnel port (vxlan, geneve) sits on one bridge (say br-int); its
 * outer packets travel through another bridge (the underlay, say br-phy),
 * entering and leaving it by the internal port that holds the tunnel's
 * source address (br-phy's own port, with the host's IP on it, and the
 * NIC or a veth as another port of br-phy). Translation needs three things
 * the registry below holds for every bridge at once:
 *
 *  - the tunnel ports (their options, by datapath port), to build the
 *    outer header of what a bridge sends to one, and to recognise on the
 *    underlay what arrives for one;
 *  - the local ports: internal ports by kernel interface name, with their
 *    MAC, where the route to a remote leaves;
 *  - routes (a lookup the daemon provides, from the kernel's tables) and
 *    neighbours (IP -> MAC, learnt by snooping ARP and IPv6 neighbour
 *    discovery on the underlay; a miss asks the daemon to send an ARP
 *    request or a neighbour solicitation).
 *
 * Addresses are dp_tnl_addr (tunnel.h): IPv6, or IPv4 mapped into it.
 *
 * Everything here is called under ofproto_lock(). A change that can alter
 * a translation (a neighbour learnt, a route or port changed) bumps
 * tnl_generation(); the daemon then revalidates every bridge's megaflows.
 */
#ifndef VS_TNL_H
#define VS_TNL_H

#include <stdbool.h>
#include <stdint.h>

#include "tunnel.h"

/* ---- Routing, provided by the daemon ---- */

struct tnl_route {
	char dev[16];        /* the interface the route leaves by */
	struct in6_addr gw;  /* next hop; none (dp_tnl_addr_set()): on link */
	struct in6_addr src; /* preferred source; none: none */
	uint16_t mtu;        /* of 'dev'; 0: unknown */
};

struct tnl_routing {
	/* The route to 'dst'; false when there is none. */
	bool (*lookup)(void *aux, const struct in6_addr *dst, struct tnl_route *r);
	/* True when interface 'dev' holds address 'addr'. */
	bool (*owns)(void *aux, const char *dev, const struct in6_addr *addr);
	void *aux;
};

void tnl_set_routing(const struct tnl_routing *r);
/* The route to 'dst' through the daemon's lookup; false when none. */
bool tnl_route_lookup(const struct in6_addr *dst, struct tnl_route *r);
/* The routes or addresses changed: translations must be redone. */
void tnl_changed(void);

/* ---- Ports ---- */

/* Tunnel port 'dp_port' has options 'cfg' (NULL: it is not one, or gone). */
void tnl_port_set(uint32_t dp_port, const struct dp_tnl_cfg *cfg);
const struct dp_tnl_cfg *tnl_port_cfg(uint32_t dp_port);
bool tnl_any_port(void);

/* Internal port 'dp_port' is kernel interface 'name' with MAC 'mac' (NULL
 * name: it is not one, or gone; NULL mac: not known yet, or unchanged). */
void tnl_local_set(uint32_t dp_port, const char *name, const uint8_t mac[6]);
/* The datapath port of local port 'name' and its MAC; false if none. */
bool tnl_local_by_name(const char *name, uint32_t *dp_port, uint8_t mac[6]);
/* The interface name of local port 'dp_port', NULL if it is not one. */
const char *tnl_local_name(uint32_t dp_port);

/* The tunnel ports that take packets from 'src' to 'dst' on UDP port
 * 'udp_dst' (host order) arriving at local port 'dev': for each VNI, the
 * port with that key and remote_ip 'src', else one with that key and
 * remote_ip=flow. Fills 'by_key' with them (up to 'max'; returns how
 * many) and '*any' with the key=flow port for the other VNIs (one with
 * remote_ip 'src' before one with flow; UINT32_MAX: none). */
struct tnl_key_port {
	uint32_t key, port;
};
uint32_t tnl_ports_receiving(const char *dev, const struct in6_addr *src,
			     const struct in6_addr *dst, uint16_t udp_dst,
			     struct tnl_key_port *by_key, uint32_t max, uint32_t *any);

/* ---- Neighbours ---- */

/* Records that 'ip' is at 'mac' behind local port 'dev', from an ARP
 * packet (or neighbour solicitation or advertisement) for 'target' reaching
 * it. A neighbour already known, or asked for, is taken from any; a new
 * one only from one for an address of ours on 'dev' (a request for us, a
 * reply to us): the chatter of VMs that
 * reaches a bridge's local port neither fills the table (pushing out the
 * next hops of tunnels) nor revalidates the megaflows. A full table makes
 * room by pushing out the oldest neighbour no translation has looked up
 * (tnl_neigh_lookup()); one that has been looked up gives way only to a
 * neighbour asked for, never to ARP requests from many senders. Changes
 * that a translation may have depended on (a known neighbour's MAC or
 * device, one asked for, a looked-up one pushed out) move
 * tnl_generation(). Returns whether 'ip' is now a neighbour. */
bool tnl_neigh_learn(const char *dev, const struct in6_addr *ip, const uint8_t mac[6],
		     const struct in6_addr *target, uint64_t now_ms);
/* The MAC of neighbour 'ip'; marks it as in use by a translation. */
bool tnl_neigh_lookup(const struct in6_addr *ip, uint8_t mac[6]);
/* Asks for 'ip' behind 'dev' (our address 'src', MAC 'mac'): an ARP
 * request or neighbour solicitation goes out (tnl_take_requests()) at most
 * once a second per address, then, while it goes unanswered, after 2,
 * 4... up to 60 s. */
void tnl_neigh_want(const char *dev, const struct in6_addr *ip, const struct in6_addr *src,
		    const uint8_t mac[6], uint64_t now_ms);
void tnl_neigh_flush(void);
/* True when a neighbour asked for has not answered and is due to be
 * asked again by 'now_ms' (the translations that want it must run again). */
bool tnl_unresolved(uint64_t now_ms);

struct tnl_neigh {
	char dev[16];
	struct in6_addr ip;
	uint8_t mac[6];
	bool used; /* looked up by a translation: a next hop */
	uint64_t learnt_ms;
};
/* Copies up to 'max' neighbours to 'out'; returns how many there are. */
uint32_t tnl_neigh_dump(struct tnl_neigh *out, uint32_t max);

struct tnl_request {
	char dev[16];
	struct in6_addr ip, src; /* of one family */
	uint8_t mac[6];
};
/* Moves the pending requests to 'out' (up to 'max'); returns how many. */
uint32_t tnl_take_requests(struct tnl_request *out, uint32_t max);

/* Bumped by every change that can alter a translation. */
uint64_t tnl_generation(void);

#endif /* VS_TNL_H */
