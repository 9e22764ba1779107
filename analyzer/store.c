#include "analyzer/store.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "analyzer/store_impl.h"

/*
 * Migrations: migrations[i] takes the schema from version i to i+1. Append
 * only; never edit a migration that has shipped. Each runs inside the same
 * IMMEDIATE transaction as the version bump, so a crash mid-migration leaves
 * the previous version intact. Each entry is parenthesised (clang warns about
 * adjacent literals in an array otherwise).
 */
static const char *const migrations[] = {
	/* 0 -> 1: bookkeeping. */
	("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"),
	/* image facts (analyzer/store_image.c): one row per scan, its layers and
	 * facts; the layer cache keyed by diff_id. */
	("CREATE TABLE image_scans (id INTEGER PRIMARY KEY, ref TEXT NOT NULL, format TEXT NOT NULL,"
	 " manifest_digest TEXT, config_digest TEXT, os TEXT, arch TEXT, variant TEXT, scanned_at INTEGER NOT NULL);"
	 "CREATE TABLE image_scan_layers (scan_id INTEGER NOT NULL REFERENCES image_scans(id) ON DELETE CASCADE,"
	 " idx INTEGER NOT NULL, diff_id TEXT NOT NULL, digest TEXT, media_type TEXT, compression TEXT,"
	 " blob_bytes INTEGER, tar_bytes INTEGER, entries INTEGER, skipped INTEGER, cached INTEGER NOT NULL,"
	 " PRIMARY KEY (scan_id, idx)) WITHOUT ROWID;"
	 "CREATE TABLE image_os (scan_id INTEGER PRIMARY KEY REFERENCES image_scans(id) ON DELETE CASCADE,"
	 " id TEXT NOT NULL, version_id TEXT, name TEXT, pretty_name TEXT, family TEXT);"
	 "CREATE TABLE image_packages (scan_id INTEGER NOT NULL REFERENCES image_scans(id) ON DELETE CASCADE,"
	 " type TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL, arch TEXT, source TEXT, source_version TEXT);"
	 "CREATE INDEX image_packages_scan ON image_packages(scan_id);"
	 "CREATE TABLE image_interpreters (scan_id INTEGER NOT NULL REFERENCES image_scans(id) ON DELETE CASCADE,"
	 " path TEXT NOT NULL, version TEXT NOT NULL, version_source TEXT, library INTEGER NOT NULL, site_dirs TEXT);"
	 "CREATE TABLE image_dists (scan_id INTEGER NOT NULL REFERENCES image_scans(id) ON DELETE CASCADE,"
	 " name TEXT NOT NULL, normalized TEXT NOT NULL, version TEXT NOT NULL, location TEXT NOT NULL, kind TEXT,"
	 " installer TEXT, os_package TEXT, requires_python TEXT, requires_dist TEXT, environment TEXT, direct_url TEXT,"
	 " top_level TEXT);"
	 "CREATE INDEX image_dists_scan ON image_dists(scan_id);"
	 "CREATE TABLE image_libraries (scan_id INTEGER NOT NULL REFERENCES image_scans(id) ON DELETE CASCADE,"
	 " path TEXT NOT NULL, soname TEXT, machine TEXT, bits INTEGER, kind TEXT, version TEXT, description TEXT);"
	 "CREATE INDEX image_libraries_scan ON image_libraries(scan_id);"
	 "CREATE TABLE image_envs (scan_id INTEGER NOT NULL REFERENCES image_scans(id) ON DELETE CASCADE,"
	 " path TEXT NOT NULL, kind TEXT NOT NULL, home TEXT, version TEXT, system_site_packages INTEGER NOT NULL);"
	 "CREATE TABLE image_layer_cache (diff_id TEXT PRIMARY KEY, replay BLOB NOT NULL) WITHOUT ROWID;"),
	/* source analysis (analyzer/store_source.c): facts per content hash
	 * (API usages as one text per file, "line col import symbol" lines: a
	 * row each would be most of the database and of a cold scan's time),
	 * a stat cache per scanned root, scans with their files, declarations
	 * and findings. */
	("CREATE TABLE source_file (id INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE, has_errors INTEGER NOT NULL,"
	 " error_line INTEGER NOT NULL, encoding TEXT, problem TEXT, error TEXT, nimports INTEGER NOT NULL,"
	 " nusages INTEGER NOT NULL, usages TEXT);"
	 "CREATE TABLE source_import (file INTEGER NOT NULL REFERENCES source_file(id) ON DELETE CASCADE,"
	 " seq INTEGER NOT NULL, module TEXT NOT NULL, level INTEGER NOT NULL, alias TEXT, names TEXT,"
	 " line INTEGER NOT NULL, col INTEGER NOT NULL, kind INTEGER NOT NULL, ctx INTEGER NOT NULL,"
	 " PRIMARY KEY (file, seq)) WITHOUT ROWID;"
	 "CREATE TABLE source_stat (root TEXT NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL,"
	 " mtime_ns INTEGER NOT NULL, ino INTEGER NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (root, path)) WITHOUT ROWID;"
	 "CREATE TABLE source_scan (id INTEGER PRIMARY KEY, root TEXT NOT NULL, at INTEGER NOT NULL);"
	 "CREATE TABLE source_scan_file (scan INTEGER NOT NULL REFERENCES source_scan(id) ON DELETE CASCADE,"
	 " path TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (scan, path)) WITHOUT ROWID;"
	 "CREATE TABLE source_decl (scan INTEGER NOT NULL REFERENCES source_scan(id) ON DELETE CASCADE,"
	 " seq INTEGER NOT NULL, file TEXT NOT NULL, line INTEGER NOT NULL, name TEXT, requirement TEXT,"
	 " kind TEXT NOT NULL, grp TEXT, dev INTEGER NOT NULL, PRIMARY KEY (scan, seq)) WITHOUT ROWID;"
	 "CREATE TABLE source_finding (scan INTEGER NOT NULL REFERENCES source_scan(id) ON DELETE CASCADE,"
	 " seq INTEGER NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL, file TEXT NOT NULL, line INTEGER NOT NULL,"
	 " col INTEGER NOT NULL, subject TEXT, message TEXT NOT NULL, PRIMARY KEY (scan, seq)) WITHOUT ROWID;"),
	/* rules: compiled rule sets keyed by the content hash of their source. */
	("CREATE TABLE rules_compiled (hash TEXT PRIMARY KEY, source TEXT NOT NULL, units INTEGER NOT NULL,"
	 " blob BLOB NOT NULL, compiled_at INTEGER NOT NULL);"),
	/* knowledge base (analyzer/store_kb.c): indexes with priorities, their
	 * projects (with the page's ETag and content hash, so an unchanged page is
	 * not imported again), versions, files; core metadata addressed by its
	 * sha256 (fetched once) with its dependencies; OSV advisories. */
	("CREATE TABLE kb_index (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, url TEXT NOT NULL,"
	 " priority INTEGER NOT NULL DEFAULT 0);"
	 "CREATE TABLE kb_project (id INTEGER PRIMARY KEY,"
	 " index_id INTEGER NOT NULL REFERENCES kb_index(id) ON DELETE CASCADE, name TEXT NOT NULL,"
	 " display_name TEXT NOT NULL, etag TEXT, page_hash TEXT, UNIQUE (name, index_id));"
	 "CREATE TABLE kb_version (id INTEGER PRIMARY KEY,"
	 " project_id INTEGER NOT NULL REFERENCES kb_project(id) ON DELETE CASCADE, version TEXT NOT NULL,"
	 " UNIQUE (project_id, version));"
	/* requires: the Requires-Dist values in order, joined by '\n' (core
	 * metadata values are unfolded, so none holds a newline); one row per
	 * metadata file instead of one per dependency keeps imports fast. */
	 "CREATE TABLE kb_metadata (hash TEXT PRIMARY KEY, name TEXT NOT NULL, version TEXT NOT NULL,"
	 " requires_python TEXT, requires TEXT NOT NULL, nrequires INTEGER NOT NULL) WITHOUT ROWID;"
	 "CREATE TABLE kb_file (id INTEGER PRIMARY KEY,"
	 " version_id INTEGER NOT NULL REFERENCES kb_version(id) ON DELETE CASCADE, filename TEXT NOT NULL,"
	 " url TEXT NOT NULL, tags TEXT, hash_name TEXT, hash TEXT, requires_python TEXT,"
	 " yanked INTEGER NOT NULL DEFAULT 0, yanked_reason TEXT, upload_time TEXT, size INTEGER,"
	 " metadata_hash TEXT REFERENCES kb_metadata(hash) DEFERRABLE INITIALLY DEFERRED,"
	 " UNIQUE (version_id, filename));"
	 "CREATE INDEX kb_file_metadata ON kb_file (metadata_hash);"
	 "CREATE TABLE kb_advisory (id TEXT PRIMARY KEY, summary TEXT, details TEXT, aliases TEXT,"
	 " severity TEXT, modified TEXT, published TEXT, withdrawn TEXT) WITHOUT ROWID;"
	 "CREATE TABLE kb_affected (id INTEGER PRIMARY KEY,"
	 " advisory_id TEXT NOT NULL REFERENCES kb_advisory(id) ON DELETE CASCADE, name TEXT NOT NULL,"
	 " versions TEXT);"
	 "CREATE INDEX kb_affected_name ON kb_affected (name);"
	 "CREATE INDEX kb_affected_advisory ON kb_affected (advisory_id);"
	 "CREATE TABLE kb_range (affected_id INTEGER NOT NULL REFERENCES kb_affected(id) ON DELETE CASCADE,"
	 " seq INTEGER NOT NULL, type TEXT NOT NULL, events TEXT NOT NULL, PRIMARY KEY (affected_id, seq))"
	 " WITHOUT ROWID;"),
	/* image distributions: their console_scripts entry points (one per
	 * line) and the number of files RECORD / installed-files.txt lists. */
	("ALTER TABLE image_dists ADD COLUMN entry_points TEXT;"
	 "ALTER TABLE image_dists ADD COLUMN files INTEGER;"),
	/* conda packages (type 'conda'): their build string, channel and the
	 * prefix they are installed in. */
	("ALTER TABLE image_packages ADD COLUMN build TEXT;"
	 "ALTER TABLE image_packages ADD COLUMN channel TEXT;"
	 "ALTER TABLE image_packages ADD COLUMN environment TEXT;"),
	/* image facts read back as a library (analyzer/imgscan): the config's
	 * history, env, entrypoint, cmd and labels (lists as NUL-terminated
	 * strings one after another: labels and commands may hold newlines), the
	 * tree's cost, the fields the reports print that were not kept, and the
	 * top-level import names a distribution's RECORD lists; the indexes find
	 * the latest scan of an image by its digests. */
	("CREATE TABLE image_history (scan_id INTEGER NOT NULL REFERENCES image_scans(id) ON DELETE CASCADE,"
	 " idx INTEGER NOT NULL, created TEXT, created_by TEXT, author TEXT, comment TEXT, empty_layer INTEGER NOT NULL,"
	 " PRIMARY KEY (scan_id, idx)) WITHOUT ROWID;"
	 "ALTER TABLE image_scans ADD COLUMN env BLOB;"
	 "ALTER TABLE image_scans ADD COLUMN entrypoint BLOB;"
	 "ALTER TABLE image_scans ADD COLUMN cmd BLOB;"
	 "ALTER TABLE image_scans ADD COLUMN labels BLOB;"
	 "ALTER TABLE image_scans ADD COLUMN tree_nodes INTEGER;"
	 "ALTER TABLE image_scans ADD COLUMN tree_created INTEGER;"
	 "ALTER TABLE image_scans ADD COLUMN tree_bytes INTEGER;"
	 "ALTER TABLE image_scans ADD COLUMN kept_bytes INTEGER;"
	 "CREATE INDEX image_scans_config ON image_scans(config_digest);"
	 "CREATE INDEX image_scans_manifest ON image_scans(manifest_digest);"
	 "ALTER TABLE image_os ADD COLUMN id_like TEXT;"
	 "ALTER TABLE image_os ADD COLUMN codename TEXT;"
	 "ALTER TABLE image_dists ADD COLUMN path TEXT;"
	 "ALTER TABLE image_dists ADD COLUMN provides_extra TEXT;"
	 "ALTER TABLE image_dists ADD COLUMN summary TEXT;"
	 "ALTER TABLE image_dists ADD COLUMN from_dirname INTEGER;"
	 "ALTER TABLE image_dists ADD COLUMN record_names TEXT;"
	 "ALTER TABLE image_libraries ADD COLUMN glibc_max TEXT;"
	 "CREATE INDEX image_interpreters_scan ON image_interpreters(scan_id);"
	 "CREATE INDEX image_envs_scan ON image_envs(scan_id);"),
	/* source scans: the digest of what a scan found (files, declarations,
	 * findings); a scan finding exactly what an earlier scan of the same
	 * root found points at it (same_as) instead of repeating its rows. */
	("ALTER TABLE source_scan ADD COLUMN digest TEXT;"
	 "ALTER TABLE source_scan ADD COLUMN same_as INTEGER;"
	 "CREATE INDEX source_scan_root ON source_scan (root, digest);"),
	/* knowledge base facts (analyzer/store_kb.c): the
	 * import names each distribution version provides (top_level.txt, else
	 * RECORD), looked up by name; performance observations (benchmark
	 * results, e.g. Dependency Monkey runs), one row per pinned package of
	 * an observation, with the environment it ran on, replaced per imported
	 * file (its sha256). */
	("CREATE TABLE kb_import_name (version_id INTEGER NOT NULL REFERENCES kb_version(id) ON DELETE CASCADE,"
	 " name TEXT NOT NULL, PRIMARY KEY (version_id, name)) WITHOUT ROWID;"
	 "CREATE INDEX kb_import_name_name ON kb_import_name (name);"
	 "CREATE TABLE kb_observation (id INTEGER PRIMARY KEY, file_hash TEXT NOT NULL, seq INTEGER NOT NULL,"
	 " name TEXT NOT NULL, version TEXT NOT NULL, stack TEXT, metric TEXT NOT NULL, value REAL NOT NULL,"
	 " unit TEXT, higher_is_better INTEGER NOT NULL, python TEXT, os_name TEXT, os_version TEXT, arch TEXT,"
	 " cuda TEXT, cpu TEXT, source TEXT);"
	 "CREATE INDEX kb_observation_name ON kb_observation (name);"
	 "CREATE INDEX kb_observation_file ON kb_observation (file_hash);"),
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int th_store_schema_latest(void)
{
	return NMIGRATIONS;
}

int store__dberr(th_error *err, sqlite3 *db, const char *path, const char *doing)
{
	return th_error_set(err, TH_ERR_DB, "%s: %s: %s", path, doing, db ? sqlite3_errmsg(db) : "out of memory");
}

int th_store_default_path(th_buf *out, th_error *err)
{
	const char *v = getenv("THOTH_DB");

	th_buf_clear(out);
	if (v && *v)
		return th_buf_puts(out, v, err);
	v = getenv("XDG_CACHE_HOME");
	if (v && *v == '/')
		return th_buf_printf(out, err, "%s/thoth/thoth.db", v);
	v = getenv("HOME");
	if (v && *v)
		return th_buf_printf(out, err, "%s/.cache/thoth/thoth.db", v);
	return th_error_set(err, TH_ERR_USAGE, "no database given: set --db, THOTH_DB or HOME");
}

/* Creates the parent directories of a database path (private to the user). */
static int store__mkparents(const char *path, th_error *err)
{
	char *dir = strdup(path);
	int rc = 0;

	if (!dir)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST) {
			rc = th_error_set(err, TH_ERR_IO, "%s: cannot create directory %s: %s", path, dir, strerror(errno));
			break;
		}
		*p = '/';
	}
	free(dir);
	return rc;
}

