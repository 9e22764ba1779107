#include "analyzer/store_rules.h"

#include "analyzer/rules_blob.h"
#include "analyzer/store_impl.h"

int th_store_rules_put(th_store *s, const char *hash, const char *source, size_t nunits, const void *blob,
		       size_t len, bool make_current, th_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db,
			       "INSERT OR REPLACE INTO rules_compiled (hash, source, units, blob, compiled_at) "
			       "VALUES (?1, ?2, ?3, ?4, strftime('%s','now'))",
			       -1, &st, NULL) != SQLITE_OK)
		return store__dberr(err, s->db, s->path, "cannot prepare a write");
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)nunits);
	sqlite3_bind_blob64(st, 4, blob, len, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store__dberr(err, s->db, s->path, "cannot store compiled rules");
	sqlite3_finalize(st);
	if (!rc && make_current)
		rc = th_store_meta_set(s, "rules.current", hash, err);
	return rc;
}

int th_store_rules_get(th_store *s, const char *hash, th_buf *out, th_error *err)
{
	sqlite3_stmt *st;
	sqlite3_blob *blob = NULL;
	sqlite3_int64 rowid;
	int rc, n;

	if (sqlite3_prepare_v2(s->db, "SELECT rowid FROM rules_compiled WHERE hash = ?1", -1, &st, NULL) != SQLITE_OK)
		return store__dberr(err, s->db, s->path, "cannot prepare a read");
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	rowid = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return th_error_set(err, TH_ERR_NOTFOUND, "%s: no compiled rules %s", s->path, hash);
	if (rc != SQLITE_ROW)
		return store__dberr(err, s->db, s->path, "cannot read compiled rules");
	/* incremental blob I/O: the tens of megabytes go straight into out, copied once */
	if (sqlite3_blob_open(s->db, "main", "rules_compiled", "blob", rowid, 0, &blob) != SQLITE_OK)
		return store__dberr(err, s->db, s->path, "cannot open compiled rules");
	n = sqlite3_blob_bytes(blob);
	th_buf_clear(out);
	if (!(rc = th_buf_grow(out, (size_t)n, err))) {
		if (sqlite3_blob_read(blob, out->ptr, n, 0) != SQLITE_OK)
			rc = store__dberr(err, s->db, s->path, "cannot read compiled rules");
		else
			out->len = (size_t)n;
		out->ptr[out->len] = '\0';
	}
	sqlite3_blob_close(blob);
	return rc;
}

int th_store_rules_current(th_store *s, th_buf *hash, th_buf *source, th_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = th_store_meta_get(s, "rules.current", hash, NULL)))
		return th_error_set(err, TH_ERR_NOTFOUND, "%s: no rules compiled yet (run `thoth rules check DIR|TARBALL`)",
				    s->path);
	if (sqlite3_prepare_v2(s->db, "SELECT source FROM rules_compiled WHERE hash = ?1", -1, &st, NULL) != SQLITE_OK)
		return store__dberr(err, s->db, s->path, "cannot prepare a read");
	sqlite3_bind_text(st, 1, hash->ptr, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		th_buf_clear(source);
		rc = th_buf_put(source, sqlite3_column_text(st, 0), (size_t)sqlite3_column_bytes(st, 0), err);
	} else if (rc == SQLITE_DONE) {
		rc = th_error_set(err, TH_ERR_NOTFOUND, "%s: the current rules are missing", s->path);
	} else {
		rc = store__dberr(err, s->db, s->path, "cannot read compiled rules");
	}
	sqlite3_finalize(st);
	return rc;
}

int th_store_rules_read(th_store *s, const char *hash, th_rules *r, th_error *err)
{
	th_buf blob = TH_BUF_INIT;
	size_t len;
	void *p;
	int rc;

	if ((rc = th_store_rules_get(s, hash, &blob, err)))
		return rc;
	/* the blob goes over to r as it is */
	if (!(p = th_buf_detach(&blob, &len)))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	return th_rules_blob_adopt(r, p, len, err);
}

static int store_rules__compile(th_store *s, const char *hash, const char *source, unsigned flags, const th_rules *r,
				th_error *err)
{
	th_buf blob = TH_BUF_INIT;
	int rc;

	if (!(rc = th_rules_blob_write(r, &blob, err)) && !(rc = th_store_begin(s, err))) {
		if ((rc = th_store_rules_put(s, hash, source, r->n, blob.ptr, blob.len, flags & TH_STORE_RULES_CURRENT,
					     err)))
			th_store_rollback(s);
		else
			rc = th_store_commit(s, err);
	}
	th_buf_release(&blob);
	return rc;
}

int th_store_rules_load(th_store *s, const char *hash, const char *source, unsigned flags, th_rules *r,
			int (*parse)(void *ud, th_rules *r, th_error *err), void *ud, th_error *err)
{
	th_limits lim = r->limits;
	int rc;

	if (s && !th_store_rules_read(s, hash, r, NULL))
		/* compiled before: only its being current may change */
		return flags & TH_STORE_RULES_CURRENT ? th_store_meta_set(s, "rules.current", hash, err) : 0;
	/* not compiled yet, or a damaged compiled form: from the sources */
	th_rules_release(r);
	th_rules_init(r, &lim);
	if ((rc = parse(ud, r, err)) || !s)
		return rc;
	rc = store_rules__compile(s, hash, source, flags, r, flags & TH_STORE_RULES_WEAK_CACHE ? NULL : err);
	/* a read-only or busy database only costs the next run a YAML pass */
	return flags & TH_STORE_RULES_WEAK_CACHE ? 0 : rc;
}
