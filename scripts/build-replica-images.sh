#!/usr/bin/env bash
# Builds images of third-party HTTP servers for the tests to run as replicas,
# from this machine's Debian packages (no container registry is reachable):
# each image holds a server binary, the libraries `ldd` lists for it and a
# little content, put together with `docker import`.
#
# Usage: scripts/build-replica-images.sh [TAG] [SERVER...]   (default tag: test; default: every server)
# Prints the image names. Installs what it needs with apt-get when run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

tag=${1:-test}
shift || true
servers=("$@")
[ ${#servers[@]} -gt 0 ] || servers=(busybox)

log() { printf '[replica-images] %s\n' "$*" >&2; }

need_package() { # need_package FILE PACKAGE
  [ -e "$1" ] && return 0
  [ "$(id -u)" -eq 0 ] || { log "$1 is missing: apt-get install $2 (as root)"; exit 1; }
  log "installing $2 from Debian packages"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}


base_root() { # base_root ROOT: /etc/passwd, /etc/group, /tmp
  mkdir -p "$1/etc" "$1/tmp"
  chmod 1777 "$1/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nwww:x:1000:1000:www:/www:/bin/sh\n' >"$1/etc/passwd"
  printf 'root:x:0:\nwww:x:1000:\n' >"$1/etc/group"
}

import_root() { # import_root ROOT IMAGE CHANGE...
  local root=$1 image=$2; shift 2
  local changes=()
  for change in "$@"; do changes+=(-c "$change"); done
  tar -C "$root" -c . | docker import "${changes[@]}" - "$image" >/dev/null
  echo "$image"
}

# busybox httpd: static files and a shell CGI whose headers end in bare LF (busybox relays them as
# they are). As PID 1 it ignores SIGTERM, so `docker stop` kills it after the grace period.
build_busybox() {
  need_package /bin/busybox busybox-static
  local root
  root=$(mktemp -d)
  base_root "$root"
  install -D /bin/busybox "$root/bin/busybox"
  for applet in sh httpd hostname sleep cat printf echo; do ln -s busybox "$root/bin/$applet"; done
  mkdir -p "$root/www/cgi-bin"
  echo 'static file from busybox httpd' >"$root/www/index.html"
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
  import_root "$root" "compose-lb-replica-busybox:$tag" \
    'EXPOSE 80' 'ENV PATH=/bin' 'CMD ["/bin/busybox", "httpd", "-f", "-p", "80", "-h", "/www"]'
  rm -rf "$root"
}

for server in "${servers[@]}"; do
  case "$server" in
    busybox) build_busybox ;;
    *) log "unknown server: $server"; exit 2 ;;
  esac
done
