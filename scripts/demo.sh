#!/usr/bin/env bash
# The demo: compose-lb in front of 3 replicas of a demo app that answers after
# 100 ms, on http://127.0.0.1:8080. Installs Docker first when run as root on a
# machine without it (Debian packages), builds everything on the host, starts
# the stack and shows which replica answered each of a few requests.
set -euo pipefail
cd "$(dirname "$0")/.."

project=compose-lb-demo
file=compose/demo/compose.yaml
say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

if ! docker info >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    say "No Docker engine answering: installing/starting it (scripts/setup-docker.sh)"
    bash scripts/setup-docker.sh
  else
    echo "Docker is not running (or not reachable by $(id -un)). Start it, or run this as root to install it from Debian packages." >&2
    exit 1
  fi
fi
if docker compose version >/dev/null 2>&1; then compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then compose=(docker-compose)
else echo "Neither 'docker compose' nor 'docker-compose' is installed (scripts/setup-docker.sh installs both)." >&2; exit 1
fi

say "Building compose-lb and the demo app (on the host; images need no registry)"
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent build
bash scripts/build-images.sh

say "Starting the stack with 3 replicas of web: ${compose[*]} -p $project -f $file up -d --scale web=3"
# Discovery reads the socket through its group. Compose reads .env beside the file
# (v1 and v2), so the commands printed below keep the group without an export.
printf 'DOCKER_GID=%s\n' "$(stat -c %g /var/run/docker.sock)" >"$(dirname "$file")/.env"
"${compose[@]}" -p "$project" -f "$file" up -d --scale web=3

lb=$("${compose[@]}" -p "$project" -f "$file" ps -q web-lb)
printf 'waiting for the balancer to see 3 ready replicas'
for _ in $(seq 1 100); do
  ready=$(docker exec "$lb" node /app/compose-lb.js probe /replicas 2>/dev/null | grep -o '"ready": [0-9]*' | grep -o '[0-9]*$' || true)
  [ "${ready:-0}" = 3 ] && break
  printf .; sleep 0.2
done
echo

say "Six requests to http://127.0.0.1:8080/ (X-Replica says who answered)"
for i in 1 2 3 4 5 6; do
  replica=$(curl -fsS -o /dev/null -D - http://127.0.0.1:8080/ | tr -d '\r' | awk -F': ' 'tolower($1)=="x-replica" {print $2}')
  name=$(docker ps --filter "id=$replica" --format '{{.Names}}')
  echo "request $i -> $name ($replica)"
done

cat <<MSG

The stack is up. Try:
  curl -i http://127.0.0.1:8080/                                          # X-Replica: who answered
  open http://127.0.0.1:8081/                                             # the status page, live
  ${compose[*]} -p $project -f $file up -d --scale web=6     # new replicas get traffic at once
  ${compose[*]} -p $project -f $file restart web             # every replica restarts; no request fails
  ${compose[*]} -p $project -f $file logs -f web-lb         # JSON logs: replicas added, drained, removed
  ${compose[*]} -p $project -f $file down                   # stop and remove it all
MSG
