#include "tests/fuzz/fuzz_input.h"

#include "spdlog/spdlog.h"

namespace swell::fuzz {

void SilenceLogs() { spdlog::set_level(spdlog::level::off); }

}  // namespace swell::fuzz
