/* SPDX-License-Identifier: Apache-2.0 */
/*
 * switch-bench's Open vSwitch under test (sb_ovs.c): what sb_switch.c
 * calls when a switch is SB_OVS. sb_ovs_start() is in sb_switch.h.
 */
#ifndef VS_SB_OVS_H
#define VS_SB_OVS_H

#include <stdint.h>

#include "sb_switch.h"

/* ovs-ofctl add-flows of the flows in file 'path'. Returns 0 or -1. */
int sb_ovs_add_flows(const struct sb_switch *sw, const char *path);
int sb_ovs_set_pmd_sleep(struct sb_switch *sw, int us);
int sb_ovs_set_tx_flush(struct sb_switch *sw, int us);
int sb_ovs_pmd_stats(const struct sb_switch *sw, struct sb_pmd_stats *s);
long sb_ovs_megaflows(const struct sb_switch *sw);
void sb_ovs_stop(struct sb_switch *sw);

#endif /* VS_SB_OVS_H */
