#pragma once

#include "controller/rollout/model.h"
#include "pqxx/transaction_base"

namespace swell::controller {

// Writes every part of `m` within `tx` as mutation.h defines, a few
// statements per table whatever the number of rows (only the last upsert of
// each key is sent). `m` must have passed CheckTransmittable. Throws libpqxx
// exceptions.
void WriteMutation(pqxx::transaction_base& tx, const Mutation& m);

}  // namespace swell::controller
