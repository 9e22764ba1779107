/* thoth advise */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyzer/imgscan.h"
#include "analyzer/kb_import.h"
#include "analyzer/knowledge.h"
#include "cli/cli.h"
#include "resolver/advise.h"
#include "resolver/env.h"
#include "resolver/lockout.h"

static const th_opt advise_opts[] = {
	{ "--image", TH_OPT_VALUE, "REF", "fit the stack to this image", NULL },
	{ "--env", TH_OPT_VALUE, "FILE", "a .thoth.yaml with runtime_environments", NULL },
	{ "--runtime-environment", TH_OPT_VALUE, "NAME", "pick a runtime environment of --env by name", NULL },
	{ "--python", TH_OPT_VALUE, "X.Y[.Z]", "target Python version", NULL },
	{ "--python-platform", TH_OPT_VALUE, "PLATFORM", "target wheel platform, e.g. x86_64-manylinux_2_36", NULL },
	{ "--index", TH_OPT_LIST, "SRC", "package index to use (imported into the knowledge base)", NULL },
	{ "--offline", TH_OPT_FLAG, NULL, "use only the knowledge base, not the pip/uv configured indexes", NULL },
	{ "--type", TH_OPT_VALUE, NULL, "recommendation type", "latest|stable|security|performance|testing" },
	{ "--count", TH_OPT_VALUE, "N", "number of stacks to return", NULL },
	{ "--enumerate", TH_OPT_VALUE, "N", "sample N distinct valid stacks (Dependency Monkey)", NULL },
	{ "--seed", TH_OPT_VALUE, "N", "seed of the scored search (default 42)", NULL },
	{ "--format", TH_OPT_VALUE, NULL, "output format", "table|json|pylock|requirements|pipfile-lock" },
	{ "--extra", TH_OPT_LIST, "NAME", "include this extra or dependency group of the project", NULL },
	{ "--dev", TH_OPT_FLAG, NULL, "include development-only dependencies", NULL },
	{ "--pre", TH_OPT_FLAG, NULL, "allow pre-releases everywhere", NULL },
	{ "--no-sdist", TH_OPT_FLAG, NULL, "wheels only", NULL },
	{ "--rules", TH_OPT_LIST, "PATH", "extra rule sources for the scored search (besides the shipped ones)", NULL },
	TH_OPT_END
};

static int advise__num(th_ctx *ctx, const th_args *a, const char *opt, unsigned long long def, unsigned long long max,
		       unsigned long long *out)
{
	const char *v = th_args_get(a, opt);
	*out = def;
	if (!v)
		return 0;
	char *end;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (!*v || *end || errno || n > max || v[0] == '-')
		return th_error_set(&ctx->err, TH_ERR_USAGE, "advise: %s takes a number up to %llu, not '%s'", opt, max, v);
	*out = n;
	return 0;
}

/* The directory of PROJECT (itself, or the manifest's folder): where uv's
 * project configuration is looked for. NULL when out of memory. */
static const char *advise__project_dir(const char *project, th_arena *ar)
{
	struct stat st;
	if (stat(project, &st) == 0 && S_ISDIR(st.st_mode))
		return project;
	const char *slash = strrchr(project, '/');
	return slash ? th_arena_strndup(ar, project, slash == project ? 1 : (size_t)(slash - project)) : ".";
}

/* The target: a .thoth.yaml environment, overridden by --python and
 * --python-platform; or those flags alone. */
