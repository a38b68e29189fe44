#include "controller/rollout/agent_snapshot.h"

#include <algorithm>

namespace swell::controller {

std::optional<swell::v1::Value> ActualIn(const AgentRecord& a,
                                         const std::string& variable) {
  if (a.values == nullptr) return std::nullopt;
  auto v = a.values->actual.find(variable);
  if (v == a.values->actual.end()) return std::nullopt;
  return v->second;
}

std::optional<AgentApply> ApplyIn(const AgentRecord& a,
                                  const std::string& variable) {
  if (a.values == nullptr) return std::nullopt;
  auto v = a.values->applies.find(variable);
  if (v == a.values->applies.end()) return std::nullopt;
  return v->second;
}

std::string ActualErrorIn(const AgentRecord& a, const std::string& variable) {
  if (a.values == nullptr) return "";
  auto e = a.values->actual_errors.find(variable);
  return e == a.values->actual_errors.end() ? "" : e->second;
}

void AgentSnapshot::Put(const std::string& host, AgentRecord record) {
  agents_[host] = std::move(record);
}

const AgentRecord* AgentSnapshot::Find(const std::string& host) const {
  auto it = agents_.find(host);
  return it == agents_.end() ? nullptr : &it->second;
}

bool AgentSnapshot::Connected(const std::string& host) const {
  const AgentRecord* a = Find(host);
  return a != nullptr && a->streams > 0;
}

absl::Time AgentSnapshot::LastHeard(const std::string& host) const {
  const AgentRecord* a = Find(host);
  return a == nullptr ? started_ : std::max(a->last_heard, started_);
}

std::optional<swell::v1::Value> AgentSnapshot::Actual(
    const std::string& host, const std::string& variable) const {
  const AgentRecord* a = Find(host);
  return a == nullptr ? std::nullopt : ActualIn(*a, variable);
}

std::optional<AgentApply> AgentSnapshot::LastApply(
    const std::string& host, const std::string& variable) const {
  const AgentRecord* a = Find(host);
  return a == nullptr ? std::nullopt : ApplyIn(*a, variable);
}

std::string AgentSnapshot::ActualError(const std::string& host,
                                       const std::string& variable) const {
  const AgentRecord* a = Find(host);
  return a == nullptr ? "" : ActualErrorIn(*a, variable);
}

absl::Time AgentSnapshot::LastHealth(const std::string& host) const {
  const AgentRecord* a = Find(host);
  return a == nullptr ? absl::InfinitePast() : a->last_health;
}

void AgentSnapshot::CopyChanges(AgentSnapshot* into) const {
  into->set_started(started_);
  for (const auto& [host, record] : agents_) into->Put(host, record);
}

}  // namespace swell::controller
