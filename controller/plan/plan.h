#pragma once

// A rollout plan, as parsed and validated from YAML. Format: docs/plans.md.

#include <map>
#include <optional>
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
  kFailedHosts,  // failed_hosts OP threshold (a count, or a percentage)
  kFraction,     // fraction(metric HOST_OP HOST_THRESHOLD) OP threshold
  kBaseline,     // changed hosts against unchanged hosts of the same role
  kPromql,       // a PromQL query's result OP threshold
};
enum class FailureAction { kRollback, kPause };
// Which move of a metric is a regression, for a baseline's rank test.
enum class Direction { kIncrease, kDecrease, kEither };

// A baseline gate's comparison: `statistic` of the metric's samples on the
// changed hosts against the same statistic on unchanged hosts of the same
// role (hosts of the same rollout whose wave has not come).
struct BaselineSpec {
  Aggregate statistic = Aggregate::kMean;
  std::optional<double> max_ratio;  // breach: changed / unchanged > this
  std::optional<double> min_ratio;  // breach: changed / unchanged < this
  bool mann_whitney = false;        // also run a two-sided rank test
  double alpha = 0.05;              // breach: p < alpha, moved `direction`
  Direction direction = Direction::kIncrease;
  int min_samples = 10;             // on each side, per role
  std::string role_label = "role";  // hosts are compared within its values
};

// A PromQL gate: every series of the query's instant result (or its
// scalar) OP threshold. The controller asks Prometheus every `interval`.
// `{{hosts}}` in the query stands for a regex matching the rollout's
// admitted hosts, and `{{rollout}}` for its id (see ExpandPromqlQuery).
struct PromqlSpec {
  // The Prometheus server, http[s]://host[:port][/prefix].
  std::string url;
  std::string query;
  absl::Duration interval = absl::Seconds(10);
  // https only, both read by the controller at query time. `ca_file`: the
  // PEM CAs that may sign the server's certificate, instead of the
  // system's; empty: the system's. `bearer_token_file`: a file holding the
  // token sent as `Authorization: Bearer`; empty: none. Absolute paths.
  std::string ca_file;
  std::string bearer_token_file;
};

// A gate. Threshold gates are written as `check: "min(app_healthy) >= 1"`,
// `check: "fraction(app_healthy >= 1) >= 0.9"` or
// `check: "failed_hosts <= 5%"`; baseline and PromQL gates as fields.
struct GateSpec {
  std::string name;
  std::string check;  // the expression as written; empty for baseline/promql
  GateKind kind = GateKind::kMetric;
  Aggregate aggregate = Aggregate::kMin;
  std::string metric;
  Comparison op = Comparison::kGe;
  double threshold = 0;
  MissingData missing_data = MissingData::kHold;
  int consecutive_breaches = 1;
  bool dry_run = false;
  // kFraction: the condition each host's newest sample must meet.
  Comparison host_op = Comparison::kGe;
  double host_threshold = 0;
  // kFailedHosts: `threshold` is a percentage of the admitted hosts.
  bool threshold_percent = false;
  BaselineSpec baseline;  // kBaseline
  PromqlSpec promql;      // kPromql
};

// How wave sizes are drawn. See docs/plans.md.
enum class WaveShape {
  kList,       // `waves`: explicit cumulative sizes
  kGeometric,  // `geometric`: each wave `factor` times the previous
  kLinear,     // `linear`: 0 to 100 % over a duration, a wave per step
};

struct GeometricGrowth {
  int start = 1;                 // hosts in the first wave
  double factor = 2;             // > 1
  WaveSize max_step{true, 100};  // the largest wave
};

struct LinearRamp {
  absl::Duration over = absl::ZeroDuration();  // 0 to 100 % in this long
  absl::Duration step = absl::ZeroDuration();  // at most one wave per step
};

// The order hosts are admitted in: canaries, then failure domain by failure
// domain, then a stable hash of host and rollout.
struct WaveOrder {
  std::string canary_label = "canary";  // hosts with <label>=true go first
  std::vector<std::string> domains = {"site", "rack"};
};

// Per-wave floors and ceilings for each value of `label`.
struct RoleLimits {
  std::string label;  // empty: no limits
  std::optional<WaveSize> min;
  std::optional<WaveSize> max;
};

// At most `max` of the hosts sharing a value of `label` under change at
// once, across every running rollout.
struct DomainBudget {
  std::string label;  // empty: no budget
  WaveSize max{true, 100};
};

struct Plan {
  std::string name;
  std::string description;
  // The change: which variable, how it is enacted, and its new value.
  swell::v1::VariableSpec variable;
  swell::v1::Value value;
  // Targets: hosts whose labels match every pair. Empty: the whole fleet.
  std::map<std::string, std::string> selector;
  std::string policy;  // the policy it names; empty for none
  WaveShape shape = WaveShape::kList;
  std::vector<WaveSize> waves;  // kList
  GeometricGrowth geometric;    // kGeometric
  LinearRamp linear;            // kLinear
  WaveOrder order;
  RoleLimits per_role;
  DomainBudget domain_budget;
  // Each wave's bake; a linear ramp's waves bake their share of the ramp
  // instead (see WaveBake in controller/rollout/wave_sizes.h).
  absl::Duration bake = absl::Seconds(60);
  absl::Duration progress_deadline = absl::Minutes(10);
  std::vector<GateSpec> gates;
  FailureAction on_failure = FailureAction::kRollback;
  FailureAction on_inconclusive = FailureAction::kPause;
};

// One problem found in a plan, located in its source.
struct PlanError {
  int line = 0;         // 1-based; 0 when unknown
  int column = 0;       // 1-based; 0 when unknown
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

class PolicySet;  // controller/plan/policy.h

// Parses and validates a plan. Never throws; reports every error at once.
// Plans are bounded: larger than kMaxPlanBytes is an error. A plan that
// names a policy starts from that policy's fields (docs/plans.md); without
// `policies`, naming any policy is an error.
PlanParseResult ParsePlan(std::string_view yaml);
PlanParseResult ParsePlan(std::string_view yaml, const PolicySet& policies);

inline constexpr size_t kMaxPlanBytes = 1 << 20;

// ParsePlan, with the errors folded into one kInvalidArgument status whose
// message has one line per error, each "<file>:<line>:<col>: ...".
absl::StatusOr<Plan> ParsePlanOrStatus(std::string_view yaml,
                                       std::string_view file);
absl::StatusOr<Plan> ParsePlanOrStatus(std::string_view yaml,
                                       std::string_view file,
                                       const PolicySet& policies);

std::string_view AggregateName(Aggregate a);
std::string_view ComparisonSymbol(Comparison c);

}  // namespace swell::controller
