#include "analyzer/srcdeps.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/pystdlib.h"
#include "core/buf.h"
#include "core/name.h"
#include "core/requirement.h"
#include "extractors/lockfile.h"

const char *th_severity_name(th_severity s)
{
	return s == TH_SEV_ERROR ? "error" : s == TH_SEV_WARNING ? "warning" : "note";
}

typedef struct srcdeps__w {
	th_srcdeps *out;
	th_arena *a;
	th_error *err;
	size_t cap;
	const th_srcdeps_opts *o;
	th_importmap *map;
	const char **roots; /* declared names: where transitive chains start */
	size_t nroots;
	th_buf chain;
} srcdeps__w;

static int srcdeps__add(srcdeps__w *w, const char *rule, th_severity sev, const char *file, uint32_t line,
			uint32_t col, const char *subject, const char *fmt, ...) __attribute__((format(printf, 8, 9)));

static int srcdeps__add(srcdeps__w *w, const char *rule, th_severity sev, const char *file, uint32_t line,
			uint32_t col, const char *subject, const char *fmt, ...)
{
	th_buf b = TH_BUF_INIT;
	va_list ap;
	th_finding *f;
	int rc;

	if (w->out->nfindings == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		th_finding *nf = th_arena_alloc(w->a, cap * sizeof(*nf));
		if (!nf)
			return th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
		if (w->out->nfindings)
			memcpy(nf, w->out->findings, w->out->nfindings * sizeof(*nf));
		w->out->findings = nf;
		w->cap = cap;
	}
	va_start(ap, fmt);
	rc = th_buf_vprintf(&b, w->err, fmt, ap);
	va_end(ap);
	f = &w->out->findings[w->out->nfindings];
	*f = (th_finding){ rule, sev, file, line, col, th_arena_strdup(w->a, subject), th_arena_strdup(w->a, b.ptr) };
	th_buf_release(&b);
	if (rc || !f->subject || !f->message)
		return rc ? rc : th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
	w->out->nfindings++;
	return 0;
}

static int srcdeps__strcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Top-level modules of the tree: the first path component (or the second,
 * under src/ or lib/), as a package directory or a module file. */
static int srcdeps__first_party(srcdeps__w *w, const th_srcscan *scan)
{
	const char **v = th_arena_alloc(w->a, (scan->nfiles + 1) * sizeof(*v));
	size_t n = 0, k = 0;

	if (!v)
		return th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < scan->nfiles; i++) {
		const char *p = scan->files[i].path, *slash;
		size_t len;

		if (scan->files[i].kind != TH_REPOFILE_PYTHON)
			continue;
		if (!strncmp(p, "src/", 4) || !strncmp(p, "lib/", 4))
			p += 4;
		slash = strchr(p, '/');
		len = slash ? (size_t)(slash - p) : strcspn(p, ".");
		if (!(v[n++] = th_arena_strndup(w->a, p, len)))
			return th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
	}
	qsort(v, n, sizeof(*v), srcdeps__strcmp);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || strcmp(v[k - 1], v[i]))
			v[k++] = v[i];
	w->out->first_party = v;
	w->out->nfirst_party = k;
	return 0;
}

static bool srcdeps__is_first_party(const th_srcdeps *d, const char *top)
{
	return bsearch(&top, d->first_party, d->nfirst_party, sizeof(*d->first_party), srcdeps__strcmp) != NULL;
}

/* The declaration of a distribution, preferring a runtime one; with
 * locked, only what lock files pin. */
static th_srcdeps_decl *srcdeps__find(th_srcdeps *d, const char *dist, bool locked)
{
	th_srcdeps_decl *best = NULL;

	for (size_t i = 0; i < d->ndecls; i++) {
		th_srcdeps_decl *x = &d->decls[i];
		if (!x->name || x->d.kind == TH_DECL_CONSTRAINT || (x->d.kind == TH_DECL_LOCKED) != locked ||
		    !th_name_eq(x->name, strlen(x->name), dist, strlen(dist)))
			continue;
		if (!best || (best->d.dev && !x->d.dev))
			best = x;
	}
	return best;
}

