/*
 * store — the facts database. The only module that includes sqlite3.h (its
 * files: store.c here, and store_<area>.c for the typed API of each area of
 * facts, sharing analyzer/store_impl.h).
 *
 * One SQLite file holds everything thoth learns: scans, facts, the knowledge
 * base, compiled rules. Its schema is versioned (PRAGMA user_version) and
 * migrated forward on open; a database written by a newer thoth is refused
 * rather than damaged. The file is opened in WAL mode with a busy timeout so
 * several thoth processes can share it. A command that writes does all its
 * writing between th_store_begin() and th_store_commit(): a process killed in
 * between leaves the database exactly as it was.
 *
 * The store also opens SQLite files found inside images (the RPM database)
 * through th_store_image_*: read-only, in memory, defensive, with tight
 * limits and a time bound, because such a file is hostile input.
 */
#ifndef TH_STORE_H
#define TH_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/limits.h"

typedef struct th_store th_store;

/* The schema version this build writes. */
int th_store_schema_latest(void);

/* The default database path: $THOTH_DB, else $XDG_CACHE_HOME/thoth/thoth.db,
 * else $HOME/.cache/thoth/thoth.db. Only the path is computed. */
int th_store_default_path(th_buf *out, th_error *err);

/* Opens (creating the file and, for the default path, its directory) and
 * migrates the schema. */
int th_store_open(th_store **out, const char *path, th_error *err);
void th_store_free(th_store *s);

const char *th_store_path(const th_store *s);
int th_store_schema_version(th_store *s);

/* One write transaction (BEGIN IMMEDIATE). Rollback is safe to call when no
 * transaction is open. Transactions do not nest. */
int th_store_begin(th_store *s, th_error *err);
int th_store_commit(th_store *s, th_error *err);
void th_store_rollback(th_store *s);

/* Runs PRAGMA integrity_check; TH_ERR_DB with SQLite's first complaint. */
int th_store_check(th_store *s, th_error *err);

/* A small key/value table for the store's own bookkeeping and for tests. */
int th_store_meta_set(th_store *s, const char *key, const char *value, th_error *err);
/* TH_ERR_NOTFOUND when the key is absent. */
int th_store_meta_get(th_store *s, const char *key, th_buf *out, th_error *err);
int th_store_meta_count(th_store *s, const char *prefix, int64_t *out, th_error *err);

/* ---- SQLite databases found inside images (hostile input) ---- */

typedef struct th_store_image th_store_image;

/* Copies (bytes, len) into a read-only in-memory database. `what` names the
 * file in messages. Fails with TH_ERR_INVALID on anything that is not a
 * usable SQLite database, TH_ERR_LIMIT past lim->db_image_bytes. */
int th_store_image_open(th_store_image **out, const void *bytes, size_t len, const char *what,
			const th_limits *lim, th_error *err);
void th_store_image_free(th_store_image *db);

/* One row: column values as bytes (NULL for SQL NULL), their lengths.
 * Return non-zero to stop; that value is returned by th_store_image_query. */
typedef int (*th_store_image_row_fn)(void *ud, int ncols, const void *const *vals, const size_t *lens);

/* Runs one of thoth's own queries (never text from the image) over the
 * database, bounded by lim->db_query_ms. */
int th_store_image_query(th_store_image *db, const char *sql, th_store_image_row_fn fn, void *ud,
			 th_error *err);

#endif
