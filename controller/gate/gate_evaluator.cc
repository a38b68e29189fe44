#include "controller/gate/gate_evaluator.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "common/json.h"
#include "controller/gate/baseline_gate.h"
#include "controller/gate/gate_format.h"
#include "controller/gate/promql_gate.h"

namespace swell::controller {
namespace {

using common::JsonNumber;
using common::JsonQuote;
using gate_internal::FewHosts;
using gate_internal::JsonList;
using gate_internal::MissingDataName;
using gate_internal::Threshold;

GateVerdict EvaluateFailedHosts(const GateSpec& g, const GateInput& in) {
  GateVerdict v;
  const double failed = static_cast<double>(in.failed_hosts.size());
  const double percent =
      in.admitted_hosts > 0 ? 100.0 * failed / in.admitted_hosts : 0;
  v.observed = g.threshold_percent ? percent : failed;
  const bool pass = Compare(v.observed, g.op, g.threshold);
  v.result = pass ? GateResult::kPass : GateResult::kFail;
  v.summary = absl::StrCat(
      g.name, pass ? " passed: " : " FAILED: ", in.failed_hosts.size(), " of ",
      in.admitted_hosts, " admitted hosts failed",
      g.threshold_percent
          ? absl::StrCat(" (", gate_internal::Num(percent), "%)")
          : "",
      in.failed_hosts.empty()
          ? ""
          : absl::StrCat(" (", FewHosts(in.failed_hosts), ")"),
      "; needs failed_hosts ", Threshold(g.op, g.threshold),
      g.threshold_percent ? "%" : "");
  v.evidence_json =
      absl::StrCat("{\"check\":", JsonQuote(g.check),
                   ",\"failed_hosts\":", JsonList(in.failed_hosts),
                   ",\"admitted_hosts\":", in.admitted_hosts,
                   ",\"observed\":", JsonNumber(v.observed),
                   ",\"percent\":", g.threshold_percent ? "true" : "false",
                   ",\"threshold\":", JsonNumber(g.threshold),
                   ",\"op\":", JsonQuote(ComparisonSymbol(g.op)), "}");
  return v;
}

// The hosts' newest samples, split into values and the hosts without one.
struct Latest {
  std::vector<std::string> hosts;  // with a value, parallel to values
  std::vector<double> values;
  std::vector<std::string> missing;
  std::string per_host_json;  // "host":value,...
};

Latest Collect(const GateInput& in) {
  Latest out;
  for (const auto& [host, sample] : in.samples) {
    if (!sample) {
      out.missing.push_back(host);
      continue;
    }
    out.hosts.push_back(host);
    out.values.push_back(*sample);
    absl::StrAppend(&out.per_host_json, out.per_host_json.empty() ? "" : ",",
                    JsonQuote(host), ":", JsonNumber(*sample));
  }
  return out;
}

// The verdict for data that is missing, or nullopt when there is enough to
// decide: no value at all, or some host without one unless the policy is
// to pass.
std::optional<GateVerdict> MissingVerdict(const GateSpec& g,
                                          const GateInput& in, const Latest& l,
                                          const std::string& expr) {
  if (!l.values.empty() &&
      (l.missing.empty() || g.missing_data == MissingData::kPass)) {
    return std::nullopt;
  }
  GateVerdict v;
  v.result = l.values.empty() && g.missing_data == MissingData::kPass
                 ? GateResult::kPass
             : g.missing_data == MissingData::kFail ? GateResult::kFail
                                                    : GateResult::kInconclusive;
  v.summary = absl::StrCat(g.name, " ", std::string(GateResultName(v.result)),
                           ": ", expr, " has no data from ", l.missing.size(),
                           " of ", in.samples.size(), " host(s) (",
                           FewHosts(l.missing), "); missing data policy is ",
                           std::string(MissingDataName(g.missing_data)));
  v.data_at = NewestSampleOf(in, l.missing);
  return v;
}

GateVerdict EvaluateMetric(const GateSpec& g, const GateInput& in) {
  Latest l = Collect(in);
  std::vector<std::string> breaching;
  for (size_t i = 0; i < l.values.size(); ++i) {
    if (!Compare(l.values[i], g.op, g.threshold))
      breaching.push_back(l.hosts[i]);
  }
  const std::string expr =
      absl::StrCat(std::string(AggregateName(g.aggregate)), "(", g.metric, ")");
  std::optional<GateVerdict> missing = MissingVerdict(g, in, l, expr);
  GateVerdict v = missing.value_or(GateVerdict());
  if (!missing) {
    v.observed = AggregateValues(g.aggregate, l.values);
    const bool pass = Compare(v.observed, g.op, g.threshold);
    v.result = pass ? GateResult::kPass : GateResult::kFail;
    v.summary = absl::StrCat(
        g.name, pass ? " passed: " : " FAILED: ", expr, " = ",
        JsonNumber(v.observed), " over ", l.values.size(), " host(s), needs ",
        Threshold(g.op, g.threshold),
        breaching.empty() ? ""
                          : absl::StrCat("; breaching: ", FewHosts(breaching)),
        l.missing.empty() ? ""
                          : absl::StrCat("; no data from ", l.missing.size(),
                                         " host(s): ", FewHosts(l.missing)));
    v.data_at = NewestSampleOf(in, breaching.empty() ? l.hosts : breaching);
  }
  v.evidence_json = absl::StrCat(
      "{\"check\":", JsonQuote(g.check),
      ",\"aggregate\":", JsonQuote(AggregateName(g.aggregate)),
      ",\"metric\":", JsonQuote(g.metric),
      ",\"observed\":", l.values.empty() ? "null" : JsonNumber(v.observed),
      ",\"op\":", JsonQuote(ComparisonSymbol(g.op)),
      ",\"threshold\":", JsonNumber(g.threshold), ",\"values\":{",
      l.per_host_json, "},\"missing\":", JsonList(l.missing),
      ",\"breaching\":", JsonList(breaching), "}");
  return v;
}

GateVerdict EvaluateFraction(const GateSpec& g, const GateInput& in) {
  Latest l = Collect(in);
  std::vector<std::string> not_meeting;
  for (size_t i = 0; i < l.values.size(); ++i) {
    if (!Compare(l.values[i], g.host_op, g.host_threshold)) {
      not_meeting.push_back(l.hosts[i]);
    }
  }
  const std::string condition =
      absl::StrCat(g.metric, " ", Threshold(g.host_op, g.host_threshold));
  std::optional<GateVerdict> missing =
      MissingVerdict(g, in, l, absl::StrCat("fraction(", condition, ")"));
  GateVerdict v = missing.value_or(GateVerdict());
  const size_t meeting = l.values.size() - not_meeting.size();
  if (!missing) {
    v.observed = static_cast<double>(meeting) / l.values.size();
    const bool pass = Compare(v.observed, g.op, g.threshold);
    v.result = pass ? GateResult::kPass : GateResult::kFail;
    v.summary = absl::StrCat(
        g.name, pass ? " passed: " : " FAILED: ", meeting, " of ",
        l.values.size(), " host(s) (", gate_internal::Num(100 * v.observed),
        "%) have ", condition, ", needs a fraction ",
        Threshold(g.op, g.threshold),
        not_meeting.empty()
            ? ""
            : absl::StrCat("; not meeting it: ", FewHosts(not_meeting)));
    v.data_at =
        NewestSampleOf(in, not_meeting.empty() ? l.hosts : not_meeting);
  }
  v.evidence_json = absl::StrCat(
      "{\"check\":", JsonQuote(g.check), ",\"metric\":", JsonQuote(g.metric),
      ",\"host_op\":", JsonQuote(ComparisonSymbol(g.host_op)),
      ",\"host_threshold\":", JsonNumber(g.host_threshold),
      ",\"meeting\":", meeting, ",\"hosts\":", l.values.size(),
      ",\"observed\":", l.values.empty() ? "null" : JsonNumber(v.observed),
      ",\"op\":", JsonQuote(ComparisonSymbol(g.op)),
      ",\"threshold\":", JsonNumber(g.threshold), ",\"values\":{",
      l.per_host_json, "},\"missing\":", JsonList(l.missing),
      ",\"not_meeting\":", JsonList(not_meeting), "}");
  return v;
}

}  // namespace

std::string_view GateResultName(GateResult r) {
  switch (r) {
    case GateResult::kPass:
      return "pass";
    case GateResult::kFail:
      return "fail";
    case GateResult::kInconclusive:
      return "inconclusive";
  }
  return "inconclusive";
}

bool Compare(double lhs, Comparison op, double rhs) {
  switch (op) {
    case Comparison::kLt:
      return lhs < rhs;
    case Comparison::kLe:
      return lhs <= rhs;
    case Comparison::kGt:
      return lhs > rhs;
    case Comparison::kGe:
      return lhs >= rhs;
    case Comparison::kEq:
      return lhs == rhs;
    case Comparison::kNe:
      return lhs != rhs;
  }
  return false;
}

double AggregateValues(Aggregate a, std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  auto rank = [&](double p) {
    size_t r = static_cast<size_t>(std::ceil(p / 100.0 * n));
    return values[std::clamp<size_t>(r, 1, n) - 1];
  };
  switch (a) {
    case Aggregate::kMin:
      return values.front();
    case Aggregate::kMax:
      return values.back();
    case Aggregate::kMean:
      return std::accumulate(values.begin(), values.end(), 0.0) / n;
    case Aggregate::kP50:
      return rank(50);
    case Aggregate::kP95:
      return rank(95);
    case Aggregate::kP99:
      return rank(99);
  }
  return values.front();
}

std::optional<absl::Time> NewestSampleOf(
    const GateInput& in, const std::vector<std::string>& hosts) {
  std::optional<absl::Time> newest;
  for (const std::string& host : hosts) {
    auto it = in.sample_at.find(host);
    if (it == in.sample_at.end()) continue;
    if (!newest || it->second > *newest) newest = it->second;
  }
  return newest;
}

GateVerdict EvaluateGate(const GateSpec& g, const GateInput& in) {
  switch (g.kind) {
    case GateKind::kMetric:
      return EvaluateMetric(g, in);
    case GateKind::kFailedHosts:
      return EvaluateFailedHosts(g, in);
    case GateKind::kFraction:
      return EvaluateFraction(g, in);
    case GateKind::kBaseline:
      return EvaluateBaseline(g, in);
    case GateKind::kPromql:
      return EvaluatePromqlGate(g, in);
  }
  return EvaluatePromqlGate(g, in);
}

}  // namespace swell::controller
