/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The datapath's rule-only path (megaflows that need only in_port and the
 * Ethernet header: tags, addresses, EtherType): when it serves a port, when
 * it stops, and the megaflow
 * property across the switch-over. The property test keeps a model rule
 * table whose upcall computes megaflows the way ofproto does (an L2 stage,
 * then the rest), and checks every packet against the model's answer for
 * its whole key, whichever path served it, while the table changes and is
 * revalidated.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "dp.h"
#include "pktgen.h"
#include "port_mem.h"
#include "random.h"
#include "test_eal.h"
#include "tunnel.h"
#include "util.h"

enum { N_PORTS = 3, N_RULES_MAX = 12 };

static struct rte_mempool *mp;

enum rule_field {
	F_PORT = 1,
	F_VLAN = 2,
	F_TYPE = 4,
	F_ETH_DST = 8,
	F_ETH_SRC = 16,
	F_L2 = F_PORT | F_VLAN | F_TYPE | F_ETH_DST | F_ETH_SRC, /* what the first stage looks at */
	F_DST = 32,
	F_TP_DST = 64,
};

/* A rule of the model: a match, then an output (or a drop) after an
 * optional rewrite: of eth_dst (a simple action) or, for IPv4 rules, of
 * the TOS (one that needs the L3 header). */
struct rule {
	unsigned int fields;
	struct flow_key key; /* under the mask of 'fields' */
	int out;             /* port index; -1: drop */
	bool set_dst, set_tos;
	uint8_t tos;
};

struct model {
	unsigned int n;
	struct rule r[N_RULES_MAX]; /* highest priority first */
	uint32_t no[N_PORTS];       /* datapath numbers of the ports */
	unsigned int upcalls;
};

static const uint32_t dsts[] = {0x0a000001, 0x0a000002, 0x0a000003};
static const uint16_t tp_dsts[] = {53, 80};
static const uint8_t new_dst[6] = {0x02, 0, 0, 0, 0, 0x99};

static void
fields_mask(unsigned int fields, struct flow_key *mask)
{
	memset(mask, 0, sizeof *mask);
	if (fields & F_PORT) {
		mask->in_port = UINT32_MAX;
	}
	if (fields & F_VLAN) {
		mask->vlan_tci = htons(FLOW_VLAN_PRESENT | FLOW_VLAN_VID_MASK);
	}
	if (fields & F_TYPE) {
		mask->eth_type = 0xffff;
	}
	if (fields & F_ETH_DST) {
		memset(mask->eth_dst, 0xff, 6);
	}
	if (fields & F_ETH_SRC) {
		memset(mask->eth_src, 0xff, 6);
	}
	if (fields & F_DST) {
		mask->nw_dst.ipv4 = UINT32_MAX;
	}
	if (fields & F_TP_DST) {
		mask->tp_dst = 0xffff;
	}
}

static bool
masked_equal(const struct flow_key *a, const struct flow_key *b, const struct flow_key *mask)
{
	for (int w = 0; w < FLOW_KEY_U64S; w++) {
		if ((a->u64[w] ^ b->u64[w]) & mask->u64[w]) {
			return false;
		}
	}
	return true;
}

static void
mask_or(struct flow_key *dst, const struct flow_key *m)
{
	for (int w = 0; w < FLOW_KEY_U64S; w++) {
		dst->u64[w] |= m->u64[w];
	}
}

/* The highest-priority rule matching 'key' (NULL: none, a drop), and in
 * 'mask' the bits of the key that decided it: in_port, the L2 fields of
 * every rule looked at, and all the fields of those that passed L2. With
 * only L2 rules (or those of another EtherType), the megaflow is simple. */
static const struct rule *
model_lookup(const struct model *md, const struct flow_key *key, struct flow_key *mask)
{
	memset(mask, 0, sizeof *mask);
	mask->in_port = UINT32_MAX;
	for (unsigned int i = 0; i < md->n; i++) {
		const struct rule *r = &md->r[i];
		struct flow_key l2, all;

		fields_mask(r->fields & F_L2, &l2);
		mask_or(mask, &l2);
		if (!masked_equal(key, &r->key, &l2)) {
			continue;
		}
		fields_mask(r->fields, &all);
		mask_or(mask, &all);
		if (masked_equal(key, &r->key, &all)) {
			return r;
		}
	}
	return NULL;
}

static uint32_t
model_actions(const struct model *md, const struct rule *r, struct dp_action *acts)
{
	uint32_t n = 0;

	if (!r || r->out < 0) {
		return 0;
	}
	if (r->set_dst) {
		acts[n] = (struct dp_action){.type = DP_ACTION_SET_ETH, .flags = DP_SET_DST};
		memcpy(acts[n++].eth.dst, new_dst, 6);
	}
	if (r->set_tos) {
		acts[n] = (struct dp_action){.type = DP_ACTION_SET_IPV4, .flags = DP_SET_TOS};
		acts[n++].ipv4.tos = r->tos;
	}
	acts[n++] = (struct dp_action){.type = DP_ACTION_OUTPUT, .port = md->no[r->out]};
	return n;
}

static int
model_upcall(void *aux, const struct flow_key *key, const struct rte_mbuf *pkt,
	     struct dp_upcall_result *res)
{
	struct model *md = aux;

	(void)pkt;
	md->upcalls++;
	res->n_actions = model_actions(md, model_lookup(md, key, &res->mask), res->actions);
	return 0;
}

/* Revalidation: a megaflow stays if the model still gives its packet the
 * same mask and actions. */
static bool
model_keep(void *aux, const struct dp_flow_info *info)
{
	const struct model *md = aux;
	struct dp_action acts[4];
	struct flow_key mask;
	/* The masked key is a packet of the megaflow: what the model gives it
	 * is what it gives them all, unless the mask changes too. */
	uint32_t n = model_actions(md, model_lookup(md, info->key, &mask), acts);

	return n == info->n_actions && !memcmp(acts, info->actions, n * sizeof acts[0]) &&
	       !memcmp(&mask, info->mask, sizeof mask);
}

