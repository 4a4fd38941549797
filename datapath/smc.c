/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signature-match cache: creation. The lookup and insertion are inline in
 * smc.h because they sit on the per-packet path.
 */
#include "smc.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

enum { HUGE = 2 << 20 };

struct smc *
smc_create(uint32_t n_buckets)
{
	struct smc *smc;
	size_t size;
	void *p;

	if (!n_buckets || n_buckets & (n_buckets - 1) || n_buckets > (1u << 24)) {
		errno = EINVAL;
		return NULL;
	}
	smc = calloc(1, sizeof *smc);
	if (!smc) {
		return NULL;
	}
	/* Anonymous memory comes zeroed (every way free) and is only backed as
	 * it is touched; huge pages, where the kernel has them, spare the TLB
	 * a miss on most lookups. */
	size = (size_t)n_buckets * sizeof(struct smc_bucket);
	p = mmap(NULL, size + HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		free(smc);
		errno = ENOMEM;
		return NULL;
	}
	/* On a huge page boundary: the slack before and after goes back. */
	{
		char *raw = p, *at = (char *)(((uintptr_t)raw + HUGE - 1) & ~(uintptr_t)(HUGE - 1));

		if (at > raw) {
			munmap(raw, (size_t)(at - raw));
		}
		munmap(at + size, (size_t)(HUGE - (at - raw))); /* never empty */
		p = at;
	}
	(void)madvise(p, size, MADV_HUGEPAGE);
	smc->mask = n_buckets - 1;
	smc->buckets = p;
	return smc;
}

void
smc_destroy(struct smc *smc)
{
	if (smc) {
		munmap(smc->buckets, (size_t)(smc->mask + 1) * sizeof(struct smc_bucket));
		free(smc);
	}
}
