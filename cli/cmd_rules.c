/* thoth rules check | rules list */
#include "cli/cli.h"

static const th_opt rules_list_opts[] = {
	{ "--env", TH_OPT_VALUE, "FILE", "show only units that apply to this runtime environment", NULL },
	{ "--type", TH_OPT_VALUE, NULL, "recommendation type", "latest|stable|security|performance|testing" },
	TH_OPT_END
};

static const th_opt rules_check_opts[] = { TH_OPT_END };

const th_cmd th_cmds_rules[] = {
	{ "rules check", "DIR|TARBALL", "validate prescription rules and count units by type", NULL,
	  rules_check_opts, 1, 1, NULL },
	{ "rules list", "", "list the rule units that apply", NULL, rules_list_opts, 0, 0, NULL },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, NULL }
};
