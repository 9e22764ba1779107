#!/bin/sh
# kb_config — the indexes users already configured (pip.conf, uv.toml,
# pyproject.toml [tool.uv], PIP_* / UV_* variables) and lazy mode over them,
# against a real local nginx and as file://. HOME, XDG_* and the system
# directory (THOTH_SYSCONFDIR) point into a temporary directory and every
# PIP_* / UV_* variable of the caller is dropped, so this machine's own
# configuration is never read. Checks: `kb indexes` lists what pip / uv would
# use, in thoth's order (private first); a bare `kb import` imports them
# under their names and ranks; `kb import --project` fetches only the named
# projects, each from the best index that has it (a private index is not
# shadowed by a public one), remembers a missing one, does not fetch a known
# one again; a malformed file is an error naming it.
set -u
: "${THOTH:?}" "${THOTH_SOURCE:?}"
command -v nginx >/dev/null 2>&1 || { echo "skip: nginx is not installed"; exit 77; }
for t in curl sqlite3 sha256sum jq; do
  command -v $t >/dev/null 2>&1 || { echo "skip: $t is not installed"; exit 77; }
done
. "$THOTH_SOURCE/tests/helpers/kb_nginx.sh"
. "$THOTH_SOURCE/tests/helpers/kb_index.sh"

W=$(mktemp -d)
trap 'kb_nginx_stop; rm -rf "$W"' EXIT
. "$THOTH_SOURCE/tests/helpers/kb_check.sh"

www=$W/www
kb_add_file "$www/priv" foo foo-1.0-py3-none-any.whl "$(kb_md foo 1.0 'Requires-Dist: bar
')"
kb_add_file "$www/pub" foo foo-9.9-py3-none-any.whl "$(kb_md foo 9.9 'Requires-Dist: evil
')"
kb_add_file "$www/pub" bar bar-2.0-py3-none-any.whl "$(kb_md bar 2.0 '')"
kb_finish_root "$www/priv"
kb_finish_root "$www/pub"
kb_nginx_start "$W/nginx" "$www" || { echo "skip: nginx did not start"; exit 77; }
U=$KB_NGINX_URL

# A clean environment: only what this test sets.
home=$W/home etc=$W/etc proj=$W/proj
mkdir -p "$home/.config/pip" "$etc" "$proj"
T() { # runs thoth from the project directory with the fake environment
  (cd "$proj" && env -i PATH="$PATH" HOME="$home" THOTH_SYSCONFDIR="$etc" THOTH_DB="$W/$DB" "$@")
}

# ---- pip.conf ----
printf '[global]\nindex-url = %s/priv/simple/\n[install]\nextra-index-url =\n    %s/pub/simple/\n' "$U" "$U" \
  > "$home/.config/pip/pip.conf"
printf '[global]\nindex-url = http://127.0.0.1:1/never-read/\n' > "$etc/pip.conf"
DB=pip.db
out=$(T "$THOTH" kb indexes)
check "pip: indexes listed, index-url first" same "$out" "0  -  $U/priv/simple/  ($home/.config/pip/pip.conf)
1  -  $U/pub/simple/  ($home/.config/pip/pip.conf)"
out=$(T env PIP_EXTRA_INDEX_URL="file:///x http://y" "$THOTH" kb indexes --format json | jq -r '.[] | "\(.priority) \(.url) \(.origin)"')
check "pip: PIP_EXTRA_INDEX_URL replaces the files' extras" same "$out" "0 $U/priv/simple/ $home/.config/pip/pip.conf
1 file:///x PIP_EXTRA_INDEX_URL
2 http://y PIP_EXTRA_INDEX_URL"

# ---- lazy mode over them, through nginx ----
out=$(T "$THOTH" kb import --project Foo --project bar --project nowhere 2>&1)
check "lazy: succeeds" same "$?" 0
check "lazy: foo fetched" has "$out" "^Foo: fetched$"
check "lazy: bar fetched" has "$out" "^bar: fetched$"
check "lazy: a missing project is an answer" has "$out" "^nowhere: in no configured index$"
# foo: private page + metadata; bar: private miss, public page + metadata; nowhere: two misses.
check "lazy: only the pages needed" has "$out" "lazy: 2 projects fetched; metadata 2 read, 0 known; 7 requests"
j=$(T "$THOTH" kb show foo --format json)
check "lazy: the private index's foo, not the public one" same "$(echo "$j" | jq -c '[.index, [.versions[].version]]')" \
  "[\"$U/priv/simple/\",[\"1.0\"]]"
