#include "analyzer/store_image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyzer/store_impl.h"

/* Binds text or NULL. */
static void si__text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Prepares, binds through `bind`, steps once. */
static int si__write(th_store *s, const char *sql, void (*bind)(sqlite3_stmt *, const void *), const void *arg,
		     int64_t scan, th_error *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store__dberr(err, s->db, s->path, "cannot prepare an image-facts write");
	sqlite3_bind_int64(st, 1, scan);
	bind(st, arg);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store__dberr(err, s->db, s->path, "cannot write image facts");
	sqlite3_finalize(st);
	return rc;
}

/* Binds a list of strings joined by sep, NULL when empty: '\n' makes one
 * text (for values that hold no newline: metadata is unfolded, paths and
 * names are lines), '\0' one blob of NUL-terminated strings (for config
 * values, labels and commands, which may hold any other byte). */
static void si__join(sqlite3_stmt *st, int col, const char *const *v, size_t n, char sep)
{
	size_t total = 0, o = 0;
	char *t;

	for (size_t i = 0; i < n; i++)
		total += strlen(v[i]) + 1;
	if (!total || !(t = sqlite3_malloc64(total))) {
		sqlite3_bind_null(st, col);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(v[i]);
		memcpy(t + o, v[i], l);
		o += l;
		t[o++] = sep;
	}
	if (sep) {
		t[o - 1] = '\0';
		sqlite3_bind_text(st, col, t, -1, sqlite3_free);
	} else {
		sqlite3_bind_blob64(st, col, t, total, sqlite3_free);
	}
}

static void si__bind_scan(sqlite3_stmt *st, const void *arg)
{
	const th_image_info *i = arg;
	sqlite3_bind_null(st, 1);
	si__text(st, 2, i->ref);
	si__text(st, 3, i->format);
	si__text(st, 4, i->manifest_digest);
	si__text(st, 5, i->config_digest);
	si__text(st, 6, i->os);
	si__text(st, 7, i->arch);
	si__text(st, 8, i->variant);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)time(NULL));
	si__join(st, 10, i->env, i->nenv, '\0');
	si__join(st, 11, i->entrypoint, i->nentrypoint, '\0');
	si__join(st, 12, i->cmd, i->ncmd, '\0');
	si__join(st, 13, i->labels, 2 * i->nlabels, '\0');
}

typedef struct si_hist {
	const th_image_history *h;
	unsigned idx;
} si_hist;

static void si__bind_hist(sqlite3_stmt *st, const void *arg)
{
	const si_hist *x = arg;
	sqlite3_bind_int(st, 2, (int)x->idx);
	si__text(st, 3, x->h->created);
	si__text(st, 4, x->h->created_by);
	si__text(st, 5, x->h->author);
	si__text(st, 6, x->h->comment);
	sqlite3_bind_int(st, 7, x->h->empty_layer);
}

int th_store_img_scan(th_store *s, const th_image_info *i, int64_t *out, th_error *err)
{
	int rc = si__write(s, "INSERT INTO image_scans(id, ref, format, manifest_digest, config_digest, os, arch, variant, "
			      "scanned_at, env, entrypoint, cmd, labels) "
			      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)", si__bind_scan, i, 0, err);
	if (rc)
		return rc;
	*out = sqlite3_last_insert_rowid(s->db);
	for (size_t k = 0; !rc && k < i->nhistory; k++) {
		si_hist x = { &i->history[k], (unsigned)k };
		rc = si__write(s, "INSERT INTO image_history(scan_id, idx, created, created_by, author, comment, empty_layer) "
				  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", si__bind_hist, &x, *out, err);
	}
	return rc;
}

static void si__bind_stats(sqlite3_stmt *st, const void *arg)
{
	const th_image_stats *x = arg;
	sqlite3_bind_int64(st, 2, (sqlite3_int64)x->nodes);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)x->created);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)x->tree_bytes);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)x->kept_bytes);
}

int th_store_img_stats(th_store *s, int64_t scan, const th_image_stats *st, th_error *err)
{
	return si__write(s, "UPDATE image_scans SET tree_nodes = ?2, tree_created = ?3, tree_bytes = ?4, kept_bytes = ?5 "
			    "WHERE id = ?1", si__bind_stats, st, scan, err);
}

