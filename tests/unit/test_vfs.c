/* Unit tests of extractors/vfs (squashing rules, symlink confinement) and
 * extractors/layer (compression, digests, limits, corrupt streams), with
 * osv-scalibr's hostile layer when ../shared is present. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "core/hash.h"
#include "extractors/layer.h"
#include "extractors/vfs.h"

static th_limits lim;

static void put(th_vfs *v, unsigned layer, const char *path, th_entry_type t, const char *link, const char *data)
{
	th_layer_entry e = { path, strlen(path), link, link ? strlen(link) : 0, t, data ? strlen(data) : 0, 0644 };
	th_error err = TH_ERROR_INIT;
	int rc = th_vfs_apply(v, layer, &e, data, data ? strlen(data) : 0, &err);
	assert_true(rc >= 0);
}

static const char *content(th_vfs *v, const char *path)
{
	const th_vfs_node *n;
	size_t len;
	if (th_vfs_lookup(v, path, true, &n, NULL))
		return NULL;
	return th_vfs_node_data(n, &len);
}

static void whiteouts_and_replacement(void **state)
{
	th_vfs *v;
	assert_int_equal(th_vfs_new(&v, &lim, NULL), 0);
	put(v, 0, "a/x", TH_ENTRY_FILE, NULL, "x0");
	put(v, 0, "a/y", TH_ENTRY_FILE, NULL, "y0");
	put(v, 0, "b/z", TH_ENTRY_FILE, NULL, "z0");
	put(v, 0, "./c", TH_ENTRY_FILE, NULL, "c0");
	put(v, 0, "/d/e", TH_ENTRY_FILE, NULL, "e0");
	put(v, 1, "a/.wh.x", TH_ENTRY_FILE, NULL, NULL);         /* whiteout */
	put(v, 1, "b/.wh..wh..opq", TH_ENTRY_FILE, NULL, NULL);  /* opaque */
	put(v, 1, "b/new", TH_ENTRY_FILE, NULL, "n1");
	put(v, 1, "c/inside", TH_ENTRY_FILE, NULL, "i1");        /* a directory replaces a file */
	put(v, 1, "d", TH_ENTRY_FILE, NULL, "d1");               /* a file replaces a directory */
	put(v, 1, "a/h", TH_ENTRY_HARDLINK, "a/y", NULL);
	assert_null(content(v, "/a/x"));
	assert_string_equal(content(v, "/a/y"), "y0");
	assert_string_equal(content(v, "/a/h"), "y0");
	assert_null(content(v, "/b/z"));
	assert_string_equal(content(v, "/b/new"), "n1");
	assert_string_equal(content(v, "/c/inside"), "i1");
	assert_string_equal(content(v, "/d"), "d1");
	assert_null(content(v, "/d/e"));
	th_vfs_free(v);
}

static void symlinks_stay_inside(void **state)
{
	th_vfs *v;
	const th_vfs_node *n;
	th_error err = TH_ERROR_INIT;
	th_vfs_stats st;

	assert_int_equal(th_vfs_new(&v, &lim, NULL), 0);
	put(v, 0, "etc/passwd", TH_ENTRY_FILE, NULL, "image");
	put(v, 0, "usr/lib/os-release", TH_ENTRY_FILE, NULL, "ID=x");
	put(v, 0, "etc/os-release", TH_ENTRY_SYMLINK, "../usr/lib/os-release", NULL);
	put(v, 0, "up", TH_ENTRY_SYMLINK, "../../../../etc/passwd", NULL);   /* ".." stops at the root */
	put(v, 0, "abs", TH_ENTRY_SYMLINK, "/etc/passwd", NULL);             /* absolute is image-rooted */
	put(v, 0, "loop1", TH_ENTRY_SYMLINK, "loop2", NULL);
	put(v, 0, "loop2", TH_ENTRY_SYMLINK, "loop1", NULL);
	put(v, 0, "../escape", TH_ENTRY_FILE, NULL, "no");                    /* skipped */
	put(v, 0, "lib", TH_ENTRY_SYMLINK, "usr/lib", NULL);
	put(v, 0, "lib/via-link", TH_ENTRY_FILE, NULL, "v");                 /* parent symlink followed inside */
	assert_string_equal(content(v, "/etc/os-release"), "ID=x");
	assert_string_equal(content(v, "/up"), "image");
	assert_string_equal(content(v, "/abs"), "image");
	assert_string_equal(content(v, "/usr/lib/via-link"), "v");
	assert_int_equal(th_vfs_lookup(v, "/loop1", true, &n, &err), TH_ERR_LIMIT);
	assert_int_equal(th_vfs_lookup(v, "/loop1", false, &n, &err), 0);
	assert_int_equal(th_vfs_node_type(n), TH_VFS_SYMLINK);
	assert_int_equal(th_vfs_lookup(v, "/escape", true, &n, &err), TH_ERR_NOTFOUND);
	th_vfs_stats_get(v, &st);
	assert_int_equal(st.skipped, 1);
	th_vfs_free(v);
}

