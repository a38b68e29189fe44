#include "controller/gate/gate_evaluator.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/json.h"

namespace swell::controller {
namespace {

using common::JsonNumber;
using common::JsonQuote;

std::string JsonList(const std::vector<std::string>& items) {
  std::vector<std::string> quoted;
  for (const auto& i : items) quoted.push_back(JsonQuote(i));
  return absl::StrCat("[", absl::StrJoin(quoted, ","), "]");
}

// "web-1, web-2 and 3 more"
std::string FewHosts(const std::vector<std::string>& hosts) {
  constexpr size_t kShown = 3;
  std::vector<std::string> shown(hosts.begin(),
                                 hosts.begin() + std::min(kShown, hosts.size()));
  std::string s = absl::StrJoin(shown, ", ");
  if (hosts.size() > kShown) absl::StrAppend(&s, " and ", hosts.size() - kShown, " more");
  return s;
}

std::string Threshold(const GateSpec& g) {
  return absl::StrCat(std::string(ComparisonSymbol(g.op)), " ", JsonNumber(g.threshold));
}

GateVerdict EvaluateFailedHosts(const GateSpec& g, const GateInput& in) {
  GateVerdict v;
  const double failed = static_cast<double>(in.failed_hosts.size());
  v.observed = failed;
  const bool pass = Compare(failed, g.op, g.threshold);
  v.result = pass ? GateResult::kPass : GateResult::kFail;
  v.summary = absl::StrCat(
      g.name, pass ? " passed: " : " FAILED: ", in.failed_hosts.size(), " of ",
      in.admitted_hosts, " admitted hosts failed",
      in.failed_hosts.empty() ? "" : absl::StrCat(" (", FewHosts(in.failed_hosts), ")"),
      "; needs failed_hosts ", Threshold(g));
  v.evidence_json = absl::StrCat(
      "{\"check\":", JsonQuote(g.check), ",\"failed_hosts\":",
      JsonList(in.failed_hosts), ",\"admitted_hosts\":", in.admitted_hosts,
      ",\"observed\":", JsonNumber(failed), ",\"threshold\":",
      JsonNumber(g.threshold), ",\"op\":", JsonQuote(ComparisonSymbol(g.op)),
      "}");
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

GateVerdict EvaluateGate(const GateSpec& g, const GateInput& in) {
  if (g.kind == GateKind::kFailedHosts) return EvaluateFailedHosts(g, in);

  std::vector<double> values;
  std::vector<std::string> missing, breaching;
  std::string per_host;
  for (const auto& [host, sample] : in.samples) {
    if (!sample) {
      missing.push_back(host);
      continue;
    }
    values.push_back(*sample);
    if (!Compare(*sample, g.op, g.threshold)) breaching.push_back(host);
    absl::StrAppend(&per_host, per_host.empty() ? "" : ",", JsonQuote(host),
                    ":", JsonNumber(*sample));
  }

  GateVerdict v;
  const std::string expr =
      absl::StrCat(std::string(AggregateName(g.aggregate)), "(", g.metric, ")");
  const bool have_missing = !missing.empty();
  std::string missing_note =
      have_missing ? absl::StrCat("; no data from ", missing.size(), " host(s): ",
                                  FewHosts(missing))
                   : "";
  if (values.empty() || (have_missing && g.missing_data != MissingData::kPass)) {
    v.result = values.empty() && g.missing_data == MissingData::kPass
                   ? GateResult::kPass
               : g.missing_data == MissingData::kFail ? GateResult::kFail
                                                      : GateResult::kInconclusive;
    v.summary = absl::StrCat(g.name, " ", std::string(GateResultName(v.result)), ": ", expr,
                             " has no data from ", missing.size(), " of ",
                             in.samples.size(), " host(s) (", FewHosts(missing),
                             "); missing data policy is ",
                             g.missing_data == MissingData::kFail   ? "fail"
                             : g.missing_data == MissingData::kHold ? "hold"
                                                                    : "pass");
  } else {
    v.observed = AggregateValues(g.aggregate, values);
    const bool pass = Compare(v.observed, g.op, g.threshold);
    v.result = pass ? GateResult::kPass : GateResult::kFail;
    v.summary = absl::StrCat(
        g.name, pass ? " passed: " : " FAILED: ", expr, " = ",
        JsonNumber(v.observed), " over ", values.size(), " host(s), needs ",
        Threshold(g),
        breaching.empty() ? ""
                          : absl::StrCat("; breaching: ", FewHosts(breaching)),
        missing_note);
  }
  v.evidence_json = absl::StrCat(
      "{\"check\":", JsonQuote(g.check), ",\"aggregate\":",
      JsonQuote(AggregateName(g.aggregate)), ",\"metric\":", JsonQuote(g.metric),
      ",\"observed\":", values.empty() ? "null" : JsonNumber(v.observed),
      ",\"op\":", JsonQuote(ComparisonSymbol(g.op)), ",\"threshold\":",
      JsonNumber(g.threshold), ",\"values\":{", per_host, "},\"missing\":",
      JsonList(missing), ",\"breaching\":", JsonList(breaching), "}");
  return v;
}

}  // namespace swell::controller
