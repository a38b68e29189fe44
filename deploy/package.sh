#!/usr/bin/env bash
# Builds the Debian packages swell-controller, swell-agent and swellctl
# with CPack (cmake/packaging.cmake) and prints each .deb's path.
#
#   deploy/package.sh [--no-build] [OUTDIR]
#
# OUTDIR defaults to build/packages ($SWELL_BUILD_DIR/packages); its old
# .deb files are replaced. --no-build packages what is already built (the
# packaging test does, after tests/run.sh built everything); otherwise the
# three binaries, their man pages and swellctl's bash completion are
# built first (deploy/build.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SWELL_BUILD_DIR:-$root/build}

usage() { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; }
do_build=1
out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --no-build) do_build=""; shift ;;
    -*) echo "package: unknown flag $1" >&2; usage >&2; exit 2 ;;
    *) out=$1; shift ;;
  esac
done
out=${out:-$build/packages}

if [[ -n "$do_build" ]]; then
  "$root/deploy/build.sh" swell-controller swell-agent swellctl swell-man swell-completion >&2
fi
[[ -f "$build/CPackConfig.cmake" ]] ||
  { echo "package: no $build/CPackConfig.cmake; run deploy/build.sh first" >&2; exit 1; }
command -v dpkg-shlibdeps >/dev/null ||
  { echo "package: dpkg-shlibdeps is missing (apt-get install dpkg-dev)" >&2; exit 1; }

mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/*.deb
# cpack stages in $out/_CPack_Packages; only the .deb files are kept.
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$out" >"$out/cpack.log" 2>&1 ||
  { cat "$out/cpack.log" >&2; echo "package: cpack failed" >&2; exit 1; }
rm -rf "$out/_CPack_Packages"
ls "$out"/*.deb
