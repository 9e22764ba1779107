/* Unit tests of resolver/env (specs from .thoth.yaml, OS -> libc, tags) and
 * resolver/kbprovider (a KB fitted to the target: tags, Requires-Python,
 * yanked, metadata; drop reasons in the solver's explanation). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "resolver/env.h"
#include "resolver/kbprovider.h"
#include "resolver/solver.h"

static const char thoth_yaml[] =
	"host: khemenu.thoth-station.ninja\n"
	"runtime_environments:\n"
	"  - name: rhel\n"
	"    operating_system: {name: rhel, version: \"9\"}\n"
	"    python_version: 3.10\n"
	"    cuda_version: null\n"
	"    recommendation_type: stable\n"
	"    platform: linux-x86_64\n"
	"  - name: gpu\n"
	"    operating_system:\n"
	"      name: debian\n"
	"      version: 12\n"
	"    hardware: {cpu_family: 6, cpu_model: 94, gpu_model: null}\n"
	"    python_version: \"3.11\"\n"
	"    cuda_version: \"12.2\"\n"
	"    cudnn_version: 8.9\n"
	"    platform: linux-aarch64\n"
	"  - name: alpine\n"
	"    operating_system: {name: alpine, version: \"3.19\"}\n"
	"    python_version: 3.12\n";

static void env_from_thoth_yaml(void **state)
{
	(void)state;
	th_limits lim;
	th_limits_init(&lim);
	th_arena a;
	th_arena_init(&a, 0);
	th_env_spec sp;
	th_env env;
	th_error err = TH_ERROR_INIT;

	assert_int_equal(th_env_spec_from_yaml(&sp, thoth_yaml, strlen(thoth_yaml), ".thoth.yaml", NULL, &lim, &a, &err), 0);
	assert_string_equal(sp.name, "rhel");
	assert_string_equal(sp.python, "3.10"); /* not the float 3.1 */
	assert_null(sp.cuda);
	assert_int_equal(th_env_init(&env, &sp, &err), 0);
	assert_string_equal(env.platform, "x86_64-manylinux_2_34");
	assert_string_equal(env.python_full, "3.10.0");
	assert_string_equal(env.spec.recommendation_type, "stable");
	assert_true(env.ntags > 10);
	th_tag t = { "cp310", "cp310", "manylinux_2_34_x86_64" }, old = { "cp310", "cp310", "manylinux2014_x86_64" },
	       newer = { "cp310", "cp310", "manylinux_2_35_x86_64" }, any = { "py3", "none", "any" };
	assert_true(th_env_wheel_rank(&env, &t, 1) >= 0);
	assert_true(th_env_wheel_rank(&env, &old, 1) > th_env_wheel_rank(&env, &t, 1));
	assert_int_equal(th_env_wheel_rank(&env, &newer, 1), -1);
	assert_true(th_env_wheel_rank(&env, &any, 1) > 0);
	th_env_release(&env);

	assert_int_equal(th_env_spec_from_yaml(&sp, thoth_yaml, strlen(thoth_yaml), ".thoth.yaml", "gpu", &lim, &a, &err), 0);
	assert_string_equal(sp.cuda, "12.2");
	assert_string_equal(sp.cudnn, "8.9");
	assert_string_equal(sp.gpu_model == NULL ? "null" : sp.gpu_model, "null");
	assert_int_equal(th_env_init(&env, &sp, &err), 0);
	assert_string_equal(env.platform, "aarch64-manylinux_2_36");
	assert_string_equal(env.machine, "aarch64");
	th_buf b = TH_BUF_INIT;
	th_jw w;
	th_jw_init(&w, &b, 0, NULL);
	th_env_write_json(&env, &w);
	assert_int_equal(th_jw_finish(&w), 0);
	assert_non_null(strstr(b.ptr, "\"cuda_version\":\"12.2\""));
	assert_non_null(strstr(b.ptr, "\"platform_machine\":\"aarch64\""));
	th_buf_release(&b);
	th_env_release(&env);

	assert_int_equal(th_env_spec_from_yaml(&sp, thoth_yaml, strlen(thoth_yaml), ".thoth.yaml", "alpine", &lim, &a, &err), 0);
	assert_int_equal(th_env_init(&env, &sp, &err), 0);
	assert_string_equal(env.platform, "x86_64-musllinux_1_2");
	th_env_release(&env);

	/* errors name the file and what is wrong */
	assert_int_equal(th_env_spec_from_yaml(&sp, thoth_yaml, strlen(thoth_yaml), ".thoth.yaml", "nope", &lim, &a, &err),
			 TH_ERR_NOTFOUND);
	assert_non_null(strstr(err.msg, "nope"));
	const char *bad[] = { "- a\n", "runtime_environments: 3\n", "runtime_environments:\n  - name: x\n", "a: [\n",
			      "runtime_environments:\n  - 7\n", "python_version: 3.x\n" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = th_env_spec_from_yaml(&sp, bad[i], strlen(bad[i]), "f.yaml", NULL, &lim, &a, &err);
		if (rc == 0) /* the last one parses; the version is refused by th_env_init */
			assert_int_equal(th_env_init(&env, &sp, &err), TH_ERR_USAGE), th_env_release(&env);
		else
			assert_true(rc < 0);
	}
	/* a single environment at the top level */
	const char *top = "python_version: '3.9'\nplatform: aarch64-musllinux_1_1\n";
	assert_int_equal(th_env_spec_from_yaml(&sp, top, strlen(top), "f.yaml", NULL, &lim, &a, &err), 0);
	assert_int_equal(th_env_init(&env, &sp, &err), 0);
	assert_string_equal(env.platform, "aarch64-musllinux_1_1");
	th_env_release(&env);
	/* only CPython on Linux */
	th_env_spec pypy = { .python = "3.10", .implementation = "pypy" };
	assert_int_equal(th_env_init(&env, &pypy, &err), TH_ERR_USAGE);
	th_env_release(&env);
	assert_int_equal(th_env_init_linux_cpython(&env, "3.11", "x86_64-pc-windows-msvc", &err), TH_ERR_USAGE);
	th_env_release(&env);
	th_arena_release(&a);
}

