#!/bin/sh
# scan repo REF: the Python sources inside an image (fixtures/images/
# make_imgsrc.sh). Golden facts of the crafted image (whiteout, replaced
# file, opaque directory, hardlink, symlink, notebook, requirements include,
# site-packages and the standard library skipped); the same sources as a
# directory and as the image in all three formats (OCI layout, OCI archive,
# docker-archive) and as a root filesystem give the same facts; a warm
# re-scan reads no layer and parses nothing, while layers cached by
# `scan image` are not taken for the sources; SARIF stays valid with URIs
# relative to --path; hostile images give one-line errors or counted skips.
# An image that is its own target is read in one pass over its layers.
set -u
: "${THOTH:?}"
mk=${THOTH_SHARED:-}/tools/make_oci_layout.py
[ -f "$mk" ] && [ -d "${THOTH_SHARED:-}/data" ] || { echo "skipped: ../shared is absent"; exit 77; }
[ -x /usr/bin/python3 ] || { echo "skipped: /usr/bin/python3 is missing"; exit 77; }
for c in jq tar gzip sha256sum; do command -v $c >/dev/null || { echo "skipped: no $c command"; exit 77; }; done
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export THOTH_DB=$tmp/t.db
pass=0 fail=0
check() { # LABEL EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then pass=$((pass + 1)); else echo "FAIL: $1: expected [$2], got [$3]"; fail=$((fail + 1)); fi
}
sh "$THOTH_SOURCE/fixtures/images/make_imgsrc.sh" "$tmp/src" "$THOTH" || { echo "make_imgsrc.sh failed"; exit 1; }
/usr/bin/python3 "$mk" "$tmp/oci" latest "$tmp/src/layer0" "$tmp/src/layer1" "$tmp/src/layer2" >/dev/null ||
  { echo "make_oci_layout failed"; exit 1; }
tar -C "$tmp/oci" -cf "$tmp/oci.tar" oci-layout index.json blobs
# docker-archive: the same layers, decompressed, with a manifest.json
blob() { echo "$tmp/oci/blobs/sha256/${1#sha256:}"; }
man=$(blob "$(jq -r '.manifests[0].digest' "$tmp/oci/index.json")")
mkdir -p "$tmp/docker"
cp "$(blob "$(jq -r '.config.digest' "$man")")" "$tmp/docker/config.json"
i=0 layers=""
for d in $(jq -r '.layers[].digest' "$man"); do
  gzip -dc "$(blob "$d")" > "$tmp/docker/l$i.tar"; layers="$layers${layers:+,}\"l$i.tar\""; i=$((i + 1))
done
printf '[{"Config":"config.json","RepoTags":["src:1"],"Layers":[%s]}]' "$layers" > "$tmp/docker/manifest.json"
tar -C "$tmp/docker" -cf "$tmp/docker.tar" manifest.json config.json l0.tar l1.tar l2.tar

j() { "$THOTH" scan repo "$@" --format json; }
files() { jq -r '[.files[] | "\(.path):\(.kind)"] | join(" ")' "$1"; }
imports() { jq -r '[.imports[] | "\(.file):\(.line) \(.module)"] | join(";")' "$1"; }
findings() { jq -r '[.findings[] | "\(.file):\(.line) \(.rule) \(.subject)"] | join(";")' "$1"; }

# -- golden: the application's directory
j "$tmp/oci" --path /app > "$tmp/app.json" 2> "$tmp/err" || { echo "FAIL: scan: $(cat "$tmp/err")"; fail=$((fail + 1)); }
check "files (whiteout, opaque dir, hardlink; no symlink, cache or venv)" \
  "/app/hard.py:python /app/main.py:python /app/nb.ipynb:notebook /app/pkg/__init__.py:python /app/pkg/mod.py:python /app/replaced.py:python /app/requirements.txt:manifest /app/sub/new.py:python /app/utils.py:python" \
  "$(files "$tmp/app.json")"
