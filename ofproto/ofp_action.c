/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenFlow actions and instructions (ofp_action.h): copies, comparison, and
 * the ovs-ofctl text form.
 */
#include "ofp_action.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ofp_nx.h"

void
ofp_insts_init(struct ofp_insts *in)
{
	memset(in, 0, sizeof *in);
	in->goto_table = -1;
}

void
ofp_insts_destroy(struct ofp_insts *in)
{
	if (in) {
		free(in->apply);
		free(in->write);
		ofp_insts_init(in);
	}
}

/* A copy of the list 'a' of 'n' actions in '*out' (NULL when empty: a
 * million rules that drop would otherwise hold two empty blocks each).
 * Returns false when out of memory. */
static bool
dup_list(const struct ofpact *a, uint32_t n, struct ofpact **out)
{
	*out = n ? malloc(n * sizeof **out) : NULL;
	if (n && *out) {
		memcpy(*out, a, n * sizeof **out);
	}
	return !n || *out;
}

int
ofp_insts_clone(struct ofp_insts *dst, const struct ofp_insts *src)
{
	*dst = *src;
	bool ok_apply = dup_list(src->apply, src->n_apply, &dst->apply);
	bool ok_write = dup_list(src->write, src->n_write, &dst->write);

	if (!ok_apply || !ok_write) {
		ofp_insts_destroy(dst);
		return -ENOMEM;
	}
	return 0;
}

/* Compares what a value means for field 'id', not the bytes of the union
 * beyond it (parsers leave those differently). */
static bool
value_equal(enum mf_id id, const union mf_value *a, const union mf_value *b)
{
	const struct mf_field *f = mf_from_id(id);

	if (f && mf_is_bytes(f)) {
		return !memcmp(a->b, b->b, f->size);
	}
	return a->u == b->u;
}

static bool
ofpact_equal(const struct ofpact *a, const struct ofpact *b)
{
	if (a->type != b->type) {
		return false;
	}
	switch (a->type) {
	case OFPACT_OUTPUT:
		return a->port == b->port &&
		       (a->port != OFPP_CONTROLLER || a->max_len == b->max_len);
	case OFPACT_GROUP:
		return a->port == b->port;
	case OFPACT_RESUBMIT:
		return a->port == b->port && a->table == b->table;
	case OFPACT_SET_QUEUE:
		return a->port == b->port;
	case OFPACT_MOVE:
	case OFPACT_LOAD:
		return a->field == b->field && a->dst_ofs == b->dst_ofs && a->n_bits == b->n_bits &&
		       (a->type == OFPACT_MOVE
				? a->src_field == b->src_field && a->src_ofs == b->src_ofs
				: a->value.u == b->value.u);
	case OFPACT_PUSH_VLAN:
	case OFPACT_PUSH_MPLS:
	case OFPACT_POP_MPLS:
	case OFPACT_PUSH_PBB:
		return a->ethertype == b->ethertype;
	case OFPACT_POP_VLAN:
	case OFPACT_DEC_TTL:
	case OFPACT_DEC_MPLS_TTL:
	case OFPACT_POP_PBB:
	case OFPACT_COPY_TTL_OUT:
	case OFPACT_COPY_TTL_IN:
		return true;
	case OFPACT_MOD_VLAN_VID:
	case OFPACT_MOD_VLAN_PCP:
	case OFPACT_SET_NW_TTL:
	case OFPACT_SET_MPLS_TTL:
		return a->value.u == b->value.u;
	case OFPACT_SET_FIELD:
		return a->field == b->field && value_equal(a->field, &a->value, &b->value) &&
		       value_equal(a->field, &a->mask, &b->mask);
	}
	return false;
}

static bool
list_equal(const struct ofpact *a, uint32_t na, const struct ofpact *b, uint32_t nb)
{
	if (na != nb) {
		return false;
	}
	for (uint32_t i = 0; i < na; i++) {
		if (!ofpact_equal(&a[i], &b[i])) {
			return false;
		}
	}
	return true;
}

