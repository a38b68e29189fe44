#!/usr/bin/env bash
# How fast real agents connect: N swell-agent processes started at once
# against a ready controller, then the controller killed (-9), kept down for
# OUTAGE seconds and started again. Prints the seconds until all N were
# connected, each time. Bounded: gives up after 120 s per phase.
#
#   tests/bench/agents_reconnect.sh [N=200] [OUTAGE=30]
#
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

start_controller() {
  "$bin/controller/swell-controller" --insecure --listen "$agents_at" \
    --api_listen "$SWELL_CONTROLLER" \
    --metrics_listen "" --database "$conninfo" --agent_grace 10s \
    >>"$work/controller.log" 2>&1 &
  controller_pid=$!
  for _ in $(seq 1 600); do
    "$bin/cli/swellctl" list >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "the controller did not answer; see $work/controller.log" >&2
  exit 1
}

connected() {
  "$bin/cli/swellctl" hosts -o json 2>/dev/null |
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
for i in $(seq 1 "$n"); do
  mkdir -p "$work/hosts/h$i"
  "$bin/agent/swell-agent" --insecure --controller "$agents_at" \
    --host-id "h$i" --label "role=web" --root "$work/hosts/h$i" \
    --log_level warn >"$work/hosts/h$i.log" 2>&1 &
  pids+=($!)
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
