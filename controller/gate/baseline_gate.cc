#include "controller/gate/baseline_gate.h"

#include <cmath>
#include <limits>
#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/json.h"
#include "controller/gate/gate_format.h"
#include "controller/gate/mann_whitney.h"

namespace swell::controller {
namespace {

using common::JsonNumber;
using common::JsonQuote;
using gate_internal::FewHosts;
using gate_internal::JsonList;
using gate_internal::Num;

constexpr size_t kMaxValuesInEvidence = 64;  // per side

enum class Status { kCompared, kNoControl, kTooFew, kUndefined };

struct Side {
  std::vector<std::string> hosts;
  std::vector<double> values;
  double statistic = 0;
};

struct Role {
  Side changed, control;
  Status status = Status::kCompared;
  double ratio = std::numeric_limits<double>::quiet_NaN();
  std::optional<MannWhitney> test;
  std::vector<std::string> breaches;  // phrases for the summary
};

std::string_view StatusName(Status s) {
  switch (s) {
    case Status::kCompared:
      return "compared";
    case Status::kNoControl:
      return "no_unchanged_hosts";
    case Status::kTooFew:
      return "too_few_samples";
    case Status::kUndefined:
      return "ratio_undefined";
  }
  return "compared";
}

std::string_view DirectionName(Direction d) {
  switch (d) {
    case Direction::kIncrease:
      return "increase";
    case Direction::kDecrease:
      return "decrease";
    case Direction::kEither:
      return "either";
  }
  return "either";
}

std::string RoleName(const std::string& role) {
  return role.empty() ? "unlabelled" : role;
}

double Ratio(double changed, double control) {
  if (control > 0) return changed / control;
  if (control < 0) return std::numeric_limits<double>::quiet_NaN();
  if (changed == 0) return 1;
  return changed > 0 ? std::numeric_limits<double>::infinity()
                     : -std::numeric_limits<double>::infinity();
}

// "1.448x the unchanged mean", or for an unchanged 0 "a rise from an
// unchanged mean of 0".
std::string RatioWords(double ratio, const std::string& stat) {
  if (std::isinf(ratio)) {
    return absl::StrCat(ratio > 0 ? "a rise" : "a fall", " from an unchanged ",
                        stat, " of 0");
  }
  return absl::StrCat(Num(ratio), "x the unchanged ", stat);
}

void Compare(const GateSpec& g, Role& r) {
  const BaselineSpec& b = g.baseline;
  const size_t need = static_cast<size_t>(b.min_samples);
  if (r.control.hosts.empty()) {
    r.status = Status::kNoControl;
    return;
  }
  if (r.changed.values.size() < need || r.control.values.size() < need) {
    r.status = Status::kTooFew;
    return;
  }
  r.changed.statistic = AggregateValues(b.statistic, r.changed.values);
  r.control.statistic = AggregateValues(b.statistic, r.control.values);
  r.ratio = Ratio(r.changed.statistic, r.control.statistic);
  const std::string stat = std::string(AggregateName(b.statistic));
  if (std::isnan(r.ratio) && (b.max_ratio || b.min_ratio)) {
    r.status = Status::kUndefined;
  } else if (b.max_ratio && r.ratio > *b.max_ratio) {
    r.breaches.push_back(absl::StrCat(RatioWords(r.ratio, stat),
                                      ", above the allowed ", Num(*b.max_ratio),
                                      "x"));
  } else if (b.min_ratio && r.ratio < *b.min_ratio) {
    r.breaches.push_back(absl::StrCat(RatioWords(r.ratio, stat),
                                      ", below the allowed ", Num(*b.min_ratio),
                                      "x"));
  }
  if (!b.mann_whitney) return;
  r.test = MannWhitneyU(r.changed.values, r.control.values);
  const bool moved = b.direction == Direction::kEither ||
                     (b.direction == Direction::kIncrease && r.test->z > 0) ||
                     (b.direction == Direction::kDecrease && r.test->z < 0);
  if (r.test->p < b.alpha && moved) {
    r.breaches.push_back(absl::StrCat(
        "Mann-Whitney: changed hosts run ", r.test->z > 0 ? "higher" : "lower",
        " (p = ", Num(r.test->p), " < ", Num(b.alpha), ")"));
  }
}

std::string SideJson(const Side& s, bool with_statistic) {
  std::vector<double> shown(
      s.values.begin(),
      s.values.begin() + std::min(s.values.size(), kMaxValuesInEvidence));
  return absl::StrCat(
      "{\"hosts\":", JsonList(s.hosts), ",\"samples\":", s.values.size(),
      ",\"value\":", with_statistic ? JsonNumber(s.statistic) : "null",
      ",\"values\":", gate_internal::JsonValues(shown),
      ",\"values_truncated\":",
      s.values.size() > kMaxValuesInEvidence ? "true" : "false", "}");
}

std::string Evidence(const GateSpec& g,
                     const std::map<std::string, Role>& roles) {
  const BaselineSpec& b = g.baseline;
  std::vector<std::string> items;
  for (const auto& [name, r] : roles) {
    const bool compared =
        r.status == Status::kCompared || r.status == Status::kUndefined;
    items.push_back(absl::StrCat(
        "{\"role\":", JsonQuote(name),
        ",\"status\":", JsonQuote(StatusName(r.status)),
        ",\"changed\":", SideJson(r.changed, compared), ",\"control\":",
        SideJson(r.control, compared), ",\"ratio\":", JsonNumber(r.ratio),
        ",\"u\":", r.test ? JsonNumber(r.test->u) : "null",
        ",\"z\":", r.test ? JsonNumber(r.test->z) : "null",
        ",\"p\":", r.test ? JsonNumber(r.test->p) : "null",
        ",\"breached\":", r.breaches.empty() ? "false" : "true", "}"));
  }
  return absl::StrCat(
      "{\"kind\":\"baseline\",\"metric\":", JsonQuote(g.metric),
      ",\"statistic\":", JsonQuote(AggregateName(b.statistic)),
      ",\"role_label\":", JsonQuote(b.role_label),
      ",\"max_ratio\":", b.max_ratio ? JsonNumber(*b.max_ratio) : "null",
      ",\"min_ratio\":", b.min_ratio ? JsonNumber(*b.min_ratio) : "null",
      ",\"mann_whitney\":",
      b.mann_whitney
          ? absl::StrCat("{\"alpha\":", JsonNumber(b.alpha), ",\"direction\":",
                         JsonQuote(DirectionName(b.direction)), "}")
          : "null",
      ",\"min_samples\":", b.min_samples, ",\"roles\":[",
      absl::StrJoin(items, ","), "]}");
}

// "web 1.02x (p = 0.41)"
std::string Brief(const std::string& name, const Role& r) {
  std::string s = absl::StrCat(RoleName(name), " ", Num(r.ratio), "x");
  if (r.test) absl::StrAppend(&s, " (p = ", Num(r.test->p), ")");
  return s;
}

}  // namespace

GateVerdict EvaluateBaseline(const GateSpec& g, const GateInput& in) {
  auto role_of = [&in](const std::string& host) {
    auto it = in.roles.find(host);
    return it == in.roles.end() ? std::string() : it->second;
  };
  std::map<std::string, Role> roles;
  for (const auto& [host, values] : in.changed_series) {
    Side& s = roles[role_of(host)].changed;
    s.hosts.push_back(host);
    s.values.insert(s.values.end(), values.begin(), values.end());
  }
  for (const auto& [host, values] : in.control_series) {
    auto it = roles.find(role_of(host));
    if (it == roles.end()) continue;  // no changed host of that role yet
    it->second.control.hosts.push_back(host);
    it->second.control.values.insert(it->second.control.values.end(),
                                     values.begin(), values.end());
  }
  for (auto& [name, r] : roles) Compare(g, r);

  const std::string expr = absl::StrCat(
      std::string(AggregateName(g.baseline.statistic)), "(", g.metric, ")");
  GateVerdict v;
  v.evidence_json = Evidence(g, roles);
  std::vector<std::string> passed, lacking, skipped;
  std::optional<double> first_ratio;
  for (const auto& [name, r] : roles) {
    if (!r.breaches.empty()) {
      v.result = GateResult::kFail;
      v.observed = r.ratio;
      v.summary = absl::StrCat(
          g.name, " FAILED: ", expr, " of changed ", RoleName(name), " hosts (",
          Num(r.changed.statistic), " over ", r.changed.values.size(),
          " samples) vs unchanged (", Num(r.control.statistic), " over ",
          r.control.values.size(),
          " samples): ", absl::StrJoin(r.breaches, "; "));
      v.data_at = NewestSampleOf(in, r.changed.hosts);
      return v;
    }
    switch (r.status) {
      case Status::kCompared:
        passed.push_back(Brief(name, r));
        if (!first_ratio) first_ratio = r.ratio;
        break;
      case Status::kNoControl:
        skipped.push_back(RoleName(name));
        break;
      case Status::kTooFew:
        lacking.push_back(absl::StrCat(
            RoleName(name), " has ", r.changed.values.size(), " from ",
            r.changed.hosts.size(), " changed host(s) (",
            FewHosts(r.changed.hosts), ") and ", r.control.values.size(),
            " from ", r.control.hosts.size(), " unchanged"));
        break;
      case Status::kUndefined:
        lacking.push_back(
            absl::StrCat(RoleName(name), " has a negative unchanged ", expr,
                         " (", Num(r.control.statistic), "), so no ratio"));
        break;
    }
  }
  if (roles.empty()) lacking.push_back("no changed host has converged yet");
  if (!lacking.empty() && !(g.missing_data == MissingData::kPass)) {
    v.result = g.missing_data == MissingData::kFail ? GateResult::kFail
                                                    : GateResult::kInconclusive;
    v.summary = absl::StrCat(
        g.name, " ", std::string(GateResultName(v.result)),
        ": not enough samples of ", g.metric, " to compare (needs ",
        g.baseline.min_samples, " a side): ", absl::StrJoin(lacking, "; "),
        "; missing data policy is ",
        std::string(gate_internal::MissingDataName(g.missing_data)));
    return v;
  }
  v.result = GateResult::kPass;
  if (passed.empty()) {
    v.summary = absl::StrCat(
        g.name, " passed: nothing to compare",
        skipped.empty() ? ""
                        : absl::StrCat(": no unchanged host left of role ",
                                       absl::StrJoin(skipped, ", ")),
        lacking.empty() ? ""
                        : absl::StrCat("; ", absl::StrJoin(lacking, "; "),
                                       " (missing data policy is pass)"));
    return v;
  }
  v.observed = first_ratio.value_or(1);
  v.summary = absl::StrCat(
      g.name, " passed: ", expr,
      " of changed vs unchanged hosts: ", absl::StrJoin(passed, ", "));
  if (!skipped.empty()) {
    absl::StrAppend(&v.summary, "; no unchanged host left of role ",
                    absl::StrJoin(skipped, ", "));
  }
  if (!lacking.empty()) {
    absl::StrAppend(&v.summary, "; ", absl::StrJoin(lacking, "; "),
                    " (missing data policy is pass)");
  }
  return v;
}

}  // namespace swell::controller
