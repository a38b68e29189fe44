#pragma once

#include <string_view>

namespace swell::common {

// Sets up spdlog for a binary: one line per event on stderr, prefixed with
// the time, the level and `component`. `level` is one of trace, debug, info,
// warn, error; anything else means info.
void InitLogging(std::string_view component, std::string_view level);

}  // namespace swell::common
