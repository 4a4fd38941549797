/* SPDX-License-Identifier: Apache-2.0 */
/*
 * switch-bench --tunnel: two hypervisors in one vswitchd, so that one PMD
 * thread does all the work a tunnelled packet costs, on a machine with
 * too few CPUs for a switch per host.
 *
 *   vm1 - [overlay A] - tunnel A        tunnel B - [overlay B] - vm2
 *                          :                :
 *          [underlay A, 192.0.2.1] -patch- [underlay B, 192.0.2.2]
 *          (vxlan6, geneve6: 2001:db8:5b::1 and ::2)
 *
 * Each underlay bridge's internal port holds its host's address with the
 * other's as a peer, so the kernel's routing table (in the switch's own
 * namespace) sends host A's outer packets out by underlay A. That bridge
 * switches them by NORMAL over the patch ports, which stand for the wire
 * (no I/O of their own), to underlay B, where the switch finds them
 * addressed to its internal port and decapsulates them onto tunnel B.
 * The next-hop MACs are the switch's own ARP (neighbour solicitations over
 * IPv6), answered by the kernel at
 * the other internal port. Every packet from vm1 to vm2 costs the PMD host
 * A's encapsulation and host B's decapsulation.
 *
 * With --tunnel-side one host alone is built: its VM on its overlay
 * bridge, and on its underlay bridge, where the patch port would be, a
 * vhost-user port whose stand-in VM plays the far host
 * (sb_tunnel_wire(): its outer header and its hello), so that one PMD
 * thread does one host's work.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktgen.h"
#include "sb_switch.h"
#include "sb_traffic.h"
#include "util.h"

static const char *const ADDR[2] = {"192.0.2.1", "192.0.2.2"};
static const char *const ADDR6[2] = {"2001:db8:5b::1", "2001:db8:5b::2"};

/* 'prefix' and the number of sw->bridge ("sbb" and this process's). */
static void
name(const struct sb_switch *sw, const char *prefix, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s", prefix, sw->bridge + 3);
}

/* ip ARGS... in the switch's namespace. */
static int
ip(const struct sb_switch *sw, const char *const *args)
{
	char *argv[16] = {"ip", "netns", "exec", (char *)sw->ns, "ip"};
	int argc = 5;

	for (; *args && argc < 15; args++) {
		argv[argc++] = (char *)*args;
	}
	argv[argc] = NULL;
	return sb_run(argv, NULL);
}

/* Host 'h' (0: A, 1: B): its overlay bridge with its VMs' ports and its
 * tunnel port, and its underlay bridge with its patch port. */
static int
host(struct sb_switch *sw, unsigned int h)
{
	char tun[16], under[16], patch[16], peer[40], remote[40], local[40], key[24], type[24],
		csum[24];
	const char *overlay = h ? sw->bridge_b : sw->bridge;
	const char *args[24];
	unsigned int argc = 0;

	name(sw, h ? "sbtb" : "sbta", tun, sizeof tun);
	name(sw, h ? "sbv" : "sbu", under, sizeof under);
	name(sw, h ? "sbpv" : "sbpu", patch, sizeof patch);
	snprintf(peer, sizeof peer, "options:peer=sbp%c%s", h ? 'u' : 'v', sw->bridge + 3);
	snprintf(remote, sizeof remote, "options:remote_ip=%s", sb_tunnel_addr(sw, !h));
	snprintf(local, sizeof local, "options:local_ip=%s", sb_tunnel_addr(sw, h));
	snprintf(key, sizeof key, "options:key=%d", SB_TUNNEL_VNI);
	args[argc++] = "add-br";
	args[argc++] = overlay;
	for (unsigned int i = h ? 1 : 0; i < (h && !sw->side[0] ? sw->n_ports : h + 1); i++) {
		args[argc++] = "--";
		args[argc++] = "add-port";
		args[argc++] = overlay;
		args[argc++] = sw->ports[i];
		args[argc++] = "type=vhost-user";
	}
	args[argc] = NULL;
	if (sb_ctl(sw, NULL, args)) {
		return -1;
	}
	snprintf(type, sizeof type, "type=%.*s", (int)strcspn(sw->tunnel, "6"), sw->tunnel);
	/* The port's default unless --tunnel-csum says. */
	snprintf(csum, sizeof csum, "options:csum=%s", sw->tunnel_csum ? "true" : "false");
	if (sb_ctl(sw, NULL,
		   (const char *[]){"add-port", overlay, tun, type, remote, local, key,
				    sw->tunnel_csum >= 0 ? csum : NULL, NULL}) ||
	    sb_ctl(sw, NULL,
		   sw->side[0] ? (const char *[]){"add-br", under, "--", "add-port", under,
						  sw->ports[!h], "type=vhost-user", NULL}
			       : (const char *[]){"add-br", under, "--", "add-port", under, patch,
						  "type=patch", peer, NULL})) {
		return -1;
	}
	return sb_tunnel_underlay(sw, h, under, false);
}

