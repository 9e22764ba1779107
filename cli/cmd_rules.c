/* thoth rules check | rules list */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "analyzer/knowledge.h"
#include "analyzer/rules.h"
#include "analyzer/store_rules.h"
#include "cli/cli.h"
#include "core/hash.h"

static const th_opt rules_list_opts[] = {
	{ "--env", TH_OPT_VALUE, "FILE", "show only units that apply to this runtime environment (.thoth.yaml)", NULL },
	{ "--runtime-environment", TH_OPT_VALUE, "NAME", "the runtime environment of --env to use (default: the first)", NULL },
	{ "--type", TH_OPT_VALUE, NULL, "recommendation type", "latest|stable|security|performance|testing" },
	{ "--rules", TH_OPT_VALUE, "DIR|TARBALL", "rules to list (default: the rules checked last, else the rules built into thoth)", NULL },
	{ "--unit-type", TH_OPT_LIST, "TYPE", "only units of this type (boot, sieve, step, wrap, ...; repeatable)", NULL },
	TH_OPT_END
};

static const th_opt rules_check_opts[] = { TH_OPT_END };

static void rules__print_counts(FILE *out, const th_rules *r)
{
	for (int t = 0; t < TH_RULE_NTYPES; t++)
		fprintf(out, "  %-22s %zu\n", th_rule_type_name((th_rule_type)t), r->count[t]);
}

typedef struct rules__src {
	th_ctx *ctx;
	const char *path;
} rules__src;

/* Reads the sources of `path` and reports every invalid file. */
static int rules__parse(void *ud, th_rules *r, th_error *err)
{
	const rules__src *src = ud;
	int rc = th_rules_load_path(r, src->path, err);

	if (rc == TH_ERR_INVALID && r->nerrors) {
		/* every problem, one per line; the summary goes through err */
		for (size_t i = 0; i < r->nerrors && i < TH_RULES_MAX_ERRORS; i++)
			fprintf(src->ctx->diag, "thoth: %s\n", r->errors[i]);
		if (r->nerrors > TH_RULES_MAX_ERRORS)
			fprintf(src->ctx->diag, "thoth: ... and %zu more\n", r->nerrors - TH_RULES_MAX_ERRORS);
		th_error_set(err, TH_ERR_INVALID, "%s: %zu invalid rule file%s", src->path, r->nerrors,
			     r->nerrors == 1 ? "" : "s");
	}
	return rc;
}

/* Loads the rules of `path` (from the database when this very content was
 * compiled before, else from the files, then compiles them and makes them
 * current); NULL: the set compiled last, else the rules built into thoth. */
static int rules__load(th_ctx *ctx, const char *path, th_rules *r)
{
	char hash[TH_SHA256_HEX];
	th_buf cur = TH_BUF_INIT, src = TH_BUF_INIT;
	rules__src s = { ctx, path };
	th_store *st;
	int rc;

	if ((rc = th_ctx_store(ctx, &st)))
		return rc;
	if (!path) {
		rc = th_store_rules_current(st, &cur, &src, &ctx->err);
		if (!rc)
			rc = th_store_rules_read(st, cur.ptr, r, &ctx->err);
		else if (rc == TH_ERR_NOTFOUND) /* nothing checked yet: the rules built into thoth */
			rc = th_know_load_shipped(r, st, &ctx->err);
	} else if (!(rc = th_rules_source_hash(hash, path, &ctx->limits, &ctx->err))) {
		rc = th_store_rules_load(st, hash, path, TH_STORE_RULES_CURRENT, r, rules__parse, &s, &ctx->err);
	}
	th_buf_release(&cur);
	th_buf_release(&src);
	return rc;
}

static int rules_check(th_ctx *ctx, const th_args *a)
{
	const char *path = a->pos[0];
	th_rules r;
	int rc;

	th_rules_init(&r, &ctx->limits);
	rc = rules__load(ctx, path, &r);
	if (rc) {
		th_rules_release(&r);
		return TH_EXIT_ERROR;
	}
	fprintf(ctx->out, "%s: %zu units in %zu files\n", path, r.n, r.nfiles);
	rules__print_counts(ctx->out, &r);
	if (r.nlegacy)
		fprintf(ctx->out, "note: %zu version specifiers are legacy (pre-PEP 440); they match by exact text\n",
			r.nlegacy);
	th_rules_release(&r);
	return TH_EXIT_OK;
}

