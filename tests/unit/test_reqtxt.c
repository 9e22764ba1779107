/* Unit tests of extractors/reqtxt: pip requirements files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "extractors/reqtxt.h"

typedef struct got {
	th_buf out;
} got;

static int record(void *ud, const th_reqtxt_line *l)
{
	got *g = ud;

	th_buf_printf(&g->out, NULL, "%s:%u [%s]%s%s%s", l->file, l->line, l->req, l->editable ? " editable" : "",
		      l->constraint ? " constraint" : "", l->path_or_url ? " path" : "");
	if (l->egg)
		th_buf_printf(&g->out, NULL, " egg=%s", l->egg);
	for (size_t i = 0; i < l->nhashes; i++)
		th_buf_printf(&g->out, NULL, " %s", l->hashes[i]);
	th_buf_putc(&g->out, '\n', NULL);
	return 0;
}

static const char *env(const char *name)
{
	return !strcmp(name, "VERSION") ? "1.2" : NULL;
}

static int load(void *ud, const char *from, const char *name, th_buf *out, th_buf *resolved, th_error *err)
{
	if (!strcmp(name, "loop.txt")) {
		th_buf_puts(resolved, "loop.txt", NULL);
		return th_buf_puts(out, "-r loop.txt\n", NULL);
	}
	if (strcmp(name, "base.txt") && strcmp(name, "constraints.txt"))
		return th_error_set(err, TH_ERR_NOTFOUND, "%s: no such file %s", from, name);
	th_buf_puts(resolved, name, NULL);
	return th_buf_puts(out, "six==1.16\n", NULL);
}

static void reads_lines(void **state)
{
	const char *text = "# comment\n"
			   "requests>=2.0 ; python_version >= '3.8'  # trailing\n"
			   "--index-url https://example.invalid/simple\n"
			   "numpy==${VERSION} \\\n"
			   "    --hash=sha256:aaa \\\n"
			   "    --hash sha256:bbb\n"
			   "-e ./local/pkg#egg=localpkg\n"
			   "--editable=git+https://example.invalid/x.git#egg=xpkg\n"
			   "pkg @ https://example.invalid/pkg-1.0.tar.gz\n"
			   "https://example.invalid/wheel-1.0-py3-none-any.whl\n"
			   "-r base.txt\n"
			   "-c constraints.txt\r\n"
			   "url#notacomment ${UNSET}\n";
	th_reqtxt_opts o = { load, NULL, env };
	got g = { TH_BUF_INIT };
	th_arena a;
	th_error err = TH_ERROR_INIT;

	th_arena_init(&a, 1024);
	assert_int_equal(th_reqtxt_parse(text, strlen(text), "requirements.txt", &o, record, &g, &a, &err), 0);
	assert_string_equal(g.out.ptr,
			    "requirements.txt:2 [requests>=2.0 ; python_version >= '3.8']\n"
			    "requirements.txt:4 [numpy==1.2] sha256:aaa sha256:bbb\n"
			    "requirements.txt:7 [./local/pkg#egg=localpkg] editable path egg=localpkg\n"
			    "requirements.txt:8 [git+https://example.invalid/x.git#egg=xpkg] editable path egg=xpkg\n"
			    "requirements.txt:9 [pkg @ https://example.invalid/pkg-1.0.tar.gz]\n"
			    "requirements.txt:10 [https://example.invalid/wheel-1.0-py3-none-any.whl] path\n"
			    "base.txt:1 [six==1.16]\n"
			    "constraints.txt:1 [six==1.16] constraint\n"
			    "requirements.txt:13 [url#notacomment ${UNSET}]\n");
	th_buf_release(&g.out);
	th_arena_release(&a);
}

static void bad_includes(void **state)
{
	th_reqtxt_opts o = { load, NULL, NULL };
	got g = { TH_BUF_INIT };
	th_arena a;
	th_error err = TH_ERROR_INIT;

	th_arena_init(&a, 1024);
	assert_int_equal(th_reqtxt_parse("-r loop.txt\n", 12, "r.txt", &o, record, &g, &a, &err), TH_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "nested"));
	assert_int_equal(th_reqtxt_parse("-r missing.txt\n", 15, "r.txt", &o, record, &g, &a, &err), TH_ERR_NOTFOUND);
	assert_int_equal(th_reqtxt_parse("-r x.txt\n", 9, "r.txt", NULL, record, &g, &a, &err), TH_ERR_UNSUPPORTED);
	/* A trailing backslash at the end of the file is not an error. */
	assert_int_equal(th_reqtxt_parse("six \\", 5, "r.txt", NULL, record, &g, &a, &err), 0);
	th_buf_release(&g.out);
	th_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_lines),
		cmocka_unit_test(bad_includes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
