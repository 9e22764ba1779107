/* thoth scan image */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/store_image.h"
#include "core/arena.h"
#include "core/json.h"
#include "extractors/image.h"

/* ---- scan image ---- */

/* The records of one scan, copied out of the extractor's arenas (which die
 * with the scan) for the report, and written to the store as they come. */
typedef struct img_report {
	th_arena a;
	th_store *store;
	int64_t scan_id;
	th_error *err;
	FILE *progress; /* stderr when it is a terminal, else NULL */
	th_image_info info;
	th_image_stats stats;
	th_osrelease os;
	int has_os;
	th_image_layer *layers;
	size_t nlayers;
	th_image_pkg *pkgs;
	size_t npkgs;
	th_image_interp *interps;
	size_t ninterps;
	th_image_dist *dists;
	size_t ndists;
	th_image_env *envs;
	size_t nenvs;
	th_image_lib *libs;
	size_t nlibs;
} img_report;

static const char *img_dup(img_report *r, const char *s)
{
	return s ? th_arena_strdup(&r->a, s) : NULL;
}

static const char **img_dupv(img_report *r, const char *const *v, size_t n)
{
	const char **o = n ? th_arena_alloc(&r->a, n * sizeof(*o)) : NULL;
	for (size_t i = 0; o && i < n; i++)
		o[i] = img_dup(r, v[i]);
	return o;
}

/* Appends one record to a growing array (doubling). */
static void *img_push(void **arr, size_t *n, size_t size)
{
	if ((*n & (*n - 1)) == 0) {
		void *p = realloc(*arr, (*n ? *n * 2 : 1) * size);
		if (!p)
			return NULL;
		*arr = p;
	}
	return (char *)*arr + (*n)++ * size;
}

#define IMG_PUSH(r, arr, n) img_push((void **)&(r)->arr, &(r)->n, sizeof(*(r)->arr))

static int img_on_image(void *ud, const th_image_info *i)
{
	img_report *r = ud;
	r->info = *i;
	r->info.ref = img_dup(r, i->ref);
	r->info.format = img_dup(r, i->format);
	r->info.manifest_digest = img_dup(r, i->manifest_digest);
	r->info.config_digest = img_dup(r, i->config_digest);
	r->info.os = img_dup(r, i->os);
	r->info.arch = img_dup(r, i->arch);
	r->info.variant = img_dup(r, i->variant);
	r->info.env = img_dupv(r, i->env, i->nenv);
	r->info.entrypoint = img_dupv(r, i->entrypoint, i->nentrypoint);
	r->info.cmd = img_dupv(r, i->cmd, i->ncmd);
	r->info.labels = img_dupv(r, i->labels, 2 * i->nlabels);
	th_image_history *h = i->nhistory ? th_arena_alloc(&r->a, i->nhistory * sizeof(*h)) : NULL;
	for (size_t k = 0; h && k < i->nhistory; k++)
		h[k] = (th_image_history){ img_dup(r, i->history[k].created), img_dup(r, i->history[k].created_by),
					   i->history[k].empty_layer };
	r->info.history = h;
	if (!h)
		r->info.nhistory = 0;
	return th_store_img_scan(r->store, i, &r->scan_id, r->err);
}

static int img_on_layer(void *ud, const th_image_layer *l)
{
	img_report *r = ud;
	th_image_layer *c = IMG_PUSH(r, layers, nlayers);
	if (!c)
		return th_error_set(r->err, TH_ERR_NOMEM, "out of memory");
	*c = *l;
	c->media_type = img_dup(r, l->media_type);
	c->digest = img_dup(r, l->digest);
	c->diff_id = img_dup(r, l->diff_id);
	c->compression = img_dup(r, l->compression);
	if (r->progress)
		fprintf(r->progress, "\rthoth: layer %u of %zu read", l->index + 1, r->info.nlayers);
	return th_store_img_layer(r->store, r->scan_id, l, r->err);
}

