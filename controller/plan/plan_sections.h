#pragma once

// Readers for the sections of a plan. Each reads what it can into `plan`
// and records every problem in `r`. Internal to the plan parser.

#include <string_view>

#include "controller/plan/plan.h"
#include "controller/plan/plan_reader.h"

namespace swell::controller::plan_internal {

inline constexpr std::string_view kNameExpected =
    "a name like app-workers-8 (a-z, 0-9, '.', '_', '-'; at most 64 "
    "characters)";

// Text of at most kMaxTextLength bytes, without NUL.
bool IsBoundedText(std::string_view s);

// `change`: the variable, its kind and file settings, and its new value.
void ReadChange(PlanReader& r, const YAML::Node& node, Plan* plan);
// `target`: the label selector.
void ReadTarget(PlanReader& r, const YAML::Node& node, Plan* plan);
// `strategy`: waves, bake and progress deadline.
void ReadStrategy(PlanReader& r, const YAML::Node& node, Plan* plan);
// `gates`, already checked to be a list: gates with unique names.
void ReadGates(PlanReader& r, const YAML::Node& node, Plan* plan);

}  // namespace swell::controller::plan_internal
