#!/bin/sh
# Integration test against a REAL Debian image: ../shared/tools/build-debian-image.sh
# builds it once per build directory (root and apt needed, ~1-2 min, cached),
# then `thoth scan image --format json` of every form of it (OCI layout, zstd
# layout, OCI archive, docker-archive, rootfs directory) must match truth.json
# (tests/helpers/image_truth.c says what "match" means). A second scan of the
# same image must give the same facts.
set -u
tools=${THOTH_SHARED:-}/tools
. "$THOTH_SOURCE/tests/lib/debian_image.sh"
out=$debian_image
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for f in oci oci-zstd image.oci.tar image.docker.tar rootfs; do
  if "$THOTH" scan image "$out/$f" --format json --db "$tmp/t.db" > "$tmp/$f.json" 2> "$tmp/err" &&
     "$THOTH_BUILD/tests/image_truth" "$out/truth.json" "$tmp/$f.json"; then
    pass=$((pass + 1))
  else
    echo "FAIL: $f"; cat "$tmp/err"; fail=$((fail + 1))
  fi
done
# Same facts on a second scan into the same database.
if "$THOTH" scan image "$out/oci" --format json --db "$tmp/t.db" > "$tmp/again.json" &&
   "$THOTH_BUILD/tests/image_truth" "$out/truth.json" "$tmp/again.json"; then
  pass=$((pass + 1))
else
  echo "FAIL: rescan"; fail=$((fail + 1))
fi
# CycloneDX 1.5, valid against the official schema (when the validator runs here).
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
  if "$THOTH" scan image "$out/oci" --format cyclonedx --db "$tmp/t.db" > "$tmp/bom.json" &&
     /usr/bin/python3 "$tools/validate_json.py" cyclonedx-1.5 "$tmp/bom.json" > /dev/null &&
     [ "$(grep -c '"purl": "pkg:deb/debian/' "$tmp/bom.json")" = "$(grep -c '"arch"' "$out/truth.json")" ]; then
    pass=$((pass + 1))
  else
    echo "FAIL: cyclonedx"; fail=$((fail + 1))
  fi
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
