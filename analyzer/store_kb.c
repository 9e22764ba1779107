/* store_kb — the knowledge base tables, see store_kb.h. */
#include "analyzer/store_kb.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/store_impl.h"
#include "core/json.h"

enum {
	Q_INDEX_PUT, Q_INDEX_ID, Q_PROJECT_STATE, Q_PROJECT_INS, Q_PROJECT_UPD, Q_PROJECT_CLEAR, Q_VERSION_INS,
	Q_FILE_INS, Q_FILE_MD, Q_MD_HAS, Q_PROJECT_KNOWN, Q_PROJECT_KNOWN_IN, Q_PROJECT_STATES, Q_MD_INS, Q_ADV_DEL, Q_ADV_INS, Q_AFF_INS, Q_RANGE_INS, Q_NAME_INS, Q_OBS_DEL, Q_OBS_INS,
	Q_WNAMES_GET, Q_WNAMES_PUT, Q_N
};

static const char *const kb__sql[Q_N] = {
	[Q_INDEX_PUT] = "INSERT INTO kb_index (name, url, priority) VALUES (?1, ?2, ?3)"
			" ON CONFLICT (name) DO UPDATE SET url = excluded.url, priority = excluded.priority",
	[Q_INDEX_ID] = "SELECT id FROM kb_index WHERE name = ?1",
	[Q_PROJECT_STATE] = "SELECT etag, page_hash FROM kb_project WHERE index_id = ?1 AND name = ?2",
	[Q_PROJECT_INS] = "INSERT INTO kb_project (index_id, name, display_name, etag, page_hash)"
			  " VALUES (?1, ?2, ?3, ?4, ?5)"
			  " ON CONFLICT (name, index_id) DO UPDATE SET display_name = excluded.display_name,"
			  " etag = excluded.etag, page_hash = excluded.page_hash",
	[Q_PROJECT_UPD] = "SELECT id FROM kb_project WHERE index_id = ?1 AND name = ?2",
	[Q_PROJECT_CLEAR] = "DELETE FROM kb_version WHERE project_id = ?1",
	[Q_VERSION_INS] = "INSERT INTO kb_version (project_id, version) VALUES (?1, ?2)"
			  " ON CONFLICT (project_id, version) DO UPDATE SET version = excluded.version RETURNING id",
	[Q_FILE_INS] = "INSERT OR REPLACE INTO kb_file (version_id, filename, url, tags, hash_name, hash,"
		       " requires_python, yanked, yanked_reason, upload_time, size, metadata_hash)"
		       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[Q_FILE_MD] = "UPDATE kb_file SET metadata_hash = ?2 WHERE id = ?1",
	[Q_MD_HAS] = "SELECT 1 FROM kb_metadata WHERE hash = ?1",
	[Q_PROJECT_KNOWN] = "SELECT 1 FROM kb_project WHERE name = ?1 LIMIT 1",
	[Q_PROJECT_STATES] = "SELECT name, coalesce(etag, ''), coalesce(page_hash, '') FROM kb_project"
			     " WHERE index_id = ?1",
	[Q_PROJECT_KNOWN_IN] = "SELECT 1 FROM kb_project p JOIN kb_index i ON i.id = p.index_id"
			       " WHERE p.name = ?1 AND i.name = ?2",
	[Q_MD_INS] = "INSERT OR IGNORE INTO kb_metadata (hash, name, version, requires_python, requires, nrequires)"
		     " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[Q_ADV_DEL] = "DELETE FROM kb_advisory WHERE id = ?1",
	[Q_ADV_INS] = "INSERT INTO kb_advisory (id, summary, details, aliases, severity, modified, published, withdrawn)"
		      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[Q_AFF_INS] = "INSERT INTO kb_affected (advisory_id, name, versions) VALUES (?1, ?2, ?3)",
	[Q_RANGE_INS] = "INSERT INTO kb_range (affected_id, seq, type, events) VALUES (?1, ?2, ?3, ?4)",
	[Q_NAME_INS] = "INSERT OR IGNORE INTO kb_import_name (version_id, name) VALUES (?1, ?2)",
	[Q_WNAMES_GET] = "SELECT names FROM kb_wheel_names WHERE key = ?1",
	[Q_WNAMES_PUT] = "INSERT OR REPLACE INTO kb_wheel_names (key, names) VALUES (?1, ?2)",
	[Q_OBS_DEL] = "DELETE FROM kb_observation WHERE file_hash = ?1",
	[Q_OBS_INS] = "INSERT INTO kb_observation (file_hash, seq, name, version, stack, metric, value, unit,"
		      " higher_is_better, python, os_name, os_version, arch, cuda, cpu, source)"
		      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
};

struct th_kb_writer {
	th_store *s;
	sqlite3_stmt *q[Q_N];
	th_buf tmp; /* JSON columns of advisories */
};

static const char *const kb__event_names[] = { "introduced", "fixed", "last_affected", "limit" };

int th_kb_writer_new(th_kb_writer **out, th_store *s, th_error *err)
{
	th_kb_writer *w = calloc(1, sizeof(*w));

	*out = NULL;
	if (!w)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	w->s = s;
	th_buf_init(&w->tmp, 0);
	/* An import touches tens of thousands of rows in one transaction: a
	 * bigger page cache keeps them off the disk until the commit. */
	if (store__exec(s, "PRAGMA cache_size = -65536", "sizing the page cache", err)) {
		free(w);
		return TH_ERR_DB;
	}
	for (int i = 0; i < Q_N; i++) {
		if (sqlite3_prepare_v3(s->db, kb__sql[i], -1, SQLITE_PREPARE_PERSISTENT, &w->q[i], NULL) != SQLITE_OK) {
			int rc = store__dberr(err, s->db, s->path, "preparing the knowledge base statements");
			th_kb_writer_free(w);
			return rc;
		}
	}
	*out = w;
	return 0;
}

