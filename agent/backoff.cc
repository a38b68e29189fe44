#include "agent/backoff.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/random/random.h"

namespace swell::agent {

Backoff::Backoff(absl::Duration initial, absl::Duration max,
                 std::function<double()> uniform01)
    : initial_(initial),
      max_(std::max(initial, max)),
      ceiling_(initial),
      uniform01_(std::move(uniform01)) {}

Backoff::Backoff(absl::Duration initial, absl::Duration max)
    : Backoff(initial, max, [gen = std::make_shared<absl::BitGen>()] {
        return absl::Uniform(*gen, 0.0, 1.0);
      }) {}

absl::Duration Backoff::Next() {
  absl::Duration delay = ceiling_ * uniform01_();
  ceiling_ = std::min(max_, ceiling_ * 2);
  return delay;
}

}  // namespace swell::agent