static void si__bind_layer(sqlite3_stmt *st, const void *arg)
{
	const th_image_layer *l = arg;
	sqlite3_bind_int(st, 2, (int)l->index);
	si__text(st, 3, l->diff_id);
	si__text(st, 4, l->digest);
	si__text(st, 5, l->media_type);
	si__text(st, 6, l->compression);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)l->blob_bytes);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)l->tar_bytes);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)l->entries);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)l->skipped);
	sqlite3_bind_int(st, 11, l->cached);
}

int th_store_img_layer(th_store *s, int64_t scan, const th_image_layer *l, th_error *err)
{
	return si__write(s, "INSERT INTO image_scan_layers(scan_id, idx, diff_id, digest, media_type, compression, "
			    "blob_bytes, tar_bytes, entries, skipped, cached) "
			    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", si__bind_layer, l, scan, err);
}

static void si__bind_os(sqlite3_stmt *st, const void *arg)
{
	const th_osrelease *o = arg;
	si__text(st, 2, o->id);
	si__text(st, 3, o->version_id);
	si__text(st, 4, o->name);
	si__text(st, 5, o->pretty_name);
	si__text(st, 6, o->family);
	si__text(st, 7, o->id_like);
	si__text(st, 8, o->codename);
}

int th_store_img_os(th_store *s, int64_t scan, const th_osrelease *os, th_error *err)
{
	return si__write(s, "INSERT OR REPLACE INTO image_os(scan_id, id, version_id, name, pretty_name, family, id_like, "
			    "codename) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", si__bind_os, os, scan, err);
}

static void si__bind_pkg(sqlite3_stmt *st, const void *arg)
{
	const th_image_pkg *p = arg;
	si__text(st, 2, p->type);
	si__text(st, 3, p->name);
	si__text(st, 4, p->version);
	si__text(st, 5, p->arch);
	si__text(st, 6, p->source);
	si__text(st, 7, p->source_version);
	si__text(st, 8, p->build);
	si__text(st, 9, p->channel);
	si__text(st, 10, p->environment);
}

int th_store_img_package(th_store *s, int64_t scan, const th_image_pkg *p, th_error *err)
{
	return si__write(s, "INSERT INTO image_packages(scan_id, type, name, version, arch, source, source_version, build, "
			    "channel, environment) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", si__bind_pkg, p, scan, err);
}

static void si__bind_interp(sqlite3_stmt *st, const void *arg)
{
	const th_image_interp *i = arg;
	si__text(st, 2, i->path);
	si__text(st, 3, i->version);
	si__text(st, 4, i->version_source);
	sqlite3_bind_int(st, 5, i->library);
	si__join(st, 6, i->site_dirs, i->nsite_dirs, '\n');
}

int th_store_img_interpreter(th_store *s, int64_t scan, const th_image_interp *i, th_error *err)
{
	return si__write(s, "INSERT INTO image_interpreters(scan_id, path, version, version_source, library, site_dirs) "
			    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)", si__bind_interp, i, scan, err);
}

static void si__bind_dist(sqlite3_stmt *st, const void *arg)
{
	const th_image_dist *d = arg;
	si__text(st, 2, d->d.name);
	si__text(st, 3, d->d.normalized);
	si__text(st, 4, d->d.version);
	si__text(st, 5, d->location);
	si__text(st, 6, d->kind);
	si__text(st, 7, d->installer);
	si__text(st, 8, d->os_package);
	si__text(st, 9, d->d.requires_python);
	si__text(st, 11, d->environment);
	si__text(st, 12, d->direct_url);
	si__join(st, 13, d->top_level, d->ntop_level, '\n');
	si__join(st, 14, d->entry_points, d->nentry_points, '\n');
	if (d->files >= 0)
		sqlite3_bind_int64(st, 15, d->files);
	si__join(st, 10, d->d.requires_dist, d->d.nrequires_dist, '\n'); /* one requirement per line */
	si__text(st, 16, d->path);
	si__join(st, 17, d->d.provides_extra, d->d.nprovides_extra, '\n');
	si__text(st, 18, d->d.summary);
	sqlite3_bind_int(st, 19, d->d.from_dirname);
	si__join(st, 20, d->record_names, d->nrecord_names, '\n');
}

int th_store_img_dist(th_store *s, int64_t scan, const th_image_dist *d, th_error *err)
{
	return si__write(s, "INSERT INTO image_dists(scan_id, name, normalized, version, location, kind, installer, "
			    "os_package, requires_python, requires_dist, environment, direct_url, top_level, entry_points, files, "
			    "path, provides_extra, summary, from_dirname, record_names) "
			    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
			 si__bind_dist, d, scan, err);
}

static void si__bind_env(sqlite3_stmt *st, const void *arg)
{
	const th_image_env *e = arg;
	si__text(st, 2, e->path);
	si__text(st, 3, e->kind);
	si__text(st, 4, e->home);
	si__text(st, 5, e->version);
	sqlite3_bind_int(st, 6, e->system_site_packages);
}

int th_store_img_env(th_store *s, int64_t scan, const th_image_env *e, th_error *err)
{
	return si__write(s, "INSERT INTO image_envs(scan_id, path, kind, home, version, system_site_packages) "
			    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)", si__bind_env, e, scan, err);
}

static void si__bind_lib(sqlite3_stmt *st, const void *arg)
{
	const th_image_lib *l = arg;
	si__text(st, 2, l->path);
	si__text(st, 3, l->soname);
	si__text(st, 4, l->machine);
	sqlite3_bind_int(st, 5, l->bits);
	si__text(st, 6, l->kind);
	si__text(st, 7, l->version);
	si__text(st, 8, l->description);
	si__text(st, 9, l->glibc_max);
}

int th_store_img_library(th_store *s, int64_t scan, const th_image_lib *l, th_error *err)
{
	return si__write(s, "INSERT INTO image_libraries(scan_id, path, soname, machine, bits, kind, version, description, "
			    "glibc_max) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", si__bind_lib, l, scan, err);
}

int th_store_img_cache_get(th_store *s, const char *diff_id, th_buf *out, th_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT replay FROM image_layer_cache WHERE diff_id = ?1", -1, &st, NULL) != SQLITE_OK)
		return store__dberr(err, s->db, s->path, "cannot prepare a layer-cache read");
	sqlite3_bind_text(st, 1, diff_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		th_buf_clear(out);
		rc = th_buf_put(out, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), err);
	} else if (rc == SQLITE_DONE) {
		rc = TH_ERR_NOTFOUND;
	} else {
		rc = store__dberr(err, s->db, s->path, "cannot read the layer cache");
	}
	sqlite3_finalize(st);
	return rc;
}

