#!/bin/sh
# advise without --index: projects the knowledge base does not know are
# fetched from the indexes pip or uv are configured with (lazy fetch), never
# from a public default; `--offline` uses the knowledge base only; projects
# the knowledge base already knows are never fetched again (its imported
# indexes come first). Everything runs with a private HOME and system
# folder (env -i), so the machine's own pip/uv configuration is never read:
# a file:// index from pip.conf, from PIP_INDEX_URL, from a project's
# uv.toml, and an HTTP index served by a private nginx.
set -u
FIX="${THOTH_FIXTURES:?}"
W=$(mktemp -d)
. "$THOTH_SOURCE/tests/helpers/kb_nginx.sh"
cleanup() { kb_nginx_stop 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
pass=0 fail=0
check() { # LABEL CMD...
	label=$1
	shift
	if "$@"; then pass=$((pass + 1)); else echo "FAIL $label"; fail=$((fail + 1)); fi
}
mkdir -p "$W/home/.config/pip" "$W/etc" "$W/proj"
cp "$FIX/advise/webapp/requirements.txt" "$FIX/advise/webapp/constraints.txt" "$W/proj/"
IDX="file://$FIX/advise/index/simple/"
# run DB ARGS...: thoth in a clean environment (HOME and /etc are ours)
run() {
	db=$1
	shift
	env -i PATH="$PATH" HOME="$W/home" THOTH_SYSCONFDIR="$W/etc" THOTH_DB="$W/$db" ${EXTRA_ENV:-} "$THOTH" "$@"
}
T="--python 3.11.7 --python-platform x86_64-manylinux_2_28 --format requirements"

# nothing configured: the knowledge base only, which is empty
run none.db advise "$W/proj" $T >"$W/out" 2>"$W/err"
check "nothing configured: no solution (exit 1)" [ $? -eq 1 ]
check "nothing configured: says the KB lacks it" grep -q "not in the knowledge base" "$W/err"

# pip.conf names a file:// index
printf '[global]\nindex-url = %s\n' "$IDX" >"$W/home/.config/pip/pip.conf"
run pip.db advise "$W/proj" $T >"$W/out" 2>"$W/err"
check "pip.conf index: advise succeeds" [ $? -eq 0 ]
check "pip.conf index: flask pinned" grep -q "^flask==3.0.0" "$W/out"
check "pip.conf index: the projects were stored" sh -c "env -i PATH=\"\$PATH\" THOTH_DB='$W/pip.db' '$THOTH' kb show flask | grep -q 3.0.0"

# --offline: the same configuration is not used
run offline.db advise "$W/proj" $T --offline >"$W/out" 2>"$W/err"
check "--offline: no fetch, no solution" [ $? -eq 1 ]
run offline.db advise "$W/proj" $T --offline --index "$IDX" >"$W/out" 2>"$W/err"
check "--offline with --index is a usage error" [ $? -eq 2 ]

# the KB first: with what it knows, an unreachable configured index is never asked
printf '[global]\nindex-url = http://127.0.0.1:9/simple/\n' >"$W/home/.config/pip/pip.conf"
run pip.db advise "$W/proj" $T >"$W/out" 2>"$W/err"
check "known projects are not fetched again" [ $? -eq 0 ]
rm "$W/home/.config/pip/pip.conf"

# PIP_INDEX_URL
EXTRA_ENV="PIP_INDEX_URL=$IDX" run env.db advise "$W/proj" $T >"$W/out" 2>"$W/err"
check "PIP_INDEX_URL: advise succeeds" [ $? -eq 0 ]

# uv.toml beside the manifests (uv's project configuration)
printf '[[index]]\nname = "fixture"\nurl = "%s"\n' "$IDX" >"$W/proj/uv.toml"
run uv.db advise "$W/proj/requirements.txt" $T >"$W/out" 2>"$W/err"
check "uv.toml index: advise succeeds" [ $? -eq 0 ]
check "uv.toml index: flask pinned" grep -q "^flask==3.0.0" "$W/out"
EXTRA_ENV="UV_NO_CONFIG=1" run uv2.db advise "$W/proj" $T >"$W/out" 2>"$W/err"
check "UV_NO_CONFIG: uv.toml ignored" [ $? -eq 1 ]
rm "$W/proj/uv.toml"

# an HTTP index served by nginx, from pip.conf
# (the fixture's pages are PEP 691 JSON: served as index.json, which the
# server picks for a client that asks for JSON)
cp -r "$FIX/advise/index" "$W/www"
for d in "$W/www/simple" "$W/www/simple"/*/; do cp "$d/index.html" "$d/index.json"; done
if command -v nginx >/dev/null 2>&1 && kb_nginx_start "$W/nginx" "$W/www"; then
	printf '[global]\nindex-url = %s/simple/\n' "$KB_NGINX_URL" >"$W/home/.config/pip/pip.conf"
	run http.db advise "$W/proj" $T >"$W/out" 2>"$W/err"
	check "http index from pip.conf: advise succeeds" [ $? -eq 0 ]
	check "http index: same pins as file://" sh -c "grep -c '==' '$W/out' | grep -qx 7"
	kb_nginx_stop
else
	echo "note: nginx did not start; the HTTP case was not run"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