static void
random_rule(struct vs_random *rnd, struct rule *r)
{
	memset(r, 0, sizeof *r);
	/* Mostly L2 rules, so that ports often have only simple megaflows. */
	r->fields = vs_random_u32(rnd) % 2 ? F_PORT : 0;
	if (vs_random_u32(rnd) % 3 == 0) {
		r->fields |= F_VLAN;
	}
	if (vs_random_u32(rnd) % 2) {
		r->fields |= F_TYPE;
	}
	if (vs_random_u32(rnd) % 4 == 0) {
		r->fields |= F_ETH_DST;
	}
	if (vs_random_u32(rnd) % 5 == 0) {
		r->fields |= F_ETH_SRC;
	}
	if (vs_random_u32(rnd) % 3 == 0) {
		r->fields |= F_DST;
	}
	if (vs_random_u32(rnd) % 5 == 0) {
		r->fields |= F_TP_DST;
	}
	r->key.in_port = vs_random_u32(rnd) % N_PORTS; /* an index until installed */
	if (vs_random_u32(rnd) % 2) {
		r->key.vlan_tci = htons(FLOW_VLAN_PRESENT | (vs_random_u32(rnd) % 2 ? 10 : 20));
	}
	r->key.eth_type = htons(vs_random_u32(rnd) % 3 ? 0x0800 : 0x0806);
	memcpy(r->key.eth_dst,
	       (uint8_t[6]){0x02, 0, 0, 0, 0, (uint8_t)(2 + vs_random_u32(rnd) % 3)}, 6);
	memcpy(r->key.eth_src, (uint8_t[6]){0x02, 0, 0, 0, 0, (uint8_t)(vs_random_u32(rnd) % 2)},
	       6);
	r->key.nw_dst.ipv4 = htonl(dsts[vs_random_u32(rnd) % 3]);
	r->key.tp_dst = htons(tp_dsts[vs_random_u32(rnd) % 2]);
	r->out = (int)(vs_random_u32(rnd) % (N_PORTS + 1)) - 1;
	r->set_dst = vs_random_u32(rnd) % 4 == 0;
	/* A TOS rewrite only where every packet is IPv4. */
	r->set_tos = (r->fields & F_TYPE) && r->key.eth_type == htons(0x0800) &&
		     vs_random_u32(rnd) % 3 == 0;
	r->tos = (uint8_t)(vs_random_u32(rnd) % 64) << 2;
}

static void
model_add(struct model *md, struct vs_random *rnd)
{
	unsigned int at = vs_random_u32(rnd) % (md->n + 1);

	memmove(&md->r[at + 1], &md->r[at], (md->n - at) * sizeof md->r[0]);
	random_rule(rnd, &md->r[at]);
	md->r[at].key.in_port = md->no[md->r[at].key.in_port];
	md->n++;
}

/* A frame on port index 'port' with id 'id' in its IPv4 source or ARP
 * sender address (no rule looks there). */
static struct rte_mbuf *
random_frame(struct vs_random *rnd, uint32_t id)
{
	struct pktgen_spec s = pktgen_udp4(id, dsts[vs_random_u32(rnd) % 3], 1000,
					   tp_dsts[vs_random_u32(rnd) % 2]);
	uint8_t buf[128];
	size_t len;

	if (vs_random_u32(rnd) % 4 == 0) {
		s.l3 = PKTGEN_L3_ARP;
		s.arp_op = 1;
		s.arp_spa = id;
		s.arp_tpa = s.ip4_dst;
	}
	if (vs_random_u32(rnd) % 2) {
		s.n_vlans = 1;
		s.vlan_tci[0] = vs_random_u32(rnd) % 2 ? 10 : 20;
	}
	s.eth_dst[5] = (uint8_t)(2 + vs_random_u32(rnd) % 3);
	s.eth_src[5] = (uint8_t)(vs_random_u32(rnd) % 2);
	len = pktgen_build(&s, buf, sizeof buf);
	assert_true(len > 0);
	return test_mbuf(mp, buf, len);
}

struct expect {
	int port; /* -1: dropped */
	bool dst_rewritten;
	int tos; /* -1: as sent (0) */
};

/* Takes every frame the datapath sent and checks it against 'exp' (indexed
 * by id); returns how many arrived. */
static unsigned int
check_outputs(struct port *const *ports, const struct expect *exp, unsigned int n_ids, bool *seen)
{
	unsigned int total = 0;

	for (int p = 0; p < N_PORTS; p++) {
		struct rte_mbuf *pkts[64];
		uint16_t n;

		while ((n = port_mem_collect(ports[p], pkts, 64)) > 0) {
			for (uint16_t i = 0; i < n; i++) {
				struct flow_key k;
				uint32_t id;

				flow_key_extract(rte_pktmbuf_mtod(pkts[i], const uint8_t *),
						 rte_pktmbuf_data_len(pkts[i]), 0, &k, NULL);
				id = ntohl(k.nw_src.ipv4);
				assert_true(id < n_ids);
				assert_false(seen[id]);
				seen[id] = true;
				assert_int_equal(exp[id].port, p);
				assert_int_equal(!memcmp(k.eth_dst, new_dst, 6),
						 exp[id].dst_rewritten);
				assert_int_equal(k.nw_tos, exp[id].tos < 0 ? 0 : exp[id].tos);
				total++;
			}
			rte_pktmbuf_free_bulk(pkts, n);
		}
	}
	return total;
}

static struct dp *
make_dp(struct port **ports, struct model *md)
{
	struct dp_params params = {.emc_inv_prob = 1, .emc_inv_prob_set = true};
	struct dp *dp = dp_create(&params);

	assert_non_null(dp);
	for (int i = 0; i < N_PORTS; i++) {
		char name[16];

		snprintf(name, sizeof name, "s%d", i);
		assert_int_equal(port_open("mem", name, NULL, 0, mp, &ports[i], NULL), 0);
		assert_int_equal(dp_port_add(dp, ports[i], &md->no[i]), 0);
	}
	dp_set_upcall(dp, model_upcall, md);
	return dp;
}

