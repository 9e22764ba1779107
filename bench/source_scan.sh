#!/bin/sh
# Source analysis over the machine's Python library tree (11,659 .py files,
# ~128 MB; .pyi stubs excluded so both sides read the same files):
#   cold scan   thoth scan repo (fresh database: read, hash, parse, store)
#               vs ast_imports_oracle.py (CPython's ast, one core)
#               vs a bare tree-sitter parse of the same files on all cores
#               (tests/src_imports --parse-only: read, decode, parse and
#               delete each tree through tree-sitter's own API and default
#               allocator, with the same runtime and grammar as thoth)
#   warm scan   the same tree again, nothing changed
# Usage: sh bench/source_scan.sh BUILD/thoth   (BENCH_RUNS, default 1)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
thoth=${1:-$here/../build/thoth}
build=$(dirname "$thoth")
shared=${THOTH_SHARED:-$here/../../shared}
runs=${BENCH_RUNS:-1}
stdlib=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/bench.db
cores=$(nproc)

bench_machine
echo "tree: $stdlib ($(find "$stdlib" -name '*.py' | wc -l) .py files, $(find "$stdlib" -name '*.py' -print0 | du -ch --files0-from=- | tail -n 1 | cut -f1))"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
# Read the tree once so no command pays for the disk (the first one would).
find "$stdlib" -name '*.py' -exec cat {} + >/dev/null

bench_pair "cold scan vs CPython ast (oracle)" "$runs" \
  "rm -f $db*; THOTH_DB=$db $thoth scan repo $stdlib --exclude '*.pyi'" \
  "python3 $shared/tools/ast_imports_oracle.py $stdlib"
bench_pair "cold scan vs bare tree-sitter parse ($cores cores)" "$runs" \
  "rm -f $db*; THOTH_DB=$db $thoth scan repo $stdlib --exclude '*.pyi'" \
  "find $stdlib -name '*.py' -print0 | xargs -0 -P $cores -n 200 $build/tests/src_imports --parse-only"
THOTH_DB=$db $thoth scan repo "$stdlib" --exclude '*.pyi' >/dev/null
bench_pair "warm re-scan vs cold scan" "$runs" \
  "THOTH_DB=$db $thoth scan repo $stdlib --exclude '*.pyi'" \
  "rm -f $tmp/cold.db*; THOTH_DB=$tmp/cold.db $thoth scan repo $stdlib --exclude '*.pyi'"
# CPU seconds (user + sys) of one run each: unlike wall time, barely moved by
# other work on a shared machine.
cpu() { # LABEL COMMAND
  /usr/bin/time -f "%U %S" -o "$tmp/cpu" sh -c "$2" >/dev/null 2>&1
  awk -v l="$1" '{ printf "%-44s %8.2f s CPU\n", l, $1 + $2 }' "$tmp/cpu"
}
cpu "CPython ast (oracle)" "python3 $shared/tools/ast_imports_oracle.py $stdlib"
cpu "bare tree-sitter parse" "find $stdlib -name '*.py' -print0 | xargs -0 -P $cores -n 200 $build/tests/src_imports --parse-only"
cpu "thoth cold scan" "rm -f $db*; THOTH_DB=$db $thoth scan repo $stdlib --exclude '*.pyi'"
cpu "thoth warm re-scan" "THOTH_DB=$db $thoth scan repo $stdlib --exclude '*.pyi'"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
