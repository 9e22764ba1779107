/* thoth scan image | scan repo */
#include "cli/cli.h"

static const th_opt scan_image_opts[] = {
	{ "--platform", TH_OPT_VALUE, "OS/ARCH[/VARIANT]", "image platform to pick from an index (default linux/amd64)", NULL },
	{ "--verify", TH_OPT_FLAG, NULL, "verify every layer's digests again, even those seen before", NULL },
	{ "--format", TH_OPT_VALUE, NULL, "output format", "table|json|cyclonedx" },
	TH_OPT_END
};

static const th_opt scan_repo_opts[] = {
	{ "--python", TH_OPT_VALUE, "X.Y[.Z]", "target Python version", NULL },
	{ "--image", TH_OPT_VALUE, "REF", "take the target from this image", NULL },
	{ "--exclude", TH_OPT_LIST, "GLOB", "skip paths matching GLOB", NULL },
	{ "--format", TH_OPT_VALUE, NULL, "output format", "table|json|sarif" },
	{ "--fail-on", TH_OPT_VALUE, NULL, "exit 1 on findings at or above this level (default never)", "error|warning|note|never" },
	TH_OPT_END
};

const th_cmd th_cmds_scan[] = {
	{ "scan image", "REF", "scan a container image: OS, packages, Python, native libraries",
	  "REF is an OCI layout directory, an OCI archive, a docker-archive tar or a root filesystem directory.",
	  scan_image_opts, 1, 1, NULL },
	{ "scan repo", "DIR", "scan a source tree: imports, API usage, declared dependencies, findings",
	  NULL, scan_repo_opts, 1, 1, NULL },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, NULL }
};
