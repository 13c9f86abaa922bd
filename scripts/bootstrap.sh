#!/usr/bin/env bash
# The first step of `npm start` and `npm test`: dependencies if missing or stale, then the local tools.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "[bootstrap] installing npm dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund
fi
bash scripts/provision-tools.sh
