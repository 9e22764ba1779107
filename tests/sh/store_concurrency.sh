#!/bin/sh
# Several thoth processes share one database: concurrent writers all land
# (WAL + busy timeout), none fails with "database is locked".
set -eu
tool=$THOTH_BUILD/tests/store_tool
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db=$dir/shared.db
pids=""
for w in 1 2 3 4 5 6; do
  "$tool" write "$db" "w$w" 2000 5 > "$dir/w$w.out" 2> "$dir/w$w.err" &
  pids="$pids $!"
done
# Readers at the same time.
for r in 1 2 3; do "$tool" count "$db" w >/dev/null 2> "$dir/r$r.err" & pids="$pids $!"; done
fail=0
for p in $pids; do wait $p || fail=1; done
if [ $fail = 1 ]; then cat "$dir"/*.err; echo "FAIL: a process failed"; exit 1; fi
"$tool" check "$db"
for w in 1 2 3 4 5 6; do
  n=$("$tool" count "$db" "w$w:")
  [ "$n" = 10000 ] || { echo "FAIL: writer $w has $n rows, expected 10000"; exit 1; }
done
echo "6 concurrent writers and 3 readers: all 60000 rows present"
echo "1 passed, 0 failed"