static th_srcdeps_decl *srcdeps__declared(th_srcdeps *d, const char *dist)
{
	return srcdeps__find(d, dist, false);
}

static bool srcdeps__test_path(const char *p)
{
	return !strncmp(p, "test", 4) || strstr(p, "/test") || strstr(p, "conftest.py") || strstr(p, "_test.py");
}

int th_srcdeps_resolve(th_buf *out, const char *path, unsigned level, const char *module, th_error *err)
{
	const char *end = strrchr(path, '/');
	size_t len, ndirs = 0;
	int rc;

	th_buf_clear(out);
	if (!strncmp(path, "src/", 4) || !strncmp(path, "lib/", 4))
		path += 4;
	len = end && end >= path ? (size_t)(end - path) : 0;
	for (size_t i = 0; i < len; i++)
		ndirs += path[i] == '/';
	if (len)
		ndirs++;
	if (level == 0 || level - 1 > ndirs)
		return th_error_set(err, TH_ERR_NOTFOUND, "%s: %u dots reach above the tree", path, level);
	/* Drop one trailing component per dot after the first. */
	for (unsigned k = 1; k < level; k++) {
		while (len > 0 && path[len - 1] != '/')
			len--;
		if (len > 0)
			len--;
	}
	for (size_t i = 0; i < len; i++)
		if ((rc = th_buf_putc(out, path[i] == '/' ? '.' : path[i], err)))
			return rc;
	if (*module && ((out->len && (rc = th_buf_putc(out, '.', err))) || (rc = th_buf_puts(out, module, err))))
		return rc;
	return 0;
}

/* The declaration satisfying an import: of one of the distributions that
 * may provide it, else of the import name itself when that was not a guess. */
static th_srcdeps_decl *srcdeps__decl_for(th_srcdeps *d, const th_importmap_hit *hit, const char *top, bool locked)
{
	th_srcdeps_decl *decl = NULL;

	for (size_t i = 0; i < hit->ndists && !decl; i++)
		decl = srcdeps__find(d, hit->dists[i], locked);
	if (!decl && hit->via != TH_IMPORTMAP_GUESS)
		decl = srcdeps__find(d, top, locked);
	return decl;
}

static const char *srcdeps__via(th_importmap_via v)
{
	return v == TH_IMPORTMAP_GUESS ? ", guessed from the name" : v == TH_IMPORTMAP_KB ? ", a knowledge-base project" :
	       v == TH_IMPORTMAP_INSTALLED ? ", installed in the target" : "";
}

/* Not declared, but the target has it installed: through a declared
 * distribution's dependencies (transitive), or on its own. 1 when a finding
 * was added. */
static int srcdeps__installed(srcdeps__w *w, const th_srcscan_file *f, const th_pyimport *im, const char *top,
			      const th_importmap_hit *hit)
{
	const th_importmap_installed *inst = NULL;
	bool found = false;
	int rc;

	for (size_t i = 0; i < hit->ndists && !inst; i++)
		inst = th_importmap_installed_get(w->map, hit->dists[i]);
	if (!inst)
		return 0;
	if ((rc = th_importmap_chain(w->map, w->roots, w->nroots, inst->name, w->o->env, &w->chain, &found, w->err)))
		return rc;
	if (found)
		rc = srcdeps__add(w, "transitive-dependency", TH_SEV_WARNING, f->path, im->line, im->col, inst->name,
				  "'%s' is imported but only present through %s (installed in %s), not declared", top,
				  w->chain.ptr, w->o->target ? w->o->target : "the target");
	else
		rc = srcdeps__add(w, "installed-not-declared", TH_SEV_WARNING, f->path, im->line, im->col, inst->name,
				  "'%s' is imported and %s provides it (%s %s), but it is not declared", top,
				  w->o->target ? w->o->target : "the target", inst->name,
				  inst->version ? inst->version : "");
	return rc ? rc : 1;
}

