#pragma once

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/rollout/model.h"
#include "pqxx/transaction_base"

namespace swell::controller {

// Readers of the stored model. Each returns kDataLoss when a row cannot be
// decoded (an unknown state name, an unparsable spec), and throws libpqxx
// exceptions on database errors. Read the whole model from one snapshot
// (a repeatable-read transaction) to see one consistent state.
absl::StatusOr<FleetState> ReadFleet(pqxx::transaction_base& tx);

// `rollout_id` and the arguments of ReadAudit must be free of NUL bytes.
absl::StatusOr<std::vector<VerdictRecord>> ReadVerdicts(
    pqxx::transaction_base& tx, std::string_view rollout_id);
absl::StatusOr<std::vector<AuditEvent>> ReadAudit(pqxx::transaction_base& tx,
                                                  std::string_view rollout_id,
                                                  int limit);

}  // namespace swell::controller
