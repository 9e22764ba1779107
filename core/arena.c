#include "core/arena.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

struct th_arena_block {
	th_arena_block *next;
	size_t size, used;
	alignas(max_align_t) unsigned char data[];
};

#define ARENA_ALIGN (alignof(max_align_t))

void th_arena_init(th_arena *a, size_t block_size)
{
	a->head = NULL;
	a->block_size = block_size ? block_size : 64 * 1024;
	a->used = 0;
}

void th_arena_release(th_arena *a)
{
	th_arena_block *b = a->head, *next;

	for (; b; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
	a->used = 0;
}

static th_arena_block *arena__block(th_arena *a, size_t size)
{
	th_arena_block *b = malloc(sizeof(*b) + size);

	if (!b)
		return NULL;
	b->size = size;
	b->used = 0;
	b->next = a->head;
	a->head = b;
	return b;
}

void *th_arena_alloc(th_arena *a, size_t size)
{
	th_arena_block *b;
	size_t rounded;

	if (size == 0)
		size = 1;
	if (size > (size_t)-1 / 2)
		return NULL;
	rounded = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	a->used += size;
#ifdef TH_DEBUG_ARENA
	/* One block per object, exactly its size: ASan catches overflows. */
	(void)rounded;
	b = arena__block(a, size);
	if (!b)
		return NULL;
	b->used = size;
	return b->data;
#else
	if (!a->block_size)
		a->block_size = 64 * 1024;
	b = a->head;
	if (!b || b->size - b->used < rounded) {
		if (rounded > a->block_size / 4) {
			/* A large object gets its own block, placed behind the current
			 * one so the current block keeps serving small objects. */
			th_arena_block *big = malloc(sizeof(*big) + rounded);
			if (!big)
				return NULL;
			big->size = big->used = rounded;
			if (b) {
				big->next = b->next;
				b->next = big;
			} else {
				big->next = NULL;
				a->head = big;
			}
			return big->data;
		}
		b = arena__block(a, a->block_size);
		if (!b)
			return NULL;
	}
	b->used += rounded;
	return b->data + b->used - rounded;
#endif
}

void *th_arena_zalloc(th_arena *a, size_t size)
{
	void *p = th_arena_alloc(a, size);

	if (p)
		memset(p, 0, size ? size : 1);
	return p;
}

char *th_arena_strndup(th_arena *a, const char *s, size_t len)
{
	char *p = th_arena_alloc(a, len + 1);

	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *th_arena_strdup(th_arena *a, const char *s)
{
	return th_arena_strndup(a, s, strlen(s));
}