static int advise__env(th_ctx *ctx, const th_args *a, th_env *env, th_arena *ar, bool *have)
{
	th_env_spec sp;
	memset(&sp, 0, sizeof sp);
	const char *file = th_args_get(a, "--env"), *name = th_args_get(a, "--runtime-environment");
	*have = false;
	const char *image = th_args_get(a, "--image");
	if (name && !file)
		return th_error_set(&ctx->err, TH_ERR_USAGE, "advise: --runtime-environment needs --env FILE");
	if (image && file)
		return th_error_set(&ctx->err, TH_ERR_USAGE, "advise: give --image or --env, not both");
	if (image) {
		/* scanned once into the facts store (layer cache, reused scans), then read back */
		th_store *s;
		th_imgscan_opts io = TH_IMGSCAN_OPTS_INIT;
		io.lim = &ctx->limits;
		io.reuse = true;
		th_imgfacts *f = th_arena_zalloc(ar, sizeof *f);
		if (!f)
			return th_error_set(&ctx->err, TH_ERR_NOMEM, "advise: out of memory");
		int rc;
		if ((rc = th_ctx_store(ctx, &s)) < 0 || (rc = th_imgscan_facts(s, image, &io, f, ar, &ctx->err)) < 0 ||
		    (rc = th_env_spec_from_image(&sp, f, image, ar, &ctx->err)) < 0)
			return rc;
	} else if (file) {
		FILE *f = fopen(file, "rb");
		th_buf text = TH_BUF_INIT;
		char chunk[8192];
		int rc = 0;
		if (!f)
			return th_error_set(&ctx->err, TH_ERR_NOTFOUND, "%s: %s", file, strerror(errno));
		for (size_t n; rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0;)
			rc = text.len + n > ctx->limits.yaml_bytes
				     ? th_error_set(&ctx->err, TH_ERR_LIMIT, "%s: over %llu bytes (limit yaml_bytes)", file,
						    (unsigned long long)ctx->limits.yaml_bytes)
				     : th_buf_put(&text, chunk, n, &ctx->err);
		fclose(f);
		if (rc == 0)
			rc = th_env_spec_from_yaml(&sp, text.ptr, text.len, file, name, &ctx->limits, ar, &ctx->err);
		th_buf_release(&text);
		if (rc < 0)
			return rc;
		char src[600];
		snprintf(src, sizeof src, "%s#%s", file, sp.name ? sp.name : "");
		sp.source = th_arena_strdup(ar, src);
	} else {
		sp.source = "flags";
	}
	if (th_args_get(a, "--python"))
		sp.python = th_args_get(a, "--python");
	if (th_args_get(a, "--python-platform"))
		sp.platform = th_args_get(a, "--python-platform");
	if (!sp.python)
		return th_error_set(&ctx->err, TH_ERR_USAGE,
				    "advise: give the target: --python X.Y[.Z] (and --python-platform), --env FILE or --image REF");
	int rc = th_env_init(env, &sp, &ctx->err);
	*have = true;
	return rc;
}

