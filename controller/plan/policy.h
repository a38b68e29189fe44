#pragma once

// Reusable rollout policies: YAML files in policies/ that supply a plan's
// strategy, gates, on_failure and on_inconclusive. A plan names one with
// `policy:` and overrides it field by field (docs/plans.md, "Policies").

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "controller/plan/plan.h"

namespace swell::controller {

struct Policy {
  std::string name;  // equal to its file's name without ".yaml"
  std::string file;  // where it was read from, for messages; may be empty
  std::string yaml;  // its source text, as parsed; kept with rollouts
  std::string description;
  // What the policy supplies, as the plan a naming plan starts from. Only
  // its strategy, gates, on_failure and on_inconclusive are set.
  Plan base;
  bool sets_shape = false;  // it gives waves, geometric or linear
};

// Policies by name. A value type; empty by default.
class PolicySet {
 public:
  // kAlreadyExists when a policy of that name is already in the set.
  [[nodiscard]] absl::Status Add(Policy policy);
  // nullptr when there is none of that name.
  const Policy* Find(std::string_view name) const;
  std::vector<std::string> Names() const;  // sorted
  bool empty() const { return policies_.empty(); }
  size_t size() const { return policies_.size(); }

 private:
  std::map<std::string, Policy, std::less<>> policies_;
};

struct PolicyParseResult {
  Policy policy;                  // meaningful only when errors is empty
  std::vector<PlanError> errors;  // every problem found, in source order
  bool ok() const { return errors.empty(); }
};

// Parses and validates one policy, whose file is named `name` + ".yaml":
// its `name` field must be `name`. Never throws; reports every error. On
// success the policy's `yaml` is `yaml`.
PolicyParseResult ParsePolicy(std::string_view yaml, std::string_view name);

// ParsePolicy for a policy's text without its file (as kept with a rollout,
// Rollout::policy_yaml): its name is whatever its `name` field says.
PolicyParseResult ParseStoredPolicy(std::string_view yaml);

// Loads every "*.yaml" file directly in `dir`, in name order. Errors:
// kNotFound when `dir` is not a directory; kInvalidArgument, with one line
// per problem of every file ("<path>:<line>:<col>: <field>: <message>"),
// when any file does not read or validate. All or nothing.
absl::StatusOr<PolicySet> LoadPolicies(const std::string& dir);

}  // namespace swell::controller
