#pragma once

// Canned, realistic replies of RolloutService for swellctl's tests.

#include <cstdint>

#include "swell/v1/rollout.pb.h"

namespace swell::cli::testing {

// A fixed "now" every fixture's times are relative to.
inline constexpr int64_t kNowUnixMs = 1'700'000'000'000;

// r-0000002a "app-workers-8": running, wave 2 of 4 baking, 20 hosts, one
// failed host, two verdicts of one gate, a submit event.
v1::RolloutStatus RunningRollout();

// A preview of app-workers-8: 3 waves over two sites and two roles.
v1::PreviewResponse ThreeWavePreview();

// Two hosts: one connected web host in ams1 with an extra label, one
// silent db host.
v1::ListHostsResponse TwoHosts();

}  // namespace swell::cli::testing
