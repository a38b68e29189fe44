#include "controller/rollout/wave_scheduler.h"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace swell::controller {
namespace {

std::string LabelOr(const TargetHost& h, const std::string& key) {
  auto it = h.labels.find(key);
  return it == h.labels.end() ? std::string() : it->second;
}

}  // namespace

uint64_t StableHash(std::string_view a, std::string_view b) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  };
  mix(a);
  mix(std::string_view("\0", 1));
  mix(b);
  // FNV's last step does not spread the last byte into the high bits, so
  // ids differing only at the end would sort alike; finish with a mixer.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

std::vector<TargetHost> SelectTargets(
    const Plan& plan, const std::map<std::string, Host>& fleet) {
  std::vector<TargetHost> out;
  for (const auto& [id, host] : fleet) {
    bool match = true;
    for (const auto& [k, v] : plan.selector) {
      auto it = host.labels.find(k);
      if (it == host.labels.end() || it->second != v) {
        match = false;
        break;
      }
    }
    if (match) out.push_back(TargetHost{id, host.labels});
  }
  return out;
}

std::vector<std::vector<std::string>> AssignWaves(
    const std::vector<WaveSize>& sizes, std::vector<TargetHost> targets,
    std::string_view rollout_id) {
  using Key = std::tuple<bool, std::string, std::string, uint64_t, std::string>;
  auto key = [&](const TargetHost& h) {
    return Key{LabelOr(h, "canary") != "true", LabelOr(h, "site"),
               LabelOr(h, "rack"), StableHash(h.id, rollout_id), h.id};
  };
  std::sort(targets.begin(), targets.end(),
            [&](const TargetHost& a, const TargetHost& b) {
              return key(a) < key(b);
            });

  const size_t n = targets.size();
  std::vector<std::vector<std::string>> waves;
  size_t admitted = 0;
  for (const WaveSize& s : sizes) {
    size_t cumulative =
        s.percent ? static_cast<size_t>(std::ceil(s.value * n / 100.0 - 1e-9))
                  : static_cast<size_t>(s.value);
    cumulative = std::min(cumulative, n);
    if (cumulative <= admitted) continue;
    std::vector<std::string> wave;
    for (size_t i = admitted; i < cumulative; ++i) wave.push_back(targets[i].id);
    waves.push_back(std::move(wave));
    admitted = cumulative;
  }
  if (admitted < n) {  // a plan whose last size is below 100 % still ends
    std::vector<std::string> wave;
    for (size_t i = admitted; i < n; ++i) wave.push_back(targets[i].id);
    waves.push_back(std::move(wave));
  }
  return waves;
}

}  // namespace swell::controller
