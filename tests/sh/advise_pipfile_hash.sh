#!/bin/sh
# `thoth advise --format pipfile-lock`: _meta.hash.sha256 must be pipenv's hash
# of the Pipfile (plette's Pipfile.get_hash: sha256 over the canonical JSON
# of its sources, requires, packages and dev-packages), so pipenv takes the
# lock as current. Differential: the expected hash is computed here by
# Debian's Python (tomllib + json + hashlib, as an oracle) for several
# Pipfiles — pipenv's own layout, inline tables, escapes and non-ASCII text,
# floats, integers, booleans, arrays, several sources, sections pipenv does
# not hash ([scripts], [pipenv]), absent sections.
set -u
PY=/usr/bin/python3
[ -x "$PY" ] && "$PY" -c 'import tomllib' 2>/dev/null || { echo "skip: $PY with tomllib is absent"; exit 77; }
command -v jq >/dev/null 2>&1 || { echo "skip: jq is not installed"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export THOTH_DB="$T/kb.db"
pass=0 fail=0

# check NAME: $T/NAME/Pipfile must exist
check() {
	d="$T/$1"
	want=$("$PY" -c '
import hashlib, json, sys, tomllib
d = tomllib.load(open(sys.argv[1], "rb"))
x = {"_meta": {"sources": d.get("source", []), "requires": d.get("requires", {})},
     "default": d.get("packages", {}), "develop": d.get("dev-packages", {})}
print(hashlib.sha256(json.dumps(x, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest())
' "$d/Pipfile") || { echo "FAIL $1: the oracle cannot read it"; fail=$((fail + 1)); return; }
	"$THOTH" advise "$d" --python 3.11 --python-platform x86_64-manylinux_2_36 --index "$THOTH_FIXTURES/advise/index" \
		--format pipfile-lock >"$T/out.json" 2>"$T/err" || { echo "FAIL $1: advise: $(cat "$T/err")"; fail=$((fail + 1)); return; }
	got=$(jq -r '._meta.hash.sha256' "$T/out.json")
	if [ "$got" = "$want" ]; then
		pass=$((pass + 1))
	else
		echo "FAIL $1: _meta.hash.sha256 $got, pipenv's $want"
		fail=$((fail + 1))
	fi
}

mkdir "$T/plain" "$T/inline" "$T/sources" "$T/quoted" "$T/bare"
cat >"$T/plain/Pipfile" <<'P'
[[source]]
url = "file:///srv/simple"
verify_ssl = true
name = "local"

[packages]
flask = "*"

[dev-packages]
click = "*"

[requires]
python_version = "3.11"
P
cat >"$T/inline/Pipfile" <<'P'
[packages]
werkzeug = {version = ">=2", markers = "os_name == \"posix\"", extras = ["watchdog"]}
Flask = {version = "*", index = "local"}
"itsdangerous" = ">=1"

[dev-packages]

[requires]
python_version = 3.11
python_full_version = "3.11.7"
weights = [1.5, 100.0, -0.0, 1e20, 0.00001, 1.25e-7, 12345678901234567.0, 0.1]
count = 42
big = -9007199254740993
on = true
off = false

[[source]]
name = "caf\u00e9 \u2603 \U0001D11E über"
url = "file:///srv/tab\there/\"q\"/back\\slash/\u007f/\u0001"
verify_ssl = false
P
cat >"$T/sources/Pipfile" <<'P'
[[source]]
name = "b"
url = "file:///b/simple"
verify_ssl = true

[[source]]
name = "a"
url = "file:///a/simple"
verify_ssl = true

[scripts]
serve = "flask run"

[pipenv]
allow_prereleases = false

[packages]
click = ">=8"
blinker = "*"
P
cat >"$T/quoted/Pipfile" <<'P'
[[source]]
name = "local"
url = 'file:///literal\path'
verify_ssl = true

[packages]
"flask" = {version = "*", extras = [], nested = {deep = {deeper = [1, "two", {three = 3}]}}}
'markupsafe' = """>=2"""
P
cat >"$T/bare/Pipfile" <<'P'
[[source]]
name = "local"
url = "file:///srv/simple"
verify_ssl = true
P
check plain
check inline
check sources
check quoted
check bare
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
