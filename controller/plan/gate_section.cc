// The `gates` section: threshold, failed-hosts, baseline and PromQL gates.

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "controller/plan/absl_view.h"
#include "controller/plan/gate_check.h"
#include "controller/plan/plan_sections.h"
#include "controller/plan/plan_values.h"

namespace swell::controller::plan_internal {
namespace {

using enum Presence;

constexpr std::string_view kKinds[] = {"threshold", "baseline", "failed_hosts",
                                       "promql"};
enum KindIndex { kThreshold, kBaseline, kFailedHosts, kPromql };
constexpr std::string_view kHeadFields[] = {"name", "kind"};
constexpr std::string_view kTailFields[] = {"missing_data",
                                            "consecutive_breaches", "dry_run"};
constexpr std::string_view kCheckFields[] = {"check"};
constexpr std::string_view kBaselineFields[] = {
    "metric",       "statistic",   "max_ratio", "min_ratio",
    "mann_whitney", "min_samples", "role_label"};
constexpr std::string_view kPromqlFields[] = {
    "prometheus",       "query", "op", "threshold", "interval", "ca_file",
    "bearer_token_file"};
constexpr std::string_view kMannWhitneyFields[] = {"alpha", "direction"};
constexpr std::string_view kMissingData[] = {"fail", "hold", "pass"};
constexpr std::string_view kStatistics[] = {"mean", "p50", "p95", "p99"};
constexpr Aggregate kStatisticAggregates[] = {Aggregate::kMean, Aggregate::kP50,
                                              Aggregate::kP95, Aggregate::kP99};
constexpr std::string_view kDirections[] = {"increase", "decrease", "either"};
constexpr std::string_view kOps[] = {"<", "<=", ">", ">=", "==", "!="};
constexpr Comparison kOpValues[] = {Comparison::kLt, Comparison::kLe,
                                    Comparison::kGt, Comparison::kGe,
                                    Comparison::kEq, Comparison::kNe};
constexpr std::string_view kRatioExpected =
    "a ratio above 0 and at most 1000, like 1.2";

// The kind a gate declares, read before its fields are checked so that the
// fields allowed can depend on it. An invalid kind is reported later.
KindIndex PeekKind(const YAML::Node& node) {
  if (!node.IsMap()) return kThreshold;
  for (const auto& kv : node) {
    if (!kv.first.IsScalar() || kv.first.Scalar() != "kind" ||
        !kv.second.IsScalar()) {
      continue;
    }
    for (size_t i = 0; i < std::size(kKinds); ++i) {
      if (kv.second.Scalar() == kKinds[i]) return static_cast<KindIndex>(i);
    }
  }
  return kThreshold;
}

std::vector<std::string_view> FieldsOf(KindIndex kind) {
  std::vector<std::string_view> out(std::begin(kHeadFields),
                                    std::end(kHeadFields));
  switch (kind) {
    case kThreshold:
    case kFailedHosts:
      out.insert(out.end(), std::begin(kCheckFields), std::end(kCheckFields));
      break;
    case kBaseline:
      out.insert(out.end(), std::begin(kBaselineFields),
                 std::end(kBaselineFields));
      break;
    case kPromql:
      out.insert(out.end(), std::begin(kPromqlFields), std::end(kPromqlFields));
      break;
  }
  out.insert(out.end(), std::begin(kTailFields), std::end(kTailFields));
  return out;
}

void ReadCheck(PlanReader& r, const Fields& f, KindIndex kind, GateSpec* gate) {
  std::optional<Scalar> s =
      r.Text(f, "check", kRequired,
             kind == kFailedHosts ? "a check like 'failed_hosts <= 5%'"
                                  : "a check like 'min(app_healthy) >= 1' or "
                                    "'failed_hosts <= 0'");
  if (!s) return;
  if (absl::Status status = ParseGateCheck(s->text, gate); !status.ok()) {
    r.Error(s->node, s->field, std::string(status.message()));
    return;
  }
  if (kind == kFailedHosts && gate->kind != GateKind::kFailedHosts) {
    r.Error(s->node, s->field,
            absl::StrCat("a failed_hosts gate checks failed_hosts, like "
                         "'failed_hosts <= 5%', got ",
                         Quote(s->text)));
  }
}

void ReadMannWhitney(PlanReader& r, const YAML::Node& node, std::string path,
                     BaselineSpec* b) {
  std::optional<Fields> f = r.Map(node, std::move(path), kMannWhitneyFields);
  if (!f) return;
  b->mann_whitney = true;
  b->alpha = r.Parsed(*f, "alpha", kOptional,
                      "a significance level above 0 and at most 0.5, like 0.05",
                      [](std::string_view s) -> std::optional<double> {
                        std::optional<double> v = ParseNumberInRange(s, 0, 0.5);
                        return v && *v > 0 ? v : std::nullopt;
                      })
                 .value_or(0.05);
  if (auto i = r.OneOf(*f, "direction", kDirections)) {
    b->direction = static_cast<Direction>(*i);
  }
}

void ReadBaseline(PlanReader& r, const Fields& f, GateSpec* gate) {
  BaselineSpec& b = gate->baseline;
  if (auto s =
          r.ValidText(f, "metric", kRequired, "a metric name like latency_ms",
                      IsValidMetricName)) {
    gate->metric = s->text;
  }
  if (auto i = r.OneOf(f, "statistic", kStatistics)) {
    b.statistic = kStatisticAggregates[*i];
  }
  auto ratio = [](std::string_view s) -> std::optional<double> {
    std::optional<double> v = ParseNumberInRange(s, 0, 1000);
    return v && *v > 0 ? v : std::nullopt;
  };
  b.max_ratio = r.Parsed(f, "max_ratio", kOptional, kRatioExpected, ratio);
  b.min_ratio = r.Parsed(f, "min_ratio", kOptional, kRatioExpected, ratio);
  if (b.max_ratio && b.min_ratio && *b.min_ratio > *b.max_ratio) {
    r.Error(f.Find("min_ratio")->value, f.PathOf("min_ratio"),
            "min_ratio must not be above max_ratio");
  }
  if (auto node = r.Value(f, "mann_whitney", kOptional, "a map")) {
    ReadMannWhitney(r, *node, f.PathOf("mann_whitney"), &b);
  }
  b.min_samples =
      r.Parsed(f, "min_samples", kOptional, "a whole number from 1 to 100000",
               [](std::string_view s) { return ParseIntInRange(s, 1, 100000); })
          .value_or(10);
  if (auto s = r.ValidText(f, "role_label", kOptional, kLabelExpected,
                           IsValidLabelKey)) {
    b.role_label = s->text;
  }
  if (!f.Find("max_ratio") && !f.Find("min_ratio") && !f.Find("mann_whitney")) {
    r.Error(f.node(), f.PathOf("max_ratio"),
            "a baseline gate needs max_ratio, min_ratio or mann_whitney");
  }
}

// A file the controller reads when it asks an https:// Prometheus: an
// absolute path, and only beside an https:// URL.
std::optional<std::string> ReadHttpsFile(PlanReader& r, const Fields& f,
                                         std::string_view key,
                                         std::string_view example,
                                         const std::string& url) {
  const std::string expected =
      absl::StrCat("an absolute file path like ", AbslView(example));
  std::optional<Scalar> s = r.Text(f, key, kOptional, expected);
  if (!s) return std::nullopt;
  if (std::optional<std::string> problem = FilePathProblem(s->text)) {
    r.Error(s->node, s->field,
            absl::StrCat("expected ", expected, ", got ", Quote(s->text), ": ",
                         *problem));
    return std::nullopt;
  }
  if (!url.empty() && !absl::StartsWith(url, "https://")) {
    r.Error(s->node, s->field,
            absl::StrCat(AbslView(key),
                         " needs an https:// prometheus URL, got ", Quote(url),
                         key == "bearer_token_file"
                             ? ": a token is never sent in the clear"
                             : ""));
    return std::nullopt;
  }
  return s->text;
}

void ReadPromql(PlanReader& r, const Fields& f, GateSpec* gate) {
  if (auto s = r.ValidText(f, "prometheus", kRequired,
                           "an http:// or https:// Prometheus server URL like "
                           "https://prometheus.internal:9090",
                           IsValidHttpOrHttpsUrl)) {
    gate->promql.url = s->text;
  }
  gate->promql.ca_file =
      ReadHttpsFile(r, f, "ca_file", "/etc/swell/prometheus-ca.pem",
                    gate->promql.url)
          .value_or("");
  gate->promql.bearer_token_file =
      ReadHttpsFile(r, f, "bearer_token_file", "/etc/swell/prometheus.token",
                    gate->promql.url)
          .value_or("");
  if (auto s = r.ValidText(
          f, "query", kRequired, "a PromQL query of at most 4096 bytes",
          [](std::string_view q) { return !q.empty() && IsBoundedText(q); })) {
    gate->promql.query = s->text;
  }
  std::optional<size_t> op = r.OneOf(f, "op", kOps);
  if (op) gate->op = kOpValues[*op];
  if (!f.Find("op")) r.Value(f, "op", kRequired, "one of <, <=, >, >=, ==, !=");
  if (auto t = r.Parsed(f, "threshold", kRequired, "a number like 0.05",
                        [](std::string_view s) {
                          return ParseNumberInRange(s, -1e300, 1e300);
                        })) {
    gate->threshold = *t;
  }
  if (auto d = r.Parsed(
          f, "interval", kOptional, "a duration from 1s to 1h, like 10s",
          [](std::string_view s) {
            std::optional<absl::Duration> parsed = ParseFiniteDuration(s);
            return parsed && *parsed >= absl::Seconds(1) &&
                           *parsed <= absl::Hours(1)
                       ? parsed
                       : std::nullopt;
          })) {
    gate->promql.interval = *d;
  }
}

std::optional<GateSpec> ReadGate(PlanReader& r, const YAML::Node& node,
                                 std::string path) {
  const KindIndex kind = PeekKind(node);
  const std::vector<std::string_view> allowed = FieldsOf(kind);
  std::optional<Fields> f = r.Map(node, std::move(path), allowed);
  if (!f) return std::nullopt;
  GateSpec gate;
  if (auto s = r.ValidText(*f, "name", kRequired, kNameExpected, IsValidName)) {
    gate.name = s->text;
  }
  r.OneOf(*f, "kind", kKinds);  // reports an unknown kind
  switch (kind) {
    case kThreshold:
    case kFailedHosts:
      ReadCheck(r, *f, kind, &gate);
      break;
    case kBaseline:
      gate.kind = GateKind::kBaseline;
      ReadBaseline(r, *f, &gate);
      break;
    case kPromql:
      gate.kind = GateKind::kPromql;
      ReadPromql(r, *f, &gate);
      break;
  }
  if (auto i = r.OneOf(*f, "missing_data", kMissingData)) {
    gate.missing_data = static_cast<MissingData>(*i);
  }
  gate.consecutive_breaches =
      r.Parsed(*f, "consecutive_breaches", kOptional,
               "a whole number from 1 to 1000",
               [](std::string_view s) {
                 return ParseIntInRange(s, 1, kMaxConsecutiveBreaches);
               })
          .value_or(1);
  gate.dry_run = r.Parsed(*f, "dry_run", kOptional, "true or false", ParseBool)
                     .value_or(false);
  return gate;
}

}  // namespace

void ReadGates(PlanReader& r, const YAML::Node& list, Plan* plan) {
  const size_t inherited = plan->gates.size();  // from a policy
  std::map<std::string, int> first_line;        // gate name -> its line
  for (size_t i = 0; i < list.size(); ++i) {
    std::optional<GateSpec> gate =
        ReadGate(r, list[i], absl::StrCat("gates[", i, "]"));
    if (!gate) continue;
    if (!gate->name.empty()) {
      YAML::Node name = list[i]["name"];
      auto [it, inserted] =
          first_line.emplace(gate->name, name.Mark().line + 1);
      if (!inserted) {
        r.Error(name, absl::StrCat("gates[", i, "].name"),
                absl::StrCat("duplicate gate name ", Quote(gate->name),
                             " (first on line ", it->second,
                             "); gate names must be unique"));
      }
    }
    auto replaced =
        std::find_if(plan->gates.begin(), plan->gates.begin() + inherited,
                     [&](const GateSpec& g) { return g.name == gate->name; });
    if (replaced != plan->gates.begin() + inherited) {
      *replaced = std::move(*gate);
    } else {
      plan->gates.push_back(std::move(*gate));
    }
  }
  if (plan->gates.size() > static_cast<size_t>(kMaxGates)) {
    r.Error(list, "gates",
            absl::StrCat("at most ", kMaxGates,
                         " gates allowed with the policy's, got ",
                         plan->gates.size()));
  }
}

}  // namespace swell::controller::plan_internal
