#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Returns from the enclosing function when `expr` yields a non-OK status.
#define SWELL_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::absl::Status swell_status_ = (expr);         \
    if (!swell_status_.ok()) return swell_status_; \
  } while (0)

#define SWELL_CONCAT_INNER_(a, b) a##b
#define SWELL_CONCAT_(a, b) SWELL_CONCAT_INNER_(a, b)

// `SWELL_ASSIGN_OR_RETURN(auto x, Call());` binds the value of an OK
// StatusOr to `x`, and returns the status from the enclosing function
// otherwise.
#define SWELL_ASSIGN_OR_RETURN(lhs, expr) \
  SWELL_ASSIGN_OR_RETURN_IMPL_(SWELL_CONCAT_(swell_or_, __LINE__), lhs, expr)
#define SWELL_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
