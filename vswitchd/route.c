/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IPv4 and IPv6 routes, addresses and interfaces from rtnetlink (route.h),
 * each address as tunnels keep it (dp_tnl_addr: IPv4 mapped into IPv6). One
 * socket listens to the kernel's announcements; on any, the three tables
 * are dumped again whole over a second socket (a hypervisor has a handful
 * of routes, and they change rarely).
 */
#include "route.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

enum { RT_MAX_ROUTES = 1024, RT_MAX_ADDRS = 256, RT_MAX_LINKS = 256 };

struct rt_route {
	struct in6_addr dst, gw, src; /* gw, src: none when unset */
	uint8_t plen;                 /* of the 128 bits: an IPv4 prefix's + 96 */
	uint32_t metric;
	int ifindex;
};

struct rt_addr {
	struct in6_addr addr;
	bool link_scope; /* IPv6 fe80::/10 (and IPv4 of scope link) */
	int ifindex;
};

struct rt_link {
	int ifindex;
	char name[IF_NAMESIZE];
	uint32_t mtu;
};

struct route_table {
	int listen_fd;
	uint32_t seq;
	struct rt_route routes[RT_MAX_ROUTES];
	uint32_t n_routes;
	struct rt_addr addrs[RT_MAX_ADDRS];
	uint32_t n_addrs;
	struct rt_link links[RT_MAX_LINKS];
	uint32_t n_links;
};

