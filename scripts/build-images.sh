#!/usr/bin/env bash
# Builds the balancer image and the demo app image from what `npm run build` made.
# NODE_IMAGE picks the base; unset, a local one is made from this machine's Node
# (scripts/make-base-image.sh), which needs no registry.
# Usage: scripts/build-images.sh [TAG]   (default: the package version; also tags :latest)
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(node -p 'require("./package.json").version')
tag=${1:-$version}
node_image=${NODE_IMAGE:-$(bash scripts/make-base-image.sh)}
[ -f dist/compose-lb.js ] || { echo "dist/compose-lb.js is missing: run npm run build" >&2; exit 1; }

docker build -q --build-arg NODE_IMAGE="$node_image" -t "compose-lb:$tag" -t compose-lb:latest . >/dev/null
docker build -q --build-arg NODE_IMAGE="$node_image" -t "compose-lb-demo-app:$tag" -t compose-lb-demo-app:latest compose/demo/app >/dev/null
echo "built compose-lb:$tag and compose-lb-demo-app:$tag on $node_image"
