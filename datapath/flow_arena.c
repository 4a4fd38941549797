/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Megaflow memory: 2 MiB chunks in transparent huge pages, carved by a bump
 * pointer, with a free list per size in cache lines. See flow_arena.h.
 */
#include "flow_arena.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util.h"

enum { N_CLASSES = FLOW_ARENA_MAX / VS_CACHE_LINE + 1 };

struct free_block {
	struct free_block *next;
};

struct chunk {
	struct chunk *next;
};

struct flow_arena {
	pthread_mutex_t mutex;
	struct free_block *free[N_CLASSES]; /* by size in cache lines */
	struct chunk *chunks;               /* each chunk's first line */
	char *bump;                         /* next unused byte of the newest chunk */
	size_t left;                        /* bytes after 'bump' */
	size_t bytes;                       /* in chunks */
};

static size_t
block_size(size_t size)
{
	return (VS_MAX(size, (size_t)1) + VS_CACHE_LINE - 1) & ~(size_t)(VS_CACHE_LINE - 1);
}

struct flow_arena *
flow_arena_create(void)
{
	struct flow_arena *a = calloc(1, sizeof *a);

	if (a) {
		pthread_mutex_init(&a->mutex, NULL);
	}
	return a;
}

void
flow_arena_destroy(struct flow_arena *a)
{
	if (!a) {
		return;
	}
	for (struct chunk *c = a->chunks, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	pthread_mutex_destroy(&a->mutex);
	free(a);
}

/* Takes a new chunk; its first line links it into a->chunks. */
static bool
add_chunk(struct flow_arena *a)
{
	struct chunk *c = aligned_alloc(FLOW_ARENA_CHUNK, FLOW_ARENA_CHUNK);

	if (!c) {
		return false;
	}
	(void)madvise(c, FLOW_ARENA_CHUNK, MADV_HUGEPAGE);
	c->next = a->chunks;
	a->chunks = c;
	a->bump = (char *)c + VS_CACHE_LINE;
	a->left = FLOW_ARENA_CHUNK - VS_CACHE_LINE;
	a->bytes += FLOW_ARENA_CHUNK;
	return true;
}

void *
flow_arena_alloc(struct flow_arena *a, size_t size)
{
	size_t bs = block_size(size);
	void *p = NULL;

	if (bs > FLOW_ARENA_MAX) {
		p = aligned_alloc(VS_CACHE_LINE, bs);
		if (p) {
			memset(p, 0, bs);
		}
		return p;
	}
	pthread_mutex_lock(&a->mutex);
	struct free_block **head = &a->free[bs / VS_CACHE_LINE];

	if (*head) {
		p = *head;
		*head = (*head)->next;
	} else if (a->left >= bs || add_chunk(a)) {
		p = a->bump;
		a->bump += bs;
		a->left -= bs;
	}
	pthread_mutex_unlock(&a->mutex);
	if (p) {
		memset(p, 0, bs);
	}
	return p;
}

void
flow_arena_free(struct flow_arena *a, void *p, size_t size)
{
	size_t bs = block_size(size);

	if (!p) {
		return;
	}
	if (bs > FLOW_ARENA_MAX) {
		free(p);
		return;
	}
	struct free_block *b = p;

	pthread_mutex_lock(&a->mutex);
	b->next = a->free[bs / VS_CACHE_LINE];
	a->free[bs / VS_CACHE_LINE] = b;
	pthread_mutex_unlock(&a->mutex);
}

size_t
flow_arena_bytes(struct flow_arena *a)
{
	size_t n;

	pthread_mutex_lock(&a->mutex);
	n = a->bytes;
	pthread_mutex_unlock(&a->mutex);
	return n;
}
