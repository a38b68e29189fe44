#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "agent/collectors/command_check.h"
#include "agent/collectors/sample_source.h"
#include "swell/v1/types.pb.h"

namespace swell::agent {

// A sample source and how often it is collected.
struct ScheduledSource {
  std::shared_ptr<SampleSource> source;
  absl::Duration interval = absl::Seconds(5);
};

// Runs each check (and collects each source) every `interval` on one
// thread and hands the samples of those that were due together to `sink`
// as one batch. They run one after another, so a slow one delays the
// others but never overlaps itself. Each runs once right after Start(),
// and all of them at once after RunAllNow().
class CheckScheduler {
 public:
  using Sink = std::function<void(std::vector<swell::v1::Sample>)>;

  CheckScheduler(std::vector<CheckSpec> checks,
                 std::map<std::string, std::string> env, Sink sink,
                 std::vector<ScheduledSource> sources = {});
  ~CheckScheduler();  // stops

  void Start();
  // Asks for a round of every check and source as soon as the one running
  // (if any) ends, whatever their intervals; its batch goes to `sink` even
  // when empty, so that the controller learns that the host was measured.
  // Used right after a change was applied: the wave is then judged on
  // fresh evidence without waiting for the next interval. Thread-safe.
  void RunAllNow();
  // Cancels a running check command and joins the thread. Idempotent.
  void Stop();

 private:
  void Run();

  const std::vector<CheckSpec> checks_;
  const std::vector<ScheduledSource> sources_;
  const std::map<std::string, std::string> env_;
  const Sink sink_;
  std::atomic<bool> cancel_{false};
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool run_all_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace swell::agent
