#!/bin/sh
# Differential test of import extraction against CPython's own parser
# (../shared/tools/ast_imports_oracle.py): every import the oracle reports,
# thoth reports with the same module, level, line and column; files CPython
# refuses are listed. Inputs: fixtures/source/edge (hand-made edge cases:
# encodings, newlines, relative levels, syntax errors) and the machine's Python
# library tree — in CI a fixed sample (every THOTH_DIFF_STRIDE-th file of the
# sorted list, starting at THOTH_DIFF_SEED), the whole tree with
# THOTH_DIFF_FULL=1.
set -u
: "${THOTH_BUILD:?}" "${THOTH_SHARED:?}" "${THOTH_FIXTURES:?}"
oracle=$THOTH_SHARED/tools/ast_imports_oracle.py
helper=$THOTH_BUILD/tests/src_imports
[ -d "$THOTH_SHARED/data" ] && [ -f "$oracle" ] || { echo "skipped: ../shared is absent"; exit 77; }
command -v python3 >/dev/null || { echo "skipped: no python3 for the oracle"; exit 77; }
stdlib=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])' 2>/dev/null)
[ -d "$stdlib" ] || { echo "skipped: no Python library tree"; exit 77; }
stride=${THOTH_DIFF_STRIDE:-40} seed=${THOTH_DIFF_SEED:-7}

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

run() { # LABEL ROOT
  python3 "$oracle" "$2" > "$tmp/oracle.jsonl" 2>/dev/null || { echo "FAIL $1: the oracle failed"; failed=$((failed + 1)); return; }
  if "$helper" --check "$tmp/oracle.jsonl" > "$tmp/check.txt"; then
    passed=$((passed + 1)); echo "ok   $1: $(tail -n 1 "$tmp/check.txt")"
  else
    failed=$((failed + 1)); echo "FAIL $1:"; grep -v '^CPYTHON-REFUSED' "$tmp/check.txt" | head -n 60
  fi
  grep '^CPYTHON-REFUSED' "$tmp/check.txt" | sed "s|$2/||"
  # Every file the oracle saw is accounted for.
  n=$(find "$2" -name '*.py' | wc -l)
  grep -q "^$n files" "$tmp/check.txt" || { echo "FAIL $1: $n files, not all compared"; failed=$((failed + 1)); }
}

run "edge cases" "$THOTH_FIXTURES/source/edge"

if [ "${THOTH_DIFF_FULL:-0}" = 1 ]; then
  run "the whole library tree ($stdlib)" "$stdlib"
else
  mkdir "$tmp/sample"
  (cd "$stdlib" && find . -name '*.py' -type f | LC_ALL=C sort | awk -v n="$stride" -v s="$seed" 'NR % n == s % n' |
    while IFS= read -r f; do cp --parents "$f" "$tmp/sample/"; done)
  run "sample of the library tree (every ${stride}th file from $seed)" "$tmp/sample"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
