/* Unit tests of extractors/indexpage: PEP 503 HTML and PEP 691 JSON pages,
 * including hostile and malformed pages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "extractors/indexpage.h"

typedef struct files {
	th_indexfile f[16];
	int n;
} files;

static int keep_file(void *ud, const th_indexfile *f)
{
	files *fs = ud;
	if (fs->n < 16)
		fs->f[fs->n] = *f;
	fs->n++;
	return 0;
}

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void html_project_page(void **state)
{
	const char *page =
		"<!DOCTYPE html><html><body><!-- <a href=\"x\">commented</a> -->\n"
		"<A HREF=\"../../files/pkg-1.0-py3-none-any.whl#sha256=" HEX64 "\" "
		"data-requires-python=\"&gt;=3.6, !=3.7.*\" data-core-metadata=\"sha256=" HEX64 "\">pkg-1.0-py3-none-any.whl</A>\n"
		"<a href='pkg-0.9.tar.gz#md5=0123' data-yanked>pkg-0.9.tar.gz</a>\n"
		"<a href=pkg-0.8.tar.gz data-yanked=\"broken &amp; bad\" data-dist-info-metadata=true> pkg-0.8.tar.gz </a>\n"
		"<a>no href</a><a href=\"\">empty</a>\n";
	files fs = { 0 };
	th_arena a = TH_ARENA_INIT;
	th_error err = TH_ERROR_INIT;

	th_arena_init(&a, 0);
	assert_int_equal(th_indexpage_html_files(page, strlen(page), keep_file, &fs, &a, "page", &err), 0);
	assert_int_equal(fs.n, 3);
	assert_string_equal(fs.f[0].filename, "pkg-1.0-py3-none-any.whl");
	assert_string_equal(fs.f[0].url, "../../files/pkg-1.0-py3-none-any.whl");
	assert_string_equal(fs.f[0].hash_name, "sha256");
	assert_string_equal(fs.f[0].hash_hex, HEX64);
	assert_string_equal(fs.f[0].requires_python, ">=3.6, !=3.7.*");
	assert_int_equal(fs.f[0].yanked, 0);
	assert_int_equal(fs.f[0].has_metadata, 1);
	assert_string_equal(fs.f[0].metadata_hash_hex, HEX64);
	/* A hash of the wrong length is dropped; the file stays. */
	assert_null(fs.f[1].hash_name);
	assert_int_equal(fs.f[1].yanked, 1);
	assert_null(fs.f[1].yanked_reason);
	assert_int_equal(fs.f[1].has_metadata, 0);
	assert_string_equal(fs.f[2].filename, "pkg-0.8.tar.gz");
	assert_string_equal(fs.f[2].yanked_reason, "broken & bad");
	assert_int_equal(fs.f[2].has_metadata, 1);
	assert_null(fs.f[2].metadata_hash_name);
	th_arena_release(&a);
}

static int keep_name(void *ud, const char *name, const char *href)
{
	char *out = ud;
	strcat(out, name);
	strcat(out, href ? href : "(null)");
	strcat(out, ";");
	return 0;
}

static void html_root_page(void **state)
{
	const char *page = "<html><a href=\"foo-bar/\">Foo.Bar</a><a href=\"b/\">&#98;&#x41;&#0;&#xZZ;&bogus;</a></html>";
	char names[256] = "";
	th_arena a = TH_ARENA_INIT;

	th_arena_init(&a, 0);
	assert_int_equal(th_indexpage_html_projects(page, strlen(page), keep_name, names, &a, "root", NULL), 0);
	assert_string_equal(names, "Foo.Barfoo-bar/;bA\xEF\xBF\xBD&#xZZ;&bogus;b/;");
	th_arena_release(&a);
}

static int stop_at_first(void *ud, const th_indexfile *f)
{
	return 42;
}

static void html_hostile(void **state)
{
	/* Unterminated tags, quotes and comments, NUL bytes and stray '<'. */
	static const char *const pages[] = {
		"<a href=\"x", "<a href=x>", "<!--", "<a", "<", "<<<<a>>>", "<a href='a\0b'>t\0x</a>",
		"&#99999999999;", "<a href=\"&#x10FFFF;&#xD800;\">&#1114112;</a>",
	};
	static const size_t lens[] = { 10, 10, 4, 2, 1, 8, 22, 14, 44 };
	th_arena a = TH_ARENA_INIT;
	files fs = { 0 };

	th_arena_init(&a, 0);
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		assert_int_equal(th_indexpage_html_files(pages[i], lens[i], keep_file, &fs, &a, "p", NULL), 0);
	assert_int_equal(th_indexpage_html_files("<a href=x>y</a><a href=x>y</a>", 30, stop_at_first, NULL, &a, "p",
						 NULL),
			 42);
	th_arena_release(&a);
}

