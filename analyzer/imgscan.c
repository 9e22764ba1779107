#include "analyzer/imgscan.h"

#include <stdio.h>
#include <string.h>

#include "extractors/image.h"

/* What the sink needs: records go straight into the store. */
typedef struct imgscan_run {
	th_store *store;
	const th_imgscan_opts *o;
	th_error *err;
	int64_t scan;
	size_t nlayers;
	bool known; /* an earlier scan stands: no facts are written */
} imgscan_run;

static int imgscan__image(void *ud, const th_image_info *i)
{
	imgscan_run *r = ud;

	r->nlayers = i->nlayers;
	if (r->o->reuse && !r->o->verify && i->config_digest) {
		int rc = th_store_img_latest(r->store, i->config_digest, &r->scan, NULL);
		if (rc == 0) {
			/* the facts are known: the scan stops, or goes on for the pick alone */
			r->known = true;
			return TH_IMAGE_NO_FACTS;
		}
		if (rc != TH_ERR_NOTFOUND)
			return th_store_img_latest(r->store, i->config_digest, &r->scan, r->err);
	}
	return th_store_img_scan(r->store, i, &r->scan, r->err);
}

static int imgscan__layer(void *ud, const th_image_layer *l)
{
	imgscan_run *r = ud;

	if (r->o->progress)
		r->o->progress(r->o->progress_ud, l->index, r->nlayers);
	return th_store_img_layer(r->store, r->scan, l, r->err);
}

static int imgscan__os(void *ud, const th_osrelease *os)
{
	imgscan_run *r = ud;
	return th_store_img_os(r->store, r->scan, os, r->err);
}

static int imgscan__pkg(void *ud, const th_image_pkg *p)
{
	imgscan_run *r = ud;
	return th_store_img_package(r->store, r->scan, p, r->err);
}

static int imgscan__interp(void *ud, const th_image_interp *i)
{
	imgscan_run *r = ud;
	return th_store_img_interpreter(r->store, r->scan, i, r->err);
}

static int imgscan__env(void *ud, const th_image_env *e)
{
	imgscan_run *r = ud;
	return th_store_img_env(r->store, r->scan, e, r->err);
}

static int imgscan__dist(void *ud, const th_image_dist *d)
{
	imgscan_run *r = ud;
	return th_store_img_dist(r->store, r->scan, d, r->err);
}

static int imgscan__lib(void *ud, const th_image_lib *l)
{
	imgscan_run *r = ud;
	return th_store_img_library(r->store, r->scan, l, r->err);
}

static int imgscan__cache_get(void *ud, const char *diff_id, th_buf *out, th_error *err)
{
	return th_store_img_cache_get(ud, diff_id, out, err);
}

static int imgscan__cache_put(void *ud, const char *diff_id, const void *log, size_t len, th_error *err)
{
	return th_store_img_cache_put(ud, diff_id, log, len, err);
}

/* The RPM database inside an image goes through the store's defensive reader
 * (extractors may not call the store themselves). */
static int imgscan__sqlite_rows(void *ud, const void *db, size_t len, const char *what, const char *sql,
				th_image_row_fn fn, void *fn_ud, th_error *err)
{
	th_store_image *im;
	int rc = th_store_image_open(&im, db, len, what, ud, err);

	if (rc)
		return rc;
	rc = th_store_image_query(im, sql, fn, fn_ud, err);
	th_store_image_free(im);
	return rc;
}

int th_imgscan_run(th_store *s, const char *ref, const th_imgscan_opts *o, int64_t *out_scan, th_error *err)
{
	imgscan_run r = { s, o, err, -1, 0, false };
	th_image_stats stats;
	int rc;

	if ((rc = th_store_begin(s, err)))
		return rc;
	th_image_cache cache = { s, imgscan__cache_get, imgscan__cache_put };
	th_image_sqlite sq = { (void *)o->lim, imgscan__sqlite_rows };
	th_image_opts io = { o->platform, o->verify, o->lim, &cache, &sq, &stats, o->pick, o->streams };
	th_image_sink sink = { &r,           imgscan__image, imgscan__layer, imgscan__os, imgscan__pkg,
			       imgscan__interp, imgscan__env,   imgscan__dist,  imgscan__lib };
	rc = th_image_scan(ref, &io, &sink, err);
	if (r.known && (rc == 0 || rc == TH_IMAGE_NO_FACTS)) {
		/* no facts were written: the known scan stands (and the pick's
		 * layer logs, if it streamed, are kept) */
		rc = th_store_commit(s, err);
	} else if (!rc && !(rc = th_store_img_stats(s, r.scan, &stats, err))) {
		rc = th_store_commit(s, err);
	} else {
		th_store_rollback(s);
	}
	if (rc)
		return rc < 0 ? rc : th_error_set(err, TH_ERR_INVALID, "%s: the scan stopped", ref);
	*out_scan = r.scan;
	return 0;
}

