/* Unit tests of core/tags: targets, platform lists, supported tags, ranking.
 * The expected lists were checked against packaging 23.0 (its own
 * _manylinux/_musllinux/mac_platforms logic for a pretend host, and the
 * oracle's tags op); tests/sh/tags_oracle.sh keeps checking the tag lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/tags.h"

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

static th_target target(const char *py, const char *plat)
{
	th_target t;
	th_error err = TH_ERROR_INIT;

	if (th_target_parse(&t, py, plat, &arena, &err))
		fail_msg("target %s %s: %s", py, plat, err.msg);
	return t;
}

static int index_of(const th_target *t, const char *plat)
{
	for (size_t i = 0; i < t->nplatforms; i++)
		if (!strcmp(t->platforms[i], plat))
			return (int)i;
	return -1;
}

static void manylinux_platform_lists(void **state)
{
	th_target t = target("3.11", "x86_64-manylinux_2_36");

	/* 2_36 .. 2_5 (32), three legacy aliases, linux_x86_64. */
	assert_int_equal(t.nplatforms, 36);
	assert_string_equal(t.platforms[0], "manylinux_2_36_x86_64");
	assert_int_equal(index_of(&t, "manylinux_2_17_x86_64"), 19);
	assert_int_equal(index_of(&t, "manylinux2014_x86_64"), 20);
	assert_int_equal(index_of(&t, "manylinux2010_x86_64"), index_of(&t, "manylinux_2_12_x86_64") + 1);
	assert_int_equal(index_of(&t, "manylinux1_x86_64"), 34);
	assert_string_equal(t.platforms[35], "linux_x86_64");
	assert_int_equal(index_of(&t, "manylinux_2_4_x86_64"), -1);
	assert_int_equal(index_of(&t, "musllinux_1_2_x86_64"), -1);
	assert_int_equal(t.os, TH_OS_MANYLINUX);
	assert_int_equal(t.libc_minor, 36);

	/* Outside x86, manylinux starts at glibc 2.17. */
	t = target("3.12", "aarch64-manylinux_2_17");
	assert_int_equal(t.nplatforms, 3);
	assert_string_equal(t.platforms[0], "manylinux_2_17_aarch64");
	assert_string_equal(t.platforms[1], "manylinux2014_aarch64");
	assert_string_equal(t.platforms[2], "linux_aarch64");
	t = target("3.12", "aarch64-manylinux2010");
	assert_int_equal(t.nplatforms, 1);
	assert_string_equal(t.platforms[0], "linux_aarch64");

	/* Legacy spellings and architecture aliases. */
	t = target("3.9", "amd64-manylinux2014");
	assert_int_equal(t.nplatforms, 13 + 3 + 1); /* 2_17..2_5, 3 aliases, linux */
	assert_string_equal(t.platforms[0], "manylinux_2_17_x86_64");
	t = target("3.9", "i386-manylinux1");
	assert_int_equal(t.nplatforms, 3);
	assert_string_equal(t.platforms[1], "manylinux1_i686");
	t = target("3.9", "armv7-manylinux_2_31");
	assert_string_equal(t.platforms[0], "manylinux_2_31_armv7l");
	assert_string_equal(t.platforms[t.nplatforms - 1], "linux_armv7l");
	t = target("3.9", "x86_64-unknown-linux-gnu");
	assert_string_equal(t.platforms[0], "manylinux_2_28_x86_64");
	t = target("3.9", "linux");
	assert_string_equal(t.platforms[0], "manylinux_2_28_x86_64");

	/* A future glibc 3: its minors, then 2.50 down (packaging's guess). */
	t = target("3.11", "x86_64-manylinux_3_1");
	assert_string_equal(t.platforms[0], "manylinux_3_1_x86_64");
	assert_string_equal(t.platforms[2], "manylinux_2_50_x86_64");
}

