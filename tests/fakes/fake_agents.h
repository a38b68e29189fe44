#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>

#include "controller/rollout/agent_observations.h"

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
};

}  // namespace swell::testing
