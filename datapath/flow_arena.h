/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Memory for megaflows. With a million megaflows a hit touches two random
 * cache lines of a few hundred megabytes; in 4 KiB pages nearly each also
 * misses the TLB. An arena carves blocks out of 2 MiB chunks that it asks
 * the kernel to back with transparent huge pages (a hint: without them it
 * is a plain allocator), and keeps freed blocks on a list per size for
 * reuse. Chunks go back to the system only when the arena is destroyed, so
 * a table that shrinks keeps its peak memory for the next time it grows.
 *
 * Blocks are cache-line aligned and sized in cache lines; a block larger
 * than FLOW_ARENA_MAX comes from the C library. Thread-safe (a mutex: the
 * arena is used when megaflows come and go, not per packet).
 */
#ifndef VS_FLOW_ARENA_H
#define VS_FLOW_ARENA_H

#include <stddef.h>

enum {
	FLOW_ARENA_CHUNK = 2 << 20,
	FLOW_ARENA_MAX = 4096, /* the largest block carved from a chunk */
};

struct flow_arena;

/* Returns an empty arena, or NULL when out of memory. */
struct flow_arena *flow_arena_create(void);

/* Frees every chunk, and so every block carved from them, and the arena.
 * Blocks from the C library (over FLOW_ARENA_MAX) must have been freed.
 * NULL is a no-op. */
void flow_arena_destroy(struct flow_arena *a);

/* A zeroed, cache-line aligned block of at least 'size' bytes, or NULL. */
void *flow_arena_alloc(struct flow_arena *a, size_t size);

/* Returns block 'p', allocated with the same 'size', to the arena. NULL is
 * a no-op. */
void flow_arena_free(struct flow_arena *a, void *p, size_t size);

/* Bytes held in chunks (for statistics and tests). */
size_t flow_arena_bytes(struct flow_arena *a);

#endif /* VS_FLOW_ARENA_H */