static void os_libc_table(void **state)
{
	(void)state;
	const char *l, *v;
	assert_true(th_env_os_libc("debian", "12", &l, &v));
	assert_string_equal(v, "2.36");
	assert_true(th_env_os_libc("rhel", "8.6", &l, &v));
	assert_string_equal(v, "2.28");
	assert_true(th_env_os_libc("alpine", "3.12", &l, &v));
	assert_string_equal(l, "musl");
	assert_string_equal(v, "1.1");
	assert_true(th_env_os_libc("alpine", "3.20", &l, &v));
	assert_string_equal(v, "1.2");
	assert_false(th_env_os_libc("rhel", "80", &l, &v));
	assert_false(th_env_os_libc("plan9", "4", &l, &v));
	assert_false(th_env_os_libc(NULL, NULL, &l, &v));
}

static th_store *open_tmp(void)
{
	const char *t = getenv("TMPDIR");
	char p[512];
	th_store *s;
	snprintf(p, sizeof(p), "%s/test_kbprovider_XXXXXX", t ? t : "/tmp");
	assert_non_null(mkdtemp(p));
	strcat(p, "/kb.db");
	assert_int_equal(th_store_open(&s, p, NULL), 0);
	return s;
}

typedef struct file_spec {
	const char *version, *filename, *tags, *rp; /* tags NULL: sdist */
	int yanked, metadata;
	const char *dep;
} file_spec;

