#!/usr/bin/env bash
# Configures and builds Swell into build/ (or $SWELL_BUILD_DIR), warnings as
# errors. Arguments name the targets to build (default: everything, tests
# included). The configuration is the same for the demo and the tests, so
# switching between them rebuilds nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SWELL_BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSWELL_BUILD_TESTS=ON -DSWELL_WERROR=ON >/dev/null
# Two cores, and gRPC's headers are heavy: two jobs keep memory in check.
ninja -C "$build" -j "${SWELL_JOBS:-2}" "$@"