int
sb_tunnel_underlay(const struct sb_switch *sw, unsigned int h, const char *dev, bool subnet)
{
	const bool v6 = strchr(sw->tunnel, '6') != NULL;
	const char *far = sb_tunnel_addr(sw, !h), *here = sb_tunnel_addr(sw, h);
	char net[48];

	/* An MTU with room for the outer headers of a 1518-byte frame. */
	if (ip(sw, (const char *[]){"link", "set", "dev", dev, "up", "mtu", "1600", NULL})) {
		return -1;
	}
	if (subnet) {
		snprintf(net, sizeof net, "%s/%d", here, v6 ? 64 : 24);
		return ip(sw, (const char *[]){"addr", "add", net, "dev", dev, v6 ? "nodad" : NULL,
					       NULL})
			       ? -1
			       : 0;
	}
	/* Over IPv6 no duplicate address detection to wait for, and no
	 * prefix route: the kernel would add one for each address on its
	 * device, and host B's route to host A's address would leave by A's. */
	if (v6) {
		return ip(sw, (const char *[]){"addr", "add", here, "dev", dev, "nodad",
					       "noprefixroute", NULL}) ||
				       ip(sw,
					  (const char *[]){"route", "add", far, "dev", dev, NULL})
			       ? -1
			       : 0;
	}
	return ip(sw, (const char *[]){"addr", "add", here, "peer", far, "dev", dev, NULL}) ? -1
											    : 0;
}

const char *
sb_tunnel_addr(const struct sb_switch *sw, unsigned int h)
{
	return (strchr(sw->tunnel, '6') ? ADDR6 : ADDR)[h & 1];
}

unsigned int
sb_tunnel_side_host(const struct sb_switch *sw)
{
	return !strcmp(sw->side, "decap");
}

int
sb_tunnel_read_mac(struct sb_switch *sw, const char *under)
{
	char *out = NULL, *at;
	int ret = -1;

	if (!sb_run((char *[]){"ip", "-n", sw->ns, "-o", "link", "show", "dev", (char *)under,
			       NULL},
		    &out) &&
	    out && (at = strstr(out, "link/ether ")) != NULL) {
		uint8_t *m = sw->under_mac;

		ret = sscanf(at + 11, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &m[0], &m[1], &m[2], &m[3],
			     &m[4], &m[5]) == 6
			      ? 0
			      : -1;
	}
	free(out);
	if (ret) {
		fprintf(stderr, "switch-bench: cannot read the MAC of %s\n", under);
	}
	return ret;
}

int
sb_tunnel_build(struct sb_switch *sw, const char *pipeline)
{
	char tun[2][16];
	const bool ports = !strcmp(pipeline, "ports") && sw->n_ports >= 2;

	name(sw, "sbc", sw->bridge_b, sizeof sw->bridge_b);
	name(sw, "sbta", tun[0], sizeof tun[0]);
	name(sw, "sbtb", tun[1], sizeof tun[1]);
	if (sw->side[0]) {
		/* One host alone, the other's end of the wire a stand-in. */
		const unsigned int h = sb_tunnel_side_host(sw);
		char under[16];

		name(sw, h ? "sbv" : "sbu", under, sizeof under);
		return host(sw, h) ||
				       (ports &&
					sb_ports_pipeline(sw, h ? sw->bridge_b : sw->bridge,
							  sw->ports[h], tun[h])) ||
				       sb_tunnel_read_mac(sw, under)
			       ? -1
			       : 0;
	}
	if (host(sw, 0) || host(sw, 1)) {
		return -1;
	}
	if (ports && (sb_ports_pipeline(sw, sw->bridge, sw->ports[0], tun[0]) ||
		      sb_ports_pipeline(sw, sw->bridge_b, sw->ports[1], tun[1]))) {
		return -1;
	}
	return 0;
}

