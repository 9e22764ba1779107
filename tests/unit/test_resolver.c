/* Unit tests of resolver/: env, provider model, JSON index, solver. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "resolver/env.h"
#include "resolver/jsonindex.h"
#include "resolver/solver.h"

/* Resolves reqs (";"-separated... one per array slot) over the index text and
 * writes "name==ver name==ver" or "NO: <why>" into out. */
static int solve(char *out, size_t cap, const char *index, const char *python, th_solver_pre pre,
		 const char *const *reqs, size_t n)
{
	th_error err = TH_ERROR_INIT;
	th_limits lim;
	th_limits_init(&lim);
	th_env env;
	th_provider_mem *m = NULL;
	th_arena a;
	th_arena_init(&a, 0);
	th_solution sol;
	th_solution_init(&sol);
	int rc = th_env_init_linux_cpython(&env, python, "x86_64-manylinux_2_36", &err);
	if (rc == 0)
		rc = th_provider_mem_new(&m, &err);
	if (rc == 0)
		rc = th_jsonindex_load(m, index, strlen(index), &lim, "index", &err);
	th_req roots[8];
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = th_req_parse(&roots[i], reqs[i], strlen(reqs[i]), &a, &err);
	th_provider p = th_provider_mem_provider(m);
	th_solver_opts opts = { pre, 1000, 1 << 26 };
	if (rc == 0)
		rc = th_solver_resolve(&sol, &p, &env, roots, n, &opts, &err);
	out[0] = '\0';
	if (rc < 0)
		snprintf(out, cap, "ERR: %s", err.msg);
	else if (!sol.ok)
		snprintf(out, cap, "NO: %s", sol.why.ptr);
	else
		for (size_t i = 0; i < sol.npins; i++)
			snprintf(out + strlen(out), cap - strlen(out), "%s%s==%s", i ? " " : "", sol.pins[i].name,
				 sol.pins[i].version);
	th_solution_release(&sol);
	th_provider_mem_free(m);
	th_arena_release(&a);
	th_env_release(&env);
	return rc;
}

static const char *IDX =
	"{\"A\": {\"1.0\": {\"dependencies\": [\"b<2\"]}, \"2.0\": {\"dependencies\": [\"b>=2\", \"c; extra == 'x'\"]}},"
	" \"b\": {\"1.5\": {\"dependencies\": []}, \"2.1\": {\"dependencies\": [\"d; python_version < '3.9'\"]},"
	"        \"3.0b1\": null},"
	" \"c\": {\"1\": {\"dependencies\": []}},"
	" \"d\": {\"1\": {\"requires_python\": \">=3.10\"}, \"0.9\": {}, \"0.8\": {\"yanked\": true}},"
	" \"e\": {\"1.0a1\": {}},"
	" \"f\": {\"1\": {\"dependencies\": [\"a<2\", \"b>=2\"]}}}";

static void newest_and_markers(void **state)
{
	char out[4096];
	const char *r1[] = { "a" };
	assert_int_equal(solve(out, sizeof out, IDX, "3.8.10", TH_SOLVER_PRE_FALLBACK, r1, 1), 0);
	/* d 1 needs Python >= 3.10, so 0.9 (0.8 is yanked); b 3.0b1 is a pre-release */
	assert_string_equal(out, "a==2.0 b==2.1 d==0.9");
	assert_int_equal(solve(out, sizeof out, IDX, "3.11.7", TH_SOLVER_PRE_FALLBACK, r1, 1), 0);
	assert_string_equal(out, "a==2.0 b==2.1");
	assert_int_equal(solve(out, sizeof out, IDX, "3.11.7", TH_SOLVER_PRE_ALLOW, r1, 1), 0);
	assert_string_equal(out, "a==2.0 b==3.0b1");
}

static void extras_pull_gated_dependencies(void **state)
{
	char out[4096];
	const char *r[] = { "A[x]" };
	assert_int_equal(solve(out, sizeof out, IDX, "3.11.7", TH_SOLVER_PRE_FALLBACK, r, 1), 0);
	assert_string_equal(out, "a==2.0 b==2.1 c==1");
}

