#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-14, ASan + UBSan) in build-fuzz/ and
# runs each for a bounded time on its committed corpus. Exits non-zero when
# any target crashes, leaks, times out or reports undefined behaviour; the
# input that did it is kept and its replay command printed.
#
#   SWELL_FUZZ_SECONDS  seconds per target (default 30; 0 skips fuzzing)
#   SWELL_FUZZ_TARGETS  space-separated names to run (default: all)
#   SWELL_FUZZ_BUILD_DIR  (default build-fuzz/)
#   SWELL_JOBS          build jobs (default 2)
#
# Installs nothing: deploy/install-deps.sh brings clang-14 and its runtime.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${SWELL_FUZZ_SECONDS:-30}
if [[ "$seconds" == 0 ]]; then
  echo "fuzz: skipped (SWELL_FUZZ_SECONDS=0)"
  exit 0
fi
build=${SWELL_FUZZ_BUILD_DIR:-$root/build-fuzz}
all_targets=(plan policy agent_config agent_message prom_text promql_answer
  journal desired_state pull_json)
read -r -a targets <<<"${SWELL_FUZZ_TARGETS:-${all_targets[*]}}"

# Asserts stay on (no NDEBUG): a fuzzer should trip them. -O1 and line
# tables only, as OSS-Fuzz builds: quicker to compile, and stacks still
# name the file and line.
CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -G Ninja \
  -DSWELL_FUZZ=ON -DSWELL_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" >/dev/null
ninja -C "$build" -j "${SWELL_JOBS:-2}" "${targets[@]/#/fuzz_}"

# Shipped files that seed a target besides its committed corpus, so that a
# new example plan or policy is fuzzed from the day it is added.
declare -A extra_seeds=(
  [plan]="$root/deploy/examples"
  [policy]="$root/policies"
)

# Keywords that help the fuzzer past the parsers' first checks.
declare -A dicts=(
  [plan]=plan.dict
  [policy]=plan.dict
  [agent_config]=agent_config.dict
  [prom_text]=prom_text.dict
  [promql_answer]=promql_answer.dict
  [pull_json]=pull_json.dict
)

work=$(mktemp -d "${TMPDIR:-/tmp}/swell-fuzz.XXXXXX")
# The journal and desired-state targets write a file per input under
# $TMPDIR: a tmpfs keeps their fsyncs cheap, and it is removed at the end.
shm=/tmp
if [[ -d /dev/shm && -w /dev/shm ]]; then shm=/dev/shm; fi
TMPDIR=$(mktemp -d "$shm/swell-fuzz-files.XXXXXX")
export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
passed=0
failed=0
failures=()
for t in "${targets[@]}"; do
  corpus="$root/tests/fuzz/corpus/$t"
  scratch="$work/$t/corpus"
  mkdir -p "$scratch" "$work/$t/artifacts"
  cp -r "$corpus/." "$scratch/"
  log="$work/$t/log"
  dirs=("$scratch")
  [[ -n "${extra_seeds[$t]:-}" ]] && dirs+=("${extra_seeds[$t]}")
  flags=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10
    -print_final_stats=1 -artifact_prefix="$work/$t/artifacts/")
  [[ -n "${dicts[$t]:-}" ]] && flags+=(-dict="$root/tests/fuzz/${dicts[$t]}")
  status=0
  "$build/tests/fuzz/fuzz_$t" "${flags[@]}" "${dirs[@]}" >"$log" 2>&1 ||
    status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  # A sanitizer report that did not stop the run still fails it.
  if [[ $status -eq 0 ]] &&
    grep -qE 'runtime error:|ERROR: (Address|Leak|UndefinedBehavior)Sanitizer' \
      "$log"; then
    status=1
  fi
  if [[ $status -eq 0 ]]; then
    passed=$((passed + 1))
    echo "fuzz: $t: ok, ${runs:-?} runs, ${rate:-?} exec/s"
  else
    failed=$((failed + 1))
    failures+=("$t")
    echo "fuzz: $t: FAILED (exit $status), ${runs:-?} runs, ${rate:-?} exec/s"
    grep -E 'ERROR:|runtime error:|SUMMARY:|^==[0-9]+==|^ *#[0-9]+ ' "$log" |
      head -40 || true
    for a in "$work/$t/artifacts/"*; do
      [[ -e "$a" ]] || continue
      echo "fuzz: $t: kept $a; replay: $build/tests/fuzz/fuzz_$t $a"
    done
  fi
done

if [[ $failed -eq 0 ]]; then
  rm -rf "$work"
else
  echo "fuzz: logs and inputs are in $work (failed: ${failures[*]})"
fi
echo "fuzz: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
