/* thoth kb import | stats | show | advisories */
#include <stdlib.h>
#include <string.h>

#include "analyzer/imgscan.h"
#include "analyzer/kb_import.h"
#include "analyzer/store_kb.h"
#include "cli/cli.h"
#include "core/json.h"
#include "core/name.h"
#include "core/version.h"
#include "extractors/osv.h"

static const th_opt kb_import_opts[] = {
	{ "--index-name", TH_OPT_VALUE, "NAME", "name of the index being imported", NULL },
	{ "--priority", TH_OPT_VALUE, "N", "index priority (lower wins)", NULL },
	{ "--parallel", TH_OPT_VALUE, "N", "HTTP transfers at once (default 32)", NULL },
	{ "--project", TH_OPT_LIST, "NAME",
	  "from an index, import only this project (without SRC: lazy mode over the configured indexes)", NULL },
	TH_OPT_END
};

static const th_opt kb_fmt_opts[] = {
	{ "--format", TH_OPT_VALUE, NULL, "output format", "table|json" },
	TH_OPT_END
};

static int kb__int(th_ctx *ctx, const th_args *a, const char *opt, int def, int *out)
{
	const char *v = th_args_get(a, opt);
	char *end;
	long n;

	*out = def;
	if (!v)
		return 0;
	n = strtol(v, &end, 10);
	if (!*v || *end || n < -1000000 || n > 1000000)
		return th_error_set(&ctx->err, TH_ERR_USAGE, "kb import: %s takes an integer, not '%s'", opt, v);
	*out = (int)n;
	return 0;
}

static const char *const kb__kind_names[] = { "index", "wheelhouse", "advisories", "image", "observations" };

/* Prints one import's counts. */
static void kb__import_line(th_ctx *ctx, const char *src, th_kb_source kind, const th_kb_import_report *rep)
{
	if (kind == TH_KB_SRC_OBSERVATIONS)
		fprintf(ctx->out, "%s (observations): %llu recorded\n", src, (unsigned long long)rep->observations);
	else if (kind == TH_KB_SRC_ADVISORIES)
		fprintf(ctx->out, "%s (advisories): %llu imported, %llu without PyPI packages skipped\n", src,
			(unsigned long long)rep->advisories, (unsigned long long)rep->advisories_skipped);
	else if (kind == TH_KB_SRC_IMAGE)
		fprintf(ctx->out, "%s (image): %llu projects, %llu distributions, %llu skipped; metadata %llu new, %llu known; "
			"%llu import names\n",
			src, (unsigned long long)rep->projects, (unsigned long long)rep->files,
			(unsigned long long)rep->files_skipped, (unsigned long long)rep->metadata_fetched,
			(unsigned long long)rep->metadata_reused, (unsigned long long)rep->import_names);
	else if (kind == TH_KB_SRC_WHEELHOUSE)
		fprintf(ctx->out, "%s (wheelhouse): %llu projects, %llu files, %llu skipped; metadata %llu read, %llu known; "
			"%llu import names\n",
			src, (unsigned long long)rep->projects, (unsigned long long)rep->files,
			(unsigned long long)rep->files_skipped, (unsigned long long)rep->metadata_fetched,
			(unsigned long long)rep->metadata_reused, (unsigned long long)rep->import_names);
	else
		fprintf(ctx->out,
			"%s (%s): %llu projects imported, %llu unchanged, %llu missing; %llu files, %llu skipped; "
			"metadata %llu read, %llu known; %llu requests, %llu connections, %llu retries, %llu not modified\n",
			src, kb__kind_names[kind], (unsigned long long)rep->projects,
			(unsigned long long)rep->projects_unchanged, (unsigned long long)rep->projects_missing,
			(unsigned long long)rep->files, (unsigned long long)rep->files_skipped,
			(unsigned long long)rep->metadata_fetched, (unsigned long long)rep->metadata_reused,
			(unsigned long long)rep->requests, (unsigned long long)rep->connects, (unsigned long long)rep->retries,
			(unsigned long long)rep->not_modified);
	if (kind == TH_KB_SRC_INDEX && (rep->wheels_read || rep->wheels_known || rep->wheels_skipped))
		fprintf(ctx->out, "%s: import names: %llu wheels read (%llu bytes), %llu known, %llu skipped; %llu names%s%s\n",
			src, (unsigned long long)rep->wheels_read, (unsigned long long)rep->wheel_bytes,
			(unsigned long long)rep->wheels_known, (unsigned long long)rep->wheels_skipped,
			(unsigned long long)rep->import_names, rep->wheels_skipped ? "; first skipped: " : "",
			rep->wheels_skipped ? rep->wheel_skip : "");
}

