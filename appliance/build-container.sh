#!/usr/bin/env bash
# Builds the container image FROM scratch: stages the native-AOT publish, the libraries it needs from this
# Debian host (the dynamic loader and what `ldd` names, plus the OpenSSL and zlib it loads at run time; no
# ICU: the gateway runs with invariant globalization), the CA certificates and a passwd entry for the gateway's
# user (uid 10025), then runs `podman build`.
#   appliance/build-container.sh [PUBLISH_DIR] [IMAGE]   (default: runs publish.sh; image localhost/gateway:latest)
set -euo pipefail
cd "$(dirname "$0")/.."
publish=${1:-}
image=${2:-localhost/gateway:latest}
if [ -z "$publish" ]; then
  publish=appliance/out/gateway
  appliance/publish.sh "$publish"
fi

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
rootfs="$context/rootfs"
owned="$context/owned"
mkdir -p "$rootfs/usr/lib/gateway" "$rootfs/etc/ssl/certs" "$rootfs/tmp" "$owned/etc/gateway" "$owned/var/lib/gateway"
chmod 1777 "$rootfs/tmp"
chmod 0750 "$owned/etc/gateway"
chmod 0700 "$owned/var/lib/gateway"
cp -a "$publish/." "$rootfs/usr/lib/gateway/"

# What the executable and the runtime's native parts link against, plus what .NET opens with dlopen.
libraries() {
  for elf in "$publish/gateway" "$publish"/*.so; do ldd "$elf" 2>/dev/null || true; done
  for name in libssl.so.3 libcrypto.so.3 libz.so.1; do
    path=$(ldconfig -p | awk -v n="$name" '$1 == n && /x86-64/ { print $NF; exit }')
    [ -n "$path" ] || { echo "build-container: $name not found (apt-get install libssl3 zlib1g)" >&2; exit 1; }
    echo "x => $path"
    ldd "$path"
  done
}
libraries | awk '/=> \// { print $3 } $1 ~ /^\/lib64\/ld-linux/ { print $1 }' | sort -u | while read -r lib; do
  # Under the name the loader looks for, with the content of the file the symlink points at.
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done

cp -L /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/root:/sbin/nologin\ngateway:x:10025:10025:Gateway:/var/lib/gateway:/sbin/nologin\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\ngateway:x:10025:\n' > "$rootfs/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$rootfs/etc/nsswitch.conf"
cp appliance/Containerfile "$context/Containerfile"

podman build --format docker --runtime runc -t "$image" -f "$context/Containerfile" "$context" >/dev/null
size=$(podman image inspect --format '{{.Size}}' "$image")
echo "built $image ($((size / 1024 / 1024)) MiB)"
