#pragma once

#include <memory>

#include "agent/appliers/applier.h"
#include "agent/guardrails.h"

namespace swell::agent {

// An Applier that reads and enacts only what the host's Guardrails accept,
// in front of the one that does the work. Every path to an applier (a
// pass, a resumed apply, the actual values sent in Hello) goes through it,
// so none can bypass the host's policy.
//
// A refused read returns CheckRead's kPermissionDenied without reading (a
// command variable's `current` does not run; a file's content is not read).
// A refused apply returns a failed outcome whose message is CheckApply's
// ("refused by host policy: ...") and touches nothing; the enforcer
// journals and reports it like any failed apply.
class GuardedApplier final : public Applier {
 public:
  GuardedApplier(std::shared_ptr<Applier> inner, Guardrails guardrails);

  absl::StatusOr<swell::v1::Value> ReadActual(
      const swell::v1::VariableSpec& spec) override;
  ApplyOutcome Apply(const swell::v1::VariableSpec& spec,
                     const swell::v1::Value& value, ApplyContext& ctx) override;

 private:
  const std::shared_ptr<Applier> inner_;
  const Guardrails guardrails_;
};

}  // namespace swell::agent
