#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Options every command takes; parsed into the context, not th_args. */
static const th_opt common_opts[] = {
	{ "--db", TH_OPT_VALUE, "FILE", "facts database (default: $THOTH_DB, else the per-user cache)", NULL },
	{ "--output", TH_OPT_VALUE, "FILE", "write the result to FILE (only if the command succeeds)", NULL },
	{ "--quiet", TH_OPT_FLAG, NULL, "no progress or notes on stderr", NULL },
	{ "--limit", TH_OPT_LIST, "NAME=VALUE", "override a limit (see thoth --help-limits)", NULL },
	{ "--help", TH_OPT_FLAG, NULL, "show this help", NULL },
	TH_OPT_END
};

static const th_cmd *const cmd_tables[] = {
	th_cmds_scan_image, th_cmds_scan_repo, th_cmds_kb, th_cmds_advise, th_cmds_check, th_cmds_rules, th_cmds_debug,
};

#define NTABLES (sizeof(cmd_tables) / sizeof(cmd_tables[0]))

static int opt__index(const th_opt *opts, const char *name, size_t len)
{
	for (int i = 0; opts && opts[i].name; i++)
		if (strlen(opts[i].name) == len && !strncmp(opts[i].name, name, len))
			return i;
	return -1;
}

const char *th_args_get(const th_args *a, const char *name)
{
	int i = opt__index(a->cmd->opts, name, strlen(name));
	return i < 0 ? NULL : a->val[i];
}

int th_args_flag(const th_args *a, const char *name)
{
	int i = opt__index(a->cmd->opts, name, strlen(name));
	return i < 0 ? 0 : a->count[i];
}

int th_args_list(const th_args *a, const char *name, const char *const **out)
{
	int i = opt__index(a->cmd->opts, name, strlen(name));

	if (i < 0) {
		*out = NULL;
		return 0;
	}
	*out = a->list[i];
	return a->count[i];
}

int th_ctx_store(th_ctx *ctx, th_store **out)
{
	th_buf path = TH_BUF_INIT;
	int rc = 0;

	if (!ctx->store) {
		if (ctx->db_path)
			rc = th_buf_puts(&path, ctx->db_path, &ctx->err);
		else
			rc = th_store_default_path(&path, &ctx->err);
		if (!rc)
			rc = th_store_open(&ctx->store, path.ptr, &ctx->err);
		th_buf_release(&path);
	}
	*out = ctx->store;
	return rc;
}

/* ---- help ---- */

static void help__opts(FILE *f, const th_opt *opts)
{
	char left[64];

	for (int i = 0; opts && opts[i].name; i++) {
		if (opts[i].kind == TH_OPT_FLAG)
			snprintf(left, sizeof(left), "%s", opts[i].name);
		else
			snprintf(left, sizeof(left), "%s %s", opts[i].name,
				 opts[i].choices ? opts[i].choices : opts[i].metavar);
		if (strlen(left) > 34)
			fprintf(f, "  %s\n  %-34s", left, "");
		else
			fprintf(f, "  %-34s", left);
		fprintf(f, " %s%s\n", opts[i].help, opts[i].kind == TH_OPT_LIST ? " (repeatable)" : "");
	}
}

static void help__command(FILE *f, const th_cmd *c)
{
	fprintf(f, "usage: thoth %s%s%s [options]\n\n%s\n", c->name, *c->synopsis ? " " : "", c->synopsis, c->summary);
	if (c->details)
		fprintf(f, "\n%s\n", c->details);
	if (!c->run)
		fprintf(f, "\n(not implemented yet)\n");
	if (c->opts && c->opts[0].name) {
		fprintf(f, "\noptions:\n");
		help__opts(f, c->opts);
	}
	fprintf(f, "\noptions of every command:\n");
	help__opts(f, common_opts);
	fprintf(f, "\nexit status: 0 fine, 1 negative verdict, 2 bad usage or unusable input\n");
}

