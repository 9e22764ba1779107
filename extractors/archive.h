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
 *
 * libarchive is loaded at run time (core/dynlib), on the first archive a
 * call reads, not linked: most commands never read one, and linking it
 * pulled libxml2, ICU and libstdc++ into every process. Each call (and each
 * th_archive_lib a caller loads) holds its own handle on the library: no
 * global state, safe from any thread. When the library cannot be loaded the
 * call fails with a message naming it (TH_ERR_UNSUPPORTED: exit status 2).
 * extractors/layer.c streams layer tars through libarchive as well; it uses
 * the same table (th_archive_lib, below) rather than wrapping it a second
 * time.
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

/* libarchive's entry points, loaded. The members are visible only to a file
 * that includes <archive.h> and <archive_entry.h> before this header (this
 * module and extractors/layer.c); everyone else reads archives through
 * th_archive_each. */
typedef struct th_archive_lib th_archive_lib;
#if defined(ARCHIVE_H_INCLUDED) && defined(ARCHIVE_ENTRY_H_INCLUDED)
struct th_archive_lib {
	void *dl; /* owned handle (core/dynlib) */
	__typeof__(archive_read_new) *read_new;
	__typeof__(archive_read_free) *read_free;
	__typeof__(archive_read_support_filter_all) *read_support_filter_all;
	__typeof__(archive_read_support_format_tar) *read_support_format_tar;
	__typeof__(archive_read_support_format_gnutar) *read_support_format_gnutar;
	__typeof__(archive_read_support_format_zip) *read_support_format_zip;
	__typeof__(archive_read_open) *read_open;
	__typeof__(archive_read_open_filename) *read_open_filename;
	__typeof__(archive_read_open_memory) *read_open_memory;
	__typeof__(archive_read_next_header) *read_next_header;
	__typeof__(archive_read_data) *read_data;
	__typeof__(archive_error_string) *error_string;
	__typeof__(archive_set_error) *set_error;
	__typeof__(archive_entry_pathname) *entry_pathname;
	__typeof__(archive_entry_pathname_utf8) *entry_pathname_utf8;
	__typeof__(archive_entry_hardlink) *entry_hardlink;
	__typeof__(archive_entry_symlink) *entry_symlink;
	__typeof__(archive_entry_filetype) *entry_filetype;
	__typeof__(archive_entry_perm) *entry_perm;
	__typeof__(archive_entry_size) *entry_size;
	__typeof__(archive_entry_size_is_set) *entry_size_is_set;
};

/* Loads libarchive into *out (`why` completes "needed ..." in the message).
 * Release with th_archive_lib_release, which accepts a table never loaded
 * (all zero). */
int th_archive_lib_init(th_archive_lib *out, const char *why, th_error *err);
void th_archive_lib_release(th_archive_lib *lib);
#endif

/* Whether a file looks like an archive libarchive can read (by its first bytes). */
bool th_archive_sniff(const void *head, size_t len);

#endif
