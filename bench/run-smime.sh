#!/usr/bin/env bash
# S/MIME cost on one core: signing 5 KiB messages with RSA-2048 and EC P-256 keys and decrypting RSA-2048
# envelopes (AES-256-CBC and -GCM), in messages per second, next to `openssl speed` for the same private-key
# operation measured in the same run. In-process and single-threaded: no network at all.
# Usage: bench/run-smime.sh [seconds per row]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release bench/Gateway.Bench -o bench/out/bench -v quiet -nologo
dotnet bench/out/bench/gateway-bench.dll smime --seconds "${1:-5}"
