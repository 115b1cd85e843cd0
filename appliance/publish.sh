#!/usr/bin/env bash
# Builds the appliance's gateway: native AOT for linux-x64 (the whole program compiled ahead of time into one
# executable: no .NET installed on the target, no JIT, so no writable and executable memory and no compiling while
# the first mail waits), with the appliance layout (policies in /etc/gateway, state in /var/lib/gateway) and the
# version from `git describe`. Needs clang and zlib1g-dev on the build machine (`.ci/run` installs them).
# Output: one directory, by default appliance/out/gateway, with the `gateway` executable. The build fails on any
# trim or AOT analysis warning, so nothing the program finds by reflection can be silently trimmed away.
#   appliance/publish.sh [OUTPUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-appliance/out/gateway}

# "v1.2.3-4-gabcdef0" from a tag, the commit hash without one; "-dirty" for uncommitted changes.
describe=$(git describe --tags --always --dirty 2>/dev/null || echo unknown)
# The assembly version must be numeric: the tag's numbers when there is one, else 0.0.0.
numeric=$(printf '%s' "$describe" | sed -nE 's/^v?([0-9]+\.[0-9]+\.[0-9]+).*/\1/p')
numeric=${numeric:-0.0.0}

rm -rf "$out"
dotnet publish src/Gateway -c Release -r linux-x64 \
  -p:GatewayLayout=appliance \
  -p:Version="$numeric" \
  -p:InformationalVersion="$describe" \
  -p:IncludeSourceRevisionInInformationalVersion=false \
  -p:DebugType=none \
  -p:PublishDocumentationFile=false \
  -p:PublishReferencesDocumentationFiles=false \
  -o "$out" -nologo -v quiet

# The native symbols the link splits off (gateway.dbg, about 60 MB) are for a developer's debugger, not the appliance.
rm -f "$out"/*.dbg
test -x "$out/gateway"
echo "published $("$out/gateway" version) to $out ($(du -sh "$out" | cut -f1))"