static int img_on_os(void *ud, const th_osrelease *os)
{
	img_report *r = ud;
	r->has_os = 1;
	r->os.id = img_dup(r, os->id);
	r->os.version_id = img_dup(r, os->version_id);
	r->os.name = img_dup(r, os->name);
	r->os.pretty_name = img_dup(r, os->pretty_name);
	r->os.id_like = img_dup(r, os->id_like);
	r->os.codename = img_dup(r, os->codename);
	r->os.family = img_dup(r, os->family);
	return th_store_img_os(r->store, r->scan_id, os, r->err);
}

static int img_on_pkg(void *ud, const th_image_pkg *p)
{
	img_report *r = ud;
	th_image_pkg *c = IMG_PUSH(r, pkgs, npkgs);
	if (!c)
		return th_error_set(r->err, TH_ERR_NOMEM, "out of memory");
	*c = (th_image_pkg){ p->type, img_dup(r, p->name), img_dup(r, p->version), img_dup(r, p->arch),
			     img_dup(r, p->source), img_dup(r, p->source_version), img_dup(r, p->build),
			     img_dup(r, p->channel), img_dup(r, p->environment) };
	return th_store_img_package(r->store, r->scan_id, p, r->err);
}

static int img_on_interp(void *ud, const th_image_interp *i)
{
	img_report *r = ud;
	th_image_interp *c = IMG_PUSH(r, interps, ninterps);
	if (!c)
		return th_error_set(r->err, TH_ERR_NOMEM, "out of memory");
	*c = *i;
	c->path = img_dup(r, i->path);
	c->version = img_dup(r, i->version);
	c->site_dirs = img_dupv(r, i->site_dirs, i->nsite_dirs);
	return th_store_img_interpreter(r->store, r->scan_id, i, r->err);
}

static int img_on_dist(void *ud, const th_image_dist *d)
{
	img_report *r = ud;
	th_image_dist *c = IMG_PUSH(r, dists, ndists);
	if (!c)
		return th_error_set(r->err, TH_ERR_NOMEM, "out of memory");
	*c = *d;
	c->d.name = img_dup(r, d->d.name);
	c->d.normalized = img_dup(r, d->d.normalized);
	c->d.version = img_dup(r, d->d.version);
	c->d.requires_python = img_dup(r, d->d.requires_python);
	c->d.requires_dist = img_dupv(r, d->d.requires_dist, d->d.nrequires_dist);
	c->d.provides_extra = img_dupv(r, d->d.provides_extra, d->d.nprovides_extra);
	c->d.summary = img_dup(r, d->d.summary);
	c->location = img_dup(r, d->location);
	c->path = img_dup(r, d->path);
	c->installer = img_dup(r, d->installer);
	c->os_package = img_dup(r, d->os_package);
	c->environment = img_dup(r, d->environment);
	c->direct_url = img_dup(r, d->direct_url);
	c->top_level = img_dupv(r, d->top_level, d->ntop_level);
	c->entry_points = img_dupv(r, d->entry_points, d->nentry_points);
	return th_store_img_dist(r->store, r->scan_id, d, r->err);
}

static int img_on_env(void *ud, const th_image_env *e)
{
	img_report *r = ud;
	th_image_env *c = IMG_PUSH(r, envs, nenvs);
	if (!c)
		return th_error_set(r->err, TH_ERR_NOMEM, "out of memory");
	*c = (th_image_env){ img_dup(r, e->path), e->kind, img_dup(r, e->home), img_dup(r, e->version),
			     e->system_site_packages };
	return th_store_img_env(r->store, r->scan_id, e, r->err);
}

