// ParsePlan: the reader of a plan's top level, over its policy's fields
// when it names one.

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "controller/plan/plan.h"
#include "controller/plan/plan_document.h"
#include "controller/plan/plan_reader.h"
#include "controller/plan/plan_sections.h"
#include "controller/plan/plan_values.h"
#include "controller/plan/policy.h"

namespace swell::controller {
namespace {

using plan_internal::Fields;
using plan_internal::PlanReader;
using enum plan_internal::Presence;

constexpr std::string_view kPlanFields[] = {
    "name",     "description", "policy",     "change",         "target",
    "strategy", "gates",       "on_failure", "on_inconclusive"};
constexpr std::string_view kActions[] = {"rollback", "pause"};

std::string UnknownPolicy(const std::string& name, const PolicySet& policies) {
  if (policies.empty()) {
    return absl::StrCat("unknown policy ", plan_internal::Quote(name),
                        "; no policies are loaded");
  }
  return absl::StrCat(
      "unknown policy ", plan_internal::Quote(name),
      "; known policies: ", absl::StrJoin(policies.Names(), ", "));
}

// Reads `policy`; on success the plan starts as the policy's. Returns the
// policy, or nullptr when the plan names none or an unknown one (*named
// tells which).
const Policy* ReadPolicy(PlanReader& r, const Fields& f,
                         const PolicySet& policies, Plan* plan, bool* named) {
  std::optional<plan_internal::Scalar> s =
      r.ValidText(f, "policy", kOptional, "a policy name like config-change",
                  plan_internal::IsValidName);
  *named = f.Find("policy") != nullptr;
  if (!s) return nullptr;
  const Policy* policy = policies.Find(s->text);
  if (policy == nullptr) {
    r.Error(s->node, s->field, UnknownPolicy(s->text, policies));
    return nullptr;
  }
  *plan = policy->base;
  plan->policy = policy->name;
  return policy;
}

void ReadPlan(PlanReader& r, const YAML::Node& root, const PolicySet& policies,
              Plan* plan) {
  std::optional<Fields> f = r.Map(root, "", kPlanFields);
  if (!f) return;
  bool named = false;
  const Policy* policy = ReadPolicy(r, *f, policies, plan, &named);
  if (auto s = r.ValidText(*f, "name", kRequired, plan_internal::kNameExpected,
                           plan_internal::IsValidName)) {
    plan->name = s->text;
  }
  if (auto s = r.ValidText(*f, "description", kOptional,
                           "text of at most 4096 bytes",
                           plan_internal::IsBoundedText)) {
    plan->description = s->text;
  }
  if (auto change = r.Value(*f, "change", kRequired,
                            "a map with variable, kind, path and content")) {
    plan_internal::ReadChange(r, *change, plan);
  }
  if (auto target = r.Value(*f, "target", kOptional, "a map with selector")) {
    plan_internal::ReadTarget(r, *target, plan);
  }
  bool has_shape = policy != nullptr && policy->sets_shape;
  if (auto strategy = r.Value(*f, "strategy", named ? kOptional : kRequired,
                              "a map with waves and bake")) {
    if (plan_internal::ReadStrategy(r, *strategy, plan)) has_shape = true;
    if (!has_shape && (policy != nullptr || !named)) {
      r.Error(*strategy, "strategy.waves",
              "required; expected a list of wave sizes like [1, 25%, 100%], "
              "or geometric or linear");
    }
  } else if (policy != nullptr && !has_shape) {
    r.Error(f->Find("policy")->value, "policy",
            absl::StrCat("policy ", plan_internal::Quote(policy->name),
                         " has no wave shape; add strategy.waves, "
                         "strategy.geometric or strategy.linear"));
  }
  if (auto gates = r.List(*f, "gates", kOptional, "a list of gates",
                          plan_internal::kMaxGates)) {
    plan_internal::ReadGates(r, *gates, plan);
  }
  if (auto i = r.OneOf(*f, "on_failure", kActions)) {
    plan->on_failure = static_cast<FailureAction>(*i);
  }
  if (auto i = r.OneOf(*f, "on_inconclusive", kActions)) {
    plan->on_inconclusive = static_cast<FailureAction>(*i);
  }
}

}  // namespace

PlanParseResult ParsePlan(std::string_view yaml) {
  return ParsePlan(yaml, PolicySet());
}

PlanParseResult ParsePlan(std::string_view yaml, const PolicySet& policies) {
  PlanParseResult result;
  result.errors = plan_internal::ReadOneDocument(
      yaml, "plan", "a map with name, change and strategy",
      [&](PlanReader& r, const YAML::Node& root) {
        ReadPlan(r, root, policies, &result.plan);
      });
  if (!result.ok()) result.plan = Plan();
  return result;
}

}  // namespace swell::controller