int th_store_img_cache_put(th_store *s, const char *diff_id, const void *log, size_t len, th_error *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO image_layer_cache(diff_id, replay) VALUES (?1, ?2)", -1, &st,
			       NULL) != SQLITE_OK)
		return store__dberr(err, s->db, s->path, "cannot prepare a layer-cache write");
	sqlite3_bind_text(st, 1, diff_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob64(st, 2, log, len, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store__dberr(err, s->db, s->path, "cannot write the layer cache");
	sqlite3_finalize(st);
	return rc;
}

int th_store_img_count(th_store *s, const char *what, int64_t *out, th_error *err)
{
	static const struct { const char *what, *sql; } q[] = {
		{ "scans", "SELECT count(*) FROM image_scans" },
		{ "layers", "SELECT count(*) FROM image_scan_layers" },
		{ "packages", "SELECT count(*) FROM image_packages" },
		{ "dists", "SELECT count(*) FROM image_dists" },
		{ "envs", "SELECT count(*) FROM image_envs" },
		{ "interpreters", "SELECT count(*) FROM image_interpreters" },
		{ "libraries", "SELECT count(*) FROM image_libraries" },
		{ "cache", "SELECT count(*) FROM image_layer_cache" },
		{ "history", "SELECT count(*) FROM image_history" },
	};
	sqlite3_stmt *st;
	int rc = 0;

	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		if (strcmp(q[i].what, what))
			continue;
		if (sqlite3_prepare_v2(s->db, q[i].sql, -1, &st, NULL) != SQLITE_OK)
			return store__dberr(err, s->db, s->path, "cannot count image facts");
		if (sqlite3_step(st) == SQLITE_ROW)
			*out = sqlite3_column_int64(st, 0);
		else
			rc = store__dberr(err, s->db, s->path, "cannot count image facts");
		sqlite3_finalize(st);
		return rc;
	}
	return th_error_set(err, TH_ERR_USAGE, "no image-facts table '%s'", what);
}

/* ---- reading a scan back ---- */