static void
test_switch_over_property(void **state)
{
	enum { ROUNDS = 40, STEPS = 30, IDS = ROUNDS * STEPS * 32 };
	struct expect *exp = calloc(IDS, sizeof *exp);
	bool *seen = calloc(IDS, sizeof *seen);
	unsigned int simple_batches = 0, offs = 0, ons = 0, sent = 0, arrived = 0, dropped = 0;
	struct vs_random rnd;

	(void)state;
	assert_non_null(exp);
	assert_non_null(seen);
	vs_random_seed(&rnd, 7);
	for (int round = 0; round < ROUNDS; round++) {
		struct port *ports[N_PORTS];
		struct model md = {0};
		struct dp *dp = make_dp(ports, &md);
		struct dp_pmd *pmd = dp_pmd_get(dp, 0);
		bool was_simple[N_PORTS] = {false}, was_full[N_PORTS] = {false};
		unsigned int n_rules = 2 + vs_random_u32(&rnd) % 5;

		for (unsigned int i = 0; i < n_rules; i++) {
			model_add(&md, &rnd);
		}
		for (int step = 0; step < STEPS; step++) {
			int port = (int)(vs_random_u32(&rnd) % N_PORTS);
			uint16_t n = (uint16_t)(1 + vs_random_u32(&rnd) % 32);
			struct rte_mbuf *pkts[32];
			struct dp_stats before, after;

			if (step % 6 == 5) {
				/* Change the table, then revalidate as ofproto does. */
				if (md.n < N_RULES_MAX && (md.n < 2 || vs_random_u32(&rnd) % 2)) {
					model_add(&md, &rnd);
				} else {
					unsigned int at = vs_random_u32(&rnd) % md.n;

					memmove(&md.r[at], &md.r[at + 1],
						(md.n - at - 1) * sizeof md.r[0]);
					md.n--;
				}
				dp_flow_revalidate(dp, model_keep, &md);
				dp_flow_sync(dp);
			}
			for (uint16_t i = 0; i < n; i++) {
				uint32_t id = sent++;
				struct flow_key k, mask;
				const struct rule *r;

				pkts[i] = random_frame(&rnd, id);
				assert_non_null(pkts[i]);
				flow_key_extract(rte_pktmbuf_mtod(pkts[i], const uint8_t *),
						 rte_pktmbuf_data_len(pkts[i]), md.no[port], &k,
						 NULL);
				r = model_lookup(&md, &k, &mask);
				exp[id].port = r ? r->out : -1;
				exp[id].dst_rewritten = r && r->out >= 0 && r->set_dst;
				exp[id].tos = r && r->out >= 0 && r->set_tos ? r->tos : -1;
				dropped += exp[id].port < 0;
			}
			dp_get_stats(dp, &before);
			dp_pmd_process(pmd, md.no[port], pkts, n);
			dp_get_stats(dp, &after);
			arrived += check_outputs(ports, exp, IDS, seen);
			assert_int_equal(after.rx_packets - before.rx_packets, n);
			assert_int_equal(after.rx_packets, after.emc_hits + after.simple_hits +
								   after.megaflow_hits +
								   after.misses);
			if (after.simple_hits > before.simple_hits) {
				/* The rule-only path serves a batch whole. */
				assert_int_equal(after.simple_hits - before.simple_hits, n);
				simple_batches++;
				ons += was_full[port];
				was_simple[port] = true;
				was_full[port] = false;
			} else {
				offs += was_simple[port];
				was_full[port] = true;
				was_simple[port] = false;
			}
		}
		dp_destroy(dp);
	}
	assert_int_equal(arrived + dropped, sent);
	/* Both paths served, and ports went from one to the other both ways. */
	print_message("%u of %u batches on the rule-only path, %u switch-offs, %u switch-ons\n",
		      simple_batches, ROUNDS * STEPS, offs, ons);
	assert_true(simple_batches > ROUNDS * STEPS / 10);
	assert_true(simple_batches < ROUNDS * STEPS);
	assert_true(offs > 10);
	assert_true(ons > 10);
	free(exp);
	free(seen);
	assert_int_equal(rte_mempool_in_use_count(mp), 0);
}

/* The rule-only path by hand: on with in_port-only megaflows, off the
 * moment one that needs more arrives (one installed directly, or one that
 * wildcards in_port), on again when it goes. */
static void
test_switch_over(void **state)
{
	struct port *ports[N_PORTS];
	struct model md = {0};
	struct dp *dp = make_dp(ports, &md);
	struct dp_pmd *pmd = dp_pmd_get(dp, 0);
	struct vs_random rnd;
	struct dp_stats s;
	struct flow_key key = {0}, mask = {0};
	struct dp_action drop_acts[1];
	bool seen[5 * 32] = {false};
	struct expect exp[5 * 32];
	uint32_t id = 0;

	(void)state;
	vs_random_seed(&rnd, 1);
	/* One rule: from port 0 to port 1. */
	md.n = 1;
	md.r[0] = (struct rule){.fields = F_PORT, .out = 1};
	md.r[0].key.in_port = md.no[0];
	for (int round = 0; round < 5; round++) {
		struct rte_mbuf *pkts[32];

		if (round == 2) {
			/* A megaflow that wildcards in_port: no port is simple. */
			mask.eth_type = 0xffff;
			key.eth_type = htons(0x88cc);
			assert_int_equal(dp_flow_put(dp, &key, &mask, drop_acts, 0), 0);
		} else if (round == 3) {
			dp_flow_flush(dp);
		}
		for (int i = 0; i < 32; i++, id++) {
			pkts[i] = random_frame(&rnd, id);
			exp[id] = (struct expect){.port = 1, .tos = -1};
		}
		dp_pmd_process(pmd, md.no[0], pkts, 32);
		assert_int_equal(check_outputs(ports, exp, id, seen), 32);
		dp_get_stats(dp, &s);
		/* Every frame has its own key: the full path misses the EMC. */
		switch (round) {
		case 0: /* the miss installs in_port=0 */
			assert_int_equal(s.misses, 1);
			assert_int_equal(s.megaflow_hits, 31);
			assert_int_equal(s.simple_hits, 0);
			break;
		case 1: /* served by the rule-only path */
			assert_int_equal(s.simple_hits, 32);
			assert_int_equal(s.megaflow_hits, 31);
			break;
		case 2: /* the wildcarded flow turns it off */
			assert_int_equal(s.simple_hits, 32);
			assert_int_equal(s.megaflow_hits, 31 + 32);
			break;
		case 3: /* flushed: a miss, and only simple flows again */
			assert_int_equal(s.misses, 2);
			assert_int_equal(s.simple_hits, 32);
			break;
		default: /* on again */
			assert_int_equal(s.simple_hits, 64);
			assert_int_equal(s.misses, 2);
			break;
		}
		assert_int_equal(s.rx_packets,
				 s.emc_hits + s.simple_hits + s.megaflow_hits + s.misses);
	}
	dp_destroy(dp);
	assert_int_equal(rte_mempool_in_use_count(mp), 0);
}