check "imports (the replaced file's new content, the notebook's cell)" \
  "/app/main.py:1 requests;/app/main.py:2 numpy;/app/main.py:3 distutils.core;/app/main.py:4 utils;/app/main.py:5 pkg;/app/nb.ipynb:1 pandas;/app/pkg/mod.py:1 ;/app/pkg/mod.py:2 above;/app/replaced.py:1 toml;/app/sub/new.py:1 attr" \
  "$(imports "$tmp/app.json")"
check "findings (first party from --path, include read, image's Python 3.12)" \
  "/app/main.py:3 stdlib-module-absent distutils;/app/nb.ipynb:1 missing-dependency pandas;/app/pkg/mod.py:2 unresolvable-relative-import above;/app/replaced.py:1 missing-dependency toml;/app/requirements.txt:3 unused-dependency flask;/app/sub/new.py:1 missing-dependency attr" \
  "$(findings "$tmp/app.json")"
check "declared through the include" "/app/requirements.txt:1 requests;/app/base.txt:1 numpy;/app/requirements.txt:3 flask" \
  "$(jq -r '[.declared_dependencies[] | "\(.file):\(.line) \(.name)"] | join(";")' "$tmp/app.json")"
check "usages" "/app/main.py numpy.linalg.norm;/app/main.py requests.get;/app/nb.ipynb pandas.read_csv" \
  "$(jq -r '[.usages[] | "\(.file) \(.symbol)"] | sort | join(";")' "$tmp/app.json" | sed 's/;[^;]*helper[^;]*//')"
check "target and source" "3.12 $tmp/oci oci-layout /app 3 0" \
  "$(jq -r '"\(.target.python) \(.target.image) \(.source.format) \(.source.root) \(.source.layers) \(.source.cached_layers)"' "$tmp/app.json")"

# -- the whole image: /srv too; the standard library and site-packages not
j "$tmp/oci" > "$tmp/all.json"
check "whole image" "/app/hard.py /app/main.py /app/nb.ipynb /app/pkg/__init__.py /app/pkg/mod.py /app/replaced.py /app/sub/new.py /app/utils.py /srv/tool.py" \
  "$(jq -r '[.files[] | select(.kind != "manifest") | .path] | join(" ")' "$tmp/all.json")"
# naming an installed distribution's directory scans it
j "$tmp/oci" --path /usr/local/lib/python3.12/site-packages > "$tmp/sp.json"
check "--path into site-packages" "/usr/local/lib/python3.12/site-packages/requests/__init__.py" "$(jq -r '[.files[].path] | join(" ")' "$tmp/sp.json")"
j "$tmp/oci" --path /app --exclude 'pkg/' --exclude '*.ipynb' > "$tmp/ex.json"
check "--exclude" "/app/hard.py /app/main.py /app/replaced.py /app/requirements.txt /app/sub/new.py /app/utils.py" \
  "$(jq -r '[.files[].path] | join(" ")' "$tmp/ex.json")"
j "$tmp/oci" --path /app --python 3.11 > "$tmp/py.json"
check "--python wins over the image's" "3.11 null 0" \
  "$(jq -r '"\(.target.python) \(.target.image) \([.findings[] | select(.rule == "stdlib-module-absent")] | length)"' "$tmp/py.json")"

# -- differential: a directory, the three image formats, a root filesystem
norm() { jq -S 'del(.target.image, .source, .stats) | walk(if type == "object" then with_entries(if (.key == "path" or .key == "file") and (.value | type) == "string" then .value |= sub("^/app/"; "") else . end) else . end)' "$1"; }
"$THOTH" scan repo "$tmp/src/rootfs/app" --image "$tmp/oci" --format json > "$tmp/dir.json"
norm "$tmp/dir.json" > "$tmp/dir.norm"
for ref in "$tmp/oci" "$tmp/oci.tar" "$tmp/docker.tar" "$tmp/src/rootfs"; do
  j "$ref" --path /app --image "$tmp/oci" > "$tmp/x.json" 2> "$tmp/err" || echo "scan $ref: $(cat "$tmp/err")"
  norm "$tmp/x.json" > "$tmp/x.norm"
  check "same facts as the directory: $(basename "$ref")" "" "$(diff "$tmp/dir.norm" "$tmp/x.norm" | head -5)"
