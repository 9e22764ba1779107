/* thoth scan repo */
#include "cli/cli.h"
#include "cli/sarif.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/imgscan.h"
#include "analyzer/srcdeps.h"
#include "analyzer/store_kb.h"
#include "core/version.h"
#include "analyzer/srcscan.h"
#include "core/hash.h"
#include "core/json.h"
#include "extractors/imgsrc.h"

static const th_opt scan_repo_opts[] = {
	{ "--python", TH_OPT_VALUE, "X.Y[.Z]", "target Python version", NULL },
	{ "--image", TH_OPT_VALUE, "REF", "take the target from this image", NULL },
	{ "--exclude", TH_OPT_LIST, "GLOB", "skip paths matching GLOB", NULL },
	{ "--path", TH_OPT_VALUE, "DIR", "scan this directory of the image (default /); it is the project's root", NULL },
	{ "--format", TH_OPT_VALUE, NULL, "output format", "table|json|sarif" },
	{ "--fail-on", TH_OPT_VALUE, NULL, "exit 1 on findings at or above this level (default never)", "error|warning|note|never" },
	TH_OPT_END
};


/* ---- scan repo ---- */

#define SCAN_REPO_SCHEMA "thoth.scan-repo/1"

static const char *scan__kind_name(th_repofile_kind k)
{
	return k == TH_REPOFILE_PYTHON ? "python" : k == TH_REPOFILE_NOTEBOOK ? "notebook" : "manifest";
}

static const char *scan__import_kind(th_pyimport_kind k)
{
	return k == TH_PYIMPORT_IMPORT ? "import" : k == TH_PYIMPORT_FROM ? "from" : "dynamic";
}

static void scan__ctx_json(th_jw *w, unsigned ctx)
{
	th_jw_arr_begin(w);
	if (!(ctx & (TH_PYCTX_FUNCTION | TH_PYCTX_CLASS)))
		th_jw_str(w, "module");
	for (unsigned f = 1; f <= TH_PYCTX_ERROR; f <<= 1)
		if (ctx & f)
			th_jw_str(w, th_pysource_ctx_name(f));
	th_jw_arr_end(w);
}

/* line/col, and for notebooks the cell and the line within it. */
static void scan__where(th_jw *w, const th_srcscan_file *f, uint32_t line, uint32_t col)
{
	if (f->kind == TH_REPOFILE_NOTEBOOK) {
		uint32_t cell, cl;
		th_ipynb_locate(&f->nb, line, &cell, &cl);
		th_jw_key(w, "cell");
		th_jw_int(w, cell);
		line = cl;
	}
	th_jw_key(w, "line");
	th_jw_int(w, line);
	th_jw_key(w, "col");
	th_jw_int(w, col);
}

static const char *scan__decl_kind(th_decl_kind k)
{
	return k == TH_DECL_RUNTIME ? "runtime" : k == TH_DECL_EXTRA ? "extra" : k == TH_DECL_GROUP ? "group" :
	       k == TH_DECL_LOCKED ? "locked" : "constraint";
}

/* What the findings were judged against, and where the sources came from. */
typedef struct scan__target {
	const char *python;   /* "3.Y[.Z]" or NULL */
	const char *image;    /* the REF or NULL */
	size_t installed;     /* its Python distributions */
	const th_imgsrc *src; /* the sources were read from an image, or NULL */
	const char *src_ref;  /* that image's REF */
} scan__target;

/* A file's path as printed: an image's are absolute in the image
 * ("/app/main.py"), a directory's relative to it. */
static const char *scan__path(const scan__target *tg, th_buf *b, const char *rel)
{
	th_buf_clear(b);
	if (!tg->src || !rel)
		return rel;
	if (th_buf_printf(b, NULL, "%s%s%s", tg->src->root, tg->src->root[1] ? "/" : "", rel))
		return rel;
	return b->ptr;
}

