/* thoth check */
#include "cli/cli.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyzer/knowledge.h"
#include "analyzer/srcdeps.h"
#include "analyzer/srcscan.h"
#include "cli/sarif.h"
#include "core/json.h"
#include "resolver/env.h"
#include "resolver/gate.h"
#include "resolver/gate_image.h"
#include "resolver/gate_lock.h"

#define CHECK_SCHEMA "thoth.check/1"

static const th_opt check_opts[] = {
	{ "--image", TH_OPT_VALUE, "REF", "the image the application will run in", NULL },
	{ "--lock", TH_OPT_VALUE, "FILE", "lock file (requirements pins, pylock.toml, Pipfile.lock, poetry.lock, uv.lock)", NULL },
	{ "--env", TH_OPT_VALUE, "FILE", "a .thoth.yaml with runtime_environments", NULL },
	{ "--runtime-environment", TH_OPT_VALUE, "NAME", "the runtime environment of --env to check against", NULL },
	{ "--python", TH_OPT_VALUE, "X.Y[.Z]", "target Python (without --image or --env)", NULL },
	{ "--python-platform", TH_OPT_VALUE, "P", "target wheel platform, e.g. x86_64-manylinux_2_36", NULL },
	{ "--rules", TH_OPT_LIST, "PATH", "extra curated rules (a directory, archive or file) besides the shipped ones", NULL },
	{ "--baseline", TH_OPT_VALUE, "FILE", "findings to suppress (a previous --format json output)", NULL },
	{ "--format", TH_OPT_VALUE, NULL, "output format", "table|json|sarif" },
	{ "--fail-on", TH_OPT_VALUE, NULL, "exit 1 on findings at or above this level (default error)", "error|warning|never" },
	TH_OPT_END
};

/* Everything one run holds, released in one place. */
typedef struct check__run {
	th_ctx *ctx;
	th_arena a;
	char *root;              /* malloc, absolute */
	const char *project;     /* as given */
	th_gate_image image;
	bool has_image;
	th_gate_lock lock;
	bool has_lock;
	th_env env;
	bool has_env;
	th_env_spec spec;
	th_srcscan scan;
	bool has_scan;
	th_srcdeps deps;
	th_gate_report rep;
	th_know *know;
	th_importmap *map;
	const char *fail_on;
} check__run;

/* PROJECT: a directory, or a file in it (a manifest or a lock file). */
static int check__project(check__run *r, const char *project, const char **lock_file)
{
	struct stat st;
	char *real;

	*lock_file = NULL;
	if (stat(project, &st))
		return th_error_set(&r->ctx->err, TH_ERR_NOTFOUND, "%s: %s", project, strerror(errno));
	if (!(real = realpath(project, NULL)))
		return th_error_set(&r->ctx->err, TH_ERR_IO, "%s: %s", project, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		char *slash = strrchr(real, '/');
		if (th_gate_lock_format(slash + 1) && strcmp(slash + 1, "requirements.txt"))
			*lock_file = project;
		*slash = '\0';
		if (!*real)
			strcpy(real, "/");
	}
	r->root = real;
	return 0;
}

/* A path for findings: relative to the project when it is inside it, else
 * absolute (a path relative to the working directory would read as one
 * relative to the project). */
static const char *check__rel(check__run *r, const char *path)
{
	char *real = realpath(path, NULL);
	size_t n = strlen(r->root);
	const char *out = path;

	if (real)
		out = th_arena_strdup(&r->a, !strncmp(real, r->root, n) && real[n] == '/' ? real + n + 1 : real);
	free(real);
	return out ? out : path;
}

static int check__lock(check__run *r, const char *path)
{
	th_buf text = TH_BUF_INIT;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	int rc;

	if (!th_gate_lock_format(base))
		return th_error_set(&r->ctx->err, TH_ERR_USAGE,
				    "--lock %s: not a lock file thoth reads (requirements*.txt, pylock.toml, uv.lock, "
				    "poetry.lock, Pipfile.lock)",
				    path);
	if (!(rc = th_gate_file_read(&text, path, r->ctx->limits.file_bytes, &r->ctx->err)))
		rc = th_gate_lock_read(&r->lock, base, text.ptr, text.len, check__rel(r, path), &r->ctx->limits, &r->a,
				       &r->ctx->err);
	th_buf_release(&text);
	r->has_lock = rc == 0;
	return rc;
}