done
check "formats" "oci-archive docker-archive rootfs" "$(for r in oci.tar docker.tar src/rootfs; do j "$tmp/$r" --path /app | jq -r .source.format; done | tr '\n' ' ' | sed 's/ $//')"

# -- the cache: a warm re-scan reads no layer and parses nothing; layers
# cached by scan image (without the sources) are not taken for them
j "$tmp/oci" --path /app > "$tmp/warm.json"
check "warm: layers cached, nothing parsed" "3 0 9" "$(jq -r '"\(.source.cached_layers) \(.stats.parsed) \(.stats.files)"' "$tmp/warm.json")"
check "warm: same findings" "$(findings "$tmp/app.json")" "$(findings "$tmp/warm.json")"
export THOTH_DB=$tmp/fresh.db
"$THOTH" scan image "$tmp/oci" > /dev/null
j "$tmp/oci" --path /app > "$tmp/after.json"
check "layers of scan image are not the sources' cache" "0 $(files "$tmp/app.json")" \
  "$(jq -r .source.cached_layers "$tmp/after.json") $(files "$tmp/after.json")"
check "another --path is another cache key" "0" "$(j "$tmp/oci" --path /srv | jq -r .source.cached_layers)"
export THOTH_DB=$tmp/t.db

# -- one pass: an image that is its own target streams each layer once for
# its facts and its sources together (THOTH_DEBUG_LAYERS counts the passes
# over layers), fills both caches, and says what the two passes said
passes() { THOTH_DEBUG_LAYERS=1 "$THOTH" scan repo "$@" --format json 2>&1 >/dev/null | sed -n 's/^thoth: debug: \([0-9]*\) layer passes$/\1/p'; }
for ref in oci oci.tar docker.tar; do
  export THOTH_DB=$tmp/once-$ref.db
  check "cold, image as target, $ref: one pass per layer" "3" "$(passes "$tmp/$ref" --path /app)"
  check "warm, $ref: no pass" "0" "$(passes "$tmp/$ref" --path /app)"
done
export THOTH_DB=$tmp/once-oci.db
check "both caches filled: scan image reads no layer" "3 3" \
  "$("$THOTH" scan image "$tmp/oci" --format json | jq -r '"\([.layers[] | select(.cached)] | length) \(.layers | length)"')"
check "another --path, facts known: the sources alone, one pass" "3" "$(passes "$tmp/oci" --path /srv)"
export THOTH_DB=$tmp/once-py.db
check "--python: the sources alone, one pass" "3" "$(passes "$tmp/oci" --path /app --python 3.12)"
check "then the image as target: its facts alone, one pass" "3" "$(passes "$tmp/oci" --path /app)"
export THOTH_DB=$tmp/once-rootfs.db
check "root filesystem: no layer" "0" "$(passes "$tmp/src/rootfs" --path /app)"
export THOTH_DB=$tmp/once-same.db
check "--image naming the same image: one pass" "3" "$(passes "$tmp/oci" --path /app --image "$tmp/oci")"
export THOTH_DB=$tmp/once-other.db
check "--image naming another image: a pass each" "6" "$(passes "$tmp/oci" --path /app --image "$tmp/oci.tar")"
# the same output as the facts and sources scanned apart (scan image first)
export THOTH_DB=$tmp/apart.db
"$THOTH" scan image "$tmp/oci" > /dev/null
j "$tmp/oci" --path /app > "$tmp/apart.json"
check "one pass says what two said" "" "$(diff "$tmp/apart.json" "$tmp/app.json" | head -5)"
for ref in oci.tar docker.tar src/rootfs; do
  export THOTH_DB=$tmp/apart-$(basename "$ref").db
  "$THOTH" scan image "$tmp/$ref" > /dev/null
  j "$tmp/$ref" --path /app > "$tmp/apart2.json"
  export THOTH_DB=$tmp/once2-$(basename "$ref").db
  j "$tmp/$ref" --path /app > "$tmp/once2.json"
  check "one pass says what two said: $ref" "" "$(diff "$tmp/apart2.json" "$tmp/once2.json" | head -5)"
done
export THOTH_DB=$tmp/t.db

