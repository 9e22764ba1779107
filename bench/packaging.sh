#!/bin/sh
# Packaging core: parse and sort the 1,305 real versions of version_sample.txt,
# then evaluate every specifier set of specs_sample.txt against every one of
# those versions (SpecifierSet.contains, prereleases unset). thoth
# (bench/bench_packaging.c) against the same work done by packaging 23.0
# (/usr/bin/python3, inline below), in the same run; then thoth's version
# comparisons per second on one core.
#   sh bench/packaging.sh [path/to/thoth]      (./dev bench packaging)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
thoth=${1:-$here/../build/thoth}
bin=$(dirname "$thoth")/bench/bench_packaging
data=${THOTH_SHARED:-$here/../../shared}/data/packaging
[ -f "$data/version_sample.txt" ] || { echo "bench packaging: $data is absent"; exit 0; }
[ -x "$bin" ] || { echo "bench packaging: $bin is not built"; exit 1; }
/usr/bin/python3 -c 'import packaging' 2>/dev/null || { echo "bench packaging: needs python3-packaging"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/baseline.py" <<'PY'
import sys, time
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version
d = sys.argv[1]
vl = [l for l in open(d + "/version_sample.txt").read().split("\n") if l]
sl = [l for l in open(d + "/specs_sample.txt").read().split("\n") if l]
t0 = time.perf_counter()
vs = []
for s in vl:
    try:
        vs.append(Version(s))
    except InvalidVersion:
        pass
vs.sort()
t1 = time.perf_counter()
sets = []
for s in sl:
    try:
        sets.append(SpecifierSet(s))
    except InvalidSpecifier:
        pass
hits = 0
for ss in sets:
    for v in vs:
        hits += ss.contains(v)
t2 = time.perf_counter()
print("packaging: %d versions parsed and sorted in %.3f ms; %d sets x %d versions = %d contains in %.3f ms "
      "(%d true); total %.3f ms" % (len(vs), (t1 - t0) * 1e3, len(sets), len(vs), len(sets) * len(vs),
                                   (t2 - t1) * 1e3, hits, (t2 - t0) * 1e3))
PY
bench_machine
echo "in-process times (same answers expected: compare the counts of true):"
ours=$("$bin" "$data" work)
base=$(/usr/bin/python3 "$tmp/baseline.py" "$data")
echo "  $ours"
echo "  $base"
awk -v a="$ours" -v b="$base" 'BEGIN {
  n = split(a, x, "total "); split(x[n], y, " "); t = y[1]
  n = split(b, x, "total "); split(x[n], y, " "); p = y[1]
  printf "  in-process ratio: %.1fx (packaging %.1f ms / thoth %.3f ms)\n", p / t, p, t }'
echo "whole processes (startup included), median of 3:"
bench_pair "1305 versions sorted, 500 sets x versions" 3 "$bin $data work" "/usr/bin/python3 $tmp/baseline.py $data"
"$bin" "$data" cmp
