#include "controller/plan/plan.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "controller/plan/policy.h"

namespace swell::controller {
namespace {

// An enum value outside its enumerators can only come from a cast bug.
[[noreturn]] void DieOnInvalidEnum(const char* type, int value) {
  std::fprintf(stderr, "FATAL: invalid %s value %d\n", type, value);
  std::abort();
}

}  // namespace

std::string PlanError::ToString(std::string_view file) const {
  std::string out(file);
  if (line > 0) absl::StrAppend(&out, ":", line, ":", column);
  absl::StrAppend(&out, ": ");
  if (!field.empty()) absl::StrAppend(&out, field, ": ");
  absl::StrAppend(&out, message);
  return out;
}

absl::StatusOr<Plan> ParsePlanOrStatus(std::string_view yaml,
                                       std::string_view file) {
  return ParsePlanOrStatus(yaml, file, PolicySet());
}

absl::StatusOr<Plan> ParsePlanOrStatus(std::string_view yaml,
                                       std::string_view file,
                                       const PolicySet& policies) {
  PlanParseResult result = ParsePlan(yaml, policies);
  if (result.ok()) return std::move(result.plan);
  return absl::InvalidArgumentError(absl::StrJoin(
      result.errors, "\n", [file](std::string* out, const PlanError& e) {
        out->append(e.ToString(file));
      }));
}

std::string_view AggregateName(Aggregate a) {
  switch (a) {
    case Aggregate::kMin:
      return "min";
    case Aggregate::kMax:
      return "max";
    case Aggregate::kMean:
      return "mean";
    case Aggregate::kP50:
      return "p50";
    case Aggregate::kP95:
      return "p95";
    case Aggregate::kP99:
      return "p99";
  }
  DieOnInvalidEnum("Aggregate", static_cast<int>(a));
}

std::string_view ComparisonSymbol(Comparison c) {
  switch (c) {
    case Comparison::kLt:
      return "<";
    case Comparison::kLe:
      return "<=";
    case Comparison::kGt:
      return ">";
    case Comparison::kGe:
      return ">=";
    case Comparison::kEq:
      return "==";
    case Comparison::kNe:
      return "!=";
  }
  DieOnInvalidEnum("Comparison", static_cast<int>(c));
}

}  // namespace swell::controller
