/* Unit tests of extractors/toml. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "extractors/toml.h"

static th_toml *parse(th_arena *a, const char *s, int expect)
{
	th_toml *t = NULL;
	th_limits lim;
	th_error err = TH_ERROR_INIT;

	th_limits_init(&lim);
	assert_int_equal(th_toml_parse(&t, s, strlen(s), "t.toml", &lim, a, &err), expect);
	return t;
}

static void documents(void **state)
{
	th_arena a;
	const th_toml *t, *v;

	th_arena_init(&a, 4096);
	t = parse(&a, "# top\n"
		      "title = \"TOML \\\"x\\\" \\u00e9\" # c\n"
		      "[project]\n"
		      "name = 'lit\\eral'\n"
		      "dependencies = [\n  \"requests>=2\", # one\n  'numpy',\n]\n"
		      "[project.optional-dependencies]\n"
		      "dev = [\"pytest\"]\n"
		      "[tool.poetry.dependencies]\n"
		      "python = \"^3.8\"\n"
		      "pkg = { version = \"^1.0\", extras = [\"a\"] }\n"
		      "\"quoted.key\" = 1_000\n"
		      "site.\"google.com\" = true\n"
		      "[[tool.x]]\n"
		      "n = 0x1F\n"
		      "[[tool.x]]\n"
		      "n = -3.5e2\n"
		      "[tool.x.sub]\n"
		      "when = 1979-05-27 07:32:00Z\n"
		      "ml = \"\"\"\nline1 \\\n   line2\"\"\"\n"
		      "ml2 = '''\nraw\\n'''\n"
		      "inf = -inf\n",
		  0);
	assert_string_equal(th_toml_str(th_toml_get(t, "title")), "TOML \"x\" \xc3\xa9");
	assert_string_equal(th_toml_str(th_toml_path(t, "project.name")), "lit\\eral");
	v = th_toml_path(t, "project.dependencies");
	assert_int_equal(v->type, TH_TOML_ARRAY);
	assert_int_equal(v->n, 2);
	assert_string_equal(th_toml_str(v->vals[1]), "numpy");
	assert_int_equal(v->vals[1]->line, 7);
	assert_string_equal(th_toml_str(th_toml_path(t, "project.optional-dependencies.dev")->vals[0]), "pytest");
	v = th_toml_path(t, "tool.poetry.dependencies");
	assert_string_equal(th_toml_str(th_toml_path(v, "pkg.version")), "^1.0");
	assert_int_equal(th_toml_get(v, "quoted.key")->i, 1000);
	assert_true(th_toml_path(v, "site")->vals[0]->b);
	v = th_toml_path(t, "tool.x");
	assert_int_equal(v->n, 2);
	assert_int_equal(th_toml_get(v->vals[0], "n")->i, 31);
	assert_true(th_toml_get(v->vals[1], "n")->f == -350.0);
	assert_int_equal(th_toml_path(v->vals[1], "sub.when")->type, TH_TOML_DATETIME);
	assert_string_equal(th_toml_path(v->vals[1], "sub.ml")->str, "line1 line2");
	assert_string_equal(th_toml_path(v->vals[1], "sub.ml2")->str, "raw\\n");
	assert_true(isinf(th_toml_path(v->vals[1], "sub.inf")->f));
	th_arena_release(&a);
}

static void refusals(void **state)
{
	th_arena a;
	char deep[600];

	th_arena_init(&a, 4096);
	parse(&a, "a = 1\na = 2\n", TH_ERR_INVALID);
	parse(&a, "[t]\n[t]\n", TH_ERR_INVALID);
	parse(&a, "a = \"open\n", TH_ERR_INVALID);
	parse(&a, "a = [1, 2\n", TH_ERR_INVALID);
	parse(&a, "a = 1 b = 2\n", TH_ERR_INVALID);
	parse(&a, "a = {x = 1}\n[a]\n", TH_ERR_INVALID);
	parse(&a, "[x\n", TH_ERR_INVALID);
	parse(&a, "a = \"\\q\"\n", TH_ERR_INVALID);
	parse(&a, "= 1\n", TH_ERR_INVALID);
	parse(&a, "a = 12abc\n", TH_ERR_INVALID);
	memset(deep, '[', sizeof(deep));
	memcpy(deep, "a = ", 4);
	deep[sizeof(deep) - 1] = '\0';
	parse(&a, deep, TH_ERR_LIMIT);
	parse(&a, "", 0);
	th_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(documents),
		cmocka_unit_test(refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