static int img_on_lib(void *ud, const th_image_lib *l)
{
	img_report *r = ud;
	th_image_lib *c = IMG_PUSH(r, libs, nlibs);
	if (!c)
		return th_error_set(r->err, TH_ERR_NOMEM, "out of memory");
	*c = (th_image_lib){ img_dup(r, l->path), img_dup(r, l->soname), img_dup(r, l->machine), l->bits,
			     img_dup(r, l->kind), img_dup(r, l->version), img_dup(r, l->glibc_max),
			     img_dup(r, l->description) };
	return th_store_img_library(r->store, r->scan_id, l, r->err);
}

static int img_cmp_pkg(const void *a, const void *b)
{
	const th_image_pkg *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (!c)
		c = strcmp(x->arch ? x->arch : "", y->arch ? y->arch : "");
	if (!c)
		c = strcmp(x->environment ? x->environment : "", y->environment ? y->environment : "");
	return c;
}

static int img_cmp_interp(const void *a, const void *b)
{
	return strcmp(((const th_image_interp *)a)->path, ((const th_image_interp *)b)->path);
}

static int img_cmp_dist(const void *a, const void *b)
{
	const th_image_dist *x = a, *y = b;
	int c = strcmp(x->location, y->location);
	return c ? c : strcmp(x->d.normalized, y->d.normalized);
}

static int img_cmp_lib(const void *a, const void *b)
{
	return strcmp(((const th_image_lib *)a)->path, ((const th_image_lib *)b)->path);
}

static void img_jw_strs(th_jw *w, const char *key, const char *const *v, size_t n)
{
	th_jw_key(w, key);
	th_jw_arr_begin(w);
	for (size_t i = 0; i < n; i++)
		th_jw_str(w, v[i]);
	th_jw_arr_end(w);
}

static void img_jw_kv(th_jw *w, const char *key, const char *v)
{
	th_jw_key(w, key);
	th_jw_str(w, v);
}

/* The libc of the image: glibc's level from libc.so.6, or musl. */
static const th_image_lib *img_libc(const img_report *r)
{
	for (size_t i = 0; i < r->nlibs; i++)
		if (!strcmp(r->libs[i].kind, "libc") || !strcmp(r->libs[i].kind, "musl"))
			return &r->libs[i];
	return NULL;
}

