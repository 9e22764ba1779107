/* Unit tests of extractors/importnames: what a wheel provides to `import`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "extractors/importnames.h"

/* The names joined by ' ', or the error code as text. */
static const char *names(th_arena *a, const char *tl, const char *rec, uint64_t max)
{
	static char out[4096];
	const char **v;
	size_t n;
	th_limits lim;
	int rc;

	th_limits_init(&lim);
	if (max)
		lim.import_names = max;
	rc = th_importnames_parse(&v, &n, tl, tl ? strlen(tl) : 0, rec, rec ? strlen(rec) : 0, &lim, "t", a, NULL);
	if (rc) {
		snprintf(out, sizeof(out), "error %d", rc);
		return out;
	}
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? " " : "", v[i]);
	return out;
}

static void record_only(void **state)
{
	th_arena a;
	(void)state;
	th_arena_init(&a, 0);
	/* packages, modules, extension modules; not the dist-info, data, scripts, .pth */
	assert_string_equal(names(&a, NULL,
				  "yaml/__init__.py,sha256=x,1\nyaml/loader.py,,\n_yaml.cpython-311-x86_64-linux-gnu.so,,\n"
				  "six.py,,\nPyYAML-6.0.1.dist-info/RECORD,,\nPyYAML-6.0.1.data/scripts/x,,\n"
				  "../../bin/yamltool,,\nyaml-nspkg.pth,,\nyaml/__pycache__/x.cpython-311.pyc,,\n",
				  0),
			    "_yaml six yaml");
	/* A namespace package (no __init__.py) gives its subpackages. */
	assert_string_equal(names(&a, NULL,
				  "google/protobuf/__init__.py,,\ngoogle/protobuf/message.py,,\n"
				  "google/cloud/storage/__init__.py,,\n",
				  0),
			    "google.cloud.storage google.protobuf");
	/* Quoted CSV paths, CRLF, empty and odd lines. */
	assert_string_equal(names(&a, NULL, "\"a,b/__init__.py\",,\r\n\"pkg/__init__.py\",,\r\n,,\n\n/abs.py,,\n1x.py,,\n", 0),
			    "pkg");
	/* Data files only: nothing. */
	assert_string_equal(names(&a, NULL, "share/doc/readme.txt,,\nREADME,,\n", 0), "");
	th_arena_release(&a);
}

static void top_level(void **state)
{
	th_arena a;
	(void)state;
	th_arena_init(&a, 0);
	assert_string_equal(names(&a, "yaml\n_yaml\n", "yaml/__init__.py,,\n", 0), "_yaml yaml");
	/* top_level.txt says google; RECORD shows it is a namespace package. */
	assert_string_equal(names(&a, "google\n", "google/protobuf/__init__.py,,\ngoogle/api/x.py,,\n", 0),
			    "google.api.x google.protobuf");
	/* a/b is dotted; junk lines are dropped; without RECORD, as written */
	assert_string_equal(names(&a, "a/b\n  c  \nnot valid\n\n9x\n", NULL, 0), "a.b c");
	th_arena_release(&a);
}

static void limits(void **state)
{
	th_arena a;
	th_buf b = TH_BUF_INIT;
	(void)state;
	th_arena_init(&a, 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(th_buf_printf(&b, NULL, "m%d.py,,\n", i), 0);
	assert_string_equal(names(&a, NULL, b.ptr, 50), "error -2");
	assert_string_equal(names(&a, b.ptr, NULL, 50), "error -2");
	th_buf_clear(&b);
	/* the same name many times is one name */
	for (int i = 0; i < 1000; i++)
		assert_int_equal(th_buf_puts(&b, "x/__init__.py,,\nx/y.py,,\n", NULL), 0);
	assert_string_equal(names(&a, NULL, b.ptr, 2), "x");
	th_buf_release(&b);
	th_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(record_only),
		cmocka_unit_test(top_level),
		cmocka_unit_test(limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