typedef struct si_rd {
	th_store *s;
	th_arena *a;
	th_error *err;
	int rc;
} si_rd;

static int si__nomem(si_rd *r)
{
	if (!r->rc)
		r->rc = th_error_set(r->err, TH_ERR_NOMEM, "out of memory");
	return r->rc;
}

/* An arena copy of a text column, NULL for SQL NULL. */
static const char *si__col(si_rd *r, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	const char *c;

	if (!t)
		return NULL;
	if (!(c = th_arena_strndup(r->a, (const char *)t, (size_t)sqlite3_column_bytes(st, col))))
		si__nomem(r);
	return c;
}

/* Splits a column si__join wrote into an arena array at sep. NULL and
 * *n = 0 for SQL NULL. */
static const char **si__split(si_rd *r, sqlite3_stmt *st, int col, char sep, size_t *n)
{
	const char *p = sqlite3_column_type(st, col) == SQLITE_BLOB ? sqlite3_column_blob(st, col)
								       : (const char *)sqlite3_column_text(st, col);
	size_t len = (size_t)sqlite3_column_bytes(st, col), k = 0, cnt = 0;
	const char **v;

	*n = 0;
	if (!p)
		return NULL;
	if (sep == '\0' && len && p[len - 1] == '\0')
		len--; /* the last string's terminator ends the list */
	for (size_t i = 0; i < len; i++)
		cnt += p[i] == sep;
	if (!(v = th_arena_alloc(r->a, (cnt + 1) * sizeof(*v))))
		return si__nomem(r), NULL;
	for (size_t i = 0, start = 0; i <= len; i++) {
		if (i < len && p[i] != sep)
			continue;
		if (!(v[k++] = th_arena_strndup(r->a, p + start, i - start)))
			return si__nomem(r), NULL;
		start = i + 1;
	}
	*n = k;
	return v;
}

