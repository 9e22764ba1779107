#include "analyzer/tsarena.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>

/* Under AddressSanitizer (the fuzz build), arena memory not handed out is
 * poisoned: a read of a tree after its scope ended is reported. */
#if defined(__SANITIZE_ADDRESS__)
#define TSARENA__ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TSARENA__ASAN 1
#endif
#endif
#ifdef TSARENA__ASAN
#include <sanitizer/asan_interface.h>
#define tsarena__poison(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define tsarena__unpoison(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define tsarena__poison(p, n) ((void)(p), (void)(n))
#define tsarena__unpoison(p, n) ((void)(p), (void)(n))
#endif

/* Every block, bump or heap, starts with this header (16 bytes, so blocks
 * stay 16-byte aligned as malloc's are). */
typedef struct tsarena__hdr {
	size_t size;    /* bytes asked for */
	uintptr_t who;  /* TSARENA__BUMP, 0 (heap, outside a scope) or the arena counting this heap block */
} tsarena__hdr;

#define TSARENA__BUMP ((uintptr_t)1)
#define TSARENA__ALIGN 16
#define TSARENA__FIRST_CHUNK ((size_t)256 << 10)
#define TSARENA__MAX_CHUNK ((size_t)8 << 20)

typedef struct tsarena__chunk {
	struct tsarena__chunk *next;
	size_t size; /* bytes of data */
	size_t used;
	size_t pad;  /* data stays 16-byte aligned */
} tsarena__chunk;

struct th_tsarena {
	tsarena__chunk *head;  /* chunks; those after cur are unused in this scope */
	tsarena__chunk *cur;   /* the chunk blocks come from now; NULL before the first */
	tsarena__hdr *last;    /* the newest bump block, which can grow or be taken back in place */
	size_t cap, keep;
	size_t total;          /* bytes of all chunks */
	size_t used;           /* bytes handed out in the scope */
	size_t heap_live;
};

/* The scope in force on this thread: tree-sitter's callbacks carry no
 * context, so this is the one piece of state they can reach. */
static _Thread_local th_tsarena *tsarena__cur;

static size_t tsarena__round(size_t n)
{
	return (n + TSARENA__ALIGN - 1) & ~(size_t)(TSARENA__ALIGN - 1);
}

static char *tsarena__data(tsarena__chunk *c)
{
	return (char *)(c + 1);
}

/* tree-sitter has no path for a failed allocation: like its own default
 * allocator, stop the process with a message. */
_Noreturn static void tsarena__oom(size_t n)
{
	fprintf(stderr, "thoth: tree-sitter failed to allocate %zu bytes\n", n);
	abort();
}

static void *tsarena__heap(size_t n)
{
	th_tsarena *a = tsarena__cur;
	tsarena__hdr *h;

	if (n > SIZE_MAX - sizeof(*h) || !(h = malloc(sizeof(*h) + n)))
		tsarena__oom(n);
	h->size = n;
	h->who = a ? (uintptr_t)a : 0;
	if (a)
		a->heap_live++;
	return h + 1;
}

/* A chunk after cur with room for need bytes, or a new one within the cap. */
static tsarena__chunk *tsarena__chunk_for(th_tsarena *a, size_t need)
{
	tsarena__chunk *c = a->cur ? a->cur->next : a->head;
	size_t size;

	for (; c; c = c->next)
		if (c->size - c->used >= need)
			return c;
	size = a->cur ? a->cur->size * 2 : TSARENA__FIRST_CHUNK;
	if (size > TSARENA__MAX_CHUNK)
		size = TSARENA__MAX_CHUNK;
	if (size < need)
		size = need;
	if (size > a->cap || a->total > a->cap - size || !(c = malloc(sizeof(*c) + size)))
		return NULL;
	c->size = size;
	c->used = 0;
	tsarena__poison(tsarena__data(c), size);
	a->total += size;
	if (a->cur) {
		c->next = a->cur->next;
		a->cur->next = c;
	} else {
		c->next = a->head;
		a->head = c;
	}
	return c;
}

static void *tsarena__malloc(size_t n)
{
	th_tsarena *a = tsarena__cur;
	size_t need;
	tsarena__chunk *c;
	tsarena__hdr *h;

	if (!a || n > a->cap)
		return tsarena__heap(n);
	need = sizeof(*h) + tsarena__round(n);
	c = a->cur;
	if (!c || c->size - c->used < need) {
		if (!(c = tsarena__chunk_for(a, need)))
			return tsarena__heap(n);
		a->cur = c;
	}
	h = (tsarena__hdr *)(tsarena__data(c) + c->used);
	tsarena__unpoison(h, need);
	c->used += need;
	a->used += need;
	h->size = n;
	h->who = TSARENA__BUMP;
	a->last = h;
	return h + 1;
}