static int scan__json(th_ctx *ctx, const th_srcscan *s, const th_srcdeps *d, const scan__target *tg, th_buf *out)
{
	th_buf res = TH_BUF_INIT, pb = TH_BUF_INIT;
	th_jw w;

	th_jw_init(&w, out, 1, &ctx->err);
	th_jw_obj_begin(&w);
	th_jw_key(&w, "schema");
	th_jw_str(&w, SCAN_REPO_SCHEMA);
	th_jw_key(&w, "target");
	th_jw_obj_begin(&w);
	th_jw_key(&w, "python");
	th_jw_str(&w, tg->python);
	th_jw_key(&w, "image");
	th_jw_str(&w, tg->image);
	th_jw_key(&w, "installed_distributions");
	th_jw_int(&w, (int64_t)tg->installed);
	th_jw_obj_end(&w);
	if (tg->src) {
		/* the sources came from an image: which, and from where in it */
		th_jw_key(&w, "source");
		th_jw_obj_begin(&w);
		th_jw_key(&w, "format");
		th_jw_str(&w, tg->src->format);
		th_jw_key(&w, "config_digest");
		th_jw_str(&w, tg->src->id);
		th_jw_key(&w, "root");
		th_jw_str(&w, tg->src->root);
		th_jw_key(&w, "layers");
		th_jw_int(&w, (int64_t)tg->src->layers);
		th_jw_key(&w, "cached_layers");
		th_jw_int(&w, (int64_t)tg->src->cached_layers);
		th_jw_key(&w, "skipped");
		th_jw_int(&w, (int64_t)tg->src->skipped);
		th_jw_key(&w, "unread");
		th_jw_int(&w, (int64_t)tg->src->unread);
		th_jw_obj_end(&w);
	}
	th_jw_key(&w, "files");
	th_jw_arr_begin(&w);
	for (size_t i = 0; i < s->nfiles; i++) {
		const th_srcscan_file *f = &s->files[i];
		th_jw_obj_begin(&w);
		th_jw_key(&w, "path");
		th_jw_str(&w, scan__path(tg, &pb, f->path));
		th_jw_key(&w, "kind");
		th_jw_str(&w, scan__kind_name(f->kind));
		if (f->kind != TH_REPOFILE_MANIFEST) {
			th_jw_key(&w, "sha256");
			th_jw_str(&w, f->hash[0] ? f->hash : NULL);
			th_jw_key(&w, "encoding");
			th_jw_str(&w, f->meta.encoding);
			th_jw_key(&w, "syntax_errors");
			th_jw_bool(&w, f->src.has_errors);
			if (f->src.has_errors) {
				th_jw_key(&w, "first_error_line");
				th_jw_int(&w, f->src.error_line);
			}
			if (f->meta.problem) {
				th_jw_key(&w, "cpython_refuses");
				th_jw_str(&w, f->meta.problem);
			}
			if (f->meta.error) {
				th_jw_key(&w, "error");
				th_jw_str(&w, f->meta.error);
			}
		}
		th_jw_obj_end(&w);
	}
	th_jw_arr_end(&w);
	th_jw_key(&w, "imports");
	th_jw_arr_begin(&w);
	for (size_t i = 0; i < s->nfiles; i++) {
		const th_srcscan_file *f = &s->files[i];
		for (size_t k = 0; k < f->src.nimports; k++) {
			const th_pyimport *im = &f->src.imports[k];
			th_jw_obj_begin(&w);
			th_jw_key(&w, "file");
			th_jw_str(&w, scan__path(tg, &pb, f->path));
			th_jw_key(&w, "module");
			th_jw_str(&w, im->module);
			th_jw_key(&w, "level");
			th_jw_int(&w, im->level);
			scan__where(&w, f, im->line, im->col);
			th_jw_key(&w, "kind");
			th_jw_str(&w, scan__import_kind(im->kind));
			if (im->level > 0) {
				/* The absolute module it names, null above the tree. */
				th_jw_key(&w, "resolved");
				th_buf_clear(&res);
				if (th_srcdeps_resolve(&res, f->path, im->level, im->module, NULL) == 0)
					th_jw_str(&w, res.ptr);
				else
					th_jw_null(&w);
			}
			th_jw_key(&w, "context");
			scan__ctx_json(&w, im->ctx);
			if (im->alias) {
				th_jw_key(&w, "alias");
				th_jw_str(&w, im->alias);
			}
			if (im->nnames) {
				th_jw_key(&w, "names");
				th_jw_arr_begin(&w);
				for (size_t n = 0; n < im->nnames; n++) {
					th_jw_obj_begin(&w);
					th_jw_key(&w, "name");
					th_jw_str(&w, im->names[n].name);
					if (im->names[n].alias) {
						th_jw_key(&w, "alias");
						th_jw_str(&w, im->names[n].alias);
					}
					th_jw_obj_end(&w);
				}
				th_jw_arr_end(&w);
			}
			th_jw_obj_end(&w);
		}
	}
	th_jw_arr_end(&w);
	th_jw_key(&w, "usages");
	th_jw_arr_begin(&w);
	for (size_t i = 0; i < s->nfiles; i++) {
		const th_srcscan_file *f = &s->files[i];
		for (size_t k = 0; k < f->src.nusages; k++) {
			const th_pyusage *u = &f->src.usages[k];
			th_jw_obj_begin(&w);
			th_jw_key(&w, "file");
			th_jw_str(&w, scan__path(tg, &pb, f->path));
			th_jw_key(&w, "symbol");
			th_jw_str(&w, u->symbol);
			scan__where(&w, f, u->line, u->col);
			th_jw_obj_end(&w);
		}
	}
	th_jw_arr_end(&w);
	th_jw_key(&w, "declared_dependencies");
	th_jw_arr_begin(&w);
	for (size_t i = 0; i < d->ndecls; i++) {
		const th_srcdeps_decl *x = &d->decls[i];
		th_jw_obj_begin(&w);
		th_jw_key(&w, "file");
		th_jw_str(&w, scan__path(tg, &pb, x->d.file));
		th_jw_key(&w, "line");
		th_jw_int(&w, x->d.line);
		th_jw_key(&w, "name");
		th_jw_str(&w, x->name);
		th_jw_key(&w, "requirement");
		th_jw_str(&w, x->d.req);
		th_jw_key(&w, "kind");
		th_jw_str(&w, scan__decl_kind(x->d.kind));
		th_jw_key(&w, "group");
		th_jw_str(&w, x->d.group);
		th_jw_key(&w, "dev");
		th_jw_bool(&w, x->d.dev);
		th_jw_key(&w, "used");
		th_jw_bool(&w, x->used);
		th_jw_obj_end(&w);
	}
	th_jw_arr_end(&w);
	th_jw_key(&w, "findings");
	th_jw_arr_begin(&w);
	for (size_t i = 0; i < d->nfindings; i++) {
		const th_finding *f = &d->findings[i];
		th_jw_obj_begin(&w);
		th_jw_key(&w, "rule");
		th_jw_str(&w, f->rule);
		th_jw_key(&w, "severity");
		th_jw_str(&w, th_severity_name(f->severity));
		th_jw_key(&w, "file");
		th_jw_str(&w, scan__path(tg, &pb, f->file));
		th_jw_key(&w, "line");
		th_jw_int(&w, f->line);
		th_jw_key(&w, "col");
		th_jw_int(&w, f->col);
		th_jw_key(&w, "subject");
		th_jw_str(&w, f->subject);
		th_jw_key(&w, "message");
		th_jw_str(&w, f->message);
		th_jw_obj_end(&w);
	}
	th_jw_arr_end(&w);
	th_jw_key(&w, "stats");
	th_jw_obj_begin(&w);
	th_jw_key(&w, "files");
	th_jw_int(&w, (int64_t)s->nfiles);
	th_buf_release(&res);
	th_buf_release(&pb);
	th_jw_key(&w, "parsed");
	th_jw_int(&w, (int64_t)s->nparsed);
	th_jw_key(&w, "cached");
	th_jw_int(&w, (int64_t)s->ncached);
	th_jw_obj_end(&w);
	th_jw_obj_end(&w);
	if (th_jw_finish(&w))
		return -1;
	return th_buf_putc(out, '\n', &ctx->err);
}

