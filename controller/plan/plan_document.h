#pragma once

// The boundary where YAML text becomes a document to read: size bound,
// yaml-cpp's exceptions mapped to located PlanErrors, one document only.
// Shared by plans and policies. Internal to the plan parser.

#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "controller/plan/plan.h"
#include "controller/plan/plan_reader.h"

namespace swell::controller::plan_internal {

// Loads `yaml` and calls `read` on its root unless the text is too large
// (over kMaxPlanBytes), empty or not YAML. `what` names the document in
// messages ("plan", "policy"); `empty_expected` says what an empty one
// should hold. Never throws. Returns every error, in source order.
std::vector<PlanError> ReadOneDocument(
    std::string_view yaml, std::string_view what,
    std::string_view empty_expected,
    absl::FunctionRef<void(PlanReader&, const YAML::Node&)> read);

}  // namespace swell::controller::plan_internal
