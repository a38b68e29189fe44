#include "controller/service/agent_tracker.h"

#include <algorithm>
#include <functional>
#include <memory>

#include "common/value.h"

namespace swell::controller {
namespace {

// An agent's read error is one line for a person; keep no more of it.
constexpr size_t kMaxErrorBytes = 512;

}  // namespace

AgentTracker::Shard& AgentTracker::ShardFor(const std::string& host) const {
  return shards_[std::hash<std::string>{}(host) % kShards];
}

AgentRecord& AgentTracker::Change(Shard& s, const std::string& host) {
  AgentRecord& a = s.agents[host];
  a.changed = s.changes.Note(host, a.changed);
  return a;
}

AgentValues& AgentTracker::MutableValues(AgentRecord& a) {
  // Copies are made only under the shard's lock, so a count of one cannot
  // grow meanwhile: nobody else holds these values.
  if (a.values == nullptr) {
    a.values = std::make_shared<AgentValues>();
  } else if (a.values.use_count() > 1) {
    a.values = std::make_shared<AgentValues>(*a.values);
  }
  return const_cast<AgentValues&>(*a.values);
}

bool AgentTracker::SetActual(AgentRecord& a,
                             const swell::v1::ActualVariable& v) {
  static const AgentValues kNone;
  const AgentValues& now = a.values ? *a.values : kNone;
  // A value the agent could not read is not a value: forget the old one,
  // and keep why, for on-call to read.
  if (!v.error().empty()) {
    std::string error = v.error().substr(0, kMaxErrorBytes);
    auto it = now.actual_errors.find(v.name());
    if (!now.actual.contains(v.name()) && it != now.actual_errors.end() &&
        it->second == error) {
      return false;
    }
    AgentValues& values = MutableValues(a);
    values.actual.erase(v.name());
    values.actual_errors[v.name()] = std::move(error);
    return true;
  }
  auto it = now.actual.find(v.name());
  if (!now.actual_errors.contains(v.name()) && it != now.actual.end() &&
      common::SameValue(it->second, v.value())) {
    return false;
  }
  AgentValues& values = MutableValues(a);
  values.actual_errors.erase(v.name());
  values.actual[v.name()] = v.value();
  return true;
}

void AgentTracker::Connected(const swell::v1::Hello& hello, absl::Time now) {
  Shard& s = ShardFor(hello.host_id());
  std::lock_guard<std::mutex> lock(s.mu);
  AgentRecord& a = Change(s, hello.host_id());
  a.streams++;
  a.last_heard = now;
  for (const auto& v : hello.actual()) SetActual(a, v);
}

void AgentTracker::Disconnected(const std::string& host, absl::Time now) {
  Shard& s = ShardFor(host);
  std::lock_guard<std::mutex> lock(s.mu);
  AgentRecord& a = Change(s, host);
  a.streams = std::max(0, a.streams - 1);
  a.last_heard = now;
}

void AgentTracker::Heard(const std::string& host, absl::Time now) {
  Shard& s = ShardFor(host);
  std::lock_guard<std::mutex> lock(s.mu);
  Change(s, host).last_heard = now;
}

void AgentTracker::HeardHealth(const std::string& host, absl::Time now) {
  Shard& s = ShardFor(host);
  std::lock_guard<std::mutex> lock(s.mu);
  AgentRecord& a = Change(s, host);
  a.last_heard = now;
  a.last_health = now;
}

void AgentTracker::RecordApply(const std::string& host,
                               const swell::v1::ApplyResult& r,
                               absl::Time now) {
  Shard& s = ShardFor(host);
  std::lock_guard<std::mutex> lock(s.mu);
  AgentRecord& a = Change(s, host);
  a.last_heard = now;
  if (a.values != nullptr) {
    auto old = a.values->applies.find(r.variable());
    if (old != a.values->applies.end() &&
        r.generation() < old->second.generation) {
      return;  // late, older news
    }
  }
  AgentValues& values = MutableValues(a);
  values.applies[r.variable()] = AgentApply{
      r.generation(), r.ok(), r.actual(), r.message(), r.output_tail(), now};
  values.actual[r.variable()] = r.actual();
  values.actual_errors.erase(r.variable());
}

bool AgentTracker::RecordActual(const std::string& host,
                                const swell::v1::ActualReport& report,
                                absl::Time now) {
  Shard& s = ShardFor(host);
  std::lock_guard<std::mutex> lock(s.mu);
  AgentRecord& a = Change(s, host);
  a.last_heard = now;
  bool changed = false;
  for (const auto& v : report.actual()) changed |= SetActual(a, v);
  return changed;
}

void AgentTracker::CopyChanges(AgentSnapshot* into) const {
  into->set_started(started_);
  std::vector<uint64_t>& up_to = into->copied_up_to();
  up_to.resize(kShards, 0);
  for (size_t i = 0; i < kShards; ++i) {
    Shard& s = shards_[i];  // its change log is drained
    std::lock_guard<std::mutex> lock(s.mu);
    // No agent is ever removed, so every key drained has its record.
    s.changes.Drain(s.agents, &up_to[i],
                    [&](const std::string& host, const AgentRecord* a) {
                      if (a != nullptr) into->Put(host, *a);
                    });
  }
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
  return it == s.agents.end() ? std::nullopt : ActualIn(it->second, variable);
}

std::optional<AgentApply> AgentTracker::LastApply(
    const std::string& host, const std::string& variable) const {
  Shard& s = ShardFor(host);
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.agents.find(host);
  return it == s.agents.end() ? std::nullopt : ApplyIn(it->second, variable);
}

std::string AgentTracker::ActualError(const std::string& host,
                                      const std::string& variable) const {
  Shard& s = ShardFor(host);
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.agents.find(host);
  return it == s.agents.end() ? "" : ActualErrorIn(it->second, variable);
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
