/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The schema of the configuration database, shared by validation (cfgdb.c)
 * and the commands that edit records (cfgdb_txn.c). Nothing outside the
 * cfgdb module includes this.
 */
#ifndef VS_CFGDB_SCHEMA_H
#define VS_CFGDB_SCHEMA_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

enum cfg_type {
	CFG_STRING,  /* a JSON string */
	CFG_INT,     /* a JSON integer in [min, max] */
	CFG_ENUM,    /* a string out of 'enums' */
	CFG_INT_SET, /* an array of distinct integers in [min, max], sorted */
	CFG_STR_SET, /* an array of distinct strings */
	CFG_MAP,     /* an object of string values */
};

/* Extra checks on a value of the right type: 0, or -EINVAL with 'err'. */
typedef int (*cfg_check_fn)(const json_t *value, char *err, size_t size);

struct cfg_column {
	const char *name;
	enum cfg_type type;
	long long min, max;
	const char *const *enums; /* NULL-terminated, for CFG_ENUM */
	cfg_check_fn check;       /* optional */
	bool status;              /* written by the daemon, never by a command */
};

/* external_ids and other_config: for other programs (OpenStack's iface-id,
 * attached-mac, vm-uuid; libvirt's), any keys; the switch keeps them and
 * never acts on them (a change reopens no port). */
static inline bool
cfg_column_is_tags(const struct cfg_column *col)
{
	return !strcmp(col->name, "external_ids") || !strcmp(col->name, "other_config");
}

enum cfg_table_id { CFG_T_GLOBAL, CFG_T_BRIDGE, CFG_T_PORT, CFG_T_IFACE, CFG_T__MAX };

struct cfg_table {
	const char *name;
	const char *child; /* the key holding child records, or NULL */
	const struct cfg_column *cols;
	size_t n_cols;
};

extern const struct cfg_table cfg_tables[CFG_T__MAX];

/* The column 'name' of 'table', or NULL. */
const struct cfg_column *cfg_column_find(enum cfg_table_id table, const char *name);

/* Checks 'value' against 'col'. Returns 0 or -EINVAL with a reason. */
int cfg_column_check(const struct cfg_column *col, const json_t *value, char *err, size_t size);

/* Converts 'text', as typed on a command line ("10", "10,20", "[a,b]",
 * "{k=v}"), into a new JSON value of the column's type; NULL with a reason
 * on failure. */
json_t *cfg_column_parse(const struct cfg_column *col, const char *text, char *err, size_t size);

/* Sorts an integer set in place and removes duplicates. */
void cfg_int_set_normalize(json_t *set);

/* True when 'name' is a valid bridge, port or interface name. */
bool cfg_name_valid(const char *name);

#endif /* VS_CFGDB_SCHEMA_H */
