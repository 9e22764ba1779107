/* Unit tests of analyzer/knowledge: each query fires just inside its range
 * and stays quiet just outside, on rules written here (extra sources) and on
 * the curated rules embedded in the binary; the compiled-form cache gives
 * the same answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/knowledge.h"

static const char rules_doc[] =
	"units:\n"
	"  wraps:\n"
	"  - name: ApiW\n    type: wrap\n    should_include: {}\n"
	"    run:\n"
	"      justification: [{type: WARNING, message: lib 2 dropped old things, link: 'https://e/lib2'}]\n"
	"      api_removed:\n"
	"      - {package: my-lib, version: '>=2.0', symbols: [mylib.old, mylib.contrib.*], replacement: mylib.new}\n"
	"      - {package: my-lib, version: '>=3.0,<3.2', symbols: [mylib.old.attr]}\n"
	"    metadata: {evidence: 'https://e/evidence'}\n"
	"  - name: StdW\n    type: wrap\n    should_include: {}\n"
	"    run:\n"
	"      stdlib_removed:\n"
	"      - {module: asyncore, python_version: '>=3.12', replacement: asyncio}\n"
	"      - {module: xml.old, python_version: '>=3.9'}\n"
	"  - name: CudaW\n    type: wrap\n    should_include: {}\n"
	"    run:\n"
	"      cuda_requires:\n"
	"      - {package: tf, version: '==2.4.*', cuda: '==11.0.*', cudnn: '==8.0.*'}\n"
	"      - {package: tf, version: '==2.5.*', cuda: '==11.2.*', cudnn: '==8.1.*'}\n"
	"      - {package: torchy, version: '==2.1.*', cuda: '==11.8.*'}\n"
	"      - {package: torchy, version: '==2.1.*', cuda: '==12.1.*'}\n"
	"  - name: PyW\n    type: wrap\n    should_include: {}\n"
	"    run:\n"
	"      stack_info: [{type: INFO, message: m, link: 'https://e/py'}]\n"
	"      python_support:\n"
	"      - {package: numpyish, version: '==1.26.*', python: '>=3.9,<3.13'}\n"
	"      - {package: numpyish, version: '>=2.1,<2.3', python: '>=3.10'}\n"
	"  steps:\n"
	"  - name: BrokenStep\n    type: step\n    should_include: {adviser_pipeline: true}\n"
	"    match:\n"
	"    - package_version: {name: urllib3, version: '>=1.2,<=1.5', index_url: 'https://x/simple'}\n"
	"      state: {resolved_dependencies: [{name: tensorflow, version: '~=2.1.0'}]}\n"
	"    run: {not_acceptable: tensorflow 2.1 fails with this urllib3}\n"
	"  - name: BrokenGroup\n    type: step.Group\n    should_include: {}\n"
	"    match: {group: [{package_version: {name: jinja2, version: '<3.0.0'}},\n"
	"                    {package_version: {name: markupsafe, version: '>=2.1.0'}}]}\n"
	"    run: {not_acceptable: jinja2 2 needs markupsafe before 2.1}\n"
	"  - name: NotBroken\n    type: step\n    should_include: {}\n"
	"    match: {package_version: {name: six}}\n    run: {score: 0.5}\n";

static char dir[256], file[300];

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/know.XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	snprintf(file, sizeof(file), "%s/r.yaml", dir);
	if (!(f = fopen(file, "w")))
		return -1;
	fputs(rules_doc, f);
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	char db[300];
	snprintf(db, sizeof(db), "%s/k.db", dir);
	unlink(file);
	unlink(db);
	for (const char *sfx = "-wal"; sfx; sfx = strcmp(sfx, "-wal") ? NULL : "-shm") {
		char p[320];
		snprintf(p, sizeof(p), "%s%s", db, sfx);
		unlink(p);
	}
	rmdir(dir);
	return 0;
}

static th_know *open_extra(th_store *st)
{
	const char *paths[] = { file };
	th_know_opts o = TH_KNOW_OPTS_INIT;
	th_error err = TH_ERROR_INIT;
	th_know *k;

	o.paths = paths;
	o.npaths = 1;
	o.no_embedded = true;
	o.store = st;
	if (th_know_open(&k, &o, &err))
		fail_msg("%s", err.msg);
	return k;
}

static int api(const th_know *k, const char *dist, const char *v, const char *sym, th_know_hit *h)
{
	return th_know_api_removed(k, dist, v, sym, h, h ? 1 : 0, NULL);
}

static void check_api(const th_know *k)
{
	th_know_hit h;

	assert_int_equal(api(k, "my-lib", "2.0", "mylib.old", &h), 1);
	assert_string_equal(h.unit, "ApiW");
	assert_string_equal(h.subject, "mylib.old");
	assert_string_equal(h.replacement, "mylib.new");
	assert_string_equal(h.package, "my-lib");
	assert_string_equal(h.versions, ">=2.0");
	assert_string_equal(h.evidence, "https://e/evidence");
	assert_string_equal(h.message, "lib 2 dropped old things");
	assert_int_equal(h.kind, TH_KNOW_API_REMOVED);
	assert_int_equal(api(k, "my-lib", "1.99", "mylib.old", NULL), 0);   /* just outside */
	assert_int_equal(api(k, "My_Lib", "2.0.1", "mylib.old", NULL), 1);  /* any spelling of the name */
	assert_int_equal(api(k, "my-lib", "2.1.0rc1", "mylib.old", NULL), 1); /* pre-releases in range count */
	assert_int_equal(api(k, "other", "2.0", "mylib.old", NULL), 0);
	assert_int_equal(api(k, "my-lib", "2.0", "mylib.older", NULL), 0); /* not a dotted child */
	assert_int_equal(api(k, "my-lib", "2.0", "mylib", NULL), 0);
	assert_int_equal(api(k, "my-lib", "2.0", "mylib.old.x.y", NULL), 1); /* under a removed symbol */
	assert_int_equal(api(k, "my-lib", "2.0", "mylib.contrib", NULL), 1);  /* prefix.* */
	assert_int_equal(api(k, "my-lib", "2.0", "mylib.contrib.layers.conv", &h), 1);
	assert_string_equal(h.subject, "mylib.contrib.*");
	assert_int_equal(api(k, "my-lib", "2.0", "mylib.contribute", NULL), 0);
	/* two rules cover mylib.old.attr in 3.1, one in 3.2 */
	assert_int_equal(api(k, "my-lib", "3.1", "mylib.old.attr", NULL), 2);
	assert_int_equal(api(k, "my-lib", "3.2", "mylib.old.attr", NULL), 1);
	assert_int_equal(api(k, "my-lib", "not a version", "mylib.old", NULL), 0);
	assert_int_equal(api(k, "my-lib", NULL, "mylib.old", NULL), 0);
}

