#!/usr/bin/env bash
# A pull client for Swell's pull API (docs/pull-api.md), with curl and jq:
# it enacts the `file` variables of its host's desired state, reports what
# the host holds, and sends health samples, so that a host without
# swell-agent takes part in waves and gates. A Puppet or Ansible run would
# do the same three calls around its own enactment.
#
#   pull-client.sh --url https://controller:7073 --host web-1 \
#       --cert web-1.pem --key web-1.key --ca ca.pem \
#       [--labels '{"role":"web"}'] [--sample app_healthy=1 ...] \
#       [--root DIR] [--wait 20s] [--once]
#
# --root puts every path below DIR (for a try-out); --once stops after one
# round. Exits non-zero, with the API's error, when a call is refused.
set -euo pipefail

url="" host="" cert="" key="" ca="" labels="" root="" wait="20s" once=0
samples=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --url) url="$2"; shift 2 ;;
    --host) host="$2"; shift 2 ;;
    --cert) cert="$2"; shift 2 ;;
    --key) key="$2"; shift 2 ;;
    --ca) ca="$2"; shift 2 ;;
    --labels) labels="$2"; shift 2 ;;
    --sample) samples+=("$2"); shift 2 ;;
    --root) root="$2"; shift 2 ;;
    --wait) wait="$2"; shift 2 ;;
    --once) once=1; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "pull-client: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for v in url host cert key ca; do
  [[ -n "${!v}" ]] || { echo "pull-client: --$v is required" >&2; exit 2; }
done

api() {  # METHOD PATH [BODY]: prints the body; fails on an HTTP error
  local out code args=(--cacert "$ca" --cert "$cert" --key "$key")
  if [[ $# -ge 3 ]]; then
    args+=(-H 'Content-Type: application/json' --data-binary "$3")
  elif [[ -n "$etag" ]]; then
    args+=(-H "If-None-Match: $etag")
  fi
  out=$(mktemp)
  code=$(curl -sS "${args[@]}" -X "$1" -o "$out" -w '%{http_code}' \
    "$url/v1/hosts/$host/$2") || { rm -f "$out"; return 1; }
  if [[ "$code" -ge 400 ]]; then
    echo "pull-client: $1 $2: HTTP $code: $(jq -r .error <"$out" 2>/dev/null)" >&2
    rm -f "$out"
    return 1
  fi
  [[ "$code" == 304 ]] || cat "$out"
  rm -f "$out"
}

# What the host holds now for each file variable of `desired`, and the error
# of each that could not be enacted.
actual_of() {
  local desired="$1" errors="$2" vars="{}" name path value
  while IFS=$'\t' read -r name path; do
    if [[ -f "$root$path" ]]; then
      value=$(jq -Rs . <"$root$path")
    else
      value=null
    fi
    vars=$(jq --arg n "$name" --argjson v "$value" \
      --arg e "$(jq -r --arg n "$name" '.[$n] // ""' <<<"$errors")" \
      '.[$n] = ({value: $v} + (if $e == "" then {} else {error: $e} end))' \
      <<<"$vars")
  done < <(jq -r '.variables | to_entries[] | select(.value.kind == "file")
                  | [.key, .value.path] | @tsv' <<<"$desired")
  echo "$vars"
}

# Writes every enforced file variable; prints {name: error} for failures.
enact() {
  local desired="$1" errors="{}" name path mode present tmp
  while IFS=$'\t' read -r name path mode present; do
    if [[ "$present" == true ]]; then
      tmp="$root$path.swell-pull"
      if mkdir -p "$(dirname "$root$path")" &&
         jq -j --arg n "$name" '.variables[$n].value' <<<"$desired" >"$tmp" &&
         chmod "$mode" "$tmp" && mv "$tmp" "$root$path"; then
        continue
      fi
      errors=$(jq --arg n "$name" '.[$n] = "could not write the file"' <<<"$errors")
    else
      rm -f "$root$path"
    fi
  done < <(jq -r '.variables | to_entries[]
                  | select(.value.kind == "file" and .value.enforce)
                  | [.key, .value.path, .value.mode, .value.present] | @tsv' \
                  <<<"$desired")
  echo "$errors"
}

report_health() {
  [[ ${#samples[@]} -gt 0 ]] || return 0
  local body='{}' s
  for s in "${samples[@]}"; do
    body=$(jq --arg n "${s%%=*}" --argjson v "${s#*=}" '.[$n] = $v' <<<"$body")
  done
  api POST health "$(jq -n --argjson s "$body" '{samples: $s}')" >/dev/null
}

etag=""
desired=""
while true; do
  # Long-polls while the generation is the one enacted.
  if body=$(api GET "desired?wait=$wait"); [[ -n "$body" ]]; then
    desired="$body"
    errors=$(enact "$desired")
    generation=$(jq .generation <<<"$desired")
    report=$(jq -n --argjson g "$generation" --argjson v "$(actual_of "$desired" "$errors")" \
      '{generation: $g, variables: $v}')
    if [[ -n "$labels" ]]; then
      report=$(jq --argjson l "$labels" '. + {labels: $l}' <<<"$report")
    fi
    api PUT actual "$report" >/dev/null
    etag="\"$generation\""
    echo "pull-client: enacted generation $generation"
  fi
  report_health
  [[ "$once" == 1 ]] && break
done
