#pragma once

// The pure half of `swellctl watch`: what to draw, what counts as a change,
// and when to stop. The polling loop lives in commands_watch.cc.

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "swell/v1/rollout.pb.h"

namespace swell::cli {

// The exit status `watch` ends with for a rollout in `state`: kExitOk for
// succeeded, kExitFailure for rolled_back, kExitStopped for halted or
// paused; nullopt while it is still moving (running, rolling_back, or a
// state this swellctl does not know).
std::optional<int> WatchExitCode(absl::string_view state);

// The whole screen for a terminal: title, host counts, one progress bar per
// wave, and the latest verdicts. Fits `width` columns where it can.
std::string RenderWatchFrame(const v1::RolloutStatus& status, absl::Time now,
                             int width);

// One line of progress without anything that changes by itself with time,
// so that two polls give the same line exactly when something a person
// cares about changed. Example:
// "running wave 2/4 baking: wave 3/4 converged, 1 failed; total 4/5/20".
std::string WatchProgressLine(const v1::RolloutStatus& status);

// Identifies the (wave, gate) a verdict is about, so that a watch can print
// a gate's verdict when it changes rather than at every evaluation.
std::string VerdictKey(const v1::GateVerdictRecord& v);

// "wave 2 gate docker_up PASS: min(docker_up)=1 >= 1 over 4 hosts"
std::string VerdictLine(const v1::GateVerdictRecord& v);

}  // namespace swell::cli
