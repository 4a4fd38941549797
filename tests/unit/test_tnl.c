/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the tunnel registry (ofproto/tnl.c): which tunnel port
 * takes a received packet, and the neighbour table's ARP requests: when
 * one goes out, how they back off while unanswered, and that an answer
 * ends them; which ARP packets make a neighbour, and which changes
 * revalidate; the same for IPv6 neighbours.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "tnl.h"

static const uint8_t mac_a[6] = {2, 0, 0, 0, 0, 0xa};

/* An address of either family, in a ring of slots: a call's arguments
 * may hold several at once. */
static const struct in6_addr *
ring(struct in6_addr a)
{
	static struct in6_addr slot[16];
	static unsigned next;

	slot[next % 16] = a;
	return &slot[next++ % 16];
}

static const struct in6_addr *
ip(const char *s)
{
	struct in6_addr a;

	assert_true(dp_tnl_addr_parse(s, &a));
	return ring(a);
}

/* IPv4 'host' (host order). */
static const struct in6_addr *
ip4(uint32_t host)
{
	return ring(dp_tnl_addr4(htonl(host)));
}

static uint32_t
requests(void)
{
	struct tnl_request r[8];

	return tnl_take_requests(r, 8);
}

static void
test_arp_backoff(void **state)
{
	uint64_t gen;

	(void)state;
	tnl_neigh_flush();
	tnl_neigh_want("br-phy", ip("10.0.0.2"), ip("10.0.0.1"), mac_a, 100000);
	assert_int_equal(requests(), 1);
	tnl_neigh_want("br-phy", ip("10.0.0.2"), ip("10.0.0.1"), mac_a, 100500);
	assert_int_equal(requests(), 0); /* within the second */
	assert_false(tnl_unresolved(100500));
	assert_true(tnl_unresolved(101000));
	tnl_neigh_want("br-phy", ip("10.0.0.2"), ip("10.0.0.1"), mac_a, 101000);
	assert_int_equal(requests(), 1);
	/* Unanswered: 2 s, then 4 s, ... */
	tnl_neigh_want("br-phy", ip("10.0.0.2"), ip("10.0.0.1"), mac_a, 102500);
	assert_int_equal(requests(), 0);
	assert_false(tnl_unresolved(102999));
	tnl_neigh_want("br-phy", ip("10.0.0.2"), ip("10.0.0.1"), mac_a, 103000);
	assert_int_equal(requests(), 1);
	tnl_neigh_want("br-phy", ip("10.0.0.2"), ip("10.0.0.1"), mac_a, 106900);
	assert_int_equal(requests(), 0);
	/* ... never more than a minute. */
	uint64_t t = 107000;

	for (int i = 0; i < 12; i++) {
		tnl_neigh_want("br-phy", ip("10.0.0.2"), ip("10.0.0.1"), mac_a, t);
		assert_int_equal(requests(), 1);
		t += 60000;
	}
	assert_true(tnl_unresolved(t));
	/* An answer ends it, and is what lookups give. */
	gen = tnl_generation();
	tnl_neigh_learn("br-phy", ip("10.0.0.2"), (const uint8_t[6]){2, 0, 0, 0, 0, 0xb},
			ip("10.0.0.1"), t);
	assert_true(tnl_generation() != gen);
	assert_false(tnl_unresolved(t + 1000000));
	uint8_t mac[6];

	assert_true(tnl_neigh_lookup(ip("10.0.0.2"), mac));
	assert_int_equal(mac[5], 0xb);
	/* A multicast sender MAC is no neighbour. */
	assert_false(tnl_neigh_learn("br-phy", ip("10.0.0.3"),
				     (const uint8_t[6]){1, 0, 0x5e, 0, 0, 1}, ip("10.0.0.1"), t));
	assert_false(tnl_neigh_lookup(ip("10.0.0.3"), mac));
}

