#include "agent/appliers/file_applier.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "agent/appliers/step_command.h"
#include "agent/atomic_file.h"
#include "agent/root_path.h"
#include "common/value.h"

namespace swell::agent {
namespace {

ApplyOutcome Failed(std::string message, std::string output_tail = "") {
  return ApplyOutcome::Fail(std::move(message), std::move(output_tail));
}

// The ids a file spec's owner and group name; -1 (leave unchanged) for an
// empty one.
struct Ownership {
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
};

absl::StatusOr<Ownership> ResolveOwnership(Env* env,
                                           const swell::v1::FileSpec& file) {
  Ownership out;
  if (!file.owner().empty()) {
    absl::StatusOr<uid_t> uid = env->UserId(file.owner());
    if (!uid.ok()) return uid.status();
    out.uid = *uid;
  }
  if (!file.group().empty()) {
    absl::StatusOr<gid_t> gid = env->GroupId(file.group());
    if (!gid.ok()) return gid.status();
    out.gid = *gid;
  }
  return out;
}

// Changes the owner of `path` to `ids` when the agent runs as root (only
// root may give a file away) and the spec names an owner or group.
absl::Status Chown(Env* env, const std::string& path, const Ownership& ids) {
  if (ids.uid == static_cast<uid_t>(-1) && ids.gid == static_cast<gid_t>(-1)) {
    return absl::OkStatus();
  }
  if (!env->RunsAsRoot()) return absl::OkStatus();
  return env->Chown(path, ids.uid, ids.gid);
}

}  // namespace

FileApplier::FileApplier(std::string root,
                         std::map<std::string, std::string> command_env,
                         absl::Duration command_timeout, Env* env)
    : env_(env),
      root_(std::move(root)),
      command_env_(std::move(command_env)),
      command_timeout_(command_timeout) {}

absl::StatusOr<swell::v1::Value> FileApplier::ReadActual(
    const swell::v1::VariableSpec& spec) {
  absl::StatusOr<std::string> path =
      ResolveUnderRoot(root_, spec.file().path());
  if (!path.ok()) return path.status();
  absl::StatusOr<FileInfo> info = env_->Lstat(*path);
  if (absl::IsNotFound(info.status())) return common::AbsentValue();
  if (!info.ok()) return info.status();
  if (info->type == FileInfo::Type::kDirectory) {
    return absl::FailedPreconditionError(
        absl::StrCat(*path, " is a directory"));
  }
  absl::StatusOr<std::string> data = env_->ReadFile(*path, kMaxFileBytes);
  if (absl::IsNotFound(data.status())) return common::AbsentValue();
  if (!data.ok()) return data.status();
  return common::PresentValue(*data);
}

ApplyOutcome FileApplier::Apply(const swell::v1::VariableSpec& spec,
                                const swell::v1::Value& value,
                                ApplyContext& ctx) {
  absl::StatusOr<std::string> path =
      ResolveUnderRoot(root_, spec.file().path());
  if (!path.ok()) return Failed(std::string(path.status().message()));
  if (value.present()) {
    if (value.data().size() > kMaxFileBytes) {
      return Failed(absl::StrCat("content of ", value.data().size(),
                                 " bytes is over the ", kMaxFileBytes,
                                 "-byte limit"));
    }
    return WritePresent(spec.file(), *path, value.data(), ctx);
  }
  return Remove(spec.file(), *path, ctx);
}

ApplyOutcome FileApplier::WritePresent(const swell::v1::FileSpec& file,
                                       const std::string& path,
                                       const std::string& data,
                                       ApplyContext& ctx) {
  // Before anything is written: a name the host does not know fails the
  // apply with that name, and the live file stays as it was.
  absl::StatusOr<Ownership> ids = ResolveOwnership(env_, file);
  if (!ids.ok()) return Failed(std::string(ids.status().message()));
  if (absl::Status s = MakeDirs(env_, DirName(path)); !s.ok()) {
    return Failed(std::string(s.message()));
  }
  mode_t mode =
      file.mode() == 0 ? 0644 : static_cast<mode_t>(file.mode() & 07777);
  absl::StatusOr<std::string> temp = WriteTempFile(env_, path, data, mode);
  if (!temp.ok()) return Failed(std::string(temp.status().message()));
  if (absl::Status s = Chown(env_, *temp, *ids); !s.ok()) {
    env_->Unlink(*temp).IgnoreError();
    return Failed(std::string(s.message()));
  }
  if (!file.validate().empty()) {
    std::string transcript;
    ApplyOutcome validated =
        RunStep("validate", file.validate(), *temp, ctx, &transcript);
    if (!validated.ok) {
      env_->Unlink(*temp).IgnoreError();
      return validated;
    }
  }
  if (absl::Status s = CommitTempFile(env_, *temp, path); !s.ok()) {
    return Failed(std::string(s.message()));
  }
  return AfterChange(file, path, absl::StrCat("wrote ", path), ctx);
}

ApplyOutcome FileApplier::Remove(const swell::v1::FileSpec& file,
                                 const std::string& path, ApplyContext& ctx) {
  if (absl::Status s = env_->Unlink(path); s.ok()) {
    if (absl::Status synced = env_->SyncDir(DirName(path)); !synced.ok()) {
      return Failed(std::string(synced.message()));
    }
  } else if (!absl::IsNotFound(s)) {
    return Failed(std::string(s.message()));
  }
  return AfterChange(file, path, absl::StrCat("removed ", path), ctx);
}

ApplyOutcome FileApplier::AfterChange(const swell::v1::FileSpec& file,
                                      const std::string& path, std::string done,
                                      ApplyContext& ctx) {
  std::string transcript;
  if (!file.reload().empty()) {
    ApplyOutcome reloaded =
        RunStep("reload", file.reload(), path, ctx, &transcript);
    reloaded.cancelled = false;
    if (!reloaded.ok) return reloaded;
    absl::StrAppend(&done, ", reloaded");
  }
  for (const std::string& unit : file.restart_units()) {
    StepRun run = RunStepCommand(
        {{"systemctl", "restart", unit}, command_env_, command_timeout_, 4096},
        ctx.cancel, &transcript, env_);
    if (!run.ok) {
      return Failed(absl::StrCat("restart failed: ", run.message),
                    std::move(transcript));
    }
    absl::StrAppend(&done, ", restarted ", unit);
  }
  return ApplyOutcome::Ok(std::move(done), std::move(transcript));
}

ApplyOutcome FileApplier::RunStep(absl::string_view what,
                                  const std::string& command_line,
                                  const std::string& subject, ApplyContext& ctx,
                                  std::string* transcript) {
  absl::StatusOr<std::vector<std::string>> argv =
      PlanCommandArgv(command_line, subject, /*shell=*/false);
  if (!argv.ok()) {
    return Failed(
        absl::StrCat(what, " command is malformed: ", argv.status().message()));
  }
  StepRun run =
      RunStepCommand({*std::move(argv), command_env_, command_timeout_, 4096},
                     ctx.cancel, transcript, env_);
  if (run.ok) return ApplyOutcome::Ok(absl::StrCat(what, " ok"), *transcript);
  if (!run.started) {
    return Failed(absl::StrCat(what, " could not run: ", run.status),
                  *transcript);
  }
  // "validate failed: exit 1 in 3ms: <last line of its output>"
  std::string message = absl::StrCat(what, " failed: ", run.status);
  if (std::string last = LastLine(run.output); !last.empty()) {
    absl::StrAppend(&message, ": ", last);
  }
  ApplyOutcome out = Failed(std::move(message), *transcript);
  out.cancelled = run.cancelled;
  return out;
}

}  // namespace swell::agent
