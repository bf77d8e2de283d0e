#!/usr/bin/env bash
# Makes this machine ready for test/container: podman, buildah, runc and
# qemu-user-static from Debian when missing (qemu, registered with the kernel,
# runs the arm64 image), a Node 24 image for the build stage (see
# base-image.sh) unless DDNSD_BASE_IMAGE names one that is already here, and
# the minimal bases of the amd64 and arm64 images (sea-base.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
for tool in podman buildah runc debootstrap qemu-aarch64-static update-binfmts; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "test:container needs ${missing[*]}; install them (apt-get install podman buildah runc debootstrap qemu-user-static binfmt-support) or run as root" >&2
    exit 1
  fi
  echo "installing from Debian: podman buildah runc debootstrap uidmap"
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get update -qq
  timeout 1200 apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends \
    podman buildah runc debootstrap uidmap fuse-overlayfs slirp4netns ca-certificates qemu-user-static binfmt-support >/dev/null
fi

if [ -n "${DDNSD_BASE_IMAGE:-}" ]; then
  podman image exists "$DDNSD_BASE_IMAGE" || {
    echo "DDNSD_BASE_IMAGE=$DDNSD_BASE_IMAGE is not in podman's image store; pull or build it first, or unset it" >&2
    exit 1
  }
else
  bash scripts/container/base-image.sh
fi

# The kernel hands arm64 programs to qemu (the F flag keeps it usable inside containers).
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  update-binfmts --enable qemu-aarch64
fi
bash scripts/container/sea-base.sh amd64
bash scripts/container/sea-base.sh arm64
