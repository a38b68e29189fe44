// The `strategy` section: how targets are cut into waves and paced.

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "controller/plan/absl_view.h"
#include "controller/plan/plan_sections.h"
#include "controller/plan/plan_values.h"

namespace swell::controller::plan_internal {
namespace {

using enum Presence;

constexpr std::string_view kStrategyFields[] = {
    "waves", "geometric", "linear",       "bake", "progress_deadline",
    "order", "per_role",  "domain_budget"};
constexpr std::string_view kShapes[] = {"waves", "geometric", "linear"};
constexpr std::string_view kGeometricFields[] = {"start", "factor", "max_step"};
constexpr std::string_view kLinearFields[] = {"over", "step"};
constexpr std::string_view kOrderFields[] = {"canary_label", "domains"};
constexpr std::string_view kPerRoleFields[] = {"label", "min", "max"};
constexpr std::string_view kBudgetFields[] = {"label", "max"};
constexpr std::string_view kWaveExpected =
    "a positive count like 5 or a percentage like 25%";
constexpr size_t kMaxDomains = 8;
constexpr int kMaxLinearSteps = 10000;

std::optional<absl::Duration> PositiveDuration(std::string_view s) {
  std::optional<absl::Duration> d = ParseFiniteDuration(s);
  return d && *d > absl::ZeroDuration() ? d : std::nullopt;
}

void ReadWaves(PlanReader& r, const YAML::Node& list, const std::string& path,
               Plan* plan) {
  if (list.size() == 0) {
    r.Error(list, path, "expected at least one wave, like [1, 25%, 100%]");
    return;
  }
  std::optional<Scalar> last, last_percent, last_count;
  bool last_ok = false;
  for (size_t i = 0; i < list.size(); ++i) {
    last = r.AsText(list[i], absl::StrCat(path, "[", i, "]"), kWaveExpected);
    last_ok = false;
    if (!last) continue;
    std::optional<WaveSize> wave = ParseWaveSize(last->text);
    if (!wave) {
      r.Invalid(*last, kWaveExpected);
      continue;
    }
    std::optional<Scalar>& previous = wave->percent ? last_percent : last_count;
    if (previous && ParseWaveSize(previous->text)->value > wave->value) {
      r.Error(last->node, last->field,
              absl::StrCat(wave->percent ? "percentages" : "counts",
                           " must not decrease: ", Quote(last->text),
                           " follows ", Quote(previous->text)));
    }
    previous = last;
    last_ok = true;
    plan->waves.push_back(*wave);
  }
  if (last_ok &&
      !(plan->waves.back().percent && plan->waves.back().value == 100)) {
    r.Error(last->node, last->field,
            absl::StrCat("the last wave must be 100% so every target is "
                         "reached, got ",
                         Quote(last->text)));
  }
}

void ReadGeometric(PlanReader& r, const YAML::Node& node, std::string path,
                   Plan* plan) {
  std::optional<Fields> f = r.Map(node, std::move(path), kGeometricFields);
  if (!f) return;
  GeometricGrowth& g = plan->geometric;
  g.start = r.Parsed(*f, "start", kOptional,
                     "a whole number of hosts from 1 to 1000000",
                     [](std::string_view s) {
                       return ParseIntInRange(s, 1, kMaxWaveCount);
                     })
                .value_or(1);
  g.factor = r.Parsed(*f, "factor", kOptional,
                      "a growth factor above 1 and at most 100, like 2",
                      [](std::string_view s) -> std::optional<double> {
                        std::optional<double> v = ParseNumberInRange(s, 1, 100);
                        return v && *v > 1 ? v : std::nullopt;
                      })
                 .value_or(2);
  g.max_step = r.Parsed(*f, "max_step", kOptional, kWaveExpected, ParseWaveSize)
                   .value_or(WaveSize{true, 100});
}

void ReadLinear(PlanReader& r, const YAML::Node& node, std::string path,
                Plan* plan) {
  std::optional<Fields> f = r.Map(node, std::move(path), kLinearFields);
  if (!f) return;
  constexpr std::string_view kExpected =
      "a positive duration like 14d, 12h or 30m";
  std::optional<absl::Duration> over =
      r.Parsed(*f, "over", kRequired, kExpected, PositiveDuration);
  std::optional<absl::Duration> step =
      r.Parsed(*f, "step", kRequired, kExpected, PositiveDuration);
  if (!over || !step) return;
  const YAML::Node& at = f->Find("step")->value;
  if (*step > *over) {
    r.Error(at, f->PathOf("step"),
            "the step must not be longer than the ramp ('over')");
  } else if (absl::Ceil(*over, *step) / *step > kMaxLinearSteps) {
    r.Error(at, f->PathOf("step"),
            absl::StrCat("at most ", kMaxLinearSteps,
                         " steps allowed; make the step longer"));
  }
  plan->linear = LinearRamp{*over, *step};
}

void ReadOrder(PlanReader& r, const YAML::Node& node, std::string path,
               Plan* plan) {
  std::optional<Fields> f = r.Map(node, std::move(path), kOrderFields);
  if (!f) return;
  plan->order = WaveOrder();
  if (auto s = r.ValidText(*f, "canary_label", kOptional, kLabelExpected,
                           IsValidLabelKey)) {
    plan->order.canary_label = s->text;
  }
  std::optional<YAML::Node> list =
      r.List(*f, "domains", kOptional,
             "a list of label names like [site, rack]", kMaxDomains);
  if (!list) return;
  plan->order.domains.clear();
  for (size_t i = 0; i < list->size(); ++i) {
    std::string field = absl::StrCat(f->PathOf("domains"), "[", i, "]");
    std::optional<Scalar> s = r.AsText((*list)[i], field, kLabelExpected);
    if (!s) continue;
    if (!IsValidLabelKey(s->text)) {
      r.Invalid(*s, kLabelExpected);
      continue;
    }
    plan->order.domains.push_back(s->text);
  }
}

void ReadPerRole(PlanReader& r, const YAML::Node& node, std::string path,
                 Plan* plan) {
  std::optional<Fields> f = r.Map(node, std::move(path), kPerRoleFields);
  if (!f) return;
  RoleLimits limits;
  limits.label = "role";
  if (auto s = r.ValidText(*f, "label", kOptional, kLabelExpected,
                           IsValidLabelKey)) {
    limits.label = s->text;
  }
  limits.min = r.Parsed(*f, "min", kOptional, kWaveExpected, ParseWaveSize);
  limits.max = r.Parsed(*f, "max", kOptional, kWaveExpected, ParseWaveSize);
  if (!f->Find("min") && !f->Find("max")) {
    r.Error(f->node(), f->PathOf("min"),
            "per_role needs min, max or both, like {min: 1, max: 25%}");
  }
  if (limits.min && limits.max && limits.min->percent == limits.max->percent &&
      limits.min->value > limits.max->value) {
    r.Error(f->Find("min")->value, f->PathOf("min"),
            "the floor must not be above the ceiling ('max')");
  }
  plan->per_role = std::move(limits);
}

void ReadBudget(PlanReader& r, const YAML::Node& node, std::string path,
                Plan* plan) {
  std::optional<Fields> f = r.Map(node, std::move(path), kBudgetFields);
  if (!f) return;
  DomainBudget budget;
  budget.label = "site";
  if (auto s = r.ValidText(*f, "label", kOptional, kLabelExpected,
                           IsValidLabelKey)) {
    budget.label = s->text;
  }
  std::optional<WaveSize> max =
      r.Parsed(*f, "max", kRequired, kWaveExpected, ParseWaveSize);
  if (max) budget.max = *max;
  plan->domain_budget = std::move(budget);
}

// Reads whichever of waves, geometric and linear the document gives; it
// replaces the shape the plan had (from its policy).
bool ReadShape(PlanReader& r, const Fields& f, Plan* plan) {
  const Fields::Entry* given = nullptr;
  for (std::string_view shape : kShapes) {
    const Fields::Entry* e = f.Find(shape);
    if (e == nullptr) continue;
    if (given != nullptr) {
      r.Error(e->key_node, f.PathOf(shape),
              absl::StrCat("waves, geometric and linear exclude each other; '",
                           AbslView(given->key), "' is already given"));
      continue;
    }
    given = e;
  }
  if (given == nullptr) return false;
  plan->waves.clear();
  plan->geometric = GeometricGrowth();
  plan->linear = LinearRamp();
  if (given->key == "waves") {
    plan->shape = WaveShape::kList;
    if (auto waves =
            r.List(f, "waves", kRequired,
                   "a list of wave sizes like [1, 25%, 100%]", kMaxWaves)) {
      ReadWaves(r, *waves, f.PathOf("waves"), plan);
    }
  } else if (given->key == "geometric") {
    plan->shape = WaveShape::kGeometric;
    ReadGeometric(r, given->value, f.PathOf("geometric"), plan);
  } else {
    plan->shape = WaveShape::kLinear;
    ReadLinear(r, given->value, f.PathOf("linear"), plan);
  }
  return true;
}

}  // namespace

bool ReadStrategy(PlanReader& r, const YAML::Node& node, Plan* plan) {
  std::optional<Fields> f = r.Map(node, "strategy", kStrategyFields);
  if (!f) return true;  // already reported
  const bool gives_shape = ReadShape(r, *f, plan);
  if (auto bake = r.Parsed(
          *f, "bake", kOptional, "a duration like 30s, 5m or 1h30m, 0s or more",
          [](std::string_view s) {
            std::optional<absl::Duration> d = ParseFiniteDuration(s);
            return d && *d >= absl::ZeroDuration() ? d : std::nullopt;
          })) {
    plan->bake = *bake;
    if (plan->shape == WaveShape::kLinear) {
      r.Error(f->Find("bake")->key_node, f->PathOf("bake"),
              "a linear ramp bakes each wave until the ramp reaches the next "
              "one; remove bake or use waves or geometric");
    }
  }
  if (auto deadline =
          r.Parsed(*f, "progress_deadline", kOptional,
                   "a positive duration like 10m or 1h", PositiveDuration)) {
    plan->progress_deadline = *deadline;
  }
  if (auto v = r.Value(*f, "order", kOptional, "a map")) {
    ReadOrder(r, *v, f->PathOf("order"), plan);
  }
  if (auto v = r.Value(*f, "per_role", kOptional, "a map")) {
    ReadPerRole(r, *v, f->PathOf("per_role"), plan);
  }
  if (auto v = r.Value(*f, "domain_budget", kOptional, "a map")) {
    ReadBudget(r, *v, f->PathOf("domain_budget"), plan);
  }
  return gives_shape;
}

}  // namespace swell::controller::plan_internal
