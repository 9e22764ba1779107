/* Unit tests of analyzer/store_kb: the knowledge base schema and its typed
 * API (priorities, page replacement, metadata by hash, advisories). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/store_kb.h"

static th_store *open_tmp(void)
{
	const char *t = getenv("TMPDIR");
	char p[512];
	th_store *s;

	snprintf(p, sizeof(p), "%s/test_store_kb_XXXXXX", t ? t : "/tmp");
	assert_non_null(mkdtemp(p));
	strcat(p, "/kb.db");
	assert_int_equal(th_store_open(&s, p, NULL), 0);
	return s;
}

static void add_project(th_kb_writer *w, int64_t idx, const char *name, const char *const *versions, size_t n)
{
	int64_t pid, vid;
	const char *reqs[] = { "b>=1", "c; extra == \"x\"" };

	assert_int_equal(th_kb_project_put(w, idx, name, name, "\"etag\"", "pagehash", &pid, NULL), 0);
	for (size_t i = 0; i < n; i++) {
		char fn[64], md[80];
		th_kb_file f = { fn, fn, "py3-none-any", "sha256", "00", ">=3.8", (int)i == 1, NULL, NULL, 10, md };
		snprintf(fn, sizeof(fn), "%s-%s-py3-none-any.whl", name, versions[i]);
		snprintf(md, sizeof(md), "md-%s-%s", name, versions[i]);
		assert_int_equal(th_kb_metadata_put(w, md, name, versions[i], ">=3.8", reqs, 2, NULL), 0);
		assert_int_equal(th_kb_version_put(w, pid, versions[i], &vid, NULL), 0);
		assert_int_equal(th_kb_file_put(w, vid, &f, NULL, NULL), 0);
	}
}

static void projects_round_trip(void **state)
{
	th_store *s = open_tmp();
	th_kb_writer *w;
	int64_t pub, priv;
	const char *v3[] = { "1.0", "2.0", "3.0" }, *v1[] = { "0.1" };
	th_kb_project p;
	th_arena a = TH_ARENA_INIT;
	th_kb_stats st;
	th_buf etag = TH_BUF_INIT, ph = TH_BUF_INIT;
	int has;

	assert_int_equal(th_kb_writer_new(&w, s, NULL), 0);
	assert_int_equal(th_store_begin(s, NULL), 0);
	assert_int_equal(th_kb_index_put(w, "public", "http://pub/simple", 10, &pub, NULL), 0);
	assert_int_equal(th_kb_index_put(w, "private", "file:///priv", 0, &priv, NULL), 0);
	add_project(w, pub, "a", v3, 3);
	add_project(w, pub, "z", v3, 3);
	add_project(w, priv, "z", v1, 1);
	add_project(w, pub, "a", v3, 2); /* a new page replaces the old one */
	assert_int_equal(th_store_commit(s, NULL), 0);

	th_arena_init(&a, 0);
	assert_int_equal(th_kb_project_load(s, "a", &p, &a, NULL), 0);
	assert_string_equal(p.index_name, "public");
	assert_int_equal(p.nversions, 2);
	assert_string_equal(p.versions[1].version, "2.0");
	assert_int_equal(p.versions[1].nfiles, 1);
	assert_int_equal(p.versions[1].files[0].f.yanked, 1);
	assert_int_equal(p.versions[1].files[0].nrequires, 2);
	assert_string_equal(p.versions[1].files[0].requires[1], "c; extra == \"x\"");
	assert_string_equal(p.versions[1].files[0].md_requires_python, ">=3.8");
	/* The private index wins for z: only its version is seen. */
	assert_int_equal(th_kb_project_load(s, "z", &p, &a, NULL), 0);
	assert_string_equal(p.index_name, "private");
	assert_int_equal(p.nversions, 1);
	assert_int_equal(th_kb_project_load(s, "nope", &p, &a, NULL), TH_ERR_NOTFOUND);

	assert_int_equal(th_kb_project_state(w, pub, "a", &etag, &ph, NULL), 0);
	assert_string_equal(etag.ptr, "\"etag\"");
	assert_string_equal(ph.ptr, "pagehash");
	assert_int_equal(th_kb_project_state(w, priv, "a", &etag, &ph, NULL), TH_ERR_NOTFOUND);
	assert_int_equal(th_kb_metadata_has(w, "md-a-1.0", &has, NULL), 0);
	assert_true(has);
	assert_int_equal(th_kb_metadata_has(w, "md-x", &has, NULL), 0);
	assert_false(has);

	assert_int_equal(th_kb_stats_get(s, &st, NULL), 0);
	assert_int_equal(st.indexes, 2);
	assert_int_equal(st.projects, 3);
	assert_int_equal(st.versions, 6);
	assert_int_equal(st.files, 6);
	assert_int_equal(st.metadata, 7);
	assert_int_equal(st.dependencies, 14);
	assert_int_equal(th_store_check(s, NULL), 0);

	/* A rolled back import leaves nothing. */
	assert_int_equal(th_store_begin(s, NULL), 0);
	add_project(w, pub, "q", v3, 3);
	th_store_rollback(s);
	assert_int_equal(th_kb_project_load(s, "q", &p, &a, NULL), TH_ERR_NOTFOUND);

	th_arena_release(&a);
	th_buf_release(&etag);
	th_buf_release(&ph);
	th_kb_writer_free(w);
	th_store_free(s);
}

