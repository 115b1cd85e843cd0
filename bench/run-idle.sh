#!/usr/bin/env bash
# Idle-connection benchmark: 1,000 idle SMTP sessions held against one gateway process.
# Usage: bench/run-idle.sh [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
dotnet build -c Release src/Gateway -o bench/out/gateway -v quiet -nologo
dotnet build -c Release bench/Gateway.Bench -o bench/out/bench -v quiet -nologo
dotnet bench/out/bench/gateway-bench.dll idle --gateway-dll "$PWD/bench/out/gateway/gateway.dll" --connections "${1:-1000}"