static int img_json(const img_report *r, th_buf *out, th_error *err)
{
	th_jw w;
	const th_image_lib *libc = img_libc(r);

	th_jw_init(&w, out, 1, err);
	th_jw_obj_begin(&w);
	img_jw_kv(&w, "schema", "thoth.scan.image/1");
	th_jw_key(&w, "image");
	th_jw_obj_begin(&w);
	img_jw_kv(&w, "ref", r->info.ref);
	img_jw_kv(&w, "format", r->info.format);
	img_jw_kv(&w, "manifest_digest", r->info.manifest_digest);
	img_jw_kv(&w, "config_digest", r->info.config_digest);
	img_jw_kv(&w, "os", r->info.os);
	img_jw_kv(&w, "architecture", r->info.arch);
	img_jw_kv(&w, "variant", r->info.variant);
	img_jw_strs(&w, "env", r->info.env, r->info.nenv);
	img_jw_strs(&w, "entrypoint", r->info.entrypoint, r->info.nentrypoint);
	img_jw_strs(&w, "cmd", r->info.cmd, r->info.ncmd);
	th_jw_key(&w, "labels");
	th_jw_obj_begin(&w);
	for (size_t i = 0; i < r->info.nlabels; i++) {
		th_jw_key(&w, r->info.labels[2 * i]);
		th_jw_str(&w, r->info.labels[2 * i + 1]);
	}
	th_jw_obj_end(&w);
	th_jw_key(&w, "history_entries");
	th_jw_int(&w, (int64_t)r->info.nhistory);
	th_jw_key(&w, "history");
	th_jw_arr_begin(&w);
	for (size_t i = 0; i < r->info.nhistory; i++) {
		th_jw_obj_begin(&w);
		img_jw_kv(&w, "created", r->info.history[i].created);
		img_jw_kv(&w, "created_by", r->info.history[i].created_by);
		th_jw_key(&w, "empty_layer");
		th_jw_bool(&w, r->info.history[i].empty_layer);
		th_jw_obj_end(&w);
	}
	th_jw_arr_end(&w);
	th_jw_key(&w, "tree");
	th_jw_obj_begin(&w);
	th_jw_key(&w, "entries");
	th_jw_int(&w, (int64_t)r->stats.nodes);
	th_jw_key(&w, "nodes_created");
	th_jw_int(&w, (int64_t)r->stats.created);
	th_jw_key(&w, "tree_bytes");
	th_jw_int(&w, (int64_t)r->stats.tree_bytes);
	th_jw_key(&w, "kept_bytes");
	th_jw_int(&w, (int64_t)r->stats.kept_bytes);
	th_jw_obj_end(&w);
	th_jw_obj_end(&w);
	th_jw_key(&w, "os");
	if (r->has_os) {
		th_jw_obj_begin(&w);
		img_jw_kv(&w, "id", r->os.id);
		img_jw_kv(&w, "version_id", r->os.version_id);
		img_jw_kv(&w, "name", r->os.name);
		img_jw_kv(&w, "pretty_name", r->os.pretty_name);
		img_jw_kv(&w, "family", r->os.family);
		th_jw_obj_end(&w);
	} else {
		th_jw_null(&w);
	}
	th_jw_key(&w, "libc");
	if (libc) {
		th_jw_obj_begin(&w);
		img_jw_kv(&w, "family", strcmp(libc->kind, "libc") ? "musl" : "glibc");
		img_jw_kv(&w, "version", libc->version);
		img_jw_kv(&w, "path", libc->path);
		th_jw_obj_end(&w);
	} else {
		th_jw_null(&w);
	}
	th_jw_key(&w, "os_packages");
	th_jw_arr_begin(&w);
	for (size_t i = 0; i < r->npkgs; i++) {
		const th_image_pkg *p = &r->pkgs[i];
		th_jw_obj_begin(&w);
		img_jw_kv(&w, "name", p->name);
		img_jw_kv(&w, "version", p->version);
		img_jw_kv(&w, "arch", p->arch);
		img_jw_kv(&w, "type", p->type);
		img_jw_kv(&w, "source", p->source);
		img_jw_kv(&w, "source_version", p->source_version);
		if (!strcmp(p->type, "conda")) {
			img_jw_kv(&w, "build", p->build);
			img_jw_kv(&w, "channel", p->channel);
			img_jw_kv(&w, "environment", p->environment);
		}
		th_jw_obj_end(&w);
	}
	th_jw_arr_end(&w);
	th_jw_key(&w, "python");
	th_jw_obj_begin(&w);
	th_jw_key(&w, "interpreters");
	th_jw_arr_begin(&w);
	for (size_t i = 0; i < r->ninterps; i++) {
		th_jw_obj_begin(&w);
		img_jw_kv(&w, "version", r->interps[i].version);
		img_jw_kv(&w, "path", r->interps[i].path);
		img_jw_kv(&w, "version_source", r->interps[i].version_source);
		th_jw_key(&w, "library");
		th_jw_bool(&w, r->interps[i].library);
		img_jw_strs(&w, "site_dirs", r->interps[i].site_dirs, r->interps[i].nsite_dirs);
		th_jw_obj_end(&w);
	}
	th_jw_arr_end(&w);
	th_jw_key(&w, "environments");
	th_jw_arr_begin(&w);
	for (size_t i = 0; i < r->nenvs; i++) {
		th_jw_obj_begin(&w);
		img_jw_kv(&w, "path", r->envs[i].path);
		img_jw_kv(&w, "kind", r->envs[i].kind);
		img_jw_kv(&w, "home", r->envs[i].home);
		img_jw_kv(&w, "version", r->envs[i].version);
		th_jw_key(&w, "include_system_site_packages");
		th_jw_bool(&w, r->envs[i].system_site_packages);
		th_jw_obj_end(&w);
	}
	th_jw_arr_end(&w);
	th_jw_key(&w, "distributions");
	th_jw_arr_begin(&w);
	for (size_t i = 0; i < r->ndists; i++) {
		const th_image_dist *d = &r->dists[i];
		th_jw_obj_begin(&w);
		img_jw_kv(&w, "name", d->d.normalized);
		img_jw_kv(&w, "display_name", d->d.name);
		img_jw_kv(&w, "version", d->d.version);
		img_jw_kv(&w, "location", d->location);
		img_jw_kv(&w, "installer", d->installer);
		img_jw_kv(&w, "kind", d->kind);
		img_jw_kv(&w, "os_package", d->os_package);
		img_jw_kv(&w, "environment", d->environment);
		img_jw_kv(&w, "direct_url", d->direct_url);
		img_jw_strs(&w, "top_level", d->top_level, d->ntop_level);
		img_jw_strs(&w, "entry_points", d->entry_points, d->nentry_points);
		th_jw_key(&w, "files");
		if (d->files < 0)
			th_jw_str(&w, NULL);
		else
			th_jw_int(&w, d->files);
		img_jw_kv(&w, "requires_python", d->d.requires_python);
		img_jw_strs(&w, "requires_dist", d->d.requires_dist, d->d.nrequires_dist);
		img_jw_strs(&w, "provides_extra", d->d.provides_extra, d->d.nprovides_extra);
		th_jw_obj_end(&w);
	}
	th_jw_arr_end(&w);
	th_jw_obj_end(&w);
	th_jw_key(&w, "native_libraries");
	th_jw_arr_begin(&w);
	for (size_t i = 0; i < r->nlibs; i++) {
		const th_image_lib *l = &r->libs[i];
		th_jw_obj_begin(&w);
		img_jw_kv(&w, "path", l->path);
		img_jw_kv(&w, "soname", l->soname);
		img_jw_kv(&w, "kind", l->kind);
		img_jw_kv(&w, "version", l->version);
		img_jw_kv(&w, "machine", l->machine);
		th_jw_key(&w, "bits");
		th_jw_int(&w, l->bits);
		img_jw_kv(&w, "glibc_max", l->glibc_max);
		img_jw_kv(&w, "description", l->description);
		th_jw_obj_end(&w);
	}
	th_jw_arr_end(&w);
	th_jw_key(&w, "layers");
	th_jw_arr_begin(&w);
	for (size_t i = 0; i < r->nlayers; i++) {
		const th_image_layer *l = &r->layers[i];
		th_jw_obj_begin(&w);
		th_jw_key(&w, "index");
		th_jw_int(&w, l->index);
		img_jw_kv(&w, "digest", l->digest);
		img_jw_kv(&w, "diff_id", l->diff_id);
		img_jw_kv(&w, "media_type", l->media_type);
		img_jw_kv(&w, "compression", l->compression);
		th_jw_key(&w, "size");
		th_jw_int(&w, (int64_t)l->blob_bytes);
		th_jw_key(&w, "uncompressed_size");
		th_jw_int(&w, (int64_t)l->tar_bytes);
		th_jw_key(&w, "entries");
		th_jw_int(&w, (int64_t)l->entries);
		th_jw_key(&w, "skipped");
		th_jw_int(&w, (int64_t)l->skipped);
		th_jw_key(&w, "cached");
		th_jw_bool(&w, l->cached);
		th_jw_obj_end(&w);
	}
	th_jw_arr_end(&w);
	th_jw_obj_end(&w);
	if (th_jw_finish(&w))
		return w.rc;
	return th_buf_putc(out, '\n', err);
}

