/* Unit tests of extractors/osv and extractors/yaml: advisories in JSON and
 * YAML, and hostile documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "extractors/osv.h"
#include "core/yaml.h"

static const char yaml_adv[] =
	"id: PYSEC-0000-1\n"
	"summary: a &x bug\n"
	"aliases: [CVE-0000-1, GHSA-xxxx]\n"
	"severity:\n- type: CVSS_V3\n  score: CVSS:3.1/AV:N\n"
	"affected:\n"
	"- package: {name: Foo_Bar, ecosystem: PyPI}\n"
	"  ranges:\n"
	"  - type: GIT\n    repo: x\n    events: [{introduced: '0'}, {fixed: abc}]\n"
	"  - type: ECOSYSTEM\n    events:\n    - introduced: \"0\"\n    - fixed: 1.10\n    - introduced: 2.0\n"
	"    - last_affected: 2.1\n    - weird: 3\n"
	"  versions: [0.1, \"1.0\", 1.9]\n"
	"withdrawn: 2021-01-01T00:00:00Z\n";

static int keep(void *ud, const th_osv *adv)
{
	*(th_osv *)ud = *adv;
	return 0;
}

static void yaml_advisory(void **state)
{
	th_arena a = TH_ARENA_INIT;
	th_error err = TH_ERROR_INIT;
	th_osv adv;

	th_arena_init(&a, 0);
	assert_int_equal(th_osv_parse(yaml_adv, strlen(yaml_adv), TH_OSV_YAML, 64, keep, &adv, &a, "adv", &err), 0);
	assert_string_equal(adv.id, "PYSEC-0000-1");
	assert_string_equal(adv.summary, "a &x bug");
	assert_int_equal(adv.naliases, 2);
	assert_string_equal(adv.aliases[1], "GHSA-xxxx");
	assert_int_equal(adv.nseverity, 1);
	assert_string_equal(adv.severity[0].score, "CVSS:3.1/AV:N");
	assert_string_equal(adv.withdrawn, "2021-01-01T00:00:00Z");
	assert_int_equal(adv.naffected, 1);
	assert_string_equal(adv.affected[0].name, "Foo_Bar");
	assert_string_equal(adv.affected[0].ecosystem, "PyPI");
	assert_int_equal(adv.affected[0].nranges, 2);
	const th_osv_range *r = &adv.affected[0].ranges[1];
	assert_string_equal(r->type, "ECOSYSTEM");
	assert_int_equal(r->nevents, 4); /* the unknown event kind is ignored */
	assert_int_equal(r->events[1].kind, TH_OSV_FIXED);
	assert_string_equal(r->events[1].version, "1.10"); /* not the float 1.1 */
	assert_int_equal(r->events[3].kind, TH_OSV_LAST_AFFECTED);
	th_arena_release(&a);

}

static void yaml_bool_version_is_invalid(void **state)
{
	const char *doc = "id: X\naffected:\n- versions: [1.0, true]\n";
	th_arena a = TH_ARENA_INIT;
	th_error err = TH_ERROR_INIT;
	th_osv adv;

	th_arena_init(&a, 0);
	assert_int_equal(th_osv_parse(doc, strlen(doc), TH_OSV_YAML, 64, keep, &adv, &a, "adv", &err), TH_ERR_INVALID);
	assert_string_equal(err.msg, "adv: affected[0].versions[1] is not a string");
	th_arena_release(&a);
}

static void json_advisory(void **state)
{
	const char *doc = "{\"id\":\"GHSA-1\",\"affected\":[{\"package\":{\"name\":\"x\",\"ecosystem\":\"PyPI\"},"
			  "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"1.0\"},{\"limit\":\"2\"}]}]}]}";
	th_arena a = TH_ARENA_INIT;
	th_osv adv;

	th_arena_init(&a, 0);
	assert_int_equal(th_osv_parse(doc, strlen(doc), TH_OSV_JSON, 64, keep, &adv, &a, "adv", NULL), 0);
	assert_null(adv.withdrawn);
	assert_int_equal(adv.affected[0].ranges[0].events[1].kind, TH_OSV_LIMIT);
	th_arena_release(&a);
}

static void malformed(void **state)
{
	static const struct { th_osv_format f; const char *doc; int code; } cases[] = {
		{ TH_OSV_JSON, "[]", TH_ERR_INVALID },
		{ TH_OSV_JSON, "{}", TH_ERR_INVALID },
		{ TH_OSV_JSON, "{\"id\":5}", TH_ERR_INVALID },
		{ TH_OSV_JSON, "{\"id\":\"x\",\"affected\":{}}", TH_ERR_INVALID },
		{ TH_OSV_JSON, "{\"id\":\"x\",\"affected\":[{\"ranges\":[{\"events\":[]}]}]}", TH_ERR_INVALID },
		{ TH_OSV_JSON, "{\"id\":\"x\",\"affected\":[{\"ranges\":[{\"type\":\"E\",\"events\":[{}]}]}]}", TH_ERR_INVALID },
		{ TH_OSV_JSON, "{\"id\":\"x\",\"aliases\":[1]}", TH_ERR_INVALID },
		{ TH_OSV_YAML, "id: [unterminated", TH_ERR_INVALID },
		{ TH_OSV_YAML, "a: &x [1]\nb: *x\n", TH_ERR_INVALID },
		{ TH_OSV_YAML, "? [a]\n: b\n", TH_ERR_INVALID },
		{ TH_OSV_YAML, "", TH_ERR_INVALID },
		{ TH_OSV_YAML, "id: \"a\\0b\"\n", TH_ERR_INVALID },
	};
	th_arena a = TH_ARENA_INIT;
	th_osv adv;

	th_arena_init(&a, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		th_error err = TH_ERROR_INIT;
		int rc = th_osv_parse(cases[i].doc, strlen(cases[i].doc), cases[i].f, 64, keep, &adv, &a, "adv", &err);
		if (rc != cases[i].code)
			fail_msg("case %zu: rc %d (%s)", i, rc, err.msg);
		assert_true(strncmp(err.msg, "adv:", 4) == 0);
	}
	th_arena_release(&a);
}