/* No SRC but --project: lazy mode, as the resolver uses it (each project
 * from the best index that has it, in a transaction of its own). */
static int kb__import_lazy(th_ctx *ctx, th_store *s, const th_kb_index_ref *refs, size_t n,
			   const th_kb_import_opts *o)
{
	th_kb_lazy *l;
	th_kb_import_report rep;
	int rc = TH_EXIT_ERROR, found;

	if (!n) {
		th_error_set(&ctx->err, TH_ERR_USAGE,
			     "kb import: no SRC given and no index configured (pip.conf, uv.toml, PIP_INDEX_URL, UV_INDEX...)");
		return TH_EXIT_ERROR;
	}
	if (th_kb_lazy_new(&l, s, refs, n, o, &ctx->err))
		return TH_EXIT_ERROR;
	for (size_t i = 0; i < o->nprojects; i++) {
		uint64_t before;
		th_kb_lazy_report(l, &rep);
		before = rep.projects;
		if (th_kb_lazy_fetch(l, o->projects[i], &found, &ctx->err))
			goto done;
		th_kb_lazy_report(l, &rep);
		if (!ctx->quiet)
			fprintf(ctx->out, "%s: %s\n", o->projects[i],
				!found ? "in no configured index" : rep.projects > before ? "fetched" : "known already");
	}
	th_kb_lazy_report(l, &rep);
	if (!ctx->quiet)
		fprintf(ctx->out, "lazy: %llu projects fetched; metadata %llu read, %llu known; %llu requests, %llu connections\n",
			(unsigned long long)rep.projects, (unsigned long long)rep.metadata_fetched,
			(unsigned long long)rep.metadata_reused, (unsigned long long)rep.requests,
			(unsigned long long)rep.connects);
	rc = TH_EXIT_OK;
done:
	th_kb_lazy_free(l);
	return rc;
}

/* No SRC: the indexes of the user's pip / uv configuration (the current
 * directory is the project uv looks in), each under its own name and at its
 * configured rank. */
static int kb__import_configured(th_ctx *ctx, th_store *s, th_kb_import_opts *o)
{
	th_kb_index_ref *refs;
	size_t n, used = 0;
	th_arena ar;
	int rc = TH_EXIT_ERROR;

	th_arena_init(&ar, 0);
	if (th_kb_indexes_configured(&refs, &n, NULL, 0, ".", NULL, &ar, &ctx->err))
		goto done;
	if (o->nprojects) {
		rc = kb__import_lazy(ctx, s, refs, n, o);
		goto done;
	}
	if (th_store_begin(s, &ctx->err))
		goto done;
	for (size_t i = 0; i < n; i++) {
		th_kb_import_report rep;
		if (refs[i].explicit_only) {
			if (!ctx->quiet)
				fprintf(ctx->out, "%s (from %s): explicit index, only for projects pinned to it: skipped\n",
					refs[i].url, refs[i].origin);
			continue;
		}
		memset(&rep, 0, sizeof(rep));
		o->index_name = refs[i].name;
		o->priority = refs[i].priority;
		if (th_kb_import_index(s, refs[i].url, o, &rep, &ctx->err)) {
			th_store_rollback(s);
			goto done;
		}
		used++;
		if (!ctx->quiet)
			kb__import_line(ctx, refs[i].url, TH_KB_SRC_INDEX, &rep);
	}
	if (!used) {
		th_store_rollback(s);
		th_error_set(&ctx->err, TH_ERR_USAGE,
			     "kb import: no SRC given and no index configured (pip.conf, uv.toml, PIP_INDEX_URL, UV_INDEX...)");
		goto done;
	}
	if (th_store_commit(s, &ctx->err))
		goto done;
	rc = TH_EXIT_OK;
done:
	th_arena_release(&ar);
	return rc;
}

