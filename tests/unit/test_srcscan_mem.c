/* Unit tests of th_srcscan_run_mem: files already in memory go through the
 * same pipeline as a tree on disk (content seen before is not parsed again,
 * whatever the root or the path), and a hostile file is recorded, not
 * fatal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/srcscan.h"

static void memory_files(void **state)
{
	const char *t = getenv("TMPDIR");
	char db[4096];
	th_store *st;
	th_limits lim;
	th_srcscan s;
	th_srcscan_opts o = { NULL, 0, true, true, 2 };
	th_error err = TH_ERROR_INIT;
	static const char nb[] = "{\"cells\":[{\"cell_type\":\"code\",\"source\":[\"import pandas\\n\"]}],"
				 "\"metadata\":{},\"nbformat\":4,\"nbformat_minor\":5}";
	th_srcscan_mem_file files[] = {
		{ "app/main.py", TH_REPOFILE_PYTHON, "import numpy as np\nnp.linalg.norm(1)\n", 37 },
		{ "app/nb.ipynb", TH_REPOFILE_NOTEBOOK, nb, sizeof(nb) - 1 },
		{ "app/bad.py", TH_REPOFILE_PYTHON, "def broken(:\n", 13 },
		{ "app/requirements.txt", TH_REPOFILE_MANIFEST, "numpy\n", 6 },
		{ "app/big.py", TH_REPOFILE_PYTHON, "x = 1\nx = 1\nx = 1\nx = 1\nx = 1\nx = 1\nx = 1\nx = 1\n", 48 },
	};

	(void)state;
	th_limits_init(&lim);
	snprintf(db, sizeof(db), "%s/test_srcscan_mem_%ld.db", t ? t : "/tmp", (long)getpid());
	unlink(db);
	assert_int_equal(th_store_open(&st, db, &err), 0);

	/* big.py is over source_bytes: recorded with an error, not parsed. */
	lim.source_bytes = 40;
	assert_int_equal(th_store_begin(st, &err), 0);
	assert_int_equal(th_srcscan_run_mem(&s, "image:test:/", files, 5, &o, st, &lim, &err), 0);
	assert_int_equal(th_store_commit(st, &err), 0);
	assert_string_equal(s.root, "image:test:/");
	assert_int_equal(s.nfiles, 5);
	assert_int_equal(s.nparsed, 3);
	assert_string_equal(s.files[0].path, "app/main.py");
	assert_string_equal(s.files[0].src.imports[0].module, "numpy");
	assert_string_equal(s.files[0].src.usages[0].symbol, "numpy.linalg.norm");
	assert_string_equal(s.files[1].src.imports[0].module, "pandas");
	assert_true(s.files[2].src.has_errors);
	assert_string_equal(s.files[4].meta.error, "larger than the source_bytes limit");
	assert_string_equal(s.files[4].hash, "");
	th_srcscan_release(&s);

	/* The same content under another root and path: nothing parsed. */
	lim.source_bytes = 1 << 20;
	files[0].path = "srv/other.py";
	assert_int_equal(th_store_begin(st, &err), 0);
	assert_int_equal(th_srcscan_run_mem(&s, "image:other:/srv", files, 3, &o, st, &lim, &err), 0);
	assert_int_equal(th_store_commit(st, &err), 0);
	assert_int_equal(s.nparsed, 0);
	assert_int_equal(s.ncached, 3);
	assert_string_equal(s.files[0].src.imports[0].alias, "np");
	assert_string_equal(s.files[0].src.usages[0].symbol, "numpy.linalg.norm");
	assert_int_equal(s.files[1].nb.ncells, 1);
	th_srcscan_release(&s);

	/* No files at all is a scan of nothing. */
	assert_int_equal(th_srcscan_run_mem(&s, "image:empty:/", NULL, 0, &o, NULL, &lim, &err), 0);
	assert_int_equal(s.nfiles, 0);
	th_srcscan_release(&s);
	th_store_free(st);
	unlink(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(memory_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
