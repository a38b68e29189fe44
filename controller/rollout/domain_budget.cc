#include "controller/rollout/domain_budget.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "absl/strings/str_cat.h"
#include "common/json.h"

namespace swell::controller {
namespace {

std::optional<std::string> DomainOf(const std::map<std::string, Host>& hosts,
                                    const std::string& id,
                                    const std::string& label) {
  auto h = hosts.find(id);
  if (h == hosts.end()) return std::nullopt;
  auto v = h->second.labels.find(label);
  if (v == h->second.labels.end()) return std::nullopt;
  return v->second;
}

size_t Allowance(const WaveSize& max, size_t domain_size) {
  size_t allowed =
      max.percent
          ? static_cast<size_t>(std::floor(
                max.value * static_cast<double>(domain_size) / 100.0 + 1e-9))
          : static_cast<size_t>(max.value);
  return std::max<size_t>(1, allowed);
}

std::string BudgetText(const WaveSize& max) {
  return max.percent ? absl::StrCat(common::JsonNumber(max.value), "%")
                     : absl::StrCat(common::JsonNumber(max.value), " hosts");
}

}  // namespace

bool IsUnderChange(HostState s) {
  return s == HostState::kAdmitting || s == HostState::kApplying ||
         s == HostState::kFailed || s == HostState::kRollingBack;
}

std::set<std::string> HostsUnderChange(const Fleet& fleet,
                                       std::string_view skip_rollout) {
  std::set<std::string> out;
  for (const auto& [id, rec] : fleet.rollouts) {
    if (id == skip_rollout || !IsActive(rec.rollout)) continue;
    for (const auto& [host, h] : rec.hosts) {
      if (IsUnderChange(h.state)) out.insert(host);
    }
  }
  return out;
}

BudgetDecision CheckDomainBudget(const DomainBudget& budget,
                                 const std::map<std::string, Host>& hosts,
                                 const std::set<std::string>& under_change,
                                 const std::vector<std::string>& candidates) {
  BudgetDecision out;
  if (budget.label.empty()) {
    out.admit = candidates;
    return out;
  }
  std::map<std::string, size_t> size, busy;  // per domain
  for (const auto& [id, h] : hosts) {
    auto v = h.labels.find(budget.label);
    if (v != h.labels.end()) ++size[v->second];
  }
  for (const std::string& id : under_change) {
    if (auto d = DomainOf(hosts, id, budget.label)) ++busy[*d];
  }
  for (const std::string& id : candidates) {
    std::optional<std::string> d = DomainOf(hosts, id, budget.label);
    if (!d) {
      out.admit.push_back(id);
      continue;
    }
    size_t& used = busy[*d];
    if (used + 1 <= Allowance(budget.max, size[*d])) {
      ++used;
      out.admit.push_back(id);
      continue;
    }
    if (out.waiting++ == 0) {
      out.reason =
          absl::StrCat(budget.label, " ", *d, " has ", used, " of ", size[*d],
                       " hosts under change, budget ", BudgetText(budget.max));
    }
  }
  return out;
}

BudgetDecision AdmissibleNow(const Fleet& fleet, std::string_view rollout_id,
                             const DomainBudget& budget,
                             const std::map<std::string, RolloutHost>& hosts,
                             int wave) {
  std::vector<std::string> candidates;
  for (const auto& [id, h] : hosts) {
    if (h.wave == wave && h.state == HostState::kWaiting) {
      candidates.push_back(id);
    }
  }
  std::set<std::string> busy;
  if (!budget.label.empty()) {
    busy = HostsUnderChange(fleet, rollout_id);
    for (const auto& [id, h] : hosts) {
      if (IsUnderChange(h.state)) busy.insert(id);
    }
  }
  BudgetDecision d = CheckDomainBudget(budget, fleet.hosts, busy, candidates);
  if (d.waiting > 0) {
    d.reason = absl::StrCat("waiting: ", d.reason, "; ", d.waiting,
                            " host(s) of wave ", wave + 1,
                            " wait for the budget");
  }
  return d;
}

}  // namespace swell::controller
