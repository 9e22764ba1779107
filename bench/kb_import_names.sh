#!/bin/sh
# kb_import_names — what learning import names costs a knowledge-base import
# (CPU; wall time on a shared machine is noise):
#  1. a wheelhouse of real wheels (pip, setuptools and wheel as the machine's
#     Python installations bundle them: RECORDs of hundreds to a thousand
#     lines), and
#  2. a wheelhouse of the 13,275 small wheels of the resolvelib cheroot index
#     (what json_index_to_simple.py writes: many wheels, short RECORDs),
# each imported into a fresh database: `perf stat` task-clock, then `perf record` to attribute the share spent reading
# top_level.txt / RECORD and deriving and storing the names
# (th_importnames_parse, th_kb_import_names_put and the SQLite work under
# it). The image path needs no extra read (the scan kept the names): its
# cost is the inserts, measured by `kb import image:` of the same rootfs
# twice in tests/sh/kb_image.sh's way (not repeated here).
# Usage: sh bench/kb_import_names.sh [THOTH]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
THOTH=${1:-$root/build/thoth}
SHARED=${THOTH_SHARED:-$root/../shared}
. "$root/bench/lib.sh"
command -v perf >/dev/null 2>&1 || { echo "kb_import_names: perf is not installed"; exit 0; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
bench_machine

mkdir -p "$W/bundled" "$W/real"
for py in python3 /usr/bin/python3 python3.8 python3.9 python3.10 python3.11 python3.12 python3.13; do
  command -v "$py" >/dev/null 2>&1 || continue
  d=$("$py" -c 'import ensurepip, os; print(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled"))' 2>/dev/null) || continue
  cp "$d"/*.whl "$W/bundled/" 2>/dev/null || true
done
# Each real wheel 25 times under other versions (NAME-V.postK): the archive
# and its RECORD are read again every time (metadata is reused by hash).
for f in "$W"/bundled/*.whl; do
  [ -f "$f" ] || continue
  b=$(basename "$f" .whl); name=${b%%-*}; rest=${b#*-}; ver=${rest%%-*}; tags=${rest#*-}
  k=0; while [ $k -lt 25 ]; do cp "$f" "$W/real/$name-$ver.post$k-$tags.whl"; k=$((k + 1)); done
done
if [ -d "$SHARED/data" ]; then
  python3 "$SHARED/tools/json_index_to_simple.py" "$SHARED/data/resolver/resolvelib/index/pypi-2020-11-17-cheroot.json" \
    "$W/idx" >/dev/null
fi

one() { # LABEL DIR
  [ -d "$2" ] && [ "$(ls "$2" | head -1)" ] || { echo "$1: no wheels"; return; }
  n=$(ls "$2" | grep -c '\.whl$')
  rm -f "$W"/x.db*
  THOTH_DB=$W/x.db perf stat -x, -e task-clock -o "$W/stat" "$THOTH" kb import --quiet "$2"
  tc=$(awk -F, '/task-clock/ {printf "%.0f", $1}' "$W/stat")
  names=$(THOTH_DB=$W/x.db "$THOTH" kb stats --format json | sed -n 's/.*"import_names": \([0-9]*\).*/\1/p')
  rm -f "$W"/x.db*
  THOTH_DB=$W/x.db perf record -q -g -o "$W/perf.data" "$THOTH" kb import --quiet "$2" >/dev/null 2>&1
  share=$(perf report -i "$W/perf.data" --children --stdio 2>/dev/null |
    awk '/th_importnames_parse$|th_kb_import_names_put$/ && $1 ~ /%/ {gsub("%", "", $1); s += $1} END {printf "%.1f", s}')
  echo "$1: $n wheels, $names import names; task-clock $tc ms; names: $share% of samples (children)"
}
one "real wheels" "$W/real"
one "cheroot wheelhouse" "$W/idx/files"
# What reading wheels would add to an index import (the decision not to for
# file:// indexes): the same 13,275 files as a file:// index (pages and PEP
# 658 metadata only) against the wheelhouse import above (every wheel opened).
if [ -d "$W/idx/simple" ]; then
  rm -f "$W"/x.db*
  THOTH_DB=$W/x.db perf stat -x, -e task-clock -o "$W/stat" "$THOTH" kb import --quiet "file://$W/idx/simple/"
  echo "cheroot as a file:// index (no wheel opened): task-clock $(awk -F, '/task-clock/ {printf "%.0f", $1}' "$W/stat") ms"
fi
