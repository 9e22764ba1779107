/* Unit tests of resolver/pipeline, unit_builtin, unit_rules and search: each
 * built-in unit fires and does not fire, rule units of every kind run, the
 * search finds the known best stack, is deterministic, and enumerates
 * distinct stacks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/rules.h"
#include "analyzer/store_kb.h"
#include "core/limits.h"
#include "resolver/jsonindex.h"
#include "resolver/search.h"

typedef struct run {
	th_limits lim;
	th_env env;
	th_provider_mem *mem;
	th_provider prov;
	th_pipeline *pl;
	th_rules rules;
	th_arena arena;
	th_search_result res;
	th_pipeline_facts facts;
	th_pipeline_config cfg;
	th_search_opts opts;
	th_req roots[16];
	size_t nroots;
	char text[8192]; /* the stacks, one per line: "score|a==1 b==2|justs" */
} run;

static void run_init(run *r, const char *python, th_rectype type, const char *index)
{
	memset(r, 0, sizeof *r);
	th_error err = TH_ERROR_INIT;
	th_limits_init(&r->lim);
	assert_int_equal(th_env_init_linux_cpython(&r->env, python, NULL, &err), 0);
	assert_int_equal(th_provider_mem_new(&r->mem, &err), 0);
	assert_int_equal(th_jsonindex_load(r->mem, index, strlen(index), &r->lim, "index", &err), 0);
	r->prov = th_provider_mem_provider(r->mem);
	th_rules_init(&r->rules, &r->lim);
	th_arena_init(&r->arena, 0);
	th_search_result_init(&r->res);
	r->cfg = (th_pipeline_config)TH_PIPELINE_CONFIG_INIT;
	r->cfg.type = type;
	r->cfg.env = &r->env;
	r->cfg.facts = &r->facts;
	r->opts = (th_search_opts)TH_SEARCH_OPTS_INIT;
}

static void run_rules(run *r, const char *yaml)
{
	th_error err = TH_ERROR_INIT;
	assert_int_equal(th_rules_add_file(&r->rules, "test.yaml", yaml, strlen(yaml), &err), 0);
	r->cfg.rules = &r->rules;
}

static void run_root(run *r, const char *req)
{
	th_error err = TH_ERROR_INIT;
	assert_int_equal(th_req_parse(&r->roots[r->nroots++], req, strlen(req), &r->arena, &err), 0);
}

/* Runs the search and writes the stacks into r->text. */
static void run_go(run *r)
{
	th_error err = TH_ERROR_INIT;
	int rc = th_pipeline_new(&r->pl, &r->cfg, &err);
	if (rc == 0)
		rc = th_search_run(&r->res, r->pl, &r->prov, r->roots, r->nroots, &r->opts, &err);
	if (rc < 0)
		fail_msg("search: %s", err.msg);
	r->text[0] = '\0';
	size_t cap = sizeof r->text, n = 0;
	if (!r->res.ok) {
		snprintf(r->text, cap, "NO: %s", r->res.why.ptr);
		return;
	}
	for (size_t i = 0; i < r->res.nstacks; i++) {
		const th_stack *s = &r->res.stacks[i];
		for (size_t k = 0; k < s->npins && n < cap; k++)
			n += (size_t)snprintf(r->text + n, cap - n, "%s%s==%s", k ? " " : "", s->pins[k].name,
					      s->pins[k].version);
		if (n < cap)
			n += (size_t)snprintf(r->text + n, cap - n, "\n");
	}
}

static bool run_has_just(const run *r, size_t stack, const char *unit, const char *needle)
{
	const th_stack *s = &r->res.stacks[stack];
	for (size_t i = 0; i < s->njust; i++)
		if (!strcmp(s->just[i].unit, unit) && strstr(s->just[i].message, needle))
			return true;
	return false;
}

static void run_free(run *r)
{
	th_search_result_release(&r->res);
	th_pipeline_free(r->pl);
	th_rules_release(&r->rules);
	th_provider_mem_free(r->mem);
	th_arena_release(&r->arena);
	th_env_release(&r->env);
}

/* The first line of r->text. */
static const char *first(run *r, char *buf, size_t cap)
{
	size_t n = strcspn(r->text, "\n");
	snprintf(buf, cap, "%.*s", (int)(n < cap ? n : cap - 1), r->text);
	return buf;
}

static const char *IDX_BASIC =
	"{\"a\": {\"1.0\": {\"dependencies\": [\"b>=1\"]}, \"2.0\": {\"dependencies\": [\"b>=2\"]}},"
	" \"b\": {\"1.0\": {\"dependencies\": []}, \"2.0\": {\"dependencies\": []},"
	"        \"2.1\": {\"dependencies\": [], \"yanked\": true}, \"3.0a1\": {\"dependencies\": []},"
	"        \"4.0\": {\"dependencies\": [], \"requires_python\": \">=3.12\"}},"
	" \"p\": {\"1.0a1\": {\"dependencies\": []}, \"1.0b2\": {\"dependencies\": []}}}";

