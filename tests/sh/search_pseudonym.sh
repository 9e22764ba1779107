#!/bin/sh
# Pseudonyms, step.AddPackage and package_version_from in the scored search,
# checked from outside: every stack search_json returns (enumerated, then
# sampled with a seed) passes the independent checker resolve_check, told
# which alternatives stand in for which project (--stand-in); the
# alternatives really appear; a run is deterministic for its seed; and
# --type latest never substitutes.
set -u
command -v jq >/dev/null 2>&1 || { echo "skip: jq is not installed"; exit 77; }
SJ="$THOTH_BUILD/tests/search_json"
RC="$THOTH_BUILD/tests/resolve_check"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

cat >"$T/index.json" <<'JSON'
{"app": {"1.0": {"dependencies": ["tf>=2", "keras"]}, "2.0": {"dependencies": ["tf>=2.2", "numpy<2"]}},
 "keras": {"1.0": {"dependencies": ["tf<2.3"]}, "2.0": {"dependencies": ["tf>=2.2", "numpy"]}},
 "other": {"1.0": {"dependencies": ["tf==2.1"]}},
 "tf": {"2.1": {"dependencies": ["numpy<2"]}, "2.2": {"dependencies": ["numpy"]}, "2.3": {"dependencies": ["numpy>=1.5"]}},
 "itf": {"2.1": {"dependencies": ["mkl"]}, "2.2": {"dependencies": ["mkl", "numpy<2"]}, "2.3": {"dependencies": ["numpy>=2"]}},
 "mkl": {"1.0": {"dependencies": []}, "2.0": {"dependencies": []}},
 "numpy": {"1.5": {"dependencies": []}, "2.0": {"dependencies": []}},
 "plot": {"1.0": {"dependencies": ["numpy"]}}}
JSON
cat >"$T/rules.yaml" <<'YAML'
units:
  pseudonyms:
  - name: TfPseudonym
    type: pseudonym
    should_include: {adviser_pipeline: true}
    match: {package_version: {name: tf, version: ">=2.2"}}
    run:
      yield: {yield_matched_version: true, package_version: {name: itf}}
  - name: NumpyAny
    type: pseudonym
    should_include: {adviser_pipeline: true}
    match: {package_version: {name: numpy, version: "==2.0"}}
    run:
      yield: {package_version: {name: numpy, locked_version: "==1.5"}}
  steps:
  - name: ItfStep
    type: step
    should_include: {adviser_pipeline: true}
    match: {package_version: {name: itf}}
    run: {score: 0.3}
  - name: AddPlot
    type: step.AddPackage
    should_include: {adviser_pipeline: true}
    match: {package_version: {name: keras, version: "==2.0"}}
    run:
      package_version: {name: plot, locked_version: "==1.0", index_url: https://example.org/simple, develop: false}
  - name: NumpyFromPlot
    type: step
    should_include: {adviser_pipeline: true}
    match:
      package_version: {name: numpy, version: "==2.0"}
      state:
        package_version_from: [{name: plot}]
        package_version_from_allow_other: true
    run: {score: -0.5}
YAML

check() { # label, search_json arguments...; then every stack is checked
	label=$1
	shift
	if ! "$SJ" "$T/index.json" "$@" --rules "$T/rules.yaml" >"$T/a.jsonl" 2>"$T/a.err"; then
		bad "$label: search_json failed: $(head -c 300 "$T/a.err")"
		return
	fi
	"$SJ" "$T/index.json" "$@" --rules "$T/rules.yaml" >"$T/b.jsonl" 2>/dev/null
	cmp -s "$T/a.jsonl" "$T/b.jsonl" || { bad "$label: not deterministic"; return; }
	reqs=""
	for a in "$@"; do
		case $a in --*) break ;; *) reqs="$reqs $a" ;; esac
	done
	n=0 nbad=0
	while IFS= read -r line; do
		n=$((n + 1))
		printf '%s\n' "$line" | jq -S .pins >"$T/res.json"
		set --
		for s in $(printf '%s\n' "$line" | jq -r '.stand_in // [] | .[]'); do
			set -- "$@" --stand-in "$s"
		done
		# shellcheck disable=SC2086
		if ! "$RC" "$T/index.json" "$T/res.json" $reqs "$@" >"$T/chk" 2>&1; then
			bad "$label: stack $n is invalid: $(head -n 3 "$T/chk") ($line)"
			nbad=1
		fi
	done <"$T/a.jsonl"
	[ $n -gt 0 ] || { bad "$label: no stack"; return; }
	dups=$(jq -c -S .pins "$T/a.jsonl" | sort | uniq -d | wc -l)
	[ "$dups" -eq 0 ] || { bad "$label: $dups duplicate stacks"; return; }
	[ $nbad -eq 0 ] && ok
}

for roots in "app" "app other" "keras" "app keras other" "app plot"; do
	# shellcheck disable=SC2086
	check "enumerate [$roots]" $roots --enumerate 40
	if ! grep -q '"stand_in"' "$T/a.jsonl"; then
		case $roots in *other*) ;; *) bad "enumerate [$roots]: no alternative stood in" ;; esac
	fi
	for seed in 1 2; do
		# shellcheck disable=SC2086
		check "sampled [$roots] seed $seed" $roots --count 5 --seed $seed --exhaustive-max 1 --max-finals 300
	done
done
# the best stack takes Intel's build where it can (ItfStep +0.3)
"$SJ" "$T/index.json" app --count 1 --rules "$T/rules.yaml" >"$T/best.jsonl" 2>/dev/null
if jq -e '.pins.itf != null and .pins.tf == null' "$T/best.jsonl" >/dev/null; then ok; else bad "best [app]: $(cat "$T/best.jsonl")"; fi
# step.AddPackage: keras 2.0 brings plot in
"$SJ" "$T/index.json" keras --enumerate 50 --rules "$T/rules.yaml" >"$T/add.jsonl" 2>/dev/null
if [ "$(jq -c 'select(.pins.keras == "2.0") | .pins.plot' "$T/add.jsonl" | sort -u)" = '"1.0"' ]; then ok; else bad "AddPackage: $(cat "$T/add.jsonl")"; fi
# latest: no substitution at all
"$SJ" "$T/index.json" app --type latest --enumerate 200 --rules "$T/rules.yaml" >"$T/l.jsonl" 2>/dev/null
if [ -s "$T/l.jsonl" ] && ! grep -q -e '"stand_in"' -e '"itf"' "$T/l.jsonl"; then ok; else bad "latest substituted"; fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