static void check_stdlib(const th_know *k)
{
	th_know_hit h;

	assert_int_equal(th_know_stdlib_removed(k, "asyncore", "3.12", &h, 1, NULL), 1);
	assert_string_equal(h.subject, "asyncore");
	assert_string_equal(h.replacement, "asyncio");
	assert_string_equal(h.versions, ">=3.12");
	assert_null(h.package);
	assert_int_equal(th_know_stdlib_removed(k, "asyncore", "3.11.9", NULL, 0, NULL), 0);
	assert_int_equal(th_know_stdlib_removed(k, "asyncore", "3.12.0", NULL, 0, NULL), 1);
	assert_int_equal(th_know_stdlib_removed(k, "asyncore.dispatcher", "3.13", NULL, 0, NULL), 1);
	assert_int_equal(th_know_stdlib_removed(k, "asyncorex", "3.13", NULL, 0, NULL), 0);
	assert_int_equal(th_know_stdlib_removed(k, "xml", "3.13", NULL, 0, NULL), 0); /* only xml.old went */
	assert_int_equal(th_know_stdlib_removed(k, "xml.old.sub", "3.9", NULL, 0, NULL), 1);
	assert_int_equal(th_know_stdlib_removed(k, "xml.old", "3.8", NULL, 0, NULL), 0);
}