static void test_sieves(void **state)
{
	(void)state;
	run r;
	char buf[256];
	run_init(&r, "3.11.7", TH_RECTYPE_TESTING, IDX_BASIC);
	run_root(&r, "a");
	r.opts.enumerate = 100;
	run_go(&r);
	/* requires_python drops b 4.0, yanked b 2.1, prerelease b 3.0a1 */
	assert_null(strstr(r.text, "b==4.0"));
	assert_null(strstr(r.text, "b==2.1"));
	assert_null(strstr(r.text, "b==3.0a1"));
	assert_non_null(strstr(r.text, "a==2.0 b==2.0"));
	assert_true(r.res.exhaustive);
	assert_int_equal(r.res.nstacks, 3); /* a1+b1, a1+b2, a2+b2 */
	run_free(&r);

	/* the same sieve lets b 4.0 in on 3.12; a project with only
	 * pre-releases keeps them */
	run_init(&r, "3.12.1", TH_RECTYPE_TESTING, IDX_BASIC);
	run_root(&r, "a");
	run_root(&r, "p");
	run_go(&r);
	assert_string_equal(first(&r, buf, sizeof buf), "a==2.0 b==4.0 p==1.0b2");
	run_free(&r);
}

/* One advisory: b < 2.0 is affected (fixed in 2.0). */
static th_osv_event EV[] = { { TH_OSV_INTRODUCED, "0" }, { TH_OSV_FIXED, "2.0" } };
static th_osv_range RANGE[] = { { "ECOSYSTEM", EV, 2 } };
static th_osv_affected AFF[] = { { "PyPI", "B", NULL, RANGE, 1, NULL, 0 } };
static th_osv ADV[] = { { .id = "PYSEC-0000-1", .summary = "b leaks", .affected = AFF, .naffected = 1 } };

static const char *IDX_CVE =
	"{\"a\": {\"1.0\": {\"dependencies\": [\"b<2\"]}, \"2.0\": {\"dependencies\": [\"b==1.0\"]},"
	"        \"0.9\": {\"dependencies\": [\"b>=1\"]}},"
	" \"b\": {\"1.0\": {\"dependencies\": []}, \"1.5\": {\"dependencies\": []}, \"2.0\": {\"dependencies\": []}}}";

static void test_cve_step_and_sieve(void **state)
{
	(void)state;
	run r;
	char buf[256];
	/* testing: newest a (2.0) with b 1.0, penalised but still first? no:
	 * the penalty (-0.2) outweighs a's recency (-0.5/3 per rank) only
	 * partly; the stack must carry the advisory */
	run_init(&r, "3.11.7", TH_RECTYPE_STABLE, IDX_CVE);
	r.facts.advisories = ADV;
	r.facts.nadvisories = 1;
	run_root(&r, "a");
	r.opts.count = 5;
	run_go(&r);
	/* stable: the only stack without an advisory is a 0.9 + b 2.0 */
	assert_string_equal(first(&r, buf, sizeof buf), "a==0.9 b==2.0");
	/* a stack with b 1.x has the CVE justification and a lower score */
	assert_true(r.res.nstacks >= 2);
	assert_true(run_has_just(&r, 1, "cve", "PYSEC-0000-1"));
	assert_true(r.res.stacks[1].score < r.res.stacks[0].score);
	assert_false(run_has_just(&r, 0, "cve", "PYSEC"));
	run_free(&r);

	/* security: versions with advisories are gone; fixed ones preferred */
	run_init(&r, "3.11.7", TH_RECTYPE_SECURITY, IDX_CVE);
	r.facts.advisories = ADV;
	r.facts.nadvisories = 1;
	run_root(&r, "a");
	r.opts.enumerate = 10;
	run_go(&r);
	assert_string_equal(r.text, "a==0.9 b==2.0\n");
	assert_true(run_has_just(&r, 0, "fixed", "not affected"));
	run_free(&r);

	/* security with a requirement only affected versions meet: no stack */
	run_init(&r, "3.11.7", TH_RECTYPE_SECURITY, IDX_CVE);
	r.facts.advisories = ADV;
	r.facts.nadvisories = 1;
	run_root(&r, "b<2");
	run_go(&r);
	assert_non_null(strstr(r.text, "NO: no version of b satisfies every requirement on it: b<2 (asked by the project) (2 versions removed"));
	assert_non_null(strstr(r.text, "PYSEC-0000-1"));
	run_free(&r);
}

static const char *wheel_tags(void *ud, const th_project *proj, const th_cand *c, bool *has_sdist)
{
	(void)ud;
	*has_sdist = false;
	if (strcmp(proj->name, "b"))
		return NULL;
	if (!strcmp(c->version_text, "2.0"))
		return "cp312-cp312-manylinux_2_17_x86_64 cp312-abi3-win_amd64";
	if (!strcmp(c->version_text, "1.0"))
		return "py2.py3-none-any";
	*has_sdist = true; /* others: an sdist (kept) */
	return "cp39-cp39-macosx_11_0_arm64";
}

static void test_wheel_tags(void **state)
{
	(void)state;
	run r;
	th_arena ta;
	th_arena_init(&ta, 0);
	th_target t;
	th_tag *tags;
	size_t ntags;
	th_tagset *ts;
	assert_int_equal(th_target_parse(&t, "3.11", "x86_64-manylinux_2_36", &ta, NULL), 0);
	assert_int_equal(th_tags_supported(&tags, &ntags, &t, &ta, NULL), 0);
	assert_int_equal(th_tagset_build(&ts, tags, ntags, &ta, NULL), 0);
	run_init(&r, "3.11.7", TH_RECTYPE_TESTING, IDX_BASIC);
	r.cfg.tags = ts;
	r.facts.wheel_tags = wheel_tags;
	run_root(&r, "b");
	r.opts.enumerate = 10;
	run_go(&r);
	/* b 2.0 has no cp311 wheel and no sdist; 1.0 (py3-none-any) stays */
	assert_string_equal(r.text, "b==1.0\n");
	run_free(&r);
	/* without a tag set the sieve is left out */
	run_init(&r, "3.11.7", TH_RECTYPE_TESTING, IDX_BASIC);
	r.facts.wheel_tags = wheel_tags;
	run_root(&r, "b");
	r.opts.enumerate = 10;
	run_go(&r);
	assert_string_equal(r.text, "b==2.0\nb==1.0\n");
	run_free(&r);
	th_arena_release(&ta);
}