# -- SARIF: valid, URIs relative to --path
. "$THOTH_SOURCE/tests/lib/validate_sarif.sh"
"$THOTH" scan repo "$tmp/oci" --path /app --format sarif > "$tmp/s.sarif"
check "sarif valid" "valid" "$(validate_sarif "$tmp/s.sarif" | tail -1)"
check "sarif uris" "main.py nb.ipynb pkg/mod.py replaced.py requirements.txt sub/new.py" \
  "$(jq -r '[.runs[0].results[].locations[0].physicalLocation.artifactLocation.uri] | join(" ")' "$tmp/s.sarif")"

# -- hostile and bad input
err() { "$THOTH" scan repo "$@" > /dev/null 2> "$tmp/e"; echo "$? $(wc -l < "$tmp/e") $(cat "$tmp/e")"; }
check "relative --path" "2 1 thoth: --path: 'app' is not an absolute path in the image" "$(err "$tmp/oci" --path app)"
check "--path with .." "2 1 thoth: --path: '/app/../etc' is not an absolute path in the image" "$(err "$tmp/oci" --path /app/../etc)"
check "--path without an image" "2 1 thoth: --path: $tmp/none is not an image or a directory" "$(err "$tmp/none" --path /x)"
check "total budget" "2 1 thoth: app/main.py: the files picked from the image exceed 100 bytes in all" \
  "$(THOTH_DB=$tmp/h.db err "$tmp/oci" --path /app --limit image_src_bytes=100 | sed 's/app\/[a-z_./]*:/app\/main.py:/')"
check "entries budget" "2 1" "$(THOTH_DB=$tmp/h.db err "$tmp/oci" --limit entries=10 | cut -d' ' -f1-2)"
THOTH_DB=$tmp/h.db j "$tmp/oci" --path /app --limit file_bytes=60 > "$tmp/fb.json"
check "over file_bytes: skipped and counted, not listed" "2 2 0" \
  "$(jq -r '"\(.source.skipped) \(.source.unread) \([.files[].path | select(test("main|nb"))] | length)"' "$tmp/fb.json")"
# a layer with a path escape and a symlink out of the tree (GNU tar keeps "../")
h=$tmp/hostile
mkdir -p "$h/r/app" "$h/r/etc"
printf 'import os\n' > "$h/r/app/ok.py"
printf 'import evil\n' > "$h/r/evil.py"
ln -s ../../../etc "$h/r/app/esc"
tarx() { tar --format=gnu --owner=0 --group=0 --mtime=@0 -C "$h/r" "$@"; }
tarx -cf "$h/l0.tar" app etc
tarx -rf "$h/l0.tar" --transform 's,^,../../,' evil.py 2>/dev/null
mkdir -p "$h/r2/app/esc"; printf 'import escaped\n' > "$h/r2/app/esc/x.py"
tar --format=gnu --owner=0 --group=0 --mtime=@0 -C "$h/r2" -cf "$h/l1.tar" app/esc/x.py
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%s","sha256:%s"]}}' \
  "$(sha256sum "$h/l0.tar" | cut -d' ' -f1)" "$(sha256sum "$h/l1.tar" | cut -d' ' -f1)" > "$h/config.json"
printf '[{"Config":"config.json","RepoTags":["h:1"],"Layers":["l0.tar","l1.tar"]}]' > "$h/manifest.json"
tar -C "$h" -cf "$h.tar" manifest.json config.json l0.tar l1.tar
check "escape in the tar" "1" "$(tar -tf "$h/l0.tar" 2>/dev/null | grep -c '^\.\./')"
j "$h.tar" --python 3.12 > "$tmp/h.json" 2> "$tmp/err" || echo "FAIL: hostile: $(cat "$tmp/err")"
check "hostile: escape skipped, symlinked parent stays inside" "/app/ok.py /etc/x.py|1" \
  "$(jq -r '[.files[].path] | join(" ")' "$tmp/h.json")|$(jq -r .source.skipped "$tmp/h.json")"
check "nothing written outside" "" "$(ls "$tmp" | grep -v -e '\.json$' -e '\.norm$' -e '\.db' -e '^src$' -e '^oci' -e '^docker' -e '^hostile' -e '^s.sarif$' -e '^e$' -e '^err$')"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