int store__exec(th_store *s, const char *sql, const char *doing, th_error *err)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int rc = th_error_set(err, TH_ERR_DB, "%s: %s: %s", s->path, doing, msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return rc;
	}
	return 0;
}

static int store__user_version(th_store *s)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int store__migrate(th_store *s, th_error *err)
{
	char sql[64];
	int v = store__user_version(s), rc;

	if (v < 0)
		return store__dberr(err, s->db, s->path, "cannot read the schema version");
	if (v > NMIGRATIONS)
		return th_error_set(err, TH_ERR_DB, "%s: schema version %d is newer than this thoth understands (%d); use a newer thoth",
				    s->path, v, NMIGRATIONS);
	if (v == NMIGRATIONS)
		return 0;
	if ((rc = th_store_begin(s, err)))
		return rc;
	/* Another process may have migrated while we waited for the lock. */
	for (v = store__user_version(s); v < NMIGRATIONS; v++) {
		if ((rc = store__exec(s, migrations[v], "migrating the schema", err)))
			goto fail;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if ((rc = store__exec(s, sql, "migrating the schema", err)))
			goto fail;
	}
	return th_store_commit(s, err);
fail:
	th_store_rollback(s);
	return rc;
}

/*
 * Switches a database to WAL once. Several processes may open a new file at
 * the same moment; the switch needs a lock SQLite does not always wait for,
 * so a busy answer is retried (bounded) instead of failing the command.
 */
