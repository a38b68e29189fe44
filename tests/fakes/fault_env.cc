#include "tests/fakes/fault_env.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace swell::testing {
namespace {

// The verb the real env words an error of `op` with.
absl::string_view Verb(FaultEnv::Op op) {
  switch (op) {
    case FaultEnv::Op::kRead:
      return "read";
    case FaultEnv::Op::kCreate:
      return "create";
    case FaultEnv::Op::kWrite:
      return "write";
    case FaultEnv::Op::kSync:
    case FaultEnv::Op::kSyncDir:
      return "fsync";
    case FaultEnv::Op::kClose:
      return "close";
    case FaultEnv::Op::kTruncate:
      return "truncate";
    case FaultEnv::Op::kRename:
      return "rename to";
    case FaultEnv::Op::kUnlink:
      return "remove";
    case FaultEnv::Op::kMakeDir:
      return "mkdir";
    case FaultEnv::Op::kStat:
      return "stat";
    case FaultEnv::Op::kChmod:
      return "chmod";
    case FaultEnv::Op::kChown:
      return "chown";
    case FaultEnv::Op::kRunCommand:
      return "run";
  }
  return "call";
}

bool Matches(FaultEnv::Op op, const std::string& path_contains, FaultEnv::Op o,
             const std::vector<std::string>& paths) {
  if (op != o) return false;
  return std::any_of(paths.begin(), paths.end(), [&](const std::string& p) {
    return absl::StrContains(p, path_contains);
  });
}

}  // namespace

// A WritableFile of the base env whose every call is admitted first.
class FaultEnv::File final : public agent::WritableFile {
 public:
  File(FaultEnv* env, std::string path,
       std::unique_ptr<agent::WritableFile> base)
      : env_(env), path_(std::move(path)), base_(std::move(base)) {}

  absl::Status Append(absl::string_view data) override {
    if (absl::Status s = env_->Admit(Op::kWrite, {path_}); !s.ok()) return s;
    env_->WillAppend(path_);
    return base_->Append(data);
  }
  absl::Status Sync() override {
    if (absl::Status s = env_->Admit(Op::kSync, {path_}); !s.ok()) return s;
    absl::Status s = base_->Sync();
    if (s.ok()) env_->Synced(path_);
    return s;
  }
  absl::Status Close() override {
    if (absl::Status s = env_->Admit(Op::kClose, {path_}); !s.ok()) return s;
    return base_->Close();
  }

 private:
  FaultEnv* const env_;
  const std::string path_;
  std::unique_ptr<agent::WritableFile> base_;
};

FaultEnv::FaultEnv(agent::Env* base) : base_(base) {}

void FaultEnv::FailOn(Op op, std::string path_contains, int err, int times) {
  absl::MutexLock lock(&mu_);
  rules_.push_back({op, std::move(path_contains), err, times});
}

void FaultEnv::ClearFaults() {
  absl::MutexLock lock(&mu_);
  rules_.clear();
}

int FaultEnv::faults_injected() const {
  absl::MutexLock lock(&mu_);
  return faults_injected_;
}

void FaultEnv::CrashBefore(Op op, std::string path_contains) {
  absl::MutexLock lock(&mu_);
  crash_points_.push_back({op, std::move(path_contains), 0, 1});
}

void FaultEnv::CrashAfter(int calls) {
  absl::MutexLock lock(&mu_);
  calls_before_crash_ = calls;
}

bool FaultEnv::crashed() const {
  absl::MutexLock lock(&mu_);
  return !crash_reason_.empty();
}

int FaultEnv::calls() const {
  absl::MutexLock lock(&mu_);
  return calls_;
}

absl::Status FaultEnv::Admit(Op op, const std::vector<std::string>& paths) {
  absl::MutexLock lock(&mu_);
  ++calls_;
  const std::string call = absl::StrCat(Verb(op), " ", paths.front());
  if (crash_reason_.empty()) {
    if (calls_before_crash_ == 0) {
      CrashLocked(call);
    } else if (calls_before_crash_ > 0) {
      --calls_before_crash_;
    }
  }
  if (crash_reason_.empty()) {
    for (const Rule& point : crash_points_) {
      if (Matches(point.op, point.path_contains, op, paths)) {
        CrashLocked(call);
        break;
      }
    }
  }
  if (!crash_reason_.empty()) {
    return absl::AbortedError(
        absl::StrCat(call, ": simulated crash (before ", crash_reason_, ")"));
  }
  for (Rule& rule : rules_) {
    if (rule.times == 0 || !Matches(rule.op, rule.path_contains, op, paths)) {
      continue;
    }
    if (rule.times > 0) --rule.times;
    ++faults_injected_;
    return agent::ErrnoStatus(Verb(op), paths.front(), rule.err);
  }
  return absl::OkStatus();
}

void FaultEnv::CrashLocked(const std::string& why) {
  crash_reason_ = why;
  for (const auto& [path, size] : durable_size_) {
    base_->Truncate(path, size).IgnoreError();
  }
  durable_size_.clear();
}

