/* thoth rules check | rules list */
#include <stdio.h>
#include <string.h>

#include "analyzer/rules.h"
#include "cli/cli.h"

static const th_opt rules_list_opts[] = {
	{ "--env", TH_OPT_VALUE, "FILE", "show only units that apply to this runtime environment (.thoth.yaml)", NULL },
	{ "--runtime-environment", TH_OPT_VALUE, "NAME", "the runtime environment of --env to use (default: the first)", NULL },
	{ "--type", TH_OPT_VALUE, NULL, "recommendation type", "latest|stable|security|performance|testing" },
	{ "--rules", TH_OPT_VALUE, "DIR|TARBALL", "rules to list (default: the rules compiled last into the database)", NULL },
	{ "--unit-type", TH_OPT_LIST, "TYPE", "only units of this type (boot, sieve, step, wrap, ...; repeatable)", NULL },
	TH_OPT_END
};

static const th_opt rules_check_opts[] = { TH_OPT_END };

static void rules__print_counts(FILE *out, const th_rules *r)
{
	for (int t = 0; t < TH_RULE_NTYPES; t++)
		fprintf(out, "  %-22s %zu\n", th_rule_type_name((th_rule_type)t), r->count[t]);
}

static int rules_check(th_ctx *ctx, const th_args *a)
{
	const char *path = a->pos[0];
	th_rules r;
	int rc;

	th_rules_init(&r, &ctx->limits);
	rc = th_rules_load_path(&r, path, &ctx->err);
	if (rc == TH_ERR_INVALID && r.nerrors) {
		/* every problem, one per line; the summary goes through ctx->err */
		for (size_t i = 0; i < r.nerrors && i < TH_RULES_MAX_ERRORS; i++)
			fprintf(ctx->diag, "thoth: %s\n", r.errors[i]);
		if (r.nerrors > TH_RULES_MAX_ERRORS)
			fprintf(ctx->diag, "thoth: ... and %zu more\n", r.nerrors - TH_RULES_MAX_ERRORS);
		th_error_set(&ctx->err, TH_ERR_INVALID, "%s: %zu invalid rule file%s", path, r.nerrors,
			     r.nerrors == 1 ? "" : "s");
	}
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

const th_cmd th_cmds_rules[] = {
	{ "rules check", "DIR|TARBALL", "validate prescription rules and count units by type",
	  "Reads every *.yaml rule file under DIR, or in TARBALL (.tar.gz and other archives), validates it as "
	  "Thoth prescription v1 (with thoth's extension keys) and prints the number of units of each type. "
	  "Every invalid file is reported on stderr as FILE:LINE:COLUMN: unit NAME: KEY: why; the exit status is "
	  "then 2.",
	  rules_check_opts, 1, 1, rules_check },
	{ "rules list", "", "list the rule units that apply", NULL, rules_list_opts, 0, 0, NULL },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, NULL }
};
