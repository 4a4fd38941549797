/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers for port types that move frames through the kernel (tap, system):
 * copying frames into chained mbufs, finishing checksums and segmenting the
 * large TCP frames that kernel senders offload, and kernel interface
 * settings (port_impl.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "csum.h"
#include "port_impl.h"

enum { SEGMENT_MAX = 16384 };

struct rte_mbuf *
port_mbuf_from_buf(struct rte_mempool *mp, const void *data, uint32_t size)
{
	const uint8_t *p = data;
	struct rte_mbuf *head = NULL, *last = NULL;

	do {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		uint32_t room, chunk;

		if (!m) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		room = rte_pktmbuf_tailroom(m);
		chunk = size < room ? size : room;
		memcpy(rte_pktmbuf_mtod(m, uint8_t *), p, chunk);
		m->data_len = (uint16_t)chunk;
		if (!head) {
			head = m;
			head->pkt_len = 0;
		} else {
			last->next = m;
			head->nb_segs++;
		}
		head->pkt_len += chunk;
		last = m;
		p += chunk;
		size -= chunk;
	} while (size);
	return head;
}

int
port_mbuf_iov(struct rte_mbuf *m, struct iovec *iov, int max)
{
	int n = 0;

	for (; m; m = m->next) {
		if (n == max) {
			return 0;
		}
		iov[n].iov_base = rte_pktmbuf_mtod(m, void *);
		iov[n].iov_len = m->data_len;
		n++;
	}
	return n;
}

/* Sum of the pseudo-header of the L3 header at 'l3' for 'l4_len' bytes of
 * protocol 'proto'; false if 'l3' is not IPv4 or IPv6. */
static bool
pseudo_sum(const uint8_t *l3, uint32_t l4_len, uint8_t proto, uint32_t *sum)
{
	uint32_t s = 0;

	if ((l3[0] >> 4) == 4) {
		s = csum_add(s, l3 + 12, 8);
	} else if ((l3[0] >> 4) == 6) {
		s = csum_add(s, l3 + 8, 32);
	} else {
		return false;
	}
	s += htons((uint16_t)(l4_len >> 16)) + htons((uint16_t)l4_len);
	s += htons(proto);
	*sum = s;
	return true;
}

/* The offset of the IP header in 'frame', after any VLAN tags; 0 if none. */
static uint32_t
l3_offset(const uint8_t *frame, uint32_t size)
{
	uint32_t ofs = 12;

	while (ofs + 2 <= size) {
		uint16_t type = (uint16_t)(frame[ofs] << 8 | frame[ofs + 1]);

		if (type == 0x8100 || type == 0x88a8) {
			ofs += 4;
		} else {
			return type == 0x0800 || type == 0x86dd ? ofs + 2 : 0;
		}
	}
	return 0;
}

/* The L4 offset, protocol and end of the IP payload (frame padding left
 * out) of an IPv4 or IPv6 frame with TCP or UDP (no IPv6 extension
 * headers); false for anything else. Needs only the headers that are
 * there: a short IPv4 UDP frame is no IPv6 header long. */
static bool
l4_offset(const uint8_t *frame, uint32_t size, uint32_t *l3p, uint32_t *l4, uint8_t *proto,
	  uint32_t *end)
{
	uint32_t l3 = l3_offset(frame, size);

	if (!l3 || l3 + 20 > size) {
		return false;
	}
	if ((frame[l3] >> 4) == 4) {
		uint32_t ihl = (uint32_t)(frame[l3] & 0xf) * 4;

		*l4 = l3 + ihl;
		*proto = frame[l3 + 9];
		*end = l3 + (uint32_t)(frame[l3 + 2] << 8 | frame[l3 + 3]);
		if (ihl < 20 || frame[l3 + 6] & 0x3f || frame[l3 + 7]) {
			return false; /* a fragment, or a bad header */
		}
	} else if ((frame[l3] >> 4) == 6 && l3 + 40 <= size) {
		*l4 = l3 + 40;
		*proto = frame[l3 + 6];
		*end = l3 + 40 + (uint32_t)(frame[l3 + 4] << 8 | frame[l3 + 5]);
	} else {
		return false;
	}
	*l3p = l3;
	if (*end > size || *end < *l4) {
		*end = size; /* lengths that do not add up: the frame as it is */
	}
	return *l4 + 8 <= *end && (*proto == 6 || *proto == 17);
}

/* The inner frame of a VXLAN or Geneve packet whose UDP header is at
 * 'l4' and whose IP payload ends at 'end' (its length in '*inner_size'),
 * or NULL when the datagram is none of them. */
static uint8_t *
tunnel_inner(uint8_t *frame, uint32_t l4, uint32_t end, uint32_t *inner_size)
{
	uint16_t dport = (uint16_t)(frame[l4 + 2] << 8 | frame[l4 + 3]);
	const uint8_t *t = frame + l4 + 8;
	uint32_t hdr;

	if (l4 + 16 > end) {
		return NULL;
	}
	if ((dport == 4789 || dport == 8472) && (t[0] & 0x08)) {
		hdr = 8;
	} else if (dport == 6081 && t[2] == 0x65 && t[3] == 0x58) {
		hdr = 8 + (uint32_t)(t[0] & 0x3f) * 4;
	} else {
		return NULL;
	}
	if (l4 + 8 + hdr + 14 > end) {
		return NULL;
	}
	*inner_size = end - (l4 + 8 + hdr);
	return frame + l4 + 8 + hdr;
}

bool
port_csum_fix(uint8_t *frame, uint32_t size)
{
	uint32_t l3, l4, ofs, end, inner_size;
	uint8_t proto, *inner;
	uint16_t c;

	if (!l4_offset(frame, size, &l3, &l4, &proto, &end)) {
		return false;
	}
	/* A kernel tunnel (VXLAN, Geneve) leaves the inner checksum partial
	 * and fills the outer one (or leaves it 0) as if the inner were done. */
	if (proto == 17 && (inner = tunnel_inner(frame, l4, end, &inner_size)) &&
	    port_csum_fix(inner, inner_size)) {
		return true;
	}
	ofs = l4 + (proto == 6 ? 16 : 6);
	if (ofs + 2 > end) {
		return false;
	}
	/* The sender left the pseudo-header sum in the field: sum the rest,
	 * up to the end of the IP payload (not the frame's padding). */
	c = csum_finish(csum_add(0, frame + l4, end - l4));
	if (proto == 17 && c == 0) {
		c = 0xffff; /* UDP: a zero checksum means none */
	}
	memcpy(frame + ofs, &c, 2);
	return true;
}

/* Writes one segment: the headers of 'frame' (hdr bytes), then 'n' payload
 * bytes from 'payload', with lengths, sequence number, flags and checksums
 * fixed. */
static struct rte_mbuf *
make_segment(struct rte_mempool *mp, const uint8_t *frame, uint32_t l3, uint32_t l4, uint32_t hdr,
	     const uint8_t *payload, uint32_t n, uint32_t seq_add, int idx, bool last)
{
	uint8_t buf[SEGMENT_MAX];
	uint8_t *ip = buf + l3, *tcp = buf + l4;
	uint32_t seq, sum = 0;
	uint16_t c;

	memcpy(buf, frame, hdr);
	memcpy(buf + hdr, payload, n);
	if ((ip[0] >> 4) == 4) {
		uint16_t tot = htons((uint16_t)(hdr - l3 + n)), id;

		memcpy(ip + 2, &tot, 2);
		memcpy(&id, ip + 4, 2);
		id = htons((uint16_t)(ntohs(id) + idx));
		memcpy(ip + 4, &id, 2);
		memset(ip + 10, 0, 2);
		c = csum_finish(csum_add(0, ip, (uint32_t)(ip[0] & 0xf) * 4));
		memcpy(ip + 10, &c, 2);
	} else {
		uint16_t plen = htons((uint16_t)(hdr - l3 - 40 + n));

		memcpy(ip + 4, &plen, 2);
	}
	memcpy(&seq, tcp + 4, 4);
	seq = htonl(ntohl(seq) + seq_add);
	memcpy(tcp + 4, &seq, 4);
	if (idx > 0) {
		tcp[13] &= (uint8_t)~0x80; /* CWR only on the first */
	}
	if (!last) {
		tcp[13] &= (uint8_t)~0x09; /* FIN and PSH only on the last */
	}
	memset(tcp + 16, 0, 2);
	pseudo_sum(ip, hdr - l4 + n, 6, &sum);
	c = csum_finish(csum_add(sum, tcp, hdr - l4 + n));
	memcpy(tcp + 16, &c, 2);
	return port_mbuf_from_buf(mp, buf, hdr + n);
}

int
port_tcp_segment(struct rte_mempool *mp, const uint8_t *frame, uint32_t size, uint32_t mtu,
		 struct rte_mbuf **out, int max)
{
	uint32_t l3, l4, hdr, ofs, mss, end;
	uint8_t proto;
	int n = 0;

	if (!l4_offset(frame, size, &l3, &l4, &proto, &end) || proto != 6 || l4 + 20 > size) {
		return -EINVAL;
	}
	hdr = l4 + (uint32_t)(frame[l4 + 12] >> 4) * 4;
	if (hdr > size || hdr < l4 + 20 || mtu <= hdr - l3 || hdr + mtu > SEGMENT_MAX) {
		return -EINVAL;
	}
	mss = mtu - (hdr - l3);
	for (ofs = hdr; ofs < size || n == 0; ofs += mss) {
		uint32_t len = size - ofs < mss ? size - ofs : mss;

		if (n == max) {
			goto fail;
		}
		out[n] = make_segment(mp, frame, l3, l4, hdr, frame + ofs, len, ofs - hdr, n,
				      ofs + len >= size);
		if (!out[n]) {
			goto fail;
		}
		n++;
	}
	return n;
fail:
	rte_pktmbuf_free_bulk(out, (unsigned int)n);
	return n == max ? -EMSGSIZE : -ENOMEM;
}

static int
ifreq_ioctl(const char *ifname, unsigned long req, struct ifreq *ifr)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret;

	if (fd < 0) {
		return -errno;
	}
	snprintf(ifr->ifr_name, sizeof ifr->ifr_name, "%s", ifname);
	ret = ioctl(fd, req, ifr) ? -errno : 0;
	close(fd);
	return ret;
}

