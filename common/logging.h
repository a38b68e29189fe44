#pragma once

#include <string_view>

#include "absl/status/status.h"

namespace swell::common {

// How log lines look. kText: "2026-11-30T09:50:14.261 I controller: ...",
// for a terminal. kJson: one JSON object a line, for journald or ELK:
// {"time":"2026-11-30T09:50:14.261Z","level":"info","component":
// "controller","message":"..."}.
enum class LogFormat { kText, kJson };

// Parses "text" or "json"; kInvalidArgument naming `flag` otherwise.
absl::Status ParseLogFormat(std::string_view text, std::string_view flag,
                            LogFormat* out);

// Sets up spdlog for a binary: one line per event on stderr, with the
// time (UTC), the level and `component`. `level` is one of trace, debug,
// info, warn, error; anything else means info.
void InitLogging(std::string_view component, std::string_view level,
                 LogFormat format = LogFormat::kText);

}  // namespace swell::common
