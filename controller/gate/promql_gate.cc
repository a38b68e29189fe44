#include "controller/gate/promql_gate.h"

#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/json.h"
#include "controller/gate/gate_format.h"

namespace swell::controller {
namespace {

using common::JsonNumber;
using common::JsonQuote;
using gate_internal::Num;
using gate_internal::Threshold;

// The series that misses the threshold by most (or, when all meet it, the
// one nearest to missing it): the largest value for < and <=, the smallest
// for > and >=, the first for == and !=.
const PromqlSeries* Worst(const std::vector<const PromqlSeries*>& series,
                          Comparison op) {
  const PromqlSeries* worst = nullptr;
  for (const PromqlSeries* s : series) {
    if (worst == nullptr) {
      worst = s;
    } else if (op == Comparison::kLt || op == Comparison::kLe) {
      if (s->value > worst->value) worst = s;
    } else if (op == Comparison::kGt || op == Comparison::kGe) {
      if (s->value < worst->value) worst = s;
    }
  }
  return worst;
}

std::string SeriesJson(const std::vector<PromqlSeries>& series) {
  std::string out = "[";
  for (size_t i = 0; i < series.size() && i < 20; ++i) {
    absl::StrAppend(&out, i ? "," : "", "{\"labels\":",
                    JsonQuote(series[i].labels),
                    ",\"value\":", JsonNumber(series[i].value), "}");
  }
  return out + "]";
}

std::string Evidence(const GateSpec& g, const GateInput& in,
                     const std::string& extra) {
  const PromqlReading* r = in.promql ? &*in.promql : nullptr;
  return absl::StrCat(
      "{\"kind\":\"promql\",\"prometheus\":", JsonQuote(g.promql.url),
      ",\"query\":", JsonQuote(in.promql_query),
      ",\"op\":", JsonQuote(ComparisonSymbol(g.op)),
      ",\"threshold\":", JsonNumber(g.threshold),
      ",\"answered_at\":",
      r ? JsonQuote(absl::FormatTime(absl::RFC3339_sec, r->at,
                                     absl::UTCTimeZone()))
        : "null",
      ",\"error\":", r && !r->error.empty() ? JsonQuote(r->error) : "null",
      ",\"series_count\":", r ? r->series.size() : 0,
      ",\"series\":", r ? SeriesJson(r->series) : "[]", extra, "}");
}

GateVerdict Missing(const GateSpec& g, const GateInput& in,
                    const std::string& why) {
  GateVerdict v;
  v.result = g.missing_data == MissingData::kPass   ? GateResult::kPass
             : g.missing_data == MissingData::kFail ? GateResult::kFail
                                                    : GateResult::kInconclusive;
  v.summary = absl::StrCat(
      g.name, " ", std::string(GateResultName(v.result)), ": PromQL ",
      g.promql.query, " has no data: ", why, "; missing data policy is ",
      std::string(gate_internal::MissingDataName(g.missing_data)));
  if (in.promql) v.data_at = in.promql->at;
  v.evidence_json = Evidence(g, in, ",\"missing\":" + JsonQuote(why));
  return v;
}

}  // namespace

GateVerdict EvaluatePromqlGate(const GateSpec& g, const GateInput& in) {
  if (!in.promql) return Missing(g, in, in.promql_missing);
  const PromqlReading& r = *in.promql;
  if (!r.error.empty()) {
    return Missing(g, in, absl::StrCat("the query failed: ", r.error));
  }
  std::vector<const PromqlSeries*> valued;
  for (const PromqlSeries& s : r.series) {
    if (!std::isnan(s.value)) valued.push_back(&s);
  }
  if (valued.empty()) {
    return Missing(g, in,
                   r.series.empty()
                       ? std::string("the query returned no series")
                       : absl::StrCat("all ", r.series.size(),
                                      " series are NaN"));
  }
  std::vector<const PromqlSeries*> breaching;
  for (const PromqlSeries* s : valued) {
    if (!Compare(s->value, g.op, g.threshold)) breaching.push_back(s);
  }
  const PromqlSeries* worst =
      Worst(breaching.empty() ? valued : breaching, g.op);
  GateVerdict v;
  v.observed = worst->value;
  v.result = breaching.empty() ? GateResult::kPass : GateResult::kFail;
  v.data_at = r.at;
  const std::string where =
      worst->labels == "{}" ? "" : absl::StrCat(" for ", worst->labels);
  v.summary = absl::StrCat(
      g.name, breaching.empty() ? " passed: " : " FAILED: ", "PromQL ",
      g.promql.query, " is ", Num(worst->value), where, ", needs ",
      Threshold(g.op, g.threshold),
      breaching.empty()
          ? (valued.size() > 1
                 ? absl::StrCat(" (all ", valued.size(), " series meet it)")
                 : std::string())
          : absl::StrCat(" (", breaching.size(), " of ", valued.size(),
                         " series breach)"));
  v.evidence_json = Evidence(
      g, in,
      absl::StrCat(",\"observed\":", JsonNumber(worst->value),
                   ",\"worst\":", JsonQuote(worst->labels),
                   ",\"breaching\":", breaching.size()));
  return v;
}

}  // namespace swell::controller
