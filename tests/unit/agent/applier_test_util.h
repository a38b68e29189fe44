#pragma once

#include <stdlib.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/appliers/applier.h"
#include "tests/unit/agent/test_util.h"

namespace swell::agent::testing {

// Steps in memory, as the journal would keep them for one apply.
class MemoryStepLog final : public StepLog {
 public:
  std::optional<std::string> Done(absl::string_view step) const override {
    auto it = steps_.find(std::string(step));
    if (it == steps_.end()) return std::nullopt;
    return it->second;
  }
  absl::Status Record(absl::string_view step,
                      absl::string_view detail) override {
    steps_[std::string(step)] = std::string(detail);
    order_.push_back(std::string(step));
    return absl::OkStatus();
  }
  const std::vector<std::string>& order() const { return order_; }

 private:
  std::map<std::string, std::string> steps_;
  std::vector<std::string> order_;
};

// An ApplyContext over its own cancel flag and step log.
struct TestApplyContext {
  std::atomic<bool> cancel{false};
  MemoryStepLog steps;
  ApplyContext ctx;
  TestApplyContext() {
    ctx.cancel = &cancel;
    ctx.steps = &steps;
  }
};

// A simulated host for the stand-in executables of tests/standins: their
// state directory, and the environment that puts them first on PATH.
class StandinHost {
 public:
  explicit StandinHost(std::string state_dir) : state_(std::move(state_dir)) {
    std::filesystem::create_directories(state_);
  }

  static std::string StandinDir() {
    const char* src = std::getenv("SWELL_SOURCE_DIR");
    return absl::StrCat(src != nullptr ? src : SWELL_SOURCE_DIR_DEFAULT,
                        "/tests/standins");
  }

  // The environment commands of the applier run with.
  std::map<std::string, std::string> Env(const std::string& root) const {
    const char* path = std::getenv("PATH");
    return {{"PATH", absl::StrCat(StandinDir(), ":",
                                  path != nullptr ? path : "/usr/bin:/bin")},
            {"SWELL_STANDIN_STATE", state_},
            {"SWELL_ROOT", root}};
  }

  // Replaces the host's state (host.json, see tests/standins/standin.py).
  void SetState(const std::string& json) const {
    WriteFile(state_ + "/host.json", json);
  }
  std::string State() const { return ReadFileOrEmpty(state_ + "/host.json"); }

  // Every recorded call, in order.
  std::vector<std::string> Calls() const {
    return absl::StrSplit(ReadFileOrEmpty(state_ + "/calls.log"), '\n',
                          absl::SkipEmpty());
  }
  // The calls that change the host or verify it: not the read-only
  // queries (dpkg-query, apt-cache, docker ps, docker info).
  std::vector<std::string> Changes() const {
    std::vector<std::string> out;
    for (std::string& c : Calls()) {
      if (absl::StartsWith(c, "dpkg-query ") ||
          absl::StartsWith(c, "apt-cache ") ||
          absl::StartsWith(c, "docker ps ") ||
          absl::StartsWith(c, "docker info ")) {
        continue;
      }
      out.push_back(std::move(c));
    }
    return out;
  }

  // How many recorded calls start with `prefix`.
  int Count(absl::string_view prefix) const {
    int n = 0;
    for (const std::string& c : Calls()) n += absl::StartsWith(c, prefix);
    return n;
  }

  const std::string& dir() const { return state_; }

 private:
  std::string state_;
};

}  // namespace swell::agent::testing
