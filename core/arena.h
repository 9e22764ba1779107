/*
 * arena — a bump allocator for one unit of work (a layer, a file, a
 * resolution). Everything allocated from it is freed at once by
 * th_arena_release(). Objects are never freed one by one.
 *
 * Built with TH_DEBUG_ARENA (the sanitizer build turns it on), every
 * allocation is its own malloc() kept on a list, so ASan and valgrind see
 * overflows and use-after-release of each object.
 */
#ifndef TH_ARENA_H
#define TH_ARENA_H

#include <stddef.h>

typedef struct th_arena_block th_arena_block;

typedef struct th_arena {
	th_arena_block *head; /* owned chain of blocks, newest first */
	size_t block_size;    /* bytes per ordinary block */
	size_t used;          /* bytes handed out, for limits and benchmarks */
} th_arena;

#define TH_ARENA_INIT { NULL, 0, 0 }

void th_arena_init(th_arena *a, size_t block_size);
void th_arena_release(th_arena *a);
/* Aligned for any type; NULL only when memory runs out. */
void *th_arena_alloc(th_arena *a, size_t size);
void *th_arena_zalloc(th_arena *a, size_t size);
/* A NUL-terminated copy of (s, len). */
char *th_arena_strndup(th_arena *a, const char *s, size_t len);
char *th_arena_strdup(th_arena *a, const char *s);

#endif
