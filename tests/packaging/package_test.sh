#!/usr/bin/env bash
# The packaging test (ctest label "package"): builds the Debian packages
# from an already built tree (deploy/package.sh --no-build), runs lintian
# (no error may remain), installs them on this machine, checks files, the
# swell user, conffiles, the units (systemd-analyze verify) and --help, then
# runs a short rollout with the installed binaries and /etc/swell config:
# a throwaway PostgreSQL and PKI, the controller and two agents started as
# their units' ExecStart= would start them (no systemd runs here). Purges
# the packages whatever happens, and checks that purge removed what
# postinst made.
#
#   tests/packaging/package_test.sh
#
# Needs root, since it installs packages: without it, it says so and exits
# 77 (ctest: skipped). It refuses to run when a swell package is already
# installed, since it would purge it. SWELL_BUILD_DIR: the built tree
# (default build/). Bounded: each wait has a deadline.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${SWELL_BUILD_DIR:-$root/build}
here=$(dirname "$0")
PACKAGES=(swellctl swell-agent swell-controller)

[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
if [[ $(id -u) -ne 0 ]]; then
  echo "SKIPPED: the packaging test installs packages and needs root (run tests/run.sh as root)"
  exit 77
fi
for tool in lintian systemd-analyze dpkg-shlibdeps openssl python3 setpriv; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is missing (deploy/install-deps.sh)"; exit 1; }
done

# One run at a time on this machine: dpkg and the packages are shared.
exec 9>/tmp/swell-package-test.lock
flock -w 240 9 || { echo "FAIL: another packaging test holds /tmp/swell-package-test.lock"; exit 1; }
for p in "${PACKAGES[@]}"; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'installed\|config-files'; then
    echo "FAIL: $p is already on this machine; this test would purge it (dpkg --purge $p first)"
    exit 1
  fi
done

work=$(mktemp -d /tmp/swell-pkgtest.XXXXXX)
chmod 0755 "$work"
pids=()
cleanup() {
  local rc=$?
  trap - EXIT
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$root/deploy/pg-throwaway.sh" stop "$work/pg" >/dev/null 2>&1 || true
  rm -f /etc/swell/tls/{ca,controller,host}.{pem,key}
  dpkg --purge "${PACKAGES[@]}" >"$work/purge.log" 2>&1 || cat "$work/purge.log"
  if [[ $rc -ne 0 && -d "$work/logs" ]]; then
    for f in "$work"/logs/*; do echo "--- $f"; tail -n 30 "$f"; done
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "FAIL: $*"; exit 1; }
step() { echo "== $* ($SECONDS s)"; }

step "packages"
"$root/deploy/package.sh" --no-build "$work/debs"

step "lintian"
# No overrides: every tag is shown, information included; errors fail.
lintian_rc=0
lintian --fail-on error --display-info --pedantic "$work"/debs/*.deb >"$work/lintian.log" 2>&1 || lintian_rc=$?
grep -v 'running with root privileges' "$work/lintian.log" || echo "lintian: no tags"
[[ $lintian_rc -eq 0 ]] || fail "lintian found errors (exit $lintian_rc)"

step "install"
dpkg -i "$work"/debs/*.deb >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "dpkg -i"; }
. "$here/installed_checks.sh"
check_installed_files
check_user_and_dirs
check_conffiles

step "systemd-analyze verify"
# Any line it prints (an unknown key, a bad value it would ignore) fails.
verify_rc=0
systemd-analyze verify /lib/systemd/system/swell-controller.service \
  /lib/systemd/system/swell-agent.service >"$work/verify.log" 2>&1 || verify_rc=$?
cat "$work/verify.log"
[[ $verify_rc -eq 0 && ! -s "$work/verify.log" ]] || fail "systemd-analyze verify"
# systemd's exposure score (0 best, 10 worst): the controller's hardening
# must stay; the agent, root by design, is only shown.
for u in swell-controller swell-agent; do
  systemd-analyze security --offline=true "/lib/systemd/system/$u.service" 2>/dev/null |
    sed -n 's/^→ Overall exposure level for \([^:]*\): \([0-9.]*\).*/\1 exposure \2/p' |
    tee -a "$work/exposure.log"
done
awk '/^swell-controller.service exposure/ { ok = ($3 <= 2.5) } END { exit !ok }' "$work/exposure.log" ||
  fail "swell-controller.service is less hardened than it was (exposure above 2.5)"

step "--help of the installed binaries"
for b in swell-controller swell-agent swellctl; do
  "/usr/bin/$b" --help >/dev/null || fail "$b --help exited $?"
done

step "a rollout with the installed binaries and /etc/swell"
. "$here/installed_rollout.sh"
run_rollout

step "upgrade keeps an edited conffile"
dpkg -i --force-confold "$work"/debs/*.deb >"$work/reinstall.log" 2>&1 ||
  { cat "$work/reinstall.log"; fail "reinstall"; }
grep -q "^metrics_listen: 127.0.0.1:$metrics_port" /etc/swell/controller.yaml ||
  fail "reinstalling replaced the edited /etc/swell/controller.yaml"

step "purge"
rm -f /etc/swell/tls/{ca,controller,host}.{pem,key}
dpkg --purge "${PACKAGES[@]}" >"$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "purge"; }
check_purged
echo "PASS: packages built, lintian clean of errors, installed, rolled out, purged ($SECONDS s)"