static bool
owns(void *aux, const char *dev, const struct in6_addr *addr)
{
	(void)aux;
	return !strcmp(dev, "br-phy") &&
	       (dp_tnl_addr_eq(addr, ip("10.0.0.1")) || dp_tnl_addr_eq(addr, ip("2001:db8::1")));
}

/* ARP that reaches a local port: only what is for us, or was asked for,
 * makes a neighbour; only what a translation may have used revalidates. */
static void
test_neigh_filter(void **state)
{
	const uint8_t m1[6] = {2, 0, 0, 0, 0, 1}, m2[6] = {2, 0, 0, 0, 0, 2};
	uint8_t mac[6];
	uint64_t gen;

	(void)state;
	tnl_set_routing(&(struct tnl_routing){NULL, owns, NULL});
	tnl_neigh_flush();
	gen = tnl_generation();
	/* A VM's ARP for another VM, flooded to an overlay bridge's local
	 * port; a host's ARP for another host of the underlay. */
	assert_false(tnl_neigh_learn("br-int", ip("10.1.1.5"), m1, ip("10.1.1.6"), 1000));
	assert_false(tnl_neigh_learn("br-phy", ip("10.0.0.7"), m1, ip("10.0.0.9"), 1000));
	assert_false(tnl_neigh_lookup(ip("10.1.1.5"), mac));
	assert_false(tnl_neigh_lookup(ip("10.0.0.7"), mac));
	/* For our address on that device: a neighbour, that no translation
	 * can have looked for yet (it would have asked). */
	assert_true(tnl_neigh_learn("br-phy", ip("10.0.0.7"), m1, ip("10.0.0.1"), 1000));
	assert_true(tnl_neigh_lookup(ip("10.0.0.7"), mac));
	assert_int_equal(tnl_generation(), gen);
	/* Known: any ARP from it updates it (a gratuitous one, a new MAC). */
	assert_true(tnl_neigh_learn("br-phy", ip("10.0.0.7"), m2, ip("10.0.0.7"), 2000));
	assert_true(tnl_neigh_lookup(ip("10.0.0.7"), mac));
	assert_memory_equal(mac, m2, 6);
	assert_true(tnl_generation() != gen);
	/* Asked for: taken whatever the target. */
	tnl_neigh_want("br-phy", ip("10.0.0.8"), ip("10.0.0.1"), mac_a, 3000);
	assert_int_equal(requests(), 1);
	gen = tnl_generation();
	assert_true(tnl_neigh_learn("br-phy", ip("10.0.0.8"), m1, ip("10.0.0.8"), 3000));
	assert_true(tnl_generation() != gen);
	/* Chatter never pushes the next hops out of the table. */
	gen = tnl_generation();
	for (uint32_t i = 0; i < 5000; i++) {
		uint8_t m[6] = {2, 1, (uint8_t)(i >> 8), (uint8_t)i, 0, 1};

		assert_false(tnl_neigh_learn("br-int", ip4(0x0a020000 + i), m, ip4(0x0a030000 + i),
					     4000 + i));
	}
	assert_int_equal(tnl_generation(), gen);
	assert_true(tnl_neigh_lookup(ip("10.0.0.7"), mac));
	assert_true(tnl_neigh_lookup(ip("10.0.0.8"), mac));

	/* Requests for our address from 5,000 senders of the underlay fill
	 * the table, each pushing out the oldest of them, never a next hop
	 * a translation looked up (10.0.0.7, 10.0.0.8), and revalidate
	 * nothing. */
	for (uint32_t i = 0; i < 5000; i++) {
		uint8_t m[6] = {2, 2, (uint8_t)(i >> 8), (uint8_t)i, 0, 1};

		assert_true(tnl_neigh_learn("br-phy", ip4(0x0a040000 + i), m, ip("10.0.0.1"),
					    10000 + i));
	}
	assert_int_equal(tnl_generation(), gen);
	assert_true(tnl_neigh_lookup(ip("10.0.0.7"), mac));
	assert_true(tnl_neigh_lookup(ip("10.0.0.8"), mac));
	assert_true(tnl_neigh_lookup(ip4(0x0a040000 + 4999), mac)); /* the newest */
	assert_false(tnl_neigh_lookup(ip4(0x0a040000), mac));       /* the oldest went */
	{
		static struct tnl_neigh all[2048];

		assert_int_equal(tnl_neigh_dump(all, 2048), 1024);
	}
	/* A neighbour asked for while the table is full of next hops: the
	 * oldest next hop gives way (and the translations run again). */
	for (uint32_t i = 0; i < 1022; i++) {
		assert_true(tnl_neigh_lookup(ip4(0x0a040000 + 5000 - 1022 + i), mac));
	}
	assert_false(tnl_neigh_learn("br-phy", ip("10.0.0.20"), m1, ip("10.0.0.1"), 20000));
	tnl_neigh_want("br-phy", ip("10.0.0.21"), ip("10.0.0.1"), mac_a, 20000);
	assert_true(tnl_neigh_learn("br-phy", ip("10.0.0.21"), m1, ip("10.0.0.1"), 20000));
	assert_true(tnl_generation() != gen);
	assert_false(tnl_neigh_lookup(ip("10.0.0.7"), mac)); /* the oldest next hop */
	assert_true(tnl_neigh_lookup(ip("10.0.0.8"), mac));
	assert_true(tnl_neigh_lookup(ip("10.0.0.21"), mac));
	tnl_neigh_flush();
}