/* Runs one SELECT over the scan's rows (?1 = scan), calling row() for each. */
static int si__rows(si_rd *r, const char *sql, int64_t scan, void (*row)(si_rd *, sqlite3_stmt *, void *), void *ud)
{
	sqlite3_stmt *st;
	int step;

	if (r->rc)
		return r->rc;
	if (sqlite3_prepare_v2(r->s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return r->rc = store__dberr(r->err, r->s->db, r->s->path, "cannot prepare an image-facts read");
	sqlite3_bind_int64(st, 1, scan);
	while (!r->rc && (step = sqlite3_step(st)) == SQLITE_ROW)
		row(r, st, ud);
	if (!r->rc && step != SQLITE_DONE)
		r->rc = store__dberr(r->err, r->s->db, r->s->path, "cannot read image facts");
	sqlite3_finalize(st);
	return r->rc;
}

/* A growing arena array: doubles into a fresh arena block (the old one is
 * left to the arena; a scan's records are few enough for that). */
typedef struct si_vec {
	void *v;
	size_t n, cap, size;
} si_vec;

static void *si__push(si_rd *r, si_vec *vec)
{
	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 16;
		void *nv = th_arena_alloc(r->a, cap * vec->size);
		if (!nv)
			return si__nomem(r), NULL;
		if (vec->n)
			memcpy(nv, vec->v, vec->n * vec->size);
		vec->v = nv;
		vec->cap = cap;
	}
	void *slot = (char *)vec->v + vec->n++ * vec->size;
	memset(slot, 0, vec->size);
	return slot;
}

static void si__row_scan(si_rd *r, sqlite3_stmt *st, void *ud)
{
	th_imgfacts *f = ud;
	th_image_info *i = &f->info;
	size_t nl;

	f->scan = sqlite3_column_int64(st, 0);
	i->ref = si__col(r, st, 1);
	i->format = si__col(r, st, 2);
	i->manifest_digest = si__col(r, st, 3);
	i->config_digest = si__col(r, st, 4);
	i->os = si__col(r, st, 5);
	i->arch = si__col(r, st, 6);
	i->variant = si__col(r, st, 7);
	f->scanned_at = sqlite3_column_int64(st, 8);
	i->env = si__split(r, st, 9, '\0', &i->nenv);
	i->entrypoint = si__split(r, st, 10, '\0', &i->nentrypoint);
	i->cmd = si__split(r, st, 11, '\0', &i->ncmd);
	i->labels = si__split(r, st, 12, '\0', &nl);
	i->nlabels = nl / 2;
	f->stats = (th_image_stats){ (uint64_t)sqlite3_column_int64(st, 13), (uint64_t)sqlite3_column_int64(st, 14),
				     (uint64_t)sqlite3_column_int64(st, 15), (uint64_t)sqlite3_column_int64(st, 16) };
}

static void si__row_hist(si_rd *r, sqlite3_stmt *st, void *ud)
{
	th_image_history *h = si__push(r, ud);
	if (!h)
		return;
	h->created = si__col(r, st, 0);
	h->created_by = si__col(r, st, 1);
	h->author = si__col(r, st, 2);
	h->comment = si__col(r, st, 3);
	h->empty_layer = sqlite3_column_int(st, 4) != 0;
}

static void si__row_layer(si_rd *r, sqlite3_stmt *st, void *ud)
{
	th_image_layer *l = si__push(r, ud);
	if (!l)
		return;
	l->index = (unsigned)sqlite3_column_int(st, 0);
	l->diff_id = si__col(r, st, 1);
	l->digest = si__col(r, st, 2);
	l->media_type = si__col(r, st, 3);
	l->compression = si__col(r, st, 4);
	l->blob_bytes = (uint64_t)sqlite3_column_int64(st, 5);
	l->tar_bytes = (uint64_t)sqlite3_column_int64(st, 6);
	l->entries = (uint64_t)sqlite3_column_int64(st, 7);
	l->skipped = (uint64_t)sqlite3_column_int64(st, 8);
	l->cached = sqlite3_column_int(st, 9) != 0;
}

static void si__row_os(si_rd *r, sqlite3_stmt *st, void *ud)
{
	th_osrelease *o = th_arena_zalloc(r->a, sizeof(*o));
	if (!o) {
		si__nomem(r);
		return;
	}
	o->id = si__col(r, st, 0);
	o->version_id = si__col(r, st, 1);
	o->name = si__col(r, st, 2);
	o->pretty_name = si__col(r, st, 3);
	o->family = si__col(r, st, 4);
	o->id_like = si__col(r, st, 5);
	o->codename = si__col(r, st, 6);
	*(const th_osrelease **)ud = o;
}

static void si__row_pkg(si_rd *r, sqlite3_stmt *st, void *ud)
{
	th_image_pkg *p = si__push(r, ud);
	if (!p)
		return;
	*p = (th_image_pkg){ si__col(r, st, 0), si__col(r, st, 1), si__col(r, st, 2), si__col(r, st, 3),
			     si__col(r, st, 4), si__col(r, st, 5), si__col(r, st, 6), si__col(r, st, 7),
			     si__col(r, st, 8) };
}

static void si__row_interp(si_rd *r, sqlite3_stmt *st, void *ud)
{
	th_image_interp *i = si__push(r, ud);
	if (!i)
		return;
	i->path = si__col(r, st, 0);
	i->version = si__col(r, st, 1);
	i->version_source = si__col(r, st, 2);
	i->library = sqlite3_column_int(st, 3) != 0;
	i->site_dirs = si__split(r, st, 4, '\n', &i->nsite_dirs);
	if (i->version && sscanf(i->version, "%d.%d", &i->major, &i->minor) != 2)
		i->major = i->minor = 0;
}

static void si__row_env(si_rd *r, sqlite3_stmt *st, void *ud)
{
	th_image_env *e = si__push(r, ud);
	if (!e)
		return;
	*e = (th_image_env){ si__col(r, st, 0), si__col(r, st, 1), si__col(r, st, 2), si__col(r, st, 3),
			     sqlite3_column_int(st, 4) != 0 };
}

static void si__row_dist(si_rd *r, sqlite3_stmt *st, void *ud)
{
	th_image_dist *d = si__push(r, ud);
	if (!d)
		return;
	d->d.name = si__col(r, st, 0);
	d->d.normalized = si__col(r, st, 1);
	d->d.version = si__col(r, st, 2);
	d->location = si__col(r, st, 3);
	d->kind = si__col(r, st, 4);
	d->installer = si__col(r, st, 5);
	d->os_package = si__col(r, st, 6);
	d->d.requires_python = si__col(r, st, 7);
	d->d.requires_dist = si__split(r, st, 8, '\n', &d->d.nrequires_dist);
	d->environment = si__col(r, st, 9);
	d->direct_url = si__col(r, st, 10);
	d->top_level = si__split(r, st, 11, '\n', &d->ntop_level);
	d->entry_points = si__split(r, st, 12, '\n', &d->nentry_points);
	d->files = sqlite3_column_type(st, 13) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 13);
	d->path = si__col(r, st, 14);
	d->d.provides_extra = si__split(r, st, 15, '\n', &d->d.nprovides_extra);
	d->d.summary = si__col(r, st, 16);
	d->d.from_dirname = sqlite3_column_int(st, 17) != 0;
	d->record_names = si__split(r, st, 18, '\n', &d->nrecord_names);
}

