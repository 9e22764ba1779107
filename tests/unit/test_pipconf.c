/* Unit tests of extractors/pipconf: the configparser-style INI reader
 * (including hostile input), pip's and uv's reading of one file, and the
 * discovery and merge rules over a fake HOME and system directory (never
 * this machine's own configuration). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "extractors/pipconf.h"

/* ---- INI ---- */

static int collect(void *ud, const char *section, const char *key, const char *value, uint32_t line)
{
	th_buf *b = ud;
	if (key)
		th_buf_printf(b, NULL, "%u [%s] %s=<%s>\n", line, section, key, value);
	else
		th_buf_printf(b, NULL, "%u [%s]\n", line, section);
	return 0;
}

static int ini(const char *text, th_buf *out, th_error *err)
{
	th_arena a;
	int rc;

	th_arena_init(&a, 0);
	th_buf_clear(out);
	rc = th_pipconf_ini_parse(text, strlen(text), "pip.conf", collect, out, &a, err);
	th_arena_release(&a);
	return rc;
}

static void ini_dialect(void **state)
{
	th_buf b = TH_BUF_INIT;
	(void)state;

	assert_int_equal(ini("# comment\n; also\n[global]\nIndex-URL = http://x/simple  \n"
			     "extra-index-url =\n    http://a\n\n    http://b\n  # not part of it\n\n"
			     "timeout: 60\n[install]\r\nno_index=  \r\n  [x]  \n[DEFAULT]\nk = v = w\n",
			     &b, NULL),
			 0);
	assert_string_equal(b.ptr, "3 [global]\n"
				   "4 [global] index-url=<http://x/simple>\n"
				   "5 [global] extra-index-url=<\nhttp://a\n\nhttp://b>\n"
				   "11 [global] timeout=<60>\n"
				   "12 [install]\n"
				   /* indented: a continuation, as configparser reads it */
				   "13 [install] no_index=<\n[x]>\n"
				   "15 [DEFAULT]\n"
				   "16 [DEFAULT] k=<v = w>\n");
	/* A section header keeps what lies between '[' and the last ']'. */
	assert_int_equal(ini("[a]b]\nx=1\n", &b, NULL), 0);
	assert_string_equal(b.ptr, "1 [a]b]\n2 [a]b] x=<1>\n");
	/* A lone carriage return ends a line too. */
	assert_int_equal(ini("[s]\rk=1\r", &b, NULL), 0);
	assert_string_equal(b.ptr, "1 [s]\n2 [s] k=<1>\n");
	th_buf_release(&b);
}

static void ini_errors(void **state)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "k = v\n", "pip.conf:1: a key before any [section]" },
		{ "[s]\njust words\n", "pip.conf:2: neither a [section] nor a key = value line" },
		{ "[s]\n = v\n", "pip.conf:2: a value without a key" },
		{ "[s]\nk=1\nK=2\n", "pip.conf:3: key 'k' given twice in section [s]" },
		{ "[s]\n[t]\n[s]\n", "pip.conf:3: section [s] given twice" },
		{ "[a]\n[s\n", "pip.conf:2: neither a [section] nor a key = value line" },
		{ "[a]\n[]\n", "pip.conf:2: neither a [section] nor a key = value line" },
		{ "[s]\nk=\0v\n", "pip.conf:2: a NUL byte" },
	};
	th_buf b = TH_BUF_INIT;
	th_arena a;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		th_error err = TH_ERROR_INIT;
		size_t len = strlen(bad[i].text);
		if (strstr(bad[i].msg, "NUL"))
			len = 9;
		th_arena_init(&a, 0);
		assert_int_equal(th_pipconf_ini_parse(bad[i].text, len, "pip.conf", collect, &b, &a, &err), TH_ERR_INVALID);
		assert_string_equal(err.msg, bad[i].msg);
		th_arena_release(&a);
	}
	th_buf_release(&b);
}

static int count_keys(void *ud, const char *section, const char *key, const char *value, uint32_t line)
{
	(void)section, (void)value, (void)line;
	*(size_t *)ud += key != NULL;
	return 0;
}

/* Many keys, a repeated one at the end, and one very long line: linear-ish
 * time, a precise error, no crash. */
