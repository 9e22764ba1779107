/* Unit tests of analyzer/store's statement cache (store__stmt_get/put), white
 * box: the only test that includes the store's private header, because the
 * cache is an interface between the store's own files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/store_impl.h"

static th_store *open_tmp(char *path, size_t cap)
{
	const char *t = getenv("TMPDIR");
	th_store *s;
	th_error err = TH_ERROR_INIT;

	snprintf(path, cap, "%s/test_store_stmt_XXXXXX", t ? t : "/tmp");
	assert_non_null(mkdtemp(path));
	strcat(path, "/t.db");
	assert_int_equal(th_store_open(&s, path, &err), 0);
	return s;
}

static void reused_and_reset(void **state)
{
	static const char *const q = "SELECT value FROM meta WHERE key = ?1";
	char path[512];
	th_store *s = open_tmp(path, sizeof(path));
	th_error err = TH_ERROR_INIT;
	sqlite3_stmt *a, *b;

	assert_int_equal(th_store_meta_set(s, "k", "v", &err), 0);
	assert_int_equal(store__stmt_get(s, &a, q, &err), 0);
	sqlite3_bind_text(a, 1, "k", -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(a), SQLITE_ROW);
	store__stmt_put(s, a);
	/* the same statement again, reset and with its bindings cleared */
	assert_int_equal(store__stmt_get(s, &b, q, &err), 0);
	assert_ptr_equal(a, b);
	assert_int_equal(sqlite3_step(b), SQLITE_DONE); /* ?1 is NULL now: no row */
	store__stmt_put(s, b);
	/* a copy of the text finds it too */
	char copy[64];
	strcpy(copy, q);
	assert_int_equal(store__stmt_get(s, &b, copy, &err), 0);
	assert_ptr_equal(a, b);
	store__stmt_put(s, b);
	th_store_free(s);
}

static void nested_use_gets_a_private_statement(void **state)
{
	static const char *const q = "SELECT key FROM meta ORDER BY key";
	char path[512];
	th_store *s = open_tmp(path, sizeof(path));
	th_error err = TH_ERROR_INIT;
	sqlite3_stmt *outer, *inner;
	int rows = 0;

	assert_int_equal(th_store_meta_set(s, "a", "1", &err), 0);
	assert_int_equal(th_store_meta_set(s, "b", "2", &err), 0);
	assert_int_equal(store__stmt_get(s, &outer, q, &err), 0);
	while (sqlite3_step(outer) == SQLITE_ROW) {
		/* the same query while the first is mid-walk: a fresh statement */
		assert_int_equal(store__stmt_get(s, &inner, q, &err), 0);
		assert_ptr_not_equal(inner, outer);
		assert_int_equal(sqlite3_step(inner), SQLITE_ROW);
		store__stmt_put(s, inner); /* finalized: not the cached one */
		rows++;
	}
	assert_int_equal(rows, 2);
	store__stmt_put(s, outer);
	/* a statement never put back is finalized with the store (ASan/valgrind) */
	assert_int_equal(store__stmt_get(s, &outer, q, &err), 0);
	th_store_free(s);
}

static void bad_sql_is_an_error(void **state)
{
	char path[512];
	th_store *s = open_tmp(path, sizeof(path));
	th_error err = TH_ERROR_INIT;
	sqlite3_stmt *st;

	assert_int_equal(store__stmt_get(s, &st, "SELECT nope FROM nowhere", &err), TH_ERR_DB);
	assert_null(st);
	assert_non_null(strstr(err.msg, "nowhere"));
	store__stmt_put(s, NULL);
	th_store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reused_and_reset),
		cmocka_unit_test(nested_use_gets_a_private_statement),
		cmocka_unit_test(bad_sql_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
