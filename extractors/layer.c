#include "extractors/layer.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "core/hash.h"
/* after <archive.h> and <archive_entry.h>: the loaded libarchive table */
#include "extractors/archive.h"
#include "extractors/inflate.h"

/* Decompressed blocks go round a small ring: libarchive parses block k while
 * the hashing thread digests blocks k-1, k-2, ... A slot is refilled only
 * after the hasher is done with it, and libarchive never looks at a block
 * after asking for the next one, so no block is written while read. The
 * compressed input goes round a ring of its own the same way: the blob's
 * digest is computed on the hashing thread too, which leaves the reading
 * thread (the critical path: decompression and tar parsing) nothing else. */
enum { RING = 4, INRING = 4, BLOCK = 256 * 1024, INBLOCK = 256 * 1024 };

/* One block to hash, in posting order: of the blob or of the tar. The
 * hasher clears *busy when done, which frees the buffer for reuse. */
typedef struct layer_job {
	th_sha256 *h;
	const unsigned char *p;
	size_t len;
	bool *busy;
} layer_job;

/* Each buffer has at most one job outstanding: the queue never overflows. */
enum { JOBS = RING + INRING };

struct th_layer_stream {
	const th_layer_src *src;
	const th_limits *lim;
	th_error *err;
	int rc; /* first error met inside a libarchive callback */

	/* compressed input */
	unsigned char *in; /* inring[in_slot] */
	unsigned char *inring[INRING];
	bool in_busy[INRING];
	int in_slot;
	size_t in_len, in_pos;
	uint64_t in_read; /* bytes of the blob read so far */
	th_sha256 blob_hash;
	th_layer_compression comp;
	th_inflate *z;   /* gzip */
	bool frame_done; /* the last gzip member / zstd frame ended cleanly */
	ZSTD_DCtx *zd;

	/* decompressed output and the hashing thread */
	unsigned char *ring[RING];
	bool out_busy[RING];
	uint64_t blocks;         /* decompressed blocks produced */
	layer_job jobs[JOBS];
	uint64_t posted, hashed; /* jobs handed to the hasher / done by it */
	bool threaded, stop;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	th_sha256 tar_hash;
	uint64_t tar_bytes;
	bool eof;

	th_archive_lib lib; /* libarchive, loaded for this stream (extractors/archive) */
	struct archive *a;
};

const char *th_layer_compression_name(th_layer_compression c)
{
	return c == TH_LAYER_GZIP ? "gzip" : c == TH_LAYER_ZSTD ? "zstd" : "none";
}

/* Records the first error met inside libarchive's read callback, where it
 * cannot be returned directly: "<blob>: <message>". */
static int layer__fail(th_layer_stream *ls, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int layer__fail(th_layer_stream *ls, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!ls->rc) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		ls->rc = th_error_set(ls->err, code, "%s: %s", ls->src->what, msg);
	}
	return ls->rc;
}

/* Hands a block to the hashing thread (or hashes it here without one). */
static void layer__post(th_layer_stream *ls, th_sha256 *h, const unsigned char *p, size_t len, bool *busy)
{
	if (!ls->threaded) {
		th_sha256_update(h, p, len);
		return;
	}
	pthread_mutex_lock(&ls->mu);
	*busy = true;
	ls->jobs[ls->posted % JOBS] = (layer_job){ h, p, len, busy };
	ls->posted++;
	pthread_cond_broadcast(&ls->cv);
	pthread_mutex_unlock(&ls->mu);
}

/* Waits until the hasher is done with a buffer. */
static void layer__wait(th_layer_stream *ls, const bool *busy)
{
	if (!ls->threaded)
		return;
	pthread_mutex_lock(&ls->mu);
	while (*busy)
		pthread_cond_wait(&ls->cv, &ls->mu);
	pthread_mutex_unlock(&ls->mu);
}

/* Refills the compressed input buffer. Returns bytes now available (0 at
 * the end of the blob) or a negative code. */
