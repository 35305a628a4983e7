#!/usr/bin/env bash
# Installs Debian's Chromium for the status page's browser test (playwright-core drives
# it; its own browser downloads are not reachable here). Idempotent; needs root to install.
set -euo pipefail
command -v chromium >/dev/null 2>&1 && exit 0
[ "$(id -u)" -eq 0 ] || { echo "[setup-browser] chromium is missing: apt-get install chromium (as root)" >&2; exit 1; }
echo "[setup-browser] installing chromium from Debian packages" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
