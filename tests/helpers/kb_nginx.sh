# kb_nginx.sh — sourced by the knowledge-base tests and benchmark: starts a
# private nginx on 127.0.0.1 (a free port, its own config and temp dir under
# $1) serving the directory $2, with PEP 691 content negotiation: a request
# for a directory gets index.json when the Accept header asks for
# application/vnd.pypi.simple.v1+json and the file exists, else index.html.
# Extra locations for failure tests: /err/ answers 500, /redir/X redirects
# (301) to /X, /auth/X serves /X behind HTTP basic authentication (user
# "thoth", password "secret"; needs openssl to write the password file).
# When KB_NGINX_EXTRA names a shell function, its output (called with WORKDIR,
# ROOT, after KB_NGINX_PORT is chosen) is added inside http {}: more server
# blocks, e.g. on KB_NGINX_PORT+1 (a retry picks other ports if taken).
#   kb_nginx_start WORKDIR ROOT   -> sets KB_NGINX_PORT, KB_NGINX_URL; returns 1 when nginx cannot start
#   kb_nginx_stop
kb_nginx_start() {
  kb_nginx_dir=$1
  mkdir -p "$kb_nginx_dir/tmp"
  if command -v openssl >/dev/null 2>&1; then
    printf 'thoth:%s\n' "$(openssl passwd -apr1 secret)" > "$kb_nginx_dir/htpasswd"
  fi
  tries=0
  while [ $tries -lt 20 ]; do
    KB_NGINX_PORT=$(( 20000 + ($(od -An -N2 -tu2 /dev/urandom) % 40000) ))
    cat > "$kb_nginx_dir/nginx.conf" <<CONF
worker_processes 1;
daemon off;
master_process off;
pid $kb_nginx_dir/nginx.pid;
error_log $kb_nginx_dir/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  types {
    text/html html;
    application/vnd.pypi.simple.v1+json json;
    application/octet-stream whl metadata gz zip;
  }
  default_type application/octet-stream;
  client_body_temp_path $kb_nginx_dir/tmp/body;
  proxy_temp_path $kb_nginx_dir/tmp/proxy;
  fastcgi_temp_path $kb_nginx_dir/tmp/fastcgi;
  uwsgi_temp_path $kb_nginx_dir/tmp/uwsgi;
  scgi_temp_path $kb_nginx_dir/tmp/scgi;
  keepalive_requests 1000000;
  map \$http_accept \$simple_index {
    default index.html;
    "~application/vnd\\.pypi\\.simple\\.v1\\+json" index.json;
  }
  server {
    listen 127.0.0.1:$KB_NGINX_PORT;
    root $2;
    index \$simple_index index.html;
    location /err/ { return 500; }
    location /redir/ { rewrite ^/redir/(.*)\$ /\$1 permanent; }
    location /auth/ {
      auth_basic "thoth";
      auth_basic_user_file $kb_nginx_dir/htpasswd;
      rewrite ^/auth/(.*)\$ /\$1 break;
    }
  }
$( [ -n "${KB_NGINX_EXTRA:-}" ] && $KB_NGINX_EXTRA "$kb_nginx_dir" "$2" )
}
CONF
    nginx -p "$kb_nginx_dir" -c "$kb_nginx_dir/nginx.conf" >"$kb_nginx_dir/stdout" 2>&1 &
    kb_nginx_pid=$!
    i=0
    while [ $i -lt 50 ]; do
      if curl -s -o /dev/null "http://127.0.0.1:$KB_NGINX_PORT/"; then
        KB_NGINX_URL="http://127.0.0.1:$KB_NGINX_PORT"
        return 0
      fi
      kill -0 $kb_nginx_pid 2>/dev/null || break
      sleep 0.1
      i=$((i + 1))
    done
    kill $kb_nginx_pid 2>/dev/null
    wait $kb_nginx_pid 2>/dev/null
    tries=$((tries + 1))
  done
  cat "$kb_nginx_dir/error.log" "$kb_nginx_dir/stdout" >&2 2>/dev/null
  return 1
}

kb_nginx_stop() {
  [ -n "${kb_nginx_pid:-}" ] || return 0
  kill $kb_nginx_pid 2>/dev/null
  wait $kb_nginx_pid 2>/dev/null
  kb_nginx_pid=
}
