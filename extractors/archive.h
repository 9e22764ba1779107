/*
 * archive — the regular files of an archive (tar, tar.gz, tar.zst, zip, ...)
 * as (path, bytes), one at a time, through libarchive (which only this module
 * includes). Nothing is written to disk.
 *
 * The archive is hostile input: every path is checked before the caller sees
 * it (no absolute paths, no "..", no NUL, at most path_bytes), sizes are
 * bounded per entry and in total, and the number of entries is bounded.
 * Paths are handed over normalized: a leading "./" and repeated slashes are
 * dropped. Directories, links and devices are skipped. A caller that only
 * wants some files says so with `want`, and the others are not read.
 */
#ifndef TH_ARCHIVE_H
#define TH_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/limits.h"

typedef struct th_archive_opts {
	uint64_t max_entry_bytes; /* one file's bytes (limits.file_bytes) */
	uint64_t max_total_bytes; /* all files read together (limits.layer_bytes) */
	uint64_t max_entries;     /* entries of any kind (limits.entries) */
	uint64_t max_path;        /* bytes of a path (limits.path_bytes) */
	/* NULL: every regular file. Otherwise only those it returns true for. */
	bool (*want)(void *ud, const char *path);
	const char *what;         /* names the archive in messages */
} th_archive_opts;

void th_archive_opts_init(th_archive_opts *o, const th_limits *lim, const char *what);

/* Called for each wanted regular file; `data` is valid during the call only.
 * A non-zero return stops the walk and is returned by th_archive_each. */
typedef int (*th_archive_fn)(void *ud, const char *path, const void *data, size_t len, th_error *err);

/* Walks the archive in `file`. */
int th_archive_each(const char *file, const th_archive_opts *o, th_archive_fn fn, void *ud, th_error *err);
/* Walks an archive held in memory (a wheel, a fuzz input). */
int th_archive_each_mem(const void *buf, size_t len, const th_archive_opts *o, th_archive_fn fn, void *ud,
			th_error *err);

/* Whether a file looks like an archive libarchive can read (by its first bytes). */
bool th_archive_sniff(const void *head, size_t len);

#endif
