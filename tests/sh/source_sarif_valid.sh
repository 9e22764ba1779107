#!/bin/sh
# scan repo --format sarif validates against the official SARIF 2.1.0 schema
# (../shared/tools/validate_json.py), for trees with and without findings.
set -u
: "${THOTH:?}" "${THOTH_SHARED:?}" "${THOTH_FIXTURES:?}"
v=$THOTH_SHARED/tools/validate_json.py
[ -f "$v" ] && [ -d "$THOTH_SHARED/data/schemas/sarif" ] || { echo "skipped: ../shared is absent"; exit 77; }
/usr/bin/python3 -c 'import jsonschema' 2>/dev/null || { echo "skipped: python3-jsonschema is not installed"; exit 77; }
# validate_json.py cannot resolve the SARIF schema offline: see tests/lib/validate_sarif.sh.
. "$THOTH_SOURCE/tests/lib/validate_sarif.sh"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
for t in oldpy proj edge; do
  THOTH_DB=$tmp/db "$THOTH" scan repo "$THOTH_FIXTURES/source/$t" --python 3.13 --format sarif > "$tmp/$t.sarif" ||
    { echo "FAIL $t: thoth failed"; failed=$((failed + 1)); continue; }
  if validate_sarif "$tmp/$t.sarif" > "$tmp/out" 2>&1; then
    passed=$((passed + 1)); echo "ok   $t"
  else
    failed=$((failed + 1)); echo "FAIL $t:"; head -n 12 "$tmp/out"
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