static int store__wal(th_store *s, th_error *err)
{
	for (int attempt = 0;; attempt++) {
		sqlite3_stmt *st;
		int step, wal = 0;

		if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK)
			return store__dberr(err, s->db, s->path, "cannot switch to WAL");
		step = sqlite3_step(st);
		if (step == SQLITE_ROW) {
			const char *mode = (const char *)sqlite3_column_text(st, 0);
			wal = mode && !strcmp(mode, "wal");
		}
		sqlite3_finalize(st);
		if (wal)
			return 0;
		if (((step & 0xff) != SQLITE_BUSY && (step & 0xff) != SQLITE_LOCKED && step != SQLITE_ROW) ||
		    attempt >= 200)
			return store__dberr(err, s->db, s->path, "cannot switch to WAL");
		sqlite3_sleep(50);
	}
}

/* Bytes of the file reads may map (SQLite caps it at its own maximum). */
#define STORE__MMAP "1073741824"
/* Page cache: 64 MiB (SQLite's default is 2 MiB). A transaction whose
 * changed pages outgrow the cache spills them to the WAL and writes many
 * of them again when they change once more: a cold scan of the Python
 * library (~40 MiB of facts) wrote 175 MiB with the default, 86 MiB (each
 * page once to the WAL, once at the checkpoint) with this. */