/* Advisories from the knowledge base (th_kb_advisories_load). */
static void test_store_advisories(void **state)
{
	(void)state;
	const char *t = getenv("TMPDIR");
	char p[512];
	snprintf(p, sizeof p, "%s/test_pipeline_XXXXXX", t ? t : "/tmp");
	assert_non_null(mkdtemp(p));
	strcat(p, "/kb.db");
	th_store *st;
	th_kb_writer *w;
	assert_int_equal(th_store_open(&st, p, NULL), 0);
	assert_int_equal(th_store_begin(st, NULL), 0);
	assert_int_equal(th_kb_writer_new(&w, st, NULL), 0);
	static th_osv_affected aff[] = { { "PyPI", "b", NULL, RANGE, 1, NULL, 0 } };
	static th_osv adv = { .id = "PYSEC-0000-9", .affected = aff, .naffected = 1 };
	assert_int_equal(th_kb_advisory_put(w, &adv, NULL), 0);
	th_kb_writer_free(w);
	assert_int_equal(th_store_commit(st, NULL), 0);
	run r;
	char buf[256];
	run_init(&r, "3.11.7", TH_RECTYPE_SECURITY, IDX_CVE);
	r.facts.store = st;
	run_root(&r, "a");
	run_go(&r);
	assert_string_equal(first(&r, buf, sizeof buf), "a==0.9 b==2.0");
	run_free(&r);
	th_store_free(st);
}

static const char *IDX_STABLE =
	"{\"x\": {\"1.1.0\": {\"dependencies\": []}, \"1.1.1\": {\"dependencies\": []}, \"1.0.5\": {\"dependencies\": []},"
	"        \"1.0.6\": {\"dependencies\": [], \"yanked\": true}, \"1.0.7\": {\"dependencies\": []}}}";

static const char *upload(void *ud, const th_project *proj, const th_cand *c)
{
	(void)ud;
	(void)proj;
	return !strcmp(c->version_text, "1.1.1") ? "2026-11-27T10:00:00Z" : "2025-01-01T00:00:00Z";
}

static void test_stable_penalties(void **state)
{
	(void)state;
	run r;
	char buf[256];
	run_init(&r, "3.11.7", TH_RECTYPE_STABLE, IDX_STABLE);
	r.facts.upload_time = upload;
	r.facts.now = "2026-11-29T12:00:00Z";
	run_root(&r, "x");
	r.opts.count = 4;
	run_go(&r);
	/* 1.1.1 is two days old (-0.2), 1.1.0 a fresh .0 (-0.2), 1.0.5 and
	 * 1.0.7 sit next to the yanked 1.0.6 (-0.1): 1.0.7 wins on recency */
	assert_string_equal(first(&r, buf, sizeof buf), "x==1.0.7");
	assert_true(run_has_just(&r, 0, "stable", "was yanked"));
	for (size_t i = 0; i < r.res.nstacks; i++) {
		const char *v = r.res.stacks[i].pins[0].version;
		if (!strcmp(v, "1.1.0"))
			assert_true(run_has_just(&r, i, "stable", "fresh .0"));
		if (!strcmp(v, "1.1.1"))
			assert_true(run_has_just(&r, i, "stable", "released 2 days ago"));
	}
	run_free(&r);

	/* testing has none of those penalties: the newest wins */
	run_init(&r, "3.11.7", TH_RECTYPE_TESTING, IDX_STABLE);
	r.facts.upload_time = upload;
	r.facts.now = "2026-11-29T12:00:00Z";
	run_root(&r, "x");
	run_go(&r);
	assert_string_equal(first(&r, buf, sizeof buf), "x==1.1.1");
	run_free(&r);
}

static void test_performance(void **state)
{
	(void)state;
	run r;
	char buf[256];
	static const th_observation obs[] = { { "b", "1.0", 0.6, "requests per second, +30%" } };
	run_init(&r, "3.11.7", TH_RECTYPE_PERFORMANCE, IDX_BASIC);
	r.facts.observations = obs;
	r.facts.nobservations = 1;
	run_root(&r, "a");
	run_go(&r);
	assert_string_equal(first(&r, buf, sizeof buf), "a==1.0 b==1.0");
	assert_true(run_has_just(&r, 0, "performance", "requests per second"));
	run_free(&r);

	/* without observations: the boot says so; recency decides */
	run_init(&r, "3.11.7", TH_RECTYPE_PERFORMANCE, IDX_BASIC);
	run_root(&r, "a");
	run_go(&r);
	assert_string_equal(first(&r, buf, sizeof buf), "a==2.0 b==2.0");
	bool said = false;
	for (size_t i = 0; i < r.res.nboot_just; i++)
		said |= strstr(r.res.boot_just[i].message, "no performance observations") != NULL;
	assert_true(said);
	run_free(&r);
}

static const char *RULES_API =
	"units:\n"
	"  wraps:\n"
	"  - name: NumpyAliasesWrap\n"
	"    type: wrap\n"
	"    should_include:\n"
	"      adviser_pipeline: true\n"
	"    run:\n"
	"      api_removed:\n"
	"        package: numpy\n"
	"        version: \">=1.24\"\n"
	"        symbols: [numpy.float, numpy.int]\n"
	"        replacement: the builtin types\n";

