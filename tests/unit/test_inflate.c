/* Unit tests of extractors/inflate: raw data to an exact size, gzip members
 * piece by piece, corrupt data, CRC-32. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "extractors/inflate.h"

/* "hello hello hello hello thoth\n", raw DEFLATE (level 9) */
static const unsigned char raw[] = { 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x57, 0xc8, 0xc0,
				     0x20, 0x4b, 0x32, 0xf2, 0x4b, 0x32, 0xb8, 0x00 };
static const char plain[] = "hello hello hello hello thoth\n";

/* two gzip members: "first member\n" then "second\n" */
static const unsigned char gz[] = {
	0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x4b, 0xcb, 0x2c, 0x2a, 0x2e,
	0x51, 0xc8, 0x4d, 0xcd, 0x4d, 0x4a, 0x2d, 0xe2, 0x02, 0x00, 0xa7, 0xf4, 0x85, 0x0a, 0x0d,
	0x00, 0x00, 0x00, 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x2b, 0x4e,
	0x4d, 0xce, 0xcf, 0x4b, 0xe1, 0x02, 0x00, 0x7e, 0xc0, 0x0f, 0x06, 0x07, 0x00, 0x00, 0x00,
};

static void whole_raw_to_its_exact_size(void **state)
{
	char out[64];
	th_error err = TH_ERROR_INIT;

	(void)state;
	assert_int_equal(th_inflate_whole(raw, sizeof(raw), out, strlen(plain), &err), 0);
	assert_memory_equal(out, plain, strlen(plain));
	/* declared shorter: the data goes on */
	assert_int_equal(th_inflate_whole(raw, sizeof(raw), out, 10, &err), TH_ERR_INVALID);
	assert_non_null(strstr(err.msg, "past its declared 10 bytes"));
	/* declared longer: the data ends early */
	assert_int_equal(th_inflate_whole(raw, sizeof(raw), out, 40, &err), TH_ERR_INVALID);
	assert_non_null(strstr(err.msg, "ends after 30 of its declared 40 bytes"));
	/* cut short */
	assert_int_equal(th_inflate_whole(raw, 8, out, strlen(plain), &err), TH_ERR_INVALID);
	assert_non_null(strstr(err.msg, "ends after"));
}

static void corrupt_data_is_an_error(void **state)
{
	unsigned char bad[sizeof(raw)];
	char out[64];
	th_error err = TH_ERROR_INIT;

	(void)state;
	memcpy(bad, raw, sizeof(raw));
	bad[0] = 0xff; /* block type 3 does not exist */
	assert_int_equal(th_inflate_whole(bad, sizeof(bad), out, strlen(plain), &err), TH_ERR_INVALID);
	assert_non_null(strstr(err.msg, "corrupt deflate data: invalid block type"));
}

/* Members one after the other, with output room of one byte at a time and
 * input fed in pieces of three bytes. */
static void gzip_members_piece_by_piece(void **state)
{
	th_inflate *z;
	char out[64];
	size_t in = 0, have = 0, used, got;
	int members = 0;
	bool end;

	(void)state;
	assert_int_equal(th_inflate_new(&z, TH_INFLATE_GZIP, NULL), 0);
	while (in < sizeof(gz)) {
		size_t piece = sizeof(gz) - in < 3 ? sizeof(gz) - in : 3;
		assert_int_equal(th_inflate_step(z, gz + in, piece, &used, out + have, 1, &got, &end, NULL), 0);
		in += used;
		have += got;
		if (end) {
			members++;
			th_inflate_reset(z);
		}
		assert_true(have < sizeof(out));
	}
	assert_int_equal(members, 2);
	assert_int_equal(have, strlen("first member\nsecond\n"));
	assert_memory_equal(out, "first member\nsecond\n", have);
	th_inflate_free(z);
	th_inflate_free(NULL);
}

static void gzip_checksum_is_checked(void **state)
{
	unsigned char bad[sizeof(gz)];
	char out[64];
	size_t used, got;
	bool end = false;
	th_inflate *z;
	th_error err = TH_ERROR_INIT;

	(void)state;
	memcpy(bad, gz, sizeof(gz));
	bad[25] ^= 0x01; /* the first member's CRC-32 */
	assert_int_equal(th_inflate_new(&z, TH_INFLATE_GZIP, NULL), 0);
	assert_int_equal(th_inflate_step(z, bad, sizeof(bad), &used, out, sizeof(out), &got, &end, &err), TH_ERR_INVALID);
	assert_non_null(strstr(err.msg, "incorrect data check"));
	th_inflate_free(z);
}

static void crc32_of_the_check_string(void **state)
{
	(void)state;
	assert_int_equal(th_inflate_crc32("123456789", 9), 0xCBF43926u);
	assert_int_equal(th_inflate_crc32("", 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(whole_raw_to_its_exact_size),
		cmocka_unit_test(corrupt_data_is_an_error),
		cmocka_unit_test(gzip_members_piece_by_piece),
		cmocka_unit_test(gzip_checksum_is_checked),
		cmocka_unit_test(crc32_of_the_check_string),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
