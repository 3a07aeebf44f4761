#!/usr/bin/env bash
# code-server depends on @vscode/ripgrep, whose postinstall downloads ripgrep from GitHub
# unless it finds this archive in $TMPDIR. Pack Debian's /usr/bin/rg (apt package ripgrep)
# into it, so `npm ci` needs only the npm registry.
set -euo pipefail
rg_bin=$(command -v rg || true)
if [ -z "$rg_bin" ]; then
  echo "ripgrep-cache: install Debian's ripgrep package first (apt-get install ripgrep)" >&2
  exit 1
fi
cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
archive="$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
[ -f "$archive" ] && exit 0
mkdir -p "$cache"
work=$(mktemp -d)
cp "$rg_bin" "$work/rg"
tar -C "$work" -czf "$archive" rg
rm -rf "$work"
