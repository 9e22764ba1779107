/* Unit tests of core/: error, buf, arena, limits, hash, json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/json.h"
#include "core/limits.h"

static void error_is_one_line_and_prefixed(void **state)
{
	th_error err = TH_ERROR_INIT;

	assert_int_equal(th_error_set(&err, TH_ERR_INVALID, "bad\nthing %d", 7), TH_ERR_INVALID);
	assert_string_equal(err.msg, "bad thing 7");
	th_error_prefix(&err, "file %s", "x.json");
	assert_string_equal(err.msg, "file x.json: bad thing 7");
	assert_int_equal(err.code, TH_ERR_INVALID);
	assert_int_equal(th_error_set(NULL, TH_ERR_IO, "ignored"), TH_ERR_IO);
	th_error_clear(&err);
	assert_int_equal(err.code, TH_OK);
}

static void buf_never_null_and_capped(void **state)
{
	th_buf b = TH_BUF_INIT;
	th_error err = TH_ERROR_INIT;

	assert_non_null(b.ptr);
	assert_string_equal(b.ptr, "");
	assert_int_equal(th_buf_printf(&b, &err, "%s-%d", "a", 1), 0);
	assert_string_equal(b.ptr, "a-1");
	th_buf_release(&b);
	assert_string_equal(b.ptr, "");

	th_buf_init(&b, 8);
	assert_int_equal(th_buf_puts(&b, "12345678", &err), 0);
	assert_int_equal(th_buf_putc(&b, '9', &err), TH_ERR_LIMIT);
	assert_int_equal(b.len, 8);
	assert_string_equal(b.ptr, "12345678");
	size_t n;
	char *s = th_buf_detach(&b, &n);
	assert_int_equal(n, 8);
	assert_string_equal(s, "12345678");
	free(s);
	assert_int_equal(b.len, 0);
	th_buf_release(&b);
}

static void arena_allocates_aligned_and_large(void **state)
{
	th_arena a;

	th_arena_init(&a, 256);
	for (int i = 0; i < 1000; i++) {
		char *p = th_arena_alloc(&a, (size_t)(i % 37) + 1);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
		memset(p, 'x', (size_t)(i % 37) + 1);
	}
	char *big = th_arena_zalloc(&a, 100000);
	assert_non_null(big);
	assert_int_equal(big[99999], 0);
	assert_string_equal(th_arena_strndup(&a, "hello world", 5), "hello");
	th_arena_release(&a);
	assert_null(a.head);
}

static void limits_parse_and_reject(void **state)
{
	th_limits l;
	th_error err = TH_ERROR_INIT;

	th_limits_init(&l);
	assert_int_equal(l.symlink_depth, 40);
	assert_int_equal(th_limits_set(&l, "file_bytes=2M", &err), 0);
	assert_int_equal(l.file_bytes, 2u << 20);
	assert_int_equal(th_limits_set(&l, "SYMLINK_DEPTH=8", &err), 0);
	assert_int_equal(l.symlink_depth, 8);
	assert_int_equal(th_limits_set(&l, "nope=1", &err), TH_ERR_USAGE);
	assert_non_null(strstr(err.msg, "no limit named 'nope'"));
	assert_int_equal(th_limits_set(&l, "file_bytes=-1", &err), TH_ERR_USAGE);
	assert_int_equal(th_limits_set(&l, "file_bytes=0", &err), TH_ERR_USAGE);
	assert_int_equal(th_limits_set(&l, "file_bytes=99999999999999999999", &err), TH_ERR_USAGE);
	assert_int_equal(th_limits_set(&l, "file_bytes", &err), TH_ERR_USAGE);
	setenv("THOTH_LIMIT_JSON_DEPTH", "5", 1);
	assert_int_equal(th_limits_from_env(&l, &err), 0);
	assert_int_equal(l.json_depth, 5);
	setenv("THOTH_LIMIT_JSON_DEPTH", "x", 1);
	assert_int_equal(th_limits_from_env(&l, &err), TH_ERR_USAGE);
	unsetenv("THOTH_LIMIT_JSON_DEPTH");
}

static void sha256_known_answers(void **state)
{
	char hex[TH_SHA256_HEX];
	th_sha256 h;

	assert_int_equal(th_sha256_hex(hex, "", 0, NULL), 0);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_int_equal(th_sha256_init(&h, NULL), 0);
	th_sha256_update(&h, "a", 1);
	th_sha256_update(&h, "bc", 2);
	th_sha256_final(&h, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void json_reads_and_bounds_depth(void **state)
{
	th_json *root;
	th_error err = TH_ERROR_INIT;
	const char *doc = "{\"a\": [1, 2.5, \"x\"], \"b\": {\"c\": true}, \"d\": null}";
	const char *key;
	th_json *val;

	assert_int_equal(th_json_parse(&root, doc, strlen(doc), 10, "doc", &err), 0);
	assert_int_equal(th_json_typeof(th_json_get(root, "a")), TH_JSON_ARRAY);
	assert_int_equal(th_json_len(th_json_get(root, "a")), 3);
	assert_int_equal(th_json_int(th_json_at(th_json_get(root, "a"), 0)), 1);
	assert_true(th_json_real(th_json_at(th_json_get(root, "a"), 1)) == 2.5);
	assert_string_equal(th_json_str(th_json_at(th_json_get(root, "a"), 2), NULL), "x");
	assert_true(th_json_bool(th_json_get(th_json_get(root, "b"), "c")));
	assert_int_equal(th_json_typeof(th_json_get(root, "d")), TH_JSON_NULL);
	assert_int_equal(th_json_typeof(th_json_get(root, "missing")), TH_JSON_NONE);
	assert_null(th_json_str(th_json_get(th_json_get(root, "x"), "y"), NULL));
	assert_true(th_json_member(root, 1, &key, &val));
	assert_string_equal(key, "b");
	assert_false(th_json_member(root, 3, &key, &val));
	th_json_free(root);

	assert_int_equal(th_json_parse(&root, "[[[[1]]]]", 9, 3, "deep.json", &err), TH_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "deep.json"));
	assert_null(root);
	assert_int_equal(th_json_parse(&root, "{\"a\":", 5, 10, "cut.json", &err), TH_ERR_INVALID);
	assert_non_null(strstr(err.msg, "cut.json: malformed JSON"));
	assert_int_equal(th_json_parse(&root, "{\"a\":1,\"a\":2}", 13, 10, "dup.json", &err), TH_ERR_INVALID);
}

static void json_writer_escapes_and_nests(void **state)
{
	th_buf b = TH_BUF_INIT;
	th_jw w;

	th_jw_init(&w, &b, 0, NULL);
	th_jw_obj_begin(&w);
	th_jw_key(&w, "s");
	th_jw_strn(&w, "a\"b\\\n\x01\xff\xc3\xa9", 9);
	th_jw_key(&w, "n");
	th_jw_arr_begin(&w);
	th_jw_int(&w, -3);
	th_jw_real(&w, 0.1);
	th_jw_bool(&w, true);
	th_jw_null(&w);
	th_jw_str(&w, NULL);
	th_jw_arr_end(&w);
	th_jw_key(&w, "e");
	th_jw_obj_begin(&w);
	th_jw_obj_end(&w);
	th_jw_obj_end(&w);
	assert_int_equal(th_jw_finish(&w), 0);
	assert_string_equal(b.ptr, "{\"s\":\"a\\\"b\\\\\\n\\u0001\xef\xbf\xbd\xc3\xa9\",\"n\":[-3,0.1,true,null,null],\"e\":{}}");
	th_buf_release(&b);

	th_jw_init(&w, &b, 1, NULL);
	th_jw_obj_begin(&w);
	th_jw_key(&w, "a");
	th_jw_arr_begin(&w);
	th_jw_int(&w, 1);
	th_jw_arr_end(&w);
	th_jw_obj_end(&w);
	assert_string_equal(b.ptr, "{\n  \"a\": [\n    1\n  ]\n}\n");
	th_buf_release(&b);
}

/* Arrays and objects of more than 256 members keep their commas (the
 * writer once counted members in a byte). */
static void json_writer_long_arrays(void **state)
{
	th_buf b = TH_BUF_INIT;
	th_jw w;
	th_json *root;

	th_jw_init(&w, &b, 0, NULL);
	th_jw_arr_begin(&w);
	for (int i = 0; i < 600; i++)
		th_jw_int(&w, i);
	th_jw_arr_end(&w);
	assert_int_equal(th_jw_finish(&w), 0);
	assert_int_equal(th_json_parse(&root, b.ptr, b.len, 8, "long array", NULL), 0);
	assert_int_equal(th_json_len(root), 600);
	assert_int_equal(th_json_int(th_json_at(root, 599)), 599);
	th_json_free(root);
	th_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(error_is_one_line_and_prefixed),
		cmocka_unit_test(buf_never_null_and_capped),
		cmocka_unit_test(arena_allocates_aligned_and_large),
		cmocka_unit_test(limits_parse_and_reject),
		cmocka_unit_test(sha256_known_answers),
		cmocka_unit_test(json_reads_and_bounds_depth),
		cmocka_unit_test(json_writer_escapes_and_nests),
		cmocka_unit_test(json_writer_long_arrays),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