/* Actions that need the L3 header keep a flow off the rule-only path, and
 * the rewrite is right. */
static void
test_l3_actions_not_simple(void **state)
{
	struct port *ports[N_PORTS];
	struct model md = {0};
	struct dp *dp = make_dp(ports, &md);
	struct dp_stats s;
	struct expect exp[64];
	bool seen[64] = {false};

	(void)state;
	md.n = 1;
	md.r[0] = (struct rule){.fields = F_PORT | F_TYPE, .out = 2, .set_tos = true, .tos = 0x20};
	md.r[0].key.in_port = md.no[1];
	md.r[0].key.eth_type = htons(0x0800);
	for (uint32_t id = 0; id < 64; id++) {
		struct pktgen_spec sp = pktgen_udp4(id, dsts[0], 1, 2);
		uint8_t buf[128];
		size_t len = pktgen_build(&sp, buf, sizeof buf);
		struct rte_mbuf *m = test_mbuf(mp, buf, len);

		exp[id] = (struct expect){.port = 2, .tos = 0x20};
		dp_pmd_process(dp_pmd_get(dp, 0), md.no[1], &m, 1);
	}
	assert_int_equal(check_outputs(ports, exp, 64, seen), 64);
	dp_get_stats(dp, &s);
	assert_int_equal(s.simple_hits, 0);
	assert_int_equal(s.misses, 1);
	dp_destroy(dp);
	assert_int_equal(rte_mempool_in_use_count(mp), 0);
}

/* The inner frames of a decapsulation, on a tunnel port. The underlay's
 * megaflow pops every VXLAN packet onto 'vx'; the inner megaflows there
 * match the Ethernet destination alone, or, with 'by_vni', the tunnel id
 * too: VNI 0 to port 1, any other to port 2. */
struct tnl_model {
	uint32_t u, vx, out[2];
	bool by_vni;
};

static int
tnl_upcall(void *aux, const struct flow_key *key, const struct rte_mbuf *pkt,
	   struct dp_upcall_result *res)
{
	const struct tnl_model *t = aux;
	struct dp_action *a = res->actions;

	(void)pkt;
	memset(&res->mask, 0, sizeof res->mask);
	res->mask.in_port = UINT32_MAX;
	res->n_actions = 1;
	if (key->in_port == t->u) {
		res->mask.eth_type = 0xffff;
		res->mask.nw_proto = 0xff;
		res->mask.tp_dst = 0xffff;
		*a = (struct dp_action){.type = DP_ACTION_TNL_POP, .port = t->vx};
		a->tnl.type = DP_TNL_VXLAN;
		return 0;
	}
	memset(res->mask.eth_dst, 0xff, 6);
	*a = (struct dp_action){.type = DP_ACTION_OUTPUT, .port = t->out[0]};
	if (t->by_vni) {
		res->mask.tun_id = UINT64_MAX;
		a->port = t->out[key->tun_id ? 1 : 0];
	}
	return 0;
}

/* The outer header of the tunnel tests: 10.9.0.1 -> 10.9.0.2, VNI 'vni'. */
static struct dp_tnl_params
vxlan_params(uint32_t vni)
{
	return (struct dp_tnl_params){
		.type = DP_TNL_VXLAN,
		.eth_src = {0x02, 0, 0, 0, 0x09, 1},
		.eth_dst = {0x02, 0, 0, 0, 0x09, 2},
		.ip_src = dp_tnl_addr4(htonl(0x0a090001)),
		.ip_dst = dp_tnl_addr4(htonl(0x0a090002)),
		.ttl = 64,
		.df = true,
		.udp_dst = htons(4789),
		.vni = vni,
	};
}

/* A VXLAN packet of VNI 'vni' around the same inner frame but for the id
 * 'id' in its IPv4 source. */
static struct rte_mbuf *
vxlan_frame(uint32_t vni, uint32_t id)
{
	const struct dp_tnl_params tp = vxlan_params(vni);
	struct pktgen_spec s = pktgen_udp4(id, dsts[0], 1000, 53);
	uint8_t hdr[DP_TNL_HDR_MAX], buf[128];
	uint16_t hlen = dp_tnl_header_build(&tp, hdr), ip_id = 0;
	size_t len = pktgen_build(&s, buf, sizeof buf);
	struct rte_mbuf *m = test_mbuf(mp, buf, len);

	assert_non_null(m);
	assert_int_equal(dp_tnl_push(m, hdr, hlen, 0, 0, &ip_id), DP_TNL_OK);
	return m;
}

/* The rule-only path serves a tunnel port whose megaflows need only L2,
 * and stops the moment one matches the tunnel id: the partial key has
 * none, so the frames of VNI 200 would otherwise meet the megaflow of
 * VNI 0 (the same inner frames) and go to its port. */
