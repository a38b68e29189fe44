#pragma once

// Reading a plan file and checking it locally before anything is sent, so
// that a typo costs no round trip and is reported with its line and column.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "controller/plan/plan.h"

namespace swell::cli {

struct PlanSource {
  std::string file;  // as named on the command line; "<stdin>" for "-"
  std::string yaml;
};

// Reads `path`, or standard input for "-". kInvalidArgument naming the file
// and the reason when it cannot be read or is larger than the controller
// accepts.
[[nodiscard]] absl::StatusOr<PlanSource> ReadPlan(absl::string_view path);

// Parses and validates the plan with the controller's own parser. The plan,
// or kInvalidArgument whose message has one line per problem, each
// "<file>:<line>:<col>: <field>: <message>".
[[nodiscard]] absl::StatusOr<controller::Plan> ValidatePlan(
    const PlanSource& plan);

}  // namespace swell::cli
