#pragma once

// One-line descriptions of a plan's parts, for previews, `plan check` and
// status: what a person reads, not a format to parse.

#include <string>

#include "absl/time/time.h"
#include "controller/plan/plan.h"

namespace swell::controller {

// "min(app_healthy) >= 1", or for baseline and PromQL gates the comparison
// in words, e.g. "p95(latency_ms) of changed hosts at most 1.2x unchanged
// hosts of the same role, at least 10 samples a side".
std::string DescribeGate(const GateSpec& gate);

// The wave shape: "waves 1, 25%, 100%", "geometric from 1 host, x2 a
// wave, at most 25% a wave" or "linear to 100% over 14d, a wave per 1h".
std::string DescribeWaveShape(const Plan& plan);

// "14d", "1d2h", "90s": whole days first, then Abseil's format.
std::string FormatPlanDuration(absl::Duration d);

// "25%" or "3".
std::string FormatWaveSize(const WaveSize& size);

}  // namespace swell::controller
