/* Unit tests of analyzer/rules: loading Thoth prescription v1 units, precise
 * errors, and should_include with Thoth's quirks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/rules.h"
#include "analyzer/rules_blob.h"

static int add(th_rules *r, const char *text, th_error *err)
{
	return th_rules_add_file(r, "t.yaml", text, strlen(text), err);
}

/* One unit of `type` under `section` with the given should_include body. */
static const th_rule_unit *one(th_rules *r, const char *should_include)
{
	char doc[4096];
	th_error err = TH_ERROR_INIT;

	snprintf(doc, sizeof(doc),
		 "units:\n  wraps:\n  - name: W%zu\n    type: wrap\n    should_include:\n%s    run:\n"
		 "      stack_info:\n      - {type: INFO, message: m, link: l}\n",
		 r->n, should_include);
	if (add(r, doc, &err))
		fail_msg("%s", err.msg);
	return r->units[r->n - 1];
}

static void loads_every_type(void **state)
{
	static const char doc[] =
		"units:\n"
		"  boots:\n"
		"  - name: B\n    type: boot\n    should_include: {adviser_pipeline: true}\n"
		"    match: {package_name: flask}\n    run: {not_acceptable: nope}\n"
		"  pseudonyms:\n"
		"  - name: P\n    type: pseudonym\n    should_include: {}\n"
		"    match:\n      package_version: {name: tensorflow, version: '>=2.0'}\n"
		"    run:\n      yield:\n        yield_matched_version: true\n"
		"        package_version: {name: intel-tensorflow, locked_version: null, index_url: 'https://x/simple'}\n"
		"  sieves:\n"
		"  - name: S\n    type: sieve\n    should_include: {}\n"
		"    match:\n    - package_version: {name: numpy, version: '<1.0', index_url: {not: 'https://x'}}\n"
		"  - name: SS\n    type: sieve.SkipPackage\n    should_include: {}\n    match: {package_name: enum34}\n"
		"  steps:\n"
		"  - name: ST\n    type: step\n    should_include: {}\n"
		"    match:\n      package_version: {name: pillow}\n"
		"      state:\n        resolved_dependencies: [{name: numpy, version: '>=1'}]\n"
		"    run: {score: 0.5, multi_package_resolution: true,\n"
		"          justification: [{type: WARNING, message: m, link: 'https://e', package_name: pillow}]}\n"
		"  - name: SG\n    type: step.Group\n    should_include: {}\n"
		"    match: {group: [{package_version: {name: a}}, {package_version: {name: b, version: '==1'}}]}\n"
		"    run: {not_acceptable: x}\n"
		"  - name: SK\n    type: step.SkipPackage\n    should_include: {}\n    match: {package_version: {name: a}}\n"
		"  - name: SA\n    type: step.AddPackage\n    should_include: {}\n    match: {package_version: {name: a}}\n"
		"    run: {package_version: {name: b, locked_version: ==1.0, index_url: 'https://x', develop: false}}\n"
		"  strides:\n"
		"  - name: STR\n    type: stride\n    should_include: {}\n"
		"    match: {state: {resolved_dependencies: [{name: a}]}}\n    run: {eager_stop_pipeline: stop}\n"
		"  wraps:\n"
		"  - name: GH\n    type: wrap.GHReleaseNotes\n    should_include: {adviser_pipeline: true}\n"
		"    match: {state: {resolved_dependencies: {name: flask}}}\n"
		"    run: {release_notes: {organization: pallets, repository: flask}}\n"
		"  - name: WX\n    type: wrap\n    should_include: {}\n"
		"    run:\n      api_removed: {package: numpy, version: '>=1.24', symbols: [numpy.float]}\n"
		"      stdlib_removed: [{module: distutils, python_version: '>=3.12', replacement: setuptools}]\n"
		"    metadata: {evidence: 'https://numpy.org/doc/stable/release/1.24.0-notes.html'}\n";
	th_rules r;
	th_error err = TH_ERROR_INIT;

	th_rules_init(&r, NULL);
	if (add(&r, doc, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(r.n, 11);
	for (int t = 0; t < TH_RULE_NTYPES; t++)
		assert_int_equal(r.count[t], 1);
	const th_rule_unit *p = r.units[1];
	assert_string_equal(p->name, "P");
	assert_string_equal(p->run.more->yield.name, "intel-tensorflow");
	assert_null(p->run.more->yield.locked_version);
	assert_int_equal(p->run.more->yield_matched_version, 1);
	const th_rule_unit *s = r.units[2];
	assert_true(s->match[0].package_version.index_url_not);
	const th_rule_unit *st = r.units[4];
	assert_true(st->run.has_score);
	assert_true(st->run.score == 0.5);
	assert_int_equal(st->match[0].nresolved, 1);
	assert_int_equal(r.units[5]->match[0].ngroup, 2);
	assert_string_equal(r.units[7]->run.more->add.locked_version, "==1.0");
	assert_int_equal(r.units[9]->match[0].nresolved, 1);
	const th_rule_unit *wx = r.units[10];
	assert_string_equal(wx->run.more->api_removed[0].symbols[0], "numpy.float");
	assert_string_equal(wx->run.more->stdlib_removed[0].module, "distutils");
	assert_string_equal(wx->metadata[0].key, "evidence");
	th_rules_release(&r);
}

static void expect_error(const char *doc, const char *want)
{
	th_rules r;
	th_error err = TH_ERROR_INIT;

	th_rules_init(&r, NULL);
	if (add(&r, doc, &err) != TH_ERR_INVALID)
		fail_msg("accepted: %s", doc);
	if (!strstr(err.msg, want))
		fail_msg("got '%s', want '%s'", err.msg, want);
	assert_int_equal(r.n, 0); /* a bad file adds nothing */
	assert_int_equal(r.nerrors, 1);
	th_rules_release(&r);
}

static void precise_errors(void **state)
{
	expect_error("units:\n  wraps:\n  - name: A\n    type: wrap\n    should_include: {}\n    run: {}\n"
		     "  - name: B\n    type: wrap\n    should_include: {adviser_pipline: true}\n    run: {}\n",
		     "t.yaml:9:22: unit B: should_include: unknown key 'adviser_pipline'");
	expect_error("units:\n  wraps:\n  - name: B\n    type: wrap\n    should_include:\n"
		     "      runtime_environments: {python_version: '>=3..6'}\n    run: {}\n",
		     "t.yaml:6:46: unit B: should_include.runtime_environments.python_version: '>=3..6' is not a valid version specifier");
	expect_error("units:\n  steps:\n  - name: B\n    type: step\n    should_include: {}\n"
		     "    match: {package_version: {name: Flask_Login}}\n    run: {}\n",
		     "unit B: match.package_version: package name 'Flask_Login' is not in normalized form (PEP 503: 'flask-login')");
	expect_error("units:\n  boots:\n  - name: B\n    type: wrap\n    should_include: {}\n    run: {}\n",
		     "unit B: type: a unit of type 'wrap' belongs under 'wraps', not 'boots'");
	expect_error("units:\n  steps:\n  - name: B\n    type: step\n    should_include: {}\n"
		     "    match: {package_version: {name: a}}\n", "unit B: run: required key 'run' is missing");
	expect_error("units:\n  steps:\n  - name: B\n    type: step\n    should_include: {}\n"
		     "    match: {package_version: {name: a}}\n    run: {score: 1}\n",
		     "unit B: run.score: expected a float (such as 0.5), got an integer");
	expect_error("units:\n  wraps:\n  - name: B\n    type: wrap\n    should_include: {recommendation_types: [fastest]}\n"
		     "    run: {}\n", "'fastest' is not one of the allowed values");
	expect_error("units:\n  wraps:\n  - name: B\n    type: wrap\n    should_include: {}\n"
		     "    run: {stack_info: [{type: NOTE, message: m, link: l}]}\n", "type must be INFO, WARNING or ERROR");
	expect_error("units:\n  wraps:\n  - name: B\n    type: wrap\n    should_include: {}\n"
		     "    run: {stack_info: [{type: INFO, message: m, link: 'Not A Link'}]}\n", "neither a URL nor a justification id");
	expect_error("units: {wraps: [{name: B, type: warp, should_include: {}, run: {}}]}\n", "unknown unit type 'warp'");
	/* the extension keys of the curated facts */
	expect_error("units: {wraps: [{name: B, type: wrap, should_include: {},\n"
		     "  run: {cuda_requires: {package: tensorflow, version: '==2.15.*'}}}]}\n",
		     "unit B: run.cuda_requires: required key 'cuda' is missing");
	expect_error("units: {wraps: [{name: B, type: wrap, should_include: {},\n"
		     "  run: {cuda_requires: [{package: tensorflow, version: '==2.15.*', cuda: '==12.2.*', cudnn: '8.9'}]}}]}\n",
		     "unit B: run.cuda_requires: '8.9' is not a valid version specifier");
	expect_error("units: {wraps: [{name: B, type: wrap, should_include: {},\n"
		     "  run: {cuda_requires: {package: TensorFlow, version: '>=2', cuda: '>=11'}}}]}\n",
		     "package name 'TensorFlow' is not in normalized form");
	expect_error("units: {wraps: [{name: B, type: wrap, should_include: {},\n"
		     "  run: {python_support: {package: numpy, version: '>=1.26', pyhton: '<3.13'}}}]}\n",
		     "unit B: run.python_support: unknown key 'pyhton'");
	expect_error("units: {wraps: [{name: B, type: wrap, should_include: {},\n"
		     "  run: {python_support: []}}]}\n", "run.python_support");
	expect_error("- a\n", "expected a mapping");
	expect_error("", "empty file");
	expect_error("units: {wraps: [\n", "t.yaml:");
}

static th_rule_env env_of(th_arena *a, const char *python, const char *rec)
{
	th_rule_env env = TH_RULE_ENV_INIT;

	env.python_version = python;
	env.recommendation_type = rec;
	th_rule_env_prepare(&env, a, NULL);
	return env;
}

static void should_include_quirks(void **state)
{
	th_rules r;
	th_arena a;
	const char *why;

	th_rules_init(&r, NULL);
	th_arena_init(&a, 4096);
	th_rule_env env = env_of(&a, "3.8", "stable");

	/* adviser_pipeline defaults to false */
	const th_rule_unit *u = one(&r, "      {}\n");
	assert_false(th_rule_should_include(u, &env, &why));
	assert_string_equal(why, "adviser_pipeline");
	u = one(&r, "      adviser_pipeline: true\n");
	assert_true(th_rule_should_include(u, &env, &why));
	/* ... but the dependency monkey pipeline takes only units that say so */
	env.adviser_pipeline = false;
	assert_false(th_rule_should_include(u, &env, &why));
	env.adviser_pipeline = true;

	/* times: 0 */
	u = one(&r, "      adviser_pipeline: true\n      times: 0\n");
	assert_false(th_rule_should_include(u, &env, &why));

	/* recommendation types, also negated */
	u = one(&r, "      adviser_pipeline: true\n      recommendation_types: [latest, testing]\n");
	assert_false(th_rule_should_include(u, &env, &why));
	assert_string_equal(why, "recommendation_types");
	u = one(&r, "      adviser_pipeline: true\n      recommendation_types: {not: [latest]}\n");
	assert_true(th_rule_should_include(u, &env, &why));

	/* python_version through PEP 440 specifiers */
	u = one(&r, "      adviser_pipeline: true\n      runtime_environments: {python_version: '>=3.6,<3.9'}\n");
	assert_true(th_rule_should_include(u, &env, &why));
	th_rule_env e39 = env_of(&a, "3.9", "stable");
	assert_false(th_rule_should_include(u, &e39, &why));
	assert_string_equal(why, "python_version");
	/* a specifier set that matches nothing loads and never matches */
	u = one(&r, "      adviser_pipeline: true\n      runtime_environments: {python_version: '<3.5,>3.12'}\n");
	assert_false(th_rule_should_include(u, &env, &why));
	/* an unknown Python version fails any stated specifier */
	th_rule_env none = env_of(&a, NULL, "stable");
	assert_false(th_rule_should_include(u, &none, &why));
	/* cuda_version: null is no check at all, not "no CUDA" */
	u = one(&r, "      adviser_pipeline: true\n      runtime_environments: {cuda_version: null}\n");
	env.cuda_version = "11.1";
	th_rule_env_prepare(&env, &a, NULL);
	assert_true(th_rule_should_include(u, &env, &why));
	u = one(&r, "      adviser_pipeline: true\n      runtime_environments: {cuda_version: '==11.1'}\n");
	assert_true(th_rule_should_include(u, &env, &why));
	assert_false(th_rule_should_include(u, &none, &why));

	/* operating systems: exact name and version */
	u = one(&r, "      adviser_pipeline: true\n      runtime_environments:\n"
		    "        operating_systems: [{name: fedora, version: '35'}, {name: rhel, version: '8'}]\n");
	env.os_name = "rhel";
	env.os_version = "8";
	assert_true(th_rule_should_include(u, &env, &why));
	env.os_version = "8.1";
	assert_false(th_rule_should_include(u, &env, &why));

	/* labels: any one label is enough */
	u = one(&r, "      adviser_pipeline: true\n      labels: {team: a, env: prod}\n");
	assert_false(th_rule_should_include(u, &env, &why));
	th_rule_kv labels[] = { { "team", "b" }, { "env", "prod" } };
	env.labels = labels;
	env.nlabels = 2;
	assert_true(th_rule_should_include(u, &env, &why));

	/* library_usage: only the first used symbol is compared */
	u = one(&r, "      adviser_pipeline: true\n      library_usage: {tensorflow: [tensorflow.Session]}\n");
	assert_false(th_rule_should_include(u, &env, &why));
	const char *first_other[] = { "tensorflow.keras", "tensorflow.Session" };
	const char *first_match[] = { "tensorflow.Session", "tensorflow.keras" };
	th_rule_libuse used = { "tensorflow", first_other, 2 };
	env.library_usage = &used;
	env.nlibrary_usage = 1;
	assert_false(th_rule_should_include(u, &env, &why));
	used.symbols = first_match;
	assert_true(th_rule_should_include(u, &env, &why));

	/* base images: name, name:tag, name:prefix*, and not */
	u = one(&r, "      adviser_pipeline: true\n      runtime_environments:\n"
		    "        base_images: ['quay.io/a/b:v0.2*', 'quay.io/c/d']\n");
	env.base_image = "quay.io/a/b:v0.21.0";
	assert_true(th_rule_should_include(u, &env, &why));
	env.base_image = "quay.io/a/b:v0.3.0";
	assert_false(th_rule_should_include(u, &env, &why));
	env.base_image = "quay.io/c/d:anything";
	assert_true(th_rule_should_include(u, &env, &why));
	u = one(&r, "      adviser_pipeline: true\n      runtime_environments:\n"
		    "        base_images: {not: ['quay.io/c/d']}\n");
	assert_false(th_rule_should_include(u, &env, &why));
	env.base_image = NULL;
	assert_true(th_rule_should_include(u, &env, &why));

	/* CPU flags need family and model, then the stated flags */
	u = one(&r, "      adviser_pipeline: true\n      runtime_environments: {hardware: [{cpu_flags: [avx2]}]}\n");
	assert_false(th_rule_should_include(u, &env, &why));
	const char *flags[] = { "sse4_2", "avx2" };
	env.cpu_family = "6";
	env.cpu_model = "94";
	env.cpu_flags = flags;
	env.ncpu_flags = 2;
	assert_true(th_rule_should_include(u, &env, &why));

	/* abi decides alone: python_packages are then not checked */
	u = one(&r, "      adviser_pipeline: true\n      runtime_environments:\n        abi: [GLIBC_2.17]\n"
		    "        python_packages: [{name: numpy}]\n");
	const char *syms[] = { "GLIBC_2.17" };
	env.base_image = "img:1";
	env.abi_symbols = syms;
	env.nabi_symbols = 1;
	assert_true(th_rule_should_include(u, &env, &why));

	/* python packages present in the image */
	u = one(&r, "      adviser_pipeline: true\n      runtime_environments:\n"
		    "        python_packages: [{name: numpy, version: '>=1.20', location: '/usr/lib/.*'}]\n");
	th_rule_pypkg_present pk = { "NumPy", "1.21.0", "/usr/lib/python3/site-packages" };
	env.has_image_analysis = true;
	env.python_packages = &pk;
	env.npython_packages = 1;
	assert_true(th_rule_should_include(u, &env, &why));
	pk.location = "/opt/lib";
	assert_false(th_rule_should_include(u, &env, &why));

	th_arena_release(&a);
	th_rules_release(&r);
}

static bool included_b(void *ud, th_rule_type t, const char *name)
{
	return t == TH_RULE_BOOT && !strcmp(name, "B");
}

static void dependencies_and_packages(void **state)
{
	th_rules r;
	th_arena a;
	const char *why;

	th_rules_init(&r, NULL);
	th_arena_init(&a, 4096);
	th_rule_env env = env_of(&a, "3.8", NULL);
	const th_rule_unit *u = one(&r, "      adviser_pipeline: true\n      dependencies: {boots: [B]}\n");
	assert_false(th_rule_should_include(u, &env, &why));
	assert_string_equal(why, "dependencies");
	env.is_included = included_b;
	assert_true(th_rule_should_include(u, &env, &why));

	/* legacy specifiers match by exact text; PEP 440 ones by version */
	th_rule_spec legacy = { "==git-unknown", NULL, true };
	assert_true(th_rule_spec_contains(&legacy, "git-unknown", &a));
	assert_false(th_rule_spec_contains(&legacy, "1.0", &a));
	th_rule_pkg p = { .name = "flask-login", .index_url = "https://index.example/simple", .develop = -1 };
	assert_true(th_rule_pkg_matches(&p, "Flask_Login", "0.5", "https://index.example/simple", -1, &a));
	assert_false(th_rule_pkg_matches(&p, "flask-login", "0.5", "https://other/simple", -1, &a));
	p.index_url_not = true;
	assert_true(th_rule_pkg_matches(&p, "flask-login", "0.5", "https://other/simple", -1, &a));
	th_arena_release(&a);
	th_rules_release(&r);
}

static void env_from_thoth_yaml(void **state)
{
	static const char doc[] = "runtime_environments:\n- name: a\n  python_version: 3.6\n"
				  "- name: b\n  operating_system: {name: rhel, version: '8'}\n"
				  "  hardware: {cpu_family: 6, cpu_model: 94}\n  python_version: '3.9'\n"
				  "  cuda_version: null\n  recommendation_type: STABLE\n";
	th_rule_env env = TH_RULE_ENV_INIT;
	th_arena a;
	th_error err = TH_ERROR_INIT;

	th_arena_init(&a, 4096);
	assert_int_equal(th_rule_env_from_thoth_yaml(&env, doc, strlen(doc), "b", "e.yaml", &a, &err), 0);
	assert_string_equal(env.os_name, "rhel");
	assert_string_equal(env.cpu_family, "6");
	assert_string_equal(env.python_version, "3.9");
	assert_null(env.cuda_version);
	assert_string_equal(env.recommendation_type, "stable");
	th_rule_env e2 = TH_RULE_ENV_INIT;
	assert_int_equal(th_rule_env_from_thoth_yaml(&e2, doc, strlen(doc), NULL, "e.yaml", &a, &err), 0);
	assert_string_equal(e2.python_version, "3.6");
	assert_int_equal(th_rule_env_from_thoth_yaml(&e2, doc, strlen(doc), "zzz", "e.yaml", &a, &err), TH_ERR_NOTFOUND);
	th_arena_release(&a);
}

/* The compiled form reads back to the same units; damaged ones are refused. */
static void blob_roundtrip_and_damage(void **state)
{
	th_rules r, back;
	th_error err = TH_ERROR_INIT;
	th_buf blob = TH_BUF_INIT;
	th_arena a;
	const char *why;

	th_rules_init(&r, NULL);
	th_arena_init(&a, 4096);
	const th_rule_unit *u = one(&r, "      adviser_pipeline: true\n      runtime_environments:\n"
					"        python_version: '>=3.6,<3.9'\n        base_images: {not: [x/y]}\n"
					"        hardware: [{cpu_families: [6, null]}]\n");
	one(&r, "      adviser_pipeline: true\n      labels: {a: b}\n");
	assert_int_equal(th_rules_blob_write(&r, &blob, &err), 0);
	th_rules_init(&back, NULL);
	assert_int_equal(th_rules_blob_read(&back, blob.ptr, blob.len, &err), 0);
	assert_int_equal(back.n, 2);
	/* the body comes when asked for */
	assert_non_null(back.units[0]->body);
	assert_null(back.units[0]->run.stack_info);
	assert_int_equal(th_rules_blob_units(&back, &err), 0);
	assert_null(back.units[0]->body);
	assert_int_equal(back.count[TH_RULE_WRAP], 2);
	assert_int_equal(back.nfiles, r.nfiles);
	const th_rule_unit *b = back.units[0];
	assert_string_equal(b->name, u->name);
	assert_string_equal(b->file, "t.yaml");
	assert_int_equal(b->line, u->line);
	assert_string_equal(b->inc.rt->python_version.text, ">=3.6,<3.9");
	assert_non_null(b->inc.rt->python_version.set);
	assert_true(b->inc.rt->base_images.negated);
	assert_null(b->inc.rt->hardware[0].cpu_families.items[1]);
	assert_string_equal(b->run.stack_info[0].link, "l");
	th_rule_env env = env_of(&a, "3.8", "stable");
	env.cpu_family = "6";
	assert_true(th_rule_should_include(b, &env, &why));
	th_rule_env e39 = env_of(&a, "3.9", "stable");
	assert_false(th_rule_should_include(b, &e39, &why));
	th_rules_release(&back);

	/* every truncation is refused and adds nothing */
	for (size_t cut = 0; cut < blob.len; cut += 7) {
		th_rules_init(&back, NULL);
		assert_int_equal(th_rules_blob_read(&back, blob.ptr, cut, NULL), TH_ERR_INVALID);
		assert_int_equal(back.n, 0);
		th_rules_release(&back);
	}
	/* flipped bytes: refused or read, never a crash */
	for (size_t i = 0; i < blob.len; i++) {
		blob.ptr[i] ^= 0x5a;
		th_rules_init(&back, NULL);
		if (!th_rules_blob_read(&back, blob.ptr, blob.len, NULL))
			th_rules_blob_units(&back, NULL);
		th_rules_release(&back);
		blob.ptr[i] ^= 0x5a;
	}
	th_buf_release(&blob);
	th_arena_release(&a);
	th_rules_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loads_every_type),
		cmocka_unit_test(precise_errors),
		cmocka_unit_test(should_include_quirks),
		cmocka_unit_test(dependencies_and_packages),
		cmocka_unit_test(env_from_thoth_yaml),
		cmocka_unit_test(blob_roundtrip_and_damage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