int th_imgscan_facts(th_store *s, const char *ref, const th_imgscan_opts *o, th_imgfacts *out, th_arena *a,
		     th_error *err)
{
	int64_t scan = 0;
	int rc = th_imgscan_run(s, ref, o, &scan, err);

	return rc ? rc : th_store_img_load(s, scan, out, a, err);
}

/* The image's PATH from its config env, or NULL. */
static const char *imgscan__path(const th_imgfacts *f)
{
	for (size_t i = 0; i < f->info.nenv; i++)
		if (!strncmp(f->info.env[i], "PATH=", 5))
			return f->info.env[i] + 5;
	return NULL;
}

/* True when path is DIR/pythonX.Y for a DIR of the PATH list. */
static bool imgscan__in_dir(const char *path, const char *dir, size_t dlen)
{
	const char *slash = strrchr(path, '/');

	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	return slash && (size_t)(slash - path) == dlen && !strncmp(path, dir, dlen);
}

/* Interpreter versions are X.Y.Z or X.Y (th_image_interp): compared as
 * numbers; NULL sorts first. */
static int imgscan__cmp_version(const char *a, const char *b)
{
	unsigned x[3] = { 0, 0, 0 }, y[3] = { 0, 0, 0 };

	if (!a || !b)
		return (a != NULL) - (b != NULL);
	sscanf(a, "%u.%u.%u", &x[0], &x[1], &x[2]);
	sscanf(b, "%u.%u.%u", &y[0], &y[1], &y[2]);
	for (int i = 0; i < 3; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

const th_image_interp *th_imgfacts_python(const th_imgfacts *f)
{
	const char *path = imgscan__path(f);
	const th_image_interp *best = NULL;

	for (const char *d = path; d && *d;) {
		size_t dlen = strcspn(d, ":");
		for (size_t i = 0; dlen && i < f->ninterps; i++)
			if (!f->interps[i].library && f->interps[i].path && imgscan__in_dir(f->interps[i].path, d, dlen)) {
				/* several pythonX.Y in one dir: the highest */
				if (!best || imgscan__cmp_version(f->interps[i].version, best->version) > 0)
					best = &f->interps[i];
			}
		if (best)
			return best;
		d += dlen;
		d += *d == ':';
	}
	for (int lib = 0; lib < 2 && !best; lib++)
		for (size_t i = 0; i < f->ninterps; i++)
			if (f->interps[i].library == (lib == 1) && f->interps[i].version &&
			    (!best || imgscan__cmp_version(f->interps[i].version, best->version) > 0))
				best = &f->interps[i];
	return best;
}

const th_image_env *th_imgfacts_env(const th_imgfacts *f)
{
	const char *path = imgscan__path(f);

	for (const char *d = path; d && *d;) {
		size_t dlen = strcspn(d, ":"), n = dlen;
		while (n > 1 && d[n - 1] == '/')
			n--;
		for (size_t i = 0; n > 4 && i < f->nenvs; i++) {
			const char *p = f->envs[i].path;
			size_t pl = p ? strlen(p) : 0;
			if (pl + 4 == n && !strncmp(d, p, pl) && !strncmp(d + pl, "/bin", 4))
				return &f->envs[i];
		}
		for (size_t i = 0; n && i < f->ninterps; i++)
			if (!f->interps[i].library && f->interps[i].path && imgscan__in_dir(f->interps[i].path, d, dlen))
				return NULL;
		d += dlen;
		d += *d == ':';
	}
	return NULL;
}

const th_image_lib *th_imgfacts_lib(const th_imgfacts *f, const char *kind)
{
	for (size_t i = 0; i < f->nlibs; i++)
		if (f->libs[i].kind && !strcmp(f->libs[i].kind, kind))
			return &f->libs[i];
	return NULL;
}

const char *th_imgfacts_implementation(const th_image_interp *i)
{
	(void)i;
	return "cpython";
}
