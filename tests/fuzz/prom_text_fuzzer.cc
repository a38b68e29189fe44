// The Prometheus text exposition parser of the agent's prometheus
// collector, then the sum the collector takes of what it parsed.

#include <algorithm>

#include "agent/collectors/prom_text.h"
#include "tests/fuzz/fuzz_input.h"

namespace {
// The agent's HTTP client reads at most 4 MiB; a smaller bound keeps each
// run fast without hiding anything a larger input could reach.
constexpr size_t kMaxInputBytes = 1 << 20;
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  swell::fuzz::SilenceLogs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxInputBytes) return -1;
  absl::StatusOr<std::vector<swell::agent::PromSeries>> series =
      swell::agent::ParsePromText(swell::fuzz::AsAbslText(data, size));
  if (!series.ok()) return 0;
  // The first few series select themselves: the whole scrape stays linear.
  const size_t selected = std::min<size_t>(series->size(), 8);
  for (size_t i = 0; i < selected; ++i) {
    const swell::agent::PromSeries& s = (*series)[i];
    // The parser promises valid metric names.
    if (!swell::agent::IsPromMetricName(s.name)) __builtin_trap();
    const swell::agent::PromSelector selector{s.name, s.labels};
    // Every series matches at least its own selector.
    if (!swell::agent::SumMatching(*series, selector).ok()) __builtin_trap();
  }
  return 0;
}
