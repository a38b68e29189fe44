#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "yaml-cpp/yaml.h"

namespace swell::agent {

// Helpers for reading the agent's YAML config. Every error names the key
// and the node's 1-based line and column.

// " (line L, column C)", or "" for a node without a position.
std::string YamlWhere(const YAML::Node& node);
// kInvalidArgument "<what> (line L, column C)".
absl::Status YamlBad(const YAML::Node& node, absl::string_view what);
absl::StatusOr<std::string> YamlScalar(const YAML::Node& node,
                                       absl::string_view key);
// A positive duration: "5s", "500ms", or a bare number of seconds.
absl::StatusOr<absl::Duration> YamlDuration(const YAML::Node& node,
                                            absl::string_view key);

}  // namespace swell::agent
