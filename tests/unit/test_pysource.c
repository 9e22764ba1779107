/* Unit tests of analyzer/pysource (imports, contexts, API usage) and
 * extractors/pyenc (PEP 263, BOM, newlines). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "analyzer/pysource.h"
#include "extractors/pyenc.h"

typedef struct fx {
	th_pysource_parser *p;
	th_arena a;
	th_limits lim;
	th_pysource src;
} fx;

static int setup(void **state)
{
	static fx f;

	memset(&f, 0, sizeof(f));
	th_limits_init(&f.lim);
	th_arena_init(&f.a, 4096);
	if (th_pysource_parser_new(&f.p, NULL))
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;

	th_pysource_parser_free(f->p);
	th_arena_release(&f->a);
	return 0;
}

static th_pysource *run(fx *f, const char *text)
{
	th_error err = TH_ERROR_INIT;

	assert_int_equal(th_pysource_analyze(&f->src, f->p, text, strlen(text), true, "t.py", &f->lim, &f->a, &err), 0);
	return &f->src;
}

static const th_pyimport *find(const th_pysource *s, const char *module)
{
	for (size_t i = 0; i < s->nimports; i++)
		if (!strcmp(s->imports[i].module, module))
			return &s->imports[i];
	fail_msg("no import of %s", module);
	return NULL;
}

static bool used(const th_pysource *s, const char *symbol, uint32_t line)
{
	for (size_t i = 0; i < s->nusages; i++)
		if (!strcmp(s->usages[i].symbol, symbol) && s->usages[i].line == line)
			return true;
	return false;
}

static void imports_and_names(void **state)
{
	th_pysource *s = run(*state, "import os, sys as system\n"
				     "from ..pkg.sub import (y as z, w,)\n"
				     "from . import *\n"
				     "x = 1; import a . b\n");
	const th_pyimport *im;

	assert_int_equal(s->nimports, 5);
	assert_false(s->has_errors);
	im = find(s, "sys");
	assert_string_equal(im->alias, "system");
	assert_int_equal(im->line, 1);
	assert_int_equal(im->col, 1);
	im = find(s, "pkg.sub");
	assert_int_equal(im->level, 2);
	assert_int_equal(im->kind, TH_PYIMPORT_FROM);
	assert_int_equal(im->nnames, 2);
	assert_string_equal(im->names[0].name, "y");
	assert_string_equal(im->names[0].alias, "z");
	assert_string_equal(im->names[1].name, "w");
	assert_null(im->names[1].alias);
	im = find(s, "");
	assert_int_equal(im->level, 1);
	assert_string_equal(im->names[0].name, "*");
	im = find(s, "a.b");
	assert_int_equal(im->line, 4);
	assert_int_equal(im->col, 8);
}

static void contexts(void **state)
{
	th_pysource *s = run(*state, "from __future__ import annotations\n"
				     "try:\n    import ujson as json\nexcept ImportError:\n    import json\n"
				     "if TYPE_CHECKING:\n    import typ\nelse:\n    import rt\n"
				     "if sys.version_info >= (3, 11):\n    import tomllib\nelse:\n    import tomli\n"
				     "if sys.platform == 'win32':\n    import winreg\n"
				     "def f():\n    import inner\n"
				     "class C:\n    import incls\n"
				     "m = importlib.import_module('yaml')\n"
				     "n = __import__('..rel')\n"
				     "o = importlib.import_module(f'no{x}')\n");

	assert_int_equal(find(s, "__future__")->ctx, TH_PYCTX_FUTURE);
	assert_int_equal(find(s, "ujson")->ctx, TH_PYCTX_TRY_IMPORT);
	assert_int_equal(find(s, "json")->ctx, TH_PYCTX_IMPORT_FALLBACK);
	assert_int_equal(find(s, "typ")->ctx, TH_PYCTX_TYPE_CHECKING);
	assert_int_equal(find(s, "rt")->ctx, 0);
	assert_int_equal(find(s, "tomllib")->ctx, TH_PYCTX_VERSION);
	assert_int_equal(find(s, "tomli")->ctx, TH_PYCTX_VERSION);
	assert_int_equal(find(s, "winreg")->ctx, TH_PYCTX_PLATFORM);
	assert_int_equal(find(s, "inner")->ctx, TH_PYCTX_FUNCTION);
	assert_int_equal(find(s, "incls")->ctx, TH_PYCTX_CLASS);
	assert_int_equal(find(s, "yaml")->kind, TH_PYIMPORT_DYNAMIC);
	assert_int_equal(find(s, "yaml")->col, 5);
	assert_int_equal(find(s, "rel")->level, 2);
	assert_int_equal(s->nimports, 12); /* the f-string is not a literal */
	assert_string_equal(th_pysource_ctx_name(TH_PYCTX_TRY_IMPORT), "try_import");
}