static void check_cuda(const th_know *k)
{
	th_know_hit h[4];

	assert_int_equal(th_know_cuda(k, "tf", "2.4.1", h, 4, NULL), 1);
	assert_string_equal(h[0].cuda, "==11.0.*");
	assert_string_equal(h[0].cudnn, "==8.0.*");
	assert_string_equal(h[0].unit, "CudaW");
	assert_int_equal(th_know_cuda(k, "tf", "2.6.0", h, 4, NULL), 0); /* unknown release */
	assert_int_equal(th_know_cuda(k, "torchy", "2.1.2", h, 4, NULL), 2);
	assert_null(h[0].cudnn);
	/* mismatch: fine inside, a hit per alternative outside */
	assert_int_equal(th_know_cuda_mismatch(k, "tf", "2.4.0", "11.0", "8.0.4", h, 4, NULL), 0);
	assert_int_equal(th_know_cuda_mismatch(k, "tf", "2.4.0", "11.2", "8.0.4", h, 4, NULL), 1);
	assert_int_equal(th_know_cuda_mismatch(k, "tf", "2.4.0", "11.0", "8.1", h, 4, NULL), 1);
	assert_int_equal(th_know_cuda_mismatch(k, "tf", "2.4.0", "11.0", NULL, h, 4, NULL), 1); /* cuDNN unknown */
	assert_int_equal(th_know_cuda_mismatch(k, "tf", "2.4.0", NULL, NULL, h, 4, NULL), 1);   /* no CUDA */
	assert_int_equal(th_know_cuda_mismatch(k, "torchy", "2.1.0", "12.1", NULL, h, 4, NULL), 0);
	assert_int_equal(th_know_cuda_mismatch(k, "torchy", "2.1.0", "11.8.0", NULL, h, 4, NULL), 0);
	assert_int_equal(th_know_cuda_mismatch(k, "torchy", "2.1.0", "12.2", NULL, h, 4, NULL), 2);
	assert_int_equal(th_know_cuda_mismatch(k, "tf", "2.7.0", NULL, NULL, h, 4, NULL), 0); /* nothing known */
}

static void check_python(const th_know *k)
{
	th_know_hit h;

	assert_int_equal(th_know_python_unsupported(k, "numpyish", "1.26.4", "3.12", &h, 1, NULL), 0);
	assert_int_equal(th_know_python_unsupported(k, "numpyish", "1.26.4", "3.13", &h, 1, NULL), 1);
	assert_string_equal(h.python, ">=3.9,<3.13");
	assert_string_equal(h.versions, "==1.26.*");
	assert_string_equal(h.evidence, "https://e/py");
	assert_int_equal(th_know_python_unsupported(k, "numpyish", "1.26.0", "3.8.18", NULL, 0, NULL), 1);
	assert_int_equal(th_know_python_unsupported(k, "numpyish", "1.26.0", "3.9.0", NULL, 0, NULL), 0);
	assert_int_equal(th_know_python_unsupported(k, "numpyish", "2.2.0", "3.9", NULL, 0, NULL), 1);
	assert_int_equal(th_know_python_unsupported(k, "numpyish", "2.3.0", "3.9", NULL, 0, NULL), 0); /* unknown */
	assert_true(th_know_python_known(k, "numpyish", "2.2.0"));
	assert_false(th_know_python_known(k, "numpyish", "2.3.0"));
	assert_false(th_know_python_known(k, "other", "1.0"));
}

