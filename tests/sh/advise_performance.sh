#!/bin/sh
# advise_performance — `advise --type performance` with recorded
# observations: an observations file imported by `kb import` (detected by
# content, or named observations:FILE) changes the chosen stack where a
# slower version would have won on recency, and the pins say why (metric,
# value against the best, environment); observations made on another
# environment (another Python, CUDA the target lacks) are ignored and said
# so; without observations recency decides; a re-import replaces the file's
# rows; hostile files fail the import (exit 2, named) and leave nothing.
set -u
: "${THOTH:?}" "${THOTH_FIXTURES:?}" "${THOTH_SOURCE:?}"
command -v jq >/dev/null 2>&1 || { echo "skip: jq is not installed"; exit 77; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
export THOTH_DB=$W/kb.db
. "$THOTH_SOURCE/tests/helpers/kb_check.sh"
A=$THOTH_FIXTURES/advise
advise() { "$THOTH" advise "$A/webapp" --python 3.11.7 --index "$A/index" --type performance "$@"; }
pins() { grep -E '^  [a-z]+ +[0-9]' | awk '{print $1 "==" $2}' | tr '\n' ' '; }

# No observations: recency decides.
check "no observations: the newest stack" same "$(advise | pins)" \
  "blinker==1.7.0 click==8.1.7 flask==3.0.0 itsdangerous==2.1.2 markupsafe==2.1.3 numpy==1.26.4 werkzeug==3.0.1 "

cat > "$W/dm.json" <<'JSON'
{
  "thoth_observations": 1,
  "observations": [
    {"package": {"name": "NumPy", "version": "1.23.5"}, "metric": "matmul_gflops", "value": 820, "unit": "GFLOPS",
     "higher_is_better": true, "environment": {"python_version": "3.11", "platform": "linux-x86_64"},
     "source": "dependency-monkey run 1"},
    {"package": {"name": "numpy", "version": "1.23.5"}, "metric": "matmul_gflops", "value": 780, "unit": "GFLOPS",
     "higher_is_better": true, "environment": {"python_version": "3.11", "platform": "linux-x86_64"}},
    {"package": {"name": "numpy", "version": "1.26.4"}, "metric": "matmul_gflops", "value": 600, "unit": "GFLOPS",
     "higher_is_better": true, "environment": {"python_version": "3.11.4", "platform": "linux-x86_64",
     "hardware": {"cpu_family": 6, "cpu_model": 85}}},
    {"package": {"name": "numpy", "version": "1.26.4"}, "metric": "matmul_gflops", "value": 9000, "unit": "GFLOPS",
     "higher_is_better": true, "environment": {"python_version": "3.9", "platform": "linux-x86_64"}},
    {"stack": [{"name": "flask", "version": "2.3.3"}, {"name": "werkzeug", "version": "2.3.8"}],
     "metric": "request_latency", "value": 12.5, "unit": "ms", "higher_is_better": false,
     "environment": {"python_version": "3.11", "cuda_version": "12.2"}}
  ]
}
JSON
check "import detected by content" same "$("$THOTH" kb import "$W/dm.json")" "$W/dm.json (observations): 6 recorded"
check "re-import replaces" same "$("$THOTH" kb import "observations:$W/dm.json")" "observations:$W/dm.json (observations): 6 recorded"
check "kb stats counts them" same "$("$THOTH" kb stats --format json | jq -c .observations)" 6

advise > "$W/out"
check "observations change the stack: the faster numpy" same "$(pins < "$W/out")" \
  "blinker==1.7.0 click==8.1.7 flask==3.0.0 itsdangerous==2.1.2 markupsafe==2.1.3 numpy==1.23.5 werkzeug==3.0.1 "
cat > "$W/expected" <<'T'
  INFO observations flask 3.0.0: 1 performance observation of flask recorded on another environment is ignored (flask 2.3.3 request_latency on CUDA 12.2, the target has no CUDA)
  INFO performance numpy 1.23.5: observed performance of numpy 1.23.5: +0.000 (matmul_gflops 800 GFLOPS, the best observed (higher is better), over 2 runs on Python 3.11, x86_64)
  INFO observations numpy 1.23.5: 1 performance observation of numpy recorded on another environment is ignored (numpy 1.26.4 matmul_gflops on Python 3.9, the target has 3.11)
  INFO observations werkzeug 3.0.1: 1 performance observation of werkzeug recorded on another environment is ignored (werkzeug 2.3.8 request_latency on CUDA 12.2, the target has no CUDA)
T
check "why: the metric, the environment, and what was ignored" same "$(grep -E '^  (INFO|WARNING)' "$W/out")" "$(cat "$W/expected")"
check "the slower version scored lower" grep -q "skipped 1 newer: 1.26.4 (scored lower)" "$W/out"
j=$(advise --format json)
check "json justification" same "$(echo "$j" | jq -r '.stacks[0].justification[] | select(.unit == "performance") | .package_name + " " + .version')" "numpy 1.23.5"

# The same observations for a target with CUDA 12.2 (a .thoth.yaml): the
# latency run applies, the slower numpy is still scored lower.
cat > "$W/thoth.yaml" <<'Y'
runtime_environments:
  - name: gpu
    python_version: "3.11"
    cuda_version: "12.2"
    platform: linux-x86_64
Y
"$THOTH" advise "$A/webapp" --env "$W/thoth.yaml" --index "$A/index" --type performance --format json > "$W/gpu.json"
check "a CUDA target: nothing ignored for CUDA" same \
  "$(jq -r '[.stacks[0].justification[] | select(.message | test("CUDA"))] | length' "$W/gpu.json")" 0

# Hostile files: exit 2, named, nothing imported.
before=$("$THOTH" kb stats --format json)
bad() { # LABEL CONTENT EXPECTED-MESSAGE-PART
  printf '%s' "$2" > "$W/bad.json"
  "$THOTH" kb import "observations:$W/bad.json" > /dev/null 2> "$W/err"
  check "$1: exit 2" same "$?" 2
  check "$1: named" grep -q "bad.json.*$3" "$W/err"
  check "$1: nothing imported" same "$("$THOTH" kb stats --format json)" "$before"
}
bad "truncated" '{"thoth_observations": 1, "observations": [' ""
bad "another version" '{"thoth_observations": 9, "observations": []}' "format version 9"
bad "no direction" '{"thoth_observations": 1, "observations": [{"package": {"name": "a", "version": "1"}, "metric": "m", "value": 1}]}' "higher_is_better"
bad "not a number" '{"thoth_observations": 1, "observations": [{"package": {"name": "a", "version": "1"}, "metric": "m", "value": "1e999", "higher_is_better": true}]}' "not a finite number"
printf '{"thoth_observations": 1, "observations": [1, 2, 3]}' > "$W/many.json"
"$THOTH" kb import --limit observations=2 "$W/many.json" > /dev/null 2> "$W/err"
check "over the limit: exit 2" same "$?" 2
check "over the limit: said" grep -q "more than the limit observations" "$W/err"

kb_check_done
