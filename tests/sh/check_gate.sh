#!/bin/sh
# thoth check end to end: for each kind of finding, a project + lock + image
# (root filesystems written by fixtures/check/make.sh) where it fires and one
# where it does not; inline ignores, baselines, exit statuses, the lock found
# without --lock, and each lock format.
set -u
: "${THOTH:?}" "${THOTH_FIXTURES:?}"
command -v jq >/dev/null 2>&1 || { echo "skipped: jq is not installed"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fx=$THOTH_FIXTURES/check
p=$fx/projects
img=$tmp/img
sh "$fx/make.sh" "$img" "$THOTH" || { echo "FAIL: make.sh"; exit 1; }
export THOTH_DB="$tmp/db"
"$THOTH" kb import "$fx/advisories" --quiet || { echo "FAIL: kb import"; exit 1; }
passed=0 failed=0

# has ID yes|no ARGS... — runs check --format json and looks for an
# unsuppressed finding ID.
has() {
  id=$1 want=$2; shift 2
  "$THOTH" check "$@" --format json --fail-on never > "$tmp/out.json" 2> "$tmp/err"
  rc=$?
  if [ $rc != 0 ]; then
    echo "FAIL: check $* exited $rc: $(cat "$tmp/err")"; failed=$((failed + 1)); return
  fi
  n=$(jq --arg id "$id" '[.findings[] | select(.id == $id and .suppressed == null)] | length' "$tmp/out.json")
  if { [ "$want" = yes ] && [ "$n" -gt 0 ]; } || { [ "$want" = no ] && [ "$n" = 0 ]; }; then
    passed=$((passed + 1))
  else
    echo "FAIL: $id expected $want, found $n: check $*"; jq -c '.findings[] | [.id, .message]' "$tmp/out.json"
    failed=$((failed + 1))
  fi
}

# status WANT ARGS... — the exit status of check.
status() {
  want=$1; shift
  "$THOTH" check "$@" > "$tmp/out" 2> "$tmp/err"
  rc=$?
  if [ "$rc" = "$want" ]; then passed=$((passed + 1)); else
    echo "FAIL: check $* exited $rc, not $want: $(cat "$tmp/err")"; failed=$((failed + 1)); fi
}

# A clean project on a fitting image: nothing at all.
status 0 "$p/clean" --image "$img/ok"
"$THOTH" check "$p/clean" --image "$img/ok" --format json > "$tmp/out.json"
[ "$(jq '.findings | length' "$tmp/out.json")" = 0 ] && passed=$((passed + 1)) ||
  { echo "FAIL: clean has findings"; jq -c '.findings[]' "$tmp/out.json"; failed=$((failed + 1)); }

# install
has no-python yes "$p/clean" --image "$img/nopython"
has no-python no "$p/clean" --image "$img/ok"
has python-unsupported yes "$p/install" --image "$img/ok"
has python-unsupported no "$p/install" --python 3.9 --python-platform x86_64-manylinux_2_39
has no-compatible-wheel yes "$p/install" --image "$img/ok"
jq -e '.findings[] | select(.id == "no-compatible-wheel") | .message | test("need glibc 2.39, the target has 2.36")' \
  "$tmp/out.json" > /dev/null && passed=$((passed + 1)) || { echo "FAIL: glibc reason"; failed=$((failed + 1)); }
has no-compatible-wheel yes "$p/install" --image "$img/alpine"
has no-compatible-wheel no "$p/clean" --image "$img/alpine"
has no-compatible-wheel no "$p/install" --python 3.11 --python-platform x86_64-manylinux_2_39
has sdist-only yes "$p/install" --image "$img/ok"
has sdist-only no "$p/clean" --image "$img/ok"
has os-package-replaced yes "$p/install" --image "$img/ok"
has os-package-replaced no "$p/install" --python 3.11
has package-unverified yes "$p/security" --python 3.11
has package-unverified no "$p/install" --image "$img/ok"
# A marker that does not hold on the target keeps a package out (winonly is win32 only).
"$THOTH" check "$p/install" --image "$img/ok" --format json --fail-on never > "$tmp/out.json"
jq -e '[.findings[] | select(.package.name == "winonly")] | length == 0' "$tmp/out.json" > /dev/null &&
  passed=$((passed + 1)) || { echo "FAIL: winonly judged"; failed=$((failed + 1)); }

# conflicts (pip check over the image plus the lock)
has dependency-conflict yes "$p/conflicts" --image "$img/conflict" --lock "$p/conflicts/requirements-unpinned.txt"
has dependency-conflict no "$p/conflicts" --image "$img/conflict"
has dependency-missing yes "$p/conflicts" --image "$img/conflict" --lock "$p/conflicts/requirements-unpinned.txt"
has dependency-missing no "$p/conflicts" --image "$img/conflict"

# gpu: a +cu118 build; nvidia-* wheels carry CUDA; the driver is never judged
has cuda-missing yes "$p/gpu" --image "$img/ok"
has cuda-missing no "$p/gpu" --image "$img/cuda11"
has cuda-mismatch yes "$p/gpu" --image "$img/cuda12"
has cuda-mismatch no "$p/gpu" --image "$img/cuda11"
has cuda-mismatch no "$p/gpu" --image "$img/cuda11" --lock "$p/gpu/requirements-wheels.txt" --rules "$fx/rules"
has cuda-missing no "$p/gpu" --image "$img/ok" --lock "$p/gpu/requirements-wheels.txt" --rules "$fx/rules"
has cuda-mismatch yes "$p/gpu" --image "$img/cuda11" --lock "$p/gpu/requirements-tf.txt" --rules "$fx/rules"
has cudnn-mismatch yes "$p/gpu" --image "$img/cuda12" --lock "$p/gpu/requirements-tf.txt" --rules "$fx/rules"
# the shipped rules know TensorFlow 2.15's tested configuration too (CUDA 12.2, cuDNN 8.9)
has cudnn-mismatch yes "$p/gpu" --image "$img/cuda12" --lock "$p/gpu/requirements-tf.txt"
has cuda-missing no "$p/gpu" --image "$img/ok" --lock "$p/gpu/requirements-tf.txt" --rules "$fx/rules"

# code
has api-removed yes "$p/code" --python 3.12
has api-removed no "$p/code" --python 3.11 --lock "$p/code/old/pylock.toml"
has stdlib-module-absent yes "$p/code" --python 3.12
has stdlib-module-absent no "$p/code" --python 3.11
has import-unprovided yes "$p/code" --python 3.11
has import-unprovided no "$p/code" --image "$img/ok"
has import-unprovided no "$p/code" --python 3.11 --lock "$p/code/old/pylock.toml"
has optional-import-unprovided yes "$p/code" --python 3.11
has optional-import-unprovided no "$p/clean" --python 3.11

# security
has vulnerable-package yes "$p/security" --python 3.11
has vulnerable-package no "$p/security" --python 3.11 --lock "$p/security/requirements-fixed.txt"
has vulnerable-package no "$p/security" --image "$img/dpkg"
has distribution-package-advisory yes "$p/security" --image "$img/dpkg"
has distribution-package-advisory no "$p/security" --image "$img/ok"

# inline ignore: app.py line 20 ignores api-removed (numpy.int); line 16 (numpy.float) is not.
"$THOTH" check "$p/code" --python 3.12 --format json --fail-on never > "$tmp/out.json"
[ "$(jq -r '[.findings[] | select(.id == "api-removed") | "\(.location.line):\(.suppressed)"] | join(" ")' \
  "$tmp/out.json")" = "16:null 20:inline" ] && passed=$((passed + 1)) ||
  { echo "FAIL: inline ignore"; jq -c '.findings[] | [.id, .location, .suppressed]' "$tmp/out.json"; failed=$((failed + 1)); }

# baseline: the json output serves as one; then nothing is left to fail on.
status 1 "$p/code" --python 3.12
"$THOTH" check "$p/code" --python 3.12 --format json --fail-on never > "$tmp/baseline.json"
status 0 "$p/code" --python 3.12 --baseline "$tmp/baseline.json"
"$THOTH" check "$p/code" --python 3.12 --baseline "$tmp/baseline.json" --format json > "$tmp/out.json"
[ "$(jq '.counts.suppressed' "$tmp/out.json")" = 5 ] && [ "$(jq -r .verdict "$tmp/out.json")" = pass ] &&
  passed=$((passed + 1)) || { echo "FAIL: baseline counts"; jq .counts "$tmp/out.json"; failed=$((failed + 1)); }
# A fingerprint survives the finding moving to another line.
cp -r "$p/code" "$tmp/moved"
{ printf '# a comment that moves every line down\n'; cat "$p/code/app.py"; } > "$tmp/moved/app.py"
status 0 "$tmp/moved" --python 3.12 --baseline "$tmp/baseline.json"

# exit statuses and --fail-on
status 1 "$p/security" --python 3.11
status 0 "$p/security" --python 3.11 --fail-on never
status 1 "$p/install" --python 3.9 --python-platform x86_64-manylinux_2_39 --fail-on warning
status 0 "$p/clean" --python 3.11 --fail-on warning
status 2 "$p/clean" --image "$tmp/no-such-image"
status 2 "$p/clean" --lock "$p/clean/app.py"
status 2 "$p/clean" --baseline "$p/clean/app.py"
status 2 "$p/clean" --image "$img/ok" --python 3.11
printf 'not = [valid' > "$tmp/pylock.toml"
status 2 "$p/clean" --lock "$tmp/pylock.toml"

# Files, Requires-Python and dependencies from the knowledge base (a
# wheelhouse of real wheels written by ../shared/tools/mkwheel.py) when the
# lock pins versions only.
if [ -f "${THOTH_SHARED:-}/tools/mkwheel.py" ] && command -v python3 >/dev/null 2>&1; then
  mkdir -p "$tmp/wh"
  python3 - "$THOTH_SHARED/tools" "$tmp/wh" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
from mkwheel import mkwheel
mkwheel(sys.argv[2], "kbpkg", "1.0", ["dep>=2"], None, "cp311-cp311-manylinux_2_39_x86_64")
mkwheel(sys.argv[2], "dep", "1.0")
mkwheel(sys.argv[2], "newpy", "1.0", [], ">=3.13")
PY
  "$THOTH" kb import "$tmp/wh" --quiet || { echo "FAIL: kb import wheelhouse"; failed=$((failed + 1)); }
  has no-compatible-wheel yes "$p/kb" --python 3.11 --python-platform x86_64-manylinux_2_36
  has no-compatible-wheel no "$p/kb" --python 3.11 --python-platform x86_64-manylinux_2_39
  has python-unsupported yes "$p/kb" --python 3.11
  has python-unsupported no "$p/kb" --python 3.13
  has dependency-conflict yes "$p/kb" --python 3.11
  has package-unverified no "$p/kb" --python 3.11
fi

# PROJECT may be a lock file in the project.
has vulnerable-package yes "$p/security/requirements.txt" --python 3.11

# SARIF 2.1.0, valid against the official schema (when ../shared and jsonschema are here),
# with the inline suppression and relative URIs.
if [ -f "${THOTH_SHARED:-}/data/schemas/sarif/sarif-schema-2.1.0.json" ] && /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
  . "$THOTH_SOURCE/tests/lib/validate_sarif.sh"
  for t in code install security; do
    "$THOTH" check "$p/$t" --python 3.12 --format sarif --fail-on never > "$tmp/$t.sarif" &&
      validate_sarif "$tmp/$t.sarif" > "$tmp/v" 2>&1 && passed=$((passed + 1)) ||
      { echo "FAIL: sarif $t"; head -n 12 "$tmp/v"; failed=$((failed + 1)); }
  done
  jq -e '[.runs[0].results[] | select(.suppressions[0].kind == "inSource")] | length == 1' "$tmp/code.sarif" > /dev/null &&
    jq -e 'all(.runs[0].results[].locations[]?.physicalLocation.artifactLocation; .uriBaseId == "SRCROOT" and (.uri | startswith("/") | not))' \
      "$tmp/code.sarif" > /dev/null && passed=$((passed + 1)) || { echo "FAIL: sarif suppressions/uris"; failed=$((failed + 1)); }
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
