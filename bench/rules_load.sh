#!/bin/sh
# Loading Thoth's prescription corpus (65,091 files, 90,611 units):
#  1. cold: thoth rules check TARBALL with an empty database (parse, validate,
#     compile), against a bare libyaml event pass over the same files read the
#     same way (bench/yaml_pass.c); target: within 1.5x of that pass;
#  2. the loader alone (no database), against the same pass;
#  3. warm: the same check again, loading the compiled form; and the compiled
#     load measured inside one process (bench/rules_compiled.c); target <= 50 ms.
# Usage: bench/rules_load.sh [THOTH] [RUNS]  (THOTH: the binary in a build directory)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
thoth=${1:-$here/../build/thoth} runs=${2:-5}
build=$(dirname "$thoth")
shared=${THOTH_SHARED:-$here/../../shared}
tarball=$shared/data/rules/thoth-prescriptions.tar.gz
[ -f "$tarball" ] || { echo "rules_load: $tarball is absent"; exit 0; }
pass=$build/bench/yaml_pass probe=$build/tests/rules_probe
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bench_machine
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
bench_pair "cold: rules check (parse+compile) vs libyaml pass" "$runs" \
  "rm -f $tmp/cold.db*; THOTH_DB=$tmp/cold.db $thoth rules check $tarball" "$pass $tarball"
bench_pair "loader alone vs libyaml pass" "$runs" "$probe $tarball < /dev/null" "$pass $tarball"
THOTH_DB=$tmp/warm.db "$thoth" rules check "$tarball" >/dev/null
bench_pair "warm: rules check (compiled) vs libyaml pass" "$runs" \
  "THOTH_DB=$tmp/warm.db $thoth rules check $tarball" "$pass $tarball"
# CPU seconds too: on a shared machine wall time also measures the neighbours.
cpu() { /usr/bin/time -f "%U %S" sh -c "$1" 2>&1 >/dev/null | awk '{ printf "%.2f", $1 + $2 }'; }
echo "cpu seconds (user+sys): cold check $(cpu "rm -f $tmp/c2.db*; THOTH_DB=$tmp/c2.db $thoth rules check $tarball")," \
     "loader $(cpu "$probe $tarball < /dev/null"), libyaml pass $(cpu "$pass $tarball")"
"$build/bench/rules_compiled" "$tmp/warm.db" "$tarball" 9
