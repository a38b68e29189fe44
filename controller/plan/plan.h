#pragma once

// A rollout plan, as parsed and validated from YAML. Format: docs/plans.md.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "swell/v1/types.pb.h"

namespace swell::controller {

// One entry of the wave list: a host count ("1") or a share of the targets
// ("25%").
struct WaveSize {
  bool percent = false;
  double value = 0;  // hosts, or percent in (0, 100]
};

enum class Aggregate { kMin, kMax, kMean, kP50, kP95, kP99 };
enum class Comparison { kLt, kLe, kGt, kGe, kEq, kNe };
enum class MissingData { kFail, kHold, kPass };
enum class GateKind {
  kMetric,       // AGG(metric) OP threshold over the admitted hosts
  kFailedHosts,  // failed_hosts OP threshold
};
enum class FailureAction { kRollback, kPause };

// A gate, written in a plan as `check: "min(app_healthy) >= 1"` or
// `check: "failed_hosts <= 0"`.
struct GateSpec {
  std::string name;
  std::string check;  // the expression as written
  GateKind kind = GateKind::kMetric;
  Aggregate aggregate = Aggregate::kMin;
  std::string metric;
  Comparison op = Comparison::kGe;
  double threshold = 0;
  MissingData missing_data = MissingData::kHold;
  int consecutive_breaches = 1;
  bool dry_run = false;
};

struct Plan {
  std::string name;
  std::string description;
  // The change: which variable, how it is enacted, and its new value.
  swell::v1::VariableSpec variable;
  swell::v1::Value value;
  // Targets: hosts whose labels match every pair. Empty: the whole fleet.
  std::map<std::string, std::string> selector;
  std::vector<WaveSize> waves;
  absl::Duration bake = absl::Seconds(60);
  absl::Duration progress_deadline = absl::Minutes(10);
  std::vector<GateSpec> gates;
  FailureAction on_failure = FailureAction::kRollback;
  FailureAction on_inconclusive = FailureAction::kPause;
};

// One problem found in a plan, located in its source.
struct PlanError {
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
  std::string field;    // dotted path, e.g. "strategy.waves[2]"
  std::string message;  // what was expected
  // "<file>:<line>:<column>: <field>: <message>"
  std::string ToString(std::string_view file) const;
};

struct PlanParseResult {
  Plan plan;                      // meaningful only when errors is empty
  std::vector<PlanError> errors;  // every problem found, in source order
  bool ok() const { return errors.empty(); }
};

// Parses and validates a plan. Never throws; reports every error at once.
// Plans are bounded: larger than kMaxPlanBytes is an error.
PlanParseResult ParsePlan(std::string_view yaml);

inline constexpr size_t kMaxPlanBytes = 1 << 20;

// ParsePlan, with the errors folded into one kInvalidArgument status whose
// message has one line per error, each "<file>:<line>:<col>: ...".
absl::StatusOr<Plan> ParsePlanOrStatus(std::string_view yaml,
                                       std::string_view file);

std::string_view AggregateName(Aggregate a);
std::string_view ComparisonSymbol(Comparison c);

}  // namespace swell::controller
