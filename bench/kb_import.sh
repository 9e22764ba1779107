#!/bin/sh
# kb_import — the knowledge base's import speed:
#  1. the largest resolvelib index (cheroot: 775 projects, 13,275 versions:
#     ~14,000 requests for pages and PEP 658 metadata) from a local nginx,
#     against `curl --parallel` fetching the same URLs (target: within 1.5x);
#  2. a re-import with nothing changed, against the first import (target:
#     at most 5% of it, i.e. a ratio of 20x or more);
#  3. the whole PyPA advisory database (2,661 YAML files; target: 1 s),
#     against reading the same files with cat.
# Usage: sh bench/kb_import.sh [THOTH]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
THOTH=${1:-$root/build/thoth}
SHARED=${THOTH_SHARED:-$root/../shared}
. "$root/bench/lib.sh"
. "$root/tests/helpers/kb_nginx.sh"
[ -d "$SHARED/data" ] || { echo "kb_import: $SHARED/data is absent"; exit 0; }
W=$(mktemp -d)
trap 'kb_nginx_stop; rm -rf "$W"' EXIT
bench_machine

python3 "$SHARED/tools/json_index_to_simple.py" "$SHARED/data/resolver/resolvelib/index/pypi-2020-11-17-cheroot.json" \
  "$W/www/big" >/dev/null
kb_nginx_start "$W/nginx" "$W/www"
U=$KB_NGINX_URL/big/simple
# The same URLs thoth asks for: the root page, every project page, every metadata file.
{
  echo 'header = "Accept: application/vnd.pypi.simple.v1+json, text/html;q=0.01"'
  echo "url = \"$U/\""; echo 'output = "/dev/null"'
  for d in "$W"/www/big/simple/*/; do echo "url = \"$U/$(basename "$d")/\""; echo 'output = "/dev/null"'; done
  for f in "$W"/www/big/files/*.metadata; do
    echo "url = \"$KB_NGINX_URL/big/files/$(basename "$f")\""; echo 'output = "/dev/null"'
  done
} > "$W/urls.cfg"
echo "requests: $(grep -c '^url' "$W/urls.cfg")"

bench_pair "index import, 14k requests (vs curl)" 3 \
  "rm -f $W/a.db*; THOTH_DB=$W/a.db $THOTH kb import --quiet $U/" \
  "curl -s --parallel --parallel-max 32 -K $W/urls.cfg"
rm -f "$W"/b.db*
THOTH_DB=$W/b.db "$THOTH" kb import --quiet "$U/"
bench_pair "re-import unchanged (vs first import)" 3 \
  "THOTH_DB=$W/b.db $THOTH kb import --quiet $U/" \
  "rm -f $W/c.db*; THOTH_DB=$W/c.db $THOTH kb import --quiet $U/"
bench_pair "advisory database import (vs cat)" 5 \
  "rm -f $W/d.db*; THOTH_DB=$W/d.db $THOTH kb import --quiet $SHARED/data/advisories/pypa" \
  "find $SHARED/data/advisories/pypa -name '*.yaml' -exec cat {} + > /dev/null"