/* IPv6 neighbours as IPv4 ones: a solicitation goes out for the one a
 * translation wants, with its family's addresses, and its advertisement
 * makes the neighbour; one for an address not ours does not. */
static void
test_neigh_ipv6(void **state)
{
	const uint8_t m1[6] = {2, 0, 0, 0, 0, 1};
	struct tnl_request r[4];
	uint8_t mac[6];

	(void)state;
	tnl_set_routing(&(struct tnl_routing){NULL, owns, NULL});
	tnl_neigh_flush();
	requests(); /* what earlier tests left */
	tnl_neigh_want("br-phy", ip("2001:db8::2"), ip("2001:db8::1"), mac_a, 1000);
	assert_int_equal(tnl_take_requests(r, 4), 1);
	assert_true(dp_tnl_addr_eq(&r[0].ip, ip("2001:db8::2")));
	assert_true(dp_tnl_addr_eq(&r[0].src, ip("2001:db8::1")));
	assert_true(tnl_unresolved(2000));
	/* The IPv4 address with the same last bits is another neighbour. */
	assert_false(tnl_neigh_learn("br-phy", ip("0.0.0.2"), m1, ip("10.0.0.9"), 1500));
	assert_true(tnl_neigh_learn("br-phy", ip("2001:db8::2"), m1, ip("2001:db8::1"), 1500));
	assert_true(tnl_neigh_lookup(ip("2001:db8::2"), mac));
	assert_memory_equal(mac, m1, 6);
	assert_false(tnl_unresolved(100000));
	assert_false(tnl_neigh_learn("br-phy", ip("2001:db8::7"), m1, ip("2001:db8::9"), 1600));
	assert_true(tnl_neigh_learn("br-phy", ip("2001:db8::7"), m1, ip("2001:db8::1"), 1600));
	assert_false(tnl_neigh_learn("br-phy", ip("::"), m1, ip("2001:db8::1"), 1700));
	tnl_neigh_flush();
}