/* A purl segment: everything but unreserved characters percent-encoded. */
static void img_purl_part(th_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		    c == '_' || c == '~') {
			th_buf_putc(b, (char)c, NULL);
		} else {
			th_buf_putc(b, '%', NULL);
			th_buf_putc(b, hex[c >> 4], NULL);
			th_buf_putc(b, hex[c & 15], NULL);
		}
	}
}

static void img_cdx_component(th_jw *w, th_buf *purl, int *n, const char *type, const char *name, const char *version,
			      const char *desc)
{
	char ref[32];

	snprintf(ref, sizeof(ref), "component-%d", ++*n);
	th_jw_obj_begin(w);
	img_jw_kv(w, "type", type);
	img_jw_kv(w, "bom-ref", ref);
	img_jw_kv(w, "name", name);
	if (version && *version)
		img_jw_kv(w, "version", version);
	if (desc && *desc)
		img_jw_kv(w, "description", desc);
	if (purl && purl->len)
		img_jw_kv(w, "purl", purl->ptr);
	th_jw_obj_end(w);
}

/* CycloneDX 1.5 JSON: the image as the BOM's subject, the OS, OS packages
 * (pkg:deb / pkg:rpm / pkg:apk), Python distributions (pkg:pypi) and
 * well-known native libraries (pkg:generic). */
