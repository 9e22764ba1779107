#!/bin/sh
# uv's packse scenarios (../shared/data/resolver/packse/scenarios) through the
# knowledge-base path of advise (tests/helpers/packse_case.c: KB -> kbprovider
# fitted to the target -> solver). Universal (forking) scenarios and
# per-package build/binary options are skipped. Every other scenario must
# give uv's expected answer, except the documented policy differences below
# (also in README.md, "advise: policy differences from uv"), where thoth
# follows pip; a listed scenario that starts agreeing fails too, so the list
# stays true.
set -u
D="${THOTH_SHARED:-}/data/resolver/packse/scenarios"
if [ ! -d "$D" ]; then
	echo "skip: \$THOTH_SHARED/data/resolver/packse is absent"
	exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# name | why thoth differs (pip's behaviour)
cat >"$T/known" <<'LIST'
package-only-prereleases-boundary|pip (packaging 21.3) admits pre-releases under a non-empty specifier only when an inclusive clause names one: a<0.2.0 finds nothing
transitive-package-only-prereleases-in-range-opt-in|`>` does not name a pre-release for packaging: b>0.0.0a1 does not opt in, pip finds no b>0.1
transitive-prerelease-and-stable-dependency|pip merges every specifier on c: c==2.0.0b1 names a pre-release, so the merged set admits it
transitive-prerelease-and-stable-dependency-many-versions|pip merges every specifier on c: c>=2.0.0b1 names a pre-release, so the merged set admits them
package-prereleases-specifier-boundary|a `<` specifier naming a pre-release does not admit pre-releases in packaging (pip)
python-less-than-current|pip honours Requires-Python upper bounds; uv ignores them
transitive-yanked-and-unyanked-dependency|PEP 592: a version pinned with == (here by a dependency) may be yanked; pip takes it too
LIST
find "$D" -name '*.toml' | sort >"$T/files"
set --
while IFS= read -r f; do set -- "$@" "$f"; done <"$T/files"
"$THOTH_BUILD/tests/packse_case" "$T" "$@" >"$T/out" || { echo "packse_case failed"; cat "$T/out"; exit 1; }
pass=0 fail=0
while IFS= read -r line; do
	verdict=${line%% *}
	rest=${line#* }
	name=${rest%%:*}
	case $verdict in
	PASS)
		if grep -q "^$name|" "$T/known"; then
			echo "FAIL $name: listed as a policy difference but now agrees with uv; update the list"
			fail=$((fail + 1))
		else
			pass=$((pass + 1))
		fi ;;
	FAIL)
		if grep -q "^$name|" "$T/known"; then
			pass=$((pass + 1))
		else
			echo "$line"
			fail=$((fail + 1))
		fi ;;
	esac
done <"$T/out"
tail -n 1 "$T/out" | sed 's/^/packse_case: /'
echo "$pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -gt 90 ]