static void check_broken(const th_know *k)
{
	th_know_hit h[4];
	th_know_pin bad[] = { { "TensorFlow", "2.1.3" }, { "requests", "2.0" }, { "urllib3", "1.5" } };
	th_know_pin fine[] = { { "tensorflow", "2.2.0" }, { "urllib3", "1.5" } };
	th_know_pin fine2[] = { { "tensorflow", "2.1.0" }, { "urllib3", "1.5.1" } };
	th_know_pin grp[] = { { "markupsafe", "2.1.0" }, { "jinja2", "2.11.3" } };
	th_know_pin grp_ok[] = { { "markupsafe", "2.0.1" }, { "jinja2", "2.11.3" } };
	th_know_pin lone[] = { { "six", "1.16.0" } };

	assert_int_equal(th_know_broken(k, bad, 3, h, 4, NULL), 1);
	assert_string_equal(h[0].unit, "BrokenStep");
	assert_string_equal(h[0].package, "urllib3");
	assert_string_equal(h[0].subject, "tensorflow ~=2.1.0");
	assert_string_equal(h[0].message, "tensorflow 2.1 fails with this urllib3");
	assert_int_equal(th_know_broken(k, fine, 2, h, 4, NULL), 0);
	assert_int_equal(th_know_broken(k, fine2, 2, h, 4, NULL), 0);
	assert_int_equal(th_know_broken(k, grp, 2, h, 4, NULL), 1);
	assert_string_equal(h[0].unit, "BrokenGroup");
	assert_string_equal(h[0].package, "jinja2");
	assert_string_equal(h[0].subject, "markupsafe >=2.1.0");
	assert_int_equal(th_know_broken(k, grp_ok, 2, h, 4, NULL), 0);
	assert_int_equal(th_know_broken(k, lone, 1, h, 4, NULL), 0); /* a step without not_acceptable */
	assert_int_equal(th_know_broken(k, NULL, 0, h, 4, NULL), 0);
	th_know_pin odd[] = { { NULL, "1.0" }, { "urllib3", NULL }, { "", "" } };
	assert_int_equal(th_know_broken(k, odd, 3, h, 4, NULL), 0);
}

static void hostile_queries(const th_know *k)
{
	char longname[600];

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(api(k, longname, "2.0", "mylib.old", NULL), 0);
	assert_int_equal(api(k, NULL, "2.0", "mylib.old", NULL), 0);
	assert_int_equal(api(k, "my-lib", "2.0", NULL, NULL), 0);
	assert_int_equal(api(k, "my-lib", "2.0", "", NULL), 0);
	assert_int_equal(api(k, "my-lib", "2.0", ".", NULL), 0);
	assert_int_equal(api(k, "my-lib", "2.0", "mylib..old", NULL), 0);
	assert_int_equal(api(k, "my-lib", "2.0", "mylib.old.", NULL), 1); /* parent mylib.old */
	assert_int_equal(th_know_stdlib_removed(k, NULL, "3.12", NULL, 0, NULL), 0);
	assert_int_equal(th_know_stdlib_removed(k, "asyncore", NULL, NULL, 0, NULL), 0);
	assert_int_equal(th_know_cuda(k, NULL, "2.4.0", NULL, 0, NULL), 0);
	assert_int_equal(th_know_python_unsupported(k, "numpyish", "1.26.0", NULL, NULL, 0, NULL), 0);
	assert_false(th_know_python_known(k, NULL, "1.0"));
}

static void queries_on_extra_rules(void **state)
{
	th_know *k = open_extra(NULL);
	th_know_stats s;

	check_api(k);
	check_stdlib(k);
	check_cuda(k);
	check_python(k);
	check_broken(k);
	hostile_queries(k);
	th_know_get_stats(k, &s);
	assert_int_equal(s.units, 7);
	assert_int_equal(s.api_removed, 3);
	assert_int_equal(s.stdlib_removed, 2);
	assert_int_equal(s.cuda, 4);
	assert_int_equal(s.python_support, 2);
	assert_int_equal(s.broken, 2);
	assert_int_equal(th_know_nsets(k), 1);
	assert_int_equal(th_know_set(k, 0)->n, 7);
	assert_null(th_know_set(k, 1));
	th_know_free(k);
}