/* Without a target's installed distributions, the knowledge base may show
 * a declared distribution pulling the import in. 1 when a finding was added. */
static int srcdeps__kb_chain(srcdeps__w *w, const th_srcscan_file *f, const th_pyimport *im, const char *top,
			     const th_importmap_hit *hit)
{
	bool found = false;
	int rc = 0;

	if (th_importmap_ninstalled(w->map))
		return 0;
	for (size_t i = 0; i < hit->ndists && !found && !rc; i++)
		rc = th_importmap_kb_chain(w->map, w->roots, w->nroots, hit->dists[i], w->o->env, &w->chain, &found,
					   w->err);
	if (rc || !found)
		return rc;
	rc = srcdeps__add(w, "transitive-dependency", TH_SEV_WARNING, f->path, im->line, im->col, hit->dists[0],
			  "'%s' is imported but only present through %s (per the knowledge base), not declared", top,
			  w->chain.ptr);
	return rc ? rc : 1;
}

/* One distribution need of an import, against the declarations and the target. */
static int srcdeps__need(srcdeps__w *w, const th_srcscan_file *f, const th_pyimport *im, const char *top,
			 const th_importmap_hit *h)
{
	th_srcdeps_decl *decl;
	int rc;

	/* Inside a shared namespace, the module the key names says more than its top. */
	if (strchr(h->key, '.'))
		top = h->key;
	if ((decl = srcdeps__decl_for(w->out, h, top, false))) {
		decl->used = true;
		if (decl->d.dev && !srcdeps__test_path(f->path))
			return srcdeps__add(w, "dev-dependency-used", TH_SEV_WARNING, f->path, im->line, im->col, decl->name,
					    "'%s' is imported by runtime code but declared only for development (%s)",
					    top, decl->d.group ? decl->d.group : "dev");
		return 0;
	}
	if (im->kind == TH_PYIMPORT_DYNAMIC)
		return 0;
	if ((decl = srcdeps__decl_for(w->out, h, top, true)))
		return srcdeps__add(w, "transitive-dependency", TH_SEV_WARNING, f->path, im->line, im->col, decl->name,
				    "'%s' is imported but only present through %s, not declared", top, decl->d.file);
	if ((rc = srcdeps__installed(w, f, im, top, h)))
		return rc < 0 ? rc : 0;
	if ((rc = srcdeps__kb_chain(w, f, im, top, h)))
		return rc < 0 ? rc : 0;
	if (im->ctx & (TH_PYCTX_TRY_IMPORT | TH_PYCTX_IMPORT_FALLBACK))
		return srcdeps__add(w, "missing-dependency", TH_SEV_WARNING, f->path, im->line, im->col, top,
				    "optional import '%s' is not declared (distribution %s%s)", top, h->dists[0],
				    srcdeps__via(h->via));
	return srcdeps__add(w, "missing-dependency", TH_SEV_ERROR, f->path, im->line, im->col, top,
			    "'%s' is imported but not declared (distribution %s%s)", top, h->dists[0],
			    srcdeps__via(h->via));
}

