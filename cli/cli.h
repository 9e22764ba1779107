/*
 * cli — the command table, option parsing and the per-run context.
 *
 * Every command is a th_cmd: its words ("scan image"), its positional
 * arguments, an option table (which also produces --help) and a run function.
 * Options every command takes (--db, --output, --quiet, --limit, --help) are
 * added by the parser. A run function returns an exit status: TH_EXIT_OK,
 * TH_EXIT_VERDICT (the command's answer is negative), or TH_EXIT_ERROR after
 * setting ctx->err (bad usage or unusable input).
 */
#ifndef TH_CLI_H
#define TH_CLI_H

#include <stdio.h>

#include "analyzer/store.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/limits.h"

enum { TH_EXIT_OK = 0, TH_EXIT_VERDICT = 1, TH_EXIT_ERROR = 2 };

typedef enum th_opt_kind { TH_OPT_FLAG, TH_OPT_VALUE, TH_OPT_LIST } th_opt_kind;

typedef struct th_opt {
	const char *name;    /* "--format" */
	th_opt_kind kind;
	const char *metavar; /* "FILE"; NULL for flags */
	const char *help;
	const char *choices; /* "table|json|sarif" or NULL for any value */
} th_opt;

#define TH_OPT_END { NULL, TH_OPT_FLAG, NULL, NULL, NULL }
#define TH_ARGS_MAX_POS 64
#define TH_ARGS_MAX_OPTS 32
#define TH_ARGS_MAX_LIST 64

typedef struct th_ctx th_ctx;
typedef struct th_args th_args;

typedef struct th_cmd {
	const char *name;     /* "scan image" */
	const char *synopsis; /* "REF" */
	const char *summary;  /* one line for thoth --help */
	const char *details;  /* a paragraph for the command's --help, or NULL */
	const th_opt *opts;   /* terminated by TH_OPT_END */
	int min_pos, max_pos; /* positional arguments allowed */
	int (*run)(th_ctx *ctx, const th_args *a); /* NULL: not implemented yet */
} th_cmd;

struct th_args {
	const th_cmd *cmd;
	const char *pos[TH_ARGS_MAX_POS];
	int npos;
	/* Indexed like cmd->opts: the last value of a VALUE option, all values
	 * of a LIST option, a count for FLAG. Borrowed from argv. */
	const char *val[TH_ARGS_MAX_OPTS];
	const char *list[TH_ARGS_MAX_OPTS][TH_ARGS_MAX_LIST];
	int count[TH_ARGS_MAX_OPTS];
};

/* Looks an option of the command up by name; NULL / 0 when not given. */
const char *th_args_get(const th_args *a, const char *name);
int th_args_flag(const th_args *a, const char *name);
int th_args_list(const th_args *a, const char *name, const char *const **out);

/* The context of one run, created in main() and passed down. */
struct th_ctx {
	th_limits limits;
	th_error err;
	const char *db_path;   /* --db, or NULL for the default; borrowed */
	th_store *store;       /* opened on first use; owned */
	FILE *out;             /* stdout, or a temporary file renamed to --output on success */
	FILE *diag;            /* stderr */
	int quiet;
	char *output_path;     /* owned, NULL for stdout */
	char *output_tmp;      /* owned */
};

/* Opens the facts database on first use. */
int th_ctx_store(th_ctx *ctx, th_store **out);

/* The whole program: parses argv, runs the command, returns the exit status. */
int th_cli_main(int argc, char **argv);

/* thoth debug packaging: appends the answer to one query line (without its
 * newline) and a newline to out. Never fails: a bad query is an answer. */
void th_debug_packaging_answer(th_buf *out, const char *line, size_t len, const th_limits *lim);

/* Command tables, one per cmd_*.c file, each ending with a NULL name. */
extern const th_cmd th_cmds_scan[];
extern const th_cmd th_cmds_kb[];
extern const th_cmd th_cmds_advise[];
extern const th_cmd th_cmds_check[];
extern const th_cmd th_cmds_rules[];
extern const th_cmd th_cmds_debug[];

#endif
