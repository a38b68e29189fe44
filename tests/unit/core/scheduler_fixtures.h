#pragma once

// Random fleets and plans for property tests, from a fixed-seed PRNG that
// gives the same sequence on every platform.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "controller/plan/plan.h"
#include "controller/rollout/wave_scheduler.h"

namespace swell::controller::fixtures {

// SplitMix64: tiny, fast, and fully specified.
class Prng {
 public:
  explicit Prng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  int Int(int lo, int hi) {
    return lo + static_cast<int>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool Chance(int percent) { return Int(1, 100) <= percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[static_cast<size_t>(
        Int(0, static_cast<int>(items.size()) - 1))];
  }
  template <typename T>
  void Shuffle(std::vector<T>& items) {
    for (size_t i = items.size(); i > 1; --i) {
      std::swap(items[i - 1], items[Next() % i]);
    }
  }

 private:
  uint64_t state_;
};

// Hosts with sites, racks, roles and a few canaries; some labels missing.
inline std::vector<TargetHost> RandomFleet(Prng& rng, int n) {
  const std::vector<std::string> sites = {"a", "b", "c", "d"};
  const std::vector<std::string> roles = {"web", "db", "cache", "batch"};
  std::vector<TargetHost> hosts;
  for (int i = 0; i < n; ++i) {
    TargetHost h{absl::StrCat("host-", i), {}};
    if (!rng.Chance(5)) h.labels["site"] = rng.Pick(sites);
    h.labels["rack"] = absl::StrCat("r", rng.Int(0, 9));
    if (!rng.Chance(5)) h.labels["role"] = rng.Pick(roles);
    if (rng.Chance(4)) h.labels["canary"] = "true";
    hosts.push_back(std::move(h));
  }
  return hosts;
}

inline WaveSize RandomSize(Prng& rng) {
  return rng.Chance(50) ? WaveSize{false, static_cast<double>(rng.Int(1, 20))}
                        : WaveSize{true, static_cast<double>(rng.Int(1, 100))};
}

// A plan of any shape, with or without per-role limits.
inline Plan RandomPlan(Prng& rng) {
  Plan p;
  switch (rng.Int(0, 2)) {
    case 0: {
      p.shape = WaveShape::kList;
      double percent = 0;
      if (rng.Chance(50)) p.waves.push_back({false, 1});
      while (percent < 100) {
        percent = std::min(100.0, percent + rng.Int(1, 60));
        p.waves.push_back({true, percent});
      }
      break;
    }
    case 1:
      p.shape = WaveShape::kGeometric;
      p.geometric = {rng.Int(1, 5), 1 + rng.Int(1, 30) / 10.0, RandomSize(rng)};
      break;
    default:
      p.shape = WaveShape::kLinear;
      p.linear = {absl::Hours(rng.Int(1, 300)), absl::Hours(1)};
      break;
  }
  if (rng.Chance(60)) {
    p.per_role.label = "role";
    if (rng.Chance(70)) p.per_role.min = WaveSize{false, double(rng.Int(1, 3))};
    if (rng.Chance(70) || !p.per_role.min) p.per_role.max = RandomSize(rng);
  }
  if (rng.Chance(30)) p.order.domains = {"rack"};
  return p;
}

}  // namespace swell::controller::fixtures
