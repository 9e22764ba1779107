/* Unit tests of core/version: PEP 440 parsing, normal forms, fields and
 * order, as packaging 23.0 gives them (each expected value was checked
 * against it), and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/version.h"

#define LEN(s) (sizeof(s) - 1)

static th_version parse_ok(th_arena *a, const char *s, size_t len)
{
	th_version v;
	th_error err = TH_ERROR_INIT;

	if (th_version_parse(&v, s, len, a, &err) != 0)
		fail_msg("'%s' should parse: %s", s, err.msg);
	return v;
}

static char *fmt(th_version *v, int (*f)(const th_version *, th_buf *, th_error *))
{
	th_buf b = TH_BUF_INIT;
	size_t n;

	assert_int_equal(f(v, &b, NULL), 0);
	return th_buf_detach(&b, &n);
}

/* input -> str(Version), public, base_version, is_prerelease, is_postrelease,
 * is_devrelease, local */
static const struct {
	const char *in, *norm, *pub, *base;
	bool pre, post, dev;
	const char *local;
} normal[] = {
	{ "1.0", "1.0", "1.0", "1.0", false, false, false, NULL },
	{ "v1.0", "1.0", "1.0", "1.0", false, false, false, NULL },
	{ "V1.0", "1.0", "1.0", "1.0", false, false, false, NULL },
	{ " 1.0\t\n", "1.0", "1.0", "1.0", false, false, false, NULL },
	{ "01.002.0003", "1.2.3", "1.2.3", "1.2.3", false, false, false, NULL },
	{ "0", "0", "0", "0", false, false, false, NULL },
	{ "1!2.0", "1!2.0", "1!2.0", "1!2.0", false, false, false, NULL },
	{ "0!2.0", "2.0", "2.0", "2.0", false, false, false, NULL },
	{ "1.0a", "1.0a0", "1.0a0", "1.0", true, false, false, NULL },
	{ "1.0.alpha.1", "1.0a1", "1.0a1", "1.0", true, false, false, NULL },
	{ "1.0-beta_2", "1.0b2", "1.0b2", "1.0", true, false, false, NULL },
	{ "1.0c1", "1.0rc1", "1.0rc1", "1.0", true, false, false, NULL },
	{ "1.0pre1", "1.0rc1", "1.0rc1", "1.0", true, false, false, NULL },
	{ "1.0PREVIEW1", "1.0rc1", "1.0rc1", "1.0", true, false, false, NULL },
	{ "1.0RC1", "1.0rc1", "1.0rc1", "1.0", true, false, false, NULL },
	{ "1.0a-1", "1.0a1", "1.0a1", "1.0", true, false, false, NULL },
	{ "1.0a--1", "1.0a0.post1", "1.0a0.post1", "1.0", true, true, false, NULL },
	{ "1.0a.", "1.0a0", "1.0a0", "1.0", true, false, false, NULL },
	{ "1.0-1", "1.0.post1", "1.0.post1", "1.0", false, true, false, NULL },
	{ "1.0-r", "1.0.post0", "1.0.post0", "1.0", false, true, false, NULL },
	{ "1.0.rev2", "1.0.post2", "1.0.post2", "1.0", false, true, false, NULL },
	{ "1.0post", "1.0.post0", "1.0.post0", "1.0", false, true, false, NULL },
	{ "1.0.post.", "1.0.post0", "1.0.post0", "1.0", false, true, false, NULL },
	{ "1.0dev", "1.0.dev0", "1.0.dev0", "1.0", true, false, true, NULL },
	{ "1.0-DEV_7", "1.0.dev7", "1.0.dev7", "1.0", true, false, true, NULL },
	{ "1.0.post1.dev2", "1.0.post1.dev2", "1.0.post1.dev2", "1.0", true, true, true, NULL },
	{ "1.0a1.post2.dev3+abc.01", "1.0a1.post2.dev3+abc.1", "1.0a1.post2.dev3", "1.0", true, true, true, "abc.1" },
	{ "1.0+Ubuntu-1_2", "1.0+ubuntu.1.2", "1.0", "1.0", false, false, false, "ubuntu.1.2" },
	{ "1.0+00", "1.0+0", "1.0", "1.0", false, false, false, "0" },
	{ "1.0+0a", "1.0+0a", "1.0", "1.0", false, false, false, "0a" },
	{ "2!1.0.0rc0.post0.dev0+x", "2!1.0.0rc0.post0.dev0+x", "2!1.0.0rc0.post0.dev0", "2!1.0.0", true, true, true, "x" },
	/* Unicode: Python's IGNORECASE and str.lower(); \s is Unicode whitespace. */
	{ "1.0.po\xc5\xbft1", "1.0.post1", "1.0.post1", "1.0", false, true, false, NULL },
	{ "1.0prev\304\261ew1", "1.0prev\304\261ew1", "1.0prev\304\261ew1", "1.0", true, false, false, NULL },
	{ "1.0PREV\304\260EW1", "1.0previ\314\207ew1", "1.0previ\314\207ew1", "1.0", true, false, false, NULL },
	{ "1.0+\xe2\x84\xaa", "1.0+k", "1.0", "1.0", false, false, false, "k" },
	{ "1.0+\xc5\xbf", "1.0+\xc5\xbf", "1.0", "1.0", false, false, false, "\xc5\xbf" },
	{ "\302\2401.0\xe2\x80\x83", "1.0", "1.0", "1.0", false, false, false, NULL },
	{ "1.0\xc2\x85\x1c", "1.0", "1.0", "1.0", false, false, false, NULL },
};

