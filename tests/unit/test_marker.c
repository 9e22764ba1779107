/* Unit tests of core/marker: PEP 508 markers as packaging 23.0 parses, prints
 * and evaluates them (every expected answer below was checked against 23.0),
 * plus PEP 751's `extras` / `dependency_groups`, whose answers are written by
 * hand from the PEP (23.0 predates them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/marker.h"

/* A CPython 3.11 on x86_64 Linux. */
static void env_linux(th_marker_env *e)
{
	static const char *const kv[][2] = {
		{ "python_version", "3.11" },
		{ "python_full_version", "3.11.4" },
		{ "os_name", "posix" },
		{ "sys_platform", "linux" },
		{ "platform_release", "6.1.0-13-amd64" },
		{ "platform_system", "Linux" },
		{ "platform_version", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)" },
		{ "platform_machine", "x86_64" },
		{ "platform_python_implementation", "CPython" },
		{ "implementation_name", "cpython" },
		{ "implementation_version", "3.11.4" },
		{ "extra", "" },
	};
	th_marker_env_init(e);
	for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
		assert_int_equal(th_marker_env_set(e, kv[i][0], kv[i][1], strlen(kv[i][1]), NULL), 0);
}

enum { BAD_PARSE = -1, BAD_EVAL = -2 };

typedef struct mcase {
	const char *in;
	const char *str; /* str(Marker) */
	int result;      /* 1, 0, BAD_PARSE or BAD_EVAL */
} mcase;

static void run_cases(const mcase *c, size_t n, const th_marker_env *env)
{
	for (size_t i = 0; i < n; i++) {
		th_arena a = TH_ARENA_INIT;
		th_error err = TH_ERROR_INIT;
		th_buf b = TH_BUF_INIT;
		th_marker *m = NULL;
		bool r = false;
		int rc = th_marker_parse(&m, c[i].in, strlen(c[i].in), &a, &err);

		if (c[i].result == BAD_PARSE) {
			if (rc == 0)
				fail_msg("case %zu: %s: parsed, 23.0 refuses it", i, c[i].in);
			assert_int_not_equal(err.code, 0);
		} else {
			if (rc)
				fail_msg("case %zu: %s: %s", i, c[i].in, err.msg);
			assert_int_equal(th_marker_format(m, &b, NULL), 0);
			if (strcmp(b.ptr, c[i].str))
				fail_msg("case %zu: %s: str %s, want %s", i, c[i].in, b.ptr, c[i].str);
			rc = th_marker_eval(m, env, &r, &err);
			if (c[i].result == BAD_EVAL) {
				if (rc == 0)
					fail_msg("case %zu: %s: evaluated, 23.0 raises", i, c[i].in);
			} else {
				if (rc)
					fail_msg("case %zu: %s: %s", i, c[i].in, err.msg);
				if ((int)r != c[i].result)
					fail_msg("case %zu: %s: %d, want %d", i, c[i].in, r, c[i].result);
			}
		}
		th_buf_release(&b);
		th_arena_release(&a);
	}
}

#define RUN(cases, env) run_cases(cases, sizeof(cases) / sizeof(cases[0]), env)