static const char *IDX_NUMPY =
	"{\"numpy\": {\"1.23.5\": {\"dependencies\": []}, \"1.24.0\": {\"dependencies\": []},"
	"            \"1.26.4\": {\"dependencies\": []}}}";

static void test_api_removed(void **state)
{
	(void)state;
	run r;
	static const char *const used[] = { "numpy.float", "numpy.array" };
	run_init(&r, "3.11.7", TH_RECTYPE_STABLE, IDX_NUMPY);
	run_rules(&r, RULES_API);
	r.facts.symbols = used;
	r.facts.nsymbols = 2;
	run_root(&r, "numpy");
	r.opts.enumerate = 10;
	run_go(&r);
	assert_string_equal(r.text, "numpy==1.23.5\n");
	run_free(&r);

	/* the code does not use a removed symbol: every version stays */
	run_init(&r, "3.11.7", TH_RECTYPE_STABLE, IDX_NUMPY);
	run_rules(&r, RULES_API);
	r.facts.symbols = used + 1;
	r.facts.nsymbols = 1;
	run_root(&r, "numpy");
	r.opts.enumerate = 10;
	run_go(&r);
	assert_int_equal(r.res.nstacks, 3);
	run_free(&r);

	/* nothing left: the explanation names the symbol */
	run_init(&r, "3.11.7", TH_RECTYPE_STABLE, IDX_NUMPY);
	run_rules(&r, RULES_API);
	r.facts.symbols = used;
	r.facts.nsymbols = 1;
	run_root(&r, "numpy>=1.24");
	run_go(&r);
	assert_non_null(strstr(r.text, "uses numpy.float"));
	run_free(&r);
}

static const char *IDX_RULES =
	"{\"app\": {\"1.0\": {\"dependencies\": [\"lib\", \"tool\", \"extra\"]}},"
	" \"lib\": {\"1.0\": {\"dependencies\": []}, \"2.0\": {\"dependencies\": []}, \"3.0\": {\"dependencies\": []}},"
	" \"tool\": {\"1.0\": {\"dependencies\": []}, \"2.0\": {\"dependencies\": []}, \"3.0\": {\"dependencies\": []}},"
	" \"extra\": {\"1.0\": {\"dependencies\": []}}}";

static char *read_fixture(const char *rel)
{
	const char *dir = getenv("THOTH_FIXTURES");
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir ? dir : "fixtures", rel);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	static char buf[16384];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static void test_rule_units(void **state)
{
	(void)state;
	run r;
	char buf[256];
	const char *yaml = read_fixture("pipeline/rules/units.yaml");
	assert_non_null(yaml);
	run_init(&r, "3.11.7", TH_RECTYPE_STABLE, IDX_RULES);
	run_rules(&r, yaml);
	run_root(&r, "app");
	r.opts.enumerate = 50;
	run_go(&r);
	/* sieve: lib 2.0 removed; stride: tool 3.0 stacks rejected */
	assert_null(strstr(r.text, "lib==2.0"));
	assert_null(strstr(r.text, "tool==3.0"));
	assert_int_equal(r.res.nstacks, 4); /* lib {1,3} x tool {1,2} */
	assert_int_equal(r.res.rejected, 2);
	run_free(&r);

	run_init(&r, "3.11.7", TH_RECTYPE_STABLE, IDX_RULES);
	run_rules(&r, yaml);
	run_root(&r, "app");
	r.opts.count = 4;
	run_go(&r);
	/* step: tool 1.x +0.5 wins; the contextual step penalises extra with lib 1.0 */
	assert_string_equal(first(&r, buf, sizeof buf), "app==1.0 extra==1.0 lib==3.0 tool==1.0");
	assert_true(run_has_just(&r, 0, "ToolOldPreferredStep", "known good"));
	assert_false(run_has_just(&r, 0, "ExtraWithLibOneStep", "get along"));
	bool ctx_fired = false;
	for (size_t i = 0; i < r.res.nstacks; i++)
		if (!strcmp(r.res.stacks[i].pins[2].version, "1.0")) /* lib 1.0 */
			ctx_fired = run_has_just(&r, i, "ExtraWithLibOneStep", "get along");
	assert_true(ctx_fired);
	/* wrap justifies; pseudonym offers lib-fast at the matched version */
	assert_true(run_has_just(&r, 0, "LibWrap", "newer API"));
	assert_int_equal(r.res.stacks[0].nalts, 1);
	assert_string_equal(r.res.stacks[0].alts[0].name, "lib-fast");
	assert_string_equal(r.res.stacks[0].alts[0].version, "3.0");
	/* boot: fired for the root app */
	bool booted = false;
	for (size_t i = 0; i < r.res.nboot_just; i++)
		booted |= !strcmp(r.res.boot_just[i].unit, "HelloBoot");
	assert_true(booted);
	run_free(&r);
}

static const char *RULES_STOP =
	"units:\n"
	"  boots:\n"
	"  - name: NoAppBoot\n"
	"    type: boot\n"
	"    should_include:\n"
	"      adviser_pipeline: true\n"
	"      recommendation_types: [security]\n"
	"    match:\n"
	"      package_name: a\n"
	"    run:\n"
	"      not_acceptable: a cannot be advised here\n";

