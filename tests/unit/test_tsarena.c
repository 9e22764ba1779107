/* Unit tests of analyzer/tsarena: trees parsed with tree-sitter's memory in
 * the arena are the trees parsed on the heap; past the cap the scope's
 * blocks are heap blocks, counted until freed; arenas reuse their chunks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>

#include "analyzer/tsarena.h"
#include "core/buf.h"

const TSLanguage *tree_sitter_python(void);

/* A source of n functions, some with syntax errors (error recovery
 * allocates and frees the most). */
static char *source(int n, size_t *len)
{
	th_buf b = TH_BUF_INIT;

	for (int i = 0; i < n; i++)
		th_buf_printf(&b, NULL, "import mod%d as m%d\ndef f%d(x, y=%d):\n    return m%d.call(x, [y, {'k': %d}])%s\n", i,
			      i, i, i, i, i, i % 7 == 0 ? " ((" : "");
	return th_buf_detach(&b, len);
}

/* tree-sitter's free, for what ts_node_string returns */
extern void (*ts_current_free)(void *);

/* The tree's S-expression, copied out of tree-sitter's memory; *live is
 * the scope's heap blocks before deleting anything, *left after deleting
 * the tree and the parser. */
static char *parse_string(th_tsarena *a, const char *text, size_t len, size_t *live, size_t *left)
{
	TSParser *ts;
	TSTree *t;
	char *s, *copy;

	if (a)
		th_tsarena_enter(a);
	ts = ts_parser_new();
	assert_true(ts_parser_set_language(ts, tree_sitter_python()));
	t = ts_parser_parse_string(ts, NULL, text, (uint32_t)len);
	assert_non_null(t);
	s = ts_node_string(ts_tree_root_node(t));
	copy = strdup(s);
	ts_current_free(s);
	if (live)
		*live = a ? th_tsarena_heap_live(a) : 0;
	if (!a || th_tsarena_heap_live(a))
		ts_tree_delete(t);
	ts_parser_delete(ts);
	if (left)
		*left = a ? th_tsarena_heap_live(a) : 0;
	if (a)
		th_tsarena_leave(a);
	return copy;
}

static void arena_tree_equals_heap_tree(void **state)
{
	/* the arena first: it installs the allocator the heap parse uses too */
	th_tsarena *a = th_tsarena_new((size_t)256 << 20, (size_t)8 << 20);
	size_t len, live = 1, left = 1;
	char *text = source(400, &len);
	char *heap = parse_string(NULL, text, len, NULL, NULL);

	(void)state;
	assert_non_null(a);
	assert_non_null(strstr(heap, "ERROR"));
	for (int round = 0; round < 3; round++) {
		char *in = parse_string(a, text, len, &live, &left);
		assert_string_equal(in, heap);
		free(in);
		assert_int_equal(left, 0);
#ifndef TH_DEBUG_ARENA
		/* everything came from the arena: nothing to delete one by one */
		assert_int_equal(live, 0);
		assert_true(th_tsarena_used(a) > len);
#endif
	}
	th_tsarena_free(a);
	free(heap);
	free(text);
}

static void past_the_cap_blocks_are_heap_blocks(void **state)
{
	/* a cap far below what the parse needs */
	th_tsarena *a = th_tsarena_new(64 << 10, 64 << 10);
	size_t len, live = 0, left = 1;
	char *text = source(2000, &len);
	char *heap = parse_string(NULL, text, len, NULL, NULL);
	char *in;

	(void)state;
	in = parse_string(a, text, len, &live, &left);
	assert_string_equal(in, heap);
	assert_true(live > 0);
	/* the tree and parser deleted: every counted heap block was freed */
	assert_int_equal(left, 0);
	free(in);
	th_tsarena_free(a);
	free(heap);
	free(text);
}

static void heap_blocks_are_counted_until_freed(void **state)
{
	th_tsarena *a = th_tsarena_new(0, 0); /* no arena at all: every block on the heap */
	TSParser *ts;

	(void)state;
	th_tsarena_enter(a);
	ts = ts_parser_new();
	assert_true(th_tsarena_heap_live(a) > 0);
	ts_parser_delete(ts);
	assert_int_equal(th_tsarena_heap_live(a), 0);
	th_tsarena_leave(a);
	th_tsarena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arena_tree_equals_heap_tree),
		cmocka_unit_test(past_the_cap_blocks_are_heap_blocks),
		cmocka_unit_test(heap_blocks_are_counted_until_freed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