bool
ofp_insts_equal(const struct ofp_insts *a, const struct ofp_insts *b)
{
	return list_equal(a->apply, a->n_apply, b->apply, b->n_apply) &&
	       a->clear_actions == b->clear_actions && a->has_write == b->has_write &&
	       list_equal(a->write, a->n_write, b->write, b->n_write) &&
	       a->has_meta == b->has_meta && a->metadata == b->metadata &&
	       a->metadata_mask == b->metadata_mask && a->goto_table == b->goto_table &&
	       a->meter_id == b->meter_id;
}

static bool
list_uses_group(const struct ofpact *a, uint32_t n, uint32_t group_id)
{
	for (uint32_t i = 0; i < n; i++) {
		if (a[i].type == OFPACT_GROUP && (group_id == OFPG_ANY || a[i].port == group_id)) {
			return true;
		}
	}
	return false;
}

bool
ofp_insts_uses_group(const struct ofp_insts *in, uint32_t group_id)
{
	return group_id == OFPG_ANY || list_uses_group(in->apply, in->n_apply, group_id) ||
	       list_uses_group(in->write, in->n_write, group_id);
}

bool
ofp_insts_output_to(const struct ofp_insts *in, uint32_t port)
{
	if (port == OFPP_ANY) {
		return true;
	}
	for (uint32_t i = 0; i < in->n_apply; i++) {
		if (in->apply[i].type == OFPACT_OUTPUT && in->apply[i].port == port) {
			return true;
		}
	}
	for (uint32_t i = 0; i < in->n_write; i++) {
		if (in->write[i].type == OFPACT_OUTPUT && in->write[i].port == port) {
			return true;
		}
	}
	return false;
}

/* ---- Parsing ---- */

struct list {
	struct ofpact a[OFPACT_MAX];
	uint32_t n;
};