static void ini_hostile(void **state)
{
	th_buf in = TH_BUF_INIT;
	th_arena a;
	th_error err = TH_ERROR_INIT;
	size_t n = 0;
	(void)state;

	th_buf_puts(&in, "[s]\n", NULL);
	for (int i = 0; i < 200000; i++)
		th_buf_printf(&in, NULL, "key%d = %d\n", i, i);
	th_arena_init(&a, 0);
	assert_int_equal(th_pipconf_ini_parse(in.ptr, in.len, "big", count_keys, &n, &a, NULL), 0);
	assert_int_equal(n, 200000);
	th_buf_puts(&in, "key7 = again\n", NULL);
	assert_int_equal(th_pipconf_ini_parse(in.ptr, in.len, "big", count_keys, &n, &a, &err), TH_ERR_INVALID);
	assert_string_equal(err.msg, "big:200002: key 'key7' given twice in section [s]");
	th_buf_clear(&in);
	th_buf_puts(&in, "[s]\nk = ", NULL);
	for (int i = 0; i < 1000000; i++)
		th_buf_putc(&in, i % 7 ? 'x' : ' ', NULL);
	n = 0;
	assert_int_equal(th_pipconf_ini_parse(in.ptr, in.len, "long", count_keys, &n, &a, NULL), 0);
	assert_int_equal(n, 1);
	/* Only continuation lines: each is a value line of the one key. */
	th_buf_clear(&in);
	th_buf_puts(&in, "[s]\nk=\n", NULL);
	for (int i = 0; i < 100000; i++)
		th_buf_puts(&in, "  x\n\n", NULL);
	n = 0;
	assert_int_equal(th_pipconf_ini_parse(in.ptr, in.len, "cont", count_keys, &n, &a, NULL), 0);
	assert_int_equal(n, 1);
	th_arena_release(&a);
	th_buf_release(&in);
}

/* ---- one file ---- */

static void pip_file(void **state)
{
	th_pipconf_pip st;
	th_arena a;
	const char *f1 = "[DEFAULT]\nno-index = no\n[global]\n--index-url = http://g\nextra_index_url = http://e1\n";
	const char *f2 = "[install]\nextra-index-url = http://i1 http://i2\n[freeze]\nindex-url = http://ignored\n";
	(void)state;

	memset(&st, 0, sizeof(st));
	th_arena_init(&a, 0);
	assert_int_equal(th_pipconf_pip_file(&st, f1, strlen(f1), "/a/pip.conf", &a, NULL), 0);
	assert_int_equal(th_pipconf_pip_file(&st, f2, strlen(f2), "/b/pip.conf", &a, NULL), 0);
	assert_string_equal(st.index_url, "http://g");
	assert_string_equal(st.index_url_origin, "/a/pip.conf");
	assert_string_equal(st.extra, "http://e1");
	assert_string_equal(st.no_index, "no"); /* from [DEFAULT], seen in [global] */
	assert_null(st.i_index_url);
	assert_string_equal(st.i_extra, "http://i1 http://i2");
	assert_string_equal(st.i_extra_origin, "/b/pip.conf");
	assert_null(st.i_no_index); /* the second file has no [DEFAULT] */
	th_arena_release(&a);
}

