#!/bin/sh
# kb_http — the knowledge base against a real local nginx (started and stopped
# here, on 127.0.0.1, with PEP 691 negotiation by Accept) and as file://.
# A PEP 503/691/658 tree is built from a resolvelib index by
# json_index_to_simple.py; crafted trees cover what that data lacks
# (Requires-Python, yanked, several wheel tags, a private index shadowed by a
# public one, a wrong metadata hash). Checks: every file and dependency
# round-trips (HTTP and file:// agree with the tree), a re-import asks only
# with If-None-Match and changes nothing, negotiation served JSON, and
# failures (HTTP 500, truncated bodies, wrong hashes, an unreachable server)
# exit 2 leaving the database as it was; redirects are followed.
set -u
: "${THOTH:?}" "${THOTH_BUILD:?}" "${THOTH_SHARED:?}" "${THOTH_SOURCE:?}"
[ -d "$THOTH_SHARED/data" ] || { echo "skip: $THOTH_SHARED/data is absent"; exit 77; }
command -v nginx >/dev/null 2>&1 || { echo "skip: nginx is not installed"; exit 77; }
for t in jq curl sqlite3 sha256sum /usr/bin/python3; do
  command -v $t >/dev/null 2>&1 || { echo "skip: $t is not installed"; exit 77; }
done
. "$THOTH_SOURCE/tests/helpers/kb_nginx.sh"
. "$THOTH_SOURCE/tests/helpers/kb_index.sh"

