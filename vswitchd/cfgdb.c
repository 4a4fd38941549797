/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The configuration document: loading (with the line and column of a syntax
 * error), atomic saving, and validation of the whole document against the
 * schema (cfgdb_schema.c) and the rules that tie records together. The
 * commands that edit a document are in cfgdb_txn.c.
 */
#include "cfgdb.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfgdb_schema.h"
#include "fileio.h"
#include "util.h"

/* Interface types and the options each accepts. */
struct iface_type {
	const char *name;
	const char *const *opts;
	const char *required; /* an option that must be present, or NULL */
	const char *alias_of; /* Open vSwitch's name for one of ours, or NULL */
};

/* Every type with receive queues takes pmd-rxq-affinity. */
static const char *const pcap_opts[] = {"rx_pcap", "tx_pcap", "pmd-rxq-affinity", NULL};
static const char *const mem_opts[] = {"size", "pmd-rxq-affinity", NULL};
static const char *const patch_opts[] = {"peer", NULL};
static const char *const tap_opts[] = {"n_rxq", "pmd-rxq-affinity", NULL};
static const char *const system_opts[] = {"pmd-rxq-affinity", NULL};
/* A server socket's owner, group and mode: for QEMU running as another
 * user (libvirt's libvirt-qemu). */
static const char *const vhost_server_opts[] = {
	"path", "n_rxq", "pmd-rxq-affinity", "owner", "group", "mode", NULL};
static const char *const vhost_opts[] = {"path", "n_rxq", "pmd-rxq-affinity", NULL};
static const char *const dpdk_opts[] = {"dpdk-devargs", "n_rxq", "pmd-rxq-affinity", NULL};
/* Open vSwitch's vhost-user types, as OpenStack and libvirt write them. */
static const char *const ovs_vhost_opts[] = {"n_rxq", "pmd-rxq-affinity", "owner", "group", "mode",
					     NULL};
static const char *const ovs_vhost_client_opts[] = {"vhost-server-path", "n_rxq",
						    "pmd-rxq-affinity", NULL};

/* Tunnels (datapath/tunnel.h checks the values). */
static const char *const tnl_opts[] = {"remote_ip", "local_ip",   "key",  "dst_port", "tos",
				       "ttl",       "df_default", "csum", NULL};

static const struct iface_type iface_types[] = {
	{"internal", tap_opts, NULL, NULL},
	{"tap", tap_opts, NULL, NULL},
	{"system", system_opts, NULL, NULL},
	{"patch", patch_opts, "peer", NULL},
	{"vhost-user", vhost_server_opts, NULL, NULL},
	{"vhost-user-client", vhost_opts, "path", NULL},
	{"dpdk", dpdk_opts, "dpdk-devargs", NULL},
	{"pcap", pcap_opts, NULL, NULL},
	{"mem", mem_opts, NULL, NULL},
	{"dpdkvhostuser", ovs_vhost_opts, NULL, "vhost-user"},
	{"dpdkvhostuserclient", ovs_vhost_client_opts, "vhost-server-path", "vhost-user-client"},
	{"vxlan", tnl_opts, "remote_ip", NULL},
	{"geneve", tnl_opts, "remote_ip", NULL},
};

static const char *
type_names(void)
{
	static char buf[160];

	if (!buf[0]) {
		for (size_t i = 0; i < ARRAY_SIZE(iface_types); i++) {
			snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? ", " : "",
				 iface_types[i].name);
		}
	}
	return buf;
}

json_t *
cfgdb_new_doc(void)
{
	return json_pack("{s:i, s:{}, s:{}}", "version", CFGDB_VERSION, "global", "bridges");
}

char *
cfgdb_dumps(const json_t *doc)
{
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	size_t len;
	char *out;

	if (!text) {
		return NULL;
	}
	len = strlen(text);
	out = realloc(text, len + 2);
	if (!out) {
		free(text);
		return NULL;
	}
	out[len] = '\n';
	out[len + 1] = '\0';
	return out;
}

