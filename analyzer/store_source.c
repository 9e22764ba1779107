#include "analyzer/store_source.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyzer/store_impl.h"
#include "core/buf.h"

enum {
	Q_FILE_GET, Q_IMPORT_GET, Q_USAGE_GET, Q_FILE_PUT, Q_FILE_DEL, Q_IMPORT_PUT,
	Q_STAT_GET, Q_STAT_PUT, Q_SCAN_NEW, Q_SCAN_FILE, Q_DECL, Q_FINDING, Q_KB_KNOWN, Q_SCAN_SAME, Q_ROOT_FACTS, Q_ROOT_FACTS_U, Q_COUNT
};

static const char *const store_source__sql[Q_COUNT] = {
	"SELECT id, has_errors, error_line, encoding, problem, error, nusages FROM source_file WHERE hash = ?1",
	"SELECT module, level, alias, names, line, col, kind, ctx FROM source_import WHERE file = ?1 ORDER BY seq",
	"SELECT usages FROM source_file WHERE id = ?1",
	("INSERT INTO source_file (hash, has_errors, error_line, encoding, problem, error, nimports, nusages, usages)"
	 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
	"DELETE FROM source_file WHERE hash = ?1",
	"INSERT INTO source_import (file, seq, module, level, alias, names, line, col, kind, ctx) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	"SELECT hash FROM source_stat WHERE root = ?1 AND path = ?2 AND size = ?3 AND mtime_ns = ?4 AND ino = ?5",
	"INSERT OR REPLACE INTO source_stat (root, path, size, mtime_ns, ino, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	"INSERT INTO source_scan (root, at, digest, same_as) VALUES (?1, ?2, ?3, ?4)",
	"INSERT OR REPLACE INTO source_scan_file (scan, path, hash) VALUES (?1, ?2, ?3)",
	("INSERT INTO source_decl (scan, seq, file, line, name, requirement, kind, grp, dev)"
	 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
	("INSERT INTO source_finding (scan, seq, rule, severity, file, line, col, subject, message)"
	 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
	"SELECT 1 FROM kb_project WHERE name = ?1 LIMIT 1",
	"SELECT id FROM source_scan WHERE root = ?1 AND digest = ?2 AND same_as IS NULL ORDER BY id DESC LIMIT 1",
	/* A root's stat cache joined with the facts of each content, one row
	 * per import, in path order (the stat cache's key order). */
#define STORE_SOURCE_ROOT_FACTS(usages)                                                                              \
	("SELECT s.path, s.size, s.mtime_ns, s.ino, s.hash, f.has_errors, f.error_line, f.encoding, f.problem,"    \
	 " f.error, f.nusages, " usages ", i.module, i.level, i.alias, i.names, i.line, i.col, i.kind, i.ctx"       \
	 " FROM source_stat s JOIN source_file f ON f.hash = s.hash"                                                \
	 " LEFT JOIN source_import i ON i.file = f.id WHERE s.root = ?1 ORDER BY s.path, i.seq")
	STORE_SOURCE_ROOT_FACTS("NULL"),
	STORE_SOURCE_ROOT_FACTS("f.usages"),
};

struct th_store_source {
	th_store *s; /* borrowed */
	sqlite3_stmt *q[Q_COUNT];
	th_buf tmp;
};

int th_store_source_open(th_store_source **out, th_store *s, th_error *err)
{
	th_store_source *h = calloc(1, sizeof(*h));

	*out = NULL;
	if (!h)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	h->s = s;
	for (int i = 0; i < Q_COUNT; i++) {
		if (sqlite3_prepare_v3(s->db, store_source__sql[i], -1, SQLITE_PREPARE_PERSISTENT, &h->q[i], NULL) !=
		    SQLITE_OK) {
			int rc = store__dberr(err, s->db, s->path, "cannot prepare a source query");
			th_store_source_close(h);
			return rc;
		}
	}
	*out = h;
	return 0;
}

void th_store_source_close(th_store_source *h)
{
	if (!h)
		return;
	for (int i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(h->q[i]);
	th_buf_release(&h->tmp);
	free(h);
}

static sqlite3_stmt *store_source__q(th_store_source *h, int i)
{
	sqlite3_reset(h->q[i]);
	sqlite3_clear_bindings(h->q[i]);
	return h->q[i];
}

static const char *store_source__col(sqlite3_stmt *st, int i, th_arena *a)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? th_arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, i)) : NULL;
}

/* names are stored as "a as b,c". */
static int store_source__names(th_pyimport *im, const char *s, th_arena *a)
{
	size_t n = 1, i = 0;
	const char *p = s;

	for (const char *q = s; *q; q++)
		n += *q == ',';
	if (!(im->names = th_arena_zalloc(a, n * sizeof(*im->names))))
		return TH_ERR_NOMEM;
	while (*p) {
		size_t len = strcspn(p, ",");
		char *one = th_arena_strndup(a, p, len), *as;

		if (!one)
			return TH_ERR_NOMEM;
		if ((as = strstr(one, " as "))) {
			*as = '\0';
			im->names[i].alias = as + 4;
		}
		im->names[i++].name = one;
		p += len + (p[len] == ',');
	}
	im->nnames = i;
	return 0;
}

/* Usages come back from their text: "line col import symbol" lines. */
static int store_source__usages(th_pysource *out, const char *t, size_t n, th_arena *a, th_error *err)
{
	size_t k = 0;

	if (!t || n == 0)
		return 0;
	if (!(out->usages = th_arena_alloc(a, n * sizeof(*out->usages))))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	while (*t && k < n) {
		th_pyusage *u = &out->usages[k];
		char *e;
		size_t len;

		u->line = (uint32_t)strtoul(t, &e, 10);
		u->col = (uint32_t)strtoul(e, &e, 10);
		u->import = (uint32_t)strtoul(e, &e, 10);
		if (*e != ' ')
			return th_error_set(err, TH_ERR_DB, "stored usages are damaged");
		t = e + 1;
		len = strcspn(t, "\n");
		if (!(u->symbol = th_arena_strndup(a, t, len)))
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		t += len + (t[len] == '\n');
		k++;
	}
	out->nusages = k;
	return 0;
}

/* One import from the columns at `at` of a row (module, level, alias,
 * names, line, col, kind, ctx), appended to out->imports (n of cap). */
static int store_source__import(th_pysource *out, size_t *n, size_t *cap, sqlite3_stmt *st, int at, th_arena *a)
{
	th_pyimport *im;
	const char *names;

	if (*n == *cap) {
		th_pyimport *ni = th_arena_alloc(a, (*cap = *cap ? *cap * 2 : 16) * sizeof(*ni));
		if (!ni)
			return TH_ERR_NOMEM;
		if (*n)
			memcpy(ni, out->imports, *n * sizeof(*ni));
		out->imports = ni;
	}
	im = &out->imports[(*n)++];
	memset(im, 0, sizeof(*im));
	im->module = store_source__col(st, at, a);
	im->level = (unsigned)sqlite3_column_int(st, at + 1);
	im->alias = store_source__col(st, at + 2, a);
	names = (const char *)sqlite3_column_text(st, at + 3);
	im->line = (uint32_t)sqlite3_column_int(st, at + 4);
	im->col = (uint32_t)sqlite3_column_int(st, at + 5);
	im->kind = (th_pyimport_kind)sqlite3_column_int(st, at + 6);
	im->ctx = (unsigned)sqlite3_column_int(st, at + 7);
	out->nimports = *n;
	return !im->module || (names && store_source__names(im, names, a)) ? TH_ERR_NOMEM : 0;
}

int th_store_source_get(th_store_source *h, const char *hash, bool with_usages, th_pysource *out,
			th_source_meta *meta, bool *found, th_arena *a, th_error *err)
{
	sqlite3_stmt *st = store_source__q(h, Q_FILE_GET);
	size_t n = 0, cap = 0;
	int64_t id;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(meta, 0, sizeof(*meta));
	*found = false;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return store__dberr(err, h->s->db, h->s->path, "cannot read source facts");
	id = sqlite3_column_int64(st, 0);
	out->has_errors = sqlite3_column_int(st, 1) != 0;
	out->error_line = (uint32_t)sqlite3_column_int(st, 2);
	meta->encoding = store_source__col(st, 3, a);
	meta->problem = store_source__col(st, 4, a);
	meta->error = store_source__col(st, 5, a);
	meta->nusages = (size_t)sqlite3_column_int64(st, 6);
	*found = true;

	st = store_source__q(h, Q_IMPORT_GET);
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (store_source__import(out, &n, &cap, st, 0, a))
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	if (rc != SQLITE_DONE)
		return store__dberr(err, h->s->db, h->s->path, "cannot read source imports");
	out->nimports = n;
	if (!with_usages)
		return 0;
	st = store_source__q(h, Q_USAGE_GET);
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW)
		return store__dberr(err, h->s->db, h->s->path, "cannot read source usages");
	return store_source__usages(out, (const char *)sqlite3_column_text(st, 0), meta->nusages, a, err);
}