static int fail(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, OFP_ERR_MAX, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A generic transport port rewrite (mod_tp_src, mod_tp_dst, OpenFlow 1.0's
 * SET_TP_SRC/DST) made the port field of the protocol 'm' names. */
static int
resolve_l4(struct ofpact *a, uint32_t n, const struct match *m, char *err)
{
	union mf_value proto, proto_mask;

	mf_get(mf_from_id(MFF_IP_PROTO), &m->key, NULL, &proto);
	mf_get(mf_from_id(MFF_IP_PROTO), &m->mask, NULL, &proto_mask);
	for (uint32_t i = 0; i < n; i++) {
		bool src = a[i].field == MFF_TP_SRC;

		if (a[i].type != OFPACT_SET_FIELD || (!src && a[i].field != MFF_TP_DST)) {
			continue;
		}
		if (proto_mask.u == 0xff && proto.u == 6) {
			a[i].field = src ? MFF_TCP_SRC : MFF_TCP_DST;
		} else if (proto_mask.u == 0xff && proto.u == 17) {
			a[i].field = src ? MFF_UDP_SRC : MFF_UDP_DST;
		} else if (proto_mask.u == 0xff && proto.u == 132) {
			a[i].field = src ? MFF_SCTP_SRC : MFF_SCTP_DST;
		} else {
			return fail(err, "mod_tp_%s needs tcp, udp or sctp in the match",
				    src ? "src" : "dst");
		}
	}
	return 0;
}

int
ofp_insts_resolve_l4(struct ofp_insts *in, const struct match *m, char *err)
{
	return resolve_l4(in->apply, in->n_apply, m, err)
		       ?: resolve_l4(in->write, in->n_write, m, err);
}

static int
add(struct list *l, const struct ofpact *a, char *err)
{
	if (l->n == OFPACT_MAX) {
		return fail(err, "more than %s actions", "128");
	}
	l->a[l->n++] = *a;
	return 0;
}

static int
parse_uint(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	if (!s || !*s || *s == '-') {
		return -EINVAL;
	}
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || *end || *v > max ? -EINVAL : 0;
}

static int
parse_output(const char *arg, const struct ofp_port_names *names, struct ofpact *a, char *err)
{
	int ret = ofp_port_parse(arg, names, &a->port, err);

	if (ret) {
		return ret;
	}
	if (a->port == 0 || (a->port >= OFPP_MAX && a->port < OFPP_IN_PORT) ||
	    a->port == OFPP_ANY || a->port == OFPP_TABLE) {
		return fail(err, "output:%s: not a port a flow can output to", arg);
	}
	a->type = OFPACT_OUTPUT;
	a->max_len = a->port == OFPP_CONTROLLER ? UINT16_MAX : 0;
	return 0;
}

/* "controller", "controller:N", "controller(max_len=N)". */
static int
parse_controller(const char *arg, struct ofpact *a, char *err)
{
	uint64_t len = UINT16_MAX;

	if (arg && !strncmp(arg, "max_len=", 8)) {
		arg += 8;
	}
	if (arg && parse_uint(arg, UINT16_MAX, &len)) {
		return fail(err, "controller:%s: expected a maximum length 0-65535", arg);
	}
	a->type = OFPACT_OUTPUT;
	a->port = OFPP_CONTROLLER;
	a->max_len = (uint16_t)len;
	return 0;
}

static int
parse_set_field(const char *arg, struct ofpact *a, char *err)
{
	char buf[160];
	char *arrow;
	const struct mf_field *f;
	bool has_mask;
	int ret;

	if (!arg || snprintf(buf, sizeof buf, "%s", arg) >= (int)sizeof buf ||
	    !(arrow = strstr(buf, "->"))) {
		return fail(err, "set_field:%s: expected VALUE[/MASK]->FIELD", arg ? arg : "");
	}
	*arrow = '\0';
	f = mf_from_name(arrow + 2);
	if (!f) {
		return fail(err, "set_field: unknown field %s", arrow + 2);
	}
	if (!f->settable) {
		return fail(err, "set_field: %s cannot be set (the datapath cannot rewrite it)",
			    f->name);
	}
	if (mf_unmapped(f)) {
		return fail(err, "set_field: %s: no Geneve option is mapped to it (add-tlv-map)",
			    f->name);
	}
	ret = mf_parse_value(f, buf, &a->value, &a->mask, &has_mask, err);
	if (ret) {
		return ret;
	}
	if (has_mask) {
		/* Only the bits under the mask are written. */
		for (size_t i = 0; i < sizeof a->value.b; i++) {
			a->value.b[i] &= a->mask.b[i];
		}
	}
	if (f->id == MFF_VLAN_VID || f->id == MFF_DL_VLAN) {
		/* With or without OFPVID_PRESENT: the VID is what is set. */
		if (a->value.u > 0x1fff) {
			return fail(err, "set_field:%s: a VLAN id is 0-4095", buf);
		}
		a->value.u &= FLOW_VLAN_VID_MASK;
		a->mask.u = FLOW_VLAN_VID_MASK;
		f = mf_from_id(MFF_DL_VLAN);
	}
	a->type = OFPACT_SET_FIELD;
	a->field = f->id;
	return 0;
}

/* mod_xxx:V is set_field:V->field. */
static int
parse_mod(enum mf_id id, const char *arg, struct ofpact *a, char *err)
{
	const struct mf_field *f = mf_from_id(id);
	bool has_mask;
	int ret;

	if (!arg) {
		return fail(err, "mod_%s needs a value", f->name);
	}
	ret = mf_parse_value(f, arg, &a->value, &a->mask, &has_mask, err);
	if (ret) {
		return ret;
	}
	if (has_mask) {
		return fail(err, "%s: a mod action takes no mask", arg);
	}
	a->type = OFPACT_SET_FIELD;
	a->field = id;
	return 0;
}

static const struct {
	const char *name;
	enum mf_id field;
} mods[] = {
	{"mod_dl_src", MFF_ETH_SRC},  {"mod_dl_dst", MFF_ETH_DST}, {"mod_nw_src", MFF_IPV4_SRC},
	{"mod_nw_dst", MFF_IPV4_DST}, {"mod_nw_tos", MFF_NW_TOS},  {"mod_nw_ecn", MFF_IP_ECN},
	{"mod_nw_ttl", MFF_NW_TTL},   {"mod_tp_src", MFF_TP_SRC},  {"mod_tp_dst", MFF_TP_DST},
};

static int
parse_vlan_action(const char *name, const char *arg, struct ofpact *a, char *err)
{
	uint64_t v;

	if (!strcmp(name, "mod_vlan_vid")) {
		if (parse_uint(arg, 0xffff, &v) || v > FLOW_VLAN_VID_MASK) {
			return fail(err, "mod_vlan_vid:%s: a VLAN id is 0-4095", arg ? arg : "");
		}
		a->type = OFPACT_MOD_VLAN_VID;
	} else if (!strcmp(name, "mod_vlan_pcp")) {
		if (parse_uint(arg, 7, &v)) {
			return fail(err, "mod_vlan_pcp:%s: a priority is 0-7", arg ? arg : "");
		}
		a->type = OFPACT_MOD_VLAN_PCP;
	} else if (!strcmp(name, "push_vlan")) {
		if (parse_uint(arg, 0xffff, &v) || (v != 0x8100 && v != 0x88a8)) {
			return fail(err, "push_vlan:%s: the ethertype is 0x8100 or 0x88a8",
				    arg ? arg : "");
		}
		a->type = OFPACT_PUSH_VLAN;
		a->ethertype = (uint16_t)v;
		return 0;
	} else if (!strcmp(name, "strip_vlan") || !strcmp(name, "pop_vlan")) {
		if (arg) {
			return fail(err, "%s takes no argument", name);
		}
		a->type = OFPACT_POP_VLAN;
		return 0;
	} else {
		return -ENOENT;
	}
	a->value.u = v;
	return 0;
}

/* MPLS, PBB and TTL actions. */
static int
parse_tag_action(const char *name, const char *arg, struct ofpact *a, char *err)
{
	static const struct {
		const char *name;
		enum ofpact_type type;
		int arg; /* 0: none, 1: an ethertype, 2: a TTL */
	} acts[] = {
		{"push_mpls", OFPACT_PUSH_MPLS, 1},       {"pop_mpls", OFPACT_POP_MPLS, 1},
		{"set_mpls_ttl", OFPACT_SET_MPLS_TTL, 2}, {"dec_mpls_ttl", OFPACT_DEC_MPLS_TTL, 0},
		{"push_pbb", OFPACT_PUSH_PBB, 1},         {"pop_pbb", OFPACT_POP_PBB, 0},
		{"set_nw_ttl", OFPACT_SET_NW_TTL, 2},     {"copy_ttl_out", OFPACT_COPY_TTL_OUT, 0},
		{"copy_ttl_in", OFPACT_COPY_TTL_IN, 0},
	};
	uint64_t v = 0;

	for (size_t i = 0; i < ARRAY_SIZE(acts); i++) {
		if (strcmp(name, acts[i].name)) {
			continue;
		}
		if (!acts[i].arg && arg) {
			return fail(err, "%s takes no argument", name);
		}
		if (acts[i].arg && parse_uint(arg, acts[i].arg == 1 ? 0xffff : 0xff, &v)) {
			return fail(err, "%s:%s: %s", name, arg ? arg : "",
				    acts[i].arg == 1 ? "an ethertype is 0-0xffff"
						     : "a TTL is 0-255");
		}
		if ((acts[i].type == OFPACT_PUSH_MPLS && v != 0x8847 && v != 0x8848) ||
		    (acts[i].type == OFPACT_PUSH_PBB && v != 0x88e7)) {
			return fail(err, "%s:%s: not an ethertype for this header", name, arg);
		}
		a->type = acts[i].type;
		if (acts[i].arg == 1) {
			a->ethertype = (uint16_t)v;
		} else {
			a->value.u = v;
		}
		return 0;
	}
	return -ENOENT;
}

static int parse_list(const char *s, struct list *l, const struct ofp_port_names *names,
		      struct ofp_insts *in, uint8_t table_id, char *err);

static int
parse_instruction(const char *name, const char *arg, struct ofp_insts *in, uint8_t table_id,
		  const struct ofp_port_names *names, char *err)
{
	uint64_t v;

	if (!strcmp(name, "goto_table")) {
		if (parse_uint(arg, OFP_N_TABLES - 1, &v)) {
			return fail(err, "goto_table:%s: a table is 0-254", arg ? arg : "");
		}
		if (v <= table_id) {
			snprintf(err, OFP_ERR_MAX,
				 "goto_table:%" PRIu64
				 " in table %u: a goto must go to a later table",
				 v, table_id);
			return -EINVAL;
		}
		in->goto_table = (int)v;
		return 0;
	}
	if (!strcmp(name, "clear_actions")) {
		in->clear_actions = true;
		return 0;
	}
	if (!strcmp(name, "meter")) {
		if (parse_uint(arg, OFPM_MAX, &v) || !v) {
			return fail(err, "meter:%s: a meter is 1-%u", arg ? arg : "", OFPM_MAX);
		}
		in->meter_id = (uint32_t)v;
		return 0;
	}
	if (!strcmp(name, "write_metadata")) {
		const struct mf_field *f = mf_from_id(MFF_METADATA);
		union mf_value val, mask;
		bool has_mask;

		if (!arg || mf_parse_value(f, arg, &val, &mask, &has_mask, err)) {
			return fail(err, "write_metadata:%s: expected VALUE[/MASK]",
				    arg ? arg : "");
		}
		in->has_meta = true;
		in->metadata = val.u & mask.u;
		in->metadata_mask = mask.u;
		return 0;
	}
	if (!strcmp(name, "write_actions")) {
		struct list *l = calloc(1, sizeof *l);
		int ret;

		if (!l) {
			return fail(err, "%s", "out of memory");
		}
		ret = parse_list(arg ? arg : "", l, names, NULL, table_id, err);
		for (uint32_t i = 0; !ret && i < l->n; i++) {
			enum ofpact_type t = l->a[i].type;

			if (t == OFPACT_RESUBMIT || t == OFPACT_MOVE || t == OFPACT_LOAD) {
				ret = fail(err, "%s cannot be in write_actions",
					   t == OFPACT_RESUBMIT ? "resubmit"
					   : t == OFPACT_MOVE   ? "move"
								: "load");
			}
		}
		if (!ret) {
			bool ok;

			free(in->write);
			ok = dup_list(l->a, l->n, &in->write);
			in->n_write = ok ? l->n : 0;
			in->has_write = true;
			ret = ok ? 0 : fail(err, "%s", "out of memory");
		}
		free(l);
		return ret;
	}
	return -ENOENT;
}

/* resubmit:PORT, resubmit(PORT,TABLE), resubmit(,TABLE), resubmit(PORT):
 * no port means the packet's own, no table this one. */
static int
parse_resubmit(char *arg, const struct ofp_port_names *names, struct ofpact *a, char *err)
{
	char *comma = arg ? strchr(arg, ',') : NULL;
	uint64_t table = 0xff;

	if (!arg) {
		return fail(err, "%s", "resubmit needs a port or a table");
	}
	a->type = OFPACT_RESUBMIT;
	a->port = OFPP_IN_PORT;
	if (comma) {
		*comma = '\0';
		if (parse_uint(comma + 1, 254, &table)) {
			return fail(err, "resubmit: table %s: a table is 0-254", comma + 1);
		}
	}
	if (*arg && ofp_port_parse(arg, names, &a->port, err)) {
		return -EINVAL;
	}
	if (!*arg && !comma) {
		return fail(err, "%s", "resubmit needs a port or a table");
	}
	if (a->port == OFPP_ANY) {
		return fail(err, "%s", "resubmit: ANY is not a port to look up with");
	}
	a->table = (uint8_t)table;
	return 0;
}

static int
parse_action(char *word, struct list *l, const struct ofp_port_names *names, char *err)
{
	struct ofpact a;
	char *arg = NULL;
	char *p = word + strcspn(word, ":(");
	int ret;

	memset(&a, 0, sizeof a);
	if (*p == ':') {
		*p = '\0';
		arg = p + 1;
	} else if (*p == '(') {
		size_t n = strlen(p);

		if (p[n - 1] != ')') {
			return fail(err, "%s: unbalanced parentheses", word);
		}
		p[n - 1] = '\0';
		*p = '\0';
		arg = p + 1;
	}
	if (!strcasecmp(word, "output")) {
		if (arg && !strncmp(arg, "port=", 5)) {
			arg += 5;
		}
		ret = parse_output(arg ? arg : "", names, &a, err);
	} else if (!strcasecmp(word, "controller")) {
		ret = parse_controller(arg, &a, err);
	} else if (!strcmp(word, "set_field")) {
		ret = parse_set_field(arg, &a, err);
	} else if (!strcmp(word, "dec_ttl")) {
		a.type = OFPACT_DEC_TTL;
		ret = 0;
	} else if ((ret = parse_tag_action(word, arg, &a, err)) != -ENOENT) {
		/* done */
	} else if ((ret = parse_vlan_action(word, arg, &a, err)) != -ENOENT) {
		/* done */
	} else if (!strcmp(word, "group")) {
		uint64_t v;

		if (parse_uint(arg, OFPG_MAX, &v)) {
			return fail(err, "group:%s: a group is 0-%u", arg ? arg : "", OFPG_MAX);
		}
		a.type = OFPACT_GROUP;
		a.port = (uint32_t)v;
		ret = 0;
	} else if (!strcmp(word, "resubmit")) {
		ret = parse_resubmit(arg, names, &a, err);
	} else if (!strcmp(word, "move")) {
		ret = nx_parse_move(arg, &a, err);
	} else if (!strcmp(word, "load")) {
		ret = nx_parse_load(arg, &a, err);
	} else if (!strcmp(word, "set_queue")) {
		uint64_t v;

		if (parse_uint(arg, UINT32_MAX - 1, &v)) {
			return fail(err, "set_queue:%s: a queue is 0-%u", arg ? arg : "",
				    UINT32_MAX - 1);
		}
		a.type = OFPACT_SET_QUEUE;
		a.port = (uint32_t)v;
		ret = 0;
	} else if (!strcmp(word, "learn")) {
		return fail(err, "%s: not supported yet", word);
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(mods); i++) {
			if (!strcmp(word, mods[i].name)) {
				ret = parse_mod(mods[i].field, arg, &a, err);
				goto out;
			}
		}
		/* A bare port: a number, a reserved name or a port name. */
		if (arg) {
			return fail(err, "unknown action %s", word);
		}
		ret = parse_output(word, names, &a, err);
		if (ret) {
			return fail(err, "unknown action or port %s", word);
		}
	}
out:
	return ret ? ret : add(l, &a, err);
}