static void test_boot_stop(void **state)
{
	(void)state;
	run r;
	run_init(&r, "3.11.7", TH_RECTYPE_SECURITY, IDX_BASIC);
	run_rules(&r, RULES_STOP);
	run_root(&r, "a");
	run_go(&r);
	assert_non_null(strstr(r.text, "NO: the pipeline stopped at boot NoAppBoot: a cannot be advised here"));
	run_free(&r);
	/* should_include: not for stable */
	run_init(&r, "3.11.7", TH_RECTYPE_STABLE, IDX_BASIC);
	run_rules(&r, RULES_STOP);
	run_root(&r, "a");
	run_go(&r);
	assert_true(r.res.ok);
	run_free(&r);
}

/* A best stack greedy choice misses: a 2.0 (newest) drags in c with a big
 * penalty through a dependency only visible after choosing it. */
static const char *IDX_BEST =
	"{\"a\": {\"2.0\": {\"dependencies\": [\"c\"]}, \"1.0\": {\"dependencies\": [\"d\"]}},"
	" \"c\": {\"1.0\": {\"dependencies\": []}}, \"d\": {\"1.0\": {\"dependencies\": []}}}";

static th_osv_affected AFF_C[] = { { "PyPI", "c", NULL, RANGE, 1, NULL, 0 } };
static th_osv ADV_C[] = { { .id = "PYSEC-0000-2", .affected = AFF_C, .naffected = 1 },
			  { .id = "PYSEC-0000-3", .affected = AFF_C, .naffected = 1 } };

static void test_best_stack(void **state)
{
	(void)state;
	run r;
	char buf[256];
	run_init(&r, "3.11.7", TH_RECTYPE_TESTING, IDX_BEST);
	r.facts.advisories = ADV_C;
	r.facts.nadvisories = 2;
	run_root(&r, "a");
	r.opts.count = 2;
	run_go(&r);
	assert_string_equal(first(&r, buf, sizeof buf), "a==1.0 d==1.0");
	assert_int_equal(r.res.nstacks, 2);
	assert_true(r.res.stacks[0].score > r.res.stacks[1].score);
	run_free(&r);
}

/* A generated index big enough that the exhaustive walk gives up. */
static char *gen_index(void)
{
	size_t cap = 1 << 20, n = 0;
	char *s = malloc(cap);
	assert_non_null(s);
	n += (size_t)snprintf(s + n, cap - n, "{");
	for (int p = 0; p < 12; p++) {
		n += (size_t)snprintf(s + n, cap - n, "%s\"p%d\": {", p ? ", " : "", p);
		for (int v = 1; v <= 15; v++) {
			n += (size_t)snprintf(s + n, cap - n, "%s\"%d.0\": {\"dependencies\": [", v > 1 ? ", " : "", v);
			if (p + 1 < 12)
				n += (size_t)snprintf(s + n, cap - n, "\"p%d>=%d\"", p + 1, (v * 7 + p) % 5);
			if (p + 2 < 12)
				n += (size_t)snprintf(s + n, cap - n, ", \"p%d!=%d.0\"", p + 2, (v + p) % 15 + 1);
			n += (size_t)snprintf(s + n, cap - n, "]}");
		}
		n += (size_t)snprintf(s + n, cap - n, "}");
	}
	snprintf(s + n, cap - n, "}");
	return s;
}

static void test_determinism(void **state)
{
	(void)state;
	char *idx = gen_index();
	char a[8192], b[8192], c[8192];
	for (int round = 0; round < 3; round++) {
		run r;
		run_init(&r, "3.11.7", TH_RECTYPE_STABLE, idx);
		run_root(&r, "p0");
		r.opts.count = 5;
		r.opts.seed = round == 2 ? 7 : 42;
		r.opts.exhaustive_max = 50;
		r.opts.max_finals = 3000;
		run_go(&r);
		assert_true(r.res.ok);
		assert_false(r.res.exhaustive);
		assert_int_equal(r.res.nstacks, 5);
		/* distinct, best first */
		for (size_t i = 1; i < r.res.nstacks; i++)
			assert_true(r.res.stacks[i - 1].score >= r.res.stacks[i].score);
		memcpy(round == 0 ? a : round == 1 ? b : c, r.text, sizeof r.text);
		run_free(&r);
	}
	assert_string_equal(a, b);
	/* another seed may differ, but it must find stacks as good as these:
	 * the greedy first one is the same */
	assert_memory_equal(a, c, strcspn(a, "\n"));

	/* enumerate: seeded random distinct stacks, repeatable */
	for (int round = 0; round < 2; round++) {
		run r;
		run_init(&r, "3.11.7", TH_RECTYPE_STABLE, idx);
		run_root(&r, "p0");
		r.opts.enumerate = 20;
		r.opts.exhaustive_max = 50;
		run_go(&r);
		assert_int_equal(r.res.nstacks, 20);
		for (size_t i = 0; i < r.res.nstacks; i++)
			for (size_t j = i + 1; j < r.res.nstacks; j++) {
				bool same = r.res.stacks[i].npins == r.res.stacks[j].npins;
				for (size_t k = 0; same && k < r.res.stacks[i].npins; k++)
					same = !strcmp(r.res.stacks[i].pins[k].version, r.res.stacks[j].pins[k].version) &&
					       !strcmp(r.res.stacks[i].pins[k].name, r.res.stacks[j].pins[k].name);
				assert_false(same);
			}
		memcpy(round == 0 ? a : b, r.text, sizeof r.text);
		run_free(&r);
	}
	assert_string_equal(a, b);
	free(idx);
}

