#include "agent/guardrails_config.h"

#include <functional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/yaml_fields.h"
#include "common/value.h"

namespace swell::agent {
namespace {

constexpr size_t kMaxEntries = 256;

using Validator = std::function<absl::Status(absl::string_view)>;

absl::Status ValidateKindName(absl::string_view name) {
  if (common::KindFromName(std::string_view(name.data(), name.size())) ==
      swell::v1::VARIABLE_KIND_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown kind '", name,
                     "' (kinds are file, package, docker and command)"));
  }
  return absl::OkStatus();
}

// The key's validator; nullptr for an unknown key.
Validator ValidatorFor(absl::string_view key) {
  if (key == "kinds") return ValidateKindName;
  if (key == "file_prefixes") return ValidateFilePrefix;
  if (key == "file_commands") return ValidateFileCommand;
  if (key == "packages") return ValidatePackagePattern;
  return nullptr;
}

std::optional<std::vector<std::string>>* Slot(GuardrailsSettings& s,
                                              absl::string_view key) {
  if (key == "kinds") return &s.kinds;
  if (key == "file_prefixes") return &s.file_prefixes;
  if (key == "file_commands") return &s.file_commands;
  return &s.packages;
}

absl::StatusOr<std::vector<std::string>> ParseList(const YAML::Node& v,
                                                   const std::string& key) {
  const Validator validate = ValidatorFor(key);
  std::vector<std::string> out;
  if (key == "kinds" && v.IsScalar()) {
    for (absl::string_view k :
         absl::StrSplit(v.as<std::string>(), ',', absl::SkipWhitespace())) {
      out.emplace_back(absl::StripAsciiWhitespace(k));
      if (absl::Status s = validate(out.back()); !s.ok()) {
        return YamlBad(v, absl::StrCat("guardrails.", key, ": ", s.message()));
      }
    }
    return out;
  }
  if (!v.IsSequence() && !v.IsNull()) {
    return YamlBad(v, absl::StrCat("guardrails.", key, " must be a list"));
  }
  if (v.size() > kMaxEntries) {
    return YamlBad(v, absl::StrCat("guardrails.", key, ": more than ",
                                   kMaxEntries, " entries"));
  }
  for (const YAML::Node& entry : v) {
    absl::StatusOr<std::string> text =
        YamlScalar(entry, absl::StrCat("guardrails.", key, " entry"));
    if (!text.ok()) return text.status();
    if (absl::Status s = validate(*text); !s.ok()) {
      return YamlBad(entry,
                     absl::StrCat("guardrails.", key, ": ", s.message()));
    }
    out.push_back(*std::move(text));
  }
  return out;
}

// The flag's entries, each validated.
absl::Status ValidateFlag(const std::optional<std::vector<std::string>>& values,
                          absl::string_view flag, const Validator& validate) {
  if (!values) return absl::OkStatus();
  if (values->size() > kMaxEntries) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": more than ", kMaxEntries, " entries"));
  }
  for (const std::string& v : *values) {
    if (absl::Status s = validate(v); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(flag, ": ", s.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<GuardrailsSettings> ParseGuardrailsYaml(const YAML::Node& node) {
  GuardrailsSettings settings;
  if (node.IsNull()) return settings;
  if (!node.IsMap()) return YamlBad(node, "guardrails must be a map");
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    if (ValidatorFor(key) == nullptr) {
      return YamlBad(kv.first, absl::StrCat("unknown guardrails key '", key,
                                            "' (keys: kinds, file_prefixes, "
                                            "file_commands, packages)"));
    }
    absl::StatusOr<std::vector<std::string>> list = ParseList(kv.second, key);
    if (!list.ok()) return list.status();
    *Slot(settings, key) = *std::move(list);
  }
  return settings;
}

absl::StatusOr<Guardrails> MergeGuardrails(const GuardrailsSettings& file,
                                           const GuardrailsSettings& flags) {
  for (absl::Status s :
       {ValidateFlag(flags.kinds, "--guardrail-kinds", ValidateKindName),
        ValidateFlag(flags.file_prefixes, "--guardrail-file-prefix",
                     ValidateFilePrefix),
        ValidateFlag(flags.file_commands, "--guardrail-file-command",
                     ValidateFileCommand),
        ValidateFlag(flags.packages, "--guardrail-package",
                     ValidatePackagePattern)}) {
    if (!s.ok()) return s;
  }
  auto pick = [](const std::optional<std::vector<std::string>>& flag,
                 const std::optional<std::vector<std::string>>& in_file)
      -> const std::optional<std::vector<std::string>>& {
    return flag ? flag : in_file;
  };
  Guardrails g;
  if (const auto& kinds = pick(flags.kinds, file.kinds)) {
    g.kinds.clear();
    for (const std::string& k : *kinds) {
      g.kinds.insert(common::KindFromName(k));
    }
  }
  if (const auto& v = pick(flags.file_prefixes, file.file_prefixes)) {
    g.file_prefixes = *v;
  }
  if (const auto& v = pick(flags.file_commands, file.file_commands)) {
    g.file_commands = *v;
  }
  if (const auto& v = pick(flags.packages, file.packages)) g.packages = *v;
  return g;
}

}  // namespace swell::agent
