#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "agent/env.h"

namespace swell::agent {

// An apply about to start: `from` and `to` are DescribeValue() texts.
struct JournalIntent {
  std::string variable;
  int64_t generation = 0;
  std::string from;
  std::string to;
};

// How an apply (or the finding that nothing needed applying) ended.
struct JournalOutcome {
  int64_t generation = 0;
  bool ok = false;
  std::string message;
};

// The agent's local record of what it did, so that a crash mid-apply is
// noticed at the next start and a generation is applied once.
//
// An apply of several steps (install, restart, ...) records each finished
// step under its open intent, so that an interrupted apply resumes after
// the last finished step.
//
// An append-only text file, one record per line, fsync'd before each
// Record* call returns. A torn last line (crash during an append) is
// ignored on open. When the file grows past `compact_above` bytes it is
// rewritten (atomically) to the newest outcome and any open intent (with
// its steps) of each variable. Every file operation and timestamp goes
// through the Env given to Open. Thread-safe.
class Journal {
 public:
  static constexpr size_t kDefaultCompactAbove = 256 * 1024;

  // Opens the journal at `path`, creating it (and its directory) if needed.
  // `env` must outlive the journal.
  static absl::StatusOr<std::unique_ptr<Journal>> Open(
      std::string path, size_t compact_above = kDefaultCompactAbove,
      Env* env = Env::Default());
  ~Journal();

  // Intents that had no outcome when the journal was opened: applies that a
  // crash or kill interrupted.
  std::vector<JournalIntent> InterruptedAtOpen() const;

  // The newest outcome recorded for `variable`.
  std::optional<JournalOutcome> LastOutcome(const std::string& variable) const;

  // The steps recorded under `variable`'s open intent, step -> detail;
  // empty when it has no open intent.
  std::map<std::string, std::string> OpenSteps(
      const std::string& variable) const;

  // Durably records that an apply is starting. A new intent starts with no
  // steps; use ResumeIntent to keep those of an interrupted one.
  [[nodiscard]] absl::Status RecordIntent(const JournalIntent& intent);
  // Durably records that step `step` of `variable`'s open intent finished,
  // with `detail`. kFailedPrecondition when `variable` has no open intent
  // of `generation`.
  [[nodiscard]] absl::Status RecordStep(const std::string& variable,
                                        int64_t generation,
                                        const std::string& step,
                                        const std::string& detail);
  // Durably records an outcome for `variable`; closes its open intent.
  [[nodiscard]] absl::Status RecordOutcome(const std::string& variable,
                                           const JournalOutcome& outcome);

 private:
  struct VariableRecord {
    std::optional<JournalIntent> open_intent;
    std::map<std::string, std::string> steps;  // of open_intent
    std::optional<JournalOutcome> last_outcome;
  };

  Journal(Env* env, std::string path, size_t compact_above,
          std::unique_ptr<WritableFile> file,
          std::map<std::string, VariableRecord> records, size_t size);
  absl::Status Append(const std::string& line)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Compact() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Env* const env_;
  const std::string path_;
  const size_t compact_above_;
  std::vector<JournalIntent> interrupted_at_open_;
  mutable absl::Mutex mu_;
  std::unique_ptr<WritableFile> file_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, VariableRecord> records_ ABSL_GUARDED_BY(mu_);
  size_t size_ ABSL_GUARDED_BY(mu_);
  size_t compacted_size_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace swell::agent