static int
nl_socket(uint32_t groups)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = groups};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);

	if (fd < 0) {
		return -errno;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* One netlink attribute: its type and payload. */
struct nl_attr {
	uint16_t type;
	const uint8_t *data;
	size_t len;
};

/* The next attribute of the 'left' bytes at '*p'; false at the end or on
 * a malformed one. Copies headers out rather than casting: the buffer's
 * alignment is the kernel's promise, not the compiler's. */
static bool
attr_next(const uint8_t **p, size_t *left, struct nl_attr *a)
{
	struct rtattr h;
	size_t step;

	if (*left < sizeof h) {
		return false;
	}
	memcpy(&h, *p, sizeof h);
	if (h.rta_len < sizeof h || h.rta_len > *left) {
		return false;
	}
	a->type = h.rta_type;
	a->data = *p + RTA_LENGTH(0);
	a->len = h.rta_len - RTA_LENGTH(0);
	step = RTA_ALIGN(h.rta_len) < *left ? RTA_ALIGN(h.rta_len) : *left;
	*p += step;
	*left -= step;
	return true;
}

static void
attr_u32(const struct nl_attr *a, void *out)
{
	if (a->len >= 4) {
		memcpy(out, a->data, 4);
	}
}

/* An address attribute of 'family' as a dp_tnl_addr. */
static void
attr_addr(const struct nl_attr *a, uint8_t family, struct in6_addr *out)
{
	uint32_t ip;

	if (family == AF_INET && a->len >= 4) {
		memcpy(&ip, a->data, 4);
		*out = dp_tnl_addr4(ip);
	} else if (family == AF_INET6 && a->len >= 16) {
		memcpy(out, a->data, 16);
	}
}

static void
put_route(struct route_table *t, const uint8_t *msg, size_t len)
{
	struct rtmsg rm;
	const uint8_t *p = msg + NLMSG_ALIGN(sizeof rm);
	size_t left = len > NLMSG_ALIGN(sizeof rm) ? len - NLMSG_ALIGN(sizeof rm) : 0;
	struct rt_route r = {0};
	uint32_t table;
	struct nl_attr a;

	if (len < sizeof rm) {
		return;
	}
	memcpy(&rm, msg, sizeof rm);
	table = rm.rtm_table;
	if ((rm.rtm_family != AF_INET && rm.rtm_family != AF_INET6) || rm.rtm_type != RTN_UNICAST ||
	    t->n_routes == RT_MAX_ROUTES ||
	    rm.rtm_dst_len > (rm.rtm_family == AF_INET ? 32 : 128)) {
		return;
	}
	r.plen = (uint8_t)(rm.rtm_dst_len + (rm.rtm_family == AF_INET ? 96 : 0));
	if (rm.rtm_family == AF_INET) {
		r.dst = dp_tnl_addr4(0);
	}
	while (attr_next(&p, &left, &a)) {
		switch (a.type) {
		case RTA_DST:
			attr_addr(&a, rm.rtm_family, &r.dst);
			break;
		case RTA_GATEWAY:
			attr_addr(&a, rm.rtm_family, &r.gw);
			break;
		case RTA_PREFSRC:
			attr_addr(&a, rm.rtm_family, &r.src);
			break;
		case RTA_OIF:
			attr_u32(&a, &r.ifindex);
			break;
		case RTA_PRIORITY:
			attr_u32(&a, &r.metric);
			break;
		case RTA_TABLE:
			attr_u32(&a, &table);
			break;
		default:
			break;
		}
	}
	if (table == RT_TABLE_MAIN && r.ifindex) {
		t->routes[t->n_routes++] = r;
	}
}

static void
put_addr(struct route_table *t, const uint8_t *msg, size_t len)
{
	struct ifaddrmsg am;
	const uint8_t *p = msg + NLMSG_ALIGN(sizeof am);
	size_t left = len > NLMSG_ALIGN(sizeof am) ? len - NLMSG_ALIGN(sizeof am) : 0;
	struct nl_attr a;

	if (len < sizeof am) {
		return;
	}
	memcpy(&am, msg, sizeof am);
	/* An IPv6 address still in (or failed) duplicate address detection
	 * is not usable yet: its end is announced, and read then. */
	if ((am.ifa_family != AF_INET && am.ifa_family != AF_INET6) ||
	    (am.ifa_flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) || t->n_addrs == RT_MAX_ADDRS) {
		return;
	}
	/* IFA_LOCAL is the interface's own address; IFA_ADDRESS is too,
	 * unless the address was given a peer ("ip addr add A peer B"): then
	 * it is the peer's. */
	bool local = false, any = false;
	struct rt_addr *x = &t->addrs[t->n_addrs];

	while (attr_next(&p, &left, &a)) {
		if ((a.type == IFA_LOCAL || (a.type == IFA_ADDRESS && !local)) &&
		    a.len >= (am.ifa_family == AF_INET ? 4u : 16u)) {
			attr_addr(&a, am.ifa_family, &x->addr);
			local |= a.type == IFA_LOCAL;
			any = true;
		}
	}
	if (any) {
		x->link_scope = am.ifa_scope == RT_SCOPE_LINK;
		x->ifindex = (int)am.ifa_index;
		t->n_addrs++;
	}
}

static void
put_link(struct route_table *t, const uint8_t *msg, size_t len)
{
	struct ifinfomsg im;
	const uint8_t *p = msg + NLMSG_ALIGN(sizeof im);
	size_t left = len > NLMSG_ALIGN(sizeof im) ? len - NLMSG_ALIGN(sizeof im) : 0;
	struct rt_link l = {0};
	struct nl_attr a;

	if (len < sizeof im || t->n_links == RT_MAX_LINKS) {
		return;
	}
	memcpy(&im, msg, sizeof im);
	l.ifindex = im.ifi_index;
	while (attr_next(&p, &left, &a)) {
		if (a.type == IFLA_IFNAME) {
			size_t n = a.len < sizeof l.name ? a.len : sizeof l.name - 1;

			memcpy(l.name, a.data, n);
			l.name[sizeof l.name - 1] = '\0';
		} else if (a.type == IFLA_MTU) {
			attr_u32(&a, &l.mtu);
		}
	}
	if (l.name[0]) {
		t->links[t->n_links++] = l;
	}
}

/* Dumps one table ('type': RTM_GETROUTE, RTM_GETADDR or RTM_GETLINK). */
static int
dump(struct route_table *t, uint16_t type)
{
	struct {
		struct nlmsghdr h;
		struct rtgenmsg g;
	} req = {{NLMSG_LENGTH(sizeof(struct rtgenmsg)), type, NLM_F_REQUEST | NLM_F_DUMP, ++t->seq,
		  0},
		 {AF_UNSPEC}};
	static char buf[32768] __attribute__((aligned(4)));
	int fd = nl_socket(0), ret = 0, waits = 0;
	bool done = false;

	if (fd < 0) {
		return fd;
	}
	if (send(fd, &req, req.h.nlmsg_len, 0) < 0) {
		ret = -errno;
		done = true;
	}
	while (!done) {
		ssize_t n = recv(fd, buf, sizeof buf, 0);

		if (n < 0 && (errno == EAGAIN || errno == EINTR) && ++waits < 1000) {
			usleep(1000); /* the kernel answers a dump at once; rarely waits */
			continue;
		}
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			break;
		}
		for (size_t at = 0; at + sizeof(struct nlmsghdr) <= (size_t)n && !done;) {
			struct nlmsghdr h;
			const uint8_t *body = (const uint8_t *)buf + at + NLMSG_HDRLEN;

			memcpy(&h, buf + at, sizeof h);
			if (h.nlmsg_len < NLMSG_HDRLEN || at + h.nlmsg_len > (size_t)n) {
				break;
			}
			at += NLMSG_ALIGN(h.nlmsg_len);
			if (h.nlmsg_seq != t->seq) {
				continue;
			}
			if (h.nlmsg_type == NLMSG_DONE) {
				done = true;
			} else if (h.nlmsg_type == NLMSG_ERROR) {
				ret = -EIO;
				done = true;
			} else if (h.nlmsg_type == RTM_NEWROUTE) {
				put_route(t, body, h.nlmsg_len - NLMSG_HDRLEN);
			} else if (h.nlmsg_type == RTM_NEWADDR) {
				put_addr(t, body, h.nlmsg_len - NLMSG_HDRLEN);
			} else if (h.nlmsg_type == RTM_NEWLINK) {
				put_link(t, body, h.nlmsg_len - NLMSG_HDRLEN);
			}
		}
	}
	close(fd);
	return ret;
}

