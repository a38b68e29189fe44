#pragma once

// Readers of the kind-specific fields of a plan's `change` section, for the
// kinds other than file. Internal to the plan parser; docs/change-kinds.md
// describes them for users.

#include <span>
#include <string_view>

#include "controller/plan/plan_reader.h"
#include "swell/v1/types.pb.h"

namespace swell::controller::plan_internal {

// Every field `change` may have for `kind` (variable and kind included);
// for VARIABLE_KIND_UNSPECIFIED, the fields of every kind.
std::span<const std::string_view> ChangeFieldsFor(swell::v1::VariableKind kind);

// `restart`: a systemd unit name or a list of them.
void ReadRestartUnits(PlanReader& r, const Fields& f,
                      google::protobuf::RepeatedPtrField<std::string>* units);

// kind: package — package, version or absent, hold, restart, timeout.
void ReadPackageChange(PlanReader& r, const Fields& f, Plan* plan);
// kind: docker — package, companion_packages, service, version or absent,
// hold, timeout, verify_timeout.
void ReadDockerChange(PlanReader& r, const Fields& f, Plan* plan);
// kind: command — apply, verify, revert, current, shell, timeout, value.
void ReadCommandChange(PlanReader& r, const Fields& f, Plan* plan);

}  // namespace swell::controller::plan_internal
