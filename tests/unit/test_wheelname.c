/* Unit tests of core/wheelname. Expected answers are packaging 23.0's
 * (parse_wheel_filename / parse_sdist_filename), asked once through
 * ../shared/tools/packaging_oracle.py; the broad differential run lives in
 * the debug helper's packaging test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/wheelname.h"

static th_arena arena;

static int setup(void **state)
{
	th_arena_init(&arena, 0);
	return 0;
}

static int teardown(void **state)
{
	th_arena_release(&arena);
	return 0;
}

static th_wheelname wheel(const char *f)
{
	th_wheelname w;
	th_error err = TH_ERROR_INIT;

	if (th_wheelname_parse(&w, f, strlen(f), &arena, &err))
		fail_msg("%s: %s", f, err.msg);
	return w;
}

static int wheel_rc(const char *f, size_t len)
{
	th_wheelname w;
	th_error err = TH_ERROR_INIT;
	int rc = th_wheelname_parse(&w, f, len, &arena, &err);

	if (rc)
		assert_true(err.msg[0] != '\0' && strlen(err.msg) < 400);
	return rc;
}

static const char *version_str(const th_version *v)
{
	static char s[256];
	th_buf b = TH_BUF_INIT;

	assert_int_equal(th_version_format(v, &b, NULL), 0);
	snprintf(s, sizeof(s), "%s", b.ptr);
	th_buf_release(&b);
	return s;
}

static const char *tag_str(const th_tag *t)
{
	static char s[300];
	snprintf(s, sizeof(s), "%s-%s-%s", t->interpreter, t->abi, t->platform);
	return s;
}

static void valid_wheel_names(void **state)
{
	th_wheelname w = wheel("numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl");

	assert_string_equal(w.name, "numpy");
	assert_string_equal(version_str(&w.version), "1.26.4");
	assert_null(w.build);
	assert_null(w.build_num);
	assert_int_equal(w.ntags, 2);
	assert_string_equal(tag_str(&w.tags[0]), "cp311-cp311-manylinux_2_17_x86_64");
	assert_string_equal(tag_str(&w.tags[1]), "cp311-cp311-manylinux2014_x86_64");

	w = wheel("Foo.Bar_baz-2.0.post1-0012abc-py2.py3-none-any.whl");
	assert_string_equal(w.name, "foo-bar-baz");
	assert_string_equal(w.name_raw, "Foo.Bar_baz");
	assert_string_equal(w.version_raw, "2.0.post1");
	assert_string_equal(w.build, "0012abc");
	assert_string_equal(w.build_num, "12");
	assert_string_equal(w.build_suffix, "abc");
	assert_int_equal(w.ntags, 2);
	assert_string_equal(tag_str(&w.tags[1]), "py3-none-any");

	/* Tags are lower-cased and form a set. */
	w = wheel("X-1.0-PY3.py3-NONE.none-Any.any.whl");
	assert_int_equal(w.ntags, 1);
	assert_string_equal(tag_str(&w.tags[0]), "py3-none-any");
	w = wheel("x-1.0-py2.py3-none-a.b.whl");
	assert_int_equal(w.ntags, 4);

	/* What 23.0 accepts although later versions do not: an empty name, empty
	 * tag parts, a trailing newline in the name. */
	w = wheel("-1.0-py3-none-any.whl");
	assert_string_equal(w.name, "");
	w = wheel("foo-1.0--none-any.whl");
	assert_string_equal(tag_str(&w.tags[0]), "-none-any");
	w = wheel("foo-1.0-py3.-none-any.whl");
	assert_int_equal(w.ntags, 2);
	w = wheel("foo\n-1.0-py3-none-any.whl");
	assert_string_equal(w.name, "foo\n");
	w = wheel("playlyfe-0.1.1-2.7.6-none-any.whl"); /* "2.7.6" reads as three interpreter tags */
	assert_int_equal(w.ntags, 3);
	w = wheel("foo-1.0-py3-none-a ny.whl");
	assert_string_equal(w.tags[0].platform, "a ny");

	/* Build numbers: Unicode decimal digits count, the suffix stops at a newline. */
	w = wheel("foo-1.0-\xD9\xA1\xD9\xA2x-py3-none-any.whl"); /* Arabic-Indic 1 2 */
	assert_string_equal(w.build_num, "12");
	assert_string_equal(w.build_suffix, "x");
	w = wheel("foo-1.0-0012ab\ncd-py3-none-any.whl");
	assert_string_equal(w.build_suffix, "ab");
	w = wheel("foo-1.0-000-py3-none-any.whl");
	assert_string_equal(w.build_num, "0");

	/* Non-ASCII names: Latin-1 letters are word characters and lower-case. */
	w = wheel("F\xC3\x89\xC3\xA9.x-1.0-py3-none-any.whl");
	assert_string_equal(w.name, "f\xC3\xA9\xC3\xA9-x");
	w = wheel("foo_b\xC3\xA1r-1.0-1000-py3-none-any.whl");
	assert_string_equal(w.name, "foo-b\xC3\xA1r");
	/* The version is PEP 440 and normalized; whitespace around it is allowed. */
	w = wheel("foo- 1.0 -py3-none-any.whl");
	assert_string_equal(version_str(&w.version), "1.0");
	w = wheel("torch-2.1.0+CU118-cp310-cp310-linux_x86_64.whl");
	assert_string_equal(version_str(&w.version), "2.1.0+cu118");
}

