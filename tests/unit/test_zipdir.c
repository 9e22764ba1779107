/* Unit tests of extractors/zipdir: a wheel's top_level.txt and RECORD from
 * its zip directory, and what a hostile archive gets (an error, never a
 * crash). Archives are written here byte by byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "core/buf.h"
#include "extractors/zipdir.h"

typedef struct zent {
	const char *name;
	const char *data;
	int deflate;
} zent;

static void put16(th_buf *b, uint32_t v)
{
	char c[2] = { (char)(v & 0xff), (char)(v >> 8 & 0xff) };
	assert_int_equal(th_buf_put(b, c, 2, NULL), 0);
}

static void put32(th_buf *b, uint32_t v)
{
	put16(b, v & 0xffff);
	put16(b, v >> 16);
}

/* A zip of the entries, with a comment; *cd_at is where the directory starts. */
static void mkzip(th_buf *b, const zent *e, size_t n, const char *comment, size_t *cd_at)
{
	uint32_t offs[16], csz[16], crcs[16];
	unsigned char packed[16][4096];
	th_buf_clear(b);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(e[i].data);
		const unsigned char *d = (const unsigned char *)e[i].data;
		crcs[i] = (uint32_t)crc32(0, d, (uInt)len);
		if (e[i].deflate) {
			z_stream z;
			memset(&z, 0, sizeof(z));
			assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
			z.next_in = (Bytef *)(uintptr_t)d;
			z.avail_in = (uInt)len;
			z.next_out = packed[i];
			z.avail_out = sizeof(packed[i]);
			assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
			csz[i] = (uint32_t)z.total_out;
			deflateEnd(&z);
		} else {
			memcpy(packed[i], d, len);
			csz[i] = (uint32_t)len;
		}
		offs[i] = (uint32_t)b->len;
		put32(b, 0x04034b50);
		put16(b, 20), put16(b, 0), put16(b, e[i].deflate ? 8 : 0), put16(b, 0), put16(b, 0);
		put32(b, crcs[i]), put32(b, csz[i]), put32(b, (uint32_t)len);
		put16(b, (uint32_t)strlen(e[i].name)), put16(b, 0);
		th_buf_puts(b, e[i].name, NULL);
		th_buf_put(b, packed[i], csz[i], NULL);
	}
	*cd_at = b->len;
	for (size_t i = 0; i < n; i++) {
		put32(b, 0x02014b50);
		put16(b, 20), put16(b, 20), put16(b, 0), put16(b, e[i].deflate ? 8 : 0), put16(b, 0), put16(b, 0);
		put32(b, crcs[i]), put32(b, csz[i]), put32(b, (uint32_t)strlen(e[i].data));
		put16(b, (uint32_t)strlen(e[i].name)), put16(b, 0), put16(b, 0), put16(b, 0), put16(b, 0);
		put32(b, 0), put32(b, offs[i]);
		th_buf_puts(b, e[i].name, NULL);
	}
	{
		size_t cd_size = b->len - *cd_at;
		put32(b, 0x06054b50);
		put16(b, 0), put16(b, 0), put16(b, (uint32_t)n), put16(b, (uint32_t)n);
		put32(b, (uint32_t)cd_size), put32(b, (uint32_t)*cd_at);
		put16(b, (uint32_t)strlen(comment));
		th_buf_puts(b, comment, NULL);
	}
}

static void set32(th_buf *b, size_t at, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		((unsigned char *)b->ptr)[at + (size_t)i] = (unsigned char)(v >> (8 * i));
}

static int run(const th_buf *b, th_zipdir_texts *t, th_arena *a, th_limits *lim, th_error *err)
{
	th_limits dflt;
	if (!lim) {
		th_limits_init(&dflt);
		lim = &dflt;
	}
	th_error_clear(err);
	return th_zipdir_wheel_mem(t, b->ptr, b->len, lim, a, "w.whl", err);
}

static const zent wheel[] = {
	{ "yaml/__init__.py", "# yaml\n", 1 },
	{ "PyYAML-6.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: PyYAML\n", 1 },
	{ "PyYAML-6.0.dist-info/top_level.txt", "_yaml\nyaml\n", 0 },
	{ "PyYAML-6.0.dist-info/RECORD", "yaml/__init__.py,sha256=x,7\nPyYAML-6.0.dist-info/RECORD,,\n", 1 },
};

