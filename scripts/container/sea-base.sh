#!/usr/bin/env bash
# Builds the minimal base of the single-executable image for one architecture
# when no registry can be reached: what Node.js's binary needs and nothing else,
# like gcr.io/distroless/cc-debian12 (the Dockerfile's default base):
#   - the C libraries it links to (ld.so, libc, libm, libpthread, libdl from
#     libc6; libgcc_s from libgcc-s1; libstdc++ from libstdc++6),
#   - Mozilla's CA certificates from ca-certificates as /etc/ssl/certs/ca-certificates.crt,
#   - /etc/passwd and /etc/group with root and ddnsd (1000:1000), and /tmp.
# The packages come from Debian bookworm (and its security updates) through
# apt-get download with a private apt state, so apt checks Debian's signatures
# and the machine's own apt setup is untouched. No RUN step: it builds for
# another architecture without an emulator.
#
#   bash scripts/container/sea-base.sh amd64|arm64              # tags $SEA_BASE_IMAGE-<arch>
#   bash scripts/container/sea-base.sh arm64 --rootfs DIR       # the files only, e.g. for qemu-aarch64-static -L DIR
set -euo pipefail
cd "$(dirname "$0")/../.."

ARCH=${1:?say amd64 or arm64}
case "$ARCH" in
  amd64) TRIPLE=x86_64-linux-gnu LOADER=lib64/ld-linux-x86-64.so.2 ;;
  arm64) TRIPLE=aarch64-linux-gnu LOADER=lib/ld-linux-aarch64.so.1 ;;
  *) echo "sea-base.sh: $ARCH is not amd64 or arm64" >&2; exit 2 ;;
esac
TAG=${SEA_BASE_IMAGE:-localhost/ddnsd-cc-base:bookworm}-$ARCH
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
PODMAN=(podman --runtime runc)

ROOTFS_ONLY=""
if [ "${2:-}" = --rootfs ]; then
  ROOTFS_ONLY=${3:?--rootfs takes a folder}
  [ ! -e "$ROOTFS_ONLY/lib/$TRIPLE/libc.so.6" ] || { echo "root filesystem $ROOTFS_ONLY is already here"; exit 0; }
elif "${PODMAN[@]}" image exists "$TAG"; then
  echo "base image $TAG is already here"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{state/lists/partial,cache/archives/partial,debs,unpacked,rootfs}
: >"$work/status"
cat >"$work/sources.list" <<EOF
deb [arch=$ARCH signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR bookworm main
deb [arch=$ARCH signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $SECURITY bookworm-security main
EOF
APT=(apt-get -qq -o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State=$work/state" -o "Dir::State::status=$work/status" -o "Dir::Cache=$work/cache"
  -o "APT::Architecture=$ARCH" -o "APT::Architectures::=$ARCH" -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
timeout 600 "${APT[@]}" update
(cd "$work/debs" && timeout 600 "${APT[@]}" download "libc6:$ARCH" "libgcc-s1:$ARCH" "libstdc++6:$ARCH" "gcc-12-base:$ARCH" ca-certificates)
for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$work/unpacked"; done

root=$work/rootfs
mkdir -p "$root/lib/$TRIPLE" "$root/$(dirname "$LOADER")" "$root/etc/ssl/certs" "$root/tmp" "$root/usr/share/doc"
for so in "$(basename "$LOADER")" libc.so.6 libm.so.6 libpthread.so.0 libdl.so.2 librt.so.1 libgcc_s.so.1 libstdc++.so.6; do
  found=""
  for dir in lib usr/lib; do [ -e "$work/unpacked/$dir/$TRIPLE/$so" ] && found=$work/unpacked/$dir/$TRIPLE/$so && break; done
  [ -n "$found" ] || { echo "sea-base.sh: $so is in none of the packages" >&2; exit 1; }
  cp -L "$found" "$root/lib/$TRIPLE/$so"
done
# The loader where the binary asks for it, as a relative link (so it also resolves under qemu's -L).
up=$(dirname "$LOADER" | sed 's#[^/][^/]*#..#g')
[ "$LOADER" = "lib/$TRIPLE/$(basename "$LOADER")" ] || ln -sf "$up/lib/$TRIPLE/$(basename "$LOADER")" "$root/$LOADER"
# The licences of what is in the image (libgcc-s1's and libstdc++6's are gcc-12-base's).
for pkg in libc6 gcc-12-base ca-certificates; do
  mkdir -p "$root/usr/share/doc/$pkg" && cp -L "$work/unpacked/usr/share/doc/$pkg/copyright" "$root/usr/share/doc/$pkg/"
done
# update-ca-certificates' bundle: every Mozilla certificate the package ships, enabled by default.
cat "$work"/unpacked/usr/share/ca-certificates/mozilla/*.crt >"$root/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/root:/sbin/nologin\nddnsd:x:1000:1000:ddnsd:/nonexistent:/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\nddnsd:x:1000:\n' >"$root/etc/group"
chmod 1777 "$root/tmp"
if [ -n "$ROOTFS_ONLY" ]; then
  mkdir -p "$ROOTFS_ONLY" && cp -a "$root/." "$ROOTFS_ONLY/"
  exit 0
fi
tar -C "$root" --owner=0 --group=0 --numeric-owner -cf "$work/rootfs.tar" .
printf 'FROM scratch\nADD rootfs.tar /\nENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt\n' >"$work/Containerfile"
echo "building $TAG"
timeout 600 "${PODMAN[@]}" build --platform "linux/$ARCH" --network=none -t "$TAG" -f "$work/Containerfile" "$work"
