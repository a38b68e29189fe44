#pragma once

// swell-fleet-sim's command line: its flags (defined in sim_settings.cc)
// and what they make of a fleet.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/sim/host_certificates.h"
#include "tests/sim/simulated_fleet.h"

namespace swell::sim {

struct SimSettings {
  FleetOptions fleet;  // without credentials
  bool insecure = false;
  CaFiles ca;               // issues each host's certificate
  std::string tls_ca;       // verifies the controller; empty: ca.cert
  std::string record;       // arrivals CSV; empty: none
  std::string status_file;  // status JSON; empty: none
  absl::Duration report_interval = absl::Seconds(1);
  absl::Duration duration = absl::ZeroDuration();  // zero: until a signal
  std::string log_level = "error";
};

// Parses `args` (flag names already normalised, argv[0] first): the
// repeatable flags are collected from them, the rest parsed by Abseil.
// kInvalidArgument naming the flag and what it expects; Abseil itself
// exits 1 on an unknown flag or a malformed value.
absl::StatusOr<SimSettings> ParseSimFlags(std::vector<std::string> args);

}  // namespace swell::sim
