#include "controller/plan/policy.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "controller/plan/plan_document.h"
#include "controller/plan/plan_sections.h"
#include "controller/plan/plan_values.h"

namespace swell::controller {
namespace {

using plan_internal::Fields;
using plan_internal::PlanReader;
using enum plan_internal::Presence;

constexpr std::string_view kPolicyFields[] = {"name",       "description",
                                              "strategy",   "gates",
                                              "on_failure", "on_inconclusive"};
constexpr std::string_view kActions[] = {"rollback", "pause"};

// Reads a policy; its name must be `name` unless that is nullopt.
void ReadPolicy(PlanReader& r, const YAML::Node& root,
                std::optional<std::string_view> name, Policy* policy) {
  std::optional<Fields> f = r.Map(root, "", kPolicyFields);
  if (!f) return;
  if (auto s = r.ValidText(*f, "name", kRequired, plan_internal::kNameExpected,
                           plan_internal::IsValidName)) {
    policy->name = s->text;
    if (name && s->text != *name) {
      r.Error(s->node, s->field,
              absl::StrCat("a policy's name is its file's name: expected ",
                           plan_internal::Quote(*name), ", got ",
                           plan_internal::Quote(s->text)));
    }
  }
  if (auto s = r.ValidText(*f, "description", kOptional,
                           "text of at most 4096 bytes",
                           plan_internal::IsBoundedText)) {
    policy->description = s->text;
  }
  Plan& base = policy->base;
  if (auto strategy = r.Value(*f, "strategy", kOptional, "a map")) {
    policy->sets_shape = plan_internal::ReadStrategy(r, *strategy, &base);
  }
  if (auto gates = r.List(*f, "gates", kOptional, "a list of gates",
                          plan_internal::kMaxGates)) {
    plan_internal::ReadGates(r, *gates, &base);
  }
  if (auto i = r.OneOf(*f, "on_failure", kActions)) {
    base.on_failure = static_cast<FailureAction>(*i);
  }
  if (auto i = r.OneOf(*f, "on_inconclusive", kActions)) {
    base.on_inconclusive = static_cast<FailureAction>(*i);
  }
}

PolicyParseResult ParsePolicyNamed(std::string_view yaml,
                                   std::optional<std::string_view> name) {
  PolicyParseResult result;
  result.errors = plan_internal::ReadOneDocument(
      yaml, "policy", "a map with name, strategy and gates",
      [&](PlanReader& r, const YAML::Node& root) {
        ReadPolicy(r, root, name, &result.policy);
      });
  if (result.ok()) {
    result.policy.yaml = std::string(yaml);
  } else {
    result.policy = Policy();
  }
  return result;
}

std::optional<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

}  // namespace

absl::Status PolicySet::Add(Policy policy) {
  std::string name = policy.name;
  auto [it, inserted] = policies_.emplace(std::move(name), std::move(policy));
  if (!inserted) {
    return absl::AlreadyExistsError(
        absl::StrCat("policy ", it->first, " is defined twice"));
  }
  return absl::OkStatus();
}

const Policy* PolicySet::Find(std::string_view name) const {
  auto it = policies_.find(name);
  return it == policies_.end() ? nullptr : &it->second;
}

std::vector<std::string> PolicySet::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, policy] : policies_) names.push_back(name);
  return names;
}

PolicyParseResult ParsePolicy(std::string_view yaml, std::string_view name) {
  return ParsePolicyNamed(yaml, name);
}

PolicyParseResult ParseStoredPolicy(std::string_view yaml) {
  return ParsePolicyNamed(yaml, std::nullopt);
}

absl::StatusOr<PolicySet> LoadPolicies(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return absl::NotFoundError(
        absl::StrCat("policy directory ", dir, " does not exist"));
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".yaml" && !entry.is_directory()) {
      files.push_back(entry.path());
    }
  }
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot list policy directory ", dir, ": ", ec.message()));
  }
  std::sort(files.begin(), files.end());
  PolicySet set;
  std::vector<std::string> errors;
  for (const auto& path : files) {
    const std::string shown = path.string();
    std::optional<std::string> text = ReadFile(path);
    if (!text) {
      errors.push_back(absl::StrCat(shown, ": cannot be read"));
      continue;
    }
    PolicyParseResult parsed = ParsePolicy(*text, path.stem().string());
    for (const PlanError& e : parsed.errors)
      errors.push_back(e.ToString(shown));
    if (!parsed.ok()) continue;
    parsed.policy.file = shown;
    if (absl::Status s = set.Add(std::move(parsed.policy)); !s.ok()) {
      errors.push_back(absl::StrCat(shown, ": ", s.message()));
    }
  }
  if (!errors.empty()) {
    return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
  }
  return set;
}

}  // namespace swell::controller
