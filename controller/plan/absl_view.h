#pragma once

// This Abseil build does not alias absl::string_view to std::string_view,
// so std::string_view values must be converted before Abseil takes them.

#include <string_view>

#include "absl/strings/string_view.h"

namespace swell::controller::plan_internal {

inline absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

}  // namespace swell::controller::plan_internal