int
cfgdb_load(const char *path, json_t **doc, char *err)
{
	json_error_t jerr;
	json_t *d;

	*doc = NULL;
	if (access(path, F_OK) && errno == ENOENT) {
		*doc = cfgdb_new_doc();
		return *doc ? -ENOENT : -ENOMEM;
	}
	d = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!d) {
		if (json_error_code(&jerr) == json_error_cannot_open_file) {
			snprintf(err, CFGDB_ERR_MAX, "%s: %s", path, jerr.text);
			return -EIO;
		}
		snprintf(err, CFGDB_ERR_MAX, "%s:%d:%d: %s", path, jerr.line, jerr.column,
			 jerr.text);
		return -EINVAL;
	}
	if (cfgdb_validate(d, err)) {
		char reason[CFGDB_ERR_MAX];

		snprintf(reason, sizeof reason, "%s", err);
		snprintf(err, CFGDB_ERR_MAX, "%.200s: %.300s", path, reason);
		json_decref(d);
		return -EINVAL;
	}
	*doc = d;
	return 0;
}

int
cfgdb_save(const char *path, const json_t *doc, char *err)
{
	char tmp[PATH_MAX];
	char *text = cfgdb_dumps(doc);
	int fd, ret;

	if (!text) {
		snprintf(err, CFGDB_ERR_MAX, "%s: out of memory", path);
		return -ENOMEM;
	}
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
		free(text);
		snprintf(err, CFGDB_ERR_MAX, "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		goto out_free;
	}
	ret = vs_write_all(fd, text, strlen(text));
	if (!ret && fsync(fd)) {
		ret = -errno;
	}
	if (close(fd) && !ret) {
		ret = -errno;
	}
	if (!ret && rename(tmp, path)) {
		ret = -errno;
	}
	if (ret) {
		unlink(tmp);
		goto out_free;
	}
	ret = vs_fsync_parent(path);
out_free:
	if (ret) {
		snprintf(err, CFGDB_ERR_MAX, "cannot write %s: %s", path, strerror(-ret));
	}
	free(text);
	return ret;
}

static int fail(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, CFGDB_ERR_MAX, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Checks every column of 'rec' (a record of 'table' named 'name'). */
static int
validate_record(enum cfg_table_id table, const char *name, const json_t *rec, char *err)
{
	const struct cfg_table *t = &cfg_tables[table];
	char reason[CFGDB_ERR_MAX];
	const char *key;
	json_t *v;

	if (!json_is_object(rec)) {
		return fail(err, "%s %s: must be an object", t->name, name);
	}
	json_object_foreach ((json_t *)rec, key, v) {
		const struct cfg_column *col = cfg_column_find(table, key);

		if (t->child && !strcmp(key, t->child)) {
			if (!json_is_object(v)) {
				return fail(err, "%s %s: %s must be an object", t->name, name, key);
			}
			continue;
		}
		if (!col) {
			return fail(err, "%s %s: unknown column '%s'", t->name, name, key);
		}
		if (cfg_column_check(col, v, reason, sizeof reason)) {
			return fail(err, "%s %s: %s", t->name, name, reason);
		}
	}
	return 0;
}

static int
validate_vlan(const char *name, const json_t *port, char *err)
{
	const char *mode = cfgdb_get_str(port, "vlan_mode", NULL);
	bool has_tag = json_object_get(port, "tag") != NULL;
	bool has_trunks = json_array_size(json_object_get(port, "trunks")) > 0;

	if (!mode) {
		return 0; /* access with a tag, else trunk: either is consistent */
	}
	if (!strcmp(mode, "access") && has_trunks) {
		return fail(err, "port %s: vlan_mode=access does not take trunks", name);
	}
	if (!strcmp(mode, "trunk") && has_tag) {
		return fail(err,
			    "port %s: vlan_mode=trunk does not take a tag "
			    "(use native-tagged or native-untagged for a native VLAN)",
			    name);
	}
	if (!strcmp(mode, "access") && !has_tag) {
		return fail(err, "port %s: vlan_mode=access needs a tag", name);
	}
	return 0;
}

static const struct iface_type *
iface_type_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(iface_types); i++) {
		if (!strcmp(iface_types[i].name, name)) {
			return &iface_types[i];
		}
	}
	return NULL;
}

