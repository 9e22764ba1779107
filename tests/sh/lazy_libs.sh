#!/bin/sh
# libcurl, libarchive and libmagic are loaded at run time by the one module
# that wraps each (core/dynlib), not linked: the binary does not need them,
# a command that never fetches, unpacks or describes a file runs without
# them, and one that does fails with one line naming the library (exit 2) —
# or, for libmagic's optional descriptions, goes on without them. Broken
# copies of the three (files that are not libraries) are put first on the
# loader's path to stand for libraries that cannot be loaded.
set -u
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { echo "FAIL: $*"; fail=$((fail + 1)); }

# 1. not among the binary's dependencies
if command -v readelf >/dev/null 2>&1; then
  needed=$(readelf -d "$THOTH" | grep NEEDED)
  for l in libcurl libarchive libmagic; do
    case $needed in *"$l".so*) ko "$l is linked: $needed" ;; *) ok ;; esac
  done
fi

mkdir -p "$tmp/lib"
for l in libcurl.so.4 libarchive.so.13 libmagic.so.1; do echo "not a library" > "$tmp/lib/$l"; done
broken() { LD_LIBRARY_PATH="$tmp/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" THOTH_DB="$tmp/t.db" "$THOTH" "$@"; }

# 2. commands that need none of them run
broken --version > "$tmp/out" 2> "$tmp/err" && grep -q '^thoth ' "$tmp/out" && ok || ko "--version: $(cat "$tmp/err")"
broken kb stats > "$tmp/out" 2> "$tmp/err" && ok || ko "kb stats: $(cat "$tmp/err")"
# advise with a warm knowledge base (the index imported with the real libcurl)
THOTH_DB="$tmp/t.db" "$THOTH" kb import "$THOTH_FIXTURES/advise/index" > /dev/null 2> "$tmp/err" || ko "kb import: $(cat "$tmp/err")"
broken advise "$THOTH_FIXTURES/advise/pyproj" --env "$THOTH_FIXTURES/advise/thoth.yaml" --runtime-environment alpine \
  --extra reload --format requirements > "$tmp/out" 2> "$tmp/err" &&
  grep -q '^flask==' "$tmp/out" && ok || ko "advise with a warm knowledge base: $(cat "$tmp/err")"

# 3. commands that need one fail with one line naming it, exit 2
# expect_fail LIB ARGS...
expect_fail() {
  lib=$1; shift
  broken "$@" > "$tmp/out" 2> "$tmp/err"
  got=$?
  if [ "$got" != 2 ]; then ko "$* exited $got, expected 2: $(cat "$tmp/err")"; return; fi
  [ "$(wc -l < "$tmp/err")" = 1 ] || { ko "$*: the error is not one line: $(cat "$tmp/err")"; return; }
  grep -q "cannot load $lib ($lib\.so\.[0-9]*)" "$tmp/err" || { ko "$*: the error does not name $lib: $(cat "$tmp/err")"; return; }
  ok
}
expect_fail libcurl kb import http://127.0.0.1:9/simple
expect_fail libarchive rules check "$THOTH_FIXTURES/rules/valid.tar.gz"
img=${THOTH_SHARED:-}/data/images/go-containerregistry/pkg/v1/tarball/testdata/test_image_1.tar
if [ -f "$img" ]; then
  expect_fail libarchive scan image "$img"
else
  echo "note: $img is absent: the layer case is not run"
fi

# 4. the same commands with the real libraries
THOTH_DB="$tmp/ok.db" "$THOTH" rules check "$THOTH_FIXTURES/rules/valid.tar.gz" > /dev/null 2> "$tmp/err" && ok ||
  ko "rules check with libarchive: $(cat "$tmp/err")"

# 5. libmagic's descriptions are optional: a root filesystem with a native
# library scans without it, and with it the library is described.
root=$tmp/root
mkdir -p "$root/etc" "$root/usr/lib/x86_64-linux-gnu"
printf 'ID=debian\nVERSION_ID="12"\n' > "$root/etc/os-release"
cp "$THOTH" "$root/usr/lib/x86_64-linux-gnu/libdemo.so.1"
broken scan image "$root" --format json > "$tmp/out" 2> "$tmp/err" && grep -q 'libdemo.so.1' "$tmp/out" && ok ||
  ko "scan of a root filesystem without libmagic: $(cat "$tmp/err")"
if ! grep -q '"description": *"ELF' "$tmp/out"; then ok; else ko "a description without libmagic"; fi
THOTH_DB="$tmp/ok.db" "$THOTH" scan image "$root" --format json > "$tmp/out" 2> "$tmp/err" || ko "scan with libmagic: $(cat "$tmp/err")"
if [ -f /usr/share/misc/magic.mgc ] || [ -f /usr/lib/file/magic.mgc ]; then
  grep -q '"description": *"ELF' "$tmp/out" && ok || ko "no description with libmagic: $(grep -m1 description "$tmp/out")"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
