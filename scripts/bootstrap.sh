#!/usr/bin/env bash
# The first step of `npm start` and `npm test` (--tests): dependencies if missing or stale, the local
# tools, and for tests a browser.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "[bootstrap] installing npm dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund
fi
bash scripts/provision-tools.sh

# The browser suite drives Debian's Chromium (npm cannot download browsers here). Installed when we
# may (root with apt); otherwise say how, and that suite reports the missing browser.
if [[ ${1:-} == --tests && -z ${CHROMIUM_PATH:-} ]] && ! command -v chromium >/dev/null; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "[bootstrap] installing Debian's chromium for the browser tests" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >&2
  else
    echo "[bootstrap] note: no chromium found; install it (apt-get install chromium) or set CHROMIUM_PATH for the browser test" >&2
  fi
fi
