/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host's IPv4 and IPv6 routing for tunnels: the main routing tables, the
 * interfaces' addresses and MTUs of the daemon's network namespace, read
 * over rtnetlink and read again whenever the kernel announces a change of
 * routes, addresses or links. Lookups are longest-prefix matches (lowest
 * metric among equals), as the kernel's own for unicast routes.
 */
#ifndef VS_ROUTE_H
#define VS_ROUTE_H

#include <stdbool.h>
#include <stdint.h>

#include "ds.h"
#include "tnl.h"

struct route_table;

/* Opens the netlink sockets and reads the tables; NULL (with a logged
 * reason) when netlink is not available. */
struct route_table *route_table_create(void);
void route_table_destroy(struct route_table *t);

/* True when the kernel announced a change since the last call (then
 * route_table_reload()). Never blocks. */
bool route_table_changed(struct route_table *t);
/* Reads the three tables again (lookups must not run meanwhile). */
void route_table_reload(struct route_table *t);

/* tnl_routing's two lookups (tnl.h). */
bool route_table_lookup(void *t, const struct in6_addr *dst, struct tnl_route *r);
bool route_table_owns(void *t, const char *dev, const struct in6_addr *addr);

/* "prefix dev gw src" lines, as `switch-ctl tnl-route-show` prints them. */
void route_table_format(const struct route_table *t, struct ds *out);

#endif /* VS_ROUTE_H */
