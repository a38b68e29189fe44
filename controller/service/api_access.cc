#include "controller/service/api_access.h"

#include "absl/strings/str_cat.h"

namespace swell::controller {
namespace {

constexpr size_t kMaxClaimedActorBytes = 128;

absl::string_view Article(Role role) {
  return role == Role::kAdmin || role == Role::kOperator ? "an" : "a";
}

std::optional<absl::string_view> Authorization(
    const grpc::ServerContextBase& ctx) {
  const auto& metadata = ctx.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) return std::nullopt;
  return absl::string_view(it->second.data(), it->second.size());
}

}  // namespace

const std::vector<MethodAccess>& RolloutMethodAccess() {
  static const auto* table = new std::vector<MethodAccess>{
      // Reads.
      {"Preview", Role::kViewer, "preview"},
      {"ListRollouts", Role::kViewer, "list"},
      {"GetRollout", Role::kViewer, "status"},
      {"GetFreeze", Role::kViewer, "freeze-status"},
      {"ListHosts", Role::kViewer, "hosts"},
      // The brakes.
      {"Halt", Role::kOperator, "halt"},
      {"Freeze", Role::kOperator, "halt --all"},
      {"Rollback", Role::kOperator, "rollback"},
      // The accelerators.
      {"Submit", Role::kDeployer, "submit"},
      {"Resume", Role::kDeployer, "resume"},
      {"Unfreeze", Role::kDeployer, "unfreeze"},
      {"RetireHost", Role::kDeployer, "hosts retire"},
      // Identity.
      {"CreateToken", Role::kAdmin, "token create"},
      {"ListTokens", Role::kAdmin, "token list"},
      {"RevokeToken", Role::kAdmin, "token revoke"},
      {"RevokeHost", Role::kAdmin, "hosts revoke"},
      {"UnrevokeHost", Role::kAdmin, "hosts unrevoke"},
  };
  return *table;
}

const MethodAccess* FindMethodAccess(absl::string_view method) {
  for (const MethodAccess& m : RolloutMethodAccess()) {
    if (m.method == method) return &m;
  }
  return nullptr;
}

absl::StatusOr<ApiCaller> AuthorizeCall(Authenticator* authenticator,
                                        const grpc::ServerContextBase& ctx,
                                        absl::string_view method,
                                        absl::string_view claimed_actor) {
  const MethodAccess* access = FindMethodAccess(method);
  if (access == nullptr) {
    return absl::InternalError(
        absl::StrCat(method, " has no entry in the API's access table"));
  }
  if (authenticator == nullptr) {
    absl::string_view claim = claimed_actor.empty() ? "unknown" : claimed_actor;
    return ApiCaller{absl::StrCat("unauthenticated:",
                                  claim.substr(0, kMaxClaimedActorBytes)),
                     std::nullopt};
  }
  absl::StatusOr<TokenHolder> holder =
      authenticator->Authenticate(Authorization(ctx));
  if (!holder.ok()) return holder.status();
  if (!RoleAllows(holder->role, access->needed)) {
    return absl::PermissionDeniedError(
        absl::StrCat(access->action, " needs the ", RoleName(access->needed),
                     " role; your token '", holder->name, "' is ",
                     Article(holder->role), " ", RoleName(holder->role)));
  }
  return ApiCaller{holder->name, holder->role};
}

}  // namespace swell::controller