static void test_extras_and_markers(void **state)
{
	(void)state;
	run r;
	char buf[256];
	static const char *idx =
		"{\"a\": {\"1.0\": {\"dependencies\": [\"b[fast]\", \"c; python_version < '3.8'\"]}},"
		" \"b\": {\"1.0\": {\"dependencies\": [\"d; extra == 'fast'\", \"e; extra == 'slow'\"]}},"
		" \"c\": {\"1.0\": null}, \"d\": {\"1.0\": null}, \"e\": {\"1.0\": null}}";
	run_init(&r, "3.11.7", TH_RECTYPE_STABLE, idx);
	run_root(&r, "a");
	run_go(&r);
	assert_string_equal(first(&r, buf, sizeof buf), "a==1.0 b==1.0 d==1.0");
	run_free(&r);

	/* no root applies: the empty stack, found exhaustively */
	run_init(&r, "3.11.7", TH_RECTYPE_STABLE, idx);
	run_root(&r, "c; python_version < '3.0'");
	run_go(&r);
	assert_true(r.res.ok);
	assert_true(r.res.exhaustive);
	assert_int_equal(r.res.nstacks, 1);
	assert_int_equal(r.res.stacks[0].npins, 0);
	run_free(&r);

	/* a root that names an unknown project */
	run_init(&r, "3.11.7", TH_RECTYPE_STABLE, idx);
	run_root(&r, "zzz");
	run_go(&r);
	assert_string_equal(r.text, "NO: zzz is not in the index");
	run_free(&r);

	/* a conflict: the explanation names both requirements */
	run_init(&r, "3.11.7", TH_RECTYPE_STABLE, IDX_CVE);
	run_root(&r, "a==2.0");
	run_root(&r, "b>=1.5");
	run_go(&r);
	assert_non_null(strstr(r.text, "NO: "));
	assert_non_null(strstr(r.text, "b"));
	run_free(&r);
}

/* The shipped knowledge (analyzer/knowledge.h): known-broken pairs, Python
 * support and removed APIs. */
static void test_knowledge(void **state)
{
	(void)state;
	th_error err = TH_ERROR_INIT;
	th_know *k = NULL;
	th_know_opts ko = TH_KNOW_OPTS_INIT;
	assert_int_equal(th_know_open(&k, &ko, &err), 0);
	static const char *idx =
		"{\"app\": {\"1.0\": {\"dependencies\": [\"jinja2\", \"markupsafe\", \"numpy\"]}},"
		" \"jinja2\": {\"2.11.3\": null, \"3.1.2\": null},"
		" \"markupsafe\": {\"2.0.1\": null, \"2.1.3\": null},"
		" \"numpy\": {\"1.23.5\": null, \"1.26.4\": null}}";
	run r;
	run_init(&r, "3.11.7", TH_RECTYPE_STABLE, idx);
	r.cfg.know = k;
	run_root(&r, "app");
	r.opts.enumerate = 50;
	run_go(&r);
	/* jinja2 2 + markupsafe 2.1 never; the other 3 pairs x 2 numpy */
	assert_null(strstr(r.text, "jinja2==2.11.3 markupsafe==2.1.3"));
	assert_int_equal(r.res.nstacks, 6);
	run_free(&r);

	/* numpy 1.23.5 does not support Python 3.12 (python_support) */
	run_init(&r, "3.12.1", TH_RECTYPE_STABLE, idx);
	r.cfg.know = k;
	run_root(&r, "numpy");
	r.opts.enumerate = 50;
	run_go(&r);
	assert_string_equal(r.text, "numpy==1.26.4\n");
	run_free(&r);

	/* the code uses numpy.float: only numpy before 1.24 */
	static const char *const used[] = { "numpy.float" };
	run_init(&r, "3.11.7", TH_RECTYPE_STABLE, idx);
	r.cfg.know = k;
	r.facts.symbols = used;
	r.facts.nsymbols = 1;
	run_root(&r, "numpy");
	r.opts.enumerate = 50;
	run_go(&r);
	assert_string_equal(r.text, "numpy==1.23.5\n");
	run_free(&r);
	th_know_free(k);
}

/* ---- pseudonyms, step.AddPackage, package_version_from ---- */

static const char *IDX_PSEUDO =
	"{\"app\": {\"1.0\": {\"dependencies\": [\"tf>=2\"]}},"
	" \"other\": {\"1.0\": {\"dependencies\": [\"tf==2.1\"]}},"
	" \"tf\": {\"2.1\": {\"dependencies\": []}, \"2.2\": {\"dependencies\": []}},"
	" \"itf\": {\"2.1\": {\"dependencies\": [\"helper\"]}, \"2.2\": {\"dependencies\": []}},"
	" \"helper\": {\"1.0\": {\"dependencies\": []}}}";

static const char *RULES_PSEUDO =
	"units:\n"
	"  pseudonyms:\n"
	"  - name: TfPseudonym\n"
	"    type: pseudonym\n"
	"    should_include: {adviser_pipeline: true}\n"
	"    match: {package_version: {name: tf}}\n"
	"    run:\n"
	"      yield: {yield_matched_version: true, package_version: {name: itf}}\n"
	"  steps:\n"
	"  - name: ItfStep\n"
	"    type: step\n"
	"    should_include: {adviser_pipeline: true}\n"
	"    match: {package_version: {name: itf}}\n"
	"    run: {score: 0.5}\n";

static bool run_has_pin(const th_stack *st, const char *name)
{
	for (size_t k = 0; k < st->npins; k++)
		if (!strcmp(st->pins[k].name, name))
			return true;
	return false;
}

