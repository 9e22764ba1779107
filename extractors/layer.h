/*
 * layer — streams one image layer (a tar, plain or compressed) once, without
 * ever writing it to disk, and hands each tar entry to a callback.
 *
 * One pass over the blob does everything: the compressed bytes are counted
 * and hashed (sha256, checked against the descriptor's size and digest), the
 * compression is recognised by its magic bytes (gzip, zstd, or none) and
 * undone here with zlib / libzstd, the decompressed stream is hashed on a
 * second thread (the diff_id, checked against the image config) and fed to
 * libarchive, which parses the tar. This is the only module that includes
 * zlib.h and zstd.h; libarchive it calls through the table extractors/archive
 * loads (one wrapper of the library, loaded per stream, not linked).
 *
 * Invariants: the decompressed size is bounded by src->max_tar_bytes (a gzip
 * or zstd bomb stops there with TH_ERR_LIMIT); entries are bounded by
 * src->max_entries; paths longer than lim->path_bytes are refused. The whole
 * stream is consumed even after the tar's end marker, so the diff_id covers
 * every byte. Verification happens at the end of the stream: a caller must
 * treat everything the callback saw as provisional until th_layer_scan()
 * returns 0.
 */
#ifndef TH_LAYER_H
#define TH_LAYER_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/limits.h"

typedef enum th_layer_compression {
	TH_LAYER_PLAIN = 0,
	TH_LAYER_GZIP,
	TH_LAYER_ZSTD
} th_layer_compression;

typedef enum th_entry_type {
	TH_ENTRY_FILE = 0,
	TH_ENTRY_DIR,
	TH_ENTRY_SYMLINK,
	TH_ENTRY_HARDLINK,
	TH_ENTRY_OTHER /* devices, fifos, sockets: recorded as present, never read */
} th_entry_type;

typedef struct th_layer_entry {
	const char *path;  /* as written in the tar; borrowed until the callback returns */
	size_t path_len;
	const char *link;  /* symlink target or hardlink target path, else NULL; borrowed */
	size_t link_len;
	th_entry_type type;
	uint64_t size;     /* bytes of content (regular files) */
	uint32_t mode;     /* permission bits */
} th_layer_entry;

/* The stream being read, passed to the entry callback so it can read the
 * entry's content. */
typedef struct th_layer_stream th_layer_stream;

/* Reads up to cap bytes of the current entry's content; *got = 0 at its end. */
int th_layer_data(th_layer_stream *ls, void *buf, size_t cap, size_t *got, th_error *err);

/* Called once per tar entry, in tar order. Content not read is skipped.
 * Return 0 to go on, or a negative th_code (with err set) to stop. */
typedef int (*th_layer_entry_fn)(void *ud, const th_layer_entry *e, th_layer_stream *ls, th_error *err);

#define TH_DIGEST_MAX 72 /* "sha256:" + 64 hex digits + NUL */

typedef struct th_layer_src {
	int fd;                  /* borrowed; read with pread, never moved */
	uint64_t offset;         /* where the blob starts in fd */
	uint64_t avail;          /* bytes of fd that belong to the blob */
	uint64_t expect_size;    /* descriptor size, or UINT64_MAX when unknown */
	const char *digest;      /* "sha256:<hex>" the blob must hash to, or NULL */
	const char *diff_id;     /* "sha256:<hex>" of the decompressed tar, or NULL */
	const char *what;        /* names the blob in messages */
	uint64_t max_tar_bytes;  /* decompressed budget (layer_bytes, or what image_bytes leaves) */
	uint64_t max_entries;    /* entry budget */
} th_layer_src;

typedef struct th_layer_result {
	th_layer_compression compression;
	uint64_t blob_bytes;             /* compressed bytes read */
	uint64_t tar_bytes;              /* decompressed bytes */
	uint64_t entries;
	char digest[TH_DIGEST_MAX];      /* "sha256:..." of the blob */
	char diff_id[TH_DIGEST_MAX];     /* "sha256:..." of the tar */
} th_layer_result;

/* Streams the blob, calling fn for each entry, and verifies it. Errors:
 * TH_ERR_INVALID for a corrupt or truncated stream or a digest/size
 * mismatch (the message names src->what and both digests), TH_ERR_LIMIT for
 * a bound, TH_ERR_IO for a read error, or whatever fn returned. */
int th_layer_scan(th_layer_result *out, const th_layer_src *src, const th_limits *lim, th_layer_entry_fn fn,
		  void *ud, th_error *err);

/* The name of a compression ("gzip", "zstd", "none"). */
const char *th_layer_compression_name(th_layer_compression c);

#endif