static void usages_through_aliases(void **state)
{
	th_pysource *s = run(*state, "import tensorflow as tf\n"
				     "from numpy import float as f\n"
				     "import os.path\n"
				     "tf.compat.v1.Session()\n"
				     "f(3)\n"
				     "os.path.join('a', 'b')\n"
				     "def g(tf=1, *, f=2):\n    return tf\n"
				     "np_array = call().tf\n");

	assert_true(used(s, "tensorflow.compat.v1.Session", 4));
	assert_true(used(s, "numpy.float", 5));
	assert_true(used(s, "os.path.join", 6));
	assert_false(used(s, "tensorflow", 7)); /* a parameter named tf is not a use */
	assert_false(used(s, "tensorflow", 9)); /* .tf is an attribute, not the name */
	assert_int_equal(s->usages[0].import, 0);
}

/* The usage walk skips subtrees where no bound name occurs: names glued to
 * a number or to a non-identifier character, deep in a nested function, or
 * before the import that binds them are still found; text that only looks
 * like the name (in a longer identifier) is not a usage. */
static void usages_wherever_the_name_is(void **state)
{
	th_pysource *s = run(*state, "def early():\n    return np.zeros(1)\n"
				     "x = [1np.sep]\n"
				     "y = [os\xe2\x80\xa6.getcwd()]\n"
				     "class K:\n    def m(self):\n        def inner():\n"
				     "            return [os.path.join(a) for a in ()]\n"
				     "numpyish = osx.y\n"
				     "import numpy as np\nimport os\n");

	assert_true(used(s, "numpy.zeros", 2));
	assert_true(used(s, "numpy.sep", 3)); /* tree-sitter reads `1np` as 1 and np */
	assert_true(used(s, "os.getcwd", 4)); /* and `os…` as os and an error */
	assert_true(used(s, "os.path.join", 8));
	assert_int_equal(s->nusages, 4);
}

static void errors_do_not_hide_imports(void **state)
{
	th_pysource *s = run(*state, "import a\ndef broken(:\n    pass\nimport after\nfrom __future__ import *\n");

	assert_true(s->has_errors);
	assert_int_equal(s->error_line, 2);
	find(s, "after");
	assert_int_not_equal(find(s, "__future__")->ctx & TH_PYCTX_FUTURE, 0);
}

static void limits_are_errors(void **state)
{
	fx *f = *state;
	th_error err = TH_ERROR_INIT;
	th_limits lim = f->lim;

	lim.source_bytes = 4;
	assert_int_equal(th_pysource_analyze(&f->src, f->p, "import os\n", 10, true, "big.py", &lim, &f->a, &err),
			 TH_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "big.py"));
}

/* Past parse_ms the parse is abandoned (an error naming the limit) and the
 * parser is usable again for the next file. */
static void parse_time_limit(void **state)
{
	fx *f = *state;
	th_error err = TH_ERROR_INIT;
	th_limits lim = f->lim;
	th_buf text = TH_BUF_INIT;

	/* Small enough to parse well within parse_ms under sanitizers on a
	 * loaded machine, large enough for tree-sitter to ask about the time. */
	for (int i = 0; i < 2000; i++)
		assert_int_equal(th_buf_printf(&text, NULL, "x%d = f(%d)\n", i, i), 0);
	assert_int_equal(th_buf_puts(&text, "import late\n", NULL), 0);
	lim.parse_ms = 0;
	assert_int_equal(th_pysource_analyze(&f->src, f->p, text.ptr, text.len, true, "slow.py", &lim, &f->a, &err),
			 TH_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "parse_ms"));
	assert_int_equal(th_pysource_analyze(&f->src, f->p, text.ptr, text.len, true, "slow.py", &f->lim, &f->a, &err),
			 0);
	find(&f->src, "late");
	th_buf_release(&text);
}

