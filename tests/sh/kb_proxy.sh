#!/bin/sh
# kb_proxy — imports through the proxies the environment names, proven by
# the proxies' own logs:
# - http_proxy: nginx as a forward proxy for plain http (its access log lists
#   every URL thoth asked for; a dead proxy makes the import fail);
# - no_proxy: the same import bypasses it (the log does not grow);
# - HTTPS_PROXY: tests/helpers/kb_connect_proxy tunnels CONNECT to an https
#   nginx with a self-signed certificate, trusted through SSL_CERT_FILE (and
#   refused without it).
# The proxy variables of the caller are dropped first.
set -u
: "${THOTH:?}" "${THOTH_BUILD:?}" "${THOTH_SOURCE:?}"
command -v nginx >/dev/null 2>&1 || { echo "skip: nginx is not installed"; exit 77; }
for t in curl sqlite3 sha256sum openssl; do
  command -v $t >/dev/null 2>&1 || { echo "skip: $t is not installed"; exit 77; }
done
unset http_proxy https_proxy HTTPS_PROXY ALL_PROXY all_proxy no_proxy NO_PROXY
. "$THOTH_SOURCE/tests/helpers/kb_nginx.sh"

W=$(mktemp -d)
cpid=
trap 'kb_nginx_stop; [ -n "$cpid" ] && kill $cpid 2>/dev/null; rm -rf "$W"' EXIT
. "$THOTH_SOURCE/tests/helpers/kb_check.sh"

# One small index: two projects, one metadata file each.
www=$W/www
for p in alpha beta; do
  mkdir -p "$www/idx/simple/$p" "$www/idx/files"
  printf 'Metadata-Version: 2.1\nName: %s\nVersion: 1.0\n' "$p" > "$www/idx/files/$p-1.0-py3-none-any.whl.metadata"
  printf 'wheel\n' > "$www/idx/files/$p-1.0-py3-none-any.whl"
  mh=$(sha256sum < "$www/idx/files/$p-1.0-py3-none-any.whl.metadata" | cut -c1-64)
  printf '<a href="../../files/%s-1.0-py3-none-any.whl" data-core-metadata="sha256=%s">%s-1.0-py3-none-any.whl</a>\n' \
    "$p" "$mh" "$p" > "$www/idx/simple/$p/index.html"
done
printf '<a href="alpha/">alpha</a>\n<a href="beta/">beta</a>\n' > "$www/idx/simple/index.html"

# A certificate for 127.0.0.1 (a throwaway CA of its own).
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$W/key.pem" -out "$W/cert.pem" > /dev/null 2>&1 || { echo "skip: openssl cannot make a certificate"; exit 77; }

# Extra nginx servers: a forward proxy (port+1) and https (port+2).
extra() {
  cat <<CONF
  log_format proxied '\$request';
  server {
    listen 127.0.0.1:$((KB_NGINX_PORT + 1));
    access_log $1/proxy.log proxied;
    location / { proxy_pass http://\$http_host; }
  }
  server {
    listen 127.0.0.1:$((KB_NGINX_PORT + 2)) ssl;
    ssl_certificate $W/cert.pem;
    ssl_certificate_key $W/key.pem;
    root $2;
    index index.html;
  }
CONF
}
KB_NGINX_EXTRA=extra
kb_nginx_start "$W/nginx" "$www" || { echo "skip: nginx did not start"; exit 77; }
U=$KB_NGINX_URL
P=http://127.0.0.1:$((KB_NGINX_PORT + 1))
S=https://127.0.0.1:$((KB_NGINX_PORT + 2))
: > "$W/nginx/proxy.log"
nlog() { wc -l < "$W/nginx/proxy.log" | tr -d ' '; }

# ---- http_proxy ----
out=$(env http_proxy="$P" THOTH_DB="$W/a.db" "$THOTH" kb import "$U/idx/simple/" 2>&1)
check "through http_proxy: succeeds" same "$?" 0
check "through http_proxy: imported" same "$(sqlite3 "$W/a.db" 'SELECT count(*) FROM kb_metadata')" 2
# Root page, two project pages, two metadata files, and the end of each
# project's wheel (read for import names; these stand-ins are no zips, so
# nothing more): all seven through the proxy.
check "through http_proxy: every request in the proxy's log" same "$(nlog)" 7
check "through http_proxy: absolute URLs, as a proxy is asked" grep -q "^GET $U/idx/files/alpha-1.0-py3-none-any.whl.metadata HTTP/1.1" "$W/nginx/proxy.log"

out=$(env http_proxy="$P" no_proxy=127.0.0.1 THOTH_DB="$W/b.db" "$THOTH" kb import "$U/idx/simple/" 2>&1)
check "no_proxy: succeeds" same "$?" 0
check "no_proxy: the proxy was not asked" same "$(nlog)" 7

env http_proxy=http://127.0.0.1:1 THOTH_DB="$W/c.db" "$THOTH" kb import "$U/idx/simple/" > "$W/out" 2> "$W/err"
check "a dead proxy: exit 2" same "$?" 2
check "a dead proxy: the error says so" grep -qi "proxy\|127.0.0.1:1\|connect" "$W/err"

# ---- HTTPS_PROXY (CONNECT) with a custom CA bundle ----
"$THOTH_BUILD/tests/kb_connect_proxy" "$W/connect.log" > "$W/cport" &
cpid=$!
i=0; while [ ! -s "$W/cport" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
C=http://127.0.0.1:$(cat "$W/cport")
out=$(env HTTPS_PROXY="$C" SSL_CERT_FILE="$W/cert.pem" THOTH_DB="$W/d.db" "$THOTH" kb import "$S/idx/simple/" 2>&1)
check "through HTTPS_PROXY: succeeds" same "$?" 0
check "through HTTPS_PROXY: imported" same "$(sqlite3 "$W/d.db" 'SELECT count(*) FROM kb_metadata')" 2
check "through HTTPS_PROXY: tunnelled" grep -q "^CONNECT 127.0.0.1:$((KB_NGINX_PORT + 2)) HTTP/1.1" "$W/connect.log"
check "HTTPS_PROXY is not used for http" same "$(env HTTPS_PROXY=http://127.0.0.1:1 THOTH_DB="$W/e.db" "$THOTH" kb import --quiet "$U/idx/simple/" 2>&1; echo $?)" 0
env HTTPS_PROXY="$C" THOTH_DB="$W/f.db" SSL_CERT_FILE=/dev/null "$THOTH" kb import "$S/idx/simple/" > "$W/out" 2> "$W/err"
check "an untrusted certificate: exit 2" same "$?" 2
check "an untrusted certificate: says so" grep -qi "certificate" "$W/err"

kb_check_done