bool
sb_tunnel_wire(const struct sb_switch *sw, unsigned int i, struct sb_dev *d)
{
	const unsigned int h = sb_tunnel_side_host(sw);
	const bool v6 = strchr(sw->tunnel, '6') != NULL, geneve = sw->tunnel[0] == 'g';
	struct pktgen_spec o = {.l3 = v6 ? PKTGEN_L3_IPV6 : PKTGEN_L3_IPV4,
				.proto = IPPROTO_UDP,
				.ip4_frag = 0x4000, /* DF, as df_default */
				.sport = 49152,
				.dport = geneve ? 6081 : 4789,
				.payload_len = 8};
	struct pktgen_spec hi;
	uint8_t far[16], here[16], *t;

	if (!sw->side[0] || i != !h) {
		return false;
	}
	inet_pton(v6 ? AF_INET6 : AF_INET, sb_tunnel_addr(sw, !h), far);
	inet_pton(v6 ? AF_INET6 : AF_INET, sb_tunnel_addr(sw, h), here);
	memcpy(o.eth_dst, sw->under_mac, 6);
	memcpy(o.eth_src, SB_TUNNEL_WIRE_MAC, 6);
	if (v6) {
		memcpy(o.ip6_src, far, 16);
		memcpy(o.ip6_dst, here, 16);
	} else {
		o.ip4_src = ntohl(vs_get32(far));
		o.ip4_dst = ntohl(vs_get32(here));
	}
	hi = pktgen_neigh_request(v6, SB_TUNNEL_WIRE_MAC, far, here);
	d->outer_csum = sb_tunnel_csum(sw);
	d->outer_len = (uint16_t)pktgen_build(&o, d->outer, sizeof d->outer);
	d->hello_len = (uint16_t)pktgen_build(&hi, d->hello, sizeof d->hello);
	/* The tunnel header: VXLAN's I flag, or Geneve's version 0 without
	 * options carrying Ethernet; then the VNI. */
	t = d->outer + d->outer_len - 8;
	memset(t, 0, 8);
	if (geneve) {
		t[2] = 0x65;
		t[3] = 0x58;
	} else {
		t[0] = 0x08;
	}
	t[4] = (uint8_t)(SB_TUNNEL_VNI >> 16);
	t[5] = (uint8_t)(SB_TUNNEL_VNI >> 8);
	t[6] = (uint8_t)SB_TUNNEL_VNI;
	return true;
}

int
sb_tunnel_replay_file(const struct sb_switch *sw, const struct sb_dev *d, uint16_t size,
		      uint32_t flows)
{
	/* Every flow as often, SB_REPLAY_FRAMES frames in all: with their
	 * mbufs' headers about 2 MB, more than the PMD's CPU keeps in its
	 * own caches (1 MB of L2 here), so that they come from further away,
	 * as a NIC's frames come from memory. */
	unsigned int n = SB_REPLAY_FRAMES / flows * flows;
	char path[160];

	if (!n) {
		fprintf(stderr, "switch-bench: --wire pcap replays at most %d flows\n",
			SB_REPLAY_FRAMES);
		return -1;
	}
	snprintf(path, sizeof path, "%s/wire.pcap", sw->dir);
	if (sb_traffic_write_pcap(d, size, flows, n, path)) {
		fprintf(stderr, "switch-bench: cannot write %s\n", path);
		return -1;
	}
	return 0;
}

int
sb_tunnel_replay(struct sb_switch *sw, bool on)
{
	char port[16], under[16], devargs[256];

	name(sw, "sbw", port, sizeof port);
	if (!on) {
		return sb_ctl(sw, NULL, (const char *[]){"del-port", port, NULL}) ? -1 : 0;
	}
	name(sw, "sbv", under, sizeof under);
	/* A device name of its own each time: the last one may linger. */
	snprintf(devargs, sizeof devargs,
		 "options:dpdk-devargs=net_pcap_sb%u,rx_pcap=%s/wire.pcap,infinite_rx=1",
		 sw->replays++, sw->dir);
	return sb_ctl(sw, NULL,
		      (const char *[]){"add-port", under, port, "type=dpdk", devargs, NULL})
		       ? -1
		       : 0;
}

bool
sb_tunnel_csum(const struct sb_switch *sw)
{
	return sw->tunnel_csum >= 0 ? sw->tunnel_csum > 0 : strchr(sw->tunnel, '6') != NULL;
}

void
sb_tunnel_teardown(struct sb_switch *sw)
{
	char under[2][16];

	name(sw, "sbu", under[0], sizeof under[0]);
	name(sw, "sbv", under[1], sizeof under[1]);
	for (unsigned int i = 0; i < 4; i++) {
		const char *br = i == 0 ? sw->bridge : i == 1 ? sw->bridge_b : under[i - 2];

		/* One host alone: only its bridges. */
		if (br[0] && (!sw->side[0] || i % 2 == sb_tunnel_side_host(sw))) {
			sb_ctl(sw, NULL, (const char *[]){"del-br", br, NULL});
		}
	}
}