/* The target: the image, else a .thoth.yaml, else flags. */
static int check__target(check__run *r, const th_args *a, th_store *store)
{
	const char *image = th_args_get(a, "--image"), *envf = th_args_get(a, "--env");
	const char *py = th_args_get(a, "--python"), *plat = th_args_get(a, "--python-platform");
	th_error *err = &r->ctx->err;
	int rc;

	if ((image != NULL) + (envf != NULL) + (py != NULL || plat != NULL) > 1)
		return th_error_set(err, TH_ERR_USAGE, "check: give one of --image, --env, --python");
	memset(&r->spec, 0, sizeof(r->spec));
	if (image) {
		th_buf src = TH_BUF_INIT;
		if ((rc = th_gate_image_load(&r->image, store, image, &r->ctx->limits, &r->a, err)))
			return rc;
		r->has_image = true;
		th_buf_printf(&src, NULL, "image %s", image);
		th_gate_image_spec(&r->spec, &r->image, th_arena_strdup(&r->a, src.ptr));
		th_buf_release(&src);
	} else if (envf) {
		th_buf text = TH_BUF_INIT;
		rc = th_gate_file_read(&text, envf, r->ctx->limits.file_bytes, err);
		if (!rc)
			rc = th_env_spec_from_yaml(&r->spec, text.ptr, text.len, envf, th_args_get(a, "--runtime-environment"),
						   &r->ctx->limits, &r->a, err);
		th_buf_release(&text);
		if (rc)
			return rc;
		if (!r->spec.source)
			r->spec.source = envf;
	} else if (py || plat) {
		if (!py)
			return th_error_set(err, TH_ERR_USAGE, "--python-platform needs --python");
		r->spec.python = py;
		r->spec.platform = plat;
		r->spec.source = "flags";
	}
	if (!r->spec.python)
		return 0;
	if ((rc = th_env_init(&r->env, &r->spec, err))) {
		th_env_release(&r->env);
		return rc;
	}
	r->has_env = true;
	return 0;
}

static int check__sources(check__run *r, th_store *store)
{
	th_srcscan_opts o = { NULL, 0, true, true, 0 };
	th_srcdeps_decl *decls = NULL;
	size_t ndecls = 0;
	th_srcdeps_opts so = { r->has_env ? (int)r->env.pyver.release[1].value : 0, NULL,
			       r->has_env ? &r->env.markers : NULL, r->spec.source };
	int rc;

	/* Imports map to distributions through the image's own first. */
	if ((rc = th_importmap_new(&r->map, &r->ctx->err)))
		return rc;
	for (size_t i = 0; r->has_image && i < r->image.ndists; i++) {
		const th_gate_dist *d = &r->image.dists[i];
		th_importmap_installed x = { d->name, d->version, d->top_level, d->ntop_level, d->requires, d->nrequires };
		if ((rc = th_importmap_add_installed(r->map, &x, &r->ctx->err)))
			return rc;
	}
	so.map = r->map;

	if (getenv("THOTH_SCAN_THREADS"))
		o.threads = atoi(getenv("THOTH_SCAN_THREADS"));
	if ((rc = th_srcscan_run(&r->scan, r->root, &o, store, &r->ctx->limits, &r->ctx->err)))
		return rc;
	r->has_scan = true;
	if ((rc = th_srcdeps_declared(&decls, &ndecls, &r->scan, &r->ctx->limits, &r->a, &r->ctx->err)))
		return rc;
	return th_srcdeps_analyze(&r->deps, &r->scan, decls, ndecls, &so, &r->a, &r->ctx->err);
}

static const char *check__family(const char *id)
{
	const th_gate_id *g = th_gate_id_find(id);
	return g ? g->family : "";
}

