#pragma once

// The pull API's JSON (docs/pull-api.md): a host's desired state as flat
// JSON for configuration-management clients, and what such a client
// reports back. Pure: no I/O.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "swell/v1/agent.pb.h"
#include "swell/v1/types.pb.h"

namespace swell::controller {

// `state` as {"host", "generation", "variables": {NAME: {...}}}: each
// variable's kind, whether it is enforced, and when enforced its value
// ("present", and "value" as text, or "value_base64" when it is not UTF-8)
// with what the kind needs to enact it (a file's path and mode, a
// package's name, a command's commands).
std::string DesiredStateJson(const swell::v1::DesiredState& state);

// What a pull client says it found on its host after enacting generation
// `generation` (0: none yet). A variable whose `error` is set failed to be
// enacted; its value is what the host holds now.
struct PullReport {
  int64_t generation = 0;
  // The host's labels; nullopt: keep the ones it has.
  std::optional<std::map<std::string, std::string>> labels;
  struct Variable {
    std::string name;
    swell::v1::Value value;
    std::string error;
  };
  std::vector<Variable> variables;
};

// Parses a PUT /v1/hosts/{host}/actual body. kInvalidArgument naming the
// field (e.g. "variables.motd.value: expected a string, or null when
// absent") for anything else.
absl::StatusOr<PullReport> ParsePullReport(absl::string_view body);

// Parses a POST /v1/hosts/{host}/health body, {"samples": {NAME: number, or
// {"error": "why the check failed"}}}, stamping every sample `unix_ms`.
absl::StatusOr<swell::v1::HealthReport> ParsePullHealth(absl::string_view body,
                                                        int64_t unix_ms);

// {"error": message}.
std::string ErrorJson(absl::string_view message);

}  // namespace swell::controller