void th_kb_writer_free(th_kb_writer *w)
{
	if (!w)
		return;
	for (int i = 0; i < Q_N; i++)
		sqlite3_finalize(w->q[i]);
	th_buf_release(&w->tmp);
	free(w);
}

static sqlite3_stmt *kb__q(th_kb_writer *w, int i)
{
	sqlite3_reset(w->q[i]);
	sqlite3_clear_bindings(w->q[i]);
	return w->q[i];
}

static void kb__text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* Steps a statement that returns no row (or ignores it). */
static int kb__done(th_kb_writer *w, sqlite3_stmt *st, const char *doing, th_error *err)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store__dberr(err, w->s->db, w->s->path, doing);
	sqlite3_reset(st);
	return 0;
}

static int kb__id(th_kb_writer *w, sqlite3_stmt *st, int64_t *out, const char *doing, th_error *err)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		return 0;
	}
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return th_error_set(err, TH_ERR_NOTFOUND, "%s: %s: no row", w->s->path, doing);
	}
	return store__dberr(err, w->s->db, w->s->path, doing);
}

int th_kb_index_put(th_kb_writer *w, const char *name, const char *url, int priority, int64_t *out_id,
		    th_error *err)
{
	sqlite3_stmt *st = kb__q(w, Q_INDEX_PUT);
	int rc;

	kb__text(st, 1, name);
	kb__text(st, 2, url);
	sqlite3_bind_int(st, 3, priority);
	if ((rc = kb__done(w, st, "recording an index", err)))
		return rc;
	st = kb__q(w, Q_INDEX_ID);
	kb__text(st, 1, name);
	return kb__id(w, st, out_id, "recording an index", err);
}

int th_kb_project_states(th_kb_writer *w, int64_t index_id, th_kb_state_fn fn, void *ud, th_error *err)
{
	sqlite3_stmt *st = kb__q(w, Q_PROJECT_STATES);
	int rc = 0, step;

	sqlite3_bind_int64(st, 1, index_id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = fn(ud, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
			     (const char *)sqlite3_column_text(st, 2))))
			break;
	if (!rc && step != SQLITE_DONE)
		rc = store__dberr(err, w->s->db, w->s->path, "reading the projects of an index");
	sqlite3_reset(st);
	return rc;
}