static int srcdeps__import(srcdeps__w *w, const th_srcscan_file *f, const th_pyimport *in)
{
	th_pyimport local = *in;
	const th_pyimport *im = &local;
	char top[256];
	size_t n = strcspn(im->module, ".");
	th_importmap_hit hit;
	int removed, minor = w->o->python_minor, rc;

	/* A notebook's findings point into its cells: the line within the cell. */
	if (f->kind == TH_REPOFILE_NOTEBOOK) {
		uint32_t cell, line;
		th_ipynb_locate(&f->nb, im->line, &cell, &line);
		local.line = line;
	}
	if (im->level > 0) {
		th_buf b = TH_BUF_INIT;
		rc = th_srcdeps_resolve(&b, f->path, im->level, im->module, NULL);

		th_buf_release(&b);
		if (rc == TH_ERR_NOTFOUND)
			return srcdeps__add(w, "unresolvable-relative-import", TH_SEV_ERROR, f->path, im->line, im->col,
					    im->module, "relative import with %u dots reaches above the scanned tree",
					    im->level);
		return rc == TH_ERR_NOMEM ? th_error_set(w->err, rc, "out of memory") : 0;
	}
	if (n == 0 || n >= sizeof(top) || (im->ctx & TH_PYCTX_FUTURE))
		return 0;
	memcpy(top, im->module, n);
	top[n] = '\0';
	if (th_pystdlib_known(top)) {
		/* Guarded imports (try/except, version tests) are the code handling it. */
		if (!minor || th_pystdlib_has(top, minor, &removed) ||
		    (im->ctx & (TH_PYCTX_TRY_IMPORT | TH_PYCTX_IMPORT_FALLBACK | TH_PYCTX_VERSION)))
			return 0;
		if (removed && minor >= removed)
			return srcdeps__add(w, "stdlib-module-absent", TH_SEV_ERROR, f->path, im->line, im->col, top,
					    "'%s' was removed from the standard library in Python 3.%d", top, removed);
		return srcdeps__add(w, "stdlib-module-absent", TH_SEV_ERROR, f->path, im->line, im->col, top,
				    "'%s' is not in the standard library of Python 3.%d (it came later)", top, minor);
	}
	if (srcdeps__is_first_party(w->out, top) || (im->ctx & TH_PYCTX_TYPE_CHECKING))
		return 0;
	if ((rc = th_importmap_lookup(w->map, im->module, &hit, w->err)))
		return rc;
	/* `from google.cloud import storage`: a name may be a submodule that a
	 * longer key maps to its own distribution. */
	if (im->kind == TH_PYIMPORT_FROM && im->nnames && (rc = th_importmap_has_below(w->map, im->module, w->err))) {
		size_t base = strlen(hit.key);
		bool need_base = false;
		th_buf sub = TH_BUF_INIT;

		if (rc < 0)
			return rc;
		rc = 0;
		for (size_t i = 0; i < im->nnames && !rc; i++) {
			th_importmap_hit h;

			th_buf_clear(&sub);
			if (!strcmp(im->names[i].name, "*") ||
			    (rc = th_buf_printf(&sub, w->err, "%s.%s", im->module, im->names[i].name)) ||
			    (rc = th_importmap_lookup(w->map, sub.ptr, &h, w->err)))
				need_base |= rc == 0;
			else if (h.via != TH_IMPORTMAP_GUESS && strlen(h.key) > base)
				rc = srcdeps__need(w, f, im, top, &h);
			else
				need_base = true;
		}
		th_buf_release(&sub);
		if (rc || !need_base)
			return rc;
	}
	return srcdeps__need(w, f, im, top, &hit);
}

static int srcdeps__cmp_finding(const void *x, const void *y)
{
	const th_finding *a = x, *b = y;
	int c = strcmp(a->file, b->file);

	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return strcmp(a->rule, b->rule);
}

static int srcdeps__run(srcdeps__w *w, const th_srcscan *scan, const th_srcdeps_decl *decls, size_t ndecls);

int th_srcdeps_analyze(th_srcdeps *out, const th_srcscan *scan, const th_srcdeps_decl *decls, size_t ndecls,
		       const th_srcdeps_opts *o, th_arena *a, th_error *err)
{
	static const th_srcdeps_opts none = { 0 };
	srcdeps__w w = { out, a, err, 0, o ? o : &none, o ? o->map : NULL, NULL, 0, TH_BUF_INIT };
	th_importmap *own = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!w.map && (rc = th_importmap_new(&own, err)))
		return rc;
	if (!w.map)
		w.map = own;
	rc = srcdeps__run(&w, scan, decls, ndecls);
	th_importmap_free(own);
	th_buf_release(&w.chain);
	return rc;
}

