#!/bin/sh
# The demo's latency check: about 120 ms, but about 180 ms once the host's
# app config turns on debug logging. No absolute threshold gate watches it;
# the demo's PromQL gate does, through Prometheus.
conf="${SWELL_ROOT:-}/etc/app/app.conf"
[ -r "$conf" ] || { echo "no $conf" >&2; exit 1; }
if grep -q '^log_level = debug' "$conf"; then base=180; else base=120; fi
echo $((base + $$ % 7))
