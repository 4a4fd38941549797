/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenFlow 1.3 messages about packets and events (ofp_msg.h): packet-in
 * and packet-out, port statistics and status, flow removed. Every length is
 * checked before it is used.
 */
#include <string.h>

#include "ofp_msg.h"
#include "ofp_wire.h"

/* ---- Packet-in, packet-out ---- */

void
ofp_encode_packet_in(struct obuf *b, const struct ofproto_pin *pin, const uint8_t *data, size_t len,
		     size_t total_len)
{
	size_t start = ofp_msg_start(b, OFPT_PACKET_IN, 0);
	struct match m;

	put32(b, 0xffffffff); /* OFP_NO_BUFFER */
	put16(b, (uint16_t)(total_len > UINT16_MAX ? UINT16_MAX : total_len));
	put8(b, pin->reason);
	put8(b, pin->table_id);
	put64(b, pin->cookie);
	match_init_catchall(&m);
	m.key.in_port = pin->in_port;
	m.mask.in_port = UINT32_MAX;
	/* The metadata and each register, when not zero, as Open vSwitch
	 * reports them. */
	m.md = pin->md;
	m.md_mask.u64[0] = m.md.u64[0] ? UINT64_MAX : 0;
	for (int i = PIPE_MD_XREG0; i < PIPE_MD_U64S; i++) {
		m.md_mask.u64[i] = (m.md.u64[i] >> 32 ? 0xffffffff00000000ull : 0) |
				   ((uint32_t)m.md.u64[i] ? 0xffffffffull : 0);
	}
	/* And the tunnel the packet came from (or a set-field gave it). */
	m.key.tun_id = pin->tun_id;
	m.mask.tun_id = pin->tun_id ? UINT64_MAX : 0;
	m.key.tun_src = pin->tun_src;
	m.mask.tun_src = pin->tun_src ? UINT32_MAX : 0;
	m.key.tun_dst = pin->tun_dst;
	m.mask.tun_dst = pin->tun_dst ? UINT32_MAX : 0;
	memcpy(m.key.tun_ipv6_src, pin->tun_ipv6_src, 16);
	memcpy(m.key.tun_ipv6_dst, pin->tun_ipv6_dst, 16);
	memset(m.mask.tun_ipv6_src, flow_key_tun6(&m.key) ? 0xff : 0, 16);
	memset(m.mask.tun_ipv6_dst, flow_key_tun6(&m.key) ? 0xff : 0, 16);
	/* Its Geneve options, as the bridge's map (bound) names them. */
	m.key.tun_md_present = m.mask.tun_md_present = pin->tun_md_present;
	if (pin->tun_md_present) {
		memcpy(m.key.tun_md, pin->tun_md, sizeof m.key.tun_md);
		memset(m.mask.tun_md, 0xff, sizeof m.mask.tun_md);
	}
	ofp_encode_match(b, &m);
	put16(b, 0);
	obuf_put(b, data, len);
	ofp_msg_end(b, start);
}

enum ofp_err
ofp_decode_packet_out(const uint8_t *msg, size_t len, struct ofp_packet_out *po)
{
	const uint8_t *p = msg + OFP_HEADER_LEN;
	uint16_t alen;
	enum ofp_err err;

	memset(po, 0, sizeof *po);
	if (len < OFP_HEADER_LEN + 16) {
		return OFPERR_BAD_LEN;
	}
	po->in_port = get32(p + 4);
	alen = get16(p + 8);
	if (OFP_HEADER_LEN + 16u + alen > len) {
		return OFPERR_BAD_LEN;
	}
	if (get32(p) != 0xffffffff) {
		return OFPERR_BUFFER_UNKNOWN;
	}
	if (po->in_port == 0 || (po->in_port > OFPP_MAX && po->in_port != OFPP_LOCAL &&
				 po->in_port != OFPP_CONTROLLER)) {
		return OFPERR_BAD_PORT;
	}
	err = ofp_decode_actions(p + 16, alen, &po->actions, &po->n_actions, ACTS_PACKET_OUT);
	if (err) {
		return err;
	}
	po->data = p + 16 + alen;
	po->len = len - OFP_HEADER_LEN - 16u - alen;
	return OFPERR_OK;
}

/* ---- Port statistics, port status, flow removed ---- */

void
ofp_encode_port_stats(struct obuf *b, uint32_t port_no, const struct port_stats *s,
		      uint64_t duration_ms)
{
	put32(b, port_no);
	put32(b, 0);
	put64(b, s->rx_packets);
	put64(b, s->tx_packets);
	put64(b, s->rx_bytes);
	put64(b, s->tx_bytes);
	put64(b, s->rx_dropped);
	put64(b, s->tx_dropped);
	put64(b, s->rx_errors);
	put64(b, s->tx_errors);
	put64(b, 0); /* rx_frame_err */
	put64(b, 0); /* rx_over_err */
	put64(b, 0); /* rx_crc_err */
	put64(b, 0); /* collisions */
	put32(b, (uint32_t)(duration_ms / 1000));
	put32(b, (uint32_t)(duration_ms % 1000 * 1000000));
}

void
ofp_encode_port_status(struct obuf *b, uint8_t reason, const struct ofp_port_desc *d)
{
	size_t start = ofp_msg_start(b, OFPT_PORT_STATUS, 0);

	put8(b, reason);
	obuf_put(b, NULL, 7);
	ofp_encode_port(b, d);
	ofp_msg_end(b, start);
}

void
ofp_encode_flow_removed(struct obuf *b, const struct ofproto_flow_info *f)
{
	size_t start = ofp_msg_start(b, OFPT_FLOW_REMOVED, 0);

	put64(b, f->cookie);
	put16(b, f->priority);
	put8(b, (uint8_t)f->reason);
	put8(b, f->table_id);
	put32(b, (uint32_t)(f->duration_ms / 1000));
	put32(b, (uint32_t)(f->duration_ms % 1000 * 1000000));
	put16(b, f->idle_timeout);
	put16(b, f->hard_timeout);
	put64(b, f->n_packets);
	put64(b, f->n_bytes);
	ofp_encode_match(b, f->match);
	ofp_msg_end(b, start);
}
