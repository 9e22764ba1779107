/* Unit tests of core/requirement: PEP 508 requirements as packaging 23.0's
 * Requirement reads and prints them (every expected answer below is 23.0's,
 * reviewed by hand), hostile input, and PEP 751 markers inside requirements. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/requirement.h"

typedef struct rcase {
	const char *in;
	int valid;
	const char *name, *extras, *spec, *marker, *url, *str; /* extras joined by "," */
} rcase;

static const rcase cases[] = {
	{ "name", 1, "name", "", "", NULL, NULL, "name" },
	{ "name>=1.0", 1, "name", "", ">=1.0", NULL, NULL, "name>=1.0" },
	{ "name >= 1.0 , < 2", 1, "name", "", "<2,>=1.0", NULL, NULL, "name<2,>=1.0" },
	{ "name (>=1.0,<2)", 1, "name", "", "<2,>=1.0", NULL, NULL, "name<2,>=1.0" },
	{ "name(>=1.0)", 1, "name", "", ">=1.0", NULL, NULL, "name>=1.0" },
	{ "name [Foo, bar,foo] >=1 ; python_version >= \"3\"", 1, "name", "Foo,bar,foo", ">=1", "python_version >= \"3\"", NULL, "name[Foo,bar,foo]>=1; python_version >= \"3\"" },
	{ "name[]", 1, "name", "", "", NULL, NULL, "name" },
	{ "name @ https://example.com/x.whl", 1, "name", "", "", NULL, "https://example.com/x.whl", "name@ https://example.com/x.whl" },
	{ "name@https://example.com/x.whl ; os_name == \"posix\"", 1, "name", "", "", "os_name == \"posix\"", "https://example.com/x.whl", "name@ https://example.com/x.whl ; os_name == \"posix\"" },
	{ "name @ file:///tmp/x", 1, "name", "", "", NULL, "file:///tmp/x", "name@ file:///tmp/x" },
	{ "name @ file://host/x", 1, "name", "", "", NULL, "file://host/x", "name@ file://host/x" },
	{ "name @ git+https://github.com/a/b@v1", 1, "name", "", "", NULL, "git+https://github.com/a/b@v1", "name@ git+https://github.com/a/b@v1" },
	{ "name @ http://[::1]/x", 1, "name", "", "", NULL, "http://[::1]/x", "name@ http://[::1]/x" },
	{ "name @ http://[v1.x]/", 1, "name", "", "", NULL, "http://[v1.x]/", "name@ http://[v1.x]/" },
	{ "name @ http://a@[::1]:80/x", 1, "name", "", "", NULL, "http://a@[::1]:80/x", "name@ http://a@[::1]:80/x" },
	{ "name @ http://[fe80::1%eth0]/", 1, "name", "", "", NULL, "http://[fe80::1%eth0]/", "name@ http://[fe80::1%eth0]/" },
	{ "name @ http://[::ffff:1.2.3.4]/", 1, "name", "", "", NULL, "http://[::ffff:1.2.3.4]/", "name@ http://[::ffff:1.2.3.4]/" },
	{ "name @ HTTP://X/y", 1, "name", "", "", NULL, "HTTP://X/y", "name@ HTTP://X/y" },
	{ "name @ file:///x#frag", 1, "name", "", "", NULL, "file:///x#frag", "name@ file:///x#frag" },
	{ "name>=1.0\n", 1, "name", "", ">=1.0", NULL, NULL, "name>=1.0" },
	{ "name\n", 1, "name", "", "", NULL, NULL, "name" },
	{ "name>=1.0 \t", 1, "name", "", ">=1.0", NULL, NULL, "name>=1.0" },
	{ "name>=1,", 1, "name", "", ">=1", NULL, NULL, "name>=1" },
	{ "name==1.0.*,!=1.0.1", 1, "name", "", "!=1.0.1,==1.0.*", NULL, NULL, "name!=1.0.1,==1.0.*" },
	{ "name~=1.0", 1, "name", "", "~=1.0", NULL, NULL, "name~=1.0" },
	{ "name===abc", 1, "name", "", "===abc", NULL, NULL, "name===abc" },
	{ "name===", 1, "name", "", "===", NULL, NULL, "name===" },
	{ "name==1.0+local", 1, "name", "", "==1.0+local", NULL, NULL, "name==1.0+local" },
	{ "name>1.0-1", 1, "name", "", ">1.0-1", NULL, NULL, "name>1.0-1" },
	{ "name>=1.0a1.post2.dev3", 1, "name", "", ">=1.0a1.post2.dev3", NULL, NULL, "name>=1.0a1.post2.dev3" },
	{ "name ; extra == \"Foo_Bar\"", 1, "name", "", "", "extra == \"foo-bar\"", NULL, "name; extra == \"foo-bar\"" },
	{ "name; os_name == \"a\" and extra == \"Foo_Bar\"", 1, "name", "", "", "os_name == \"a\" and extra == \"Foo_Bar\"", NULL, "name; os_name == \"a\" and extra == \"Foo_Bar\"" },
	{ "foo_", 1, "foo_", "", "", NULL, NULL, "foo_" },
	{ "foo.bar_baz-1", 1, "foo.bar_baz-1", "", "", NULL, NULL, "foo.bar_baz-1" },
	{ "name == 1.0", 1, "name", "", "==1.0", NULL, NULL, "name==1.0" },
	{ "name>=v1.0", 1, "name", "", ">=v1.0", NULL, NULL, "name>=v1.0" },
	{ "name>=1.0;os_name==\"a\"", 1, "name", "", ">=1.0", "os_name == \"a\"", NULL, "name>=1.0; os_name == \"a\"" },
	{ "name ( >= 1.0 )", 1, "name", "", ">=1.0", NULL, NULL, "name>=1.0" },
	{ "name>=1.0,>=1.0.0", 1, "name", "", ">=1.0", NULL, NULL, "name>=1.0" },
	{ " name", 1, "name", "", "", NULL, NULL, "name" },
	{ "name[a-b,a_b]", 1, "name", "a-b,a_b", "", NULL, NULL, "name[a-b,a_b]" },
	{ "name @ https://x/y ", 1, "name", "", "", NULL, "https://x/y", "name@ https://x/y" },
	{ "name[a]@ http://x/y", 1, "name", "a", "", NULL, "http://x/y", "name[a]@ http://x/y" },
	{ "mypy-boto3-lookoutequipment (<1.26.0,>=1.25.0) ; extra == 'all'", 1, "mypy-boto3-lookoutequipment", "", "<1.26.0,>=1.25.0", "extra == \"all\"", NULL, "mypy-boto3-lookoutequipment<1.26.0,>=1.25.0; extra == \"all\"" },
	{ "name; os_name==\"a\" garbage", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name[a,]", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name[a b]", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name[a", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name @ file:/tmp/x", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name @ file:///x?", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name @ /tmp/x", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name @ http://[1.2.3.4]/x", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name @ http://[::1/x", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name @", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name @ ", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name\r", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name,", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name~=1", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name===x,y", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name<=1.0+local", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "foo-", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "_foo", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name>=1.0 os_name", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name (>=1", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name == 1.*", 1, "name", "", "==1.*", NULL, NULL, "name==1.*" },
	{ "name @ FILE:///x", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name @ file:///x#", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name @ http://[1:2:3:4:5:6:7:8:9]/", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name @ https://x/y;os_name==\"a\"", 1, "name", "", "", NULL, "https://x/y;os_name==\"a\"", "name@ https://x/y;os_name==\"a\"" },
	{ "name @ https://x/y ;os_name==\"a\" x", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name@https://x/y; os_name==\"a\"", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name[a]]", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name==1.0 ==2.0", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ " ", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name>=1.0\n\n", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name(>=1.0)(<2)", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name;", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name; ", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	/* Python's IGNORECASE also equates U+0130/U+0131 with i, U+017F with s,
	 * U+212A with k: 23.0's specifier token takes them */
	{ "name (==1.0+\u0130)", 1, "name", "", "==1.0+\u0130", NULL, NULL, "name==1.0+\u0130" },
	{ "requests!=2.32.0,!=2.32+local.\u01307.1,>=2.5", 1, "requests", "", "!=2.32+local.\u01307.1,!=2.32.0,>=2.5",
	  NULL, NULL, "requests!=2.32+local.\u01307.1,!=2.32.0,>=2.5" },
	{ "name>=1.0.po\u017ft1", 1, "name", "", ">=1.0.po\u017ft1", NULL, NULL, "name>=1.0.po\u017ft1" },
	{ "name==1.0+\u212a", 1, "name", "", "==1.0+\u212a", NULL, NULL, "name==1.0+\u212a" },
	{ "name>=1.0prev\u0131ew1", 1, "name", "", ">=1.0prev\u0131ew1", NULL, NULL, "name>=1.0prev\u0131ew1" },
	/* urllib's NFKC check of the host */
	{ "name @ https://a\u2100b/x", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name @ https://h\uff20x/", 0, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "name @ https://h/\u2100", 1, "name", "", "", NULL, "https://h/\u2100", "name@ https://h/\u2100" },
	{ "name @ https://\u00e9.example/", 1, "name", "", "", NULL, "https://\u00e9.example/", "name@ https://\u00e9.example/" },
};

static void check(const rcase *c)
{
	th_arena a = TH_ARENA_INIT;
	th_error err = TH_ERROR_INIT;
	th_buf b = TH_BUF_INIT;
	th_req r;
	int rc = th_req_parse(&r, c->in, strlen(c->in), &a, &err);

	if (!c->valid) {
		if (rc == 0)
			fail_msg("%s: parsed, 23.0 refuses it", c->in);
		assert_int_not_equal(err.code, 0);
		goto done;
	}
	if (rc)
		fail_msg("%s: %s", c->in, err.msg);
	assert_string_equal(r.name, c->name);
	for (size_t i = 0; i < r.nextras; i++)
		assert_int_equal(th_buf_printf(&b, NULL, "%s%s", i ? "," : "", r.extras[i]), 0);
	assert_string_equal(b.ptr, c->extras);
	th_buf_clear(&b);
	assert_non_null(r.spec);
	assert_int_equal(th_specset_format(r.spec, &b, NULL), 0);
	assert_string_equal(b.ptr, c->spec);
	th_buf_clear(&b);
	if (c->marker) {
		assert_non_null(r.marker);
		assert_int_equal(th_marker_format(r.marker, &b, NULL), 0);
		assert_string_equal(b.ptr, c->marker);
		th_buf_clear(&b);
	} else {
		assert_null(r.marker);
	}
	if (c->url) {
		assert_non_null(r.url);
		assert_int_equal(r.url_len, strlen(c->url));
		assert_string_equal(r.url, c->url);
	} else {
		assert_null(r.url);
	}
	assert_int_equal(th_req_format(&r, &b, NULL), 0);
	if (strcmp(b.ptr, c->str))
		fail_msg("%s: str %s, want %s", c->in, b.ptr, c->str);
	/* what str() gives reads back to itself */
	{
		th_req r2;
		th_buf b2 = TH_BUF_INIT;
		if (th_req_parse(&r2, b.ptr, b.len, &a, &err))
			fail_msg("%s: str %s does not parse: %s", c->in, b.ptr, err.msg);
		assert_int_equal(th_req_format(&r2, &b2, NULL), 0);
		assert_string_equal(b2.ptr, b.ptr);
		th_buf_release(&b2);
	}
done:
	th_buf_release(&b);
	th_arena_release(&a);
}

static void like_packaging(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(&cases[i]);
}

static void marker_evaluates(void **state)
{
	th_arena a = TH_ARENA_INIT;
	th_marker_env e;
	th_req r;
	bool v;
	const char *s = "pyarrow<15.0,>=14.0.2; extra == \"Parquet\" and python_version >= \"3.8\"";

	th_marker_env_init(&e);
	assert_int_equal(th_marker_env_set(&e, "python_version", "3.11", 4, NULL), 0);
	assert_int_equal(th_req_parse(&r, s, strlen(s), &a, NULL), 0);
	assert_int_equal(th_marker_eval(r.marker, &e, &v, NULL), 0);
	assert_false(v);
	assert_int_equal(th_marker_env_set(&e, "extra", "parquet", 7, NULL), 0);
	assert_int_equal(th_marker_eval(r.marker, &e, &v, NULL), 0);
	assert_true(v);
	/* PEP 751 sets inside a requirement (thoth reads them; 23.0 does not) */
	s = "pytest>=8; \"test\" in dependency_groups";
	assert_int_equal(th_req_parse(&r, s, strlen(s), &a, NULL), 0);
	assert_int_equal(th_marker_eval(r.marker, &e, &v, NULL), 0);
	assert_false(v);
	assert_int_equal(th_marker_env_add_dependency_group(&e, "Test", 4, NULL), 0);
	assert_int_equal(th_marker_eval(r.marker, &e, &v, NULL), 0);
	assert_true(v);
	th_marker_env_release(&e);
	th_arena_release(&a);
}

static void hostile_input(void **state)
{
	th_arena a = TH_ARENA_INIT;
	th_error err = TH_ERROR_INIT;
	th_req r;
	size_t n = 1 << 20, k;
	char *s = malloc(n + 256);

	assert_non_null(s);
	/* a huge name, a huge extras list, a huge URL */
	memset(s, 'a', n);
	assert_int_equal(th_req_parse(&r, s, n, &a, NULL), 0);
	assert_int_equal(strlen(r.name), n);
	k = (size_t)sprintf(s, "name[");
	while (k < n - 16)
		k += (size_t)sprintf(s + k, "e%zu,", k % 1000);
	k += (size_t)sprintf(s + k, "z]");
	assert_int_equal(th_req_parse(&r, s, k, &a, NULL), 0);
	assert_true(r.nextras > 100 && r.nextras <= 1001);
	for (size_t i = 1; i < r.nextras; i++)
		assert_true(strcmp(r.extras[i - 1], r.extras[i]) < 0); /* sorted, no duplicates */
	k = (size_t)sprintf(s, "name @ https://h/");
	memset(s + k, 'p', n - k);
	assert_int_equal(th_req_parse(&r, s, n, &a, NULL), 0);
	assert_int_equal(r.url_len, n - 7);
	/* deep parentheses in the marker: a bounded error */
	k = (size_t)sprintf(s, "name; ");
	memset(s + k, '(', n - k);
	assert_int_equal(th_req_parse(&r, s, n, &a, &err), TH_ERR_LIMIT);
	/* many specifiers (the set's duplicate check is the version module's) */
	k = (size_t)sprintf(s, "name ");
	while (k < 20000)
		k += (size_t)sprintf(s + k, "!=%zu,", k);
	s[k - 1] = '\0';
	assert_int_equal(th_req_parse(&r, s, k - 1, &a, NULL), 0);
	/* NUL bytes and unterminated things */
	assert_int_not_equal(th_req_parse(&r, "name\0", 5, &a, NULL), 0);
	assert_int_not_equal(th_req_parse(&r, "na\0me", 5, &a, NULL), 0);
	assert_int_not_equal(th_req_parse(&r, "name; os_name == \"a\0\"", 21, &a, NULL), 0);
	assert_int_not_equal(th_req_parse(&r, "name; os_name == \"a", 19, &a, NULL), 0);
	assert_int_not_equal(th_req_parse(&r, "name[a", 6, &a, NULL), 0);
	assert_int_not_equal(th_req_parse(&r, "name (>=1", 9, &a, NULL), 0);
	assert_int_not_equal(th_req_parse(&r, "", 0, &a, NULL), 0);
	/* a NUL inside a URL is just a character of it, as in 23.0 */
	assert_int_equal(th_req_parse(&r, "name @ https://h/\0x", 19, &a, NULL), 0);
	assert_int_equal(r.url_len, 12);
	free(s);
	th_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(like_packaging),
		cmocka_unit_test(marker_evaluates),
		cmocka_unit_test(hostile_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