static int layer__refill(th_layer_stream *ls)
{
	uint64_t left = ls->src->avail - ls->in_read;
	size_t want = left < INBLOCK ? (size_t)left : INBLOCK;
	ssize_t n;

	if (ls->in_pos < ls->in_len)
		return 1;
	ls->in_pos = ls->in_len = 0;
	if (!want)
		return 0;
	/* the decompressor has consumed the current slot: take the next one */
	ls->in_slot = (ls->in_slot + 1) % INRING;
	ls->in = ls->inring[ls->in_slot];
	layer__wait(ls, &ls->in_busy[ls->in_slot]);
	do
		n = pread(ls->src->fd, ls->in, want, (off_t)(ls->src->offset + ls->in_read));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return layer__fail(ls, TH_ERR_IO, "cannot read: %s", strerror(errno));
	if (n == 0)
		return layer__fail(ls, TH_ERR_INVALID, "blob is truncated after %llu bytes", (unsigned long long)ls->in_read);
	ls->in_len = (size_t)n;
	ls->in_read += (uint64_t)n;
	/* A plain layer is its own tar: its digest is the diff_id, hashed once
	 * on the hashing thread (until detection, comp reads as plain). */
	if (ls->comp != TH_LAYER_PLAIN)
		layer__post(ls, &ls->blob_hash, ls->in, (size_t)n, &ls->in_busy[ls->in_slot]);
	return 1;
}

static int layer__gunzip(th_layer_stream *ls, unsigned char *out, size_t cap, size_t *got)
{
	size_t have = 0;
	int more;

	while (have < cap) {
		size_t used, n;
		bool end;
		th_error e = TH_ERROR_INIT;

		if ((more = layer__refill(ls)) < 0)
			return more;
		if (!more) {
			if (!ls->frame_done)
				return layer__fail(ls, TH_ERR_INVALID, "gzip stream is truncated");
			break;
		}
		if (ls->frame_done) {
			/* Another gzip member follows (concatenated gzip is valid). */
			th_inflate_reset(ls->z);
			ls->frame_done = false;
		}
		if (th_inflate_step(ls->z, ls->in + ls->in_pos, ls->in_len - ls->in_pos, &used, out + have, cap - have, &n,
				    &end, &e))
			return layer__fail(ls, TH_ERR_INVALID, "corrupt gzip stream: %s", e.msg);
		ls->in_pos += used;
		have += n;
		if (end)
			ls->frame_done = true;
	}
	*got = have;
	return 0;
}

static int layer__unzstd(th_layer_stream *ls, unsigned char *out, size_t cap, size_t *got)
{
	ZSTD_outBuffer ob = { out, cap, 0 };
	int more;

	while (ob.pos < ob.size) {
		if ((more = layer__refill(ls)) < 0)
			return more;
		if (!more) {
			if (!ls->frame_done)
				return layer__fail(ls, TH_ERR_INVALID, "zstd stream is truncated");
			break;
		}
		ZSTD_inBuffer ib = { ls->in, ls->in_len, ls->in_pos };
		size_t r = ZSTD_decompressStream(ls->zd, &ob, &ib);
		ls->in_pos = ib.pos;
		if (ZSTD_isError(r))
			return layer__fail(ls, TH_ERR_INVALID, "corrupt zstd stream: %s", ZSTD_getErrorName(r));
		ls->frame_done = r == 0;
	}
	*got = ob.pos;
	return 0;
}

static int layer__plain(th_layer_stream *ls, unsigned char *out, size_t cap, size_t *got)
{
	size_t n = 0;
	int more;

	while (n < cap) {
		if ((more = layer__refill(ls)) < 0)
			return more;
		if (!more)
			break;
		size_t take = ls->in_len - ls->in_pos;
		if (take > cap - n)
			take = cap - n;
		memcpy(out + n, ls->in + ls->in_pos, take);
		ls->in_pos += take;
		n += take;
	}
	*got = n;
	return 0;
}

