#!/bin/sh
# advise: `thoth advise --type latest` with a warm knowledge base against pip
# (`install --dry-run --report`, same file:// index, same requirements), in
# one run: the resolvelib `cheroot` case, and flask+django+requests+pandas+
# scipy together, on the 775-project index (pypi-2020-11-17-cheroot.json made
# a PEP 503 tree with PEP 658 metadata by json_index_to_simple.py and
# imported once with `kb import`). Both are whole processes: thoth reads the
# manifest, opens the KB, loads and fits the projects it meets, resolves and
# writes requirements with hashes; pip does the same from its index.
#   sh bench/advise.sh [path/to/thoth]      (./dev bench advise)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
thoth=${1:-$here/../build/thoth}
warm=$(dirname "$thoth")/bench/advise_warm
shared=${THOTH_SHARED:-$here/../../shared}
index=$shared/data/resolver/resolvelib/index/pypi-2020-11-17-cheroot.json
[ -f "$index" ] || { echo "bench advise: $index is absent"; exit 0; }
python3 -m pip --version >/dev/null 2>&1 || { echo "bench advise: python3 has no pip"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$shared/tools/json_index_to_simple.py" "$index" "$tmp/idx"
export THOTH_DB="$tmp/kb.db"
t0=$(bench_now)
"$thoth" kb import "$tmp/idx/simple" >/dev/null
t1=$(bench_now)
bench_machine
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# what every thoth process pays before main(): shared libraries and --version
echo "thoth links $(ldd "$thoth" | wc -l) shared objects (ldd lines)"
if command -v perf >/dev/null 2>&1; then
  perf stat -x, -e task-clock -r 50 "$thoth" --version 2>&1 >/dev/null |
    awk -F, '/task-clock/ { printf "thoth --version: %.2f ms CPU\n", $1 }'
fi
echo "kb import of the index (once, cold): $(( (t1 - t0) / 1000000 )) ms"
pyv=$(python3 -c 'import platform; print(platform.python_version())')
runs=${RUNS:-5}
cheroot="coverage==5.3 pytest-mock>=1.11.0 pytest-sugar>=0.9.3 pytest-testmon<1.0.0"
stack="flask django requests pandas scipy"
for set in cheroot stack; do
  eval "reqs=\$$set"
  mkdir -p "$tmp/$set"
  q=""
  for r in $reqs; do q="$q '$r'"; echo "$r"; done > "$tmp/$set/requirements.txt"
  for r in $reqs; do q="$q '$r'"; done
  adv="'$thoth' advise '$tmp/$set' --python $pyv --python-platform x86_64-manylinux_2_36 --format requirements"
  pip="env PIP_FIND_LINKS= python3 -m pip install --dry-run --ignore-installed --isolated --quiet --disable-pip-version-check --report '$tmp/r.json' --index-url 'file://$tmp/idx/simple' $q"
  sh -c "$adv" | grep '^[a-z0-9]' | sed 's/ .*//' | sort > "$tmp/t.txt"
  sh -c "$pip" && jq -r '.install[].metadata | (.name | ascii_downcase | gsub("[-_.]+"; "-")) + "==" + .version' "$tmp/r.json" | sort > "$tmp/p.txt"
  if cmp -s "$tmp/t.txt" "$tmp/p.txt"; then same="same pins"; else same="PINS DIFFER"; fi
  echo "$set: $(wc -l < "$tmp/t.txt") pins, thoth and pip: $same"
  bench_pair "advise $set (KB warm) vs pip" "$runs" "$adv" "$pip"
  echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  # the in-process cost of one stack (manifest, KB reads, fitting, solving,
  # explaining, writing), CPU time: the figure a shared machine cannot blur
  [ -x "$warm" ] && "$warm" "$THOTH_DB" "$tmp/$set" "$pyv" x86_64-manylinux_2_36 100 | sed "s/^/  $set in-process: /"
  # CPU time of whole processes (user + sys, perf's task-clock, which a
  # shared machine blurs far less than wall time), and their ratio. thoth's
  # runs go straight to perf (no shell in between); pip's through sh.
  if command -v perf >/dev/null 2>&1; then
    tc=$(eval "perf stat -x, -e task-clock -r ${CPU_RUNS:-20} $adv" 2>&1 >/dev/null | awk -F, '/task-clock/ { print $1 }')
    pc=$(perf stat -x, -e task-clock -r 3 sh -c "$pip" 2>&1 >/dev/null | awk -F, '/task-clock/ { print $1 }')
    awk -v s="$set" -v t="$tc" -v p="$pc" 'BEGIN {
      printf "  %s process CPU: thoth %.1f ms, pip %.1f ms, ratio %.1fx\n", s, t, p, (t > 0) ? p / t : 0 }'
  fi
done
