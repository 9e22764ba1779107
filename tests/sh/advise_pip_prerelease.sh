#!/bin/sh
# Pre-releases as pip treats them, differentially: `thoth advise --type
# latest` and `pip install --dry-run --report` resolve the same requirement
# sets against one small crafted index (../shared/tools/json_index_to_simple.py,
# pip through file://, thoth after `kb import`). The sets cover pip's rule
# (packaging 21.3's SpecifierSet.filter over the intersection of every
# specifier on a project): an inclusive clause naming a pre-release admits
# them, for every requirement on the project; `>`/`<`/`!=` naming one do
# not; a bare name takes pre-releases only when the project has no final
# version at all (a yanked final counts); a non-empty specifier never falls
# back; `--pre` admits them everywhere. Both must give the same pins, or both
# fail.
set -u
S="${THOTH_SHARED:-}"
if [ ! -f "$S/tools/json_index_to_simple.py" ]; then
	echo "skip: \$THOTH_SHARED/tools is absent"
	exit 77
fi
command -v jq >/dev/null 2>&1 || { echo "skip: jq is not installed"; exit 77; }
python3 -m pip --version >/dev/null 2>&1 || { echo "skip: python3 has no pip"; exit 77; }
PYV=$(python3 -c 'import platform; print(platform.python_version())')
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cat >"$T/index.json" <<'JSON'
{"onlypre": {"0.1.0a1": {}, "0.2.0a1": {}, "0.3.0a1": {}},
 "mixed": {"1.0": {}, "1.1": {}, "2.0b1": {}, "2.0rc1": {}, "3.0.dev1": {}},
 "usesopen": {"1.0": {"dependencies": ["mixed"]}},
 "usesgt": {"1.0": {"dependencies": ["mixed>1.1"]}},
 "usespre": {"1.0": {"dependencies": ["mixed>=2.0b1"]}},
 "usesrange": {"1.0": {"dependencies": ["mixed>=1.0,<=3.0"]}},
 "yankfinal": {"1.0": {"yanked": true}, "2.0a1": {}},
 "userc": {"1.0": {"dependencies": ["mixed==2.0rc1"]}}}
JSON
python3 "$S/tools/json_index_to_simple.py" "$T/index.json" "$T/idx" >/dev/null || { echo "FAIL: cannot build the index"; exit 1; }
export THOTH_DB="$T/kb.db"
"$THOTH" kb import "$T/idx/simple" >/dev/null || { echo "FAIL: kb import"; exit 1; }
. "$THOTH_SOURCE/tests/helpers/advise_diff.sh"
pass=0 fail=0

# compare PIPFLAGS REQ...   (PIPFLAGS: "" or "--pre", given to both)
compare() {
	flags=$1
	shift
	rm -rf "$T/p" && mkdir "$T/p"
	# a constraints file goes beside the manifest (pip gets its full path)
	[ -f "$T/c.txt" ] && cp "$T/c.txt" "$T/p/"
	printf '%s\n' "$@" | sed 's|^-c.*/|-c |' >"$T/p/requirements.txt"
	# shellcheck disable=SC2086
	"$THOTH" advise "$T/p" $flags --python "$PYV" --python-platform x86_64-manylinux_2_36 --format json \
		>"$T/thoth.json" 2>"$T/thoth.err"
	tst=$?
	# shellcheck disable=SC2086
	env PIP_FIND_LINKS= python3 -m pip install $flags --dry-run --ignore-installed --isolated --quiet \
		--disable-pip-version-check --report "$T/pip.json" --index-url "file://$T/idx/simple" "$@" >"$T/pip.out" 2>&1
	pst=$?
	adiff_status "[$flags] $*" $pst $tst "$T/pip.out" "$T/thoth.err" || return
	jq -r '.install[].metadata | (.name | ascii_downcase) + "==" + .version' "$T/pip.json" | sort >"$T/p.txt"
	adiff_pins "[$flags] $*" "$T/p.txt" "$T/thoth.json" && pass=$((pass + 1))
}

compare "" onlypre                      # no final at all: the newest pre-release
compare "" "onlypre<0.2.0"              # a specifier never falls back: no solution
compare "" "onlypre<=0.2.0a1"           # an inclusive clause names one: 0.2.0a1
compare "" mixed                        # finals exist: 1.1
compare "" "mixed>1.1"                  # `>` does not opt in: no solution
compare "" "mixed>=2.0b1"               # opts in: the newest, 3.0.dev1
compare "" "mixed!=2.0b1"               # `!=` does not opt in: 1.1
compare "" "mixed<3.0.dev1"             # `<` does not opt in: 1.1
compare "" "mixed~=2.0b1"               # opts in
compare "" "mixed==2.0.*"               # a wildcard on a final: no pre-release, no solution
compare "" usesopen usespre             # a dependency's clause opts in for every requirement on mixed
compare "" usesrange userc              # == names a pre-release: merged with a range
compare "" usesgt                       # no solution for a dependency either
compare "" yankfinal                    # a yanked final blocks the fallback: no solution
compare "" "yankfinal==1.0"             # a yanked version pinned by ==: taken
compare "--pre" mixed                   # --pre everywhere
compare "--pre" "mixed>1.1" usesopen
compare "--pre" "onlypre<0.2.0"
# constraints (-c) join pip's merged specifier: naming a pre-release opts
# in; a clause naming none closes the no-final-version fallback
printf 'mixed>=2.0b1\nonlypre<1\n' >"$T/c.txt"
compare "" "-c$T/c.txt" mixed           # the constraint opts mixed in
compare "" "-c$T/c.txt" onlypre         # `<1` names none: no fallback, no solution
compare "" "-c$T/c.txt" usesopen
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
