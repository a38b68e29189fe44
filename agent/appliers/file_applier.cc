#include "agent/appliers/file_applier.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
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

// Whether getpwnam_r/getgrnam_r's `rc` means "no such name": POSIX says 0
// with no result, but some NSS modules return one of these instead.
bool NoSuchName(int rc) {
  return rc == 0 || rc == ENOENT || rc == ESRCH || rc == EBADF || rc == EPERM;
}

// Looks `name` up with getpwnam_r or getgrnam_r (`lookup`), growing the
// buffer on ERANGE. `what` is "user" or "group". A numeric name is the id
// itself. kNotFound "user 'x' does not exist" when the host has no such
// entry; kUnavailable when the lookup itself failed (NSS down, ...).
template <typename Entry, typename Id>
absl::StatusOr<Id> LookUpId(const std::string& name, absl::string_view what,
                            int (*lookup)(const char*, Entry*, char*, size_t,
                                          Entry**),
                            Id Entry::*id_field) {
  uint32_t id;
  if (absl::SimpleAtoi(name, &id)) return static_cast<Id>(id);
  constexpr size_t kMaxBuffer = 1 << 20;
  std::vector<char> buf(16384);
  Entry entry;
  Entry* found = nullptr;
  int rc = 0;
  for (;;) {
    rc = lookup(name.c_str(), &entry, buf.data(), buf.size(), &found);
    if (rc != ERANGE || buf.size() >= kMaxBuffer) break;
    buf.resize(buf.size() * 2);
  }
  if (found != nullptr) return found->*id_field;
  if (NoSuchName(rc)) {
    return absl::NotFoundError(
        absl::StrCat(what, " '", name, "' does not exist"));
  }
  return absl::UnavailableError(absl::StrCat("cannot look up ", what, " '",
                                             name, "': ", std::strerror(rc)));
}

// The ids a file spec's owner and group name; -1 (leave unchanged) for an
// empty one.
struct Ownership {
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
};

absl::StatusOr<Ownership> ResolveOwnership(const swell::v1::FileSpec& file) {
  Ownership out;
  if (!file.owner().empty()) {
    absl::StatusOr<uid_t> uid = LookUpId<passwd, uid_t>(
        file.owner(), "user", getpwnam_r, &passwd::pw_uid);
    if (!uid.ok()) return uid.status();
    out.uid = *uid;
  }
  if (!file.group().empty()) {
    absl::StatusOr<gid_t> gid = LookUpId<group, gid_t>(
        file.group(), "group", getgrnam_r, &group::gr_gid);
    if (!gid.ok()) return gid.status();
    out.gid = *gid;
  }
  return out;
}

// Changes the owner of `path` to `ids` when the agent runs as root (only
// root may give a file away) and the spec names an owner or group.
absl::Status Chown(const std::string& path, const Ownership& ids) {
  if (ids.uid == static_cast<uid_t>(-1) && ids.gid == static_cast<gid_t>(-1)) {
    return absl::OkStatus();
  }
  if (geteuid() != 0) return absl::OkStatus();
  if (chown(path.c_str(), ids.uid, ids.gid) != 0) {
    return absl::InternalError(
        absl::StrCat("chown ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace

FileApplier::FileApplier(std::string root,
                         std::map<std::string, std::string> command_env,
                         absl::Duration command_timeout)
    : root_(std::move(root)),
      command_env_(std::move(command_env)),
      command_timeout_(command_timeout) {}

absl::StatusOr<swell::v1::Value> FileApplier::ReadActual(
    const swell::v1::VariableSpec& spec) {
  absl::StatusOr<std::string> path =
      ResolveUnderRoot(root_, spec.file().path());
  if (!path.ok()) return path.status();
  struct stat st;
  if (lstat(path->c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return common::AbsentValue();
    return absl::InternalError(
        absl::StrCat("stat ", *path, ": ", std::strerror(errno)));
  }
  if (S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(*path, " is a directory"));
  }
  absl::StatusOr<std::string> data = ReadFileBounded(*path, kMaxFileBytes);
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
  absl::StatusOr<Ownership> ids = ResolveOwnership(file);
  if (!ids.ok()) return Failed(std::string(ids.status().message()));
  if (absl::Status s = MakeDirs(DirName(path)); !s.ok()) {
    return Failed(std::string(s.message()));
  }
  mode_t mode =
      file.mode() == 0 ? 0644 : static_cast<mode_t>(file.mode() & 07777);
  absl::StatusOr<std::string> temp = WriteTempFile(path, data, mode);
  if (!temp.ok()) return Failed(std::string(temp.status().message()));
  if (absl::Status s = Chown(*temp, *ids); !s.ok()) {
    unlink(temp->c_str());
    return Failed(std::string(s.message()));
  }
  if (!file.validate().empty()) {
    std::string transcript;
    ApplyOutcome validated =
        RunStep("validate", file.validate(), *temp, ctx, &transcript);
    if (!validated.ok) {
      unlink(temp->c_str());
      return validated;
    }
  }
  if (absl::Status s = CommitTempFile(*temp, path); !s.ok()) {
    return Failed(std::string(s.message()));
  }
  return AfterChange(file, path, absl::StrCat("wrote ", path), ctx);
}

ApplyOutcome FileApplier::Remove(const swell::v1::FileSpec& file,
                                 const std::string& path, ApplyContext& ctx) {
  if (unlink(path.c_str()) != 0) {
    if (errno != ENOENT) {
      return Failed(absl::StrCat("remove ", path, ": ", std::strerror(errno)));
    }
  } else if (absl::Status s = FsyncDir(DirName(path)); !s.ok()) {
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
        ctx.cancel, &transcript);
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
                     ctx.cancel, transcript);
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
