/* Unit tests of core/metadata: real layouts (fixtures/metadata), folding,
 * repeated fields, the body, and hostile input (NUL, invalid UTF-8,
 * truncation, huge files, the size limit). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/metadata.h"

static th_arena arena;

static int setup(void **state)
{
	th_arena_init(&arena, 0);
	return 0;
}

static int teardown(void **state)
{
	th_arena_release(&arena);
	return 0;
}

/* Reads fixtures/metadata/NAME into the arena. */
static char *fixture(const char *name, size_t *len)
{
	const char *dir = getenv("THOTH_FIXTURES");
	char path[4096];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/metadata/%s", dir ? dir : "fixtures", name);
	if (!(f = fopen(path, "rb")))
		fail_msg("cannot open fixture %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = th_arena_alloc(&arena, (size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static th_metadata parse(const char *s, size_t len)
{
	th_metadata md;
	th_error err = TH_ERROR_INIT;

	if (th_metadata_parse(&md, s, len, NULL, &arena, &err))
		fail_msg("parse: %s", err.msg);
	return md;
}

static void wheel_metadata_2_1(void **state)
{
	size_t len;
	const char *s = fixture("wheel-2.1.METADATA", &len);
	th_metadata md = parse(s, len);

	assert_string_equal(md.metadata_version, "2.1");
	assert_int_equal(md.mv_major, 2);
	assert_int_equal(md.mv_minor, 1);
	assert_true(md.mv_known);
	assert_string_equal(md.name, "sample-client");
	assert_string_equal(md.version, "2.31.0");
	assert_string_equal(md.summary, "A small HTTP client used as a test fixture.");
	assert_string_equal(md.requires_python, ">=3.7");
	assert_string_equal(md.license, "Apache 2.0");
	assert_null(md.license_expression);
	assert_string_equal(md.description_content_type, "text/markdown");
	assert_int_equal(md.nrequires_dist, 6);
	assert_string_equal(md.requires_dist[0], "charset-normalizer (<4,>=2)");
	assert_string_equal(md.requires_dist[4], "PySocks (!=1.5.7,>=1.5.6) ; extra == 'socks'");
	assert_int_equal(md.nprovides_extra, 3);
	assert_string_equal(md.provides_extra[2], "use_chardet_on_py3");
	assert_int_equal(md.nclassifiers, 3);
	assert_int_equal(md.nproject_urls, 2);
	assert_string_equal(md.project_urls[1], "Source, https://example.org/src");
	assert_int_equal(md.nlicense_files, 1);
	assert_int_equal(md.ndynamic, 0);
	assert_null(md.dynamic);
	/* The body is the description, verbatim. */
	assert_non_null(md.body);
	assert_ptr_equal(md.description, md.body);
	assert_int_equal(strncmp(md.body, "# sample-client\n\nA fixture", 26), 0);
	assert_non_null(strstr(md.body, "\n    indented code block\n"));
	assert_int_equal(md.body_len, strlen(md.body));
	assert_int_equal(md.replaced, 0);
	/* Generic access: case-insensitive, indexed. */
	assert_string_equal(th_metadata_get(&md, "requires-dist", 3), "certifi (>=2017.4.17)");
	assert_string_equal(th_metadata_get(&md, "AUTHOR-EMAIL", 0), "author@example.org");
	assert_null(th_metadata_get(&md, "Requires-Dist", 6));
	assert_null(th_metadata_get(&md, "Nonexistent", 0));
	assert_int_equal(th_metadata_count(&md, "classifier"), 3);
	assert_int_equal(th_metadata_count(&md, "Nonexistent"), 0);
	assert_int_equal(md.nfields, 25);
}

static void sdist_pkg_info_1_0(void **state)
{
	size_t len;
	const char *s = fixture("sdist-1.0.PKG-INFO", &len);
	th_metadata md = parse(s, len);

	assert_string_equal(md.metadata_version, "1.0");
	assert_true(md.mv_known);
	assert_string_equal(md.version, "0.9b1");
	/* Folded lines unfold: the line break goes, the indentation stays. */
	assert_string_equal(md.license, "MIT License        with a folded second line");
	/* Description keeps its lines, without setuptools' 8-space indent. */
	assert_null(md.body);
	assert_string_equal(md.description, "oldpkg\n======\n\nAn indented description, as setuptools once wrote it.\n\n"
					    "    code stays indented by four\n|not a pipe marker here");
	assert_string_equal(th_metadata_get(&md, "Platform", 0), "UNKNOWN");
	assert_int_equal(md.nrequires_dist, 0);
}

static void crlf_and_pipe_description(void **state)
{
	size_t len;
	const char *s = fixture("crlf-pipe.PKG-INFO", &len);
	th_metadata md = parse(s, len);

	assert_string_equal(md.name, "piped");
	assert_string_equal(md.description, "first\nsecond\n\n  third");
	assert_null(md.body);
}

static void metadata_2_4_licensing(void **state)
{
	size_t len;
	const char *s = fixture("modern-2.4.METADATA", &len);
	th_metadata md = parse(s, len);

	assert_int_equal(md.mv_minor, 4);
	assert_true(md.mv_known);
	assert_string_equal(md.name, "Modern_Pkg");
	assert_string_equal(md.license_expression, "MIT OR Apache-2.0");
	assert_int_equal(md.nlicense_files, 2);
	assert_int_equal(md.ndynamic, 2);
	assert_string_equal(md.dynamic[1], "Provides-Extra");
	assert_string_equal(md.requires_dist[1], "typing-extensions>=4.6; python_version < \"3.11\"");
	assert_null(md.body);
	assert_null(md.description);
}

static void header_syntax_edges(void **state)
{
	th_metadata md;

	/* Leading continuation dropped; "From " envelope skipped; values trimmed;
	 * a non-header line starts the body. */
	const char *s = " orphan continuation\nFrom someone\nName:\t spaced \t\nVersion:1\n"
			"Summary: a\n\tb\nnot a header line\nName: second\n";
	md = parse(s, strlen(s));
	assert_int_equal(md.nfields, 3);
	assert_string_equal(md.name, "spaced");
	assert_string_equal(md.version, "1");
	assert_string_equal(md.summary, "a\tb");
	assert_string_equal(md.body, "not a header line\nName: second\n");

	/* "Name : x" (space before the colon) is not a header. */
	s = "Name : x\n";
	md = parse(s, strlen(s));
	assert_int_equal(md.nfields, 0);
	assert_string_equal(md.body, "Name : x\n");

	/* A line with an empty field name stays in the headers but is dropped,
	 * with its continuations, as Python's parser does; a value may contain
	 * colons. */
	s = "Name: a\n: empty\n more\nProject-URL: Home, https://x.org:8080/a\n\n";
	md = parse(s, strlen(s));
	assert_int_equal(md.nfields, 2);
	assert_string_equal(md.name, "a");
	assert_string_equal(md.project_urls[0], "Home, https://x.org:8080/a");
	assert_null(md.body); /* nothing after the empty line */

	/* A "From " line ending the headers is the body's first line; the empty
	 * line after it is dropped. Elsewhere it is skipped. */
	s = "Name: a\nFrom x\nVersion: 1\nFrom y\n\nbody\n";
	md = parse(s, strlen(s));
	assert_int_equal(md.nfields, 2);
	assert_string_equal(md.body, "From y\nbody\n");
	assert_int_equal(md.body_len, 12);
	s = "From x\n\nbody";
	md = parse(s, strlen(s));
	assert_int_equal(md.nfields, 0);
	assert_string_equal(md.body, "body");
	s = "Name: a\nFrom y";
	md = parse(s, strlen(s));
	assert_string_equal(md.body, "From y");

	/* A single-valued field given twice reads as the first. */
	s = "Name: a\nName: b\n";
	md = parse(s, strlen(s));
	assert_string_equal(md.name, "a");
	assert_string_equal(th_metadata_get(&md, "name", 1), "b");

	/* Metadata-Version forms. */
	s = "Metadata-Version: 3.0\n";
	md = parse(s, strlen(s));
	assert_int_equal(md.mv_major, 3);
	assert_false(md.mv_known);
	s = "Metadata-Version: two\n";
	md = parse(s, strlen(s));
	assert_int_equal(md.mv_major, -1);
	assert_false(md.mv_known);
	s = "Metadata-Version: 1.2.\n";
	md = parse(s, strlen(s));
	assert_int_equal(md.mv_major, -1);
	md = parse("", 0);
	assert_int_equal(md.nfields, 0);
	assert_null(md.metadata_version);
	assert_null(md.name);
	assert_null(md.body);
}

static void hostile_bytes_replaced(void **state)
{
	th_metadata md;
	/* NUL, a stray continuation byte, an overlong '/', a surrogate, a
	 * lone CR, a UTF-8 BOM, a valid 4-byte sequence. */
	static const char s[] = "\xEF\xBB\xBFName: a\0b\nSummary: x\x80y\xC0\xAFz\xED\xA0\x80\rVersion: 1\xF0\x9F\x98\x80\n";
	md = parse(s, sizeof(s) - 1);
	assert_string_equal(md.name, "a\xEF\xBF\xBD"
				     "b");
	assert_string_equal(md.summary, "x\xEF\xBF\xBDy\xEF\xBF\xBD\xEF\xBF\xBDz\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	assert_string_equal(md.version, "1\xF0\x9F\x98\x80");
	assert_int_equal(md.replaced, 1 + 1 + 2 + 3);

	/* Truncated in the middle of a UTF-8 sequence and of a header. */
	static const char t[] = "Name: caf\xC3";
	md = parse(t, sizeof(t) - 1);
	assert_string_equal(md.name, "caf\xEF\xBF\xBD");
	md = parse("Name", 4);
	assert_int_equal(md.nfields, 0);
	assert_string_equal(md.body, "Name");
	md = parse("Name:", 5);
	assert_string_equal(md.name, "");
}

static void size_limit_and_huge_input(void **state)
{
	th_metadata md;
	th_error err = TH_ERROR_INIT;
	th_limits lim;
	size_t big = 50u << 20;
	char *s = malloc(big);

	assert_non_null(s);
	/* 50 MB: refused before anything is copied. */
	memset(s, 'a', big);
	assert_int_equal(th_metadata_parse(&md, s, big, NULL, &arena, &err), TH_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "metadata_bytes"));
	assert_true(arena.used < 1024);
	/* A lower limit from the caller applies. */
	th_limits_init(&lim);
	lim.metadata_bytes = 10;
	assert_int_equal(th_metadata_parse(&md, "Name: abcdefgh\n", 15, &lim, &arena, &err), TH_ERR_LIMIT);
	assert_int_equal(th_metadata_parse(&md, "Name: a\n", 8, &lim, &arena, &err), 0);

	/* Just under the default limit: 2.5 million tiny fields, all parsed. */
	size_t n = (8u << 20) - 1, i;
	for (i = 0; i + 3 <= n; i += 3)
		memcpy(s + i, "a:\n", 3);
	for (; i < n; i++)
		s[i] = ' ';
	assert_int_equal(th_metadata_parse(&md, s, n, NULL, &arena, &err), 0);
	assert_int_equal(md.nfields, n / 3);
	assert_int_equal(th_metadata_count(&md, "A"), n / 3);
	/* One huge folded value. */
	memcpy(s, "Summary: x\n", 11);
	for (i = 11; i < n; i++)
		s[i] = (i % 100 == 0) ? '\n' : ' ';
	th_arena_release(&arena);
	assert_int_equal(th_metadata_parse(&md, s, n, NULL, &arena, &err), 0);
	assert_int_equal(md.nfields, 1);
	assert_string_equal(md.summary, "x");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(wheel_metadata_2_1, setup, teardown),
		cmocka_unit_test_setup_teardown(sdist_pkg_info_1_0, setup, teardown),
		cmocka_unit_test_setup_teardown(crlf_and_pipe_description, setup, teardown),
		cmocka_unit_test_setup_teardown(metadata_2_4_licensing, setup, teardown),
		cmocka_unit_test_setup_teardown(header_syntax_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(hostile_bytes_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(size_limit_and_huge_input, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