#define STORE__CACHE_KIB "65536"

int th_store_open(th_store **out, const char *path, th_error *err)
{
	th_store *s;
	int rc;

	*out = NULL;
	if (!path || !*path)
		return th_error_set(err, TH_ERR_USAGE, "empty database path");
	s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	}
	if ((rc = store__mkparents(path, err)))
		goto fail;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW,
			    NULL) != SQLITE_OK) {
		rc = store__dberr(err, s->db, path, "cannot open the database");
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, 60000);
	/* A database is data: never let its schema run functions with side effects. */
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	/* mmap_size: reads map the file instead of copying each page out of
	 * the kernel with pread (an advise reads ~900 pages); a read that
	 * fails through the map is an I/O error like a failed pread. */
	if ((rc = store__wal(s, err)) ||
	    (rc = store__exec(s, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA mmap_size = " STORE__MMAP
			      "; PRAGMA cache_size = -" STORE__CACHE_KIB,
			      "cannot configure the database", err)))
		goto fail;
	if ((rc = store__migrate(s, err)))
		goto fail;
	*out = s;
	return 0;
fail:
	th_store_free(s);
	return rc;
}

void th_store_free(th_store *s)
{
	if (!s)
		return;
	th_store_rollback(s);
	for (int i = 0; i < s->ncached; i++)
		sqlite3_finalize(s->cached[i].st);
	sqlite3_close_v2(s->db);
	free(s->path);
	free(s);
}