static void versions_and_strings(void **state)
{
	static const mcase c[] = {
		{ "python_version >= \"3.8\"", "python_version >= \"3.8\"", 1 },
		{ "python_version<'3'", "python_version < \"3\"", 0 },
		{ "python_version > \"3.10\"", "python_version > \"3.10\"", 1 }, /* as versions: 3.11 > 3.10 */
		{ "python_full_version == \"3.11.*\"", "python_full_version == \"3.11.*\"", 1 },
		{ "python_version ~= \"3.9\"", "python_version ~= \"3.9\"", 1 },
		{ "python_version === \"3.11\"", "python_version === \"3.11\"", 1 },
		{ "python_version === \"3.11.0\"", "python_version === \"3.11.0\"", 0 },
		{ "python_version > \"3.11.0\"", "python_version > \"3.11.0\"", 0 },
		{ "python_full_version > \"3.11.4.post0\"", "python_full_version > \"3.11.4.post0\"", 0 },
		{ "python_full_version < \"3.11.4a1\"", "python_full_version < \"3.11.4a1\"", 0 },
		{ "implementation_version >= \"3.11\"", "implementation_version >= \"3.11\"", 1 },
		/* op + value forms another specifier: "==" "=3.11" is "===3.11" */
		{ "python_version == \"=3.11\"", "python_version == \"=3.11\"", 1 },
		{ "python_version < \"=3.11\"", "python_version < \"=3.11\"", 1 },
		{ "python_version >= \" 3.8 \"", "python_version >= \" 3.8 \"", 1 },
		/* value first: Specifier(op + environment value) holds the literal */
		{ "\"3.8\" < python_version", "\"3.8\" < python_version", 1 },
		{ "\"3.12\" > python_version", "\"3.12\" > python_version", 1 },
		{ "\"3\" <= python_version", "\"3\" <= python_version", 1 }, /* 3 <= 3.11 */
		/* not specifiers: string comparison */
		{ "os_name < \"q\"", "os_name < \"q\"", 1 },
		{ "os_name >= \"posix\"", "os_name >= \"posix\"", 1 },
		{ "platform_release >= \"6\"", "platform_release >= \"6\"", BAD_EVAL }, /* 6.1.0-13-amd64: no version */
		{ "python_version >= \"3.8,\"", "python_version >= \"3.8,\"", 0 },
		{ "python_version in \"3.10 3.11\"", "python_version in \"3.10 3.11\"", 1 },
		{ "\"linux\" in sys_platform", "\"linux\" in sys_platform", 1 },
		{ "\"win\" not in sys_platform", "\"win\" not in sys_platform", 1 },
		{ "platform_machine in \"x86_64 amd64\"", "platform_machine in \"x86_64 amd64\"", 1 },
		{ "os_name not  in \"posixx\"", "os_name not in \"posixx\"", 0 },
		/* ~= and === on strings are undefined */
		{ "os_name ~= \"posix\"", "os_name ~= \"posix\"", BAD_EVAL },
		{ "os_name === \"pos ix\"", "os_name === \"pos ix\"", BAD_EVAL },
		/* === with a non-version left side: Version() raises */
		{ "os_name === \"posix\"", "os_name === \"posix\"", BAD_EVAL },
		{ "platform_version >= \"1\"", "platform_version >= \"1\"", BAD_EVAL },
	};
	th_marker_env e;

	env_linux(&e);
	RUN(c, &e);
	th_marker_env_release(&e);
}