/* The rules a scan reports, with the level each finding usually has (a
 * finding's own level may differ: an optional import that is missing is a
 * warning). */
static const th_sarif_rule scan__rules[] = {
	{ "missing-dependency", "An imported distribution is not declared", NULL, "error" },
	{ "unused-dependency", "A declared distribution is not imported", NULL, "warning" },
	{ "dev-dependency-used", "Runtime code imports a development-only dependency", NULL, "warning" },
	{ "stdlib-module-absent", "The target Python's standard library does not have this module", NULL, "error" },
	{ "unresolvable-relative-import", "A relative import reaches above the scanned tree", NULL, "error" },
	{ "invalid-requirement", "A declared requirement is not valid PEP 508", NULL, "error" },
	{ "transitive-dependency", "An imported distribution is only present as a dependency of another", NULL,
	  "warning" },
	{ "installed-not-declared", "An imported distribution is installed in the target but not declared", NULL,
	  "warning" },
};

/* SARIF 2.1.0 through cli/sarif (as check writes it): results are the
 * findings, with URIs relative to the scanned root and fingerprints that do
 * not move when lines do (rule, file, subject). */
static int scan__sarif(th_ctx *ctx, const th_srcscan *s, const th_srcdeps *d, const scan__target *tg, th_buf *out)
{
	th_buf fp = TH_BUF_INIT, root = TH_BUF_INIT;
	char hex[TH_SHA256_HEX];
	th_jw w;
	int rc = 0;

	(void)s;
	if (tg->src)
		rc = th_buf_printf(&root, &ctx->err, "the directory %s of the image %s", tg->src->root, tg->src_ref);
	else
		rc = th_buf_puts(&root, "the scanned directory", &ctx->err);
	if (rc)
		return rc;
	th_jw_init(&w, out, 1, &ctx->err);
	th_sarif_begin(&w, THOTH_VERSION, scan__rules, sizeof(scan__rules) / sizeof(scan__rules[0]), root.ptr);
	for (size_t i = 0; i < d->nfindings && !rc; i++) {
		const th_finding *f = &d->findings[i];
		th_buf_clear(&fp);
		if ((rc = th_buf_printf(&fp, &ctx->err, "%s\n%s\n%s", f->rule, f->file, f->subject)) ||
		    (rc = th_sha256_hex(hex, fp.ptr, fp.len, &ctx->err)))
			break;
		th_sarif_add(&w, &(th_sarif_result){ .rule_id = f->rule,
						     .level = th_severity_name(f->severity),
						     .message = f->message,
						     .uri = f->file,
						     .line = f->line ? f->line : 1,
						     .col = f->col ? f->col : 1,
						     .fingerprint = hex });
	}
	th_buf_release(&fp);
	th_buf_release(&root);
	th_sarif_end(&w);
	if (th_jw_finish(&w) || rc)
		return -1;
	return th_buf_putc(out, '\n', &ctx->err);
}