static void put_project(th_kb_writer *w, int64_t idx, const char *name, const file_spec *f, size_t n)
{
	int64_t pid, vid = 0;
	assert_int_equal(th_kb_project_put(w, idx, name, name, NULL, NULL, &pid, NULL), 0);
	for (size_t i = 0; i < n; i++) {
		char md[80];
		snprintf(md, sizeof md, "md-%s-%zu", name, i);
		if (i == 0 || strcmp(f[i].version, f[i - 1].version) != 0)
			assert_int_equal(th_kb_version_put(w, pid, f[i].version, &vid, NULL), 0);
		if (f[i].metadata) {
			const char *deps[1] = { f[i].dep };
			assert_int_equal(th_kb_metadata_put(w, md, name, f[i].version, NULL, deps, f[i].dep ? 1 : 0, NULL), 0);
		}
		th_kb_file kf = { f[i].filename, f[i].filename, f[i].tags, "sha256", "ab", f[i].rp, f[i].yanked, NULL,
				  "2024-01-01T00:00:00Z", 10, f[i].metadata ? md : NULL };
		assert_int_equal(th_kb_file_put(w, vid, &kf, NULL, NULL), 0);
	}
}

static int resolve(char *out, size_t cap, th_kbprovider *kp, th_env *env, const char *req)
{
	th_arena a;
	th_arena_init(&a, 0);
	th_req r;
	th_error err = TH_ERROR_INIT;
	th_solution sol;
	th_solution_init(&sol);
	int rc = th_req_parse(&r, req, strlen(req), &a, &err);
	th_provider p = th_kbprovider_provider(kp);
	th_solver_opts opts = { TH_SOLVER_PRE_PIP, 10000, 0 };
	if (rc == 0)
		rc = th_solver_resolve(&sol, &p, env, &r, 1, &opts, &err);
	out[0] = '\0';
	if (rc < 0)
		snprintf(out, cap, "ERR: %s", err.msg);
	else if (!sol.ok)
		snprintf(out, cap, "NO: %s", sol.why.ptr);
	for (size_t i = 0; rc == 0 && sol.ok && i < sol.npins; i++) {
		size_t l = strlen(out);
		const th_kbp_version *kv = th_kbprovider_version(sol.pins[i].cand);
		snprintf(out + l, cap - l, "%s%s==%s(%s)", i ? " " : "", sol.pins[i].name, sol.pins[i].version,
			 kv ? kv->files[0]->f.filename : "?");
	}
	th_solution_release(&sol);
	th_arena_release(&a);
	return rc;
}

