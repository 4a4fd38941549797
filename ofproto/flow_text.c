/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Flow mods from ovs-ofctl text (ofproto.h, ofp_flow_mod_parse()): the flow
 * keywords (table, priority, cookie, timeouts, flags, out_port), the match
 * fields (ofp_match.c) and the actions (ofp_action.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofproto.h"

static int
parse_num(const char *name, const char *v, uint64_t max, uint64_t *out, char *err)
{
	char *end;

	if (v && *v && *v != '-') {
		errno = 0;
		*out = strtoull(v, &end, 0);
		if (!errno && !*end && *out <= max) {
			return 0;
		}
	}
	snprintf(err, OFP_ERR_MAX, "%s=%.40s: expected a number 0-%" PRIu64, name, v ? v : "", max);
	return -EINVAL;
}

static int
parse_cookie(struct ofp_flow_mod *fm, const char *v, char *err)
{
	char buf[64];
	char *slash;
	uint64_t mask = UINT64_MAX;

	snprintf(buf, sizeof buf, "%s", v ? v : "");
	slash = strchr(buf, '/');
	if (slash) {
		*slash++ = '\0';
		if (!strcmp(slash, "-1")) {
			mask = UINT64_MAX;
		} else if (parse_num("cookie mask", slash, UINT64_MAX, &mask, err)) {
			return -EINVAL;
		}
	}
	if (parse_num("cookie", buf, UINT64_MAX, &fm->cookie, err)) {
		return -EINVAL;
	}
	if (fm->command == OFPFC_ADD && slash) {
		snprintf(err, OFP_ERR_MAX, "cookie=%s: add-flow takes a cookie without a mask", v);
		return -EINVAL;
	}
	fm->cookie_mask = mask;
	return 0;
}

static const struct {
	const char *name;
	uint16_t flag;
} flags[] = {
	{"send_flow_rem", OFPFF_SEND_FLOW_REM},  {"check_overlap", OFPFF_CHECK_OVERLAP},
	{"reset_counts", OFPFF_RESET_COUNTS},    {"no_packet_counts", OFPFF_NO_PKT_COUNTS},
	{"no_byte_counts", OFPFF_NO_BYT_COUNTS},
};

/* Handles one "name[=value]" word of the flow (not actions). */
static int
parse_word(struct ofp_flow_mod *fm, char *name, char *value, const struct ofp_port_names *names,
	   bool *table_set, char *err)
{
	uint64_t v = 0; /* parse_num() leaves it unset on an error */
	int ret;

	if (!strcmp(name, "table")) {
		ret = parse_num(name, value, OFP_N_TABLES - 1, &v, err);
		fm->table_id = (uint8_t)v;
		*table_set = true;
		return ret;
	}
	if (!strcmp(name, "priority")) {
		ret = parse_num(name, value, UINT16_MAX, &v, err);
		fm->priority = (uint16_t)v;
		return ret;
	}
	if (!strcmp(name, "idle_timeout") || !strcmp(name, "hard_timeout")) {
		ret = parse_num(name, value, UINT16_MAX, &v, err);
		*(name[0] == 'i' ? &fm->idle_timeout : &fm->hard_timeout) = (uint16_t)v;
		return ret;
	}
	if (!strcmp(name, "cookie")) {
		return parse_cookie(fm, value, err);
	}
	if (!strcmp(name, "out_port")) {
		return value ? ofp_port_parse(value, names, &fm->out_port, err)
			     : (snprintf(err, OFP_ERR_MAX, "out_port needs a port"), -EINVAL);
	}
	if (!strcmp(name, "out_group")) {
		uint64_t g = 0;
		int bad = parse_num(name, value, OFPG_MAX, &g, err);

		fm->out_group = (uint32_t)g;
		fm->has_out_group = !bad;
		return bad;
	}
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		if (!strcmp(name, flags[i].name) && !value) {
			fm->flags |= flags[i].flag;
			return 0;
		}
	}
	ret = match_parse_field(&fm->match, name, value, names, err);
	if (ret == -ENOENT) {
		snprintf(err, OFP_ERR_MAX, "unknown field or keyword \"%.60s\"", name);
		return -EINVAL;
	}
	return ret;
}

int
ofp_flow_mod_parse(struct ofp_flow_mod *fm, const char *s, enum ofp_flow_mod_cmd cmd,
		   const struct ofp_port_names *names, char *err)
{
	char *copy = strdup(s), *acts = NULL, *p, *save = NULL;
	bool table_set = false;
	int ret = 0;

	memset(fm, 0, sizeof *fm);
	ofp_insts_init(&fm->insts);
	fm->command = cmd;
	fm->priority = 32768;
	fm->out_port = OFPP_ANY;
	fm->table_id = cmd == OFPFC_ADD ? 0 : OFPTT_ALL;
	if (!copy) {
		snprintf(err, OFP_ERR_MAX, "out of memory");
		return -ENOMEM;
	}
	/* "actions=" (or "action=") takes the rest of the line. */
	for (p = copy; (p = strstr(p, "action")); p++) {
		if ((p == copy || p[-1] == ',' || p[-1] == ' ' || p[-1] == '\t') &&
		    (!strncmp(p, "actions=", 8) || !strncmp(p, "action=", 7))) {
			acts = strchr(p, '=') + 1;
			*p = '\0';
			break;
		}
	}
	for (p = strtok_r(copy, ", \t\n", &save); p && !ret; p = strtok_r(NULL, ", \t\n", &save)) {
		char *eq = strchr(p, '=');

		if (eq) {
			*eq++ = '\0';
		}
		ret = parse_word(fm, p, eq, names, &table_set, err);
	}
	if (!ret && (cmd == OFPFC_DELETE || cmd == OFPFC_DELETE_STRICT) && acts) {
		snprintf(err, OFP_ERR_MAX, "del-flows takes no actions");
		ret = -EINVAL;
	} else if (!ret && cmd != OFPFC_DELETE && cmd != OFPFC_DELETE_STRICT && !acts) {
		snprintf(err, OFP_ERR_MAX, "the flow has no actions= (use actions=drop to drop)");
		ret = -EINVAL;
	}
	if (!ret && acts) {
		while (*acts == ' ') {
			acts++;
		}
		ret = ofp_insts_parse(&fm->insts, acts, table_set ? fm->table_id : 0, names, err);
	} else if (!ret) {
		ret = ofp_insts_parse(&fm->insts, "", 0, names, err);
	}
	if (!ret && (fm->out_port != OFPP_ANY || fm->has_out_group) && cmd != OFPFC_DELETE &&
	    cmd != OFPFC_DELETE_STRICT) {
		snprintf(err, OFP_ERR_MAX, "%s is a filter of del-flows only",
			 fm->has_out_group ? "out_group" : "out_port");
		ret = -EINVAL;
	}
	if (!ret) {
		ret = match_check_prereqs(&fm->match, err);
	}
	if (!ret && cmd != OFPFC_DELETE && cmd != OFPFC_DELETE_STRICT) {
		ret = ofp_insts_resolve_l4(&fm->insts, &fm->match, err);
	}
	if (!ret && cmd == OFPFC_ADD && fm->match.mask.in_port &&
	    (fm->match.key.in_port == 0 ||
	     (fm->match.key.in_port > OFPP_MAX && fm->match.key.in_port != OFPP_LOCAL))) {
		snprintf(err, OFP_ERR_MAX,
			 "in_port=%" PRIu32 ": not a port a packet can come in on",
			 fm->match.key.in_port);
		ret = -EINVAL;
	}
	if (ret) {
		ofp_insts_destroy(&fm->insts);
	}
	free(copy);
	return ret;
}
