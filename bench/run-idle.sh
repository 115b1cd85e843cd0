#!/usr/bin/env bash
# Idle-connection benchmark: N (default 1,000) idle SMTP sessions held against one gateway process and,
# in the same run, against a private Postfix instance (Debian's postfix package; root needed, as for
# Postfix itself). Loopback only. Usage: bench/run-idle.sh [connections] [--no-postfix]
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if ! command -v postfix >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postfix
fi
# As the appliance ships it (appliance/publish.sh): compiled natively ahead of time (needs clang and zlib1g-dev).
if ! dpkg -s clang zlib1g-dev >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang zlib1g-dev
fi
dotnet publish src/Gateway -c Release -r linux-x64 -o bench/out/gateway -v quiet -nologo
dotnet build -c Release bench/Gateway.Bench -o bench/out/bench -v quiet -nologo
dotnet bench/out/bench/gateway-bench.dll idle --gateway "$PWD/bench/out/gateway/gateway" --connections "${1:-1000}" "${@:2}"