static int kb_import_run(th_ctx *ctx, const th_args *a)
{
	th_store *s;
	th_kb_import_opts o = { th_args_get(a, "--index-name"), 0, &ctx->limits, 0, -1, 0, 0, NULL, 0 };
	const char *const *projects;
	int nprojects = th_args_list(a, "--project", &projects);
	th_kb_source kinds[TH_ARGS_MAX_POS];
	int64_t scans[TH_ARGS_MAX_POS];
	int rc;

	if (kb__int(ctx, a, "--priority", 10, &o.priority) || kb__int(ctx, a, "--parallel", 32, &o.parallel))
		return TH_EXIT_ERROR;
	if (o.parallel < 1 || o.parallel > 1024) {
		th_error_set(&ctx->err, TH_ERR_USAGE, "kb import: --parallel must be between 1 and 1024");
		return TH_EXIT_ERROR;
	}
	o.projects = projects;
	o.nprojects = nprojects > 0 ? (size_t)nprojects : 0;
	if (!a->npos) {
		if (o.index_name || th_args_get(a, "--priority")) {
			th_error_set(&ctx->err, TH_ERR_USAGE,
				     "kb import: --index-name and --priority name a SRC; configured indexes keep their own");
			return TH_EXIT_ERROR;
		}
		if (th_ctx_store(ctx, &s))
			return TH_EXIT_ERROR;
		return kb__import_configured(ctx, s, &o);
	}
	for (int i = 0; i < a->npos; i++) {
		if (th_kb_source_detect(&kinds[i], a->pos[i], &ctx->err))
			return TH_EXIT_ERROR;
		if (o.nprojects && kinds[i] != TH_KB_SRC_INDEX) {
			th_error_set(&ctx->err, TH_ERR_USAGE, "kb import: --project applies to indexes only, not %s", a->pos[i]);
			return TH_EXIT_ERROR;
		}
	}
	if (th_ctx_store(ctx, &s))
		return TH_EXIT_ERROR;
	/* Images first: a scan commits on its own (or is reused), so it cannot
	 * run inside the import's transaction. */
	for (int i = 0; i < a->npos; i++) {
		th_imgscan_opts io = TH_IMGSCAN_OPTS_INIT;
		if (kinds[i] != TH_KB_SRC_IMAGE)
			continue;
		io.lim = &ctx->limits;
		io.reuse = true;
		if (th_imgscan_run(s, a->pos[i] + strlen(TH_KB_IMAGE_PREFIX), &io, &scans[i], &ctx->err))
			return TH_EXIT_ERROR;
	}
	if (th_store_begin(s, &ctx->err))
		return TH_EXIT_ERROR;
	for (int i = 0; i < a->npos; i++) {
		th_kb_import_report rep;
		memset(&rep, 0, sizeof(rep));
		if (kinds[i] == TH_KB_SRC_IMAGE) {
			th_kb_import_opts io = o;
			if (!th_args_get(a, "--priority"))
				io.priority = TH_KB_IMAGE_PRIORITY;
			rc = th_kb_import_image(s, scans[i], &io, &rep, &ctx->err);
		} else if (kinds[i] == TH_KB_SRC_INDEX)
			rc = th_kb_import_index(s, a->pos[i], &o, &rep, &ctx->err);
		else if (kinds[i] == TH_KB_SRC_WHEELHOUSE)
			rc = th_kb_import_wheelhouse(s, a->pos[i], &o, &rep, &ctx->err);
		else if (kinds[i] == TH_KB_SRC_OBSERVATIONS)
			rc = th_kb_import_observations(s, a->pos[i], &o, &rep, &ctx->err);
		else
			rc = th_kb_import_advisories(s, a->pos[i], &o, &rep, &ctx->err);
		if (rc) {
			th_store_rollback(s);
			return TH_EXIT_ERROR;
		}
		if (!ctx->quiet)
			kb__import_line(ctx, a->pos[i], kinds[i], &rep);
	}
	if (th_store_commit(s, &ctx->err))
		return TH_EXIT_ERROR;
	return TH_EXIT_OK;
}