static int check__json(check__run *r, th_buf *out)
{
	th_jw w;

	th_jw_init(&w, out, 1, &r->ctx->err);
	th_jw_obj_begin(&w);
	th_jw_key(&w, "schema");
	th_jw_str(&w, CHECK_SCHEMA);
	th_jw_key(&w, "verdict");
	th_jw_str(&w, !strcmp(r->fail_on, "never") ? "pass" :
		      th_gate_count(&r->rep, !strcmp(r->fail_on, "warning") ? TH_SEV_WARNING : TH_SEV_ERROR) ? "fail" :
													   "pass");
	th_jw_key(&w, "fail_on");
	th_jw_str(&w, r->fail_on);
	th_jw_key(&w, "project");
	th_jw_str(&w, r->project);
	th_jw_key(&w, "target");
	th_jw_obj_begin(&w);
	th_jw_key(&w, "source");
	th_jw_str(&w, r->spec.source);
	th_jw_key(&w, "python");
	th_jw_str(&w, r->rep.python);
	th_jw_key(&w, "platform");
	th_jw_str(&w, r->rep.platform);
	th_jw_key(&w, "image");
	th_jw_str(&w, r->has_image ? r->image.ref : NULL);
	th_jw_obj_end(&w);
	th_jw_key(&w, "lock");
	if (r->has_lock) {
		th_jw_obj_begin(&w);
		th_jw_key(&w, "file");
		th_jw_str(&w, r->lock.file);
		th_jw_key(&w, "format");
		th_jw_str(&w, r->lock.format);
		th_jw_key(&w, "packages");
		th_jw_int(&w, (int64_t)r->lock.n);
		th_jw_obj_end(&w);
	} else
		th_jw_null(&w);
	th_jw_key(&w, "counts");
	th_jw_obj_begin(&w);
	for (int s = TH_SEV_ERROR; s >= TH_SEV_NOTE; s--) {
		size_t n = 0;
		for (size_t i = 0; i < r->rep.n; i++)
			n += !r->rep.f[i].suppressed && (int)r->rep.f[i].severity == s;
		th_jw_key(&w, th_severity_name((th_severity)s));
		th_jw_int(&w, (int64_t)n);
	}
	th_jw_key(&w, "suppressed");
	th_jw_int(&w, (int64_t)r->rep.nsuppressed);
	th_jw_obj_end(&w);
	th_jw_key(&w, "findings");
	th_jw_arr_begin(&w);
	for (size_t i = 0; i < r->rep.n; i++) {
		const th_gate_finding *f = &r->rep.f[i];
		th_jw_obj_begin(&w);
		th_jw_key(&w, "id");
		th_jw_str(&w, f->id);
		th_jw_key(&w, "severity");
		th_jw_str(&w, th_severity_name(f->severity));
		th_jw_key(&w, "family");
		th_jw_str(&w, check__family(f->id));
		th_jw_key(&w, "message");
		th_jw_str(&w, f->message);
		th_jw_key(&w, "fix");
		th_jw_str(&w, f->fix);
		th_jw_key(&w, "location");
		if (f->file) {
			th_jw_obj_begin(&w);
			th_jw_key(&w, "file");
			th_jw_str(&w, f->file);
			th_jw_key(&w, "line");
			th_jw_int(&w, f->line);
			th_jw_key(&w, "col");
			th_jw_int(&w, f->col);
			th_jw_obj_end(&w);
		} else
			th_jw_null(&w);
		th_jw_key(&w, "package");
		if (f->package) {
			th_jw_obj_begin(&w);
			th_jw_key(&w, "name");
			th_jw_str(&w, f->package);
			th_jw_key(&w, "version");
			th_jw_str(&w, f->version);
			th_jw_obj_end(&w);
		} else
			th_jw_null(&w);
		th_jw_key(&w, "rule");
		th_jw_str(&w, f->rule);
		th_jw_key(&w, "fingerprint");
		th_jw_str(&w, f->fingerprint);
		th_jw_key(&w, "suppressed");
		th_jw_str(&w, f->suppressed);
		th_jw_obj_end(&w);
	}
	th_jw_arr_end(&w);
	th_jw_obj_end(&w);
	if (th_jw_finish(&w))
		return -1;
	return th_buf_putc(out, '\n', &r->ctx->err);
}