static bool
is_instruction(const char *word)
{
	static const char *const names[] = {"goto_table", "clear_actions", "write_metadata",
					    "write_actions", "meter"};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		size_t n = strlen(names[i]);

		if (!strncmp(word, names[i], n) &&
		    (word[n] == '\0' || word[n] == ':' || word[n] == '(')) {
			return true;
		}
	}
	return false;
}

/* "name", "name:arg" or "name(arg)". */
static int
parse_inst_word(char *word, struct ofp_insts *in, uint8_t table_id,
		const struct ofp_port_names *names, char *err)
{
	char *p = word + strcspn(word, ":(");
	char *arg = NULL;

	if (*p == '(') {
		size_t n = strlen(p);

		if (p[n - 1] != ')') {
			return fail(err, "%s: unbalanced parentheses", word);
		}
		p[n - 1] = '\0';
	}
	if (*p) {
		*p = '\0';
		arg = p + 1;
	}
	return parse_instruction(word, arg, in, table_id, names, err);
}

/* Splits 's' at commas outside parentheses and parses each piece. Writes
 * instructions into 'in' (NULL inside write_actions, where none may be). */
static int
parse_list(const char *s, struct list *l, const struct ofp_port_names *names, struct ofp_insts *in,
	   uint8_t table_id, char *err)
{
	char *copy = strdup(s), *p = copy;
	int ret = 0;

	if (!copy) {
		return fail(err, "%s", "out of memory");
	}
	while (*p && !ret) {
		int depth = 0;
		char *end = p, *word;

		while (*end && (depth || *end != ',')) {
			depth += *end == '(' ? 1 : *end == ')' ? -1 : 0;
			if (depth < 0) {
				break;
			}
			end++;
		}
		if (depth) {
			ret = fail(err, "%.80s: unbalanced parentheses", s);
			break;
		}
		word = p;
		p = *end ? end + 1 : end;
		*end = '\0';
		while (*word == ' ' || *word == '\t') {
			word++;
		}
		if (!*word) {
			ret = fail(err, "%.80s: empty action", s);
		} else if (!strcmp(word, "drop")) {
			if (l->n || *p || (in && (in->has_write || in->goto_table >= 0))) {
				ret = fail(err, "%s", "drop must be the only action");
			}
		} else if (is_instruction(word)) {
			ret = in ? parse_inst_word(word, in, table_id, names, err)
				 : fail(err, "%s: an instruction inside write_actions", word);
		} else {
			ret = parse_action(word, l, names, err);
		}
	}
	free(copy);
	return ret;
}

