/*
 * tsarena — tree-sitter's memory for one parse at a time, from a bump
 * arena instead of malloc. Private to pysource.
 *
 * A parse allocates and frees hundreds of thousands of small objects, and
 * deleting the tree walks all of them again: together ~14% of a cold scan's
 * CPU. Within a scope (th_tsarena_enter .. th_tsarena_leave on one thread)
 * tree-sitter's allocations come from the arena and its frees cost nothing;
 * leaving the scope takes all of it back at once, so the tree need not be
 * deleted node by node.
 *
 * Bounds: an arena grows to `cap` bytes at most; past that, a scope's further
 * allocations are ordinary heap blocks, freed for real, and the scope says
 * so (th_tsarena_heap_live) so its owner deletes the tree and parser the
 * ordinary way before leaving. After a scope the arena keeps up to `keep`
 * bytes of chunks for the next one.
 *
 * tree-sitter's allocator is process-wide (ts_set_allocator): th_tsarena_new
 * installs this module's functions once, for every thread. Outside a scope
 * they are malloc/realloc/free with a small header. The scope in force is
 * the calling thread's (thread-local): the callbacks get no context.
 *
 * Built with TH_DEBUG_ARENA (the sanitizer build), there is no bump arena:
 * every block is a heap block, so ASan and valgrind see each object.
 */
#ifndef TH_TSARENA_H
#define TH_TSARENA_H

#include <stdbool.h>
#include <stddef.h>

typedef struct th_tsarena th_tsarena;

/* NULL when out of memory. */
th_tsarena *th_tsarena_new(size_t cap, size_t keep);
void th_tsarena_free(th_tsarena *a);

/* This thread's tree-sitter allocations come from a until th_tsarena_leave;
 * scopes do not nest. */
void th_tsarena_enter(th_tsarena *a);
/* Heap blocks handed out in the current scope and not yet freed: when
 * nonzero, tree-sitter objects of the scope must be deleted the ordinary
 * way before leaving, or those blocks leak. */
size_t th_tsarena_heap_live(const th_tsarena *a);
/* Ends the scope; everything the arena handed out in it is gone. */
void th_tsarena_leave(th_tsarena *a);

/* Bytes the arena handed out in the current or last scope (headers
 * included), for tests and benchmarks. */
size_t th_tsarena_used(const th_tsarena *a);

#endif