static void deep_chain_is_a_limit(void **state)
{
	th_vfs *v;
	const th_vfs_node *n;
	char name[32], target[32];

	assert_int_equal(th_vfs_new(&v, &lim, NULL), 0);
	for (int i = 0; i < 60; i++) {
		snprintf(name, sizeof(name), "l%d", i);
		snprintf(target, sizeof(target), "l%d", i + 1);
		put(v, 0, name, TH_ENTRY_SYMLINK, target, NULL);
	}
	put(v, 0, "l60", TH_ENTRY_FILE, NULL, "end");
	assert_int_equal(th_vfs_lookup(v, "/l0", true, &n, NULL), TH_ERR_LIMIT);
	assert_string_equal(content(v, "/l30"), "end");
	th_vfs_free(v);
}

/* A one-file ustar archive, written by hand. */
static size_t make_tar(unsigned char *out, const char *name, const char *data)
{
	size_t dl = strlen(data);
	unsigned sum = 0;

	memset(out, 0, 512 * 4);
	strcpy((char *)out, name);
	strcpy((char *)out + 100, "0000644");
	snprintf((char *)out + 124, 12, "%011o", (unsigned)dl);
	strcpy((char *)out + 136, "00000000000");
	out[156] = '0';
	memcpy(out + 257, "ustar\0" "00", 8);
	memset(out + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += out[i];
	snprintf((char *)out + 148, 8, "%06o", sum);
	memcpy(out + 512, data, dl);
	return 512 * 4;
}

static int memfd_of(const void *data, size_t len)
{
	int fd = memfd_create("layer", 0);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	return fd;
}

static size_t gzip_of(unsigned char *out, size_t cap, const void *in, size_t len)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	size_t n = cap - z.avail_out;
	deflateEnd(&z);
	return n;
}

static int count_entry(void *ud, const th_layer_entry *e, th_layer_stream *ls, th_error *err)
{
	char buf[64];
	size_t got;
	(*(int *)ud)++;
	assert_int_equal(th_layer_data(ls, buf, sizeof(buf), &got, err), 0);
	return 0;
}

static int scan_fd(int fd, size_t len, const char *digest, const char *diff_id, uint64_t max, th_layer_result *res,
		   th_error *err)
{
	th_layer_src src = { fd, 0, len, UINT64_MAX, digest, diff_id, "test layer", max, 1000 };
	int n = 0;
	return th_layer_scan(res, &src, &lim, count_entry, &n, err);
}

