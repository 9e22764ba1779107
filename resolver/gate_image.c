#include "resolver/gate_image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/store_image.h"
#include "core/version.h"
#include "extractors/image.h"

typedef struct image__w {
	th_gate_image *out;
	th_arena *a;
	th_error *err;
	th_gate_dist *dists;
	size_t capd;
	th_gate_lib *libs;
	size_t capl;
	const th_limits *lim;
	th_version best;     /* the chosen interpreter's version */
	bool best_exe;       /* it is an executable */
} image__w;

static const char *image__dup(image__w *w, const char *s)
{
	return s ? th_arena_strdup(w->a, s) : NULL;
}

static const char *const *image__dupv(image__w *w, const char *const *v, size_t n)
{
	const char **o;

	if (!n)
		return NULL;
	if (!(o = th_arena_alloc(w->a, n * sizeof(*o))))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!(o[i] = th_arena_strdup(w->a, v[i])))
			return NULL;
	return o;
}

static int image__nomem(image__w *w)
{
	return th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
}

static int image__info(void *ud, const th_image_info *i)
{
	image__w *w = ud;

	w->out->arch = image__dup(w, i->arch);
	return i->arch && !w->out->arch ? image__nomem(w) : 0;
}

static int image__os(void *ud, const th_osrelease *os)
{
	image__w *w = ud;

	w->out->os_id = image__dup(w, os->id);
	w->out->os_version = image__dup(w, os->version_id);
	return 0;
}

static int image__interp(void *ud, const th_image_interp *i)
{
	image__w *w = ud;
	th_version v;

	if (!i->version || th_version_parse(&v, i->version, strlen(i->version), w->a, NULL))
		return 0;
	/* Executables win over libpython; then the newest. */
	if (w->out->python && w->best_exe && i->library)
		return 0;
	if (w->out->python && w->best_exe == !i->library && th_version_cmp(&v, &w->best) <= 0)
		return 0;
	w->best = v;
	w->best_exe = !i->library;
	w->out->python = image__dup(w, i->version);
	w->out->python_path = image__dup(w, i->path);
	return w->out->python && w->out->python_path ? 0 : image__nomem(w);
}

static int image__dist(void *ud, const th_image_dist *d)
{
	image__w *w = ud;
	th_gate_dist *x;

	if (!d->d.normalized || !d->d.version)
		return 0;
	if (w->out->ndists == w->capd) {
		size_t cap = w->capd ? w->capd * 2 : 64;
		th_gate_dist *nv = th_arena_alloc(w->a, cap * sizeof(*nv));
		if (!nv)
			return image__nomem(w);
		if (w->out->ndists)
			memcpy(nv, w->dists, w->out->ndists * sizeof(*nv));
		w->dists = nv;
		w->capd = cap;
		w->out->dists = nv;
	}
	x = &w->dists[w->out->ndists++];
	memset(x, 0, sizeof(*x));
	x->name = image__dup(w, d->d.normalized);
	x->version = image__dup(w, d->d.version);
	x->requires_python = image__dup(w, d->d.requires_python);
	x->requires = image__dupv(w, (const char *const *)d->d.requires_dist, d->d.nrequires_dist);
	x->nrequires = x->requires ? d->d.nrequires_dist : 0;
	x->top_level = image__dupv(w, d->top_level, d->ntop_level);
	x->ntop_level = x->top_level ? d->ntop_level : 0;
	x->installer = image__dup(w, d->installer);
	x->os_package = image__dup(w, d->os_package);
	x->location = image__dup(w, d->location);
	if (!x->name || !x->version)
		return image__nomem(w);
	return 0;
}

static int image__lib(void *ud, const th_image_lib *l)
{
	image__w *w = ud;
	int ma, mi;

	if (!strcmp(l->kind, "other") || !strcmp(l->kind, "python"))
		return 0;
	if ((!strcmp(l->kind, "libc") || !strcmp(l->kind, "musl")) && l->version &&
	    sscanf(l->version, "%d.%d", &ma, &mi) == 2 && (ma > w->out->libc_major ||
							   (ma == w->out->libc_major && mi > w->out->libc_minor))) {
		w->out->libc = !strcmp(l->kind, "libc") ? "glibc" : "musl";
		w->out->libc_major = ma;
		w->out->libc_minor = mi;
		w->out->libc_version = image__dup(w, l->version);
	}
	if (w->out->nlibs == w->capl) {
		size_t cap = w->capl ? w->capl * 2 : 16;
		th_gate_lib *nv = th_arena_alloc(w->a, cap * sizeof(*nv));
		if (!nv)
			return image__nomem(w);
		if (w->out->nlibs)
			memcpy(nv, w->libs, w->out->nlibs * sizeof(*nv));
		w->libs = nv;
		w->capl = cap;
		w->out->libs = nv;
	}
	w->libs[w->out->nlibs++] = (th_gate_lib){ image__dup(w, l->kind), image__dup(w, l->version), image__dup(w, l->path) };
	return 0;
}

static int image__cache_get(void *ud, const char *diff_id, th_buf *out, th_error *err)
{
	return th_store_img_cache_get(ud, diff_id, out, err);
}

static int image__cache_put(void *ud, const char *diff_id, const void *log, size_t len, th_error *err)
{
	return th_store_img_cache_put(ud, diff_id, log, len, err);
}

int th_gate_image_load(th_gate_image *out, th_store *s, const char *ref, const th_limits *lim, th_arena *a,
		       th_error *err)
{
	image__w w = { out, a, err, NULL, 0, NULL, 0, lim, { 0 }, false };
	th_image_cache cache = { s, image__cache_get, image__cache_put };
	th_image_opts o = { NULL, false, lim, &cache, NULL, NULL };
	th_image_sink sink = { &w, image__info, NULL, image__os, NULL, image__interp, NULL, image__dist, image__lib };

	memset(out, 0, sizeof(*out));
	if (!(out->ref = th_arena_strdup(a, ref)))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	return th_image_scan(ref, &o, &sink, err);
}

void th_gate_image_spec(th_env_spec *out, const th_gate_image *im, const char *source)
{
	const char *arch = im->arch;

	memset(out, 0, sizeof(*out));
	out->source = source;
	out->python = im->python;
	if (arch && !strcmp(arch, "amd64"))
		arch = "x86_64";
	else if (arch && !strcmp(arch, "arm64"))
		arch = "aarch64";
	out->arch = arch;
	out->libc = im->libc;
	out->libc_version = im->libc_version;
	out->os_name = im->os_id;
	out->os_version = im->os_version;
	for (size_t i = 0; i < im->nlibs; i++) {
		if (!strcmp(im->libs[i].kind, "cuda-runtime") && !out->cuda)
			out->cuda = im->libs[i].version;
		if (!strcmp(im->libs[i].kind, "cudnn") && !out->cudnn)
			out->cudnn = im->libs[i].version;
	}
}