static void grammar_and_str(void **state)
{
	static const mcase c[] = {
		{ "os_name == \"posix\" and sys_platform == \"linux\"", "os_name == \"posix\" and sys_platform == \"linux\"", 1 },
		{ "os_name == \"nt\" or sys_platform == \"linux\" and platform_machine == \"arm64\"",
		  "os_name == \"nt\" or sys_platform == \"linux\" and platform_machine == \"arm64\"", 0 },
		{ "(os_name == \"nt\" or sys_platform == \"linux\") and platform_machine == \"arm64\"",
		  "(os_name == \"nt\" or sys_platform == \"linux\") and platform_machine == \"arm64\"", 0 },
		{ "python_version>\"3.10\"or os_name==\"x\"", "python_version > \"3.10\" or os_name == \"x\"", 1 },
		/* legacy names */
		{ "os.name == \"posix\"", "os_name == \"posix\"", 1 },
		{ "sys.platform == \"linux\"", "sys_platform == \"linux\"", 1 },
		{ "platform.machine == \"x86_64\"", "platform_machine == \"x86_64\"", 1 },
		{ "platform.python_implementation == \"CPython\"", "platform_python_implementation == \"CPython\"", 1 },
		{ "python_implementation == \"CPython\"", "platform_python_implementation == \"CPython\"", 1 },
		{ "platform.version in \"x\"", "platform_version in \"x\"", 0 },
		/* 23.0 drops a list's parentheses when it has one element, even
		 * where that changes the reading */
		{ "((os_name == \"posix\"))", "os_name == \"posix\"", 1 },
		{ "(os_name == \"a\") or (os_name == \"posix\")", "os_name == \"a\" or os_name == \"posix\"", 1 },
		{ "((os_name == \"a\" and os_name == \"b\")) or os_name == \"c\"",
		  "os_name == \"a\" and os_name == \"b\" or os_name == \"c\"", 0 },
		/* quoting: always double quotes, escapes decoded */
		{ "os_name == '\\x41'", "os_name == \"A\"", 0 },
		{ "os_name=='a\"b'", "os_name == \"a\"b\"", 0 },
		{ "os_name == 'a\\qb'", "os_name == \"a\\qb\"", 0 },
		{ "os_name == '\\u00e9\\101'", "os_name == \"\xc3\xa9" "A\"", 0 },
		/* 23.0's Marker() stops after a complete marker */
		{ "os_name == \"posix\" garbage", "os_name == \"posix\"", 1 },
		{ "os_name == \"posix\" andd", "os_name == \"posix\"", 1 },
		{ "os_name == \"posix\" ) x", "os_name == \"posix\"", 1 },
		/* "and" before a Unicode letter is no operator (\b fails): the
		 * marker ends; before other characters it is one, and fails */
		{ "os_name == \"posix\" and\u00e9", "os_name == \"posix\"", 1 },
		{ "os_name == \"posix\" and\U0001d400", "os_name == \"posix\"", 1 },
		{ "os_name == \"a\" and\u00a0os_name == \"b\"", NULL, BAD_PARSE },
		{ "os_name == \"a\" or\u2013x", NULL, BAD_PARSE },
		{ "os_name == \"posix\"\n", "os_name == \"posix\"", 1 },
		{ "os_name == \"posix\" \t ", "os_name == \"posix\"", 1 },
		/* both sides variables / both values */
		{ "os_name == extra", "\"os-name\" == extra", 0 },
		{ "extra == os_name", "extra == \"os-name\"", 0 },
		{ "\"posix\" == \"os_name\"", "\"posix\" == \"os_name\"", 1 },
		{ "\"a\" == \"b\"", "\"a\" == \"b\"", BAD_EVAL },
		/* refused */
		{ "", NULL, BAD_PARSE },
		{ "os_name", NULL, BAD_PARSE },
		{ "os_name ==", NULL, BAD_PARSE },
		{ "os_name == \"a\" and", NULL, BAD_PARSE },
		{ "(os_name == \"a\"", NULL, BAD_PARSE },
		{ "os_name notin \"a\"", NULL, BAD_PARSE },
		{ "os_namex == \"a\"", NULL, BAD_PARSE },
		{ "this_isnt_a_real_variable >= '1.0'", NULL, BAD_PARSE },
		{ "(python_version)", NULL, BAD_PARSE },
		{ "platform.release == \"x\"", NULL, BAD_PARSE },
		{ "os_name == 'a\\'", NULL, BAD_PARSE },
		{ "os_name == \"C:\\\"", NULL, BAD_PARSE },
		{ "os_name == \"\\x\"", NULL, BAD_PARSE },
		{ "os_name == \"a\nb\"", NULL, BAD_PARSE },
		{ "os_name == \"\\U00110000\"", NULL, BAD_PARSE },
		{ "os_name == \"unterminated", NULL, BAD_PARSE },
		{ "os_name == 'x", NULL, BAD_PARSE },
	};
	th_marker_env e;

	env_linux(&e);
	RUN(c, &e);
	th_marker_env_release(&e);
}

static void extra_is_normalised(void **state)
{
	static const mcase c[] = {
		{ "extra == \"Foo_Bar\"", "extra == \"foo-bar\"", 1 },
		{ "extra == 'FOO...bar'", "extra == \"foo-bar\"", 1 },
		/* only the first, unparenthesised comparison is shown normalised */
		{ "os_name == \"posix\" and extra == \"Foo_Bar\"", "os_name == \"posix\" and extra == \"Foo_Bar\"", 1 },
		{ "(extra == \"Foo_Bar\")", "extra == \"Foo_Bar\"", 1 },
		{ "extra == \"security\"", "extra == \"security\"", 0 },
		{ "\"foo-bar\" == extra", "\"foo-bar\" == extra", 1 },
		{ "extra != \"foo.bar\"", "extra != \"foo-bar\"", 0 },
	};
	th_marker_env e;

	env_linux(&e);
	assert_int_equal(th_marker_env_set(&e, "extra", "Foo.BAR", 7, NULL), 0);
	RUN(c, &e);
	th_marker_env_release(&e);
}

