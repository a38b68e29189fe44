#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace swell::agent {

// One series line of the Prometheus text exposition format (0.0.4).
struct PromSeries {
  std::string name;
  std::map<std::string, std::string> labels;  // unescaped values
  double value = 0;                           // may be NaN or +/-Inf
  std::optional<int64_t> timestamp_ms;
};

// Parses an exposition. Blank lines, comments and # HELP / # TYPE lines are
// skipped. Label values may use the \\, \" and \n escapes; values accept
// NaN, +Inf, -Inf as well as decimal and exponent forms. kInvalidArgument
// naming the 1-based line for any malformed series line: like Prometheus,
// one bad line fails the whole scrape.
absl::StatusOr<std::vector<PromSeries>> ParsePromText(absl::string_view text);

// Which series of a scrape a collector reports: every series named
// `metric` whose labels include all of `labels` (others may be present).
struct PromSelector {
  std::string metric;
  std::map<std::string, std::string> labels;
};

// The sum of the values of the matching series; kNotFound when none match.
// The sum may be NaN or infinite: callers decide what that means.
absl::StatusOr<double> SumMatching(const std::vector<PromSeries>& series,
                                   const PromSelector& selector);

// True for a valid metric name: [a-zA-Z_:][a-zA-Z0-9_:]*.
bool IsPromMetricName(absl::string_view name);

}  // namespace swell::agent
