/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenFlow 1.0, 1.4 and 1.5 on the wire. The switch serves OpenFlow 1.3; a connection
 * that negotiated 1.0 has each of its messages converted to the 1.3 message
 * that asks the same (of10_to_13()), and each 1.3 message the switch sends
 * it converted back (of13_to_10()). The tables, groups and meters stay one
 * model; only the encoding differs. What 1.0 cannot say is left out of what
 * goes to the peer (a masked Ethernet address, an IPv6 field, an
 * instruction other than apply-actions); what 1.0 cannot ask for does not
 * arise.
 */
#ifndef VS_OFP_MSG10_H
#define VS_OFP_MSG10_H

#include <stddef.h>
#include <stdint.h>

#include "ofp_msg.h"

/* Converts the 1.0 message 'msg' ('len' bytes, framing checked) into one
 * 1.3 message appended to 'out'. Returns OFPERR_OK, or the error to answer
 * with (nothing appended). */
enum ofp_err of10_to_13(const uint8_t *msg, size_t len, struct obuf *out);

/* The 1.3 ports a 1.0 features reply lists: 'fn' appends each as a 1.3
 * ofp_port to 'b'. */
struct of10_ports {
	void (*fn)(void *aux, struct obuf *b);
	void *aux;
};

/* Converts the 1.3 message 'msg' ('len' bytes) into the 1.0 message(s)
 * that say the same, appended to 'out'; a message 1.0 has no form for is
 * dropped. 'request' (may be NULL), the 1.0 message being answered, goes
 * into an error's data in place of its 1.3 conversion. */
void of13_to_10(const uint8_t *msg, size_t len, struct obuf *out, const struct of10_ports *ports,
		const uint8_t *request, size_t request_len);

/* OpenFlow 1.4 (ofp_msg14.c), the same way: most messages are 1.3's with
 * another version byte; port descriptions, port status, port statistics,
 * port mods and the asynchronous configuration carry properties. */
enum ofp_err of14_to_13(const uint8_t *msg, size_t len, struct obuf *out);
/* A 1.4 or 1.5 SET_ASYNC lists only the properties it changes: 'now' is
 * the connection's configuration ([packet-in, port status, flow removed]
 * [master, slave]) the others keep. */
enum ofp_err of14_set_async_to13(const uint8_t *msg, size_t len, const uint32_t now[3][2],
				 struct obuf *out);
void of13_to_14(const uint8_t *msg, size_t len, struct obuf *out, const uint8_t *request,
		size_t request_len);

/* OpenFlow 1.5 (ofp_msg15.c): 1.4 with packet-outs that match, OXS
 * counters, bucket properties and the meter action. */
enum ofp_err of15_to_13(const uint8_t *msg, size_t len, struct obuf *out);
void of13_to_15(const uint8_t *msg, size_t len, struct obuf *out, const uint8_t *request,
		size_t request_len);

#endif /* VS_OFP_MSG10_H */
