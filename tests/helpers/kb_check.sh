# kb_check.sh — sourced by the knowledge-base shell tests: their assertions.
#   check NAME CMD...   runs CMD; counts a pass, or a failure printed as "FAIL: NAME"
#   same GOT WANT       compares two strings, showing both when they differ
#   has TEXT PATTERN    grep PATTERN in TEXT, showing TEXT when absent
#   kb_check_done       prints "N passed, M failed" and fails when M > 0
pass=0 fail=0
check() {
  check_name=$1; shift
  if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $check_name"; fi
}
same() { [ "$1" = "$2" ] || { echo "  expected: $2"; echo "  got:      $1"; return 1; }; }
has() { printf '%s\n' "$1" | grep -q -- "$2" || { echo "  no '$2' in:"; printf '%s\n' "$1" | sed 's/^/    /'; return 1; }; }
kb_check_done() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; }
