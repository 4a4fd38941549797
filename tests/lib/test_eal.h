/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Starts a real DPDK EAL for unit tests that need mbufs: no hugepages, no
 * PCI, no shared files, so tests run side by side and leave nothing behind.
 */
#ifndef VS_TEST_EAL_H
#define VS_TEST_EAL_H

#include <stdio.h>
#include <stdlib.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

static inline struct rte_mempool *
test_eal_init(const char *lcores)
{
	char *argv[] = {"test", "-l",       (char *)lcores, "--no-huge",      "-m",
			"256",  "--no-pci", "--no-shconf",  "--no-telemetry", "--log-level=error"};
	struct rte_mempool *mp;

	if (rte_eal_init((int)(sizeof argv / sizeof argv[0]), argv) < 0) {
		fprintf(stderr, "cannot start the DPDK EAL\n");
		exit(1);
	}
	mp = rte_pktmbuf_pool_create("test_mp", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     SOCKET_ID_ANY);
	if (!mp) {
		fprintf(stderr, "cannot create the mbuf pool\n");
		exit(1);
	}
	return mp;
}

/* An mbuf holding a copy of 'len' bytes at 'data'. */
static inline struct rte_mbuf *
test_mbuf(struct rte_mempool *mp, const void *data, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

	if (m) {
		memcpy(rte_pktmbuf_append(m, (uint16_t)len), data, len);
	}
	return m;
}

#endif /* VS_TEST_EAL_H */