static int advise_run(th_ctx *ctx, const th_args *a)
{
	th_env env;
	th_arena ar;
	th_arena_init(&ar, 0);
	th_advice adv;
	th_advice_init(&adv);
	th_kb_lazy *lazy = NULL;
	th_know *know = NULL;
	th_buf out = TH_BUF_INIT;
	bool have_env = false;
	int status = TH_EXIT_ERROR;
	unsigned long long count, enumerate, seed;
	th_advise_opts o;
	memset(&o, 0, sizeof o);
	o.lim = &ctx->limits;
	o.pre = th_args_flag(a, "--pre") ? TH_SOLVER_PRE_ALLOW : TH_SOLVER_PRE_PIP;
	o.no_sdist = th_args_flag(a, "--no-sdist") > 0;
	o.dev = th_args_flag(a, "--dev") > 0;
	const char *const *extras;
	int nextras = th_args_list(a, "--extra", &extras);
	o.extras = extras;
	o.nextras = nextras > 0 ? (size_t)nextras : 0;
	const char *fmt = th_args_get(a, "--format");
	int f = th_lockfmt_parse(fmt ? fmt : "table");
	th_store *s;

	if (advise__num(ctx, a, "--count", 1, 1000, &count) || advise__num(ctx, a, "--enumerate", 0, 1000000, &enumerate) ||
	    advise__num(ctx, a, "--seed", 42, ~0ull, &seed))
		goto done;
	if (count == 0) {
		th_error_set(&ctx->err, TH_ERR_USAGE, "advise: --count must be at least 1");
		goto done;
	}
	o.count = count;
	o.enumerate = enumerate;
	o.seed = seed;
	if (advise__env(ctx, a, &env, &ar, &have_env) < 0)
		goto done;
	const char *type = th_args_get(a, "--type");
	if (!type)
		type = env.spec.recommendation_type ? env.spec.recommendation_type : "latest";
	int t = th_rectype_parse(type);
	if (t < 0) {
		th_error_set(&ctx->err, TH_ERR_USAGE, "advise: recommendation type '%s': expected latest, stable, "
			     "security, performance or testing", type);
		goto done;
	}
	o.type = (th_rectype)t;
	if (th_advise_declared(&adv, a->pos[0], &o, &ctx->err) < 0 || th_ctx_store(ctx, &s) < 0)
		goto done;
	/* Where projects the knowledge base does not know come from: --index;
	 * else, unless --offline, the indexes pip/uv are configured with (uv's
	 * project files are looked for beside the manifests). Projects the
	 * knowledge base knows are never fetched again here: its imported
	 * indexes come first; `kb import` refreshes them. */
	const char *const *idx;
	int nidx = th_args_list(a, "--index", &idx);
	if (nidx > 0 && th_args_flag(a, "--offline")) {
		th_error_set(&ctx->err, TH_ERR_USAGE, "advise: give --index or --offline, not both");
		goto done;
	}
	if (nidx > 0 || !th_args_flag(a, "--offline")) {
		th_kb_index_ref *refs;
		size_t nrefs;
		th_kb_import_opts io = { NULL, 0, &ctx->limits, 8, -1, 0, 0, NULL, 0 };
		if (th_kb_indexes_configured(&refs, &nrefs, idx, nidx > 0 ? (size_t)nidx : 0, advise__project_dir(a->pos[0], &ar), NULL, &ar,
					     &ctx->err) < 0 ||
		    (nrefs && th_kb_lazy_new(&lazy, s, refs, nrefs, &io, &ctx->err) < 0))
			goto done;
		o.lazy = lazy;
	}
	if (o.type != TH_RECTYPE_LATEST || o.enumerate || o.count > 1) {
		/* the scored search asks the curated knowledge (shipped rules + --rules) */
		const char *const *paths;
		int npaths = th_args_list(a, "--rules", &paths);
		th_know_opts ko = TH_KNOW_OPTS_INIT;
		ko.store = s;
		ko.paths = paths;
		ko.npaths = npaths > 0 ? (size_t)npaths : 0;
		ko.limits = &ctx->limits;
		if (th_know_open(&know, &ko, &ctx->err) < 0 || th_advise_symbols(&adv, a->pos[0], &ctx->limits, &ctx->err) < 0)
			goto done;
		o.know = know;
	}
	if (th_advise_resolve(&adv, s, &env, &o, &ctx->err) < 0)
		goto done;
	if (!adv.ok) {
		/* the explanation goes to stderr; table and json also describe the failure on stdout */
		fprintf(ctx->diag, "thoth advise: %.*s", (int)adv.why.len, adv.why.ptr);
		if ((f == TH_LOCKFMT_TABLE || f == TH_LOCKFMT_JSON) && th_lockout_write(&out, &adv, f, &ctx->err) == 0)
			fwrite(out.ptr, 1, out.len, ctx->out);
		status = TH_EXIT_VERDICT;
		goto done;
	}
	if (th_lockout_write(&out, &adv, f, &ctx->err) < 0)
		goto done;
	fwrite(out.ptr, 1, out.len, ctx->out);
	status = TH_EXIT_OK;
done:
	th_buf_release(&out);
	th_advice_release(&adv);
	th_kb_lazy_free(lazy);
	th_know_free(know);
	if (have_env)
		th_env_release(&env);
	th_arena_release(&ar);
	return status;
}

const th_cmd th_cmds_advise[] = {
	{ "advise", "PROJECT", "recommend a lock file fitted to the target runtime, scored and justified",
	  "PROJECT is a directory (its manifests are found) or a manifest or requirements file. The target comes "
	  "from --env (a .thoth.yaml), --python/--python-platform (which override it), or --image. Candidates come "
	  "from the knowledge base; projects it does not know are fetched from --index, else from the indexes pip or "
	  "uv are configured with (never a public default), unless --offline. Exit 1 with an explanation when "
	  "no stack satisfies the requirements on the target.",
	  advise_opts, 1, 1, advise_run },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, NULL }
};
