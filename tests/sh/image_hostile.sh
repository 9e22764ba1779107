#!/bin/sh
# Hostile and odd images from ../shared/data/images (go-containerregistry's
# archives and layouts, osv-scalibr's attack tars) and crafted breakage:
# every scan ends in 0 or a clear exit-2 error (never a crash), nothing is
# written outside the database, and after an error the database is exactly
# as it was.
set -u
data=${THOTH_SHARED:-}/data/images
[ -d "$data" ] || { echo "skipped: ../shared/data/images is absent"; exit 77; }
command -v sqlite3 >/dev/null || { echo "skipped: sqlite3 is missing"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { echo "FAIL: $*"; fail=$((fail + 1)); }
db=$tmp/t.db
gcr=$data/go-containerregistry/pkg/v1
osv=$data/osv-scalibr/artifact/image
counts() { sqlite3 "$db" "select (select count(*) from image_scans), (select count(*) from image_packages), (select count(*) from image_scan_layers)"; }

# expect STATUS REF [ARGS...]
expect() {
  want=$1; shift
  before=$(counts 2>/dev/null)
  (cd "$tmp/cwd" && "$THOTH" scan image "$@" --db "$db" --format json > "$tmp/out" 2> "$tmp/err")
  got=$?
  if [ "$got" != "$want" ]; then ko "$* exited $got, expected $want: $(cat "$tmp/err")"; return; fi
  if [ "$got" = 2 ]; then
    [ "$(wc -l < "$tmp/err")" = 1 ] || { ko "$*: error is not one line"; return; }
    [ "$(counts)" = "$before" ] || { ko "$*: database changed after an error"; return; }
  fi
  [ -z "$(ls -A "$tmp/cwd")" ] || { ko "$*: wrote $(ls -A "$tmp/cwd")"; return; }
  ok
}
mkdir -p "$tmp/cwd"
"$THOTH" scan image "$gcr/tarball/testdata/test_image_1.tar" --db "$db" > /dev/null || ko "seed scan"

for t in symlink-cycle symlink-attack symlink-dangling symlink-depth-exceeded symlink-basic basic single-file \
         multiple-files two-files overwrite-file; do
  expect 0 "$osv/layerscanning/image/testdata/$t.tar"
done
for t in symlinks permissions basic dangling-symlinks; do expect 0 "$osv/unpack/testdata/$t.tar"; done
expect 2 "$osv/unpack/testdata/escape.tar"            # a bare layer, not an image
expect 2 "$osv/layerscanning/image/testdata/empty.tar"
for t in test_bundle test_image_1 test_image_2 test_link test_load_manifest hello-world-v25; do
  expect 0 "$gcr/tarball/testdata/$t.tar"
done
expect 2 "$gcr/tarball/testdata/null_manifest.tar"
expect 2 "$gcr/tarball/testdata/no_manifest.tar"
for t in source_image source_image_with_empty_layer_history whiteout_image overwritten_file whiteout_dir; do
  expect 0 "$gcr/mutate/testdata/$t.tar"
done
for t in test_index test_gc_index test_index_one_image; do expect 0 "$gcr/layout/testdata/$t"; done
expect 2 "$gcr/layout/testdata/test_gc_image_unknown_mediatype"   # names a missing blob
expect 2 "$gcr/layout/testdata/test_index_media_type"
expect 2 "$tmp/does-not-exist"
expect 2 "$gcr/tarball/testdata/test_image_1.tar" --platform linux
expect 2 "$gcr/layout/testdata/test_index" --platform windows/arm64

# The whiteout image scans (its squashing rules are unit-tested in test_vfs).
"$THOTH" scan image "$gcr/mutate/testdata/whiteout_image.tar" --db "$db" --format json > "$tmp/w.json" || ko "whiteout scan"

# Crafted breakage on a copy of a layout: a flipped byte in a layer blob (digest
# mismatch), a truncated blob, malformed JSON, a missing blob.
lay=$gcr/layout/testdata/test_index_one_image
for kind in flip truncate json missing; do
  rm -rf "$tmp/lay"; cp -r "$lay" "$tmp/lay"
  big=$(ls -S "$tmp/lay/blobs/sha256" | head -1)
  case $kind in
    flip) printf '\377' | dd of="$tmp/lay/blobs/sha256/$big" bs=1 seek=40 conv=notrunc 2>/dev/null ;;
    truncate) truncate -s 50 "$tmp/lay/blobs/sha256/$big" ;;
    json) printf '{"schemaVersion": 2, "manifests": [' > "$tmp/lay/index.json" ;;
    missing) rm "$tmp/lay/blobs/sha256/$big" ;;
  esac
  expect 2 "$tmp/lay"
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
