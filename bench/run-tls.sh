#!/usr/bin/env bash
# TLS cost, in one run: (1) delivery of N (default 5,000) 5 KiB messages from smtp-source (20 sessions) through the
# gateway to a Postfix smtpd peer that offers STARTTLS and hands each message to smtp-sink, with the route at
# "tls: none" and then at "tls: {level: verify, ca: ...}" (msg/s, gateway CPU per message, TCP connections and TLS
# handshakes the peer logged); (2) inbound STARTTLS sessions per second (connect, EHLO, STARTTLS, handshake, EHLO,
# QUIT; 20 at a time) against the gateway and a private Postfix smtpd with the same certificate, with full
# handshakes and with resumption. The certificate (ECDSA P-256, or RSA-2048 with TLS_KEY=rsa) comes from a
# throw-away CA made here with openssl and deleted afterwards. Postfix is Debian's package (root needed, as for
# Postfix itself). Loopback only.
# Usage: bench/run-tls.sh [messages] [--sessions N] [--rounds N] [--concurrency N] [--no-relay] [--no-starttls]
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if ! command -v postfix >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postfix
fi

ca=$(mktemp -d /tmp/gateway-tls-bench.XXXXXX)
trap 'rm -rf "$ca"' EXIT
case "${TLS_KEY:-ec}" in
  ec) newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) ;;
  rsa) newkey=(-newkey rsa:2048) ;;
  *) echo "TLS_KEY must be ec or rsa" >&2; exit 2 ;;
esac
# Valid for two days, trusted by nothing but this run: the gateway's route pins ca.pem, the load client compares
# the server certificate's hash.
openssl req -x509 "${newkey[@]}" -nodes -days 2 -subj "/CN=Gateway bench throw-away CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout "$ca/ca.key" -out "$ca/ca.pem" 2>/dev/null
openssl req "${newkey[@]}" -nodes -subj "/CN=mx.bench.test" -keyout "$ca/server.key" -out "$ca/server.csr" 2>/dev/null
printf '%s\n' "subjectAltName=DNS:mx.bench.test,IP:127.0.0.1" "basicConstraints=critical,CA:FALSE" \
  "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" > "$ca/server.ext"
openssl x509 -req -in "$ca/server.csr" -CA "$ca/ca.pem" -CAkey "$ca/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
  -days 2 -extfile "$ca/server.ext" -out "$ca/server.pem" 2>/dev/null
chmod 600 "$ca/server.key" "$ca/ca.key"
chmod 711 "$ca"

# As the appliance ships it (appliance/publish.sh): compiled natively ahead of time (needs clang and zlib1g-dev).
if ! dpkg -s clang zlib1g-dev >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang zlib1g-dev
fi
dotnet publish src/Gateway -c Release -r linux-x64 -o bench/out/gateway -v quiet -nologo
dotnet build -c Release bench/Gateway.Bench -o bench/out/bench -v quiet -nologo
dotnet bench/out/bench/gateway-bench.dll tls --gateway "$PWD/bench/out/gateway/gateway" \
  --ca "$ca/ca.pem" --cert "$ca/server.pem" --key "$ca/server.key" --messages "${1:-5000}" "${@:2}"