static void reads_members(void **state)
{
	th_buf b = TH_BUF_INIT;
	th_zipdir_texts t;
	th_error err = TH_ERROR_INIT;
	th_arena a;
	size_t cd;
	(void)state;
	th_arena_init(&a, 0);
	mkzip(&b, wheel, 4, "a comment \x50\x4b\x05\x06 with a false signature", &cd);
	assert_int_equal(run(&b, &t, &a, NULL, &err), 0);
	assert_string_equal(t.top_level, "_yaml\nyaml\n");
	assert_int_equal(t.top_level_len, 11);
	assert_string_equal(t.record, "yaml/__init__.py,sha256=x,7\nPyYAML-6.0.dist-info/RECORD,,\n");
	/* No member of interest: no texts, no error. */
	mkzip(&b, wheel, 2, "", &cd);
	assert_int_equal(run(&b, &t, &a, NULL, &err), 0);
	assert_null(t.top_level);
	assert_null(t.record);
	/* A nested or second .dist-info is not the wheel's. */
	{
		const zent z[] = { { "x/y.dist-info/RECORD", "a.py,,\n", 0 },
				   { "a-1.dist-info/RECORD", "b.py,,\n", 0 },
				   { "c-1.dist-info/top_level.txt", "c\n", 0 } };
		mkzip(&b, z, 3, "", &cd);
		assert_int_equal(run(&b, &t, &a, NULL, &err), 0);
		assert_string_equal(t.record, "b.py,,\n");
		assert_null(t.top_level);
	}
	th_buf_release(&b);
	th_arena_release(&a);
}

static void hostile(void **state)
{
	th_buf b = TH_BUF_INIT;
	th_zipdir_texts t;
	th_error err = TH_ERROR_INIT;
	th_limits lim;
	th_arena a;
	size_t cd, eocd;
	(void)state;
	th_arena_init(&a, 0);

	/* Not a zip; empty; cut short. */
	th_buf_puts(&b, "not a zip at all", NULL);
	assert_int_equal(run(&b, &t, &a, NULL, &err), TH_ERR_INVALID);
	assert_non_null(strstr(err.msg, "w.whl: "));
	th_buf_clear(&b);
	assert_int_equal(run(&b, &t, &a, NULL, &err), TH_ERR_INVALID);
	mkzip(&b, wheel, 4, "", &cd);
	b.len -= 5;
	assert_int_equal(run(&b, &t, &a, NULL, &err), TH_ERR_INVALID);

	/* The directory lies about its size, its offset, an entry's offset. */
	mkzip(&b, wheel, 4, "", &cd);
	eocd = b.len - 22;
	set32(&b, eocd + 12, 0x7fffffff);
	assert_int_equal(run(&b, &t, &a, NULL, &err), TH_ERR_INVALID);
	mkzip(&b, wheel, 4, "", &cd);
	set32(&b, eocd + 16, (uint32_t)cd + 7);
	assert_int_equal(run(&b, &t, &a, NULL, &err), TH_ERR_INVALID);
	mkzip(&b, wheel, 4, "", &cd);
	set32(&b, eocd + 16, (uint32_t)cd - 3);
	assert_int_equal(run(&b, &t, &a, NULL, &err), TH_ERR_INVALID);
	mkzip(&b, wheel, 4, "", &cd);
	{
		/* The third entry (top_level.txt) pointing into the second one's data. */
		size_t e = cd;
		for (int i = 0; i < 2; i++)
			e += 46 + strlen(wheel[i].name);
		set32(&b, e + 42, 40);
	}
	assert_int_equal(run(&b, &t, &a, NULL, &err), TH_ERR_INVALID);

	/* zip64 markers. */
	mkzip(&b, wheel, 4, "", &cd);
	set32(&b, eocd + 16, 0xffffffff);
	assert_int_equal(run(&b, &t, &a, NULL, &err), TH_ERR_UNSUPPORTED);

	/* A member over the limit; the directory over its limit. */
	th_limits_init(&lim);
	lim.metadata_bytes = 8;
	mkzip(&b, wheel, 4, "", &cd);
	assert_int_equal(run(&b, &t, &a, &lim, &err), TH_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "metadata_bytes"));
	th_limits_init(&lim);
	lim.zip_dir_bytes = 64;
	assert_int_equal(run(&b, &t, &a, &lim, &err), TH_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "zip_dir_bytes"));

	/* A deflated RECORD declaring fewer bytes than it inflates to; a wrong CRC. */
	{
		size_t e = cd;
		for (int i = 0; i < 3; i++)
			e += 46 + strlen(wheel[i].name);
		set32(&b, e + 24, 10);
		assert_int_equal(run(&b, &t, &a, NULL, &err), TH_ERR_INVALID);
		mkzip(&b, wheel, 4, "", &cd);
		set32(&b, e + 16, 12345);
		assert_int_equal(run(&b, &t, &a, NULL, &err), TH_ERR_INVALID);
		assert_non_null(strstr(err.msg, "CRC"));
	}
	th_buf_release(&b);
	th_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_members),
		cmocka_unit_test(hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
