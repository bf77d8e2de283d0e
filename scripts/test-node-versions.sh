#!/usr/bin/env bash
# Runs the test suite again on the other Node.js majors ddnsd supports (22 and 24),
# with Node binaries from the npm registry's node-<os>-<arch> packages.
set -euo pipefail
cd "$(dirname "$0")/.."
os=$(node -p 'process.platform')
arch=$(node -p 'process.arch')
cache=node_modules/.cache/ddnsd-node-versions
mkdir -p "$cache"
[ -d dist ] || npm run build
for major in ${NODE_MAJORS:-22 24}; do
  dir="$cache/node$major"
  if [ ! -x "$dir/package/bin/node" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    tarball=$(cd "$cache" && npm pack --silent "node-$os-$arch@$major" | tail -n 1)
    tar xzf "$cache/$tarball" -C "$dir"
    rm -f "$cache/$tarball"
  fi
  echo "== tests on Node $("$dir/package/bin/node" --version)"
  PATH="$PWD/$dir/package/bin:$PATH" node node_modules/vitest/vitest.mjs run
done
