#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

#include "common/duration_histogram.h"
#include "controller/gate/gate_evaluator.h"

namespace swell::controller {

// Gate verdicts the reconciler stored (VerdictRecord), by result and by
// whether the gate was a dry run. A verdict is stored when it decides
// something: a failure that acts (enough consecutive breaches), a dry-run
// gate's failure, or every gate's verdict at the end of a bake; each once
// per wave, gate and result. Thread-safe; Add never allocates.
class GateVerdictCounts {
 public:
  static constexpr GateResult kResults[] = {
      GateResult::kPass, GateResult::kFail, GateResult::kInconclusive};

  // `result` is a VerdictRecord's verdict, made by GateResultName.
  void Add(std::string_view result, bool dry_run) {
    for (GateResult r : kResults) {
      if (result == GateResultName(r)) {
        counts_[Index(r, dry_run)].fetch_add(1, std::memory_order_relaxed);
        return;
      }
    }
  }
  uint64_t Get(GateResult r, bool dry_run) const {
    return counts_[Index(r, dry_run)].load(std::memory_order_relaxed);
  }

 private:
  static size_t Index(GateResult r, bool dry_run) {
    return static_cast<size_t>(r) * 2 + (dry_run ? 1 : 0);
  }
  std::array<std::atomic<uint64_t>, 6> counts_{};
};

// What the reconciler's own thread counts and times, for /metrics. Written
// only by that thread with atomics (no lock, no allocation); read by any.
struct ReconcilerStats {
  std::atomic<uint64_t> ticks{0};
  std::atomic<uint64_t> commits{0};
  std::atomic<uint64_t> commit_failures{0};
  // Loads of the model the store failed (the database away, or refusing).
  std::atomic<uint64_t> load_failures{0};
  std::atomic<uint64_t> pushes{0};
  std::atomic<int64_t> active_rollouts{0};
  std::atomic<bool> frozen{false};
  // 0 while the database answers; else when it stopped (Unix ms).
  std::atomic<int64_t> database_down_since_ms{0};
  // Until when a silent agent may still be coming back after the last load
  // (StepContext::agents_back_by), in Unix ms.
  std::atomic<int64_t> agents_back_by_ms{0};
  // A whole tick: inbox, decisions, commit and pushes.
  common::DurationHistogram tick_duration;
  // The store's Commit of one tick's decisions, failed ones included.
  common::DurationHistogram commit_duration;
  GateVerdictCounts gate_verdicts;
};

}  // namespace swell::controller
