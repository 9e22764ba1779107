#!/bin/sh
# kb_index_names — what reading import names from index wheels costs an
# index import (one wheel per project: its zip directory, top_level.txt and
# RECORD only):
#  1. the resolvelib cheroot index (775 projects, 13,275 versions, 629
#     projects with a wheel; json_index_to_simple.py's tiny wheels) as a
#     file:// index: CPU (user+sys) and wall time, with the names against
#     without (BEFORE: a binary without the feature; else the same binary
#     with --limit name_wheels=1, i.e. one wheel read);
#  2. an index of real wheels (pip and setuptools as ensurepip bundles them,
#     each copied under 25 project names: 50 projects, RECORDs of ~1,000
#     lines, wheels of 1.2-2.1 MB), file://;
#  3. both over HTTP from a local nginx: requests and bytes, with and without.
# Usage: sh bench/kb_index_names.sh [THOTH [BEFORE]]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
THOTH=${1:-$root/build/thoth}
BEFORE=${2:-}
SHARED=${THOTH_SHARED:-$root/../shared}
. "$root/bench/lib.sh"
. "$root/tests/helpers/kb_nginx.sh"
[ -d "$SHARED/data" ] || { echo "kb_index_names: $SHARED/data is absent"; exit 0; }
W=$(mktemp -d)
trap 'kb_nginx_stop; rm -rf "$W"' EXIT
bench_machine

python3 "$SHARED/tools/json_index_to_simple.py" "$SHARED/data/resolver/resolvelib/index/pypi-2020-11-17-cheroot.json" \
  "$W/www/cheroot" >/dev/null
# Real wheels as an index: NAMEK-V copies, each its own project.
mkdir -p "$W/www/real/files"
for py in python3 /usr/bin/python3; do
  d=$("$py" -c 'import ensurepip, os; print(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled"))' 2>/dev/null) || continue
  for f in "$d"/*.whl; do
    [ -f "$f" ] || continue
    b=$(basename "$f" .whl); name=${b%%-*}; rest=${b#*-}; ver=${rest%%-*}; tags=${rest#*-}
    k=0; while [ $k -lt 25 ]; do cp "$f" "$W/www/real/files/$name$k-$ver-$tags.whl"; k=$((k + 1)); done
  done
done
for f in "$W"/www/real/files/*.whl; do
  b=$(basename "$f"); p=$(echo "${b%%-*}" | tr 'A-Z_' 'a-z-')
  mkdir -p "$W/www/real/simple/$p"
  printf '<a href="../../files/%s#sha256=%s">%s</a>\n' "$b" "$(sha256sum < "$f" | cut -c1-64)" "$b" >> "$W/www/real/simple/$p/index.html"
done
for d in "$W"/www/real/simple/*/; do n=$(basename "$d"); printf '<a href="%s/">%s</a>\n' "$n" "$n"; done > "$W/www/real/simple/index.html"

if [ -n "$BEFORE" ]; then without="$BEFORE kb import"; else without="$THOTH kb import --limit name_wheels=1"; fi
with="$THOTH kb import"
runs=5

cpu() { # LABEL SRC CMD -> median CPU ms over $runs fresh imports
  i=0; : > "$W/cpu"
  while [ $i -lt $runs ]; do
    rm -f "$W"/x.db*
    THOTH_DB=$W/x.db /usr/bin/time -f "%U %S %e" -o "$W/t" $3 --quiet "$2" >/dev/null 2>&1
    awk '{ printf "%d %d\n", ($1 + $2) * 1000, $3 * 1000 }' "$W/t" >> "$W/cpu"
    i=$((i + 1))
  done
  c=$(cut -d' ' -f1 "$W/cpu" | bench_median) w=$(cut -d' ' -f2 "$W/cpu" | bench_median)
  printf '%-52s CPU %6.0f ms   wall %6.0f ms\n' "$1" "$c" "$w"
}
for idx in cheroot real; do
  cpu "$idx file:// without names" "file://$W/www/$idx/simple/" "$without"
  cpu "$idx file:// with names" "file://$W/www/$idx/simple/" "$with"
done

kb_nginx_start "$W/nginx" "$W/www"
for idx in cheroot real; do
  for mode in without with; do
    cmd=$([ $mode = with ] && echo "$with" || echo "$without")
    rm -f "$W"/x.db*
    out=$(THOTH_DB=$W/x.db $cmd "$KB_NGINX_URL/$idx/simple/")
    req=$(printf '%s\n' "$out" | sed -n 's/.* \([0-9]*\) requests,.*/\1/p')
    names=$(printf '%s\n' "$out" | sed -n 's/.*import names: \(.*\)/\1/p')
    printf '%-30s %6s requests; %s\n' "$idx http $mode names" "$req" "${names:-no names read}"
  done
  cpu "$idx http without names" "$KB_NGINX_URL/$idx/simple/" "$without"
  cpu "$idx http with names" "$KB_NGINX_URL/$idx/simple/" "$with"
done
