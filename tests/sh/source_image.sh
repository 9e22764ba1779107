#!/bin/sh
# scan repo --image REF: the target is the image. Its interpreter's Python
# answers standard-library questions; its installed distributions map imports
# (top_level.txt, else RECORD) and tell an import the image provides through
# a declared distribution's Requires-Dist (transitive, with the chain) or on
# its own (installed-not-declared) from a missing one.
set -u
: "${THOTH:?}"
command -v jq >/dev/null || { echo "skipped: no jq command"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export THOTH_DB=$tmp/t.db
passed=0 failed=0
t() { # LABEL EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $1: expected '$2', got '$3'"; fi
}
r=$tmp/rootfs sp=$tmp/rootfs/usr/local/lib/python3.12/site-packages
mkdir -p "$r/etc" "$r/usr/bin" "$sp" "$tmp/proj"
printf 'ID=debian\nVERSION_ID="13"\n' > "$r/etc/os-release"
# Any ELF file stands in for the interpreter; its version comes from its name.
cp "$THOTH" "$r/usr/bin/python3.12"
dist() { # DIR NAME VERSION EXTRA-METADATA
  mkdir -p "$sp/$1"; printf "Metadata-Version: 2.1\nName: $2\nVersion: $3\n$4" > "$sp/$1/METADATA"
}
dist app_dep-1.0.dist-info app-dep 1.0 'Requires-Dist: Mid>=1\nRequires-Dist: never ; extra == "x"\n'
dist mid-2.0.dist-info Mid 2.0 'Requires-Dist: leafpkg ; python_version >= "3.8"\nRequires-Dist: oldonly ; python_version < "3"\n'
echo mid > "$sp/mid-2.0.dist-info/top_level.txt"
dist leafpkg-3.0.dist-info leafpkg 3.0 ''
echo leaf_mod > "$sp/leafpkg-3.0.dist-info/top_level.txt"
dist oldonly-1.0.dist-info oldonly 1.0 ''
dist never-1.0.dist-info never 1.0 ''
dist pillow-10.0.dist-info pillow 10.0 ''
printf 'PIL/__init__.py,sha256=x,1\nPIL/Image.py,,\npillow-10.0.dist-info/METADATA,,\n' > "$sp/pillow-10.0.dist-info/RECORD"
dist standalone-1.0.dist-info standalone 1.0 ''
echo solo > "$sp/standalone-1.0.dist-info/top_level.txt"
cat > "$tmp/proj/main.py" <<'PY'
import app_dep
import leaf_mod
from PIL import Image
import solo
import distutils
import missingthing
import mid
import oldonly
import never
PY
printf 'app-dep\n' > "$tmp/proj/requirements.txt"
f() { jq -r '.findings[] | "\(.line) \(.rule) \(.subject)"' "$1"; }

"$THOTH" scan repo "$tmp/proj" --image "$r" --format json > "$tmp/1.json"
t "scan exits 0" 0 $?
t "findings" "2 transitive-dependency leafpkg
3 installed-not-declared pillow
4 installed-not-declared standalone
5 stdlib-module-absent distutils
6 missing-dependency missingthing
7 transitive-dependency Mid
8 installed-not-declared oldonly
9 installed-not-declared never" "$(f "$tmp/1.json")"
t "the chain" "'leaf_mod' is imported but only present through app-dep -> Mid -> leafpkg (installed in the image), not declared" \
  "$(jq -r '.findings[0].message' "$tmp/1.json")"
t "the image's Python" "'distutils' was removed from the standard library in Python 3.12" \
  "$(jq -r '.findings[] | select(.rule == "stdlib-module-absent") | .message' "$tmp/1.json")"
t "the target" "3.12 $r 7" "$(jq -r '.target | "\(.python) \(.image) \(.installed_distributions)"' "$tmp/1.json")"
t "app-dep is used" true "$(jq -r '.declared_dependencies[0].used' "$tmp/1.json")"
# Without the image, the same imports are missing (or guessed).
"$THOTH" scan repo "$tmp/proj" --format json > "$tmp/2.json"
t "without the image" "missing-dependency 7" "$(jq -r '.findings[] | .rule' "$tmp/2.json" | sort | uniq -c | awk '{print $2, $1}')"
"$THOTH" scan repo "$tmp/proj" --image "$r" --python 3.11 > /dev/null 2> "$tmp/err"
t "--python with --image is a usage error" 2 $?
"$THOTH" scan repo "$tmp/proj" --image "$tmp/nothing" > /dev/null 2> "$tmp/err"
t "a missing image exits 2" 2 $?
t "naming it" 1 "$(grep -c "$tmp/nothing" "$tmp/err")"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