static void *tsarena__calloc(size_t count, size_t size)
{
	void *p;

	if (size && count > SIZE_MAX / size)
		tsarena__oom(SIZE_MAX);
	p = tsarena__malloc(count * size);
	memset(p, 0, count * size);
	return p;
}

static void tsarena__free(void *p)
{
	tsarena__hdr *h;
	th_tsarena *a = tsarena__cur;

	if (!p)
		return;
	h = (tsarena__hdr *)p - 1;
	if (h->who == TSARENA__BUMP) {
		/* The newest block goes back to its chunk; others wait for the
		 * end of the scope. */
		if (a && h == a->last) {
			size_t back = sizeof(*h) + tsarena__round(h->size);
			a->cur->used -= back;
			a->used -= back;
			a->last = NULL;
			tsarena__poison(h, back);
		}
		return;
	}
	if (h->who) {
		th_tsarena *owner = (th_tsarena *)h->who;
		if (owner->heap_live)
			owner->heap_live--;
	}
	free(h);
}

static void *tsarena__realloc(void *p, size_t n)
{
	tsarena__hdr *h;
	th_tsarena *a = tsarena__cur;
	void *q;

	if (!p)
		return tsarena__malloc(n);
	h = (tsarena__hdr *)p - 1;
	if (h->who != TSARENA__BUMP) {
		tsarena__hdr *nh;
		if (n > SIZE_MAX - sizeof(*h) || !(nh = realloc(h, sizeof(*h) + n)))
			tsarena__oom(n);
		nh->size = n;
		return nh + 1;
	}
	if (a && h == a->last && n <= a->cap) {
		/* The newest block grows (or shrinks) where it is when its
		 * chunk has room. */
		size_t old = tsarena__round(h->size), now = tsarena__round(n);
		tsarena__chunk *c = a->cur;
		if (now <= old || c->size - c->used >= now - old) {
			if (now > old)
				tsarena__unpoison((char *)p + old, now - old);
			else
				tsarena__poison((char *)p + now, old - now);
			c->used = c->used - old + now;
			a->used = a->used - old + now;
			h->size = n;
			return p;
		}
	}
	q = tsarena__malloc(n);
	memcpy(q, p, h->size < n ? h->size : n);
	return q;
}

static pthread_once_t tsarena__installed = PTHREAD_ONCE_INIT;

static void tsarena__install(void)
{
	ts_set_allocator(tsarena__malloc, tsarena__calloc, tsarena__realloc, tsarena__free);
}

th_tsarena *th_tsarena_new(size_t cap, size_t keep)
{
	th_tsarena *a;

	pthread_once(&tsarena__installed, tsarena__install);
	if (!(a = calloc(1, sizeof(*a))))
		return NULL;
#ifdef TH_DEBUG_ARENA
	cap = 0; /* every block on the heap, where the sanitizers see it */
#endif
	a->cap = cap;
	a->keep = keep;
	return a;
}

void th_tsarena_free(th_tsarena *a)
{
	if (!a)
		return;
	if (tsarena__cur == a)
		tsarena__cur = NULL;
	for (tsarena__chunk *c = a->head, *next; c; c = next) {
		next = c->next;
		tsarena__unpoison(tsarena__data(c), c->size);
		free(c);
	}
	free(a);
}

void th_tsarena_enter(th_tsarena *a)
{
	a->cur = NULL;
	a->last = NULL;
	a->used = 0;
	a->heap_live = 0;
	tsarena__cur = a;
}

size_t th_tsarena_heap_live(const th_tsarena *a)
{
	return a->heap_live;
}

void th_tsarena_leave(th_tsarena *a)
{
	tsarena__chunk **link = &a->head;
	size_t kept = 0;

	if (tsarena__cur == a)
		tsarena__cur = NULL;
	/* Chunks up to `keep` bytes stay for the next scope, emptied. */
	while (*link) {
		tsarena__chunk *c = *link;
		if (kept + c->size <= a->keep) {
			kept += c->size;
			c->used = 0;
			tsarena__poison(tsarena__data(c), c->size);
			link = &c->next;
		} else {
			*link = c->next;
			a->total -= c->size;
			tsarena__unpoison(tsarena__data(c), c->size);
			free(c);
		}
	}
	a->cur = NULL;
	a->last = NULL;
	a->heap_live = 0;
}

size_t th_tsarena_used(const th_tsarena *a)
{
	return a->used;
}