static void musllinux_and_plain_linux(void **state)
{
	th_target t = target("3.11", "x86_64-musllinux_1_2");

	assert_int_equal(t.nplatforms, 4);
	assert_string_equal(t.platforms[0], "musllinux_1_2_x86_64");
	assert_string_equal(t.platforms[2], "musllinux_1_0_x86_64");
	assert_string_equal(t.platforms[3], "linux_x86_64");
	t = target("3.11", "aarch64-unknown-linux-musl");
	assert_string_equal(t.platforms[0], "musllinux_1_2_aarch64");
	t = target("3.11", "x86_64-linux");
	assert_int_equal(t.nplatforms, 1);
	assert_string_equal(t.platforms[0], "linux_x86_64");
	t = target("3.11", "s390x-linux");
	assert_string_equal(t.platforms[0], "linux_s390x");
}

static void macos_and_windows(void **state)
{
	th_target t = target("3.12", "aarch64-apple-darwin");

	assert_int_equal(t.nplatforms, 17);
	assert_string_equal(t.platforms[0], "macosx_12_0_arm64");
	assert_string_equal(t.platforms[1], "macosx_12_0_universal2");
	assert_string_equal(t.platforms[4], "macosx_10_16_universal2");
	t = target("3.12", "x86_64-macosx_10_9");
	assert_string_equal(t.platforms[0], "macosx_10_9_x86_64");
	assert_string_equal(t.platforms[5], "macosx_10_9_universal");
	assert_string_equal(t.platforms[t.nplatforms - 1], "macosx_10_4_universal");
	t = target("3.12", "x86_64-pc-windows-msvc");
	assert_int_equal(t.nplatforms, 1);
	assert_string_equal(t.platforms[0], "win_amd64");
	t = target("3.12", "windows");
	assert_string_equal(t.platforms[0], "win_amd64");
	t = target("3.12", "i686-pc-windows-msvc");
	assert_string_equal(t.platforms[0], "win32");
}

static void bad_targets_are_errors(void **state)
{
	static const char *plats[] = { "", "x86_64", "sparc-linux", "x86_64-manylinux_2", "x86_64-manylinux_2_17x",
				       "x86_64-musllinux_2_1", "x86_64-manylinux_1_5", "x86_64-manylinux_2_1234",
				       "-linux", "x86_64-", "x86_64-windows", "s390x-apple-darwin",
				       "x86_64-manylinux_2_-1", "x86_64-macosx_10_17", "x86_64-linux ", "X86_64-linux" };
	static const char *pys[] = { "", "3", "3.", "3.x", "3.11.", "3.11.2.1", "10.1", "3.100", "1.0", " 3.11",
				     "3.1111" };
	th_target t;
	th_error err = TH_ERROR_INIT;

	for (size_t i = 0; i < sizeof(plats) / sizeof(plats[0]); i++) {
		assert_int_equal(th_target_parse(&t, "3.11", plats[i], &arena, &err), TH_ERR_INVALID);
		assert_non_null(strstr(err.msg, "python platform"));
	}
	for (size_t i = 0; i < sizeof(pys) / sizeof(pys[0]); i++) {
		assert_int_equal(th_target_parse(&t, pys[i], "x86_64-linux", &arena, &err), TH_ERR_INVALID);
		assert_non_null(strstr(err.msg, "python version"));
	}
	assert_int_equal(th_target_parse(&t, NULL, "x86_64-linux", &arena, NULL), TH_ERR_INVALID);
	assert_int_equal(th_target_parse(&t, "3.11", NULL, &arena, NULL), TH_ERR_INVALID);
	/* A huge hostile string is refused without reading past its end. */
	char big[5000];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(th_target_parse(&t, "3.11", big, &arena, &err), TH_ERR_INVALID);
	assert_int_equal(th_target_parse(&t, big, "x86_64-linux", &arena, &err), TH_ERR_INVALID);
	assert_true(strlen(err.msg) < 200);
	/* Patch versions are accepted and ignored. */
	assert_int_equal(th_target_parse(&t, "3.11.7", "x86_64-linux", &arena, &err), 0);
	assert_string_equal(t.interpreter, "cp311");
}

static const char *tag_str(const th_tag *t)
{
	static char s[200];
	snprintf(s, sizeof(s), "%s-%s-%s", t->interpreter, t->abi, t->platform);
	return s;
}