static void help__all(FILE *f, const char *prefix)
{
	char left[80];

	if (!prefix) {
		fprintf(f, "usage: thoth COMMAND [ARGS] [options]\n\n"
			   "thoth recommends and checks Python application stacks fitted to the runtime\n"
			   "they run on: image scans, source analysis, a package knowledge base, a resolver\n"
			   "and a pre-deploy gate.\n\ncommands:\n");
	} else {
		fprintf(f, "usage: thoth %s SUBCOMMAND [ARGS] [options]\n\nsubcommands:\n", prefix);
	}
	for (size_t t = 0; t < NTABLES; t++) {
		for (const th_cmd *c = cmd_tables[t]; c->name; c++) {
			if (prefix && (strncmp(c->name, prefix, strlen(prefix)) || c->name[strlen(prefix)] != ' '))
				continue;
			snprintf(left, sizeof(left), "%s %s", c->name, c->synopsis);
			fprintf(f, "  %-34s %s%s\n", left, c->summary, c->run ? "" : " (not implemented yet)");
		}
	}
	if (!prefix)
		fprintf(f, "\nthoth COMMAND --help describes a command; thoth --version; thoth --help-limits.\n");
}

static void help__limits(FILE *f)
{
	const char *name, *why;
	uint64_t def;
	int n = th_limits_describe(0, &name, &def, &why);

	fprintf(f, "limits (override with --limit NAME=VALUE or THOTH_LIMIT_NAME=VALUE):\n");
	for (int i = 0; i < n; i++) {
		th_limits_describe(i, &name, &def, &why);
		fprintf(f, "  %-16s %12llu  %s\n", name, (unsigned long long)def, why);
	}
}

/* ---- parsing ---- */

/* Finds the command whose words start argv; sets *used to the words taken.
 * Returns NULL and sets *group when argv names only a group ("scan"). */
static const th_cmd *cli__find(int argc, char **argv, int *used, const char **group)
{
	*group = NULL;
	for (size_t t = 0; t < NTABLES; t++) {
		for (const th_cmd *c = cmd_tables[t]; c->name; c++) {
			const char *sp = strchr(c->name, ' ');
			size_t first = sp ? (size_t)(sp - c->name) : strlen(c->name);
			if (strlen(argv[0]) != first || strncmp(argv[0], c->name, first))
				continue;
			if (!sp) {
				*used = 1;
				return c;
			}
			*group = c->name; /* remember that the first word names a group */
			if (argc > 1 && !strcmp(argv[1], sp + 1)) {
				*used = 2;
				return c;
			}
		}
	}
	return NULL;
}

static int cli__usage(th_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int cli__usage(th_ctx *ctx, const char *fmt, ...)
{
	char msg[TH_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	th_error_set(&ctx->err, TH_ERR_USAGE, "%s", msg);
	return TH_EXIT_ERROR;
}

static int cli__check_choice(th_ctx *ctx, const th_cmd *c, const th_opt *o, const char *v)
{
	const char *p = o->choices;
	size_t n = strlen(v);

	while (p && *p) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && !strncmp(p, v, n))
			return 0;
		p = bar ? bar + 1 : NULL;
	}
	th_error_set(&ctx->err, TH_ERR_USAGE, "%s: %s must be one of %s, not '%s'", c->name, o->name,
		     o->choices, v);
	return TH_EXIT_ERROR;
}

/* Parses options and positionals after the command words. Returns -1 to
 * run, or an exit status (help shown, or a usage error in ctx->err). */
