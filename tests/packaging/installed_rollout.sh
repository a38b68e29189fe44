# Sourced by package_test.sh: a short rollout with the installed binaries,
# configured as an admin would configure them: /etc/swell/controller.yaml,
# /etc/swell/agent.yaml and /etc/default/swell-*, edited in place. Uses
# $root, $work, pids and fail() from package_test.sh; sets metrics_port.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Starts UNIT's ExecStart= in the background as systemd would: as its
# User=, with its EnvironmentFile= read, $VAR split on spaces; FLAGS are
# appended. Our values hold no spaces inside ${VAR}, where bash and
# systemd differ.
#   start_unit UNIT LOG [FLAG...]
start_unit() {
  local unit=/lib/systemd/system/$1 log=$2
  shift 2
  local user cmd envfile
  user=$(sed -n 's/^User=//p' "$unit")
  cmd=$(sed -n 's/^ExecStart=//p' "$unit")
  envfile=$(sed -n 's/^EnvironmentFile=-\{0,1\}//p' "$unit")
  (
    set -a
    [[ -f "$envfile" ]] && . "$envfile"
    set +a
    local -a argv
    eval "argv=($cmd)"
    exec setpriv --reuid="$user" --regid="$user" --init-groups -- "${argv[@]}" "$@"
  ) >"$log" 2>&1 &
  pids+=($!)
}

# Waits up to $1 seconds for command "$2..." to succeed; fails at once
# when a process started here has exited.
wait_for() {
  local deadline=$((SECONDS + $1)) p
  shift
  until "$@" >/dev/null 2>&1; do
    [[ $SECONDS -lt $deadline ]] || return 1
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || fail "process $p exited"; done
    sleep 0.3
  done
}

# The installed swellctl, bounded.
swellctl() { timeout "${SWELLCTL_TIMEOUT:-20}" /usr/bin/swellctl "${swellctl_flags[@]}" "$@"; }

agents_connected() {
  [[ $(swellctl hosts -o json | grep -o '"connected": *true' | wc -l) -ge 2 ]]
}

run_rollout() {
  mkdir -p "$work/logs"
  local conninfo agents_port api_port tls=1
  conninfo=$("$root/deploy/pg-throwaway.sh" start "$work/pg" 2>"$work/logs/pg.log")
  agents_port=$(free_port)
  api_port=$(free_port)
  metrics_port=$(free_port)

  # TLS end to end once the controller writes a first admin token and
  # swellctl verifies its certificate; before that, --insecure on loopback.
  if ! /usr/bin/swell-controller --help | grep -q bootstrap-admin-token-file ||
    ! /usr/bin/swellctl --help | grep -q -- '--ca FILE'; then
    tls=""
    echo "NOTE: the installed binaries cannot yet do TLS end to end; this rollout runs --insecure on loopback"
  fi

  "$root/deploy/make-pki.sh" "$work/pki" host-1 host-2 >/dev/null
  install -m 0644 "$work/pki/ca.pem" "$work/pki/controller.pem" /etc/swell/tls/
  install -o root -g swell -m 0640 "$work/pki/controller.key" /etc/swell/tls/
  install -m 0644 "$work/pki/hosts/host-1.pem" /etc/swell/tls/host.pem
  install -m 0600 "$work/pki/hosts/host-1.key" /etc/swell/tls/host.key

  sed -i -e "s|^database: .*|database: \"$conninfo\"|" \
    -e "s|^listen: .*|listen: 127.0.0.1:$agents_port|" \
    -e "s|^api_listen: .*|api_listen: 127.0.0.1:$api_port|" \
    -e "s|^metrics_listen: .*|metrics_listen: 127.0.0.1:$metrics_port|" /etc/swell/controller.yaml
  sed -i -e "s|^controllers: .*|controllers: [127.0.0.1:$agents_port]|" \
    -e "s|^#host_id: .*|host_id: host-1|" \
    -e "s|^  file_prefixes: .*|  file_prefixes: [/etc/app/]|" /etc/swell/agent.yaml
  cat >>/etc/swell/agent.yaml <<YAML
root: $work/hosts/host-1
checks:
  - name: app_healthy
    command: $root/deploy/demo/app-health.sh
    parse: number
check_interval: 1s
YAML
  local ctl_opts="" agent_opts=""
  if [[ -n "$tls" ]]; then
    ctl_opts="--bootstrap_admin_token_file=/var/lib/swell/admin.token"
  else
    sed -i '/^tls_/d' /etc/swell/controller.yaml
    echo "insecure: true" >>/etc/swell/controller.yaml
    sed -i '/^tls:/,/^  ca:/d' /etc/swell/agent.yaml
    agent_opts="--insecure"
  fi
  sed -i "s|^SWELL_CONTROLLER_OPTS=.*|SWELL_CONTROLLER_OPTS=\"$ctl_opts\"|" /etc/default/swell-controller
  sed -i "s|^SWELL_AGENT_OPTS=.*|SWELL_AGENT_OPTS=\"$agent_opts\"|" /etc/default/swell-agent

  for h in host-1 host-2; do
    mkdir -p "$work/hosts/$h/etc/app"
    printf 'workers = 4\n' >"$work/hosts/$h/etc/app/app.conf"
  done
  start_unit swell-controller.service "$work/logs/controller.log"
  export SWELL_CONTROLLER=127.0.0.1:$api_port
  swellctl_flags=()
  if [[ -n "$tls" ]]; then
    wait_for 30 test -s /var/lib/swell/admin.token || fail "the controller wrote no admin token"
    swellctl_flags=(--ca /etc/swell/tls/ca.pem --token-file /var/lib/swell/admin.token)
  fi
  # host-1 runs exactly as configured in /etc/swell; host-2 is a second
  # host on this machine, whose differences are given as flags.
  start_unit swell-agent.service "$work/logs/agent-host-1.log"
  local -a host2=(--host-id=host-2 "--root=$work/hosts/host-2")
  [[ -n "$tls" ]] && host2+=("--tls-cert=$work/pki/hosts/host-2.pem" "--tls-key=$work/pki/hosts/host-2.key")
  start_unit swell-agent.service "$work/logs/agent-host-2.log" "${host2[@]}"
  wait_for 40 agents_connected || { swellctl hosts || true; fail "2 agents did not connect"; }
  swellctl hosts

  cat >"$work/plan.yaml" <<'YAML'
name: package-test
change:
  variable: app-config
  kind: file
  path: /etc/app/app.conf
  mode: "0644"
  content: |
    # managed by swell
    workers = 8
target:
  selector: {}
strategy:
  waves: [1, 100%]
  bake: 1s
  progress_deadline: 30s
gates:
  - name: app-healthy
    check: "min(app_healthy) >= 1"
    missing_data: hold
  - name: no-failed-hosts
    check: "failed_hosts <= 0"
on_failure: rollback
on_inconclusive: pause
YAML
  local id
  id=$(swellctl submit "$work/plan.yaml" --reason "package test") || fail "submit"
  SWELLCTL_TIMEOUT=60 swellctl watch "$id" --interval 500ms >"$work/logs/watch.log" 2>&1 ||
    { swellctl status "$id" || true; fail "rollout $id did not succeed"; }
  for h in host-1 host-2; do
    cmp -s "$work/hosts/$h/etc/app/app.conf" <(printf '# managed by swell\nworkers = 8\n') ||
      fail "$h did not get the new app.conf"
  done
  echo "rollout $id succeeded on host-1 and host-2"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
}
