#pragma once

#include <map>
#include <string>

#include "absl/time/time.h"
#include "agent/appliers/applier.h"

namespace swell::agent {

// Manages VARIABLE_KIND_PACKAGE variables: the value is the version dpkg
// reports installed ("1.22.1-9"), or absent when the package is not
// installed.
//
// Apply (present) runs, as journaled steps: "install" (apt-get install
// name=version, downgrades allowed, after apt-get update when the host's
// package lists do not have that version), "hold" (apt-mark hold, when the
// spec asks) and "restart:<unit>" (systemctl restart, for each restart
// unit).
// Before "install" it reads the installed version and skips apt-get when it
// is already the one asked for, so a resumed apply never installs twice.
// Apply (absent) runs "remove" (apt-get remove). Idempotent: a resumed apply
// skips finished steps and runs the interrupted one again (apt-get waits for
// the dpkg lock of an install left running). Stops between steps when
// superseded.
class PackageApplier final : public Applier {
 public:
  static constexpr absl::Duration kDefaultTimeout = absl::Minutes(10);

  explicit PackageApplier(std::map<std::string, std::string> command_env);

  absl::StatusOr<swell::v1::Value> ReadActual(
      const swell::v1::VariableSpec& spec) override;
  ApplyOutcome Apply(const swell::v1::VariableSpec& spec,
                     const swell::v1::Value& value, ApplyContext& ctx) override;

 private:
  std::map<std::string, std::string> command_env_;
};

}  // namespace swell::agent
