#!/usr/bin/env bash
# Makes a small PKI for Swell with Debian's openssl: one CA, the
# controller's server certificate, and one client certificate per host
# whose one DNS subjectAltName is the host id (an agent's identity).
#
#   deploy/make-pki.sh DIR [--controller-name NAME]... HOST...
#
# Writes DIR/ca.pem (give it to every agent and to swellctl), DIR/ca.key
# (keep it offline: whoever holds it can mint any host), DIR/controller.pem
# and .key (the controller's; it names 127.0.0.1, localhost and every
# --controller-name), and DIR/hosts/HOST.pem and .key for each HOST.
# Keys are ECDSA P-256, mode 0600. Certificates last 365 days
# (SWELL_PKI_DAYS to change). Existing files are kept, so running it again
# with new hosts only adds their certificates.
set -euo pipefail

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }
[[ "${1:-}" == "-h" || "${1:-}" == "--help" ]] && { usage; exit 0; }
[[ $# -ge 1 ]] || { usage >&2; exit 2; }
dir=$1
shift
names=("IP:127.0.0.1" "DNS:localhost")
hosts=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --controller-name) names+=("DNS:$2"); shift 2 ;;
    -*) echo "make-pki: unknown flag $1" >&2; exit 2 ;;
    *) hosts+=("$1"); shift ;;
  esac
done
days=${SWELL_PKI_DAYS:-365}
umask 077
mkdir -p "$dir/hosts"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

if [[ ! -f "$dir/ca.pem" ]]; then
  key "$dir/ca.key"
  openssl req -x509 -new -key "$dir/ca.key" -out "$dir/ca.pem" -days "$days" \
    -subj "/CN=Swell CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  chmod 0644 "$dir/ca.pem"
fi

# issue STEM CN SAN USAGE
issue() {
  [[ -f "$1.pem" ]] && return 0
  key "$1.key"
  openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\nsubjectAltName=%s\n' \
    "$4" "$3" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days "$days" -out "$1.pem" \
    -extfile "$1.ext" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
  chmod 0644 "$1.pem"
}

issue "$dir/controller" "swell-controller" "$(IFS=,; echo "${names[*]}")" serverAuth
for h in "${hosts[@]}"; do
  [[ "$h" =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]] || {
    echo "make-pki: $h: a host id must be a DNS name (letters, digits, dots, dashes)" >&2
    exit 2
  }
  issue "$dir/hosts/$h" "$h" "DNS:$h" clientAuth
done
echo "make-pki: CA $dir/ca.pem, controller $dir/controller.pem, ${#hosts[@]} host certificate(s) in $dir/hosts/"