int th_kb_project_state(th_kb_writer *w, int64_t index_id, const char *name, th_buf *etag, th_buf *page_hash,
			th_error *err)
{
	sqlite3_stmt *st = kb__q(w, Q_PROJECT_STATE);
	int rc;

	th_buf_clear(etag);
	th_buf_clear(page_hash);
	sqlite3_bind_int64(st, 1, index_id);
	kb__text(st, 2, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return TH_ERR_NOTFOUND; /* an answer, not a failure: err stays unset */
	}
	if (rc != SQLITE_ROW)
		return store__dberr(err, w->s->db, w->s->path, "reading a project");
	if ((sqlite3_column_text(st, 0) && (rc = th_buf_puts(etag, (const char *)sqlite3_column_text(st, 0), err))) ||
	    (sqlite3_column_text(st, 1) &&
	     (rc = th_buf_puts(page_hash, (const char *)sqlite3_column_text(st, 1), err)))) {
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	return 0;
}

int th_kb_project_put(th_kb_writer *w, int64_t index_id, const char *name, const char *display_name,
		      const char *etag, const char *page_hash, int64_t *out_id, th_error *err)
{
	sqlite3_stmt *st = kb__q(w, Q_PROJECT_INS);
	int rc;

	sqlite3_bind_int64(st, 1, index_id);
	kb__text(st, 2, name);
	kb__text(st, 3, display_name ? display_name : name);
	kb__text(st, 4, etag);
	kb__text(st, 5, page_hash);
	if ((rc = kb__done(w, st, "recording a project", err)))
		return rc;
	st = kb__q(w, Q_PROJECT_UPD);
	sqlite3_bind_int64(st, 1, index_id);
	kb__text(st, 2, name);
	if ((rc = kb__id(w, st, out_id, "recording a project", err)))
		return rc;
	st = kb__q(w, Q_PROJECT_CLEAR);
	sqlite3_bind_int64(st, 1, *out_id);
	return kb__done(w, st, "replacing a project's files", err);
}

int th_kb_version_put(th_kb_writer *w, int64_t project_id, const char *version, int64_t *out_id, th_error *err)
{
	sqlite3_stmt *st = kb__q(w, Q_VERSION_INS);

	sqlite3_bind_int64(st, 1, project_id);
	kb__text(st, 2, version);
	return kb__id(w, st, out_id, "recording a version", err);
}

int th_kb_file_put(th_kb_writer *w, int64_t version_id, const th_kb_file *f, int64_t *out_id, th_error *err)
{
	sqlite3_stmt *st = kb__q(w, Q_FILE_INS);
	int rc;

	sqlite3_bind_int64(st, 1, version_id);
	kb__text(st, 2, f->filename);
	kb__text(st, 3, f->url);
	kb__text(st, 4, f->tags);
	kb__text(st, 5, f->hash_name);
	kb__text(st, 6, f->hash);
	kb__text(st, 7, f->requires_python);
	sqlite3_bind_int(st, 8, f->yanked ? 1 : 0);
	kb__text(st, 9, f->yanked_reason);
	kb__text(st, 10, f->upload_time);
	if (f->size >= 0)
		sqlite3_bind_int64(st, 11, f->size);
	kb__text(st, 12, f->metadata_hash);
	if ((rc = kb__done(w, st, "recording a file", err)))
		return rc;
	if (out_id)
		*out_id = sqlite3_last_insert_rowid(w->s->db);
	return 0;
}

int th_kb_file_set_metadata(th_kb_writer *w, int64_t file_id, const char *sha256, th_error *err)
{
	sqlite3_stmt *st = kb__q(w, Q_FILE_MD);

	sqlite3_bind_int64(st, 1, file_id);
	kb__text(st, 2, sha256);
	return kb__done(w, st, "recording a file's metadata", err);
}

/* Runs an existence query with one or two keys (key2 NULL: one). */
static int kb__exists(th_kb_writer *w, int q, const char *key, const char *key2, int *out, const char *doing,
		      th_error *err)
{
	sqlite3_stmt *st = kb__q(w, q);
	int rc;

	kb__text(st, 1, key);
	if (key2)
		kb__text(st, 2, key2);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store__dberr(err, w->s->db, w->s->path, doing);
	*out = rc == SQLITE_ROW;
	return 0;
}

int th_kb_metadata_has(th_kb_writer *w, const char *sha256, int *out, th_error *err)
{
	return kb__exists(w, Q_MD_HAS, sha256, NULL, out, "looking up core metadata", err);
}

int th_kb_project_known(th_kb_writer *w, const char *name, int *out, th_error *err)
{
	return kb__exists(w, Q_PROJECT_KNOWN, name, NULL, out, "looking up a project", err);
}

int th_kb_project_known_in(th_kb_writer *w, const char *index_name, const char *name, int *out, th_error *err)
{
	return kb__exists(w, Q_PROJECT_KNOWN_IN, name, index_name, out, "looking up a project", err);
}

int th_kb_metadata_put(th_kb_writer *w, const char *sha256, const char *name, const char *version,
		       const char *requires_python, const char *const *requires, size_t nrequires, th_error *err)
{
	sqlite3_stmt *st;
	int rc;

	th_buf_clear(&w->tmp);
	for (size_t i = 0; i < nrequires; i++) {
		if (strchr(requires[i], '\n'))
			return th_error_set(err, TH_ERR_INVALID, "%s %s: a Requires-Dist value holds a line break", name,
					    version);
		if ((i && (rc = th_buf_putc(&w->tmp, '\n', err))) || (rc = th_buf_puts(&w->tmp, requires[i], err)))
			return rc;
	}
	st = kb__q(w, Q_MD_INS);
	kb__text(st, 1, sha256);
	kb__text(st, 2, name);
	kb__text(st, 3, version);
	kb__text(st, 4, requires_python);
	kb__text(st, 5, w->tmp.ptr);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)nrequires);
	return kb__done(w, st, "recording core metadata", err);
}

int th_kb_import_names_put(th_kb_writer *w, int64_t version_id, const char *const *names, size_t n, th_error *err)
{
	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *st = kb__q(w, Q_NAME_INS);
		int rc;
		sqlite3_bind_int64(st, 1, version_id);
		kb__text(st, 2, names[i]);
		if ((rc = kb__done(w, st, "recording import names", err)))
			return rc;
	}
	return 0;
}

int th_kb_wheel_names_get(th_kb_writer *w, const char *key, int *found, const char ***out, size_t *n, th_arena *a,
			  th_error *err)
{
	sqlite3_stmt *st = kb__q(w, Q_WNAMES_GET);
	const char *names, *p;
	const char **v = NULL;
	size_t k = 0, cap = 1;
	int rc;

	*found = 0;
	*out = NULL;
	*n = 0;
	kb__text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return 0;
	}
	if (rc != SQLITE_ROW)
		return store__dberr(err, w->s->db, w->s->path, "looking up a wheel's import names");
	names = (const char *)sqlite3_column_text(st, 0);
	for (p = names ? names : ""; *p; p++)
		cap += *p == '\n';
	rc = 0;
	if (names && *names) {
		if (!(v = th_arena_alloc(a, cap * sizeof(*v)))) {
			rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
			goto done;
		}
		for (p = names; *p;) {
			const char *e = strchr(p, '\n');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			if (!(v[k++] = th_arena_strndup(a, p, len))) {
				rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
				goto done;
			}
			p += len + (e != NULL);
		}
	}
	*found = 1;
	*out = v;
	*n = k;
done:
	sqlite3_reset(st);
	return rc;
}

int th_kb_wheel_names_put(th_kb_writer *w, const char *key, const char *const *names, size_t n, th_error *err)
{
	sqlite3_stmt *st;
	int rc;

	th_buf_clear(&w->tmp);
	for (size_t i = 0; i < n; i++)
		if ((i && (rc = th_buf_putc(&w->tmp, '\n', err))) || (rc = th_buf_puts(&w->tmp, names[i], err)))
			return rc;
	st = kb__q(w, Q_WNAMES_PUT);
	kb__text(st, 1, key);
	kb__text(st, 2, w->tmp.ptr ? w->tmp.ptr : "");
	return kb__done(w, st, "recording a wheel's import names", err);
}

