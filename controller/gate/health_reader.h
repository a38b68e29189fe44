#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "absl/time/time.h"

namespace swell::controller {

// One health sample of one metric on one host.
struct HealthPoint {
  absl::Time at;  // when the controller received it
  bool ok = false;
  double value = 0;
};

// How gates read health: the live window (HealthWindow) or a tick's copy of
// what it needs (HealthSnapshot).
class HealthReader {
 public:
  virtual ~HealthReader() = default;
  // The newest sample of `metric` on `host` if it was received at or after
  // `since`, else nullopt.
  virtual std::optional<HealthPoint> Latest(std::string_view host,
                                            std::string_view metric,
                                            absl::Time since) const = 0;
  // Every sample of `metric` on `host` received at or after `since`,
  // oldest first.
  virtual std::vector<HealthPoint> Since(std::string_view host,
                                         std::string_view metric,
                                         absl::Time since) const = 0;
};

}  // namespace swell::controller
