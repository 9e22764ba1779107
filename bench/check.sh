#!/bin/sh
# thoth check on the real Debian image (../shared/tools/build-debian-image.sh,
# as tests/sh/check_debian.sh builds it into BUILD/debian-image) with a
# 50-package lock, the image's facts and the advisories of those packages
# already in the database. Target: at most 100 ms.
#   warm check    vs a re-scan of the same image through the layer cache
#                 (what check would cost without reusing the stored facts)
#   warm check    vs a cold check (fresh database: image scanned, sources parsed)
# Usage: sh bench/check.sh BUILD/thoth   (BENCH_RUNS, default 9)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
thoth=${1:-$here/../build/thoth}
build=$(cd "$(dirname "$thoth")" && pwd)
shared=${THOTH_SHARED:-$here/../../shared}
runs=${BENCH_RUNS:-9}
image=$build/debian-image/oci
[ -d "$image" ] || { echo "bench check: $image is absent (run ctest -R check_debian first)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/bench.db
proj=$tmp/app
mkdir -p "$proj"
printf 'import flask\nimport jinja2\nimport requests\nimport yaml\nimport numpy as np\n\nx = np.float(1)\n' > "$proj/app.py"
printf 'flask\njinja2\nrequests\npyyaml\nnumpy\n' > "$proj/requirements.in"
# 50 pins: pure-Python wheels, manylinux wheels, an sdist, versions with advisories.
{
  echo 'lock-version = "1.0"'
  echo 'requires-python = ">=3.9"'
  for p in flask:2.0.1 jinja2:2.11.2 werkzeug:2.0.1 itsdangerous:2.0.1 click:8.0.1 markupsafe:2.0.1 \
           requests:2.25.1 urllib3:1.26.4 idna:2.10 certifi:2020.12.5 chardet:4.0.0 pyyaml:5.3.1 \
           django:3.2.4 sqlparse:0.4.1 asgiref:3.3.4 setuptools:57.0.0 wheel:0.36.2 six:1.16.0 \
           python-dateutil:2.8.1 pytz:2021.1 attrs:21.2.0 packaging:20.9 pyparsing:2.4.7 \
           toml:0.10.2 tomli:1.0.4 typing-extensions:3.10.0.0 zipp:3.4.1 importlib-metadata:4.5.0 \
           more-itertools:8.8.0 pluggy:0.13.1 py:1.10.0 iniconfig:1.1.1 pytest:6.2.4 \
           coverage:5.5 docutils:0.17.1 pygments:2.9.0 babel:2.9.1 sphinx:4.0.2 alabaster:0.7.12 \
           snowballstemmer:2.1.0 imagesize:1.2.0 gunicorn:20.1.0 waitress:2.0.0 pyjwt:2.1.0 \
           cryptography:3.4.7 cffi:1.14.5 pycparser:2.20 rsa:4.7.2 pyasn1:0.4.8 numpy:1.26.4; do
    n=${p%%:*} v=${p#*:}
    printf '\n[[packages]]\nname = "%s"\nversion = "%s"\n' "$n" "$v"
    case $n in
      numpy|cffi|markupsafe|pyyaml|cryptography) printf 'wheels = [{ name = "%s-%s-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl" }]\n' "$(echo "$n" | tr - _)" "$v" ;;
      pycparser) printf 'sdist = { name = "%s-%s.tar.gz" }\n' "$n" "$v" ;;
      *) printf 'wheels = [{ name = "%s-%s-py3-none-any.whl" }]\n' "$(echo "$n" | tr - _)" "$v" ;;
    esac
  done
} > "$proj/pylock.toml"
adv=$shared/data/advisories/pypa/vulns
srcs=""
for n in flask jinja2 werkzeug requests urllib3 pyyaml django sqlparse setuptools cryptography pyjwt rsa \
         babel pygments gunicorn waitress py numpy; do
  [ -d "$adv/$n" ] && srcs="$srcs $adv/$n"
done
THOTH_DB=$db $thoth kb import $srcs --quiet
THOTH_DB=$db $thoth check "$proj" --image "$image" --fail-on never --quiet

bench_machine
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "lock: $(grep -c '^\[\[packages\]\]' "$proj/pylock.toml") packages; image: $image"
THOTH_DB=$db $thoth check "$proj" --image "$image" --fail-on never | sed -n '1,5p'
bench_pair "warm check vs image re-scan (layer cache)" "$runs" \
  "THOTH_DB=$db $thoth check $proj --image $image --fail-on never" \
  "THOTH_DB=$db $thoth scan image $image"
bench_pair "warm check vs cold check" "$runs" \
  "THOTH_DB=$db $thoth check $proj --image $image --fail-on never" \
  "rm -f $tmp/cold.db*; THOTH_DB=$tmp/cold.db $thoth check $proj --image $image --fail-on never"
# CPU time (user + sys) of warm checks: unlike wall time, barely moved by
# other work on a shared machine.
i=0
while [ $i -lt "$runs" ]; do
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/t" sh -c "THOTH_DB=$db $thoth check $proj --image $image --fail-on never >/dev/null"
  cat "$tmp/t" >> "$tmp/all"
  i=$((i + 1))
done
awk '{ print ($2 + $3) * 1000 }' "$tmp/all" | bench_median | awk '{ printf "warm check CPU (user+sys), median          %8.1f ms (target: wall <= 100 ms)\n", $1 }'
awk '{ print $4 }' "$tmp/all" | bench_median | awk '{ printf "peak RSS, median                            %8.0f KiB\n", $1 }'
