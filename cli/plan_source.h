#pragma once

// Reading a plan file and checking it locally before anything is sent, so
// that a typo costs no round trip and is reported with its line and column.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "controller/plan/plan.h"
#include "controller/plan/policy.h"

namespace swell::cli {

struct PlanSource {
  std::string file;  // as named on the command line; "<stdin>" for "-"
  std::string yaml;
};

// Reads `path`, or standard input for "-". kInvalidArgument naming the file
// and the reason when it cannot be read or is larger than the controller
// accepts.
[[nodiscard]] absl::StatusOr<PlanSource> ReadPlan(absl::string_view path);

// The policies plans are checked against locally: the directory named by
// $SWELL_POLICIES, else ./policies when there is one, else none. An error
// names the policy file, line and column.
[[nodiscard]] absl::StatusOr<controller::PolicySet> LocalPolicies();

struct CheckedPlan {
  controller::Plan plan;
  // The plan names a policy that is not available locally: everything but
  // the policy was checked, and the controller resolves it.
  bool policy_unresolved = false;
  std::string unresolved;  // the parser's words for it
};

// Parses and validates the plan with the controller's own parser. The plan,
// or kInvalidArgument whose message has one line per problem, each
// "<file>:<line>:<col>: <field>: <message>". With `allow_unresolved_policy`,
// a policy missing locally is not an error (see CheckedPlan).
[[nodiscard]] absl::StatusOr<CheckedPlan> ValidatePlan(
    const PlanSource& plan, const controller::PolicySet& policies,
    bool allow_unresolved_policy);

}  // namespace swell::cli
