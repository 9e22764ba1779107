#!/bin/sh
# bench/image_scan.sh THOTH — `thoth scan image` on the real Debian image
# (../shared/tools/build-debian-image.sh, built once into the build directory)
# against the raw bound measured in the same run: `gzip -dc` (resp. `zstd -dc`)
# of its layer to /dev/null. Also: re-scanning a known image (layer cache),
# --verify re-scans, peak RSS, and the squashed tree's cost per entry.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
thoth=${1:?usage: image_scan.sh THOTH}
shared=${THOTH_SHARED:-$here/../../shared}
img=$(dirname "$thoth")/debian-image
[ -f "$img/truth.json" ] || sh "$shared/tools/build-debian-image.sh" "$img" > /dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
layer() { # the biggest blob of a layout
  ls -S "$1/blobs/sha256/" | head -1 | sed "s|^|$1/blobs/sha256/|"
}
gz=$(layer "$img/oci") zs=$(layer "$img/oci-zstd")
bench_machine
echo "layer: $(stat -c %s "$gz") bytes gzip, $(stat -c %s "$zs") bytes zstd"
runs=${RUNS:-5}
bench_pair "cold scan, gzip layout (vs gzip -dc)" "$runs" \
  "rm -f $tmp/c.db*; $thoth scan image $img/oci --format json --db $tmp/c.db" "gzip -dc < $gz"
bench_pair "cold scan, zstd layout (vs zstd -dc)" "$runs" \
  "rm -f $tmp/z.db*; $thoth scan image $img/oci-zstd --format json --db $tmp/z.db" "zstd -dc < $zs"
$thoth scan image "$img/oci" --db "$tmp/warm.db" > /dev/null
bench_pair "re-scan of a known image (vs cold scan)" "$runs" \
  "$thoth scan image $img/oci --format json --db $tmp/warm.db" \
  "rm -f $tmp/c.db*; $thoth scan image $img/oci --format json --db $tmp/c.db"
bench_pair "re-scan with --verify (vs gzip -dc)" "$runs" \
  "$thoth scan image $img/oci --verify --format json --db $tmp/warm.db" "gzip -dc < $gz"
bench_pair "docker-archive, plain layer (vs cat)" "$runs" \
  "rm -f $tmp/d.db*; $thoth scan image $img/image.docker.tar --format json --db $tmp/d.db" "cat $img/image.docker.tar"
bench_pair "rootfs directory (vs find -type f)" "$runs" \
  "rm -f $tmp/r.db*; $thoth scan image $img/rootfs --format json --db $tmp/r.db" "find $img/rootfs -type f"
# CPU seconds (user + sys) are steadier than wall time on a shared machine.
cpu() { /usr/bin/time -f '%U %S' "$@" 2>&1 >/dev/null | awk '{ printf "%.2f", $1 + $2 }'; }
rm -f "$tmp"/k.db*
cold=$(cpu "$thoth" scan image "$img/oci" --format json --db "$tmp/k.db")
warm=$(cpu "$thoth" scan image "$img/oci" --format json --db "$tmp/k.db")
echo "CPU seconds: cold scan $cold, re-scan $warm ($(awk -v c="$cold" -v w="$warm" 'BEGIN { printf "%.1f", 100 * w / c }')%)"
for f in oci oci-zstd image.docker.tar rootfs; do
  rm -f "$tmp"/m.db*
  rss=$(/usr/bin/time -f %M "$thoth" scan image "$img/$f" --format json --db "$tmp/m.db" 2>&1 > "$tmp/out.json")
  echo "peak RSS, cold scan of $f: $rss KiB"
done
awk '/"entries"/ && !e { e = $2 } /"tree_bytes"/ { t = $2 } END {
  gsub(",", "", e); gsub(",", "", t); printf "squashed tree: %d entries, %d bytes of nodes and names, %.1f bytes/entry\n", e, t, t / e }' "$tmp/out.json"