static int kb__json(const th_args *a)
{
	const char *f = th_args_get(a, "--format");
	return f && !strcmp(f, "json");
}

/* Writes a finished JSON document (and a newline) to the command's output. */
static int kb__emit(th_ctx *ctx, th_jw *w, th_buf *b)
{
	if (th_jw_finish(w))
		return TH_EXIT_ERROR;
	fwrite(b->ptr, 1, b->len, ctx->out);
	fputc('\n', ctx->out);
	return TH_EXIT_OK;
}

static int kb_stats_run(th_ctx *ctx, const th_args *a)
{
	th_store *s;
	th_kb_stats st;
	const char *names[] = { "indexes", "projects", "versions", "files", "metadata", "dependencies", "advisories",
				"affected", "import_names", "observations" };
	int64_t vals[10];

	if (th_ctx_store(ctx, &s) || th_kb_stats_get(s, &st, &ctx->err))
		return TH_EXIT_ERROR;
	vals[0] = st.indexes, vals[1] = st.projects, vals[2] = st.versions, vals[3] = st.files;
	vals[4] = st.metadata, vals[5] = st.dependencies, vals[6] = st.advisories, vals[7] = st.affected;
	vals[8] = st.import_names, vals[9] = st.observations;
	if (kb__json(a)) {
		th_buf b = TH_BUF_INIT;
		th_jw w;
		int rc;
		th_jw_init(&w, &b, 1, &ctx->err);
		th_jw_obj_begin(&w);
		for (int i = 0; i < 10; i++) {
			th_jw_key(&w, names[i]);
			th_jw_int(&w, vals[i]);
		}
		th_jw_obj_end(&w);
		rc = kb__emit(ctx, &w, &b);
		th_buf_release(&b);
		return rc;
	}
	for (int i = 0; i < 10; i++)
		fprintf(ctx->out, "%-13s %lld\n", names[i], (long long)vals[i]);
	return TH_EXIT_OK;
}

/* "NAME" or "NAME==VERSION": the name normalized (core/name), the version
 * parsed (core/version). */
static int kb__spec(th_ctx *ctx, const char *arg, int need_version, th_buf *name, th_version *v, int *has_v,
		    th_arena *a)
{
	const char *eq = strstr(arg, "==");
	size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);

	*has_v = 0;
	if (!th_name_is_valid(arg, nlen))
		return th_error_set(&ctx->err, TH_ERR_USAGE, "%s: not a valid project name", arg);
	if (th_name_normalize(name, arg, nlen, &ctx->err))
		return TH_ERR_NOMEM;
	if (!eq) {
		if (need_version)
			return th_error_set(&ctx->err, TH_ERR_USAGE, "%s: expected NAME==VERSION", arg);
		return 0;
	}
	if (th_version_parse(v, eq + 2, strlen(eq + 2), a, &ctx->err)) {
		th_error_prefix(&ctx->err, "%s", arg);
		return TH_ERR_USAGE;
	}
	*has_v = 1;
	return 0;
}

