/* thoth check */
#include "cli/cli.h"

static const th_opt check_opts[] = {
	{ "--image", TH_OPT_VALUE, "REF", "the image the application will run in", NULL },
	{ "--lock", TH_OPT_VALUE, "FILE", "lock file (requirements pins, pylock.toml, Pipfile.lock, poetry.lock, uv.lock)", NULL },
	{ "--env", TH_OPT_VALUE, "FILE", "a .thoth.yaml with runtime_environments", NULL },
	{ "--baseline", TH_OPT_VALUE, "FILE", "findings to suppress (a previous --format json output)", NULL },
	{ "--format", TH_OPT_VALUE, NULL, "output format", "table|json|sarif" },
	{ "--fail-on", TH_OPT_VALUE, NULL, "exit 1 on findings at or above this level (default error)", "error|warning|never" },
	TH_OPT_END
};

const th_cmd th_cmds_check[] = {
	{ "check", "PROJECT", "pre-deploy gate: will this project, with this lock, work in this image?",
	  NULL, check_opts, 1, 1, NULL },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, NULL }
};