static void
test_receiving_ports(void **state)
{
	struct dp_tnl_cfg c = {.type = DP_TNL_VXLAN, .dst_port = 4789, .ttl = 64};
	struct tnl_key_port kp[8];
	uint32_t any, n;

	(void)state;
	tnl_set_routing(&(struct tnl_routing){NULL, owns, NULL});
	c.remote_ip = *ip("10.0.0.2");
	c.key = 100;
	tnl_port_set(5, &c);
	c.key = 300;
	tnl_port_set(6, &c);
	memset(&c.remote_ip, 0, sizeof c.remote_ip);
	c.remote_flow = true;
	c.key = 100;
	tnl_port_set(7, &c); /* VNI 100 from anywhere: R's own port wins */
	c.key = 0;
	c.key_flow = true;
	tnl_port_set(8, &c); /* any other VNI from anywhere */

	n = tnl_ports_receiving("br-phy", ip("10.0.0.2"), ip("10.0.0.1"), 4789, kp, 8, &any);
	assert_int_equal(n, 2);
	assert_true(kp[0].key == 100 && kp[0].port == 5);
	assert_true(kp[1].key == 300 && kp[1].port == 6);
	assert_int_equal(any, 8);
	/* Another remote: the remote_ip=flow ports. */
	n = tnl_ports_receiving("br-phy", ip("10.0.0.9"), ip("10.0.0.1"), 4789, kp, 8, &any);
	assert_int_equal(n, 1);
	assert_true(kp[0].key == 100 && kp[0].port == 7);
	assert_int_equal(any, 8);
	/* Not our address, or another UDP port: none. */
	n = tnl_ports_receiving("br-phy", ip("10.0.0.2"), ip("10.0.0.7"), 4789, kp, 8, &any);
	assert_true(n == 0 && any == UINT32_MAX);
	n = tnl_ports_receiving("br-phy", ip("10.0.0.2"), ip("10.0.0.1"), 4790, kp, 8, &any);
	assert_true(n == 0 && any == UINT32_MAX);
	/* An IPv6 remote: its own port, then the remote_ip=flow ports (of
	 * either family without a local_ip). */
	c.remote_flow = c.key_flow = false;
	c.remote_ip = *ip("2001:db8::2");
	c.key = 500;
	tnl_port_set(9, &c);
	n = tnl_ports_receiving("br-phy", ip("2001:db8::2"), ip("2001:db8::1"), 4789, kp, 8, &any);
	assert_int_equal(n, 2);
	assert_true(kp[0].key == 500 && kp[0].port == 9);
	assert_true(kp[1].key == 100 && kp[1].port == 7);
	assert_int_equal(any, 8);
	n = tnl_ports_receiving("br-phy", ip("2001:db8::3"), ip("2001:db8::1"), 4789, kp, 8, &any);
	assert_true(n == 1 && kp[0].key == 100 && kp[0].port == 7 && any == 8);
	/* The same bits as an IPv4 remote are not it. */
	n = tnl_ports_receiving("br-phy", ip("10.0.0.2"), ip("10.0.0.1"), 4789, kp, 8, &any);
	assert_true(n == 2 && kp[0].port == 5 && kp[1].port == 6);
	/* A remote_ip=flow port whose local_ip is IPv6 takes IPv6 only. */
	c.remote_flow = true;
	memset(&c.remote_ip, 0, sizeof c.remote_ip);
	c.local_ip = *ip("2001:db8::1");
	c.key = 700;
	tnl_port_set(10, &c);
	n = tnl_ports_receiving("br-phy", ip("2001:db8::3"), ip("2001:db8::1"), 4789, kp, 8, &any);
	assert_int_equal(n, 2);
	assert_true(kp[1].key == 700 && kp[1].port == 10);
	n = tnl_ports_receiving("br-phy", ip("10.0.0.9"), ip("10.0.0.1"), 4789, kp, 8, &any);
	assert_true(n == 1 && kp[0].port == 7);
	for (uint32_t p = 5; p <= 10; p++) {
		tnl_port_set(p, NULL);
	}
	assert_false(tnl_any_port());
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arp_backoff),
		cmocka_unit_test(test_neigh_filter),
		cmocka_unit_test(test_neigh_ipv6),
		cmocka_unit_test(test_receiving_ports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
