#!/usr/bin/env bash
# How fast real agents connect: N swell-agent processes started at once
# against a ready controller, then the controller killed (-9), kept down for
# OUTAGE seconds and started again. Prints the seconds until all N were
# connected, each time. Bounded: gives up after 120 s per phase.
#
#   tests/bench/agents_reconnect.sh [N=200] [OUTAGE=30]
#
# Secure as in production (mutual TLS, a throwaway PKI made with openssl,
# an admin token for swellctl); SWELL_BENCH_INSECURE=1 runs plaintext, to
# compare the cost of the handshakes.
# Uses the binaries in build/ (or $SWELL_BUILD_DIR) and a throwaway
# PostgreSQL on loopback; everything it starts is stopped on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${SWELL_BUILD_DIR:-$root/build}
n=${1:-200}
outage=${2:-30}
work=$(mktemp -d /tmp/swell-reconnect.XXXXXX)
chmod 755 "$work"
pids=()
controller_pid=""
swellctl_security=()

cleanup() {
  [[ -n "$controller_pid" ]] && kill -9 "$controller_pid" 2>/dev/null || true
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  "$root/deploy/pg-throwaway.sh" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

conninfo=$("$root/deploy/pg-throwaway.sh" start "$work/pg" 2>/dev/null)
agents_at="127.0.0.1:$(free_port)"
export SWELL_CONTROLLER="127.0.0.1:$(free_port)"
hosts=()
for i in $(seq 1 "$n"); do hosts+=("h$i"); done
if [[ "${SWELL_BENCH_INSECURE:-}" == 1 ]]; then
  controller_security=(--insecure)
  agent_security() { echo --insecure; }
else
  "$root/deploy/make-pki.sh" "$work/pki" "${hosts[@]}" >/dev/null
  controller_security=(--tls_cert "$work/pki/controller.pem"
    --tls_key "$work/pki/controller.key" --tls_client_ca "$work/pki/ca.pem"
    --bootstrap_admin_token_file "$work/admin.token")
  agent_security() {
    echo --tls-cert "$work/pki/hosts/$1.pem" --tls-key "$work/pki/hosts/$1.key" \
      --tls-ca "$work/pki/ca.pem"
  }
  export SWELL_CA="$work/pki/ca.pem"
  swellctl_security=(--token-file "$work/admin.token")
fi
swellctl() { "$bin/cli/swellctl" "${swellctl_security[@]}" "$@"; }

start_controller() {
  "$bin/controller/swell-controller" "${controller_security[@]}" \
    --listen "$agents_at" --api_listen "$SWELL_CONTROLLER" \
    --metrics_listen "" --database "$conninfo" --agent_grace 10s \
    >>"$work/controller.log" 2>&1 &
  controller_pid=$!
  disown
  for _ in $(seq 1 600); do
    swellctl list >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "the controller did not answer; see $work/controller.log" >&2
  exit 1
}

connected() {
  swellctl hosts -o json 2>/dev/null |
    grep -cE '"state": *"connected"|"connected": *true' || true
}

# Seconds (with ms) from $1 (epoch ms) until all n agents are connected.
await_all() {
  local since=$1
  for _ in $(seq 1 1200); do
    if [[ $(connected) -ge $n ]]; then
      echo "scale=2; ($(date +%s%3N) - $since) / 1000" | bc
      return 0
    fi
    sleep 0.1
  done
  echo "timeout: $(connected) of $n connected after 120 s" >&2
  exit 1
}

start_controller
mkdir -p "$work/hosts"
t0=$(date +%s%3N)
for h in "${hosts[@]}"; do
  mkdir -p "$work/hosts/$h"
  # shellcheck disable=SC2046  # the flags are words without spaces
  "$bin/agent/swell-agent" $(agent_security "$h") --controller "$agents_at" \
    --host-id "$h" --label "role=web" --root "$work/hosts/$h" \
    --log_level warn >"$work/hosts/$h.log" 2>&1 &
  pids+=($!)
  disown  # killed at the end without a "Killed" line each
done
spawned=$(echo "scale=2; ($(date +%s%3N) - $t0) / 1000" | bc)
echo "start: $n agents all connected after $(await_all "$t0") s" \
  "(starting the processes took $spawned s;" \
  "$(grep -l 'cannot reach a controller' "$work"/hosts/*.log 2>/dev/null |
    wc -l) agents had a failed attempt)"

kill -9 "$controller_pid"
sleep "$outage"  # the outage itself
t1=$(date +%s%3N)
start_controller
echo "restart after ${outage}s down: all $n back after $(await_all "$t1") s" \
  "(from the controller's start)"
