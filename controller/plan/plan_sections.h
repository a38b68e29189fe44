#pragma once

// Readers for the sections of a plan. Each reads what it can into `plan`
// and records every problem in `r`. Internal to the plan parser.
//
// A plan that names a policy is read over a copy of the policy's plan, so
// each reader overwrites only what its document sets: the field-by-field
// override of docs/plans.md.

#include <string_view>

#include "controller/plan/plan.h"
#include "controller/plan/plan_reader.h"

namespace swell::controller::plan_internal {

inline constexpr std::string_view kNameExpected =
    "a name like app-workers-8 (a-z, 0-9, '.', '_', '-'; at most 64 "
    "characters)";
inline constexpr std::string_view kLabelExpected =
    "a label name like site (letters, digits, '.', '_', '/', '-')";

// Text of at most kMaxTextLength bytes, without NUL.
bool IsBoundedText(std::string_view s);

// `change`: the variable, its kind and file settings, and its new value.
void ReadChange(PlanReader& r, const YAML::Node& node, Plan* plan);
// `target`: the label selector.
void ReadTarget(PlanReader& r, const YAML::Node& node, Plan* plan);
// `strategy`: the wave shape (waves, geometric or linear; one replaces
// another), bake, progress deadline, order, per-role limits and domain
// budget. Returns whether the document gives a wave shape (or a strategy
// that is not a map, already reported).
bool ReadStrategy(PlanReader& r, const YAML::Node& node, Plan* plan);
// `gates`, already checked to be a list: gates with unique names. A gate
// named like one already in plan->gates (from a policy) replaces it.
void ReadGates(PlanReader& r, const YAML::Node& node, Plan* plan);

}  // namespace swell::controller::plan_internal
