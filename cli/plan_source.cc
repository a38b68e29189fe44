#include "cli/plan_source.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace swell::cli {

absl::StatusOr<PlanSource> ReadPlan(absl::string_view path) {
  PlanSource plan;
  std::ostringstream content;
  if (path == "-") {
    plan.file = "<stdin>";
    content << std::cin.rdbuf();
  } else {
    plan.file = std::string(path);
    std::ifstream in(plan.file, std::ios::binary);
    if (!in) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot read plan ", plan.file, ": ", std::strerror(errno)));
    }
    content << in.rdbuf();
    if (in.bad()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot read plan ", plan.file, ": ", std::strerror(errno)));
    }
  }
  plan.yaml = std::move(content).str();
  if (plan.yaml.size() > controller::kMaxPlanBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("plan ", plan.file, " is ", plan.yaml.size(),
                     " bytes; the limit is ", controller::kMaxPlanBytes));
  }
  return plan;
}

absl::StatusOr<controller::PolicySet> LocalPolicies() {
  const char* env = std::getenv("SWELL_POLICIES");
  std::string dir = env != nullptr ? env : "";
  if (dir.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory("policies", ec)) {
      return controller::PolicySet();
    }
    dir = "policies";
  }
  return controller::LoadPolicies(dir);
}

absl::StatusOr<CheckedPlan> ValidatePlan(const PlanSource& plan,
                                         const controller::PolicySet& policies,
                                         bool allow_unresolved_policy) {
  controller::PlanParseResult parsed =
      controller::ParsePlan(plan.yaml, policies);
  CheckedPlan out;
  if (allow_unresolved_policy && parsed.errors.size() == 1 &&
      parsed.errors[0].field == "policy" &&
      absl::StartsWith(parsed.errors[0].message, "unknown policy")) {
    out.policy_unresolved = true;
    out.unresolved = parsed.errors[0].message;
    out.plan = std::move(parsed.plan);
    return out;
  }
  if (!parsed.ok()) {
    std::string lines;
    for (const auto& e : parsed.errors) {
      absl::StrAppend(&lines, lines.empty() ? "" : "\n", e.ToString(plan.file));
    }
    return absl::InvalidArgumentError(lines);
  }
  out.plan = std::move(parsed.plan);
  return out;
}

}  // namespace swell::cli
