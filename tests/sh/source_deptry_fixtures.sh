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

# PEP 621 dependencies and extras, PEP 735 groups (include-group) as development-only. deptry also reports DEP002 for asyncio (a PyPI distribution shadowed by the stdlib module) and ignores pkginfo by its own config.
check pep_621 "unused-dependency asyncio pyproject.toml:7
unused-dependency isort pyproject.toml:9
unused-dependency pkginfo pyproject.toml:10
unused-dependency requests pyproject.toml:11
unused-dependency mypy pyproject.toml:18
unused-dependency pytest pyproject.toml:20
unused-dependency matplotlib pyproject.toml:21
dev-dependency-used certifi src/main.py:6
dev-dependency-used idna src/main.py:8
dev-dependency-used packaging src/main.py:9
missing-dependency white src/main.py:10"

# PDM dev-dependencies groups (lint, test) and PEP 735 groups are development-only.
pdm_findings="unused-dependency pkginfo pyproject.toml:7
unused-dependency isort pyproject.toml:14
unused-dependency requests pyproject.toml:16
dev-dependency-used black src/main.py:4
dev-dependency-used certifi src/main.py:5
dev-dependency-used idna src/main.py:7
dev-dependency-used mypy src/main.py:8
dev-dependency-used packaging src/main.py:9
dev-dependency-used pytest src/main.py:10
dev-dependency-used pytest-cov src/main.py:11
missing-dependency white src/main.py:12"
check pdm "$pdm_findings"

# uv's tool.uv.dev-dependencies and PEP 735 groups are development-only: the
# same project as the PDM one, so the same findings.
check uv "$pdm_findings"

# requirements.txt with -r, requirements-dev.txt as development-only; the file both included and read alone counts once.
check requirements_txt "unused-dependency isort requirements-from-other.txt:1
unused-dependency types-jsonschema requirements-typing.txt:1
unused-dependency pkginfo requirements.txt:4
unused-dependency requests requirements.txt:5
dev-dependency-used black src/main.py:4
missing-dependency white src/main.py:6"

# requirements.in is declared; requirements.txt compiled from it (pip-tools) is not read.
check requirements_in "unused-dependency isort requirements.in:2
unused-dependency uvicorn requirements.in:4
dev-dependency-used black src/main.py:4
missing-dependency h11 src/main.py:6
missing-dependency white src/main.py:7
missing-dependency bs4 src/main.py:9
missing-dependency arrow src/notebook.ipynb:3"

# tool.setuptools.dynamic reads requirements files for dependencies and extras.
check setuptools_dynamic_dependencies "unused-dependency packaging requirements-2.txt:1
unused-dependency pkginfo requirements.txt:2
unused-dependency requests requirements.txt:3
missing-dependency white src/main.py:6
missing-dependency urllib3 src/main.py:7
missing-dependency urllib3 src/notebook.ipynb:2"

# a namespace package (no __init__.py) is first-party.
check namespace "missing-dependency white foo/database/bar.py:5
unused-dependency arrow pyproject.toml:5"

# src/ layout: modules under src/ are first-party (this_file_is_ignored.py is excluded only by the fixture's deptry config).
check src_directory "unused-dependency isort pyproject.toml:8
unused-dependency pkginfo pyproject.toml:9
unused-dependency requests pyproject.toml:10
unused-dependency mypy pyproject.toml:17
unused-dependency pytest pyproject.toml:19
missing-dependency httpx src/foobar.py:1
missing-dependency white src/src_directory/foo.py:6
missing-dependency a_non_existing_module src/this_file_is_ignored.py:1"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
