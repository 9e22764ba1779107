# bench/lib.sh — sourced by each benchmark. Runs a thoth command and its
# baseline side by side, several times each, interleaved so both see the same
# machine state, and prints the medians and their ratio.
#
#   bench_pair LABEL RUNS 'thoth command' 'baseline command'
#
# Both commands run through sh -c with output to /dev/null. The ratio is
# baseline / thoth: above 1 means thoth is faster.

bench_now() { date +%s%N; }

bench_median() { # numbers on stdin -> median
  sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

bench_time_ms() { # command -> elapsed ms
  t0=$(bench_now)
  sh -c "$1" >/dev/null 2>&1 || { echo "bench: command failed: $1" >&2; return 1; }
  t1=$(bench_now)
  echo $(( (t1 - t0) / 1000000 ))
}

bench_pair() {
  label=$1 runs=$2 ours=$3 base=$4
  tf=$(mktemp) bf=$(mktemp)
  i=0
  while [ $i -lt "$runs" ]; do
    bench_time_ms "$ours" >> "$tf" || return 1
    bench_time_ms "$base" >> "$bf" || return 1
    i=$((i + 1))
  done
  t=$(bench_median < "$tf") b=$(bench_median < "$bf")
  rm -f "$tf" "$bf"
  awk -v l="$label" -v t="$t" -v b="$b" 'BEGIN {
    r = (t > 0) ? b / t : 0
    printf "%-44s thoth %8.1f ms   baseline %8.1f ms   ratio %6.2fx\n", l, t, b, r }'
}

bench_machine() {
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)," \
       "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
}

# CPU seconds (user + sys) of one run: unlike wall time, barely moved by
# other work on a shared machine. TMPFILE receives /usr/bin/time's record.
bench_cpu() { # LABEL COMMAND TMPFILE
  /usr/bin/time -f "%U %S" -o "$3" sh -c "$2" >/dev/null 2>&1 || { echo "bench: command failed: $2" >&2; return 1; }
  awk -v l="$1" '{ printf "%-44s %8.2f s CPU\n", l, $1 + $2 }' "$3"
}
