#!/bin/sh
# Differential test of `thoth advise --type latest` against pip: both resolve
# the same requirement sets against the same index, built from the largest
# resolvelib snapshot by ../shared/tools/json_index_to_simple.py (PEP 503
# pages, PEP 658 metadata, tiny py3-none-any wheels): pip reads it through
# file:// (`install --dry-run --report`, for the machine's own Python), thoth
# from its knowledge base after `kb import` of the same tree, for the same
# Python and an x86_64 glibc target. The cheroot case and SETS seeded random
# requirement sets (a fixed number per run; pip's answers computed once per
# run) must give the same version of every package, or both fail; every
# thoth stack must also pass resolve_check (validity, independent of the
# solver).
set -u
S="${THOTH_SHARED:-}"
IDX="$S/data/resolver/resolvelib/index/pypi-2020-11-17-cheroot.json"
if [ ! -f "$IDX" ] || [ ! -f "$S/tools/json_index_to_simple.py" ]; then
	echo "skip: \$THOTH_SHARED/data/resolver is absent"
	exit 77
fi
command -v jq >/dev/null 2>&1 || { echo "skip: jq is not installed"; exit 77; }
python3 -m pip --version >/dev/null 2>&1 || { echo "skip: python3 has no pip"; exit 77; }
PYV=$(python3 -c 'import platform; print(platform.python_version())')
SETS=${SETS:-8}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
python3 "$S/tools/json_index_to_simple.py" "$IDX" "$T/idx" || { echo "FAIL: cannot build the index"; exit 1; }
export THOTH_DB="$T/kb.db"
"$THOTH" kb import "$T/idx/simple" >/dev/null || { echo "FAIL: kb import"; exit 1; }
. "$THOTH_SOURCE/tests/helpers/advise_diff.sh"
pass=0 fail=0

# compare LABEL REQ...
compare() {
	label=$1
	shift
	rm -rf "$T/p" && mkdir "$T/p"
	printf '%s\n' "$@" >"$T/p/requirements.txt"
	"$THOTH" advise "$T/p" --python "$PYV" --python-platform x86_64-manylinux_2_36 --format json >"$T/thoth.json" 2>"$T/thoth.err"
	tst=$?
	# this machine's pip configuration adds a find-links folder: switch it off
	env PIP_FIND_LINKS= python3 -m pip install --dry-run --ignore-installed --isolated --quiet --disable-pip-version-check \
		--report "$T/pip.json" --index-url "file://$T/idx/simple" "$@" >"$T/pip.out" 2>&1
	pst=$?
	adiff_status "$label: $*" $pst $tst "$T/pip.out" "$T/thoth.err" || return
	jq -r '.install[].metadata | (.name | ascii_downcase | gsub("[-_.]+"; "-")) + "==" + .version' "$T/pip.json" | sort >"$T/p.txt"
	adiff_pins "$label: $*" "$T/p.txt" "$T/thoth.json" || return
	jq '.stacks[0].packages | map({(.name): .version}) | add // {}' "$T/thoth.json" >"$T/res.json"
	if ! "$THOTH_BUILD/tests/resolve_check" "$IDX" "$T/res.json" "$@" --python "$PYV" >"$T/check.out" 2>&1; then
		echo "FAIL $label: invalid stack: $(head -n 3 "$T/check.out")"
		fail=$((fail + 1))
		return
	fi
	pass=$((pass + 1))
}

compare "cheroot" cheroot
# Seeded random sets: 1 to 4 projects, some bounded below their newest version.
jq -r 'to_entries[] | select((.value | length) > 0) | .key + " " + ((.value | keys_unsorted | join(" ")))' "$IDX" >"$T/projects"
s=1
while [ $s -le "$SETS" ]; do
	awk -v seed="$s" -v mult=104729 -v add=3 -f "$THOTH_SOURCE/tests/helpers/random_reqs.awk" "$T/projects" >"$T/reqs"
	set --
	while IFS= read -r line; do set -- "$@" "$line"; done <"$T/reqs"
	compare "random $s" "$@"
	s=$((s + 1))
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
