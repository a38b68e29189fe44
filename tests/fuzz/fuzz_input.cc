#include "tests/fuzz/fuzz_input.h"

#include "google/protobuf/stubs/logging.h"
#include "spdlog/spdlog.h"

namespace swell::fuzz {

void SilenceLogs() {
  spdlog::set_level(spdlog::level::off);
  google::protobuf::SetLogHandler(nullptr);
}

}  // namespace swell::fuzz
