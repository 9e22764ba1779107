/*
 * zipdir — the two members of a wheel that say what it provides to `import`
 * ("X.dist-info/top_level.txt" and "X.dist-info/RECORD"), read from its zip
 * central directory without reading the rest of the archive: the end of the
 * file (end-of-central-directory record), the central directory, then each
 * member's own byte span. A local file is read with pread; a remote one is
 * read by the caller in the same steps with HTTP Range requests
 * (analyzer/kb_import), which is why each step takes bytes and says which
 * bytes the next step needs. zlib (inflate, crc32) is behind this module for
 * this purpose (extractors/layer.c uses it for gzip layers).
 *
 * The archive is hostile input. Every offset and size is checked against the
 * bytes at hand and the file's size before use; a member's bytes are bounded
 * by limits.metadata_bytes (inflated size declared and enforced, CRC-32
 * checked), the central directory by limits.zip_dir_bytes. Zip64 archives,
 * encrypted members and methods other than stored and deflate are refused as
 * TH_ERR_UNSUPPORTED (wheels with top_level.txt and RECORD small enough to
 * matter are plain zips); anything malformed is TH_ERR_INVALID, one line
 * naming the archive (`what`).
 */
#ifndef TH_ZIPDIR_H
#define TH_ZIPDIR_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/limits.h"

/* Bytes to read from the end of a file to be sure of holding the
 * end-of-central-directory record: 22 bytes and a comment of at most 65,535. */
#define TH_ZIPDIR_TAIL ((uint64_t)22 + 65535)

/* Where the central directory is. */
typedef struct th_zipdir_end {
	uint64_t file_size;
	uint64_t cd_offset, cd_size;
	uint64_t entries;
} th_zipdir_end;

/* tail: the last tail_len bytes of a file of file_size bytes. */
int th_zipdir_end_parse(th_zipdir_end *out, const void *tail, size_t tail_len, uint64_t file_size,
			const th_limits *lim, const char *what, th_error *err);

/* One member of interest: the span to read is [span_start, span_end). */
typedef struct th_zipdir_member {
	int present;
	int method; /* 0 stored, 8 deflate */
	uint32_t crc;
	uint64_t csize, usize;
	uint64_t span_start, span_end;
} th_zipdir_member;

typedef struct th_zipdir_wheel {
	th_zipdir_member top_level, record;
} th_zipdir_wheel;

/* cd: the central directory's cd_size bytes. Finds the members of the
 * wheel's single top-level .dist-info directory (absent ones: present 0). */
int th_zipdir_wheel_find(th_zipdir_wheel *out, const th_zipdir_end *end, const void *cd, size_t cd_len,
			 const th_limits *lim, const char *what, th_error *err);

/* span: bytes from m->span_start (at most m->span_end - m->span_start).
 * *out is the member's bytes, inflated and NUL-terminated, in the arena. */
int th_zipdir_member_read(const char **out, size_t *out_len, const th_zipdir_member *m, const void *span,
			  size_t span_len, const th_limits *lim, th_arena *a, const char *what, th_error *err);

/* All of the above on a local file (NULL texts: absent members). */
typedef struct th_zipdir_texts {
	const char *top_level;
	size_t top_level_len;
	const char *record;
	size_t record_len;
	uint64_t bytes_read; /* what it cost: for reports and benchmarks */
} th_zipdir_texts;

int th_zipdir_wheel_file(th_zipdir_texts *out, const char *path, const th_limits *lim, th_arena *a, th_error *err);
/* The same on a whole archive in memory (tests, fuzzing). */
int th_zipdir_wheel_mem(th_zipdir_texts *out, const void *buf, size_t len, const th_limits *lim, th_arena *a,
			const char *what, th_error *err);

#endif
