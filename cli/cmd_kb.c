/* thoth kb import | stats | show | advisories */
#include "cli/cli.h"

static const th_opt kb_import_opts[] = {
	{ "--index-name", TH_OPT_VALUE, "NAME", "name of the index being imported", NULL },
	{ "--priority", TH_OPT_VALUE, "N", "index priority (lower wins)", NULL },
	TH_OPT_END
};

static const th_opt kb_fmt_opts[] = {
	{ "--format", TH_OPT_VALUE, NULL, "output format", "table|json" },
	TH_OPT_END
};

const th_cmd th_cmds_kb[] = {
	{ "kb import", "SRC...", "import a package index, a wheelhouse or OSV advisories into the knowledge base",
	  "SRC: a PEP 503/691 index (directory, file:// or http(s)://), a wheelhouse directory, or OSV advisories (directory, zip, file).",
	  kb_import_opts, 1, TH_ARGS_MAX_POS, NULL },
	{ "kb stats", "", "counts of what the knowledge base holds", NULL, kb_fmt_opts, 0, 0, NULL },
	{ "kb show", "NAME[==VERSION]", "what is known about a package", NULL, kb_fmt_opts, 1, 1, NULL },
	{ "kb advisories", "NAME==VERSION", "advisories affecting a package version", NULL, kb_fmt_opts, 1, 1, NULL },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, NULL }
};
