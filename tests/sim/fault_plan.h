#pragma once

// Which simulated hosts misbehave, and how: drawn from a seed and the host
// id alone, so that every process of one fleet (--first, --hosts) and every
// run with the same seed pick the same hosts.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace swell::sim {

// The fraction of the fleet, each in [0, 1], that has each fault. Faults
// are drawn independently: a host may have several.
struct FaultFractions {
  double unhealthy_after_change = 0;  // health goes bad on a changed value
  double slow_apply = 0;              // applies take the slow delay
  double failing_apply = 0;           // every apply that changes fails
  double silent = 0;                  // connects, never reports health
  double flapping = 0;                // its connection drops periodically
  double crashing = 0;                // restarts periodically, losing state
};

// The faults of one host.
struct HostFaults {
  bool unhealthy_after_change = false;
  bool slow_apply = false;
  bool failing_apply = false;
  bool silent = false;
  bool flapping = false;
  bool crashing = false;

  bool any() const {
    return unhealthy_after_change || slow_apply || failing_apply || silent ||
           flapping || crashing;
  }
};

// A number in [0, 1) that depends only on (seed, host_id, salt), spread
// uniformly over hosts. Different salts give independent draws.
double HostUniform01(uint64_t seed, absl::string_view host_id,
                     absl::string_view salt);

// The faults of `host_id`: each fault is drawn with HostUniform01 (salted
// with the fault's name) below its fraction.
HostFaults FaultsFor(uint64_t seed, absl::string_view host_id,
                     const FaultFractions& fractions);

// Every fault by its name (the FaultFractions field's), in that order, and
// whether the host has it.
std::vector<std::pair<absl::string_view, bool>> FaultsByName(
    const HostFaults& faults);

// "unhealthy_after_change,silent" (the names of the faults set), or "none".
std::string DescribeFaults(const HostFaults& faults);

}  // namespace swell::sim
