#include "controller/service/agent_tracker.h"

#include <algorithm>
#include <functional>

#include "common/value.h"

namespace swell::controller {
namespace {

// An agent's read error is one line for a person; keep no more of it.
constexpr size_t kMaxErrorBytes = 512;

}  // namespace

AgentTracker::Shard& AgentTracker::ShardFor(const std::string& host) const {
  return shards_[std::hash<std::string>{}(host) % kShards];
}

bool AgentTracker::SetActual(Agent& a, const swell::v1::ActualVariable& v) {
  // A value the agent could not read is not a value: forget the old one,
  // and keep why, for on-call to read.
  if (!v.error().empty()) {
    std::string error = v.error().substr(0, kMaxErrorBytes);
    bool changed = a.actual.erase(v.name()) > 0;
    auto it = a.actual_errors.find(v.name());
    changed |= it == a.actual_errors.end() || it->second != error;
    a.actual_errors[v.name()] = std::move(error);
    return changed;
  }
  bool changed = a.actual_errors.erase(v.name()) > 0;
  auto it = a.actual.find(v.name());
  if (it == a.actual.end()) {
    a.actual.emplace(v.name(), v.value());
    return true;
  }
  if (common::SameValue(it->second, v.value())) return changed;
  it->second = v.value();
  return true;
}

void AgentTracker::Connected(const swell::v1::Hello& hello, absl::Time now) {
  Shard& s = ShardFor(hello.host_id());
  std::lock_guard<std::mutex> lock(s.mu);
  Agent& a = s.agents[hello.host_id()];
  a.streams++;
  a.last_heard = now;
  for (const auto& v : hello.actual()) SetActual(a, v);
}

void AgentTracker::Disconnected(const std::string& host, absl::Time now) {
  Shard& s = ShardFor(host);
  std::lock_guard<std::mutex> lock(s.mu);
  Agent& a = s.agents[host];
  a.streams = std::max(0, a.streams - 1);
  a.last_heard = now;
}

void AgentTracker::Heard(const std::string& host, absl::Time now) {
  Shard& s = ShardFor(host);
  std::lock_guard<std::mutex> lock(s.mu);
  s.agents[host].last_heard = now;
}

void AgentTracker::HeardHealth(const std::string& host, absl::Time now) {
  Shard& s = ShardFor(host);
  std::lock_guard<std::mutex> lock(s.mu);
  Agent& a = s.agents[host];
  a.last_heard = now;
  a.last_health = now;
}

void AgentTracker::RecordApply(const std::string& host,
                               const swell::v1::ApplyResult& r,
                               absl::Time now) {
  Shard& s = ShardFor(host);
  std::lock_guard<std::mutex> lock(s.mu);
  Agent& a = s.agents[host];
  a.last_heard = now;
  AgentApply& apply = a.applies[r.variable()];
  if (r.generation() < apply.generation) return;  // late, older news
  apply = AgentApply{r.generation(), r.ok(),          r.actual(),
                     r.message(),    r.output_tail(), now};
  a.actual[r.variable()] = r.actual();
  a.actual_errors.erase(r.variable());
}

bool AgentTracker::RecordActual(const std::string& host,
                                const swell::v1::ActualReport& report,
                                absl::Time now) {
  Shard& s = ShardFor(host);
  std::lock_guard<std::mutex> lock(s.mu);
  Agent& a = s.agents[host];
  a.last_heard = now;
  bool changed = false;
  for (const auto& v : report.actual()) changed |= SetActual(a, v);
  return changed;
}

bool AgentTracker::Connected(const std::string& host) const {
  Shard& s = ShardFor(host);
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.agents.find(host);
  return it != s.agents.end() && it->second.streams > 0;
}

absl::Time AgentTracker::LastHeard(const std::string& host) const {
  Shard& s = ShardFor(host);
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.agents.find(host);
  if (it == s.agents.end()) return started_;
  return std::max(it->second.last_heard, started_);
}

std::optional<swell::v1::Value> AgentTracker::Actual(
    const std::string& host, const std::string& variable) const {
  Shard& s = ShardFor(host);
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.agents.find(host);
  if (it == s.agents.end()) return std::nullopt;
  auto v = it->second.actual.find(variable);
  if (v == it->second.actual.end()) return std::nullopt;
  return v->second;
}

std::optional<AgentApply> AgentTracker::LastApply(
    const std::string& host, const std::string& variable) const {
  Shard& s = ShardFor(host);
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.agents.find(host);
  if (it == s.agents.end()) return std::nullopt;
  auto v = it->second.applies.find(variable);
  if (v == it->second.applies.end()) return std::nullopt;
  return v->second;
}

std::string AgentTracker::ActualError(const std::string& host,
                                      const std::string& variable) const {
  Shard& s = ShardFor(host);
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.agents.find(host);
  if (it == s.agents.end()) return "";
  auto e = it->second.actual_errors.find(variable);
  return e == it->second.actual_errors.end() ? "" : e->second;
}

absl::Time AgentTracker::LastHealth(const std::string& host) const {
  Shard& s = ShardFor(host);
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.agents.find(host);
  return it == s.agents.end() ? absl::InfinitePast() : it->second.last_health;
}

int AgentTracker::ConnectedCount() const {
  int n = 0;
  for (const Shard& s : shards_) {
    std::lock_guard<std::mutex> lock(s.mu);
    for (const auto& [id, a] : s.agents) n += a.streams > 0 ? 1 : 0;
  }
  return n;
}

}  // namespace swell::controller
