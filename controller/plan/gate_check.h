#pragma once

// The grammar of a gate's `check` expression:
//
//   check  := AGG "(" METRIC ")" OP NUMBER | "failed_hosts" OP NUMBER
//   AGG    := min | max | mean | p50 | p95 | p99
//   METRIC := [a-zA-Z_:][a-zA-Z0-9_:]*
//   OP     := < | <= | > | >= | == | !=
//
// Spaces are allowed between tokens. NUMBER is a finite decimal number.

#include <string_view>

#include "absl/status/status.h"
#include "controller/plan/plan.h"

namespace swell::controller {

// Parses `check` into gate->kind, aggregate, metric, op and threshold; on
// success also sets gate->check. Returns kInvalidArgument, whose message
// says what was expected, when `check` does not fit the grammar; `gate` is
// then unspecified.
[[nodiscard]] absl::Status ParseGateCheck(std::string_view check,
                                          GateSpec* gate);

}  // namespace swell::controller