static int check__sarif(check__run *r, th_buf *out)
{
	th_sarif_rule *rules = calloc(th_gate_nids, sizeof(*rules));
	th_jw w;
	int rc;

	if (!rules)
		return th_error_set(&r->ctx->err, TH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < th_gate_nids; i++)
		rules[i] = (th_sarif_rule){ th_gate_ids[i].id, th_gate_ids[i].meaning, th_gate_ids[i].fix,
					    th_severity_name(th_gate_ids[i].severity) };
	th_jw_init(&w, out, 1, &r->ctx->err);
	th_sarif_begin(&w, THOTH_VERSION, rules, th_gate_nids, "the checked project");
	for (size_t i = 0; i < r->rep.n; i++) {
		const th_gate_finding *f = &r->rep.f[i];
		const char *props[8];
		size_t np = 0;
		th_sarif_result res = { f->id, th_severity_name(f->severity), f->message, f->file, f->line, f->col,
					f->fingerprint, NULL, props, 0 };
		if (f->suppressed)
			res.suppressed = !strcmp(f->suppressed, "inline") ? "inSource" : "external";
		props[np++] = "fix", props[np++] = f->fix;
		if (f->package)
			props[np++] = "package", props[np++] = f->package;
		if (f->version)
			props[np++] = "version", props[np++] = f->version;
		if (f->rule)
			props[np++] = "rule", props[np++] = f->rule;
		res.nprops = np / 2;
		th_sarif_add(&w, &res);
	}
	th_sarif_end(&w);
	free(rules);
	if ((rc = th_jw_finish(&w)))
		return rc;
	return th_buf_putc(out, '\n', &r->ctx->err);
}

static int check__table(check__run *r, th_buf *out)
{
	th_error *err = &r->ctx->err;
	int rc;

	if ((rc = th_buf_printf(out, err, "target     %s%s%s%s%s\n", r->rep.python ? "Python " : "unknown Python",
				r->rep.python ? r->rep.python : "", r->rep.platform ? " on " : "",
				r->rep.platform ? r->rep.platform : "", r->spec.source ? "" : "")) ||
	    (r->spec.source && (rc = th_buf_printf(out, err, "from       %s\n", r->spec.source))) ||
	    (rc = th_buf_printf(out, err, "lock       %s\n", r->has_lock ? r->lock.file : "none")) ||
	    (r->has_lock && (rc = th_buf_printf(out, err, "packages   %zu locked, %zu installed in the image\n",
						r->lock.n, r->has_image ? r->image.ndists : 0))) ||
	    (rc = th_buf_printf(out, err, "findings   %zu error, %zu warning, %zu note, %zu suppressed\n",
				th_gate_count(&r->rep, TH_SEV_ERROR),
				th_gate_count(&r->rep, TH_SEV_WARNING) - th_gate_count(&r->rep, TH_SEV_ERROR),
				th_gate_count(&r->rep, TH_SEV_NOTE) - th_gate_count(&r->rep, TH_SEV_WARNING),
				r->rep.nsuppressed)))
		return rc;
	for (size_t i = 0; i < r->rep.n && !rc; i++) {
		const th_gate_finding *f = &r->rep.f[i];
		if (f->suppressed)
			continue;
		rc = th_buf_printf(out, err, "\n%-7s %s", th_severity_name(f->severity), f->id);
		if (!rc && f->file)
			rc = f->line ? th_buf_printf(out, err, "  %s:%u", f->file, f->line) : th_buf_printf(out, err, "  %s", f->file);
		if (!rc)
			rc = th_buf_printf(out, err, "\n        %s\n        fix: %s\n", f->message, f->fix);
	}
	return rc;
}

static void check__release(check__run *r)
{
	th_gate_report_release(&r->rep);
	th_know_free(r->know);
	th_importmap_free(r->map);
	if (r->has_env)
		th_env_release(&r->env);
	if (r->has_scan)
		th_srcscan_release(&r->scan);
	th_arena_release(&r->a);
	free(r->root);
}

