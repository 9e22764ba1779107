#!/bin/sh
# scan repo maps imports to distributions from facts before guesses: the
# built-in table (dotted keys inside shared namespaces, alternative builds),
# the knowledge base's project names, then the name itself, marked as a
# guess; a declared alternative build satisfies the import and is not unused.
set -u
: "${THOTH:?}"
for t in jq tar; do command -v $t >/dev/null || { echo "skipped: no $t command"; exit 77; }; done
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export THOTH_DB=$tmp/t.db
passed=0 failed=0
t() { # LABEL EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $1: expected '$2', got '$3'"; fi
}
p=$tmp/proj
mkdir -p "$p/app"
cat > "$p/app/main.py" <<'PY'
import cv2
import tensorflow as tf
from google.protobuf import message
from google.cloud import storage
import kb_only_proj
import nowhere_known
from PIL import Image
PY
printf 'opencv-python-headless\ntensorflow-cpu==2.15\nprotobuf\npillow\n' > "$p/requirements.txt"
findings() { jq -r '.findings[] | "\(.rule) \(.subject): \(.message)"' "$1"; }

"$THOTH" scan repo "$p" --format json > "$tmp/1.json"
t "scan exits 0" 0 $?
t "alternatives and dotted keys satisfy their imports" "" "$(findings "$tmp/1.json" | grep -e cv2 -e ' tensorflow' -e protobuf -e PIL -e unused)"
t "a dotted key names the distribution" \
  "missing-dependency google.cloud.storage: 'google.cloud.storage' is imported but not declared (distribution google-cloud-storage)" \
  "$(findings "$tmp/1.json" | grep 'google-cloud')"
t "unknown: guessed" 1 "$(findings "$tmp/1.json" | grep -c "nowhere_known, guessed from the name")"
t "declared all used" "true true true true" "$(jq -r '[.declared_dependencies[].used] | join(" ")' "$tmp/1.json")"

# The knowledge base knows a project: its name is no longer a guess.
mkdir -p "$tmp/wh" "$tmp/sd/Kb_Only_Proj-1.0"
printf 'Metadata-Version: 1.2\nName: Kb_Only_Proj\nVersion: 1.0\n' > "$tmp/sd/Kb_Only_Proj-1.0/PKG-INFO"
(cd "$tmp/sd" && tar czf "$tmp/wh/Kb_Only_Proj-1.0.tar.gz" Kb_Only_Proj-1.0)
"$THOTH" kb import --quiet --index-name local "$tmp/wh"
t "kb import" 0 $?
"$THOTH" scan repo "$p" --format json > "$tmp/2.json"
t "knowledge-base project" 1 "$(findings "$tmp/2.json" | grep -c "kb_only_proj: .*(distribution kb-only-proj, a knowledge-base project)")"
t "others unchanged" 1 "$(findings "$tmp/2.json" | grep -c "nowhere_known, guessed from the name")"
# A declared distribution whose knowledge-base metadata requires another:
# importing the other is transitive, with the chain.
mkdir -p "$tmp/sd/Web_Fw-2.0" "$tmp/sd/Web_Fw-3.0rc1" "$tmp/sd/helper-lib-1.0" "$p/more"
printf 'Metadata-Version: 1.2\nName: Web_Fw\nVersion: 2.0\nRequires-Dist: Helper.Lib>=1\nRequires-Dist: extra-only ; extra == "x"\n' \
  > "$tmp/sd/Web_Fw-2.0/PKG-INFO"
printf 'Metadata-Version: 1.2\nName: Web_Fw\nVersion: 3.0rc1\n' > "$tmp/sd/Web_Fw-3.0rc1/PKG-INFO"
printf 'Metadata-Version: 1.2\nName: helper-lib\nVersion: 1.0\n' > "$tmp/sd/helper-lib-1.0/PKG-INFO"
for d in Web_Fw-2.0 Web_Fw-3.0rc1 helper-lib-1.0; do (cd "$tmp/sd" && tar czf "$tmp/wh/$d.tar.gz" "$d"); done
"$THOTH" kb import --quiet --index-name local "$tmp/wh"
t "kb import again" 0 $?
printf 'import web_fw\nimport helper_lib\nimport extra_only\n' > "$p/more/use.py"
printf 'web-fw\n' >> "$p/requirements.txt"
"$THOTH" scan repo "$p" --format json > "$tmp/3.json"
t "transitive through the knowledge base" \
  "transitive-dependency helper-lib: 'helper_lib' is imported but only present through web-fw -> helper-lib (per the knowledge base), not declared" \
  "$(findings "$tmp/3.json" | grep helper)"
t "not through an extra" 1 "$(findings "$tmp/3.json" | grep -c "missing-dependency extra_only")"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
