#!/bin/sh
# The rules shipped in rules/ are valid, and list as their README says.
set -u
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export THOTH_DB="$tmp/thoth.db"
pass=0 fail=0
check() { if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: expected '$2', got '$3'"; fi; }

"$THOTH" rules check "$THOTH_SOURCE/rules" > "$tmp/out" 2> "$tmp/err"
check "rules check rules/" 0 $?
check "no complaints" "" "$(cat "$tmp/err")"
printf 'runtime_environments:\n- name: new\n  python_version: "3.13"\n  recommendation_type: stable\n' > "$tmp/env.yaml"
"$THOTH" rules list --env "$tmp/env.yaml" > "$tmp/list" 2>/dev/null
check "distutils rule applies on 3.13" 1 "$(grep -c StdlibDistutilsRemovedWrap "$tmp/list")"
printf 'runtime_environments:\n- name: old\n  python_version: "3.11"\n' > "$tmp/env.yaml"
"$THOTH" rules list --env "$tmp/env.yaml" > "$tmp/list" 2>/dev/null
check "distutils rule does not apply on 3.11" 0 "$(grep -c StdlibDistutilsRemovedWrap "$tmp/list")"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
