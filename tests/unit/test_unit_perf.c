/* Unit tests of resolver/unit_perf: performance observations from the
 * knowledge base as pipeline facts — environment matching, the score rule,
 * and what the boot and the step say. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/kb_import.h"
#include "resolver/unit_perf.h"

static const char *OBS =
	"{\"thoth_observations\": 1, \"observations\": ["
	/* numpy on the target: 1.23.5 twice (mean 800), 1.26.4 at 600 */
	"{\"package\": {\"name\": \"NumPy\", \"version\": \"1.23.5\"}, \"metric\": \"gflops\", \"value\": 820, \"unit\": \"GFLOPS\","
	" \"higher_is_better\": true, \"environment\": {\"python_version\": \"3.11\", \"platform\": \"linux-x86_64\"}},"
	"{\"package\": {\"name\": \"numpy\", \"version\": \"1.23.5\"}, \"metric\": \"gflops\", \"value\": 780, \"unit\": \"GFLOPS\","
	" \"higher_is_better\": true, \"environment\": {\"python_version\": \"3.11.2\"}},"
	"{\"package\": {\"name\": \"numpy\", \"version\": \"1.26.4\"}, \"metric\": \"gflops\", \"value\": 600, \"unit\": \"GFLOPS\","
	" \"higher_is_better\": true},"
	/* lower is better: 1.26.4 at 10 ms is best, 1.23.5 at 40 ms scores 0.25 - 1 */
	"{\"package\": {\"name\": \"numpy\", \"version\": \"1.26.4\"}, \"metric\": \"startup\", \"value\": 10, \"unit\": \"ms\","
	" \"higher_is_better\": false},"
	"{\"package\": {\"name\": \"numpy\", \"version\": \"1.23.5\"}, \"metric\": \"startup\", \"value\": 40, \"unit\": \"ms\","
	" \"higher_is_better\": false},"
	/* elsewhere: ignored */
	"{\"package\": {\"name\": \"numpy\", \"version\": \"2.0\"}, \"metric\": \"gflops\", \"value\": 9000,"
	" \"higher_is_better\": true, \"environment\": {\"python_version\": \"3.9\"}},"
	"{\"package\": {\"name\": \"torch\", \"version\": \"2.1\"}, \"metric\": \"gflops\", \"value\": 9000,"
	" \"higher_is_better\": true, \"environment\": {\"cuda_version\": \"12.2\"}},"
	"{\"package\": {\"name\": \"torch\", \"version\": \"2.2\"}, \"metric\": \"gflops\", \"value\": 9000,"
	" \"higher_is_better\": true, \"environment\": {\"platform\": \"linux-aarch64\"}},"
	/* not comparable as a ratio */
	"{\"package\": {\"name\": \"scipy\", \"version\": \"1.0\"}, \"metric\": \"m\", \"value\": 0, \"higher_is_better\": true}"
	"]}";

typedef struct fx {
	char dir[512];
	th_store *s;
	th_env env;
	th_pipeline *p;
	th_pipeline_facts facts;
	th_arena a;
} fx;

