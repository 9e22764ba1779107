/* Fuzz target: a whole image scan (extractors/image) of one layer: the
 * input is the layer's tar, wrapped here in a docker-archive whose config
 * names its diff_id, scanned from a memfd. It exercises what happens to each
 * entry (interest, kept contents and notes, hardlinks of interest read in a
 * second pass), the facts pass over the squashed tree (os-release, dpkg,
 * apk, Python, ELF), then a second scan that replays the layer from the
 * replay log the first one cached. Never a crash, a hang or unbounded growth. */
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

/* An in-memory layer cache: one entry is enough for one layer. */
typedef struct memcache {
	char diff_id[80];
	th_buf log;
} memcache;

static int mc_get(void *ud, const char *diff_id, th_buf *out, th_error *err)
{
	memcache *m = ud;
	if (!m->log.len || strcmp(m->diff_id, diff_id))
		return TH_ERR_NOTFOUND;
	th_buf_clear(out);
	return th_buf_put(out, m->log.ptr, m->log.len, err);
}

static int mc_put(void *ud, const char *diff_id, const void *log, size_t len, th_error *err)
{
	memcache *m = ud;
	snprintf(m->diff_id, sizeof(m->diff_id), "%s", diff_id);
	th_buf_clear(&m->log);
	return th_buf_put(&m->log, log, len, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char hex[TH_SHA256_HEX], cfg[256], path[64];
	th_buf outer = TH_BUF_INIT;
	th_limits lim;
	memcache mc = { { 0 }, TH_BUF_INIT };
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
		th_image_opts o = { NULL, false, &lim, &cache, NULL, NULL, NULL };
		th_image_sink sink = { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL };
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (th_image_scan(path, &o, &sink, NULL) == 0)
			th_image_scan(path, &o, &sink, NULL); /* replayed from the cache */
	}
	if (fd >= 0)
		close(fd);
	th_buf_release(&outer);
	th_buf_release(&mc.log);
	return 0;
}