static void normalizes_as_packaging(void **state)
{
	th_arena a;
	size_t i;

	th_arena_init(&a, 0);
	for (i = 0; i < sizeof(normal) / sizeof(normal[0]); i++) {
		th_version v = parse_ok(&a, normal[i].in, strlen(normal[i].in));
		char *n = fmt(&v, th_version_format), *p = fmt(&v, th_version_format_public),
		     *b = fmt(&v, th_version_format_base);

		if (strcmp(n, normal[i].norm))
			fail_msg("'%s' normalized to '%s', expected '%s'", normal[i].in, n, normal[i].norm);
		assert_string_equal(p, normal[i].pub);
		assert_string_equal(b, normal[i].base);
		assert_int_equal(th_version_is_prerelease(&v), normal[i].pre);
		assert_int_equal(th_version_is_postrelease(&v), normal[i].post);
		assert_int_equal(th_version_is_devrelease(&v), normal[i].dev);
		assert_int_equal(th_version_has_local(&v), normal[i].local != NULL);
		if (normal[i].local)
			assert_string_equal(v.local, normal[i].local);
		/* The normal form parses to an equal version and formats the same
		 * (except prevİew, whose lowered form is no longer a version). */
		if (!strstr(n, "\xcc\x87")) {
			th_version w = parse_ok(&a, n, strlen(n));
			char *n2 = fmt(&w, th_version_format);
			assert_string_equal(n2, n);
			free(n2);
		}
		free(n);
		free(p);
		free(b);
	}
	th_arena_release(&a);
}

static void fields_are_exposed(void **state)
{
	th_arena a;
	th_version v;

	th_arena_init(&a, 0);
	v = parse_ok(&a, "3!1.02.0b7.post8.dev9+Loc.5", LEN("3!1.02.0b7.post8.dev9+Loc.5"));
	assert_int_equal(v.epoch.value, 3);
	assert_null(v.epoch.digits);
	assert_int_equal(v.nrelease, 3);
	assert_int_equal(v.release[0].value, 1);
	assert_int_equal(v.release[1].value, 2);
	assert_int_equal(v.release[2].value, 0);
	assert_string_equal(v.pre_letter, "b");
	assert_int_equal(v.pre.value, 7);
	assert_int_equal(v.post.value, 8);
	assert_int_equal(v.dev.value, 9);
	assert_string_equal(v.local, "loc.5");
	assert_int_equal(v.nlocal, 2);
	assert_false(v.local_seg[0].numeric);
	assert_true(v.local_seg[1].numeric);

	v = parse_ok(&a, "1.0", 3);
	assert_null(v.pre_letter);
	assert_int_equal(v.flags & (TH_VERSION_PRE | TH_VERSION_POST | TH_VERSION_DEV | TH_VERSION_LOCAL), 0);
	assert_null(v.local);
	th_arena_release(&a);
}

