#include "analyzer/store_image.h"

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
}

int th_store_img_scan(th_store *s, const th_image_info *i, int64_t *out, th_error *err)
{
	int rc = si__write(s, "INSERT INTO image_scans(id, ref, format, manifest_digest, config_digest, os, arch, variant, "
			      "scanned_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", si__bind_scan, i, 0, err);
	if (!rc)
		*out = sqlite3_last_insert_rowid(s->db);
	return rc;
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
}

int th_store_img_os(th_store *s, int64_t scan, const th_osrelease *os, th_error *err)
{
	return si__write(s, "INSERT OR REPLACE INTO image_os(scan_id, id, version_id, name, pretty_name, family) "
			    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)", si__bind_os, os, scan, err);
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

/* Binds a list of strings as one newline-separated text (NULL when empty). */
static void si__lines(sqlite3_stmt *st, int col, const char *const *v, size_t n)
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
		t[o++] = '\n';
	}
	t[o - 1] = '\0';
	sqlite3_bind_text(st, col, t, -1, sqlite3_free);
}

static void si__bind_interp(sqlite3_stmt *st, const void *arg)
{
	const th_image_interp *i = arg;
	si__text(st, 2, i->path);
	si__text(st, 3, i->version);
	si__text(st, 4, i->version_source);
	sqlite3_bind_int(st, 5, i->library);
	si__lines(st, 6, i->site_dirs, i->nsite_dirs);
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
	si__lines(st, 13, d->top_level, d->ntop_level);
	si__lines(st, 14, d->entry_points, d->nentry_points);
	if (d->files >= 0)
		sqlite3_bind_int64(st, 15, d->files);
	si__lines(st, 10, d->d.requires_dist, d->d.nrequires_dist); /* one requirement per line */
}

int th_store_img_dist(th_store *s, int64_t scan, const th_image_dist *d, th_error *err)
{
	return si__write(s, "INSERT INTO image_dists(scan_id, name, normalized, version, location, kind, installer, "
			    "os_package, requires_python, requires_dist, environment, direct_url, top_level, entry_points, files) "
			    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
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
}

int th_store_img_library(th_store *s, int64_t scan, const th_image_lib *l, th_error *err)
{
	return si__write(s, "INSERT INTO image_libraries(scan_id, path, soname, machine, bits, kind, version, description) "
			    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", si__bind_lib, l, scan, err);
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
