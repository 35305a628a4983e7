#!/usr/bin/env bash
# Makes a Docker engine with Compose v1 and v2 available on a Debian 12 machine
# (the project's CI machines): installs from Debian packages when missing, starts
# the daemon when it is not answering. Idempotent; safe to run again.
#
# Needs root to install or start anything. Without root it only checks and explains.
set -euo pipefail

log() { printf '[setup-docker] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() {
  [ "$(id -u)" -eq 0 ] || die "$1 needs root (run this script with sudo, or install Docker Engine and Compose yourself)"
}

have_engine_binaries() { command -v dockerd >/dev/null 2>&1; }
have_compose_v1() { command -v docker-compose >/dev/null 2>&1; }
have_compose_v2() { docker compose version >/dev/null 2>&1; }

install_engine_and_v1() {
  as_root "installing Docker Engine"
  log "installing docker.io and docker-compose (v1) from Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io docker-compose iproute2 >/dev/null
}

# Compose v2 is not in bookworm; trixie ships it as a single static binary. Fetch
# that one .deb through a private apt list so the system's sources stay untouched.
install_compose_v2() {
  as_root "installing Compose v2"
  local mirror tmp
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  mkdir -p "$tmp/lists/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" >"$tmp/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$tmp/sources.list" -o Dir::Etc::SourceParts=/dev/null
              -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache::archives=$tmp" -o APT::Sandbox::User=root)
  log "downloading Compose v2 from Debian trixie"
  apt-get "${opts[@]}" update -qq
  (cd "$tmp" && apt-get "${opts[@]}" download -qq docker-compose)
  dpkg -x "$tmp"/docker-compose_*.deb "$tmp/x"
  install -D -m 0755 "$tmp/x/usr/libexec/docker/cli-plugins/docker-compose" \
    /usr/local/lib/docker/cli-plugins/docker-compose
}

start_daemon() {
  docker info >/dev/null 2>&1 && return 0
  as_root "starting dockerd"
  # A daemon still shutting down holds its pid file: a new one would exit at once.
  for _ in $(seq 1 60); do
    pgrep -x dockerd >/dev/null || break
    docker info >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  log "starting dockerd (log: /tmp/dockerd.log)"
  # live-restore keeps containers running while the daemon restarts (the
  # balancer must keep serving then; test/docker/daemon-restart.test.ts).
  local flags=(--live-restore)
  grep -qs live-restore /etc/docker/daemon.json && flags=()
  setsid dockerd "${flags[@]}" >>/tmp/dockerd.log 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  tail -n 20 /tmp/dockerd.log >&2 || true
  die "dockerd did not answer within 30 s"
}

have_engine_binaries && have_compose_v1 || install_engine_and_v1
have_compose_v2 || install_compose_v2
start_daemon
log "ready: $(docker version --format 'engine {{.Server.Version}} (API {{.Server.APIVersion}})'), $(docker-compose version --short) / $(docker compose version --short)"