static int count_adv(void *ud, const th_osv *adv)
{
	(*(int *)ud)++;
	return 0;
}

static void advisories_round_trip(void **state)
{
	th_store *s = open_tmp();
	th_kb_writer *w;
	th_osv_event ev[] = { { TH_OSV_INTRODUCED, "0" }, { TH_OSV_FIXED, "1.2" } };
	th_osv_range r = { "ECOSYSTEM", ev, 2 };
	const char *vers[] = { "1.0", "1.1" }, *aliases[] = { "CVE-1" };
	th_osv_affected af[] = { { "PyPI", "foo", NULL, &r, 1, vers, 2 }, { "PyPI", "bar", NULL, NULL, 0, NULL, 0 } };
	th_osv_severity sev = { "CVSS_V3", "CVSS:3.1/AV:N" };
	th_osv adv = { "PYSEC-1", "sum", NULL, NULL, NULL, NULL, aliases, 1, &sev, 1, af, 2 };
	th_osv *out;
	size_t n;
	int count = 0;
	th_arena a = TH_ARENA_INIT;

	assert_int_equal(th_kb_writer_new(&w, s, NULL), 0);
	assert_int_equal(th_store_begin(s, NULL), 0);
	assert_int_equal(th_kb_advisory_put(w, &adv, NULL), 0);
	assert_int_equal(th_kb_advisory_put(w, &adv, NULL), 0); /* replaced, not doubled */
	adv.id = "PYSEC-2";
	adv.withdrawn = "2020-01-01T00:00:00Z";
	assert_int_equal(th_kb_advisory_put(w, &adv, NULL), 0);
	assert_int_equal(th_store_commit(s, NULL), 0);

	th_arena_init(&a, 0);
	assert_int_equal(th_kb_advisories_load(s, "foo", &out, &n, &a, NULL), 0);
	assert_int_equal(n, 1); /* the withdrawn one is not matched */
	assert_string_equal(out[0].id, "PYSEC-1");
	assert_string_equal(out[0].aliases[0], "CVE-1");
	assert_string_equal(out[0].severity[0].score, "CVSS:3.1/AV:N");
	assert_int_equal(out[0].naffected, 1);
	assert_int_equal(out[0].affected[0].nversions, 2);
	assert_int_equal(out[0].affected[0].nranges, 1);
	assert_int_equal(out[0].affected[0].ranges[0].events[1].kind, TH_OSV_FIXED);
	assert_string_equal(out[0].affected[0].ranges[0].events[1].version, "1.2");
	assert_int_equal(th_kb_advisories_load(s, "baz", &out, &n, &a, NULL), 0);
	assert_int_equal(n, 0);
	assert_int_equal(th_kb_advisories_each(s, count_adv, &count, NULL), 0);
	assert_int_equal(count, 2);
	th_arena_release(&a);
	th_kb_writer_free(w);
	th_store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(projects_round_trip),
		cmocka_unit_test(advisories_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
