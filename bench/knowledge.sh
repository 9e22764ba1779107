#!/bin/sh
# The curated knowledge embedded in thoth: opening it from YAML and from its
# compiled form in the facts database (target: well under 10 ms), and the
# cost of a query. Usage: bench/knowledge.sh [THOTH] [RUNS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
thoth=${1:-$here/../build/thoth} runs=${2:-21}
build=$(dirname "$thoth")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bench_machine
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
"$build/bench/knowledge_open" "$tmp/k.db" "$runs"
THOTH_BENCH_WALL=1 "$build/bench/knowledge_open" "$tmp/k.db" "$runs"