int store__stmt_get(th_store *s, sqlite3_stmt **out, const char *sql, th_error *err)
{
	int i;

	*out = NULL;
	for (i = 0; i < s->ncached; i++) {
		if (s->cached[i].sql == sql || !strcmp(s->cached[i].sql, sql)) {
			if (s->cached[i].busy)
				break; /* in use further up the stack: a private one below */
			s->cached[i].busy = 1;
			*out = s->cached[i].st;
			return 0;
		}
	}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL) != SQLITE_OK)
		return store__dberr(err, s->db, s->path, "preparing a query");
	if (i == s->ncached && s->ncached < STORE__CACHED) {
		s->cached[s->ncached].sql = sql;
		s->cached[s->ncached].st = *out;
		s->cached[s->ncached].busy = 1;
		s->ncached++;
	}
	return 0;
}

void store__stmt_put(th_store *s, sqlite3_stmt *st)
{
	if (!st)
		return;
	for (int i = 0; i < s->ncached; i++) {
		if (s->cached[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			s->cached[i].busy = 0;
			return;
		}
	}
	sqlite3_finalize(st);
}

const char *th_store_path(const th_store *s)
{
	return s->path;
}

int th_store_schema_version(th_store *s)
{
	return store__user_version(s);
}

int th_store_begin(th_store *s, th_error *err)
{
	int rc;

	if (s->in_txn)
		return th_error_set(err, TH_ERR_DB, "%s: a transaction is already open", s->path);
	if ((rc = store__exec(s, "BEGIN IMMEDIATE", "cannot start a transaction", err)))
		return rc;
	s->in_txn = 1;
	return 0;
}

int th_store_commit(th_store *s, th_error *err)
{
	int rc;

	if (!s->in_txn)
		return th_error_set(err, TH_ERR_DB, "%s: commit without a transaction", s->path);
	rc = store__exec(s, "COMMIT", "cannot commit", err);
	if (rc) {
		th_store_rollback(s);
		return rc;
	}
	s->in_txn = 0;
	return 0;
}

void th_store_rollback(th_store *s)
{
	if (s && s->in_txn) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		s->in_txn = 0;
	}
}

