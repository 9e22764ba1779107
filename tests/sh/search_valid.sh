#!/bin/sh
# The scored search against the independent validity checker (resolve_check,
# which shares no code with the search or the solver): for every resolvelib
# case (for Python 3.8.10 and 3.11.7; cases on the big indexes for 3.8.10
# only) and RANDOM_SETS seeded random requirement sets over the largest index,
# the best --count 2 stacks (stable, testing) and 3 --enumerate stacks must
# all be valid and distinct, and the same on a
# second run with the same seed; where the exact solver finds no stack, the
# search finds none either (and the other way round).
set -u
D="${THOTH_SHARED:-}/data/resolver/resolvelib"
if [ ! -d "$D/case" ]; then
	echo "skip: \$THOTH_SHARED/data/resolver/resolvelib is absent"
	exit 77
fi
command -v jq >/dev/null 2>&1 || { echo "skip: jq is not installed"; exit 77; }
SJ="$THOTH_BUILD/tests/search_json"
RJ="$THOTH_BUILD/tests/resolve_json"
RC="$THOTH_BUILD/tests/resolve_check"
RANDOM_SETS=${RANDOM_SETS:-4}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

# solver PYTHON INDEX REQ...: the exact solver's status, once per set
solver() {
	py=$1 index=$2
	shift 2
	"$RJ" "$index" "$@" --python "$py" --pre pip >/dev/null 2>&1
	sst=$?
}

# check LABEL PYTHON INDEX DETERMINISM ARGS -- REQ... (after solver)
check() {
	label=$1 py=$2 index=$3 det=$4
	shift 4
	args=""
	while [ "$1" != "--" ]; do args="$args $1"; shift; done
	shift
	# shellcheck disable=SC2086
	timeout 120 "$SJ" "$index" "$@" --python "$py" --max-finals 4000 $args >"$T/a.jsonl" 2>"$T/a.err"
	st=$?
	if [ "$det" = det ]; then
		# shellcheck disable=SC2086
		timeout 120 "$SJ" "$index" "$@" --python "$py" --max-finals 4000 $args >"$T/b.jsonl" 2>/dev/null
		if ! cmp -s "$T/a.jsonl" "$T/b.jsonl"; then
			echo "FAIL $label ($py$args): not deterministic"
			fail=$((fail + 1))
			return
		fi
	fi
	if [ $st -ne 0 ]; then
		if [ $st -eq 1 ] && [ $sst -eq 1 ]; then
			pass=$((pass + 1))
		else
			echo "FAIL $label ($py$args): search status $st, solver status $sst: $(head -c 300 "$T/a.err")"
			fail=$((fail + 1))
		fi
		return
	fi
	if [ $sst -ne 0 ]; then
		echo "FAIL $label ($py$args): the search found stacks where the solver found none"
		fail=$((fail + 1))
		return
	fi
	n=0 bad=0
	while IFS= read -r line; do
		n=$((n + 1))
		printf '%s\n' "$line" | jq -S .pins >"$T/res.json"
		if ! "$RC" "$index" "$T/res.json" "$@" --python "$py" >"$T/chk" 2>&1; then
			echo "FAIL $label ($py$args): stack $n is invalid: $(head -n 3 "$T/chk")"
			bad=1
		fi
	done <"$T/a.jsonl"
	dups=$(jq -c -S .pins "$T/a.jsonl" | sort | uniq -d | wc -l)
	if [ "$dups" -ne 0 ]; then
		echo "FAIL $label ($py$args): $dups duplicate stacks"
		bad=1
	fi
	if [ $n -eq 0 ]; then
		echo "FAIL $label ($py$args): status 0 without stacks"
		bad=1
	fi
	if [ $bad -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
}

for py in 3.8.10 3.11.7; do
	for f in "$D"/case/*.json; do
		name=$(basename "$f" .json)
		# the exact solver alone needs seconds there (no solution): resolver_resolvelib covers it
		[ "$name" = pyrex-1.9.8 ] && continue
		idx="$D/index/$(jq -r .index "$f").json"
		jq -r '.requested[]' "$f" >"$T/reqs"
		set --
		while IFS= read -r r; do set -- "$@" "$r"; done <"$T/reqs"
		# the big indexes (4 MB each, read by every process) once, for 3.8.10
		[ "$py" = 3.11.7 ] && [ "$(wc -c <"$idx")" -gt 100000 ] && continue
		solver "$py" "$idx" "$@"
		check "$name" "$py" "$idx" det --type stable --count 2 -- "$@"
		check "$name" "$py" "$idx" det --type stable --enumerate 3 --seed 9 -- "$@"
		check "$name" "$py" "$idx" once --type testing --count 2 -- "$@"
	done
done

# random requirement sets over the largest index
BIG=$(ls -S "$D"/index/pypi-*.json | head -n 1)
jq -r 'keys[]' "$BIG" >"$T/names"
total=$(wc -l <"$T/names")
i=0
while [ $i -lt "$RANDOM_SETS" ]; do
	set --
	for k in 1 2 3; do
		line=$(( (i * 7919 + k * 104729) % total + 1 ))
		set -- "$@" "$(sed -n "${line}p" "$T/names")"
	done
	solver 3.11.7 "$BIG" "$@"
	check "random-$i" 3.11.7 "$BIG" det --type stable --count 2 --seed "$i" -- "$@"
	solver 3.8.10 "$BIG" "$@"
	check "random-$i" 3.8.10 "$BIG" once --type testing --enumerate 3 --seed "$i" -- "$@"
	i=$((i + 1))
done

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
