/* Unit tests of extractors/namedreq: Poetry's constraint grammar (the caret
 * and tilde tables of Poetry's documentation), `||` merging, Poetry and
 * Pipfile tables, and refusals of hostile or unconvertible input. The
 * converted specifiers are checked against packaging's answers through
 * core/specifier, so "the same versions" is tested, not only the text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/specifier.h"
#include "core/version.h"
#include "extractors/namedreq.h"

static const char *spec(th_arena *a, const char *s)
{
	const char *out = NULL;
	th_error err = TH_ERROR_INIT;
	int rc = th_namedreq_poetry_spec(&out, s, "t", a, &err);
	if (rc)
		fail_msg("%s: %s", s, err.msg);
	return out;
}

static void caret_tilde(void **state)
{
	/* Poetry's documentation: caret and tilde requirements */
	static const char *const cases[][2] = {
		{ "^1.2.3", ">=1.2.3,<2.0.0" }, { "^1.2", ">=1.2,<2.0" },     { "^1", ">=1,<2" },
		{ "^0.2.3", ">=0.2.3,<0.3.0" }, { "^0.0.3", ">=0.0.3,<0.0.4" }, { "^0.0", ">=0.0,<0.1" },
		{ "^0", ">=0,<1" },             { "~1.2.3", ">=1.2.3,<1.3.0" }, { "~1.2", ">=1.2,<1.3" },
		{ "~1", ">=1,<2" },             { "*", "" },                     { "", "" },
		{ "1.*", "==1.*" },             { "1.2.x", "==1.2.*" },          { "!=1.2.*", "!=1.2.*" },
		{ "1.2.3", "==1.2.3" },         { "=1.2.3", "==1.2.3" },         { "==1.2.3", "==1.2.3" },
		{ ">= 1.2, < 1.5", ">=1.2,<1.5" }, { ">=1.2 <1.5 !=1.3", ">=1.2,<1.5,!=1.3" },
		{ "<>1.4", "!=1.4" },           { "~=1.4.2", "~=1.4.2" },        { "1.2 - 2.0", ">=1.2,<=2.0" },
		{ "^1.2.3b1", ">=1.2.3b1,<2.0.0" }, { "^v1.2", ">=1.2,<2.0" },
		{ "^1.0 || ^2.0", ">=1.0,<3.0" }, { "^1.0 | ^2.0", ">=1.0,<3.0" },
		{ "^1.0 || ^3.0", ">=1.0,<4.0,!=2.*" }, { "~1.2 || ~1.5", ">=1.2,<1.6,!=1.3.*,!=1.4.*" },
		{ "2.* || ^1.0", ">=1.0,<3" },    { ">=1.0,<1.5 || >=1.4", ">=1.0" },
		{ "* || ^1.0", "" },
	};
	th_arena a;
	(void)state;
	th_arena_init(&a, 4096);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *got = spec(&a, cases[i][0]);
		if (strcmp(got, cases[i][1]))
			fail_msg("'%s' -> '%s', want '%s'", cases[i][0], got, cases[i][1]);
	}
	th_arena_release(&a);
}

/* The converted sets admit exactly the versions Poetry's semantics admit. */
static void same_versions(void **state)
{
	static const struct {
		const char *c;
		const char *yes, *no;
	} cases[] = {
		{ "^1.2.3", "1.2.3 1.9.9 1.99", "1.2.2 2.0.0 2.0.0a1 0.9" },
		{ "^0.0.3", "0.0.3", "0.0.4 0.1 0.0.2" },
		{ "~1.2", "1.2 1.2.9", "1.3 1.1" },
		{ "^1.0 || ^3.0", "1.0 1.5 3.0 3.9", "2.0 2.5 4.0 0.9" },
	};
	th_arena a;
	(void)state;
	th_arena_init(&a, 4096);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *s = spec(&a, cases[i].c);
		th_specset *set;
		assert_int_equal(th_specset_parse(&set, s, strlen(s), &a, NULL), 0);
		for (int want = 1; want >= 0; want--) {
			char list[128];
			snprintf(list, sizeof list, "%s", want ? cases[i].yes : cases[i].no);
			for (char *v = strtok(list, " "); v; v = strtok(NULL, " ")) {
				th_version ver;
				assert_int_equal(th_version_parse(&ver, v, strlen(v), &a, NULL), 0);
				if (th_specset_contains(set, &ver, 1) != (bool)want)
					fail_msg("'%s' (%s) %s %s", cases[i].c, s, want ? "lacks" : "has", v);
			}
		}
	}
	th_arena_release(&a);
}

static void refusals(void **state)
{
	static const char *const bad[] = {
		"^0.2 || ^2.1",  /* a gap that is not whole releases */
		"^1.0 || !=1.5", /* an alternative that is not a range */
		">>1.0", "^", "^abc", "~x.y", "1.0 -", ">=", "=== ||| ^1", "^1.0 || ^50.0",
		"^99999999999999999999", "1.0 || 1.0.1", "^1 - 2", "1 ||| 2", "||||", "1|||||||2",
	};
	th_arena a;
	(void)state;
	th_arena_init(&a, 4096);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *out;
		th_error err = TH_ERROR_INIT;
		if (th_namedreq_poetry_spec(&out, bad[i], "pyproject.toml:3: x", &a, &err) == 0) {
			/* a text the grammar passes must then fail as PEP 440 */
			th_specset *set;
			if (th_specset_parse(&set, out, strlen(out), &a, NULL) == 0)
				fail_msg("'%s' accepted as '%s'", bad[i], out);
			continue;
		}
		assert_non_null(strstr(err.msg, "pyproject.toml:3: x"));
		assert_null(strchr(err.msg, '\n'));
	}
	th_arena_release(&a);
}

