#pragma once

#include "controller/rollout/model.h"
#include "pqxx/transaction_base"

namespace swell::controller {

// Writes every part of `m` within `tx`, a few statements per table whatever
// the number of rows: keyed parts are upserted (a later entry with the same
// key wins), desired_removed is applied after desired, verdicts and audit
// events are appended in order. `m` must have passed CheckTransmittable.
// Throws libpqxx exceptions.
void WriteMutation(pqxx::transaction_base& tx, const Mutation& m);

}  // namespace swell::controller
