/*
 * archive — reading entries of zip and tar archives (wheels, sdists, zipped
 * advisory databases) through libarchive. This is the kb side's single
 * user of archive.h; the image extractors stream layers through their own
 * layer reader (see README, "Dependencies").
 *
 * The caller walks entries in archive order and decides, from the path, which
 * ones to read; a read is bounded by `max` bytes (TH_ERR_LIMIT beyond).
 * Paths are handed out as the archive writes them (never used to touch the
 * filesystem here).
 */
#ifndef TH_ARCHIVE_H
#define TH_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

typedef struct th_archive th_archive;

/* Opens an archive file (zip, tar, tar.gz/bz2/xz/zst: detected). */
int th_archive_open(th_archive **out, const char *path, th_error *err);
void th_archive_free(th_archive *ar);

/* Moves to the next entry: 0 and its path and type (1 regular file, 0
 * anything else), TH_ERR_NOTFOUND at the end. */
int th_archive_next(th_archive *ar, const char **path, int *regular, th_error *err);

/* Reads the current entry into out (cleared first), at most max bytes. */
int th_archive_read(th_archive *ar, th_buf *out, uint64_t max, th_error *err);

#endif
