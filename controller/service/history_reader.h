#pragma once

#include <mutex>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/rollout/model.h"
#include "controller/store/store.h"

namespace swell::controller {

// Verdicts and audit events for the read API, read on gRPC threads through
// a Store of their own: a Store is not thread-safe, and the reconciler's
// belongs to its thread. Calls are serialised. Thread-safe.
class HistoryReader {
 public:
  // `store` is owned by the caller and must outlive the reader; nothing
  // else may use it.
  explicit HistoryReader(Store* store) : store_(store) {}

  absl::StatusOr<std::vector<VerdictRecord>> Verdicts(
      std::string_view rollout_id) {
    std::lock_guard<std::mutex> lock(mu_);
    return store_->Verdicts(rollout_id);
  }
  absl::StatusOr<std::vector<AuditEvent>> Audit(std::string_view rollout_id,
                                                int limit) {
    std::lock_guard<std::mutex> lock(mu_);
    return store_->Audit(rollout_id, limit);
  }

 private:
  std::mutex mu_;
  Store* store_;
};

}  // namespace swell::controller