static void si__row_lib(si_rd *r, sqlite3_stmt *st, void *ud)
{
	th_image_lib *l = si__push(r, ud);
	if (!l)
		return;
	*l = (th_image_lib){ si__col(r, st, 0), si__col(r, st, 1), si__col(r, st, 2), sqlite3_column_int(st, 3),
			     si__col(r, st, 4), si__col(r, st, 5), si__col(r, st, 6), si__col(r, st, 7) };
}

static const char *si__nz(const char *s)
{
	return s ? s : "";
}

static int si__cmp_pkg(const void *a, const void *b)
{
	const th_image_pkg *x = a, *y = b;
	int c = strcmp(si__nz(x->name), si__nz(y->name));
	if (!c)
		c = strcmp(si__nz(x->arch), si__nz(y->arch));
	if (!c)
		c = strcmp(si__nz(x->environment), si__nz(y->environment));
	return c;
}

static int si__cmp_interp(const void *a, const void *b)
{
	return strcmp(si__nz(((const th_image_interp *)a)->path), si__nz(((const th_image_interp *)b)->path));
}

static int si__cmp_dist(const void *a, const void *b)
{
	const th_image_dist *x = a, *y = b;
	int c = strcmp(si__nz(x->location), si__nz(y->location));
	return c ? c : strcmp(si__nz(x->d.normalized), si__nz(y->d.normalized));
}

static int si__cmp_lib(const void *a, const void *b)
{
	return strcmp(si__nz(((const th_image_lib *)a)->path), si__nz(((const th_image_lib *)b)->path));
}

/* The C library and the GPU runtimes, from the (sorted) libraries. */
static void si__derive(th_imgfacts *f)
{
	for (size_t i = 0; i < f->nlibs; i++) {
		const th_image_lib *l = &f->libs[i];
		const char *k = si__nz(l->kind);
		if (!f->libc && (!strcmp(k, "libc") || !strcmp(k, "musl"))) {
			f->libc = l;
			f->libc_family = strcmp(k, "libc") ? "musl" : "glibc";
			f->libc_version = l->version;
		} else if (!f->cuda_version && !strcmp(k, "cuda-runtime")) {
			f->cuda_version = l->version;
		} else if (!f->cudnn_version && !strcmp(k, "cudnn")) {
			f->cudnn_version = l->version;
		}
	}
}