static void uv_file(void **state)
{
	th_pipconf_uv st;
	th_arena a;
	th_limits lim;
	th_error err = TH_ERROR_INIT;
	const char *py = "[project]\nname = \"x\"\n[tool.uv]\nindex-url = \"http://def\"\n"
			 "extra-index-url = [\"rel/dir\"]\n"
			 "[[tool.uv.index]]\nname = \"torch\"\nurl = \"https://t\"\nexplicit = true\n"
			 "[[tool.uv.index]]\nurl = \"http://plain\"\ndefault = true\n";
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "index = 3\n", "uv.toml:1: index must be an array" },
		{ "[[index]]\nname = \"x\"\n", "uv.toml:1: an index without a url" },
		{ "[[index]]\nurl = 1\n", "uv.toml:2: url must be a string" },
		{ "[[index]]\nurl = \"u\"\ndefault = \"yes\"\n", "uv.toml:3: default must be a boolean" },
		{ "extra-index-url = \"one\"\n", "uv.toml:1: extra-index-url must be an array" },
		{ "index = [1]\n", "uv.toml:1: an index entry must be a table" },
		{ "no-index = 1\n", "uv.toml:1: no-index must be a boolean" },
		{ "[[index]]\nurl = \"a\\u0000b\"\n", "uv.toml:1: a NUL character in an index" },
	};
	(void)state;

	th_limits_init(&lim);
	th_arena_init(&a, 0);
	memset(&st, 0, sizeof(st));
	assert_int_equal(th_pipconf_uv_file(&st, py, strlen(py), "p/pyproject.toml", "/proj", 1, &lim, &a, NULL), 0);
	assert_int_equal(st.n, 2);
	assert_string_equal(st.idx[0].name, "torch");
	assert_int_equal(st.idx[0].explicit_only, 1);
	assert_null(st.idx[1].name);
	assert_int_equal(st.idx[1].is_default, 1);
	assert_string_equal(st.index_url, "http://def");
	assert_int_equal(st.nextra, 1);
	assert_string_equal(st.extra[0].url, "/proj/rel/dir");
	/* A pyproject.toml without [tool.uv] says nothing. */
	memset(&st, 0, sizeof(st));
	assert_int_equal(th_pipconf_uv_file(&st, "[project]\n", 10, "pyproject.toml", "/", 1, &lim, &a, NULL), 0);
	assert_int_equal(st.n + st.nextra, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&st, 0, sizeof(st));
		assert_int_equal(
			th_pipconf_uv_file(&st, bad[i].text, strlen(bad[i].text), "uv.toml", "/", 0, &lim, &a, &err),
			TH_ERR_INVALID);
		assert_string_equal(err.msg, bad[i].msg);
	}
	th_arena_release(&a);
}

/* ---- discovery and merge ---- */

typedef struct tree {
	char root[512];
	th_pipconf_env env;
	char home[600], etc[600], proj[600];
} tree;

static void put(const tree *t, const char *rel, const char *text)
{
	char p[1024];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", t->root, rel);
	for (char *q = p + strlen(t->root) + 1; *q; q++) {
		if (*q == '/') {
			*q = '\0';
			mkdir(p, 0755);
			*q = '/';
		}
	}
	assert_non_null(f = fopen(p, "wb"));
	fputs(text, f);
	fclose(f);
}

static int tree_setup(void **state)
{
	tree *t = calloc(1, sizeof(*t));
	const char *tmp = getenv("TMPDIR");

	snprintf(t->root, sizeof(t->root), "%s/test_pipconf_XXXXXX", tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(t->root));
	snprintf(t->home, sizeof(t->home), "%s/home", t->root);
	snprintf(t->etc, sizeof(t->etc), "%s/etc", t->root);
	snprintf(t->proj, sizeof(t->proj), "%s/proj", t->root);
	mkdir(t->home, 0755);
	mkdir(t->etc, 0755);
	mkdir(t->proj, 0755);
	t->env.home = t->home;
	t->env.sysconfdir = t->etc;
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	free(*state);
	return 0;
}

/* The URLs of a result, joined by ' '. */
static const char *urls(const th_pipconf *pc, th_buf *b)
{
	th_buf_clear(b);
	for (size_t i = 0; i < pc->n; i++)
		th_buf_printf(b, NULL, "%s%s", i ? " " : "", pc->idx[i].url);
	return b->ptr ? b->ptr : "";
}

