#!/bin/sh
# Resolver: the resolvelib `cheroot` case, and flask+django+requests+pandas+
# scipy together, on the 775-project index (pypi-2020-11-17-cheroot.json),
# for Python 3.8.10. thoth (tests/helpers/resolve_json: load the index JSON,
# resolve, print) against ../shared/tools/resolvelib_oracle.py (resolvelib
# 1.0.1 + packaging, what pip runs) on the same index and target, in the same
# run; then thoth's resolution alone with the index already in memory (the
# warm-knowledge-base case), from --repeat.
#   sh bench/resolve.sh [path/to/thoth]      (./dev bench resolve)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
thoth=${1:-$here/../build/thoth}
rj=$(dirname "$thoth")/tests/resolve_json
shared=${THOTH_SHARED:-$here/../../shared}
index=$shared/data/resolver/resolvelib/index/pypi-2020-11-17-cheroot.json
oracle=$shared/tools/resolvelib_oracle.py
[ -f "$index" ] || { echo "bench resolve: $index is absent"; exit 0; }
[ -x "$rj" ] || { echo "bench resolve: $rj is not built"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$rj" --print-env --python 3.8.10 > "$tmp/env.json"
bench_machine
runs=${RUNS:-5}
cheroot="coverage==5.3 pytest-mock>=1.11.0 pytest-sugar>=0.9.3 pytest-testmon<1.0.0"
stack="flask django requests pandas scipy"
for set in cheroot stack; do
  eval "reqs=\$$set"
  q=""
  for r in $reqs; do q="$q '$r'"; done
  "$rj" "$index" $reqs --python 3.8.10 > "$tmp/t.json" 2>/dev/null || true
  python3 "$oracle" "$index" $reqs --python 3.8.10 --env "$tmp/env.json" > "$tmp/o.json" 2>/dev/null || true
  if cmp -s "$tmp/t.json" "$tmp/o.json"; then same="same pins"; else same="PINS DIFFER"; fi
  echo "$set: $(grep -c '":' "$tmp/t.json") pins, thoth and oracle: $same"
  bench_pair "resolve $set (process, index load included)" "$runs" \
    "'$rj' '$index' $q --python 3.8.10" \
    "python3 '$oracle' '$index' $q --python 3.8.10 --env '$tmp/env.json'"
  "$rj" "$index" $reqs --python 3.8.10 --repeat 200 --stats 2>&1 >/dev/null | sed "s/^/  thoth $set warm: /"
done
