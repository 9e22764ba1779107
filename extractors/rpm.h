/*
 * rpm — RPM package headers, as the SQLite rpmdb (rpmdb.sqlite, table
 * Packages(hnum, blob)) stores them: an index of (tag, type, offset, count)
 * entries, big-endian, followed by a data store.
 *
 * Pure function over one header blob (hostile input: every offset and count
 * is checked against the blob, and the file list is capped by
 * `max_files`). The SQLite file itself is opened by the facts store's
 * read-only, in-memory, defensive API; extractors/image reaches it through a
 * callback so that this layer never includes sqlite3.h.
 */
#ifndef TH_RPM_H
#define TH_RPM_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"

typedef struct th_rpm_pkg {
	const char *name, *version, *release, *arch; /* "" when absent */
	int64_t epoch;                               /* -1 when absent */
	const char *sourcerpm;                       /* "" when absent */
	const char **files;                          /* absolute paths */
	size_t nfiles;
} th_rpm_pkg;

/* TH_ERR_INVALID for a malformed header or one without NAME and VERSION. */
int th_rpm_header_parse(th_rpm_pkg *out, const void *blob, size_t len, size_t max_files, th_arena *a,
			th_error *err);

/* "epoch:version-release" (epoch only when set), in the arena. */
const char *th_rpm_evr(const th_rpm_pkg *p, th_arena *a);

#endif