static void invalid_environment_values(void **state)
{
	static const mcase c[] = {
		{ "python_version >= \"3.8\"", "python_version >= \"3.8\"", BAD_EVAL },
		/* the failing comparison counts even when the answer is known */
		{ "os_name == \"posix\" or python_version >= \"3.8\"", "os_name == \"posix\" or python_version >= \"3.8\"",
		  BAD_EVAL },
		{ "\"3.8\" < python_version", "\"3.8\" < python_version", 1 }, /* string comparison */
		{ "python_version == \"not a version\"", "python_version == \"not a version\"", 1 },
		{ "python_full_version == \"3.11.*\"", "python_full_version == \"3.11.*\"", 1 },
	};
	th_marker_env e;

	env_linux(&e);
	assert_int_equal(th_marker_env_set(&e, "python_version", "not a version", 13, NULL), 0);
	RUN(c, &e);
	th_marker_env_release(&e);
}

/* PEP 751 ("Environment markers": `extras` and `dependency_groups` are sets of
 * normalised names, usable in lock files with `in` / `not in`, the set on the
 * right). packaging 23.0 predates them, so these answers are written from the
 * PEP, not from the oracle. */
static void pep751_sets(void **state)
{
	static const mcase c[] = {
		{ "\"foo\" in extras", "\"foo\" in extras", 1 },
		{ "\"bar\" in extras", "\"bar\" in extras", 1 },
		{ "\"baz\" in extras", "\"baz\" in extras", 0 },
		{ "\"baz\" not in extras", "\"baz\" not in extras", 1 },
		{ "\"foo\" in extras and \"bar\" in extras", "\"foo\" in extras and \"bar\" in extras", 1 },
		{ "\"baz\" in extras and \"foo\" in extras", "\"baz\" in extras and \"foo\" in extras", 0 },
		{ "\"foo\" in extras or \"baz\" in extras", "\"foo\" in extras or \"baz\" in extras", 1 },
		{ "\"Foo\" in extras", "\"foo\" in extras", 1 },           /* names normalised */
		{ "\"FOO_Bar\" in extras", "\"foo-bar\" in extras", 0 },
		{ "\"Dev\" in dependency_groups", "\"dev\" in dependency_groups", 1 },
		{ "\"dev\" not in dependency_groups", "\"dev\" not in dependency_groups", 0 },
		{ "\"test.unit\" in dependency_groups", "\"test-unit\" in dependency_groups", 1 },
		{ "\"docs\" in dependency_groups", "\"docs\" in dependency_groups", 0 },
		{ "python_version >= \"3\" and \"foo\" in extras", "python_version >= \"3\" and \"foo\" in extras", 1 },
		/* only membership is defined on a set */
		{ "extras == \"foo\"", "extras == \"foo\"", BAD_EVAL },
		{ "extras != \"foo\"", "extras != \"foo\"", BAD_EVAL },
		{ "extras >= \"foo\"", "extras >= \"foo\"", BAD_EVAL },
		{ "dependency_groups <= \"foo\"", "dependency_groups <= \"foo\"", BAD_EVAL },
		{ "\"foo\" == extras", "\"foo\" == extras", BAD_EVAL },
		{ "extras in \"foo\"", "extras in \"foo\"", BAD_EVAL },
		{ "extrasx == \"a\"", NULL, BAD_PARSE },
	};
	th_marker_env e;

	env_linux(&e);
	assert_int_equal(th_marker_env_add_extra(&e, "foo", 3, NULL), 0);
	assert_int_equal(th_marker_env_add_extra(&e, "Bar", 3, NULL), 0);
	assert_int_equal(th_marker_env_add_extra(&e, "bar", 3, NULL), 0);
	assert_int_equal(th_marker_env_add_dependency_group(&e, "dev", 3, NULL), 0);
	assert_int_equal(th_marker_env_add_dependency_group(&e, "Test_Unit", 9, NULL), 0);
	RUN(c, &e);
	th_marker_env_release(&e);
}