static void pip_discovery(void **state)
{
	tree *t = *state;
	th_pipconf pc;
	th_arena a;
	th_limits lim;
	th_buf b = TH_BUF_INIT;
	char cf[700];

	th_limits_init(&lim);
	th_arena_init(&a, 0);
	assert_int_equal(th_pipconf_load(&pc, &t->env, t->proj, &lim, &a, NULL), 0);
	assert_int_equal(pc.tool, TH_PIPCONF_NONE);
	assert_int_equal(pc.n, 0);

	put(t, "etc/xdg/pip/pip.conf", "[global]\nindex-url = http://xdg\nextra-index-url = http://sys-extra\n");
	put(t, "etc/pip.conf", "[global]\nindex-url = http://etc\n");
	assert_int_equal(th_pipconf_load(&pc, &t->env, t->proj, &lim, &a, NULL), 0);
	assert_int_equal(pc.tool, TH_PIPCONF_PIP);
	assert_string_equal(urls(&pc, &b), "http://etc http://sys-extra");
	assert_int_equal(pc.idx[0].is_default, 1);

	put(t, "home/.pip/pip.conf", "[global]\nindex-url = http://legacy\n");
	put(t, "home/.config/pip/pip.conf", "[install]\nextra-index-url = http://u1\n  http://u2 http://u1\n");
	assert_int_equal(th_pipconf_load(&pc, &t->env, t->proj, &lim, &a, NULL), 0);
	assert_string_equal(urls(&pc, &b), "http://legacy http://u1 http://u2");
	assert_non_null(strstr(pc.idx[1].origin, "home/.config/pip/pip.conf"));

	/* XDG_CONFIG_HOME moves the user file. */
	t->env.xdg_config_home = t->etc; /* has no pip/pip.conf */
	assert_int_equal(th_pipconf_load(&pc, &t->env, t->proj, &lim, &a, NULL), 0);
	assert_string_equal(urls(&pc, &b), "http://legacy http://sys-extra");
	t->env.xdg_config_home = NULL;

	/* PIP_CONFIG_FILE: read last; an existing one hides the user files. */
	put(t, "cf.conf", "[global]\nextra-index-url = http://cf\n");
	snprintf(cf, sizeof(cf), "%s/cf.conf", t->root);
	t->env.pip_config_file = cf;
	assert_int_equal(th_pipconf_load(&pc, &t->env, t->proj, &lim, &a, NULL), 0);
	assert_string_equal(urls(&pc, &b), "http://etc http://cf");
	t->env.pip_config_file = "/dev/null";
	assert_int_equal(th_pipconf_load(&pc, &t->env, t->proj, &lim, &a, NULL), 0);
	assert_int_equal(pc.tool, TH_PIPCONF_NONE);

	/* The environment overrides every file. */
	t->env.pip_config_file = NULL;
	t->env.pip_index_url = "http://env";
	t->env.pip_extra_index_url = " http://x1\thttp://x2 ";
	assert_int_equal(th_pipconf_load(&pc, &t->env, t->proj, &lim, &a, NULL), 0);
	assert_string_equal(urls(&pc, &b), "http://env http://x1 http://x2");
	assert_string_equal(pc.idx[2].origin, "PIP_EXTRA_INDEX_URL");
	t->env.pip_no_index = "True";
	assert_int_equal(th_pipconf_load(&pc, &t->env, t->proj, &lim, &a, NULL), 0);
	assert_int_equal(pc.no_index, 1);
	assert_int_equal(pc.n, 0);
	t->env.pip_no_index = "maybe";
	assert_int_equal(th_pipconf_load(&pc, &t->env, t->proj, &lim, &a, NULL), TH_ERR_INVALID);

	/* A malformed file is an error naming it. */
	t->env.pip_no_index = NULL;
	put(t, "home/.config/pip/pip.conf", "[global]\nindex-url = a\nindex-url = b\n");
	{
		th_error err = TH_ERROR_INIT;
		assert_int_equal(th_pipconf_load(&pc, &t->env, t->proj, &lim, &a, &err), TH_ERR_INVALID);
		assert_non_null(strstr(err.msg, "home/.config/pip/pip.conf:3: key 'index-url' given twice"));
	}
	th_buf_release(&b);
	th_arena_release(&a);
}