/* A JSON array of strings into w->tmp (NULL when n == 0). */
static const char *kb__jarray(th_kb_writer *w, const char *const *v, size_t n, th_error *err)
{
	th_jw jw;

	if (!n)
		return NULL;
	th_buf_clear(&w->tmp);
	th_jw_init(&jw, &w->tmp, 0, err);
	th_jw_arr_begin(&jw);
	for (size_t i = 0; i < n; i++)
		th_jw_str(&jw, v[i]);
	th_jw_arr_end(&jw);
	return th_jw_finish(&jw) ? NULL : w->tmp.ptr;
}

int th_kb_advisory_put(th_kb_writer *w, const th_osv *adv, th_error *err)
{
	sqlite3_stmt *st = kb__q(w, Q_ADV_DEL);
	th_buf sev = TH_BUF_INIT;
	th_jw jw;
	int rc;

	kb__text(st, 1, adv->id);
	if ((rc = kb__done(w, st, "replacing an advisory", err)))
		return rc;
	if (adv->nseverity) {
		th_jw_init(&jw, &sev, 0, err);
		th_jw_arr_begin(&jw);
		for (size_t i = 0; i < adv->nseverity; i++) {
			th_jw_arr_begin(&jw);
			th_jw_str(&jw, adv->severity[i].type);
			th_jw_str(&jw, adv->severity[i].score);
			th_jw_arr_end(&jw);
		}
		th_jw_arr_end(&jw);
		if ((rc = th_jw_finish(&jw)))
			goto done;
	}
	st = kb__q(w, Q_ADV_INS);
	kb__text(st, 1, adv->id);
	kb__text(st, 2, adv->summary);
	kb__text(st, 3, adv->details);
	sqlite3_bind_text(st, 4, kb__jarray(w, adv->aliases, adv->naliases, err), -1, SQLITE_TRANSIENT);
	kb__text(st, 5, adv->nseverity ? sev.ptr : NULL);
	kb__text(st, 6, adv->modified);
	kb__text(st, 7, adv->published);
	kb__text(st, 8, adv->withdrawn);
	if ((rc = kb__done(w, st, "recording an advisory", err)))
		goto done;
	for (size_t i = 0; i < adv->naffected; i++) {
		const th_osv_affected *af = &adv->affected[i];
		int64_t aid;
		st = kb__q(w, Q_AFF_INS);
		kb__text(st, 1, adv->id);
		kb__text(st, 2, af->name ? af->name : "");
		sqlite3_bind_text(st, 3, kb__jarray(w, af->versions, af->nversions, err), -1, SQLITE_TRANSIENT);
		if ((rc = kb__done(w, st, "recording an affected package", err)))
			goto done;
		aid = sqlite3_last_insert_rowid(w->s->db);
		for (size_t r = 0; r < af->nranges; r++) {
			const th_osv_range *rg = &af->ranges[r];
			th_buf_clear(&w->tmp);
			th_jw_init(&jw, &w->tmp, 0, err);
			th_jw_arr_begin(&jw);
			for (size_t e = 0; e < rg->nevents; e++) {
				th_jw_arr_begin(&jw);
				th_jw_str(&jw, kb__event_names[rg->events[e].kind]);
				th_jw_str(&jw, rg->events[e].version);
				th_jw_arr_end(&jw);
			}
			th_jw_arr_end(&jw);
			if ((rc = th_jw_finish(&jw)))
				goto done;
			st = kb__q(w, Q_RANGE_INS);
			sqlite3_bind_int64(st, 1, aid);
			sqlite3_bind_int64(st, 2, (sqlite3_int64)r);
			kb__text(st, 3, rg->type);
			kb__text(st, 4, w->tmp.ptr);
			if ((rc = kb__done(w, st, "recording an affected range", err)))
				goto done;
		}
	}
done:
	th_buf_release(&sev);
	return rc;
}

/* ---- reading ---- */

static int kb__prep(th_store *s, sqlite3_stmt **st, const char *sql, th_error *err)
{
	if (store__stmt_get(s, st, sql, NULL))
		return store__dberr(err, s->db, s->path, "reading the knowledge base");
	return 0;
}

int th_kb_stats_get(th_store *s, th_kb_stats *out, th_error *err)
{
	static const char *const sql =
		"SELECT (SELECT count(*) FROM kb_index), (SELECT count(*) FROM kb_project),"
		" (SELECT count(*) FROM kb_version), (SELECT count(*) FROM kb_file),"
		" (SELECT count(*) FROM kb_metadata), (SELECT coalesce(sum(nrequires), 0) FROM kb_metadata),"
		" (SELECT count(*) FROM kb_advisory), (SELECT count(*) FROM kb_affected),"
		" (SELECT count(*) FROM kb_import_name), (SELECT count(*) FROM kb_observation)";
	sqlite3_stmt *st;
	int rc;

	if ((rc = kb__prep(s, &st, sql, err)))
		return rc;
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = store__dberr(err, s->db, s->path, "counting the knowledge base");
	} else {
		int64_t *f[] = { &out->indexes, &out->projects, &out->versions, &out->files, &out->metadata,
				 &out->dependencies, &out->advisories, &out->affected, &out->import_names,
				 &out->observations };
		for (int i = 0; i < 10; i++)
			*f[i] = sqlite3_column_int64(st, i);
	}
	store__stmt_put(s, st);
	return rc;
}