static int img_cyclonedx(const img_report *r, th_buf *out, th_error *err)
{
	th_jw w;
	th_buf purl = TH_BUF_INIT;
	int n = 0;
	const char *distro = r->has_os ? r->os.id : NULL;

	th_jw_init(&w, out, 1, err);
	th_jw_obj_begin(&w);
	img_jw_kv(&w, "bomFormat", "CycloneDX");
	img_jw_kv(&w, "specVersion", "1.5");
	th_jw_key(&w, "version");
	th_jw_int(&w, 1);
	th_jw_key(&w, "metadata");
	th_jw_obj_begin(&w);
	th_jw_key(&w, "tools");
	th_jw_obj_begin(&w);
	th_jw_key(&w, "components");
	th_jw_arr_begin(&w);
	th_jw_obj_begin(&w);
	img_jw_kv(&w, "type", "application");
	img_jw_kv(&w, "name", "thoth");
	img_jw_kv(&w, "version", THOTH_VERSION);
	th_jw_obj_end(&w);
	th_jw_arr_end(&w);
	th_jw_obj_end(&w);
	th_jw_key(&w, "component");
	th_jw_obj_begin(&w);
	img_jw_kv(&w, "type", "container");
	img_jw_kv(&w, "bom-ref", "image");
	img_jw_kv(&w, "name", r->info.ref);
	if (r->info.manifest_digest)
		img_jw_kv(&w, "version", r->info.manifest_digest);
	th_jw_obj_end(&w);
	th_jw_obj_end(&w);
	th_jw_key(&w, "components");
	th_jw_arr_begin(&w);
	if (r->has_os)
		img_cdx_component(&w, NULL, &n, "operating-system", r->os.id, r->os.version_id, r->os.pretty_name);
	for (size_t i = 0; i < r->npkgs; i++) {
		const th_image_pkg *p = &r->pkgs[i];
		th_buf_clear(&purl);
		th_buf_printf(&purl, NULL, "pkg:%s/", p->type);
		if (strcmp(p->type, "conda")) { /* conda purls have no namespace */
			img_purl_part(&purl, distro ? distro : p->type);
			th_buf_putc(&purl, '/', NULL);
		}
		img_purl_part(&purl, p->name);
		th_buf_putc(&purl, '@', NULL);
		img_purl_part(&purl, p->version);
		if (p->arch && *p->arch) {
			th_buf_puts(&purl, "?arch=", NULL);
			img_purl_part(&purl, p->arch);
		}
		if (!strcmp(p->type, "conda") && p->build && *p->build) {
			th_buf_puts(&purl, "?build=", NULL);
			img_purl_part(&purl, p->build);
		} else if (distro && r->os.version_id && *r->os.version_id) {
			th_buf_puts(&purl, p->arch && *p->arch ? "&distro=" : "?distro=", NULL);
			img_purl_part(&purl, distro);
			th_buf_putc(&purl, '-', NULL);
			img_purl_part(&purl, r->os.version_id);
		}
		img_cdx_component(&w, &purl, &n, "library", p->name, p->version, NULL);
	}
	for (size_t i = 0; i < r->ndists; i++) {
		const th_image_dist *d = &r->dists[i];
		th_buf_clear(&purl);
		th_buf_puts(&purl, "pkg:pypi/", NULL);
		img_purl_part(&purl, d->d.normalized);
		th_buf_putc(&purl, '@', NULL);
		img_purl_part(&purl, d->d.version);
		img_cdx_component(&w, &purl, &n, "library", d->d.normalized, d->d.version, d->location);
	}
	for (size_t i = 0; i < r->nlibs; i++) {
		const th_image_lib *l = &r->libs[i];
		if (!strcmp(l->kind, "other"))
			continue;
		th_buf_clear(&purl);
		th_buf_puts(&purl, "pkg:generic/", NULL);
		img_purl_part(&purl, l->kind);
		if (l->version) {
			th_buf_putc(&purl, '@', NULL);
			img_purl_part(&purl, l->version);
		}
		img_cdx_component(&w, &purl, &n, "library", l->kind, l->version, l->path);
	}
	th_jw_arr_end(&w);
	th_jw_obj_end(&w);
	th_buf_release(&purl);
	if (th_jw_finish(&w))
		return w.rc;
	return th_buf_putc(out, '\n', err);
}

