#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for ELECTRA Studio: Debian packages, then `npm ci`.
# Run as root (or with sudo). Needs only Debian's archive and the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

# chromium: the browser the webview and end-to-end tests drive (playwright-core, never a
#   downloaded browser); ripgrep: packed for code-server's @vscode/ripgrep (below);
# libkrb5-dev, build-essential, python3: code-server's native modules build with them.
need=()
for pkg in chromium ripgrep libkrb5-dev build-essential python3 fonts-dejavu-core; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

bash scripts/ripgrep-cache.sh

# code-server's postinstall refuses to run as root without unsafe-perm, and runs npx.
export npm_config_unsafe_perm=true npm_config_yes=true
npm ci --no-audit --no-fund