int th_store_check(th_store *s, th_error *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK)
		return store__dberr(err, s->db, s->path, "cannot check integrity");
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(st, 0);
		if (!r || strcmp(r, "ok"))
			rc = th_error_set(err, TH_ERR_DB, "%s: integrity check failed: %s", s->path, r ? r : "?");
	} else {
		rc = store__dberr(err, s->db, s->path, "cannot check integrity");
	}
	sqlite3_finalize(st);
	return rc;
}

int th_store_meta_set(th_store *s, const char *key, const char *value, th_error *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	if ((rc = store__stmt_get(s, &st, "INSERT INTO meta(key, value) VALUES (?1, ?2) "
				  "ON CONFLICT(key) DO UPDATE SET value = excluded.value", err)))
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store__dberr(err, s->db, s->path, "cannot write");
	store__stmt_put(s, st);
	return rc;
}

int th_store_meta_get(th_store *s, const char *key, th_buf *out, th_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = store__stmt_get(s, &st, "SELECT value FROM meta WHERE key = ?1", err)))
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		th_buf_clear(out);
		rc = th_buf_put(out, sqlite3_column_text(st, 0), (size_t)sqlite3_column_bytes(st, 0), err);
	} else if (rc == SQLITE_DONE) {
		rc = th_error_set(err, TH_ERR_NOTFOUND, "%s: no meta key '%s'", s->path, key);
	} else {
		rc = store__dberr(err, s->db, s->path, "cannot read");
	}
	store__stmt_put(s, st);
	return rc;
}

int th_store_meta_count(th_store *s, const char *prefix, int64_t *out, th_error *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM meta WHERE substr(key, 1, length(?1)) = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return store__dberr(err, s->db, s->path, "cannot prepare a read");
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else
		rc = store__dberr(err, s->db, s->path, "cannot read");
	sqlite3_finalize(st);
	return rc;
}

/* ---- databases found inside images ---- */

struct th_store_image {
	sqlite3 *db;
	char *what;          /* owned */
	uint64_t query_ms;
	struct timespec deadline;
};

static int image__progress(void *ud)
{
	th_store_image *im = ud;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > im->deadline.tv_sec ||
	       (now.tv_sec == im->deadline.tv_sec && now.tv_nsec > im->deadline.tv_nsec);
}

