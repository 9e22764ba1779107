#!/bin/sh
# Runs one golden CLI case: CASE/cmd holds the arguments, one per line
# (@FIXTURES@ and @SHARED@ and @TMP@ are replaced); CASE/stdin is fed if
# present; CASE/stdout, CASE/stderr and CASE/status hold what is expected
# (a missing stdout/stderr file means "anything"); CASE/absent lists paths
# that must not exist afterwards (nothing written on error). A case that needs
# ../shared has a file CASE/needs-shared and is skipped without it.
# THOTH_UPDATE_GOLDEN=1 rewrites the expectations from the actual run.
set -u
thoth=$1 case=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
if [ -f "$case/needs-shared" ] && [ ! -d "${THOTH_SHARED:-}/data" ]; then
  echo "skipped: ../shared is absent"; exit 77
fi
set --
while IFS= read -r line || [ -n "$line" ]; do
  line=$(printf '%s' "$line" | sed -e "s|@FIXTURES@|${THOTH_FIXTURES:-}|g" -e "s|@SHARED@|${THOTH_SHARED:-}|g" -e "s|@TMP@|$tmp|g")
  set -- "$@" "$line"
done < "$case/cmd"
stdin=/dev/null
[ -f "$case/stdin" ] && stdin=$case/stdin
THOTH_DB=$tmp/thoth.db "$thoth" "$@" < "$stdin" > "$tmp/stdout" 2> "$tmp/stderr"
echo $? > "$tmp/status"
# Paths of the temporary directory and of the fixtures are not part of the expectation.
sed -i -e "s|$tmp|@TMP@|g" ${THOTH_FIXTURES:+-e "s|$THOTH_FIXTURES|@FIXTURES@|g"} "$tmp/stdout" "$tmp/stderr"
if [ "${THOTH_UPDATE_GOLDEN:-}" = 1 ]; then
  cp "$tmp/stdout" "$tmp/stderr" "$tmp/status" "$case/"; exit 0
fi
fail=0
if [ -f "$case/absent" ]; then
  while IFS= read -r p; do
    p=$(printf '%s' "$p" | sed "s|@TMP@|$tmp|g")
    if [ -e "$p" ] || ls "$p".tmp.* >/dev/null 2>&1; then echo "case $(basename "$case"): $p was written"; fail=1; fi
  done < "$case/absent"
fi
for f in status stdout stderr; do
  [ -f "$case/$f" ] || continue
  if ! diff -u "$case/$f" "$tmp/$f"; then echo "case $(basename "$case"): $f differs"; fail=1; fi
done
exit $fail
