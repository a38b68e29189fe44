#!/usr/bin/env bash
# Swell's demo: a throwaway PostgreSQL, the controller, 12 agents (each a
# "host" rooted in its own directory, across 2 sites x 2 roles) and a
# Prometheus scraping them; then a good config change that rolls out wave by
# wave, a bad one that a health gate catches and rolls back by itself, and a
# slow one that only a PromQL query to Prometheus sees.
#
#   ./deploy/demo.sh            install what is missing, build, run the demo
#   SWELL_DEMO_KEEP=1 ./deploy/demo.sh   keep everything up at the end
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/deploy/install-deps.sh"
echo "== building (the first build takes a few minutes)"
"$root/deploy/build.sh" swell-controller swell-agent swellctl
bin=${SWELL_BUILD_DIR:-$root/build}
demo=${SWELL_DEMO_DIR:-$root/.swell-demo}

pids=()
cleanup() {
  trap - EXIT INT TERM
  echo "== stopping the demo"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$root/deploy/pg-throwaway.sh" stop "$demo/pg" >/dev/null 2>&1 || true
}
# GET (or POST a form to) a loopback URL; prints the body.
http() { python3 - "$@" <<'PY'
import sys, urllib.parse, urllib.request
url = sys.argv[1]
data = urllib.parse.urlencode({"query": sys.argv[2]}).encode() if len(sys.argv) > 2 else None
try:
    print(urllib.request.urlopen(url, data, timeout=5).read().decode())
except Exception as e:
    print(e, file=sys.stderr); sys.exit(1)
PY
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Copies every host's app.conf aside as <host>.<name>; count_unchanged
# says how many still hold that copy byte for byte.
snapshot() {
  for id in "${hosts[@]}"; do cp "$demo/hosts/$id/etc/app/app.conf" "$demo/hosts/$id.$1"; done
}
count_unchanged() {
  local same=0
  for id in "${hosts[@]}"; do
    cmp -s "$demo/hosts/$id/etc/app/app.conf" "$demo/hosts/$id.$1" && same=$((same + 1))
  done
  echo "-> $same of ${#hosts[@]} hosts hold their previous file byte for byte"
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

rm -rf "$demo"
mkdir -p "$demo/hosts" "$demo/logs"
echo "== starting a throwaway PostgreSQL (loopback only)"
conninfo=$("$root/deploy/pg-throwaway.sh" start "$demo/pg")

hosts=()
for site in a b; do
  for role in web db; do
    for n in 1 2 3; do hosts+=("$site-$role-$n"); done
  done
done
echo "== making a throwaway PKI with openssl: a CA, the controller's certificate, one per host"
"$root/deploy/make-pki.sh" "$demo/pki" "${hosts[@]}"

agents_at="127.0.0.1:$(free_port)"
metrics=$(free_port)
export SWELL_CONTROLLER="127.0.0.1:$(free_port)"
export SWELL_CA="$demo/pki/ca.pem"
swellctl() { "$bin/cli/swellctl" "$@"; }

echo "== starting swell-controller: agents on $agents_at (mutual TLS), API on $SWELL_CONTROLLER (TLS + tokens)"
echo "   (logs: $demo/logs/controller.log)"
"$bin/controller/swell-controller" --listen "$agents_at" \
  --api_listen "$SWELL_CONTROLLER" \
  --tls_cert "$demo/pki/controller.pem" --tls_key "$demo/pki/controller.key" \
  --tls_client_ca "$demo/pki/ca.pem" \
  --bootstrap_admin_token_file "$demo/admin.token" \
  --metrics_listen "127.0.0.1:$metrics" --database "$conninfo" \
  --policies "$root/policies" --agent_grace 10s \
  >"$demo/logs/controller.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do
  [[ -s "$demo/admin.token" ]] && swellctl --token-file "$demo/admin.token" list >/dev/null 2>&1 && break
  sleep 0.2
done

# make_token NAME ROLE: creates a token and writes it to $demo/NAME.token.
make_token() {
  swellctl --token-file "$demo/admin.token" token create "$1" --role "$2" |
    grep -o 'swell_[A-Za-z0-9_-]*' | head -1 >"$demo/$1.token"
  chmod 0600 "$demo/$1.token"
}
make_token demo-deployer deployer
make_token demo-operator operator
cat <<TXT
== tokens (each shown once when made, stored by the controller only as a hash):
   admin     $demo/admin.token            (bootstrap-admin: made the two below)
   deployer  $demo/demo-deployer.token    (submits the changes below)
   operator  $demo/demo-operator.token    (on-call: may halt, freeze, roll back; not submit)
TXT
swellctl token list --token-file "$demo/admin.token"
# Everything below runs as the deployer.
export SWELL_TOKEN=$(cat "$demo/demo-deployer.token")

echo "== starting 12 agents: sites a and b, roles web and db, each with its host's certificate"
scrape_targets=()
for id in "${hosts[@]}"; do
  site=${id%%-*}
  role=${id#*-}
  role=${role%-*}
  mkdir -p "$demo/hosts/$id/etc/app"
  printf '# app config of %s\nworkers = 4\nlog_level = info\n' "$id" \
    >"$demo/hosts/$id/etc/app/app.conf"
  cp "$demo/hosts/$id/etc/app/app.conf" "$demo/hosts/$id.orig"
  agent_metrics=$(free_port)
  scrape_targets+=("127.0.0.1:$agent_metrics")
  "$bin/agent/swell-agent" --controller "$agents_at" \
    --tls-cert "$demo/pki/hosts/$id.pem" --tls-key "$demo/pki/hosts/$id.key" \
    --tls-ca "$demo/pki/ca.pem" \
    --config "$root/deploy/demo/agent.yaml" \
    --host-id "$id" --label "site=$site" --label "role=$role" \
    --root "$demo/hosts/$id" \
    --check "app_healthy=$root/deploy/demo/app-health.sh" \
    --check "latency_ms=$root/deploy/demo/latency.sh" \
    --metrics-listen "127.0.0.1:$agent_metrics" \
    --check-interval 1s >"$demo/logs/agent-$id.log" 2>&1 &
  pids+=($!)
done

for _ in $(seq 1 100); do
  connected=$(swellctl hosts -o json 2>/dev/null | grep -o '"connected": *true' | wc -l || true)
  [[ "$connected" -ge 12 ]] && break
  sleep 0.2
done
swellctl hosts

prom_port=$(free_port)
prom="http://127.0.0.1:$prom_port"
echo "== starting Prometheus on $prom, scraping the 12 agents' /metrics every second"
mkdir -p "$demo/prometheus"
{
  echo "global: {scrape_interval: 1s, evaluation_interval: 1s}"
  echo "scrape_configs:"
  echo "  - job_name: swell-agents"
  echo "    static_configs:"
  echo "      - targets: [$(IFS=,; echo "${scrape_targets[*]}")]"
} >"$demo/prometheus/prometheus.yml"
prometheus --config.file "$demo/prometheus/prometheus.yml" \
  --storage.tsdb.path "$demo/prometheus/data" \
  --web.listen-address "127.0.0.1:$prom_port" \
  >"$demo/logs/prometheus.log" 2>&1 &
pids+=($!)
# It hands new targets to its scrapers every 5 s: wait until all 12 are up.
for _ in $(seq 1 150); do
  http "$prom/api/v1/query" 'count(up == 1)' 2>/dev/null | grep -q ',"12"\]' && break
  sleep 0.2
done

echo
echo "== 1. a good change: workers = 8, in waves of 1 host, 25 %, 50 %, 100 %"
swellctl preview "$root/deploy/examples/config-change.yaml"
good=$(swellctl submit "$root/deploy/examples/config-change.yaml")
swellctl watch "$good" || true
converged=0
for id in "${hosts[@]}"; do
  cmp -s "$demo/hosts/$id/etc/app/app.conf" <(printf '# managed by swell\nworkers = 8\n') &&
    converged=$((converged + 1))
done
echo "-> $converged of ${#hosts[@]} hosts have workers = 8"

echo
echo "== the brakes need less privilege than the accelerators: the operator's token may not submit"
refused=0
swellctl --token-file "$demo/demo-operator.token" submit \
  "$root/deploy/examples/bad-config.yaml" || refused=$?
[[ "$refused" == 7 ]] ||
  { echo "the operator's submit ended with exit $refused, not 7 (permission denied)" >&2; exit 1; }
echo "-> refused (exit 7); it may halt, freeze (halt --all) and roll back"

echo
echo "== 2. a bad change: workers = 0, which fails the hosts' health check"
# Hosts now hold the good change; remember it to check the rollback.
snapshot before-bad
bad=$(swellctl submit "$root/deploy/examples/bad-config.yaml")
swellctl watch "$bad" || true
count_unchanged before-bad
echo "   (the hosts the bad change reached were rolled back; the rest were never touched)"
swellctl status "$bad"

echo
echo "== 3. a slow change: debug logging, gated by a PromQL query to Prometheus"
# The plan names the demo's own Prometheus.
sed "s|http://127.0.0.1:9090|$prom|" "$root/deploy/examples/debug-logging.yaml" \
  >"$demo/debug-logging.yaml"
snapshot before-slow
slow=$(swellctl submit "$demo/debug-logging.yaml")
swellctl watch "$slow" || true
count_unchanged before-slow
swellctl status "$slow"

cat <<TXT

== done. Where to look next (while the demo is up):
   export SWELL_CONTROLLER=$SWELL_CONTROLLER SWELL_CA=$SWELL_CA
   export SWELL_TOKEN=\$(cat $demo/demo-deployer.token)   # or demo-operator, admin
   $bin/cli/swellctl list
   $bin/cli/swellctl status $good
   $bin/cli/swellctl status $bad
   $bin/cli/swellctl status $slow -o json     # the PromQL verdict's evidence
   $bin/cli/swellctl hosts
   $prom/graph?g0.expr=swell_health_sample      (Prometheus)
   curl -s http://127.0.0.1:$metrics/metrics | grep swell_
   logs: $demo/logs/
TXT
if [[ "${SWELL_DEMO_KEEP:-}" == 1 || ( -t 0 && -z "${CI:-}" ) ]]; then
  echo "Press Ctrl-C to stop the demo (PostgreSQL, Prometheus, controller and agents)."
  # Waited for in the background, so that a TERM (not only Ctrl-C) runs
  # the cleanup at once rather than after the sleep.
  sleep infinity &
  pids+=($!)
  wait "$!"
fi
