#pragma once

// What the simulator writes for people and programs: a progress line, a
// status file (JSON) and the record of arrivals (CSV).

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "tests/sim/simulated_fleet.h"

namespace swell::sim {

// One line for stderr: what is connected, and the rates since `before`,
// `elapsed` ago.
std::string ProgressLine(const FleetSnapshot& now, const FleetSnapshot& before,
                         absl::Duration elapsed);

// The snapshot as one JSON object: every FleetSnapshot field by its name
// (faulty as an object of fault name to hosts), plus health_per_second
// since `before`.
std::string StatusJson(const FleetSnapshot& now, const FleetSnapshot& before,
                       absl::Duration elapsed);

// The header "host,generation,arrival_unix_ms,enforced", then one line per
// row; enforced is none, start or changed (EnforcedValuesName).
std::string ArrivalsCsv(const std::vector<ArrivalRow>& rows);

}  // namespace swell::sim
