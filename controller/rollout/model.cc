#include "controller/rollout/model.h"

#include <cstdio>
#include <cstdlib>

namespace swell::controller {
namespace {

// An enum value outside its enumerators can only come from a cast bug.
[[noreturn]] void DieOnInvalidEnum(const char* type, int value) {
  std::fprintf(stderr, "FATAL: invalid %s value %d\n", type, value);
  std::abort();
}

}  // namespace

std::string_view RolloutStateName(RolloutState s) {
  switch (s) {
    case RolloutState::kRunning:
      return "running";
    case RolloutState::kPaused:
      return "paused";
    case RolloutState::kHalted:
      return "halted";
    case RolloutState::kSucceeded:
      return "succeeded";
    case RolloutState::kRollingBack:
      return "rolling_back";
    case RolloutState::kRolledBack:
      return "rolled_back";
  }
  DieOnInvalidEnum("RolloutState", static_cast<int>(s));
}

std::string_view WavePhaseName(WavePhase p) {
  switch (p) {
    case WavePhase::kAdmitting:
      return "admitting";
    case WavePhase::kConverging:
      return "converging";
    case WavePhase::kBaking:
      return "baking";
  }
  DieOnInvalidEnum("WavePhase", static_cast<int>(p));
}

std::string_view HostStateName(HostState s) {
  switch (s) {
    case HostState::kWaiting:
      return "waiting";
    case HostState::kAdmitting:
      return "admitting";
    case HostState::kApplying:
      return "applying";
    case HostState::kConverged:
      return "converged";
    case HostState::kFailed:
      return "failed";
    case HostState::kRollingBack:
      return "rolling_back";
    case HostState::kRolledBack:
      return "rolled_back";
    case HostState::kSkipped:
      return "skipped";
  }
  DieOnInvalidEnum("HostState", static_cast<int>(s));
}

std::optional<RolloutState> RolloutStateFromName(std::string_view name) {
  for (RolloutState s :
       {RolloutState::kRunning, RolloutState::kPaused, RolloutState::kHalted,
        RolloutState::kSucceeded, RolloutState::kRollingBack,
        RolloutState::kRolledBack}) {
    if (RolloutStateName(s) == name) return s;
  }
  return std::nullopt;
}

std::optional<WavePhase> WavePhaseFromName(std::string_view name) {
  for (WavePhase p :
       {WavePhase::kAdmitting, WavePhase::kConverging, WavePhase::kBaking}) {
    if (WavePhaseName(p) == name) return p;
  }
  return std::nullopt;
}

std::optional<HostState> HostStateFromName(std::string_view name) {
  for (HostState s :
       {HostState::kWaiting, HostState::kAdmitting, HostState::kApplying,
        HostState::kConverged, HostState::kFailed, HostState::kRollingBack,
        HostState::kRolledBack, HostState::kSkipped}) {
    if (HostStateName(s) == name) return s;
  }
  return std::nullopt;
}

bool IsTerminal(RolloutState s) {
  return s == RolloutState::kSucceeded || s == RolloutState::kRolledBack;
}

}  // namespace swell::controller