static void store_source__text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static int store_source__done(th_store_source *h, sqlite3_stmt *st, th_error *err)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		return store__dberr(err, h->s->db, h->s->path, "cannot write source facts");
	return 0;
}

int th_store_source_put(th_store_source *h, const char *hash, const th_pysource *src, const th_source_meta *meta,
			th_error *err)
{
	sqlite3_stmt *st = store_source__q(h, Q_FILE_DEL);
	int64_t id;
	int rc;

	/* Replacing cascades to the old imports and usages. */
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	if ((rc = store_source__done(h, st, err)))
		return rc;
	st = store_source__q(h, Q_FILE_PUT);
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, src->has_errors);
	sqlite3_bind_int64(st, 3, src->error_line);
	store_source__text(st, 4, meta->encoding);
	store_source__text(st, 5, meta->problem);
	store_source__text(st, 6, meta->error);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)src->nimports);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)src->nusages);
	th_buf_clear(&h->tmp);
	for (size_t i = 0; i < src->nusages; i++) {
		const th_pyusage *u = &src->usages[i];
		if ((rc = th_buf_printf(&h->tmp, err, "%u %u %u %s\n", u->line, u->col, u->import, u->symbol)))
			return rc;
	}
	store_source__text(st, 9, src->nusages ? h->tmp.ptr : NULL);
	if ((rc = store_source__done(h, st, err)))
		return rc;
	id = sqlite3_last_insert_rowid(h->s->db);
	for (size_t i = 0; i < src->nimports; i++) {
		const th_pyimport *im = &src->imports[i];

		th_buf_clear(&h->tmp);
		for (size_t k = 0; k < im->nnames; k++)
			if ((rc = th_buf_printf(&h->tmp, err, "%s%s%s%s", k ? "," : "", im->names[k].name,
						im->names[k].alias ? " as " : "", im->names[k].alias ? im->names[k].alias : "")))
				return rc;
		st = store_source__q(h, Q_IMPORT_PUT);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_text(st, 3, im->module, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, (int)im->level);
		store_source__text(st, 5, im->alias);
		store_source__text(st, 6, im->nnames ? h->tmp.ptr : NULL);
		sqlite3_bind_int64(st, 7, im->line);
		sqlite3_bind_int64(st, 8, im->col);
		sqlite3_bind_int(st, 9, (int)im->kind);
		sqlite3_bind_int(st, 10, (int)im->ctx);
		if ((rc = store_source__done(h, st, err)))
			return rc;
	}
	return 0;
}