W=$(mktemp -d)
bad_pid=
cleanup() { kb_nginx_stop; [ -n "$bad_pid" ] && kill $bad_pid 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
. "$THOTH_SOURCE/tests/helpers/kb_check.sh"

# ---- trees ----
www=$W/www
mkdir -p "$www"
python3 "$THOTH_SHARED/tools/json_index_to_simple.py" \
  "$THOTH_SHARED/data/resolver/resolvelib/index/pypi-2020-02-13-chalice.json" "$www/chalice" >/dev/null

add_file() { kb_add_file "$@"; }
finish_root() { kb_finish_root "$@"; }
md() { kb_md "$@"; }

c=$www/craft
add_file "$c" multi multi-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl \
  "$(md multi 1.0 'Requires-Python: >=3.8
Requires-Dist: dep>=1
')" 'data-requires-python="&gt;=3.8"'
add_file "$c" multi multi-1.0-py3-none-any.whl "$(md multi 1.0 'Requires-Dist: dep>=1
')" 'data-requires-python="&gt;=3.8"'
add_file "$c" multi multi-2.0-py3-none-any.whl "$(md multi 2.0 '')" 'data-yanked="broken &amp; bad"'
add_file "$c" dep dep-1.5-py2.py3-none-any.whl "$(md dep 1.5 '')" ''
finish_root "$c"
add_file "$www/priv" foo foo-1.0-py3-none-any.whl "$(md foo 1.0 '')" ''
finish_root "$www/priv"
add_file "$www/pub" foo foo-1.0-py3-none-any.whl "$(md foo 1.0 '')" ''
add_file "$www/pub" foo foo-9.9-py3-none-any.whl "$(md foo 9.9 'Requires-Dist: evil
')" ''
finish_root "$www/pub"
add_file "$www/bad" x x-1.0-py3-none-any.whl "$(md x 1.0 '')" ''
printf 'Metadata-Version: 2.1\nName: x\nVersion: 1.0\nRequires-Dist: tampered\n' > "$www/bad/files/x-1.0-py3-none-any.whl.metadata"
finish_root "$www/bad"

# A remote page pointing at a local file: must not be read.
mkdir -p "$www/evil/simple/e" "$W/secret"
printf 'Metadata-Version: 2.1\nName: e\nVersion: 1.0\nRequires-Dist: stolen\n' > "$W/secret/e-1.0-py3-none-any.whl.metadata"
printf '<a href="file://%s/secret/e-1.0-py3-none-any.whl" data-core-metadata="true">e-1.0-py3-none-any.whl</a>\n' "$W" \
  > "$www/evil/simple/e/index.html"
finish_root "$www/evil"

kb_nginx_start "$W/nginx" "$www" || { echo "skip: nginx did not start"; exit 77; }
U=$KB_NGINX_URL

# ---- round trip ----
dump() { # DB -> one line per file: project, version, file name, sha256, dependencies
  sqlite3 -separator "$(printf '\t')" "$1" "SELECT p.name, v.version, f.filename, coalesce(f.hash, ''),
    coalesce(replace(m.requires, char(10), ';'), '')
    FROM kb_file f JOIN kb_version v ON v.id = f.version_id JOIN kb_project p ON p.id = v.project_id
    LEFT JOIN kb_metadata m ON m.hash = f.metadata_hash" | sort
}
H=$W/http.db F=$W/file.db
out=$(THOTH_DB=$H "$THOTH" kb import "$U/chalice/simple/" 2>&1)
check "http import succeeds" [ $? -eq 0 ]
out=$(THOTH_DB=$F "$THOTH" kb import "$www/chalice" 2>&1)
check "directory import succeeds" [ $? -eq 0 ]
dump "$H" > "$W/http.tsv"
dump "$F" > "$W/file.tsv"
check "http and file:// agree" cmp -s "$W/http.tsv" "$W/file.tsv"

# What the tree holds, for the file names packaging accepts (asked to the oracle).
ls "$www/chalice/files" | grep '\.whl$' | jq -R -c '{op: "wheel", filename: .}' |
  /usr/bin/python3 "$THOTH_SHARED/tools/packaging_oracle.py" | jq -r 'select(.valid) | "\(.name)-\(.version)"' |
  sort > "$W/valid.txt"
(cd "$www/chalice/files" && awk '
  FNR == 1 { if (f != "") print f "\t" d; f = FILENAME; sub(/\.metadata$/, "", f); d = "" }
  /^Requires-Dist: / { sub(/^Requires-Dist: /, ""); d = (d == "" ? $0 : d ";" $0) }
  END { if (f != "") print f "\t" d }' *.metadata) | sort > "$W/tree.tsv"
cut -f3,5 "$W/http.tsv" | sort > "$W/got.tsv"
nvalid=$(wc -l < "$W/valid.txt")
check "every valid wheel was imported" same "$(wc -l < "$W/got.tsv")" "$nvalid"
join -t "$(printf '\t')" "$W/got.tsv" "$W/tree.tsv" -o 1.1,1.2,2.2 | awk -F '\t' '$2 != $3' > "$W/diff.tsv"
check "every dependency round-trips" same "$(wc -l < "$W/diff.tsv")" 0
check "every project is there" same "$(sqlite3 "$H" 'SELECT count(*) FROM kb_project')" \
  "$(ls -d "$www"/chalice/simple/*/ | wc -l)"
hash_json=$(sha256sum < "$www/chalice/simple/chalice/index.json" | cut -c1-64)
check "negotiation served PEP 691 JSON" same "$(sqlite3 "$H" "SELECT page_hash FROM kb_project WHERE name = 'chalice'")" "$hash_json"

# ---- re-import: conditional requests only, nothing changes ----
nproj=$(ls -d "$www"/chalice/simple/*/ | wc -l)
out=$(THOTH_DB=$H "$THOTH" kb import "$U/chalice/simple/" 2>&1)
check "re-import says unchanged" sh -c "echo '$out' | grep -q '0 projects imported, $nproj unchanged'"
check "re-import got 304s" sh -c "echo '$out' | grep -q '$nproj not modified'"
check "re-import fetched no metadata" sh -c "echo '$out' | grep -q 'metadata 0 read'"
dump "$H" > "$W/http2.tsv"
check "re-import kept everything" cmp -s "$W/http.tsv" "$W/http2.tsv"

# ---- crafted: tags, Requires-Python, yanked; redirects ----
C=$W/craft.db
check "import through a redirect" env THOTH_DB=$C "$THOTH" kb import --quiet "$U/redir/craft/simple/"
j=$(THOTH_DB=$C "$THOTH" kb show multi --format json)
check "several wheels per version" same "$(echo "$j" | jq -c '[.versions[] | select(.version == "1.0") | .files[].tags | length]')" "[2,1]"
check "compressed tag sets expanded" same "$(echo "$j" | jq -r '.versions[0].files[0].tags | join(" ")')" \
  "cp311-cp311-manylinux_2_17_x86_64 cp311-cp311-manylinux2014_x86_64"
check "data-requires-python unescaped" same "$(echo "$j" | jq -r '.versions[0].files[1].requires_python')" ">=3.8"
check "yanked with its reason" same "$(echo "$j" | jq -c '.versions[1].files[0] | [.yanked, .yanked_reason]')" '[true,"broken & bad"]'
check "dependencies from core metadata" same "$(echo "$j" | jq -c '.versions[0].files[1].dependencies')" '["dep>=1"]'

# ---- a private index is not shadowed by a public one ----
P=$W/prio.db
THOTH_DB=$P "$THOTH" kb import --quiet --index-name private --priority 0 "$U/priv/simple/"
THOTH_DB=$P "$THOTH" kb import --quiet --index-name public --priority 10 "$U/pub/simple/"
j=$(THOTH_DB=$P "$THOTH" kb show foo --format json)
check "the private index wins" same "$(echo "$j" | jq -c '[.index, [.versions[].version]]')" '["private",["1.0"]]'

# ---- credentials: in the URL, or from a netrc file ----
A=$W/auth.db
hp=${U#http://}
check "credentials in the URL" env THOTH_DB=$A "$THOTH" kb import --quiet "http://thoth:secret@$hp/auth/craft/simple/"
check "credentials reached the metadata files" same "$(sqlite3 "$A" 'SELECT count(*) FROM kb_metadata')" 4
printf 'machine 127.0.0.1 login thoth password secret\n' > "$W/netrc"
A2=$W/auth2.db
check "credentials from netrc" env THOTH_DB=$A2 NETRC="$W/netrc" "$THOTH" kb import --quiet "$U/auth/craft/simple/"
THOTH_DB=$A2 "$THOTH" kb import "$U/auth/priv/simple/" > /dev/null 2> "$W/err"
check "no credentials: refused" grep -q "HTTP 401" "$W/err"

# ---- lazy mode: one project's page and metadata, no root page ----
L=$W/lazy.db
out=$(THOTH_DB=$L "$THOTH" kb import --project Foo --project not-there "$U/pub/simple/" 2>&1)
check "lazy fetch of one project" sh -c "echo '$out' | grep -q '1 projects imported, 0 unchanged, 1 missing; 2 files'"
check "lazy fetch: page, metadata and the missing page" sh -c "echo '$out' | grep -q 'metadata 2 read, 0 known; 4 requests'"
check "lazy fetch stored only that project" same "$(sqlite3 "$L" 'SELECT group_concat(name) FROM kb_project')" "foo"

# ---- failures leave the database as it was ----
before=$(THOTH_DB=$C "$THOTH" kb stats --format json)
fails() { # NAME EXPECTED-STDERR SRC...
  name=$1 want=$2; shift 2
  THOTH_DB=$C "$THOTH" kb import "$U/craft/simple/" "$@" > "$W/out" 2> "$W/err"
  st=$?
  check "$name: exit 2" same "$st" 2
  check "$name: says why" grep -q "$want" "$W/err"
  check "$name: nothing imported" same "$(THOTH_DB=$C "$THOTH" kb stats --format json)" "$before"
}
fails "wrong metadata hash" "wrong sha256" "$U/bad/simple/"
fails "server error" "HTTP 500" "$U/err/simple/"
fails "a remote page linking a local file" "not supported or disabled" "$U/evil/simple/"
fails "unreachable server" "127.0.0.1" "http://127.0.0.1:1/simple/"
"$THOTH_BUILD/tests/kb_badserver" > "$W/badport" &
bad_pid=$!
i=0; while [ ! -s "$W/badport" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
fails "truncated response" "retries" "http://127.0.0.1:$(cat "$W/badport")/simple/"

kb_check_done