int
port_kernel_status(const char *ifname, struct port_status *st)
{
	struct ifreq ifr = {0};

	if (ifreq_ioctl(ifname, SIOCGIFFLAGS, &ifr)) {
		st->link = -1;
		port_status_add(st, "kernel", "%s is not in this network namespace", ifname);
		return 0;
	}
	st->link = (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
	if (!ifreq_ioctl(ifname, SIOCGIFMTU, &ifr)) {
		st->mtu = (uint32_t)ifr.ifr_mtu;
	}
	if (!ifreq_ioctl(ifname, SIOCGIFHWADDR, &ifr)) {
		memcpy(st->mac, ifr.ifr_hwaddr.sa_data, 6);
		st->has_mac = true;
	}
	return 0;
}

int
port_kernel_configure(struct port *port, const char *ifname, char *err)
{
	struct ifreq ifr = {0};
	int ret;

	if (port->mtu_request) {
		ifr.ifr_mtu = (int)port->mtu_request;
		ret = ifreq_ioctl(ifname, SIOCSIFMTU, &ifr);
		if (ret) {
			snprintf(err, PORT_ERR_MAX, "port %s: cannot set MTU %u on %s: %s",
				 port->name, port->mtu_request, ifname, strerror(-ret));
			return ret;
		}
	}
	if (port->has_mac) {
		memset(&ifr, 0, sizeof ifr);
		ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
		memcpy(ifr.ifr_hwaddr.sa_data, port->mac, 6);
		ret = ifreq_ioctl(ifname, SIOCSIFHWADDR, &ifr);
		if (ret) {
			snprintf(err, PORT_ERR_MAX, "port %s: cannot set the MAC of %s: %s",
				 port->name, ifname, strerror(-ret));
			return ret;
		}
	}
	return 0;
}