static void
test_tunnel_port(void **state)
{
	enum { ROUNDS = 5, N = 32 };
	struct port *ports[N_PORTS], *vx;
	struct model md = {0};
	struct dp *dp = make_dp(ports, &md);
	struct dp_pmd *pmd = dp_pmd_get(dp, 0);
	static const struct port_opt opts[] = {{"remote_ip", "10.9.0.1"}, {"key", "flow"}};
	struct tnl_model t = {.u = md.no[0], .out = {md.no[1], md.no[2]}};
	struct expect exp[ROUNDS * N];
	bool seen[ROUNDS * N] = {false};
	uint64_t simple = 0;
	uint32_t id = 0;

	(void)state;
	assert_int_equal(port_open("vxlan", "vx", opts, 2, mp, &vx, NULL), 0);
	assert_int_equal(dp_port_add(dp, vx, &t.vx), 0);
	dp_set_upcall(dp, tnl_upcall, &t);
	for (int round = 0; round < ROUNDS; round++) {
		struct rte_mbuf *pkts[N];
		struct dp_stats s;

		if (round == 2) {
			/* The tables now read the tunnel id. */
			t.by_vni = true;
			dp_flow_flush(dp);
		}
		for (int i = 0; i < N; i++, id++) {
			uint32_t vni = i % 2 ? 200 : 0;

			pkts[i] = vxlan_frame(vni, id);
			exp[id] = (struct expect){.port = t.by_vni && vni ? 2 : 1, .tos = -1};
		}
		dp_pmd_process(pmd, t.u, pkts, N);
		assert_int_equal(check_outputs(ports, exp, id, seen), N);
		dp_get_stats(dp, &s);
		switch (round) {
		case 0: /* the first inner frame installs a simple megaflow */
			assert_int_equal(s.simple_hits, 0);
			break;
		case 1: /* which serves the next batch's inner frames whole */
			assert_int_equal(s.simple_hits, N);
			break;
		default: /* megaflows that match tun_id keep the port off it */
			assert_int_equal(s.simple_hits, N);
			break;
		}
		simple = s.simple_hits;
	}
	assert_int_equal(simple, N);
	dp_destroy(dp); /* closes its ports */
	assert_int_equal(rte_mempool_in_use_count(mp), 0);
}

/* Fixed-key tunnel ports: the underlay's megaflow pops VNI 100 onto 'vx[0]'
 * and VNI 200 onto 'vx[1]' ((key, port) pairs, no key=flow port, so any
 * other VNI is dropped); each tunnel port's megaflow outputs to its own
 * port. */
struct pair_model {
	uint32_t u, vx[2], out[2];
};

static int
pair_upcall(void *aux, const struct flow_key *key, const struct rte_mbuf *pkt,
	    struct dp_upcall_result *res)
{
	const struct pair_model *t = aux;
	struct dp_action *a = res->actions;
	const struct dp_action_tnl_pair kp[2] = {{100, t->vx[0]}, {200, t->vx[1]}};

	(void)pkt;
	memset(&res->mask, 0, sizeof res->mask);
	res->mask.in_port = UINT32_MAX;
	if (key->in_port == t->u) {
		res->mask.eth_type = 0xffff;
		res->mask.nw_proto = 0xff;
		res->mask.tp_dst = 0xffff;
		a[0] = (struct dp_action){.type = DP_ACTION_TNL_POP, .port = UINT32_MAX};
		a[0].tnl.type = DP_TNL_VXLAN;
		a[0].tnl.key = 2;
		a[0].tnl.n_data = 1;
		a[1] = (struct dp_action){.type = DP_ACTION_DATA};
		memcpy(a[1].data, kp, sizeof kp);
		res->n_actions = 2;
		return 0;
	}
	a[0] = (struct dp_action){.type = DP_ACTION_OUTPUT,
				  .port = t->out[key->in_port == t->vx[0] ? 0 : 1]};
	res->n_actions = 1;
	return 0;
}

/* A batch whose frames go to one tunnel port is handed on whole; one
 * that mixes VNIs is split by port in arrival order, and a VNI no port
 * takes is dropped with its reason. */
static void
test_tunnel_ports_by_key(void **state)
{
	enum { N = 30 };
	static const uint32_t vnis[3] = {100, 200, 300};
	struct port *ports[N_PORTS], *vx[2];
	struct model md = {0};
	struct dp *dp = make_dp(ports, &md);
	struct dp_pmd *pmd = dp_pmd_get(dp, 0);
	static const struct port_opt opts[2][2] = {{{"remote_ip", "10.9.0.1"}, {"key", "100"}},
						   {{"remote_ip", "10.9.0.1"}, {"key", "200"}}};
	struct pair_model t = {.u = md.no[0], .out = {md.no[1], md.no[2]}};
	struct expect exp[2 * N];
	bool seen[2 * N] = {false};
	struct rte_mbuf *pkts[N];
	struct dp_stats s;
	uint32_t id = 0;

	(void)state;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(
			port_open("vxlan", i ? "vxb" : "vxa", opts[i], 2, mp, &vx[i], NULL), 0);
		assert_int_equal(dp_port_add(dp, vx[i], &t.vx[i]), 0);
	}
	dp_set_upcall(dp, pair_upcall, &t);
	/* One VNI: the whole batch to one port. */
	for (int i = 0; i < N; i++, id++) {
		pkts[i] = vxlan_frame(200, id);
		exp[id] = (struct expect){.port = 2, .tos = -1};
	}
	dp_pmd_process(pmd, t.u, pkts, N);
	assert_int_equal(check_outputs(ports, exp, id, seen), N);
	/* Three, interleaved. */
	for (int i = 0; i < N; i++, id++) {
		pkts[i] = vxlan_frame(vnis[i % 3], id);
		exp[id] = (struct expect){.port = i % 3 == 2 ? -1 : 1 + i % 3, .tos = -1};
	}
	dp_pmd_process(pmd, t.u, pkts, N);
	assert_int_equal(check_outputs(ports, exp, id, seen), 2 * N / 3);
	dp_get_stats(dp, &s);
	assert_int_equal(s.drops[DP_DROP_TNL_KEY], N / 3);
	for (int i = 0; i < 2; i++) {
		struct port_stats ps;

		assert_int_equal(port_get_stats(vx[i], &ps), 0);
		assert_int_equal(ps.rx_packets, i ? N + N / 3 : N / 3);
	}
	dp_destroy(dp);
	assert_int_equal(rte_mempool_in_use_count(mp), 0);
}

/* Inner megaflows on the tunnel fields: the id and the outer source
 * (tun_src, or tun_ipv6_src) pick the port, 1 for VNI 0 from remote a
 * and VNI 200 from remote b, else 2. */
static int
tun_fields_upcall(void *aux, const struct flow_key *key, const struct rte_mbuf *pkt,
		  struct dp_upcall_result *res)
{
	const struct tnl_model *t = aux;
	bool b = key->tun_src == htonl(0x0a090003) || key->tun_ipv6_src[15] == 3;

