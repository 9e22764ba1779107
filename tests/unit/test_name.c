/* Unit tests of core/name: PEP 503 normalisation (packaging 23.0's
 * canonicalize_name, answers checked against it) and PEP 508 validity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/name.h"

static void check_norm(const char *in, size_t len, const char *want, size_t wlen)
{
	th_buf b = TH_BUF_INIT;
	char small[128];

	assert_int_equal(th_name_normalize(&b, in, len, NULL), 0);
	assert_int_equal(b.len, wlen);
	assert_memory_equal(b.ptr, want, b.len);
	if (len < 64) {
		size_t n = th_name_canon(small, in, len);
		assert_int_equal(n, wlen);
		assert_memory_equal(small, want, n);
	}
	th_buf_release(&b);
}

#define NORM(in, want) check_norm(in, sizeof(in) - 1, want, sizeof(want) - 1)

static void normalize_like_canonicalize_name(void **state)
{
	NORM("foo", "foo");
	NORM("Foo", "foo");
	NORM("fOo", "foo");
	NORM("foo.bar", "foo-bar");
	NORM("Foo.Bar", "foo-bar");
	NORM("Foo.....Bar", "foo-bar");
	NORM("foo_bar", "foo-bar");
	NORM("foo___bar", "foo-bar");
	NORM("foo-bar", "foo-bar");
	NORM("foo----bar", "foo-bar");
	NORM("A-_.B", "a-b");
	NORM("_not_legal", "-not-legal");
	NORM("__x__", "-x-");
	NORM("hi\n", "hi\n");            /* not a name, still normalised as 23.0 does */
	NORM("", "");
	NORM("Django_REST.framework", "django-rest-framework");
	/* two-byte letters whose lower case keeps its length */
	NORM("\xc3\x84\xc3\x96", "\xc3\xa4\xc3\xb6");       /* ÄÖ -> äö */
	NORM("\xce\xa9mega", "\xcf\x89mega");               /* Ωmega -> ωmega */
	NORM("Stra\xc3\x9f" "e", "stra\xc3\x9f" "e");       /* ß stays */
	NORM("\xd0\x81", "\xd1\x91");                       /* Ё -> ё */
	NORM("\xc5\x81", "\xc5\x82");                       /* Ł -> ł */
	NORM("\xc5\xb8", "\xc3\xbf");                       /* Ÿ -> ÿ */
	/* the rest of str.lower(), Unicode 14.0 */
	NORM("\xc4\xb0x", "i\xcc\x87x");                   /* İ -> i + U+0307: longer */
	NORM("\xc6\x9c", "\xc9\xaf");                      /* Ɯ -> ɯ */
	NORM("\xc8\xba" "b", "\xe2\xb1\xa5" "b");         /* Ⱥ -> ⱥ, two bytes to three */
	NORM("\xe2\x84\xaa", "k");                          /* Kelvin sign -> k */
	NORM("\xef\xbc\xa1", "\xef\xbd\x81");            /* fullwidth A */
	NORM("\xf0\x90\x90\x80", "\xf0\x90\x90\xa8");  /* Deseret */
	/* stray bytes are copied */
	NORM("\xe2\x84", "\xe2\x84");
	NORM("\xc0\x80", "\xc0\x80");
	NORM("a\xff" "B", "a\xff" "b");
	NORM("a\0B", "a\0b");
}

static void validity_is_pep508(void **state)
{
	assert_true(th_name_is_valid("a", 1));
	assert_true(th_name_is_valid("A1", 2));
	assert_true(th_name_is_valid("foo.bar_baz-1", 13));
	assert_true(th_name_is_valid("9", 1));
	assert_false(th_name_is_valid("", 0));
	assert_false(th_name_is_valid("_foo", 4));
	assert_false(th_name_is_valid("foo_", 4));
	assert_false(th_name_is_valid("foo-", 4));
	assert_false(th_name_is_valid("fo o", 4));
	assert_false(th_name_is_valid("f\xc3\xa4", 3));
	assert_false(th_name_is_valid("a\0b", 3));
}

static void equality_without_allocation(void **state)
{
	assert_true(th_name_eq("Foo_Bar", 7, "foo-bar", 7));
	assert_true(th_name_eq("foo...bar", 9, "FOO_BAR", 7));
	assert_true(th_name_eq("", 0, "", 0));
	assert_true(th_name_eq("-", 1, "._-", 3));
	assert_false(th_name_eq("foo", 3, "foo-", 4));
	assert_false(th_name_eq("foo", 3, "fo", 2));
	assert_false(th_name_eq("foobar", 6, "foo-bar", 7));
	assert_true(th_name_eq("\xc3\x84", 2, "\xc3\xa4", 2));
}

static void huge_name(void **state)
{
	size_t n = 1 << 20;
	char *s = malloc(n);
	th_buf b = TH_BUF_INIT;

	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		s[i] = (i % 3) ? 'A' : '_';
	assert_int_equal(th_name_normalize(&b, s, n, NULL), 0);
	assert_int_equal(b.len, n);
	assert_int_equal(b.ptr[0], '-');
	assert_int_equal(b.ptr[1], 'a');
	assert_true(th_name_eq(s, n, b.ptr, b.len));
	/* a capped buffer fails cleanly */
	th_buf_release(&b);
	th_buf_init(&b, 16);
	assert_int_equal(th_name_normalize(&b, s, n, NULL), TH_ERR_LIMIT);
	th_buf_release(&b);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(normalize_like_canonicalize_name),
		cmocka_unit_test(validity_is_pep508),
		cmocka_unit_test(equality_without_allocation),
		cmocka_unit_test(huge_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