static void uv_discovery(void **state)
{
	tree *t = *state;
	th_pipconf pc;
	th_arena a;
	th_limits lim;
	th_buf b = TH_BUF_INIT;

	th_limits_init(&lim);
	th_arena_init(&a, 0);
	/* pip's settings exist too: uv's win as soon as they name an index. */
	put(t, "etc/pip.conf", "[global]\nindex-url = http://pip\n");
	put(t, "proj/pyproject.toml", "[[tool.uv.index]]\nname = \"pp\"\nurl = \"http://pyproject\"\n");
	assert_int_equal(th_pipconf_load(&pc, &t->env, t->proj, &lim, &a, NULL), 0);
	assert_int_equal(pc.tool, TH_PIPCONF_UV);
	assert_string_equal(urls(&pc, &b), "http://pyproject");
	assert_string_equal(pc.idx[0].name, "pp");

	/* uv.toml beats pyproject.toml in the project; the user's file comes
	 * after the project's; the default index goes last. */
	put(t, "proj/uv.toml", "index-url = \"http://proj-default\"\n[[index]]\nurl = \"http://proj\"\n");
	put(t, "home/.config/uv/uv.toml", "extra-index-url = [\"http://user-extra\"]\n"
					  "[[index]]\nname = \"u\"\nurl = \"http://user\"\n"
					  "[[index]]\nurl = \"http://user-default\"\ndefault = true\n");
	put(t, "etc/uv/uv.toml", "[[index]]\nurl = \"http://system\"\n");
	assert_int_equal(th_pipconf_load(&pc, &t->env, t->proj, &lim, &a, NULL), 0);
	assert_string_equal(urls(&pc, &b), "http://proj http://user http://system http://user-extra http://user-default");
	assert_int_equal(pc.idx[4].is_default, 1);

	/* The environment comes first; UV_DEFAULT_INDEX replaces the default. */
	t->env.uv_index = "first=http://first http://second";
	t->env.uv_extra_index_url = "http://env-extra http://user";
	t->env.uv_default_index = "http://env-default";
	assert_int_equal(th_pipconf_load(&pc, &t->env, t->proj, &lim, &a, NULL), 0);
	assert_string_equal(urls(&pc, &b), "http://first http://second http://env-extra http://user http://proj "
					   "http://system http://user-extra http://env-default");
	assert_string_equal(pc.idx[0].name, "first");
	assert_string_equal(pc.idx[0].origin, "UV_INDEX");

	/* XDG_CONFIG_DIRS replaces SYSCONFDIR/xdg; SYSCONFDIR/uv is the fallback. */
	t->env.uv_index = t->env.uv_extra_index_url = t->env.uv_default_index = NULL;
	put(t, "xdg1/uv/uv.toml", "[[index]]\nurl = \"http://xdg1\"\n");
	{
		char dirs[1300];
		snprintf(dirs, sizeof(dirs), "%s/none:%s/xdg1", t->root, t->root);
		t->env.xdg_config_dirs = dirs;
		assert_int_equal(th_pipconf_load(&pc, &t->env, t->proj, &lim, &a, NULL), 0);
		assert_string_equal(urls(&pc, &b), "http://proj http://user http://xdg1 http://user-extra http://user-default");
		t->env.xdg_config_dirs = NULL;
	}

	/* UV_CONFIG_FILE alone; UV_NO_CONFIG none at all (then pip's apply). */
	{
		char cf[700];
		snprintf(cf, sizeof(cf), "%s/etc/uv/uv.toml", t->root);
		t->env.uv_config_file = cf;
		assert_int_equal(th_pipconf_load(&pc, &t->env, t->proj, &lim, &a, NULL), 0);
		assert_string_equal(urls(&pc, &b), "http://system");
		t->env.uv_config_file = "/nonexistent/uv.toml";
		assert_int_equal(th_pipconf_load(&pc, &t->env, t->proj, &lim, &a, NULL), TH_ERR_IO);
		t->env.uv_config_file = NULL;
	}
	t->env.uv_no_config = "1";
	assert_int_equal(th_pipconf_load(&pc, &t->env, t->proj, &lim, &a, NULL), 0);
	assert_int_equal(pc.tool, TH_PIPCONF_PIP);
	assert_string_equal(urls(&pc, &b), "http://pip");
	t->env.uv_no_config = NULL;
	t->env.uv_no_index = "true";
	assert_int_equal(th_pipconf_load(&pc, &t->env, t->proj, &lim, &a, NULL), 0);
	assert_int_equal(pc.tool, TH_PIPCONF_UV);
	assert_int_equal(pc.no_index, 1);
	assert_int_equal(pc.n, 0);
	th_buf_release(&b);
	th_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ini_dialect),
		cmocka_unit_test(ini_errors),
		cmocka_unit_test(ini_hostile),
		cmocka_unit_test(pip_file),
		cmocka_unit_test(uv_file),
		cmocka_unit_test_setup_teardown(pip_discovery, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(uv_discovery, tree_setup, tree_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