int th_store_image_open(th_store_image **out, const void *bytes, size_t len, const char *what,
			const th_limits *lim, th_error *err)
{
	th_store_image *im;
	unsigned char *copy;
	int rc;

	*out = NULL;
	if (len > lim->db_image_bytes)
		return th_error_set(err, TH_ERR_LIMIT, "%s: database of %zu bytes exceeds the limit of %llu (db_image_bytes)",
				    what, len, (unsigned long long)lim->db_image_bytes);
	if (len < 100 || memcmp(bytes, "SQLite format 3", 16))
		return th_error_set(err, TH_ERR_INVALID, "%s: not an SQLite database", what);
	im = calloc(1, sizeof(*im));
	if (!im || !(im->what = strdup(what))) {
		free(im);
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	}
	im->query_ms = lim->db_query_ms;
	if (sqlite3_open_v2(":memory:", &im->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		rc = th_error_set(err, TH_ERR_DB, "%s: cannot open an in-memory database", what);
		goto fail;
	}
	/* Defensive: no writes to the schema, no trusted schema functions, no
	 * extensions, and tight limits on what one value or statement may be. */
	sqlite3_db_config(im->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(im->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(im->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
	sqlite3_db_config(im->db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
	sqlite3_limit(im->db, SQLITE_LIMIT_LENGTH, 64 << 20);
	sqlite3_limit(im->db, SQLITE_LIMIT_SQL_LENGTH, 100000);
	sqlite3_limit(im->db, SQLITE_LIMIT_COLUMN, 100);
	sqlite3_limit(im->db, SQLITE_LIMIT_EXPR_DEPTH, 10);
	sqlite3_limit(im->db, SQLITE_LIMIT_COMPOUND_SELECT, 3);
	sqlite3_limit(im->db, SQLITE_LIMIT_VDBE_OP, 25000);
	sqlite3_limit(im->db, SQLITE_LIMIT_FUNCTION_ARG, 8);
	sqlite3_limit(im->db, SQLITE_LIMIT_ATTACHED, 0);
	sqlite3_limit(im->db, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 50);
	sqlite3_limit(im->db, SQLITE_LIMIT_VARIABLE_NUMBER, 10);
	sqlite3_limit(im->db, SQLITE_LIMIT_TRIGGER_DEPTH, 1);
	copy = sqlite3_malloc64(len);
	if (!copy) {
		rc = th_error_set(err, TH_ERR_NOMEM, "%s: out of memory", what);
		goto fail;
	}
	memcpy(copy, bytes, len);
	/* A database left in WAL mode cannot be deserialized; its main file is
	 * what we have, so read it as a rollback-journal database. */
	if (copy[18] == 2)
		copy[18] = 1;
	if (copy[19] == 2)
		copy[19] = 1;
	if (sqlite3_deserialize(im->db, "main", copy, (sqlite3_int64)len, (sqlite3_int64)len,
				SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY) != SQLITE_OK) {
		rc = th_error_set(err, TH_ERR_INVALID, "%s: not a usable SQLite database: %s", what, sqlite3_errmsg(im->db));
		goto fail;
	}
	if (sqlite3_exec(im->db, "PRAGMA query_only = 1; PRAGMA cell_size_check = 1; PRAGMA mmap_size = 0",
			 NULL, NULL, NULL) != SQLITE_OK) {
		rc = th_error_set(err, TH_ERR_INVALID, "%s: %s", what, sqlite3_errmsg(im->db));
		goto fail;
	}
	sqlite3_progress_handler(im->db, 1000, image__progress, im);
	*out = im;
	return 0;
fail:
	th_store_image_free(im);
	return rc;
}

void th_store_image_free(th_store_image *im)
{
	if (!im)
		return;
	sqlite3_close_v2(im->db);
	free(im->what);
	free(im);
}

int th_store_image_query(th_store_image *im, const char *sql, th_store_image_row_fn fn, void *ud,
			 th_error *err)
{
	enum { MAXCOLS = 16 };
	const void *vals[MAXCOLS];
	size_t lens[MAXCOLS];
	sqlite3_stmt *st = NULL;
	int rc = 0, step, n;

	clock_gettime(CLOCK_MONOTONIC, &im->deadline);
	im->deadline.tv_sec += (time_t)(im->query_ms / 1000);
	im->deadline.tv_nsec += (long)(im->query_ms % 1000) * 1000000L;
	if (im->deadline.tv_nsec >= 1000000000L) {
		im->deadline.tv_sec++;
		im->deadline.tv_nsec -= 1000000000L;
	}
	if (sqlite3_prepare_v2(im->db, sql, -1, &st, NULL) != SQLITE_OK)
		return th_error_set(err, TH_ERR_INVALID, "%s: unexpected database layout: %s", im->what,
				    sqlite3_errmsg(im->db));
	n = sqlite3_column_count(st);
	if (n > MAXCOLS)
		n = MAXCOLS;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < n; i++) {
			if (sqlite3_column_type(st, i) == SQLITE_NULL) {
				vals[i] = NULL;
				lens[i] = 0;
			} else {
				vals[i] = sqlite3_column_blob(st, i);
				lens[i] = (size_t)sqlite3_column_bytes(st, i);
			}
		}
		if ((rc = fn(ud, n, vals, lens)))
			break;
	}
	if (!rc && step != SQLITE_DONE) {
		if (step == SQLITE_INTERRUPT)
			rc = th_error_set(err, TH_ERR_LIMIT, "%s: query took longer than %llu ms (db_query_ms)", im->what,
					  (unsigned long long)im->query_ms);
		else
			rc = th_error_set(err, TH_ERR_INVALID, "%s: corrupt database: %s", im->what, sqlite3_errmsg(im->db));
	}
	sqlite3_finalize(st);
	return rc;
}
