#!/bin/sh
# kb_import_names — the knowledge base learns which import names each
# distribution version provides, from the top_level.txt / RECORD of the
# wheels a wheelhouse import reads (wheels made here with zip), and
# `scan repo` maps imports through them before the curated table: `import
# yaml` is PyYAML "a knowledge-base project", a namespace package maps by its
# dotted name, several providers are alternatives with the established
# project (more versions providing the name) first. A hostile RECORD beyond
# the import_names limit fails the import and leaves nothing behind.
set -u
: "${THOTH:?}" "${THOTH_SOURCE:?}"
for t in jq zip; do
  command -v $t >/dev/null 2>&1 || { echo "skip: $t is not installed"; exit 77; }
done
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
export THOTH_DB=$W/kb.db
. "$THOTH_SOURCE/tests/helpers/kb_check.sh"

# mkwhl DIR NAME VERSION TOP_LEVEL|- FILE...: a wheel whose RECORD lists FILEs.
mkwhl() {
  out=$1 name=$2 ver=$3 tl=$4; shift 4
  b=$W/build/$name-$ver di=$name-$ver.dist-info
  mkdir -p "$b/$di"
  for f in "$@"; do mkdir -p "$b/$(dirname "$f")"; : > "$b/$f"; done
  printf 'Metadata-Version: 2.1\nName: %s\nVersion: %s\n' "$name" "$ver" > "$b/$di/METADATA"
  [ "$tl" = - ] || printf '%s\n' $tl > "$b/$di/top_level.txt"
  { for f in "$@"; do printf '%s,sha256=AAAA,0\n' "$f"; done; printf '%s/METADATA,,\n%s/RECORD,,\n' "$di" "$di"; } > "$b/$di/RECORD"
  (cd "$b" && zip -qr "$out/$name-$ver-py3-none-any.whl" .)
}
wh=$W/wh
mkdir -p "$wh"
mkwhl "$wh" PyYAML 6.0.1 "_yaml yaml" yaml/__init__.py yaml/loader.py _yaml/__init__.py
mkwhl "$wh" PyYAML 5.4 "_yaml yaml" yaml/__init__.py _yaml/__init__.py
mkwhl "$wh" yaml_compat 1.0 - yaml/__init__.py
mkwhl "$wh" protobuf 4.25.0 - google/protobuf/__init__.py google/protobuf/message.py
mkwhl "$wh" beautifulsoup4 4.12.0 - bs4/__init__.py

out=$("$THOTH" kb import --index-name local "$wh")
check "import" same "$out" "$wh (wheelhouse): 4 projects, 5 files, 0 skipped; metadata 5 read, 0 known; 7 import names"
check "top_level.txt" same "$("$THOTH" kb show pyyaml --format json | jq -c '[.versions[].import_names]')" '[["_yaml","yaml"],["_yaml","yaml"]]'
check "RECORD, namespace package" same "$("$THOTH" kb show protobuf --format json | jq -c '.versions[0].import_names')" '["google.protobuf"]'
check "kb stats" same "$("$THOTH" kb stats --format json | jq -c '.import_names')" 7

p=$W/proj
mkdir -p "$p"
printf 'import yaml\nfrom google.protobuf import message\nimport bs4\nimport sklearn\n' > "$p/app.py"
printf 'requests\n' > "$p/requirements.txt"
"$THOTH" scan repo "$p" > "$W/out" 2>&1
check "scan repo exits 0" same "$?" 0
cat > "$W/expected" <<'T'
FINDING                        SEVERITY  WHERE
missing-dependency             error     app.py:1: 'yaml' is imported but not declared (distribution pyyaml, a knowledge-base project)
missing-dependency             error     app.py:2: 'google.protobuf' is imported but not declared (distribution protobuf, a knowledge-base project)
missing-dependency             error     app.py:3: 'bs4' is imported but not declared (distribution beautifulsoup4, a knowledge-base project)
missing-dependency             error     app.py:4: 'sklearn' is imported but not declared (distribution scikit-learn)
unused-dependency              warning   requirements.txt:1: 'requests' is declared but no import uses it
T
check "scan repo: imports mapped from the knowledge base's import names" same "$(sed -n '/^FINDING/,$p' "$W/out")" "$(cat "$W/expected")"
# The other provider of yaml is an alternative: declaring it satisfies the import.
printf 'yaml-compat\n' > "$p/requirements.txt"
"$THOTH" scan repo "$p" --format json > "$W/j"
check "an alternative provider satisfies the import" same "$(jq -r '.findings[] | select(.subject == "yaml") | .message' "$W/j")" ""
check "and is used" same "$(jq -c '[.declared_dependencies[] | .used]' "$W/j")" '[true]'

# A RECORD with more names than the limit: exit 2, named, nothing imported.
before=$("$THOTH" kb stats --format json)
mkdir -p "$W/bad"
set --
i=0; while [ $i -lt 40 ]; do set -- "$@" "m$i.py"; i=$((i + 1)); done
mkwhl "$W/bad" many 1.0 - "$@"
"$THOTH" kb import --limit import_names=16 "$W/bad" > /dev/null 2> "$W/err"
check "too many import names: exit 2" same "$?" 2
check "too many import names: named" grep -q "many-1.0-py3-none-any.whl: RECORD lists more than 16 import names" "$W/err"
check "too many import names: nothing imported" same "$("$THOTH" kb stats --format json)" "$before"

kb_check_done