static void supported_order_matches_packaging(void **state)
{
	th_target t = target("3.11", "x86_64-linux");
	th_tag *tags;
	size_t n;
	static const char *expect[] = {
		"cp311-cp311-linux_x86_64", "cp311-abi3-linux_x86_64", "cp311-none-linux_x86_64",
		"cp310-abi3-linux_x86_64",  "cp39-abi3-linux_x86_64",  "cp38-abi3-linux_x86_64",
		"cp37-abi3-linux_x86_64",   "cp36-abi3-linux_x86_64",  "cp35-abi3-linux_x86_64",
		"cp34-abi3-linux_x86_64",   "cp33-abi3-linux_x86_64",  "cp32-abi3-linux_x86_64",
		"py311-none-linux_x86_64",  "py3-none-linux_x86_64",   "py310-none-linux_x86_64",
		"py39-none-linux_x86_64",   "py38-none-linux_x86_64",  "py37-none-linux_x86_64",
		"py36-none-linux_x86_64",   "py35-none-linux_x86_64",  "py34-none-linux_x86_64",
		"py33-none-linux_x86_64",   "py32-none-linux_x86_64",  "py31-none-linux_x86_64",
		"py30-none-linux_x86_64",   "cp311-none-any",          "py311-none-any",
		"py3-none-any",             "py310-none-any",          "py39-none-any",
		"py38-none-any",            "py37-none-any",           "py36-none-any",
		"py35-none-any",            "py34-none-any",           "py33-none-any",
		"py32-none-any",            "py31-none-any",           "py30-none-any",
	};

	assert_int_equal(th_tags_supported(&tags, &n, &t, &arena, NULL), 0);
	assert_int_equal(n, sizeof(expect) / sizeof(expect[0]));
	for (size_t i = 0; i < n; i++)
		assert_string_equal(tag_str(&tags[i]), expect[i]);

	/* Old ABIs: pymalloc "m" before 3.8; no abi3 for Python 2. */
	t = target("3.7", "x86_64-linux");
	assert_int_equal(th_tags_supported(&tags, &n, &t, &arena, NULL), 0);
	assert_string_equal(tag_str(&tags[0]), "cp37-cp37m-linux_x86_64");
	t = target("2.7", "x86_64-linux");
	assert_int_equal(th_tags_supported(&tags, &n, &t, &arena, NULL), 0);
	assert_string_equal(tag_str(&tags[0]), "cp27-cp27mu-linux_x86_64");
	assert_string_equal(tag_str(&tags[1]), "cp27-none-linux_x86_64");
	assert_int_equal(n, 2 + 9 + 1 + 9);

	/* A big target: every platform under every interpreter/ABI pair. */
	t = target("3.14", "x86_64-manylinux_2_39");
	assert_int_equal(th_tags_supported(&tags, &n, &t, &arena, NULL), 0);
	assert_int_equal(n, t.nplatforms * (3 + 12 + 16) + 1 + 16);
	assert_string_equal(tag_str(&tags[0]), "cp314-cp314-manylinux_2_39_x86_64");
	assert_string_equal(tag_str(&tags[n - 1]), "py30-none-any");
}

static void explicit_platform_list(void **state)
{
	const char *plats[] = { "Manylinux_2_17_X86_64", "any" };
	th_target t;
	th_tag *tags;
	size_t n;
	th_error err = TH_ERROR_INIT;

	assert_int_equal(th_target_init_platforms(&t, "3.12", plats, 2, &arena, &err), 0);
	assert_int_equal(t.os, TH_OS_CUSTOM);
	assert_string_equal(t.platforms[0], "manylinux_2_17_x86_64");
	assert_int_equal(th_tags_supported(&tags, &n, &t, &arena, &err), 0);
	assert_string_equal(tag_str(&tags[1]), "cp312-cp312-any");
	/* No platforms: only the "any" tags remain. */
	assert_int_equal(th_target_init_platforms(&t, "3.12", NULL, 0, &arena, &err), 0);
	assert_int_equal(th_tags_supported(&tags, &n, &t, &arena, &err), 0);
	assert_int_equal(n, 1 + 14);
	assert_string_equal(tag_str(&tags[0]), "cp312-none-any");
	assert_int_equal(th_target_init_platforms(&t, "3.x", plats, 2, &arena, &err), TH_ERR_INVALID);
	const char *holes[] = { "linux_x86_64", NULL };
	assert_int_equal(th_target_init_platforms(&t, "3.12", holes, 2, &arena, &err), TH_ERR_INVALID);
	assert_int_equal(th_target_init_platforms(&t, "3.12", plats, 5000, &arena, &err), TH_ERR_LIMIT);
}