int th_store_source_stat_get(th_store_source *h, const char *root, const char *path, const th_source_stat *s,
			     char hash[TH_SHA256_HEX], bool *found, th_error *err)
{
	sqlite3_stmt *st = store_source__q(h, Q_STAT_GET);
	int rc;

	*found = false;
	sqlite3_bind_text(st, 1, root, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, s->size);
	sqlite3_bind_int64(st, 4, s->mtime_ns);
	sqlite3_bind_int64(st, 5, s->ino);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		if (t && strlen(t) == TH_SHA256_HEX - 1) {
			memcpy(hash, t, TH_SHA256_HEX);
			*found = true;
		}
		return 0;
	}
	if (rc != SQLITE_DONE)
		return store__dberr(err, h->s->db, h->s->path, "cannot read the stat cache");
	return 0;
}

int th_store_source_stat_put(th_store_source *h, const char *root, const char *path, const th_source_stat *s,
			     const char *hash, th_error *err)
{
	sqlite3_stmt *st = store_source__q(h, Q_STAT_PUT);

	sqlite3_bind_text(st, 1, root, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, s->size);
	sqlite3_bind_int64(st, 4, s->mtime_ns);
	sqlite3_bind_int64(st, 5, s->ino);
	sqlite3_bind_text(st, 6, hash, -1, SQLITE_STATIC);
	return store_source__done(h, st, err);
}