static void *layer__hasher(void *arg)
{
	th_layer_stream *ls = arg;

	pthread_mutex_lock(&ls->mu);
	for (;;) {
		while (ls->hashed == ls->posted && !ls->stop)
			pthread_cond_wait(&ls->cv, &ls->mu);
		if (ls->hashed == ls->posted)
			break;
		layer_job j = ls->jobs[ls->hashed % JOBS];
		pthread_mutex_unlock(&ls->mu);
		th_sha256_update(j.h, j.p, j.len);
		pthread_mutex_lock(&ls->mu);
		*j.busy = false;
		ls->hashed++;
		pthread_cond_broadcast(&ls->cv);
	}
	pthread_mutex_unlock(&ls->mu);
	return NULL;
}

/* Produces the next decompressed block into a free ring slot and posts it
 * for hashing. Returns its length (0 at the end) or a negative code. */
static la_ssize_t layer__next_block(th_layer_stream *ls, const void **block)
{
	size_t got = 0;
	int k, rc;

	if (ls->rc)
		return ls->rc;
	if (ls->eof)
		return 0;
	k = (int)(ls->blocks % RING);
	layer__wait(ls, &ls->out_busy[k]);
	rc = ls->comp == TH_LAYER_GZIP ? layer__gunzip(ls, ls->ring[k], BLOCK, &got)
	     : ls->comp == TH_LAYER_ZSTD ? layer__unzstd(ls, ls->ring[k], BLOCK, &got)
					 : layer__plain(ls, ls->ring[k], BLOCK, &got);
	if (rc)
		return rc;
	if (!got) {
		ls->eof = true;
		return 0;
	}
	ls->tar_bytes += got;
	if (ls->tar_bytes > ls->src->max_tar_bytes) {
		return layer__fail(ls, TH_ERR_LIMIT, "decompresses to more than %llu bytes (layer_bytes / image_bytes)",
				   (unsigned long long)ls->src->max_tar_bytes);
	}
	layer__post(ls, &ls->tar_hash, ls->ring[k], got, &ls->out_busy[k]);
	ls->blocks++;
	*block = ls->ring[k];
	return (la_ssize_t)got;
}

static la_ssize_t layer__read_cb(struct archive *a, void *ud, const void **block)
{
	th_layer_stream *ls = ud;
	la_ssize_t n = layer__next_block(ls, block);

	if (n < 0) {
		ls->lib.set_error(a, EIO, "%s", ls->err ? ls->err->msg : "read failed");
		return -1;
	}
	return n;
}

static int layer__detect(th_layer_stream *ls, th_error *err)
{
	unsigned char magic[4];
	size_t have = 0;
	int more;

	if ((more = layer__refill(ls)) < 0)
		return more;
	if (more) {
		have = ls->in_len < 4 ? ls->in_len : 4;
		memcpy(magic, ls->in, have);
	}
	if ((have >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) ||
	    (have == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd))
		th_sha256_update(&ls->blob_hash, ls->in, ls->in_len); /* the first block, read before we knew */
	if (have >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		ls->comp = TH_LAYER_GZIP;
		if (th_inflate_new(&ls->z, TH_INFLATE_GZIP, err))
			return th_error_set(err, TH_ERR_NOMEM, "%s: cannot start zlib", ls->src->what);
	} else if (have == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd) {
		ls->comp = TH_LAYER_ZSTD;
		if (!(ls->zd = ZSTD_createDCtx()))
			return th_error_set(err, TH_ERR_NOMEM, "%s: cannot start zstd", ls->src->what);
		/* A zstd frame may ask for a window of up to 2 GiB; real layers use
		 * at most 128 MiB (--long=27). Refuse more than that. */
		ZSTD_DCtx_setParameter(ls->zd, ZSTD_d_windowLogMax, 27);
	} else {
		ls->comp = TH_LAYER_PLAIN;
	}
	return 0;
}

static void layer__hex(char out[TH_DIGEST_MAX], th_sha256 *h)
{
	char hex[TH_SHA256_HEX];

	th_sha256_final(h, hex);
	snprintf(out, TH_DIGEST_MAX, "sha256:%s", hex);
}