static void img_table(const img_report *r, FILE *f)
{
	const th_image_lib *libc = img_libc(r);

	fprintf(f, "image     %s (%s, %s/%s%s%s)\n", r->info.ref, r->info.format, r->info.os ? r->info.os : "",
		r->info.arch ? r->info.arch : "", r->info.variant && *r->info.variant ? "/" : "",
		r->info.variant ? r->info.variant : "");
	if (r->has_os)
		fprintf(f, "os        %s %s (%s)\n", r->os.id, r->os.version_id, r->os.family);
	if (libc)
		fprintf(f, "libc      %s %s\n", strcmp(libc->kind, "libc") ? "musl" : "glibc", libc->version ? libc->version : "?");
	fprintf(f, "layers    %zu\n", r->nlayers);
	fprintf(f, "\nOS PACKAGES (%zu)\n", r->npkgs);
	for (size_t i = 0; i < r->npkgs; i++)
		fprintf(f, "  %-40s %-32s %s\n", r->pkgs[i].name, r->pkgs[i].version,
			r->pkgs[i].arch ? r->pkgs[i].arch : r->pkgs[i].type);
	fprintf(f, "\nPYTHON INTERPRETERS (%zu)\n", r->ninterps);
	for (size_t i = 0; i < r->ninterps; i++)
		fprintf(f, "  %-12s %s\n", r->interps[i].version, r->interps[i].path);
	fprintf(f, "\nPYTHON DISTRIBUTIONS (%zu)\n", r->ndists);
	for (size_t i = 0; i < r->ndists; i++)
		fprintf(f, "  %-32s %-16s %s%s%s%s\n", r->dists[i].d.normalized, r->dists[i].d.version, r->dists[i].location,
			r->dists[i].os_package ? "  [" : "", r->dists[i].os_package ? r->dists[i].os_package : "",
			r->dists[i].os_package ? "]" : "");
	fprintf(f, "\nNATIVE LIBRARIES (%zu, well-known shown)\n", r->nlibs);
	for (size_t i = 0; i < r->nlibs; i++)
		if (strcmp(r->libs[i].kind, "other"))
			fprintf(f, "  %-14s %-12s %s\n", r->libs[i].kind, r->libs[i].version ? r->libs[i].version : "",
				r->libs[i].path);
}

