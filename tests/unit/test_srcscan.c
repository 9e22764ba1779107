/* Unit tests of extractors/repowalk, extractors/ipynb, analyzer/store_source
 * and analyzer/srcscan: what is walked, notebook cells, and that content seen
 * before is never parsed again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/srcdeps.h"
#include "analyzer/srcscan.h"
#include "analyzer/store_source.h"
#include "core/buf.h"
#include "extractors/ipynb.h"
#include "extractors/repowalk.h"

static void ignore_patterns(void **state)
{
	assert_true(th_repowalk_ignore_match("*.gen.py", "a/b/x.gen.py", false));
	assert_true(th_repowalk_ignore_match("build/", "build", true));
	assert_false(th_repowalk_ignore_match("build/", "build", false));
	assert_true(th_repowalk_ignore_match("/top.py", "top.py", false));
	assert_false(th_repowalk_ignore_match("/top.py", "sub/top.py", false));
	assert_true(th_repowalk_ignore_match("docs/*.py", "docs/conf.py", false));
	assert_false(th_repowalk_ignore_match("docs/*.py", "docs/sub/conf.py", false));
	assert_true(th_repowalk_ignore_match("**/gen", "a/b/gen", true));
	assert_true(th_repowalk_ignore_match("**/gen", "gen", true));
	assert_true(th_repowalk_ignore_match("out/**", "out/a/b.py", false));
	assert_true(th_repowalk_ignore_match("a/**/z.py", "a/b/c/z.py", false));
	assert_int_equal(th_repowalk_kind("requirements-dev.txt"), TH_REPOFILE_MANIFEST);
	assert_int_equal(th_repowalk_kind("x.pyi"), TH_REPOFILE_PYTHON);
	assert_int_equal(th_repowalk_kind("x.txt"), -1);
}

typedef struct seen {
	th_buf list;
} seen;

static int collect(void *ud, const char *rel, th_repofile_kind kind, const struct stat *st)
{
	seen *s = ud;

	return th_buf_printf(&s->list, NULL, "%s:%d\n", rel, (int)kind);
}

static void walks_the_fixture(void **state)
{
	const char *fx = getenv("THOTH_FIXTURES");
	char root[4096];
	seen s = { TH_BUF_INIT };
	th_limits lim;
	const char *excl[] = { "pkg/" };
	th_repowalk_opts o = { excl, 1, false };

	th_limits_init(&lim);
	snprintf(root, sizeof(root), "%s/source/proj", fx ? fx : "fixtures");
	assert_int_equal(th_repowalk(root, NULL, &lim, collect, &s, NULL), 0);
	/* .venv (pyvenv.cfg), build/ at the top, .gitignore'd files are skipped;
	 * a negated pattern keeps keep.gen.py. */
	assert_string_equal(s.list.ptr, "app/__init__.py:0\napp/keep.gen.py:0\napp/main.py:0\nnb.ipynb:1\n"
					"pkg/sub/mod.py:0\nrequirements.txt:2\n");
	th_buf_clear(&s.list);
	assert_int_equal(th_repowalk(root, &o, &lim, collect, &s, NULL), 0);
	assert_null(strstr(s.list.ptr, "pkg/"));
	lim.entries = 2;
	assert_int_equal(th_repowalk(root, NULL, &lim, collect, &s, NULL), TH_ERR_LIMIT);
	assert_int_equal(th_repowalk("/nonexistent/dir", NULL, &lim, collect, &s, NULL), TH_ERR_NOTFOUND);
	th_buf_release(&s.list);
}

