#include "tests/sim/fault_plan.h"

#include <vector>

#include "absl/strings/str_join.h"

namespace swell::sim {
namespace {

// FNV-1a, 64 bits: stable across builds and platforms, unlike std::hash.
uint64_t Fnv1a(uint64_t hash, absl::string_view text) {
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

// SplitMix64's finalizer: spreads FNV's weak low bits over the word.
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

double HostUniform01(uint64_t seed, absl::string_view host_id,
                     absl::string_view salt) {
  uint64_t h = Fnv1a(0xcbf29ce484222325ULL ^ Mix(seed), host_id);
  h = Fnv1a(h ^ 0xff, salt);  // 0xff: ("ab", "c") and ("a", "bc") differ
  // The top 53 bits, as a double in [0, 1).
  return static_cast<double>(Mix(h) >> 11) * 0x1.0p-53;
}

HostFaults FaultsFor(uint64_t seed, absl::string_view host_id,
                     const FaultFractions& f) {
  auto draw = [&](absl::string_view name, double fraction) {
    return HostUniform01(seed, host_id, name) < fraction;
  };
  HostFaults out;
  out.unhealthy_after_change =
      draw("unhealthy_after_change", f.unhealthy_after_change);
  out.slow_apply = draw("slow_apply", f.slow_apply);
  out.failing_apply = draw("failing_apply", f.failing_apply);
  out.silent = draw("silent", f.silent);
  out.flapping = draw("flapping", f.flapping);
  out.crashing = draw("crashing", f.crashing);
  return out;
}

std::vector<std::pair<absl::string_view, bool>> FaultsByName(
    const HostFaults& f) {
  return {{"unhealthy_after_change", f.unhealthy_after_change},
          {"slow_apply", f.slow_apply},
          {"failing_apply", f.failing_apply},
          {"silent", f.silent},
          {"flapping", f.flapping},
          {"crashing", f.crashing}};
}

std::string DescribeFaults(const HostFaults& faults) {
  std::vector<absl::string_view> names;
  for (const auto& [name, has] : FaultsByName(faults)) {
    if (has) names.push_back(name);
  }
  return names.empty() ? "none" : absl::StrJoin(names, ",");
}

}  // namespace swell::sim