	if (key->in_port == t->u) {
		return tnl_upcall(aux, key, pkt, res);
	}
	memset(&res->mask, 0, sizeof res->mask);
	res->mask.in_port = UINT32_MAX;
	res->mask.tun_id = UINT64_MAX;
	res->mask.tun_src = UINT32_MAX;
	memset(res->mask.tun_ipv6_src, 0xff, 16);
	res->actions[0] = (struct dp_action){.type = DP_ACTION_OUTPUT,
					     .port = t->out[(key->tun_id != 0) != b ? 1 : 0]};
	res->n_actions = 1;
	return 0;
}

/* One inner frame, 'id' in its last four bytes (no key reads them), in
 * the tunnel header of 'tp'. */
static struct rte_mbuf *
tunnel_frame(const struct dp_tnl_params *tp, uint32_t id)
{
	struct pktgen_spec s = pktgen_udp4(0x0a000001, dsts[0], 1000, 53);
	uint8_t hdr[DP_TNL_HDR_MAX], buf[128];
	uint16_t ip_id = 0, hlen = dp_tnl_header_build(tp, hdr);
	size_t len;
	struct rte_mbuf *m;

	s.payload_len = 8;
	len = pktgen_build(&s, buf, sizeof buf);
	memcpy(buf + len - 4, &id, 4);
	m = test_mbuf(mp, buf, len);
	assert_non_null(m);
	assert_int_equal(dp_tnl_push(m, hdr, hlen, 0, 0, &ip_id), DP_TNL_OK);
	return m;
}

/* tunnel_frame() in VXLAN of VNI 'vni' from remote a (10.9.0.1 or
 * 2001:db8::1) or b (.3, ::3), over IPv4 or IPv6. */
static struct rte_mbuf *
tunnel_run_frame(bool v6, uint32_t vni, bool b, uint32_t id)
{
	struct dp_tnl_params tp = vxlan_params(vni);

	if (v6) {
		inet_pton(AF_INET6, "2001:db8::1", &tp.ip_src);
		inet_pton(AF_INET6, "2001:db8::2", &tp.ip_dst);
	}
	tp.ip_src.s6_addr[15] = b ? 3 : 1;
	return tunnel_frame(&tp, id);
}

/* The id in the last four bytes of frame 'm'. */
static uint32_t
frame_id(struct rte_mbuf *m)
{
	uint32_t i;

	memcpy(&i, rte_pktmbuf_mtod(m, uint8_t *) + rte_pktmbuf_data_len(m) - 4, 4);
	return i;
}

/* Takes what the ports got of 'n' frames of ids 0 to n - 1: frame i must
 * be at port want[i], and each flow's frames (flow[i]) in order ('last':
 * the last id seen of each flow, -1 at first). Returns how many arrived. */
static unsigned int
collect_ordered(struct port **ports, uint32_t n, const int *want, const int *flow, int *last)
{
	unsigned int total = 0;

	for (int p = 0; p < N_PORTS; p++) {
		struct rte_mbuf *got[64];
		uint16_t k = port_mem_collect(ports[p], got, 64);

		for (uint16_t j = 0; j < k; j++) {
			uint32_t i = frame_id(got[j]);

			assert_true(i < n);
			assert_int_equal(want[i], p);
			assert_true((int)i > last[flow[i]]);
			last[flow[i]] = (int)i;
		}
		total += k;
		rte_pktmbuf_free_bulk(got, k);
	}
	return total;
}

/* A decapsulated frame like the one before it takes its megaflow only
 * when it came out of the same tunnel: runs of one inner frame in other
 * VNIs and from other remotes, over IPv4 and IPv6, each reach the port
 * their tunnel fields pick, in order, batch after batch. */
static void
test_tunnel_runs(void **state)
{
	enum { N = 32, ROUNDS = 3 };
	static const struct port_opt opts[] = {{"remote_ip", "flow"}, {"key", "flow"}};

	(void)state;
	for (int v6 = 0; v6 <= 1; v6++) {
		struct port *ports[N_PORTS], *vx;
		struct model md = {0};
		struct dp *dp = make_dp(ports, &md);
		struct tnl_model t = {.u = md.no[0], .out = {md.no[1], md.no[2]}};
		assert_int_equal(port_open("vxlan", "vx", opts, 2, mp, &vx, NULL), 0);
		assert_int_equal(dp_port_add(dp, vx, &t.vx), 0);
		dp_set_upcall(dp, tun_fields_upcall, &t);
		for (int round = 0; round < ROUNDS; round++) {
			struct rte_mbuf *pkts[N];
			int want[N], tunnel[N], last[4] = {-1, -1, -1, -1};

			for (int i = 0; i < N; i++) {
				/* Runs of six: VNI 0 then 200 from a, 200 then 0
				 * from b (each next to one that differs in one
				 * field only); one of each again, then a's 0. */
				int r = i < 24 ? i / 6 : i < 28 ? i - 24 : 0;
				uint32_t vni = r == 1 || r == 2 ? 200 : 0;
				bool b = r >= 2;

				tunnel[i] = r;
				want[i] = (vni != 0) != b ? 2 : 1;
				pkts[i] = tunnel_run_frame(v6, vni, b, (uint32_t)i);
			}
			dp_pmd_process(dp_pmd_get(dp, 0), t.u, pkts, N);
			/* Each at its port, each tunnel's in order. */
			assert_int_equal(collect_ordered(ports, N, want, tunnel, last), N);
		}
		dp_destroy(dp);
		assert_int_equal(rte_mempool_in_use_count(mp), 0);
	}
}

/* Geneve, with the inner megaflows on an option (tun_metadata0, as OVN
 * maps its class 0x0102): port 2 when it is there with an odd last byte,
 * else port 1. */
static const struct dp_tnl_optmap opt_map = {1, {{0x0102, 0x80, 4, 0, 0}}};

static int
tun_opt_upcall(void *aux, const struct flow_key *key, const struct rte_mbuf *pkt,
	       struct dp_upcall_result *res)
{
	const struct tnl_model *t = aux;