/* A column as an arena string (NULL for SQL NULL). */
static const char *kb__col(sqlite3_stmt *st, int i, th_arena *a, int *nomem)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	char *r;

	if (!t)
		return NULL;
	if (!(r = th_arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, i))))
		*nomem = 1;
	return r;
}

/* Splits a '\n'-joined requires column into an arena array. */
static int kb__requires(th_kb_pfile *f, sqlite3_stmt *st, int col, th_arena *a)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	size_t n = 1;
	char *copy, **v;

	f->requires = NULL;
	f->nrequires = 0;
	if (!t || !*t)
		return 0;
	for (const char *p = t; *p; p++)
		n += *p == '\n';
	if (!(copy = th_arena_strdup(a, t)) || !(v = th_arena_alloc(a, n * sizeof(*v))))
		return TH_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		v[i] = copy;
		copy = strchr(copy, '\n');
		if (copy)
			*copy++ = '\0';
	}
	f->requires = (const char *const *)v;
	f->nrequires = n;
	return 0;
}

static int kb__load_project_row(th_store *s, const char *name, th_kb_project *out, int64_t *pid, th_arena *a,
				th_error *err)
{
	static const char *const sql =
		"SELECT p.id, p.name, p.display_name, i.name, i.url, i.priority FROM kb_project p"
		" JOIN kb_index i ON i.id = p.index_id WHERE p.name = ?1 ORDER BY i.priority, i.id LIMIT 1";
	sqlite3_stmt *st;
	int rc, step, nomem = 0;

	if ((rc = kb__prep(s, &st, sql, err)))
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*pid = sqlite3_column_int64(st, 0);
		out->name = kb__col(st, 1, a, &nomem);
		out->display_name = kb__col(st, 2, a, &nomem);
		out->index_name = kb__col(st, 3, a, &nomem);
		out->index_url = kb__col(st, 4, a, &nomem);
		out->priority = sqlite3_column_int(st, 5);
		if (nomem)
			rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
	} else if (step == SQLITE_DONE) {
		rc = th_error_set(err, TH_ERR_NOTFOUND, "%s: not in the knowledge base", name);
	} else {
		rc = store__dberr(err, s->db, s->path, "reading a project");
	}
	store__stmt_put(s, st);
	return rc;
}

int th_kb_project_load(th_store *s, const char *name, th_kb_project *out, th_arena *a, th_error *err)
{
	static const char *const vsql = "SELECT id, version, (SELECT count(*) FROM kb_file f WHERE f.version_id = v.id)"
					" FROM kb_version v WHERE project_id = ?1 ORDER BY id";
	static const char *const fsql =
		"SELECT f.version_id, f.filename, f.url, f.tags, f.hash_name, f.hash, f.requires_python, f.yanked,"
		" f.yanked_reason, f.upload_time, f.size, f.metadata_hash, m.requires_python, m.hash IS NOT NULL, m.requires"
		" FROM kb_file f JOIN kb_version v ON v.id = f.version_id LEFT JOIN kb_metadata m ON m.hash = f.metadata_hash"
		" WHERE v.project_id = ?1 ORDER BY f.version_id, f.id";
	sqlite3_stmt *st = NULL;
	int64_t pid = 0, *vids = NULL;
	size_t nv = 0, cap = 0, vi = 0;
	int rc, step, nomem = 0;

	memset(out, 0, sizeof(*out));
	if ((rc = kb__load_project_row(s, name, out, &pid, a, err)) || (rc = kb__prep(s, &st, vsql, err)))
		goto done;
	sqlite3_bind_int64(st, 1, pid);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (nv == cap) {
			size_t nc = cap ? cap * 2 : 32;
			th_kb_pversion *nvp = th_arena_alloc(a, nc * sizeof(*nvp));
			int64_t *nid = realloc(vids, nc * sizeof(*nid));
			if (!nvp || !nid) {
				free(nid ? nid : vids);
				vids = NULL;
				nomem = 1;
				break;
			}
			vids = nid;
			if (nv)
				memcpy(nvp, out->versions, nv * sizeof(*nvp));
			out->versions = nvp;
			cap = nc;
		}
		th_kb_pversion *v = &out->versions[nv];
		size_t nf = (size_t)sqlite3_column_int64(st, 2);
		vids[nv] = sqlite3_column_int64(st, 0);
		v->version = kb__col(st, 1, a, &nomem);
		v->nfiles = 0;
		v->files = nf ? th_arena_zalloc(a, nf * sizeof(*v->files)) : NULL;
		if (nf && !v->files)
			nomem = 1;
		nv++;
	}
	out->nversions = nv;
	if (nomem || step != SQLITE_DONE) {
		rc = nomem ? th_error_set(err, TH_ERR_NOMEM, "out of memory")
			   : store__dberr(err, s->db, s->path, "reading versions");
		goto done;
	}
	store__stmt_put(s, st);
	st = NULL;
	if ((rc = kb__prep(s, &st, fsql, err)))
		goto done;
	sqlite3_bind_int64(st, 1, pid);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t vid = sqlite3_column_int64(st, 0);
		while (vi < nv && vids[vi] != vid)
			vi++;
		if (vi == nv)
			break; /* both queries are ordered by version id; cannot happen in one snapshot */
		th_kb_pversion *v = &out->versions[vi];
		th_kb_pfile *f = &v->files[v->nfiles++];
		f->f.filename = kb__col(st, 1, a, &nomem);
		f->f.url = kb__col(st, 2, a, &nomem);
		f->f.tags = kb__col(st, 3, a, &nomem);
		f->f.hash_name = kb__col(st, 4, a, &nomem);
		f->f.hash = kb__col(st, 5, a, &nomem);
		f->f.requires_python = kb__col(st, 6, a, &nomem);
		f->f.yanked = sqlite3_column_int(st, 7);
		f->f.yanked_reason = kb__col(st, 8, a, &nomem);
		f->f.upload_time = kb__col(st, 9, a, &nomem);
		f->f.size = sqlite3_column_type(st, 10) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 10);
		f->f.metadata_hash = kb__col(st, 11, a, &nomem);
		f->md_requires_python = kb__col(st, 12, a, &nomem);
		f->has_metadata = sqlite3_column_int(st, 13);
		if (f->has_metadata && kb__requires(f, st, 14, a))
			nomem = 1;
	}
	if (nomem)
		rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
	else if (step != SQLITE_DONE && step != SQLITE_ROW)
		rc = store__dberr(err, s->db, s->path, "reading files");
