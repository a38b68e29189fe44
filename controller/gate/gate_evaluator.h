#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "controller/gate/promql.h"
#include "controller/plan/plan.h"

namespace swell::controller {

enum class GateResult { kPass, kFail, kInconclusive };
std::string_view GateResultName(GateResult r);

// What a gate looks at: the rollout's admitted hosts so far, and for
// baseline gates the hosts not yet changed.
struct GateInput {
  // Threshold gates: converged hosts, each with the newest sample of the
  // gate's metric taken after it converged; nullopt when there is none or
  // its collector failed.
  std::map<std::string, std::optional<double>> samples;
  std::vector<std::string> failed_hosts;  // apply failed or agent silent
  int admitted_hosts = 0;

  // Baseline gates: every good sample of the metric since the current
  // phase (the bake, once baking) began, oldest first, per host. A host
  // with no sample has an empty list.
  std::map<std::string, std::vector<double>> changed_series;  // converged
  std::map<std::string, std::vector<double>> control_series;  // waiting
  // The value of the gate's role label on each host of both series; ""
  // when the host has none.
  std::map<std::string, std::string> roles;

  // When the newest sample the gate reads of each host arrived: the one in
  // `samples` (good or failed), or the newest in `changed_series`. Hosts
  // without one are absent.
  std::map<std::string, absl::Time> sample_at;

  // PromQL gates: the query as it stands now (placeholders expanded for
  // the current hosts), and the newest answer to exactly that query taken
  // since the current phase began and still fresh; nullopt with
  // `promql_missing` saying why when there is none.
  std::string promql_query;
  std::optional<PromqlReading> promql;
  std::string promql_missing;
};

struct GateVerdict {
  GateResult result = GateResult::kInconclusive;
  double observed = 0;        // the aggregate, fraction, failed count, or ratio
  std::string summary;        // one line for a tired on-call
  std::string evidence_json;  // the numbers, the hosts, the threshold
  // When the newest sample this verdict rests on arrived (for a breach, of
  // the breaching hosts; for PromQL, the answer); nullopt when it rests on
  // no sample (failed hosts, no host with a sample). The caller counts a breach once per new
  // data: another evaluation of the same samples is not another breach.
  std::optional<absl::Time> data_at;
};

// Pure: the verdict of one gate over `input`, applying the gate's
// missing-data policy. It does not count consecutive breaches; the caller
// does (see RolloutStep). PromQL gates read the answer in the input; the
// PromqlPoller asks Prometheus.
GateVerdict EvaluateGate(const GateSpec& gate, const GateInput& input);

// The aggregate of `values` (non-empty). Percentiles use the nearest-rank
// method: p95 of 20 values is the 19th smallest.
double AggregateValues(Aggregate a, std::vector<double> values);

bool Compare(double lhs, Comparison op, double rhs);

// The newest arrival in `in.sample_at` among `hosts` (hosts without one are
// skipped), or nullopt when none of them has one.
std::optional<absl::Time> NewestSampleOf(const GateInput& in,
                                         const std::vector<std::string>& hosts);

}  // namespace swell::controller
