#!/usr/bin/env bash
# Sender-authentication cost: two gateways relay DKIM-signed 5 KiB inbound mail, one with SPF, DKIM, ARC and DMARC
# off and one with them on (records from a knot server on 127.0.0.1), taking batches in turn; prints CPU per
# message and the overhead.
# Usage: bench/run-auth.sh [messages per batch] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
# The sender's records come from Debian's knot on 127.0.0.1.
if ! command -v knotd >/dev/null && [ "$(id -u)" = 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends knot
fi
dotnet build -c Release src/Gateway -o bench/out/gateway -v quiet -nologo
dotnet build -c Release bench/Gateway.Bench -o bench/out/bench -v quiet -nologo
dotnet bench/out/bench/gateway-bench.dll auth --gateway-dll "$PWD/bench/out/gateway/gateway.dll" --messages "${1:-5000}" --rounds "${2:-8}"
