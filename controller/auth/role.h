#pragma once

// The roles of API tokens, ordered by privilege. The brakes need less
// privilege than the accelerators: an operator may halt, freeze and roll
// back but start nothing; a deployer may also submit, resume and unfreeze;
// an admin may also manage tokens and revoke hosts.

#include <optional>
#include "absl/strings/string_view.h"

namespace swell::controller {

enum class Role {
  kViewer = 1,  // reads only
  kOperator = 2,
  kDeployer = 3,
  kAdmin = 4,
};

// "viewer", "operator", "deployer", "admin".
absl::string_view RoleName(Role role);

// The role named `name` exactly as RoleName prints it; nullopt otherwise.
std::optional<Role> ParseRole(absl::string_view name);

// Whether a caller holding `held` may do what needs `needed`.
inline bool RoleAllows(Role held, Role needed) {
  return static_cast<int>(held) >= static_cast<int>(needed);
}

}  // namespace swell::controller
