#!/usr/bin/env bash
# The macOS single executable, dist/sea/ddnsd-darwin-arm64 (Node.js's single
# executables support Apple silicon only on macOS), built and signed on a Mac:
#   1. Node.js at the version in scripts/sea/node.json, from nodejs.org's macOS
#      installer (its signature is checked by macOS at install), and Xcode's
#      command line tools (codesign).
#   2. bash scripts/sea/build-macos.sh                      # ad-hoc signature: runs on this Mac
#      IDENTITY="Developer ID Application: …" bash scripts/sea/build-macos.sh   # for release
#   3. For release, notarize: zip it, then
#        xcrun notarytool submit ddnsd-darwin-arm64.zip --keychain-profile <profile> --wait
#      (a bare executable cannot be stapled; Gatekeeper checks the ticket online at first start).
# Not built or run by CI, which has no Mac: docs say so.
set -euo pipefail
cd "$(dirname "$0")/../.."

want=v$(node -p "require('./scripts/sea/node.json').version")
[ "$(uname -s)-$(uname -m)" = Darwin-arm64 ] || { echo "build-macos.sh runs on a Mac with Apple silicon" >&2; exit 1; }
[ "$(node --version)" = "$want" ] || { echo "build-macos.sh needs Node.js $want (this is $(node --version))" >&2; exit 1; }
npm ci --no-audit --no-fund
npm run build
node scripts/sea/build.mjs --target darwin-arm64
out=dist/sea/ddnsd-darwin-arm64
if [ -n "${IDENTITY:-}" ]; then
  # The hardened runtime, with what V8 needs: code it writes at run time.
  codesign --sign "$IDENTITY" --options runtime --timestamp --entitlements scripts/sea/entitlements.plist --force "$out"
else
  codesign --sign - --force "$out"
fi
codesign --verify --verbose "$out"
"$out" --version
(cd dist/sea && shasum -a 256 ddnsd-darwin-arm64 > SHA256SUMS)