done:
	store__stmt_put(s, st);
	free(vids);
	return rc;
}

/* ---- advisories ---- */

/* A JSON array of strings from a column into an arena array. */
static int kb__strings(const char *const **out, size_t *n, sqlite3_stmt *st, int col, th_arena *a)
{
	const char *text = (const char *)sqlite3_column_text(st, col);
	th_json *root;
	const char **v;

	*out = NULL;
	*n = 0;
	if (!text)
		return 0;
	if (th_json_parse(&root, text, (size_t)sqlite3_column_bytes(st, col), 8, "kb", NULL))
		return TH_ERR_DB;
	*n = th_json_len(root);
	v = *n ? th_arena_zalloc(a, *n * sizeof(*v)) : NULL;
	for (size_t i = 0; v && i < *n; i++) {
		const char *s = th_json_str(th_json_at(root, i), NULL);
		v[i] = th_arena_strdup(a, s ? s : "");
	}
	th_json_free(root);
	if (*n && !v)
		return TH_ERR_NOMEM;
	*out = v;
	return 0;
}

static int kb__events(th_osv_range *r, const char *text, size_t len, th_arena *a)
{
	th_json *root;
	th_osv_event *ev;
	size_t n;

	if (th_json_parse(&root, text, len, 8, "kb", NULL))
		return TH_ERR_DB;
	n = th_json_len(root);
	ev = n ? th_arena_zalloc(a, n * sizeof(*ev)) : NULL;
	for (size_t i = 0; ev && i < n; i++) {
		th_json *e = th_json_at(root, i);
		const char *kind = th_json_str(th_json_at(e, 0), NULL), *ver = th_json_str(th_json_at(e, 1), NULL);
		for (int k = 0; k < 4; k++)
			if (kind && !strcmp(kind, kb__event_names[k]))
				ev[i].kind = (th_osv_event_kind)k;
		ev[i].version = th_arena_strdup(a, ver ? ver : "");
	}
	th_json_free(root);
	if (n && !ev)
		return TH_ERR_NOMEM;
	r->events = ev;
	r->nevents = n;
	return 0;
}

/* Fills the advisory fields of adv from a kb_advisory row (columns 0..7). */
static int kb__adv_row(th_osv *adv, sqlite3_stmt *st, th_arena *a)
{
	int nomem = 0, rc;
	th_json *sev;

	memset(adv, 0, sizeof(*adv));
	adv->id = kb__col(st, 0, a, &nomem);
	adv->summary = kb__col(st, 1, a, &nomem);
	adv->details = kb__col(st, 2, a, &nomem);
	adv->modified = kb__col(st, 5, a, &nomem);
	adv->published = kb__col(st, 6, a, &nomem);
	adv->withdrawn = kb__col(st, 7, a, &nomem);
	if (nomem)
		return TH_ERR_NOMEM;
	if ((rc = kb__strings(&adv->aliases, &adv->naliases, st, 3, a)))
		return rc;
	if (sqlite3_column_text(st, 4)) {
		if (th_json_parse(&sev, (const char *)sqlite3_column_text(st, 4), (size_t)sqlite3_column_bytes(st, 4), 8,
				  "kb", NULL))
			return TH_ERR_DB;
		size_t n = th_json_len(sev);
		th_osv_severity *sv = n ? th_arena_zalloc(a, n * sizeof(*sv)) : NULL;
		for (size_t i = 0; sv && i < n; i++) {
			const char *t = th_json_str(th_json_at(th_json_at(sev, i), 0), NULL);
			const char *sc = th_json_str(th_json_at(th_json_at(sev, i), 1), NULL);
			sv[i].type = t ? th_arena_strdup(a, t) : NULL;
			sv[i].score = sc ? th_arena_strdup(a, sc) : NULL;
		}
		th_json_free(sev);
		adv->severity = sv;
		adv->nseverity = sv ? n : 0;
	}
	return 0;
}

/* Reads the affected entries (with their ranges) of one advisory, optionally
 * only those of one name. */