static int cli__parse(th_ctx *ctx, const th_cmd *c, int argc, char **argv, th_args *a)
{
	int only_pos = 0, help = 0;

	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i], *val = NULL, *eq;
		const th_opt *o;
		int idx, common = 0;
		size_t nlen;

		if (only_pos || arg[0] != '-' || arg[1] == '\0') {
			if (a->npos >= TH_ARGS_MAX_POS)
				return cli__usage(ctx, "%s: too many arguments", c->name);
			a->pos[a->npos++] = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			only_pos = 1;
			continue;
		}
		eq = strchr(arg, '=');
		nlen = eq ? (size_t)(eq - arg) : strlen(arg);
		idx = opt__index(c->opts, arg, nlen);
		if (idx < 0) {
			idx = opt__index(common_opts, arg, nlen);
			common = 1;
		}
		if (idx < 0) {
			th_error_set(&ctx->err, TH_ERR_USAGE, "%s: unknown option %.*s (see thoth %s --help)",
				     c->name, (int)nlen, arg, c->name);
			return TH_EXIT_ERROR;
		}
		o = common ? &common_opts[idx] : &c->opts[idx];
		if (o->kind == TH_OPT_FLAG) {
			if (eq)
				return cli__usage(ctx, "%s: %s takes no value", c->name, o->name);
		} else if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			return cli__usage(ctx, "%s: %s needs a value", c->name, o->name);
		}
		if (val && o->choices && cli__check_choice(ctx, c, o, val))
			return TH_EXIT_ERROR;
		if (common) {
			if (!strcmp(o->name, "--db"))
				ctx->db_path = val;
			else if (!strcmp(o->name, "--output")) {
				free(ctx->output_path);
				if (!(ctx->output_path = strdup(val)))
					return cli__usage(ctx, "out of memory");
			}
			else if (!strcmp(o->name, "--quiet"))
				ctx->quiet = 1;
			else if (!strcmp(o->name, "--help"))
				help = 1;
			else if (!strcmp(o->name, "--limit") && th_limits_set(&ctx->limits, val, &ctx->err))
				return TH_EXIT_ERROR;
			continue;
		}
		if (o->kind == TH_OPT_LIST) {
			if (a->count[idx] >= TH_ARGS_MAX_LIST)
				return cli__usage(ctx, "%s: %s given too many times", c->name, o->name);
			a->list[idx][a->count[idx]++] = val;
		} else {
			a->count[idx]++;
			a->val[idx] = val;
		}
	}
	if (help) {
		help__command(ctx->out, c);
		return TH_EXIT_OK;
	}
	if (a->npos < c->min_pos)
		return cli__usage(ctx, "%s: missing argument %s", c->name, c->synopsis);
	if (a->npos > c->max_pos)
		return cli__usage(ctx, "%s: unexpected argument '%s'", c->name, a->pos[c->max_pos]);
	return -1;
}

/* ---- output: written to a temporary file, renamed only on success ---- */

static int out__open(th_ctx *ctx)
{
	size_t n;
	int fd;

	if (!ctx->output_path)
		return 0;
	n = strlen(ctx->output_path) + 16;
	ctx->output_tmp = malloc(n);
	if (!ctx->output_tmp)
		return th_error_set(&ctx->err, TH_ERR_NOMEM, "out of memory");
	snprintf(ctx->output_tmp, n, "%s.tmp.XXXXXX", ctx->output_path);
	fd = mkstemp(ctx->output_tmp);
	if (fd < 0 || !(ctx->out = fdopen(fd, "w"))) {
		int e = errno;
		if (fd >= 0) {
			close(fd);
			unlink(ctx->output_tmp);
		}
		free(ctx->output_tmp);
		ctx->output_tmp = NULL;
		ctx->out = stdout;
		return th_error_set(&ctx->err, TH_ERR_IO, "%s: cannot write: %s", ctx->output_path, strerror(e));
	}
	return 0;
}