void FaultEnv::WillAppend(const std::string& path) {
  absl::MutexLock lock(&mu_);
  if (durable_size_.count(path) != 0) return;
  absl::StatusOr<agent::FileInfo> info = base_->Stat(path);
  durable_size_[path] = info.ok() ? info->size : 0;
}

void FaultEnv::Synced(const std::string& path) {
  absl::MutexLock lock(&mu_);
  durable_size_.erase(path);
}

absl::StatusOr<std::string> FaultEnv::ReadFile(const std::string& path,
                                               size_t max_bytes) {
  if (absl::Status s = Admit(Op::kRead, {path}); !s.ok()) return s;
  return base_->ReadFile(path, max_bytes);
}

absl::StatusOr<agent::TempFile> FaultEnv::NewTempFile(const std::string& path) {
  if (absl::Status s = Admit(Op::kCreate, {path}); !s.ok()) return s;
  absl::StatusOr<agent::TempFile> temp = base_->NewTempFile(path);
  if (!temp.ok()) return temp;
  temp->file = std::make_unique<File>(this, temp->path, std::move(temp->file));
  return temp;
}

absl::StatusOr<std::unique_ptr<agent::WritableFile>>
FaultEnv::NewAppendableFile(const std::string& path) {
  if (absl::Status s = Admit(Op::kCreate, {path}); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<agent::WritableFile>> file =
      base_->NewAppendableFile(path);
  if (!file.ok()) return file;
  return std::make_unique<File>(this, path, *std::move(file));
}

absl::Status FaultEnv::Truncate(const std::string& path, uint64_t size) {
  if (absl::Status s = Admit(Op::kTruncate, {path}); !s.ok()) return s;
  absl::Status s = base_->Truncate(path, size);
  absl::MutexLock lock(&mu_);
  if (auto it = durable_size_.find(path); s.ok() && it != durable_size_.end()) {
    it->second = std::min(it->second, size);
  }
  return s;
}

absl::Status FaultEnv::Rename(const std::string& from, const std::string& to) {
  if (absl::Status s = Admit(Op::kRename, {to, from}); !s.ok()) return s;
  absl::Status s = base_->Rename(from, to);
  absl::MutexLock lock(&mu_);
  if (s.ok()) {
    durable_size_.erase(to);
    if (auto it = durable_size_.find(from); it != durable_size_.end()) {
      durable_size_[to] = it->second;
      durable_size_.erase(from);
    }
  }
  return s;
}

absl::Status FaultEnv::Unlink(const std::string& path) {
  if (absl::Status s = Admit(Op::kUnlink, {path}); !s.ok()) return s;
  absl::Status s = base_->Unlink(path);
  absl::MutexLock lock(&mu_);
  if (s.ok()) durable_size_.erase(path);
  return s;
}

absl::Status FaultEnv::MakeDir(const std::string& dir, mode_t mode) {
  if (absl::Status s = Admit(Op::kMakeDir, {dir}); !s.ok()) return s;
  return base_->MakeDir(dir, mode);
}

absl::Status FaultEnv::SyncDir(const std::string& dir) {
  if (absl::Status s = Admit(Op::kSyncDir, {dir}); !s.ok()) return s;
  return base_->SyncDir(dir);
}

absl::StatusOr<agent::FileInfo> FaultEnv::Stat(const std::string& path) {
  if (absl::Status s = Admit(Op::kStat, {path}); !s.ok()) return s;
  return base_->Stat(path);
}

absl::StatusOr<agent::FileInfo> FaultEnv::Lstat(const std::string& path) {
  if (absl::Status s = Admit(Op::kStat, {path}); !s.ok()) return s;
  return base_->Lstat(path);
}

absl::Status FaultEnv::Chmod(const std::string& path, mode_t mode) {
  if (absl::Status s = Admit(Op::kChmod, {path}); !s.ok()) return s;
  return base_->Chmod(path, mode);
}

absl::Status FaultEnv::Chown(const std::string& path, uid_t uid, gid_t gid) {
  if (absl::Status s = Admit(Op::kChown, {path}); !s.ok()) return s;
  return base_->Chown(path, uid, gid);
}

absl::StatusOr<uid_t> FaultEnv::UserId(const std::string& name) {
  return base_->UserId(name);
}

absl::StatusOr<gid_t> FaultEnv::GroupId(const std::string& name) {
  return base_->GroupId(name);
}

bool FaultEnv::RunsAsRoot() { return base_->RunsAsRoot(); }

absl::StatusOr<common::CommandResult> FaultEnv::RunCommand(
    const common::CommandSpec& spec) {
  if (absl::Status s = Admit(Op::kRunCommand, {absl::StrJoin(spec.argv, " ")});
      !s.ok()) {
    return s;
  }
  return base_->RunCommand(spec);
}

const common::Clock& FaultEnv::clock() { return base_->clock(); }

}  // namespace swell::testing
