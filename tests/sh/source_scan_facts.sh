#!/bin/sh
# scan repo records its facts in one transaction: files by content hash,
# declarations and findings per scan; a second scan of an unchanged tree
# parses nothing; a scan that fails records nothing.
set -u
: "${THOTH:?}" "${THOTH_FIXTURES:?}"
command -v sqlite3 >/dev/null || { echo "skipped: no sqlite3 command"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
db=$tmp/t.db passed=0 failed=0
t() { # LABEL EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $1: expected '$2', got '$3'"; fi
}
THOTH_DB=$db "$THOTH" scan repo "$THOTH_FIXTURES/source/oldpy" --python 3.13 --format json > "$tmp/1.json"
t "first scan exits 0" 0 $?
t "files analyzed" 2 "$(sqlite3 "$db" 'SELECT count(*) FROM source_file')"
t "findings recorded" 5 "$(sqlite3 "$db" 'SELECT count(*) FROM source_finding')"
t "declarations recorded" requests "$(sqlite3 "$db" 'SELECT name FROM source_decl')"
t "removed module recorded" "distutils|12" "$(sqlite3 "$db" "SELECT subject, substr(message, -2) FROM source_finding WHERE rule = 'stdlib-module-absent' ORDER BY line LIMIT 1")"
THOTH_DB=$db "$THOTH" scan repo "$THOTH_FIXTURES/source/oldpy" --format json > "$tmp/2.json"
t "second scan parses nothing" 1 "$(grep -c '"parsed": 0' "$tmp/2.json")"
t "two scans" 2 "$(sqlite3 "$db" 'SELECT count(*) FROM source_scan')"
# A re-scan that finds what the last one found is one row pointing at it.
findings=$(sqlite3 "$db" 'SELECT count(*) FROM source_finding')
files=$(sqlite3 "$db" 'SELECT count(*) FROM source_scan_file')
THOTH_DB=$db "$THOTH" scan repo "$THOTH_FIXTURES/source/oldpy" --format json > "$tmp/3.json"
t "same output" "" "$(cmp "$tmp/2.json" "$tmp/3.json")"
t "three scans, the third the same as the second" "3|2" "$(sqlite3 "$db" 'SELECT id, same_as FROM source_scan WHERE same_as IS NOT NULL')"
t "no findings repeated" "$findings" "$(sqlite3 "$db" 'SELECT count(*) FROM source_finding')"
t "no files repeated" "$files" "$(sqlite3 "$db" 'SELECT count(*) FROM source_scan_file')"
# A failing scan (an unreadable include) leaves the database as it was.
mkdir "$tmp/bad" && printf 'import os\n' > "$tmp/bad/a.py" && printf -- '-r ../../../etc/passwd\n' > "$tmp/bad/requirements.txt"
THOTH_DB=$db "$THOTH" scan repo "$tmp/bad" > /dev/null 2> "$tmp/err"
t "bad include exits 2" 2 $?
t "nothing recorded by the failed scan" 3 "$(sqlite3 "$db" 'SELECT count(*) FROM source_scan')"
t "the include is named" 1 "$(grep -c 'outside the scanned tree\|requirements.txt' "$tmp/err")"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