int
ofp_insts_parse(struct ofp_insts *in, const char *s, uint8_t table_id,
		const struct ofp_port_names *names, char *err)
{
	struct list *l = calloc(1, sizeof *l);
	int ret;

	if (!l) {
		return fail(err, "%s", "out of memory");
	}
	ret = parse_list(s, l, names, in, table_id, err);
	if (!ret) {
		bool ok;

		free(in->apply);
		ok = dup_list(l->a, l->n, &in->apply);
		in->n_apply = ok ? l->n : 0;
		if (!ok) {
			ret = fail(err, "%s", "out of memory");
		}
	}
	free(l);
	return ret;
}

/* ---- Formatting ---- */

void
ofpact_format(const struct ofpact *a, struct ds *out)
{
	const struct mf_field *f;

	switch (a->type) {
	case OFPACT_OUTPUT:
		if (a->port == OFPP_CONTROLLER) {
			ds_put_cstr(out, "CONTROLLER");
			if (a->max_len != UINT16_MAX) {
				ds_put_format(out, ":%u", a->max_len);
			}
		} else if (a->port >= OFPP_MAX) {
			ofp_port_format(a->port, out);
		} else {
			ds_put_cstr(out, "output:");
			ofp_port_format(a->port, out);
		}
		return;
	case OFPACT_PUSH_VLAN:
		ds_put_format(out, "push_vlan:0x%04x", a->ethertype);
		return;
	case OFPACT_POP_VLAN:
		ds_put_cstr(out, "pop_vlan");
		return;
	case OFPACT_MOD_VLAN_VID:
		ds_put_format(out, "mod_vlan_vid:%" PRIu64, a->value.u);
		return;
	case OFPACT_MOD_VLAN_PCP:
		ds_put_format(out, "mod_vlan_pcp:%" PRIu64, a->value.u);
		return;
	case OFPACT_DEC_TTL:
		ds_put_cstr(out, "dec_ttl");
		return;
	case OFPACT_SET_NW_TTL:
		ds_put_format(out, "set_nw_ttl:%" PRIu64, a->value.u);
		return;
	case OFPACT_PUSH_MPLS:
		ds_put_format(out, "push_mpls:0x%04x", a->ethertype);
		return;
	case OFPACT_POP_MPLS:
		ds_put_format(out, "pop_mpls:0x%04x", a->ethertype);
		return;
	case OFPACT_SET_MPLS_TTL:
		ds_put_format(out, "set_mpls_ttl:%" PRIu64, a->value.u);
		return;
	case OFPACT_DEC_MPLS_TTL:
		ds_put_cstr(out, "dec_mpls_ttl");
		return;
	case OFPACT_PUSH_PBB:
		ds_put_format(out, "push_pbb:0x%04x", a->ethertype);
		return;
	case OFPACT_POP_PBB:
		ds_put_cstr(out, "pop_pbb");
		return;
	case OFPACT_COPY_TTL_OUT:
		ds_put_cstr(out, "copy_ttl_out");
		return;
	case OFPACT_COPY_TTL_IN:
		ds_put_cstr(out, "copy_ttl_in");
		return;
	case OFPACT_GROUP:
		ds_put_format(out, "group:%" PRIu32, a->port);
		return;
	case OFPACT_SET_QUEUE:
		ds_put_format(out, "set_queue:%" PRIu32, a->port);
		return;
	case OFPACT_MOVE:
	case OFPACT_LOAD:
		nx_format(a, out);
		return;
	case OFPACT_RESUBMIT:
		/* As ovs-ofctl: resubmit:PORT, resubmit(,TABLE), resubmit(PORT,TABLE). */
		if (a->table == 0xff) {
			ds_put_cstr(out, "resubmit:");
			ofp_port_format(a->port, out);
		} else {
			ds_put_cstr(out, "resubmit(");
			if (a->port != OFPP_IN_PORT) {
				ofp_port_format(a->port, out);
			}
			ds_put_format(out, ",%u)", a->table);
		}
		return;
	case OFPACT_SET_FIELD:
		f = mf_from_id(a->field);
		ds_put_cstr(out, "set_field:");
		if (f->id == MFF_DL_VLAN) {
			ds_put_format(out, "%" PRIu64 "->vlan_vid", a->value.u);
			return;
		}
		mf_format_value(f, &a->value, &a->mask, out);
		/* As ovs-ofctl names the destination. */
		ds_put_format(out, "->%s",
			      f->id == MFF_IPV4_SRC               ? "ip_src"
			      : f->id == MFF_IPV4_DST             ? "ip_dst"
			      : f->id == MFF_TUN_ID               ? "tun_id"
			      : f->alias && f->fmt != MFF_FMT_DEC ? f->alias
								  : f->name);
		return;
	}
}

