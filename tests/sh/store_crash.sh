#!/bin/sh
# A write killed with SIGKILL at a random point leaves the database as it
# was: every transaction is all or nothing and the file stays sound.
set -eu
tool=$THOTH_BUILD/tests/store_tool
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db=$dir/crash.db
N=40000
"$tool" write "$db" base 500 >/dev/null
seed=${THOTH_TEST_SEED:-$$}
echo "seed $seed"
i=0
while [ $i -lt 12 ]; do
  i=$((i + 1))
  "$tool" write "$db" "k$i" $N 3 > "$dir/out" 2>&1 &
  pid=$!
  # Wait until the first transaction is open, then a pseudo-random delay.
  t=0
  while ! grep -q begun "$dir/out" 2>/dev/null && [ $t -lt 200 ]; do sleep 0.01; t=$((t + 1)); done
  delay=$(( (seed * 7919 + i * 104729) % 400 ))
  sleep "0.$(printf '%03d' $delay)"
  kill -9 $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
  "$tool" check "$db"
  n=$("$tool" count "$db" "k$i:")
  case $(( n % N )) in
    0) echo "kill $i after ${delay} ms: $n rows (whole transactions only)";;
    *) echo "FAIL: kill $i left $n rows, not a multiple of $N"; exit 1;;
  esac
  [ "$("$tool" count "$db" base:)" = 500 ] || { echo "FAIL: earlier data lost"; exit 1; }
done
echo "1 passed, 0 failed"
