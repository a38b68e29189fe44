#include "agent/journal.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "agent/atomic_file.h"

// Record format, one per line, fields separated by tabs, with \\, \t, \n
// and \r escaped inside fields:
//   I <unix_ms> <generation> <variable> <from> <to>
//   S <unix_ms> <generation> <variable> <step> <detail>
//   O <unix_ms> <generation> <variable> ok|failed <message>

namespace swell::agent {
namespace {

std::string Escape(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Unescape(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    char n = s[++i];
    out += n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n;
  }
  return out;
}

std::string IntentLine(const JournalIntent& i, absl::Time now) {
  return absl::StrCat(
      absl::StrJoin({std::string("I"), absl::StrCat(absl::ToUnixMillis(now)),
                     absl::StrCat(i.generation), Escape(i.variable),
                     Escape(i.from), Escape(i.to)},
                    "\t"),
      "\n");
}

std::string StepLine(const std::string& variable, int64_t generation,
                     const std::string& step, const std::string& detail,
                     absl::Time now) {
  return absl::StrCat(
      absl::StrJoin({std::string("S"), absl::StrCat(absl::ToUnixMillis(now)),
                     absl::StrCat(generation), Escape(variable), Escape(step),
                     Escape(detail)},
                    "\t"),
      "\n");
}

std::string OutcomeLine(const std::string& variable, const JournalOutcome& o,
                        absl::Time now) {
  return absl::StrCat(
      absl::StrJoin({std::string("O"), absl::StrCat(absl::ToUnixMillis(now)),
                     absl::StrCat(o.generation), Escape(variable),
                     std::string(o.ok ? "ok" : "failed"), Escape(o.message)},
                    "\t"),
      "\n");
}

}  // namespace

absl::StatusOr<std::unique_ptr<Journal>> Journal::Open(std::string path,
                                                       size_t compact_above,
                                                       Env* env) {
  if (absl::Status s = MakeDirs(env, DirName(path)); !s.ok()) return s;
  std::map<std::string, VariableRecord> records;
  absl::StatusOr<std::string> content = env->ReadFile(path, 64 << 20);
  if (!content.ok() && !absl::IsNotFound(content.status())) {
    return content.status();
  }
  size_t valid_size = 0;
  if (content.ok()) {
    // Only whole lines count: a torn tail is cut off on the next append.
    size_t end = content->rfind('\n');
    valid_size = end == std::string::npos ? 0 : end + 1;
    for (absl::string_view line :
         absl::StrSplit(absl::string_view(*content).substr(0, valid_size), '\n',
                        absl::SkipEmpty())) {
      std::vector<absl::string_view> f = absl::StrSplit(line, '\t');
      int64_t generation;
      if (f.size() != 6 || !absl::SimpleAtoi(f[2], &generation)) continue;
      std::string variable = Unescape(f[3]);
      VariableRecord& rec = records[variable];
      if (f[0] == "I") {
        rec.open_intent =
            JournalIntent{variable, generation, Unescape(f[4]), Unescape(f[5])};
        rec.steps.clear();
      } else if (f[0] == "S") {
        if (rec.open_intent && rec.open_intent->generation == generation) {
          rec.steps[Unescape(f[4])] = Unescape(f[5]);
        }
      } else if (f[0] == "O") {
        rec.open_intent.reset();
        rec.steps.clear();
        rec.last_outcome =
            JournalOutcome{generation, f[4] == "ok", Unescape(f[5])};
      }
    }
  }
  absl::StatusOr<std::unique_ptr<WritableFile>> file =
      env->NewAppendableFile(path);
  if (!file.ok()) return file.status();
  if (absl::Status s = env->Truncate(path, valid_size); !s.ok()) return s;
  if (absl::Status s = env->SyncDir(DirName(path)); !s.ok()) return s;
  return std::unique_ptr<Journal>(new Journal(env, std::move(path),
                                              compact_above, *std::move(file),
                                              std::move(records), valid_size));
}

Journal::Journal(Env* env, std::string path, size_t compact_above,
                 std::unique_ptr<WritableFile> file,
                 std::map<std::string, VariableRecord> records, size_t size)
    : env_(env),
      path_(std::move(path)),
      compact_above_(compact_above),
      file_(std::move(file)),
      records_(std::move(records)),
      size_(size) {
  for (const auto& [name, rec] : records_) {
    if (rec.open_intent) interrupted_at_open_.push_back(*rec.open_intent);
  }
}

Journal::~Journal() {
  absl::MutexLock lock(&mu_);
  file_.reset();
}

std::vector<JournalIntent> Journal::InterruptedAtOpen() const {
  return interrupted_at_open_;
}

std::optional<JournalOutcome> Journal::LastOutcome(
    const std::string& variable) const {
  absl::MutexLock lock(&mu_);
  auto it = records_.find(variable);
  if (it == records_.end()) return std::nullopt;
  return it->second.last_outcome;
}

std::map<std::string, std::string> Journal::OpenSteps(
    const std::string& variable) const {
  absl::MutexLock lock(&mu_);
  auto it = records_.find(variable);
  if (it == records_.end() || !it->second.open_intent) return {};
  return it->second.steps;
}

absl::Status Journal::RecordIntent(const JournalIntent& intent) {
  absl::MutexLock lock(&mu_);
  VariableRecord& rec = records_[intent.variable];
  rec.open_intent = intent;
  rec.steps.clear();
  return Append(IntentLine(intent, env_->clock().Now()));
}

absl::Status Journal::RecordStep(const std::string& variable,
                                 int64_t generation, const std::string& step,
                                 const std::string& detail) {
  absl::MutexLock lock(&mu_);
  auto it = records_.find(variable);
  if (it == records_.end() || !it->second.open_intent ||
      it->second.open_intent->generation != generation) {
    return absl::FailedPreconditionError(
        absl::StrCat("no apply of ", variable, " generation ", generation,
                     " is open to record step ", step, " under"));
  }
  it->second.steps[step] = detail;
  return Append(
      StepLine(variable, generation, step, detail, env_->clock().Now()));
}

absl::Status Journal::RecordOutcome(const std::string& variable,
                                    const JournalOutcome& outcome) {
  absl::MutexLock lock(&mu_);
  VariableRecord& rec = records_[variable];
  rec.open_intent.reset();
  rec.steps.clear();
  rec.last_outcome = outcome;
  return Append(OutcomeLine(variable, outcome, env_->clock().Now()));
}

absl::Status Journal::Append(const std::string& line) {
  if (file_ == nullptr) {
    return absl::FailedPreconditionError("journal is closed");
  }
  if (absl::Status s = file_->Append(line); !s.ok()) return s;
  if (absl::Status s = file_->Sync(); !s.ok()) return s;
  size_ += line.size();
  // Compact only when that at least halves the file, so a journal of many
  // variables is not rewritten on every append.
  if (size_ > compact_above_ && size_ > 2 * compacted_size_) return Compact();
  return absl::OkStatus();
}

absl::Status Journal::Compact() {
  const absl::Time now = env_->clock().Now();
  std::string snapshot;
  for (const auto& [name, rec] : records_) {
    if (rec.last_outcome)
      absl::StrAppend(&snapshot, OutcomeLine(name, *rec.last_outcome, now));
    if (!rec.open_intent) continue;
    absl::StrAppend(&snapshot, IntentLine(*rec.open_intent, now));
    for (const auto& [step, detail] : rec.steps) {
      absl::StrAppend(&snapshot, StepLine(name, rec.open_intent->generation,
                                          step, detail, now));
    }
  }
  if (absl::Status s = WriteFileAtomically(env_, path_, snapshot); !s.ok()) {
    return s;
  }
  absl::StatusOr<std::unique_ptr<WritableFile>> file =
      env_->NewAppendableFile(path_);
  if (!file.ok()) return file.status();
  file_ = *std::move(file);
  size_ = snapshot.size();
  compacted_size_ = snapshot.size();
  return absl::OkStatus();
}

}  // namespace swell::agent