static void yaml_depth_bounded(void **state)
{
	char doc[4000];
	th_buf out = TH_BUF_INIT;

	memset(doc, '[', 2000);
	memset(doc + 2000, ']', 2000);
	assert_int_equal(th_yaml_to_json(&out, doc, sizeof(doc), 128, "deep", NULL), TH_ERR_LIMIT);
	assert_int_equal(out.len, 0);
	assert_int_equal(th_yaml_to_json(&out, "a: [x, ~, '', true, {b: null}]", 30, 128, "y", NULL), 0);
	assert_string_equal(out.ptr, "{\"a\":[\"x\",null,\"\",true,{\"b\":null}]}");
	th_buf_release(&out);
}

static int affects(const th_osv_event *ev, size_t n, const char *version, size_t *bad)
{
	th_osv_range r = { "ECOSYSTEM", ev, n };
	th_arena a = TH_ARENA_INIT;
	th_version v;
	int hit = -1;

	th_arena_init(&a, 0);
	assert_int_equal(th_version_parse(&v, version, strlen(version), &a, NULL), 0);
	assert_int_equal(th_osv_range_affects(&r, &v, &hit, bad, &a), 0);
	th_arena_release(&a);
	return hit;
}

static void matching(void **state)
{
	const th_osv_event simple[] = { { TH_OSV_INTRODUCED, "0" }, { TH_OSV_FIXED, "1.2" } };
	const th_osv_event two[] = { { TH_OSV_INTRODUCED, "2.0" }, { TH_OSV_LAST_AFFECTED, "2.1" },
				     { TH_OSV_INTRODUCED, "1.0" }, { TH_OSV_FIXED, "1.1.post1" },
				     { TH_OSV_LIMIT, "9" }, { TH_OSV_FIXED, "not a version" } };
	size_t bad = 0;

	assert_int_equal(affects(simple, 2, "0.0.dev0", NULL), 1);
	assert_int_equal(affects(simple, 2, "1.2rc1", NULL), 1); /* PEP 440 order: rc before the release */
	assert_int_equal(affects(simple, 2, "1.2", NULL), 0);
	assert_int_equal(affects(simple, 2, "1.2.0", NULL), 0); /* 1.2 == 1.2.0 */
	assert_int_equal(affects(simple, 2, "1!0.1", NULL), 0); /* epochs sort after */
	/* Events out of order in the document are ordered by version. */
	assert_int_equal(affects(two, 6, "0.9", &bad), 0);
	assert_int_equal(affects(two, 6, "1.1", &bad), 1);
	assert_int_equal(affects(two, 6, "1.1.post1", &bad), 0);
	assert_int_equal(affects(two, 6, "1.5", &bad), 0);
	assert_int_equal(affects(two, 6, "2.1", &bad), 1);    /* last_affected is included */
	assert_int_equal(affects(two, 6, "2.1.1", &bad), 0);
	assert_int_equal(affects(two, 6, "2.1+local", &bad), 0); /* a local version sorts after its public one */
	assert_int_equal(bad, 7); /* the bad fixed event, once per evaluation */
	/* A tie: the later event in the document wins, as in a stable sort. */
	const th_osv_event tie[] = { { TH_OSV_FIXED, "1.0" }, { TH_OSV_INTRODUCED, "1.0" } };
	assert_int_equal(affects(tie, 2, "1.0", NULL), 1);
	const th_osv_event tie2[] = { { TH_OSV_INTRODUCED, "1.0" }, { TH_OSV_FIXED, "1.0" } };
	assert_int_equal(affects(tie2, 2, "1.0", NULL), 0);
}

static void versions_list(void **state)
{
	const char *vers[] = { "bogus-version", "1.0.0", "2" };
	th_osv_affected af = { "PyPI", "x", NULL, NULL, 0, vers, 3 };
	th_arena a = TH_ARENA_INIT;
	th_version v;
	size_t bad = 0;
	int hit;

	th_arena_init(&a, 0);
	assert_int_equal(th_version_parse(&v, "1.0", 3, &a, NULL), 0);
	assert_int_equal(th_osv_affects(&af, &v, &hit, &bad, &a), 0);
	assert_int_equal(hit, 1);
	assert_int_equal(bad, 1);
	assert_int_equal(th_version_parse(&v, "1.1", 3, &a, NULL), 0);
	assert_int_equal(th_osv_affects(&af, &v, &hit, NULL, &a), 0);
	assert_int_equal(hit, 0);
	th_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(yaml_advisory), cmocka_unit_test(yaml_bool_version_is_invalid),
		cmocka_unit_test(json_advisory), cmocka_unit_test(malformed), cmocka_unit_test(yaml_depth_bounded),
		cmocka_unit_test(matching), cmocka_unit_test(versions_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
