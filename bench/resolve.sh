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

# pip (the issue's baseline) against a file:// PEP 503 index made from the same
# JSON (../shared/tools/json_index_to_simple.py, built once and cached), for
# this machine's Python; thoth resolves for the same Python version.
simple=${TMPDIR:-/tmp}/thoth-bench-resolve-simple
conv=$shared/tools/json_index_to_simple.py
if ! python3 -m pip --version >/dev/null 2>&1; then
  echo "pip: not available; skipped"
  exit 0
fi
[ -f "$simple/simple/index.html" ] || python3 "$conv" "$index" "$simple" >/dev/null
hostpy=$(python3 -c 'import platform; print(platform.python_version())')
for set in cheroot stack; do
  eval "reqs=\$$set"
  q=""
  for r in $reqs; do q="$q '$r'"; done
  pipcmd="env PIP_FIND_LINKS= python3 -m pip install --dry-run --ignore-installed --isolated --quiet --report '$tmp/pip.json' --index-url 'file://$simple/simple' $q"
  sh -c "$pipcmd" >/dev/null 2>&1 || true
  "$rj" "$index" $reqs --python "$hostpy" --pre pip 2>/dev/null | tr -d ' \n' | sed 's/[{}]//g; s/,/\n/g; s/"//g; s/:/==/g' | sort > "$tmp/t.txt"
  jq -r '.install[] | .metadata.name + "==" + .metadata.version' "$tmp/pip.json" 2>/dev/null |
    awk -F'==' '{ n = tolower($1); gsub(/[-_.]+/, "-", n); print n "==" $2 }' | sort > "$tmp/p.txt"
  if cmp -s "$tmp/t.txt" "$tmp/p.txt"; then same="same pins"; else same="PINS DIFFER"; fi
  echo "$set on Python $hostpy: thoth and pip: $same"
  bench_pair "resolve $set vs pip (file:// index)" "$runs" \
    "'$rj' '$index' $q --python $hostpy --pre pip" "$pipcmd"
done
