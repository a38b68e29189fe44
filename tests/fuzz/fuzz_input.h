#pragma once

// Helpers shared by the fuzz targets (tests/fuzz/*_fuzzer.cc).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace swell::fuzz {

// The fuzzer's bytes as text; they may hold any byte, NUL included.
inline std::string_view AsText(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

// The same for the APIs that take Abseil's string_view, which Debian's
// Abseil does not alias to std::string_view.
inline absl::string_view AsAbslText(const uint8_t* data, size_t size) {
  return absl::string_view(reinterpret_cast<const char*>(data), size);
}

// Turns off spdlog and protobuf's own log (which reports every string of
// invalid UTF-8 it refuses), so that inputs the code under test logs about
// do not flood the fuzzer's output or slow it down. Call from
// LLVMFuzzerInitialize.
void SilenceLogs();

}  // namespace swell::fuzz
