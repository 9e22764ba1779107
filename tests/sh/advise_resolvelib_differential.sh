#!/bin/sh
# Differential test of `thoth advise --type latest` itself (manifest reading,
# knowledge base, kbprovider, solver, output) against
# ../shared/tools/resolvelib_oracle.py (resolvelib + packaging, what pip
# runs) on the 775-project index, for two targets other than the machine's
# own Python: CPython 3.8.10 and 3.11.7 on x86_64-manylinux_2_28. The index
# is turned into a PEP 503 tree (json_index_to_simple.py) and imported into
# the knowledge base once; the oracle gets advise's own PEP 508 environment
# (its JSON output's environment.markers). The cheroot case and SETS seeded
# random requirement sets per Python (a fixed number per run, the oracle's
# answers computed once per run) must give the same version of every
# package, or both no solution; each advise stack must also pass
# resolve_check (validity, independent of the solver). sh/resolver_resolvelib
# compares the solver alone; sh/advise_pip_differential compares advise with
# pip for the machine's Python.
set -u
S="${THOTH_SHARED:-}"
IDX="$S/data/resolver/resolvelib/index/pypi-2020-11-17-cheroot.json"
ORACLE="$S/tools/resolvelib_oracle.py"
if [ ! -f "$IDX" ] || [ ! -f "$ORACLE" ] || [ ! -f "$S/tools/json_index_to_simple.py" ]; then
	echo "skip: \$THOTH_SHARED/data/resolver is absent"
	exit 77
fi
command -v jq >/dev/null 2>&1 || { echo "skip: jq is not installed"; exit 77; }
PY=python3
$PY -c 'import pip' 2>/dev/null || PY=/usr/bin/python3
$PY -c 'import pip._vendor.resolvelib' 2>/dev/null || $PY -c 'import resolvelib' 2>/dev/null ||
	{ echo "skip: no python3 with resolvelib (or pip's vendored copy)"; exit 77; }
SETS=${SETS:-6}
ORACLE_TIMEOUT=${ORACLE_TIMEOUT:-30}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
python3 "$S/tools/json_index_to_simple.py" "$IDX" "$T/idx" >/dev/null || { echo "FAIL: cannot build the index"; exit 1; }
export THOTH_DB="$T/kb.db"
"$THOTH" kb import "$T/idx/simple" >/dev/null || { echo "FAIL: kb import"; exit 1; }
. "$THOTH_SOURCE/tests/helpers/advise_diff.sh"
pass=0 fail=0

# compare LABEL PYTHON REQ...
compare() {
	label=$1 py=$2
	shift 2
	rm -rf "$T/p" && mkdir "$T/p"
	printf '%s\n' "$@" >"$T/p/requirements.txt"
	"$THOTH" advise "$T/p" --python "$py" --python-platform x86_64-manylinux_2_28 --offline --format json \
		>"$T/thoth.json" 2>"$T/thoth.err"
	tst=$?
	if ! jq '.environment.markers' "$T/thoth.json" >"$T/env.json" 2>/dev/null || [ "$(cat "$T/env.json")" = null ]; then
		echo "FAIL $label ($py): advise gave no environment (status $tst): $(head -c 300 "$T/thoth.err")"
		fail=$((fail + 1))
		return
	fi
	timeout "$ORACLE_TIMEOUT" "$PY" "$ORACLE" "$IDX" "$@" --python "$py" --env "$T/env.json" >"$T/oracle.json" 2>"$T/oracle.err"
	ost=$?
	if [ $ost -eq 124 ] || grep -q Traceback "$T/oracle.err"; then
		echo "note $label ($py): the oracle gave no answer; not compared"
		[ $tst -le 1 ] && pass=$((pass + 1)) || { echo "FAIL $label: advise status $tst"; fail=$((fail + 1)); }
		return
	fi
	adiff_status "$label ($py): $*" $ost $tst "$T/oracle.json" "$T/thoth.err" || return
	jq -r 'to_entries[] | (.key | ascii_downcase | gsub("[-_.]+"; "-")) + "==" + .value' "$T/oracle.json" | sort >"$T/o.txt"
	adiff_pins "$label ($py): $*" "$T/o.txt" "$T/thoth.json" || return
	jq '.stacks[0].packages | map({(.name): .version}) | add // {}' "$T/thoth.json" >"$T/res.json"
	if ! "$THOTH_BUILD/tests/resolve_check" "$IDX" "$T/res.json" "$@" --python "$py" >"$T/check.out" 2>&1; then
		echo "FAIL $label ($py): invalid stack: $(head -n 3 "$T/check.out")"
		fail=$((fail + 1))
		return
	fi
	pass=$((pass + 1))
}

jq -r 'to_entries[] | select((.value | length) > 0) | .key + " " + ((.value | keys_unsorted | join(" ")))' "$IDX" >"$T/projects"
for py in 3.8.10 3.11.7; do
	compare "cheroot" "$py" cheroot
	s=1
	while [ $s -le "$SETS" ]; do
		# seeds of their own (advise_pip_differential uses 1..8)
		awk -v seed="$((s + 100))" -v mult=104729 -v add=3 -f "$THOTH_SOURCE/tests/helpers/random_reqs.awk" "$T/projects" >"$T/reqs"
		set --
		while IFS= read -r line; do set -- "$@" "$line"; done <"$T/reqs"
		compare "random $((s + 100))" "$py" "$@"
		s=$((s + 1))
	done
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
