/* Unit tests of extractors/lockfile. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "core/buf.h"
#include "extractors/lockfile.h"

static int record(void *ud, const th_locked *l)
{
	return th_buf_printf(ud, NULL, "%s %s %u%s\n", l->name, l->version ? l->version : "-", l->line, l->dev ? " dev" : "");
}

static void reads_locks(void **state)
{
	const char *uv = "version = 1\n[[package]]\nname = \"a\"\nversion = \"1.0\"\n\n[[package]]\nname = \"b\"\n";
	const char *pylock = "lock-version = \"1.0\"\n[[packages]]\nname = \"c\"\nversion = \"2\"\n";
	const char *pip = "{\"default\": {\"d\": {\"version\": \"==3\"}}, \"develop\": {\"e\": {}}}";
	th_buf out = TH_BUF_INIT;
	th_limits lim;
	th_arena a;
	th_error err = TH_ERROR_INIT;

	th_limits_init(&lim);
	th_arena_init(&a, 1024);
	assert_true(th_lockfile_is("pylock.dev.toml"));
	assert_false(th_lockfile_is("pyproject.toml"));
	assert_int_equal(th_lockfile_read("uv.lock", uv, strlen(uv), "uv.lock", record, &out, &lim, &a, &err), 0);
	assert_int_equal(th_lockfile_read("pylock.toml", pylock, strlen(pylock), "p", record, &out, &lim, &a, &err), 0);
	assert_int_equal(th_lockfile_read("Pipfile.lock", pip, strlen(pip), "P", record, &out, &lim, &a, &err), 0);
	assert_string_equal(out.ptr, "a 1.0 2\nb - 6\nc 2 2\nd 3 0\ne - 0 dev\n");
	assert_int_equal(th_lockfile_read("uv.lock", "package = 1\n", 12, "uv.lock", record, &out, &lim, &a, &err),
			 TH_ERR_INVALID);
	assert_int_equal(th_lockfile_read("uv.lock", "[[package]]\nversion = \"1\"\n", 26, "uv.lock", record, &out, &lim,
					  &a, &err), TH_ERR_INVALID);
	th_arena_release(&a);
	th_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_locks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
