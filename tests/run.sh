#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, and runs every
# test: unit, integration (a throwaway PostgreSQL) and end-to-end (the real
# binaries on loopback).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/deploy/install-deps.sh"
"$root/deploy/build.sh"
build=${SWELL_BUILD_DIR:-$root/build}
cd "$build"
ctest --output-on-failure --timeout 600 -j "${SWELL_TEST_JOBS:-2}" "$@"