static void
format_list(const struct ofpact *a, uint32_t n, bool *first, struct ds *out)
{
	for (uint32_t i = 0; i < n; i++) {
		if (!*first) {
			ds_put_char(out, ',');
		}
		*first = false;
		ofpact_format(&a[i], out);
	}
}

void
ofp_insts_format(const struct ofp_insts *in, struct ds *out)
{
	bool first = true;

	if (in->meter_id) {
		ds_put_format(out, "meter:%" PRIu32, in->meter_id);
		first = false;
	}
	format_list(in->apply, in->n_apply, &first, out);
	if (in->clear_actions) {
		ds_put_format(out, "%sclear_actions", first ? "" : ",");
		first = false;
	}
	if (in->has_write) {
		bool inner = true;

		ds_put_format(out, "%swrite_actions(", first ? "" : ",");
		format_list(in->write, in->n_write, &inner, out);
		ds_put_char(out, ')');
		first = false;
	}
	if (in->has_meta) {
		ds_put_format(out, "%swrite_metadata:0x%" PRIx64, first ? "" : ",", in->metadata);
		if (in->metadata_mask != UINT64_MAX) {
			ds_put_format(out, "/0x%" PRIx64, in->metadata_mask);
		}
		first = false;
	}
	if (in->goto_table >= 0) {
		ds_put_format(out, "%sgoto_table:%d", first ? "" : ",", in->goto_table);
		first = false;
	}
	if (first) {
		ds_put_cstr(out, "drop");
	}
}
