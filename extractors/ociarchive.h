/*
 * ociarchive — the outer tar of an OCI archive or a docker-archive
 * (`docker save`, including Docker 25's form that carries an OCI layout).
 *
 * The archive is indexed once: its headers are read (ustar, GNU long names,
 * pax path/linkpath/size records) and each member's name, type and data
 * offset kept; blobs are then read in place with pread at their offsets,
 * never copied out. A docker-archive lists its manifest.json last, so
 * indexing first is what makes one pass over the layers possible.
 *
 * This parser only walks headers; the layers inside are streamed by
 * extractors/layer. It accepts uncompressed tars only (what `docker save`
 * and `skopeo copy oci-archive:` write). Member names are normalised (no
 * leading "/" or "./"); a member whose name has a ".." component is ignored.
 * Symlinks and hardlinks between members (docker-archive uses them) are
 * followed inside the archive only, at most lim->symlink_depth times.
 */
#ifndef TH_OCIARCHIVE_H
#define TH_OCIARCHIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/limits.h"

typedef struct th_ociarchive th_ociarchive;

/* Indexes the tar open on fd (borrowed; must stay open while the index is
 * used). `what` names the archive in messages. */
int th_ociarchive_open(th_ociarchive **out, int fd, const char *what, const th_limits *lim, th_error *err);
void th_ociarchive_free(th_ociarchive *a);

/* Indexes a tar held in memory (for tests and fuzzing): offsets refer to it. */
int th_ociarchive_open_mem(th_ociarchive **out, const void *data, size_t len, const char *what,
			   const th_limits *lim, th_error *err);

/* Finds a regular member by name, following links; TH_ERR_NOTFOUND if absent. */
int th_ociarchive_find(const th_ociarchive *a, const char *name, uint64_t *offset, uint64_t *size,
		       th_error *err);
/* Reads a (small) member whole into out; TH_ERR_LIMIT past max bytes. */
int th_ociarchive_read(const th_ociarchive *a, const char *name, uint64_t max, th_buf *out, th_error *err);
bool th_ociarchive_has(const th_ociarchive *a, const char *name);
size_t th_ociarchive_count(const th_ociarchive *a);

#endif