typedef struct got {
	char req[8][256];
	const char *source[8];
	bool optional[8];
	size_t n;
} got;

static int collect(void *ud, const th_namedreq *r)
{
	got *g = ud;
	if (g->n < 8) {
		snprintf(g->req[g->n], sizeof g->req[0], "%s", r->req ? r->req : "");
		g->source[g->n] = r->source;
		g->optional[g->n] = r->optional;
		g->n++;
	}
	return 0;
}

static void convert(th_namedreq_format f, const char *toml, got *g, int expect)
{
	th_arena a;
	th_toml *t;
	th_limits lim;
	th_error err = TH_ERROR_INIT;
	th_limits_init(&lim);
	th_arena_init(&a, 4096);
	memset(g, 0, sizeof *g);
	assert_int_equal(th_toml_parse(&t, toml, strlen(toml), "f", &lim, &a, NULL), 0);
	int rc = th_namedreq_convert(f, t->keys[0], t->vals[0], "f", collect, g, &a, &err);
	if (rc != expect)
		fail_msg("%s: %d (%s)", toml, rc, err.msg);
	th_arena_release(&a);
}

static void tables(void **state)
{
	got g;
	(void)state;
	convert(TH_NAMEDREQ_POETRY,
		"x = {version = \"^2.0\", python = \"^3.8\", extras = [\"a\", \"b\"], markers = \"os_name == 'nt'\"}", &g,
		0);
	assert_string_equal(g.req[0], "x[a,b] >=2.0,<3.0 ; (os_name == 'nt') and "
				      "(python_version >= \"3.8\" and python_version < \"4.0\")");
	convert(TH_NAMEDREQ_POETRY, "x = {version = \"*\", python = \"3.8.* || >=3.10.1\", platform = \"linux\"}", &g, 0);
	assert_string_equal(g.req[0], "x ; ((python_full_version == \"3.8.*\") or (python_full_version >= \"3.10.1\")) "
				      "and (sys_platform == \"linux\")");
	convert(TH_NAMEDREQ_POETRY, "x = {version = \"~1.2\", optional = true, allow-prereleases = true}", &g, 0);
	assert_string_equal(g.req[0], "x >=1.2,<1.3,>=0.dev0");
	assert_true(g.optional[0]);
	convert(TH_NAMEDREQ_POETRY, "x = [{version = \"<2\", python = \"<3.9\"}, {version = \"^2\", python = \">=3.9\"}]",
		&g, 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.req[0], "x <2 ; python_version < \"3.9\"");
	assert_string_equal(g.req[1], "x >=2,<3 ; python_version >= \"3.9\"");
	convert(TH_NAMEDREQ_POETRY, "x = {git = \"https://example.invalid/x.git\", branch = \"main\"}", &g, 0);
	assert_string_equal(g.source[0], "git");
	convert(TH_NAMEDREQ_POETRY, "x = {path = \"../x\", develop = true}", &g, 0);
	assert_string_equal(g.source[0], "path");
	convert(TH_NAMEDREQ_PIPFILE, "x = \"*\"", &g, 0);
	assert_string_equal(g.req[0], "x");
	convert(TH_NAMEDREQ_PIPFILE, "x = \"1.2\"", &g, 0);
	assert_string_equal(g.req[0], "x ==1.2");
	convert(TH_NAMEDREQ_PIPFILE,
		"x = {version = \">=1,<2\", extras = [\"s\"], markers = \"python_version < '3.12'\", "
		"sys_platform = \"== 'win32'\", os_name = \"nt\", index = \"mine\"}",
		&g, 0);
	assert_string_equal(g.req[0], "x[s] >=1,<2 ; (python_version < '3.12') and (os_name == \"nt\") and "
				      "(sys_platform == 'win32')");
	convert(TH_NAMEDREQ_PIPFILE, "x = {file = \"https://example.invalid/x.whl\"}", &g, 0);
	assert_string_equal(g.source[0], "file");
	convert(TH_NAMEDREQ_PIPFILE, "x = {editable = true, path = \".\"}", &g, 0);
	assert_string_equal(g.source[0], "path");
	/* hostile or wrong */
	convert(TH_NAMEDREQ_POETRY, "x = 5", &g, TH_ERR_INVALID);
	convert(TH_NAMEDREQ_POETRY, "x = {version = 5}", &g, TH_ERR_INVALID);
	convert(TH_NAMEDREQ_POETRY, "x = {extras = \"a\"}", &g, TH_ERR_INVALID);
	convert(TH_NAMEDREQ_POETRY, "x = {extras = [\"a]; os_name=='nt' #\"]}", &g, TH_ERR_INVALID);
	convert(TH_NAMEDREQ_POETRY, "x = {platform = \"linux\\\" or \\\"1\"}", &g, TH_ERR_INVALID);
	convert(TH_NAMEDREQ_PIPFILE, "\"x; os_name=='nt'\" = \"*\"", &g, TH_ERR_INVALID);
	convert(TH_NAMEDREQ_PIPFILE, "x = \"a\\u0000b\"", &g, TH_ERR_INVALID);
	convert(TH_NAMEDREQ_PIPFILE, "x = {os_name = \"nt\\\" or \\\"\"}", &g, TH_ERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(caret_tilde),
		cmocka_unit_test(same_versions),
		cmocka_unit_test(refusals),
		cmocka_unit_test(tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
