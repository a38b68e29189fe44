#pragma once

#include <functional>

#include "absl/time/time.h"

namespace swell::agent {

// Exponential backoff with full jitter: the n-th delay is uniform in
// [0, min(max, initial * 2^n)], so that many agents losing the same
// controller do not come back in step. Not thread-safe.
class Backoff {
 public:
  // `uniform01` returns a number in [0, 1); tests pass a fixed one.
  Backoff(absl::Duration initial, absl::Duration max,
          std::function<double()> uniform01);
  Backoff(absl::Duration initial, absl::Duration max);  // random jitter

  absl::Duration Next();
  // After a success: the next delay starts from `initial` again.
  void Reset() { ceiling_ = initial_; }

 private:
  absl::Duration initial_;
  absl::Duration max_;
  absl::Duration ceiling_;
  std::function<double()> uniform01_;
};

}  // namespace swell::agent
