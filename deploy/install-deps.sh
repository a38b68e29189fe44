#!/usr/bin/env bash
# Installs the Debian 12 packages Swell builds and runs with, if any are
# missing. Safe to run again: it installs nothing when all are present.
set -euo pipefail

# prometheus: the server the tests start throwaway instances of. On a host
# with systemd its package also starts a service on :9090, which Swell does
# not need (`systemctl disable --now prometheus`).
# libcurl4-openssl-dev: the HTTP client (PromQL gates over https, the
# agent's collectors). libssl-dev: TLS key checks and API tokens. openssl:
# the demo's and the tests' throwaway certificates.
# clang-14, libclang-rt-14-dev: libFuzzer and the sanitizers' runtimes, for
# tests/fuzz/run.sh.
# libcpp-httplib-dev, nlohmann-json3-dev: the pull API's HTTPS server and
# its JSON. curl, jq: the pull API's example client (docs/pull-api.md), which
# an end-to-end test runs.
# help2man: the packages' man pages from --help. lintian, systemd
# (systemd-analyze verify): the packaging test (tests/packaging).
PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libpqxx-dev prometheus-cpp-dev libspdlog-dev libyaml-cpp-dev
  libabsl-dev libgtest-dev libgmock-dev libbenchmark-dev libcurl4-openssl-dev
  libssl-dev libcpp-httplib-dev nlohmann-json3-dev curl jq
  clang-14 libclang-rt-14-dev
  postgresql prometheus python3 procps openssl
  help2man lintian systemd
)

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: every package is present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=()
if [[ $(id -u) -ne 0 ]]; then SUDO=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
