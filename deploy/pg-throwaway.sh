#!/usr/bin/env bash
# A throwaway PostgreSQL for demos, as the tests' ThrowawayPostgres makes
# one: a fresh cluster in DIR, listening on 127.0.0.1 only (and a socket in
# DIR), on a free port, trust authentication, fsync off, superuser and
# database "swell".
#
#   pg-throwaway.sh start DIR   prints the conninfo on stdout
#   pg-throwaway.sh stop DIR    stops the server and removes DIR
#
# DIR must be new or empty. As root, the server runs as "postgres" (through
# runuser), so DIR must be reachable by that user (e.g. under /tmp).
# Binaries come from $SWELL_PG_BINDIR, else the newest
# /usr/lib/postgresql/*/bin. Progress goes to stderr.
set -euo pipefail

readonly MARKER=.swell-pg-throwaway

die() { echo "pg-throwaway: $*" >&2; exit 1; }

usage() { die "usage: $0 start|stop DIR"; }

find_bindir() {
  if [[ -n "${SWELL_PG_BINDIR:-}" ]]; then
    echo "$SWELL_PG_BINDIR"
    return
  fi
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5n | tail -n1)
  [[ -n "$newest" && -x "$newest/initdb" ]] ||
    die "no /usr/lib/postgresql/*/bin/initdb; install PostgreSQL or set SWELL_PG_BINDIR"
  echo "$newest"
}

# Runs a command as the server's owner, in DIR.
as_owner() {
  if [[ $EUID -eq 0 ]]; then
    (cd "$DIR" && runuser -u postgres -- "$@")
  else
    (cd "$DIR" && "$@")
  fi
}

# A port on 127.0.0.1 that is free right now; empty without python3.
free_port() {
  command -v python3 >/dev/null || return 0
  python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# Starts the server on port $1; fails when it cannot.
start_on() {
  as_owner "$BINDIR/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
    -o "-p $1" start >&2
}

start() {
  if [[ -e "$DIR" && -n "$(ls -A "$DIR")" ]]; then
    die "$DIR exists and is not empty"
  fi
  mkdir -p "$DIR"
  DIR=$(cd "$DIR" && pwd)
  [[ "$DIR" != *"'"* ]] || die "DIR must not contain a quote"
  touch "$DIR/$MARKER"
  if [[ $EUID -eq 0 ]]; then
    chown postgres: "$DIR"
    chmod 700 "$DIR"
    runuser -u postgres -- test -w "$DIR" ||
      die "user postgres cannot write $DIR; use a directory under /tmp"
  fi
  as_owner "$BINDIR/initdb" -D "$DIR/data" -A trust -U swell -E UTF8 \
    --locale=C --no-sync --no-instructions >&2
  cat >>"$DIR/data/postgresql.conf" <<EOF

# pg-throwaway.sh
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  local port started=""
  port=$(free_port)
  if [[ -n "$port" ]] && start_on "$port"; then
    started=1
  else
    # No python3, or the port was taken meanwhile: try a range.
    for port in $(seq 54320 54420); do
      if start_on "$port"; then
        started=1
        break
      fi
      grep -q "could not bind\|Address already in use" "$DIR/server.log" ||
        break
    done
  fi
  [[ -n "$started" ]] || { cat "$DIR/server.log" >&2; die "server did not start"; }
  echo "$port" >"$DIR/port"
  as_owner "$BINDIR/createdb" -h 127.0.0.1 -p "$port" -U swell swell >&2
  echo "host=127.0.0.1 port=$port user=swell dbname=swell"
}

stop() {
  [[ -f "$DIR/$MARKER" ]] || die "$DIR was not made by $0; not touching it"
  if [[ -f "$DIR/data/postmaster.pid" ]]; then
    as_owner "$BINDIR/pg_ctl" -D "$DIR/data" -m immediate -w stop >&2
  fi
  rm -rf "$DIR"
}

[[ $# -eq 2 ]] || usage
DIR=$2
BINDIR=$(find_bindir)
case "$1" in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
