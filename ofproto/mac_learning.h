/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The MAC learning table of a bridge: (VLAN, MAC) -> OpenFlow port, with
 * aging and a size limit enforced by evicting the least recently used entry.
 * A hash table for lookups plus a doubly linked list in order of last use.
 * Not thread-safe: the caller (ofproto) serialises access. Pure.
 */
#ifndef VS_MAC_LEARNING_H
#define VS_MAC_LEARNING_H

#include <stdbool.h>
#include <stdint.h>

enum { MAC_DEFAULT_AGING_S = 300, MAC_DEFAULT_MAX = 8192 };

struct mac_table;

struct mac_entry_info {
	uint8_t mac[6];
	uint16_t vlan;
	uint32_t port;
	uint64_t age_ms;
};

struct mac_stats {
	uint64_t learned, moved, evicted, aged;
	uint32_t n_entries, max_entries, aging_s;
};

/* Returns NULL with errno set. */
struct mac_table *mac_table_create(uint32_t max_entries, uint32_t aging_s);
void mac_table_destroy(struct mac_table *mt);
void mac_table_set_limits(struct mac_table *mt, uint32_t max_entries, uint32_t aging_s);

enum mac_learn_result { MAC_UNCHANGED, MAC_NEW, MAC_MOVED, MAC_NOMEM };

/* Learns that 'mac' on 'vlan' is behind 'port' (and refreshes the entry).
 * A new entry in a full table evicts the least recently used one and
 * writes its MAC to 'evicted' (when not NULL; all-zero when none). */
enum mac_learn_result mac_learn(struct mac_table *mt, const uint8_t mac[6], uint16_t vlan,
				uint32_t port, uint64_t now_ms, uint8_t evicted[6]);

/* The port 'mac' on 'vlan' was learned on, or -1. Expired entries count
 * as absent. Does not refresh. */
int64_t mac_lookup(const struct mac_table *mt, const uint8_t mac[6], uint16_t vlan,
		   uint64_t now_ms);

/* Marks the entry as used now if it is still on 'port' (traffic that never
 * reached the slow path keeps it alive). */
void mac_touch(struct mac_table *mt, const uint8_t mac[6], uint16_t vlan, uint32_t port,
	       uint64_t now_ms);

/* Removes entries older than the aging time, calling 'cb' for each. */
void mac_age(struct mac_table *mt, uint64_t now_ms,
	     void (*cb)(void *aux, const uint8_t mac[6], uint16_t vlan), void *aux);

/* Removes every entry on 'port' (every entry with port = UINT32_MAX). */
void mac_flush_port(struct mac_table *mt, uint32_t port);

/* Calls 'cb' for each entry, most recently used first. */
void mac_table_dump(const struct mac_table *mt, uint64_t now_ms,
		    void (*cb)(void *aux, const struct mac_entry_info *e), void *aux);

void mac_table_stats(const struct mac_table *mt, struct mac_stats *s);

static inline bool
eth_addr_is_multicast(const uint8_t mac[6])
{
	return mac[0] & 1;
}

#endif /* VS_MAC_LEARNING_H */
