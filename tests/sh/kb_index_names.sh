#!/bin/sh
# kb_index_names — an index import learns the import names of one wheel per
# project (the newest final release that has a wheel) by reading only the
# zip directory and the .dist-info's top_level.txt / RECORD: from local files
# for a file:// index, with HTTP Range requests over HTTP (local nginx). Then
# `scan repo` maps `import yaml` to PyYAML through the knowledge base. A
# re-import after a page changed reads no wheel again (names remembered by
# the wheel's sha256); unreadable wheels (not a zip, truncated, a central
# directory lying about its size, zip64, a member over the limit) are
# skipped and counted, never fatal; a server that ignores Range (nginx with
# max_ranges 0) is skipped without downloading the wheels.
set -u
: "${THOTH:?}" "${THOTH_SOURCE:?}"
for t in jq zip sha256sum; do
  command -v $t >/dev/null 2>&1 || { echo "skip: $t is not installed"; exit 77; }
done
W=$(mktemp -d)
cleanup() { [ -n "${kb_nginx_pid:-}" ] && kb_nginx_stop; rm -rf "$W"; }
trap cleanup EXIT
. "$THOTH_SOURCE/tests/helpers/kb_check.sh"
. "$THOTH_SOURCE/tests/helpers/kb_nginx.sh"