static int
reload(struct route_table *t)
{
	int ret;

	t->n_routes = t->n_addrs = t->n_links = 0;
	ret = dump(t, RTM_GETLINK);
	if (!ret) {
		ret = dump(t, RTM_GETADDR);
	}
	if (!ret) {
		ret = dump(t, RTM_GETROUTE);
	}
	if (ret) {
		VLOG_WARN("route", "cannot read the routing table: %s", strerror(-ret));
	}
	return ret;
}

struct route_table *
route_table_create(void)
{
	struct route_table *t = calloc(1, sizeof *t);

	if (!t) {
		return NULL;
	}
	t->listen_fd = nl_socket(RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE |
				 RTMGRP_IPV6_IFADDR | RTMGRP_IPV6_ROUTE);
	if (t->listen_fd < 0) {
		VLOG_WARN("route", "no rtnetlink (%s): tunnels will find no routes",
			  strerror(-t->listen_fd));
		free(t);
		return NULL;
	}
	reload(t);
	return t;
}

void
route_table_destroy(struct route_table *t)
{
	if (t) {
		close(t->listen_fd);
		free(t);
	}
}

bool
route_table_changed(struct route_table *t)
{
	char buf[8192];
	bool changed = false;
	ssize_t n;

	/* What the announcements say does not matter: any reads all again. */
	while ((n = recv(t->listen_fd, buf, sizeof buf, 0)) > 0 || (n < 0 && errno == EINTR)) {
		changed = true;
	}
	if (n < 0 && errno == ENOBUFS) {
		changed = true; /* announcements were lost: read all anyway */
	}
	return changed;
}

