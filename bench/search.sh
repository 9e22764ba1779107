#!/bin/sh
# Scored search: final stacks per second on one core (a final stack = fully
# resolved, every step and stride of the pipeline run for it), on the
# 775-project resolvelib index (pypi-2020-11-17-cheroot.json), Python 3.8.10,
# type stable, for the cheroot case and flask+django+requests+pandas+scipy:
# the built-in units alone, then with the curated knowledge embedded in the
# binary (its step.Group units run at every expansion) and the pipeline test
# rules (a contextual step, a stride, a wrap, a pseudonym, a sieve). Printed
# beside Thoth's published 2,988 final stacks/s. bench_search runs in one
# thread; the figure per CPU second is the one to compare on a busy machine.
#   sh bench/search.sh [path/to/thoth]      (./dev bench search)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
thoth=${1:-$here/../build/thoth}
bs=$(dirname "$thoth")/bench/bench_search
shared=${THOTH_SHARED:-$here/../../shared}
index=$shared/data/resolver/resolvelib/index/pypi-2020-11-17-cheroot.json
rules=$here/../fixtures/pipeline/rules
[ -f "$index" ] || { echo "bench search: $index is absent"; exit 0; }
[ -x "$bs" ] || { echo "bench search: $bs is not built"; exit 1; }
bench_machine
finals=${FINALS:-1000000}
cheroot="coverage==5.3 pytest-mock>=1.11.0 pytest-sugar>=0.9.3 pytest-testmon<1.0.0"
stack="flask django requests pandas scipy"
for set in cheroot stack; do
  eval "reqs=\$$set"
  # shellcheck disable=SC2086
  taskset -c 0 "$bs" "$index" $reqs --finals "$finals" | sed "s/^/$set built-in: /"
  # shellcheck disable=SC2086
  taskset -c 0 "$bs" "$index" $reqs --finals "$finals" --knowledge --rules "$rules" | sed "s/^/$set +knowledge+rules: /"
done
