#!/bin/sh
# Small crafted images (fixtures/images/make.sh), built into OCI layouts with
# ../shared/tools/make_oci_layout.py: squashing (whiteouts, opaque
# directories, file/directory replacement), os-release fallbacks, dpkg
# status and status.d, apk, the RPM sqlite database, dist-info / egg-info
# (file and directory), ownership by OS packages, interpreter versions from
# the owning package, CUDA-like libraries. Facts are checked in the database.
set -u
mk=${THOTH_SHARED:-}/tools/make_oci_layout.py
[ -f "$mk" ] || { echo "skipped: ../shared/tools/make_oci_layout.py is absent"; exit 77; }
command -v sqlite3 >/dev/null || { echo "skipped: sqlite3 is missing"; exit 77; }
[ -x /usr/bin/python3 ] || { echo "skipped: /usr/bin/python3 is missing"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
sh "$THOTH_SOURCE/fixtures/images/make.sh" "$tmp/src" "$THOTH" || { echo "make.sh failed"; exit 1; }
pass=0 fail=0
check() { # LABEL EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then pass=$((pass + 1)); else echo "FAIL: $1: expected [$2], got [$3]"; fail=$((fail + 1)); fi
}
scan() { # IMAGE-DIR -> db file; prints nothing
  rm -f "$tmp/db"*
  "$THOTH" scan image "$1" --db "$tmp/db" --format json > "$tmp/out.json" 2> "$tmp/err" || { echo "FAIL: scan $1: $(cat "$tmp/err")"; fail=$((fail + 1)); }
}
q() { sqlite3 -separator ' ' "$tmp/db" "$1" | tr '\n' ';'; }
for img in debian distroless alpine rpm conda; do
  set -- "$tmp/src/$img"/layer*
  /usr/bin/python3 "$mk" "$tmp/$img" latest "$@" || { echo "make_oci_layout failed for $img"; exit 1; }
done

scan "$tmp/debian"
check "debian os" "debian 12 debian;" "$(q 'select id, version_id, family from image_os')"
check "debian packages" "libpython3.11-minimal 3.11.4-1 deb;python3-foo 1.0-2+b1 deb;" \
  "$(q 'select name, version, type from image_packages order by name')"
check "debian source" "foo-src 1.0-2;" "$(q "select source, source_version from image_packages where name = 'python3-foo'")"
check "debian dists" "bar-baz 2.0 /usr/lib/python3/dist-packages - -;foo 1.0 /usr/lib/python3/dist-packages - python3-foo;nometa 4.2 /opt/venv/lib/python3.11/site-packages - -;qux 3.0 /opt/venv/lib/python3.11/site-packages pip -;" \
  "$(q "select normalized, version, location, coalesce(installer, '-'), coalesce(os_package, '-') from image_dists order by normalized")"
check "requires" "foo>=1.0;colorama; extra == \"color\" >=3.8;" "$(q "select requires_dist, requires_python from image_dists where normalized = 'bar-baz'")"
check "venv" "/opt/venv venv /usr/bin 3.11.4 0;" "$(q 'select path, kind, home, version, system_site_packages from image_envs')"
check "dist in venv" "nometa /opt/venv;qux /opt/venv;" "$(q "select normalized, environment from image_dists where environment is not null order by 1")"
check "direct_url and top_level" "file:///src/qux qux;_qux_impl;" "$(q "select direct_url, top_level from image_dists where normalized = 'qux'")"
check "entry points and RECORD" "qux;qux-admin 3;" "$(q "select entry_points, files from image_dists where normalized = 'qux'")"
check "empty RECORD, no RECORD" "nometa 0;bar-baz -1;" "$(q "select normalized, coalesce(files, -1) from image_dists where normalized in ('nometa', 'bar-baz') order by normalized desc")"
check "json entry points" "1" "$(tr -d ' \n' < "$tmp/out.json" | grep -c '"entry_points":\["qux","qux-admin"\],"files":3')"
check "history (blanks removed)" "1" "$(tr -d ' \n' < "$tmp/out.json" | grep -o '"history":\[{"created":"1970-01-01T00:00:00Z","created_by":"layer0","empty_layer":false},{[^]]*"created_by":"layer1","empty_layer":false}\]' | wc -l | tr -d ' ')"
check "interpreter from package" "/usr/bin/python3.11 3.11.4 package;" \
  "$(q 'select path, version, version_source from image_interpreters')"
check "cuda" "cuda-runtime 12.2.140;" "$(q "select kind, version from image_libraries where path like '%cudart%'")"
# squashing, seen through the layer cache too: a second scan replays the layers
"$THOTH" scan image "$tmp/debian" --db "$tmp/db" --format json > "$tmp/again.json"
check "cached layers" "2" "$(grep -c '"cached": true' "$tmp/again.json")"
check "same dists after replay" "4" "$(sqlite3 "$tmp/db" "select count(*) from image_dists where scan_id = 2")"
check "entry points and RECORD after replay" "qux;qux-admin 3;" "$(q "select entry_points, files from image_dists where normalized = 'qux' and scan_id = 2")"
# a replay log of an older version is not trusted: the layers are streamed again
sqlite3 "$tmp/db" "update image_layer_cache set replay = cast('THLC1' as blob) || substr(replay, 6)"
"$THOTH" scan image "$tmp/debian" --db "$tmp/db" --format json > "$tmp/again.json"
check "old replay logs streamed again" "0" "$(grep -c '"cached": true' "$tmp/again.json")"
check "old replay logs replaced" "2" "$(sqlite3 "$tmp/db" "select count(*) from image_layer_cache where substr(replay, 1, 5) = cast('THLC3' as blob)")"
check "RECORD import names after replay" "qux;" "$(q "select record_names from image_dists where normalized = 'qux' and scan_id = 3")"
check "history in the database" "0 layer 0 0;1 layer 1 0;" "$(q 'select idx, created_by, empty_layer from image_history where scan_id = 3 order by idx')"

# The library call other commands make (analyzer/imgscan): a scan, then the
# same image again with reuse (no new scan), with --verify (a new scan);
# what a target is built from.
rm -f "$tmp/db"*
probe=$THOTH_BUILD/tests/imgscan_probe
"$probe" "$tmp/db" "$tmp/debian" > "$tmp/p1" 2>&1 || { echo "FAIL: probe: $(cat "$tmp/p1")"; fail=$((fail + 1)); }
"$probe" "$tmp/db" "$tmp/debian" --reuse > "$tmp/p2" 2>&1
"$probe" "$tmp/db" "$tmp/debian" --reuse --verify > "$tmp/p3" 2>&1
check "probe scans" "scan 1 reused 0|scan 1 reused 1|scan 2 reused 0" "$(head -1 "$tmp/p1")|$(head -1 "$tmp/p2")|$(head -1 "$tmp/p3")"
check "probe reuse wrote no scan" "2" "$(sqlite3 "$tmp/db" 'select count(*) from image_scans')"
check "probe facts" "python /usr/bin/python3.11 3.11.4 cpython;libc - -;cuda 12.2.140;cudnn -;os debian 12;history 2;" \
  "$(sed -n '2,7p' "$tmp/p2" | tr '\n' ';')"
check "probe dists" "dist nometa 4.2 import=;dist qux 3.0 import=qux,_qux_impl;dist bar-baz 2.0 import=;dist foo 1.0 import=;" \
  "$(grep '^dist' "$tmp/p2" | tr '\n' ';')"
check "probe missing image" "imgscan_probe: $tmp/nothere: cannot open: No such file or directory" \
  "$("$probe" "$tmp/db" "$tmp/nothere" --reuse 2>&1)"

# Layer cache across images: an image made of layer 1 alone is scanned first;
# the two-layer image then replays layer 1 from the cache and streams layer
# 2, whose whiteouts must still remove what the cached layer put there.
/usr/bin/python3 "$mk" "$tmp/base" latest "$tmp/src/debian/layer1" || exit 1
rm -f "$tmp/db"*
"$THOTH" scan image "$tmp/base" --db "$tmp/db" > /dev/null || { echo "FAIL: base scan"; fail=$((fail + 1)); }
"$THOTH" scan image "$tmp/debian" --db "$tmp/db" --format json > "$tmp/on-base.json"
check "base layer cached, upper streamed" "true false" \
  "$(grep '"cached"' "$tmp/on-base.json" | sed 's/.*: //; s/,//' | tr '\n' ' ' | sed 's/ $//')"
check "whiteout over a cached layer" "0" "$(grep -c '"name": "old"' "$tmp/on-base.json")"
check "dists over a cached layer" "4" "$(sqlite3 "$tmp/db" "select count(*) from image_dists where scan_id = 2")"

# The same tree as a root filesystem directory (layer 1 only: old-0.5 is there).
scan "$tmp/src/debian/layer1"
check "rootfs dists" "bar-baz;foo;nometa;old;qux;" "$(q 'select normalized from image_dists order by 1')"
check "rootfs installed-files.txt" "old 2 old;" "$(q "select normalized, files, record_names from image_dists where normalized = 'old'")"
check "rootfs os via symlink" "debian;" "$(q 'select id from image_os')"

scan "$tmp/distroless"
check "distroless os" "debian 12;" "$(q 'select id, version_id from image_os')"
check "distroless status.d" "base-files 12.4+deb12u5;" "$(q 'select name, version from image_packages')"

scan "$tmp/alpine"
check "alpine os" "alpine 3.19.1 alpine;" "$(q 'select id, version_id, family from image_os')"
check "apk packages" "musl 1.2.4_git20230717-r4 apk musl;py3-six 1.16.0-r9 apk py3-six;" \
  "$(q 'select name, version, type, source from image_packages order by name')"
check "musl version from apk" "musl 1.2.4;" "$(q "select kind, version from image_libraries where kind = 'musl'")"
check "apk owns dist" "six py3-six;" "$(q 'select normalized, os_package from image_dists')"

if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
  "$THOTH" scan image "$tmp/alpine" --format cyclonedx --db "$tmp/db" > "$tmp/bom.json"
  check "cyclonedx valid" "valid" "$(/usr/bin/python3 "$THOTH_SHARED/tools/validate_json.py" cyclonedx-1.5 "$tmp/bom.json")"
  check "apk purl" "1" "$(grep -c '"purl": "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1"' "$tmp/bom.json")"
  check "pypi purl" "1" "$(grep -c '"purl": "pkg:pypi/six@1.16.0"' "$tmp/bom.json")"
fi

scan "$tmp/conda"
check "conda packages" "numpy 1.26.4 py311h64a7726_0 https://conda.anaconda.org/conda-forge/linux-64 /opt/conda;python 3.11.8 hab00c5b_0 pkgs/main /opt/conda;" \
  "$(q "select name, version, build, channel, environment from image_packages where type = 'conda' order by name")"
check "conda env" "/opt/conda conda;" "$(q 'select path, kind from image_envs')"
check "malformed conda records skipped" "2" "$(q 'select skipped from image_scan_layers' | tr -d ';')"
check "conda json" "1" "$(tr -d ' \n' < "$tmp/out.json" | grep -c '{"name":"python","version":"3.11.8","arch":null,"type":"conda","source":null,"source_version":null,"build":"hab00c5b_0","channel":"pkgs/main","environment":"/opt/conda"}')"
"$THOTH" scan image "$tmp/conda" --db "$tmp/db" > "$tmp/table.txt" || { echo "FAIL: conda table"; fail=$((fail + 1)); }
check "conda in the table" "1" "$(grep -c '^  numpy .* conda$' "$tmp/table.txt")"
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
  "$THOTH" scan image "$tmp/conda" --format cyclonedx --db "$tmp/db" > "$tmp/bom.json"
  check "conda cyclonedx valid" "valid" "$(/usr/bin/python3 "$THOTH_SHARED/tools/validate_json.py" cyclonedx-1.5 "$tmp/bom.json")"
  check "conda purl" "1" "$(grep -c '"purl": "pkg:conda/numpy@1.26.4?build=py311h64a7726_0"' "$tmp/bom.json")"
fi

scan "$tmp/rpm"
check "rpm os" "rocky 9.3 rhel;" "$(q 'select id, version_id, family from image_os')"
check "rpm packages" "bash 1:5.1.8-6.el9 x86_64 rpm;" "$(q 'select name, version, arch, type from image_packages')"
check "rpm owns dist" "six bash;" "$(q 'select normalized, os_package from image_dists')"

# Hardlinks whose first name is of no interest: the layer is read a second
# time for their content; the cache replays the same; the tar really holds
# hardlinks (else this proves nothing); a rootfs sees the same files.
/usr/bin/python3 "$mk" "$tmp/hardlink" latest "$tmp/src/hardlink/layer1" || { echo "make_oci_layout failed for hardlink"; exit 1; }
hl_blob=$(ls -S "$tmp/hardlink/blobs/sha256" | head -1)
check "fixture has hardlinks" "3" "$(gzip -dc "$tmp/hardlink/blobs/sha256/$hl_blob" | tar -tvf - | grep -c '^h')"
for round in streamed cached; do
  [ "$round" = streamed ] && rm -f "$tmp/db"*
  "$THOTH" scan image "$tmp/hardlink" --db "$tmp/db" --format json > "$tmp/out.json" 2> "$tmp/err" || { echo "FAIL: hardlink scan: $(cat "$tmp/err")"; fail=$((fail + 1)); }
  id=$(sqlite3 "$tmp/db" 'select max(id) from image_scans')
  check "hardlink os ($round)" "hardos 7;" "$(q "select id, version_id from image_os where scan_id = $id")"
  check "hardlink dist ($round)" "linked 1.0 six 3 linked;" \
    "$(q "select normalized, version, requires_dist, files, record_names from image_dists where scan_id = $id")"
done
check "hardlink layer cached" "1" "$(grep -c '"cached": true' "$tmp/out.json")"
scan "$tmp/src/hardlink/layer1"
check "hardlink rootfs" "hardos 7;linked 1.0 3;" "$(q 'select id, version_id from image_os'; q 'select normalized, version, files from image_dists')"

# Crafted with GNU tar as a docker-archive: two links of different interest
# (a METADATA, a RECORD) to one file; the link's target written again after
# the link in the same layer (the link keeps the first content); a link of
# interest to a file over file_bytes (skipped and counted).
if command -v tar >/dev/null && command -v sha256sum >/dev/null; then
  h=$tmp/hl2/root
  mkdir -p "$h/a" "$h/etc" "$h/usr/lib" "$h/d/lib/python3/dist-packages/linked-1.0.dist-info" \
    "$h/d/lib/python3/dist-packages/other-2.0.dist-info"
  printf 'ID=first\nVERSION_ID="1"\n' > "$h/a/osrel"
  printf 'Metadata-Version: 2.1\nName: linked\nVersion: 1.0\n' > "$h/a/meta"
  head -c 5000 /dev/zero > "$h/a/big"
  ln "$h/a/osrel" "$h/etc/os-release"
  ln "$h/a/meta" "$h/d/lib/python3/dist-packages/linked-1.0.dist-info/METADATA"
  ln "$h/a/meta" "$h/d/lib/python3/dist-packages/other-2.0.dist-info/RECORD"
  ln "$h/a/big" "$h/usr/lib/os-release"
  tarx() { tar --format=gnu --owner=0 --group=0 --mtime=@0 -C "$h" "$@"; }
  tarx -cf "$tmp/hl2/layer.tar" a etc d usr
  rm "$h/a/osrel"; printf 'ID=second\n' > "$h/a/osrel"
  tarx -rf "$tmp/hl2/layer.tar" a/osrel
  printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$(sha256sum "$tmp/hl2/layer.tar" | cut -d' ' -f1)" > "$tmp/hl2/config.json"
  printf '[{"Config":"config.json","RepoTags":["hl:1"],"Layers":["layer.tar"]}]' > "$tmp/hl2/manifest.json"
  tar -C "$tmp/hl2" -cf "$tmp/hl2.tar" manifest.json config.json layer.tar
  check "crafted hardlinks in the tar" "4" "$(tar -tvf "$tmp/hl2/layer.tar" | grep -c '^h')"
  for round in streamed cached; do
    [ "$round" = streamed ] && rm -f "$tmp/db"*
    "$THOTH" scan image "$tmp/hl2.tar" --db "$tmp/db" --limit file_bytes=100 > /dev/null 2> "$tmp/err" ||
      { echo "FAIL: crafted hardlink scan: $(cat "$tmp/err")"; fail=$((fail + 1)); }
    id=$(sqlite3 "$tmp/db" 'select max(id) from image_scans')
    check "link keeps the target as it was ($round)" "first 1;" "$(q "select id, version_id from image_os where scan_id = $id")"
    check "two interests, one target ($round)" "linked 1.0 -;other 2.0 3;" \
      "$(q "select normalized, version, coalesce(files, '-') from image_dists where scan_id = $id order by 1")"
    check "link to an over-large file skipped ($round)" "1" "$(q "select skipped from image_scan_layers where scan_id = $id" | tr -d ';')"
  done
fi

# A 50 MB METADATA (over metadata_bytes: the dist is reported from its
# directory name, the file counted as skipped) and invalid UTF-8 in a file
# name and in metadata (kept as bytes, written as U+FFFD in JSON).
big=$tmp/src/big/layer1/usr/lib/python3/dist-packages
mkdir -p "$big/huge-1.0.dist-info" "$big/bad-2.0.dist-info"
{ printf 'Metadata-Version: 2.1\nName: huge\nVersion: 9.9\n\n'; head -c 52428800 /dev/zero | tr '\0' 'x'; } > "$big/huge-1.0.dist-info/METADATA"
printf 'Metadata-Version: 2.1\nName: bad\nVersion: 2.0\nSummary: \377\376 broken\n' > "$big/bad-2.0.dist-info/METADATA"
printf 'x' > "$big/$(printf 'caf\351')"
/usr/bin/python3 "$mk" "$tmp/big" latest "$tmp/src/big/layer1" || { echo "make_oci_layout failed for big"; exit 1; }
scan "$tmp/big"
check "huge metadata from dirname" "bad 2.0;huge 1.0;" "$(q 'select normalized, version from image_dists order by 1')"
check "huge metadata skipped" "1" "$(q 'select skipped from image_scan_layers' | tr -d ';')"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