static void layer_gzip_digests_and_errors(void **state)
{
	static unsigned char tar[2048], gz[4096], big[1 << 20];
	th_layer_result res;
	th_error err = TH_ERROR_INIT;
	char hex[TH_SHA256_HEX], diff[80], dig[80];
	size_t tl = make_tar(tar, "etc/os-release", "ID=test\n");
	size_t gl = gzip_of(gz, sizeof(gz), tar, tl);
	int fd;

	th_sha256_hex(hex, tar, tl, NULL);
	snprintf(diff, sizeof(diff), "sha256:%s", hex);
	th_sha256_hex(hex, gz, gl, NULL);
	snprintf(dig, sizeof(dig), "sha256:%s", hex);

	fd = memfd_of(gz, gl);
	assert_int_equal(scan_fd(fd, gl, dig, diff, 1 << 20, &res, &err), 0);
	assert_int_equal(res.compression, TH_LAYER_GZIP);
	assert_string_equal(res.diff_id, diff);
	assert_int_equal(res.entries, 1);
	/* digest mismatch names the blob */
	assert_int_equal(scan_fd(fd, gl, diff, NULL, 1 << 20, &res, &err), TH_ERR_INVALID);
	assert_non_null(strstr(err.msg, "test layer"));
	/* diff_id mismatch */
	assert_int_equal(scan_fd(fd, gl, NULL, dig, 1 << 20, &res, &err), TH_ERR_INVALID);
	/* truncated */
	assert_int_equal(scan_fd(fd, gl / 2, NULL, NULL, 1 << 20, &res, &err), TH_ERR_INVALID);
	close(fd);
	/* corrupt gzip body */
	gz[gl / 2] ^= 0xff;
	gz[gl / 2 + 1] ^= 0xff;
	fd = memfd_of(gz, gl);
	assert_true(scan_fd(fd, gl, NULL, NULL, 1 << 20, &res, &err) < 0);
	close(fd);
	/* a bomb: 1 MiB of zeros compresses to ~1 KiB; the budget is 64 KiB */
	memset(big, 0, sizeof(big));
	static unsigned char bomb[1 << 16];
	size_t bl = gzip_of(bomb, sizeof(bomb), big, sizeof(big));
	fd = memfd_of(bomb, bl);
	assert_int_equal(scan_fd(fd, bl, NULL, NULL, 65536, &res, &err), TH_ERR_LIMIT);
	close(fd);
	/* a zstd bomb, and a corrupt zstd frame */
	static unsigned char zb[1 << 16];
	size_t zl = ZSTD_compress(zb, sizeof(zb), big, sizeof(big), 19);
	assert_false(ZSTD_isError(zl));
	fd = memfd_of(zb, zl);
	assert_int_equal(scan_fd(fd, zl, NULL, NULL, 65536, &res, &err), TH_ERR_LIMIT);
	close(fd);
	zb[zl / 2] ^= 0x55;
	zb[zl - 2] ^= 0x55;
	fd = memfd_of(zb, zl);
	assert_true(scan_fd(fd, zl, NULL, NULL, 1 << 21, &res, &err) < 0);
	close(fd);
	/* plain tar: digest == diff_id */
	fd = memfd_of(tar, tl);
	assert_int_equal(scan_fd(fd, tl, diff, diff, 1 << 20, &res, &err), 0);
	assert_int_equal(res.compression, TH_LAYER_PLAIN);
	close(fd);
	/* not a tar at all */
	fd = memfd_of("hello, this is not a tar archive at all................", 56);
	assert_true(scan_fd(fd, 56, NULL, NULL, 1 << 20, &res, &err) < 0);
	close(fd);
}

typedef struct applyctx {
	th_vfs *v;
} applyctx;

static int apply_entry(void *ud, const th_layer_entry *e, th_layer_stream *ls, th_error *err)
{
	applyctx *c = ud;
	int rc = th_vfs_apply(c->v, 0, e, NULL, 0, err);
	return rc > 0 ? 0 : rc;
}

static void scalibr_escape_layer(void **state)
{
	const char *sh = getenv("THOTH_SHARED");
	char path[1024];
	th_layer_result res;
	th_error err = TH_ERROR_INIT;
	const th_vfs_node *n;
	applyctx c;

	if (!sh)
		skip();
	snprintf(path, sizeof(path), "%s/data/images/osv-scalibr/artifact/image/unpack/testdata/escape.tar", sh);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		skip();
	off_t len = lseek(fd, 0, SEEK_END);
	assert_int_equal(th_vfs_new(&c.v, &lim, NULL), 0);
	th_layer_src src = { fd, 0, (uint64_t)len, UINT64_MAX, NULL, NULL, "escape.tar", 1 << 20, 1000 };
	assert_int_equal(th_layer_scan(&res, &src, &lim, apply_entry, &c, &err), 0);
	/* Every copyright link resolves inside the tree or not at all. */
	int rc = th_vfs_lookup(c.v, "/usr/share/doc/c/copyright", true, &n, &err);
	assert_true(rc == TH_ERR_NOTFOUND || rc == TH_ERR_LIMIT);
	rc = th_vfs_lookup(c.v, "/usr/share/doc/b/copyright", true, &n, &err);
	assert_true(rc == TH_ERR_NOTFOUND || rc == TH_ERR_LIMIT || rc == 0);
	th_vfs_free(c.v);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(whiteouts_and_replacement),
		cmocka_unit_test(symlinks_stay_inside),
		cmocka_unit_test(deep_chain_is_a_limit),
		cmocka_unit_test(layer_gzip_digests_and_errors),
		cmocka_unit_test(scalibr_escape_layer),
	};
	th_limits_init(&lim);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
