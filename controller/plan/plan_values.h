#pragma once

// The grammars of a plan's scalar fields, as pure functions over text.
// Internal to the plan parser; docs/plans.md describes them for users.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "controller/plan/plan.h"

namespace swell::controller::plan_internal {

inline constexpr int kMaxWaves = 100;
inline constexpr int kMaxGates = 50;
inline constexpr int kMaxSelectorLabels = 64;
inline constexpr int kMaxWaveCount = 1000000;
inline constexpr int kMaxConsecutiveBreaches = 1000;
inline constexpr size_t kMaxTextLength = 4096;  // descriptions, commands
inline constexpr size_t kMaxLabelValueLength = 256;

// Plan, variable and gate names: [a-z0-9][a-z0-9._-]*, at most 64 bytes.
bool IsValidName(std::string_view s);
// Label names: [A-Za-z0-9][A-Za-z0-9._/-]*, at most 64 bytes.
bool IsValidLabelKey(std::string_view s);
// Health metric names: [a-zA-Z_:][a-zA-Z0-9_:]*, at most 200 bytes.
bool IsValidMetricName(std::string_view s);
// http:// or https:// and a host (see common::ParseHttpOrHttpsUrl), at
// most 4096 bytes, no spaces or control characters.
bool IsValidHttpOrHttpsUrl(std::string_view s);
inline constexpr size_t kMaxFilePathLength = 4096;
// Why `s` is not a file path a plan may name, as a clause like "it contains
// a newline (byte 5)"; nullopt when it is one. A file path is absolute,
// normalised (no empty, '.' or '..' segment, no trailing '/'), free of
// control characters (NUL, bytes below 0x20, DEL) and at most
// kMaxFilePathLength bytes.
std::optional<std::string> FilePathProblem(std::string_view s);
// User and group names or ids: [A-Za-z0-9._-], 1 to 32 bytes.
bool IsValidAccountName(std::string_view s);

// 1 to 4 octal digits ("0644", "644", "4755"). The text is always octal,
// so an unquoted YAML 0644 means 0644 too.
std::optional<uint32_t> ParseFileMode(std::string_view s);
// "5" (a host count in [1, kMaxWaveCount]) or "25%" (a percentage in
// (0, 100], fractions allowed).
std::optional<WaveSize> ParseWaveSize(std::string_view s);
// absl::ParseDuration syntax ("500ms", "1h30m"), optionally led by a whole
// or decimal number of days ("14d", "1d12h"; a day is 24 h). Infinite
// durations are rejected.
std::optional<absl::Duration> ParseFiniteDuration(std::string_view s);
// A finite decimal number in [lo, hi].
std::optional<double> ParseNumberInRange(std::string_view s, double lo,
                                         double hi);
// "true" or "false".
std::optional<bool> ParseBool(std::string_view s);
// A whole number in [lo, hi].
std::optional<int> ParseIntInRange(std::string_view s, int lo, int hi);

}  // namespace swell::controller::plan_internal