/* The second open reads the compiled form from the database: same answers. */
static void queries_through_the_cache(void **state)
{
	char db[300];
	th_store *st;
	th_error err = TH_ERROR_INIT;
	th_buf cur = TH_BUF_INIT;

	snprintf(db, sizeof(db), "%s/k.db", dir);
	if (th_store_open(&st, db, &err))
		fail_msg("%s", err.msg);
	for (int round = 0; round < 2; round++) {
		th_know *k = open_extra(st);
		check_api(k);
		check_stdlib(k);
		check_cuda(k);
		check_python(k);
		check_broken(k);
		th_know_free(k);
	}
	/* knowledge caches, but does not change the set `rules list` uses */
	assert_int_equal(th_store_meta_get(st, "rules.current", &cur, NULL), TH_ERR_NOTFOUND);
	th_buf_release(&cur);
	th_store_free(st);
}

static void bad_source_is_an_error(void **state)
{
	const char *paths[] = { "/nonexistent/rules" };
	th_know_opts o = TH_KNOW_OPTS_INIT;
	th_error err = TH_ERROR_INIT;
	th_know *k = (th_know *)&o;

	o.paths = paths;
	o.npaths = 1;
	assert_int_equal(th_know_open(&k, &o, &err), TH_ERR_IO);
	assert_null(k);
	assert_non_null(strstr(err.msg, "/nonexistent/rules"));
	th_know_free(NULL);

	/* an invalid extra file: refused, naming the file, unit and key */
	char bad[320];
	FILE *f;
	snprintf(bad, sizeof(bad), "%s/bad.yaml", dir);
	assert_non_null(f = fopen(bad, "w"));
	fputs("units: {wraps: [{name: B, type: wrap, should_include: {}, run: {cuda_requires: {package: x}}}]}\n", f);
	fclose(f);
	paths[0] = bad;
	assert_int_equal(th_know_open(&k, &o, &err), TH_ERR_INVALID);
	assert_non_null(strstr(err.msg, "bad.yaml"));
	assert_non_null(strstr(err.msg, "unit B: run.cuda_requires"));
	unlink(bad);
}

/* The curated rules embedded in the binary: each kind fires just inside its
 * range and not just outside. */
