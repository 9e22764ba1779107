#!/bin/sh
# Loads Thoth's whole prescription corpus (../shared, AGPL data: read in
# place, never copied) and checks the counts by unit type, and that Thoth's
# quirks behave here as they do in Thoth's adviser.
set -u
tarball=${THOTH_SHARED:-}/data/rules/thoth-prescriptions.tar.gz
if [ ! -f "$tarball" ]; then
  echo "skipped: $tarball is absent"; exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export THOTH_DB="$tmp/thoth.db"
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
expect() { # DESCRIPTION EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then ok; else ko "$1: expected '$2', got '$3'"; fi
}

"$THOTH" rules check "$tarball" > "$tmp/check" 2> "$tmp/err"
expect "rules check exits 0" 0 $?
count() { awk -v t="$1" '$1 == t { print $2 }' "$tmp/check"; }
expect "units and files" "$tarball: 90611 units in 65091 files" "$(head -1 "$tmp/check")"
expect boot 3502 "$(count boot)"
expect pseudonym 2 "$(count pseudonym)"
expect sieves 55 $(( $(count sieve) + $(count sieve.SkipPackage) ))
expect steps 33 $(( $(count step) + $(count step.Group) + $(count step.SkipPackage) + $(count step.AddPackage) ))
expect stride 0 "$(count stride)"
expect wraps 87019 $(( $(count wrap) + $(count wrap.GHReleaseNotes) ))

# A GPU environment: CUDA 11.1, cuDNN 5.1.
cat > "$tmp/gpu.yaml" <<'YAML'
runtime_environments:
- name: gpu
  operating_system: {name: rhel, version: "8"}
  python_version: "3.8"
  cuda_version: "11.1"
  cudnn_version: "5.1"
  recommendation_type: stable
YAML
# (rules check compiled the corpus: list uses it, by content or as the current set)
"$THOTH" rules list --rules "$tarball" --env "$tmp/gpu.yaml" --unit-type sieve > "$tmp/sieves" 2>/dev/null
"$THOTH" rules list --env "$tmp/gpu.yaml" --unit-type sieve > "$tmp/sieves-current" 2>/dev/null
expect "the current compiled set lists the same" "" "$(cmp "$tmp/sieves" "$tmp/sieves-current" 2>&1)"
has() { grep -q " $1\$" "$tmp/sieves" && echo yes || echo no; }
# cuda_version: null means "no check" in Thoth, so the CPU-index sieve applies even with CUDA.
expect "cuda_version: null applies with CUDA" yes "$(has TorchTbProfilerCPUIndex)"
expect "cudnn_version ==5.1 applies" yes "$(has TensorFlowGPUcuDNN51Sieve)"
expect "cudnn_version ==6 does not" no "$(has TensorFlowGPUcuDNN6Sieve)"
# adviser_pipeline defaults to false: a labels-only sieve never joins the adviser.
expect "adviser_pipeline defaults to false" no "$(has PyPIIndexSieve)"

# A specifier set that matches nothing ("<1.0,>1.2") loads and matches no version.
versions="0.9 1.0 1.1 1.2 1.3 2.0"
# The unit matches one index only; take its URL from the corpus itself (this
# repository names no package registry host).
url=$(tar -xzOf "$tarball" | grep -A40 'name: DpathGitUnknownPyPIArtifactSizeWrap' |
  sed -n 's/.*index_url: *\([^ ]*\).*/\1/p' | head -n 1)
expect "the corpus names the unit's index" yes "$([ -n "$url" ] && echo yes || echo no)"
{
  for v in $versions; do echo "TensorFlowGPUcuDNN51Sieve tensorflow-gpu $v"; done
  echo "DpathGitUnknownPyPIArtifactSizeWrap dpath git-unknown $url"
  echo "DpathGitUnknownPyPIArtifactSizeWrap dpath 1.0 $url"
} | "$THOTH_BUILD/tests/rules_probe" "$tarball" > "$tmp/probe"
line() { sed -n "$1p" "$tmp/probe"; }
i=1
for v in $versions; do
  expect "TensorFlowGPUcuDNN51Sieve tensorflow-gpu $v" "no match" "$(line $i)"
  i=$((i + 1))
done
# A legacy specifier ("==git-unknown") matches its exact text only.
expect "legacy == matches its text" match "$(line 7)"
expect "legacy == matches nothing else" "no match" "$(line 8)"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