static int check__run_cmd(th_ctx *ctx, const th_args *a)
{
	const char *fmt = th_args_get(a, "--format"), *lock = th_args_get(a, "--lock"), *lock_arg = NULL;
	const char *baseline = th_args_get(a, "--baseline");
	check__run r;
	th_gate_input in;
	th_store *store = NULL;
	th_buf out = TH_BUF_INIT;
	int rc, status = TH_EXIT_OK;

	memset(&r, 0, sizeof(r));
	memset(&in, 0, sizeof(in));
	r.ctx = ctx;
	r.project = a->pos[0];
	r.fail_on = th_args_get(a, "--fail-on") ? th_args_get(a, "--fail-on") : "error";
	th_arena_init(&r.a, 1 << 16);
	th_gate_report_init(&r.rep, &r.a);
	if (!fmt)
		fmt = "table";
	if ((rc = check__project(&r, a->pos[0], &lock_arg)) || (rc = th_ctx_store(ctx, &store)))
		goto done;
	/* The image is scanned (or its facts reused) in imgscan's own
	 * transaction; then one transaction for the source facts this run adds. */
	if ((rc = check__target(&r, a, store)) || (rc = th_store_begin(store, &ctx->err)) ||
	    (rc = check__sources(&r, store)))
		goto done;
	if (!lock)
		lock = lock_arg;
	if (lock)
		rc = check__lock(&r, lock);
	else {
		const char *found = th_gate_lock_find(r.root, &r.a);
		th_buf p = TH_BUF_INIT;
		if (found && !(rc = th_buf_printf(&p, &ctx->err, "%s/%s", r.root, found)))
			rc = check__lock(&r, p.ptr);
		th_buf_release(&p);
	}
	if (rc)
		goto done;
	{
		th_know_opts ko = TH_KNOW_OPTS_INIT;
		const char *const *paths = NULL;
		ko.store = store;
		ko.npaths = (size_t)th_args_list(a, "--rules", &paths);
		ko.paths = paths;
		ko.limits = &ctx->limits;
		if ((rc = th_know_open(&r.know, &ko, &ctx->err)))
			goto done;
	}
	in.know = r.know;
	in.env = r.has_env ? &r.env : NULL;
	in.target_source = r.spec.source;
	in.image = r.has_image ? &r.image : NULL;
	in.lock = r.has_lock ? &r.lock : NULL;
	in.root = r.root;
	in.scan = &r.scan;
	in.deps = &r.deps;
	in.map = r.map;
	in.kb = store;
	in.lim = &ctx->limits;
	if ((rc = th_gate_run(&r.rep, &in, &ctx->err)) || (rc = th_gate_inline(&r.rep, r.root, &ctx->limits, &ctx->err)))
		goto done;
	if (baseline) {
		th_buf text = TH_BUF_INIT;
		if (!(rc = th_gate_file_read(&text, baseline, ctx->limits.json_bytes, &ctx->err)))
			rc = th_gate_baseline(&r.rep, text.ptr, text.len, baseline, &ctx->limits, &ctx->err);
		th_buf_release(&text);
		if (rc)
			goto done;
	}
	if ((rc = th_store_commit(store, &ctx->err)))
		goto done;
	rc = !strcmp(fmt, "json") ? check__json(&r, &out) : !strcmp(fmt, "sarif") ? check__sarif(&r, &out) :
										     check__table(&r, &out);
	if (!rc && !ctx->quiet)
		fwrite(out.ptr, 1, out.len, ctx->out);
	if (strcmp(r.fail_on, "never") &&
	    th_gate_count(&r.rep, !strcmp(r.fail_on, "warning") ? TH_SEV_WARNING : TH_SEV_ERROR))
		status = TH_EXIT_VERDICT;
done:
	if (store)
		th_store_rollback(store);
	th_buf_release(&out);
	check__release(&r);
	return rc ? TH_EXIT_ERROR : status;
}

const th_cmd th_cmds_check[] = {
	{ "check", "PROJECT", "pre-deploy gate: will this project, with this lock, work in this image?",
	  "PROJECT is a directory (its sources are scanned and its lock file found: pylock.toml, uv.lock, "
	  "poetry.lock, Pipfile.lock, requirements.lock, requirements.txt) or a file in it. The target is the "
	  "image (--image), a .thoth.yaml (--env) or --python/--python-platform. Findings have stable ids "
	  "(README: Finding ids); suppress them with --baseline (a previous --format json output) or an "
	  "inline '# thoth: ignore[ID]' comment on the evidence line. --format json is the schema thoth.check/1.",
	  check_opts, 1, 1, check__run_cmd },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, NULL }
};