static void rejects_what_packaging_rejects(void **state)
{
	static const char *const bad[] = {
		"", " ", "v", "vv1", "a", "1.0.", "1..0", ".1", "1.", "1!", "!1", "1!!2", "1.0.*",
		"1.0 a1", "1.0+", "1.0+a..b", "1.0+a.", "1.0+.a", "1.0+a b", "1.0-", "1.0_", "1_0",
		"1.0-+", "1.0a1a1", "1.0.post1.post2", "1.0.dev1.dev2", "1.0dev1a1", "1.0.post1a1",
		"1.0-1-1", "1.0+a+b", "1.0~1", "1,0", "-1.0", "+1.0", "1.0\xe2\x80\x8b", /* ZERO WIDTH SPACE is not \s */
		"\xd9\xa1.\xd9\xa0",  /* Arabic-Indic digits are not [0-9] */
		"1.0\xff", "1.0+\xc3\xa9", "\xc4\xb0", "1.0k", "1.0+\xe2\x84", /* truncated UTF-8 */
		"1.0 +a", "1. 0", "1!2!3",
	};
	th_arena a;
	th_version v;
	th_error err = TH_ERROR_INIT;
	size_t i;

	th_arena_init(&a, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (th_version_parse(&v, bad[i], strlen(bad[i]), &a, &err) != TH_ERR_INVALID)
			fail_msg("'%s' should be invalid", bad[i]);
		assert_int_equal(err.code, TH_ERR_INVALID);
		assert_non_null(strstr(err.msg, "invalid version"));
	}
	/* NUL inside (ptr, len) is a character like any other: not a version. */
	assert_int_equal(th_version_parse(&v, "1.0\0", 4, &a, NULL), TH_ERR_INVALID);
	assert_int_equal(th_version_parse(&v, "1\0.0", 4, &a, NULL), TH_ERR_INVALID);
	assert_int_equal(th_version_parse(&v, "\0", 1, &a, NULL), TH_ERR_INVALID);
	assert_int_equal(th_version_parse(&v, NULL, 0, &a, NULL), TH_ERR_INVALID);
	th_arena_release(&a);
}

/* Strictly increasing, each checked with packaging. */
static const char *const ascending[] = {
	"0.dev0", "0a0", "0", "0.post0", "0.0.1", "0.1.dev1", "0.1",
	"1.0.dev0", "1.0.dev1", "1.0a0.dev0", "1.0a0", "1.0a0.post0.dev0", "1.0a0.post0",
	"1.0a1", "1.0a2.dev0", "1.0a2", "1.0a10", "1.0b1", "1.0prev\304\261ew1", "1.0rc1",
	"1.0", "1.0+abc", "1.0+abc.1", "1.0+abd", "1.0+z", "1.0+0", "1.0+1", "1.0+1.a", "1.0+1.0",
	"1.0+10", "1.0.post0.dev0", "1.0.post0", "1.0.post1.dev9", "1.0.post1", "1.0.po\xc5\xbft0",
	"1.0.0.1", "1.1.dev1", "1.1", "1.10", "2", "2.0.1", "10", "9223372036854775807",
	"9223372036854775808", "18446744073709551616", "100000000000000000000000000000",
	"1!0.dev0", "1!0", "1!1.0", "2!0", "9223372036854775808!0",
};

static void orders_as_packaging(void **state)
{
	th_arena a;
	th_version v[sizeof(ascending) / sizeof(ascending[0])];
	size_t n = sizeof(ascending) / sizeof(ascending[0]), i, j;

	th_arena_init(&a, 0);
	for (i = 0; i < n; i++)
		v[i] = parse_ok(&a, ascending[i], strlen(ascending[i]));
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			int want = i < j ? -1 : i > j, got = th_version_cmp(&v[i], &v[j]);
			if (got != want)
				fail_msg("cmp('%s', '%s') = %d, expected %d", ascending[i], ascending[j], got, want);
		}
	th_arena_release(&a);
}

