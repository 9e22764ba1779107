/* Unit tests of analyzer/store: schema, transactions, hostile image databases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/store.h"

static char *tmp_db(void)
{
	const char *t = getenv("TMPDIR");
	char *p = malloc(512);

	snprintf(p, 512, "%s/test_store_XXXXXX", t ? t : "/tmp");
	assert_non_null(mkdtemp(p));
	strcat(p, "/sub/dir/t.db");
	return p;
}

static void opens_creates_and_migrates(void **state)
{
	char *path = tmp_db();
	th_store *s;
	th_error err = TH_ERROR_INIT;
	th_buf v = TH_BUF_INIT;

	assert_int_equal(th_store_open(&s, path, &err), 0);
	assert_int_equal(th_store_schema_version(s), th_store_schema_latest());
	assert_int_equal(th_store_begin(s, &err), 0);
	assert_int_equal(th_store_begin(s, &err), TH_ERR_DB);
	assert_int_equal(th_store_meta_set(s, "k", "v1", &err), 0);
	assert_int_equal(th_store_commit(s, &err), 0);
	assert_int_equal(th_store_begin(s, &err), 0);
	assert_int_equal(th_store_meta_set(s, "k", "v2", &err), 0);
	th_store_rollback(s);
	assert_int_equal(th_store_meta_get(s, "k", &v, &err), 0);
	assert_string_equal(v.ptr, "v1");
	assert_int_equal(th_store_meta_get(s, "absent", &v, &err), TH_ERR_NOTFOUND);
	assert_int_equal(th_store_check(s, &err), 0);
	th_store_free(s);

	/* Reopening keeps data and does not migrate again. */
	assert_int_equal(th_store_open(&s, path, &err), 0);
	assert_int_equal(th_store_meta_get(s, "k", &v, &err), 0);
	assert_string_equal(v.ptr, "v1");
	th_store_free(s);
	th_buf_release(&v);
	free(path);
}

static void refuses_a_newer_schema(void **state)
{
	char *path = tmp_db();
	th_store *s;
	th_error err = TH_ERROR_INIT;
	char cmd[1024];

	assert_int_equal(th_store_open(&s, path, &err), 0);
	th_store_free(s);
	/* Bump user_version with the sqlite3 shell if present; else skip. */
	snprintf(cmd, sizeof(cmd), "command -v sqlite3 >/dev/null && sqlite3 '%s' 'PRAGMA user_version=999'", path);
	if (system(cmd) != 0) {
		free(path);
		skip();
	}
	assert_int_equal(th_store_open(&s, path, &err), TH_ERR_DB);
	assert_null(s);
	assert_non_null(strstr(err.msg, "newer than this thoth"));
	free(path);
}

static int collect(void *ud, int ncols, const void *const *vals, const size_t *lens)
{
	int *n = ud;

	assert_int_equal(ncols, 2);
	assert_int_equal(lens[0], 3);
	assert_memory_equal(vals[0], "key", 3);
	(*n)++;
	return 0;
}

static void reads_an_image_database_defensively(void **state)
{
	char *path = tmp_db();
	th_store *s;
	th_store_image *im;
	th_error err = TH_ERROR_INIT;
	th_limits lim;
	unsigned char *bytes;
	long len;
	FILE *f;
	int rows = 0;

	th_limits_init(&lim);
	assert_int_equal(th_store_open(&s, path, &err), 0);
	assert_int_equal(th_store_meta_set(s, "key", "value", &err), 0);
	th_store_free(s);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	bytes = malloc((size_t)len);
	assert_int_equal(fread(bytes, 1, (size_t)len, f), (size_t)len);
	fclose(f);

	assert_int_equal(th_store_image_open(&im, bytes, (size_t)len, "rpmdb.sqlite", &lim, &err), 0);
	assert_int_equal(th_store_image_query(im, "SELECT key, value FROM meta", collect, &rows, &err), 0);
	assert_int_equal(rows, 1);
	/* Read-only: writes are refused. */
	assert_int_not_equal(th_store_image_query(im, "DELETE FROM meta", collect, &rows, &err), 0);
	assert_int_equal(th_store_image_query(im, "SELECT * FROM nope", collect, &rows, &err), TH_ERR_INVALID);
	assert_non_null(strstr(err.msg, "rpmdb.sqlite"));
	th_store_image_free(im);

	/* Not a database, truncated, and over the size limit. */
	assert_int_equal(th_store_image_open(&im, "hello", 5, "x.db", &lim, &err), TH_ERR_INVALID);
	/* A truncated file may open (pages are read lazily) but never yields rows. */
	if (th_store_image_open(&im, bytes, 100, "cut.db", &lim, &err) == 0) {
		rows = 0;
		assert_int_not_equal(th_store_image_query(im, "SELECT key, value FROM meta", collect, &rows, &err), 0);
		assert_non_null(strstr(err.msg, "cut.db"));
		th_store_image_free(im);
	}
	lim.db_image_bytes = 10;
	assert_int_equal(th_store_image_open(&im, bytes, (size_t)len, "big.db", &lim, &err), TH_ERR_LIMIT);
	free(bytes);
	free(path);
}

static void default_path_follows_the_environment(void **state)
{
	th_buf p = TH_BUF_INIT;

	setenv("THOTH_DB", "/x/explicit.db", 1);
	assert_int_equal(th_store_default_path(&p, NULL), 0);
	assert_string_equal(p.ptr, "/x/explicit.db");
	unsetenv("THOTH_DB");
	setenv("XDG_CACHE_HOME", "/x/cache", 1);
	assert_int_equal(th_store_default_path(&p, NULL), 0);
	assert_string_equal(p.ptr, "/x/cache/thoth/thoth.db");
	setenv("XDG_CACHE_HOME", "relative", 1); /* not absolute: ignored, as the XDG spec says */
	setenv("HOME", "/home/u", 1);
	assert_int_equal(th_store_default_path(&p, NULL), 0);
	assert_string_equal(p.ptr, "/home/u/.cache/thoth/thoth.db");
	unsetenv("XDG_CACHE_HOME");
	unsetenv("HOME");
	assert_int_equal(th_store_default_path(&p, NULL), TH_ERR_USAGE);
	th_buf_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_path_follows_the_environment),
		cmocka_unit_test(opens_creates_and_migrates),
		cmocka_unit_test(refuses_a_newer_schema),
		cmocka_unit_test(reads_an_image_database_defensively),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
