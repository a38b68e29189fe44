#pragma once

// The grammar of a threshold gate's `check` expression:
//
//   check  := AGG "(" METRIC ")" OP NUMBER
//           | "fraction" "(" METRIC OP NUMBER ")" OP FRACTION
//           | "failed_hosts" OP NUMBER ["%"]
//   AGG    := min | max | mean | p50 | p95 | p99
//   METRIC := [a-zA-Z_:][a-zA-Z0-9_:]*
//   OP     := < | <= | > | >= | == | !=
//   FRACTION := a NUMBER from 0 to 1, or a NUMBER from 0 to 100 and "%"
//
// Spaces are allowed between tokens. NUMBER is a finite decimal number. A
// failed_hosts percentage is from 0 to 100.

#include <string_view>

#include "absl/status/status.h"
#include "controller/plan/plan.h"

namespace swell::controller {

// Parses `check` into gate->kind, aggregate, metric, op, threshold and, for
// the fraction and percentage forms, host_op, host_threshold and
// threshold_percent; on success also sets gate->check. Returns
// kInvalidArgument, whose message says what was expected, when `check` does
// not fit the grammar; `gate` is then unspecified.
[[nodiscard]] absl::Status ParseGateCheck(std::string_view check,
                                          GateSpec* gate);

}  // namespace swell::controller