static void shipped_rules(void **state)
{
	th_know *k;
	th_know_hit h[TH_KNOW_MAX_HITS];
	th_error err = TH_ERROR_INIT;
	th_know_stats s;

	if (th_know_open(&k, NULL, &err))
		fail_msg("%s", err.msg);
	th_know_get_stats(k, &s);
	assert_int_equal(s.units, 35);
	assert_true(s.api_removed > 150);
	assert_true(s.stdlib_removed > 60);
	assert_int_equal(s.broken, 8);
	assert_int_equal(th_know_set(k, 0)->n, 35);

	/* API removals */
	static const struct { const char *dist, *in, *out, *sym; } api_cases[] = {
		{ "numpy", "1.24.0", "1.23.5", "numpy.float" },
		{ "numpy", "1.26.4", "1.23.5", "numpy.bool" },
		{ "numpy", "2.0.0", "1.26.4", "numpy.NaN" },
		{ "numpy", "2.0.0", "1.26.4", "numpy.float_" },
		{ "pandas", "2.0.0", "1.5.3", "pandas.DataFrame.append" },
		{ "pandas", "2.0.0", "1.5.3", "pandas.Series.iteritems" },
		{ "tensorflow", "2.0.0", "1.15.5", "tensorflow.Session" },
		{ "tensorflow", "2.1.0", "1.15.5", "tensorflow.contrib.layers.conv2d" },
		{ "scikit-learn", "1.2.0", "1.1.3", "sklearn.datasets.load_boston" },
		{ "scikit-learn", "0.23.0", "0.22.2", "sklearn.externals.joblib" },
		{ "torch", "2.0.0", "1.12.1", "torch.symeig" },
		{ "sqlalchemy", "2.0.0", "1.4.46", "sqlalchemy.orm.mapper" },
		{ "django", "4.0", "3.2.18", "django.conf.urls.url" },
		{ "django", "5.0", "4.2.7", "django.utils.timezone.utc" },
		{ "django", "5.1", "5.0.9", "django.contrib.auth.hashers.UnsaltedMD5PasswordHasher" },
	};
	for (size_t i = 0; i < sizeof(api_cases) / sizeof(api_cases[0]); i++) {
		if (th_know_api_removed(k, api_cases[i].dist, api_cases[i].in, api_cases[i].sym, h, 1, NULL) != 1)
			fail_msg("%s %s: %s should be removed", api_cases[i].dist, api_cases[i].in, api_cases[i].sym);
		assert_non_null(h[0].evidence);
		assert_true(!strncmp(h[0].evidence, "https://", 8));
		if (th_know_api_removed(k, api_cases[i].dist, api_cases[i].out, api_cases[i].sym, h, 1, NULL) != 0)
			fail_msg("%s %s: %s should be there", api_cases[i].dist, api_cases[i].out, api_cases[i].sym);
	}
	assert_int_equal(th_know_api_removed(k, "numpy", "2.0.0", "numpy.bool", h, 1, NULL), 0); /* back in 2.0 */
	assert_int_equal(th_know_api_removed(k, "numpy", "2.0.0", "numpy.float64", h, 1, NULL), 0);

	/* standard library */
	static const struct { const char *mod, *in, *out; } std_cases[] = {
		{ "distutils.core", "3.12", "3.11" },   { "telnetlib", "3.13.0", "3.12.7" },
		{ "collections.Mapping", "3.10", "3.9" }, { "asyncore", "3.12", "3.11" },
		{ "imp", "3.12.1", "3.11.9" },          { "time.clock", "3.8", "3.7" },
		{ "lib2to3.pgen2", "3.13", "3.12" },
	};
	for (size_t i = 0; i < sizeof(std_cases) / sizeof(std_cases[0]); i++) {
		if (th_know_stdlib_removed(k, std_cases[i].mod, std_cases[i].in, h, 1, NULL) != 1)
			fail_msg("%s should be gone from Python %s", std_cases[i].mod, std_cases[i].in);
		if (th_know_stdlib_removed(k, std_cases[i].mod, std_cases[i].out, h, 1, NULL) != 0)
			fail_msg("%s should be in Python %s", std_cases[i].mod, std_cases[i].out);
	}
	assert_int_equal(th_know_stdlib_removed(k, "collections.abc", "3.13", h, 1, NULL), 0);

	/* CUDA */
	assert_int_equal(th_know_cuda(k, "tensorflow", "2.15.0", h, TH_KNOW_MAX_HITS, NULL), 1);
	assert_string_equal(h[0].cuda, "==12.2.*");
	assert_string_equal(h[0].cudnn, "==8.9.*");
	assert_int_equal(th_know_cuda_mismatch(k, "tensorflow", "2.15.0", "12.2", "8.9.7", h, TH_KNOW_MAX_HITS, NULL), 0);
	assert_int_equal(th_know_cuda_mismatch(k, "tensorflow", "2.15.0", "11.8", "8.6.0", h, TH_KNOW_MAX_HITS, NULL), 1);
	assert_int_equal(th_know_cuda_mismatch(k, "tensorflow", "2.14.1", "11.8", "8.7.0", h, TH_KNOW_MAX_HITS, NULL), 0);
	assert_int_equal(th_know_cuda_mismatch(k, "tensorflow-gpu", "2.4.1", "11.0.3", "8.0.5", h, TH_KNOW_MAX_HITS, NULL), 0);
	assert_int_equal(th_know_cuda_mismatch(k, "torch", "2.1.0", "12.1", NULL, h, TH_KNOW_MAX_HITS, NULL), 0);
	assert_int_equal(th_know_cuda_mismatch(k, "torch", "2.1.0", "12.4", NULL, h, TH_KNOW_MAX_HITS, NULL), 2);
	assert_int_equal(th_know_cuda(k, "torch", "2.5.1", h, TH_KNOW_MAX_HITS, NULL), 3);

	/* Python support */
	assert_int_equal(th_know_python_unsupported(k, "numpy", "1.26.4", "3.12", h, 1, NULL), 0);
	assert_int_equal(th_know_python_unsupported(k, "numpy", "1.26.4", "3.13", h, 1, NULL), 1);
	assert_int_equal(th_know_python_unsupported(k, "numpy", "1.25.2", "3.12", h, 1, NULL), 1);
	assert_int_equal(th_know_python_unsupported(k, "tensorflow", "2.15.0", "3.12", h, 1, NULL), 1);
	assert_int_equal(th_know_python_unsupported(k, "tensorflow", "2.16.1", "3.12", h, 1, NULL), 0);
	assert_int_equal(th_know_python_unsupported(k, "torch", "2.1.2", "3.12", h, 1, NULL), 1);
	assert_int_equal(th_know_python_unsupported(k, "torch", "2.2.0", "3.12", h, 1, NULL), 0);
	assert_int_equal(th_know_python_unsupported(k, "scipy", "1.10.1", "3.12", h, 1, NULL), 1);
	assert_int_equal(th_know_python_unsupported(k, "scipy", "1.11.4", "3.12", h, 1, NULL), 0);
	assert_int_equal(th_know_python_unsupported(k, "pandas", "2.0.3", "3.12", h, 1, NULL), 1);
	assert_int_equal(th_know_python_unsupported(k, "pandas", "2.1.4", "3.12", h, 1, NULL), 0);

	/* known-broken combinations */
	th_know_pin tf_bad[] = { { "tensorflow", "2.1.0" }, { "urllib3", "1.5" } };
	th_know_pin tf_ok[] = { { "tensorflow", "2.2.0" }, { "urllib3", "1.5" } };
	th_know_pin tf_ok2[] = { { "tensorflow", "2.1.0" }, { "urllib3", "1.25.11" } };
	th_know_pin jinja_bad[] = { { "Jinja2", "2.11.3" }, { "MarkupSafe", "2.1.0" } };
	th_know_pin jinja_ok[] = { { "Jinja2", "2.11.3" }, { "MarkupSafe", "2.0.1" } };
	th_know_pin np2_bad[] = { { "pandas", "2.2.1" }, { "numpy", "2.0.0" } };
	th_know_pin np2_ok[] = { { "pandas", "2.2.2" }, { "numpy", "2.0.0" } };
	th_know_pin flask_bad[] = { { "flask", "1.1.4" }, { "jinja2", "3.1.2" }, { "itsdangerous", "2.1.2" },
				    { "markupsafe", "2.1.1" } };
	assert_int_equal(th_know_broken(k, tf_bad, 2, h, TH_KNOW_MAX_HITS, NULL), 1);
	assert_string_equal(h[0].unit, "Tensorflow21Urllib3Broken");
	assert_int_equal(th_know_broken(k, tf_ok, 2, h, TH_KNOW_MAX_HITS, NULL), 0);
	assert_int_equal(th_know_broken(k, tf_ok2, 2, h, TH_KNOW_MAX_HITS, NULL), 0);
	assert_int_equal(th_know_broken(k, jinja_bad, 2, h, TH_KNOW_MAX_HITS, NULL), 1);
	assert_int_equal(th_know_broken(k, jinja_ok, 2, h, TH_KNOW_MAX_HITS, NULL), 0);
	assert_int_equal(th_know_broken(k, np2_bad, 2, h, TH_KNOW_MAX_HITS, NULL), 1);
	assert_int_equal(th_know_broken(k, np2_ok, 2, h, TH_KNOW_MAX_HITS, NULL), 0);
	assert_int_equal(th_know_broken(k, flask_bad, 4, h, TH_KNOW_MAX_HITS, NULL), 2);
	th_know_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(queries_on_extra_rules),
		cmocka_unit_test(queries_through_the_cache),
		cmocka_unit_test(bad_source_is_an_error),
		cmocka_unit_test(shipped_rules),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
