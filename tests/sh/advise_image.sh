#!/bin/sh
# advise --image: the target built from an image's facts (the crafted images
# of fixtures/images/make.sh, scanned as root filesystems): Python from the
# image's interpreter, the manylinux level from its OS release, CUDA from
# its libraries; the stack is fitted to it (fixtures/advise index). An image
# without Python is a usage error naming it (a root filesystem has no digest, so each advise scans it again; images with a config digest are reused).
set -u
command -v jq >/dev/null 2>&1 || { echo "skip: jq is not installed"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
sh "$THOTH_SOURCE/fixtures/images/make.sh" "$T/img" "$THOTH" >/dev/null 2>&1 || { echo "make.sh failed"; exit 1; }
export THOTH_DB="$T/db"
pass=0 fail=0
check() { # LABEL WANT GOT
	if [ "$2" = "$3" ]; then pass=$((pass + 1)); else echo "FAIL $1: want [$2], got [$3]"; fail=$((fail + 1)); fi
}
"$THOTH" advise "$THOTH_FIXTURES/advise/webapp" --image "$T/img/debian/layer1" --index "$THOTH_FIXTURES/advise/index" \
	--format json >"$T/out.json" 2>"$T/err"
check "status" 0 $?
check "source" "image $T/img/debian/layer1" "$(jq -r .environment.source "$T/out.json")"
check "python from the image" "3.11.4" "$(jq -r .environment.python_version "$T/out.json")"
check "glibc from debian 12" "x86_64-manylinux_2_36" "$(jq -r .environment.platform "$T/out.json")"
check "cuda from its libraries" "12.2.140" "$(jq -r .environment.cuda_version "$T/out.json")"
check "numpy wheel for the image" "numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl" \
	"$(jq -r '.stacks[0].packages[] | select(.name == "numpy") | .file' "$T/out.json")"
# --python overrides the image's interpreter
"$THOTH" advise "$THOTH_FIXTURES/advise/webapp" --image "$T/img/debian/layer1" --python 3.12.1 --format json >"$T/out2.json" 2>"$T/err"
check "override" "3.12.1 cp312" "$(jq -r .environment.python_version "$T/out2.json") $(jq -r '.stacks[0].packages[] | select(.name == "numpy") | .file' "$T/out2.json" | cut -d- -f3)"
"$THOTH" advise "$THOTH_FIXTURES/advise/webapp" --image "$T/img/alpine/layer1" >/dev/null 2>"$T/err"
check "no python: status" 2 $?
check "no python: message" "thoth: image $T/img/alpine/layer1: no Python interpreter found" "$(cat "$T/err")"
"$THOTH" advise "$THOTH_FIXTURES/advise/webapp" --image "$T/img/debian/layer1" --env "$THOTH_FIXTURES/advise/thoth.yaml" >/dev/null 2>&1
check "image and env" 2 $?
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
