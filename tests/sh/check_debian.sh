#!/bin/sh
# thoth check against the REAL Debian image (../shared/tools/build-debian-image.sh,
# built once per build directory by tests/lib/debian_image.sh): locks that
# cannot install on it (a Python it lacks, a wheel for a newer glibc, pins
# with known advisories from ../shared/data/advisories), one that can, the
# image's own distributions reported as distribution packages, and the SARIF
# output validated against the official schema.
set -u
: "${THOTH:?}" "${THOTH_BUILD:?}"
tools=${THOTH_SHARED:-}/tools
adv=${THOTH_SHARED:-}/data/advisories/pypa/vulns
[ -d "$adv" ] || { echo "skipped: ../shared/data/advisories is absent"; exit 77; }
command -v jq >/dev/null 2>&1 || { echo "skipped: jq is not installed"; exit 77; }
. "$THOTH_SOURCE/tests/lib/debian_image.sh"
out=$debian_image
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export THOTH_DB="$tmp/db"
"$THOTH" kb import "$adv/urllib3" "$adv/jinja2" "$adv/requests" --quiet || { echo "FAIL: kb import"; exit 1; }
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }
mkdir -p "$tmp/app"
printf 'import jinja2\nimport requests\nimport yaml\n' > "$tmp/app/app.py"
printf 'jinja2\nrequests\n' > "$tmp/app/requirements.in"

# check IMAGE-FORM LOCK-TEXT JQ-TEST DESCRIPTION
check() {
  form=$1 lock=$2 test=$3 what=$4
  printf '%s\n' "$lock" > "$tmp/app/pylock.toml"
  if "$THOTH" check "$tmp/app" --image "$out/$form" --format json --fail-on never > "$tmp/out.json" 2> "$tmp/err" &&
     jq -e "$test" "$tmp/out.json" > /dev/null; then ok; else
    bad "$what ($form)"; cat "$tmp/err"; jq -c '.findings[] | [.id, .message]' "$tmp/out.json" 2>/dev/null; fi
}

# The image's facts: Python 3.11.2, glibc 2.36.
check oci 'lock-version = "1.0"' '.target.python == "3.11.2" and .target.platform == "x86_64-manylinux_2_36"' "target"

# A Python version the image lacks.
check oci 'lock-version = "1.0"
requires-python = ">=3.12"' '[.findings[] | select(.id == "python-unsupported")] | length == 1' "lock for Python 3.12"
check oci '[[packages]]
name = "modern"
version = "1.0"
requires-python = ">=3.12"
wheels = [{ name = "modern-1.0-py3-none-any.whl" }]' \
  '.findings[] | select(.id == "python-unsupported" and .package.name == "modern")' "package for Python 3.12"

# A wheel for a newer glibc than bookworm's 2.36.
check oci '[[packages]]
name = "newglibc"
version = "1.0"
wheels = [{ name = "newglibc-1.0-cp311-cp311-manylinux_2_38_x86_64.whl" }]' \
  '.findings[] | select(.id == "no-compatible-wheel" and (.message | test("glibc 2.38, the target has 2.36")))' "glibc 2.38 wheel"
# ... and one for bookworm's own: installs.
check rootfs '[[packages]]
name = "oldglibc"
version = "1.0"
wheels = [{ name = "oldglibc-1.0-cp311-cp311-manylinux_2_28_x86_64.whl" }]' \
  '[.findings[] | select(.id == "no-compatible-wheel")] | length == 0' "glibc 2.28 wheel"

# Pins with known advisories (not in the image: pip installs them).
check image.docker.tar '[[packages]]
name = "jinja2"
version = "2.10"
wheels = [{ name = "Jinja2-2.10-py2.py3-none-any.whl" }]' \
  '[.findings[] | select(.id == "vulnerable-package" and .package.name == "jinja2")] | length >= 2' "jinja2 2.10 advisories"
# urllib3 1.26.12 as Debian ships it: a distribution package, not a vulnerable upstream.
check oci-zstd 'lock-version = "1.0"' \
  '([.findings[] | select(.id == "distribution-package-advisory" and .package.name == "urllib3")] | length >= 1) and
   ([.findings[] | select(.id == "vulnerable-package")] | length == 0)' "dpkg-installed urllib3"
# The same version pinned from PyPI over a different one: a vulnerable pin.
check image.oci.tar '[[packages]]
name = "urllib3"
version = "1.26.5"
wheels = [{ name = "urllib3-1.26.5-py2.py3-none-any.whl" }]' \
  '(.findings[] | select(.id == "vulnerable-package" and .package.name == "urllib3")) and
   (.findings[] | select(.id == "os-package-replaced"))' "urllib3 1.26.5 over Debian's"
# The image provides yaml and requests: no import-unprovided.
check oci 'lock-version = "1.0"' '[.findings[] | select(.id == "import-unprovided")] | length == 0' "image provides imports"
# Exit status: the vulnerable pin fails the gate.
printf '[[packages]]\nname = "jinja2"\nversion = "2.10"\nwheels = [{ name = "Jinja2-2.10-py2.py3-none-any.whl" }]\n' > "$tmp/app/pylock.toml"
"$THOTH" check "$tmp/app" --image "$out/oci" > /dev/null 2>&1
[ $? = 1 ] && ok || bad "exit status 1"

# SARIF, valid against the official schema.
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
  . "$THOTH_SOURCE/tests/lib/validate_sarif.sh"
  if "$THOTH" check "$tmp/app" --image "$out/oci" --format sarif --fail-on never > "$tmp/c.sarif" &&
     validate_sarif "$tmp/c.sarif" > "$tmp/v" 2>&1 &&
     jq -e '.runs[0].results | length > 0 and all(.[]; .partialFingerprints["thoth/v1"] | length == 64)' "$tmp/c.sarif" > /dev/null
  then ok; else bad "sarif"; head -n 12 "$tmp/v"; fi
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