static void fx_init(fx *f, const char *json)
{
	const char *t = getenv("TMPDIR");
	char path[600];
	th_kb_import_opts o = { 0 };
	th_kb_import_report rep = { 0 };
	th_limits lim;
	th_error err = TH_ERROR_INIT;
	FILE *fp;

	memset(f, 0, sizeof(*f));
	th_limits_init(&lim);
	o.lim = &lim;
	snprintf(f->dir, sizeof(f->dir), "%s/test_unit_perf_XXXXXX", t ? t : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(path, sizeof(path), "%s/kb.db", f->dir);
	assert_int_equal(th_store_open(&f->s, path, NULL), 0);
	snprintf(path, sizeof(path), "%s/obs.json", f->dir);
	assert_non_null(fp = fopen(path, "w"));
	fputs(json, fp);
	fclose(fp);
	assert_int_equal(th_store_begin(f->s, NULL), 0);
	if (th_kb_import_observations(f->s, path, &o, &rep, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(th_store_commit(f->s, NULL), 0);
	assert_int_equal(th_env_init_linux_cpython(&f->env, "3.11.7", "x86_64-manylinux_2_28", NULL), 0);
	th_pipeline_config cfg = TH_PIPELINE_CONFIG_INIT;
	cfg.type = TH_RECTYPE_PERFORMANCE;
	cfg.env = &f->env;
	cfg.facts = &f->facts;
	assert_int_equal(th_pipeline_new(&f->p, &cfg, NULL), 0);
	if (th_unit_perf_add(f->p, &f->facts, f->s, &f->env, &err))
		fail_msg("%s", err.msg);
	th_arena_init(&f->a, 0);
}

static void fx_free(fx *f)
{
	char path[600];
	th_pipeline_free(f->p);
	th_env_release(&f->env);
	th_store_free(f->s);
	th_arena_release(&f->a);
	snprintf(path, sizeof(path), "%s/kb.db", f->dir);
	remove(path);
	snprintf(path, sizeof(path), "%s/obs.json", f->dir);
	remove(path);
	rmdir(f->dir);
}

static const th_unit *unit(fx *f, th_unit_kind k, const char *name)
{
	for (size_t i = 0; i < th_pipeline_count(f->p, k); i++)
		if (!strcmp(th_pipeline_unit(f->p, k, i)->name, name))
			return th_pipeline_unit(f->p, k, i);
	return NULL;
}

/* What the boot units say, one message per line. */
static const char *boots(fx *f, char *buf, size_t cap)
{
	th_justs j = { NULL, 0, 0, &f->a };
	th_unit_ctx ctx = { f->p, TH_RECTYPE_PERFORMANCE, &f->env, NULL, &f->facts, &f->a };
	buf[0] = '\0';
	for (size_t i = 0; i < th_pipeline_count(f->p, TH_UNIT_BOOT); i++) {
		th_unit *u = (th_unit *)th_pipeline_unit(f->p, TH_UNIT_BOOT, i);
		th_boot_out out = { false, &j };
		assert_true(u->boot(u, &ctx, NULL, 0, &out, NULL) >= 0);
	}
	for (size_t i = 0; i < j.n; i++)
		snprintf(buf + strlen(buf), cap - strlen(buf), "%s %s: %s\n", th_just_level_name(j.items[i].level),
			 j.items[i].unit, j.items[i].message);
	return buf;
}

static const th_observation *obs(fx *f, const char *name, const char *version)
{
	for (size_t i = 0; i < f->facts.nobservations; i++)
		if (!strcmp(f->facts.observations[i].name, name) && !strcmp(f->facts.observations[i].version, version))
			return &f->facts.observations[i];
	return NULL;
}

static void scores(void **state)
{
	fx f;
	char buf[2048];
	(void)state;
	fx_init(&f, OBS);
	assert_int_equal(f.facts.nobservations, 2);
	const th_observation *a = obs(&f, "numpy", "1.23.5"), *b = obs(&f, "numpy", "1.26.4");
	assert_non_null(a);
	assert_non_null(b);
	/* mean of its metrics: gflops best (0), startup 10/40 - 1 */
	assert_true(fabs(a->score - (0 + (0.25 - 1)) / 2) < 1e-9);
	assert_true(fabs(b->score - ((600.0 / 800 - 1) + 0) / 2) < 1e-9);
	assert_string_equal(a->what, "gflops 800 GFLOPS, the best observed (higher is better), over 2 runs on Python 3.11, x86_64;"
				     " startup 40 ms against 10 for 1.26.4, the best observed (lower is better), over 1 run on"
				     " an unstated environment");
	assert_string_equal(boots(&f, buf, sizeof(buf)),
			    "INFO env: target: Python 3.11.7 on x86_64 (linux), recommendation type performance\n"
			    "INFO observations: 5 performance observations of 1 project apply to the target (Python 3.11, x86_64)\n"
			    "INFO observations: 3 performance observations recorded on another environment are ignored"
			    " (numpy 2.0 gflops on Python 3.9, the target has 3.11)\n"
			    "WARNING observations: 1 performance observation with a value of 0 or less cannot be compared as"
			    " ratios and is ignored\n");
	/* the step says so beside the pins of a project with ignored observations */
	th_unit *st = (th_unit *)unit(&f, TH_UNIT_STEP, "observations");
	assert_non_null(st);
	assert_int_equal(st->nnames, 2);
	th_justs j = { NULL, 0, 0, &f.a };
	th_step_out out = { .just = &j };
	th_unit_ctx ctx = { f.p, TH_RECTYPE_PERFORMANCE, &f.env, NULL, &f.facts, &f.a };
	th_project proj = { "torch", NULL, 0, 0, NULL };
	th_cand c;
	memset(&c, 0, sizeof(c));
	c.version_text = "2.3";
	assert_true(st->step(st, &ctx, NULL, &proj, &c, &out, NULL) >= 0);
	assert_int_equal(j.n, 1);
	assert_string_equal(j.items[0].message, "2 performance observations of torch recorded on another environment are ignored"
						" (torch 2.1 gflops on CUDA 12.2, the target has no CUDA)");
	assert_true(out.score == 0);
	fx_free(&f);
}

static void none(void **state)
{
	fx f;
	char buf[2048];
	(void)state;
	fx_init(&f, "{\"thoth_observations\": 1, \"observations\": []}");
	assert_int_equal(f.facts.nobservations, 0);
	assert_null(unit(&f, TH_UNIT_STEP, "observations"));
	/* the built-in env boot's warning stands */
	assert_string_equal(boots(&f, buf, sizeof(buf)),
			    "INFO env: target: Python 3.11.7 on x86_64 (linux), recommendation type performance\n"
			    "WARNING env: no performance observations are recorded: stacks are ranked by recency only\n");
	fx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scores),
		cmocka_unit_test(none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