static void invalid_wheel_names(void **state)
{
	static const char *bad[] = {
		"foo-1.0.whl",                       /* too few parts */
		"foo-1.0-py3-none-any.wheel",        /* extension */
		"foo-1.0-py3-none-any.WHL",
		"foo__bar-1.0-py3-none-any.whl",     /* "__" */
		"foo#bar-1.0-py3-none-any.whl",      /* not a word character */
		"foo\n\n-1.0-py3-none-any.whl",      /* only one final newline passes */
		"fo\xC3\x97o-1.0-py3-none-any.whl",  /* U+00D7 is not a word character */
		"foo bar-1.0-py3-none-any.whl",
		"foobar-1.x-py3-none-any.whl",       /* version */
		"foo-1.0-abc-py3-none-any.whl",      /* build must start with a digit */
		"foo-1.0--py3-none-any.whl",
		"foo-1.0-200-py3-none-any-junk.whl", /* too many parts */
		".whl", "-.whl", "----.whl", "------.whl", "",
		"fo\xFFo-1.0-py3-none-any.whl",      /* invalid UTF-8 */
		"foo-1.0-py3-none-\xC3.whl",
		"foo-1.0-1\xFF-py3-none-any.whl",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (wheel_rc(bad[i], strlen(bad[i])) == 0)
			fail_msg("accepted: %s", bad[i]);
	/* A NUL byte inside the name. */
	assert_int_equal(wheel_rc("fo\0o-1.0-py3-none-any.whl", 25), TH_ERR_INVALID);
}

static void hostile_wheel_names(void **state)
{
	/* Build numbers: 4300 digits pass, 4301 do not (Python's int() limit). */
	size_t n = 4301;
	char *s = malloc(n + 64);

	assert_non_null(s);
	memcpy(s, "x-1.0-", 6);
	memset(s + 6, '9', 4300);
	strcpy(s + 6 + 4300, "-py3-none-any.whl");
	th_wheelname w = wheel(s);
	assert_int_equal(strlen(w.build_num), 4300);
	memset(s + 6, '0', 4301);
	strcpy(s + 6 + 4301, "-py3-none-any.whl");
	assert_int_equal(wheel_rc(s, strlen(s)), TH_ERR_INVALID);
	free(s);

	/* A compressed set that would expand to 27 million tags. */
	th_buf b = TH_BUF_INIT;
	assert_int_equal(th_buf_puts(&b, "x-1.0-", NULL), 0);
	for (int part = 0; part < 3; part++) {
		for (int i = 0; i < 300; i++)
			assert_int_equal(th_buf_printf(&b, NULL, "%s%d", i ? "." : "", i), 0);
		assert_int_equal(th_buf_puts(&b, part < 2 ? "-" : ".whl", NULL), 0);
	}
	assert_int_equal(wheel_rc(b.ptr, b.len), TH_ERR_LIMIT);
	th_buf_release(&b);

	/* A very long but valid name. */
	th_buf_init(&b, 0);
	for (int i = 0; i < 100000; i++)
		assert_int_equal(th_buf_putc(&b, (char)('a' + i % 26), NULL), 0);
	assert_int_equal(th_buf_puts(&b, "-1.0-py3-none-any.whl", NULL), 0);
	assert_int_equal(wheel_rc(b.ptr, b.len), 0);
	/* Truncations of a real name never crash. */
	const char *real = "numpy-1.26.4-1x-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
	for (size_t k = 0; k <= strlen(real); k++)
		wheel_rc(real, k);
	th_buf_release(&b);
}

static void build_tag_order(void **state)
{
	const char *order[] = {
		"x-1.0-py3-none-any.whl",    "x-1.0-0-py3-none-any.whl",  "x-1.0-1-py3-none-any.whl",
		"x-1.0-1a-py3-none-any.whl", "x-1.0-1b-py3-none-any.whl", "x-1.0-2-py3-none-any.whl",
		"x-1.0-10-py3-none-any.whl", "x-1.0-99999999999999999999-py3-none-any.whl",
	};
	size_t n = sizeof(order) / sizeof(order[0]);
	th_wheelname w[8];

	for (size_t i = 0; i < n; i++)
		w[i] = wheel(order[i]);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			assert_int_equal(th_wheelname_build_cmp(&w[i], &w[j]), (i > j) - (i < j));
	th_wheelname z = wheel("x-1.0-0001a-py3-none-any.whl");
	assert_int_equal(th_wheelname_build_cmp(&z, &w[3]), 0);
}

static void sdist_names(void **state)
{
	static const struct {
		const char *file, *name, *version;
	} ok[] = {
		{ "foo-1.0.tar.gz", "foo", "1.0" },
		{ "foo-1.0.zip", "foo", "1.0" },
		{ "Foo_Bar-baz-2.0.tar.gz", "foo-bar-baz", "2.0" },
		{ "-1.0.tar.gz", "", "1.0" },
		{ "a b-1.tar.gz", "a b", "1" },
		{ "x--1.tar.gz", "x-", "1" },
		{ "X.Y-1.0RC1.zip", "x-y", "1.0rc1" },
		{ "x-v2.zip", "x", "2" },
	};
	static const char *bad[] = { "foo-1.0.xz", "foo1.0.tar.gz", "foo-1.x.tar.gz", ".tar.gz", "-.tar.gz",
				     "x-1.0.TAR.GZ", "x-1.0.tar.gz.zip", "x-1.0-.zip", "\xFF-1.0.zip", "" };
	th_sdistname s;
	th_error err = TH_ERROR_INIT;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (th_sdistname_parse(&s, ok[i].file, strlen(ok[i].file), &arena, &err))
			fail_msg("%s: %s", ok[i].file, err.msg);
		assert_string_equal(s.name, ok[i].name);
		assert_string_equal(version_str(&s.version), ok[i].version);
	}
	assert_string_equal(s.ext, ".zip");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!th_sdistname_parse(&s, bad[i], strlen(bad[i]), &arena, &err))
			fail_msg("accepted: %s", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(valid_wheel_names, setup, teardown),
		cmocka_unit_test_setup_teardown(invalid_wheel_names, setup, teardown),
		cmocka_unit_test_setup_teardown(hostile_wheel_names, setup, teardown),
		cmocka_unit_test_setup_teardown(build_tag_order, setup, teardown),
		cmocka_unit_test_setup_teardown(sdist_names, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
