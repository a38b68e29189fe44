#!/bin/sh
# The demo's health check: prints 1 when the host's app config asks for at
# least one worker, 0 otherwise (a config with "workers = 0" is the bad
# change the demo's gate catches). Exits non-zero when the config is missing.
conf="${SWELL_ROOT:-}/etc/app/app.conf"
[ -r "$conf" ] || { echo "no $conf" >&2; exit 1; }
workers=$(sed -n 's/^[[:space:]]*workers[[:space:]]*=[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$conf" | tail -n 1)
if [ -n "$workers" ] && [ "$workers" -ge 1 ]; then echo 1; else echo 0; fi