# mkwhl OUTDIR NAME VERSION TOP_LEVEL|- FILE...: a wheel whose RECORD lists FILEs.
mkwhl() {
  out=$1 name=$2 ver=$3 tl=$4; shift 4
  b=$W/build/$name-$ver di=$name-$ver.dist-info
  rm -rf "$b"; mkdir -p "$b/$di"
  for f in "$@"; do mkdir -p "$b/$(dirname "$f")"; : > "$b/$f"; done
  printf 'Metadata-Version: 2.1\nName: %s\nVersion: %s\n' "$name" "$ver" > "$b/$di/METADATA"
  [ "$tl" = - ] || printf '%s\n' $tl > "$b/$di/top_level.txt"
  { for f in "$@"; do printf '%s,sha256=AAAA,0\n' "$f"; done; printf '%s/METADATA,,\n%s/RECORD,,\n' "$di" "$di"; } > "$b/$di/RECORD"
  (cd "$b" && zip -qr "$out/$name-$ver-py3-none-any.whl" .)
}
# page ROOT PROJECT FILE...: the project's page (sha256 links, no metadata files).
page() {
  r=$1 p=$2; shift 2
  mkdir -p "$r/simple/$p"
  for f in "$@"; do
    printf '<a href="../../files/%s#sha256=%s">%s</a>\n' "$f" "$(sha256sum < "$r/files/$f" | cut -c1-64)" "$f"
  done > "$r/simple/$p/index.html"
}
root() {
  for d in "$1"/simple/*/; do n=$(basename "$d"); printf '<a href="%s/">%s</a>\n' "$n" "$n"; done > "$1/simple/index.html"
}

I=$W/idx
mkdir -p "$I/files"
mkwhl "$I/files" PyYAML 5.4 "_yaml yaml" yaml/__init__.py _yaml/__init__.py
mkwhl "$I/files" PyYAML 6.0.1 "_yaml yaml" yaml/__init__.py yaml/loader.py _yaml/__init__.py
mkwhl "$I/files" PyYAML 7.0rc1 "yaml7" yaml7/__init__.py
printf 'sdist\n' > "$I/files/PyYAML-8.0.tar.gz"
mkwhl "$I/files" protobuf 4.25.0 - google/protobuf/__init__.py google/protobuf/message.py
mkwhl "$I/files" onlypre 1.0b1 - onlypre/__init__.py
# A big wheel: only its end is read.
mkwhl "$I/files" big 1.0 - big/__init__.py big/blob.bin
head -c 3000000 /dev/urandom > "$W/build/big-1.0/big/blob.bin"
rm "$I/files/big-1.0-py3-none-any.whl"
(cd "$W/build/big-1.0" && zip -q0r "$I/files/big-1.0-py3-none-any.whl" big big-1.0.dist-info)
# A wheel whose .dist-info comes first and whose central directory is
# bigger than the tail read: over HTTP, the directory and each member take
# a Range request of their own.
b=$W/build/far
mkdir -p "$b/far-1.0.dist-info" "$b/far"
printf 'far\n' > "$b/far-1.0.dist-info/top_level.txt"
printf 'far/__init__.py,,\nfar-1.0.dist-info/RECORD,,\n' > "$b/far-1.0.dist-info/RECORD"
head -c 200000 /dev/urandom > "$b/far/blob.bin"
i=0; while [ $i -lt 1200 ]; do : > "$b/far/module_with_a_rather_long_name_to_grow_the_directory_$i.py"; i=$((i + 1)); done
(cd "$b" && zip -q0 "$I/files/far-1.0-py3-none-any.whl" far-1.0.dist-info/top_level.txt far-1.0.dist-info/RECORD && zip -q0r "$I/files/far-1.0-py3-none-any.whl" far)
# Hostile wheels: skipped and counted, the import goes on.
printf 'not a zip at all\n' > "$I/files/garbage-1.0-py3-none-any.whl"
mkwhl "$I/files" truncated 1.0 - truncated/__init__.py
head -c 100 "$I/files/truncated-1.0-py3-none-any.whl" > "$W/t" && mv "$W/t" "$I/files/truncated-1.0-py3-none-any.whl"
page "$I" pyyaml PyYAML-5.4-py3-none-any.whl PyYAML-6.0.1-py3-none-any.whl PyYAML-7.0rc1-py3-none-any.whl PyYAML-8.0.tar.gz
page "$I" protobuf protobuf-4.25.0-py3-none-any.whl
page "$I" onlypre onlypre-1.0b1-py3-none-any.whl
page "$I" big big-1.0-py3-none-any.whl
page "$I" far far-1.0-py3-none-any.whl
page "$I" garbage garbage-1.0-py3-none-any.whl
page "$I" truncated truncated-1.0-py3-none-any.whl
root "$I"
bigsize=$(wc -c < "$I/files/big-1.0-py3-none-any.whl")
# named PROJECT: its versions that have import names, each with them.
named() { "$THOTH" kb show "$1" --format json | jq -c '[.versions[] | select(.import_names | length > 0) | .version, .import_names]'; }
# bytes_read OUTPUT: the bytes of wheels the import line says were read.
bytes_read() { printf '%s\n' "$1" | sed -n 's/.*wheels read (\([0-9]*\) bytes).*/\1/p'; }

# ---- file:// ----
export THOTH_DB=$W/kb.db
# imported LABEL SRC: imports SRC into $THOTH_DB (output in $out) and checks
# what either way of reading must give.
imported() {
  out=$("$THOTH" kb import "$2" 2>&1)
  check "$1: import succeeds" same "$?" 0
  check "$1: counts" has "$out" "5 wheels read ([0-9]* bytes), 0 known, 2 skipped; 6 names; first skipped: "
  check "$1: newest final release" same "$(named pyyaml)" '["6.0.1",["_yaml","yaml"]]'
  check "$1: namespace package" same "$(named protobuf)" '["4.25.0",["google.protobuf"]]'
  check "$1: only a pre-release" same "$(named onlypre)" '["1.0b1",["onlypre"]]'
  check "$1: dist-info first, big directory" same "$(named far)" '["1.0",["far"]]'
  check "$1: wheels are not read whole" [ "$(bytes_read "$out")" -lt $((bigsize / 5)) ]
}
imported file:// "file://$I/simple/"

p=$W/proj
mkdir -p "$p"
printf 'import yaml\nfrom google.protobuf import message\n' > "$p/app.py"
printf 'requests\n' > "$p/requirements.txt"
"$THOTH" scan repo "$p" > "$W/out" 2>&1
check "scan repo: yaml from the index's wheel" has "$(cat "$W/out")" "'yaml' is imported but not declared (distribution pyyaml, a knowledge-base project)"
check "scan repo: google.protobuf" has "$(cat "$W/out")" "'google.protobuf' is imported but not declared (distribution protobuf, a knowledge-base project)"

# A changed page drops the project's versions; the names come back from
# what was read before (by sha256), without opening the wheel.
printf '<!-- changed -->\n' >> "$I/simple/pyyaml/index.html"
cp "$I/files/PyYAML-6.0.1-py3-none-any.whl" "$W/keep"
printf 'not read again\n' > "$I/files/PyYAML-6.0.1-py3-none-any.whl"
out=$("$THOTH" kb import "file://$I/simple/" 2>&1)
mv "$W/keep" "$I/files/PyYAML-6.0.1-py3-none-any.whl"
check "re-import: names known by hash" has "$out" "import names: 0 wheels read (0 bytes), 1 known, 0 skipped; 2 names"
check "re-import keeps the names" same "$("$THOTH" kb show pyyaml --format json | jq -c '[.versions[] | select(.import_names | length > 0) | .version]')" '["6.0.1"]'

# ---- HTTP with Range (nginx), and a server that ignores Range ----
command -v nginx >/dev/null 2>&1 || { echo "nginx is not installed: HTTP cases not run"; kb_check_done; exit $?; }
command -v curl >/dev/null 2>&1 || { echo "curl is not installed: HTTP cases not run"; kb_check_done; exit $?; }
extra() { printf 'server { listen 127.0.0.1:%d; root %s; max_ranges 0; }\n' $((KB_NGINX_PORT + 1)) "$2"; }
KB_NGINX_EXTRA=extra
if kb_nginx_start "$W/nginx" "$W"; then
  U=$KB_NGINX_URL
  export THOTH_DB=$W/http.db
  imported http "$U/idx/simple/"
  check "http: requests (root, 7 pages, 7 tails, far's directory and 2 members)" has "$out" " 18 requests,"
  out=$("$THOTH" kb import "$U/idx/simple/" 2>&1)
  check "http: unchanged re-import reads nothing" same "$(printf '%s\n' "$out" | grep -c 'import names')" 0

  export THOTH_DB=$W/norange.db
  out=$("$THOTH" kb import "http://127.0.0.1:$((KB_NGINX_PORT + 1))/idx/simple/" 2>&1)
  check "no Range: import succeeds" same "$?" 0
  check "no Range: wheels skipped" has "$out" "0 wheels read (0 bytes), 0 known, 7 skipped; 0 names; first skipped: .*ignores Range"
  check "no Range: versions still imported" same "$("$THOTH" kb show pyyaml --format json | jq -c '[.versions[].version] | length')" 4

  # Servers answering range requests wrongly: a 206 of other bytes than
  # the tail asked for, a 200 cut short. Each wheel is skipped, counted.
  if [ -x "${THOTH_BUILD:-}/tests/kb_badserver" ]; then
    "$THOTH_BUILD/tests/kb_badserver" range > "$W/p1" & b1=$!
    "$THOTH_BUILD/tests/kb_badserver" > "$W/p2" & b2=$!
    i=0; while { [ ! -s "$W/p1" ] || [ ! -s "$W/p2" ]; } && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    mkdir -p "$W/bad/simple/w1" "$W/bad/simple/w2"
    printf '<a href="http://127.0.0.1:%s/w1-1.0-py3-none-any.whl">w1-1.0-py3-none-any.whl</a>\n' "$(cat "$W/p1")" > "$W/bad/simple/w1/index.html"
    printf '<a href="http://127.0.0.1:%s/w2-1.0-py3-none-any.whl">w2-1.0-py3-none-any.whl</a>\n' "$(cat "$W/p2")" > "$W/bad/simple/w2/index.html"
    root "$W/bad"
    export THOTH_DB=$W/bad.db
    out=$("$THOTH" kb import "$U/bad/simple/" 2>&1)
    check "wrong ranges: import succeeds" same "$?" 0
    check "wrong ranges: both skipped" has "$out" "0 wheels read ([0-9]* bytes), 0 known, 2 skipped; 0 names; first skipped: .*\(not the file.s last bytes\|ignores Range\)"
    kill $b1 $b2 2>/dev/null
  fi
  kb_nginx_stop
else
  echo "nginx did not start: HTTP cases not run"
fi
kb_check_done
