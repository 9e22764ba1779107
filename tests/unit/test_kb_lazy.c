/* Unit tests of analyzer/kb_import's lazy mode over file:// indexes built
 * here: one project fetched with its metadata, the private index first, a
 * negative answer remembered, a known project not fetched again, a broken
 * index leaving nothing behind and nothing remembered. (The same over HTTP,
 * against nginx: tests/sh/kb_http.sh.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyzer/kb_import.h"
#include "analyzer/store_kb.h"
#include "core/hash.h"

typedef struct fixture {
	char dir[512];
	th_store *s;
	th_limits lim;
	th_kb_import_opts o;
} fixture;

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void mkdirs(const char *root, const char *sub)
{
	char p[1024];
	int n = snprintf(p, sizeof(p), "%s/%s", root, sub);
	assert_true(n > 0 && (size_t)n < sizeof(p));
	for (char *q = p + strlen(root) + 1; *q; q++) {
		if (*q == '/') {
			*q = '\0';
			mkdir(p, 0755);
			*q = '/';
		}
	}
	mkdir(p, 0755);
}

/* A project page in index ROOT with one wheel and its metadata; a wrong
 * metadata hash on the page when `tamper`. */
static void add_wheel(const char *root, const char *project, const char *version, const char *requires, int tamper)
{
	char p[1024], md[512], hex[TH_SHA256_HEX], page[2048], whl[256];

	snprintf(whl, sizeof(whl), "%s-%s-py3-none-any.whl", project, version);
	snprintf(md, sizeof(md), "Metadata-Version: 2.1\nName: %s\nVersion: %s\n%s", project, version, requires);
	assert_int_equal(th_sha256_hex(hex, md, strlen(md), NULL), 0);
	if (tamper)
		hex[0] = hex[0] == '0' ? '1' : '0';
	snprintf(p, sizeof(p), "simple/%s", project);
	mkdirs(root, p);
	mkdirs(root, "files");
	snprintf(p, sizeof(p), "%s/files/%s", root, whl);
	write_file(p, "not a real wheel");
	snprintf(p, sizeof(p), "%s/files/%s.metadata", root, whl);
	write_file(p, md);
	snprintf(page, sizeof(page), "<a href=\"../../files/%s\" data-core-metadata=\"sha256=%s\">%s</a>\n", whl, hex,
		 whl);
	snprintf(p, sizeof(p), "%s/simple/%s/index.html", root, project);
	write_file(p, page);
	snprintf(p, sizeof(p), "%s/simple/index.html", root);
	{
		FILE *f = fopen(p, "ab");
		assert_non_null(f);
		fprintf(f, "<a href=\"%s/\">%s</a>\n", project, project);
		fclose(f);
	}
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	const char *t = getenv("TMPDIR");
	char p[1024];

	snprintf(f->dir, sizeof(f->dir), "%s/test_kb_lazy_XXXXXX", t ? t : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(p, sizeof(p), "%s/kb.db", f->dir);
	assert_int_equal(th_store_open(&f->s, p, NULL), 0);
	th_limits_init(&f->lim);
	f->o.lim = &f->lim;
	f->o.retries = 0;
	snprintf(p, sizeof(p), "%s/priv", f->dir);
	mkdir(p, 0755);
	add_wheel(p, "foo", "1.0", "Requires-Dist: bar>=2\n", 0);
	snprintf(p, sizeof(p), "%s/pub", f->dir);
	mkdir(p, 0755);
	add_wheel(p, "foo", "9.9", "Requires-Dist: evil\n", 0);
	add_wheel(p, "bar", "2.0", "", 0);
	snprintf(p, sizeof(p), "%s/bad", f->dir);
	mkdir(p, 0755);
	add_wheel(p, "baz", "1.0", "", 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	th_store_free(f->s);
	free(f);
	return 0;
}

static void make_refs(fixture *f, th_kb_index_ref *r, char urls[][1024], const char *const *dirs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		snprintf(urls[i], 1024, "%s/%s", f->dir, dirs[i]);
		memset(&r[i], 0, sizeof(r[i]));
		r[i].url = urls[i];
		r[i].name = dirs[i];
		r[i].priority = (int)i;
	}
}

static void fetches_one_project(void **state)
{
	fixture *f = *state;
	const char *dirs[] = { "pub", "priv" };
	char urls[2][1024];
	th_kb_index_ref r[2];
	th_kb_lazy *l;
	th_kb_import_report rep;
	th_kb_project p;
	th_kb_stats st;
	th_arena a;
	int found;

	make_refs(f, r, urls, dirs, 2);
	r[0].priority = 5; /* the private index is listed second but comes first */
	r[1].priority = 1;
	assert_int_equal(th_kb_lazy_new(&l, f->s, r, 2, &f->o, NULL), 0);
	assert_int_equal(th_kb_lazy_fetch(l, "Foo", &found, NULL), 0);
	assert_int_equal(found, 1);
	th_kb_lazy_report(l, &rep);
	assert_int_equal(rep.projects, 1);
	assert_int_equal(rep.metadata_fetched, 1);
	assert_int_equal(rep.requests, 2); /* the private page and its metadata: the public index is not asked */

	th_arena_init(&a, 0);
	assert_int_equal(th_kb_project_load(f->s, "foo", &p, &a, NULL), 0);
	assert_string_equal(p.index_name, "priv");
	assert_int_equal(p.nversions, 1);
	assert_string_equal(p.versions[0].version, "1.0");
	assert_int_equal(p.versions[0].files[0].nrequires, 1);
	assert_string_equal(p.versions[0].files[0].requires[0], "bar>=2");
	th_arena_release(&a);

	/* Its dependency comes from the public index, the only one with it. */
	assert_int_equal(th_kb_lazy_fetch(l, "BAR", &found, NULL), 0);
	assert_int_equal(found, 1);
	th_kb_lazy_report(l, &rep);
	assert_int_equal(rep.projects_missing, 1);
	assert_int_equal(rep.requests, 5);

	/* Known now: no request. */
	assert_int_equal(th_kb_lazy_fetch(l, "foo", &found, NULL), 0);
	assert_int_equal(found, 1);
	th_kb_lazy_report(l, &rep);
	assert_int_equal(rep.requests, 5);

	/* Nowhere: both asked once, then the answer is remembered. */
	assert_int_equal(th_kb_lazy_fetch(l, "no-such", &found, NULL), 0);
	assert_int_equal(found, 0);
	assert_int_equal(th_kb_lazy_fetch(l, "No_Such", &found, NULL), 0);
	assert_int_equal(found, 0);
	th_kb_lazy_report(l, &rep);
	assert_int_equal(rep.requests, 7);
	assert_int_equal(rep.projects_missing, 3);

	assert_int_equal(th_kb_lazy_fetch(l, "not a name!", &found, NULL), TH_ERR_INVALID);
	assert_int_equal(th_kb_stats_get(f->s, &st, NULL), 0);
	assert_int_equal(st.projects, 2);
	assert_int_equal(st.metadata, 2);
	th_kb_lazy_free(l);
}

static void failure_leaves_nothing(void **state)
{
	fixture *f = *state;
	const char *dirs[] = { "bad", "pub" };
	char urls[2][1024];
	th_kb_index_ref r[2];
	th_kb_lazy *l;
	th_kb_stats st;
	th_error err = TH_ERROR_INIT;
	int found;

	make_refs(f, r, urls, dirs, 2);
	assert_int_equal(th_kb_lazy_new(&l, f->s, r, 2, &f->o, NULL), 0);
	assert_int_equal(th_kb_lazy_fetch(l, "baz", &found, &err), TH_ERR_INVALID);
	assert_non_null(strstr(err.msg, "wrong sha256"));
	assert_int_equal(th_kb_stats_get(f->s, &st, NULL), 0);
	assert_int_equal(st.projects, 0);
	assert_int_equal(st.indexes, 0);
	/* Not remembered as missing: asking again fails again. */
	assert_int_equal(th_kb_lazy_fetch(l, "baz", &found, NULL), TH_ERR_INVALID);
	/* The object is still usable after a failure. */
	assert_int_equal(th_kb_lazy_fetch(l, "bar", &found, NULL), 0);
	assert_int_equal(found, 1);
	th_kb_lazy_free(l);
}

static void explicit_indexes_skipped(void **state)
{
	fixture *f = *state;
	const char *dirs[] = { "pub" };
	char urls[1][1024];
	th_kb_index_ref r[1];
	th_kb_lazy *l;
	th_kb_import_report rep;
	int found = 1;

	make_refs(f, r, urls, dirs, 1);
	r[0].explicit_only = 1;
	assert_int_equal(th_kb_lazy_new(&l, f->s, r, 1, &f->o, NULL), 0);
	assert_int_equal(th_kb_lazy_fetch(l, "bar", &found, NULL), 0);
	assert_int_equal(found, 0);
	th_kb_lazy_report(l, &rep);
	assert_int_equal(rep.requests, 0);
	th_kb_lazy_free(l);
}

/* A project another index of the knowledge base has (an image's, an
 * earlier import's) is still asked of the configured indexes, which may
 * have its full list of versions; found either way. */
static void other_indexes_do_not_stop_asking(void **state)
{
	fixture *f = *state;
	const char *dirs[] = { "priv" };
	char urls[1][1024], pub[1100];
	th_kb_index_ref r[1];
	th_kb_import_opts o = f->o;
	th_kb_import_report rep;
	th_kb_lazy *l;
	th_kb_project p;
	th_arena a;
	int found = 0;

	snprintf(pub, sizeof(pub), "%s/pub", f->dir);
	o.index_name = "other";
	o.priority = 1000;
	memset(&rep, 0, sizeof(rep));
	assert_int_equal(th_store_begin(f->s, NULL), 0);
	assert_int_equal(th_kb_import_index(f->s, pub, &o, &rep, NULL), 0);
	assert_int_equal(th_store_commit(f->s, NULL), 0);

	make_refs(f, r, urls, dirs, 1);
	assert_int_equal(th_kb_lazy_new(&l, f->s, r, 1, &f->o, NULL), 0);
	assert_int_equal(th_kb_lazy_fetch(l, "foo", &found, NULL), 0);
	assert_int_equal(found, 1);
	th_kb_lazy_report(l, &rep);
	assert_int_equal(rep.projects, 1); /* fetched from priv all the same */
	th_arena_init(&a, 0);
	assert_int_equal(th_kb_project_load(f->s, "foo", &p, &a, NULL), 0);
	assert_string_equal(p.index_name, "priv");
	th_arena_release(&a);
	/* Only in the other index: asked of priv once, then found there. */
	assert_int_equal(th_kb_lazy_fetch(l, "bar", &found, NULL), 0);
	assert_int_equal(found, 1);
	assert_int_equal(th_kb_lazy_fetch(l, "bar", &found, NULL), 0);
	assert_int_equal(found, 1);
	th_kb_lazy_report(l, &rep);
	assert_int_equal(rep.requests, 3);
	th_kb_lazy_free(l);
}

static void given_indexes_in_order(void **state)
{
	const char *given[] = { "http://a/simple", "/srv/b" };
	th_kb_index_ref *r;
	size_t n;
	th_arena a;

	(void)state;
	th_arena_init(&a, 0);
	assert_int_equal(th_kb_indexes_configured(&r, &n, given, 2, NULL, NULL, &a, NULL), 0);
	assert_int_equal(n, 2);
	assert_string_equal(r[0].url, "http://a/simple");
	assert_int_equal(r[0].priority, 0);
	assert_int_equal(r[1].priority, 1);
	assert_string_equal(r[1].origin, "--index");
	th_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(fetches_one_project, setup, teardown),
		cmocka_unit_test_setup_teardown(failure_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(explicit_indexes_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(other_indexes_do_not_stop_asking, setup, teardown),
		cmocka_unit_test(given_indexes_in_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
