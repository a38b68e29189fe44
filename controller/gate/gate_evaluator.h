#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "controller/plan/plan.h"

namespace swell::controller {

enum class GateResult { kPass, kFail, kInconclusive };
std::string_view GateResultName(GateResult r);

// What a gate looks at: the rollout's admitted hosts so far.
struct GateInput {
  // Converged hosts, each with the newest sample of the gate's metric taken
  // after it converged; nullopt when there is none or its collector failed.
  std::map<std::string, std::optional<double>> samples;
  std::vector<std::string> failed_hosts;  // apply failed or agent silent
  int admitted_hosts = 0;
};

struct GateVerdict {
  GateResult result = GateResult::kInconclusive;
  double observed = 0;  // the aggregate, or the failed-host count
  std::string summary;  // one line for a tired on-call
  std::string evidence_json;  // the numbers, the hosts, the threshold
};

// Pure: the verdict of one gate over `input`, applying the gate's
// missing-data policy. It does not count consecutive breaches; the caller
// does (see RolloutStep).
GateVerdict EvaluateGate(const GateSpec& gate, const GateInput& input);

// The aggregate of `values` (non-empty). Percentiles use the nearest-rank
// method: p95 of 20 values is the 19th smallest.
double AggregateValues(Aggregate a, std::vector<double> values);

bool Compare(double lhs, Comparison op, double rhs);

}  // namespace swell::controller
