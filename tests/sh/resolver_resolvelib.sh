#!/bin/sh
# Differential test of the solver against ../shared/tools/resolvelib_oracle.py
# (resolvelib 1.0.1 + packaging, the algorithm pip uses), for the same target
# environment (the oracle gets thoth's own PEP 508 environment via --env):
# - every resolvelib case in ../shared/data/resolver/resolvelib/case (the
#   oracle is the reference: the cases' expected results that involve markers
#   are unreliable), for Python 3.8.10 and 3.11.7;
# - RANDOM_SETS seeded random requirement sets over the largest index, for
#   Python 3.8.10 and 3.11.7.
# Both must agree exactly (same versions, or both fail), and every thoth
# answer must pass resolve_check, a validity checker that shares no code with
# the solver.
set -u
D="${THOTH_SHARED:-}/data/resolver/resolvelib"
ORACLE="${THOTH_SHARED:-}/tools/resolvelib_oracle.py"
if [ ! -d "$D/case" ] || [ ! -f "$ORACLE" ]; then
	echo "skip: \$THOTH_SHARED/data/resolver/resolvelib is absent"
	exit 77
fi
command -v jq >/dev/null 2>&1 || { echo "skip: jq is not installed"; exit 77; }
PY=python3
$PY -c 'import pip' 2>/dev/null || PY=/usr/bin/python3
$PY -c 'import pip._vendor.resolvelib' 2>/dev/null || $PY -c 'import resolvelib' 2>/dev/null ||
	{ echo "skip: no python3 with resolvelib (or pip's vendored copy)"; exit 77; }
RJ="$THOTH_BUILD/tests/resolve_json"
RC="$THOTH_BUILD/tests/resolve_check"
RANDOM_SETS=${RANDOM_SETS:-12}
ORACLE_TIMEOUT=${ORACLE_TIMEOUT:-20}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

# compare LABEL PYTHON INDEX REQ...
compare() {
	label=$1 py=$2 index=$3
	shift 3
	"$RJ" --print-env --python "$py" >"$T/env.json" || { echo "FAIL $label: env"; fail=$((fail + 1)); return; }
	timeout "$ORACLE_TIMEOUT" "$PY" "$ORACLE" "$index" "$@" --python "$py" --env "$T/env.json" >"$T/oracle.json" 2>"$T/oracle.err"
	ost=$?
	if [ $ost -eq 124 ]; then
		echo "note $label ($py): the oracle took over ${ORACLE_TIMEOUT}s; not compared"
		"$RJ" "$index" "$@" --python "$py" >/dev/null 2>&1
		[ $? -le 1 ] && pass=$((pass + 1)) || { echo "FAIL $label: thoth failed"; fail=$((fail + 1)); }
		return
	fi
	"$RJ" "$index" "$@" --python "$py" >"$T/thoth.json" 2>"$T/thoth.err"
	tst=$?
	if grep -q Traceback "$T/oracle.err"; then
		# the oracle crashed (e.g. too deep): thoth must still give a valid answer or fail cleanly
		echo "note $label: oracle crashed: $(tail -n 1 "$T/oracle.err")"
		[ $tst -le 2 ] && pass=$((pass + 1)) || { echo "FAIL $label: thoth status $tst"; fail=$((fail + 1)); }
		return
	fi
	if [ $ost -ne 0 ] || [ $tst -ne 0 ]; then
		if [ $ost -ne 0 ] && [ $tst -eq 1 ]; then
			pass=$((pass + 1))
		else
			echo "FAIL $label ($py): oracle status $ost, thoth status $tst: $*"
			head -c 600 "$T/oracle.json" "$T/thoth.json" "$T/thoth.err"
			fail=$((fail + 1))
		fi
		return
	fi
	if ! jq -S -c . "$T/oracle.json" >"$T/o" || ! jq -S -c . "$T/thoth.json" >"$T/t" || ! cmp -s "$T/o" "$T/t"; then
		echo "FAIL $label ($py): differs: $*"
		diff "$T/oracle.json" "$T/thoth.json" | head -20
		fail=$((fail + 1))
		return
	fi
	if ! "$RC" "$index" "$T/thoth.json" "$@" --python "$py" >"$T/check.out" 2>&1; then
		echo "FAIL $label ($py): invalid stack: $(head -n 3 "$T/check.out")"
		fail=$((fail + 1))
		return
	fi
	pass=$((pass + 1))
}

for py in 3.8.10 3.11.7; do
	for c in "$D"/case/*.json; do
		name=$(basename "$c" .json)
		index="$D/index/$(jq -r .index "$c").json"
		jq -r '.requested[]' "$c" >"$T/reqs"
		set --
		while IFS= read -r line; do set -- "$@" "$line"; done <"$T/reqs"
		compare "case $name" "$py" "$index" "$@"
	done
done

# Seeded random requirement sets over the largest index: 1 to 4 projects,
# some with an upper bound below their newest version (to force backtracking).
BIG="$D/index/pypi-2020-11-17-cheroot.json"
jq -r 'to_entries[] | select((.value | length) > 0) | .key + " " + ((.value | keys_unsorted | join(" ")))' "$BIG" >"$T/projects"
for py in 3.8.10 3.11.7; do
	s=1
	while [ $s -le "$RANDOM_SETS" ]; do
		awk -v seed="$s" -v mult=7919 -v add=17 -f "$THOTH_SOURCE/tests/helpers/random_reqs.awk" "$T/projects" >"$T/reqs"
		set --
		while IFS= read -r line; do set -- "$@" "$line"; done <"$T/reqs"
		compare "random $s" "$py" "$BIG" "$@"
		s=$((s + 1))
	done
done

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