const char *
cfgdb_iface_type(const json_t *iface)
{
	const char *type = cfgdb_get_str(iface, "type", "");
	const struct iface_type *it = iface_type_find(type);

	return it && it->alias_of ? it->alias_of : type;
}

static bool
in_list(const char *const *list, const char *s)
{
	for (; *list; list++) {
		if (!strcmp(*list, s)) {
			return true;
		}
	}
	return false;
}

static int
validate_iface_type(const char *name, const json_t *iface, char *err)
{
	const char *type = cfgdb_get_str(iface, "type", NULL);
	json_t *opts = json_object_get(iface, "options");
	const struct iface_type *it;
	const char *key;
	json_t *v;

	if (!type) {
		return fail(err, "interface %s: no type (types: %s)", name, type_names());
	}
	it = iface_type_find(type);
	if (!it) {
		return fail(err, "interface %s: unknown type '%s' (types: %s)", name, type,
			    type_names());
	}
	json_object_foreach (opts, key, v) {
		if (!in_list(it->opts, key)) {
			return fail(err, "interface %s: type %s has no option '%s'", name, type,
				    key);
		}
	}
	if (!strcmp(type, "system") && !strcmp(name, "lo")) {
		return fail(err, "interface lo: the loopback interface cannot be a switch port");
	}
	if (it->required && !json_object_get(opts, it->required)) {
		return fail(err, "interface %s: type %s needs options:%s", name, type,
			    it->required);
	}
	return 0;
}

/* No patch interface names itself, and a peer that exists is a patch
 * interface that names it back. A peer not there yet is fine: the port
 * waits for it, down, as Open vSwitch's does, so that the two ends can be
 * added one command each. */
static int
validate_patch_peers(const json_t *ifaces, char *err)
{
	const char *name;
	json_t *iface;

	json_object_foreach ((json_t *)ifaces, name, iface) {
		const char *peer, *back;
		json_t *other;

		if (strcmp(cfgdb_get_str(iface, "type", ""), "patch")) {
			continue;
		}
		peer = json_string_value(
			json_object_get(json_object_get(iface, "options"), "peer"));
		other = json_object_get(ifaces, peer);
		if (!strcmp(peer, name)) {
			return fail(err, "interface %s: a patch port cannot be its own peer", name);
		}
		if (!other) {
			continue;
		}
		back = json_string_value(
			json_object_get(json_object_get(other, "options"), "peer"));
		if (strcmp(cfgdb_get_str(other, "type", ""), "patch") || !back ||
		    strcmp(back, name)) {
			return fail(err,
				    "interface %s: peer '%s' is not a patch port whose peer is %s",
				    name, peer, name);
		}
	}
	return 0;
}

static int
validate_port(const char *name, const json_t *port, json_t *ifaces, char *err)
{
	json_t *pifs = json_object_get(port, "interfaces");
	const char *iname;
	json_t *iface;
	int ret = validate_record(CFG_T_PORT, name, port, err);

	if (ret || (ret = validate_vlan(name, port, err))) {
		return ret;
	}
	if (json_object_size(pifs) != 1 || !json_object_get(pifs, name)) {
		return fail(err, "port %s: must have exactly one interface, named %s", name, name);
	}
	json_object_foreach (pifs, iname, iface) {
		ret = validate_record(CFG_T_IFACE, iname, iface, err);
		if (ret || (ret = validate_iface_type(iname, iface, err))) {
			return ret;
		}
		json_object_set(ifaces, iname, iface);
	}
	return 0;
}