static void prereleases(void **state)
{
	char out[4096];
	const char *only_pre[] = { "e" };
	assert_int_equal(solve(out, sizeof out, IDX, "3.11.7", TH_SOLVER_PRE_FALLBACK, only_pre, 1), 0);
	assert_string_equal(out, "e==1.0a1"); /* no final version: the pre-release */
	const char *named[] = { "b>=3.0b1" };
	assert_int_equal(solve(out, sizeof out, IDX, "3.11.7", TH_SOLVER_PRE_PIP, named, 1), 0);
	assert_string_equal(out, "b==3.0b1");
	const char *bounded[] = { "b>=2" };
	assert_int_equal(solve(out, sizeof out, IDX, "3.11.7", TH_SOLVER_PRE_PIP, bounded, 1), 0);
	assert_string_equal(out, "b==2.1");
}

static void backtracks_and_explains(void **state)
{
	char out[4096];
	const char *r[] = { "a", "b<2" };
	assert_int_equal(solve(out, sizeof out, IDX, "3.11.7", TH_SOLVER_PRE_FALLBACK, r, 2), 0);
	assert_string_equal(out, "a==1.0 b==1.5");
	const char *bad[] = { "f", "b<2" };
	assert_int_equal(solve(out, sizeof out, IDX, "3.11.7", TH_SOLVER_PRE_FALLBACK, bad, 2), 0);
	assert_non_null(strstr(out, "NO: "));
	assert_non_null(strstr(out, "b>=2  (required by f 1)"));
	assert_non_null(strstr(out, "b<2  (requested)"));
	const char *unknown[] = { "nosuch" };
	assert_int_equal(solve(out, sizeof out, IDX, "3.11.7", TH_SOLVER_PRE_FALLBACK, unknown, 1), 0);
	assert_non_null(strstr(out, "unknown project"));
}

static void hostile_index(void **state)
{
	char out[4096];
	const char *r[] = { "a" };
	assert_int_equal(solve(out, sizeof out, "[1]", "3.11.7", TH_SOLVER_PRE_FALLBACK, r, 1), TH_ERR_INVALID);
	assert_int_equal(solve(out, sizeof out, "{\"a\": {\"1\": {\"dependencies\": [1]}}}", "3.11.7",
			       TH_SOLVER_PRE_FALLBACK, r, 1), TH_ERR_INVALID);
	assert_int_equal(solve(out, sizeof out, "{\"a\": {\"1\": {\"dependencies\": [\"b >>> 1\"]}}}", "3.11.7",
			       TH_SOLVER_PRE_FALLBACK, r, 1), TH_ERR_INVALID);
	assert_int_equal(solve(out, sizeof out, "{\"a\": {\"1\": {\"requires_python\": \"~~3\"}}}", "3.11.7",
			       TH_SOLVER_PRE_FALLBACK, r, 1), TH_ERR_INVALID);
	/* a non-PEP 440 version is skipped, as pip skips it */
	assert_int_equal(solve(out, sizeof out, "{\"a\": {\"x y\": {}, \"1\": {}}}", "3.11.7",
			       TH_SOLVER_PRE_FALLBACK, r, 1), 0);
	assert_string_equal(out, "a==1");
	/* a dependency cycle resolves */
	assert_int_equal(solve(out, sizeof out, "{\"a\": {\"1\": {\"dependencies\": [\"b\"]}}, \"b\": {\"1\": {\"dependencies\": [\"a\"]}}}",
			       "3.11.7", TH_SOLVER_PRE_FALLBACK, r, 1), 0);
	assert_string_equal(out, "a==1 b==1");
	assert_int_equal(solve(out, sizeof out, "{}", "3.x", TH_SOLVER_PRE_FALLBACK, r, 1), TH_ERR_USAGE);
}

static void env_fills_pep508(void **state)
{
	th_env env;
	th_buf b;
	th_buf_init(&b, 0);
	assert_int_equal(th_env_init_linux_cpython(&env, "3.8", "aarch64-musllinux_1_2", NULL), 0);
	assert_string_equal(env.python_full, "3.8.0");
	assert_int_equal(th_env_format_json(&env, &b, NULL), 0);
	assert_non_null(strstr(b.ptr, "\"platform_machine\": \"aarch64\""));
	assert_non_null(strstr(b.ptr, "\"python_version\": \"3.8\""));
	th_buf_release(&b);
	th_env_release(&env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(newest_and_markers),
		cmocka_unit_test(extras_pull_gated_dependencies),
		cmocka_unit_test(prereleases),
		cmocka_unit_test(backtracks_and_explains),
		cmocka_unit_test(hostile_index),
		cmocka_unit_test(env_fills_pep508),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
