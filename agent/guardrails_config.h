#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/guardrails.h"
#include "yaml-cpp/yaml.h"

namespace swell::agent {

// The guardrails keys that a config file's `guardrails:` map or the
// --guardrail-* flags set. nullopt: not set there; an empty list is set
// (to nothing).
struct GuardrailsSettings {
  std::optional<std::vector<std::string>> kinds;  // file, package, ...
  std::optional<std::vector<std::string>> file_prefixes;
  std::optional<std::vector<std::string>> file_commands;
  std::optional<std::vector<std::string>> packages;
};

// Parses the `guardrails:` map: {kinds, file_prefixes, file_commands,
// packages}, each a list (kinds also a comma-separated string). Every entry
// is validated (ValidateFilePrefix, ...); kInvalidArgument naming the key,
// with line and column, for anything malformed or unknown.
absl::StatusOr<GuardrailsSettings> ParseGuardrailsYaml(const YAML::Node& node);

// The host's guardrails: each key from the flags when given there, else
// from the file, else Guardrails' default. Flag values are validated here;
// kInvalidArgument naming the flag (--guardrail-kinds, ...) and the value.
absl::StatusOr<Guardrails> MergeGuardrails(const GuardrailsSettings& file,
                                           const GuardrailsSettings& flags);

}  // namespace swell::agent