static void notebook_cells(void **state)
{
	const char *nb = "{\"cells\": [{\"cell_type\": \"markdown\", \"source\": \"import no\"},"
			 "{\"cell_type\": \"code\", \"source\": [\"%matplotlib inline\\n\", \"import a\"]},"
			 "{\"cell_type\": \"code\", \"source\": \"%%bash\\nls\\n\"},"
			 "{\"cell_type\": \"code\", \"source\": [\"\\n\", \"import b\\n\"]}]}";
	th_buf code = TH_BUF_INIT;
	th_ipynb out;
	th_arena a;
	th_limits lim;
	uint32_t cell, line;

	th_limits_init(&lim);
	th_arena_init(&a, 1024);
	assert_int_equal(th_ipynb_code(&code, &out, nb, strlen(nb), "nb", &lim, &a, NULL), 0);
	assert_string_equal(code.ptr, "#%matplotlib inline\nimport a\n#%%bash\n#ls\n\nimport b\n");
	assert_int_equal(out.ncells, 3);
	th_ipynb_locate(&out, 2, &cell, &line);
	assert_int_equal(cell, 1);
	assert_int_equal(line, 2);
	th_ipynb_locate(&out, 6, &cell, &line);
	assert_int_equal(cell, 3);
	assert_int_equal(line, 2);
	assert_int_equal(th_ipynb_code(&code, &out, "{\"cells\": 3}", 12, "nb", &lim, &a, NULL), TH_ERR_INVALID);
	assert_int_equal(th_ipynb_code(&code, &out, "[", 1, "nb", &lim, &a, NULL), TH_ERR_INVALID);
	th_arena_release(&a);
	th_buf_release(&code);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char p[4096];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	assert_non_null(f = fopen(p, "w"));
	fputs(text, f);
	fclose(f);
}

static void content_is_parsed_once(void **state)
{
	const char *t = getenv("TMPDIR");
	char dir[512], db[600], copy[600];
	th_store *st;
	th_limits lim;
	th_srcscan s;
	th_srcscan_opts o = { NULL, 0, true, true, 2 };
	th_error err = TH_ERROR_INIT;

	th_limits_init(&lim);
	snprintf(dir, sizeof(dir), "%s/test_srcscan_XXXXXX", t ? t : "/tmp");
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s.db", dir);
	snprintf(copy, sizeof(copy), "%s/b", dir);
	assert_int_equal(mkdir(copy, 0700), 0);
	write_file(dir, "a.py", "import numpy as np\nnp.linalg.norm(1)\n");
	write_file(dir, "c.py", "def broken(:\n");
	assert_int_equal(th_store_open(&st, db, &err), 0);

	assert_int_equal(th_store_begin(st, &err), 0);
	assert_int_equal(th_srcscan_run(&s, dir, &o, st, &lim, &err), 0);
	assert_int_equal(th_store_commit(st, &err), 0);
	assert_int_equal(s.nfiles, 2);
	assert_int_equal(s.nparsed, 2);
	assert_string_equal(s.files[0].src.usages[0].symbol, "numpy.linalg.norm");
	th_srcscan_release(&s);

	/* Unchanged: nothing read, nothing parsed; the facts come back whole. */
	assert_int_equal(th_store_begin(st, &err), 0);
	assert_int_equal(th_srcscan_run(&s, dir, &o, st, &lim, &err), 0);
	assert_int_equal(th_store_commit(st, &err), 0);
	assert_int_equal(s.nread, 0);
	assert_int_equal(s.nparsed, 0);
	assert_int_equal(s.ncached, 2);
	assert_string_equal(s.files[0].src.imports[0].module, "numpy");
	assert_string_equal(s.files[0].src.imports[0].alias, "np");
	assert_string_equal(s.files[0].src.usages[0].symbol, "numpy.linalg.norm");
	assert_true(s.files[1].src.has_errors);
	th_srcscan_release(&s);

	/* The same content under another name is read, not parsed. */
	write_file(copy, "a2.py", "import numpy as np\nnp.linalg.norm(1)\n");
	assert_int_equal(th_store_begin(st, &err), 0);
	assert_int_equal(th_srcscan_run(&s, dir, &o, st, &lim, &err), 0);
	assert_int_equal(th_store_commit(st, &err), 0);
	assert_int_equal(s.nread, 1);
	assert_int_equal(s.nparsed, 0);
	th_srcscan_release(&s);

	/* Changed content is parsed again. */
	write_file(dir, "a.py", "import pandas\n");
	assert_int_equal(th_store_begin(st, &err), 0);
	assert_int_equal(th_srcscan_run(&s, dir, &o, st, &lim, &err), 0);
	assert_int_equal(th_store_commit(st, &err), 0);
	assert_int_equal(s.nparsed, 1);
	assert_string_equal(s.files[0].src.imports[0].module, "pandas");
	th_srcscan_release(&s);
	assert_int_equal(th_store_check(st, &err), 0);
	th_store_free(st);
}

