#!/bin/sh
# The rules shipped in rules/ are valid (exact counts, so a file that stops
# loading is noticed), and list as their README says.
set -u
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export THOTH_DB="$tmp/thoth.db"
pass=0 fail=0
check() { if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: expected '$2', got '$3'"; fi; }

"$THOTH" rules check "$THOTH_SOURCE/rules" > "$tmp/out" 2> "$tmp/err"
check "rules check rules/" 0 $?
check "no complaints" "" "$(cat "$tmp/err")"
check "units and files" "$THOTH_SOURCE/rules: 35 units in 12 files" "$(head -n 1 "$tmp/out")"
check "steps" 1 "$(awk '$1 == "step" { print $2 }' "$tmp/out")"
check "step groups" 5 "$(awk '$1 == "step.Group" { print $2 }' "$tmp/out")"
check "wraps" 29 "$(awk '$1 == "wrap" { print $2 }' "$tmp/out")"
# every unit names its evidence
for f in $(find "$THOTH_SOURCE/rules" -name '*.yaml'); do
	units=$(grep -c '^  - name: ' "$f")
	ev=$(grep -c '^      evidence: https://' "$f")
	check "evidence of every unit in ${f#$THOTH_SOURCE/}" "$units" "$ev"
done
printf 'runtime_environments:\n- name: new\n  python_version: "3.13"\n  recommendation_type: stable\n' > "$tmp/env.yaml"
"$THOTH" rules list --env "$tmp/env.yaml" > "$tmp/list" 2>/dev/null
check "distutils rule applies on 3.13" 1 "$(grep -c StdlibDistutilsRemovedWrap "$tmp/list")"
check "broken combinations join the adviser" 6 "$(grep -c '^step' "$tmp/list")"
check "fact-only units do not" 1 "$(grep -c '^wrap' "$tmp/list")"
printf 'runtime_environments:\n- name: old\n  python_version: "3.11"\n' > "$tmp/env.yaml"
"$THOTH" rules list --env "$tmp/env.yaml" > "$tmp/list" 2>/dev/null
check "distutils rule does not apply on 3.11" 0 "$(grep -c StdlibDistutilsRemovedWrap "$tmp/list")"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
