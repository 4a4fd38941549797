/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MAC learning table (mac_learning.h).
 */
#include "mac_learning.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

struct mac_entry {
	struct mac_entry *hnext;
	struct mac_entry *lru_prev, *lru_next; /* lru_next: older */
	uint8_t mac[6];
	uint16_t vlan;
	uint32_t port;
	uint64_t used_ms;
};

struct mac_table {
	struct mac_entry **buckets;
	uint32_t n_buckets; /* power of two */
	struct mac_entry *newest, *oldest;
	uint32_t n, max;
	uint64_t aging_ms;
	struct mac_stats stats;
};

static uint32_t
bucket_of(const struct mac_table *mt, const uint8_t mac[6], uint16_t vlan)
{
	uint64_t k = 0;

	memcpy(&k, mac, 6);
	k ^= (uint64_t)vlan << 48;
	return hash_finish(hash_add64(0, k)) & (mt->n_buckets - 1);
}

struct mac_table *
mac_table_create(uint32_t max_entries, uint32_t aging_s)
{
	struct mac_table *mt = calloc(1, sizeof *mt);

	if (!mt) {
		return NULL;
	}
	mt->n_buckets = 1024;
	mt->buckets = calloc(mt->n_buckets, sizeof *mt->buckets);
	if (!mt->buckets) {
		free(mt);
		errno = ENOMEM;
		return NULL;
	}
	mac_table_set_limits(mt, max_entries, aging_s);
	return mt;
}

static void
lru_unlink(struct mac_table *mt, struct mac_entry *e)
{
	if (e->lru_prev) {
		e->lru_prev->lru_next = e->lru_next;
	} else {
		mt->newest = e->lru_next;
	}
	if (e->lru_next) {
		e->lru_next->lru_prev = e->lru_prev;
	} else {
		mt->oldest = e->lru_prev;
	}
	e->lru_prev = e->lru_next = NULL;
}

static void
lru_push(struct mac_table *mt, struct mac_entry *e)
{
	e->lru_prev = NULL;
	e->lru_next = mt->newest;
	if (mt->newest) {
		mt->newest->lru_prev = e;
	} else {
		mt->oldest = e;
	}
	mt->newest = e;
}

static void
remove_entry(struct mac_table *mt, struct mac_entry *e)
{
	struct mac_entry **pp = &mt->buckets[bucket_of(mt, e->mac, e->vlan)];

	while (*pp != e) {
		pp = &(*pp)->hnext;
	}
	*pp = e->hnext;
	lru_unlink(mt, e);
	mt->n--;
	free(e);
}

void
mac_table_destroy(struct mac_table *mt)
{
	if (!mt) {
		return;
	}
	while (mt->newest) {
		remove_entry(mt, mt->newest);
	}
	free(mt->buckets);
	free(mt);
}

void
mac_table_set_limits(struct mac_table *mt, uint32_t max_entries, uint32_t aging_s)
{
	mt->max = max_entries ? max_entries : MAC_DEFAULT_MAX;
	mt->aging_ms = (uint64_t)(aging_s ? aging_s : MAC_DEFAULT_AGING_S) * 1000;
	while (mt->n > mt->max) {
		mt->stats.evicted++;
		remove_entry(mt, mt->oldest);
	}
}

static struct mac_entry *
find(const struct mac_table *mt, const uint8_t mac[6], uint16_t vlan)
{
	for (struct mac_entry *e = mt->buckets[bucket_of(mt, mac, vlan)]; e; e = e->hnext) {
		if (e->vlan == vlan && !memcmp(e->mac, mac, 6)) {
			return e;
		}
	}
	return NULL;
}

enum mac_learn_result
mac_learn(struct mac_table *mt, const uint8_t mac[6], uint16_t vlan, uint32_t port, uint64_t now_ms,
	  uint8_t evicted[6])
{
	struct mac_entry *e = find(mt, mac, vlan);
	enum mac_learn_result res = MAC_UNCHANGED;

	if (evicted) {
		memset(evicted, 0, 6);
	}
	if (e && now_ms - e->used_ms >= mt->aging_ms) {
		remove_entry(mt, e); /* expired but not yet aged out */
		e = NULL;
	}
	if (!e) {
		if (mt->n >= mt->max) {
			if (evicted) {
				memcpy(evicted, mt->oldest->mac, 6);
			}
			mt->stats.evicted++;
			remove_entry(mt, mt->oldest);
		}
		e = calloc(1, sizeof *e);
		if (!e) {
			return MAC_NOMEM;
		}
		memcpy(e->mac, mac, 6);
		e->vlan = vlan;
		e->port = port;
		uint32_t b = bucket_of(mt, mac, vlan);
		e->hnext = mt->buckets[b];
		mt->buckets[b] = e;
		mt->n++;
		mt->stats.learned++;
		res = MAC_NEW;
	} else {
		lru_unlink(mt, e);
		if (e->port != port) {
			e->port = port;
			mt->stats.moved++;
			res = MAC_MOVED;
		}
	}
	e->used_ms = now_ms;
	lru_push(mt, e);
	return res;
}

int64_t
mac_lookup(const struct mac_table *mt, const uint8_t mac[6], uint16_t vlan, uint64_t now_ms)
{
	const struct mac_entry *e = find(mt, mac, vlan);

	return e && now_ms - e->used_ms < mt->aging_ms ? (int64_t)e->port : -1;
}

void
mac_touch(struct mac_table *mt, const uint8_t mac[6], uint16_t vlan, uint32_t port, uint64_t now_ms)
{
	struct mac_entry *e = find(mt, mac, vlan);

	if (e && e->port == port && now_ms > e->used_ms) {
		e->used_ms = now_ms;
		lru_unlink(mt, e);
		lru_push(mt, e);
	}
}

void
mac_age(struct mac_table *mt, uint64_t now_ms,
	void (*cb)(void *aux, const uint8_t mac[6], uint16_t vlan), void *aux)
{
	while (mt->oldest && now_ms - mt->oldest->used_ms >= mt->aging_ms) {
		struct mac_entry *e = mt->oldest;

		if (cb) {
			cb(aux, e->mac, e->vlan);
		}
		mt->stats.aged++;
		remove_entry(mt, e);
	}
}

void
mac_flush_port(struct mac_table *mt, uint32_t port)
{
	for (struct mac_entry *e = mt->newest, *next; e; e = next) {
		next = e->lru_next;
		if (port == UINT32_MAX || e->port == port) {
			remove_entry(mt, e);
		}
	}
}

void
mac_table_dump(const struct mac_table *mt, uint64_t now_ms,
	       void (*cb)(void *aux, const struct mac_entry_info *e), void *aux)
{
	for (const struct mac_entry *e = mt->newest; e; e = e->lru_next) {
		struct mac_entry_info info = {.vlan = e->vlan, .port = e->port};

		memcpy(info.mac, e->mac, 6);
		info.age_ms = now_ms > e->used_ms ? now_ms - e->used_ms : 0;
		cb(aux, &info);
	}
}

void
mac_table_stats(const struct mac_table *mt, struct mac_stats *s)
{
	*s = mt->stats;
	s->n_entries = mt->n;
	s->max_entries = mt->max;
	s->aging_s = (uint32_t)(mt->aging_ms / 1000);
}