	if (key->in_port == t->u) {
		int ret = tnl_upcall(aux, key, pkt, res);

		res->actions[0].tnl.type = DP_TNL_GENEVE;
		return ret;
	}
	memset(&res->mask, 0, sizeof res->mask);
	res->mask.in_port = UINT32_MAX;
	res->mask.tun_md_present = UINT16_MAX;
	memset(res->mask.tun_md, 0xff, 4);
	res->actions[0] = (struct dp_action){
		.type = DP_ACTION_OUTPUT,
		.port = t->out[(key->tun_md_present & 1) && (key->tun_md[3] & 1) ? 1 : 0]};
	res->n_actions = 1;
	return 0;
}

/* tunnel_frame() in Geneve of VNI 'vni' with the option of 'map'
 * (opt_map's, or one like it) of value 'v' (none when 'v' is 0). */
static struct rte_mbuf *
geneve_frame(uint32_t vni, const struct dp_tnl_optmap *map, uint32_t v, uint32_t id)
{
	struct dp_tnl_params tp = vxlan_params(vni);
	uint8_t md[DP_TNL_OPT_SPACE] = {0};

	tp.type = DP_TNL_GENEVE;
	tp.udp_dst = htons(6081);
	if (v) {
		uint32_t nv = htonl(v);

		memcpy(md, &nv, 4);
		tp.opt_len = (uint8_t)dp_tnl_opts_put(map, 0x1, md, tp.opts, &tp.crit);
		assert_int_equal(tp.opt_len, 8);
	}
	return tunnel_frame(&tp, id);
}

/* Decapsulated frames with Geneve options take runs only with the same
 * option bytes: runs of one inner frame whose options differ in one byte
 * (or are missing) from the run before each reach the port the option
 * picks, each flow's in order, batch after batch. */
static void
test_tunnel_option_runs(void **state)
{
	enum { N = 32, ROUNDS = 3 };
	/* Runs: value 0x10, 0x11, none, 0x11, 0x10, 0x11 (port 1, 2, 1, 2,
	 * 1, 2), then ones alternating. */
	static const uint32_t run_v[6] = {0x10, 0x11, 0, 0x11, 0x10, 0x11};
	static const struct port_opt opts[] = {{"remote_ip", "10.9.0.1"}, {"key", "100"}};
	struct port *ports[N_PORTS], *gv;
	struct model md = {0};
	struct dp *dp = make_dp(ports, &md);
	struct tnl_model t = {.u = md.no[0], .out = {md.no[1], md.no[2]}};

	(void)state;
	assert_int_equal(port_open("geneve", "gv", opts, 2, mp, &gv, NULL), 0);
	assert_int_equal(dp_port_add(dp, gv, &t.vx), 0);
	assert_int_equal(dp_port_set_optmap(dp, t.vx, &opt_map), 0);
	dp_set_upcall(dp, tun_opt_upcall, &t);
	for (int round = 0; round < ROUNDS; round++) {
		struct rte_mbuf *pkts[N];
		int want[N], flow[N], last[3] = {-1, -1, -1};

		for (int i = 0; i < N; i++) {
			uint32_t v = i < 30 ? run_v[i / 5] : 0x10 + (uint32_t)(i & 1);

			want[i] = v & 1 ? 2 : 1;
			flow[i] = v ? 1 + (int)(v & 1) : 0;
			pkts[i] = geneve_frame(100, &opt_map, v, (uint32_t)i);
		}
		dp_pmd_process(dp_pmd_get(dp, 0), t.u, pkts, N);
		assert_int_equal(collect_ordered(ports, N, want, flow, last), N);
	}
	dp_destroy(dp);
	assert_int_equal(rte_mempool_in_use_count(mp), 0);
}

static int
pair_geneve_upcall(void *aux, const struct flow_key *key, const struct rte_mbuf *pkt,
		   struct dp_upcall_result *res)
{
	int ret = pair_upcall(aux, key, pkt, res);

	if (res->actions[0].type == DP_ACTION_TNL_POP) {
		res->actions[0].tnl.type = DP_TNL_GENEVE;
	}
	return ret;
}

/* A critical option that the packet's tunnel port does not map refuses
 * it, even right after a packet that passed: with the same bytes for a
 * port without the map (VNI 200), or one byte apart (an unknown type)
 * for the port that has it (VNI 100). */
static void
test_tunnel_critical_options(void **state)
{
	enum { N = 30 };
	static const struct port_opt opts[2][2] = {{{"remote_ip", "10.9.0.1"}, {"key", "100"}},
						   {{"remote_ip", "10.9.0.1"}, {"key", "200"}}};
	static const struct dp_tnl_optmap unknown = {1, {{0x0102, 0x81, 4, 0, 0}}};
	struct port *ports[N_PORTS], *gv[2];
	struct model md = {0};
	struct dp *dp = make_dp(ports, &md);
	struct pair_model t = {.u = md.no[0], .out = {md.no[1], md.no[2]}};
	struct rte_mbuf *pkts[N], *got[64];
	struct dp_stats s;
	uint16_t k;

	(void)state;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(
			port_open("geneve", i ? "gvb" : "gva", opts[i], 2, mp, &gv[i], NULL), 0);
		assert_int_equal(dp_port_add(dp, gv[i], &t.vx[i]), 0);
	}
	assert_int_equal(dp_port_set_optmap(dp, t.vx[0], &opt_map), 0);
	dp_set_upcall(dp, pair_geneve_upcall, &t);
	/* Known at VNI 100; the same bytes at VNI 200; known at 100; an
	 * unknown type at 100; known at 100. */
	for (int i = 0; i < N; i++) {
		int r = i % 5;

		pkts[i] = geneve_frame(r == 1 ? 200 : 100, r == 3 ? &unknown : &opt_map, 0x10,
				       (uint32_t)i);
	}
	dp_pmd_process(dp_pmd_get(dp, 0), t.u, pkts, N);
	k = port_mem_collect(ports[1], got, 64);
	assert_int_equal(k, N / 5 * 3);
	for (uint16_t j = 0; j < k; j++) {
		uint32_t i = frame_id(got[j]);

		assert_true(i % 5 == 0 || i % 5 == 2 || i % 5 == 4);
	}
	rte_pktmbuf_free_bulk(got, k);
	assert_int_equal(port_mem_collect(ports[2], got, 64), 0);
	dp_get_stats(dp, &s);
	assert_int_equal(s.drops[DP_DROP_TNL_OPT], N / 5 * 2);
	dp_destroy(dp);
	assert_int_equal(rte_mempool_in_use_count(mp), 0);
}