/* Reads a whole small file (an environment file) into out. */
static int rules__slurp(const char *path, th_buf *out, uint64_t max, th_error *err)
{
	char chunk[8192];
	FILE *f = fopen(path, "rb");
	size_t got;
	int rc = 0;

	if (!f)
		return th_error_set(err, TH_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
	while (!rc && (got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->len + got > max)
			rc = th_error_set(err, TH_ERR_LIMIT, "%s: larger than the limit yaml_bytes", path);
		else
			rc = th_buf_put(out, chunk, got, err);
	}
	fclose(f);
	return rc;
}

static int rules_list(th_ctx *ctx, const th_args *a)
{
	const char *src = th_args_get(a, "--rules"), *envfile = th_args_get(a, "--env");
	const char *type = th_args_get(a, "--type");
	const char *const *types;
	int ntypes = th_args_list(a, "--unit-type", &types);
	th_rule_env env = TH_RULE_ENV_INIT;
	th_arena arena;
	th_buf text = TH_BUF_INIT;
	th_rules r;
	size_t shown = 0;
	int rc = TH_EXIT_ERROR;

	th_arena_init(&arena, 4096);
	th_rules_init(&r, &ctx->limits);
	for (int i = 0; i < ntypes; i++)
		if (th_rule_type_parse(types[i]) < 0) {
			th_error_set(&ctx->err, TH_ERR_USAGE, "--unit-type %s: not a unit type (boot, pseudonym, sieve, "
				     "sieve.SkipPackage, step, step.Group, step.SkipPackage, step.AddPackage, stride, wrap, "
				     "wrap.GHReleaseNotes)", types[i]);
			goto done;
		}
	if (envfile) {
		if (rules__slurp(envfile, &text, ctx->limits.yaml_bytes, &ctx->err) ||
		    th_rule_env_from_thoth_yaml(&env, text.ptr, text.len, th_args_get(a, "--runtime-environment"), envfile,
						&arena, &ctx->err))
			goto done;
	} else {
		th_rule_env_prepare(&env, &arena, NULL);
	}
	if (type)
		env.recommendation_type = type;
	if (rules__load(ctx, src, &r))
		goto done;
	for (size_t i = 0; i < r.n; i++) {
		const th_rule_unit *u = r.units[i];
		bool want = !ntypes;
		for (int t = 0; t < ntypes && !want; t++)
			want = th_rule_type_parse(types[t]) == (int)u->type;
		if (!want || ((envfile || type) && !th_rule_should_include(u, &env, NULL)))
			continue;
		fprintf(ctx->out, "%-20s %s\n", th_rule_type_name(u->type), u->name);
		shown++;
	}
	if (!ctx->quiet)
		fprintf(ctx->diag, "%zu of %zu units apply\n", shown, r.n);
	rc = TH_EXIT_OK;
done:
	th_rules_release(&r);
	th_buf_release(&text);
	th_arena_release(&arena);
	return rc;
}

const th_cmd th_cmds_rules[] = {
	{ "rules check", "DIR|TARBALL", "validate prescription rules and count units by type",
	  "Reads every *.yaml rule file under DIR, or in TARBALL (.tar.gz and other archives), validates it as "
	  "Thoth prescription v1 (with thoth's extension keys) and prints the number of units of each type. "
	  "Every invalid file is reported on stderr as FILE:LINE:COLUMN: unit NAME: KEY: why; the exit status is "
	  "then 2. Valid rules are compiled into the database under the hash of their content, so the same rules "
	  "load at once the next time, and become the rules `thoth rules list` uses by default.",
	  rules_check_opts, 1, 1, rules_check },
	{ "rules list", "", "list the rule units that apply",
	  "Lists the units of the rules given with --rules (else of the rules `thoth rules check` compiled last "
	  "into the database, else of the curated rules built into thoth) that apply to the runtime environment of --env (a Thoth .thoth.yaml) and the "
	  "recommendation type of --type (else the environment's), as Thoth's should_include decides. Without "
	  "--env and --type every unit is listed.",
	  rules_list_opts, 0, 0, rules_list },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, NULL }
};
