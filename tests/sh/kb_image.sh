#!/bin/sh
# kb_image — `kb import image:REF`: the Python distributions an image has
# installed become knowledge-base data (an index "image:<config digest>",
# with the import names each provides: top_level.txt, else RECORD,
# priority 1000): versions, Requires-Python and Requires-Dist round-trip, a
# distribution without metadata has unknown dependencies, a non-PEP 440
# version is skipped, a re-import changes nothing and reuses the scan, an
# index that has the project wins over the image, and a bad REF is exit 2
# leaving the database as it was. A root filesystem directory always; an
# OCI layout (named by its config digest) when ../shared's builder is there.
set -u
: "${THOTH:?}" "${THOTH_SOURCE:?}"
for t in sqlite3 jq; do
  command -v $t >/dev/null 2>&1 || { echo "skip: $t is not installed"; exit 77; }
done
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
. "$THOTH_SOURCE/tests/helpers/kb_check.sh"
mk() { mkdir -p "$(dirname "$1")"; cat > "$1"; }

r=$W/rootfs
printf 'ID=debian\nVERSION_ID="12"\n' | mk "$r/etc/os-release"
sp=usr/lib/python3/dist-packages venv=opt/venv/lib/python3.11/site-packages
mk "$r/$sp/Bar_Baz-2.0.dist-info/METADATA" <<'E'
Metadata-Version: 2.1
Name: Bar_Baz
Version: 2.0
Requires-Python: >=3.8
Requires-Dist: foo>=1.0
Requires-Dist: colorama; extra == "color"
E
mk "$r/$venv/bar_baz-3.0.dist-info/METADATA" <<'E'
Metadata-Version: 2.1
Name: bar-baz
Version: 3.0
E
printf 'barbaz\n' | mk "$r/$sp/Bar_Baz-2.0.dist-info/top_level.txt"
printf 'barbaz/__init__.py,,\nbb_helper.py,,\nbar_baz-3.0.dist-info/METADATA,,\n' | mk "$r/$venv/bar_baz-3.0.dist-info/RECORD"
mk "$r/$sp/foo-1.0.egg-info" <<'E'
Metadata-Version: 1.1
Name: Foo
Version: 1.0
E
mkdir -p "$r/$sp/nometa-4.2.dist-info"
mk "$r/$sp/weird-1.dist-info/METADATA" <<'E'
Metadata-Version: 2.1
Name: weird
Version: not a version
E

D=$W/kb.db
out=$("$THOTH" kb import "image:$r" --db "$D" 2>&1)
check "import succeeds" same "$?" 0
check "import counts" same "$out" "image:$r (image): 3 projects, 4 distributions, 1 skipped; metadata 3 new, 0 known; 3 import names"
j=$("$THOTH" kb show bar-baz --db "$D" --format json)
check "index name and priority" same "$(echo "$j" | jq -c '[.index, .priority]')" "[\"image:$r\",1000]"
check "every installed version" same "$(echo "$j" | jq -c '[.versions[].version]')" '["2.0","3.0"]'
check "Requires-Python and Requires-Dist" same "$(echo "$j" | jq -c '.versions[0].files[0] | [.requires_python, .dependencies]')" \
  '[">=3.8",["foo>=1.0","colorama; extra == \"color\""]]'
check "the dist-info path as file name" same "$(echo "$j" | jq -r '.versions[1].files[0].filename')" "/$venv/bar_baz-3.0.dist-info"
check "no wheel tags" same "$(echo "$j" | jq -c '.versions[0].files[0].tags')" '[]'
check "import names: top_level.txt, else RECORD" same "$(echo "$j" | jq -c '[.versions[].import_names]')" '[["barbaz"],["barbaz","bb_helper"]]'
check "egg-info file form" same "$("$THOTH" kb show foo --db "$D" --format json | jq -c '[.versions[].version]')" '["1.0"]'
check "no metadata: dependencies unknown" same "$("$THOTH" kb show nometa --db "$D" --format json | jq -c '.versions[0].files[0].dependencies')" null
"$THOTH" kb show weird --db "$D" > /dev/null 2>&1
check "a non-PEP 440 version is skipped" same "$?" 2

before=$(sqlite3 "$D" 'SELECT count(*) FROM image_scans')
out=$("$THOTH" kb import "image:$r" --db "$D" 2>&1)
check "re-import: metadata known" same "$out" "image:$r (image): 3 projects, 4 distributions, 1 skipped; metadata 0 new, 3 known; 3 import names"
check "re-import: same rows" same "$("$THOTH" kb stats --db "$D" --format json | jq -c '[.projects, .versions, .files, .metadata]')" '[3,4,4,3]'

# An index that has the project is preferred over the image.
ix=$W/index/simple/bar-baz
mkdir -p "$ix"
printf '<a href="bar-baz-9.0.tar.gz">bar-baz-9.0.tar.gz</a>\n' > "$ix/index.html"
printf '<a href="bar-baz/">bar-baz</a>\n' > "$W/index/simple/index.html"
"$THOTH" kb import --quiet --db "$D" "$W/index"
check "an index wins over the image" same "$("$THOTH" kb show bar-baz --db "$D" --format json | jq -c '[.priority, [.versions[].version]]')" '[10,["9.0"]]'
"$THOTH" kb import --quiet --db "$D" --priority 1 --index-name baked "image:$r"
check "--priority and --index-name apply" same "$("$THOTH" kb show bar-baz --db "$D" --format json | jq -c '[.index, .priority]')" '["baked",1]'

stats=$("$THOTH" kb stats --db "$D" --format json)
"$THOTH" kb import --db "$D" "$W/index" "image:$W/no-such-image" > "$W/out" 2> "$W/err"
check "bad REF: exit 2" same "$?" 2
check "bad REF: names it" grep -q "no-such-image" "$W/err"
check "bad REF: nothing imported" same "$("$THOTH" kb stats --db "$D" --format json)" "$stats"
"$THOTH" kb import --db "$D" "image:" > "$W/out" 2> "$W/err"
check "empty REF: exit 2" same "$?" 2

# An OCI layout: named by its config digest.
mkl=${THOTH_SHARED:-}/tools/make_oci_layout.py
if [ -f "$mkl" ] && [ -x /usr/bin/python3 ]; then
  /usr/bin/python3 "$mkl" "$W/oci" latest "$r" > /dev/null
  O=$W/oci.db
  "$THOTH" kb import --quiet --db "$O" "image:$W/oci"
  check "OCI layout: named by config digest" sh -c "sqlite3 '$O' 'SELECT name FROM kb_index' | grep -q '^image:sha256:[0-9a-f]\{64\}$'"
  check "OCI layout: same data" same "$("$THOTH" kb stats --db "$O" --format json | jq -c '[.projects, .versions, .files, .metadata]')" '[3,4,4,3]'
else
  echo "note: ../shared/tools/make_oci_layout.py absent: OCI layout case not run"
fi

kb_check_done
