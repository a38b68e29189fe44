#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, and runs every
# test: unit, integration (a throwaway PostgreSQL) and end-to-end (the real
# binaries on loopback); then the fuzzers for a bounded time
# (tests/fuzz/run.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/deploy/install-deps.sh"
"$root/deploy/build.sh"
build=${SWELL_BUILD_DIR:-$root/build}
cd "$build"
ctest --output-on-failure --timeout 600 -j "${SWELL_TEST_JOBS:-2}" "$@"
# Every parser and the agent messages under libFuzzer with ASan and UBSan,
# SWELL_FUZZ_SECONDS each (0 skips them).
"$root/tests/fuzz/run.sh"
