#include "cli/plan_source.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

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

absl::StatusOr<controller::Plan> ValidatePlan(const PlanSource& plan) {
  return controller::ParsePlanOrStatus(plan.yaml, plan.file);
}

}  // namespace swell::cli