/* Facts are recorded while the workers parse: with one worker or several,
 * every parsed file's facts reach the store (a second tree with the same
 * contents is then read but not parsed, and gets the same facts back). */
static void recorded_while_parsing(void **state)
{
	const char *t = getenv("TMPDIR");
	enum { N = 300 };

	for (int threads = 1; threads <= 3; threads += 2) {
		char dir[512], db[600], sub[600], name[64], text[128];
		th_store *st;
		th_limits lim;
		th_srcscan s;
		th_srcscan_opts o = { NULL, 0, true, true, threads };
		th_error err = TH_ERROR_INIT;

		th_limits_init(&lim);
		snprintf(dir, sizeof(dir), "%s/test_srcscan_XXXXXX", t ? t : "/tmp");
		assert_non_null(mkdtemp(dir));
		snprintf(db, sizeof(db), "%s.db", dir);
		for (int k = 0; k < 2; k++) {
			snprintf(sub, sizeof(sub), "%s/%c", dir, 'a' + k);
			assert_int_equal(mkdir(sub, 0700), 0);
			for (int i = 0; i < N; i++) {
				snprintf(name, sizeof(name), "f%03d.py", i);
				snprintf(text, sizeof(text), "import mod%d as m\nm.f%d()\n", i, i);
				write_file(sub, name, text);
			}
		}
		assert_int_equal(th_store_open(&st, db, &err), 0);
		for (int k = 0; k < 2; k++) {
			snprintf(sub, sizeof(sub), "%s/%c", dir, 'a' + k);
			assert_int_equal(th_store_begin(st, &err), 0);
			assert_int_equal(th_srcscan_run(&s, sub, &o, st, &lim, &err), 0);
			assert_int_equal(th_store_commit(st, &err), 0);
			assert_int_equal(s.nfiles, N);
			assert_int_equal(s.nread, N);
			assert_int_equal(s.nparsed, k == 0 ? N : 0);
			for (size_t i = 0; i < s.nfiles; i++) {
				int n = atoi(s.files[i].path + 1);
				char want[32];

				snprintf(want, sizeof(want), "mod%d", n);
				assert_int_equal(s.files[i].src.nimports, 1);
				assert_string_equal(s.files[i].src.imports[0].module, want);
				snprintf(want, sizeof(want), "mod%d.f%d", n, n);
				assert_int_equal(s.files[i].src.nusages, 1);
				assert_string_equal(s.files[i].src.usages[0].symbol, want);
			}
			th_srcscan_release(&s);
		}
		assert_int_equal(th_store_check(st, &err), 0);
		th_store_free(st);
	}
}

static void relative_imports(void **state)
{
	th_buf b = TH_BUF_INIT;

	assert_int_equal(th_srcdeps_resolve(&b, "a/b/c.py", 2, "x", NULL), 0);
	assert_string_equal(b.ptr, "a.x");
	assert_int_equal(th_srcdeps_resolve(&b, "a/b/c.py", 1, "", NULL), 0);
	assert_string_equal(b.ptr, "a.b");
	assert_int_equal(th_srcdeps_resolve(&b, "src/pkg/__init__.py", 1, "mod", NULL), 0);
	assert_string_equal(b.ptr, "pkg.mod");
	assert_int_equal(th_srcdeps_resolve(&b, "a/b/c.py", 3, "x", NULL), 0);
	assert_string_equal(b.ptr, "x");
	assert_int_equal(th_srcdeps_resolve(&b, "a/b/c.py", 4, "x", NULL), TH_ERR_NOTFOUND);
	assert_int_equal(th_srcdeps_resolve(&b, "top.py", 1, "sib", NULL), 0);
	assert_string_equal(b.ptr, "sib");
	assert_int_equal(th_srcdeps_resolve(&b, "top.py", 2, "x", NULL), TH_ERR_NOTFOUND);
	th_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ignore_patterns),
		cmocka_unit_test(walks_the_fixture),
		cmocka_unit_test(notebook_cells),
		cmocka_unit_test(content_is_parsed_once),
		cmocka_unit_test(recorded_while_parsing),
		cmocka_unit_test(relative_imports),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