static int rank_of(const th_tagset *s, const char *i, const char *a, const char *p)
{
	th_tag t = { i, a, p };
	return th_tags_rank(s, &t, 1);
}

static void rank_answers_does_it_install(void **state)
{
	th_target t = target("3.11", "x86_64-manylinux_2_36");
	th_tag *tags;
	size_t n;
	th_tagset *set;
	th_buf b = TH_BUF_INIT;

	assert_int_equal(th_tags_supported(&tags, &n, &t, &arena, NULL), 0);
	assert_int_equal(th_tagset_build(&set, tags, n, &arena, NULL), 0);
	/* Every supported tag ranks at its own index. */
	for (size_t i = 0; i < n; i++)
		assert_int_equal(th_tagset_find(set, tags[i].interpreter, tags[i].abi, tags[i].platform), (int)i);
	assert_int_equal(rank_of(set, "cp311", "cp311", "manylinux_2_36_x86_64"), 0);
	assert_int_equal(rank_of(set, "cp311", "cp311", "manylinux2014_x86_64"), 20);
	assert_int_equal(rank_of(set, "py3", "none", "any"), (int)n - 12);
	assert_int_equal(rank_of(set, "cp38", "abi3", "manylinux_2_17_x86_64"), 36 * 3 + 36 * 2 + 19);
	/* Wheel tags are compared case-insensitively, as packaging lower-cases them. */
	assert_int_equal(rank_of(set, "CP311", "Cp311", "ManyLinux_2_36_X86_64"), 0);
	/* Not installable: newer Python, other libc, newer glibc, other arch, other OS. */
	assert_int_equal(rank_of(set, "cp312", "cp312", "manylinux_2_17_x86_64"), -1);
	assert_int_equal(rank_of(set, "cp311", "cp311", "musllinux_1_1_x86_64"), -1);
	assert_int_equal(rank_of(set, "cp311", "cp311", "manylinux_2_37_x86_64"), -1);
	assert_int_equal(rank_of(set, "cp311", "cp311", "manylinux_2_17_aarch64"), -1);
	assert_int_equal(rank_of(set, "cp311", "cp311", "win_amd64"), -1);
	assert_int_equal(rank_of(set, "cp311", "cp311", ""), -1);
	assert_int_equal(rank_of(set, "", "", ""), -1);
	/* A compressed tag set ranks by its best member. */
	th_tag wheel[] = { { "py2", "none", "any" }, { "cp311", "abi3", "manylinux_2_17_x86_64" },
			   { "cp311", "cp311", "win32" } };
	assert_int_equal(th_tags_rank(set, wheel, 3), 36 + 19);
	assert_int_equal(th_tags_rank(set, wheel, 0), -1);
	assert_int_equal(th_tag_format(&tags[0], &b, NULL), 0);
	assert_string_equal(b.ptr, "cp311-cp311-manylinux_2_36_x86_64");
	th_buf_release(&b);

	/* Duplicates in a list keep the first (best) index. */
	th_tag dup[] = { { "a", "b", "c" }, { "x", "y", "z" }, { "A", "B", "C" } };
	assert_int_equal(th_tagset_build(&set, dup, 3, &arena, NULL), 0);
	assert_int_equal(rank_of(set, "a", "b", "c"), 0);
	assert_int_equal(rank_of(set, "x", "y", "z"), 1);
	assert_int_equal(th_tagset_build(&set, dup, 0, &arena, NULL), 0);
	assert_int_equal(rank_of(set, "a", "b", "c"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(manylinux_platform_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(musllinux_and_plain_linux, setup, teardown),
		cmocka_unit_test_setup_teardown(macos_and_windows, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_targets_are_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(supported_order_matches_packaging, setup, teardown),
		cmocka_unit_test_setup_teardown(explicit_platform_list, setup, teardown),
		cmocka_unit_test_setup_teardown(rank_answers_does_it_install, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