static int
validate_bridges(const json_t *bridges, json_t *ifaces, char *err)
{
	json_t *port_owner = json_object();
	const char *bname, *pname;
	json_t *br, *port;
	int ret = 0;

	json_object_foreach ((json_t *)bridges, bname, br) {
		if (!cfg_name_valid(bname)) {
			ret = fail(err, "bridge '%s': a name is 1-15 of A-Z a-z 0-9 _ - .", bname);
			goto out;
		}
		if ((ret = validate_record(CFG_T_BRIDGE, bname, br, err))) {
			goto out;
		}
		json_object_foreach (json_object_get(br, "ports"), pname, port) {
			json_t *owner = json_object_get(port_owner, pname);

			if (!cfg_name_valid(pname)) {
				ret = fail(err, "port '%s': a name is 1-15 of A-Z a-z 0-9 _ - .",
					   pname);
				goto out;
			}
			if (owner || (json_object_get(bridges, pname) && strcmp(pname, bname))) {
				ret = fail(err, "port %s: the name is already used by %s %s", pname,
					   owner ? "a port of bridge" : "a",
					   owner ? json_string_value(owner) : "bridge");
				goto out;
			}
			json_object_set_new(port_owner, pname, json_string(bname));
			if ((ret = validate_port(pname, port, ifaces, err))) {
				goto out;
			}
		}
	}
out:
	json_decref(port_owner);
	return ret;
}

int
cfgdb_validate(const json_t *doc, char *err)
{
	json_t *ifaces, *version = json_object_get(doc, "version");
	json_t *bridges = json_object_get(doc, "bridges");
	const char *key;
	json_t *v;
	int ret;

	if (!json_is_object(doc)) {
		return fail(err, "the document must be a JSON object");
	}
	json_object_foreach ((json_t *)doc, key, v) {
		if (strcmp(key, "version") && strcmp(key, "global") && strcmp(key, "bridges")) {
			return fail(err, "unknown top-level key '%s'", key);
		}
	}
	if (!json_is_integer(version) || json_integer_value(version) != CFGDB_VERSION) {
		return fail(err, "\"version\" must be %d", CFGDB_VERSION);
	}
	if (!json_is_object(bridges)) {
		return fail(err, "\"bridges\" must be an object");
	}
	if (json_object_size(bridges) > CFGDB_MAX_BRIDGES) {
		return fail(err, "%zu bridges: the switch runs at most %d",
			    json_object_size(bridges), CFGDB_MAX_BRIDGES);
	}
	ret = validate_record(CFG_T_GLOBAL, ".", json_object_get(doc, "global"), err);
	if (ret) {
		return ret;
	}
	ifaces = json_object();
	ret = validate_bridges(bridges, ifaces, err);
	if (!ret) {
		ret = validate_patch_peers(ifaces, err);
	}
	json_decref(ifaces);
	return ret;
}

json_t *
cfgdb_bridge(const json_t *doc, const char *name)
{
	return json_object_get(json_object_get(doc, "bridges"), name);
}

json_t *
cfgdb_port(const json_t *doc, const char *name, const char **bridge)
{
	const char *bname;
	json_t *br;

	json_object_foreach (json_object_get(doc, "bridges"), bname, br) {
		json_t *port = json_object_get(json_object_get(br, "ports"), name);

		if (port) {
			if (bridge) {
				*bridge = bname;
			}
			return port;
		}
	}
	return NULL;
}

json_t *
cfgdb_port_iface(const json_t *port)
{
	json_t *ifaces = json_object_get(port, "interfaces");
	void *it = json_object_iter(ifaces);

	return it ? json_object_iter_value(it) : NULL;
}

/* Whether every setting of 'a' is in 'b' with the same value. */
static bool
settings_within(const json_t *a, const json_t *b)
{
	const char *key;
	json_t *v;

	json_object_foreach ((json_t *)a, key, v) {
		const struct cfg_column *col = cfg_column_find(CFG_T_IFACE, key);

		if ((!col || (!col->status && !cfg_column_is_tags(col))) &&
		    !json_equal(v, json_object_get(b, key))) {
			return false;
		}
	}
	return true;
}

bool
cfgdb_iface_settings_equal(const json_t *a, const json_t *b)
{
	return json_is_object(a) && json_is_object(b)
		       ? settings_within(a, b) && settings_within(b, a)
		       : json_equal(a, b);
}

const char *
cfgdb_get_str(const json_t *rec, const char *col, const char *dflt)
{
	const char *s = json_string_value(json_object_get(rec, col));

	return s ? s : dflt;
}

long long
cfgdb_get_int(const json_t *rec, const char *col, long long dflt)
{
	json_t *v = json_object_get(rec, col);

	return json_is_integer(v) ? json_integer_value(v) : dflt;
}