/* One search of idx with yaml's rules from roots r1 (and r2), enumerating
 * (enumerate > 0) or the best count; the caller checks and frees r. */
static void run_rules_go(run *r, th_rectype type, const char *idx, const char *yaml, const char *r1, const char *r2,
			 size_t enumerate, size_t count)
{
	run_init(r, "3.11.7", type, idx);
	run_rules(r, yaml);
	run_root(r, r1);
	if (r2)
		run_root(r, r2);
	r->opts.enumerate = enumerate;
	r->opts.count = count ? count : 1;
	run_go(r);
}

static void test_pseudonym(void **state)
{
	(void)state;
	run r;
	char buf[256];
	/* the alternative stands in for tf: its dependencies are resolved, the
	 * requirements on tf accept it where they accept the matched version
	 * (other's tf==2.1 rules out itf 2.2), and the step's score picks it */
	run_rules_go(&r, TH_RECTYPE_STABLE, IDX_PSEUDO, RULES_PSEUDO, "app", "other", 0, 3);
	assert_string_equal(first(&r, buf, sizeof buf), "app==1.0 helper==1.0 itf==2.1 other==1.0");
	assert_int_equal(r.res.nstacks, 2);
	assert_non_null(strstr(r.text, "\napp==1.0 other==1.0 tf==2.1\n"));
	assert_null(strstr(r.text, "itf==2.2"));
	assert_true(run_has_just(&r, 0, "TfPseudonym", "itf 2.1 stands in for tf 2.1"));
	assert_int_equal(r.res.stacks[0].nsubst, 1);
	assert_string_equal(r.res.stacks[0].subst[0].original, "tf");
	assert_string_equal(r.res.stacks[0].subst[0].name, "itf");
	assert_string_equal(r.res.stacks[0].subst[0].unit, "TfPseudonym");
	assert_int_equal(r.res.stacks[0].subst[0].norigins, 1);
	assert_string_equal(r.res.stacks[0].subst[0].origins[0], "2.1");
	assert_int_equal(r.res.stacks[1].nsubst, 0);
	run_free(&r);

	/* deterministic for a seed, in sampling mode too */
	char once[8192];
	for (int i = 0; i < 2; i++) {
		run_init(&r, "3.11.7", TH_RECTYPE_STABLE, IDX_PSEUDO);
		run_rules(&r, RULES_PSEUDO);
		run_root(&r, "app");
		r.opts.count = 4;
		r.opts.exhaustive_max = 1;
		r.opts.max_finals = 200;
		r.opts.seed = 7;
		run_go(&r);
		if (i == 0)
			snprintf(once, sizeof once, "%s", r.text);
		else
			assert_string_equal(r.text, once);
		run_free(&r);
	}
	assert_non_null(strstr(once, "itf==2.2"));

	/* latest stays pseudonym-free */
	run_rules_go(&r, TH_RECTYPE_LATEST, IDX_PSEUDO, RULES_PSEUDO, "app", NULL, 10, 0);
	assert_string_equal(r.text, "app==1.0 tf==2.2\napp==1.0 tf==2.1\n");
	assert_int_equal(r.res.stacks[0].nalts, 1); /* still offered */
	run_free(&r);

	/* the alternative's name required elsewhere: it cannot stand in */
	run_rules_go(&r, TH_RECTYPE_STABLE, IDX_PSEUDO, RULES_PSEUDO, "app", "itf==2.2", 10, 0);
	for (size_t i = 0; i < r.res.nstacks; i++) {
		assert_true(run_has_pin(&r.res.stacks[i], "tf"));
		assert_int_equal(r.res.stacks[i].nsubst, 0);
	}
	assert_int_equal(r.res.nstacks, 2);
	run_free(&r);

	/* a locked version for every tf: itf 2.2 stands in for tf 2.1 too, so
	 * other's tf==2.1 accepts it */
	const char *locked =
		"units:\n"
		"  pseudonyms:\n"
		"  - name: TfLocked\n"
		"    type: pseudonym\n"
		"    should_include: {adviser_pipeline: true}\n"
		"    match: {package_version: {name: tf}}\n"
		"    run:\n"
		"      yield: {package_version: {name: itf, locked_version: ==2.2}}\n";
	run_rules_go(&r, TH_RECTYPE_STABLE, IDX_PSEUDO, locked, "app", "other", 10, 0);
	assert_string_equal(r.text, "app==1.0 other==1.0 tf==2.1\napp==1.0 itf==2.2 other==1.0\n");
	assert_int_equal(r.res.stacks[1].subst[0].norigins, 2);
	run_free(&r);

	/* another version of the same project (Thoth's underpinning fix): tf
	 * 2.1 stands in where tf==2.2 is asked */
	const char *under =
		"units:\n"
		"  pseudonyms:\n"
		"  - name: TfUnderpin\n"
		"    type: pseudonym\n"
		"    should_include: {adviser_pipeline: true}\n"
		"    match: {package_version: {name: tf, version: ==2.2}}\n"
		"    run:\n"
		"      yield: {package_version: {name: tf, locked_version: ==2.1}}\n";
	run_rules_go(&r, TH_RECTYPE_STABLE, IDX_PSEUDO, under, "tf==2.2", NULL, 10, 0);
	assert_string_equal(r.text, "tf==2.2\ntf==2.1\n");
	assert_true(run_has_just(&r, 1, "TfUnderpin", "tf 2.1 stands in for tf 2.2"));
	run_free(&r);
}

