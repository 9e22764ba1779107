/* Fuzz target: a target as a user or an environment file writes it,
 * "PYTHON\nPLATFORM" (--python / --python-platform), and the same lines as an
 * explicit platform list. Parsing must never crash; a parsed target's tag
 * list must index into a tag set where every tag finds itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/tags.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const th_target *t, th_arena *a)
{
	th_tag *tags;
	size_t n;
	th_tagset *set;

	if (th_tags_supported(&tags, &n, t, a, NULL) || th_tagset_build(&set, tags, n, a, NULL))
		return;
	for (size_t i = 0; i < n; i++) {
		int r = th_tagset_find(set, tags[i].interpreter, tags[i].abi, tags[i].platform);
		if (r < 0 || r > (int)i)
			abort();
	}
	if (th_tags_rank(set, tags, n) != (n ? 0 : -1))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_arena a;
	th_target t;
	char *text, *lines[64];
	size_t nlines = 0;

	if (size > 4096)
		return 0;
	th_arena_init(&a, 0);
	text = th_arena_strndup(&a, (const char *)data, size); /* stops at a NUL, as a C string would */
	for (char *p = text; p && nlines < 64; nlines++) {
		lines[nlines] = p;
		if ((p = strchr(p, '\n')))
			*p++ = '\0';
	}
	if (nlines >= 2 && th_target_parse(&t, lines[0], lines[1], &a, NULL) == 0)
		check(&t, &a);
	if (nlines >= 1 &&
	    th_target_init_platforms(&t, lines[0], (const char *const *)lines + 1, nlines - 1, &a, NULL) == 0)
		check(&t, &a);
	th_arena_release(&a);
	return 0;
}
