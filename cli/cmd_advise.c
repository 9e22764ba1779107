/* thoth advise */
#include "cli/cli.h"

static const th_opt advise_opts[] = {
	{ "--image", TH_OPT_VALUE, "REF", "fit the stack to this image", NULL },
	{ "--env", TH_OPT_VALUE, "FILE", "a .thoth.yaml with runtime_environments", NULL },
	{ "--runtime-environment", TH_OPT_VALUE, "NAME", "pick a runtime environment of --env by name", NULL },
	{ "--python", TH_OPT_VALUE, "X.Y[.Z]", "target Python version", NULL },
	{ "--python-platform", TH_OPT_VALUE, "PLATFORM", "target wheel platform, e.g. x86_64-manylinux_2_36", NULL },
	{ "--index", TH_OPT_LIST, "SRC", "package index to use (imported into the knowledge base)", NULL },
	{ "--type", TH_OPT_VALUE, NULL, "recommendation type", "latest|stable|security|performance|testing" },
	{ "--count", TH_OPT_VALUE, "N", "number of stacks to return", NULL },
	{ "--enumerate", TH_OPT_VALUE, "N", "sample N distinct valid stacks (Dependency Monkey)", NULL },
	{ "--format", TH_OPT_VALUE, NULL, "output format", "table|json|pylock|requirements|pipfile-lock" },
	TH_OPT_END
};

const th_cmd th_cmds_advise[] = {
	{ "advise", "PROJECT", "recommend a lock file fitted to the target runtime, scored and justified",
	  "PROJECT is a directory (its manifests are found) or a manifest or requirements file.",
	  advise_opts, 1, 1, NULL },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, NULL }
};
