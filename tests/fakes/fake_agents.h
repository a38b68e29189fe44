#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include "controller/rollout/agent_observations.h"
#include "controller/rollout/agent_snapshot.h"

namespace swell::testing {

// What agents "said", set directly by a test.
class FakeAgents final : public controller::AgentObservations {
 public:
  std::set<std::string> connected;
  std::map<std::string, absl::Time> last_heard;
  std::map<std::pair<std::string, std::string>, swell::v1::Value> actual;
  std::map<std::pair<std::string, std::string>, controller::AgentApply> applies;
  std::map<std::pair<std::string, std::string>, std::string> actual_errors;
  std::map<std::string, absl::Time> last_health;
  absl::Time started = absl::InfinitePast();

  bool Connected(const std::string& host) const override {
    return connected.count(host) > 0;
  }
  absl::Time LastHeard(const std::string& host) const override {
    auto it = last_heard.find(host);
    return it == last_heard.end() ? started : it->second;
  }
  std::optional<swell::v1::Value> Actual(
      const std::string& host, const std::string& var) const override {
    auto it = actual.find({host, var});
    if (it == actual.end()) return std::nullopt;
    return it->second;
  }
  std::optional<controller::AgentApply> LastApply(
      const std::string& host, const std::string& var) const override {
    auto it = applies.find({host, var});
    if (it == applies.end()) return std::nullopt;
    return it->second;
  }
  std::string ActualError(const std::string& host,
                          const std::string& var) const override {
    auto it = actual_errors.find({host, var});
    return it == actual_errors.end() ? "" : it->second;
  }
  absl::Time LastHealth(const std::string& host) const override {
    auto it = last_health.find(host);
    return it == last_health.end() ? absl::InfinitePast() : it->second;
  }
  // Copies every host the fake knows of, each time.
  void CopyChanges(controller::AgentSnapshot* into) const override {
    into->set_started(started);
    std::map<std::string, controller::AgentRecord> records;
    std::map<std::string, controller::AgentValues> values;
    for (const auto& host : connected) records[host].streams = 1;
    for (const auto& [host, at] : last_heard) records[host].last_heard = at;
    for (const auto& [host, at] : last_health) records[host].last_health = at;
    for (const auto& [key, v] : actual)
      values[key.first].actual[key.second] = v;
    for (const auto& [key, a] : applies) {
      values[key.first].applies[key.second] = a;
    }
    for (const auto& [key, e] : actual_errors) {
      values[key.first].actual_errors[key.second] = e;
    }
    for (auto& [host, v] : values) {
      records[host].values =
          std::make_shared<controller::AgentValues>(std::move(v));
    }
    for (auto& [host, r] : records) into->Put(host, std::move(r));
  }
};

}  // namespace swell::testing
