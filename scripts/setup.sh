#!/usr/bin/env bash
# Prepares a fresh machine that has only Node.js (>= 20.19) and npm: the pinned pnpm, the locked
# dependencies, the packages' builds, and (when asked with --browser) Debian's Chromium for the page tests.
set -euo pipefail
cd "$(dirname "$0")/.."

pinned=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [[ "$(pnpm --version 2>/dev/null || true)" != "$pinned" ]]; then
  # corepack's signature check fails against some registries; npm installs the exact pinned version.
  echo "setup: installing pnpm $pinned with npm"
  npm install --global --no-fund --no-audit "pnpm@$pinned" >/dev/null
fi

if [[ "${1:-}" == "--browser" ]] && [[ ! -x /usr/bin/chromium ]]; then
  echo "setup: installing Debian's chromium for the browser tests"
  if [[ $(id -u) -eq 0 ]]; then apt_get=(apt-get); else apt_get=(sudo apt-get); fi
  "${apt_get[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq chromium >/dev/null
fi

pnpm install --frozen-lockfile
pnpm build
