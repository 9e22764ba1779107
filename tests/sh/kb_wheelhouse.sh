#!/bin/sh
# kb_wheelhouse — a wheelhouse (real wheels written by mkwheel.py, an sdist
# made here) and OSV advisories as single files and as a zip: metadata read
# from inside the archives, hashes of the files, dependencies; a damaged
# wheel or advisory fails the whole import and leaves nothing behind.
set -u
: "${THOTH:?}" "${THOTH_SHARED:?}"
[ -f "$THOTH_SHARED/tools/mkwheel.py" ] || { echo "skip: $THOTH_SHARED/tools is absent"; exit 77; }
for t in python3 jq zip tar sha256sum; do
  command -v $t >/dev/null 2>&1 || { echo "skip: $t is not installed"; exit 77; }
done
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
pass=0 fail=0
check() { name=$1; shift; if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $name"; fi; }
same() { [ "$1" = "$2" ] || { echo "  expected: $2"; echo "  got:      $1"; return 1; }; }
export THOTH_DB=$W/kb.db

wh=$W/wheelhouse
mkdir -p "$wh" "$W/sd/Delta_Pkg-0.5"
python3 "$THOTH_SHARED/tools/mkwheel.py" "$wh"
printf 'Metadata-Version: 1.2\nName: Delta_Pkg\nVersion: 0.5\nRequires-Python: >=3.7\nRequires-Dist: alpha\n' \
  > "$W/sd/Delta_Pkg-0.5/PKG-INFO"
(cd "$W/sd" && tar czf "$wh/Delta_Pkg-0.5.tar.gz" Delta_Pkg-0.5)
echo "not a distribution" > "$wh/README.txt"

check "wheelhouse import" "$THOTH" kb import --quiet --index-name local "$wh"
j=$("$THOTH" kb show alpha --format json)
check "wheel versions" same "$(echo "$j" | jq -c '[.versions[].version]')" '["1.0","1.1"]'
check "dependencies from METADATA inside the wheel" same "$(echo "$j" | jq -c '.versions[1].files[0].dependencies')" \
  "[\"beta>=2.1; python_version >= '3.8'\",\"gamma[extra1]==1.0 ; extra == 'full'\"]"
check "file hash" same "$(echo "$j" | jq -r '.versions[0].files[0].hashes.sha256')" \
  "$(sha256sum < "$wh/alpha-1.0-py3-none-any.whl" | cut -c1-64)"
check "tags" same "$(echo "$j" | jq -c '.versions[0].files[0].tags')" '["py3-none-any"]'
j=$("$THOTH" kb show delta-pkg --format json)
check "sdist PKG-INFO" same "$(echo "$j" | jq -c '.versions[0].files[0] | [.tags, .requires_python, .dependencies]')" \
  '[[],">=3.7",["alpha"]]'
check "Requires-Python from METADATA" same "$("$THOTH" kb show beta --format json | jq -r '.versions[2].files[0].requires_python')" ">=4"

before=$("$THOTH" kb stats --format json)
cp -r "$wh" "$W/broken"
echo garbage > "$W/broken/zeta-1.0-py3-none-any.whl"
"$THOTH" kb import "$W/broken" > /dev/null 2> "$W/err"
check "a damaged wheel: exit 2" same "$?" 2
check "a damaged wheel: named" grep -q "zeta-1.0-py3-none-any.whl" "$W/err"
check "a damaged wheel: nothing imported" same "$("$THOTH" kb stats --format json)" "$before"

# Advisories: single files (YAML, JSON) and a zip.
cat > "$W/a.yaml" <<'YAML'
id: TEST-1
summary: alpha before 1.1
affected:
- package: {name: Alpha, ecosystem: PyPI}
  ranges:
  - type: ECOSYSTEM
    events: [{introduced: "0"}, {fixed: "1.1"}]
YAML
printf '{"id":"TEST-2","affected":[{"package":{"name":"beta","ecosystem":"PyPI"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"2.1"},{"last_affected":"3.0"}]}]}]}' > "$W/b.json"
mkdir -p "$W/z/nested"
printf '{"id":"TEST-3","affected":[{"package":{"name":"gamma","ecosystem":"PyPI"},"versions":["1.0"]}]}' > "$W/z/nested/c.json"
printf '{"id":"TEST-4","affected":[{"package":{"name":"gamma","ecosystem":"npm"},"versions":["1.0"]}]}' > "$W/z/d.json"
(cd "$W/z" && zip -qr "$W/adv.zip" .)
check "advisory files and zip" "$THOTH" kb import --quiet "$W/a.yaml" "$W/b.json" "$W/adv.zip"
check "alpha 1.0 affected" same "$("$THOTH" kb advisories alpha==1.0 --format json | jq -c '[.[].id]')" '["TEST-1"]'
check "alpha 1.1 not" same "$("$THOTH" kb advisories alpha==1.1 --format json | jq -c '[.[].id]')" '[]'
check "last_affected is included" same "$("$THOTH" kb advisories beta==3.0 --format json | jq -c '[.[].id]')" '["TEST-2"]'
check "before introduced is not" same "$("$THOTH" kb advisories beta==2.0 --format json | jq -c '[.[].id]')" '[]'
check "versions list from the zip" same "$("$THOTH" kb advisories gamma==1.0.0 --format json | jq -c '[.[].id]')" '["TEST-3"]'
check "advisories in kb show" sh -c "'$THOTH' kb show alpha==1.0 | grep -q TEST-1"

before=$("$THOTH" kb stats --format json)
printf 'id: [broken\n' > "$W/bad.yaml"
"$THOTH" kb import "$W/a.yaml" "$W/bad.yaml" > /dev/null 2> "$W/err"
check "a malformed advisory: exit 2" same "$?" 2
check "a malformed advisory: named" grep -q "bad.yaml:[0-9]*:[0-9]*: " "$W/err"
check "a malformed advisory: nothing imported" same "$("$THOTH" kb stats --format json)" "$before"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
