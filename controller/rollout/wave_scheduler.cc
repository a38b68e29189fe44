#include "controller/rollout/wave_scheduler.h"

#include <algorithm>
#include <limits>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "controller/rollout/wave_sizes.h"

namespace swell::controller {
namespace {

std::string LabelOr(const TargetHost& h, const std::string& key) {
  auto it = h.labels.find(key);
  return it == h.labels.end() ? std::string() : it->second;
}

using Waves = std::vector<std::vector<std::string>>;

Waves CutByCount(const std::vector<TargetHost>& ordered,
                 const std::vector<size_t>& cumulative) {
  Waves waves;
  size_t admitted = 0;
  for (size_t target : cumulative) {
    std::vector<std::string> wave;
    for (size_t i = admitted; i < target; ++i) wave.push_back(ordered[i].id);
    waves.push_back(std::move(wave));
    admitted = target;
  }
  return waves;
}

// Cuts `ordered` into waves under per-role floors and ceilings; see
// AssignWaves for the rules.
class RoleCutter {
 public:
  RoleCutter(const std::vector<TargetHost>& ordered, const RoleLimits& limits)
      : ordered_(ordered), assigned_(ordered.size(), false) {
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < ordered.size(); ++i) {
      auto [it, inserted] =
          index.emplace(LabelOr(ordered[i], limits.label), roles_.size());
      if (inserted) roles_.emplace_back();
      role_of_.push_back(it->second);
      roles_[it->second].hosts.push_back(i);
    }
    for (Role& r : roles_) {
      const size_t total = r.hosts.size();
      r.ceiling = limits.max ? std::max<size_t>(1, HostsOf(*limits.max, total))
                             : std::numeric_limits<size_t>::max();
      r.floor =
          limits.min ? std::min(HostsOf(*limits.min, total), r.ceiling) : 0;
    }
  }

  Waves Cut(const std::vector<size_t>& cumulative) {
    Waves waves;
    const size_t n = ordered_.size();
    for (size_t w = 0; admitted_ < n; ++w) {
      const size_t target = w < cumulative.size() ? cumulative[w] : n;
      std::vector<size_t> wave = Floors();
      for (size_t i = first_free_; i < n && admitted_ + wave.size() < target;
           ++i) {
        Role& r = roles_[role_of_[i]];
        if (assigned_[i] || r.taken >= r.ceiling) continue;
        Take(i, &wave);
      }
      for (Role& r : roles_) r.taken = 0;
      admitted_ += wave.size();
      while (first_free_ < n && assigned_[first_free_]) ++first_free_;
      if (wave.empty()) continue;  // the size added nothing; drop it
      std::sort(wave.begin(), wave.end());
      std::vector<std::string> ids;
      for (size_t i : wave) ids.push_back(ordered_[i].id);
      waves.push_back(std::move(ids));
    }
    return waves;
  }

 private:
  struct Role {
    std::vector<size_t> hosts;  // positions in the order
    size_t cursor = 0;          // hosts before it are assigned
    size_t floor = 0;
    size_t ceiling = 0;
    size_t taken = 0;  // in the wave being cut
  };

  void Take(size_t i, std::vector<size_t>* wave) {
    assigned_[i] = true;
    roles_[role_of_[i]].taken++;
    wave->push_back(i);
  }

  // Each role's first unassigned hosts, up to its floor.
  std::vector<size_t> Floors() {
    std::vector<size_t> wave;
    for (Role& r : roles_) {
      while (r.taken < r.floor && r.cursor < r.hosts.size()) {
        size_t i = r.hosts[r.cursor];
        if (!assigned_[i]) Take(i, &wave);
        ++r.cursor;
      }
      while (r.cursor < r.hosts.size() && assigned_[r.hosts[r.cursor]]) {
        ++r.cursor;
      }
    }
    return wave;
  }

  const std::vector<TargetHost>& ordered_;
  std::vector<bool> assigned_;
  std::vector<size_t> role_of_;
  std::vector<Role> roles_;
  size_t admitted_ = 0;
  size_t first_free_ = 0;
};

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

uint32_t DefaultWaveSeed(const Plan& plan) {
  const swell::v1::Value& v = plan.value;
  const uint64_t h =
      StableHash(plan.variable.name(),
                 absl::StrCat(v.present() ? "present:" : "absent:", v.data()));
  const uint32_t seed = static_cast<uint32_t>(h ^ (h >> 32));
  return seed == 0 ? 1 : seed;
}

uint32_t EffectiveWaveSeed(const Plan& plan, uint32_t requested) {
  return requested != 0 ? requested : DefaultWaveSeed(plan);
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

std::vector<TargetHost> OrderTargets(const WaveOrder& order,
                                     std::vector<TargetHost> targets,
                                     uint32_t seed) {
  const std::string salt = absl::StrCat(seed);
  using Key = std::tuple<bool, std::vector<std::string>, uint64_t, std::string>;
  std::vector<Key> keys;
  keys.reserve(targets.size());
  for (const TargetHost& h : targets) {
    std::vector<std::string> domains;
    for (const std::string& label : order.domains) {
      domains.push_back(LabelOr(h, label));
    }
    keys.emplace_back(LabelOr(h, order.canary_label) != "true",
                      std::move(domains), StableHash(h.id, salt), h.id);
  }
  std::vector<size_t> by_key(targets.size());
  for (size_t i = 0; i < by_key.size(); ++i) by_key[i] = i;
  std::sort(by_key.begin(), by_key.end(),
            [&keys](size_t a, size_t b) { return keys[a] < keys[b]; });
  std::vector<TargetHost> out;
  out.reserve(targets.size());
  for (size_t i : by_key) out.push_back(std::move(targets[i]));
  return out;
}

std::vector<std::vector<std::string>> AssignWaves(
    const Plan& plan, std::vector<TargetHost> targets, uint32_t seed) {
  std::vector<TargetHost> ordered =
      OrderTargets(plan.order, std::move(targets), seed);
  std::vector<size_t> cumulative = CumulativeWaveTargets(plan, ordered.size());
  if (plan.per_role.label.empty()) return CutByCount(ordered, cumulative);
  return RoleCutter(ordered, plan.per_role).Cut(cumulative);
}

std::vector<std::vector<std::string>> AssignWaves(
    const std::vector<WaveSize>& sizes, std::vector<TargetHost> targets,
    uint32_t seed) {
  Plan plan;
  plan.waves = sizes;
  return AssignWaves(plan, std::move(targets), seed);
}

}  // namespace swell::controller
