#!/bin/sh
# The packaging differential test: every applicable parameter set of
# pypa/packaging's test suite (../shared/data/packaging/vectors.jsonl) plus
# seeded random mutations of real versions, specifier sets and requirements
# become queries (tests/helpers/pkg_vectors.c); packaging 23.0 (the oracle)
# and `thoth debug packaging` answer them; tests/helpers/pkg_compare.c
# compares `valid` and, when valid, every value (never error texts). The bar
# is zero disagreements, except the committed, explained list
# fixtures/packaging/expected-differences.jsonl (thoth right, the oracle
# not), and fixtures/packaging/known-bugs.jsonl (found in a packaging module,
# printed in full on every run until its owner fixes it).
#
# The oracle's answers are cached in the build directory, keyed by a hash of
# the queries and of the oracle, so it runs once per set of queries.
# THOTH_TEST_SEED changes the random part (the seed is printed).
set -u
data=${THOTH_SHARED:-}/data/packaging
oracle_py=${THOTH_SHARED:-}/tools/packaging_oracle.py
if [ ! -f "$data/vectors.jsonl" ] || [ ! -f "$oracle_py" ]; then
  echo "skipped: ../shared (data/packaging and tools/packaging_oracle.py) is absent"; exit 77
fi
if ! /usr/bin/python3 -c 'import packaging.version' 2>/dev/null; then
  echo "skipped: /usr/bin/python3 has no packaging module (apt-get install python3-packaging)"; exit 77
fi
dir=$THOTH_BUILD/packaging-differential
mkdir -p "$dir" || exit 1
queries=$dir/queries.jsonl

"$THOTH_BUILD/tests/pkg_vectors" "$data" > "$queries" || { echo "FAIL: pkg_vectors"; exit 1; }
key=$(cat "$oracle_py" "$queries" | sha256sum | cut -c1-16)
oracle=$dir/oracle-$key.jsonl
if [ -s "$oracle" ]; then
  echo "oracle: cached answers $oracle"
else
  rm -f "$dir"/oracle-*.jsonl
  t0=$(date +%s)
  /usr/bin/python3 "$oracle_py" < "$queries" > "$oracle.tmp" && mv "$oracle.tmp" "$oracle" ||
    { echo "FAIL: the oracle stopped"; rm -f "$oracle.tmp"; exit 1; }
  echo "oracle: answered in $(( $(date +%s) - t0 )) s"
fi

t0=$(date +%s)
"$THOTH" debug packaging < "$queries" > "$dir/thoth.jsonl" 2> "$dir/thoth.stderr"
status=$?
echo "thoth debug packaging: answered in $(( $(date +%s) - t0 )) s, exit status $status"
if [ $status != 0 ]; then
  cat "$dir/thoth.stderr"; echo "0 passed, 1 failed"; exit 1
fi
if [ "$(wc -l < "$queries")" != "$(wc -l < "$dir/thoth.jsonl")" ]; then
  echo "FAIL: $(wc -l < "$queries") queries but $(wc -l < "$dir/thoth.jsonl") answers"; echo "0 passed, 1 failed"; exit 1
fi
"$THOTH_BUILD/tests/pkg_compare" "$queries" "$oracle" "$dir/thoth.jsonl" \
  "$THOTH_SOURCE/fixtures/packaging/expected-differences.jsonl" \
  "$THOTH_SOURCE/fixtures/packaging/known-bugs.jsonl" "$dir/disagreements.jsonl"
