#include "controller/plan/plan_describe.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/json.h"

namespace swell::controller {
namespace {

using common::JsonNumber;

std::string_view DirectionWords(Direction d) {
  switch (d) {
    case Direction::kIncrease:
      return "higher";
    case Direction::kDecrease:
      return "lower";
    case Direction::kEither:
      return "different";
  }
  return "different";
}

std::string DescribeBaseline(const GateSpec& g) {
  const BaselineSpec& b = g.baseline;
  std::vector<std::string> tests;
  if (b.max_ratio) {
    tests.push_back(absl::StrCat("at most ", JsonNumber(*b.max_ratio), "x"));
  }
  if (b.min_ratio) {
    tests.push_back(absl::StrCat("at least ", JsonNumber(*b.min_ratio), "x"));
  }
  std::string out =
      absl::StrCat(std::string(AggregateName(b.statistic)), "(", g.metric,
                   ") of changed hosts ", absl::StrJoin(tests, " and "));
  if (!tests.empty()) absl::StrAppend(&out, " ");
  absl::StrAppend(&out, "unchanged hosts of the same ", b.role_label);
  if (b.mann_whitney) {
    absl::StrAppend(&out, ", and not significantly ",
                    std::string(DirectionWords(b.direction)),
                    " (Mann-Whitney, alpha ", JsonNumber(b.alpha), ")");
  }
  absl::StrAppend(&out, ", at least ", b.min_samples, " samples a side");
  return out;
}

}  // namespace

std::string FormatPlanDuration(absl::Duration d) {
  const absl::Duration day = absl::Hours(24);
  if (d < day || d == absl::InfiniteDuration()) return absl::FormatDuration(d);
  const int64_t days = absl::IDivDuration(d, day, &d);
  return d == absl::ZeroDuration()
             ? absl::StrCat(days, "d")
             : absl::StrCat(days, "d", absl::FormatDuration(d));
}

std::string FormatWaveSize(const WaveSize& size) {
  return size.percent ? absl::StrCat(JsonNumber(size.value), "%")
                      : absl::StrCat(JsonNumber(size.value));
}

std::string DescribeGate(const GateSpec& g) {
  switch (g.kind) {
    case GateKind::kMetric:
    case GateKind::kFraction:
    case GateKind::kFailedHosts:
      return g.check;
    case GateKind::kBaseline:
      return DescribeBaseline(g);
    case GateKind::kPromql:
      return absl::StrCat(
          "PromQL ", g.promql.query, " ", std::string(ComparisonSymbol(g.op)),
          " ", JsonNumber(g.threshold), " (from ", g.promql.url, ")");
  }
  return g.check;
}

std::string DescribeWaveShape(const Plan& plan) {
  switch (plan.shape) {
    case WaveShape::kList: {
      std::vector<std::string> sizes;
      for (const WaveSize& s : plan.waves) sizes.push_back(FormatWaveSize(s));
      return absl::StrCat("waves ", absl::StrJoin(sizes, ", "));
    }
    case WaveShape::kGeometric: {
      const GeometricGrowth& g = plan.geometric;
      return absl::StrCat("geometric from ", g.start,
                          g.start == 1 ? " host" : " hosts", ", x",
                          JsonNumber(g.factor), " a wave, at most ",
                          FormatWaveSize(g.max_step), " a wave");
    }
    case WaveShape::kLinear:
      return absl::StrCat("linear to 100% over ",
                          FormatPlanDuration(plan.linear.over), ", a wave per ",
                          FormatPlanDuration(plan.linear.step));
  }
  return "";
}

}  // namespace swell::controller