static int srcdeps__run(srcdeps__w *w, const th_srcscan *scan, const th_srcdeps_decl *decls, size_t ndecls)
{
	th_srcdeps *out = w->out;
	th_arena *a = w->a;
	th_error *err = w->err;
	int rc;

	if (ndecls) {
		if (!(out->decls = th_arena_alloc(a, ndecls * sizeof(*out->decls))))
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		memcpy(out->decls, decls, ndecls * sizeof(*decls));
		out->ndecls = ndecls;
	}
	if ((rc = srcdeps__first_party(w, scan)))
		return rc;
	if (!(w->roots = th_arena_alloc(a, (ndecls ? ndecls : 1) * sizeof(*w->roots))))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < ndecls; i++)
		if (decls[i].name && decls[i].d.kind != TH_DECL_CONSTRAINT && decls[i].d.kind != TH_DECL_LOCKED)
			w->roots[w->nroots++] = decls[i].name;
	for (size_t i = 0; i < scan->nfiles; i++) {
		const th_srcscan_file *f = &scan->files[i];
		for (size_t k = 0; k < f->src.nimports; k++)
			if ((rc = srcdeps__import(w, f, &f->src.imports[k])))
				return rc;
	}
	for (size_t i = 0; i < out->ndecls; i++) {
		const th_srcdeps_decl *x = &out->decls[i];
		if (x->invalid && (rc = srcdeps__add(w, "invalid-requirement", TH_SEV_ERROR, x->d.file, x->d.line, 1,
						     x->d.req, "'%s' is not a valid requirement: %s", x->d.req,
						     x->invalid)))
			return rc;
	}
	/* Unused: declared to run (or as an extra) and imported nowhere. A
	 * declaration thoth cannot name (a bare URL) is not judged. */
	for (size_t i = 0; i < out->ndecls; i++) {
		th_srcdeps_decl *x = &out->decls[i];
		if (x->used || !x->name || x->d.dev || x->d.kind == TH_DECL_CONSTRAINT || x->d.kind == TH_DECL_LOCKED)
			continue;
		/* Another declaration of the same name may have been the one used. */
		{
			th_srcdeps_decl *y = srcdeps__declared(out, x->name);
			if (y && y->used)
				continue;
		}
		if ((rc = srcdeps__add(w, "unused-dependency", TH_SEV_WARNING, x->d.file, x->d.line, 1, x->name,
				       "'%s' is declared but no import uses it", x->name)))
			return rc;
	}
	if (out->nfindings)
		qsort(out->findings, out->nfindings, sizeof(*out->findings), srcdeps__cmp_finding);
	return 0;
}

/* ---- declared dependencies ---- */

typedef struct srcdeps__decls {
	th_srcdeps_decl *v;
	size_t n, cap;
	th_arena *a;
	th_error *err;
	const th_srcscan *scan;
	const th_limits *lim;
} srcdeps__decls;