static int kb__affected(th_store *s, th_osv *adv, const char *name, th_arena *a, th_error *err)
{
	static const char *const sql =
		"SELECT af.id, af.name, af.versions, r.type, r.events FROM kb_affected af"
		" LEFT JOIN kb_range r ON r.affected_id = af.id"
		" WHERE af.advisory_id = ?1 AND (?2 IS NULL OR af.name = ?2) ORDER BY af.id, r.seq";
	sqlite3_stmt *st;
	th_osv_affected *afs = NULL;
	size_t n = 0, cap = 0;
	int64_t last = -1;
	int rc, step;

	if ((rc = kb__prep(s, &st, sql, err)))
		return rc;
	sqlite3_bind_text(st, 1, adv->id, -1, SQLITE_STATIC);
	if (name)
		sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		int nomem = 0;
		if (id != last) {
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 4;
				th_osv_affected *na = th_arena_zalloc(a, nc * sizeof(*na));
				if (!na)
					goto nomem;
				if (n)
					memcpy(na, afs, n * sizeof(*na));
				afs = na;
				cap = nc;
			}
			th_osv_affected *af = &afs[n++];
			af->ecosystem = "PyPI";
			af->name = kb__col(st, 1, a, &nomem);
			if (nomem || (rc = kb__strings(&af->versions, &af->nversions, st, 2, a)))
				goto bad;
			last = id;
		}
		if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
			th_osv_affected *af = &afs[n - 1];
			th_osv_range *nr = th_arena_zalloc(a, (af->nranges + 1) * sizeof(*nr));
			if (!nr)
				goto nomem;
			if (af->nranges)
				memcpy(nr, af->ranges, af->nranges * sizeof(*nr));
			nr[af->nranges].type = kb__col(st, 3, a, &nomem);
			if (nomem || (rc = kb__events(&nr[af->nranges], (const char *)sqlite3_column_text(st, 4),
						      (size_t)sqlite3_column_bytes(st, 4), a)))
				goto bad;
			af->ranges = nr;
			af->nranges++;
		}
	}
	store__stmt_put(s, st);
	if (step != SQLITE_DONE)
		return store__dberr(err, s->db, s->path, "reading affected packages");
	adv->affected = afs;
	adv->naffected = n;
	return 0;
nomem:
	rc = TH_ERR_NOMEM;
bad:
	store__stmt_put(s, st);
	if (rc == TH_ERR_NOMEM || rc == 0)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	return th_error_set(err, TH_ERR_DB, "%s: a malformed advisory row for %s", s->path, adv->id);
}

int th_kb_advisories_load(th_store *s, const char *name, th_osv **out, size_t *n, th_arena *a, th_error *err)
{
	static const char *const sql =
		"SELECT id, summary, details, aliases, severity, modified, published, withdrawn FROM kb_advisory"
		" WHERE withdrawn IS NULL AND id IN (SELECT advisory_id FROM kb_affected WHERE name = ?1) ORDER BY id";
	sqlite3_stmt *st;
	th_osv *v = NULL;
	size_t cap = 0;
	int rc, step;

	*out = NULL;
	*n = 0;
	if ((rc = kb__prep(s, &st, sql, err)))
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			th_osv *nv = th_arena_alloc(a, nc * sizeof(*nv));
			if (!nv) {
				rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
				break;
			}
			if (*n)
				memcpy(nv, v, *n * sizeof(*nv));
			v = nv;
			cap = nc;
		}
		if ((rc = kb__adv_row(&v[*n], st, a))) {
			rc = th_error_set(err, rc, "%s: cannot read an advisory", s->path);
			break;
		}
		(*n)++;
	}
	if (!rc && step != SQLITE_DONE)
		rc = store__dberr(err, s->db, s->path, "reading advisories");
	store__stmt_put(s, st);
	for (size_t i = 0; !rc && i < *n; i++)
		rc = kb__affected(s, &v[i], name, a, err);
	*out = v;
	return rc;
}

int th_kb_advisories_each(th_store *s, th_osv_fn fn, void *ud, th_error *err)
{
	static const char *const sql =
		"SELECT id, summary, details, aliases, severity, modified, published, withdrawn FROM kb_advisory ORDER BY id";
	sqlite3_stmt *st;
	th_arena a;
	int rc, step;

	if ((rc = kb__prep(s, &st, sql, err)))
		return rc;
	th_arena_init(&a, 0);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		th_osv adv;
		if ((rc = kb__adv_row(&adv, st, &a))) {
			rc = th_error_set(err, rc, "%s: cannot read an advisory", s->path);
			break;
		}
		if ((rc = kb__affected(s, &adv, NULL, &a, err)) || (rc = fn(ud, &adv)))
			break;
		th_arena_release(&a);
		th_arena_init(&a, 0);
	}
	if (!rc && step != SQLITE_DONE)
		rc = store__dberr(err, s->db, s->path, "reading advisories");
	store__stmt_put(s, st);
	th_arena_release(&a);
	return rc;
}

/* ---- import names and observations ---- */

/* Room for one more element in an arena array of *cap (grown by doubling:
 * the old block stays in the arena). NULL when out of memory. */
static void *kb__grow(th_arena *a, void *v, size_t n, size_t *cap, size_t size)
{
	void *nv;

	if (n < *cap)
		return v;
	if (!(nv = th_arena_alloc(a, (*cap = *cap ? *cap * 2 : 8) * size)))
		return NULL;
	if (n)
		memcpy(nv, v, n * size);
	return nv;
}

/* Ends a read: the error of the loop (out of memory or the last step), the
 * statement finalized. */
static int kb__read_end(th_store *s, sqlite3_stmt *st, int step, int nomem, const char *doing, th_error *err)
{
	int rc = nomem ? th_error_set(err, TH_ERR_NOMEM, "out of memory")
		       : step != SQLITE_DONE ? store__dberr(err, s->db, s->path, doing) : 0;
	store__stmt_put(s, st);
	return rc;
}

