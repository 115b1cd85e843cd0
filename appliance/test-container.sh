#!/usr/bin/env bash
# Smoke test of the container image, on loopback only: builds the image, writes a policy with the image's own
# `gateway init`, runs the gateway read-only with every capability dropped but NET_BIND_SERVICE, relays a message
# with swaks to Debian's smtp-sink, checks /health (HEALTHCHECK) and /metrics, queues a second message while the
# sink is down, stops the gateway with SIGTERM and checks that message survives the stop and is delivered by the
# next start; without NET_BIND_SERVICE the start is refused in one line naming the listener; a policy edit with an
# error leaves the gateway healthy. Prints the image size. Needs podman, runc, swaks, smtp-sink (postfix), curl; run as root.
#   appliance/test-container.sh [PUBLISH_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

# The integration tests bind sinks on 127.0.0.x:25 too: never at the same time.
if [ -z "${GATEWAY_TEST_LOCK_HELD:-}" ]; then
  exec env GATEWAY_TEST_LOCK_HELD=1 flock /tmp/gateway-integration.lock "$0" "$@"
fi

image=localhost/gateway:smoke
name=gateway-smoke-$$
gw=127.0.0.77
sink=127.0.0.78:2526
work=$(mktemp -d)
sink_pid=
cleanup() {
  podman rm -f "$name" >/dev/null 2>&1 || true
  [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "test-container: FAIL: $*" >&2; podman logs "$name" 2>&1 | tail -20 >&2 || true; exit 1; }

appliance/build-container.sh "${1:-}" "$image"

# runc sets the container's resource limits from outside; without CAP_SYS_RESOURCE (as in an unprivileged
# sandbox) it may only lower them, and podman's defaults (1048576 files) are above what this shell has.
nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] || [ "$nofile" -gt 65536 ] && nofile=65536
nproc=$(ulimit -Su); [ "$nproc" = unlimited ] || [ "$nproc" -gt 4096 ] && nproc=4096
runtime=(--runtime runc --ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc")
volumes=(-v "$work/etc:/etc/gateway" -v "$work/state:/var/lib/gateway")

# As appliance/README.md has the admin make them.
install -d -o 10025 -g 10025 -m 0750 "$work/etc"
install -d -o 10025 -g 10025 -m 0700 "$work/state"
mkdir -p "$work/sink"

echo "== gateway init (in the image)"
podman run --rm "${runtime[@]}" --network none --no-healthcheck "${volumes[@]}" "$image" \
  init --hostname mx.example.test --domain example.test --internal "$sink"
# Loopback only: the listeners and the admin endpoint on a loopback address of their own (the image's default
# policy binds 0.0.0.0). No DNS here, so sender authentication is off.
sed -i -e "s/0\.0\.0\.0:/$gw:/" -e "s/127\.0\.0\.1:8025/$gw:8025/" "$work/etc/gateway.yaml"
printf 'authentication:\n  spf: {verify: false}\n  dkim: {verify: false}\n  arc: {verify: false}\n  dmarc: {verify: false}\n' >> "$work/etc/gateway.yaml"

start_sink() {
  smtp-sink -u root -h sink.example -d "$work/sink/%Y%m%d%H%M%S." "$sink" 64 &
  sink_pid=$!
}
start_gateway() {
  podman run -d --name "$name" "${runtime[@]}" --read-only --cap-drop=ALL --cap-add=NET_BIND_SERVICE \
    --network host "${volumes[@]}" "$image" run >/dev/null
  for _ in $(seq 60); do
    if podman healthcheck run "$name" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  fail "not healthy after 60 s"
}
delivered() { grep -rl "$1" "$work/sink" >/dev/null 2>&1; }
wait_delivered() {
  for _ in $(seq 60); do delivered "$1" && return 0; sleep 1; done
  fail "'$1' not delivered to the sink"
}
send() {
  swaks --server "$gw:25" --from sender@example.org --to user@example.test --header "Subject: $1" \
    --body "container smoke test: $1" --tls-optional 2>&1
}

echo "== run without NET_BIND_SERVICE: refused in one line that names the listener and the capability"
if out=$(podman run --rm "${runtime[@]}" --read-only --cap-drop=ALL --network host --no-healthcheck "${volumes[@]}" \
  "$image" run 2>&1); then
  fail "started on port 25 without NET_BIND_SERVICE"
fi
echo "$out" | grep -F "gateway: not started: listener inbound: cannot bind $gw:25: permission denied (a port below 1024 needs the CAP_NET_BIND_SERVICE capability" \
  || fail "no one-line bind error: $out"
if echo "$out" | grep -E 'SocketException|BackgroundService failed' >/dev/null; then fail "a stack trace for a bind error: $out"; fi

start_sink
echo "== run (read-only, cap-drop=ALL, cap-add=NET_BIND_SERVICE, user 10025)"
start_gateway
echo "healthcheck: $(podman inspect --format '{{.State.Health.Status}}' "$name" 2>/dev/null || echo run by hand) ($(podman exec "$name" /usr/lib/gateway/gateway health))"
podman top "$name" user capeff 2>/dev/null | tail -1 | sed 's/^/process: /' || true

echo "== a policy edit with an error: the gateway keeps its policy and the HEALTHCHECK stays healthy"
cp "$work/etc/gateway.yaml" "$work/gateway.yaml.good"
echo 'hostname: [' >> "$work/etc/gateway.yaml"
for _ in $(seq 20); do podman logs "$name" 2>&1 | grep -q 'Policy reload rejected' && break; sleep 0.5; done
podman logs "$name" 2>&1 | grep -q 'Policy reload rejected' || fail "the broken edit was not reported"
podman healthcheck run "$name" >/dev/null 2>&1 || fail "unhealthy while running on its last good policy"
cp "$work/gateway.yaml.good" "$work/etc/gateway.yaml"
echo "broken edit reported, still healthy"

echo "== relay through port 25"
out=$(send smoke-one) || fail "swaks: $out"
echo "$out" | grep -E '^<[-~] +250 2\.0\.0' || fail "no 250 for the message: $out"
wait_delivered smoke-one
echo "delivered to smtp-sink"

health=$(curl -fsS "http://$gw:8025/health") || fail "/health"
echo "/health: $health"
metrics=$(curl -fsS "http://$gw:8025/metrics") || fail "/metrics"
echo "$metrics" | grep -E '^gateway_(messages_accepted_total|recipients_delivered_total)' || fail "/metrics lacks the message counters"

echo "== queue a message while the internal server is down, then SIGTERM"
kill "$sink_pid"; wait "$sink_pid" 2>/dev/null || true; sink_pid=
out=$(send smoke-two) || fail "swaks: $out"
queued=$(echo "$out" | sed -nE 's/.*250 2\.0\.0 Ok: queued as ([A-Za-z0-9]+).*/\1/p' | head -1)
[ -n "$queued" ] || fail "no queue id: $out"
echo "queued as $queued"
podman stop --time 40 "$name" >/dev/null
code=$(podman inspect --format '{{.State.ExitCode}}' "$name")
podman logs "$name" 2>&1 | grep -E 'Gateway stopped' >/dev/null || fail "no 'Gateway stopped' in the log"
[ "$code" = 0 ] || fail "exit code $code after SIGTERM"
echo "stopped by SIGTERM, exit code $code"
podman rm "$name" >/dev/null

listing=$(podman run --rm "${runtime[@]}" --network none --no-healthcheck "${volumes[@]}" "$image" queue list)
echo "$listing"
echo "$listing" | grep -q "$queued" || fail "$queued is not in the queue after the stop"
podman run --rm "${runtime[@]}" --network none --no-healthcheck "${volumes[@]}" "$image" queue retry "$queued" >/dev/null

echo "== start again: the queued message is delivered"
start_sink
start_gateway
wait_delivered smoke-two
echo "$queued delivered after the restart"
podman stop --time 40 "$name" >/dev/null

size=$(podman image inspect --format '{{.Size}}' "$image")
echo "test-container: OK (image $image, $((size / 1024 / 1024)) MiB)"
