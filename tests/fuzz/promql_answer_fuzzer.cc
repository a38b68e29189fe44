// The controller's reading of a Prometheus HTTP API answer to an instant
// query (the PromQL gate's input), for a success and an error status.

#include "controller/gate/promql.h"
#include "tests/fuzz/fuzz_input.h"

namespace {
// The controller's HTTP client reads at most 4 MiB.
constexpr size_t kMaxInputBytes = 1 << 20;
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  swell::fuzz::SilenceLogs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxInputBytes) return -1;
  const std::string body(swell::fuzz::AsText(data, size));
  for (int status : {200, 422}) {
    swell::controller::PromqlReading reading;
    reading.series.push_back({"{stale=\"1\"}", 1});  // must be cleared
    swell::controller::ReadPromqlResponse(status, body, &reading);
    // An answer is either series or an error, never both.
    if (!reading.error.empty() && !reading.series.empty()) __builtin_trap();
  }
  return 0;
}
