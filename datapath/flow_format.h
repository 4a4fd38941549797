/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Text for humans: a megaflow's key and mask, and a list of datapath
 * actions, in the style of ovs-appctl dpctl/dump-flows
 * ("in_port(1),eth(src=...,dst=...),eth_type(0x0800),ipv4(...)",
 * "push_vlan(vid=10,pcp=0),2"). Control thread only.
 */
#ifndef VS_FLOW_FORMAT_H
#define VS_FLOW_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "actions.h"
#include "flow_key.h"

/* Writes the fields of 'key' that 'mask' covers into 'buf' (always
 * NUL-terminated; cut short if 'size' is too small). A field that is only
 * partly masked prints as value/mask. An all-zero mask prints "any". */
void flow_format(char *buf, size_t size, const struct flow_key *key, const struct flow_key *mask);

/* Writes 'actions' into 'buf'; no actions print as "drop". */
void dp_actions_format(char *buf, size_t size, const struct dp_action *actions, uint32_t n_actions);

#endif /* VS_FLOW_FORMAT_H */
