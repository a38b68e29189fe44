# Sourced by package_test.sh: checks of what the installed packages put on
# this machine, and of what purging them leaves. Each fails the test with
# fail().

# Every file the packages ship, by package.
check_installed_files() {
  local f
  for f in /usr/bin/swell-controller /usr/bin/swell-agent /usr/bin/swellctl \
    /lib/systemd/system/swell-controller.service /lib/systemd/system/swell-agent.service \
    /etc/swell/controller.yaml /etc/swell/agent.yaml \
    /etc/default/swell-controller /etc/default/swell-agent \
    /etc/swell/policies/config-change.yaml \
    /usr/share/man/man1/swell-controller.1.gz /usr/share/man/man1/swell-agent.1.gz \
    /usr/share/man/man1/swellctl.1.gz /usr/share/bash-completion/completions/swellctl \
    /usr/share/doc/swell-controller/install.md /usr/share/doc/swellctl/examples/config-change.yaml; do
    [[ -f "$f" ]] || fail "$f is not installed"
  done
  for p in "${PACKAGES[@]}"; do
    [[ -f /usr/share/doc/$p/copyright ]] || fail "$p has no copyright file"
  done
  [[ "$(dpkg -S /usr/bin/swell-agent)" == "swell-agent: /usr/bin/swell-agent" ]] ||
    fail "/usr/bin/swell-agent does not belong to swell-agent"
}

# owner:group mode of a path.
perms() { stat -c '%U:%G %a' "$1"; }

check_user_and_dirs() {
  local uid shell
  uid=$(getent passwd swell | cut -d: -f3) || fail "no swell user"
  getent group swell >/dev/null || fail "no swell group"
  [[ $uid -lt 1000 ]] || fail "swell is not a system user (uid $uid)"
  shell=$(getent passwd swell | cut -d: -f7)
  [[ "$shell" == */nologin || "$shell" == /bin/false ]] || fail "swell has a login shell: $shell"
  [[ "$(perms /var/lib/swell)" == "swell:swell 750" ]] || fail "/var/lib/swell is $(perms /var/lib/swell)"
  [[ "$(perms /var/lib/swell-agent)" == "root:root 700" ]] ||
    fail "/var/lib/swell-agent is $(perms /var/lib/swell-agent)"
  [[ "$(perms /etc/swell/tls)" == "root:swell 750" ]] || fail "/etc/swell/tls is $(perms /etc/swell/tls)"
}

# Every file below /etc is a conffile of its package.
check_conffiles() {
  local p f conffiles
  for p in swell-controller swell-agent; do
    conffiles=$(dpkg-query -W -f='${Conffiles}\n' "$p" | awk '{print $1}')
    while IFS= read -r f; do
      grep -qx "$f" <<<"$conffiles" || fail "$f is not a conffile of $p"
    done < <(dpkg -L "$p" | grep '^/etc/.' | while read -r f; do [[ -f "$f" ]] && echo "$f"; done)
  done
  grep -qx /etc/swell/controller.yaml <<<"$(dpkg-query -W -f='${Conffiles}\n' swell-controller | awk '{print $1}')" ||
    fail "/etc/swell/controller.yaml is not a conffile"
}

# Purge left nothing that the packages or postinst made.
check_purged() {
  local p f
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'not-installed' ||
      [[ -z "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" ]] || fail "$p is still known to dpkg"
  done
  for f in /etc/swell /etc/default/swell-controller /etc/default/swell-agent \
    /var/lib/swell /var/lib/swell-agent /usr/bin/swell-controller \
    /lib/systemd/system/swell-agent.service; do
    [[ ! -e "$f" ]] || fail "$f is still there after purge"
  done
  ! getent passwd swell >/dev/null || fail "the swell user is still there after purge"
  ! getent group swell >/dev/null || fail "the swell group is still there after purge"
}
