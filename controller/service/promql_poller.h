#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "controller/gate/promql.h"

namespace swell::controller {

// Asks Prometheus servers the PromQL gates' queries, each every its
// gate's interval, on one thread of its own, and keeps the newest answer
// of each in `readings` for the reconciler. A query whose text changed (a
// new wave changes `{{hosts}}`) is asked at once. Queries run one after
// another, each bounded by kPromqlTimeout, so a slow server delays the
// others by at most that much.
class PromqlPoller {
 public:
  struct Stats {
    std::atomic<uint64_t> queries{0};
    std::atomic<uint64_t> failures{0};  // no answer, or an error answer
  };

  // Nothing is owned; both must outlive the poller.
  PromqlPoller(PromqlReadings* readings, const common::Clock* clock);
  ~PromqlPoller();  // stops

  void Start();
  // Cancels a query in flight and joins the thread. Idempotent.
  void Stop();

  // Replaces the set of queries to ask; readings of targets no longer
  // asked are forgotten. Thread-safe, never blocks on the network.
  void SetTargets(std::vector<PromqlTarget> targets);

  const Stats& stats() const { return stats_; }

 private:
  struct Scheduled {
    PromqlTarget target;
    absl::Time next = absl::InfinitePast();  // due at once
  };

  void Run();
  PromqlReading Ask(const PromqlTarget& target);

  PromqlReadings* readings_;
  const common::Clock* clock_;
  Stats stats_;
  std::atomic<bool> cancel_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Scheduled> targets_;  // by key; guarded by mu_
  bool stop_ = false;                         // guarded by mu_
  std::thread thread_;
};

// Asks `target.url`'s /api/v1/query for `target.query` (a form POST) and
// returns the reading, stamped with `clock`'s time when the answer came.
// Over https, the server's certificate is verified against
// `target.ca_file` (else the system's CAs) and its name against the URL's
// host; `target.bearer_token_file` is read at every call (a rotated token
// counts at once) and its content never appears in the reading or a log.
PromqlReading AskPrometheus(const PromqlTarget& target,
                            const common::Clock& clock,
                            const std::atomic<bool>* cancel = nullptr);

}  // namespace swell::controller
