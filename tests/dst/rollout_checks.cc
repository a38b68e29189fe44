// The per-rollout invariants of InvariantChecker that look at a rollout's
// whole life: its waves at submit, each wave's start, its rollback, the
// failure-domain budget and liveness.

#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/value.h"
#include "controller/rollout/domain_budget.h"
#include "controller/rollout/wave_sizes.h"
#include "tests/dst/invariants.h"

namespace swell::dst {
namespace {

using controller::Fleet;
using controller::HostState;
using controller::RolloutRecord;

std::optional<swell::v1::Value> DesiredOf(const Fleet& fleet,
                                          const std::string& host,
                                          const std::string& var) {
  auto d = fleet.desired.find(host);
  if (d == fleet.desired.end()) return std::nullopt;
  auto v = d->second.find(var);
  if (v == d->second.end()) return std::nullopt;
  return v->second.value;
}

std::string Show(const std::optional<swell::v1::Value>& v) {
  if (!v) return "(none)";
  return v->present() ? absl::StrCat("'", v->data(), "'") : "(absent)";
}

std::string LabelOf(const Fleet& fleet, const std::string& host,
                    const std::string& label) {
  auto h = fleet.hosts.find(host);
  if (h == fleet.hosts.end()) return "";
  auto l = h->second.labels.find(label);
  return l == h->second.labels.end() ? "" : l->second;
}

// DomainBudget's allowance (domain_budget.cc): the share, rounded down, at
// least 1.
size_t Allowance(const controller::WaveSize& max, size_t domain_size) {
  size_t allowed =
      max.percent
          ? static_cast<size_t>(std::floor(
                max.value * static_cast<double>(domain_size) / 100.0 + 1e-9))
          : static_cast<size_t>(max.value);
  return std::max<size_t>(1, allowed);
}

// Whether the plan forbids any failed host (`failed_hosts <= 0`).
bool NoFailedHostsGate(const controller::Plan& plan) {
  for (const auto& g : plan.gates) {
    if (g.kind == controller::GateKind::kFailedHosts && !g.dry_run &&
        g.op == controller::Comparison::kLe && g.threshold == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

InvariantChecker::Error InvariantChecker::CheckNewRollout(
    const Fleet* prev, const Fleet& cur, const RolloutRecord& rec) {
  Record& record = records_[rec.rollout.id];
  for (const auto& [host, h] : rec.hosts) {
    record.before[host] = prev != nullptr
                              ? DesiredOf(*prev, host, rec.rollout.variable)
                              : std::nullopt;
  }
  const controller::RoleLimits& limits = rec.plan.per_role;
  if (limits.label.empty() || !limits.max) return std::nullopt;
  std::map<std::string, size_t> total;                     // role -> hosts
  std::map<std::pair<int, std::string>, size_t> per_wave;  // (wave, role)
  for (const auto& [host, h] : rec.hosts) {
    const std::string role = LabelOf(cur, host, limits.label);
    total[role]++;
    per_wave[{h.wave, role}]++;
  }
  for (const auto& [key, n] : per_wave) {
    size_t ceiling = std::max<size_t>(
        1, controller::HostsOf(*limits.max, total[key.second]));
    if (n > ceiling) {
      return absl::StrCat("invariant 4 (per-role ceiling): ", rec.rollout.id,
                          " put ", n, " hosts of role '", key.second,
                          "' in wave ", key.first + 1, ", ceiling ", ceiling);
    }
  }
  return std::nullopt;
}

InvariantChecker::Error InvariantChecker::CheckWaveAdvance(
    const RolloutRecord* before, const RolloutRecord& rec,
    const StepFacts& facts) const {
  const controller::Rollout& was = before->rollout;
  const controller::Rollout& r = rec.rollout;
  const std::string what = absl::StrCat(
      "invariant 2 (a wave starts after the previous passed its "
      "gates): ",
      r.id, " went from wave ", was.current_wave + 1, " to ",
      r.current_wave + 1);
  if (r.current_wave != was.current_wave + 1) return what;
  if (was.phase != controller::WavePhase::kBaking) {
    return absl::StrCat(what, " while ",
                        std::string(controller::WavePhaseName(was.phase)));
  }
  const absl::Time bake_end =
      was.phase_started + controller::WaveBake(rec.plan, r.wave_count);
  if (facts.now < bake_end) {
    return absl::StrCat(what, " before its bake ended");
  }
  const bool no_failed = NoFailedHostsGate(rec.plan);
  for (const auto& [host, h] : rec.hosts) {
    if (h.wave > was.current_wave) continue;
    if (h.state == HostState::kWaiting || h.state == HostState::kAdmitting ||
        h.state == HostState::kApplying) {
      return absl::StrCat(what, " with ", host, " of wave ", h.wave + 1, " ",
                          std::string(controller::HostStateName(h.state)));
    }
    if (no_failed && h.state == HostState::kFailed) {
      return absl::StrCat(what, " with ", host,
                          " failed (gate failed_hosts <= 0)");
    }
  }
  return std::nullopt;
}

InvariantChecker::Error InvariantChecker::CheckRolledBack(
    const Fleet& cur, const RolloutRecord& rec) {
  const Record& record = records_[rec.rollout.id];
  const std::string& var = rec.rollout.variable;
  for (const auto& [host, h] : rec.hosts) {
    std::optional<swell::v1::Value> desired = DesiredOf(cur, host, var);
    auto p = record.previous.find(host);
    if (p != record.previous.end()) {
      if (!desired || !common::SameValue(*desired, p->second)) {
        return absl::StrCat(
            "invariant 3 (rollback restores every admitted host): ",
            rec.rollout.id, " rolled back, but ", host, " (admitted at ",
            Show(p->second), ") is left desiring ", Show(desired));
      }
      continue;
    }
    auto b = record.before.find(host);
    std::optional<swell::v1::Value> was =
        b == record.before.end() ? std::nullopt : b->second;
    if (was.has_value() != desired.has_value() ||
        (was && !common::SameValue(*was, *desired))) {
      return absl::StrCat(
          "invariant 3 (rollback leaves hosts never admitted untouched): ",
          rec.rollout.id, " changed ", host, " from ", Show(was), " to ",
          Show(desired));
    }
  }
  return std::nullopt;
}

InvariantChecker::Error InvariantChecker::CheckBudget(
    const Fleet* prev, const Fleet& cur,
    const std::set<std::string>& admitted) const {
  if (admitted.empty()) return std::nullopt;
  const controller::DomainBudget* budget = nullptr;
  for (const auto& [id, rec] : cur.rollouts) {
    if (controller::IsActive(rec.rollout) &&
        !rec.plan.domain_budget.label.empty()) {
      budget = &rec.plan.domain_budget;
    }
  }
  if (budget == nullptr) return std::nullopt;
  std::map<std::string, size_t> size;
  for (const auto& [id, h] : cur.hosts) {
    auto l = h.labels.find(budget->label);
    if (l != h.labels.end()) size[l->second]++;
  }
  // A host under change in two rollouts counts once (HostsUnderChange).
  std::map<std::string, std::set<std::string>> under;
  for (const auto& [id, rec] : cur.rollouts) {
    if (!controller::IsActive(rec.rollout)) continue;
    const RolloutRecord* before = nullptr;
    if (prev != nullptr) {
      auto it = prev->rollouts.find(id);
      if (it != prev->rollouts.end()) before = &it->second;
    }
    for (const auto& [host, h] : rec.hosts) {
      if (!controller::IsUnderChange(h.state)) continue;
      // A rollback returns converged hosts whatever the budget says.
      if (h.state == HostState::kRollingBack && before != nullptr) {
        auto b = before->hosts.find(host);
        if (b != before->hosts.end() &&
            b->second.state == HostState::kConverged) {
          continue;
        }
      }
      auto l = cur.hosts.find(host);
      if (l == cur.hosts.end()) continue;
      auto v = l->second.labels.find(budget->label);
      if (v != l->second.labels.end()) under[v->second].insert(host);
    }
  }
  for (const std::string& host : admitted) {
    const std::string domain = LabelOf(cur, host, budget->label);
    if (!size.count(domain)) continue;
    const size_t allowed = Allowance(budget->max, size[domain]);
    if (under[domain].size() > allowed) {
      return absl::StrCat("invariant 4 (failure-domain budget): admitting ",
                          host, " put ", under[domain].size(), " of ",
                          size[domain], " hosts of ", budget->label, "=",
                          domain, " under change, allowance ", allowed);
    }
  }
  return std::nullopt;
}

std::optional<std::string> InvariantChecker::Unfinished(
    const Fleet& cur) const {
  for (const auto& [id, rec] : cur.rollouts) {
    if (!controller::IsActive(rec.rollout)) continue;
    return absl::StrCat(
        "invariant 7 (liveness): ", id, " is still ",
        std::string(controller::RolloutStateName(rec.rollout.state)), " (",
        rec.rollout.reason, ") after the calm phase");
  }
  return std::nullopt;
}

}  // namespace swell::dst