static int scan__cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The table: a summary, the top-level modules imported (absolute imports),
 * and the files thoth or CPython would have trouble with. */
static int scan__table(th_ctx *ctx, const th_srcscan *s, const th_srcdeps *d, const scan__target *tg, th_buf *out)
{
	th_buf pb = TH_BUF_INIT;
	size_t npy = 0, nnb = 0, nman = 0, nerr = 0, nimp = 0, nuse = 0, nmods = 0, nlocked = 0;
	const char **mods;
	int rc;

	/* lock files pin what the manifests declare and more: counted apart */
	for (size_t i = 0; i < d->ndecls; i++)
		nlocked += d->decls[i].d.kind == TH_DECL_LOCKED;
	for (size_t i = 0; i < s->nfiles; i++) {
		const th_srcscan_file *f = &s->files[i];
		npy += f->kind == TH_REPOFILE_PYTHON;
		nnb += f->kind == TH_REPOFILE_NOTEBOOK;
		nman += f->kind == TH_REPOFILE_MANIFEST;
		nerr += f->src.has_errors || f->meta.error || f->meta.problem;
		nimp += f->src.nimports;
		nuse += f->cached ? f->meta.nusages : f->src.nusages;
	}
	if ((rc = th_buf_printf(out, &ctx->err,
				"files      %zu Python, %zu notebooks, %zu manifests (%zu parsed, %zu from the cache)\n"
				"imports    %zu\nusages     %zu\ndeclared   %zu",
				npy, nnb, nman, s->nparsed, s->ncached, nimp, nuse, d->ndecls - nlocked)) ||
	    (nlocked && (rc = th_buf_printf(out, &ctx->err, " (and %zu pinned by lock files)", nlocked))) ||
	    (rc = th_buf_printf(out, &ctx->err, "\nfindings   %zu\n", d->nfindings)))
		return rc;
	if (tg->src && (rc = th_buf_printf(out, &ctx->err, "image      %s: %s (%llu entries skipped, %llu files unread, %llu of %llu layers cached)\n",
					   tg->src_ref, tg->src->root, (unsigned long long)tg->src->skipped,
					   (unsigned long long)tg->src->unread,
					   (unsigned long long)tg->src->cached_layers, (unsigned long long)tg->src->layers)))
		return rc;
	if (!(mods = calloc(nimp + 1, sizeof(*mods))))
		return th_error_set(&ctx->err, TH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < s->nfiles; i++) {
		const th_srcscan_file *f = &s->files[i];
		for (size_t k = 0; k < f->src.nimports; k++)
			if (f->src.imports[k].level == 0 && *f->src.imports[k].module)
				mods[nmods++] = f->src.imports[k].module;
	}
	if (nmods)
		qsort(mods, nmods, sizeof(*mods), scan__cmp_str);
	if (nmods && (rc = th_buf_puts(out, "\nMODULE (top level)                 IMPORTS\n", &ctx->err)))
		goto done;
	for (size_t i = 0; i < nmods;) {
		size_t top = strcspn(mods[i], "."), j = i;
		while (j < nmods && !strncmp(mods[j], mods[i], top) && (mods[j][top] == '\0' || mods[j][top] == '.'))
			j++;
		if ((rc = th_buf_printf(out, &ctx->err, "%-34.*s %zu\n", (int)top, mods[i], j - i)))
			goto done;
		i = j;
	}
	if (nerr && (rc = th_buf_puts(out, "\nFILE WITH PROBLEMS                 PROBLEM\n", &ctx->err)))
		goto done;
	for (size_t i = 0; i < s->nfiles; i++) {
		const th_srcscan_file *f = &s->files[i];
		const char *path = scan__path(tg, &pb, f->path);
		if (f->meta.error)
			rc = th_buf_printf(out, &ctx->err, "%-34s %s\n", path, f->meta.error);
		else if (f->meta.problem)
			rc = th_buf_printf(out, &ctx->err, "%-34s CPython refuses it: %s\n", path, f->meta.problem);
		else if (f->src.has_errors)
			rc = th_buf_printf(out, &ctx->err, "%-34s syntax error at line %u\n", path, f->src.error_line);
		if (rc)
			goto done;
	}
	if (d->nfindings && (rc = th_buf_puts(out, "\nFINDING                        SEVERITY  WHERE\n", &ctx->err)))
		goto done;
	for (size_t i = 0; i < d->nfindings; i++) {
		const th_finding *f = &d->findings[i];
		if ((rc = th_buf_printf(out, &ctx->err, "%-30s %-9s %s:%u: %s\n", f->rule, th_severity_name(f->severity),
					scan__path(tg, &pb, f->file), f->line, f->message)))
			goto done;
	}
done:
	free(mods);
	th_buf_release(&pb);
	return rc;
}

