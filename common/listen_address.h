#pragma once

// A listener's address as its flag gives it: "host:port" or "[v6]:port".

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace swell::common {

// Splits `listen` into its host (brackets removed; may be empty) and port
// (0 to 65535). kInvalidArgument naming `flag` when it is not host:port.
absl::Status SplitListenAddress(const std::string& listen,
                                std::string_view flag, std::string* host,
                                int* port);

}  // namespace swell::common