static const char *IDX_ADD =
	"{\"a\": {\"1.0\": {\"dependencies\": []}},"
	" \"b\": {\"1.0\": {\"dependencies\": []}, \"2.0\": {\"dependencies\": []}},"
	" \"c\": {\"1.0\": {\"dependencies\": []}},"
	" \"d\": {\"1.0\": {\"dependencies\": []}, \"2.0\": {\"dependencies\": []}}}";

static const char *RULES_ADD =
	"units:\n"
	"  steps:\n"
	"  - name: AddB\n"
	"    type: step.AddPackage\n"
	"    should_include: {adviser_pipeline: true}\n"
	"    match: {package_version: {name: a}}\n"
	"    run:\n"
	"      package_version: {name: b, locked_version: ==1.0, index_url: https://example.org/simple, develop: false}\n"
	"  - name: AddDWithA\n"
	"    type: step.AddPackage\n"
	"    should_include: {adviser_pipeline: true}\n"
	"    match: {package_version: {name: c}, state: {resolved_dependencies: [{name: a}]}}\n"
	"    run:\n"
	"      package_version: {name: d, locked_version: ==1.0, index_url: https://example.org/simple, develop: false}\n";

static void test_add_package(void **state)
{
	(void)state;
	run r;
	/* context free: a brings b==1.0 in, as its own dependency */
	run_rules_go(&r, TH_RECTYPE_STABLE, IDX_ADD, RULES_ADD, "a", NULL, 10, 0);
	assert_string_equal(r.text, "a==1.0 b==1.0\n");
	assert_true(run_has_just(&r, 0, "AddB", "a 1.0 adds b==1.0"));
	run_free(&r);

	/* the added requirement binds like any other */
	run_rules_go(&r, TH_RECTYPE_STABLE, IDX_ADD, RULES_ADD, "a", "b>=2", 0, 0);
	assert_non_null(strstr(r.text, "NO: "));
	assert_non_null(strstr(r.text, "b==1.0 (from a 1.0)"));
	run_free(&r);

	/* contextual: c adds d==1.0 only where a is resolved */
	run_rules_go(&r, TH_RECTYPE_STABLE, IDX_ADD, RULES_ADD, "a", "c", 10, 0);
	assert_string_equal(r.text, "a==1.0 b==1.0 c==1.0 d==1.0\n");
	assert_true(run_has_just(&r, 0, "AddDWithA", "c 1.0 adds d==1.0"));
	run_free(&r);
	run_rules_go(&r, TH_RECTYPE_STABLE, IDX_ADD, RULES_ADD, "c", NULL, 10, 0);
	assert_string_equal(r.text, "c==1.0\n");
	run_free(&r);
}

static const char *IDX_FROM =
	"{\"x\": {\"1.0\": {\"dependencies\": [\"z\"]}},"
	" \"y\": {\"1.0\": {\"dependencies\": [\"z\"]}},"
	" \"z\": {\"1.0\": {\"dependencies\": []}, \"2.0\": {\"dependencies\": []}}}";

static void from_case(const char *allow, const char *xver, const char *r1, const char *r2, const char *want)
{
	char yaml[1024];
	snprintf(yaml, sizeof yaml,
		 "units:\n"
		 "  steps:\n"
		 "  - name: ZFromX\n"
		 "    type: step\n"
		 "    should_include: {adviser_pipeline: true}\n"
		 "    match:\n"
		 "      package_version: {name: z, version: '>=2'}\n"
		 "      state:\n"
		 "        package_version_from: [{name: x, version: '%s'}]\n"
		 "%s"
		 "    run: {not_acceptable: z 2 does not work when x brings it in}\n",
		 xver, allow ? "        package_version_from_allow_other: true\n" : "");
	run r;
	run_rules_go(&r, TH_RECTYPE_STABLE, IDX_FROM, yaml, r1, r2, 10, 0);
	assert_string_equal(r.text, want);
	run_free(&r);
}

static void test_package_version_from(void **state)
{
	(void)state;
	/* x alone brought z in: the step fires */
	from_case(NULL, ">=1", "x", NULL, "x==1.0 z==1.0\n");
	/* the project's own requirement is not a dependent */
	from_case(NULL, ">=1", "x", "z", "x==1.0 z==1.0\n");
	/* y brought it in too: fires only with package_version_from_allow_other */
	from_case(NULL, ">=1", "x", "y", "x==1.0 y==1.0 z==2.0\nx==1.0 y==1.0 z==1.0\n");
	from_case("", ">=1", "x", "y", "x==1.0 y==1.0 z==1.0\n");
	/* the dependent's version must match */
	from_case(NULL, "<1", "x", NULL, "x==1.0 z==2.0\nx==1.0 z==1.0\n");
	/* y alone: x is not resolved */
	from_case("", ">=1", "y", NULL, "y==1.0 z==2.0\ny==1.0 z==1.0\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sieves),
		cmocka_unit_test(test_wheel_tags),
		cmocka_unit_test(test_cve_step_and_sieve),
		cmocka_unit_test(test_store_advisories),
		cmocka_unit_test(test_stable_penalties),
		cmocka_unit_test(test_performance),
		cmocka_unit_test(test_api_removed),
		cmocka_unit_test(test_rule_units),
		cmocka_unit_test(test_boot_stop),
		cmocka_unit_test(test_best_stack),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_extras_and_markers),
		cmocka_unit_test(test_knowledge),
		cmocka_unit_test(test_pseudonym),
		cmocka_unit_test(test_add_package),
		cmocka_unit_test(test_package_version_from),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