static int layer__entry(th_layer_stream *ls, struct archive_entry *ae, th_layer_entry_fn fn, void *ud,
			th_error *err)
{
	th_layer_entry e;
	const char *p = ls->lib.entry_pathname(ae);
	const char *hl = ls->lib.entry_hardlink(ae);
	const char *sl = ls->lib.entry_symlink(ae);

	if (!p)
		p = ls->lib.entry_pathname_utf8(ae);
	if (!p)
		return th_error_set(err, TH_ERR_INVALID, "%s: tar entry without a usable name", ls->src->what);
	memset(&e, 0, sizeof(e));
	e.path = p;
	e.path_len = strlen(p);
	if (e.path_len > ls->lim->path_bytes)
		return th_error_set(err, TH_ERR_LIMIT, "%s: tar entry path of %zu bytes exceeds %llu (path_bytes)",
				    ls->src->what, e.path_len, (unsigned long long)ls->lim->path_bytes);
	e.mode = (uint32_t)(ls->lib.entry_perm(ae) & 07777);
	e.size = ls->lib.entry_size_is_set(ae) && ls->lib.entry_size(ae) > 0 ? (uint64_t)ls->lib.entry_size(ae) : 0;
	if (hl) {
		e.type = TH_ENTRY_HARDLINK;
		e.link = hl;
	} else {
		switch (ls->lib.entry_filetype(ae)) {
		case AE_IFREG: e.type = TH_ENTRY_FILE; break;
		case AE_IFDIR: e.type = TH_ENTRY_DIR; break;
		case AE_IFLNK: e.type = TH_ENTRY_SYMLINK; e.link = sl ? sl : ""; break;
		default: e.type = TH_ENTRY_OTHER; break;
		}
	}
	if (e.link) {
		e.link_len = strlen(e.link);
		if (e.link_len > ls->lim->path_bytes)
			return th_error_set(err, TH_ERR_LIMIT, "%s: link target of %s exceeds %llu bytes (path_bytes)",
					    ls->src->what, p, (unsigned long long)ls->lim->path_bytes);
	}
	return fn(ud, &e, ls, err);
}

int th_layer_data(th_layer_stream *ls, void *buf, size_t cap, size_t *got, th_error *err)
{
	la_ssize_t n = ls->lib.read_data(ls->a, buf, cap);

	*got = 0;
	if (n < 0) {
		if (ls->rc)
			return ls->rc;
		return th_error_set(err, TH_ERR_INVALID, "%s: corrupt tar data: %s", ls->src->what,
				    ls->lib.error_string(ls->a) ? ls->lib.error_string(ls->a) : "read failed");
	}
	*got = (size_t)n;
	return 0;
}

static int layer__stream(th_layer_stream *ls, th_layer_result *out, th_layer_entry_fn fn, void *ud, th_error *err)
{
	struct archive_entry *ae;
	const void *blk;
	int r, rc;

	ls->a = ls->lib.read_new();
	if (!ls->a)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	ls->lib.read_support_format_tar(ls->a);
	if (ls->lib.read_open(ls->a, ls, NULL, layer__read_cb, NULL) != ARCHIVE_OK) {
		if (ls->rc)
			return ls->rc;
		return th_error_set(err, TH_ERR_INVALID, "%s: not a tar stream: %s", ls->src->what,
				    ls->lib.error_string(ls->a) ? ls->lib.error_string(ls->a) : "unknown format");
	}
	for (;;) {
		r = ls->lib.read_next_header(ls->a, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			if (ls->rc)
				return ls->rc;
			return th_error_set(err, TH_ERR_INVALID, "%s: corrupt tar: %s", ls->src->what,
					    ls->lib.error_string(ls->a) ? ls->lib.error_string(ls->a) : "bad header");
		}
		if (++out->entries > ls->src->max_entries)
			return th_error_set(err, TH_ERR_LIMIT, "%s: more than %llu tar entries (entries)", ls->src->what,
					    (unsigned long long)ls->src->max_entries);
		if ((rc = layer__entry(ls, ae, fn, ud, err)))
			return rc;
		if (ls->rc)
			return ls->rc;
	}
	/* The tar's end marker may come before the end of the stream; the
	 * diff_id covers everything, so read on. */
	while ((r = (int)layer__next_block(ls, &blk)) > 0)
		;
	return r < 0 ? r : 0;
}

