/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for dp_tnl_parse(), the checks of a received tunnel
 * packet's outer headers: the first input byte picks VXLAN or Geneve and
 * whether the IPv4 header checksum was checked already, the rest is the
 * frame. The parser must never read outside the frame (ASan
 * checks, the input is an exact-size copy), and what it accepts must add
 * up: the inner frame (at least an Ethernet header) lies within the IP
 * packet, the UDP datagram within the frame, the padding after it; a
 * Geneve packet's options fill its header, and taking them by a map
 * stays within them.
 */
#include <endian.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "tunnel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dp_tnl_md md;
	struct dp_tnl_layout lay;
	enum dp_tnl_type type;
	uint8_t *copy;
	uint32_t len;

	if (size < 1 || size > 65535) {
		return 0;
	}
	type = data[0] & 1 ? DP_TNL_GENEVE : DP_TNL_VXLAN;
	len = (uint32_t)size - 1;
	copy = malloc(len ? len : 1);
	if (!copy) {
		return 0;
	}
	memcpy(copy, data + 1, len);
	if (dp_tnl_parse(copy, len, len, type, data[0] >> 1 & DP_TNL_IP_CSUM_GOOD, &md, &lay) ==
	    DP_TNL_OK) {
		if (lay.outer + 14 + lay.pad > len || lay.udp + lay.udp_len + lay.pad > len ||
		    lay.udp + 16 > lay.outer || (md.vni >> 24) != 0) {
			abort();
		}
		if (type == DP_TNL_GENEVE) {
			/* The options lie in the Geneve header, and any map
			 * reads them without leaving it. */
			static const struct dp_tnl_optmap map = {3,
								 {{0x0102, 0x80, 4, 0, 0},
								  {0x0102, 0x01, 8, 1, 4},
								  {0, 0, 4, 2, 8}}};
			uint8_t md_bytes[DP_TNL_OPT_SPACE] = {0};
			uint16_t present = 0;

			if (lay.udp + 16 + md.opt_len != lay.outer) {
				abort();
			}
			(void)dp_tnl_opts_take(copy + lay.outer - md.opt_len, md.opt_len, &map,
					       &present, md_bytes);
			if (present & ~0x7u) {
				abort();
			}
		}
		if (lay.udp_csum) {
			(void)csum_finish(csum_add(dp_tnl_udp_pseudo_sum(copy, &lay),
						   copy + lay.udp, lay.udp_len));
		}
	}
	free(copy);
	return 0;
}
