#!/usr/bin/env bash
# Makes this machine ready for test/container: podman, buildah and runc from
# Debian when missing, and a Node 24 base image (see base-image.sh) unless
# DDNSD_BASE_IMAGE names one that is already here.
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
for tool in podman buildah runc debootstrap; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "test:container needs ${missing[*]}; install them (apt-get install podman buildah runc debootstrap) or run as root" >&2
    exit 1
  fi
  echo "installing from Debian: podman buildah runc debootstrap uidmap"
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get update -qq
  timeout 1200 apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends \
    podman buildah runc debootstrap uidmap fuse-overlayfs slirp4netns ca-certificates >/dev/null
fi

if [ -n "${DDNSD_BASE_IMAGE:-}" ]; then
  podman image exists "$DDNSD_BASE_IMAGE" || {
    echo "DDNSD_BASE_IMAGE=$DDNSD_BASE_IMAGE is not in podman's image store; pull or build it first, or unset it" >&2
    exit 1
  }
else
  bash scripts/container/base-image.sh
fi
