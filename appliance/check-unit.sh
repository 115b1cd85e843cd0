#!/usr/bin/env bash
# Prints the exposure score systemd gives appliance/gateway.service (`systemd-analyze security`, 0 = locked
# down, 10 = unprotected) and fails above 1.5.
# Offline: no systemd needs to be running and nothing is installed.
#   appliance/check-unit.sh [UNIT_FILE]
set -euo pipefail
cd "$(dirname "$0")"
unit=${1:-gateway.service}
# 1.5: what is left is what a mail gateway needs (internet sockets, Unix sockets for the journal and sd_notify, one
# ambient capability for port 25, W+X memory and sched_setaffinity for the .NET runtime); see the unit's comments.
limit=1.5

if ! command -v systemd-analyze >/dev/null; then
  echo "check-unit: systemd-analyze not found (Debian package systemd)" >&2
  exit 1
fi

report=$(systemd-analyze security --offline=true --no-pager "$unit" 2>&1) || true
# What still counts against the unit, then the score line: "→ Overall exposure level for gateway.service: 1.6 OK".
printf '%s\n' "$report" | grep -E '^✗' || true
line=$(printf '%s\n' "$report" | grep -E 'Overall exposure level' || true)
score=$(printf '%s\n' "$line" | sed -nE 's/.*: ([0-9]+\.[0-9]+) .*/\1/p')
if [ -z "$score" ]; then
  printf '%s\n' "$report" >&2
  echo "check-unit: no exposure score for $unit" >&2
  exit 1
fi

echo "exposure: $score (limit $limit) for $unit"
if awk -v s="$score" -v l="$limit" 'BEGIN { exit !(s > l) }'; then
  echo "check-unit: $unit is exposed above $limit" >&2
  exit 1
fi