static void empty_environment(void **state)
{
	static const mcase c[] = {
		{ "os_name == \"\"", "os_name == \"\"", 1 },
		{ "extra == \"\"", "extra == \"\"", 1 },
		{ "python_version >= \"3\"", "python_version >= \"3\"", BAD_EVAL },
		{ "\"3\" === python_version", "\"3\" === python_version", 0 },
		{ "\"a\" in extras", "\"a\" in extras", 0 },
		{ "\"a\" not in dependency_groups", "\"a\" not in dependency_groups", 1 },
	};
	th_marker_env e;
	th_error err = TH_ERROR_INIT;

	th_marker_env_init(&e);
	RUN(c, &e);
	assert_int_equal(th_marker_env_set(&e, "python_verison", "3", 1, &err), TH_ERR_INVALID);
	assert_non_null(strstr(err.msg, "python_verison"));
	assert_int_equal(th_marker_env_set(&e, "extras", "x", 1, NULL), TH_ERR_INVALID);
	th_marker_env_release(&e);
	th_marker_env_release(&e); /* twice is harmless */
}

static void hostile_input(void **state)
{
	th_arena a = TH_ARENA_INIT;
	th_error err = TH_ERROR_INIT;
	th_marker *m;
	th_buf b = TH_BUF_INIT;
	th_marker_env e;
	size_t n = 1 << 20;
	char *s = malloc(3 * n + 64);
	bool r;

	assert_non_null(s);
	env_linux(&e);
	/* deep parentheses: a bounded depth error, not a stack overflow */
	memset(s, '(', n);
	strcpy(s + n, "os_name == \"posix\"");
	assert_int_equal(th_marker_parse(&m, s, strlen(s), &a, &err), TH_ERR_LIMIT);
	/* within the bound: fine */
	{
		char buf[512];
		size_t d = TH_MARKER_DEPTH_MAX, k = 0;
		memset(buf, '(', d);
		k = d + (size_t)sprintf(buf + d, "os_name == \"posix\"");
		memset(buf + k, ')', d);
		assert_int_equal(th_marker_parse(&m, buf, k + d, &a, NULL), 0);
		assert_int_equal(th_marker_eval(m, &e, &r, NULL), 0);
		assert_true(r);
		buf[0] = '(';
		memmove(buf + 1, buf, k + d);
		assert_int_equal(th_marker_parse(&m, buf, k + d + 1, &a, NULL), TH_ERR_LIMIT);
	}
	/* a huge value and a long chain of comparisons */
	strcpy(s, "os_name == \"");
	memset(s + 12, 'x', n);
	strcpy(s + 12 + n, "\"");
	assert_int_equal(th_marker_parse(&m, s, strlen(s), &a, NULL), 0);
	assert_int_equal(th_marker_format(m, &b, NULL), 0);
	assert_int_equal(b.len, n + 13);
	assert_int_equal(th_marker_eval(m, &e, &r, NULL), 0);
	assert_false(r);
	{
		size_t k = 0;
		for (int i = 0; i < 20000; i++)
			k += (size_t)sprintf(s + k, "%sos_name == \"x%d\"", i ? " or " : "", i);
		assert_int_equal(th_marker_parse(&m, s, k, &a, NULL), 0);
		assert_int_equal(th_marker_eval(m, &e, &r, NULL), 0);
		assert_false(r);
	}
	/* NUL bytes: inside a quoted string Python refuses them; after a complete
	 * marker they are ignored like any trailing text */
	assert_int_not_equal(th_marker_parse(&m, "os_name == \"a\0b\"", 16, &a, NULL), 0);
	assert_int_equal(th_marker_parse(&m, "os_name == \"a\"\0x", 16, &a, NULL), 0);
	assert_int_not_equal(th_marker_parse(&m, "\0", 1, &a, NULL), 0);
	/* escaped NUL is a real character */
	assert_int_equal(th_marker_parse(&m, "os_name == \"\\0\"", 15, &a, NULL), 0);
	th_buf_clear(&b);
	assert_int_equal(th_marker_format(m, &b, NULL), 0);
	assert_int_equal(b.len, 14);
	assert_memory_equal(b.ptr, "os_name == \"\0\"", 14);
	free(s);
	th_buf_release(&b);
	th_marker_env_release(&e);
	th_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(versions_and_strings),
		cmocka_unit_test(grammar_and_str),
		cmocka_unit_test(extra_is_normalised),
		cmocka_unit_test(invalid_environment_values),
		cmocka_unit_test(pep751_sets),
		cmocka_unit_test(empty_environment),
		cmocka_unit_test(hostile_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