static void layer__join(th_layer_stream *ls)
{
	if (!ls->threaded)
		return;
	pthread_mutex_lock(&ls->mu);
	ls->stop = true;
	pthread_cond_broadcast(&ls->cv);
	pthread_mutex_unlock(&ls->mu);
	pthread_join(ls->thread, NULL);
	ls->threaded = false;
}

int th_layer_scan(th_layer_result *out, const th_layer_src *src, const th_limits *lim, th_layer_entry_fn fn,
		  void *ud, th_error *err)
{
	th_layer_stream ls;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	memset(&ls, 0, sizeof(ls));
	ls.src = src;
	ls.lim = lim;
	ls.err = err;
	if (src->expect_size != UINT64_MAX && src->expect_size != src->avail)
		return th_error_set(err, TH_ERR_INVALID, "%s: blob is %llu bytes but its descriptor says %llu", src->what,
				    (unsigned long long)src->avail, (unsigned long long)src->expect_size);
	if (src->avail > lim->blob_bytes)
		return th_error_set(err, TH_ERR_LIMIT, "%s: blob of %llu bytes exceeds %llu (blob_bytes)", src->what,
				    (unsigned long long)src->avail, (unsigned long long)lim->blob_bytes);
	if ((rc = th_sha256_init(&ls.blob_hash, err)))
		return rc;
	if ((rc = th_sha256_init(&ls.tar_hash, err))) {
		th_sha256_release(&ls.blob_hash);
		return rc;
	}
	if ((rc = th_archive_lib_init(&ls.lib, "to read image layers", err)))
		goto done;
	bool nomem = false;
	for (int i = 0; i < INRING; i++)
		nomem |= !(ls.inring[i] = malloc(INBLOCK));
	for (int i = 0; i < RING; i++)
		nomem |= !(ls.ring[i] = malloc(BLOCK));
	ls.in = ls.inring[0];
	if (nomem) {
		rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
		goto done;
	}
	if ((rc = layer__detect(&ls, err)))
		goto done;
	if (pthread_mutex_init(&ls.mu, NULL) == 0) {
		if (pthread_cond_init(&ls.cv, NULL) == 0) {
			ls.threaded = pthread_create(&ls.thread, NULL, layer__hasher, &ls) == 0;
			if (!ls.threaded)
				pthread_cond_destroy(&ls.cv);
		}
		if (!ls.threaded)
			pthread_mutex_destroy(&ls.mu);
	}
	rc = layer__stream(&ls, out, fn, ud, err);
	if (ls.threaded) {
		layer__join(&ls);
		pthread_cond_destroy(&ls.cv);
		pthread_mutex_destroy(&ls.mu);
	}
	if (rc)
		goto done;
	out->compression = ls.comp;
	out->blob_bytes = ls.in_read;
	out->tar_bytes = ls.tar_bytes;
	layer__hex(out->diff_id, &ls.tar_hash);
	if (ls.comp == TH_LAYER_PLAIN)
		memcpy(out->digest, out->diff_id, sizeof(out->digest));
	else
		layer__hex(out->digest, &ls.blob_hash);
	if (src->digest && strcmp(src->digest, out->digest))
		rc = th_error_set(err, TH_ERR_INVALID, "%s: blob digest is %s, expected %s", src->what, out->digest,
				  src->digest);
	else if (src->diff_id && strcmp(src->diff_id, out->diff_id))
		rc = th_error_set(err, TH_ERR_INVALID, "%s: diff_id is %s, but the config says %s", src->what, out->diff_id,
				  src->diff_id);
done:
	if (ls.a)
		ls.lib.read_free(ls.a);
	th_archive_lib_release(&ls.lib);
	th_inflate_free(ls.z);
	ZSTD_freeDCtx(ls.zd);
	th_sha256_release(&ls.blob_hash);
	th_sha256_release(&ls.tar_hash);
	for (int i = 0; i < INRING; i++)
		free(ls.inring[i]);
	for (int i = 0; i < RING; i++)
		free(ls.ring[i]);
	return rc;
}