static void scan__hash_str(th_sha256 *h, const char *s)
{
	/* NUL-separated, NULL distinct from "" */
	if (s)
		th_sha256_update(h, s, strlen(s) + 1);
	else
		th_sha256_update(h, "\xff", 1);
}

static void scan__hash_int(th_sha256 *h, int64_t v)
{
	th_sha256_update(h, &v, sizeof(v));
}

/* What this scan records, summarised: a re-scan finding the same is one row. */
static int scan__digest(char hex[TH_SHA256_HEX], const th_srcscan *s, const th_srcdeps *d, th_error *err)
{
	th_sha256 h;
	int rc;

	if ((rc = th_sha256_init(&h, err)))
		return rc;
	scan__hash_str(&h, SCAN_REPO_SCHEMA);
	for (size_t i = 0; i < s->nfiles; i++) {
		scan__hash_str(&h, s->files[i].path);
		scan__hash_str(&h, s->files[i].hash);
	}
	for (size_t i = 0; i < d->ndecls; i++) {
		const th_srcdeps_decl *x = &d->decls[i];
		scan__hash_str(&h, x->d.file);
		scan__hash_int(&h, x->d.line);
		scan__hash_str(&h, x->name);
		scan__hash_str(&h, x->d.req);
		scan__hash_str(&h, scan__decl_kind(x->d.kind));
		scan__hash_str(&h, x->d.group);
		scan__hash_int(&h, x->d.dev);
	}
	for (size_t i = 0; i < d->nfindings; i++) {
		const th_finding *f = &d->findings[i];
		scan__hash_str(&h, f->rule);
		scan__hash_int(&h, f->severity);
		scan__hash_str(&h, f->file);
		scan__hash_int(&h, f->line);
		scan__hash_int(&h, f->col);
		scan__hash_str(&h, f->subject);
		scan__hash_str(&h, f->message);
	}
	th_sha256_final(&h, hex);
	return 0;
}

/* The scan, its files, declarations and findings, as facts. */
static int scan__record(th_store_source *h, th_srcscan *s, const th_srcdeps *d, th_error *err)
{
	char digest[TH_SHA256_HEX];
	bool same;
	int rc;

	if ((rc = scan__digest(digest, s, d, err)) || (rc = th_srcscan_record(s, h, digest, &same, err)) || same)
		return rc;
	for (size_t i = 0; i < d->ndecls && !rc; i++) {
		const th_srcdeps_decl *x = &d->decls[i];
		rc = th_store_source_decl(h, s->scan_id, (int64_t)i, x->d.file, x->d.line, x->name, x->d.req,
					  scan__decl_kind(x->d.kind), x->d.group, x->d.dev, err);
	}
	for (size_t i = 0; i < d->nfindings && !rc; i++) {
		const th_finding *f = &d->findings[i];
		rc = th_store_source_finding(h, s->scan_id, (int64_t)i, f->rule, th_severity_name(f->severity), f->file,
					     f->line, f->col, f->subject, f->message, err);
	}
	return rc;
}

/* The PEP 508 variables of an image's default interpreter, for following
 * its installed distributions' Requires-Dist. */
static int scan__image_env(th_marker_env *env, const th_imgfacts *f, const th_image_interp *py, th_error *err)
{
	char short_ver[16];
	const char *arch = f->info.arch;
	const char *machine = !arch ? "x86_64" : !strcmp(arch, "amd64") ? "x86_64" : !strcmp(arch, "arm64") ? "aarch64" :
			      !strcmp(arch, "386") ? "i686" : arch;
	const char *const vars[][2] = {
		{ "python_version", short_ver },
		{ "python_full_version", py->version },
		{ "implementation_version", py->version },
		{ "implementation_name", th_imgfacts_implementation(py) },
		{ "platform_python_implementation", "CPython" },
		{ "os_name", "posix" },
		{ "sys_platform", "linux" },
		{ "platform_system", "Linux" },
		{ "platform_machine", machine },
	};
	int rc = 0;

	snprintf(short_ver, sizeof(short_ver), "%d.%d", py->major, py->minor);
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]) && !rc; i++)
		rc = th_marker_env_set(env, vars[i][0], vars[i][1], strlen(vars[i][1]), err);
	return rc;
}

