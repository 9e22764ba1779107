/* Unit tests of analyzer/imgscan's helpers for building a target from image
 * facts: which interpreter, which library. (Scanning itself is driven by
 * tests/sh/image_fixtures.sh through tests/helpers/imgscan_probe.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "analyzer/imgscan.h"

static void python_along_path(void **state)
{
	th_imgfacts f;
	const char *env[] = { "LANG=C", "PATH=/opt/none::/usr/local/bin/:/usr/bin" };
	th_image_interp in[] = {
		{ "/usr/bin/python3.11", "3.11.2", "binary", 3, 11, false, NULL, 0 },
		{ "/usr/bin/python3.13", "3.13.0", "binary", 3, 13, false, NULL, 0 },
		{ "/usr/lib/libpython3.14.so.1.0", "3.14.0", "binary", 3, 14, true, NULL, 0 },
		{ "/usr/local/bin/python3.9", "3.9.18", "binary", 3, 9, false, NULL, 0 },
		{ "/usr/local/bin/python3.10", "3.10.2", "binary", 3, 10, false, NULL, 0 },
		{ "/usr/local/bin/sub/python3.12", "3.12.0", "binary", 3, 12, false, NULL, 0 },
	};

	(void)state;
	memset(&f, 0, sizeof(f));
	f.interps = in;
	f.ninterps = sizeof(in) / sizeof(in[0]);
	f.info.env = env;
	f.info.nenv = 2;
	/* the first PATH directory holding one; the highest there (3.10 > 3.9) */
	assert_string_equal(th_imgfacts_python(&f)->path, "/usr/local/bin/python3.10");
	assert_string_equal(th_imgfacts_implementation(th_imgfacts_python(&f)), "cpython");
	/* no PATH: the highest executable, never the library */
	f.info.nenv = 1;
	assert_string_equal(th_imgfacts_python(&f)->path, "/usr/bin/python3.13");
	/* only a library: the library */
	f.interps = &in[2];
	f.ninterps = 1;
	assert_string_equal(th_imgfacts_python(&f)->path, "/usr/lib/libpython3.14.so.1.0");
	f.ninterps = 0;
	assert_null(th_imgfacts_python(&f));
}

static void library_by_kind(void **state)
{
	th_imgfacts f;
	th_image_lib libs[] = {
		{ "/a/libcudnn.so.8", NULL, "x86_64", 64, "cudnn", "8.9.7", NULL, NULL },
		{ "/b/libcudnn.so.9", NULL, "x86_64", 64, "cudnn", "9.0.0", NULL, NULL },
		{ "/c/libfoo.so", NULL, "x86_64", 64, "other", NULL, NULL, NULL },
	};

	(void)state;
	memset(&f, 0, sizeof(f));
	f.libs = libs;
	f.nlibs = 3;
	assert_string_equal(th_imgfacts_lib(&f, "cudnn")->version, "8.9.7");
	assert_null(th_imgfacts_lib(&f, "nccl"));
}

static void env_along_path(void **state)
{
	th_imgfacts f;
	const char *env[] = { "PATH=/usr/local/bin:/opt/venv/bin/:/usr/bin" };
	th_image_interp in[] = { { "/usr/bin/python3.11", "3.11.2", "binary", 3, 11, false, NULL, 0 } };
	th_image_env envs[] = { { "/opt/conda", "conda", NULL, NULL, false },
				{ "/opt/venv", "venv", "/usr/bin", "3.11.2", false } };

	(void)state;
	memset(&f, 0, sizeof(f));
	f.interps = in;
	f.ninterps = 1;
	f.envs = envs;
	f.nenvs = 2;
	f.info.env = env;
	f.info.nenv = 1;
	assert_string_equal(th_imgfacts_env(&f)->path, "/opt/venv");
	env[0] = "PATH=/usr/bin:/opt/venv/bin"; /* the system interpreter comes first */
	assert_null(th_imgfacts_env(&f));
	env[0] = "PATH=/opt/conda/bin";
	assert_string_equal(th_imgfacts_env(&f)->kind, "conda");
	env[0] = "PATH=/opt/conda/binx:/opt/venv";
	assert_null(th_imgfacts_env(&f));
	f.info.nenv = 0;
	assert_null(th_imgfacts_env(&f));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(python_along_path),
		cmocka_unit_test(library_by_kind),
		cmocka_unit_test(env_along_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
