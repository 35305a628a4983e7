#!/usr/bin/env bash
# Builds images of third-party HTTP servers for the tests to run as replicas,
# from this machine's Debian packages (no container registry is reachable):
# each image holds a server binary, the libraries `ldd` lists for it, its
# config and a little content, put together with `docker import`.
#
# Every image serves /index.html (a small file) and /big.bin (50 MiB, made at
# build time), exposes port 80 and runs its server in the foreground as PID 1.
# What each can do beyond that (uploads, server-sent events) is said where it
# is built. An image whose inputs (this script, the server's package version)
# have not changed is kept: rebuilding 50 MiB on every test run would leave the
# old image behind, dangling.
#
# Usage: scripts/build-replica-images.sh [TAG] [SERVER...]
#   (default tag: test; servers: busybox python nginx lighttpd, default all)
# Prints the image names. Installs busybox-static and python3 with apt-get when
# run as root; nginx and lighttpd are only downloaded and unpacked, never
# installed (installing them would start services on this machine's port 80).
set -euo pipefail
cd "$(dirname "$0")/.."

tag=${1:-test}
shift || true
servers=("$@")
[ ${#servers[@]} -gt 0 ] || servers=(busybox python nginx lighttpd redis)

log() { printf '[replica-images] %s\n' "$*" >&2; }

need_package() { # need_package FILE PACKAGE
  [ -e "$1" ] && return 0
  [ "$(id -u)" -eq 0 ] || { log "$1 is missing: apt-get install $2 (as root)"; exit 1; }
  log "installing $2 from Debian packages"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

script_hash=$(sha256sum <"$0" | cut -c1-16)

# current IMAGE VERSION: the image exists and was built by this script from this package version.
current() {
  local label
  label=$(docker image inspect -f '{{index .Config.Labels "compose-lb.inputs"}}' "$1" 2>/dev/null) || return 1
  [ "$label" = "$script_hash $2" ]
}

candidate_version() { apt-cache show --no-all-versions "$1" | awk '/^Version:/ { print $2; exit }'; }
installed_version() { dpkg-query -W -f '${Version}' "$1"; }

base_root() { # base_root ROOT: /etc/passwd, /etc/group, /tmp
  mkdir -p "$1/etc" "$1/tmp"
  chmod 1777 "$1/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nwww:x:1000:1000:www:/www:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$1/etc/passwd"
  printf 'root:x:0:\nwww:x:1000:\nnogroup:x:65534:\n' >"$1/etc/group"
}

# unpack PACKAGE DIR: the package, downloaded (not installed), unpacked in DIR; prints the .deb's path.
unpack() {
  local debs
  debs=$(mktemp -d -p "$2")
  (cd "$debs" && apt-get download -qq -o APT::Sandbox::User=root "$1" >/dev/null)
  dpkg -x "$debs"/*.deb "$2"
  echo "$debs"/*.deb
}

# server_files PACKAGE DIR BINARY: unpacks the server's package in DIR; when BINARY (a path inside
# the package) needs libraries this machine lacks, the package's dependencies that are not installed
# here are unpacked in DIR too, for copy_libraries to find.
server_files() {
  local deb dep
  deb=$(unpack "$1" "$2")
  LD_LIBRARY_PATH=$(library_dirs "$2") ldd "$2$3" | grep -q 'not found' || return 0
  for dep in $(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/[(|].*//; s/ //g'); do
    dpkg-query -W "$dep" >/dev/null 2>&1 || unpack "$dep" "$2" >/dev/null
  done
}

library_dirs() { [ -n "$1" ] || return 0; find "$1" -name '*.so*' -printf '%h\n' 2>/dev/null | sort -u | paste -sd: -; }

# copy_libraries ROOT UNPACKED FILE...: every library the files load, at the same path in ROOT.
# Libraries found in UNPACKED (packages server_files unpacked) go where their package puts them.
copy_libraries() {
  local root=$1 unpacked=$2 found lib
  shift 2
  found=$(LD_LIBRARY_PATH=$(library_dirs "$unpacked") ldd "$@")
  if grep 'not found' <<<"$found"; then log "libraries missing for $*"; exit 1; fi
  grep -o '/[^ :]*' <<<"$found" | grep -v "^$root/" | sort -u | while read -r lib; do
    install -D "$(readlink -f "$lib")" "$root${lib#"$unpacked"}"
  done
}

# server_root ROOT PACKAGE FILE...: a base root with the package's FILEs (its binary first, then any
# modules) at their own paths, and every library they load.
server_root() {
  local root=$1 package=$2 unpacked file
  shift 2
  unpacked=$(mktemp -d -p "$(dirname "$root")") # not $root/..: that path would pass for one inside $root
  server_files "$package" "$unpacked" "$1"
  base_root "$root"
  for file in "$@"; do install -D "$unpacked$file" "$root$file"; done
  copy_libraries "$root" "$unpacked" "${@/#/$root}"
}

add_busybox() { # add_busybox ROOT APPLET...: busybox as /bin/busybox, with links for the applets
  local root=$1
  shift
  need_package /bin/busybox busybox-static
  install -D /bin/busybox "$root/bin/busybox"
  for applet in "$@"; do ln -s busybox "$root/bin/$applet"; done
}

add_content() { # add_content ROOT NAME: /www with index.html and big.bin
  mkdir -p "$1/www"
  echo "static file from $2" >"$1/www/index.html"
  head -c $((50 << 20)) /dev/urandom >"$1/www/big.bin"
}

# Shell CGIs (busybox sh) for the servers that run CGI scripts. Their header lines end in a bare LF,
# as shell CGIs' do: the server in front decides what goes on the wire.
add_shell_cgis() { # add_shell_cgis ROOT
  mkdir -p "$1/www/cgi-bin"
  # The request body's size in bytes: the server hands the body over on stdin.
  cat >"$1/www/cgi-bin/upload" <<'CGI'
#!/bin/sh
n=$(wc -c)
printf 'Content-Type: text/plain\n\n%s\n' $n
CGI
  # Server-sent events: 10, one every 200 ms, each written the moment it is made.
  cat >"$1/www/cgi-bin/events" <<'CGI'
#!/bin/sh
printf 'Content-Type: text/event-stream\nCache-Control: no-cache\n\n'
i=1
while [ $i -le 10 ]; do
  printf 'id: %s\ndata: event %s\n\n' $i $i
  [ $i -eq 10 ] || sleep 0.2
  i=$((i + 1))
done
CGI
  chmod 755 "$1/www/cgi-bin/upload" "$1/www/cgi-bin/events"
}

import_root() { # import_root ROOT IMAGE VERSION CHANGE...
  local root=$1 image=$2 version=$3
  shift 3
  local changes=(-c "LABEL compose-lb.inputs=\"$script_hash $version\"")
  for change in "$@"; do changes+=(-c "$change"); done
  tar -C "$root" -c . | docker import "${changes[@]}" - "$image" >/dev/null
}

# busybox httpd: static files and shell CGIs; it answers HTTP/1.1 but closes every connection.
# As PID 1 it ignores SIGTERM, so `docker stop` kills it after the grace period.
build_busybox() { # build_busybox ROOT IMAGE
  local root=$1
  need_package /bin/busybox busybox-static
  local version
  version=$(installed_version busybox-static)
  current "$2" "$version" && return 0
  base_root "$root"
  add_busybox "$root" sh httpd hostname sleep cat printf echo wc
  add_content "$root" 'busybox httpd'
  add_shell_cgis "$root"
  # The classic "which replica answered" CGI: 100 ms of work, then its hostname (the container ID).
  # With /requests mounted, each request is appended to /requests/<hostname>.log as "METHOD X-Request-Id".
  cat >"$root/www/cgi-bin/hello" <<'CGI'
#!/bin/sh
name=$(hostname)
[ "$REQUEST_METHOD" = POST ] && cat >/dev/null
[ -d /requests ] && echo "$REQUEST_METHOD ${HTTP_X_REQUEST_ID:--}" >>"/requests/$name.log"
sleep 0.1
printf 'Content-Type: text/plain\nX-Replica: %s\n\n%s\n' "$name" "$name"
CGI
  chmod 755 "$root/www/cgi-bin/hello"
  import_root "$root" "$2" "$version" \
    'EXPOSE 80' 'ENV PATH=/bin' 'CMD ["/bin/busybox", "httpd", "-f", "-p", "80", "-h", "/www"]'
}

# python3 -m http.server --cgi: HTTP/1.0, every connection closed after one response; static files
# carry a Content-Length, CGI output is delimited by the close. CGIs (Python) get the request body
# on stdin, read straight from the socket, and write straight to it.
build_python() { # build_python ROOT IMAGE
  local root=$1 python=/usr/bin/python3.11
  need_package "$python" python3.11-minimal
  local version
  version=$(installed_version python3.11-minimal)
  current "$2" "$version" && return 0
  base_root "$root"
  install -D "$python" "$root$python"
  ln -s python3.11 "$root/usr/bin/python3"
  # The standard library, less what a web server never loads.
  mkdir -p "$root/usr/lib"
  tar -C /usr/lib -c --exclude=__pycache__ --exclude=test --exclude=idlelib --exclude=tkinter \
    --exclude=turtledemo --exclude=ensurepip --exclude=lib2to3 --exclude='config-*' python3.11 | tar -C "$root/usr/lib" -x
  copy_libraries "$root" "" "$python" "$root"/usr/lib/python3.11/lib-dynload/*.so
  add_content "$root" 'python http.server'
  mkdir -p "$root/www/cgi-bin"
  # The request body's size: CONTENT_LENGTH bytes, read from stdin (http.server knows no chunked bodies).
  cat >"$root/www/cgi-bin/upload" <<'CGI'
#!/usr/bin/python3
import os, sys
left = int(os.environ.get('CONTENT_LENGTH') or 0)
total = 0
while left > 0:
    data = sys.stdin.buffer.read(min(left, 65536))
    if not data:
        break
    total += len(data)
    left -= len(data)
sys.stdout.write(f'Content-Type: text/plain\r\n\r\n{total}\n')
CGI
  # Server-sent events: 10, one every 200 ms, each flushed to the socket the moment it is made.
  cat >"$root/www/cgi-bin/events" <<'CGI'
#!/usr/bin/python3
import sys, time
out = sys.stdout
out.write('Content-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n')
for i in range(1, 11):
    out.write(f'id: {i}\ndata: event {i}\n\n')
    out.flush()
    if i < 10:
        time.sleep(0.2)
CGI
  chmod 755 "$root/www/cgi-bin/upload" "$root/www/cgi-bin/events"
  import_root "$root" "$2" "$version" 'EXPOSE 80' 'ENV PATH=/usr/bin' \
    'CMD ["/usr/bin/python3", "-m", "http.server", "--cgi", "--directory", "/www", "80"]'
}

# nginx: static files, and WebDAV PUT under /upload/ (a chunked body too); no server-sent events
# (nginx makes none by itself). Idle keep-alive connections are closed after 1 s, before the
# balancer's LB_UPSTREAM_IDLE_TIMEOUT (4 s), with no Keep-Alive header to warn it.
build_nginx() { # build_nginx ROOT IMAGE
  local root=$1 version
  version=$(candidate_version nginx)
  current "$2" "$version" && return 0
  server_root "$root" nginx /usr/sbin/nginx
  add_content "$root" nginx
  mkdir -p "$root/etc/nginx" "$root/dav/upload"
  chown 1000:1000 "$root/dav/upload"
  cat >"$root/etc/nginx/nginx.conf" <<'CONF'
daemon off;
user www www;
worker_processes 1;
pid /tmp/nginx.pid;
error_log stderr;
events { worker_connections 1024; }
http {
  access_log off;
  types { text/html html; application/octet-stream bin; }
  default_type application/octet-stream;
  keepalive_timeout 1s;
  client_body_temp_path /tmp/body;
  proxy_temp_path /tmp/proxy;
  fastcgi_temp_path /tmp/fastcgi;
  uwsgi_temp_path /tmp/uwsgi;
  scgi_temp_path /tmp/scgi;
  server {
    listen 80;
    root /www;
    location /upload/ {
      root /dav;
      client_max_body_size 64m;
      dav_methods PUT;
    }
  }
}
CONF
  import_root "$root" "$2" "$version" 'EXPOSE 80' 'CMD ["/usr/sbin/nginx"]'
}

# lighttpd: static files and shell CGIs, whose output it streams (server.stream-response-body) and
# sends chunked; request bodies, chunked ones too, are read whole before the CGI starts. Idle
# keep-alive connections are closed after 1 s, before the balancer's LB_UPSTREAM_IDLE_TIMEOUT.
build_lighttpd() { # build_lighttpd ROOT IMAGE
  local root=$1 version
  version=$(candidate_version lighttpd)
  current "$2" "$version" && return 0
  server_root "$root" lighttpd /usr/sbin/lighttpd /usr/lib/lighttpd/mod_cgi.so
  add_busybox "$root" sh sleep wc
  add_content "$root" lighttpd
  add_shell_cgis "$root"
  mkdir -p "$root/etc/lighttpd"
  cat >"$root/etc/lighttpd/lighttpd.conf" <<'CONF'
server.document-root = "/www"
server.port = 80
server.username = "www"
server.groupname = "www"
server.modules = ("mod_cgi")
server.upload-dirs = ("/tmp")
server.max-keep-alive-idle = 1
server.stream-response-body = 2
index-file.names = ("index.html")
mimetype.assign = (".html" => "text/html", "" => "application/octet-stream")
$HTTP["url"] =~ "^/cgi-bin/" { cgi.assign = ("" => "") }
CONF
  import_root "$root" "$2" "$version" 'EXPOSE 80' 'ENV PATH=/bin' \
    'CMD ["/usr/sbin/lighttpd", "-D", "-f", "/etc/lighttpd/lighttpd.conf"]'
}

# Redis, a server that speaks no HTTP at all, for TCP mode. The Debian binary is multi-call: redis-server is
# a link to it. No persistence: a replica scaled away takes nothing with it.
build_redis() { # build_redis ROOT IMAGE
  local root=$1 version
  version=$(candidate_version redis-tools)
  current "$2" "$version" && return 0
  server_root "$root" redis-tools /usr/bin/redis-check-rdb
  ln -s redis-check-rdb "$root/usr/bin/redis-server"
  import_root "$root" "$2" "$version" 'EXPOSE 6379' 'ENV PATH=/usr/bin' 'USER www' \
    'CMD ["/usr/bin/redis-server", "--port", "6379", "--bind", "0.0.0.0", "--protected-mode", "no", "--save", "", "--appendonly", "no"]'
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for server in "${servers[@]}"; do
  case "$server" in
    busybox | python | nginx | lighttpd | redis) ;;
    *) log "unknown server: $server"; exit 2 ;;
  esac
  mkdir -p "$work/$server/root"
  "build_$server" "$work/$server/root" "compose-lb-replica-$server:$tag"
  echo "compose-lb-replica-$server:$tag"
done