/* The advisories of name that affect v. */
static int kb__matching(th_ctx *ctx, th_store *s, const char *name, const th_version *v, const th_osv ***out,
			size_t *n, th_arena *a)
{
	th_osv *all;
	size_t nall;
	const th_osv **m;

	*n = 0;
	if (th_kb_advisories_load(s, name, &all, &nall, a, &ctx->err))
		return TH_ERR_DB;
	m = nall ? th_arena_zalloc(a, nall * sizeof(*m)) : NULL;
	for (size_t i = 0; i < nall && m; i++) {
		int hit = 0;
		for (size_t k = 0; k < all[i].naffected && !hit; k++)
			th_osv_affects(&all[i].affected[k], v, &hit, NULL, a);
		if (hit)
			m[(*n)++] = &all[i];
	}
	*out = m;
	return 0;
}

static void kb__adv_json(th_jw *w, const th_osv *adv)
{
	th_jw_obj_begin(w);
	th_jw_key(w, "id");
	th_jw_str(w, adv->id);
	th_jw_key(w, "aliases");
	th_jw_arr_begin(w);
	for (size_t i = 0; i < adv->naliases; i++)
		th_jw_str(w, adv->aliases[i]);
	th_jw_arr_end(w);
	th_jw_key(w, "summary");
	th_jw_str(w, adv->summary);
	th_jw_key(w, "severity");
	th_jw_arr_begin(w);
	for (size_t i = 0; i < adv->nseverity; i++) {
		th_jw_obj_begin(w);
		th_jw_key(w, "type");
		th_jw_str(w, adv->severity[i].type);
		th_jw_key(w, "score");
		th_jw_str(w, adv->severity[i].score);
		th_jw_obj_end(w);
	}
	th_jw_arr_end(w);
	th_jw_obj_end(w);
}

static void kb__adv_line(FILE *out, const th_osv *adv)
{
	fprintf(out, "%s", adv->id);
	for (size_t i = 0; i < adv->naliases; i++)
		fprintf(out, "%s%s", i ? "," : " (", adv->aliases[i]);
	fprintf(out, "%s  %s\n", adv->naliases ? ")" : "", adv->summary ? adv->summary : "");
}