static int srcdeps__read(th_buf *out, const char *path, const th_limits *lim, th_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	char chunk[65536];
	ssize_t n;
	int rc = 0;

	th_buf_clear(out);
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		rc = th_error_set(err, TH_ERR_IO, "%s: cannot read: %s", path, fd < 0 ? strerror(errno) : "not a file");
		goto done;
	}
	if ((uint64_t)st.st_size > lim->file_bytes) {
		rc = th_error_set(err, TH_ERR_LIMIT, "%s: larger than %llu bytes (file_bytes)", path,
				  (unsigned long long)lim->file_bytes);
		goto done;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		if ((rc = th_buf_put(out, chunk, (size_t)n, err)))
			goto done;
	if (n < 0)
		rc = th_error_set(err, TH_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
done:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* A file of the scanned tree, from memory when the scan's files are there
 * (an image's), else from the disk; rel is relative to the root. */
static int srcdeps__load(th_buf *out, const th_srcscan *scan, const char *rel, const th_limits *lim, th_error *err)
{
	char path[8192];

	if (scan->mem) {
		for (size_t i = 0; i < scan->nmem; i++)
			if (!strcmp(scan->mem[i].path, rel)) {
				th_buf_clear(out);
				if (scan->mem[i].len > lim->file_bytes)
					return th_error_set(err, TH_ERR_LIMIT, "%s: larger than %llu bytes (file_bytes)", rel,
							    (unsigned long long)lim->file_bytes);
				return th_buf_put(out, scan->mem[i].data, scan->mem[i].len, err);
			}
		return th_error_set(err, TH_ERR_NOTFOUND, "%s: not in the scanned tree", rel);
	}
	snprintf(path, sizeof(path), "%s/%s", scan->root, rel);
	return srcdeps__read(out, path, lim, err);
}

/* An include in a tree in memory: "." and ".." taken lexically, never above
 * the root (there is no disk to ask, and no symlink among the files). */
static int srcdeps__include_mem(srcdeps__decls *d, const char *from, const char *name, th_buf *out, th_buf *resolved,
				th_error *err)
{
	const char *p = resolved->ptr;
	th_buf norm = TH_BUF_INIT;
	int rc = 0;

	while (!rc && *p) {
		size_t n = strcspn(p, "/");
		if (n == 2 && !strncmp(p, "..", 2)) {
			char *slash = norm.len ? strrchr(norm.ptr, '/') : NULL;
			if (!norm.len) {
				rc = th_error_set(err, TH_ERR_INVALID, "%s: included file %s is outside the scanned tree", from,
						  name);
				break;
			}
			norm.len = slash ? (size_t)(slash - norm.ptr) : 0;
			norm.ptr[norm.len] = '\0';
		} else if (n && !(n == 1 && *p == '.')) {
			rc = th_buf_printf(&norm, err, "%s%.*s", norm.len ? "/" : "", (int)n, p);
		}
		p += n + (p[n] == '/');
	}
	if (!rc && !norm.len)
		rc = th_error_set(err, TH_ERR_INVALID, "%s: included file %s is not a file", from, name);
	if (!rc)
		rc = srcdeps__load(out, d->scan, norm.ptr, d->lim, err);
	if (!rc) {
		th_buf_clear(resolved);
		rc = th_buf_puts(resolved, norm.ptr, err);
	}
	th_buf_release(&norm);
	return rc;
}

/* -r/-c: relative to the including file, and never outside the tree. */
static int srcdeps__include(void *ud, const char *from, const char *name, th_buf *out, th_buf *resolved, th_error *err)
{
	srcdeps__decls *d = ud;
	const char *slash = strrchr(from, '/');
	char path[8192], *real;
	size_t rl = strlen(d->scan->root);
	int rc;

	th_buf_clear(resolved);
	if (name[0] == '/')
		rc = th_buf_puts(resolved, name, err);
	else
		rc = th_buf_printf(resolved, err, "%.*s%s", slash ? (int)(slash - from + 1) : 0, from, name);
	if (rc)
		return rc;
	if (d->scan->mem) {
		if (name[0] == '/')
			return th_error_set(err, TH_ERR_INVALID, "%s: included file %s is outside the scanned tree", from,
					    name);
		return srcdeps__include_mem(d, from, name, out, resolved, err);
	}
	snprintf(path, sizeof(path), "%s/%s", d->scan->root, resolved->ptr);
	if (!(real = realpath(path, NULL)))
		return th_error_set(err, TH_ERR_NOTFOUND, "%s: included file %s: %s", from, name, strerror(errno));
	if (strncmp(real, d->scan->root, rl) || (real[rl] != '/' && real[rl] != '\0')) {
		free(real);
		return th_error_set(err, TH_ERR_INVALID, "%s: included file %s is outside the scanned tree", from, name);
	}
	rc = srcdeps__read(out, real, d->lim, err);
	free(real);
	return rc;
}

static bool srcdeps__same_text(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static int srcdeps__decl(void *ud, const th_decl *decl)
{
	srcdeps__decls *d = ud;
	th_srcdeps_decl *x;

	/* A requirements file both included (-r) and read on its own counts once;
	 * two requirements on one line (a one-line TOML array) are two. */
	for (size_t i = 0; decl->kind != TH_DECL_LOCKED && i < d->n; i++)
		if (d->v[i].d.line == decl->line && !strcmp(d->v[i].d.file, decl->file) &&
		    srcdeps__same_text(d->v[i].d.req, decl->req) && srcdeps__same_text(d->v[i].d.name, decl->name))
			return 0;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 32;
		th_srcdeps_decl *nv = th_arena_alloc(d->a, cap * sizeof(*nv));
		if (!nv)
			return th_error_set(d->err, TH_ERR_NOMEM, "out of memory");
		if (d->n)
			memcpy(nv, d->v, d->n * sizeof(*nv));
		d->v = nv;
		d->cap = cap;
	}
	x = &d->v[d->n++];
	memset(x, 0, sizeof(*x));
	x->d = *decl;
	x->name = decl->name;
	/* PEP 508 text is named by the packaging core; one that does not parse
	 * becomes a finding, not an error of the scan. */
	if (!x->name && decl->req) {
		th_req r;
		th_error e = TH_ERROR_INIT;

		if (th_req_parse(&r, decl->req, strlen(decl->req), d->a, &e) == 0)
			x->name = r.name;
		else if (e.code == TH_ERR_NOMEM)
			return th_error_set(d->err, TH_ERR_NOMEM, "out of memory");
		else if (!(x->invalid = th_arena_strdup(d->a, e.msg)))
			return th_error_set(d->err, TH_ERR_NOMEM, "out of memory");
	}
	return 0;
}

/* pip-tools: requirements.txt compiled from requirements.in is a lock of
 * it; the .in file is what the project declares. */
static bool srcdeps__compiled(const th_srcscan *scan, const char *name)
{
	size_t n = strlen(name);

	if (n < 5 || strcmp(name + n - 4, ".txt"))
		return false;
	for (size_t i = 0; i < scan->nfiles; i++) {
		const char *p = scan->files[i].path;
		if (strlen(p) == n - 1 && !strncmp(p, name, n - 4) && !strcmp(p + n - 4, ".in"))
			return true;
	}
	return false;
}

static int srcdeps__locked(void *ud, const th_locked *l)
{
	th_decl d = { l->file, l->line, NULL, NULL, NULL, TH_DECL_LOCKED, l->dev, false };
	srcdeps__decls *ds = ud;
	char *name = th_arena_strdup(ds->a, l->name);

	if (!name)
		return th_error_set(ds->err, TH_ERR_NOMEM, "out of memory");
	d.name = name;
	return srcdeps__decl(ud, &d);
}

static const char *srcdeps__getenv(const char *name)
{
	return getenv(name);
}

int th_srcdeps_declared(th_srcdeps_decl **out, size_t *n, const th_srcscan *scan, const th_limits *lim, th_arena *a,
			th_error *err)
{
	srcdeps__decls d = { NULL, 0, 0, a, err, scan, lim };
	th_reqtxt_opts ro = { srcdeps__include, &d, srcdeps__getenv };
	th_buf text = TH_BUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < scan->nfiles && !rc; i++) {
		const th_srcscan_file *f = &scan->files[i];

		bool lock = th_lockfile_is(f->path);

		if (f->kind != TH_REPOFILE_MANIFEST || strchr(f->path, '/') ||
		    (!lock && (!th_manifest_is(f->path) || srcdeps__compiled(scan, f->path))))
			continue;
		if ((rc = srcdeps__load(&text, scan, f->path, lim, err)))
			break;
		if (lock)
			rc = th_lockfile_read(f->path, text.ptr, text.len, f->path, srcdeps__locked, &d, lim, a, err);
		else
			rc = th_manifest_read(f->path, text.ptr, text.len, f->path, &ro, srcdeps__decl, &d, lim, a, err);
	}
	th_buf_release(&text);
	*out = d.v;
	*n = d.n;
	return rc;
}