int th_kb_import_name_providers(th_store *s, const char *name, const char *canonical, th_kb_provider **out,
				size_t *n, th_arena *a, th_error *err)
{
	/* The stated order (store_kb.h): the project named like the import,
	 * then the best index, then the project more of whose versions provide
	 * the name, then the name. */
	static const char *const sql =
		"SELECT p.name, min(i.priority) AS prio, count(DISTINCT v.id) AS nv FROM kb_import_name n"
		" JOIN kb_version v ON v.id = n.version_id JOIN kb_project p ON p.id = v.project_id"
		" JOIN kb_index i ON i.id = p.index_id WHERE n.name = ?1 GROUP BY p.name"
		" ORDER BY p.name = ?2 DESC, prio, nv DESC, p.name";
	sqlite3_stmt *st;
	th_kb_provider *v = NULL;
	size_t cap = 0;
	int rc, nomem = 0;

	*out = NULL;
	*n = 0;
	if ((rc = kb__prep(s, &st, sql, err)))
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, canonical ? canonical : "", -1, SQLITE_STATIC);
	while (!nomem && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!(v = kb__grow(a, v, *n, &cap, sizeof(*v)))) {
			nomem = 1;
			break;
		}
		v[*n].project = kb__col(st, 0, a, &nomem);
		v[*n].priority = sqlite3_column_int(st, 1);
		v[*n].versions = sqlite3_column_int64(st, 2);
		(*n)++;
	}
	*out = v;
	return kb__read_end(s, st, rc, nomem, "reading import names", err);
}

int th_kb_version_import_names(th_store *s, const char *project, const char *version, const char ***out, size_t *n,
			       th_arena *a, th_error *err)
{
	static const char *const sql =
		"SELECT DISTINCT n.name FROM kb_import_name n JOIN kb_version v ON v.id = n.version_id"
		" JOIN kb_project p ON p.id = v.project_id WHERE p.name = ?1 AND v.version = ?2 ORDER BY n.name";
	sqlite3_stmt *st;
	const char **v = NULL;
	size_t cap = 0;
	int rc, nomem = 0;

	*out = NULL;
	*n = 0;
	if ((rc = kb__prep(s, &st, sql, err)))
		return rc;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, version, -1, SQLITE_STATIC);
	while (!nomem && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!(v = kb__grow(a, v, *n, &cap, sizeof(*v)))) {
			nomem = 1;
			break;
		}
		v[(*n)++] = kb__col(st, 0, a, &nomem);
	}
	*out = v;
	return kb__read_end(s, st, rc, nomem, "reading import names", err);
}

int th_kb_observations_clear(th_kb_writer *w, const char *file_hash, th_error *err)
{
	sqlite3_stmt *st = kb__q(w, Q_OBS_DEL);

	kb__text(st, 1, file_hash);
	return kb__done(w, st, "replacing observations", err);
}

int th_kb_observation_put(th_kb_writer *w, const char *file_hash, int64_t seq, const th_obs_row *r, th_error *err)
{
	sqlite3_stmt *st = kb__q(w, Q_OBS_INS);
	const char *t[] = { r->name, r->version, r->stack, r->metric };
	const char *e[] = { r->python, r->os_name, r->os_version, r->arch, r->cuda, r->cpu, r->source };

	kb__text(st, 1, file_hash);
	sqlite3_bind_int64(st, 2, seq);
	for (int i = 0; i < 4; i++)
		kb__text(st, 3 + i, t[i]);
	sqlite3_bind_double(st, 7, r->value);
	kb__text(st, 8, r->unit);
	sqlite3_bind_int(st, 9, r->higher_is_better);
	for (int i = 0; i < 7; i++)
		kb__text(st, 10 + i, e[i]);
	return kb__done(w, st, "recording an observation", err);
}

int th_kb_observations_load(th_store *s, th_obs_row **out, size_t *n, th_arena *a, th_error *err)
{
	static const char *const sql =
		"SELECT name, version, stack, metric, value, unit, higher_is_better, python, os_name, os_version, arch,"
		" cuda, cpu, source FROM kb_observation ORDER BY id";
	sqlite3_stmt *st;
	th_obs_row *v = NULL;
	size_t cap = 0;
	int rc, nomem = 0;

	*out = NULL;
	*n = 0;
	if ((rc = kb__prep(s, &st, sql, err)))
		return rc;
	while (!nomem && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!(v = kb__grow(a, v, *n, &cap, sizeof(*v)))) {
			nomem = 1;
			break;
		}
		th_obs_row *r = &v[(*n)++];
		const char **txt[] = { &r->name, &r->version, &r->stack, &r->metric };
		const char **env[] = { &r->python, &r->os_name, &r->os_version, &r->arch, &r->cuda, &r->cpu, &r->source };
		for (int i = 0; i < 4; i++)
			*txt[i] = kb__col(st, i, a, &nomem);
		r->value = sqlite3_column_double(st, 4);
		r->unit = kb__col(st, 5, a, &nomem);
		r->higher_is_better = sqlite3_column_int(st, 6) != 0;
		for (int i = 0; i < 7; i++)
			*env[i] = kb__col(st, 7 + i, a, &nomem);
	}
	*out = v;
	return kb__read_end(s, st, rc, nomem, "reading observations", err);
}
