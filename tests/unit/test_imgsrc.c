/* Unit tests of extractors/imgsrc: which directories of an image are not
 * the application, a bad --path refused before anything is read, and the
 * pick th_imgsrc_prepare hands to a caller's scan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "extractors/imgsrc.h"

static bool skipped(const char *rel)
{
	return th_imgsrc_skipped_dir(rel, strlen(rel));
}

static void skipped_dirs(void **state)
{
	(void)state;
	assert_true(skipped("usr/lib/python3.12"));
	assert_true(skipped("usr/lib/python3.12/json"));
	assert_true(skipped("usr/lib/python3/dist-packages/foo"));
	assert_true(skipped("usr/local/lib64/python3.11"));
	assert_true(skipped("opt/venv/lib/python3.11/site-packages/x"));
	assert_true(skipped("app/__pycache__"));
	assert_true(skipped("app/.git/hooks"));
	assert_true(skipped("build"));          /* at the top of the root */
	assert_true(skipped("pkg.egg-info"));
	assert_false(skipped("app/build"));     /* deeper: an ordinary package */
	assert_false(skipped("app"));
	assert_false(skipped("app/python3"));   /* not under lib/ */
	assert_false(skipped("usr/lib/pythonic"));
	assert_false(skipped("srv/lib/tools"));
	assert_false(skipped(""));
}

static void bad_root(void **state)
{
	th_limits lim;
	th_imgsrc s;
	th_imgsrc_opts o = { "app", NULL, 0, NULL, &lim, NULL };
	th_error err = TH_ERROR_INIT;
	const char *bad[] = { "app", "/a/../b", "/a/..", "/./a", "" };

	(void)state;
	th_limits_init(&lim);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o.root = bad[i];
		th_error_clear(&err);
		assert_int_equal(th_imgsrc_read(&s, "/nonexistent", &o, &err), TH_ERR_USAGE);
		assert_non_null(strstr(err.msg, "is not an absolute path in the image"));
		th_imgsrc_release(&s);
	}
	/* a good root on a missing image: the image's error, naming it */
	o.root = "//app//";
	th_error_clear(&err);
	assert_int_equal(th_imgsrc_read(&s, "/nonexistent", &o, &err), TH_ERR_NOTFOUND);
	assert_string_equal(s.root, "/app");
	th_imgsrc_release(&s);
	th_imgsrc_release(NULL);
}

/* The pick handed to a caller's own scan of the image (scan repo's, whose
 * target is the image): not `only`, tagged by the root, wanting the sources
 * below it and nothing the facts' tree alone needs. */
static void prepared_pick(void **state)
{
	th_limits lim;
	th_imgsrc s;
	th_image_pick pk;
	th_imgsrc_opts o = { "//app//", NULL, 0, NULL, &lim, NULL };
	th_error err = TH_ERROR_INIT;
	static const char *const yes[] = { "app/main.py", "app/pkg/mod.pyi", "app/nb.ipynb", "app/requirements.txt",
					   "app/pyproject.toml" };
	static const char *const no[] = { "srv/tool.py", "app/lib/python3.12/os.py", "app/venv/lib/python3.12/site-packages/x.py",
					  "app/__pycache__/m.py", "app/lib.so", "etc/os-release", "app" };

	(void)state;
	th_limits_init(&lim);
	assert_int_equal(th_imgsrc_prepare(&s, &pk, &o, &err), 0);
	assert_false(pk.only);
	assert_string_equal(pk.cache_tag, "imgsrc1 /app");
	assert_non_null(pk.image);
	assert_non_null(pk.layer);
	assert_int_equal(pk.max_bytes, lim.image_src_bytes);
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(pk.want(pk.ud, yes[i], strlen(yes[i])));
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(pk.want(pk.ud, no[i], strlen(no[i])));
	th_imgsrc_finish(&s);
	assert_int_equal(s.nfiles, 0);
	th_imgsrc_release(&s);
	/* a bad root is refused before any scan */
	o.root = "app";
	assert_int_equal(th_imgsrc_prepare(&s, &pk, &o, &err), TH_ERR_USAGE);
	th_imgsrc_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(skipped_dirs),
		cmocka_unit_test(bad_root),
		cmocka_unit_test(prepared_pick),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