/* An encapsulation on a megaflow that needs only in_port. */
struct push_model {
	uint32_t out;
	uint8_t hdr[DP_TNL_HDR_MAX];
	uint16_t hlen;
};

static int
push_upcall(void *aux, const struct flow_key *key, const struct rte_mbuf *pkt,
	    struct dp_upcall_result *res)
{
	const struct push_model *pm = aux;
	struct dp_action *a = res->actions;
	const uint8_t n_data = (uint8_t)((pm->hlen + DP_ACTION_DATA_LEN - 1) / DP_ACTION_DATA_LEN);

	(void)key;
	(void)pkt;
	memset(&res->mask, 0, sizeof res->mask);
	res->mask.in_port = UINT32_MAX;
	a[0] = (struct dp_action){.type = DP_ACTION_TNL_PUSH, .mask = pm->hlen};
	a[0].tnl.port = UINT32_MAX;
	a[0].tnl.mtu = 1500;
	a[0].tnl.n_data = n_data;
	for (uint8_t i = 0; i < n_data; i++) {
		a[1 + i] = (struct dp_action){.type = DP_ACTION_DATA};
		memcpy(a[1 + i].data, pm->hdr + i * DP_ACTION_DATA_LEN,
		       VS_MIN(DP_ACTION_DATA_LEN, pm->hlen - i * DP_ACTION_DATA_LEN));
	}
	a[1 + n_data] = (struct dp_action){.type = DP_ACTION_OUTPUT, .port = pm->out};
	res->n_actions = 2u + n_data;
	return 0;
}

/* Collects what reached 'p': the outer UDP source port by the inner
 * frame's id (its IPv4 source), checking the outer header and that the
 * inner frame is whole behind it. Returns how many arrived. */
static unsigned int
collect_pushed(struct port *p, const struct push_model *pm, uint16_t *sport, unsigned int n_ids)
{
	struct rte_mbuf *pkts[64];
	unsigned int total = 0;
	uint16_t n;

	while ((n = port_mem_collect(p, pkts, 64)) > 0) {
		for (uint16_t i = 0; i < n; i++) {
			const uint8_t *o = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
			struct flow_key k;
			uint32_t id;

			assert_true(rte_pktmbuf_data_len(pkts[i]) > pm->hlen);
			assert_memory_equal(o, pm->hdr, 14); /* the MACs and EtherType */
			assert_int_equal(o[14 + 9], IPPROTO_UDP);
			assert_memory_equal(o + 14 + 12, pm->hdr + 14 + 12, 8); /* the addresses */
			assert_int_equal(o[14 + 20 + 2] << 8 | o[14 + 20 + 3], 4789);
			flow_key_extract(o + pm->hlen, rte_pktmbuf_data_len(pkts[i]) - pm->hlen, 0,
					 &k, NULL);
			id = ntohl(k.nw_src.ipv4);
			assert_true(id < n_ids);
			assert_int_equal(ntohs(k.tp_src), 1000 + id);
			sport[id] = (uint16_t)(o[14 + 20] << 8 | o[14 + 20 + 1]);
			total++;
		}
		rte_pktmbuf_free_bulk(pkts, n);
	}
	return total;
}

/* A megaflow that encapsulates needs only the L2 header of the inner
 * frame: the rule-only path serves it, and the outer UDP source port it
 * gives each flow is the one the whole pipeline gave (the hash finds the
 * inner ports from the L2 length), different flows spread over ports. */
static void
test_encap_simple(void **state)
{
	enum { N = 32 };
	struct port *ports[N_PORTS];
	struct model md = {0};
	struct dp *dp = make_dp(ports, &md);
	struct dp_pmd *pmd = dp_pmd_get(dp, 0);
	const struct dp_tnl_params tp = vxlan_params(100);
	struct push_model pm = {.out = md.no[2]};
	uint16_t full[N], simple[N];
	unsigned int distinct = 0;
	struct dp_stats s0, s1;

	(void)state;
	pm.hlen = dp_tnl_header_build(&tp, pm.hdr);
	dp_set_upcall(dp, push_upcall, &pm);
	for (int round = 0; round < 2; round++) {
		struct rte_mbuf *pkts[N];

		for (uint32_t id = 0; id < N; id++) {
			struct pktgen_spec sp = pktgen_udp4(id, dsts[0], (uint16_t)(1000 + id), 53);
			uint8_t buf[128];
			size_t len = pktgen_build(&sp, buf, sizeof buf);

			pkts[id] = test_mbuf(mp, buf, len);
			assert_non_null(pkts[id]);
		}
		dp_get_stats(dp, &s0);
		dp_pmd_process(pmd, md.no[0], pkts, N);
		dp_get_stats(dp, &s1);
		/* The first batch meets a miss: the whole pipeline for all of
		 * it; the second the rule-only path, every frame. */
		assert_int_equal(s1.simple_hits - s0.simple_hits, round ? N : 0);
		assert_int_equal(collect_pushed(ports[2], &pm, round ? simple : full, N), N);
	}
	for (int i = 0; i < N; i++) {
		bool seen_before = false;

		assert_int_equal(simple[i], full[i]);
		assert_true(simple[i] >= DP_TNL_UDP_SPORT_MIN);
		for (int j = 0; j < i; j++) {
			seen_before |= simple[j] == simple[i];
		}
		distinct += !seen_before;
	}
	assert_true(distinct > N / 2);
	dp_destroy(dp);
	assert_int_equal(rte_mempool_in_use_count(mp), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_switch_over),
		cmocka_unit_test(test_l3_actions_not_simple),
		cmocka_unit_test(test_switch_over_property),
		cmocka_unit_test(test_tunnel_port),
		cmocka_unit_test(test_tunnel_ports_by_key),
		cmocka_unit_test(test_tunnel_runs),
		cmocka_unit_test(test_tunnel_option_runs),
		cmocka_unit_test(test_tunnel_critical_options),
		cmocka_unit_test(test_encap_simple),
	};

	mp = test_eal_init("0");
	int ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return ret;
}
