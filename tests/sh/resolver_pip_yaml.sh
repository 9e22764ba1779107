#!/bin/sh
# pip's former YAML resolver cases (../shared/data/resolver/pip-yaml),
# converted at run time by tests/helpers/pip_yaml.c and resolved by thoth's
# solver with pip's pre-release policy; every expected state must match and
# every solution must be valid (see the helper for how the harness is
# modelled).
set -u
D="${THOTH_SHARED:-}/data/resolver/pip-yaml"
if [ ! -d "$D" ]; then
	echo "skip: \$THOTH_SHARED/data/resolver/pip-yaml is absent"
	exit 77
fi
"$THOTH_BUILD/tests/pip_yaml" "$D"/*.yml