int th_store_img_load(th_store *s, int64_t scan, th_imgfacts *out, th_arena *a, th_error *err)
{
	si_rd r = { s, a, err, 0 };
	si_vec hist = { NULL, 0, 0, sizeof(th_image_history) }, layers = { NULL, 0, 0, sizeof(th_image_layer) },
	       pkgs = { NULL, 0, 0, sizeof(th_image_pkg) }, interps = { NULL, 0, 0, sizeof(th_image_interp) },
	       envs = { NULL, 0, 0, sizeof(th_image_env) }, dists = { NULL, 0, 0, sizeof(th_image_dist) },
	       libs = { NULL, 0, 0, sizeof(th_image_lib) };
	const th_osrelease *os = NULL;

	memset(out, 0, sizeof(*out));
	out->scan = -1;
	si__rows(&r, "SELECT id, ref, format, manifest_digest, config_digest, os, arch, variant, scanned_at, env, "
		     "entrypoint, cmd, labels, tree_nodes, tree_created, tree_bytes, kept_bytes FROM image_scans WHERE id = ?1",
		 scan, si__row_scan, out);
	if (!r.rc && out->scan != scan)
		return th_error_set(err, TH_ERR_NOTFOUND, "%s: no image scan %lld", s->path, (long long)scan);
	si__rows(&r, "SELECT created, created_by, author, comment, empty_layer FROM image_history WHERE scan_id = ?1 "
		     "ORDER BY idx", scan, si__row_hist, &hist);
	si__rows(&r, "SELECT idx, diff_id, digest, media_type, compression, blob_bytes, tar_bytes, entries, skipped, cached "
		     "FROM image_scan_layers WHERE scan_id = ?1 ORDER BY idx", scan, si__row_layer, &layers);
	si__rows(&r, "SELECT id, version_id, name, pretty_name, family, id_like, codename FROM image_os WHERE scan_id = ?1",
		 scan, si__row_os, &os);
	si__rows(&r, "SELECT type, name, version, arch, source, source_version, build, channel, environment "
		     "FROM image_packages WHERE scan_id = ?1 ORDER BY rowid", scan, si__row_pkg, &pkgs);
	si__rows(&r, "SELECT path, version, version_source, library, site_dirs FROM image_interpreters "
		     "WHERE scan_id = ?1 ORDER BY rowid", scan, si__row_interp, &interps);
	si__rows(&r, "SELECT path, kind, home, version, system_site_packages FROM image_envs WHERE scan_id = ?1 "
		     "ORDER BY rowid", scan, si__row_env, &envs);
	si__rows(&r, "SELECT name, normalized, version, location, kind, installer, os_package, requires_python, "
		     "requires_dist, environment, direct_url, top_level, entry_points, files, path, provides_extra, summary, "
		     "from_dirname, record_names FROM image_dists WHERE scan_id = ?1 ORDER BY rowid",
		 scan, si__row_dist, &dists);
	si__rows(&r, "SELECT path, soname, machine, bits, kind, version, glibc_max, description FROM image_libraries "
		     "WHERE scan_id = ?1 ORDER BY rowid", scan, si__row_lib, &libs);
	if (r.rc)
		return r.rc;
	out->info.history = hist.v;
	out->info.nhistory = hist.n;
	out->info.nlayers = layers.n;
	out->os = os;
	out->layers = layers.v;
	out->nlayers = layers.n;
	/* The extractor hands records out in tree order; every report sorts them
	 * the same way (qsort sees the same input, so ties keep one order). */
	if (pkgs.n > 1)
		qsort(pkgs.v, pkgs.n, pkgs.size, si__cmp_pkg);
	if (interps.n > 1)
		qsort(interps.v, interps.n, interps.size, si__cmp_interp);
	if (dists.n > 1)
		qsort(dists.v, dists.n, dists.size, si__cmp_dist);
	if (libs.n > 1)
		qsort(libs.v, libs.n, libs.size, si__cmp_lib);
	out->pkgs = pkgs.v;
	out->npkgs = pkgs.n;
	out->interps = interps.v;
	out->ninterps = interps.n;
	out->envs = envs.v;
	out->nenvs = envs.n;
	out->dists = dists.v;
	out->ndists = dists.n;
	out->libs = libs.v;
	out->nlibs = libs.n;
	si__derive(out);
	return 0;
}

int th_store_img_latest(th_store *s, const char *key, int64_t *out, th_error *err)
{
	static const char *const sql[] = {
		"SELECT max(id) FROM image_scans WHERE config_digest = ?1 AND tree_nodes IS NOT NULL",
		"SELECT max(id) FROM image_scans WHERE manifest_digest = ?1 AND tree_nodes IS NOT NULL",
		"SELECT max(id) FROM image_scans WHERE ref = ?1 AND tree_nodes IS NOT NULL",
	};
	sqlite3_stmt *st;

	for (size_t i = 0; key && i < sizeof(sql) / sizeof(sql[0]); i++) {
		int found = 0;
		if (sqlite3_prepare_v2(s->db, sql[i], -1, &st, NULL) != SQLITE_OK)
			return store__dberr(err, s->db, s->path, "cannot prepare an image-scan lookup");
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		int rc = 0, step = sqlite3_step(st);
		if (step == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
			*out = sqlite3_column_int64(st, 0);
			found = 1;
		} else if (step != SQLITE_ROW) {
			rc = store__dberr(err, s->db, s->path, "cannot look an image scan up");
		}
		sqlite3_finalize(st);
		if (rc || found)
			return rc;
	}
	return th_error_set(err, TH_ERR_NOTFOUND, "%s: no complete scan of image '%s'", s->path, key ? key : "");
}