static void json_project_page(void **state)
{
	const char *page = "{\"meta\":{\"api-version\":\"1.1\"},\"name\":\"pkg\",\"files\":["
			   "{\"filename\":\"pkg-1.0.tar.gz\",\"url\":\"https://h/pkg-1.0.tar.gz\","
			   "\"hashes\":{\"md5\":\"0123456789abcdef0123456789ABCDEF\",\"sha256\":\"" HEX64 "\"},"
			   "\"requires-python\":\">=3.8\",\"yanked\":\"bad\",\"core-metadata\":{\"sha256\":\"" HEX64 "\"},"
			   "\"size\":12,\"upload-time\":\"2020-01-01T00:00:00Z\"},"
			   "{\"filename\":\"pkg-0.1.zip\",\"url\":\"pkg-0.1.zip\",\"hashes\":{\"md5\":\"0123456789abcdef0123456789ABCDEF\"},"
			   "\"yanked\":true,\"dist-info-metadata\":true}]}";
	files fs = { 0 };
	th_arena a = TH_ARENA_INIT;
	th_error err = TH_ERROR_INIT;

	th_arena_init(&a, 0);
	assert_int_equal(th_indexpage_json_files(page, strlen(page), 64, keep_file, &fs, &a, "page", &err), 0);
	assert_int_equal(fs.n, 2);
	assert_string_equal(fs.f[0].hash_name, "sha256");
	assert_string_equal(fs.f[0].requires_python, ">=3.8");
	assert_string_equal(fs.f[0].yanked_reason, "bad");
	assert_string_equal(fs.f[0].metadata_hash_hex, HEX64);
	assert_int_equal(fs.f[0].size, 12);
	assert_string_equal(fs.f[0].upload_time, "2020-01-01T00:00:00Z");
	assert_string_equal(fs.f[1].hash_name, "md5");
	assert_string_equal(fs.f[1].hash_hex, "0123456789abcdef0123456789abcdef");
	assert_int_equal(fs.f[1].yanked, 1);
	assert_int_equal(fs.f[1].has_metadata, 1);
	assert_null(fs.f[1].metadata_hash_name);
	th_arena_release(&a);
}

static void json_malformed(void **state)
{
	static const char *const pages[] = {
		"[]",
		"{\"files\":[]}",
		"{\"meta\":{\"api-version\":\"2.0\"},\"files\":[]}",
		"{\"meta\":{\"api-version\":\"1.0\"}}",
		"{\"meta\":{\"api-version\":\"1.0\"},\"files\":[1]}",
		"{\"meta\":{\"api-version\":\"1.0\"},\"files\":[{\"filename\":\"x\"}]}",
		"{\"meta\":{\"api-version\":\"1.0\"},\"files\":[{\"filename\":\"x\",\"url\":5}]}",
		"{\"meta\":{\"api-version\":\"1.0\"},\"files\":[",
		"{\"meta\":{\"api-version\":\"1.0\"},\"projects\":[{}]}",
	};
	files fs = { 0 };
	th_arena a = TH_ARENA_INIT;

	th_arena_init(&a, 0);
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		th_error err = TH_ERROR_INIT;
		int rc = i == 8 ? th_indexpage_json_projects(pages[i], strlen(pages[i]), 64, keep_name, NULL, &a, "p", &err)
				: th_indexpage_json_files(pages[i], strlen(pages[i]), 64, keep_file, &fs, &a, "p", &err);
		assert_true(rc < 0);
		assert_true(strncmp(err.msg, "p: ", 3) == 0);
	}
	/* Nesting beyond the limit. */
	char deep[600];
	memset(deep, '[', 300);
	memset(deep + 300, ']', 300);
	assert_int_equal(th_indexpage_json_files(deep, 600, 64, keep_file, &fs, &a, "p", NULL), TH_ERR_LIMIT);
	th_arena_release(&a);
}

static void json_root_page(void **state)
{
	const char *page = "{\"meta\":{\"api-version\":\"1.0\"},\"projects\":[{\"name\":\"A_b\"},{\"name\":\"c\"}]}";
	char names[128] = "";
	th_arena a = TH_ARENA_INIT;

	th_arena_init(&a, 0);
	assert_int_equal(th_indexpage_json_projects(page, strlen(page), 64, keep_name, names, &a, "r", NULL), 0);
	assert_string_equal(names, "A_b(null);c(null);");
	th_arena_release(&a);
}

static void hash_forms(void **state)
{
	th_arena a = TH_ARENA_INIT;
	const char *n, *h;

	th_arena_init(&a, 0);
	assert_int_equal(th_indexpage_hash(&n, &h, "sha256=" HEX64, 71, &a), 0);
	assert_int_equal(th_indexpage_hash(&n, &h, "sha256=" HEX64 "0", 72, &a), TH_ERR_INVALID);
	assert_int_equal(th_indexpage_hash(&n, &h, "crc32=01234567", 14, &a), TH_ERR_INVALID);
	assert_int_equal(th_indexpage_hash(&n, &h, "sha1=g123456789012345678901234567890123456789", 45, &a),
			 TH_ERR_INVALID);
	assert_int_equal(th_indexpage_hash(&n, &h, "nohash", 6, &a), TH_ERR_INVALID);
	th_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(html_project_page), cmocka_unit_test(html_root_page), cmocka_unit_test(html_hostile),
		cmocka_unit_test(json_project_page), cmocka_unit_test(json_malformed), cmocka_unit_test(json_root_page),
		cmocka_unit_test(hash_forms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
