#!/bin/sh
# The curated rules fire in the gate (`thoth check`) just inside their ranges
# and stay quiet just outside: API removals, standard-library removals,
# Python support, known-broken pins and CUDA build configurations.
set -u
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export THOTH_DB="$tmp/thoth.db"
pass=0 fail=0
check() { if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: expected '$2', got '$3'"; fi; }
"$THOTH" check --help >/dev/null 2>&1 || { echo "skipped: this build has no thoth check"; exit 77; }

# project SOURCE PINS...: a project directory with app.py and requirements.txt.
# six is pinned and never imported, so source analysis always has a finding
# (an unused dependency): analyzer/srcdeps.c sorts an empty finding list
# through qsort(NULL, 0, ...), which UBSan refuses (reported to h/source).
project() {
	rm -rf "$tmp/p" && mkdir "$tmp/p" && printf '%b' "$1" > "$tmp/p/app.py" && shift
	for pin in "$@" six==1.16.0; do echo "$pin"; done > "$tmp/p/requirements.txt"
}
# fires RULE ARGS...: how many findings of the rule unit `thoth check` reports
fires() {
	rule=$1 && shift
	"$THOTH" check "$tmp/p" --format json --fail-on never "$@" > "$tmp/out.json" 2> "$tmp/err" ||
		{ echo "FAIL: thoth check $*: $(cat "$tmp/err")"; fail=$((fail + 1)); }
	grep -c "\"rule\": \"$rule\"" "$tmp/out.json"
}

code='import numpy as np\nimport distutils.core\n\nx = np.float(3)\n'
project "$code" numpy==1.24.0
check "np.float with numpy 1.24.0" 1 "$(fires NumpyBuiltinAliasesRemoved --python 3.11)"
project "$code" numpy==1.23.5
check "np.float with numpy 1.23.5" 0 "$(fires NumpyBuiltinAliasesRemoved --python 3.11)"
check "distutils on Python 3.12" 1 "$(fires StdlibDistutilsRemovedWrap --python 3.12)"
check "distutils on Python 3.11" 0 "$(fires StdlibDistutilsRemovedWrap --python 3.11)"

project 'import numpy\n' numpy==1.25.2
check "numpy 1.25.2 on Python 3.12" 1 "$(fires NumpyPythonSupport --python 3.12)"
project 'import numpy\n' numpy==1.26.0
check "numpy 1.26.0 on Python 3.12" 0 "$(fires NumpyPythonSupport --python 3.12)"
check "numpy 1.26.0 on Python 3.13" 1 "$(fires NumpyPythonSupport --python 3.13)"

project 'import jinja2\n' jinja2==2.11.3 markupsafe==2.1.0
check "jinja2 2.11.3 with markupsafe 2.1.0" 1 "$(fires Jinja2MarkupsafeSoftUnicodeBroken --python 3.9)"
project 'import jinja2\n' jinja2==2.11.3 markupsafe==2.0.1
check "jinja2 2.11.3 with markupsafe 2.0.1" 0 "$(fires Jinja2MarkupsafeSoftUnicodeBroken --python 3.9)"
project 'import tensorflow\n' tensorflow==2.1.0 urllib3==1.5
check "tensorflow 2.1.0 with urllib3 1.5" 1 "$(fires Tensorflow21Urllib3Broken --python 3.7)"
project 'import tensorflow\n' tensorflow==2.2.0 urllib3==1.5
check "tensorflow 2.2.0 with urllib3 1.5" 0 "$(fires Tensorflow21Urllib3Broken --python 3.7)"

project 'import tensorflow as tf\n' tensorflow==2.15.0
env() { printf 'runtime_environments:\n- name: gpu\n  python_version: "3.11"\n  cuda_version: "%s"\n  cudnn_version: "%s"\n' "$1" "$2" > "$tmp/env.yaml"; }
env 11.8 8.6
check "tensorflow 2.15.0 on CUDA 11.8" 1 "$(fires TensorflowCudaBuilds --env "$tmp/env.yaml")"
env 12.2 8.9
check "tensorflow 2.15.0 on CUDA 12.2" 0 "$(fires TensorflowCudaBuilds --env "$tmp/env.yaml")"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