static void kb_fitted_to_target(void **state)
{
	(void)state;
	th_store *s = open_tmp();
	th_kb_writer *w;
	int64_t idx;
	const file_spec a[] = {
		{ "3.0", "a-3.0-py3-none-any.whl", "py3-none-any", ">=3.12", 0, 1, NULL },
		{ "2.0", "a-2.0-py3-none-any.whl", "py3-none-any", NULL, 1, 1, "b" },
		{ "2.0", "a-2.0.tar.gz", NULL, NULL, 0, 1, "b" },
		{ "2.0", "a-2.0-cp311-cp311-manylinux_2_17_x86_64.whl", "cp311-cp311-manylinux_2_17_x86_64", NULL, 0, 1,
		  "b" },
		{ "1.5", "a-1.5-py3-none-any.whl", "py3-none-any", NULL, 1, 1, NULL },
		{ "1.0", "a-1.0.tar.gz", NULL, NULL, 0, 0, NULL },
	};
	const file_spec b[] = {
		{ "1.0", "b-1.0-py3-none-any.whl", "py3-none-any", NULL, 0, 1, NULL },
		{ "not a version", "b-x-py3-none-any.whl", "py3-none-any", NULL, 0, 1, NULL },
	};
	const file_spec tf[] = {
		{ "2.16", "tf-2.16-cp312-cp312-manylinux_2_17_x86_64.whl", "cp312-cp312-manylinux_2_17_x86_64", NULL, 0, 1, NULL },
		{ "2.15", "tf-2.15-cp311-cp311-macosx_12_0_arm64.whl", "cp311-cp311-macosx_12_0_arm64", NULL, 0, 1, NULL },
	};
	assert_int_equal(th_kb_writer_new(&w, s, NULL), 0);
	assert_int_equal(th_store_begin(s, NULL), 0);
	assert_int_equal(th_kb_index_put(w, "main", "file:///x", 0, &idx, NULL), 0);
	put_project(w, idx, "a", a, sizeof a / sizeof a[0]);
	put_project(w, idx, "b", b, sizeof b / sizeof b[0]);
	put_project(w, idx, "tf", tf, sizeof tf / sizeof tf[0]);
	assert_int_equal(th_store_commit(s, NULL), 0);
	th_kb_writer_free(w);

	th_env env;
	assert_int_equal(th_env_init_linux_cpython(&env, "3.11.4", "x86_64-manylinux_2_36", NULL), 0);
	th_kbprovider *kp;
	assert_int_equal(th_kbprovider_new(&kp, s, &env, NULL, NULL), 0);
	char out[2048];
	/* 3.0 needs Python 3.12; 2.0's best file is the cp311 wheel (the yanked one is dropped) */
	assert_int_equal(resolve(out, sizeof out, kp, &env, "a"), 0);
	assert_string_equal(out, "a==2.0(a-2.0-cp311-cp311-manylinux_2_17_x86_64.whl) b==1.0(b-1.0-py3-none-any.whl)");
	const th_kbp_dropped *d;
	size_t nd;
	th_kbprovider_dropped(kp, "a", &d, &nd);
	assert_int_equal(nd, 2);
	assert_int_equal(d[0].why, TH_KBP_DROP_REQUIRES_PYTHON);
	assert_string_equal(d[0].detail, ">=3.12");
	assert_int_equal(d[1].why, TH_KBP_DROP_NO_METADATA);
	th_project *p;
	assert_int_equal(th_kbprovider_project(kp, "a", &p, NULL), 0);
	assert_int_equal(p->ncands, 2);
	assert_string_equal(p->cands[0].version_text, "2.0");
	const th_kbp_version *kv = th_kbprovider_version(&p->cands[0]);
	assert_int_equal(kv->nfiles, 2); /* the wheel, then the sdist */
	assert_null(kv->files[1]->f.tags);
	/* PEP 592: the yanked 1.5 only when pinned */
	assert_int_equal(resolve(out, sizeof out, kp, &env, "a<2"), 0);
	assert_non_null(strstr(out, "NO: "));
	assert_int_equal(resolve(out, sizeof out, kp, &env, "a==1.5"), 0);
	assert_string_equal(out, "a==1.5(a-1.5-py3-none-any.whl)");
	/* the explanation says why versions were left out */
	assert_int_equal(resolve(out, sizeof out, kp, &env, "a>=3"), 0);
	assert_non_null(strstr(out, "Requires-Python >=3.12"));
	assert_int_equal(resolve(out, sizeof out, kp, &env, "tf"), 0);
	assert_non_null(strstr(out, "no tf version has a wheel or sdist for cp311 on x86_64-manylinux_2_36"));
	assert_int_equal(resolve(out, sizeof out, kp, &env, "nothere"), 0);
	assert_non_null(strstr(out, "not in the knowledge base"));
	th_kbprovider_stats st;
	th_kbprovider_stats_get(kp, &st);
	assert_int_equal(st.projects, 3);
	assert_int_equal(st.unknown, 1);
	th_kbprovider_free(kp);

	/* wheels only: a's 2.0 keeps only its wheel */
	th_kbprovider_opts o = { .no_sdist = true };
	assert_int_equal(th_kbprovider_new(&kp, s, &env, &o, NULL), 0);
	assert_int_equal(th_kbprovider_project(kp, "a", &p, NULL), 0);
	assert_int_equal(th_kbprovider_version(&p->cands[0])->nfiles, 1);
	th_kbprovider_free(kp);
	th_kbprovider_free(NULL);
	th_env_release(&env);
	th_store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(env_from_thoth_yaml),
		cmocka_unit_test(os_libc_table),
		cmocka_unit_test(kb_fitted_to_target),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
