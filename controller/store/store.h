#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "controller/rollout/model.h"

namespace swell::controller {

// Durable storage of the controller's model. Two implementations:
// PostgresStore (production) and MemoryStore (unit tests); both pass the
// same conformance suite (tests/integration/store_conformance_test.cc).
//
// Errors: kUnavailable when the database cannot be reached (retry the call),
// kAborted when a transaction must be retried whole, kInvalidArgument when
// a value cannot be stored. A failed Commit changes nothing.
//
// Not thread-safe: each thread that needs the database owns its own Store.
class Store {
 public:
  virtual ~Store() = default;

  // Brings the schema to the newest version. Idempotent.
  [[nodiscard]] virtual absl::Status Migrate() = 0;

  // Reads the whole model.
  [[nodiscard]] virtual absl::StatusOr<FleetState> Load() = 0;

  // Writes every part of `m` in one transaction, or nothing.
  [[nodiscard]] virtual absl::Status Commit(const Mutation& m) = 0;

  // Verdicts of one rollout, oldest first.
  [[nodiscard]] virtual absl::StatusOr<std::vector<VerdictRecord>> Verdicts(
      std::string_view rollout_id) = 0;

  // Audit events, oldest first: those of one rollout, or with an empty id
  // every event. At most `limit` of the newest are returned.
  [[nodiscard]] virtual absl::StatusOr<std::vector<AuditEvent>> Audit(
      std::string_view rollout_id, int limit) = 0;
};

}  // namespace swell::controller
