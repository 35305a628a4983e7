#!/usr/bin/env bash
# Builds a Node base image from this machine's own Node binary, for machines that
# reach no container registry (see README "Images without a registry").
# Usage: scripts/make-base-image.sh [TAG]   (default tag: compose-lb/node-base:local)
# Prints the tag. Does nothing when the image already exists.
set -euo pipefail

tag=${1:-compose-lb/node-base:local}
if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "$tag"; exit 0
fi

node_bin=$(command -v node)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

install -D -m 0755 "$(readlink -f "$node_bin")" "$root/usr/local/bin/node"
# Every shared library the binary loads, at the same path as on the host.
ldd "$node_bin" | grep -o '/[^ ]*' | sort -u | while read -r lib; do
  install -D "$(readlink -f "$lib")" "$root$lib"
done
mkdir -p "$root/etc" "$root/tmp" "$root/app"
chmod 1777 "$root/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000:node:/home/node:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\n' >"$root/etc/group"
mkdir -p "$root/home/node" && chown 1000:1000 "$root/home/node"

tar -C "$root" -c . | docker import \
  -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  -c 'CMD ["node"]' - "$tag" >/dev/null
echo "$tag"
