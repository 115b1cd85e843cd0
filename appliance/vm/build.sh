#!/usr/bin/env bash
# Builds the gateway VM disk image with mkosi (Debian 12 from Debian's mirror, the gateway package installed,
# see mkosi.default and mkosi.postinst) and prints the build time and image size. Run as root.
#   appliance/vm/build.sh [GATEWAY_DEB]   (default: builds the package with appliance/build-deb.sh)
# Output: appliance/out/vm/gateway-vm.raw
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../out/vm"
deb=${1:-}
if [ -z "$deb" ]; then
  "$here/../build-deb.sh"
  deb=$(ls -t "$here"/../out/gateway_*_amd64.deb | head -1)
fi
deb=$(realpath "$deb")

start=$(date +%s)
mkdir -p "$out"
# The package goes in through the extra tree and is installed by mkosi.postinst; it is not kept in the source tree.
install -D -m 0644 "$deb" "$here/mkosi.extra/root/gateway.deb"
trap 'rm -f "$here/mkosi.extra/root/gateway.deb"; rmdir "$here/mkosi.extra/root" 2>/dev/null || true' EXIT
# A bootable image needs its EFI system partition (vfat) mounted while it is built. Where the kernel has no vfat
# (a container without the module), the image is built without the ESP: the same system, booted by qemu's
# direct kernel boot with the kernel and initrd the image holds (test-vm.sh does that).
bootable=()
if ! grep -qw vfat /proc/filesystems && ! modprobe vfat 2>/dev/null; then
  echo "build: no vfat in this kernel: building without the EFI partition (boot it with test-vm.sh)" >&2
  bootable=(--bootable=no)
fi
# mkosi runs apt and the scripts in systemd-nspawn, which refuses to clean up its propagation directory unless it
# is on a tmpfs, as /run is on a systemd host; on a host without systemd (a build container), give it one.
nspawn_tmpfs=
if [ "$(stat -f -c %T /run)" != tmpfs ] && ! mountpoint -q /run/systemd/nspawn 2>/dev/null; then
  mkdir -p /run/systemd/nspawn
  mount -t tmpfs -o mode=0755 tmpfs /run/systemd/nspawn
  nspawn_tmpfs=/run/systemd/nspawn
fi
status=0
mkdir -p "$out/../mkosi-cache"
(cd "$here" && mkosi --force "${bootable[@]}" --cache "$out/../mkosi-cache" --output-dir "$out" build) || status=$?
[ -n "$nspawn_tmpfs" ] && umount "$nspawn_tmpfs"
[ "$status" = 0 ] || exit "$status"
image=$(find "$out" -name '*.raw' -printf '%T@ %p\n' | sort -rn | head -1 | cut -d' ' -f2-)
echo "built $image in $(( $(date +%s) - start )) s ($(du -h --apparent-size "$image" | cut -f1) apparent, $(du -h "$image" | cut -f1) on disk)"