check "lazy: dependencies known" same "$(echo "$j" | jq -c '.versions[0].files[0].dependencies')" '["bar"]'
check "lazy: nothing else stored" same "$(sqlite3 "$W/pip.db" 'SELECT group_concat(name) FROM (SELECT name FROM kb_project ORDER BY name)')" "bar,foo"
out=$(T "$THOTH" kb import --project foo 2>&1)
check "lazy: a known project is not fetched again" has "$out" "^foo: known already$"
check "lazy: no request for it" has "$out" "0 requests"

# ---- a bare kb import: every configured index, under its rank ----
DB=full.db
out=$(T "$THOTH" kb import 2>&1)
check "bare import: succeeds" same "$?" 0
check "bare import: both indexes" same "$(sqlite3 "$W/full.db" 'SELECT group_concat(priority || " " || name, ";") FROM (SELECT * FROM kb_index ORDER BY priority)')" \
  "0 $U/priv/simple/;1 $U/pub/simple/"
check "bare import: the private foo wins" same "$(T "$THOTH" kb show foo --format json | jq -r .index)" "$U/priv/simple/"
DB=usage.db
out=$(T "$THOTH" kb import --priority 3 2>&1)
check "bare import: --priority needs a SRC" same "$?" 2

# ---- uv: pyproject.toml [tool.uv] and uv.toml, names, file:// ----
printf '[project]\nname = "app"\n[[tool.uv.index]]\nname = "public"\nurl = "%s/pub/simple/"\n' "$U" > "$proj/pyproject.toml"
DB=uv.db
out=$(T "$THOTH" kb indexes)
check "uv: pyproject's index, pip's ignored" same "$out" "0  public  $U/pub/simple/  (./pyproject.toml)"
printf '[[index]]\nname = "private"\nurl = "../www/priv"\n[[index]]\nname = "torch"\nurl = "%s/priv/simple/"\nexplicit = true\n' \
  "$U" > "$proj/uv.toml"
printf '[[index]]\nname = "user"\nurl = "%s/pub/simple/"\ndefault = true\n' "$U" > "$W/user-uv.toml"
mkdir -p "$home/.config/uv" && cp "$W/user-uv.toml" "$home/.config/uv/uv.toml"
out=$(T "$THOTH" kb indexes)
check "uv: uv.toml over pyproject, relative path made absolute, user default last" same "$out" \
  "0  private  $proj/../www/priv  (./uv.toml)
1  torch  $U/priv/simple/  (./uv.toml)  explicit: only for projects pinned to it
2  user  $U/pub/simple/  ($home/.config/uv/uv.toml)"
out=$(T "$THOTH" kb import --project foo --project bar 2>&1)
check "uv: lazy over a directory index and nginx" same "$?" 0
check "uv: foo from the private directory index" same "$(T "$THOTH" kb show foo --format json | jq -c '[.index, [.versions[].version]]')" \
  '["private",["1.0"]]'
check "uv: bar from the default index (explicit one skipped)" same "$(T "$THOTH" kb show bar --format json | jq -r .index)" "user"
out=$(T env UV_INDEX="envidx=$U/pub/simple/" "$THOTH" kb indexes | head -1)
check "uv: UV_INDEX first" same "$out" "0  envidx  $U/pub/simple/  (UV_INDEX)"

# ---- malformed settings: exit 2 naming the file and line ----
printf 'index-url = 3\n' > "$proj/uv.toml"
T "$THOTH" kb indexes > "$W/out" 2> "$W/err"
check "bad uv.toml: exit 2" same "$?" 2
check "bad uv.toml: says where" grep -q "uv.toml:1: index-url must be a string" "$W/err"
rm -f "$proj/uv.toml" "$proj/pyproject.toml" "$home/.config/uv/uv.toml"
printf '[global]\nindex-url = a\nINDEX-URL = b\n' > "$home/.config/pip/pip.conf"
T "$THOTH" kb import --project foo > "$W/out" 2> "$W/err"
check "bad pip.conf: exit 2" same "$?" 2
check "bad pip.conf: says where" grep -q "pip.conf:3: key 'index-url' given twice" "$W/err"
rm -f "$home/.config/pip/pip.conf" "$etc/pip.conf"
T "$THOTH" kb import > "$W/out" 2> "$W/err"
check "nothing configured: exit 2" same "$?" 2
check "nothing configured: says so" grep -q "no index configured" "$W/err"

kb_check_done
