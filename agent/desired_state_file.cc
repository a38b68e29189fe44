#include "agent/desired_state_file.h"

#include "absl/strings/str_cat.h"
#include "agent/atomic_file.h"

namespace swell::agent {
namespace {
constexpr size_t kMaxStateBytes = 64 << 20;
}  // namespace

absl::Status SaveDesiredState(const std::string& path,
                              const swell::v1::DesiredState& state, Env* env) {
  std::string bytes;
  if (!state.SerializeToString(&bytes)) {
    return absl::InternalError("cannot serialize the desired state");
  }
  return WriteFileAtomically(env, path, bytes, 0600);
}

absl::StatusOr<swell::v1::DesiredState> LoadDesiredState(
    const std::string& path, Env* env) {
  absl::StatusOr<std::string> bytes = env->ReadFile(path, kMaxStateBytes);
  if (!bytes.ok()) return bytes.status();
  swell::v1::DesiredState state;
  if (!state.ParseFromString(*bytes)) {
    return absl::DataLossError(
        absl::StrCat(path, " is not a valid desired state"));
  }
  return state;
}

}  // namespace swell::agent
