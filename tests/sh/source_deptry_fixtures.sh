#!/bin/sh
# scan repo over deptry's fixture projects (../shared/data/imports/deptry):
# the findings thoth must report for each, written down here. deptry's own
# expectations differ only where the fixture configures deptry itself
# ([tool.deptry] ignores such as DEP002 = ["pkginfo"], which thoth does not
# read): those findings are listed and marked.
set -u
: "${THOTH:?}" "${THOTH_SHARED:?}"
fx=$THOTH_SHARED/data/imports/deptry/tests/fixtures
[ -d "$fx" ] || { echo "skipped: ../shared is absent"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

check() { # FIXTURE EXPECTED (lines "rule subject file:line")
  THOTH_DB=$tmp/db "$THOTH" scan repo "$fx/$1" --format json > "$tmp/out.json" 2> "$tmp/err" || {
    echo "FAIL $1: exit $? $(cat "$tmp/err")"; failed=$((failed + 1)); return; }
  # One finding per line, "rule subject file:line", from the JSON's findings array.
  tr -d '\n' < "$tmp/out.json" | sed 's/.*"findings": \[//; s/\], *"stats".*//' | sed 's/}, *{/}\n{/g' |
    sed -n 's/.*"rule": "\([^"]*\)".*"file": "\([^"]*\)".*"line": \([0-9]*\).*"subject": "\([^"]*\)".*/\1 \4 \2:\3/p' \
    | awk '{ print }' > "$tmp/got"
  printf '%s\n' "$2" > "$tmp/want"
  if diff -u "$tmp/want" "$tmp/got"; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi
}

# Poetry: dependencies by name, optional ones through extras, groups lint/test
# as development-only. deptry: DEP001 white; DEP002 isort, requests (pkginfo
# is ignored by the fixture's own deptry config); DEP004 black, mypy, pytest,
# pytest_cov.
check poetry "unused-dependency pkginfo pyproject.toml:10
unused-dependency isort pyproject.toml:14
unused-dependency requests pyproject.toml:15
dev-dependency-used black src/main.py:4
dev-dependency-used mypy src/main.py:6
dev-dependency-used pytest src/main.py:7
dev-dependency-used pytest-cov src/main.py:8
missing-dependency white src/main.py:9"

check example "unused-dependency isort pyproject.toml:11
unused-dependency pkginfo pyproject.toml:12
unused-dependency requests pyproject.toml:13
dev-dependency-used black src/main.py:4
missing-dependency white src/main.py:6"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