static void equal_spellings_compare_equal(void **state)
{
	static const char *const groups[][5] = {
		{ "1.0", "1", "1.0.0", "v1.0.0.0", "01.00" },
		{ "1.0a0", "1.0a", "1.0.ALPHA", "1.0-a-0", "1.0_a_0" },
		{ "1.0rc1", "1.0c1", "1.0pre1", "1.0preview1", "1.0.RC.1" },
		{ "1.0.post0", "1.0-0", "1.0post", "1.0.r", "1.0rev0" },
		{ "0!1.0+Ab.01", "1.0+ab.1", "1.0+ab-1", "1.0+AB_001", "1.0.0+ab.1" },
		{ "0", "0.0", "0.0.0", "v0", "00" },
	};
	th_arena a;
	size_t g, i, j;

	th_arena_init(&a, 0);
	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (i = 0; i < 5; i++)
			for (j = 0; j < 5; j++) {
				th_version x = parse_ok(&a, groups[g][i], strlen(groups[g][i]));
				th_version y = parse_ok(&a, groups[g][j], strlen(groups[g][j]));
				if (th_version_cmp(&x, &y))
					fail_msg("'%s' != '%s'", groups[g][i], groups[g][j]);
			}
	th_arena_release(&a);
}

static void public_and_base_compare(void **state)
{
	th_arena a;
	th_version x, y;

	th_arena_init(&a, 0);
	x = parse_ok(&a, "1.0+abc", 7);
	y = parse_ok(&a, "1.0", 3);
	assert_int_equal(th_version_cmp(&x, &y), 1);
	assert_int_equal(th_version_cmp_public(&x, &y), 0);
	x = parse_ok(&a, "1.0.0rc1.post2", LEN("1.0.0rc1.post2"));
	assert_true(th_version_base_eq(&x, &y));
	x = parse_ok(&a, "1!1.0", 5);
	assert_false(th_version_base_eq(&x, &y));
	th_arena_release(&a);
}

static void big_numbers_never_overflow(void **state)
{
	th_arena a;
	th_version v, w;
	th_error err = TH_ERROR_INIT;
	char *s, *n;

	th_arena_init(&a, 0);
	v = parse_ok(&a, "9223372036854775807", 19);
	assert_null(v.release[0].digits);
	assert_int_equal(v.release[0].value, 9223372036854775807ULL);
	assert_false(v.flags & TH_VERSION_BIG);
	v = parse_ok(&a, "009223372036854775808", 21);
	assert_true(v.flags & TH_VERSION_BIG);
	assert_string_equal(v.release[0].digits, "9223372036854775808");
	n = fmt(&v, th_version_format);
	assert_string_equal(n, "9223372036854775808");
	free(n);
	v = parse_ok(&a, "1.0a99999999999999999999.post18446744073709551616.dev3",
	             LEN("1.0a99999999999999999999.post18446744073709551616.dev3"));
	n = fmt(&v, th_version_format);
	assert_string_equal(n, "1.0a99999999999999999999.post18446744073709551616.dev3");
	free(n);
	w = parse_ok(&a, "1.0a99999999999999999998.post18446744073709551617",
	             LEN("1.0a99999999999999999998.post18446744073709551617"));
	assert_int_equal(th_version_cmp(&v, &w), 1);
	assert_int_equal(th_version_cmp(&w, &v), -1);

	/* Python's int() takes at most 4300 digits: so does packaging. */
	s = malloc(10002);
	memset(s, '7', 10000);
	assert_int_equal(th_version_parse(&v, s, 4300, &a, NULL), 0);
	assert_int_equal(v.release[0].ndigits, 4300);
	w = v;
	assert_int_equal(th_version_cmp(&v, &w), 0);
	assert_int_equal(th_version_parse(&v, s, 4301, &a, &err), TH_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "4300"));
	assert_true(strlen(err.msg) < 300);
	assert_int_equal(th_version_parse(&v, s, 10000, &a, NULL), TH_ERR_LIMIT);
	memset(s, '0', 10000);
	assert_int_equal(th_version_parse(&v, s, 4301, &a, NULL), TH_ERR_LIMIT); /* leading zeros count */
	memcpy(s, "1.0+", 4);
	memset(s + 4, '1', 5000);
	assert_int_equal(th_version_parse(&v, s, 5004, &a, NULL), TH_ERR_LIMIT); /* numeric local segment */
	s[4] = 'a';
	assert_int_equal(th_version_parse(&v, s, 5004, &a, NULL), 0); /* a word: no int() */
	/* Not a version at all: invalid, even with a long number in it. */
	memcpy(s, "x", 1);
	memset(s + 1, '1', 5000);
	assert_int_equal(th_version_parse(&v, s, 5001, &a, NULL), TH_ERR_INVALID);
	assert_int_equal(th_vnum_cmp(&(th_vnum){ 5, NULL, 0 }, &(th_vnum){ 0, "9223372036854775808", 19 }), -1);
	assert_int_equal(th_vnum_cmp(&(th_vnum){ 0, "19223372036854775808", 20 }, &(th_vnum){ 0, "9223372036854775808", 19 }), 1);
	free(s);
	th_arena_release(&a);
}