static int img_cache_get(void *ud, const char *diff_id, th_buf *out, th_error *err)
{
	return th_store_img_cache_get(ud, diff_id, out, err);
}

static int img_cache_put(void *ud, const char *diff_id, const void *log, size_t len, th_error *err)
{
	return th_store_img_cache_put(ud, diff_id, log, len, err);
}

/* The RPM database inside an image goes through the store's defensive reader. */
static int img_sqlite_rows(void *ud, const void *db, size_t len, const char *what, const char *sql,
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

static int scan_image_run(th_ctx *ctx, const th_args *a)
{
	const char *format = th_args_get(a, "--format");
	img_report r;
	th_store *store;
	th_buf out = TH_BUF_INIT;
	int rc, status = TH_EXIT_ERROR;

	memset(&r, 0, sizeof(r));
	th_arena_init(&r.a, 64 * 1024);
	r.err = &ctx->err;
	if (!format)
		format = "table";
	if (th_ctx_store(ctx, &store) || th_store_begin(store, &ctx->err))
		goto done;
	r.store = store;
	r.progress = !ctx->quiet && isatty(fileno(ctx->diag)) ? ctx->diag : NULL;
	th_image_cache cache = { store, img_cache_get, img_cache_put };
	th_image_sqlite sq = { &ctx->limits, img_sqlite_rows };
	th_image_opts o = { th_args_get(a, "--platform"), th_args_flag(a, "--verify") > 0, &ctx->limits, &cache, &sq,
			    &r.stats };
	th_image_sink sink = { &r, img_on_image, img_on_layer, img_on_os, img_on_pkg, img_on_interp, img_on_env, img_on_dist,
			     img_on_lib };
	rc = th_image_scan(a->pos[0], &o, &sink, &ctx->err);
	if (r.progress)
		fputs("\r\033[K", r.progress);
	if (rc) {
		th_store_rollback(store);
		goto done;
	}
	if (th_store_commit(store, &ctx->err))
		goto done;
	if (r.npkgs > 1)
		qsort(r.pkgs, r.npkgs, sizeof(*r.pkgs), img_cmp_pkg);
	if (r.ninterps > 1)
		qsort(r.interps, r.ninterps, sizeof(*r.interps), img_cmp_interp);
	if (r.ndists > 1)
		qsort(r.dists, r.ndists, sizeof(*r.dists), img_cmp_dist);
	if (r.nlibs > 1)
		qsort(r.libs, r.nlibs, sizeof(*r.libs), img_cmp_lib);
	if (!strcmp(format, "json") || !strcmp(format, "cyclonedx")) {
		if ((!strcmp(format, "json") ? img_json : img_cyclonedx)(&r, &out, &ctx->err))
			goto done;
		fwrite(out.ptr, 1, out.len, ctx->out);
	} else {
		img_table(&r, ctx->out);
	}
	status = TH_EXIT_OK;
done:
	th_buf_release(&out);
	free(r.layers);
	free(r.pkgs);
	free(r.interps);
	free(r.dists);
	free(r.envs);
	free(r.libs);
	th_arena_release(&r.a);
	return status;
}

static const th_opt scan_image_opts[] = {
	{ "--platform", TH_OPT_VALUE, "OS/ARCH[/VARIANT]", "image platform to pick from an index (default linux/amd64)", NULL },
	{ "--verify", TH_OPT_FLAG, NULL, "verify every layer's digests again, even those seen before", NULL },
	{ "--format", TH_OPT_VALUE, NULL, "output format", "table|json|cyclonedx" },
	TH_OPT_END
};

const th_cmd th_cmds_scan_image[] = {
	{ "scan image", "REF", "scan a container image: OS, packages, Python, native libraries",
	  "REF is an OCI layout directory, an OCI archive, a docker-archive tar or a root filesystem directory.",
	  scan_image_opts, 1, 1, scan_image_run },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, NULL }
};
