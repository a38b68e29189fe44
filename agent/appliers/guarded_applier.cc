#include "agent/appliers/guarded_applier.h"

#include <string>
#include <utility>

namespace swell::agent {

GuardedApplier::GuardedApplier(std::shared_ptr<Applier> inner,
                               Guardrails guardrails)
    : inner_(std::move(inner)), guardrails_(std::move(guardrails)) {}

absl::StatusOr<swell::v1::Value> GuardedApplier::ReadActual(
    const swell::v1::VariableSpec& spec) {
  if (absl::Status s = CheckRead(guardrails_, spec); !s.ok()) return s;
  return inner_->ReadActual(spec);
}

ApplyOutcome GuardedApplier::Apply(const swell::v1::VariableSpec& spec,
                                   const swell::v1::Value& value,
                                   ApplyContext& ctx) {
  if (absl::Status s = CheckApply(guardrails_, spec); !s.ok()) {
    return ApplyOutcome::Fail(std::string(s.message()));
  }
  return inner_->Apply(spec, value, ctx);
}

}  // namespace swell::agent
