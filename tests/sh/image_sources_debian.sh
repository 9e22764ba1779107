#!/bin/sh
# scan repo on the REAL Debian image (built by tests/sh/image_debian.sh; this
# test only reads it, and skips when it was not built): in every format the
# image's sources are the regular .py/.pyi files of its root filesystem
# outside the standard library, site-packages/dist-packages and caches, as
# find(1) lists them; a second format of the same layers is read from the
# cache and parses nothing; a cold scan reads each layer once, for the facts
# and the sources together, and says what two passes said.
set -u
: "${THOTH:?}"
out=$THOTH_BUILD/debian-image
[ -f "$out/truth.json" ] || { echo "skipped: the Debian image is not built (tests/sh/image_debian.sh builds it)"; exit 77; }
command -v jq >/dev/null || { echo "skipped: no jq command"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export THOTH_DB=$tmp/t.db
pass=0 fail=0
check() { # LABEL EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then pass=$((pass + 1)); else echo "FAIL: $1: expected [$2], got [$3]"; fail=$((fail + 1)); fi
}
(cd "$out/rootfs" && find . -type f \( -name '*.py' -o -name '*.pyi' \) | sed 's|^\.||' |
  grep -v -E '/(site-packages|dist-packages|__pycache__|\.git)/|/lib(64)?/python[0-9.]*/' | LC_ALL=C sort) > "$tmp/expect"
check "the image has sources outside the standard library" "yes" "$([ -s "$tmp/expect" ] && echo yes)"
for f in oci image.oci.tar image.docker.tar oci-zstd; do
  THOTH_DEBUG_LAYERS=1 "$THOTH" scan repo "$out/$f" --format json > "$tmp/$f.json" 2> "$tmp/err" || echo "FAIL: $f: $(cat "$tmp/err")"
  [ "$f" = oci ] && check "oci: cold, the image as its own target: one pass per layer" "$(jq -r .source.layers "$tmp/oci.json")" \
    "$(sed -n 's/^thoth: debug: \([0-9]*\) layer passes$/\1/p' "$tmp/err")"
  jq -r '.files[] | select(.kind == "python") | .path' "$tmp/$f.json" | LC_ALL=C sort > "$tmp/got"
  check "$f: files as find lists them" "" "$(diff "$tmp/expect" "$tmp/got" | head -5)"
  check "$f: target" "3.11" "$(jq -r '.target.python' "$tmp/$f.json" | cut -d. -f1-2)"
done
check "second format: layers cached, nothing parsed" "1 0" \
  "$(jq -r '"\(.source.cached_layers) \(.stats.parsed)"' "$tmp/image.docker.tar.json")"
# the same output as the facts and the sources read in passes of their own
export THOTH_DB=$tmp/apart.db
"$THOTH" scan image "$out/oci" > /dev/null
"$THOTH" scan repo "$out/oci" --format json > "$tmp/apart.json"
check "one pass says what two said" "" "$(diff "$tmp/apart.json" "$tmp/oci.json" | head -5)"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