static void huge_inputs_are_linear_and_safe(void **state)
{
	th_arena a;
	th_version v, w;
	size_t n = 1 << 20, i;
	char *s = malloc(n);
	th_error err = TH_ERROR_INIT;

	th_arena_init(&a, 0);
	for (i = 0; i < n; i += 2) {
		s[i] = '1';
		s[i + 1] = '.';
	}
	assert_int_equal(th_version_parse(&v, s, n - 1, &a, NULL), 0);
	assert_int_equal(v.nrelease, n / 2);
	w = v;
	assert_int_equal(th_version_cmp(&v, &w), 0);
	memset(s, 'x', n);
	assert_int_equal(th_version_parse(&v, s, n, &a, &err), TH_ERR_INVALID);
	assert_true(strlen(err.msg) < 300); /* the message quotes a bounded prefix */
	memcpy(s, "1.0+", 4);
	for (i = 4; i < n; i++)
		s[i] = (i & 1) ? '.' : 'a';
	assert_int_equal(th_version_parse(&v, s, n - 1, &a, NULL), 0);
	assert_int_equal(v.nlocal, (n - 4) / 2);
	free(s);
	th_arena_release(&a);
}

/* The key and the field-by-field comparison agree on every pair. */
static void key_and_fields_agree(void **state)
{
	static const char *const vs[] = {
		"1.0", "1.0.0", "1.0a1", "1.0.dev1", "1.0.post1.dev1", "1.0.post1", "1.0+a", "1.0a1.post1",
		"1!0", "0.9", "1.0rc1", "1.0.po\xc5\xbft1", "1.0prev\304\261ew1", "1.0prev\304\260ew1",
		"1.0.post0", "1.0a0", "1.0.dev0", "0", "0.0.0.1",
	};
	th_arena a;
	size_t n = sizeof(vs) / sizeof(vs[0]), i, j;

	th_arena_init(&a, 0);
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			th_version x = parse_ok(&a, vs[i], strlen(vs[i]));
			th_version y = parse_ok(&a, vs[j], strlen(vs[j]));
			int fast = th_version_cmp(&x, &y);
			x.key = NULL;
			if (th_version_cmp(&x, &y) != fast)
				fail_msg("key and fields disagree on '%s' vs '%s'", vs[i], vs[j]);
			assert_int_equal(th_version_cmp(&y, &x), -fast);
		}
	th_arena_release(&a);
}

static void strip_space_is_python_strip(void **state)
{
	const char *s = "\xe3\x80\x80 a b\xc2\xa0\t";
	size_t len = strlen(s);

	th_version_strip_space(&s, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(s, "a b", 3);
	s = " \xe2\x80\x8b";
	len = strlen(s);
	th_version_strip_space(&s, &len);
	assert_int_equal(len, 3); /* U+200B is not whitespace */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(normalizes_as_packaging),
		cmocka_unit_test(fields_are_exposed),
		cmocka_unit_test(rejects_what_packaging_rejects),
		cmocka_unit_test(orders_as_packaging),
		cmocka_unit_test(equal_spellings_compare_equal),
		cmocka_unit_test(public_and_base_compare),
		cmocka_unit_test(big_numbers_never_overflow),
		cmocka_unit_test(huge_inputs_are_linear_and_safe),
		cmocka_unit_test(key_and_fields_agree),
		cmocka_unit_test(strip_space_is_python_strip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