static int kb_advisories_run(th_ctx *ctx, const th_args *a)
{
	th_store *s;
	th_buf name = TH_BUF_INIT, b = TH_BUF_INIT;
	th_arena ar;
	th_version v;
	const th_osv **m = NULL;
	size_t n = 0;
	int has_v, rc = TH_EXIT_ERROR;

	th_arena_init(&ar, 0);
	if (kb__spec(ctx, a->pos[0], 1, &name, &v, &has_v, &ar) || th_ctx_store(ctx, &s) ||
	    kb__matching(ctx, s, name.ptr, &v, &m, &n, &ar))
		goto done;
	if (kb__json(a)) {
		th_jw w;
		th_jw_init(&w, &b, 1, &ctx->err);
		th_jw_arr_begin(&w);
		for (size_t i = 0; i < n; i++)
			kb__adv_json(&w, m[i]);
		th_jw_arr_end(&w);
		rc = kb__emit(ctx, &w, &b);
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		kb__adv_line(ctx->out, m[i]);
	rc = TH_EXIT_OK;
done:
	th_arena_release(&ar);
	th_buf_release(&name);
	th_buf_release(&b);
	return rc;
}

typedef struct kb__sorted {
	th_kb_pversion *v;
	th_version parsed;
	int ok;
} kb__sorted;

static int kb__sorted_cmp(const void *x, const void *y)
{
	const kb__sorted *a = x, *b = y;
	if (a->ok != b->ok)
		return a->ok ? 1 : -1; /* versions that do not parse first, as recorded */
	return a->ok ? th_version_cmp(&a->parsed, &b->parsed) : 0;
}

static void kb__file_json(th_jw *w, const th_kb_pfile *f)
{
	th_jw_obj_begin(w);
	th_jw_key(w, "filename");
	th_jw_str(w, f->f.filename);
	th_jw_key(w, "url");
	th_jw_str(w, f->f.url);
	th_jw_key(w, "tags");
	th_jw_arr_begin(w);
	for (const char *t = f->f.tags; t && *t;) {
		size_t l = strcspn(t, " ");
		th_jw_strn(w, t, l);
		t += l + (t[l] == ' ');
	}
	th_jw_arr_end(w);
	th_jw_key(w, "hashes");
	th_jw_obj_begin(w);
	if (f->f.hash_name) {
		th_jw_key(w, f->f.hash_name);
		th_jw_str(w, f->f.hash);
	}
	th_jw_obj_end(w);
	th_jw_key(w, "requires_python");
	th_jw_str(w, f->f.requires_python ? f->f.requires_python : f->md_requires_python);
	th_jw_key(w, "yanked");
	th_jw_bool(w, f->f.yanked);
	th_jw_key(w, "yanked_reason");
	th_jw_str(w, f->f.yanked_reason);
	th_jw_key(w, "upload_time");
	th_jw_str(w, f->f.upload_time);
	th_jw_key(w, "size");
	if (f->f.size >= 0)
		th_jw_int(w, f->f.size);
	else
		th_jw_null(w);
	th_jw_key(w, "dependencies");
	if (f->has_metadata) {
		th_jw_arr_begin(w);
		for (size_t i = 0; i < f->nrequires; i++)
			th_jw_str(w, f->requires[i]);
		th_jw_arr_end(w);
	} else {
		th_jw_null(w);
	}
	th_jw_obj_end(w);
}

static void kb__version_table(FILE *out, const th_kb_pversion *v, const th_osv *const *adv, size_t nadv,
			      const char *const *names, size_t nnames)
{
	const th_kb_pfile *md = NULL;

	fprintf(out, "version %s\n", v->version);
	for (size_t i = 0; i < v->nfiles; i++) {
		const th_kb_pfile *f = &v->files[i];
		const char *rp = f->f.requires_python ? f->f.requires_python : f->md_requires_python;
		fprintf(out, "  file %s  tags %s  %s%s%s  requires-python %s%s%s\n", f->f.filename,
			f->f.tags ? f->f.tags : "(sdist)", f->f.hash_name ? f->f.hash_name : "no hash",
			f->f.hash_name ? ":" : "", f->f.hash_name ? f->f.hash : "", rp ? rp : "(any)",
			f->f.yanked ? "  yanked" : "", f->f.yanked_reason ? f->f.yanked_reason : "");
		if (!md && f->has_metadata)
			md = f;
	}
	if (md) {
		fprintf(out, "  dependencies (%zu)\n", md->nrequires);
		for (size_t i = 0; i < md->nrequires; i++)
			fprintf(out, "    %s\n", md->requires[i]);
	} else {
		fprintf(out, "  dependencies unknown (no core metadata)\n");
	}
	fprintf(out, "  import names (%zu)", nnames);
	for (size_t i = 0; i < nnames; i++)
		fprintf(out, "%s%s", i ? " " : "  ", names[i]);
	fprintf(out, "\n  advisories (%zu)\n", nadv);
	for (size_t i = 0; i < nadv; i++) {
		fputs("    ", out);
		kb__adv_line(out, adv[i]);
	}
}

static int kb_show_run(th_ctx *ctx, const th_args *a)
{
	th_store *s;
	th_buf name = TH_BUF_INIT, b = TH_BUF_INIT;
	th_arena ar;
	th_version want;
	th_kb_project p;
	kb__sorted *sv = NULL;
	size_t nshown = 0;
	int has_v, json = kb__json(a), rc = TH_EXIT_ERROR;
	th_jw w;

	th_arena_init(&ar, 0);
	if (kb__spec(ctx, a->pos[0], 0, &name, &want, &has_v, &ar) || th_ctx_store(ctx, &s) ||
	    th_kb_project_load(s, name.ptr, &p, &ar, &ctx->err))
		goto done;
	if (p.nversions && !(sv = calloc(p.nversions, sizeof(*sv)))) {
		th_error_set(&ctx->err, TH_ERR_NOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < p.nversions; i++) {
		sv[i].v = &p.versions[i];
		sv[i].ok = !th_version_parse(&sv[i].parsed, p.versions[i].version, strlen(p.versions[i].version), &ar, NULL);
	}
	if (p.nversions)
		qsort(sv, p.nversions, sizeof(*sv), kb__sorted_cmp);
	if (json) {
		th_jw_init(&w, &b, 1, &ctx->err);
		th_jw_obj_begin(&w);
		th_jw_key(&w, "name");
		th_jw_str(&w, p.name);
		th_jw_key(&w, "index");
		th_jw_str(&w, p.index_name);
		th_jw_key(&w, "priority");
		th_jw_int(&w, p.priority);
		th_jw_key(&w, "versions");
		th_jw_arr_begin(&w);
	} else {
		fprintf(ctx->out, "%s  (index %s, priority %d, %zu versions)\n", p.display_name, p.index_name, p.priority,
			p.nversions);
	}
	for (size_t i = 0; i < p.nversions; i++) {
		const th_osv **adv = NULL;
		const char **names = NULL;
		size_t nadv = 0, nnames = 0;
		if (has_v && (!sv[i].ok || th_version_cmp(&sv[i].parsed, &want) != 0))
			continue;
		nshown++;
		if (has_v && kb__matching(ctx, s, name.ptr, &sv[i].parsed, &adv, &nadv, &ar))
			goto done;
		if ((json || has_v) && th_kb_version_import_names(s, p.name, sv[i].v->version, &names, &nnames, &ar, &ctx->err))
			goto done;
		if (!json && has_v) {
			kb__version_table(ctx->out, sv[i].v, adv, nadv, names, nnames);
			continue;
		}
		if (!json) {
			int yanked = sv[i].v->nfiles > 0;
			for (size_t k = 0; k < sv[i].v->nfiles; k++)
				yanked &= sv[i].v->files[k].f.yanked;
			fprintf(ctx->out, "  %-24s %zu file%s%s\n", sv[i].v->version, sv[i].v->nfiles,
				sv[i].v->nfiles == 1 ? "" : "s", yanked ? "  yanked" : "");
			continue;
		}
		th_jw_obj_begin(&w);
		th_jw_key(&w, "version");
		th_jw_str(&w, sv[i].v->version);
		th_jw_key(&w, "files");
		th_jw_arr_begin(&w);
		for (size_t k = 0; k < sv[i].v->nfiles; k++)
			kb__file_json(&w, &sv[i].v->files[k]);
		th_jw_arr_end(&w);
		th_jw_key(&w, "import_names");
		th_jw_arr_begin(&w);
		for (size_t k = 0; k < nnames; k++)
			th_jw_str(&w, names[k]);
		th_jw_arr_end(&w);
		if (has_v) {
			th_jw_key(&w, "advisories");
			th_jw_arr_begin(&w);
			for (size_t k = 0; k < nadv; k++)
				kb__adv_json(&w, adv[k]);
			th_jw_arr_end(&w);
		}
		th_jw_obj_end(&w);
	}
	if (has_v && !nshown) {
		th_error_set(&ctx->err, TH_ERR_NOTFOUND, "%s: no such version in the knowledge base", a->pos[0]);
		goto done;
	}
	if (json) {
		th_jw_arr_end(&w);
		th_jw_obj_end(&w);
		rc = kb__emit(ctx, &w, &b);
		goto done;
	}
	rc = TH_EXIT_OK;
done:
	free(sv);
	th_arena_release(&ar);
	th_buf_release(&name);
	th_buf_release(&b);
	return rc;
}

/* thoth kb indexes [DIR]: what lazy mode and a bare `kb import` would use. */
static int kb_indexes_run(th_ctx *ctx, const th_args *a)
{
	th_kb_index_ref *refs;
	size_t n;
	th_arena ar;
	th_buf b = TH_BUF_INIT;
	int rc = TH_EXIT_ERROR;

	th_arena_init(&ar, 0);
	if (th_kb_indexes_configured(&refs, &n, NULL, 0, a->npos ? a->pos[0] : ".", NULL, &ar, &ctx->err))
		goto done;
	if (kb__json(a)) {
		th_jw w;
		th_jw_init(&w, &b, 1, &ctx->err);
		th_jw_arr_begin(&w);
		for (size_t i = 0; i < n; i++) {
			th_jw_obj_begin(&w);
			th_jw_key(&w, "priority");
			th_jw_int(&w, refs[i].priority);
			th_jw_key(&w, "name");
			th_jw_str(&w, refs[i].name);
			th_jw_key(&w, "url");
			th_jw_str(&w, refs[i].url);
			th_jw_key(&w, "explicit");
			th_jw_bool(&w, refs[i].explicit_only);
			th_jw_key(&w, "origin");
			th_jw_str(&w, refs[i].origin);
			th_jw_obj_end(&w);
		}
		th_jw_arr_end(&w);
		rc = kb__emit(ctx, &w, &b);
		goto done;
	}
	if (!n)
		fprintf(ctx->out, "no index configured\n");
	for (size_t i = 0; i < n; i++)
		fprintf(ctx->out, "%d  %s  %s  (%s)%s\n", refs[i].priority, refs[i].name ? refs[i].name : "-", refs[i].url,
			refs[i].origin, refs[i].explicit_only ? "  explicit: only for projects pinned to it" : "");
	rc = TH_EXIT_OK;
done:
	th_buf_release(&b);
	th_arena_release(&ar);
	return rc;
}

const th_cmd th_cmds_kb[] = {
	{ "kb import", "[SRC...]", "import indexes, wheelhouses, advisories, image distributions or observations into the knowledge base",
	  "SRC: a PEP 503/691 index (directory, file:// or http(s)://), a wheelhouse directory, OSV advisories "
	  "(directory, zip, file), or image:REF (the Python distributions installed in an image, scanned unless "
	  "scanned before; an index named image:<config digest>, priority 1000 unless --priority), or a performance "
	  "observations file (observations:FILE, or a .json file in that format: see README.md; `advise --type "
	  "performance` uses them). Without SRC, the indexes of your pip or uv configuration (see kb indexes). All "
	  "sources are imported in one transaction: any error leaves the knowledge base as it was.",
	  kb_import_opts, 0, TH_ARGS_MAX_POS, kb_import_run },
	{ "kb indexes", "[DIR]", "the package indexes configured for pip or uv, best first",
	  "Read from uv's settings (UV_INDEX..., DIR's uv.toml or pyproject.toml [tool.uv], the user's and the "
	  "system's uv.toml) when they name an index, else from pip's (PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, "
	  "pip.conf files). DIR defaults to the current directory. These are the indexes a bare `kb import` and "
	  "lazy fetching use when no index is given.",
	  kb_fmt_opts, 0, 1, kb_indexes_run },
	{ "kb stats", "", "counts of what the knowledge base holds", NULL, kb_fmt_opts, 0, 0, kb_stats_run },
	{ "kb show", "NAME[==VERSION]", "what is known about a package", NULL, kb_fmt_opts, 1, 1, kb_show_run },
	{ "kb advisories", "NAME==VERSION", "advisories affecting a package version", NULL, kb_fmt_opts, 1, 1,
	  kb_advisories_run },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, NULL }
};
