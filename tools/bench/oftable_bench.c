/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oftable-bench: the flow table classifier alone, at 1k to 1M rules of the
 * shape "priority=200,udp,tp_dst=P,nw_dst=172.x.y.z" above a priority-0
 * catch-all. Prints, per size, the insert time, the resident bytes per rule (with the pointer
 * array) and the TSC cycles of a lookup with megaflow un-wildcarding (what an upcall pays per
 * table) for packets that hit a rule and packets that miss them all. Fixed seed; figures only, no
 * assertion. oftable-bench [MAX_RULES]
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "ofproto_priv.h"
#include "random.h"

enum { LOOKUPS = 200000 };

static uint32_t
rule_ip(uint32_t i)
{
	return 0xac000000u | (16u + (i >> 16) % 16) << 16 | (i & 0xffff);
}

static void
rule_match(uint32_t i, struct match *m)
{
	union mf_value v;

	match_init_catchall(m);
	v.u = 0x0800;
	match_set(m, mf_from_id(MFF_ETH_TYPE), &v, NULL);
	v.u = 17;
	match_set(m, mf_from_id(MFF_IP_PROTO), &v, NULL);
	v.u = 1000 + i % 5000;
	match_set(m, mf_from_id(MFF_UDP_DST), &v, NULL);
	v.u = rule_ip(i);
	match_set(m, mf_from_id(MFF_IPV4_DST), &v, NULL);
}

static void
packet(uint32_t i, bool hit, struct flow_key *k)
{
	memset(k, 0, sizeof *k);
	k->eth_type = htons(0x0800);
	k->nw_proto = 17;
	k->tp_src = htons(5555);
	k->tp_dst = htons((uint16_t)(1000 + i % 5000));
	/* A miss: an address no rule has (10.x), with a port rules use. */
	k->nw_dst.ipv4 = htonl(hit ? rule_ip(i) : 0x0a000000u | (i & 0xffffff));
	k->nw_src.ipv4 = htonl(0x0a000001);
}

/* Resident bytes of this process. */
static size_t
rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long size = 0, resident = 0;

	if (f) {
		if (fscanf(f, "%lu %lu", &size, &resident) != 2) {
			resident = 0;
		}
		fclose(f);
	}
	return resident * 4096;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
cycles_per_lookup(const struct oftable *t, uint32_t n, bool hit, struct vs_random *rnd)
{
	uint64_t total = 0;
	unsigned found = 0;

	for (int i = 0; i < LOOKUPS; i++) {
		struct flow_key k, wc;
		uint64_t start;

		packet(vs_random_u32(rnd) % n, hit, &k);
		memset(&wc, 0, sizeof wc);
		start = __rdtsc();
		found += oftable_lookup(t, &k, &(struct pipe_md){{0}}, &wc)->priority == 200;
		total += __rdtsc() - start;
	}
	if (found != (hit ? (unsigned)LOOKUPS : 0)) {
		fprintf(stderr, "oftable-bench: %u of %d lookups found a rule, expected %s\n",
			found, LOOKUPS, hit ? "all" : "none");
		exit(1);
	}
	return (double)total / LOOKUPS;
}

static void
run(uint32_t n)
{
	struct oftable t;
	struct rule **rules = calloc(n + 1, sizeof *rules);
	struct vs_random rnd;
	size_t rss0 = rss_bytes();
	double start;

	oftable_init(&t);
	vs_random_seed(&rnd, 1);
	start = now_s();
	for (uint32_t i = 0; i <= n; i++) {
		struct rule *r = calloc(1, sizeof *r);
		struct match m;

		if (!r || !rules) {
			fprintf(stderr, "oftable-bench: out of memory\n");
			exit(1);
		}
		if (i < n) {
			rule_match(i, &m);
			r->priority = 200;
		} else {
			match_init_catchall(&m);
		}
		if (rule_set_match(r, &m) || oftable_insert(&t, r)) {
			fprintf(stderr, "oftable-bench: insert failed\n");
			exit(1);
		}
		rules[i] = r;
	}
	double insert_s = now_s() - start;
	size_t rss = rss_bytes() - rss0;

	printf("%8u rules: insert %6.0f ns/rule, %4zu RSS bytes/rule (struct rule %zu), "
	       "lookup hit %6.0f cycles, miss %6.0f cycles\n",
	       n, insert_s * 1e9 / (n + 1), rss / (n + 1), sizeof(struct rule),
	       cycles_per_lookup(&t, n, true, &rnd), cycles_per_lookup(&t, n, false, &rnd));
	for (uint32_t i = 0; i <= n; i++) {
		oftable_remove(&t, rules[i]);
		rule_clear_match(rules[i]);
		free(rules[i]);
	}
	oftable_destroy(&t);
	free(rules);
}

int
main(int argc, char **argv)
{
	uint32_t max = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1000000;

	for (uint32_t n = 1000; n <= max; n *= 10) {
		run(n);
	}
	return 0;
}