void
route_table_reload(struct route_table *t)
{
	reload(t);
}

static const struct rt_link *
link_of(const struct route_table *t, int ifindex)
{
	for (uint32_t i = 0; i < t->n_links; i++) {
		if (t->links[i].ifindex == ifindex) {
			return &t->links[i];
		}
	}
	return NULL;
}

/* True when the first 'plen' bits of 'a' and 'b' are the same. */
static bool
prefix_eq(const struct in6_addr *a, const struct in6_addr *b, uint8_t plen)
{
	uint8_t bytes = plen / 8, bits = plen % 8;

	if (memcmp(a, b, bytes)) {
		return false;
	}
	return !bits || !((a->s6_addr[bytes] ^ b->s6_addr[bytes]) & (0xff00 >> bits));
}

bool
route_table_lookup(void *aux, const struct in6_addr *dst, struct tnl_route *r)
{
	const struct route_table *t = aux;
	const struct rt_route *best = NULL;
	const struct rt_link *l;
	const bool v4 = dp_tnl_addr_is4(dst);

	for (uint32_t i = 0; i < t->n_routes; i++) {
		const struct rt_route *x = &t->routes[i];

		/* An IPv6 route of a short prefix (::/0) covers no IPv4. */
		if (dp_tnl_addr_is4(&x->dst) != v4 || !prefix_eq(dst, &x->dst, x->plen)) {
			continue;
		}
		if (!best || x->plen > best->plen ||
		    (x->plen == best->plen && x->metric < best->metric)) {
			best = x;
		}
	}
	if (!best || !(l = link_of(t, best->ifindex))) {
		return false;
	}
	memset(r, 0, sizeof *r);
	snprintf(r->dev, sizeof r->dev, "%s", l->name);
	r->gw = best->gw;
	r->src = best->src;
	r->mtu = l->mtu > UINT16_MAX ? UINT16_MAX : (uint16_t)l->mtu;
	/* No preferred source: the first address of the device of the
	 * destination's family; over IPv6 not a link-local one (tunnels do
	 * not go to link-local remotes). */
	for (uint32_t i = 0; !dp_tnl_addr_set(&r->src) && i < t->n_addrs; i++) {
		const struct rt_addr *x = &t->addrs[i];

		if (x->ifindex == best->ifindex && dp_tnl_addr_is4(&x->addr) == v4 &&
		    (v4 || !x->link_scope)) {
			r->src = x->addr;
		}
	}
	return true;
}

bool
route_table_owns(void *aux, const char *dev, const struct in6_addr *addr)
{
	const struct route_table *t = aux;

	for (uint32_t i = 0; i < t->n_addrs; i++) {
		const struct rt_link *l = link_of(t, t->addrs[i].ifindex);

		if (dp_tnl_addr_eq(&t->addrs[i].addr, addr) && l && !strcmp(l->name, dev)) {
			return true;
		}
	}
	return false;
}

void
route_table_format(const struct route_table *t, struct ds *out)
{
	for (uint32_t i = 0; i < t->n_routes; i++) {
		const struct rt_route *x = &t->routes[i];
		const struct rt_link *l = link_of(t, x->ifindex);
		const bool v4 = dp_tnl_addr_is4(&x->dst);
		char a[INET6_ADDRSTRLEN];

		ds_put_format(out, "%s/%u dev %s", dp_tnl_addr_str(&x->dst, a),
			      x->plen - (v4 ? 96u : 0u), l ? l->name : "?");
		if (dp_tnl_addr_set(&x->gw)) {
			ds_put_format(out, " gw %s", dp_tnl_addr_str(&x->gw, a));
		}
		if (dp_tnl_addr_set(&x->src)) {
			ds_put_format(out, " src %s", dp_tnl_addr_str(&x->src, a));
		}
		if (x->metric) {
			ds_put_format(out, " metric %u", x->metric);
		}
		ds_put_char(out, '\n');
	}
}