/* --image REF: the target is the image — its default interpreter's Python
 * for standard-library questions, its installed distributions for the
 * mapping and for what is present without being declared. Scanned (or
 * taken from an earlier scan of the same image) in its own transaction,
 * before the source scan's. When the image is also the one whose sources
 * are scanned, pick (th_imgsrc_prepare's) takes them in the same pass over
 * its layers. */
static int scan__image(th_ctx *ctx, th_store *store, const char *ref, bool implicit, const th_image_pick *pick,
		       uint64_t *streams, th_importmap *map, th_marker_env *env, th_srcdeps_opts *o, scan__target *tg,
		       th_arena *a)
{
	th_imgscan_opts io = TH_IMGSCAN_OPTS_INIT;
	const th_image_interp *py;
	th_imgfacts f;
	int rc;

	io.reuse = true;
	io.lim = &ctx->limits;
	io.pick = pick;
	io.streams = streams;
	if ((rc = th_imgscan_facts(store, ref, &io, &f, a, &ctx->err)))
		return rc;
	/* The image whose sources are scanned may have no interpreter (an
	 * application layer alone): then no standard-library questions. One
	 * named by --image is there to answer them. */
	if (!(py = th_imgfacts_python(&f)) && !implicit)
		return th_error_set(&ctx->err, TH_ERR_INVALID, "%s: the image has no Python interpreter", ref);
	tg->image = ref;
	tg->installed = f.ndists;
	if (!(o->target = th_arena_strdup(a, "the image")))
		return th_error_set(&ctx->err, TH_ERR_NOMEM, "out of memory");
	if (py) {
		o->python_minor = py->major == 3 ? py->minor : 0;
		tg->python = py->version;
		o->env = env;
		if ((rc = scan__image_env(env, &f, py, &ctx->err)))
			return rc;
	}
	return th_importmap_add_image(map, &f, &ctx->err);
}

/* The Requires-Dist of a project's newest final release the knowledge base
 * has metadata for (the newest of any release when none is final). */
static int scan__kb_deps(void *ud, const char *normalized, const char *const **out, size_t *n, th_arena *a,
			 th_error *err)
{
	th_kb_project p;
	th_version best, v;
	const th_kb_pfile *pick = NULL;
	bool best_final = false;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = th_kb_project_load(ud, normalized, &p, a, err)) == TH_ERR_NOTFOUND)
		return 0;
	if (rc)
		return rc;
	for (size_t i = 0; i < p.nversions; i++) {
		const th_kb_pversion *pv = &p.versions[i];
		const th_kb_pfile *f = NULL;
		bool final;

		for (size_t k = 0; k < pv->nfiles && !f; k++)
			if (pv->files[k].has_metadata)
				f = &pv->files[k];
		if (!f || th_version_parse(&v, pv->version, strlen(pv->version), a, NULL))
			continue;
		final = !th_version_is_prerelease(&v);
		if (!pick || (final && !best_final) || (final == best_final && th_version_cmp(&v, &best) > 0)) {
			pick = f;
			best = v;
			best_final = final;
		}
	}
	if (pick) {
		*out = pick->requires;
		*n = pick->nrequires;
	}
	return 0;
}

/* The knowledge base as the mapping's third source. */
static int scan__kb_known(void *ud, const char *normalized, bool *out, th_error *err)
{
	return th_store_source_kb_known(ud, normalized, out, err);
}

/* The store's layer cache, for the layers of an image whose sources are read. */
static int scan__cache_get(void *ud, const char *key, th_buf *out, th_error *err)
{
	return th_store_img_cache_get(ud, key, out, err);
}

static int scan__cache_put(void *ud, const char *key, const void *log, size_t len, th_error *err)
{
	return th_store_img_cache_put(ud, key, log, len, err);
}

/* The REF of `scan repo REF` is an image when it is a file (an OCI or
 * docker archive), a directory with an oci-layout file, or any directory
 * when --path names a directory in it (a root filesystem); otherwise it is
 * a source tree. */
