#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "agent/env.h"

namespace swell::testing {

// An agent::Env over another one (by default the real PosixEnv) that fails
// chosen calls the way the OS would, or simulates the agent's death between
// two calls, in the spirit of LevelDB's fault_injection_test. Thread-safe.
//
// A crash makes the failing call and every later one (on this env and on
// every file it opened) fail with kAborted and reach nothing, as if the
// process were gone. Data appended to a file since its last Sync is cut
// off at that moment, as a power loss would drop it from the page cache;
// renames and unlinks are kept whether or not their directory was synced.
// A test "restarts" by opening fresh components over another env on the
// same files.
//
// User and group lookups, RunsAsRoot and the clock pass through unchanged
// and are not counted.
class FaultEnv final : public agent::Env {
 public:
  // What a fault or a crash point matches. kCreate is NewTempFile and
  // NewAppendableFile; kWrite, kSync and kClose are the WritableFile's.
  enum class Op {
    kRead,
    kCreate,
    kWrite,
    kSync,
    kClose,
    kTruncate,
    kRename,
    kUnlink,
    kMakeDir,
    kSyncDir,
    kStat,
    kChmod,
    kChown,
    kRunCommand,
  };
  static constexpr int kAlways = -1;

  // `base` must outlive this env.
  explicit FaultEnv(agent::Env* base = agent::Env::Default());

  // The next `times` calls of `op` on a path containing `path_contains`
  // ("" matches any; a rename matches on either path, a command on its
  // argv joined by spaces) fail with `err`, worded as the real env would
  // ("fsync /d/.a.swell-x1: Input/output error"), without reaching the
  // base env. kAlways: until ClearFaults. Rules are tried in order.
  void FailOn(Op op, std::string path_contains, int err, int times = 1);
  void ClearFaults();
  // Calls failed through FailOn so far. A test that asserts a fault's
  // effect checks first that the fault fired.
  int faults_injected() const;

  // Crashes at the first call of `op` on a matching path: that call fails.
  void CrashBefore(Op op, std::string path_contains);
  // Crashes after `calls` more counted calls have gone through.
  void CrashAfter(int calls);
  bool crashed() const;
  // Counted calls so far: every Env and WritableFile call except the
  // pass-throughs above. A test sweeps crash points 0..calls() of a run.
  int calls() const;

  absl::StatusOr<std::string> ReadFile(const std::string& path,
                                       size_t max_bytes) override;
  absl::StatusOr<agent::TempFile> NewTempFile(const std::string& path) override;
  absl::StatusOr<std::unique_ptr<agent::WritableFile>> NewAppendableFile(
      const std::string& path) override;
  absl::Status Truncate(const std::string& path, uint64_t size) override;
  absl::Status Rename(const std::string& from, const std::string& to) override;
  absl::Status Unlink(const std::string& path) override;
  absl::Status MakeDir(const std::string& dir, mode_t mode) override;
  absl::Status SyncDir(const std::string& dir) override;
  absl::StatusOr<agent::FileInfo> Stat(const std::string& path) override;
  absl::StatusOr<agent::FileInfo> Lstat(const std::string& path) override;
  absl::Status Chmod(const std::string& path, mode_t mode) override;
  absl::Status Chown(const std::string& path, uid_t uid, gid_t gid) override;
  absl::StatusOr<uid_t> UserId(const std::string& name) override;
  absl::StatusOr<gid_t> GroupId(const std::string& name) override;
  bool RunsAsRoot() override;
  absl::StatusOr<common::CommandResult> RunCommand(
      const common::CommandSpec& spec) override;
  const common::Clock& clock() override;

 private:
  class File;
  struct Rule {
    Op op;
    std::string path_contains;
    int err = 0;
    int times = 1;  // kAlways, or how many more calls fail
  };

  // Counts the call and decides its fate: OK to go on to the base env, an
  // injected error, or kAborted for a crash. `paths` are what rules match.
  absl::Status Admit(Op op, const std::vector<std::string>& paths);
  void CrashLocked(const std::string& why) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Notes that `path` is about to get unsynced data, and that a Sync made
  // it durable.
  void WillAppend(const std::string& path);
  void Synced(const std::string& path);

  agent::Env* const base_;
  mutable absl::Mutex mu_;
  std::vector<Rule> rules_ ABSL_GUARDED_BY(mu_);
  int faults_injected_ ABSL_GUARDED_BY(mu_) = 0;
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  int calls_before_crash_ ABSL_GUARDED_BY(mu_) = -1;  // -1: no countdown
  std::vector<Rule> crash_points_ ABSL_GUARDED_BY(mu_);
  std::string crash_reason_ ABSL_GUARDED_BY(mu_);  // empty: alive
  // path -> its size when it was last synced, for files with unsynced data.
  std::map<std::string, uint64_t> durable_size_ ABSL_GUARDED_BY(mu_);
};

}  // namespace swell::testing
