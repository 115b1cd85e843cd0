#!/usr/bin/env bash
# Builds the Debian package (dpkg-deb, no debhelper): the natively compiled gateway in /usr/lib/gateway with
# /usr/bin/gateway, the systemd unit, /etc/gateway/gateway.env as a conffile (kept when edited), the gateway user
# made in postinst. Checks it with lintian (no errors allowed) and prints its size.
#   appliance/build-deb.sh [PUBLISH_DIR]   (default: runs appliance/publish.sh into appliance/out/gateway)
# Output: appliance/out/gateway_<version>_amd64.deb
set -euo pipefail
cd "$(dirname "$0")/.."
publish=${1:-}
if [ -z "$publish" ]; then
  publish=appliance/out/gateway
  appliance/publish.sh "$publish"
fi

# Debian versions start with a digit: v1.2.3-4-gabc -> 1.2.3+4.gabc; no tag -> 0.0.0+git<commits>.<hash>.
describe=$(git describe --tags --always --dirty 2>/dev/null || echo unknown)
if [[ "$describe" =~ ^v?([0-9]+\.[0-9]+\.[0-9]+)(-([0-9]+)-g([0-9a-f]+))?(-dirty)?$ ]]; then
  version=${BASH_REMATCH[1]}${BASH_REMATCH[3]:++${BASH_REMATCH[3]}.g${BASH_REMATCH[4]}}
else
  version="0.0.0+git$(git rev-list --count HEAD).$(git rev-parse --short HEAD)"
fi
[[ "$describe" == *-dirty ]] && version="$version.dirty"
# Not a native Debian package: the packaging revision after the upstream version.
version="$version-1"

out=appliance/out
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
pkg="$root/gateway"
install -d "$pkg/DEBIAN" "$pkg/usr/lib/gateway" "$pkg/usr/bin" "$pkg/lib/systemd/system" \
  "$pkg/etc/gateway" "$pkg/usr/share/doc/gateway"

cp -a "$publish/." "$pkg/usr/lib/gateway/"
# Files 0644, the executable and the runtime's shared objects as dpkg expects them (lintian checks both).
find "$pkg/usr/lib/gateway" -type f -exec chmod 0644 {} +
chmod 0755 "$pkg/usr/lib/gateway/gateway"
strip --strip-unneeded "$pkg"/usr/lib/gateway/*.so 2>/dev/null || true
ln -s ../lib/gateway/gateway "$pkg/usr/bin/gateway"
install -m 0644 appliance/gateway.service "$pkg/lib/systemd/system/gateway.service"
install -m 0644 appliance/debian/gateway.env "$pkg/etc/gateway/gateway.env"
install -m 0644 appliance/README.md "$pkg/usr/share/doc/gateway/README.md"
gzip -9n "$pkg/usr/share/doc/gateway/README.md"
install -m 0755 appliance/debian/postinst appliance/debian/prerm appliance/debian/postrm "$pkg/DEBIAN/"
echo /etc/gateway/gateway.env > "$pkg/DEBIAN/conffiles"
# The .NET runtime's compression library links zlib-ng in statically (Microsoft's runtime pack ships it so), and the
# native-AOT link puts it into the executable: we ship that prebuilt runtime code unchanged instead of rebuilding it
# against Debian's zlib1g.
install -d "$pkg/usr/share/lintian/overrides"
echo "gateway: embedded-library zlib [usr/lib/gateway/gateway]" > "$pkg/usr/share/lintian/overrides/gateway"
chmod 0644 "$pkg/usr/share/lintian/overrides/gateway"

cat > "$pkg/usr/share/doc/gateway/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: gateway
Source: the Gateway project repository

Files: *
Copyright: 2026 The Gateway authors
License: Expat

Files: usr/lib/gateway/*
Copyright: .NET Foundation and Contributors; the authors of the NuGet packages listed in README.md
License: Expat
Comment: the .NET runtime, ASP.NET Core, YamlDotNet, MailKit/MimeKit, BouncyCastle,
 DnsClient, System.CommandLine and prometheus-net, compiled into one native executable (MIT or MIT-style
 licences); the embedded
 Public Suffix List is under MPL-2.0.

License: Expat
$(sed -n '3,$p' LICENSE | sed -e 's/^$/./' -e 's/^/ /')
COPYRIGHT

date=$(git log -1 --format=%aD)
cat > "$root/changelog" <<CHANGELOG
gateway ($version) stable; urgency=medium

  * Built from $describe.

 -- Gateway maintainers <maintainers@gateway.invalid>  $date
CHANGELOG
gzip -9nc "$root/changelog" > "$pkg/usr/share/doc/gateway/changelog.Debian.gz"
chmod 0644 "$pkg/usr/share/doc/gateway/"*

size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
cat > "$pkg/DEBIAN/control" <<CONTROL
Package: gateway
Version: $version
Architecture: amd64
Maintainer: Gateway maintainers <maintainers@gateway.invalid>
Installed-Size: $size
Depends: adduser, ca-certificates, libc6 (>= 2.36), libgcc-s1, libssl3, libstdc++6, zlib1g, systemd | systemd-standalone-sysusers
Section: mail
Priority: optional
Homepage: https://gateway.invalid/
Description: secure SMTP mail gateway
 A perimeter SMTP gateway between the internet and an organisation's internal
 mail servers: relay control that is never an open relay, STARTTLS, SPF, DKIM,
 ARC and DMARC, a durable queue, outbound TLS policy (MTA-STS, DANE) and
 S/MIME with escrowed keys. Runs as its own user under a hardened systemd
 unit; \`gateway init\` writes the first policy to /etc/gateway.
CONTROL

(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) > "$pkg/DEBIAN/md5sums"
chmod 0644 "$pkg/DEBIAN/md5sums" "$pkg/DEBIAN/control" "$pkg/DEBIAN/conffiles"

mkdir -p "$out"
deb="$out/gateway_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
echo "built $deb ($(du -h "$deb" | cut -f1))"

if command -v lintian >/dev/null; then
  lintian --no-tag-display-limit "$deb" > "$root/lintian.txt" 2>&1 || true
  errors=$(grep -c '^E:' "$root/lintian.txt" || true)
  warnings=$(grep -c '^W:' "$root/lintian.txt" || true)
  grep -E '^(E|W):' "$root/lintian.txt" | sed 's/^/  /' | sort | uniq -c | sort -rn | head -40 || true
  echo "lintian: $errors error(s), $warnings warning(s)"
  [ "$errors" -eq 0 ]
else
  echo "lintian: not installed (apt-get install lintian)" >&2
  exit 1
fi
