#pragma once

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace swell::common {

// The source of "now" for every decision. Production code uses RealClock;
// unit tests use a FakeClock (tests/fakes/fake_clock.h) so that no test
// depends on wall time. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

class RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  static RealClock& Get() {
    static RealClock clock;
    return clock;
  }
};

}  // namespace swell::common
