#pragma once

#include <string_view>
#include <utility>

#include "absl/status/status.h"

namespace swell::controller {

// Maps the exception being handled (call only inside a catch block) to a
// status whose code tells the caller what to do:
//   lost or refused connection, commit outcome unknown -> kUnavailable;
//   serialization failure, deadlock                    -> kAborted;
//   bad data, violated constraint                      -> kInvalidArgument;
//   anything else                                      -> kInternal.
// The message starts with `what`.
absl::Status StatusFromCurrentException(std::string_view what);

// Runs `body` (returning absl::Status or absl::StatusOr<T>) and turns any
// exception it throws into a status. This is the one place where libpqxx
// exceptions stop.
template <typename Body>
auto CatchPqxx(std::string_view what, Body&& body) -> decltype(body()) {
  try {
    return std::forward<Body>(body)();
  } catch (...) {
    return StatusFromCurrentException(what);
  }
}

}  // namespace swell::controller