static int out__close(th_ctx *ctx, int status)
{
	int failed = ferror(ctx->out);

	if (ctx->out == stdout) {
		if (fflush(stdout) || failed) {
			th_error_set(&ctx->err, TH_ERR_IO, "standard output: write failed: %s", strerror(errno));
			return TH_EXIT_ERROR;
		}
		return status;
	}
	failed |= fclose(ctx->out);
	ctx->out = stdout;
	if (status == TH_EXIT_ERROR || failed || rename(ctx->output_tmp, ctx->output_path)) {
		int e = errno;
		unlink(ctx->output_tmp);
		if (status != TH_EXIT_ERROR) {
			th_error_set(&ctx->err, TH_ERR_IO, "%s: cannot write: %s", ctx->output_path, strerror(e));
			status = TH_EXIT_ERROR;
		}
	}
	return status;
}

int th_cli_main(int argc, char **argv)
{
	th_ctx ctx;
	th_args *args = NULL;
	const th_cmd *cmd;
	const char *group;
	int used = 0, status;

	memset(&ctx, 0, sizeof(ctx));
	ctx.out = stdout;
	ctx.diag = stderr;
	th_limits_init(&ctx.limits);
	if (th_limits_from_env(&ctx.limits, &ctx.err)) {
		status = TH_EXIT_ERROR;
		goto done;
	}
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		help__all(stdout, NULL);
		status = argc < 2 ? TH_EXIT_ERROR : TH_EXIT_OK;
		if (argc < 2)
			th_error_set(&ctx.err, TH_ERR_USAGE, "missing command (see thoth --help)");
		goto done;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("thoth %s\n", THOTH_VERSION);
		status = TH_EXIT_OK;
		goto done;
	}
	if (!strcmp(argv[1], "--help-limits")) {
		help__limits(stdout);
		status = TH_EXIT_OK;
		goto done;
	}
	cmd = cli__find(argc - 1, argv + 1, &used, &group);
	if (!cmd) {
		if (group && (argc < 3 || !strcmp(argv[2], "--help"))) {
			char word[32];
			snprintf(word, sizeof(word), "%.*s", (int)strcspn(group, " "), group);
			help__all(argc < 3 ? stderr : stdout, word);
			status = argc < 3 ? TH_EXIT_ERROR : TH_EXIT_OK;
			if (argc < 3)
				th_error_set(&ctx.err, TH_ERR_USAGE, "%s: missing subcommand", word);
		} else if (group) {
			th_error_set(&ctx.err, TH_ERR_USAGE, "%.*s: unknown subcommand '%s' (see thoth %.*s --help)",
				     (int)strcspn(group, " "), group, argv[2], (int)strcspn(group, " "), group);
			status = TH_EXIT_ERROR;
		} else {
			th_error_set(&ctx.err, TH_ERR_USAGE, "unknown command '%s' (see thoth --help)", argv[1]);
			status = TH_EXIT_ERROR;
		}
		goto done;
	}
	args = calloc(1, sizeof(*args));
	if (!args) {
		th_error_set(&ctx.err, TH_ERR_NOMEM, "out of memory");
		status = TH_EXIT_ERROR;
		goto done;
	}
	args->cmd = cmd;
	status = cli__parse(&ctx, cmd, argc - 1 - used, argv + 1 + used, args);
	if (status >= 0)
		goto done;
	if (!cmd->run) {
		th_error_set(&ctx.err, TH_ERR_UNSUPPORTED, "%s: not implemented yet", cmd->name);
		status = TH_EXIT_ERROR;
		goto done;
	}
	if (out__open(&ctx)) {
		status = TH_EXIT_ERROR;
		goto done;
	}
	status = cmd->run(&ctx, args);
	status = out__close(&ctx, status);
done:
	if (status == TH_EXIT_ERROR) {
		if (ctx.err.code == TH_OK)
			th_error_set(&ctx.err, TH_ERR_INVALID, "failed without a message (a bug: please report it)");
		fprintf(stderr, "thoth: %s\n", ctx.err.msg);
	}
	th_store_free(ctx.store);
	free(ctx.output_path);
	free(ctx.output_tmp);
	free(args);
	return status;
}