int th_store_source_scan_new(th_store_source *h, const char *root, const char *digest, int64_t *out,
			     int64_t *same_as, th_error *err)
{
	sqlite3_stmt *st;
	int rc;

	*same_as = 0;
	if (digest) {
		st = store_source__q(h, Q_SCAN_SAME);
		sqlite3_bind_text(st, 1, root, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, digest, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			*same_as = sqlite3_column_int64(st, 0);
		else if (rc != SQLITE_DONE)
			return store__dberr(err, h->s->db, h->s->path, "cannot read earlier scans");
	}
	st = store_source__q(h, Q_SCAN_NEW);
	sqlite3_bind_text(st, 1, root, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	store_source__text(st, 3, digest);
	if (*same_as)
		sqlite3_bind_int64(st, 4, *same_as);
	if ((rc = store_source__done(h, st, err)))
		return rc;
	*out = sqlite3_last_insert_rowid(h->s->db);
	return 0;
}

int th_store_source_scan_file(th_store_source *h, int64_t scan, const char *path, const char *hash, th_error *err)
{
	sqlite3_stmt *st = store_source__q(h, Q_SCAN_FILE);

	sqlite3_bind_int64(st, 1, scan);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
	return store_source__done(h, st, err);
}

int th_store_source_decl(th_store_source *h, int64_t scan, int64_t seq, const char *file, uint32_t line,
			 const char *name, const char *requirement, const char *kind, const char *group, bool dev,
			 th_error *err)
{
	sqlite3_stmt *st = store_source__q(h, Q_DECL);

	sqlite3_bind_int64(st, 1, scan);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_text(st, 3, file, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, line);
	store_source__text(st, 5, name);
	store_source__text(st, 6, requirement);
	sqlite3_bind_text(st, 7, kind, -1, SQLITE_STATIC);
	store_source__text(st, 8, group);
	sqlite3_bind_int(st, 9, dev);
	return store_source__done(h, st, err);
}

int th_store_source_finding(th_store_source *h, int64_t scan, int64_t seq, const char *rule, const char *severity,
			    const char *file, uint32_t line, uint32_t col, const char *subject, const char *message,
			    th_error *err)
{
	sqlite3_stmt *st = store_source__q(h, Q_FINDING);

	sqlite3_bind_int64(st, 1, scan);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_text(st, 3, rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, severity, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, file, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, line);
	sqlite3_bind_int64(st, 7, col);
	store_source__text(st, 8, subject);
	sqlite3_bind_text(st, 9, message, -1, SQLITE_STATIC);
	return store_source__done(h, st, err);
}

int th_store_source_kb_known(th_store_source *h, const char *normalized, bool *out, th_error *err)
{
	sqlite3_stmt *st = store_source__q(h, Q_KB_KNOWN);
	int rc;

	sqlite3_bind_text(st, 1, normalized, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store__dberr(err, h->s->db, h->s->path, "cannot look up a knowledge-base project");
	return 0;
}

int th_store_source_root_facts(th_store_source *h, const char *root, bool with_usages, th_source_root_fn fn,
			       void *ud, th_arena *a, th_error *err)
{
	sqlite3_stmt *st = store_source__q(h, with_usages ? Q_ROOT_FACTS_U : Q_ROOT_FACTS);
	th_buf path = TH_BUF_INIT;
	th_source_root_file f;
	size_t n = 0, cap = 0;
	bool have = false;
	int rc = 0, step;

	sqlite3_bind_text(st, 1, root, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *p = (const char *)sqlite3_column_text(st, 0), *hash;

		if (!p)
			continue;
		if (!have || strcmp(p, path.ptr)) {
			/* A new path: hand over the previous one. */
			if (have && (rc = fn(ud, &f, err)))
				goto done;
			memset(&f, 0, sizeof(f));
			n = cap = 0;
			th_buf_clear(&path);
			hash = (const char *)sqlite3_column_text(st, 4);
			if ((rc = th_buf_puts(&path, p, err)))
				goto done;
			have = hash && strlen(hash) == TH_SHA256_HEX - 1;
			if (!have)
				continue;
			f.path = path.ptr;
			f.st = (th_source_stat){ sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
						 sqlite3_column_int64(st, 3) };
			memcpy(f.hash, hash, TH_SHA256_HEX);
			f.src.has_errors = sqlite3_column_int(st, 5) != 0;
			f.src.error_line = (uint32_t)sqlite3_column_int(st, 6);
			f.meta.encoding = store_source__col(st, 7, a);
			f.meta.problem = store_source__col(st, 8, a);
			f.meta.error = store_source__col(st, 9, a);
			f.meta.nusages = (size_t)sqlite3_column_int64(st, 10);
			if (with_usages && (rc = store_source__usages(&f.src, (const char *)sqlite3_column_text(st, 11),
								      f.meta.nusages, a, err)))
				goto done;
		}
		if (sqlite3_column_type(st, 12) != SQLITE_NULL && store_source__import(&f.src, &n, &cap, st, 12, a)) {
			rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
			goto done;
		}
	}
	if (step != SQLITE_DONE) {
		rc = store__dberr(err, h->s->db, h->s->path, "cannot read the stat cache");
		goto done;
	}
	if (have)
		rc = fn(ud, &f, err);
done:
	sqlite3_reset(st);
	th_buf_release(&path);
	return rc;
}