/* Past parse_bytes of tree-sitter memory the parse is abandoned (an error
 * naming the limit); within it the same text parses, and the parser goes
 * on to the next file. */
static void parse_memory_limit(void **state)
{
	fx *f = *state;
	th_error err = TH_ERROR_INIT;
	th_limits lim = f->lim;
	th_buf text = TH_BUF_INIT;

	for (int i = 0; i < 2000; i++)
		assert_int_equal(th_buf_printf(&text, NULL, "x%d = f(%d, [%d, {'k': %d}])\n", i, i, i, i), 0);
	assert_int_equal(th_buf_puts(&text, "import late\n", NULL), 0);
	lim.parse_bytes = 64 << 10;
	assert_int_equal(th_pysource_analyze(&f->src, f->p, text.ptr, text.len, true, "big.py", &lim, &f->a, &err),
			 TH_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "big.py: parsing needed more than 65536 bytes (parse_bytes)"));
	assert_int_equal(th_pysource_analyze(&f->src, f->p, text.ptr, text.len, true, "big.py", &f->lim, &f->a, &err),
			 0);
	find(&f->src, "late");
	th_buf_release(&text);
}

static void deep_nesting(void **state)
{
	fx *f = *state;
	static char text[200020];
	th_error err = TH_ERROR_INIT;

	memset(text, '(', 100000);
	memcpy(text + 100000, "\nimport z\n", 10);
	assert_int_equal(th_pysource_analyze(&f->src, f->p, text, 100010, true, "deep.py", &f->lim, &f->a, &err),
			 TH_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "source_nesting"));
	/* Below the limit, deep nesting is only a syntax error. */
	assert_int_equal(th_pysource_analyze(&f->src, f->p, text + 100000 - 900, 910, true, "deep.py", &f->lim, &f->a,
					     &err), 0);
	assert_true(f->src.has_errors);
}

static void decoding(void **state)
{
	th_buf out = TH_BUF_INIT;
	th_pyenc_info info;
	char name[40];

	assert_int_equal(th_pyenc_decode(&out, &info, "\xef\xbb\xbfimport os\r\nx\r", 16, NULL), 0);
	assert_true(info.bom);
	assert_string_equal(out.ptr, "import os\nx\n");
	assert_null(info.problem);
	assert_int_equal(th_pyenc_decode(&out, &info, "#!/bin/python\n# vim: set fileencoding=latin-1 :\nx='\xe9'\n",
					 54, NULL), 0);
	assert_string_equal(info.encoding, "iso-8859-1");
	assert_int_equal(info.cookie_line, 2);
	assert_non_null(strstr(out.ptr, "x='\xc3\xa9'"));
	/* A cookie on line 2 counts only after a blank or comment line 1. */
	assert_int_equal(th_pyenc_decode(&out, &info, "x = 1\n# coding: latin-1\n", 23, NULL), 0);
	assert_int_equal(info.cookie_line, 0);
	assert_int_equal(th_pyenc_decode(&out, &info, "x = '\xff'\n", 8, NULL), 0);
	assert_non_null(info.problem);
	assert_int_equal(th_pyenc_decode(&out, &info, "# coding: no-such-codec\nx\n", 26, NULL), 0);
	assert_non_null(info.problem);
	assert_int_equal(th_pyenc_decode(&out, &info, "\xef\xbb\xbf# coding: latin-1\n", 21, NULL), 0);
	assert_non_null(info.problem);
	assert_true(th_pyenc_cookie(name, sizeof(name), "# -*- coding: UTF_8-unix -*-", 28));
	assert_string_equal(name, "utf-8");
	assert_false(th_pyenc_cookie(name, sizeof(name), "x = 1 # coding: latin-1", 23));
	th_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(imports_and_names),
		cmocka_unit_test(contexts),
		cmocka_unit_test(usages_through_aliases),
		cmocka_unit_test(usages_wherever_the_name_is),
		cmocka_unit_test(errors_do_not_hide_imports),
		cmocka_unit_test(limits_are_errors),
		cmocka_unit_test(parse_time_limit),
		cmocka_unit_test(parse_memory_limit),
		cmocka_unit_test(deep_nesting),
		cmocka_unit_test(decoding),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
