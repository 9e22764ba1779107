/* Fuzz target: a whole image scan (extractors/image) of one layer: the
 * input is the layer's tar, wrapped here in a docker-archive whose config
 * names its diff_id, scanned from a memfd. It exercises what happens to each
 * entry (interest, kept contents and notes, hardlinks of interest read in a
 * second pass), the facts pass over the squashed tree (os-release, dpkg,
 * apk, Python, ELF), then a second scan that replays the layer from the
 * replay log the first one cached; then the same with a pick (.py and .txt
 * files) in a second tree fed by the same pass. Never a crash, a hang or
 * unbounded growth. */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/hash.h"
#include "extractors/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A ustar member: header, data, padding to 512. */
static void member(th_buf *b, const char *name, const void *p, size_t len)
{
	char h[512];
	unsigned sum = 0;

	memset(h, 0, sizeof(h));
	snprintf(h, 100, "%s", name);
	snprintf(h + 100, 8, "%07o", 0644);
	snprintf(h + 108, 8, "%07o", 0);
	snprintf(h + 116, 8, "%07o", 0);
	snprintf(h + 124, 12, "%011llo", (unsigned long long)len);
	snprintf(h + 136, 12, "%011o", 0);
	memset(h + 148, ' ', 8);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	for (int i = 0; i < 512; i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
	th_buf_put(b, h, sizeof(h), NULL);
	th_buf_put(b, p, len, NULL);
	static const char zero[512];
	if (len % 512)
		th_buf_put(b, zero, 512 - len % 512, NULL);
}

/* An in-memory layer cache: two entries are enough for one layer (the
 * facts' log and a pick's). */
typedef struct memcache {
	char key[2][160];
	th_buf log[2];
} memcache;

static int mc_get(void *ud, const char *key, th_buf *out, th_error *err)
{
	memcache *m = ud;
	for (int i = 0; i < 2; i++)
		if (m->log[i].len && !strcmp(m->key[i], key)) {
			th_buf_clear(out);
			return th_buf_put(out, m->log[i].ptr, m->log[i].len, err);
		}
	return TH_ERR_NOTFOUND;
}

static int mc_put(void *ud, const char *key, const void *log, size_t len, th_error *err)
{
	memcache *m = ud;
	int i = m->log[0].len && strcmp(m->key[0], key) ? 1 : 0;
	snprintf(m->key[i], sizeof(m->key[i]), "%s", key);
	th_buf_clear(&m->log[i]);
	return th_buf_put(&m->log[i], log, len, err);
}

/* A pick of the .py and .txt files, as scan repo's sources. */
static bool pick_want(void *ud, const char *path, size_t len)
{
	(void)ud;
	return (len > 3 && !memcmp(path + len - 3, ".py", 3)) || (len > 4 && !memcmp(path + len - 4, ".txt", 4));
}

static int pick_file(void *ud, const char *path, size_t len, const void *data, size_t dlen)
{
	(void)path;
	(void)len;
	(void)data;
	*(size_t *)ud += dlen;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char hex[TH_SHA256_HEX], cfg[256], path[64];
	th_buf outer = TH_BUF_INIT;
	th_limits lim;
	memcache mc = { { { 0 } }, { TH_BUF_INIT, TH_BUF_INIT } }, mc2 = { { { 0 } }, { TH_BUF_INIT, TH_BUF_INIT } };
	size_t picked = 0;
	static const char manifest[] = "[{\"Config\":\"config.json\",\"RepoTags\":[\"f:1\"],\"Layers\":[\"layer.tar\"]}]";
	int fd;

	if (th_sha256_hex(hex, data, size, NULL))
		return 0;
	int n = snprintf(cfg, sizeof(cfg),
			 "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":"
			 "[\"sha256:%s\"]}}", hex);
	member(&outer, "layer.tar", data, size);
	member(&outer, "config.json", cfg, (size_t)n);
	member(&outer, "manifest.json", manifest, sizeof(manifest) - 1);
	static const char end[1024];
	th_buf_put(&outer, end, sizeof(end), NULL);
	fd = memfd_create("fuzz-image", 0);
	if (fd >= 0 && write(fd, outer.ptr, outer.len) == (ssize_t)outer.len) {
		th_limits_init(&lim);
		lim.symlink_depth = 8;
		lim.entries = 20000;
		lim.file_bytes = 1 << 20;
		lim.metadata_bytes = 1 << 16;
		th_image_cache cache = { &mc, mc_get, mc_put };
		th_image_opts o = { NULL, false, &lim, &cache, NULL, NULL, NULL, NULL };
		th_image_sink sink = { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL };
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (th_image_scan(path, &o, &sink, NULL) == 0)
			th_image_scan(path, &o, &sink, NULL); /* replayed from the cache */
		/* the facts and a pick from one pass (two trees), then both replayed */
		th_image_pick pk = { &picked, pick_want, pick_file, "fuzz", false, 1 << 20, NULL, NULL };
		th_image_cache cache2 = { &mc2, mc_get, mc_put };
		o.cache = &cache2;
		o.pick = &pk;
		if (th_image_scan(path, &o, &sink, NULL) == 0)
			th_image_scan(path, &o, &sink, NULL);
	}
	if (fd >= 0)
		close(fd);
	th_buf_release(&outer);
	for (int i = 0; i < 2; i++) {
		th_buf_release(&mc.log[i]);
		th_buf_release(&mc2.log[i]);
	}
	return 0;
}
