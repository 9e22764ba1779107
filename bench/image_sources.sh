#!/bin/sh
# The Python sources inside an image vs the same tree as a directory: the
# machine's Python library tree copied to /app of a one-layer OCI image
# (gzip, made by ../shared/tools/make_oci_layout.py; without its
# site-packages, which the image scan would skip; .pyi stubs excluded on
# both sides).
#   cold  thoth scan repo IMAGE --path /app (fresh database: stream and
#         decompress the layer, keep the sources, hash, parse, store)
#         vs thoth scan repo DIR (fresh database)
#   warm  the same again: the image's layer log comes from the cache under
#         the sources' key, every file's facts from the store
# and CPU of single runs: cold with the image as its own target (its facts
# and its sources from one pass over the layer) and with --python (no facts
# pass); the layer passes alone (file facts cached): the sources only (image
# facts known), and the image's facts and its sources together (the layer
# cache and the image's scans emptied).
# Usage: sh bench/image_sources.sh BUILD/thoth   (BENCH_RUNS, default 1)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
thoth=${1:-$here/../build/thoth}
shared=${THOTH_SHARED:-$here/../../shared}
runs=${BENCH_RUNS:-1}
stdlib=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/layer/app"
cp -a "$stdlib/." "$tmp/layer/app/"
rm -rf "$tmp/layer/app/site-packages"
/usr/bin/python3 "$shared/tools/make_oci_layout.py" "$tmp/img" bench "$tmp/layer"
dir=$tmp/layer/app img=$tmp/img
x="--exclude '*.pyi'"

bench_machine
echo "tree: $stdlib copied to /app ($(find "$dir" -name '*.py' | wc -l) .py files);" \
  "layer $(du -sh "$img/blobs" | cut -f1) gzip"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
bench_pair "cold: image sources vs directory" "$runs" \
  "rm -f $tmp/i.db*; THOTH_DB=$tmp/i.db $thoth scan repo $img --path /app $x" \
  "rm -f $tmp/d.db*; THOTH_DB=$tmp/d.db $thoth scan repo $dir $x"
THOTH_DB=$tmp/i.db $thoth scan repo "$img" --path /app $x >/dev/null
THOTH_DB=$tmp/d.db $thoth scan repo "$dir" $x >/dev/null
bench_pair "warm: image sources vs directory" "$runs" \
  "THOTH_DB=$tmp/i.db $thoth scan repo $img --path /app $x" \
  "THOTH_DB=$tmp/d.db $thoth scan repo $dir $x"
cpu() { bench_cpu "$1" "$2" "$tmp/cpu"; }
cpu "cold image sources" "rm -f $tmp/c.db*; THOTH_DB=$tmp/c.db $thoth scan repo $img --path /app $x"
cpu "warm image sources" "THOTH_DB=$tmp/c.db $thoth scan repo $img --path /app $x"
cpu "cold image sources, --python (no facts)" "rm -f $tmp/p.db*; THOTH_DB=$tmp/p.db $thoth scan repo $img --path /app --python 3.11 $x"
cpu "layer pass: facts and sources, files cached" \
  "sqlite3 $tmp/p.db 'delete from image_layer_cache'; THOTH_DB=$tmp/p.db $thoth scan repo $img --path /app $x"
cpu "layer pass: sources alone, facts known" \
  "sqlite3 $tmp/c.db 'delete from image_layer_cache'; THOTH_DB=$tmp/c.db $thoth scan repo $img --path /app $x"
cpu "cold directory" "rm -f $tmp/e.db*; THOTH_DB=$tmp/e.db $thoth scan repo $dir $x"
cpu "warm directory" "THOTH_DB=$tmp/e.db $thoth scan repo $dir $x"
layer=$img/blobs/sha256/$(ls -S "$img/blobs/sha256" | head -n 1)
cpu "gzip -dc of the layer (baseline)" "gzip -dc $layer > /dev/null"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