static bool scan__is_image(const char *ref, bool path)
{
	struct stat st;

	if (stat(ref, &st))
		return false;
	if (S_ISREG(st.st_mode))
		return true;
	if (!S_ISDIR(st.st_mode))
		return false;
	if (path)
		return true;
	int fd = open(ref, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool oci = fd >= 0 && faccessat(fd, "oci-layout", F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	if (fd >= 0)
		close(fd);
	return oci;
}

/* The sources of an image, read while its layers stream (or from the
 * layer cache under the sources' own key) — by scan__image's pass when the
 * image is the target, else here (read) — then scanned in memory. The
 * scan's files come first in *mem, then the .txt files kept for includes;
 * the store names the tree "image:DIGEST:ROOT". */
static int scan__image_sources(th_ctx *ctx, th_store *store, const char *ref, const th_imgsrc_opts *io, bool read,
			       const th_srcscan_opts *o, th_imgsrc *isrc, th_srcscan_mem_file **mem, th_srcscan *out)
{
	th_buf label = TH_BUF_INIT;
	char *real = NULL;
	size_t n = 0;
	int rc = 0;

	if (read && (rc = th_imgsrc_read(isrc, ref, io, &ctx->err)))
		return rc;
	if (!(*mem = calloc(isrc->nfiles + 1, sizeof(**mem))))
		return th_error_set(&ctx->err, TH_ERR_NOMEM, "out of memory");
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < isrc->nfiles; i++) {
			const th_imgsrc_file *f = &isrc->files[i];
			if ((f->kind >= 0) == (pass == 0))
				(*mem)[n++] = (th_srcscan_mem_file){ f->rel, f->kind >= 0 ? (th_repofile_kind)f->kind
											 : TH_REPOFILE_MANIFEST, f->data, f->len };
		}
	/* a root filesystem has no digest: its real path names it */
	if (!isrc->id && !(real = realpath(ref, NULL)))
		rc = th_error_set(&ctx->err, TH_ERR_NOTFOUND, "%s: cannot resolve the path", ref);
	if (!rc)
		rc = th_buf_printf(&label, &ctx->err, "image:%s:%s", isrc->id ? isrc->id : real, isrc->root);
	free(real);
	n = 0;
	for (size_t i = 0; i < isrc->nfiles; i++)
		n += isrc->files[i].kind >= 0;
	if (!rc && !(rc = th_srcscan_run_mem(out, label.ptr, *mem, n, o, store, &ctx->limits, &ctx->err))) {
		out->mem = *mem; /* includes resolve among the .txt files too */
		out->nmem = isrc->nfiles;
	}
	th_buf_release(&label);
	return rc;
}

static int scan__repo(th_ctx *ctx, const th_args *a)
{
	const char *const *excl = NULL;
	int nexcl = th_args_list(a, "--exclude", &excl);
	const char *fmt = th_args_get(a, "--format"), *py = th_args_get(a, "--python");
	const char *fail_on = th_args_get(a, "--fail-on"), *image = th_args_get(a, "--image");
	const char *root = th_args_get(a, "--path");
	bool from_image = scan__is_image(a->pos[0], root != NULL);
	th_marker_env env;
	th_imgsrc isrc;
	th_image_cache cache = { NULL, scan__cache_get, scan__cache_put };
	th_imgsrc_opts iso = { root, excl, (size_t)nexcl, NULL, &ctx->limits, &cache };
	th_image_pick pick;
	uint64_t streams = 0;
	th_srcscan_mem_file *mem = NULL;
	scan__target tg = { NULL, NULL, 0, NULL, NULL };
	th_srcscan_opts o = { excl, (size_t)nexcl, true, false, 0 };
	th_srcscan s;
	th_srcdeps d;
	th_srcdeps_decl *decls = NULL;
	size_t ndecls = 0;
	th_srcdeps_opts dopts = { 0 };
	th_store_source *src = NULL;
	th_importmap *map = NULL;
	th_arena arena;
	int minor = 0, status = TH_EXIT_OK;
	th_store *store;
	th_buf out = TH_BUF_INIT;
	int rc;

	if (!fmt)
		fmt = "table";
	if (image && py) {
		th_error_set(&ctx->err, TH_ERR_USAGE, "--python and --image are exclusive: the image has its Python");
		return TH_EXIT_ERROR;
	}
	if (root && !from_image) {
		th_error_set(&ctx->err, TH_ERR_USAGE, "--path: %s is not an image or a directory", a->pos[0]);
		return TH_EXIT_ERROR;
	}
	/* the image scanned is the target too, unless the command names one */
	bool implicit = from_image && !py && !image;
	if (implicit)
		image = a->pos[0];
	if (py) {
		unsigned maj, min, pat;
		char extra;
		int n = sscanf(py, "%u.%u.%u%c", &maj, &min, &pat, &extra);
		if ((n != 2 && n != 3) || strspn(py, "0123456789.") != strlen(py) || maj != 3 || min > 99) {
			th_error_set(&ctx->err, TH_ERR_USAGE, "--python: '%s' is not 3.Y or 3.Y.Z", py);
			return TH_EXIT_ERROR;
		}
		minor = (int)min;
	}
	dopts.python_minor = minor;
	tg.python = py;
	o.load_usages = strcmp(fmt, "table") != 0;
	if (getenv("THOTH_SCAN_THREADS"))
		o.threads = atoi(getenv("THOTH_SCAN_THREADS"));
	if (th_ctx_store(ctx, &store))
		return TH_EXIT_ERROR;
	cache.ud = store;
	th_arena_init(&arena, 1 << 16);
	th_marker_env_init(&env);
	memset(&s, 0, sizeof(s));
	memset(&isrc, 0, sizeof(isrc));
	/* the image as its own target: its facts and its sources in one pass */
	bool shared = from_image && image && !strcmp(image, a->pos[0]);
	if ((rc = th_importmap_new(&map, &ctx->err)) || (shared && (rc = th_imgsrc_prepare(&isrc, &pick, &iso, &ctx->err))) ||
	    (image && (rc = scan__image(ctx, store, image, implicit, shared ? &pick : NULL, &streams, map, &env, &dopts, &tg,
					&arena))))
		goto done;
	if (shared)
		th_imgsrc_finish(&isrc);
	/* One transaction: the scan's facts, its declarations and its findings. */
	if ((rc = th_store_begin(store, &ctx->err)))
		goto done;
	if (from_image) {
		if ((rc = scan__image_sources(ctx, store, a->pos[0], &iso, !shared, &o, &isrc, &mem, &s)))
			goto done;
		streams += isrc.streams;
		/* for tests: how often layers were decompressed (cold: once each) */
		if (getenv("THOTH_DEBUG_LAYERS"))
			fprintf(ctx->diag, "thoth: debug: %llu layer passes\n", (unsigned long long)streams);
		tg.src = &isrc;
		tg.src_ref = a->pos[0];
	} else if ((rc = th_srcscan_run(&s, a->pos[0], &o, store, &ctx->limits, &ctx->err))) {
		goto done;
	}
	if ((rc = th_store_source_open(&src, store, &ctx->err)))
		goto done;
	th_importmap_set_kb(map, scan__kb_known, src);
	th_importmap_use_kb_names(map, store);
	th_importmap_set_kb_deps(map, scan__kb_deps, store, (size_t)ctx->limits.kb_chain_projects);
	dopts.map = map;
	if ((rc = th_srcdeps_declared(&decls, &ndecls, &s, &ctx->limits, &arena, &ctx->err)) ||
	    (rc = th_srcdeps_analyze(&d, &s, decls, ndecls, &dopts, &arena, &ctx->err)) ||
	    (rc = scan__record(src, &s, &d, &ctx->err)) || (rc = th_store_commit(store, &ctx->err)))
		goto done;
	if (!strcmp(fmt, "json"))
		rc = scan__json(ctx, &s, &d, &tg, &out);
	else if (!strcmp(fmt, "sarif"))
		rc = scan__sarif(ctx, &s, &d, &tg, &out);
	else
		rc = scan__table(ctx, &s, &d, &tg, &out);
	if (!rc && !ctx->quiet)
		fwrite(out.ptr, 1, out.len, ctx->out);
	if (!rc && fail_on && strcmp(fail_on, "never")) {
		th_severity level = !strcmp(fail_on, "error") ? TH_SEV_ERROR : !strcmp(fail_on, "warning") ? TH_SEV_WARNING : TH_SEV_NOTE;
		for (size_t i = 0; i < d.nfindings; i++)
			if (d.findings[i].severity >= level)
				status = TH_EXIT_VERDICT;
	}
done:
	th_store_source_close(src);
	th_importmap_free(map);
	th_store_rollback(store);
	th_buf_release(&out);
	th_srcscan_release(&s);
	free(mem);
	th_imgsrc_release(&isrc);
	th_marker_env_release(&env);
	th_arena_release(&arena);
	return rc ? TH_EXIT_ERROR : status;
}

const th_cmd th_cmds_scan_repo[] = {
	{ "scan repo", "DIR|REF", "scan a source tree, or the sources in an image: imports, API usage, declared dependencies, findings",
	  "Python files (.py, .pyi) and notebook code cells are parsed with tree-sitter; virtual environments, "
	  "build and cache directories and what .gitignore lists are skipped. Files are keyed by content: "
	  "an unchanged file is not parsed again. --format json is the schema thoth.scan-repo/1. "
	  "REF (an OCI layout, OCI archive or docker-archive; a root filesystem directory with --path) is read "
	  "as its squashed tree: the sources under --path (default /), without installed distributions and the "
	  "standard library (site-packages, dist-packages, lib/pythonX.Y) unless --path names such a directory; "
	  "paths print absolute in the image. The image is the target too unless --python or --image says otherwise.",
	  scan_repo_opts, 1, 1, scan__repo },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, NULL }
};
