/* thoth debug packaging */
#include "cli/cli.h"

static const th_opt debug_packaging_opts[] = { TH_OPT_END };

const th_cmd th_cmds_debug[] = {
	{ "debug packaging", "", "answer PEP 440/508/425 questions: JSON lines on stdin, answers on stdout",
	  "The protocol of packaging_oracle.py: ops version, compare, specifier, marker, requirement, wheel, name, tags.",
	  debug_packaging_opts, 0, 0, NULL },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, NULL }
};
